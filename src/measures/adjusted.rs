//! Adjusted comparisons between the levels of one stratifier: odds ratios from a logistic model
//! fitted on cross-classified counts, and adjusted shares and differences in percentage points by
//! marginal standardisation (predictive margins), each with its 95 % interval.
//!
//! The model is `logit P(outcome) = β₀ + Σ_f β_f,level` over the factors of the adjustment set
//! (the stratifier compared, and for instance age group and sex, or every social and geographic
//! stratifier), fitted to one row per covariate pattern with its persons and events, which is
//! the same likelihood as one row per person (McCullagh & Nelder 1989, ch. 4): a national patient
//! group becomes a few thousand rows. The odds ratio of a level is exp(β) against the reference
//! level, with R `glm`'s Wald interval. The adjusted share of a level is the share the whole
//! patient group would have if everyone belonged to that level, their other factors as they are
//! (Graubard & Korn 1999, "predictive margins"; Muller & MacLehose 2014): the mean of the fitted
//! probabilities with the compared factor set to the level. Its interval and that of the
//! difference from the reference's come from the delta method on the model's covariance (Graubard
//! & Korn 1999, eq. 6), the share's on the logit scale so that it stays within 0-100 %.

use super::interval::{Estimate, EstimateSe, MeasureError, z_value};
use super::regression::{Family, GlmFit, fit_glm};

/// One covariate pattern: its level of each factor (in the factors' order), its persons and the
/// persons among them with the outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub levels: Vec<String>,
    pub persons: f64,
    pub events: f64,
}

/// A categorical factor of the model; its first level is the reference.
#[derive(Debug, Clone, PartialEq)]
pub struct Factor {
    pub name: String,
    pub levels: Vec<String>,
}

/// The comparison of one level of the compared factor.
#[derive(Debug, Clone, PartialEq)]
pub struct LevelComparison {
    pub level: String,
    /// exp(β) against the reference level (`None` for the reference itself).
    pub odds_ratio: Option<EstimateSe>,
    /// The adjusted share on the 0-1 scale.
    pub share: Estimate,
    /// The adjusted share less the reference's, on the 0-1 scale (`None` for the reference).
    pub difference: Option<Estimate>,
}

/// Per factor, each level's design column (`None` for the reference and absent levels).
type Columns = Vec<Vec<Option<usize>>>;

/// The design of the cells: an intercept and one indicator per level other than each factor's
/// reference that some cell has (a level no cell has cannot be estimated, and its column would
/// make the model singular). Returns the rows and, per factor, each level's column (`None` for
/// the reference and for absent levels).
fn design(cells: &[Cell], factors: &[Factor]) -> (Vec<Vec<f64>>, Columns) {
    let mut columns = Vec::with_capacity(factors.len());
    let mut width = 1;
    for (f, factor) in factors.iter().enumerate() {
        let mut of_level = Vec::with_capacity(factor.levels.len());
        for (l, level) in factor.levels.iter().enumerate() {
            let present = cells.iter().any(|c| c.levels[f] == *level);
            if l == 0 || !present {
                of_level.push(None);
            } else {
                of_level.push(Some(width));
                width += 1;
            }
        }
        columns.push(of_level);
    }
    let rows = cells
        .iter()
        .map(|cell| row_of(cell, factors, &columns, width, None))
        .collect();
    (rows, columns)
}

/// A cell's design row; with `set`, the compared factor's level replaced by that level.
fn row_of(
    cell: &Cell,
    factors: &[Factor],
    columns: &[Vec<Option<usize>>],
    width: usize,
    set: Option<(usize, usize)>,
) -> Vec<f64> {
    let mut x = vec![0.0; width];
    x[0] = 1.0;
    for (f, factor) in factors.iter().enumerate() {
        let level = match set {
            Some((target, level)) if target == f => Some(level),
            _ => factor.levels.iter().position(|l| *l == cell.levels[f]),
        };
        if let Some(column) = level.and_then(|l| columns[f][l]) {
            x[column] = 1.0;
        }
    }
    x
}

fn expit(eta: f64) -> f64 {
    1.0 / (1.0 + (-eta).exp())
}

fn quadratic(g: &[f64], v: &[Vec<f64>]) -> f64 {
    g.iter()
        .enumerate()
        .map(|(i, gi)| gi * g.iter().zip(&v[i]).map(|(gj, vij)| gj * vij).sum::<f64>())
        .sum()
}

/// The predictive margin of one level of the compared factor and its gradient in β.
fn margin(
    fit: &GlmFit,
    cells: &[Cell],
    factors: &[Factor],
    columns: &[Vec<Option<usize>>],
    target: usize,
    level: usize,
) -> (f64, Vec<f64>) {
    let width = fit.coefficients.len();
    let total: f64 = cells.iter().map(|c| c.persons).sum();
    let (mut share, mut gradient) = (0.0, vec![0.0; width]);
    for cell in cells {
        let x = row_of(cell, factors, columns, width, Some((target, level)));
        let eta: f64 = x.iter().zip(&fit.coefficients).map(|(a, b)| a * b).sum();
        let p = expit(eta);
        share += cell.persons * p / total;
        for (g, xi) in gradient.iter_mut().zip(&x) {
            *g += cell.persons * p * (1.0 - p) * xi / total;
        }
    }
    (share, gradient)
}

/// The fitted model of the cells (persons with none dropped) and their design's columns.
pub fn fit(cells: &[Cell], factors: &[Factor]) -> Result<(GlmFit, Columns), MeasureError> {
    for cell in cells {
        if cell.levels.len() != factors.len() {
            return Err(MeasureError::LengthMismatch {
                what: "a cell's levels",
                expected: factors.len(),
                found: cell.levels.len(),
            });
        }
        if !(cell.events >= 0.0 && cell.events <= cell.persons) {
            return Err(MeasureError::NumeratorExceedsDenominator {
                numerator: cell.events,
                denominator: cell.persons,
            });
        }
    }
    let (rows, columns) = design(cells, factors);
    let response: Vec<f64> = cells.iter().map(|c| c.events / c.persons).collect();
    let weights: Vec<f64> = cells.iter().map(|c| c.persons).collect();
    let fit = fit_glm(Family::Binomial, &rows, &response, &weights, None)?;
    Ok((fit, columns))
}

/// Every level of factor `target` compared with its reference (its first level) in the model of
/// all `factors`, on `cells` (cells without persons are left out). A level no cell has is left
/// out of the result.
pub fn compare(
    cells: &[Cell],
    factors: &[Factor],
    target: usize,
    confidence: f64,
) -> Result<Vec<LevelComparison>, MeasureError> {
    let z = z_value(confidence)?;
    let cells: Vec<Cell> = cells.iter().filter(|c| c.persons > 0.0).cloned().collect();
    let factor = factors.get(target).ok_or_else(|| {
        MeasureError::Invalid(format!(
            "the compared factor {target} is not one of the {} factors",
            factors.len()
        ))
    })?;
    let (fit, columns) = fit(&cells, factors)?;
    let (reference_share, reference_gradient) = margin(&fit, &cells, factors, &columns, target, 0);
    let mut out = Vec::new();
    for (l, level) in factor.levels.iter().enumerate() {
        let column = columns[target][l];
        if l > 0 && column.is_none() {
            continue;
        }
        let (share, gradient) = margin(&fit, &cells, factors, &columns, target, l);
        let se = quadratic(&gradient, &fit.covariance).sqrt();
        let logit = (share / (1.0 - share)).ln();
        let logit_se = se / (share * (1.0 - share));
        let share = Estimate {
            value: share,
            lower: expit(logit - z * logit_se),
            upper: expit(logit + z * logit_se),
        };
        let (odds_ratio, difference) = match column {
            Some(c) => {
                let (b, b_se) = (fit.coefficients[c], fit.std_errors[c]);
                let diff: Vec<f64> = gradient
                    .iter()
                    .zip(&reference_gradient)
                    .map(|(a, b)| a - b)
                    .collect();
                let d = share.value - reference_share;
                let d_se = quadratic(&diff, &fit.covariance).sqrt();
                (
                    Some(EstimateSe {
                        value: b.exp(),
                        se: b_se,
                        lower: (b - z * b_se).exp(),
                        upper: (b + z * b_se).exp(),
                    }),
                    Some(Estimate {
                        value: d,
                        lower: d - z * d_se,
                        upper: d + z * d_se,
                    }),
                )
            }
            None => (None, None),
        };
        out.push(LevelComparison {
            level: level.clone(),
            odds_ratio,
            share,
            difference,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(levels: &[&str], persons: f64, events: f64) -> Cell {
        Cell {
            levels: levels.iter().map(|s| s.to_string()).collect(),
            persons,
            events,
        }
    }

    fn factor(name: &str, levels: &[&str]) -> Factor {
        Factor {
            name: name.into(),
            levels: levels.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// Known truth by hand: with the compared factor alone, the model is saturated, so the odds
    /// ratio is the 2x2 table's (30·60)/(70·40) with Woolf's standard error √(1/30 + 1/70 +
    /// 1/40 + 1/60), and each adjusted share is the level's crude share; the difference is
    /// 0.3 - 0.4. A factor that does not change the shares (sex, below) changes none of it.
    #[test]
    fn unadjusted_it_is_the_two_by_two_table() {
        let cells = [cell(&["a"], 100.0, 40.0), cell(&["b"], 100.0, 30.0)];
        let out = compare(&cells, &[factor("x", &["a", "b"])], 0, 0.95).unwrap();
        let or = out[1].odds_ratio.unwrap();
        assert!(
            (or.value - (30.0 * 60.0) / (70.0 * 40.0)).abs() < 1e-9,
            "{or:?}"
        );
        let woolf: f64 = 1.0 / 30.0 + 1.0 / 70.0 + 1.0 / 40.0 + 1.0 / 60.0;
        assert!((or.se - woolf.sqrt()).abs() < 1e-9, "{or:?}");
        assert!((out[1].share.value - 0.3).abs() < 1e-9);
        let cells = [
            cell(&["a", "1"], 50.0, 20.0),
            cell(&["a", "2"], 50.0, 20.0),
            cell(&["b", "1"], 50.0, 15.0),
            cell(&["b", "2"], 50.0, 15.0),
        ];
        let factors = [factor("x", &["a", "b"]), factor("sex", &["1", "2"])];
        let out = compare(&cells, &factors, 0, 0.95).unwrap();
        let or = out[1].odds_ratio.unwrap();
        assert!(
            (or.value - (30.0 * 60.0) / (70.0 * 40.0)).abs() < 1e-9,
            "{or:?}"
        );
        assert!((out[0].share.value - 0.4).abs() < 1e-9);
        assert!((out[1].share.value - 0.3).abs() < 1e-9);
        let d = out[1].difference.unwrap();
        assert!((d.value + 0.1).abs() < 1e-9 && d.lower < d.value && d.value < d.upper);
        assert!(out[0].odds_ratio.is_none() && out[0].difference.is_none());
    }

    /// Known truth: confounding by age is removed. Level b is old, a young; within each age the
    /// shares are equal (10 % young, 50 % old), so crude b looks worse but the adjusted odds ratio
    /// is 1 and both adjusted shares are the patient group's age mix: (0.1·100 + 0.5·100)/200.
    #[test]
    fn adjustment_removes_a_confounder() {
        let cells = [
            cell(&["a", "young"], 90.0, 9.0),
            cell(&["a", "old"], 10.0, 5.0),
            cell(&["b", "young"], 10.0, 1.0),
            cell(&["b", "old"], 90.0, 45.0),
        ];
        let factors = [factor("x", &["a", "b"]), factor("age", &["young", "old"])];
        let out = compare(&cells, &factors, 0, 0.95).unwrap();
        assert!((out[1].odds_ratio.unwrap().value - 1.0).abs() < 1e-6);
        for level in &out {
            assert!((level.share.value - 0.3).abs() < 1e-6, "{level:?}");
        }
        assert!(out[1].difference.unwrap().value.abs() < 1e-6);
    }

    /// A level no cell has is left out; a level without persons too.
    #[test]
    fn absent_levels_are_left_out() {
        let cells = [
            cell(&["a", "1"], 50.0, 20.0),
            cell(&["a", "2"], 40.0, 10.0),
            cell(&["b", "1"], 50.0, 15.0),
            cell(&["b", "2"], 30.0, 5.0),
            cell(&["c", "2"], 0.0, 0.0),
        ];
        let factors = [factor("x", &["a", "b", "c"]), factor("sex", &["1", "2"])];
        let out = compare(&cells, &factors, 0, 0.95).unwrap();
        let levels: Vec<&str> = out.iter().map(|l| l.level.as_str()).collect();
        assert_eq!(levels, ["a", "b"]);
    }
}
