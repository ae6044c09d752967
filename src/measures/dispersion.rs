//! Dispersion measures over the subgroups of a (usually non-ordered)
//! dimension, following WHO healthequal's formulas (`bgv`, `bgsd`, `covar`,
//! `mdbu`, `mdbw`, `mdmu`, `mdmw`, `mdru`, `mdrw`, `idisu`, `idisw`, `ti`,
//! `mld`); see the HEAT technical notes (WHO 2024) for definitions. With
//! μ the population-weighted mean and `p_j` the population shares:
//!
//! * BGV = Σ p_j (y_j - μ)², BGSD = sqrt(BGV), COV = 100 BGSD / μ;
//! * MD*: mean absolute difference from the best subgroup (B), the mean
//!   (M) or the reference subgroup (R), unweighted (U, 1/n) or weighted
//!   (W, p_j); IDIS* = 100 · MDM* / μ;
//! * TI = 1000 Σ p_j r_j ln r_j and MLD = 1000 Σ p_j (-ln r_j), r_j = y_j/μ
//!   (estimates of 0 replaced by 1e-6, as healthequal).
//!
//! Analytic standard errors exist for BGV (Kirkwood & Sterne), TI and MLD
//! (Taylor linearisation); healthequal reports the TI and MLD SEs on the
//! unscaled (not x1000) scale and builds its interval from them around the
//! x1000 value, which is reproduced here. The other measures have only
//! simulated intervals in healthequal and are returned as point values.

use super::interval::{MeasureError, z_value};
use super::subgroup::{Measure, Polarity, Subgroup, need_more_than_two, weighted_mean};

fn shares(groups: &[Subgroup]) -> Result<(Vec<f64>, f64), MeasureError> {
    need_more_than_two("a dispersion measure", groups)?;
    let mean = weighted_mean(groups)?;
    let total: f64 = groups.iter().map(|g| g.population).sum();
    Ok((groups.iter().map(|g| g.population / total).collect(), mean))
}

fn all_se(groups: &[Subgroup]) -> Option<Vec<f64>> {
    groups.iter().map(|g| g.se).collect()
}

/// Between-group variance with the SE of healthequal `bgv()`.
pub fn bgv(groups: &[Subgroup], confidence: f64) -> Result<Measure, MeasureError> {
    let z = z_value(confidence)?;
    let (p, mean) = shares(groups)?;
    let value: f64 = groups
        .iter()
        .zip(&p)
        .map(|(g, w)| w * (g.estimate - mean).powi(2))
        .sum();
    let Some(se) = all_se(groups) else {
        return Ok(Measure::point(value));
    };
    let mut se2 = 0.0;
    let mut s2 = 0.0;
    let mut s4 = 0.0;
    let mut se4 = 0.0;
    for ((g, w), s) in groups.iter().zip(&p).zip(&se) {
        se2 += w * w * s * s * (g.estimate - mean).powi(2);
        s2 += w * w * s * s;
        s4 += w.powi(4) * s.powi(4);
        se4 += w * w * (1.0 - w).powi(2) * s.powi(4);
    }
    Ok(Measure::wald(
        value,
        (4.0 * se2 + 2.0 * (s2 * s2 - s4 + se4)).sqrt(),
        z,
    ))
}

/// Between-group standard deviation, healthequal `bgsd()`.
pub fn bgsd(groups: &[Subgroup]) -> Result<Measure, MeasureError> {
    let v = bgv(groups, 0.95)?.value;
    Ok(Measure::point(v.sqrt()))
}

/// Coefficient of variation `100 · BGSD / μ`, healthequal `covar()`.
pub fn cov(groups: &[Subgroup]) -> Result<Measure, MeasureError> {
    let (_, mean) = shares(groups)?;
    Ok(Measure::point(bgsd(groups)?.value / mean * 100.0))
}

/// Which point the mean differences are taken from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeanDifferenceFrom {
    /// The best subgroup: highest estimate if favourable, lowest if adverse
    /// (MDBU/MDBW).
    Best(Polarity),
    /// The population-weighted mean (MDMU/MDMW).
    Mean,
    /// The user's reference subgroup (MDRU/MDRW).
    Reference,
}

/// Mean absolute difference `Σ v_j |y_j - y_ref|`, unweighted (`v_j = 1/n`:
/// MDBU, MDMU, MDRU) or weighted (`v_j = p_j`: MDBW, MDMW, MDRW).
pub fn mean_difference(
    groups: &[Subgroup],
    from: MeanDifferenceFrom,
    weighted: bool,
) -> Result<Measure, MeasureError> {
    let (p, mean) = shares(groups)?;
    let target = match from {
        MeanDifferenceFrom::Mean => mean,
        MeanDifferenceFrom::Best(Polarity::Favourable) => groups
            .iter()
            .map(|g| g.estimate)
            .fold(f64::NEG_INFINITY, f64::max),
        MeanDifferenceFrom::Best(Polarity::Adverse) => groups
            .iter()
            .map(|g| g.estimate)
            .fold(f64::INFINITY, f64::min),
        MeanDifferenceFrom::Reference => {
            let refs: Vec<&Subgroup> = groups.iter().filter(|g| g.reference).collect();
            match refs.as_slice() {
                [r] => r.estimate,
                _ => {
                    return Err(MeasureError::Invalid(format!(
                        "exactly one reference subgroup is needed, got {}",
                        refs.len()
                    )));
                }
            }
        }
    };
    let n = groups.len() as f64;
    let value = groups
        .iter()
        .zip(&p)
        .map(|(g, w)| (g.estimate - target).abs() * if weighted { *w } else { 1.0 / n })
        .sum();
    Ok(Measure::point(value))
}

/// Index of disparity `100 · MDM / μ`, unweighted (IDISU) or weighted
/// (IDISW).
pub fn index_of_disparity(groups: &[Subgroup], weighted: bool) -> Result<Measure, MeasureError> {
    let (_, mean) = shares(groups)?;
    let md = mean_difference(groups, MeanDifferenceFrom::Mean, weighted)?.value;
    Ok(Measure::point(100.0 * md / mean))
}

fn nonzero(groups: &[Subgroup], p: &[f64]) -> (Vec<f64>, f64) {
    let y: Vec<f64> = groups
        .iter()
        .map(|g| if g.estimate == 0.0 { 1e-6 } else { g.estimate })
        .collect();
    let mean = y.iter().zip(p).map(|(a, b)| a * b).sum();
    (y, mean)
}

/// Theil index ×1000 (Theil 1967), healthequal `ti()`.
pub fn theil(groups: &[Subgroup], confidence: f64) -> Result<Measure, MeasureError> {
    let z = z_value(confidence)?;
    let (p, _) = shares(groups)?;
    let (y, mean) = nonzero(groups, &p);
    let r: Vec<f64> = y.iter().map(|v| v / mean).collect();
    let value = 1000.0 * r.iter().zip(&p).map(|(r, w)| w * r * r.ln()).sum::<f64>();
    let Some(se) = all_se(groups) else {
        return Ok(Measure::point(value));
    };
    let prep: f64 = r.iter().zip(&p).map(|(r, w)| r * (1.0 + r.ln()) * w).sum();
    let var: f64 = r
        .iter()
        .zip(&p)
        .zip(&se)
        .map(|((r, w), s)| (1.0 + r.ln() - prep).powi(2) * w * w * s * s / (mean * mean))
        .sum();
    Ok(Measure::wald(value, var.sqrt(), z))
}

/// Mean log deviation ×1000 (Theil's second measure), healthequal `mld()`.
pub fn mean_log_deviation(groups: &[Subgroup], confidence: f64) -> Result<Measure, MeasureError> {
    let z = z_value(confidence)?;
    let (p, _) = shares(groups)?;
    let (y, mean) = nonzero(groups, &p);
    let value = 1000.0
        * y.iter()
            .zip(&p)
            .map(|(v, w)| -w * (v / mean).ln())
            .sum::<f64>();
    let Some(se) = all_se(groups) else {
        return Ok(Measure::point(value));
    };
    let var: f64 = y
        .iter()
        .zip(&p)
        .zip(&se)
        .map(|((v, w), s)| s * s * w * w / (mean * mean) * (1.0 - mean / v).powi(2))
        .sum();
    Ok(Measure::wald(value, var.sqrt(), z))
}
