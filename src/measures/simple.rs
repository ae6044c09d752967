//! Simple measures between two subgroups: the difference D and the ratio
//! R, as WHO healthequal's `d()` and `r()` (and HEAT's `calc_d`/`calc_r`).

use super::interval::{MeasureError, z_value};
use super::subgroup::{Measure, Polarity, Subgroup, is_ordered};

/// The two subgroups a simple measure compares: D = `y1 - y2`,
/// R = `y1 / y2` (indices into the input).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pair {
    pub y1: usize,
    pub y2: usize,
}

/// HEAT's choice of the two subgroups (healthequal `d()`/`r()`,
/// HEAT-Measures `get_est_se_min_max`):
///
/// * ordered dimension: the most advantaged (highest order) against the
///   most disadvantaged (order 1) — `y1` = most advantaged for a favourable
///   indicator, `y1` = most disadvantaged for an adverse one, so that D > 0
///   and R > 1 mean the disadvantaged are worse off;
/// * non-ordered, no reference: the highest against the lowest estimate
///   (first one on ties), whatever the polarity;
/// * non-ordered with a user reference: the reference against the worst
///   other subgroup — lowest for a favourable indicator (`y1` = reference),
///   highest for an adverse one (`y2` = reference).
pub fn comparison_pair(groups: &[Subgroup], polarity: Polarity) -> Result<Pair, MeasureError> {
    if groups.len() < 2 {
        return Err(MeasureError::WrongGroupCount {
            measure: "a difference or ratio",
            needed: "at least two subgroups",
            found: groups.len(),
        });
    }
    let by = |key: &dyn Fn(&Subgroup) -> f64, max: bool, skip: Option<usize>| {
        let mut best: Option<usize> = None;
        for (i, g) in groups.iter().enumerate() {
            if Some(i) == skip {
                continue;
            }
            let better = match best {
                None => true,
                Some(b) if max => key(g) > key(&groups[b]),
                Some(b) => key(g) < key(&groups[b]),
            };
            if better {
                best = Some(i);
            }
        }
        best
    };
    let est = |g: &Subgroup| g.estimate;
    let ord = |g: &Subgroup| g.order.map_or(0.0, f64::from);
    let pair = if is_ordered(groups)? {
        let (top, bottom) = (by(&ord, true, None), by(&ord, false, None));
        match polarity {
            Polarity::Favourable => (top, bottom),
            Polarity::Adverse => (bottom, top),
        }
    } else {
        let refs: Vec<usize> = (0..groups.len()).filter(|&i| groups[i].reference).collect();
        match refs.as_slice() {
            [] => (by(&est, true, None), by(&est, false, None)),
            [r] => match polarity {
                Polarity::Favourable => (Some(*r), by(&est, false, Some(*r))),
                Polarity::Adverse => (by(&est, true, Some(*r)), Some(*r)),
            },
            _ => {
                return Err(MeasureError::Invalid(
                    "at most one subgroup can be the reference".into(),
                ));
            }
        }
    };
    match pair {
        (Some(y1), Some(y2)) => Ok(Pair { y1, y2 }),
        _ => Err(MeasureError::Invalid(
            "no pair of subgroups to compare".into(),
        )),
    }
}

/// Difference `D = y1 - y2` between the subgroups of [`comparison_pair`],
/// with SE `sqrt(se1² + se2²)` and a Wald interval when both SEs are known
/// (healthequal `d()`).
pub fn difference(
    groups: &[Subgroup],
    polarity: Polarity,
    confidence: f64,
) -> Result<Measure, MeasureError> {
    let z = z_value(confidence)?;
    let p = comparison_pair(groups, polarity)?;
    let (a, b) = (&groups[p.y1], &groups[p.y2]);
    let d = a.estimate - b.estimate;
    Ok(match (a.se, b.se) {
        (Some(s1), Some(s2)) => Measure::wald(d, (s1 * s1 + s2 * s2).sqrt(), z),
        _ => Measure::point(d),
    })
}

/// Ratio `R = y1 / y2` between the subgroups of [`comparison_pair`]. Its
/// delta-method SE is `sqrt((se1² + R² se2²) / y2²)`; the interval is
/// `exp(log R ± z·SE/R)` and the reported `se` is that of `log R`
/// (healthequal `r()`). Errors when `y2` is zero.
pub fn ratio(
    groups: &[Subgroup],
    polarity: Polarity,
    confidence: f64,
) -> Result<Measure, MeasureError> {
    let z = z_value(confidence)?;
    let p = comparison_pair(groups, polarity)?;
    let (a, b) = (&groups[p.y1], &groups[p.y2]);
    if b.estimate == 0.0 {
        return Err(MeasureError::ZeroDenominator {
            what: "estimate of the comparison subgroup",
        });
    }
    let r = a.estimate / b.estimate;
    Ok(match (a.se, b.se) {
        (Some(s1), Some(s2)) if r > 0.0 => {
            let se = ((s1 * s1 + r * r * s2 * s2) / (b.estimate * b.estimate)).sqrt();
            let log_se = se / r;
            Measure {
                value: r,
                se: Some(log_se),
                lower: Some((r.ln() - z * log_se).exp()),
                upper: Some((r.ln() + z * log_se).exp()),
            }
        }
        _ => Measure::point(r),
    })
}
