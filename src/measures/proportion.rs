//! Proportions with Wilson score confidence intervals.

use super::interval::{Estimate, MeasureError, non_negative, positive_denominator, z_value};

/// A proportion `events / denominator` on the 0-1 scale with its Wilson score
/// interval (Wilson 1927; Newcombe 1998; Newcombe & Altman 2000 in *Statistics
/// with confidence*, pp. 46-48). This is PHEindicatormethods'
/// `phe_proportion` / `wilson_lower` / `wilson_upper`; callers apply any
/// multiplier (100 for a percentage) with [`Estimate::scaled`].
///
/// The Wilson interval stays inside [0, 1] and behaves well for 0 events
/// (lower limit exactly 0) and for `events == denominator` (upper limit 1),
/// where the Wald interval collapses. Non-integer counts are accepted, as in
/// PHE (weighted counts).
///
/// Errors: negative or non-finite inputs, `events > denominator`, an
/// invalid confidence level, and [`MeasureError::ZeroDenominator`] for an
/// empty group (which callers report as an empty value with a note).
pub fn wilson(events: f64, denominator: f64, confidence: f64) -> Result<Estimate, MeasureError> {
    let x = non_negative("events", events)?;
    let n = positive_denominator("denominator", denominator)?;
    if x > n {
        return Err(MeasureError::NumeratorExceedsDenominator {
            numerator: x,
            denominator: n,
        });
    }
    let z = z_value(confidence)?;
    let z2 = z * z;
    let centre = 2.0 * x + z2;
    let half_width = z * (z2 + 4.0 * x * (1.0 - x / n)).sqrt();
    let scale = 2.0 * (n + z2);
    Ok(Estimate {
        value: x / n,
        lower: ((centre - half_width) / scale).max(0.0),
        upper: ((centre + half_width) / scale).min(1.0),
    })
}
