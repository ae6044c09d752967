//! Indirect standardisation: standardised ratios (SMR-type, `ISRatio`) and
//! indirectly standardised rates (`ISRate`), as PHEindicatormethods'
//! `calculate_ISRatio` and `calculate_ISRate`.

use super::interval::{Estimate, MeasureError, non_negative, positive_denominator};
use super::rate::count_limits;

/// Expected events `Σ_i n_i · X_i / N_i`: the local population `n_i` in each
/// band times the reference rate `X_i / N_i`. A local band with population 0
/// contributes nothing (PHE accepts it); a reference band with population 0
/// is an error.
pub fn expected_events(
    population: &[f64],
    ref_events: &[f64],
    ref_population: &[f64],
) -> Result<f64, MeasureError> {
    for (what, found) in [
        ("reference events", ref_events.len()),
        ("reference population", ref_population.len()),
    ] {
        if found != population.len() {
            return Err(MeasureError::LengthMismatch {
                what,
                expected: population.len(),
                found,
            });
        }
    }
    let mut expected = 0.0;
    for ((&n, &x_ref), &n_ref) in population.iter().zip(ref_events).zip(ref_population) {
        let n = non_negative("population", n)?;
        let x_ref = non_negative("reference events", x_ref)?;
        let n_ref = positive_denominator("reference population", n_ref)?;
        expected += x_ref / n_ref * n;
    }
    Ok(expected)
}

/// Total observed events over the age bands, rejecting a negative band (as
/// PHE's "numerators must all be greater than or equal to zero").
pub fn observed_events(events: &[f64]) -> Result<f64, MeasureError> {
    let mut total = 0.0;
    for &x in events {
        total += non_negative("events", x)?;
    }
    Ok(total)
}

/// The crude rate of the reference population, `Σ X_i / Σ N_i`, per unit.
pub fn reference_rate(ref_events: &[f64], ref_population: &[f64]) -> Result<f64, MeasureError> {
    let mut x = 0.0;
    for &v in ref_events {
        x += non_negative("reference events", v)?;
    }
    let mut n = 0.0;
    for &v in ref_population {
        n += non_negative("reference population", v)?;
    }
    Ok(x / positive_denominator("reference population", n)?)
}

/// Indirectly standardised ratio `observed / expected` (1 = as the
/// reference; multiply by 100 for the SMR-style x100 scale) with exact
/// Poisson limits below 10 observed events and Byar's at or above
/// (Breslow & Day 1987), treating `expected` as fixed: PHEindicatormethods'
/// `calculate_ISRatio`.
///
/// Errors: negative inputs and [`MeasureError::ZeroDenominator`] when
/// nothing is expected.
pub fn isratio(observed: f64, expected: f64, confidence: f64) -> Result<Estimate, MeasureError> {
    let o = non_negative("observed events", observed)?;
    let e = positive_denominator("expected events", expected)?;
    let limits = count_limits(o, confidence)?;
    Ok(Estimate {
        value: o / e,
        lower: limits.lower / e,
        upper: limits.upper / e,
    })
}

/// Indirectly standardised rate: the ratio from [`isratio`] times the
/// reference rate (per unit; see [`reference_rate`]), PHEindicatormethods'
/// `calculate_ISRate`.
pub fn israte(
    observed: f64,
    expected: f64,
    reference_rate: f64,
    confidence: f64,
) -> Result<Estimate, MeasureError> {
    let r = non_negative("reference rate", reference_rate)?;
    Ok(isratio(observed, expected, confidence)?.scaled(r))
}
