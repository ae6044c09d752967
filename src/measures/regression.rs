//! Generalised linear models for aggregated data, fitted by iteratively
//! reweighted least squares (IRLS; Nelder & Wedderburn 1972; McCullagh &
//! Nelder 1989, ch. 2): Poisson with a log link and an offset (rates with
//! person-time) and binomial with a logit link (proportions from counts).
//!
//! Data come as covariate patterns (one row per stratum) with weights, so a
//! national cohort is a few thousand rows. Coefficients, model-based
//! standard errors and the exponentiated ratios (rate ratios, odds ratios)
//! with Wald intervals reproduce R's `glm`; [`hc1_covariance`] gives the
//! heteroskedasticity-consistent sandwich (White 1980; HC1 as
//! `sandwich::vcovHC(type = "HC1")`) used by the healthequal SII/RII.

use serde::{Deserialize, Serialize};

use super::interval::{EstimateSe, MeasureError, finite, non_negative, z_value};

/// The response distribution and its canonical link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Family {
    /// Poisson counts, log link.
    Poisson,
    /// Binomial proportions, logit link; the response is a proportion and
    /// the prior weight the number of trials.
    Binomial,
}

/// A fitted GLM.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GlmFit {
    pub family: Family,
    /// One coefficient per design column, in the caller's order.
    pub coefficients: Vec<f64>,
    /// Model-based standard errors (dispersion fixed at 1, as R's `glm` for
    /// these families).
    pub std_errors: Vec<f64>,
    /// `(X' W X)^{-1}` at convergence.
    pub covariance: Vec<Vec<f64>>,
    /// Fitted means on the response scale.
    pub fitted: Vec<f64>,
    pub deviance: f64,
    pub df_residual: usize,
    pub iterations: usize,
}

const MAX_ITERATIONS: usize = 50;
/// R's `glm.control()` default (`epsilon = 1e-8`): stop when the relative
/// change in deviance is below this.
const DEVIANCE_EPSILON: f64 = 1e-8;
/// A fit whose coefficients no longer move (relative change below this) has
/// converged even if its deviance still flickers: with HEAT's prior weights
/// `population²` (10⁷ for a few thousand patients) the deviance of a nearly
/// exact fit is rounding noise, whose relative change never falls below
/// [`DEVIANCE_EPSILON`]. R would stop there too, after its iterations, with
/// the same estimates and a warning.
const COEFFICIENT_EPSILON: f64 = 1e-12;

/// Fits a GLM by IRLS. `design` holds one row per covariate pattern,
/// including an intercept column if wanted; `response` is a count (Poisson)
/// or a proportion in [0, 1] (binomial); `weights` are prior weights (1 for
/// Poisson counts, trials for binomial); `offset` is added to the linear
/// predictor (log person-time for rates).
pub fn fit_glm(
    family: Family,
    design: &[Vec<f64>],
    response: &[f64],
    weights: &[f64],
    offset: Option<&[f64]>,
) -> Result<GlmFit, MeasureError> {
    let n = design.len();
    let k = design.first().map_or(0, Vec::len);
    check_data(design, response, weights, offset, k)?;
    // A saturated model (as many patterns as coefficients) is fitted, as R's glm does: an
    // unadjusted comparison of a stratifier's levels is one.
    if k == 0 || n < k {
        return Err(MeasureError::WrongGroupCount {
            measure: "a regression",
            needed: "at least as many covariate patterns as coefficients",
            found: n,
        });
    }
    let off = |i: usize| offset.map_or(0.0, |o| o[i]);
    // Starting values as R's family initialisers.
    let mut mu: Vec<f64> = (0..n)
        .map(|i| match family {
            Family::Poisson => response[i] + 0.1,
            Family::Binomial => (weights[i] * response[i] + 0.5) / (weights[i] + 1.0),
        })
        .collect();
    let mut eta: Vec<f64> = mu.iter().map(|&m| link(family, m)).collect();
    let mut deviance_old = deviance(family, response, weights, &mu);
    let mut coefficients = vec![0.0; k];
    for iteration in 1..=MAX_ITERATIONS {
        let mut w = vec![0.0; n];
        let mut z = vec![0.0; n];
        for i in 0..n {
            let d = mu_eta(family, eta[i]);
            let var = variance(family, mu[i]);
            z[i] = eta[i] - off(i) + (response[i] - mu[i]) / d;
            w[i] = weights[i] * d * d / var;
        }
        let (beta, _) = weighted_least_squares(design, &z, &w)?;
        let settled = iteration > 1
            && beta
                .iter()
                .zip(&coefficients)
                .all(|(b, old)| (b - old).abs() <= COEFFICIENT_EPSILON * (b.abs() + 1.0));
        coefficients = beta;
        for i in 0..n {
            eta[i] = dot(&design[i], &coefficients) + off(i);
            mu[i] = inverse_link(family, eta[i]);
        }
        let dev = deviance(family, response, weights, &mu);
        if !dev.is_finite() {
            return Err(MeasureError::NoConvergence {
                model: "GLM (deviance not finite)",
                iterations: iteration,
            });
        }
        if (dev - deviance_old).abs() / (dev.abs() + 0.1) < DEVIANCE_EPSILON || settled {
            let w: Vec<f64> = (0..n)
                .map(|i| weights[i] * mu_eta(family, eta[i]).powi(2) / variance(family, mu[i]))
                .collect();
            let covariance = invert_spd(&cross_product(design, &w))?;
            let std_errors = (0..k).map(|j| covariance[j][j].sqrt()).collect();
            return Ok(GlmFit {
                family,
                coefficients,
                std_errors,
                covariance,
                fitted: mu,
                deviance: dev,
                df_residual: n - k,
                iterations: iteration,
            });
        }
        deviance_old = dev;
    }
    Err(MeasureError::NoConvergence {
        model: "GLM",
        iterations: MAX_ITERATIONS,
    })
}

/// Poisson regression of `events` on the covariate rows with offset
/// `log(person_time)`: coefficients are log rate ratios. An intercept column
/// is added first.
pub fn poisson_rates(
    covariates: &[Vec<f64>],
    events: &[f64],
    person_time: &[f64],
) -> Result<GlmFit, MeasureError> {
    let mut offset = Vec::with_capacity(person_time.len());
    for &t in person_time {
        if !(t.is_finite() && t > 0.0) {
            return Err(MeasureError::ZeroDenominator {
                what: "person-time of a covariate pattern",
            });
        }
        offset.push(t.ln());
    }
    let ones = vec![1.0; events.len()];
    fit_glm(
        Family::Poisson,
        &with_intercept(covariates),
        events,
        &ones,
        Some(&offset),
    )
}

/// Logistic regression of `events` out of `trials` per covariate pattern:
/// coefficients are log odds ratios. An intercept column is added first.
/// Patterns with 0 trials carry no information and are an error, so that
/// empty strata are dropped knowingly by the caller.
pub fn logistic_counts(
    covariates: &[Vec<f64>],
    events: &[f64],
    trials: &[f64],
) -> Result<GlmFit, MeasureError> {
    if events.len() != trials.len() {
        return Err(MeasureError::LengthMismatch {
            what: "trials",
            expected: events.len(),
            found: trials.len(),
        });
    }
    let mut proportion = Vec::with_capacity(events.len());
    for (&x, &n) in events.iter().zip(trials) {
        let x = non_negative("events", x)?;
        if n.is_nan() || n <= 0.0 {
            return Err(MeasureError::ZeroDenominator {
                what: "trials of a covariate pattern",
            });
        }
        if x > n {
            return Err(MeasureError::NumeratorExceedsDenominator {
                numerator: x,
                denominator: n,
            });
        }
        proportion.push(x / n);
    }
    fit_glm(
        Family::Binomial,
        &with_intercept(covariates),
        &proportion,
        trials,
        None,
    )
}

/// `exp(coefficient)` with Wald limits `exp(b ± z·se)`: rate ratios for
/// [`poisson_rates`], odds ratios for [`logistic_counts`]. The `se` field is
/// on the log scale.
pub fn ratios(fit: &GlmFit, confidence: f64) -> Result<Vec<EstimateSe>, MeasureError> {
    let z = z_value(confidence)?;
    Ok(fit
        .coefficients
        .iter()
        .zip(&fit.std_errors)
        .map(|(&b, &se)| EstimateSe {
            value: b.exp(),
            se,
            lower: (b - z * se).exp(),
            upper: (b + z * se).exp(),
        })
        .collect())
}

/// HC1 sandwich covariance `n/(n-k) · B (Σ u_i u_i') B` with
/// `B = (X'WX)^{-1}` and score `u_i = w_i (y_i - μ_i) x_i` (canonical link),
/// as `sandwich::vcovHC(fit, type = "HC1")`; the quasi-family dispersion
/// cancels, so it is the same for binomial and quasibinomial fits.
pub fn hc1_covariance(
    fit: &GlmFit,
    design: &[Vec<f64>],
    response: &[f64],
    weights: &[f64],
) -> Vec<Vec<f64>> {
    let n = design.len();
    let k = fit.coefficients.len();
    let mut meat = vec![vec![0.0; k]; k];
    for i in 0..n {
        let r = weights[i] * (response[i] - fit.fitted[i]);
        for a in 0..k {
            for b in 0..k {
                meat[a][b] += r * r * design[i][a] * design[i][b];
            }
        }
    }
    let b = &fit.covariance;
    let adjust = n as f64 / (n - k) as f64;
    let bm = mat_mul(b, &meat);
    let mut v = mat_mul(&bm, b);
    for row in &mut v {
        for x in row.iter_mut() {
            *x *= adjust;
        }
    }
    v
}

/// Weighted least squares `(X'WX)^{-1} X'Wz`; returns the coefficients and
/// `(X'WX)^{-1}`.
pub(crate) fn weighted_least_squares(
    design: &[Vec<f64>],
    z: &[f64],
    w: &[f64],
) -> Result<(Vec<f64>, Vec<Vec<f64>>), MeasureError> {
    let k = design.first().map_or(0, Vec::len);
    let inverse = invert_spd(&cross_product(design, w))?;
    let mut xtwz = vec![0.0; k];
    for ((row, &zi), &wi) in design.iter().zip(z).zip(w) {
        for (acc, &x) in xtwz.iter_mut().zip(row) {
            *acc += x * wi * zi;
        }
    }
    let beta = inverse.iter().map(|row| dot(row, &xtwz)).collect();
    Ok((beta, inverse))
}

/// `X' W X`.
fn cross_product(design: &[Vec<f64>], w: &[f64]) -> Vec<Vec<f64>> {
    let k = design.first().map_or(0, Vec::len);
    let mut m = vec![vec![0.0; k]; k];
    for (row, &wi) in design.iter().zip(w) {
        for a in 0..k {
            for b in 0..k {
                m[a][b] += row[a] * wi * row[b];
            }
        }
    }
    m
}

/// Inverse of a symmetric positive definite matrix via Cholesky; a singular
/// (collinear) design is an error.
pub(crate) fn invert_spd(m: &[Vec<f64>]) -> Result<Vec<Vec<f64>>, MeasureError> {
    let k = m.len();
    let mut l = vec![vec![0.0; k]; k];
    let scale = (0..k).map(|i| m[i][i].abs()).fold(0.0, f64::max);
    for i in 0..k {
        for j in 0..=i {
            let s: f64 = m[i][j] - (0..j).map(|p| l[i][p] * l[j][p]).sum::<f64>();
            if i == j {
                if s.is_nan() || s <= scale * 1e-13 {
                    return Err(MeasureError::Undefined {
                        measure: "regression",
                        reason: "the design is singular (collinear covariates or too few groups)"
                            .into(),
                    });
                }
                l[i][i] = s.sqrt();
            } else {
                l[i][j] = s / l[j][j];
            }
        }
    }
    // Invert L, then inverse = L^-T L^-1.
    let mut li = vec![vec![0.0; k]; k];
    for i in 0..k {
        let mut row = vec![0.0; k];
        row[i] = 1.0 / l[i][i];
        for (j, slot) in row.iter_mut().enumerate().take(i) {
            let s: f64 = (j..i).map(|p| l[i][p] * li[p][j]).sum();
            *slot = -s / l[i][i];
        }
        li[i] = row;
    }
    let mut inv = vec![vec![0.0; k]; k];
    for i in 0..k {
        for j in 0..k {
            inv[i][j] = (i.max(j)..k).map(|p| li[p][i] * li[p][j]).sum();
        }
    }
    Ok(inv)
}

pub(crate) fn mat_mul(a: &[Vec<f64>], b: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let cols = b.first().map_or(0, Vec::len);
    a.iter()
        .map(|row| {
            (0..cols)
                .map(|j| row.iter().zip(b).map(|(x, brow)| x * brow[j]).sum())
                .collect()
        })
        .collect()
}

pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn with_intercept(covariates: &[Vec<f64>]) -> Vec<Vec<f64>> {
    covariates
        .iter()
        .map(|row| std::iter::once(1.0).chain(row.iter().copied()).collect())
        .collect()
}

fn check_data(
    design: &[Vec<f64>],
    response: &[f64],
    weights: &[f64],
    offset: Option<&[f64]>,
    k: usize,
) -> Result<(), MeasureError> {
    let n = design.len();
    for (what, found) in [
        ("response", response.len()),
        ("weights", weights.len()),
        ("offset", offset.map_or(n, <[f64]>::len)),
    ] {
        if found != n {
            return Err(MeasureError::LengthMismatch {
                what,
                expected: n,
                found,
            });
        }
    }
    for row in design {
        if row.len() != k {
            return Err(MeasureError::LengthMismatch {
                what: "design row",
                expected: k,
                found: row.len(),
            });
        }
        for &x in row {
            finite("covariate", x)?;
        }
    }
    for &y in response {
        non_negative("response", y)?;
    }
    for &w in weights {
        non_negative("weight", w)?;
    }
    Ok(())
}

fn link(family: Family, mu: f64) -> f64 {
    match family {
        Family::Poisson => mu.ln(),
        Family::Binomial => (mu / (1.0 - mu)).ln(),
    }
}

fn inverse_link(family: Family, eta: f64) -> f64 {
    match family {
        Family::Poisson => eta.exp().max(f64::EPSILON),
        Family::Binomial => expit(eta).clamp(f64::EPSILON, 1.0 - f64::EPSILON),
    }
}

/// dμ/dη.
fn mu_eta(family: Family, eta: f64) -> f64 {
    match family {
        Family::Poisson => eta.exp().max(f64::EPSILON),
        Family::Binomial => {
            let p = expit(eta);
            (p * (1.0 - p)).max(f64::EPSILON)
        }
    }
}

fn variance(family: Family, mu: f64) -> f64 {
    match family {
        Family::Poisson => mu,
        Family::Binomial => mu * (1.0 - mu),
    }
}

/// Residual deviance, with `y log(y/μ)` taken as 0 at `y = 0`.
fn deviance(family: Family, y: &[f64], w: &[f64], mu: &[f64]) -> f64 {
    let ylogy = |a: f64, b: f64| if a > 0.0 { a * (a / b).ln() } else { 0.0 };
    y.iter()
        .zip(w)
        .zip(mu)
        .map(|((&y, &w), &m)| match family {
            Family::Poisson => 2.0 * w * (ylogy(y, m) - (y - m)),
            Family::Binomial => 2.0 * w * (ylogy(y, m) + ylogy(1.0 - y, 1.0 - m)),
        })
        .sum()
}

/// The logistic function `1 / (1 + exp(-x))`.
pub(crate) fn expit(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}
