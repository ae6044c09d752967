//! Common types for every measure: a point estimate with its confidence
//! interval, the error type, and confidence-level handling.
//!
//! Every function in `measures` takes the confidence level as a fraction in
//! the open interval (0, 1) — typically 0.95 or 0.998 (the two levels used
//! for funnel plots and in PHE's Fingertips). Percentages such as 95 are
//! rejected rather than guessed at, so a caller never gets a silently wrong
//! interval.

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Normal};
use thiserror::Error;

/// A point estimate with the lower and upper limits of its confidence
/// interval, on the scale the producing function documents.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    pub value: f64,
    pub lower: f64,
    pub upper: f64,
}

impl Estimate {
    /// Multiplies the value and both limits by `factor` (e.g. 100 for a
    /// percentage, 100 000 for a rate per 100 000). A negative factor swaps
    /// the limits so that `lower <= upper` still holds.
    pub fn scaled(self, factor: f64) -> Estimate {
        let (a, b) = (self.lower * factor, self.upper * factor);
        Estimate {
            value: self.value * factor,
            lower: a.min(b),
            upper: a.max(b),
        }
    }
}

/// A point estimate with a standard error and a symmetric (Wald-type)
/// interval, as returned by the regression-based and delta-method measures.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EstimateSe {
    pub value: f64,
    /// Standard error on the scale the producing function documents (for
    /// ratios this is usually the log scale).
    pub se: f64,
    pub lower: f64,
    pub upper: f64,
}

/// Why a measure could not be computed.
///
/// `ZeroDenominator` and `TooFewEvents` are expected in real data (an empty
/// stratum, a rare outcome): callers turn them into an empty value with a
/// note for that group only, while the other variants signal invalid input.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum MeasureError {
    #[error("confidence level must be a fraction strictly between 0 and 1 (e.g. 0.95), got {0}")]
    InvalidConfidence(f64),
    #[error("{what} must be greater than or equal to zero, got {value}")]
    Negative { what: &'static str, value: f64 },
    #[error("{what} must be a finite number, got {value}")]
    NotFinite { what: &'static str, value: f64 },
    #[error("{what} is zero: the measure is undefined for an empty group")]
    ZeroDenominator { what: &'static str },
    #[error("numerator ({numerator}) is larger than the denominator ({denominator})")]
    NumeratorExceedsDenominator { numerator: f64, denominator: f64 },
    #[error("{measure} needs at least {needed} events, got {found}")]
    TooFewEvents {
        measure: &'static str,
        needed: f64,
        found: f64,
    },
    #[error("{what}: expected {expected} values, got {found}")]
    LengthMismatch {
        what: &'static str,
        expected: usize,
        found: usize,
    },
    #[error("{measure} needs {needed}, got {found}")]
    WrongGroupCount {
        measure: &'static str,
        needed: &'static str,
        found: usize,
    },
    #[error("{measure} is undefined: {reason}")]
    Undefined {
        measure: &'static str,
        reason: String,
    },
    #[error("invalid input: {0}")]
    Invalid(String),
    #[error("{model} did not converge in {iterations} iterations")]
    NoConvergence {
        model: &'static str,
        iterations: usize,
    },
}

/// Checks that `confidence` is a fraction in (0, 1) and returns it.
pub fn check_confidence(confidence: f64) -> Result<f64, MeasureError> {
    if confidence.is_finite() && confidence > 0.0 && confidence < 1.0 {
        Ok(confidence)
    } else {
        Err(MeasureError::InvalidConfidence(confidence))
    }
}

/// The two-sided standard normal critical value for `confidence`:
/// `z = qnorm(confidence + (1 - confidence) / 2)`, e.g. 1.959964 for 0.95
/// and 3.090232 for 0.998.
pub fn z_value(confidence: f64) -> Result<f64, MeasureError> {
    let c = check_confidence(confidence)?;
    Ok(qnorm(c + (1.0 - c) / 2.0))
}

/// Standard normal quantile. `p` must be in (0, 1); callers validate.
pub(crate) fn qnorm(p: f64) -> f64 {
    standard_normal().inverse_cdf(p)
}

fn standard_normal() -> Normal {
    // Mean 0 and standard deviation 1 are always valid parameters.
    Normal::standard()
}

/// Returns `value` if it is finite and non-negative.
pub(crate) fn non_negative(what: &'static str, value: f64) -> Result<f64, MeasureError> {
    if !value.is_finite() {
        Err(MeasureError::NotFinite { what, value })
    } else if value < 0.0 {
        Err(MeasureError::Negative { what, value })
    } else {
        Ok(value)
    }
}

/// Returns `value` if it is finite.
pub(crate) fn finite(what: &'static str, value: f64) -> Result<f64, MeasureError> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(MeasureError::NotFinite { what, value })
    }
}

/// Returns `value` if it is finite and strictly positive; zero gives
/// [`MeasureError::ZeroDenominator`].
pub(crate) fn positive_denominator(what: &'static str, value: f64) -> Result<f64, MeasureError> {
    let v = non_negative(what, value)?;
    if v == 0.0 {
        Err(MeasureError::ZeroDenominator { what })
    } else {
        Ok(v)
    }
}
