//! The aggregate step: the collected patients become counts by stratifier level x sex x 5-year
//! age band, one small table per stratifier and outcome. This GROUP BY is the seam between the
//! person-level work and the small tables the measures work on.

use std::collections::BTreeMap;

use polars::prelude::*;

use crate::cohort::outcome_columns;
use crate::error::{Error, Result};

/// Persons at risk and persons with the outcome of one level, by sex (0 men, 1 women) and
/// 5-year age band (0-4 ... 90+).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LevelCounts {
    pub persons: [[u64; 19]; 2],
    pub events: [[u64; 19]; 2],
}

impl LevelCounts {
    pub fn persons(&self) -> u64 {
        self.persons.iter().flatten().sum()
    }

    pub fn events(&self) -> u64 {
        self.events.iter().flatten().sum()
    }

    /// Adds another level's counts (for totals).
    pub fn add(&mut self, other: &LevelCounts) {
        for s in 0..2 {
            for b in 0..19 {
                self.persons[s][b] += other.persons[s][b];
                self.events[s][b] += other.events[s][b];
            }
        }
    }
}

/// Days from the index to the outcome among the patients who had it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Waiting {
    pub count: u64,
    pub mean: f64,
    pub sd: f64,
    pub median: f64,
}

fn failed(e: PolarsError) -> Error {
    Error::BadInput(format!(
        "the analysis could not be computed from the registers: {e}"
    ))
}

/// Counts by level of `column` for outcome `outcome`, in level order (sorted text).
pub fn counts(
    patients: &DataFrame,
    column: &str,
    outcome: usize,
) -> Result<BTreeMap<String, LevelCounts>> {
    let (out, _) = outcome_columns(outcome);
    let table = patients
        .clone()
        .lazy()
        .filter(col(out.as_str()).is_not_null())
        .group_by([col(column), col("KOEN"), col("AGE_BAND")])
        .agg([
            len().cast(DataType::UInt64).alias("persons"),
            col(out.as_str())
                .cast(DataType::UInt64)
                .sum()
                .alias("events"),
        ])
        .collect()
        .map_err(failed)?;
    let level = table.column(column)?.str()?;
    let sex = table.column("KOEN")?.str()?;
    let band = table.column("AGE_BAND")?.i32()?;
    let persons = table.column("persons")?.u64()?;
    let events = table.column("events")?.u64()?;
    let mut levels: BTreeMap<String, LevelCounts> = BTreeMap::new();
    for i in 0..table.height() {
        let entry = levels
            .entry(level.get(i).unwrap_or(crate::strata::UNKNOWN).to_string())
            .or_default();
        let s = usize::from(sex.get(i) == Some("2"));
        let b = band.get(i).unwrap_or(0).clamp(0, 18) as usize;
        entry.persons[s][b] += persons.get(i).unwrap_or(0);
        entry.events[s][b] += events.get(i).unwrap_or(0);
    }
    Ok(levels)
}

/// Waiting-time summaries by level of `column`, and for the total, for outcome `outcome`
/// (patients with the event).
pub fn waiting(
    patients: &DataFrame,
    column: &str,
    outcome: usize,
) -> Result<BTreeMap<String, Waiting>> {
    let (out, wait) = outcome_columns(outcome);
    let days = col(wait.as_str()).cast(DataType::Float64);
    let with_outcome = patients.clone().lazy().filter(col(out.as_str()).eq(lit(1)));
    // The levels and the total (all patients with the outcome) in one table.
    let table = concat(
        [
            with_outcome.clone(),
            with_outcome.with_column(lit(crate::pipeline::results::TOTAL).alias(column)),
        ],
        UnionArgs::default(),
    )
    .map_err(failed)?
    .group_by([col(column)])
    .agg([
        len().cast(DataType::UInt64).alias("count"),
        days.clone().mean().alias("mean"),
        days.clone().std(1).alias("sd"),
        days.median().alias("median"),
    ])
    .collect()
    .map_err(failed)?;
    let level = table.column(column)?.str()?;
    let count = table.column("count")?.u64()?;
    let [mean, sd, median] =
        ["mean", "sd", "median"].map(|c| table.column(c).and_then(|c| c.f64().cloned()));
    let (mean, sd, median) = (mean?, sd?, median?);
    Ok((0..table.height())
        .map(|i| {
            (
                level.get(i).unwrap_or(crate::strata::UNKNOWN).to_string(),
                Waiting {
                    count: count.get(i).unwrap_or(0),
                    mean: mean.get(i).unwrap_or(f64::NAN),
                    sd: sd.get(i).unwrap_or(f64::NAN),
                    median: median.get(i).unwrap_or(f64::NAN),
                },
            )
        })
        .collect())
}
