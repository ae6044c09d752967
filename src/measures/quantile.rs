//! Assigning units to quantiles of a value: deprivation-style quantiles of
//! areas (PHE's `phe_quantile`) and income quantiles of persons.
//!
//! Inequality measures such as the slope index of inequality compare groups
//! ordered by a socio-economic value, so the grouping has to be reproducible
//! and handle ties and missing values in a documented way.

use std::collections::HashMap;
use std::hash::Hash;

use serde::{Deserialize, Serialize};

use super::interval::{MeasureError, finite};

/// Which end of the values quantile 1 holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum QuantileOrder {
    /// Quantile 1 holds the lowest values (PHE `invert = FALSE`).
    LowestFirst,
    /// Quantile 1 holds the highest values (PHE `invert = TRUE`, its default,
    /// as for deprivation scores where quantile 1 is the most deprived).
    HighestFirst,
}

impl QuantileOrder {
    /// PHE's `invert` flag: `true` puts the highest values in quantile 1.
    pub fn from_invert(invert: bool) -> QuantileOrder {
        if invert {
            QuantileOrder::HighestFirst
        } else {
            QuantileOrder::LowestFirst
        }
    }

    /// From a Fingertips indicator polarity, so that quantile 1 is the worst
    /// end, as PHE's test data maps it: "RAG - High is good" puts the lowest
    /// values first (`invert = FALSE`), "RAG - Low is good" the highest
    /// (`invert = TRUE`).
    ///
    /// Errors: any other polarity ("RAG - Middle is good", "BOB - Blue orange
    /// blue", "Not applicable", ...), which has no worst end to start from.
    pub fn from_polarity(polarity: &str) -> Result<QuantileOrder, MeasureError> {
        match polarity.trim() {
            "RAG - High is good" => Ok(QuantileOrder::LowestFirst),
            "RAG - Low is good" => Ok(QuantileOrder::HighestFirst),
            other => Err(MeasureError::Invalid(format!(
                "polarity {other:?} does not say which end is worse; \
                 give the quantile order explicitly"
            ))),
        }
    }
}

/// Quantiles for one group of values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupQuantiles {
    /// The quantile of each value (1 to `nquantiles`), aligned with the
    /// input; `None` for a missing value and for every value of a group with
    /// too few values.
    pub quantiles: Vec<Option<u32>>,
    /// The group had fewer non-missing values than quantiles, so none were
    /// assigned (PHE returns NA and warns "too few small areas").
    pub too_few_values: bool,
}

/// Assigns quantiles within one group, PHEindicatormethods v2.1.0
/// `phe_quantile` (OHID Fingertips technical guidance, "Assigning
/// deprivation categories").
///
/// `NaN` marks a missing value (R's `NA`): it gets no quantile and does not
/// count. With `n` non-missing values, each value's rank `r` counts from the
/// end `order` names, ties taking the lowest rank of their run (R's
/// `ties.method = "min"`), so equal values always share a quantile, that of
/// the first of them. The quantile is
/// `floor(q + 1 − ceiling((n + 1 − r) / (n / q)))` (0 read as 1), which is
/// `floor((r − 1) q / n) + 1` in exact arithmetic: the share of values ranked
/// before a value decides its quantile, and the groups differ in size by at
/// most one when there are no ties.
///
/// The floating-point expression is evaluated exactly as PHE does, so the
/// quantiles agree with the peer even where rounding moves a value across a
/// boundary (e.g. 100 quantiles of 114 values: rank 58 gets 50 here and in
/// PHE, 51 in exact arithmetic. Up to 3000 values this happens only with 20
/// and 100 of the usual numbers of quantiles (2-8, 10, 12, 16, 20, 100), never
/// with quartiles, quintiles or deciles.) Use [`income_quantiles`] for the
/// exact rule.
///
/// A group with fewer non-missing values than `nquantiles` gets no
/// quantiles and [`GroupQuantiles::too_few_values`], as PHE (which warns).
///
/// Errors: `nquantiles` of 0.
pub fn phe_quantile(
    values: &[f64],
    nquantiles: u32,
    order: QuantileOrder,
) -> Result<GroupQuantiles, MeasureError> {
    if nquantiles == 0 {
        return Err(MeasureError::Invalid(
            "the number of quantiles must be at least 1".into(),
        ));
    }
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    if n < nquantiles as usize {
        return Ok(GroupQuantiles {
            quantiles: vec![None; values.len()],
            too_few_values: true,
        });
    }
    let (n_f, q_f) = (n as f64, f64::from(nquantiles));
    let quantiles = values
        .iter()
        .map(|&v| {
            if v.is_nan() {
                return None;
            }
            // Values strictly before `v` from the chosen end, plus one.
            let before = match order {
                QuantileOrder::LowestFirst => sorted.partition_point(|&x| x < v),
                QuantileOrder::HighestFirst => n - sorted.partition_point(|&x| x <= v),
            };
            let rank = (before + 1) as f64;
            let q = ((q_f + 1.0) - (((n_f + 1.0) - rank) / (n_f / q_f)).ceil()).floor();
            // In 1..=q by construction; PHE turns a rounding 0 into 1.
            Some(q.max(1.0) as u32)
        })
        .collect();
    Ok(GroupQuantiles {
        quantiles,
        too_few_values: false,
    })
}

/// Quantiles within groups, as `phe_quantile` on a grouped data frame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupedQuantiles<K> {
    /// Aligned with the input rows.
    pub quantiles: Vec<Option<u32>>,
    /// The groups that had too few non-missing values, in order of first
    /// appearance.
    pub too_few_values: Vec<K>,
}

/// [`phe_quantile`] separately within each group: row `i` belongs to
/// `groups[i]` and is ordered by `orders[i]` (PHE's `inverttype = "field"`).
///
/// Errors: slices of different lengths, `nquantiles` of 0, and a group whose
/// rows do not all have the same order (PHE: "invert field values must take
/// the same logical value for each data grouping set").
pub fn phe_quantile_by_group<K: Eq + Hash + Clone>(
    groups: &[K],
    values: &[f64],
    orders: &[QuantileOrder],
    nquantiles: u32,
) -> Result<GroupedQuantiles<K>, MeasureError> {
    for (what, len) in [("values", values.len()), ("orders", orders.len())] {
        if len != groups.len() {
            return Err(MeasureError::LengthMismatch {
                what,
                expected: groups.len(),
                found: len,
            });
        }
    }
    let mut members: HashMap<&K, Vec<usize>> = HashMap::new();
    let mut first_seen = Vec::new();
    for (i, key) in groups.iter().enumerate() {
        members
            .entry(key)
            .or_insert_with(|| {
                first_seen.push(key);
                Vec::new()
            })
            .push(i);
    }
    let mut quantiles = vec![None; groups.len()];
    let mut too_few_values = Vec::new();
    for key in first_seen {
        let rows = &members[key];
        let order = orders[rows[0]];
        if rows.iter().any(|&r| orders[r] != order) {
            return Err(MeasureError::Invalid(
                "the quantile order must be the same for every row of a group".into(),
            ));
        }
        let group_values: Vec<f64> = rows.iter().map(|&r| values[r]).collect();
        let result = phe_quantile(&group_values, nquantiles, order)?;
        if result.too_few_values {
            too_few_values.push(key.clone());
        }
        for (&r, q) in rows.iter().zip(result.quantiles) {
            quantiles[r] = q;
        }
    }
    Ok(GroupedQuantiles {
        quantiles,
        too_few_values,
    })
}

/// Person-level quantiles of income (or any value where quantile 1 should
/// hold the lowest values), e.g. `nquantiles = 5` for income quintiles.
///
/// A person is in quantile `k = floor(b q / n) + 1`, where `b` is the number
/// of persons with a strictly lower value: quintile 1 holds those with fewer
/// than 20% of persons below them. Persons with equal incomes therefore
/// always share a quantile, the one where their run of ties starts (so a
/// large tie, such as many zero incomes, can leave the quantile above it
/// smaller or empty; all equal values are all in quantile 1). Without ties
/// the quantiles differ in size by at most one.
///
/// This is the rule of PHE's `phe_quantile` (ties at the minimum rank,
/// `invert = FALSE`), computed in exact integer arithmetic instead of PHE's
/// floating point, so it has no rounding artefacts at the boundaries (see
/// [`phe_quantile`]).
///
/// Errors: no values, a non-finite value (missing incomes must be removed
/// by the caller, who decides what they mean), `nquantiles` of 0, and fewer
/// persons than quantiles ([`MeasureError::Undefined`]).
pub fn income_quantiles(values: &[f64], nquantiles: u32) -> Result<Vec<u32>, MeasureError> {
    if nquantiles == 0 {
        return Err(MeasureError::Invalid(
            "the number of quantiles must be at least 1".into(),
        ));
    }
    let mut sorted = Vec::with_capacity(values.len());
    for &v in values {
        sorted.push(finite("income", v)?);
    }
    if sorted.len() < nquantiles as usize {
        return Err(MeasureError::Undefined {
            measure: "income quantiles",
            reason: format!("{} values cannot fill {nquantiles} quantiles", sorted.len()),
        });
    }
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len() as u128;
    let q = u128::from(nquantiles);
    Ok(values
        .iter()
        .map(|&v| {
            let below = sorted.partition_point(|&x| x < v) as u128;
            // below < n, so the quantile is at most q and fits in u32.
            (below * q / n + 1) as u32
        })
        .collect())
}
