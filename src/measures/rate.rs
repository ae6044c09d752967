//! Crude rates with exact Poisson or Byar confidence limits, as in
//! PHEindicatormethods' `phe_rate` (and its internal `byars_lower`,
//! `byars_upper`); the same limits for a count are reused by the indirect
//! standardisation and the DSR.

use serde::{Deserialize, Serialize};
use statrs::distribution::{ChiSquared, ContinuousCDF};

use super::interval::{
    Estimate, MeasureError, check_confidence, non_negative, positive_denominator, z_value,
};

/// Below this many events PHE uses the exact Poisson limits, at or above it
/// Byar's approximation (which is accurate there and cheaper).
pub const EXACT_BELOW: f64 = 10.0;

/// Which method produced a set of Poisson limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PoissonMethod {
    /// Exact limits from the chi-square distribution (Garwood 1936).
    Exact,
    /// Byar's approximation (Breslow & Day 1987).
    Byar,
}

/// Confidence limits for an observed Poisson count.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CountLimits {
    pub lower: f64,
    pub upper: f64,
    pub method: PoissonMethod,
}

/// Byar's lower confidence limit for an observed count `x` (Breslow NE, Day
/// NE. *Statistical methods in cancer research, vol. II*. IARC 1987):
/// `x (1 - 1/(9x) - z/(3 sqrt x))^3`.
///
/// For very small counts or very high confidence the bracket turns negative
/// and the approximation is meaningless; PHE returns NA there and so this
/// returns [`MeasureError::Undefined`] (also for `x = 0`).
pub fn byars_lower(events: f64, confidence: f64) -> Result<f64, MeasureError> {
    let x = non_negative("events", events)?;
    let z = z_value(confidence)?;
    let lower = x * (1.0 - 1.0 / (9.0 * x) - z / (3.0 * x.sqrt())).powi(3);
    if x == 0.0 || lower < 0.0 || !lower.is_finite() {
        return Err(MeasureError::Undefined {
            measure: "Byar's lower limit",
            reason: format!("negative for {x} events at confidence {confidence}"),
        });
    }
    Ok(lower)
}

/// Byar's upper confidence limit for an observed count `x` (Breslow & Day
/// 1987): `(x+1) (1 - 1/(9(x+1)) + z/(3 sqrt(x+1)))^3`.
pub fn byars_upper(events: f64, confidence: f64) -> Result<f64, MeasureError> {
    let x1 = non_negative("events", events)? + 1.0;
    let z = z_value(confidence)?;
    Ok(x1 * (1.0 - 1.0 / (9.0 * x1) + z / (3.0 * x1.sqrt())).powi(3))
}

/// Exact lower Poisson limit `qchisq((1 - c)/2, 2x) / 2` (Garwood 1936, via
/// the chi-square/gamma relation); 0 when `x = 0`.
pub fn exact_poisson_lower(events: f64, confidence: f64) -> Result<f64, MeasureError> {
    let x = non_negative("events", events)?;
    let c = check_confidence(confidence)?;
    if x == 0.0 {
        return Ok(0.0);
    }
    Ok(chi_square_quantile(2.0 * x, (1.0 - c) / 2.0)? / 2.0)
}

/// Exact upper Poisson limit `qchisq(c + (1 - c)/2, 2x + 2) / 2` (Garwood
/// 1936).
pub fn exact_poisson_upper(events: f64, confidence: f64) -> Result<f64, MeasureError> {
    let x = non_negative("events", events)?;
    let c = check_confidence(confidence)?;
    Ok(chi_square_quantile(2.0 * x + 2.0, c + (1.0 - c) / 2.0)? / 2.0)
}

/// Poisson limits for a count, exact below [`EXACT_BELOW`] events and Byar at
/// or above, PHEindicatormethods' rule in `phe_rate`, `calculate_ISRatio`
/// and `calculate_ISRate`.
pub fn count_limits(events: f64, confidence: f64) -> Result<CountLimits, MeasureError> {
    let x = non_negative("events", events)?;
    if x < EXACT_BELOW {
        Ok(CountLimits {
            lower: exact_poisson_lower(x, confidence)?,
            upper: exact_poisson_upper(x, confidence)?,
            method: PoissonMethod::Exact,
        })
    } else {
        Ok(CountLimits {
            lower: byars_lower(x, confidence)?,
            upper: byars_upper(x, confidence)?,
            method: PoissonMethod::Byar,
        })
    }
}

/// A crude rate `events / person_time` (per one unit of person-time; apply a
/// multiplier such as 100 000 with [`Estimate::scaled`]) with exact Poisson
/// limits below 10 events and Byar's at or above: PHEindicatormethods'
/// `phe_rate`. Rates above 1 per unit are allowed (recurrent events).
///
/// Errors: negative inputs, and [`MeasureError::ZeroDenominator`] when
/// `person_time` is 0.
pub fn rate(events: f64, person_time: f64, confidence: f64) -> Result<Estimate, MeasureError> {
    let x = non_negative("events", events)?;
    let n = positive_denominator("person-time", person_time)?;
    let limits = count_limits(x, confidence)?;
    Ok(Estimate {
        value: x / n,
        lower: limits.lower / n,
        upper: limits.upper / n,
    })
}

/// The method `rate` and `count_limits` use for `events`.
pub fn poisson_method(events: f64) -> PoissonMethod {
    if events < EXACT_BELOW {
        PoissonMethod::Exact
    } else {
        PoissonMethod::Byar
    }
}

/// Quantile of the chi-square distribution with `df` degrees of freedom.
pub(crate) fn chi_square_quantile(df: f64, p: f64) -> Result<f64, MeasureError> {
    let dist =
        ChiSquared::new(df).map_err(|e| MeasureError::Invalid(format!("chi-square: {e}")))?;
    Ok(dist.inverse_cdf(p))
}
