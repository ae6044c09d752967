//! Intervals of HEAT's summary measures from the subgroups' own sampling variance, by the delta
//! method (Oehlert 1992; Casella & Berger, *Statistical Inference*, 2nd ed., 5.5.4).
//!
//! HEAT and healthequal take several intervals from the fit of a model to the 3-8 subgroup
//! estimates themselves: the logistic SII's HC1 sandwich and the concentration indices' OLS
//! residuals measure how far the few points lie from a line, not how much they vary from sample
//! to sample; the PAF's standard error is on the 0-1 scale beside a value in percent; the Theil
//! index's and the mean log deviation's are of the wrong size altogether. Over repeated binomial
//! draws with a known truth (`tests/measures/interval_coverage.rs`) those intervals covered the
//! truth in 0-87 % of draws; these cover it in 94-97 %. Here each measure is a function f of the subgroup estimates yᵢ,
//! which are independent with standard errors sᵢ (every subgroup is a different set of persons),
//! so Var f ≈ Σ (∂f/∂yᵢ)² sᵢ², the derivatives taken by central differences of the measure's
//! own computation: the point values stay HEAT's and healthequal's; the RII's interval is on the
//! log scale, so it stays above 0. The dispersion and disproportionality measures are released
//! without an interval ([`Treatment::Withheld`] says why).

use super::interval::{MeasureError, z_value};
use super::summary::{DimensionInput, SummaryRow, summarise};

/// How a measure's delta interval is formed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scale {
    /// value ± z·sd: measures that take either sign (SII, ACI, RCI, PAF, PAR).
    Linear,
    /// exp(log value ± z·sd/value): the RII, above 0.
    Log,
}

/// What a run releases of a measure's interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Treatment {
    /// Its own: D and R (HEAT's delta method on two subgroups, already so) and PHE's SII/RII
    /// (simulated from the subgroups' standard errors, already so).
    Own,
    /// The delta method's, on this scale.
    Delta(Scale),
    /// None: the dispersion and disproportionality measures. A spread of sampled shares is larger
    /// than the spread of the true shares (each share adds its own sampling variance), so the
    /// value is biased upward by about the sampling noise, and an interval around it misses the
    /// truth more often the more equal the groups are: HEAT's simulated intervals and the delta
    /// method alike covered the truth in 86-94 % of draws where the shares differed and far less
    /// where they did not.
    Withheld,
}

/// The note of a measure released without an interval ([`Treatment::Withheld`]).
pub const NO_INTERVAL: &str = "no interval: a spread of sampled shares overstates the true spread, and no interval around it holds its coverage";

fn treatment(measure: &str, method: &str) -> Treatment {
    match (measure, method) {
        ("sii", "heat-logistic") | ("aci", _) | ("rci", _) | ("paf", _) | ("par", _) => {
            Treatment::Delta(Scale::Linear)
        }
        ("rii", "heat-logistic") => Treatment::Delta(Scale::Log),
        (
            "bgv" | "bgsd" | "cov" | "mdbu" | "mdbw" | "mdmu" | "mdmw" | "mdru" | "mdrw" | "idisu"
            | "idisw" | "ti" | "mld",
            _,
        ) => Treatment::Withheld,
        _ => Treatment::Own,
    }
}

fn scale_of(measure: &str, method: &str) -> Option<Scale> {
    match treatment(measure, method) {
        Treatment::Delta(scale) => Some(scale),
        _ => None,
    }
}

/// Whether a run releases this measure with an interval.
pub fn has_interval(measure: &str, method: &str) -> bool {
    treatment(measure, method) != Treatment::Withheld
}

/// The rows' values on `input` with the given subgroup's estimate moved by `step`; only the point
/// values are needed, so nothing is simulated.
fn values_moved(
    input: &DimensionInput,
    group: usize,
    step: f64,
) -> Result<Vec<Option<f64>>, MeasureError> {
    let mut moved = input.clone();
    moved.reps = 1;
    moved.phe_reps = 0;
    if let Some(e) = moved.groups[group].estimate.as_mut() {
        *e += step;
    }
    Ok(summarise(&moved)?.into_iter().map(|r| r.value).collect())
}

/// Replaces the interval (and `se`, on the value's scale) of every row of `summarise(input)` the
/// delta method forms, and removes it from those released without one ([`has_interval`]). A row whose derivative cannot be taken
/// (a measure undefined next to the estimates) loses its interval, with a note.
pub fn delta_intervals(
    input: &DimensionInput,
    rows: &mut [SummaryRow],
) -> Result<(), MeasureError> {
    let z = z_value(input.confidence)?;
    let mut variance = vec![0.0; rows.len()];
    let mut defined = vec![true; rows.len()];
    let scale = input.scale.unwrap_or(100.0);
    for (i, group) in input.groups.iter().enumerate() {
        let (Some(estimate), Some(se)) = (group.estimate, group.se) else {
            continue;
        };
        if se <= 0.0 {
            continue;
        }
        // A step small beside the standard error but at least one person's worth, since the
        // logistic SII counts persons from the estimate (`round(y / scale · population)`) and
        // is flat between whole persons; kept inside the indicator's range.
        let person = group
            .population
            .filter(|&p| p > 0.0)
            .map_or(0.0, |p| scale / p);
        let h = (0.1 * se).max(person);
        let (up, down) = (
            if estimate + h <= scale { h } else { 0.0 },
            if estimate - h >= 0.0 { h } else { 0.0 },
        );
        let plus = values_moved(input, i, up)?;
        let minus = values_moved(input, i, -down)?;
        for (r, row) in rows.iter().enumerate() {
            if row.value.is_none() || scale_of(row.measure, row.method).is_none() {
                continue;
            }
            match (
                plus.get(r).copied().flatten(),
                minus.get(r).copied().flatten(),
            ) {
                (Some(a), Some(b)) if up + down > 0.0 => {
                    let slope = (a - b) / (up + down);
                    variance[r] += slope * slope * se * se;
                }
                _ => defined[r] = false,
            }
        }
    }
    for (r, row) in rows.iter_mut().enumerate() {
        if row.value.is_some() && !has_interval(row.measure, row.method) {
            row.lower = None;
            row.upper = None;
            row.se = None;
            // A simulated row's note speaks only of its simulated interval, now gone.
            row.note = if row.method == "heat-simulated" {
                NO_INTERVAL.to_string()
            } else {
                join(&row.note, NO_INTERVAL)
            };
            continue;
        }
        let (Some(value), Some(scale)) = (row.value, scale_of(row.measure, row.method)) else {
            continue;
        };
        let sd = variance[r].sqrt();
        if !defined[r] || !sd.is_finite() {
            row.lower = None;
            row.upper = None;
            row.se = None;
            row.note = join(
                &row.note,
                "no interval: the measure is undefined next to the estimates",
            );
            continue;
        }
        row.se = Some(sd);
        match scale {
            Scale::Linear => {
                row.lower = Some(value - z * sd);
                row.upper = Some(value + z * sd);
            }
            Scale::Log if value > 0.0 => {
                let log_sd = sd / value;
                row.lower = Some(value * (-z * log_sd).exp());
                row.upper = Some(value * (z * log_sd).exp());
            }
            Scale::Log => {
                row.lower = None;
                row.upper = None;
                row.note = join(&row.note, "no interval: the value is 0");
            }
        }
    }
    Ok(())
}

fn join(note: &str, part: &str) -> String {
    if note.is_empty() {
        part.to_string()
    } else {
        format!("{note}; {part}")
    }
}
