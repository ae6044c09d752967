//! Stratifiers attached to person-level rows: education, income quintile, origin, region, sex,
//! and the age band used for standardisation.
//!
//! Level codes are the ones `truth.json` uses, so results and truth compare directly:
//! education `kort`/`mellem`/`lang`/`uoplyst` (SEPLINE groups of the H-groups), income quintile
//! `1`..`5` or `uoplyst`, origin `dansk`/`indvandrer`/`efterkommer`, region `1081`..`1085`, sex `1`
//! (male) / `2` (female).

use polars::prelude::*;

use crate::dates;
use crate::error::Result;
use crate::pipeline::spec::LoadedSpec;
use crate::registers::codes::municipalities;
use crate::registers::scan::RegisterSet;

/// The level used where a register has no value for a person.
pub const UNKNOWN: &str = "uoplyst";

/// Education group from the latest `udda` file up to the index year. Without a user table the
/// H-group is the first two digits of `HFAUDD`, true of synthetic data only (REGISTERS.md); the
/// SEPLINE grouping is short (H10, H15), medium (H20, H30, H35), long (H40-H80), unknown (H90).
fn education(registers: &RegisterSet, year: i32) -> Result<Option<LazyFrame>> {
    let Some(latest) = registers
        .discovered
        .years("udda")
        .into_iter()
        .filter(|&y| y <= year)
        .max()
    else {
        return Ok(None);
    };
    let Some(udda) = registers.scan_year("udda", latest)? else {
        return Ok(None);
    };
    let h = col("HFAUDD")
        .str()
        .slice(lit(0), lit(2))
        .cast(DataType::Int32);
    let group = when(h.clone().is_in(
        lit(Series::new("s".into(), [10i32, 15])).implode(false),
        false,
    ))
    .then(lit("kort"))
    .when(h.clone().is_in(
        lit(Series::new("m".into(), [20i32, 30, 35])).implode(false),
        false,
    ))
    .then(lit("mellem"))
    .when(h.clone().gt_eq(lit(40)).and(h.lt_eq(lit(80))))
    .then(lit("lang"))
    .otherwise(lit(UNKNOWN));
    Ok(Some(udda.select([col("PNR"), group.alias("education")])))
}

/// Mean equivalised disposable family income over the three income years before the index year
/// (SEPLINE's default; fewer years where fewer exist).
fn mean_income(registers: &RegisterSet, year: i32) -> Result<Option<LazyFrame>> {
    let mut frames = Vec::new();
    for y in year - 3..year {
        if let Some(ind) = registers.scan_year("ind", y)? {
            frames.push(ind.select([col("PNR"), col("FAMAEKVIVADISP")]));
        }
    }
    if frames.is_empty() {
        return Ok(None);
    }
    Ok(Some(
        concat(frames, UnionArgs::default())?
            .group_by([col("PNR")])
            .agg([col("FAMAEKVIVADISP").mean().alias("INCOME")]),
    ))
}

/// Quintile of mean income with population-wide cut points within sex x 5-year age group:
/// the 20/40/60/80% quantiles (linear interpolation, R's type 7) of the whole register population
/// of the index year; a person whose income equals a cut point falls in the lower quintile.
fn income_quintile(
    registers: &RegisterSet,
    spec: &LoadedSpec,
    incomes: LazyFrame,
) -> Result<LazyFrame> {
    let cell = [
        col("KOEN"),
        (col("AGE") / lit(5)).cast(DataType::Int32).alias("AGE5"),
    ];
    let reference = crate::cohort::register_population(registers, spec)?
        .select([col("PNR"), col("KOEN"), col("AGE")])
        .join(
            incomes,
            [col("PNR")],
            [col("PNR")],
            JoinArgs::new(JoinType::Inner),
        );
    let cuts = reference.clone().group_by(cell.clone()).agg(
        [0.2, 0.4, 0.6, 0.8]
            .iter()
            .enumerate()
            .map(|(i, q)| {
                col("INCOME")
                    .quantile(lit(*q), QuantileMethod::Linear)
                    .alias(format!("Q{i}"))
            })
            .collect::<Vec<_>>(),
    );
    let above = (0..4)
        .map(|i| col("INCOME").gt(col(format!("Q{i}"))).cast(DataType::Int32))
        .reduce(|a, b| a + b)
        .expect("four cut points");
    Ok(reference
        .with_column(cell[1].clone())
        .join(
            cuts,
            [col("KOEN"), col("AGE5")],
            [col("KOEN"), col("AGE5")],
            JoinArgs::new(JoinType::Left),
        )
        .select([
            col("PNR"),
            (above + lit(1))
                .cast(DataType::String)
                .alias("income_quintile"),
        ]))
}

/// The municipality-to-region table as a frame.
fn regions() -> DataFrame {
    let list = municipalities();
    let kom: Vec<i32> = list.iter().map(|m| m.code as i32).collect();
    let region: Vec<String> = list.iter().map(|m| m.region.to_string()).collect();
    DataFrame::new_infer_height(vec![
        Column::new("KOM".into(), kom),
        Column::new("region".into(), region),
    ])
    .expect("two columns of equal length")
}

/// Attaches every stratifier and the 5-year age band (`AGE_BAND` 0 = 0-4 ... 18 = 90+) to the
/// patients. Missing values become [`UNKNOWN`].
pub fn attach(
    registers: &RegisterSet,
    spec: &LoadedSpec,
    patients: LazyFrame,
) -> Result<LazyFrame> {
    let year = dates::year_of(spec.index_date);
    let left = || JoinArgs::new(JoinType::Left);
    let mut frame = patients
        .join(regions().lazy(), [col("KOM")], [col("KOM")], left())
        .with_columns([
            when(col("IE_TYPE").eq(lit("1")))
                .then(lit("dansk"))
                .when(col("IE_TYPE").eq(lit("2")))
                .then(lit("indvandrer"))
                .when(col("IE_TYPE").eq(lit("3")))
                .then(lit("efterkommer"))
                .otherwise(lit(UNKNOWN))
                .alias("origin"),
            col("KOEN").alias("sex"),
            when(col("AGE").gt_eq(lit(90)))
                .then(lit(18))
                .otherwise((col("AGE") / lit(5)).cast(DataType::Int32))
                .cast(DataType::Int32)
                .alias("AGE_BAND"),
        ]);
    frame = match education(registers, year)? {
        Some(edu) => frame.join(edu, [col("PNR")], [col("PNR")], left()),
        None => frame.with_column(lit(NULL).cast(DataType::String).alias("education")),
    };
    frame = match mean_income(registers, year)? {
        Some(incomes) => frame.join(
            income_quintile(registers, spec, incomes)?,
            [col("PNR")],
            [col("PNR")],
            left(),
        ),
        None => frame.with_column(lit(NULL).cast(DataType::String).alias("income_quintile")),
    };
    Ok(frame.with_columns(
        ["education", "income_quintile", "region"].map(|c| col(c).fill_null(lit(UNKNOWN))),
    ))
}
