//! From aggregated cells to the released result rows of an analysis: crude and age-standardised
//! proportions per stratifier level, the difference and ratio to the most advantaged level, all
//! passed through the disclosure gate before anything is returned.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::aggregate::{Cell, STRATA};
use crate::disclosure::{
    DisclosureError, PrimaryRule, RateRow, RateTable, SecondaryConfig, SummaryDecision, Threshold,
    protect, summary_decision,
};
use crate::error::{Error, Result};
use crate::measures::dsr::{dsr, esp2013_weights};
use crate::measures::proportion::wilson;
use crate::measures::simple::{difference, ratio};
use crate::measures::subgroup::{Polarity, Subgroup};
use crate::pipeline::spec::{LoadedSpec, Stratifier};

/// The confidence level of every interval in the tables.
pub const CONFIDENCE: f64 = 0.95;

/// One row of the tidy output: one (analysis, measure, dimension, group).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ResultRow {
    pub analysis: String,
    pub measure: &'static str,
    pub dimension: &'static str,
    pub group: String,
    pub value: Option<f64>,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    pub numerator: Option<u64>,
    pub denominator: Option<u64>,
    pub method: &'static str,
    pub suppressed: bool,
    pub note: String,
}

/// Counts of one level: persons and outcomes by 5-year age band (0-4 ... 90+).
#[derive(Debug, Clone, Default)]
struct LevelCounts {
    persons: [u64; 19],
    events: [u64; 19],
}

impl LevelCounts {
    fn persons(&self) -> u64 {
        self.persons.iter().sum()
    }
    fn events(&self) -> u64 {
        self.events.iter().sum()
    }
}

/// Levels in their reading order: the ordered dimensions from most disadvantaged up, unknown last.
fn level_rank(stratifier: Stratifier, level: &str) -> (usize, String) {
    let order: &[&str] = match stratifier {
        Stratifier::Education => &["kort", "mellem", "lang"],
        Stratifier::Origin => &["dansk", "indvandrer", "efterkommer"],
        _ => &[],
    };
    let rank = order
        .iter()
        .position(|l| *l == level)
        .unwrap_or(if level == "uoplyst" {
            usize::MAX
        } else {
            order.len()
        });
    (rank, level.to_string())
}

/// The reference level for differences and ratios: the most advantaged level of an ordered
/// dimension (long education, the highest income quintile), Danish origin for origin, and for
/// non-ordered dimensions the level with the highest proportion (HEAT's choice for a favourable
/// indicator without a user reference).
fn reference_level(stratifier: Stratifier, crude: &BTreeMap<String, f64>) -> Option<String> {
    let fixed = match stratifier {
        Stratifier::Education => Some("lang"),
        Stratifier::IncomeQuintile => Some("5"),
        Stratifier::Origin => Some("dansk"),
        Stratifier::Region | Stratifier::Sex => None,
    };
    match fixed {
        Some(level) => crude.contains_key(level).then(|| level.to_string()),
        None => crude
            .iter()
            .filter(|(l, _)| l.as_str() != "uoplyst")
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map(|(l, _)| l.clone()),
    }
}

/// Broad age groups for standardisation (first 5-year band of each): 5-year bands are too
/// sparse in small strata, so the ESP2013 weights of the bands in a group are pooled.
const BROAD_AGE_GROUPS: [usize; 8] = [0, 3, 6, 9, 11, 13, 15, 17];

/// The age-standardised proportion of a level by direct standardisation to ESP2013 over the
/// broad age groups in which the whole patient group has persons (Dobson CI, via
/// [`crate::measures::dsr::dsr`]).
fn standardised(
    level: &LevelCounts,
    total: &LevelCounts,
) -> std::result::Result<(f64, f64, f64), String> {
    let weights = esp2013_weights();
    let (mut events, mut persons, mut standard) = (Vec::new(), Vec::new(), Vec::new());
    for (g, &start) in BROAD_AGE_GROUPS.iter().enumerate() {
        let end = BROAD_AGE_GROUPS.get(g + 1).copied().unwrap_or(19);
        let sum = |v: &[u64; 19]| v[start..end].iter().sum::<u64>() as f64;
        if sum(&total.persons) == 0.0 {
            continue;
        }
        if sum(&level.persons) == 0.0 {
            let ages = if end == 19 {
                format!("{}+", start * 5)
            } else {
                format!("{}-{}", start * 5, end * 5 - 1)
            };
            return Err(format!(
                "ikke standardiseret: ingen personer i aldersgruppen {ages} i denne gruppe"
            ));
        }
        events.push(sum(&level.events));
        persons.push(sum(&level.persons));
        standard.push(weights[start..end].iter().sum());
    }
    dsr(&events, &persons, &standard, CONFIDENCE)
        .map(|d| (d.estimate.value, d.estimate.lower, d.estimate.upper))
        .map_err(|e| e.to_string())
}

fn gate_error(e: DisclosureError) -> Error {
    Error::Internal(format!("disclosure control: {e}"))
}

/// Suppression counts for the run's manifest.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SuppressionSummary {
    pub threshold: u64,
    pub primary: usize,
    pub secondary: usize,
}

/// Computes and gates the rows of one analysis.
pub fn compute(
    spec: &LoadedSpec,
    cells: &[Cell],
    threshold: Threshold,
) -> Result<(Vec<ResultRow>, SuppressionSummary)> {
    let rule = PrimaryRule::new(threshold);
    let mut rows = Vec::new();
    let mut summary = SuppressionSummary {
        threshold: threshold.value(),
        ..Default::default()
    };
    let analysis = &spec.spec.id;
    for &stratifier in &spec.spec.stratifiers {
        let k = STRATA
            .iter()
            .position(|s| *s == stratifier.code())
            .expect("every stratifier is aggregated");
        let mut levels: BTreeMap<String, LevelCounts> = BTreeMap::new();
        let mut total = LevelCounts::default();
        for cell in cells {
            let entry = levels.entry(cell.levels[k].clone()).or_default();
            entry.persons[cell.age_band] += cell.persons;
            entry.events[cell.age_band] += cell.events;
            total.persons[cell.age_band] += cell.persons;
            total.events[cell.age_band] += cell.events;
        }
        let mut ordered: Vec<(String, LevelCounts)> = levels.into_iter().collect();
        ordered.sort_by_key(|(l, _)| level_rank(stratifier, l));

        // The gate: the level rows and their total as one rate table.
        let rate_rows: Vec<RateRow> = ordered
            .iter()
            .map(|(l, c)| RateRow::new(l.clone(), c.events(), c.persons()))
            .collect();
        let table = RateTable::new(
            &rate_rows,
            &RateRow::new("i alt", total.events(), total.persons()),
        )
        .map_err(gate_error)?;
        let primary = table.primary_pattern(&rule).map_err(gate_error)?;
        let protection = protect(
            table.table_set(),
            &primary,
            threshold,
            &SecondaryConfig::default(),
        )
        .map_err(gate_error)?;
        if !protection.audit.passes() {
            return Err(Error::Internal(format!(
                "disclosure audit failed for {analysis} by {}",
                stratifier.code()
            )));
        }
        let pattern = &protection.pattern;
        summary.primary += primary.suppressed().len();
        summary.secondary += pattern.secondary().len();

        let mut groups: Vec<(String, LevelCounts, bool)> = Vec::new();
        for (level, counts) in ordered
            .into_iter()
            .chain([("i alt".to_string(), total.clone())])
        {
            let cells = if level == "i alt" {
                Some(table.total())
            } else {
                table.level(&level)
            }
            .ok_or_else(|| Error::Internal(format!("level {level} missing from the gate")))?;
            let released = summary_decision(
                table.table_set(),
                pattern,
                &[cells.numerator, cells.denominator],
            )
            .map_err(gate_error)?
                == SummaryDecision::Release;
            let shown = |cell, value: u64| pattern.is_released(cell).then_some(value);
            let numerator = shown(cells.numerator, counts.events());
            let denominator = shown(cells.denominator, counts.persons());
            let base = ResultRow {
                analysis: analysis.clone(),
                measure: "proportion",
                dimension: stratifier.code(),
                group: level.clone(),
                value: None,
                lower: None,
                upper: None,
                numerator,
                denominator,
                method: "wilson",
                suppressed: !released,
                note: if released {
                    String::new()
                } else {
                    "undertrykt: færre end tærsklen eller beskytter en anden celle".into()
                },
            };
            if released {
                let (value, lower, upper, note) =
                    match wilson(counts.events() as f64, counts.persons() as f64, CONFIDENCE) {
                        Ok(e) => (
                            Some(e.value * 100.0),
                            Some(e.lower * 100.0),
                            Some(e.upper * 100.0),
                            String::new(),
                        ),
                        Err(e) => (None, None, None, e.to_string()),
                    };
                rows.push(ResultRow {
                    value,
                    lower,
                    upper,
                    note,
                    ..base.clone()
                });
                if spec.spec.standardisation.is_some() {
                    let (value, lower, upper, note) = match standardised(&counts, &total) {
                        Ok((v, l, u)) => (
                            Some(v * 100.0),
                            Some(l * 100.0),
                            Some(u * 100.0),
                            String::new(),
                        ),
                        Err(e) => (None, None, None, e),
                    };
                    rows.push(ResultRow {
                        measure: "proportion_age_std",
                        method: "dsr-dobson-esp2013",
                        value,
                        lower,
                        upper,
                        note,
                        ..base.clone()
                    });
                }
            } else {
                rows.push(base.clone());
                if spec.spec.standardisation.is_some() {
                    rows.push(ResultRow {
                        measure: "proportion_age_std",
                        method: "dsr-dobson-esp2013",
                        ..base.clone()
                    });
                }
            }
            groups.push((level, counts, released));
        }
        rows.extend(comparisons(analysis, stratifier, &groups)?);
    }
    Ok((rows, summary))
}

/// Difference (percentage points) and ratio of each level's proportion to the reference level's,
/// with delta-method CIs from the binomial standard errors (healthequal `d()`/`r()`). Withheld
/// when either proportion was withheld by the gate.
fn comparisons(
    analysis: &str,
    stratifier: Stratifier,
    groups: &[(String, LevelCounts, bool)],
) -> Result<Vec<ResultRow>> {
    let subgroup = |c: &LevelCounts| {
        let (x, n) = (c.events() as f64, c.persons() as f64);
        let p = if n > 0.0 { x / n } else { 0.0 };
        Subgroup {
            estimate: p * 100.0,
            se: (n > 0.0).then(|| (p * (1.0 - p) / n).sqrt() * 100.0),
            population: n,
            order: None,
            reference: false,
        }
    };
    let crude: BTreeMap<String, f64> = groups
        .iter()
        .filter(|(l, _, released)| *released && l != "i alt")
        .map(|(l, c, _)| (l.clone(), subgroup(c).estimate))
        .collect();
    let Some(reference) = reference_level(stratifier, &crude) else {
        return Ok(Vec::new());
    };
    let reference_counts = &groups
        .iter()
        .find(|(l, _, _)| *l == reference)
        .expect("listed")
        .1;
    let mut rows = Vec::new();
    for (level, counts, released) in groups {
        if *level == reference || level == "i alt" {
            continue;
        }
        // With two subgroups and a user reference, HEAT's adverse-indicator rule puts the level
        // first and the reference second: D = level - reference, R = level / reference.
        let pair = [
            subgroup(counts),
            Subgroup {
                reference: true,
                ..subgroup(reference_counts)
            },
        ];
        for (measure, method, result) in [
            (
                "difference",
                "delta-method",
                difference(&pair, Polarity::Adverse, CONFIDENCE),
            ),
            (
                "ratio",
                "delta-method-log",
                ratio(&pair, Polarity::Adverse, CONFIDENCE),
            ),
        ] {
            let mut row = ResultRow {
                analysis: analysis.to_string(),
                measure,
                dimension: stratifier.code(),
                group: level.clone(),
                value: None,
                lower: None,
                upper: None,
                numerator: None,
                denominator: None,
                method,
                suppressed: !released,
                note: format!("reference: {reference}"),
            };
            if *released {
                match result {
                    Ok(m) => {
                        row.value = Some(m.value);
                        row.lower = m.lower;
                        row.upper = m.upper;
                    }
                    Err(e) => row.note = format!("reference: {reference}; {e}"),
                }
            } else {
                row.note = format!("reference: {reference}; undertrykt");
            }
            rows.push(row);
        }
    }
    Ok(rows)
}
