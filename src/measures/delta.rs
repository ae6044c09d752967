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
use super::paf;
use super::summary::{DimensionInput, SummaryRow, attributable_untruncated, summarise};

/// How a measure's delta interval is formed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scale {
    /// value ± z·sd: measures that take either sign (SII, ACI, RCI).
    Linear,
    /// exp(log value ± z·sd/value): the RII, above 0.
    Log,
    /// PAF and PAR: the measure before HEAT's truncation at 0 ± z·sd, each limit then truncated
    /// as the value is ([`paf::Untruncated`] says why).
    Truncated,
}

/// What a run releases of a measure's interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Treatment {
    /// Its own: D and R (HEAT's delta method on two subgroups, already so) and PHE's SII/RII
    /// (simulated from the subgroups' standard errors, already so).
    Own,
    /// The delta method's, on this scale.
    Delta(Scale),
    /// None, for the reason in the note.
    Withheld(&'static str),
}

/// The note of a dispersion or disproportionality measure, released without an interval. A
/// spread of sampled shares is larger than the spread of the true shares (each share adds its
/// own sampling variance), so the value is biased upward by about the sampling noise, and an
/// interval around it misses the truth more often the more equal the groups are: HEAT's
/// simulated intervals and the delta method alike covered the truth in 86-94 % of draws where
/// the shares differed and far less where they did not.
pub const NO_INTERVAL: &str = "no interval: a spread of sampled shares overstates the true spread, and no interval around it holds its coverage";

/// The note of PAF and PAR of an unordered dimension, released without an interval. Their
/// reference is the subgroup with the best observed share, so the value is the largest of noisy
/// gaps: biased upward where subgroups are close (the expected maximum of noisy shares exceeds
/// the maximum of their expectations), and not a smooth function of the estimates where two are
/// tied, so neither Walter's nor the delta method's interval holds its coverage there (on
/// `synth`'s regions, 0,71-0,89 of the intervals held the truth).
pub const NO_INTERVAL_BEST: &str = "no interval: the reference is the best of the observed shares, chosen by the same data, and no interval around the value holds its coverage";

fn treatment(measure: &str, method: &str, ordered: bool) -> Treatment {
    match (measure, method) {
        ("paf" | "par", _) if ordered => Treatment::Delta(Scale::Truncated),
        ("paf" | "par", _) => Treatment::Withheld(NO_INTERVAL_BEST),
        ("sii", "heat-logistic") | ("aci", _) | ("rci", _) => Treatment::Delta(Scale::Linear),
        ("rii", "heat-logistic") => Treatment::Delta(Scale::Log),
        (
            "bgv" | "bgsd" | "cov" | "mdbu" | "mdbw" | "mdmu" | "mdmw" | "mdru" | "mdrw" | "idisu"
            | "idisw" | "ti" | "mld",
            _,
        ) => Treatment::Withheld(NO_INTERVAL),
        _ => Treatment::Own,
    }
}

fn scale_of(measure: &str, method: &str, ordered: bool) -> Option<Scale> {
    match treatment(measure, method, ordered) {
        Treatment::Delta(scale) => Some(scale),
        _ => None,
    }
}

/// Whether a run releases this measure with an interval, in an ordered dimension or not.
pub fn has_interval(measure: &str, method: &str, ordered: bool) -> bool {
    !matches!(treatment(measure, method, ordered), Treatment::Withheld(_))
}

/// Whether the dimension's subgroups are ordered (`summarise` refuses a mix).
fn is_ordered(input: &DimensionInput) -> bool {
    input.groups.iter().any(|g| g.order.is_some())
}

/// The rows' values on `input`, PAF and PAR before their truncation at 0 (the functions the
/// delta method differentiates); only the point values are needed, so nothing is simulated.
fn values(input: &DimensionInput) -> Result<Vec<Option<f64>>, MeasureError> {
    let mut quiet = input.clone();
    quiet.reps = 1;
    quiet.phe_reps = 0;
    let untruncated = attributable_untruncated(&quiet).ok();
    Ok(summarise(&quiet)?
        .into_iter()
        .map(|r| match (r.measure, r.value, untruncated) {
            ("paf", Some(_), Some(u)) => Some(u.paf),
            ("par", Some(_), Some(u)) => Some(u.par),
            _ => r.value,
        })
        .collect())
}

/// [`values`] with the given subgroup's estimate moved by `step`.
fn values_moved(
    input: &DimensionInput,
    group: usize,
    step: f64,
) -> Result<Vec<Option<f64>>, MeasureError> {
    let mut moved = input.clone();
    if let Some(e) = moved.groups[group].estimate.as_mut() {
        *e += step;
    }
    values(&moved)
}

/// Replaces the interval (and `se`, on the value's scale) of every row of `summarise(input)` the
/// delta method forms, and removes it from those released without one ([`has_interval`]). A row whose derivative cannot be taken
/// (a measure undefined next to the estimates) loses its interval, with a note.
pub fn delta_intervals(
    input: &DimensionInput,
    rows: &mut [SummaryRow],
) -> Result<(), MeasureError> {
    let z = z_value(input.confidence)?;
    let ordered = is_ordered(input);
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
            if row.value.is_none() || scale_of(row.measure, row.method, ordered).is_none() {
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
    let centres = values(input)?;
    for (r, row) in rows.iter_mut().enumerate() {
        let treatment = treatment(row.measure, row.method, ordered);
        if let (Some(_), Treatment::Withheld(reason)) = (row.value, treatment) {
            row.lower = None;
            row.upper = None;
            row.se = None;
            // A simulated row's note speaks only of its simulated interval, now gone.
            row.note = if row.method == "heat-simulated" {
                reason.to_string()
            } else {
                join(&row.note, reason)
            };
            continue;
        }
        let (Some(value), Treatment::Delta(scale)) = (row.value, treatment) else {
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
            Scale::Truncated => {
                let centre = centres.get(r).copied().flatten().unwrap_or(value);
                row.lower = Some(paf::truncate(centre - z * sd, input.polarity));
                row.upper = Some(paf::truncate(centre + z * sd, input.polarity));
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
