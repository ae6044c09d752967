//! The cohort: residents at the index date, the patient group, and the outcome.
//!
//! Everything here is lazy; nothing person-level is collected.

use polars::prelude::*;

use crate::dates;
use crate::error::{Error, Result};
use crate::pipeline::spec::{DiagnosisType, LoadedSpec};
use crate::registers::scan::RegisterSet;

/// A date literal.
pub fn date_lit(days: i32) -> Expr {
    lit(days).cast(DataType::Date)
}

/// True where `column` starts with any of `prefixes` (with `lead` put before each prefix, e.g.
/// the SKS `D` before an ICD-10 code).
fn starts_with_any(column: &str, lead: &str, prefixes: &[String]) -> Expr {
    prefixes
        .iter()
        .map(|p| col(column).str().starts_with(lit(format!("{lead}{p}"))))
        .reduce(|a, b| a.or(b))
        .unwrap_or(lit(false))
}

/// Completed years of age at `on` from a date-of-birth column.
fn age_at(born: &str, on: i32) -> Expr {
    let (year, month, day) = dates::civil_from_days(on);
    let before_birthday = (col(born).dt().month().cast(DataType::Int32) * lit(100)
        + col(born).dt().day().cast(DataType::Int32))
    .gt(lit((month * 100 + day) as i32));
    lit(year) - col(born).dt().year().cast(DataType::Int32) - before_birthday.cast(DataType::Int32)
}

/// Everyone in the population register of the index year, with `AGE` at the index date (the
/// reference population for population-wide income cut points).
pub fn register_population(registers: &RegisterSet, spec: &LoadedSpec) -> Result<LazyFrame> {
    let index = spec.index_date;
    let year = dates::year_of(index);
    let bef = registers.scan_year("bef", year)?.ok_or_else(|| {
        Error::MissingInput(format!(
            "{}: no bef{year} file: the index date {} needs the population register of {year} (from {})",
            registers.discovered.dir.display(),
            dates::format_iso(index),
            spec.path.display()
        ))
    })?;
    Ok(bef.with_column(age_at("FOED_DAG", index).alias("AGE")))
}

/// Residents on the index date (the population register of that year, less those dead before
/// the index date) within the spec's age range.
pub fn population(registers: &RegisterSet, spec: &LoadedSpec) -> Result<LazyFrame> {
    let index = spec.index_date;
    let mut residents = register_population(registers, spec)?.filter(
        col("AGE")
            .gt_eq(lit(spec.spec.population.age_min))
            .and(col("AGE").lt_eq(lit(spec.spec.population.age_max))),
    );
    if let Some(deaths) = registers.scan("dod")? {
        let dead = deaths
            .filter(col("DODDATO").lt(date_lit(index)))
            .select([col("PNR")]);
        residents = residents.join(
            dead,
            [col("PNR")],
            [col("PNR")],
            JoinArgs::new(JoinType::Anti),
        );
    }
    Ok(residents)
}

/// Persons with a qualifying diagnosis or prescription in the look-back window.
pub fn patient_group(registers: &RegisterSet, spec: &LoadedSpec) -> Result<LazyFrame> {
    let group = &spec.spec.patient_group;
    let (from, to) = (spec.index_date - group.lookback_days, spec.index_date);
    let in_window = |column: &str| {
        col(column)
            .gt_eq(date_lit(from))
            .and(col(column).lt(date_lit(to)))
    };
    let mut members: Vec<LazyFrame> = Vec::new();
    if !group.diagnoses.is_empty() {
        let contacts = registers
            .require("lpr_kontakter")?
            .filter(in_window("DATO_START"));
        let by_diagnosis = match group.diagnosis_type {
            DiagnosisType::Action => {
                contacts.filter(starts_with_any("AKTIONSDIAGNOSE", "D", &group.diagnoses))
            }
            DiagnosisType::Any => {
                let diagnoses = registers
                    .require("lpr_diagnoser")?
                    .filter(
                        col("SENERE_AFKRAEFTET")
                            .fill_null(lit(""))
                            .neq(lit("Ja"))
                            .and(starts_with_any("DIAGNOSEKODE", "D", &group.diagnoses)),
                    )
                    .select([col("DW_EK_KONTAKT")]);
                contacts.join(
                    diagnoses,
                    [col("DW_EK_KONTAKT")],
                    [col("DW_EK_KONTAKT")],
                    JoinArgs::new(JoinType::Semi),
                )
            }
        };
        members.push(by_diagnosis.select([col("PNR")]));
    }
    if !group.atc.is_empty() {
        members.push(
            registers
                .require("lmdb")?
                .filter(in_window("EKSD").and(starts_with_any("ATC", "", &group.atc)))
                .select([col("PNR")]),
        );
    }
    Ok(concat(members, UnionArgs::default())?.unique(None, UniqueKeepStrategy::Any))
}

/// The patients (residents in the patient group) with `OUTCOME` 1 when they redeemed a
/// prescription of the outcome's ATC codes in the follow-up window, else 0.
pub fn patients_with_outcome(registers: &RegisterSet, spec: &LoadedSpec) -> Result<LazyFrame> {
    let outcome = &spec.spec.outcome;
    let (from, to) = (spec.index_date, spec.index_date + outcome.follow_up_days);
    let treated = registers
        .require("lmdb")?
        .filter(
            col("EKSD")
                .gt_eq(date_lit(from))
                .and(col("EKSD").lt(date_lit(to)))
                .and(starts_with_any("ATC", "", &outcome.atc)),
        )
        .select([col("PNR")])
        .unique(None, UniqueKeepStrategy::Any)
        .with_column(lit(1i32).alias("OUTCOME"));
    Ok(population(registers, spec)?
        .join(
            patient_group(registers, spec)?,
            [col("PNR")],
            [col("PNR")],
            JoinArgs::new(JoinType::Semi),
        )
        .join(
            treated,
            [col("PNR")],
            [col("PNR")],
            JoinArgs::new(JoinType::Left),
        )
        .with_column(col("OUTCOME").fill_null(lit(0i32))))
}
