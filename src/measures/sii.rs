//! Slope and relative index of inequality (SII, RII) by two peer methods,
//! which give different numbers on the same data by design:
//!
//! * [`SiiMethod::PheLinear`] (`phe-linear`): PHEindicatormethods'
//!   `phe_sii` — weighted least squares of the quantile values on the
//!   midpoint of each quantile's cumulative population rank (weights = the
//!   population shares, by the `sqrt(a)` transformation of Low & Low 2004),
//!   optionally on the log or logit scale, with a confidence interval by
//!   Monte Carlo simulation of the quantile values.
//! * [`SiiMethod::HeatLogistic`] (`heat-logistic`): WHO healthequal's `sii`
//!   and `rii` (as in HEAT) — a quasibinomial logistic GLM of the subgroup
//!   proportions on the midpoint rank, with SII = p(1) - p(0) and
//!   RII = p(1) / p(0) and analytic (delta-method) intervals from the HC1
//!   sandwich covariance, as `marginaleffects::avg_comparisons(vcov = "HC1")`.

use serde::{Deserialize, Serialize};

use super::interval::{EstimateSe, MeasureError, check_confidence, qnorm, z_value};
use super::regression::{Family, expit, fit_glm, hc1_covariance, invert_spd};
use crate::rng::Rng;

/// The two SII/RII estimators, by the names used in outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SiiMethod {
    #[serde(rename = "phe-linear")]
    PheLinear,
    #[serde(rename = "heat-logistic")]
    HeatLogistic,
}

impl SiiMethod {
    pub fn name(self) -> &'static str {
        match self {
            SiiMethod::PheLinear => "phe-linear",
            SiiMethod::HeatLogistic => "heat-logistic",
        }
    }
}

/// Midpoints of the cumulative population shares of groups given in rank
/// order: group `i` gets `(P_{i-1} + P_i) / 2` where `P_i` is the
/// cumulative share (PHE's `FindXValues`, healthequal's `rank`). Requires
/// positive populations.
pub fn midpoint_ranks(populations: &[f64]) -> Result<Vec<f64>, MeasureError> {
    let mut total = 0.0;
    for &p in populations {
        if !(p.is_finite() && p > 0.0) {
            return Err(MeasureError::Invalid(format!(
                "every group needs a positive population, got {p}"
            )));
        }
        total += p;
    }
    let mut cumulative = 0.0;
    Ok(populations
        .iter()
        .map(|&p| {
            let mid = (cumulative + p / 2.0) / total;
            cumulative += p;
            mid
        })
        .collect())
}

// ---------------------------------------------------------------------------
// phe-linear
// ---------------------------------------------------------------------------

/// PHE's `value_type`: how the quantile values are distributed, which
/// decides the scale on which they are simulated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ValueType {
    /// Any roughly normal indicator (life expectancy, a mean): value_type 0.
    Other,
    /// A rate: simulated on the log scale (value_type 1).
    Rate,
    /// A proportion on the 0-1 scale: simulated on the logit scale
    /// (value_type 2).
    Proportion,
}

impl ValueType {
    fn transform(self, v: f64) -> f64 {
        match self {
            ValueType::Other => v,
            ValueType::Rate => v.ln(),
            ValueType::Proportion => (v / (1.0 - v)).ln(),
        }
    }

    fn back(self, t: f64) -> f64 {
        match self {
            ValueType::Other => t,
            ValueType::Rate => t.exp(),
            ValueType::Proportion => expit(t),
        }
    }
}

/// One quantile's input: population, indicator value (natural scale) and the
/// standard error of the value on the simulation scale (natural for
/// [`ValueType::Other`], log for rates, logit for proportions — see
/// [`se_from_limits`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SiiQuantile {
    pub population: f64,
    pub value: f64,
    pub se: f64,
}

/// Options of [`phe_sii`], with PHE's defaults from [`PheSiiOptions::new`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PheSiiOptions {
    pub value_type: ValueType,
    /// Fit the regression on the log/logit scale and transform the SII back
    /// (PHE's `transform = TRUE`); only for rates and proportions.
    pub transform: bool,
    /// Multiplies the SII (e.g. 100 for percentages); a negative multiplier
    /// reverses the polarity, and the RII is then inverted.
    pub multiplier: f64,
    /// Number of simulated samples, at least 1 000 (PHE default 100 000).
    pub repetitions: usize,
    /// One or more confidence levels in (0, 1).
    pub confidence: Vec<f64>,
    /// Seed of the simulation ([`Rng`]).
    pub seed: u64,
}

impl PheSiiOptions {
    /// PHE's defaults: untransformed, multiplier 1, 100 000 repetitions,
    /// 95% confidence.
    pub fn new(value_type: ValueType, seed: u64) -> PheSiiOptions {
        PheSiiOptions {
            value_type,
            transform: false,
            multiplier: 1.0,
            repetitions: 100_000,
            confidence: vec![0.95],
            seed,
        }
    }
}

/// Simulated limits of the SII and RII at one confidence level.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SiiLimits {
    pub confidence: f64,
    pub sii_lower: f64,
    pub sii_upper: f64,
    pub rii_lower: f64,
    pub rii_upper: f64,
}

/// Result of [`phe_sii`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PheSii {
    pub sii: f64,
    pub rii: f64,
    /// The fitted value at rank 0 (the most deprived end of the first
    /// quantile), on the natural scale times |multiplier| when transformed.
    pub intercept: f64,
    pub limits: Vec<SiiLimits>,
}

/// The standard error on the simulation scale from 95% confidence limits,
/// as `phe_sii` does when given `lower_cl`/`upper_cl`:
/// `(T(U) - T(L)) / (2 · 1.959964)` with `T` = identity, log or logit.
/// Proportion limits must lie in (0, 1) and rate limits be positive.
pub fn se_from_limits(value_type: ValueType, lower: f64, upper: f64) -> Result<f64, MeasureError> {
    let valid = |x: f64| match value_type {
        ValueType::Other => x.is_finite(),
        ValueType::Rate => x > 0.0 && x.is_finite(),
        ValueType::Proportion => x > 0.0 && x < 1.0,
    };
    if !valid(lower) || !valid(upper) {
        return Err(MeasureError::Invalid(format!(
            "confidence limits ({lower}, {upper}) are not valid for a {value_type:?}"
        )));
    }
    let z = qnorm(0.975);
    Ok((value_type.transform(upper) - value_type.transform(lower)) / z / 2.0)
}

/// SII and RII by PHEindicatormethods' `phe_sii` (method `phe-linear`).
///
/// `quantiles` are in rank order (first = the end the SII runs from,
/// usually the most deprived), 5 to 100 of them. With `a_i` the population
/// share and `b_i` the midpoint rank ([`midpoint_ranks`]), the model
/// `sqrt(a_i) y_i = c0 sqrt(a_i) + c1 b_i sqrt(a_i)` is fitted by least
/// squares (no intercept; i.e. population-weighted regression of `y` on
/// `b`). SII = `multiplier · c1`, RII = `(c0 + c1) / c0` (inverted for a
/// negative multiplier). With `transform`, `y` is the log/logit value and
/// SII and RII are the back-transformed differences and ratios between
/// ranks 1 and 0.
///
/// Confidence limits: `repetitions` draws of every quantile value from
/// N(value, se) on the simulation scale, the regression refitted on each,
/// and the `round(R (1-c)/2)`-th and `round(R (1+c)/2)`-th ordered values
/// taken, as PHE's `SimulationFunc` (transformed fits convert the simulated
/// slope limits around the fitted midpoint). PHE's own tests accept these
/// limits within 5% of their expected values; they vary with the seed.
///
/// Errors (PHE's validation): fewer than 5 or more than 100 quantiles,
/// non-positive or missing populations, negative or missing standard
/// errors, proportions outside [0, 1] or that cannot be transformed (0 or 1),
/// non-positive rates, `transform` with [`ValueType::Other`], fewer than
/// 1 000 repetitions, invalid confidence levels.
pub fn phe_sii(quantiles: &[SiiQuantile], options: &PheSiiOptions) -> Result<PheSii, MeasureError> {
    validate_phe(quantiles, options)?;
    let vt = options.value_type;
    let pops: Vec<f64> = quantiles.iter().map(|q| q.population).collect();
    let total: f64 = pops.iter().sum();
    let ranks = midpoint_ranks(&pops)?;
    let sqrt_a: Vec<f64> = pops.iter().map(|p| (p / total).sqrt()).collect();
    let b_sqrt_a: Vec<f64> = ranks.iter().zip(&sqrt_a).map(|(b, s)| b * s).collect();
    // (M M')^{-1} M with M = [sqrt_a; b_sqrt_a]: maps weighted values to (c0, c1).
    let mmt = vec![
        vec![dot(&sqrt_a, &sqrt_a), dot(&sqrt_a, &b_sqrt_a)],
        vec![dot(&b_sqrt_a, &sqrt_a), dot(&b_sqrt_a, &b_sqrt_a)],
    ];
    let inv = invert_spd(&mmt)?;
    let solve = |y: &[f64]| -> (f64, f64) {
        let s1: f64 = y.iter().zip(&sqrt_a).map(|(v, s)| v * s * s).sum();
        let s2: f64 = y
            .iter()
            .zip(&sqrt_a)
            .zip(&b_sqrt_a)
            .map(|((v, s), bs)| v * s * bs)
            .sum();
        (
            inv[0][0] * s1 + inv[0][1] * s2,
            inv[1][0] * s1 + inv[1][1] * s2,
        )
    };
    let transformed: Vec<f64> = quantiles.iter().map(|q| vt.transform(q.value)).collect();
    let m = options.multiplier;
    let invert_if_negative = |r: f64| if m < 0.0 { 1.0 / r } else { r };

    // Point estimates.
    let fit_values: Vec<f64> = if options.transform {
        transformed.clone()
    } else {
        quantiles.iter().map(|q| q.value).collect()
    };
    let (c0, c1) = solve(&fit_values);
    let (sii, rii, intercept) = if options.transform {
        let (f0, f1) = (vt.back(c0), vt.back(c0 + c1));
        (m * (f1 - f0), invert_if_negative(f1 / f0), f0 * m.abs())
    } else {
        (m * c1, invert_if_negative((c0 + c1) / c0), c0)
    };

    // Simulation.
    let reps = options.repetitions;
    let mut rng = Rng::new(options.seed, 0);
    let mut sim_sii = Vec::with_capacity(reps);
    let mut sim_rii = Vec::with_capacity(reps);
    let mut draw = vec![0.0; quantiles.len()];
    for _ in 0..reps {
        for ((d, q), t) in draw.iter_mut().zip(quantiles).zip(&transformed) {
            let v = *t + q.se * rng.normal();
            *d = if options.transform { v } else { vt.back(v) };
        }
        let (s0, s1) = solve(&draw);
        if options.transform {
            sim_sii.push(s1);
        } else {
            sim_sii.push(s1 * m);
            sim_rii.push(invert_if_negative((s1 + s0) / s0));
        }
    }
    sim_sii.sort_by(f64::total_cmp);
    sim_rii.sort_by(f64::total_cmp);

    let mut limits = Vec::with_capacity(options.confidence.len());
    for &c in &options.confidence {
        let (lo, hi) = order_positions(reps, c);
        let (sl, su) = (sim_sii[lo], sim_sii[hi]);
        limits.push(if options.transform {
            // Limits of the slope placed symmetrically around the fitted
            // midpoint x = 1/2, then back-transformed (PHE's method).
            let half = c0 + c1 / 2.0;
            let at = |slope: f64| (vt.back(half - slope / 2.0), vt.back(half + slope / 2.0));
            let (lo0, lo1) = at(sl);
            let (hi0, hi1) = at(su);
            let (mut a, mut b) = (m * (lo1 - lo0), m * (hi1 - hi0));
            let (mut ra, mut rb) = (lo1 / lo0, hi1 / hi0);
            if m < 0.0 {
                (a, b) = (b, a);
                (ra, rb) = (1.0 / rb, 1.0 / ra);
            }
            SiiLimits {
                confidence: c,
                sii_lower: a,
                sii_upper: b,
                rii_lower: ra,
                rii_upper: rb,
            }
        } else {
            SiiLimits {
                confidence: c,
                sii_lower: sl,
                sii_upper: su,
                rii_lower: sim_rii[lo],
                rii_upper: sim_rii[hi],
            }
        });
    }
    Ok(PheSii {
        sii,
        rii,
        intercept,
        limits,
    })
}

/// Zero-based positions of the lower and upper limits among `reps` sorted
/// draws: R's `round(reps * (1 - cv))` and `round(reps * cv)` with
/// `cv = c + (1 - c)/2` (1-based, half to even), kept inside the sample.
fn order_positions(reps: usize, c: f64) -> (usize, usize) {
    let cv = c + (1.0 - c) / 2.0;
    let pos = |x: f64| {
        let r = x.round_ties_even() as usize;
        r.clamp(1, reps) - 1
    };
    (pos(reps as f64 * (1.0 - cv)), pos(reps as f64 * cv))
}

fn validate_phe(quantiles: &[SiiQuantile], options: &PheSiiOptions) -> Result<(), MeasureError> {
    let n = quantiles.len();
    if !(5..=100).contains(&n) {
        return Err(MeasureError::WrongGroupCount {
            measure: "phe-linear SII",
            needed: "between 5 and 100 quantiles",
            found: n,
        });
    }
    if options.transform && options.value_type == ValueType::Other {
        return Err(MeasureError::Invalid(
            "transform needs a rate or proportion value type".into(),
        ));
    }
    if options.repetitions < 1000 {
        return Err(MeasureError::Invalid(format!(
            "number of repetitions must be 1000 or greater, got {}",
            options.repetitions
        )));
    }
    if options.confidence.is_empty() {
        return Err(MeasureError::Invalid("no confidence level given".into()));
    }
    for &c in &options.confidence {
        check_confidence(c)?;
    }
    if !options.multiplier.is_finite() || options.multiplier == 0.0 {
        return Err(MeasureError::Invalid(format!(
            "multiplier must be a non-zero number, got {}",
            options.multiplier
        )));
    }
    for q in quantiles {
        if !(q.population.is_finite() && q.population > 0.0) {
            return Err(MeasureError::Invalid(format!(
                "some groups have a zero, negative or missing population ({})",
                q.population
            )));
        }
        if !(q.se.is_finite() && q.se >= 0.0) {
            return Err(MeasureError::Invalid(format!(
                "negative or missing standard error ({})",
                q.se
            )));
        }
        if options.value_type == ValueType::Proportion && !(0.0..=1.0).contains(&q.value) {
            return Err(MeasureError::Invalid(format!(
                "value proportions must lie between 0 and 1, got {}",
                q.value
            )));
        }
        if !options.value_type.transform(q.value).is_finite() {
            return Err(MeasureError::Undefined {
                measure: "phe-linear SII",
                reason: format!(
                    "value {} cannot be put on the {:?} simulation scale",
                    q.value, options.value_type
                ),
            });
        }
    }
    Ok(())
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

// ---------------------------------------------------------------------------
// heat-logistic
// ---------------------------------------------------------------------------

/// One subgroup of an ordered dimension for healthequal's SII/RII: its
/// position (1 = most disadvantaged), population and estimate (on the
/// indicator's own scale, e.g. a percentage).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct OrderedGroup {
    pub order: u32,
    pub population: f64,
    pub estimate: f64,
}

/// SII and RII by the `heat-logistic` method.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct HeatSii {
    /// SII on the indicator's scale; its `se` is on the 0-1 scale, as
    /// healthequal reports it.
    pub sii: EstimateSe,
    /// RII; its `se` is that of log(RII).
    pub rii: EstimateSe,
    /// The scale used: inferred from the estimates by healthequal's rule
    /// (1, 100, 1000, ...) in [`heat_sii`], given in [`heat_sii_on_scale`].
    pub scale: f64,
}

/// healthequal's scale rule: the smallest of 1, 100, 1 000, ..., 1 000 000
/// that is at least the largest estimate.
pub fn infer_scale(estimates: &[f64]) -> f64 {
    let max = estimates.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    [1.0, 100.0, 1e3, 1e4, 1e5]
        .into_iter()
        .find(|&s| max <= s)
        .unwrap_or(1e6)
}

/// SII and RII of an ordered dimension by WHO healthequal's `sii()` and
/// `rii()` (HEAT; method `heat-logistic`).
///
/// Populations are rounded up, events `round(estimate / scale · pop)`
/// (half to even, as R), and a logistic model of the proportions on the
/// midpoint rank is fitted with R's `glm(cbind(y, ny) ~ rank, weights = pop,
/// family = quasibinomial)`, whose prior weights are therefore `pop²`.
/// SII = `scale · (p(1) - p(0))` and RII = `p(1) / p(0)`, with `p` the
/// fitted proportion at rank 0 and 1; the standard errors come from the
/// delta method with the HC1 sandwich covariance (healthequal uses
/// `marginaleffects::avg_comparisons(vcov = "HC1")`), the RII interval on
/// the log scale.
///
/// Errors: fewer than three subgroups, a subgroup order that is not
/// 1, 2, ..., n, all estimates equal, a missing population, or estimates
/// outside [0, scale].
pub fn heat_sii(groups: &[OrderedGroup], confidence: f64) -> Result<HeatSii, MeasureError> {
    let estimates: Vec<f64> = groups.iter().map(|g| g.estimate).collect();
    heat_sii_on_scale(groups, infer_scale(&estimates), confidence)
}

/// [`heat_sii`] on a given indicator scale instead of healthequal's
/// inferred one: HEAT-Measures' `calc_sii`/`calc_rii` (@f4777e65) take the
/// data's `indicator_scale`, which matters for a rate per 1 000 whose
/// largest value is below 100 (healthequal would treat it as a percentage).
/// Errors as [`heat_sii`], and for a scale that is not a positive number.
pub fn heat_sii_on_scale(
    groups: &[OrderedGroup],
    scale: f64,
    confidence: f64,
) -> Result<HeatSii, MeasureError> {
    let z = z_value(confidence)?;
    if !(scale.is_finite() && scale > 0.0) {
        return Err(MeasureError::Invalid(format!(
            "the indicator scale must be a positive number, got {scale}"
        )));
    }
    if groups.len() <= 2 {
        return Err(MeasureError::WrongGroupCount {
            measure: "heat-logistic SII",
            needed: "more than two subgroups",
            found: groups.len(),
        });
    }
    let mut sorted = groups.to_vec();
    sorted.sort_by_key(|g| g.order);
    if sorted
        .iter()
        .enumerate()
        .any(|(i, g)| g.order as usize != i + 1)
    {
        return Err(MeasureError::Invalid(
            "subgroup order must be the integers 1, 2, ..., n".into(),
        ));
    }
    let estimates: Vec<f64> = sorted.iter().map(|g| g.estimate).collect();
    if estimates.iter().all(|&e| e == estimates[0]) {
        return Err(MeasureError::Undefined {
            measure: "heat-logistic SII",
            reason: "all estimates have the same value".into(),
        });
    }
    let pops: Vec<f64> = sorted.iter().map(|g| g.population.ceil()).collect();
    let ranks = midpoint_ranks(&pops)?;
    let mut proportion = Vec::with_capacity(pops.len());
    for (&e, &p) in estimates.iter().zip(&pops) {
        let y = (e / scale * p).round_ties_even();
        if !(0.0..=p).contains(&y) {
            return Err(MeasureError::Invalid(format!(
                "estimate {e} is outside 0..{scale}"
            )));
        }
        proportion.push(y / p);
    }
    let design: Vec<Vec<f64>> = ranks.iter().map(|&r| vec![1.0, r]).collect();
    let weights: Vec<f64> = pops.iter().map(|p| p * p).collect();
    let fit = fit_glm(Family::Binomial, &design, &proportion, &weights, None)?;
    let v = hc1_covariance(&fit, &design, &proportion, &weights);
    let (b0, b1) = (fit.coefficients[0], fit.coefficients[1]);
    let (p0, p1) = (expit(b0), expit(b0 + b1));
    let se_of = |g: [f64; 2]| {
        (g[0] * g[0] * v[0][0] + 2.0 * g[0] * g[1] * v[0][1] + g[1] * g[1] * v[1][1]).sqrt()
    };
    // d(p1 - p0)/d(b0, b1) and d log(p1/p0)/d(b0, b1).
    let d1 = p1 * (1.0 - p1);
    let d0 = p0 * (1.0 - p0);
    let sii = p1 - p0;
    let sii_se = se_of([d1 - d0, d1]);
    let lnrii = (p1 / p0).ln();
    let lnrii_se = se_of([p0 - p1, 1.0 - p1]);
    Ok(HeatSii {
        sii: EstimateSe {
            value: sii * scale,
            se: sii_se,
            lower: (sii - z * sii_se) * scale,
            upper: (sii + z * sii_se) * scale,
        },
        rii: EstimateSe {
            value: lnrii.exp(),
            se: lnrii_se,
            lower: (lnrii - z * lnrii_se).exp(),
            upper: (lnrii + z * lnrii_se).exp(),
        },
        scale,
    })
}
