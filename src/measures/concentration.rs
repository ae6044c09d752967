//! Concentration indices of an ordered dimension: the absolute (ACI) and
//! relative (RCI) concentration index with the Wagstaff (2005) and
//! Erreygers (2009) corrections for bounded indicators, computed by the
//! "convenient regression" of Kakwani, Wagstaff & van Doorslaer (1997) as
//! WHO healthequal's `aci()` and `rci()`.

use serde::{Deserialize, Serialize};

use super::interval::{MeasureError, z_value};
use super::regression::weighted_least_squares;
use super::sii::midpoint_ranks;
use super::subgroup::{Measure, Subgroup, is_ordered, need_more_than_two};

/// Corrections of the RCI for a bounded indicator (healthequal `method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RciCorrection {
    None,
    /// Wagstaff (2005): RCI / (1 - μ), μ on the 0-1 scale.
    Wagstaff,
    /// Erreygers (2009): 4 μ · RCI.
    Erreygers,
}

/// Absolute concentration index (healthequal `aci()`): the slope of
/// `2 σ² y_i / μ · μ` on the midpoint rank in the convenient regression
/// with `sqrt(pop)` weighting, and its OLS standard error.
pub fn aci(groups: &[Subgroup], confidence: f64) -> Result<Measure, MeasureError> {
    regression(groups, confidence, Index::Absolute)
}

/// Relative concentration index (healthequal `rci()`, as a fraction, not
/// x100), optionally corrected. For the corrections, `bounds` rescales the
/// estimates to 0-1 first (healthequal's `lmin`, `lmax`), e.g. `(0, 100)`
/// for percentages.
pub fn rci(
    groups: &[Subgroup],
    correction: RciCorrection,
    bounds: Option<(f64, f64)>,
    confidence: f64,
) -> Result<Measure, MeasureError> {
    let rescaled: Vec<Subgroup> = match bounds {
        Some((lo, hi)) if hi > lo => groups
            .iter()
            .map(|g| Subgroup {
                estimate: (g.estimate - lo) / (hi - lo),
                ..*g
            })
            .collect(),
        Some((lo, hi)) => {
            return Err(MeasureError::Invalid(format!(
                "bounds ({lo}, {hi}) are not increasing"
            )));
        }
        None => groups.to_vec(),
    };
    regression(&rescaled, confidence, Index::Relative(correction))
}

enum Index {
    Absolute,
    Relative(RciCorrection),
}

fn regression(groups: &[Subgroup], confidence: f64, index: Index) -> Result<Measure, MeasureError> {
    let z = z_value(confidence)?;
    need_more_than_two("a concentration index", groups)?;
    if !is_ordered(groups)? {
        return Err(MeasureError::Invalid(
            "a concentration index needs an ordered dimension".into(),
        ));
    }
    let mut sorted = groups.to_vec();
    sorted.sort_by_key(|g| g.order);
    let pops: Vec<f64> = sorted.iter().map(|g| g.population).collect();
    let ranks = midpoint_ranks(&pops)?;
    let total: f64 = pops.iter().sum();
    let sigma2: f64 = pops
        .iter()
        .zip(&ranks)
        .map(|(p, r)| p / total * (r - 0.5).powi(2))
        .sum();
    let mean = sorted
        .iter()
        .map(|g| g.population * g.estimate)
        .sum::<f64>()
        / total;
    if mean == 0.0 {
        return Err(MeasureError::ZeroDenominator {
            what: "mean of the estimates",
        });
    }
    let factor = match index {
        Index::Absolute => mean,
        Index::Relative(RciCorrection::None) => 1.0,
        Index::Relative(RciCorrection::Wagstaff) => 1.0 / (1.0 - mean),
        Index::Relative(RciCorrection::Erreygers) => 4.0 * mean,
    };
    let mut design = Vec::with_capacity(sorted.len());
    let mut lhs = Vec::with_capacity(sorted.len());
    for ((g, r), p) in sorted.iter().zip(&ranks).zip(&pops) {
        let w = p.sqrt();
        lhs.push(2.0 * sigma2 * g.estimate / mean * w * factor);
        design.push(vec![r * w, w]);
    }
    let ones = vec![1.0; lhs.len()];
    let (beta, inverse) = weighted_least_squares(&design, &lhs, &ones)?;
    let rss: f64 = design
        .iter()
        .zip(&lhs)
        .map(|(x, y)| (y - x[0] * beta[0] - x[1] * beta[1]).powi(2))
        .sum();
    let sigma_sq = rss / (lhs.len() - 2) as f64;
    Ok(Measure::wald(beta[0], (sigma_sq * inverse[0][0]).sqrt(), z))
}
