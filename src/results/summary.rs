//! HEAT's summary measures of a dimension (SII, RII, concentration indices, PAF, PAR, dispersion
//! measures) computed from the gated levels with [`crate::measures::summary::summarise`], which
//! applies HEAT's applicability table and suppression tests.
//!
//! Disclosure rule: a summary measure is computed from the full counts inside, but released only
//! when every level it rests on was released by the gate; otherwise the row is withheld with a
//! note, since a summary of all levels together with the released ones could narrow a suppressed
//! level. A measure HEAT does not compute for the dimension's shape (a slope index of an
//! unordered dimension, a measure of two subgroups) is "not computed" with HEAT's reason either
//! way: the shape is public, so saying so gives nothing away. The unknown level is not part of
//! any summary measure.

use super::context::{CONFIDENCE, DimensionContext, GatedLevel, percent_subgroup};
use super::levels::{order_of, reference_level};
use crate::error::{Error, Result};
use crate::measures::MeasureError;
use crate::measures::delta::delta_intervals;
use crate::measures::summary::{
    DimensionInput, PHE_REPETITIONS, SubgroupInput, not_for_shape, summarise,
};
use crate::spec::{Measure, RequestedMeasure, SummaryMeasure};
use crate::tidy::UNKNOWN;
use crate::tidy::{Row, SUMMARY_GROUP, TOTAL};

/// Simulated data sets of HEAT's simulated intervals: one, since every measure HEAT simulates an
/// interval for is released without one (`measures::delta`, `Treatment::Withheld`).
const REPETITIONS: usize = 1;

/// The summary-measure rows of one dimension that the spec asks for.
pub fn summary_measures(ctx: &DimensionContext<'_>, gated: &[GatedLevel]) -> Result<Vec<Row>> {
    let levels: Vec<&GatedLevel> = gated
        .iter()
        .filter(|g| g.level != TOTAL && g.level != UNKNOWN && g.counts.persons() > 0)
        .collect();
    // A summary measure the spec asks for (HEAT's `d` and `r` are the spec's `difference` and
    // `ratio`, computed per level, not here).
    let wanted = |code: &str| {
        SummaryMeasure::from_code(code).filter(|&s| ctx.wants(RequestedMeasure::Summary(s)))
    };
    let all_released = levels.iter().all(|g| g.released);
    let sizes = levels
        .iter()
        .map(|g| (g.level.clone(), g.counts.persons() as f64))
        .collect();
    let reference = reference_level(ctx.stratifier, &sizes);
    let total = gated.iter().find(|g| g.level == TOTAL);
    let input = DimensionInput {
        groups: levels
            .iter()
            .map(|g| {
                let s = percent_subgroup(&g.counts);
                SubgroupInput {
                    estimate: Some(s.estimate),
                    se: s.se,
                    lower: None,
                    upper: None,
                    population: Some(s.population),
                    order: order_of(ctx.stratifier, &g.level),
                    reference: reference.as_deref() == Some(g.level.as_str()),
                }
            })
            .collect(),
        polarity: ctx.polarity(),
        scale: Some(100.0),
        setting_average: total.map(|t| percent_subgroup(&t.counts).estimate),
        confidence: CONFIDENCE,
        reps: REPETITIONS,
        phe_reps: PHE_REPETITIONS,
        seed: ctx.seed("summary"),
    };
    // Ordered dimensions need every level 1..n; with a level absent, treat as non-ordered.
    let input = if input.groups.iter().any(|g| g.order.is_some())
        && !(1..=input.groups.len() as u32).all(|o| input.groups.iter().any(|g| g.order == Some(o)))
    {
        DimensionInput {
            groups: input
                .groups
                .into_iter()
                .map(|g| SubgroupInput { order: None, ..g })
                .collect(),
            ..input
        }
    } else {
        input
    };
    let ordered = input.groups.iter().any(|g| g.order.is_some());
    let subgroups = input.groups.len();
    let failed = |e: MeasureError| {
        Error::Internal(format!(
            "summary measures of {} by {}: {e}",
            ctx.analysis,
            ctx.stratifier.code()
        ))
    };
    let mut computed = summarise(&input).map_err(failed)?;
    // The intervals HEAT takes from a model of the few subgroup points are replaced by the delta
    // method on each subgroup's binomial variance (`measures::delta`, which says why).
    delta_intervals(&input, &mut computed).map_err(failed)?;
    Ok(computed
        .into_iter()
        .filter_map(|r| wanted(r.measure).map(|s| (s, r)))
        .map(|(s, r)| {
            let mut row = ctx.row(Measure::Summary(s), SUMMARY_GROUP, r.method);
            if all_released {
                row.value = r.value;
                row.lower = r.lower;
                row.upper = r.upper;
                row.note = r.note;
            } else if let Some(reason) = not_for_shape(r.measure, r.method, ordered, subgroups) {
                row.note = reason;
            } else {
                row.suppressed = true;
                row.note = "tilbageholdt: hviler på en undertrykt gruppe".into();
            }
            row
        })
        .collect())
}
