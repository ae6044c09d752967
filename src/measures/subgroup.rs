//! The input shared by the HEAT/healthequal summary measures: one row per
//! subgroup of an inequality dimension (education levels, regions, ...).

use serde::{Deserialize, Serialize};

use super::interval::MeasureError;

/// Whether a higher value of the indicator is better (e.g. a screening
/// uptake) or worse (e.g. a mortality rate): HEAT's `favourable_indicator`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Polarity {
    Favourable,
    Adverse,
}

/// One subgroup's estimate with optional standard error, its population,
/// its position if the dimension is ordered (1 = most disadvantaged, as
/// HEAT's `subgroup_order`), and whether the user chose it as reference.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Subgroup {
    pub estimate: f64,
    pub se: Option<f64>,
    pub population: f64,
    pub order: Option<u32>,
    pub reference: bool,
}

/// A summary measure with an optional standard error and interval: many
/// HEAT measures have none, or have one only when all SEs are known.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Measure {
    pub value: f64,
    pub se: Option<f64>,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
}

impl Measure {
    pub(crate) fn point(value: f64) -> Measure {
        Measure {
            value,
            se: None,
            lower: None,
            upper: None,
        }
    }

    /// `value ± z·se`.
    pub(crate) fn wald(value: f64, se: f64, z: f64) -> Measure {
        Measure {
            value,
            se: Some(se),
            lower: Some(value - z * se),
            upper: Some(value + z * se),
        }
    }
}

/// True when every subgroup has an order, false when none has; a mix is an
/// error. Ordered dimensions must be numbered 1, 2, ..., n.
pub fn is_ordered(groups: &[Subgroup]) -> Result<bool, MeasureError> {
    let with_order = groups.iter().filter(|g| g.order.is_some()).count();
    if with_order == 0 {
        return Ok(false);
    }
    if with_order != groups.len() {
        return Err(MeasureError::Invalid(
            "either every subgroup or none has an order".into(),
        ));
    }
    let mut orders: Vec<u32> = groups.iter().filter_map(|g| g.order).collect();
    orders.sort_unstable();
    if orders.iter().enumerate().any(|(i, &o)| o as usize != i + 1) {
        return Err(MeasureError::Invalid(
            "subgroup order must be the integers 1, 2, ..., n".into(),
        ));
    }
    Ok(true)
}

/// Checks estimates (finite) and populations (finite, non-negative, not all
/// zero) and returns the population-weighted mean of the estimates.
pub(crate) fn weighted_mean(groups: &[Subgroup]) -> Result<f64, MeasureError> {
    let mut total = 0.0;
    let mut sum = 0.0;
    for g in groups {
        if !g.estimate.is_finite() {
            return Err(MeasureError::NotFinite {
                what: "estimate",
                value: g.estimate,
            });
        }
        if !(g.population.is_finite() && g.population >= 0.0) {
            return Err(MeasureError::Invalid(format!(
                "population must be a non-negative number, got {}",
                g.population
            )));
        }
        total += g.population;
        sum += g.population * g.estimate;
    }
    if total == 0.0 {
        return Err(MeasureError::ZeroDenominator {
            what: "population of all subgroups",
        });
    }
    Ok(sum / total)
}

/// Errors unless there are more than two subgroups (healthequal's rule for
/// all measures over a whole dimension).
pub(crate) fn need_more_than_two(
    measure: &'static str,
    groups: &[Subgroup],
) -> Result<(), MeasureError> {
    if groups.len() <= 2 {
        Err(MeasureError::WrongGroupCount {
            measure,
            needed: "more than two subgroups",
            found: groups.len(),
        })
    } else {
        Ok(())
    }
}
