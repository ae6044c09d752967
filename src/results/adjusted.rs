//! Adjusted comparisons of a table's social or geographic stratifier
//! ([`crate::measures::adjusted`]): per level, the odds ratio against the reference level and the
//! adjusted share and difference, unadjusted, adjusted for age and sex, and mutually adjusted
//! (for age, sex and every other social and geographic stratifier of the spec, with
//! multimorbidity as comorbidity when the spec has it), each fitted on the patients' counts
//! cross-classified by the model's factors.
//!
//! Only levels the disclosure gate released are compared, and the patients of the others are
//! left out of the models, so no estimate rests on a hidden group's persons.

use std::collections::BTreeMap;

use polars::prelude::*;

use super::context::{CONFIDENCE, DimensionContext};
use super::levels::{level_rank, reference_level};
use super::standardisation::broad_age_group;
use crate::aggregate::{LevelCounts, outcome_sums};
use crate::disclosure::gate::Decision;
use crate::error::{Error, Result};
use crate::measures::adjusted::{Cell, Factor, LevelComparison, compare};
use crate::spec::{AdjustmentSet, Derived, Measure, Stratifier};
use crate::tidy::{Row, TOTAL};

/// The column of the patients' sex and the name of the broad age group's factor.
const SEX: &str = "KOEN";
const AGE: &str = "AGE_GROUP";

/// The method code of an adjustment set in the tidy table.
pub fn method(set: AdjustmentSet) -> &'static str {
    match set {
        AdjustmentSet::None => "logit-unadjusted",
        AdjustmentSet::AgeSex => "logit-age-sex",
        AdjustmentSet::Mutual => "logit-mutual",
    }
}

/// The stratifiers a spec's mutual models adjust for: its compared ones and comorbidity
/// (multimorbidity, the Charlson index).
pub fn covariates(stratifiers: &[Stratifier]) -> Vec<Stratifier> {
    stratifiers
        .iter()
        .filter(|s| {
            s.adjustable()
                || matches!(
                    s,
                    Stratifier::Derived(Derived::Multimorbidity | Derived::Charlson)
                )
        })
        .cloned()
        .collect()
}

/// The factors of a set's model of `target` (its code first), as columns of [`CrossCounts`]:
/// origin and its western/non-western split describe the same persons, so the one compared
/// leaves the other out.
fn model_columns(
    set: AdjustmentSet,
    target: &Stratifier,
    covariates: &[Stratifier],
) -> Vec<String> {
    let mut columns = vec![target.code()];
    if set == AdjustmentSet::None {
        return columns;
    }
    if set == AdjustmentSet::Mutual {
        let origins = [
            Stratifier::Derived(Derived::Origin),
            Stratifier::Derived(Derived::OriginWestern),
        ];
        for c in covariates {
            let same_persons = origins.contains(c) && origins.contains(target);
            if c != target && !same_persons {
                columns.push(c.code());
            }
        }
    }
    columns.extend([AGE.to_string(), SEX.to_string()]);
    columns
}

/// The patients of one population cross-classified by every covariate, sex and broad age group:
/// per outcome, each pattern with its persons at risk and events. One grouping serves every
/// outcome and every compared stratifier.
pub struct CrossCounts {
    pub columns: Vec<String>,
    /// Per outcome (in the order asked), the patterns: levels in `columns`' order.
    pub cells: Vec<Vec<Cell>>,
}

/// [`CrossCounts`] of `patients` over `covariates` for the spec's outcomes `outcomes`.
pub fn cross_counts(
    patients: &DataFrame,
    covariates: &[Stratifier],
    outcomes: &[usize],
) -> Result<CrossCounts> {
    let mut columns: Vec<String> = covariates.iter().map(Stratifier::code).collect();
    let mut keys: Vec<Expr> = columns.iter().map(|c| col(c.as_str())).collect();
    keys.extend([col(SEX), col("AGE_BAND")]);
    let sums = outcome_sums(outcomes, DataType::Float64);
    let failed = |e: PolarsError| Error::BadInput(format!("the adjusted comparisons: {e}"));
    let table = patients
        .clone()
        .lazy()
        .group_by(keys)
        .agg(sums)
        .collect()
        .map_err(failed)?;
    let text = |name: &str| -> Result<Vec<String>> {
        Ok(table
            .column(name)?
            .str()?
            .iter()
            .map(|v| v.unwrap_or(crate::tidy::UNKNOWN).to_string())
            .collect())
    };
    let levels: Vec<Vec<String>> = columns.iter().map(|c| text(c)).collect::<Result<_>>()?;
    let sex = text(SEX)?;
    let bands = table.column("AGE_BAND")?.i32()?;
    let cells = (0..outcomes.len())
        .map(|k| {
            let persons = table.column(&format!("persons_{k}"))?.f64()?;
            let events = table.column(&format!("events_{k}"))?.f64()?;
            Ok((0..table.height())
                .map(|i| {
                    let mut of = Vec::with_capacity(columns.len() + 2);
                    of.extend(levels.iter().map(|l| l[i].clone()));
                    of.push(broad_age_group(bands.get(i).unwrap_or(0)).to_string());
                    of.push(sex[i].clone());
                    Cell {
                        levels: of,
                        persons: persons.get(i).unwrap_or(0.0),
                        events: events.get(i).unwrap_or(0.0),
                    }
                })
                .filter(|c| c.persons > 0.0)
                .collect())
        })
        .collect::<Result<_>>()?;
    columns.extend([AGE.to_string(), SEX.to_string()]);
    Ok(CrossCounts { columns, cells })
}

/// The note of a level the models cannot estimate.
const NO_ODDS: &str = "ikke beregnet: ingen eller alle i gruppen har udfaldet";

/// Whether every number of a comparison is finite (a level the model separates is not).
fn finite(c: &LevelComparison) -> bool {
    let estimate = |e: &crate::measures::Estimate| {
        e.value.is_finite() && e.lower.is_finite() && e.upper.is_finite()
    };
    estimate(&c.share)
        && c.difference.as_ref().is_none_or(estimate)
        && c.odds_ratio
            .as_ref()
            .is_none_or(|o| o.value.is_finite() && o.lower.is_finite() && o.upper.is_finite())
}

/// The cells of one model: `cells` summed over the factors it leaves out, without the patients of
/// levels of the target not in `kept`.
fn collapsed(cells: &[Cell], positions: &[usize], kept: &[String]) -> Vec<Cell> {
    let mut summed: BTreeMap<Vec<String>, (f64, f64)> = BTreeMap::new();
    for cell in cells {
        let key: Vec<String> = positions.iter().map(|&p| cell.levels[p].clone()).collect();
        if !kept.contains(&key[0]) {
            continue;
        }
        let entry = summed.entry(key).or_default();
        entry.0 += cell.persons;
        entry.1 += cell.events;
    }
    summed
        .into_iter()
        .map(|(levels, (persons, events))| Cell {
            levels,
            persons,
            events,
        })
        .collect()
}

/// The adjusted rows of one table: for each set, each level's odds ratio, adjusted share and
/// adjusted difference (the reference level's odds ratio and difference are blank and say so).
pub fn adjusted_rows(
    ctx: &DimensionContext<'_>,
    cross: &CrossCounts,
    outcome: usize,
    levels: &BTreeMap<String, LevelCounts>,
    decision: &Decision,
    sets: &[AdjustmentSet],
    covariates: &[Stratifier],
) -> Vec<Row> {
    let released = |level: &String| decision.get(level).is_some_and(|s| s.both());
    // A level where nobody or everybody had the outcome has no finite odds (its coefficient runs
    // off to infinity, and the model with it); it is left out of the models and said so.
    let degenerate = |level: &String| {
        levels
            .get(level)
            .is_some_and(|c| c.events() == 0 || c.events() == c.persons())
    };
    let sizes: BTreeMap<String, f64> = levels
        .iter()
        .filter(|(l, c)| released(l) && !degenerate(l) && c.persons() > 0 && *l != TOTAL)
        .map(|(l, c)| (l.clone(), c.persons() as f64))
        .collect();
    let reference = reference_level(ctx.stratifier, &sizes);
    let mut ordered: Vec<&String> = levels.keys().filter(|l| *l != TOTAL).collect();
    ordered.sort_by_key(|l| level_rank(ctx.stratifier, l));
    let mut rows = Vec::new();
    for &set in sets {
        let template = |measure: Measure, level: &str| ctx.row(measure, level, method(set));
        let columns = model_columns(set, ctx.stratifier, covariates);
        let positions: Option<Vec<usize>> = columns
            .iter()
            .map(|c| cross.columns.iter().position(|k| k == c))
            .collect();
        let compared = match (&reference, ctx.rounding, positions) {
            (None, ..) => Err("ikke beregnet: ingen referencegruppe med en oddsratio".to_string()),
            (_, Some(_), _) => Err(super::dimension::ROUNDED.to_string()),
            (_, _, None) => Err("en faktor i modellen mangler".to_string()),
            (Some(reference), None, Some(positions)) => {
                let mut kept: Vec<String> = vec![reference.clone()];
                kept.extend(
                    ordered
                        .iter()
                        .filter(|l| released(l) && **l != reference && sizes.contains_key(**l))
                        .map(|l| (*l).clone()),
                );
                let cells = collapsed(&cross.cells[outcome], &positions, &kept);
                let factors: Vec<Factor> = columns
                    .iter()
                    .enumerate()
                    .map(|(f, name)| Factor {
                        name: name.clone(),
                        levels: if f == 0 {
                            kept.clone()
                        } else {
                            let mut seen: Vec<String> =
                                cells.iter().map(|c| c.levels[f].clone()).collect();
                            seen.sort();
                            seen.dedup();
                            seen
                        },
                    })
                    .collect();
                compare(&cells, &factors, 0, CONFIDENCE).map_err(|e| format!("ikke beregnet: {e}"))
            }
        };
        for level in &ordered {
            let mut odds = template(Measure::OddsRatio, level);
            let mut share = template(Measure::AdjustedShare, level);
            let mut difference = template(Measure::AdjustedDifference, level);
            match &compared {
                _ if !released(level) => {
                    for row in [&mut odds, &mut share, &mut difference] {
                        row.suppressed = true;
                        row.note = "undertrykt".into();
                    }
                }
                _ if degenerate(level) => {
                    for row in [&mut odds, &mut share, &mut difference] {
                        row.note = NO_ODDS.into();
                    }
                }
                Err(why) => {
                    for row in [&mut odds, &mut share, &mut difference] {
                        row.note = why.clone();
                    }
                }
                Ok(found) => match found.iter().find(|c| c.level == **level) {
                    None => {
                        for row in [&mut odds, &mut share, &mut difference] {
                            row.note = crate::tidy::EMPTY_GROUP.into();
                        }
                    }
                    Some(c) if !finite(c) => {
                        for row in [&mut odds, &mut share, &mut difference] {
                            row.note = NO_ODDS.into();
                        }
                    }
                    Some(c) => {
                        share.value = Some(c.share.value * 100.0);
                        share.lower = Some(c.share.lower * 100.0);
                        share.upper = Some(c.share.upper * 100.0);
                        match (&c.odds_ratio, &c.difference) {
                            (Some(or), Some(d)) => {
                                odds.value = Some(or.value);
                                odds.lower = Some(or.lower);
                                odds.upper = Some(or.upper);
                                difference.value = Some(d.value * 100.0);
                                difference.lower = Some(d.lower * 100.0);
                                difference.upper = Some(d.upper * 100.0);
                            }
                            _ => {
                                odds.note = "referencegruppe".into();
                                difference.note = "referencegruppe".into();
                            }
                        }
                    }
                },
            }
            rows.extend([odds, share, difference]);
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mutual_model_leaves_out_what_describes_the_same_persons() {
        let covariates = covariates(&[
            Stratifier::Derived(Derived::Education),
            Stratifier::Derived(Derived::Origin),
            Stratifier::Derived(Derived::OriginWestern),
            Stratifier::Derived(Derived::Sex),
            Stratifier::Derived(Derived::Multimorbidity),
            Stratifier::Derived(Derived::Municipality),
        ]);
        let origin = Stratifier::Derived(Derived::Origin);
        assert_eq!(
            model_columns(AdjustmentSet::Mutual, &origin, &covariates),
            ["origin", "education", "multimorbidity", AGE, SEX]
        );
        assert_eq!(
            model_columns(AdjustmentSet::AgeSex, &origin, &covariates),
            ["origin", AGE, SEX]
        );
        assert_eq!(
            model_columns(AdjustmentSet::None, &origin, &covariates),
            ["origin"]
        );
    }

    #[test]
    fn a_model_sums_the_factors_it_leaves_out_and_the_hidden_levels() {
        let cell = |levels: &[&str], persons: f64, events: f64| Cell {
            levels: levels.iter().map(|s| s.to_string()).collect(),
            persons,
            events,
        };
        let cells = [
            cell(&["a", "x", "1"], 10.0, 2.0),
            cell(&["a", "y", "1"], 5.0, 1.0),
            cell(&["b", "x", "2"], 7.0, 3.0),
            cell(&["c", "x", "2"], 4.0, 4.0),
        ];
        let kept = ["a".to_string(), "b".to_string()];
        assert_eq!(
            collapsed(&cells, &[0, 2], &kept),
            vec![cell(&["a", "1"], 15.0, 3.0), cell(&["b", "2"], 7.0, 3.0)]
        );
    }
}
