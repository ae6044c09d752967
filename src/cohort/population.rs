//! The population at the index: the residents of the population register of the index year with
//! their age, and the deaths that end a person's time at risk.

use polars::prelude::*;

use super::reads::day;
use crate::dates;
use crate::error::{Error, Result};
use crate::registers::codes::municipalities;
use crate::registers::scan::RegisterSet;
use crate::spec::{Design, LoadedSpec};

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

/// The population register's columns a patient's residence and strata are read from (the
/// contract's, so that every year's file gives the same schema; `bef:COLUMN` stratifiers read
/// their column on their own).
const RESIDENCE_COLUMNS: [&str; 10] = [
    "PNR",
    "FOED_DAG",
    "KOEN",
    "KOM",
    "IE_TYPE",
    "OPR_LAND",
    "CIVST",
    "MOR_ID",
    "FAR_ID",
    "FAMILIE_TYPE",
];

/// The calendar years whose population registers describe a design's patients at their index:
/// an index date's year, or each year of an incident period.
pub fn index_years(design: Design) -> Vec<i32> {
    match design {
        Design::IndexDate(day) => vec![dates::year_of(day)],
        Design::Period(from, to) => (dates::year_of(from)..=dates::year_of(to)).collect(),
    }
}

/// `patients` (with `INDEX_DAY`) joined to their row of the population register as of their own
/// index, with `INDEX_YEAR` (the index day's year) and `BEF_YEAR` (the register's year); those
/// with no such row are left out (not residents).
///
/// On an index date, that is the register of its year, as before. In an incident period, each
/// patient is read from the register of their index year (1 January), so that a patient indexed
/// in 2024 has their 2024 residence, age and civil status, and a person born or immigrated after
/// the period's start is a patient once in the register. A patient who arrived during the index
/// year itself (born or immigrated after 1 January: their hospital contact shows them present)
/// is read from the next year's register when the folder has it: the first record of them as a
/// resident. Every index year's register must be in the folder.
pub(super) fn at_index(
    registers: &RegisterSet,
    spec: &LoadedSpec,
    patients: LazyFrame,
) -> Result<LazyFrame> {
    let mut registers_of_years = Vec::new();
    for year in residence_years(registers, spec.design)? {
        registers_of_years.push(residence_in(registers, year, spec)?);
    }
    let patients = patients.with_column(
        col("INDEX_DAY")
            .cast(DataType::Date)
            .dt()
            .year()
            .cast(DataType::Int32)
            .alias("INDEX_YEAR"),
    );
    let incident = matches!(spec.design, Design::Period(..));
    let population = concat(registers_of_years, UnionArgs::default())?;
    let joined = patients.join(
        population,
        [col("PNR")],
        [col("PNR")],
        JoinArgs::new(JoinType::Inner),
    );
    if !incident {
        return Ok(joined);
    }
    Ok(joined
        .filter(
            col("BEF_YEAR")
                .eq(col("INDEX_YEAR"))
                .or(col("BEF_YEAR").eq(col("INDEX_YEAR") + lit(1))),
        )
        .sort(["PNR", "BEF_YEAR"], Default::default())
        .unique_stable(Some(cols(["PNR"])), UniqueKeepStrategy::First))
}

/// The years of the population registers [`at_index`] reads for `design`: its index years
/// and, in an incident period, the year after the last when the folder has it (for the
/// patients who arrived in the last index year).
pub fn residence_years(registers: &RegisterSet, design: Design) -> Result<Vec<i32>> {
    let mut years = index_years(design);
    if let (Design::Period(..), Some(&last)) = (design, years.last())
        && registers.scan_year("bef", last + 1)?.is_some()
    {
        years.push(last + 1);
    }
    Ok(years)
}

/// The population register of `year` as [`at_index`] reads it: [`RESIDENCE_COLUMNS`] and
/// `BEF_YEAR`.
fn residence_in(registers: &RegisterSet, year: i32, spec: &LoadedSpec) -> Result<LazyFrame> {
    Ok(register_population(registers, year, spec)?.select(
        RESIDENCE_COLUMNS
            .iter()
            .map(|c| col(*c))
            .chain([lit(year).alias("BEF_YEAR")])
            .collect::<Vec<_>>(),
    ))
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

/// Emigration days from the migration register: `PNR`, `EMIGRATION_DAY`, a row per emigration
/// (`None` when the folder has no `vnds`).
pub(super) fn emigrations(registers: &RegisterSet) -> Result<Option<LazyFrame>> {
    Ok(registers.scan("vnds")?.map(|v| {
        v.filter(col("INDUD_KODE").eq(lit("U")))
            .select([col("PNR"), day("HAEND_DATO").alias("EMIGRATION_DAY")])
    }))
}

/// Death days: `PNR`, `DEATH_DAY` (empty frame when there is no death register).
pub(super) fn deaths(registers: &RegisterSet) -> Result<Option<LazyFrame>> {
    Ok(registers
        .scan("dod")?
        .map(|d| d.select([col("PNR"), day("DODDATO").alias("DEATH_DAY")])))
}
