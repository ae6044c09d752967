//! Population attributable fraction (PAF) and risk (PAR): how much the
//! setting average would improve if every subgroup did as well as the
//! reference subgroup. WHO healthequal `paf()` and `parisk()`.

use super::interval::{MeasureError, z_value};
use super::subgroup::{Measure, Polarity, Subgroup, is_ordered, need_more_than_two, weighted_mean};

/// The reference subgroup of PAF/PAR: the most advantaged (highest order)
/// in an ordered dimension, otherwise the best estimate (highest if
/// favourable, lowest if adverse). On ties the highest estimate and the
/// largest population among the tied subgroups are used, as healthequal.
fn reference(groups: &[Subgroup], polarity: Polarity) -> Result<(f64, f64), MeasureError> {
    let refs: Vec<&Subgroup> = if is_ordered(groups)? {
        let top = groups.iter().filter_map(|g| g.order).max();
        groups.iter().filter(|g| g.order == top).collect()
    } else {
        let pick = match polarity {
            Polarity::Favourable => groups
                .iter()
                .map(|g| g.estimate)
                .fold(f64::NEG_INFINITY, f64::max),
            Polarity::Adverse => groups
                .iter()
                .map(|g| g.estimate)
                .fold(f64::INFINITY, f64::min),
        };
        groups.iter().filter(|g| g.estimate == pick).collect()
    };
    let est = refs
        .iter()
        .map(|g| g.estimate)
        .fold(f64::NEG_INFINITY, f64::max);
    let pop = refs
        .iter()
        .map(|g| g.population)
        .fold(f64::NEG_INFINITY, f64::max);
    Ok((est, pop))
}

struct Parts {
    /// Reference minus weighted mean, of either sign ([`truncate`] makes it
    /// HEAT's gap: 0 when the reference is worse than the mean, no gain to
    /// attribute).
    raw: f64,
    mean: f64,
    /// SE of the PAF (in percent units' ratio, healthequal's formula).
    paf_se: f64,
}

fn parts(groups: &[Subgroup], polarity: Polarity, scale: f64) -> Result<Parts, MeasureError> {
    need_more_than_two("PAF/PAR", groups)?;
    let mean = weighted_mean(groups)?;
    let (ref_est, ref_pop) = reference(groups, polarity)?;
    let raw = ref_est - mean;
    // 2x2 table of Walter (1976) / healthequal: c, d exposed (reference),
    // a, b the rest.
    let total: f64 = groups.iter().map(|g| g.population).sum();
    let c = ref_est / scale * ref_pop;
    let d = ref_pop - c;
    let a = mean / scale * total - c;
    let b = total - a - ref_pop;
    let n = a + b + c + d;
    let paf_se =
        ((c * n * (a * d * (n - c) + b * c * c)) / ((a + c).powi(3) * (c + d).powi(3))).sqrt();
    Ok(Parts { raw, mean, paf_se })
}

/// PAF = `100 (y_ref - μ) / μ` with μ the population-weighted mean, set to
/// 0 when the reference is worse than the mean; SE by Walter's (1976)
/// formula on the implied 2x2 table, Wald interval (healthequal `paf()`).
/// `scale` is the indicator scale (100 for percentages).
pub fn paf(
    groups: &[Subgroup],
    polarity: Polarity,
    scale: f64,
    confidence: f64,
) -> Result<Measure, MeasureError> {
    let z = z_value(confidence)?;
    let p = parts(groups, polarity, scale)?;
    Ok(Measure::wald(
        100.0 * truncate(p.raw, polarity) / p.mean,
        p.paf_se,
        z,
    ))
}

/// PAR = `y_ref - μ` (0 when the reference is worse than the mean), SE
/// `μ · SE(PAF)` (healthequal `parisk()`).
pub fn par(
    groups: &[Subgroup],
    polarity: Polarity,
    scale: f64,
    confidence: f64,
) -> Result<Measure, MeasureError> {
    let z = z_value(confidence)?;
    let p = parts(groups, polarity, scale)?;
    Ok(Measure::wald(
        truncate(p.raw, polarity),
        (p.mean * p.paf_se).abs(),
        z,
    ))
}

/// PAF and PAR before HEAT's truncation at 0 (the reference's gap to the mean, of either sign).
///
/// Truncation makes the released value a non-smooth function of the subgroup estimates: where the
/// true gap is small, a sample often lands on the wrong side, the value is 0 and its derivatives
/// are 0, so a delta-method (or Walter) interval around it is [0, 0] and misses the truth. The
/// delta interval of these smooth functions, with its limits truncated the same way, covers the
/// truncated measure at least as often as the untruncated one covers its own value, since
/// truncation is monotone (Casella & Berger, *Statistical Inference*, 2nd ed., 9.2.3).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Untruncated {
    /// `100 (y_ref - μ) / μ`.
    pub paf: f64,
    /// `y_ref - μ`.
    pub par: f64,
}

/// [`Untruncated`] PAF and PAR of these subgroups.
pub fn untruncated(
    groups: &[Subgroup],
    polarity: Polarity,
    scale: f64,
) -> Result<Untruncated, MeasureError> {
    let p = parts(groups, polarity, scale)?;
    Ok(Untruncated {
        paf: 100.0 * p.raw / p.mean,
        par: p.raw,
    })
}

/// Truncates a value or confidence limit of PAF or PAR as HEAT truncates the value: a
/// favourable indicator's gain is at least 0, an adverse one's at most 0.
pub fn truncate(value: f64, polarity: Polarity) -> f64 {
    let worse = match polarity {
        Polarity::Favourable => value < 0.0,
        Polarity::Adverse => value > 0.0,
    };
    if worse { 0.0 } else { value }
}
