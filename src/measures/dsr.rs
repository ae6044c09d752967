//! Directly standardised rates (DSR) with Dobson confidence limits, as
//! PHEindicatormethods' `calculate_dsr`, including its variant for
//! non-independent events.

use serde::{Deserialize, Serialize};

use super::interval::{
    Estimate, MeasureError, check_confidence, non_negative, positive_denominator,
};
use super::rate::{byars_lower, byars_upper};

/// The European Standard Population 2013 (Eurostat 2013): 19 five-year age
/// bands 0-4, 5-9, ..., 85-89, 90+ with weights summing to 100 000.
pub const ESP2013: [(&str, f64); 19] = [
    ("0-4", 5000.0),
    ("5-9", 5500.0),
    ("10-14", 5500.0),
    ("15-19", 5500.0),
    ("20-24", 6000.0),
    ("25-29", 6000.0),
    ("30-34", 6500.0),
    ("35-39", 7000.0),
    ("40-44", 7000.0),
    ("45-49", 7000.0),
    ("50-54", 7000.0),
    ("55-59", 6500.0),
    ("60-64", 6000.0),
    ("65-69", 5500.0),
    ("70-74", 5000.0),
    ("75-79", 4000.0),
    ("80-84", 2500.0),
    ("85-89", 1500.0),
    ("90+", 1000.0),
];

/// The ESP2013 weights alone, in band order, for use as `standard`.
pub fn esp2013_weights() -> [f64; 19] {
    ESP2013.map(|(_, w)| w)
}

/// PHE suppresses a DSR built on fewer than this many events: the Dobson
/// interval is unreliable there.
pub const DSR_MIN_EVENTS: f64 = 10.0;

/// A directly standardised rate per one unit of person-time (apply a
/// multiplier such as 100 000 with [`Estimate::scaled`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Dsr {
    pub estimate: Estimate,
    pub total_events: f64,
    pub total_population: f64,
    /// Variance of the DSR (per-unit scale): `Σ x_i w_i² / n_i² / (Σ w_i)²`,
    /// or its non-independent-events form.
    pub variance: f64,
}

/// People in each age band who had exactly `frequency` events (PHE's
/// `eventfreq` rows): the input for [`dsr_non_independent`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FrequencyCounts<'a> {
    pub frequency: f64,
    /// One value per age band, in the same order as the populations.
    pub persons: &'a [f64],
}

/// Directly standardised rate `Σ w_i x_i / n_i / Σ w_i` for age-specific
/// events `x_i`, populations `n_i` and standard population weights `w_i`
/// (e.g. [`esp2013_weights`]), with Dobson et al. (1991, *Statistics in
/// Medicine* 10:457-462) limits: the Byar limits of the total count, scaled
/// by `sqrt(var / total)`. This is PHEindicatormethods' `calculate_dsr`
/// with `independent_events = TRUE`.
///
/// Errors: slices of different lengths, negative values, a zero population
/// in any band ([`MeasureError::ZeroDenominator`]: the whole group has no
/// value) and fewer than 10 events in total
/// ([`MeasureError::TooFewEvents`]; PHE shows "dsr NA for total count < 10").
pub fn dsr(
    events: &[f64],
    population: &[f64],
    standard: &[f64],
    confidence: f64,
) -> Result<Dsr, MeasureError> {
    check_bands(events.len(), population, standard)?;
    let weight_sum = weight_sum(standard)?;
    let mut variance = 0.0;
    for ((&x, &n), &w) in events.iter().zip(population).zip(standard) {
        let x = non_negative("events", x)?;
        let n = positive_denominator("population", n)?;
        variance += x * (w / n).powi(2);
    }
    variance /= weight_sum * weight_sum;
    finish(events, population, standard, variance, confidence)
}

/// A DSR whose events are not independent (a person may have several
/// events), PHEindicatormethods' `calculate_dsr(independent_events = FALSE)`:
/// the events in band `i` are `Σ_f f · persons_{f,i}`, and the variance is
/// `Σ_f f² · var_f`, where `var_f` is the ordinary DSR variance of the
/// persons with `f` events. The point estimate is unchanged; the interval
/// widens to reflect the clustering of events within persons.
pub fn dsr_non_independent(
    counts: &[FrequencyCounts<'_>],
    population: &[f64],
    standard: &[f64],
    confidence: f64,
) -> Result<Dsr, MeasureError> {
    let bands = population.len();
    check_bands(bands, population, standard)?;
    let weight_sum = weight_sum(standard)?;
    let mut events = vec![0.0; bands];
    let mut variance = 0.0;
    for fc in counts {
        let f = non_negative("event frequency", fc.frequency)?;
        if fc.persons.len() != bands {
            return Err(MeasureError::LengthMismatch {
                what: "persons per age band",
                expected: bands,
                found: fc.persons.len(),
            });
        }
        let mut var_f = 0.0;
        for (i, ((&p, &n), &w)) in fc.persons.iter().zip(population).zip(standard).enumerate() {
            let p = non_negative("persons", p)?;
            let n = positive_denominator("population", n)?;
            var_f += p * (w / n).powi(2);
            events[i] += f * p;
        }
        variance += f * f * var_f / (weight_sum * weight_sum);
    }
    finish(&events, population, standard, variance, confidence)
}

fn finish(
    events: &[f64],
    population: &[f64],
    standard: &[f64],
    variance: f64,
    confidence: f64,
) -> Result<Dsr, MeasureError> {
    check_confidence(confidence)?;
    let weight_sum = weight_sum(standard)?;
    let total_events: f64 = events.iter().sum();
    let total_population: f64 = population.iter().sum();
    let value = events
        .iter()
        .zip(population)
        .zip(standard)
        .map(|((x, n), w)| x * w / n)
        .sum::<f64>()
        / weight_sum;
    if total_events < DSR_MIN_EVENTS {
        return Err(MeasureError::TooFewEvents {
            measure: "a directly standardised rate",
            needed: DSR_MIN_EVENTS,
            found: total_events,
        });
    }
    let scale = (variance / total_events).sqrt();
    let lower = value + scale * (byars_lower(total_events, confidence)? - total_events);
    let upper = value + scale * (byars_upper(total_events, confidence)? - total_events);
    Ok(Dsr {
        estimate: Estimate {
            value,
            lower,
            upper,
        },
        total_events,
        total_population,
        variance,
    })
}

fn check_bands(events: usize, population: &[f64], standard: &[f64]) -> Result<(), MeasureError> {
    for (what, found) in [
        ("population", population.len()),
        ("standard", standard.len()),
    ] {
        if found != events {
            return Err(MeasureError::LengthMismatch {
                what,
                expected: events,
                found,
            });
        }
    }
    Ok(())
}

fn weight_sum(standard: &[f64]) -> Result<f64, MeasureError> {
    let mut sum = 0.0;
    for &w in standard {
        sum += non_negative("standard population weight", w)?;
    }
    if sum == 0.0 {
        return Err(MeasureError::ZeroDenominator {
            what: "standard population",
        });
    }
    Ok(sum)
}
