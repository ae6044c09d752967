//! The cohort: patients with their index day, and their outcomes.
//!
//! All dates become day numbers (`Int32`, days since 1970-01-01) on reading, so windows are plain
//! integer comparisons. Everything here is lazy; the caller collects the patient frame once
//! (patients are few next to the registers) and aggregates it per stratifier.
//!
//! Designs (`population.index_date` or `population.period`):
//! - prevalent: every include criterion is looked for in its look-back window before the index
//!   date, which is the same for everyone;
//! - incident: each patient's index is the first qualifying event in the period (with
//!   `match = "all"`, an event of the first criterion, the others looked for before it).

use polars::prelude::*;

use crate::error::{Error, Result};
use crate::pipeline::spec::{
    Criterion, Design, DiagnosisType, LoadedSpec, Match, Outcome, OutcomeKind,
};
use crate::registers::scan::RegisterSet;

/// A date column as a day number.
fn day(column: &str) -> Expr {
    col(column).cast(DataType::Int32)
}

/// True where `column` starts with any of `prefixes` (with `lead` put before each prefix, e.g.
/// the SKS `D` before an ICD-10 code).
pub fn starts_with_any(column: &str, lead: &str, prefixes: &[String]) -> Expr {
    prefixes
        .iter()
        .map(|p| col(column).str().starts_with(lit(format!("{lead}{p}"))))
        .reduce(|a, b| a.or(b))
        .unwrap_or(lit(false))
}

/// True where the SOR unit's last three digits are one of `units` (all units when empty).
fn at_units(units: &[String]) -> Expr {
    if units.is_empty() {
        return lit(true);
    }
    units
        .iter()
        .map(|u| col("SORENHED_ANS").str().ends_with(lit(u.clone())))
        .reduce(|a, b| a.or(b))
        .unwrap_or(lit(true))
}

/// Hospital contacts as events: `PNR`, `DAY` (start), `END` (end), `UNIT` (SOR unit), `KEY`.
fn contacts(registers: &RegisterSet) -> Result<LazyFrame> {
    Ok(registers.require("lpr_kontakter")?.select([
        col("PNR"),
        day("DATO_START").alias("DAY"),
        day("DATO_SLUT").alias("END"),
        col("SORENHED_ANS"),
        col("AKTIONSDIAGNOSE"),
        col("DW_EK_KONTAKT").alias("KEY"),
    ]))
}

/// The events of one criterion: `PNR`, `DAY`, `END`, `UNIT`.
fn criterion_events(registers: &RegisterSet, c: &Criterion) -> Result<LazyFrame> {
    let shape = |frame: LazyFrame| {
        frame.select([
            col("PNR"),
            col("DAY"),
            col("END"),
            col("SORENHED_ANS").alias("UNIT"),
        ])
    };
    if !c.atc.is_empty() {
        return Ok(registers
            .require("lmdb")?
            .filter(starts_with_any("ATC", "", &c.atc))
            .select([
                col("PNR"),
                day("EKSD").alias("DAY"),
                lit(NULL).cast(DataType::Int32).alias("END"),
                lit(NULL).cast(DataType::String).alias("UNIT"),
            ]));
    }
    let contacts = contacts(registers)?.filter(at_units(&c.units));
    if !c.procedures.is_empty() {
        let procedures = registers
            .require("lpr_procedurer")?
            .filter(starts_with_any("PROCEDUREKODE", "", &c.procedures))
            .select([
                col("DW_EK_KONTAKT").alias("KEY"),
                day("DATO_START").alias("PROCEDURE_DAY"),
            ]);
        return Ok(shape(
            contacts
                .join(
                    procedures,
                    [col("KEY")],
                    [col("KEY")],
                    JoinArgs::new(JoinType::Inner),
                )
                .with_column(col("PROCEDURE_DAY").fill_null(col("DAY")).alias("DAY")),
        ));
    }
    Ok(shape(match c.diagnosis_type {
        DiagnosisType::Action => {
            contacts.filter(starts_with_any("AKTIONSDIAGNOSE", "D", &c.diagnoses))
        }
        DiagnosisType::Any => {
            let diagnoses = registers
                .require("lpr_diagnoser")?
                .filter(
                    col("SENERE_AFKRAEFTET")
                        .fill_null(lit(""))
                        .neq(lit("Ja"))
                        .and(starts_with_any("DIAGNOSEKODE", "D", &c.diagnoses)),
                )
                .select([col("DW_EK_KONTAKT").alias("KEY")]);
            contacts.join(
                diagnoses,
                [col("KEY")],
                [col("KEY")],
                JoinArgs::new(JoinType::Semi),
            )
        }
    }))
}

/// Keeps the rows of `patients` (with `INDEX_DAY`) that have an event of `c` in the look-back
/// window `[INDEX_DAY - lookback, INDEX_DAY)`; with `keep = false`, those that have none.
fn with_event_before(
    registers: &RegisterSet,
    patients: LazyFrame,
    c: &Criterion,
    keep: bool,
) -> Result<LazyFrame> {
    let hits = persons_with_event_before(
        criterion_events(registers, c)?,
        &patients,
        c.lookback_days.unwrap_or(0),
        false,
    );
    let how = if keep { JoinType::Semi } else { JoinType::Anti };
    Ok(patients.join(hits, [col("PNR")], [col("PNR")], JoinArgs::new(how)))
}

/// The patients (`PNR`, unique) with an event in the `lookback` days before their index day,
/// the index day itself included when `with_index_day`.
fn persons_with_event_before(
    events: LazyFrame,
    patients: &LazyFrame,
    lookback: i32,
    with_index_day: bool,
) -> LazyFrame {
    let before_end = if with_index_day {
        col("DAY").lt_eq(col("INDEX_DAY"))
    } else {
        col("DAY").lt(col("INDEX_DAY"))
    };
    events
        .join(
            patients.clone().select([col("PNR"), col("INDEX_DAY")]),
            [col("PNR")],
            [col("PNR")],
            JoinArgs::new(JoinType::Inner),
        )
        .filter(
            col("DAY")
                .gt_eq(col("INDEX_DAY") - lit(lookback))
                .and(before_end),
        )
        .select([col("PNR")])
        .unique(None, UniqueKeepStrategy::Any)
}

/// The first event per person in `[from, to]`, with its end and unit: `PNR`, `INDEX_DAY`,
/// `INDEX_END`, `INDEX_UNIT`.
fn first_in(events: LazyFrame, from: i32, to: i32) -> LazyFrame {
    events
        .filter(col("DAY").gt_eq(lit(from)).and(col("DAY").lt_eq(lit(to))))
        .sort(["PNR", "DAY"], Default::default())
        .group_by([col("PNR")])
        .agg([
            col("DAY").first().alias("INDEX_DAY"),
            col("END").first().alias("INDEX_END"),
            col("UNIT").first().alias("INDEX_UNIT"),
        ])
}

/// The patient group: `PNR`, `INDEX_DAY`, `INDEX_END`, `INDEX_UNIT`.
pub fn patient_group(registers: &RegisterSet, spec: &LoadedSpec) -> Result<LazyFrame> {
    let group = &spec.spec.patient_group;
    let mut patients = match spec.design {
        Design::IndexDate(index) => {
            // Each criterion in its own window; the unit is that of the latest contact.
            let mut sets = Vec::new();
            for c in &group.include {
                let lookback = c.lookback_days.unwrap_or(0);
                let events = criterion_events(registers, c)?
                    .filter(
                        col("DAY")
                            .gt_eq(lit(index - lookback))
                            .and(col("DAY").lt(lit(index))),
                    )
                    .sort(["PNR", "DAY"], Default::default())
                    .group_by([col("PNR")])
                    .agg([
                        col("END").last().alias("INDEX_END"),
                        col("UNIT").last().alias("INDEX_UNIT"),
                    ])
                    .with_column(lit(index).alias("INDEX_DAY"));
                sets.push(events);
            }
            combine(sets, group.combine)?
        }
        Design::Period(from, to) => match group.combine {
            Match::Any => {
                let events = group
                    .include
                    .iter()
                    .map(|c| criterion_events(registers, c))
                    .collect::<Result<Vec<_>>>()?;
                first_in(concat(events, UnionArgs::default())?, from, to)
            }
            Match::All => {
                let mut patients =
                    first_in(criterion_events(registers, &group.include[0])?, from, to);
                for c in &group.include[1..] {
                    patients = with_event_before(registers, patients, c, true)?;
                }
                patients
            }
        },
    };
    for c in &group.exclude {
        patients = with_event_before(registers, patients, c, false)?;
    }
    Ok(patients)
}

/// Combines per-criterion patient sets: union for `any` (the first set's index details win),
/// intersection for `all`.
fn combine(sets: Vec<LazyFrame>, how: Match) -> Result<LazyFrame> {
    let mut sets = sets.into_iter();
    let first = sets
        .next()
        .ok_or_else(|| Error::Internal("a patient group without criteria".into()))?;
    Ok(match how {
        Match::Any => concat(
            std::iter::once(first).chain(sets).collect::<Vec<_>>(),
            UnionArgs::default(),
        )?
        .unique(Some(cols(["PNR"])), UniqueKeepStrategy::First),
        Match::All => sets.fold(first, |acc, s| {
            acc.join(
                s.select([col("PNR")]),
                [col("PNR")],
                [col("PNR")],
                JoinArgs::new(JoinType::Semi),
            )
        }),
    })
}

/// Completed years of age at `INDEX_DAY` from the date of birth `FOED_DAG`.
fn age_at_index() -> Expr {
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
    Ok(bef
        .with_column(lit(crate::dates::jan1(year)).alias("INDEX_DAY"))
        .with_column(age_at_index().alias("AGE"))
        .drop(cols(["INDEX_DAY"])))
}

/// Death days: `PNR`, `DEATH_DAY` (empty frame when there is no death register).
fn deaths(registers: &RegisterSet) -> Result<Option<LazyFrame>> {
    Ok(registers
        .scan("dod")?
        .map(|d| d.select([col("PNR"), day("DODDATO").alias("DEATH_DAY")])))
}

/// The patients: residents (population register of the design's year) in the patient group,
/// alive at their index day, in the age range and municipalities of residence, with `AGE` at the
/// index and `CONDITIONS` (the region restriction is applied once regions are attached).
pub fn patients(registers: &RegisterSet, spec: &LoadedSpec) -> Result<LazyFrame> {
    let population = &spec.spec.population;
    let bef = register_population(registers, spec.year(), spec)?.drop(cols(["AGE"]));
    let mut frame = patient_group(registers, spec)?
        .join(
            bef,
            [col("PNR")],
            [col("PNR")],
            JoinArgs::new(JoinType::Inner),
        )
        .with_column(age_at_index().alias("AGE"))
        .filter(
            col("AGE")
                .gt_eq(lit(population.age_min.unwrap_or(0)))
                .and(col("AGE").lt_eq(lit(population.age_max.unwrap_or(120)))),
        );
    if let Some(deaths) = deaths(registers)? {
        frame = frame
            .join(
                deaths,
                [col("PNR")],
                [col("PNR")],
                JoinArgs::new(JoinType::Left),
            )
            .filter(
                col("DEATH_DAY")
                    .is_null()
                    .or(col("DEATH_DAY").gt_eq(col("INDEX_DAY"))),
            );
    } else {
        frame = frame.with_column(lit(NULL).cast(DataType::Int32).alias("DEATH_DAY"));
    }
    if !population.municipalities.is_empty() {
        let codes: Vec<i32> = population
            .municipalities
            .iter()
            .map(|&m| m as i32)
            .collect();
        frame = frame
            .filter(col("KOM").is_in(lit(Series::new("k".into(), codes)).implode(false), false));
    }
    frame = with_conditions(registers, spec, frame)?;
    if let Some(min) = spec.spec.patient_group.min_conditions {
        frame = frame.filter(col("CONDITIONS").gt_eq(lit(min as i32)));
    }
    Ok(frame)
}

/// Adds `CONDITIONS`: how many of `[multimorbidity]`'s conditions have a diagnosis (action or
/// secondary) in the look-back window up to and including the index day.
fn with_conditions(
    registers: &RegisterSet,
    spec: &LoadedSpec,
    patients: LazyFrame,
) -> Result<LazyFrame> {
    let Some(mm) = &spec.spec.multimorbidity else {
        return Ok(patients.with_column(lit(0i32).alias("CONDITIONS")));
    };
    let mut per_condition = Vec::new();
    for (name, codes) in &mm.conditions {
        let criterion = Criterion {
            diagnoses: codes.clone(),
            diagnosis_type: DiagnosisType::Any,
            ..Default::default()
        };
        per_condition.push(
            persons_with_event_before(
                criterion_events(registers, &criterion)?,
                &patients,
                mm.lookback_days,
                true,
            )
            .with_column(lit(name.clone()).alias("CONDITION")),
        );
    }
    let counts = concat(per_condition, UnionArgs::default())?
        .group_by([col("PNR")])
        .agg([len().cast(DataType::Int32).alias("CONDITIONS")]);
    Ok(patients
        .join(
            counts,
            [col("PNR")],
            [col("PNR")],
            JoinArgs::new(JoinType::Left),
        )
        .with_column(col("CONDITIONS").fill_null(lit(0i32))))
}

/// The events of an outcome: `PNR`, `DAY`.
fn outcome_events(registers: &RegisterSet, o: &Outcome) -> Result<LazyFrame> {
    Ok(match o.kind {
        OutcomeKind::Prescription => registers
            .require("lmdb")?
            .filter(starts_with_any("ATC", "", &o.codes))
            .select([col("PNR"), day("EKSD").alias("DAY")]),
        OutcomeKind::Procedure => {
            let c = Criterion {
                procedures: o.codes.clone(),
                units: o.units.clone(),
                ..Default::default()
            };
            criterion_events(registers, &c)?.select([col("PNR"), col("DAY")])
        }
        OutcomeKind::Contact => {
            let mut frame = contacts(registers)?.filter(at_units(&o.units));
            if !o.codes.is_empty() {
                frame = frame.filter(starts_with_any("AKTIONSDIAGNOSE", "D", &o.codes));
            }
            frame.select([col("PNR"), col("DAY")])
        }
        OutcomeKind::Death => registers
            .require("dod")?
            .select([col("PNR"), day("DODDATO").alias("DAY")]),
        OutcomeKind::Readmission => contacts(registers)?.select([col("PNR"), col("DAY")]),
    })
}

/// The column names of outcome `i`: 1/0 (null when not at risk) and days to the event.
pub fn outcome_columns(i: usize) -> (String, String) {
    (format!("OUT_{i}"), format!("WAIT_{i}"))
}

/// Adds `OUT_i` (1 with an event in the window, 0 without, null when not at risk) and `WAIT_i`
/// (days from the index to the first event in the window) for every outcome.
pub fn with_outcomes(
    registers: &RegisterSet,
    spec: &LoadedSpec,
    mut patients: LazyFrame,
) -> Result<LazyFrame> {
    for (i, o) in spec.spec.outcomes.iter().enumerate() {
        let (out, wait) = outcome_columns(i);
        let [from, to] = o.window_days;
        // Readmission windows start at discharge, and only contacts starting after it count.
        let start = if o.kind == OutcomeKind::Readmission {
            col("INDEX_END").fill_null(col("INDEX_DAY"))
        } else {
            col("INDEX_DAY")
        };
        let mut window = col("DAY")
            .gt_eq(start.clone() + lit(from))
            .and(col("DAY").lt_eq(start.clone() + lit(to)));
        if o.kind == OutcomeKind::Readmission {
            window = window.and(col("DAY").gt(start.clone()));
        }
        let first = outcome_events(registers, o)?
            .join(
                patients
                    .clone()
                    .select([col("PNR"), col("INDEX_DAY"), col("INDEX_END")]),
                [col("PNR")],
                [col("PNR")],
                JoinArgs::new(JoinType::Inner),
            )
            .filter(window)
            .group_by([col("PNR")])
            .agg([(col("DAY") - col("INDEX_DAY")).min().alias(wait.as_str())]);
        let at_risk = match o.alive_days {
            Some(days) => col("DEATH_DAY")
                .is_null()
                .or(col("DEATH_DAY").gt(col("INDEX_DAY") + lit(days))),
            None => lit(true),
        };
        patients = patients
            .join(
                first,
                [col("PNR")],
                [col("PNR")],
                JoinArgs::new(JoinType::Left),
            )
            .with_column(
                when(at_risk)
                    .then(col(wait.as_str()).is_not_null().cast(DataType::Int32))
                    .otherwise(lit(NULL).cast(DataType::Int32))
                    .alias(out.as_str()),
            );
    }
    Ok(patients)
}
