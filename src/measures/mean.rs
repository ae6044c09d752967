//! Means with Student's t confidence intervals, as PHEindicatormethods'
//! `phe_mean`.

use statrs::distribution::{ContinuousCDF, StudentsT};

use super::interval::{Estimate, MeasureError, check_confidence, finite};

/// Summary of a sample used for a mean: sum, count and sample standard
/// deviation (denominator n - 1, as R's `sd`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeanSummary {
    pub sum: f64,
    pub count: usize,
    pub stdev: f64,
}

/// Sum, count and sample standard deviation of `values`.
///
/// Errors: fewer than two values (no standard deviation) or a non-finite
/// value.
pub fn summarise(values: &[f64]) -> Result<MeanSummary, MeasureError> {
    for &v in values {
        finite("value", v)?;
    }
    if values.len() < 2 {
        return Err(MeasureError::WrongGroupCount {
            measure: "a mean with a confidence interval",
            needed: "at least 2 values",
            found: values.len(),
        });
    }
    let n = values.len() as f64;
    let sum: f64 = values.iter().sum();
    let mean = sum / n;
    let ss: f64 = values.iter().map(|v| (v - mean).powi(2)).sum();
    Ok(MeanSummary {
        sum,
        count: values.len(),
        stdev: (ss / (n - 1.0)).sqrt(),
    })
}

/// The mean of `values` with a Student's t interval
/// `mean ± |qt((1 - c)/2, n - 1)| · sd / sqrt(n)` (Student 1908), as
/// PHEindicatormethods' `phe_mean`.
pub fn mean(values: &[f64], confidence: f64) -> Result<Estimate, MeasureError> {
    let s = summarise(values)?;
    mean_from_summary(&s, confidence)
}

/// As [`mean`], from an already aggregated sum, count and standard
/// deviation (e.g. a table cell).
pub fn mean_from_summary(s: &MeanSummary, confidence: f64) -> Result<Estimate, MeasureError> {
    let c = check_confidence(confidence)?;
    if s.count < 2 {
        return Err(MeasureError::WrongGroupCount {
            measure: "a mean with a confidence interval",
            needed: "at least 2 values",
            found: s.count,
        });
    }
    let n = s.count as f64;
    let t = StudentsT::new(0.0, 1.0, n - 1.0)
        .map_err(|e| MeasureError::Invalid(format!("Student's t: {e}")))?
        .inverse_cdf((1.0 - c) / 2.0)
        .abs();
    let value = s.sum / n;
    let half = t * s.stdev / n.sqrt();
    Ok(Estimate {
        value,
        lower: value - half,
        upper: value + half,
    })
}
