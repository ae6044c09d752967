//! The population at the index: the residents of the population register of the index year with
//! their age, and the deaths that end a person's time at risk.

use polars::prelude::*;

use super::reads::day;
use crate::error::{Error, Result};
use crate::registers::codes::municipalities;
use crate::registers::scan::RegisterSet;
use crate::spec::LoadedSpec;

/// Completed years of age at `INDEX_DAY` from the date of birth `FOED_DAG`.
pub(super) fn age_at_index() -> Expr {
    let index = col("INDEX_DAY").cast(DataType::Date);
    let md = |e: Expr| {
        e.clone().dt().month().cast(DataType::Int32) * lit(100) + e.dt().day().cast(DataType::Int32)
    };
    index.clone().dt().year().cast(DataType::Int32)
        - col("FOED_DAG").dt().year().cast(DataType::Int32)
        - md(index).lt(md(col("FOED_DAG"))).cast(DataType::Int32)
}

/// Everyone in the population register of `year` (the population for cut points and
/// standards), with `AGE` at 1 January of that year.
pub fn register_population(
    registers: &RegisterSet,
    year: i32,
    spec: &LoadedSpec,
) -> Result<LazyFrame> {
    let bef = registers.scan_year("bef", year)?.ok_or_else(|| {
        Error::MissingInput(format!(
            "{}: no bef{year} file: the analysis of {} needs the population register of {year}",
            registers.discovered.dir.display(),
            spec.path.display()
        ))
    })?;
    Ok(bef.with_column(age_on_january_1(year).alias("AGE")))
}

/// How many persons the population register of the analysis's year holds in its ages (on 1
/// January) and area of residence: the population its patients are drawn from, for the step
/// before the patient group in the documents' table from population to outcome. The register
/// is counted once per year by age and municipality ([`RegisterSet::shared`]: every analysis of
/// the year asks, a pass over 6 million rows at national volume), and each analysis's limits
/// are applied to those few thousand counts.
pub fn residents(registers: &RegisterSet, spec: &LoadedSpec) -> Result<u64> {
    let year = spec.year();
    let counts = registers.shared(&format!("residents/{year}"), || {
        Ok(register_population(registers, year, spec)?
            .group_by([col("AGE"), col("KOM").cast(DataType::Int32)])
            .agg([len().cast(DataType::UInt64).alias("N")])
            .collect()?)
    })?;
    let population = &spec.spec.population;
    let mut kept = col("AGE")
        .gt_eq(lit(population.age_min.unwrap_or(0)))
        .and(col("AGE").lt_eq(lit(population.age_max.unwrap_or(120))));
    let within = |codes: Vec<i32>| {
        col("KOM").is_in(lit(Series::new("k".into(), codes)).implode(false), false)
    };
    if !population.municipalities.is_empty() {
        kept = kept.and(within(
            population
                .municipalities
                .iter()
                .map(|&m| m as i32)
                .collect(),
        ));
    }
    if !population.regions.is_empty() {
        kept = kept.and(within(
            municipalities()
                .iter()
                .filter(|m| {
                    population
                        .regions
                        .iter()
                        .any(|r| *r == m.region.to_string())
                })
                .map(|m| m.code as i32)
                .collect(),
        ));
    }
    let total = counts
        .lazy()
        .filter(kept)
        .select([col("N").sum()])
        .collect()?;
    Ok(total.column("N")?.u64()?.get(0).unwrap_or(0))
}

/// Completed years of age on 1 January of `year` from the date of birth `FOED_DAG`: `year - 1`
/// less the year of the day before birth (born on 1 January, the birthday has come; born on any
/// later day, it has not). One calendar conversion per person, where [`age_at_index`] makes six
/// (year, month and day of two dates, each through chrono): over the 6 million persons of a
/// national population, which every analysis year reads, those were 2% of a run.
pub(super) fn age_on_january_1(year: i32) -> Expr {
    let day_before_birth = (col("FOED_DAG").cast(DataType::Int32) - lit(1)).cast(DataType::Date);
    lit(year - 1) - day_before_birth.dt().year().cast(DataType::Int32)
}

/// Death days: `PNR`, `DEATH_DAY` (empty frame when there is no death register).
pub(super) fn deaths(registers: &RegisterSet) -> Result<Option<LazyFrame>> {
    Ok(registers
        .scan("dod")?
        .map(|d| d.select([col("PNR"), day("DODDATO").alias("DEATH_DAY")])))
}
