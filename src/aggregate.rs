//! The aggregate step: the collected patients become counts by stratifier level x sex x 5-year
//! age band, one small table per stratifier and outcome (from one grouping per stratifier). This
//! GROUP BY is the seam between the person-level work and the small tables the measures work on.

use std::collections::BTreeMap;

use polars::prelude::*;

use crate::cohort::{count_column, outcome_columns};
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

    /// Counts known only as totals (rounded ones), kept in one cell: for measures over the
    /// levels' totals, never for standardisation by age and sex.
    pub fn from_totals(events: u64, persons: u64) -> LevelCounts {
        let mut counts = LevelCounts::default();
        counts.events[0][0] = events;
        counts.persons[0][0] = persons;
        counts
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

/// A value's count, mean, sample standard deviation and median among a level's patients: days
/// from the index to the outcome among those who had it ([`waiting`]), or the number of events
/// per patient at risk ([`event_counts`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ValueSummary {
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

/// Per outcome `k` of `outcomes` (indices of the spec's outcomes), the aggregations of a grouping
/// of the patients: `persons_k`, those at risk (`OUT_i` not null), and `events_k`, those with the
/// outcome, as `dtype`.
pub fn outcome_sums(outcomes: &[usize], dtype: DataType) -> Vec<Expr> {
    let mut sums = Vec::with_capacity(2 * outcomes.len());
    for (k, &outcome) in outcomes.iter().enumerate() {
        let (out, _) = outcome_columns(outcome);
        sums.push(
            col(out.as_str())
                .is_not_null()
                .sum()
                .cast(dtype.clone())
                .alias(format!("persons_{k}")),
        );
        sums.push(
            col(out.as_str())
                .cast(dtype.clone())
                .sum()
                .alias(format!("events_{k}")),
        );
    }
    sums
}

/// Counts by level of `column` for each outcome of `outcomes` (indices of the spec's outcomes),
/// in the order given, each in level order (sorted text). A level appears for an outcome when
/// it has a patient at risk of it (`OUT_i` not null).
///
/// One grouping of the patients serves every outcome, with a count of those at risk and a sum
/// of the events per outcome: at national volume the patients of an analysis are up to 2
/// million rows, and a grouping per outcome read them once for each.
pub fn counts(
    patients: &DataFrame,
    column: &str,
    outcomes: &[usize],
) -> Result<Vec<BTreeMap<String, LevelCounts>>> {
    let sums = outcome_sums(outcomes, DataType::UInt64);
    let table = patients
        .clone()
        .lazy()
        .group_by([col(column), col("KOEN"), col("AGE_BAND")])
        .agg(sums)
        .collect()
        .map_err(failed)?;
    let level = table.column(column)?.str()?;
    let sex = table.column("KOEN")?.str()?;
    let band = table.column("AGE_BAND")?.i32()?;
    (0..outcomes.len())
        .map(|k| {
            let persons = table.column(&format!("persons_{k}"))?.u64()?;
            let events = table.column(&format!("events_{k}"))?.u64()?;
            let mut levels: BTreeMap<String, LevelCounts> = BTreeMap::new();
            for i in 0..table.height() {
                // A level with patients but nobody at risk is listed (empty): its absence from
                // a survivors-only table would tell that everyone in it died.
                let at_risk = persons.get(i).unwrap_or(0);
                let entry = levels
                    .entry(level.get(i).unwrap_or(crate::tidy::UNKNOWN).to_string())
                    .or_default();
                let s = usize::from(sex.get(i) == Some("2"));
                let b = band.get(i).unwrap_or(0).clamp(0, 18) as usize;
                entry.persons[s][b] += at_risk;
                entry.events[s][b] += events.get(i).unwrap_or(0);
            }
            Ok(levels)
        })
        .collect()
}

/// Waiting-time summaries by level of `column`, and for the total, for outcome `outcome`
/// (patients with the event).
pub fn waiting(
    patients: &DataFrame,
    column: &str,
    outcome: usize,
) -> Result<BTreeMap<String, ValueSummary>> {
    let (out, wait) = outcome_columns(outcome);
    summaries(patients, column, col(out.as_str()).eq(lit(1)), &wait)
}

/// Summaries of the number of events per patient at risk by level of `column`, and for the
/// total, for outcome `outcome` (one with `count`).
pub fn event_counts(
    patients: &DataFrame,
    column: &str,
    outcome: usize,
) -> Result<BTreeMap<String, ValueSummary>> {
    let (out, _) = outcome_columns(outcome);
    summaries(
        patients,
        column,
        col(out.as_str()).is_not_null(),
        &count_column(outcome),
    )
}

/// Summaries of `value` among the patients `kept`, by level of `column` and for the total.
fn summaries(
    patients: &DataFrame,
    column: &str,
    kept: Expr,
    value: &str,
) -> Result<BTreeMap<String, ValueSummary>> {
    let days = col(value).cast(DataType::Float64);
    let with_outcome = patients.clone().lazy().filter(kept);
    // The levels and the total (all patients kept) in one table.
    let table = concat(
        [
            with_outcome.clone(),
            with_outcome.with_column(lit(crate::tidy::TOTAL).alias(column)),
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
                level.get(i).unwrap_or(crate::tidy::UNKNOWN).to_string(),
                ValueSummary {
                    count: count.get(i).unwrap_or(0),
                    mean: mean.get(i).unwrap_or(f64::NAN),
                    sd: sd.get(i).unwrap_or(f64::NAN),
                    median: median.get(i).unwrap_or(f64::NAN),
                },
            )
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Five patients, counted by hand: outcome 0 is null (not at risk) for the `lang` patient and
    /// outcome 1 for the first `kort` patient and the one without a level.
    fn patients() -> DataFrame {
        df!(
            "education" => [Some("kort"), Some("kort"), Some("kort"), Some("lang"), None],
            "KOEN" => ["1", "1", "2", "2", "1"],
            "AGE_BAND" => [10i32, 10, 12, 12, 3],
            "OUT_0" => [Some(1i32), Some(0), Some(1), None, Some(0)],
            "OUT_1" => [None, Some(1i32), Some(0), Some(1), None],
        )
        .expect("frame")
    }

    #[test]
    fn one_grouping_counts_each_outcome_among_its_own_patients_at_risk() {
        let both = counts(&patients(), "education", &[0, 1]).expect("counts");
        let first = &both[0];
        assert_eq!(
            first.keys().collect::<Vec<_>>(),
            ["kort", "lang", crate::tidy::UNKNOWN],
            "lang has no patient at risk of outcome 0 but is listed, empty"
        );
        assert_eq!((first["lang"].persons(), first["lang"].events()), (0, 0));
        let kort = &first["kort"];
        assert_eq!((kort.persons[0][10], kort.events[0][10]), (2, 1));
        assert_eq!((kort.persons[1][12], kort.events[1][12]), (1, 1));
        assert_eq!((kort.persons(), kort.events()), (3, 2));
        let unknown = &first[crate::tidy::UNKNOWN];
        assert_eq!((unknown.persons[0][3], unknown.events()), (1, 0));

        let second = &both[1];
        assert_eq!(
            second.keys().collect::<Vec<_>>(),
            ["kort", "lang", crate::tidy::UNKNOWN]
        );
        assert_eq!(second[crate::tidy::UNKNOWN].persons(), 0);
        let kort = &second["kort"];
        assert_eq!((kort.persons[0][10], kort.events[0][10]), (1, 1));
        assert_eq!((kort.persons[1][12], kort.events[1][12]), (1, 0));
        assert_eq!(
            (second["lang"].persons[1][12], second["lang"].events()),
            (1, 1)
        );

        let alone = counts(&patients(), "education", &[1]).expect("counts");
        assert_eq!(
            alone,
            vec![second.clone()],
            "the order given, each alone alike"
        );
    }

    /// Outcome 0's number of events per patient at risk, by hand: kort has 3, 0 and 5 events
    /// (mean 8/3, sd sqrt(((1/3)^2 + (8/3)^2 + (7/3)^2) / 2) = sqrt(19/3), median 3); lang is not
    /// at risk; the unknown level has 0; the total 3, 0, 5 and 0 (mean 2, median 1.5).
    #[test]
    fn events_per_patient_are_summarised_among_those_at_risk_with_their_zeros() {
        let mut frame = patients();
        frame
            .with_column(Column::new(
                "COUNT_0".into(),
                [Some(3u32), Some(0), Some(5), None, Some(0)],
            ))
            .expect("counts");
        let summaries = event_counts(&frame, "education", 0).expect("summaries");
        let kort = summaries["kort"];
        assert_eq!(kort.count, 3);
        assert!((kort.mean - 8.0 / 3.0).abs() < 1e-12, "{kort:?}");
        assert!((kort.sd - (19.0f64 / 3.0).sqrt()).abs() < 1e-12, "{kort:?}");
        assert_eq!(kort.median, 3.0);
        assert!(!summaries.contains_key("lang"), "nobody at risk");
        let unknown = summaries[crate::tidy::UNKNOWN];
        assert_eq!((unknown.count, unknown.mean, unknown.median), (1, 0.0, 0.0));
        let total = summaries[crate::tidy::TOTAL];
        assert_eq!((total.count, total.mean, total.median), (4, 2.0, 1.5));
    }
}
