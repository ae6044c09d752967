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
    Criterion, Derived, Design, DiagnosisType, LoadedSpec, Match, Outcome, OutcomeKind, Spec,
    Stratifier,
};
use crate::registers::scan::{RegisterSet, collect_streaming};

pub(crate) mod actions;
mod conditions;
use conditions::ConditionContacts;
mod partitioned_join;
pub(crate) use conditions::MAX_CONDITIONS;
pub(crate) mod procedures;

/// A date column as a day number.
fn day(column: &str) -> Expr {
    col(column).cast(DataType::Int32)
}

/// True where `column` starts with any of `prefixes` (with `lead` put before each prefix, e.g.
/// the SKS `D` before an ICD-10 code).
///
/// Many prefixes of one length ([`SET_MIN`] or more) are tested together, as the value's first
/// characters looked up in a set: one pass over a register's codes per length instead of one
/// comparison (and one boolean column) per prefix. Codes are ASCII, so the first `n` characters
/// equal a prefix of `n` characters exactly when the value starts with it. Fewer are compared
/// one by one, since Polars 0.55 takes the first characters of a value by counting characters
/// (`str.slice`), which costs several comparisons: at national volume (`run --all`, 6 million
/// persons, per query, 2 runs) the eight 4-character condition codes of the multimorbidity
/// diagnoses took 2.75 s as a set and 4.74 s one by one, and the run's seven action codes of
/// two lengths (4 and 3 of them) 2.24 s as two sets and 1.62 s one by one.
pub fn starts_with_any(column: &str, lead: &str, prefixes: &[String]) -> Expr {
    let mut by_length: std::collections::BTreeMap<usize, Vec<String>> = Default::default();
    for p in prefixes {
        let prefix = format!("{lead}{p}");
        by_length
            .entry(prefix.chars().count())
            .or_default()
            .push(prefix);
    }
    by_length
        .into_iter()
        .map(|(length, prefixes)| {
            if prefixes.len() < SET_MIN {
                return prefixes
                    .into_iter()
                    .map(|p| col(column).str().starts_with(lit(p)))
                    .reduce(|a, b| a.or(b))
                    .unwrap_or(lit(false));
            }
            let set = Series::new("prefixes".into(), prefixes);
            col(column)
                .str()
                .slice(lit(0i64), lit(length as u64))
                .is_in(lit(set).implode(false), false)
        })
        .reduce(|a, b| a.or(b))
        .unwrap_or(lit(false))
}

/// The fewest prefixes of one length that [`starts_with_any`] looks up in a set: between the
/// four measured faster one by one and the eight measured faster as a set.
const SET_MIN: usize = 6;

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

/// A span of days (inclusive) outside which no event can matter to an analysis: filtering a
/// register on it before any join lets the Parquet reader skip the row groups of other years
/// (the registers are kept in date order) and keeps the joins small.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Days {
    pub from: i32,
    pub to: i32,
}

/// The days of one read of [`contacts_joined_by_partitions`]: a year.
const SPAN_DAYS: i32 = 365;

impl Days {
    /// Every day (no bound).
    pub const ALL: Days = Days {
        from: i32::MIN,
        to: i32::MAX,
    };

    /// The days of the design: the index date, or the period.
    fn of_design(design: Design) -> Days {
        match design {
            Design::IndexDate(day) => Days { from: day, to: day },
            Design::Period(from, to) => Days { from, to },
        }
    }

    /// This span widened by `before` days at its start and `after` days at its end.
    fn widened(self, before: i32, after: i32) -> Days {
        Days {
            from: self.from.saturating_sub(before),
            to: self.to.saturating_add(after),
        }
    }

    /// The smallest span holding both spans (and any days between them).
    fn spanning(self, other: Days) -> Days {
        Days {
            from: self.from.min(other.from),
            to: self.to.max(other.to),
        }
    }

    /// True when every day of `other` is in this span.
    fn holds(self, other: Days) -> bool {
        self.from <= other.from && other.to <= self.to
    }

    /// This span cut into spans of at most a year ([`SPAN_DAYS`]), in order; a span without a
    /// bound is one span.
    fn years(self) -> Vec<Days> {
        if self.from == i32::MIN || self.to == i32::MAX {
            return vec![self];
        }
        (self.from..=self.to)
            .step_by(SPAN_DAYS as usize)
            .map(|from| Days {
                from,
                to: from.saturating_add(SPAN_DAYS - 1).min(self.to),
            })
            .collect()
    }

    /// True where the date column `column` (as read, before any cast) lies in the span: a
    /// predicate the Parquet reader can test against row-group statistics.
    fn contains(self, column: &str) -> Expr {
        let mut keep = lit(true);
        if self.from > i32::MIN {
            keep = keep.and(col(column).gt_eq(lit(self.from).cast(DataType::Date)));
        }
        if self.to < i32::MAX {
            keep = keep.and(col(column).lt_eq(lit(self.to).cast(DataType::Date)));
        }
        keep
    }
}

/// What a run reads once from a register for all its analyses (the issue of sharing scans): the
/// codes of every analysis's criteria of one kind ([`procedures`], [`actions`]), on the days any
/// of them can ask about. Outside a run (tests, a register set opened alone) nothing is known
/// and every criterion reads its own events.
#[derive(Debug, Clone)]
pub struct Scope {
    pub codes: Vec<String>,
    pub days: Days,
}

impl Default for Scope {
    fn default() -> Scope {
        Scope {
            codes: Vec::new(),
            days: Days::ALL,
        }
    }
}

impl Scope {
    /// The scope of a run of `specs`, each in the designs of its years: the codes `codes_of`
    /// gives for each spec, on the union of the days `days_of` gives for each spec and design.
    pub fn of_run<'a>(
        specs: impl IntoIterator<Item = (&'a Spec, Vec<Design>)>,
        codes_of: impl Fn(&Spec) -> Vec<String>,
        days_of: impl Fn(&Spec, Design) -> Option<Days>,
    ) -> Scope {
        let mut codes = Vec::new();
        let mut days: Option<Days> = None;
        for (spec, designs) in specs {
            codes.extend(codes_of(spec));
            for design in designs {
                if let Some(d) = days_of(spec, design) {
                    days = Some(days.map_or(d, |known| known.spanning(d)));
                }
            }
        }
        codes.sort();
        codes.dedup();
        Scope {
            codes,
            days: days.unwrap_or(Days::ALL),
        }
    }

    /// True when the events read for this scope include every event of the codes `wanted` on
    /// `days`: each wanted code starts with one of the scope's, and the days are the scope's.
    fn serves(&self, wanted: &[String], days: Days) -> bool {
        self.days.holds(days) && covers(&self.codes, wanted)
    }

    /// The name the frame read for this scope is kept under ([`RegisterSet::shared`]): a scope
    /// changed later is read anew rather than looked for in a frame that lacks its rows.
    fn key(&self, what: &str) -> String {
        format!(
            "{what}/{}/{}..{}",
            self.codes.join(","),
            self.days.from,
            self.days.to
        )
    }
}

/// True when every code of `wanted` starts with one of `read`, so the events read for `read`
/// include all of `wanted`'s.
fn covers(read: &[String], wanted: &[String]) -> bool {
    wanted
        .iter()
        .all(|w| read.iter().any(|r| w.starts_with(r.as_str())))
}

/// Hospital contacts starting within `days` as events: `PNR`, `DAY` (start), `END` (end),
/// `SORENHED_ANS` (SOR unit), `AKTIONSDIAGNOSE`, `KEY`.
fn contacts(registers: &RegisterSet, days: Days) -> Result<LazyFrame> {
    Ok(shaped_contacts(
        registers.require("lpr_kontakter")?,
        days.contains("DATO_START"),
    ))
}

/// The contacts (shaped as [`contacts`]) starting within `days` joined to the rows of `keyed` (a
/// frame with a `KEY` column and any others: diagnoses or procedures already narrowed to their
/// codes), one row per contact and matching row of `keyed`.
///
/// `keyed` is collected first. When its keys are few (a procedure's, a rare diagnosis'), the
/// contacts are filtered on them as they are read, so the Parquet reader tests the key column
/// alone and decodes the other columns only for the rows that match, where a join alone would
/// decode every column of every contact in the span. Many keys (common chronic diseases: tens
/// of millions at national volume) are joined straight away, since a membership test against a
/// set that large costs more than the join. The contacts' `PNR` becomes a person key after the
/// join, for the rows it keeps only ([`RegisterSet::require_with_text_persons`]).
fn contacts_joined(registers: &RegisterSet, days: Days, keyed: LazyFrame) -> Result<LazyFrame> {
    let keyed = collect_streaming(keyed)?;
    let mut keep = days.contains("DATO_START");
    if keyed.height() <= FILTERED_KEYS_MAX {
        let keys = keyed.column("KEY")?.as_materialized_series().unique()?;
        keep = keep.and(col("DW_EK_KONTAKT").is_in(lit(keys).implode(false), false));
    }
    let contacts = shaped_contacts(registers.require_with_text_persons("lpr_kontakter")?, keep);
    // The keyed rows are in memory and fewer than the contacts of the span: the hash table is
    // built on them and the contacts stream past it.
    Ok(contacts
        .join(
            keyed.lazy(),
            [col("KEY")],
            [col("KEY")],
            JoinArgs::new(JoinType::Inner).with_build_side(Some(JoinBuildSide::ForceRight)),
        )
        .with_column(registers.person_key(col("PNR"))))
}

/// The most keys [`contacts_joined`] tests as the contacts are read (above it, it joins).
const FILTERED_KEYS_MAX: usize = 1 << 20;

/// The contacts starting within `days` joined to the rows of `keyed` as [`contacts_joined`]
/// joins them, for many integer keys: `keyed` has an `Int64` `KEY` column and an unsigned
/// integer column `label`; the result has `contact_columns` of the contacts (of those
/// [`contacts`] gives, `PNR` among them) and `label`, collected.
///
/// The contacts are read a year at a time and each year joined by [`partitioned_join`], whose
/// tables fit the processor's cache where one hash table of tens of millions of keys does not.
/// A year's contacts, about 15 million at national volume, are the most held at once.
fn contacts_joined_by_partitions(
    registers: &RegisterSet,
    days: Days,
    keyed: DataFrame,
    label: &str,
    contact_columns: &[&str],
) -> Result<DataFrame> {
    let label_type = keyed.column(label)?.dtype().clone();
    let build = {
        let labels = keyed.column(label)?.cast(&DataType::UInt64)?;
        let labels = labels.u64()?.rechunk();
        let labels = labels.cont_slice()?;
        partitioned_join::Partitioned::of(keyed.column("KEY")?.i64()?, |row| labels[row])
    };
    // The keys and labels are in `build` now: their frame is not held while the contacts are read.
    drop(keyed);
    let mut pieces = Vec::new();
    for span in days.years() {
        let read = contact_columns.iter().copied().chain(["KEY"]);
        let contacts = collect_streaming(
            shaped_contacts(
                registers.require_with_text_persons("lpr_kontakter")?,
                span.contains("DATO_START"),
            )
            .select(read.map(col).collect::<Vec<_>>()),
        )?;
        let probe =
            partitioned_join::Partitioned::of(contacts.column("KEY")?.i64()?, |row| row as u64);
        let (rows, labels): (Vec<u64>, Vec<u64>) = build.matches(&probe).into_iter().unzip();
        let rows = rows.into_iter().map(|r| r as IdxSize).collect();
        let mut piece = contacts
            .select(contact_columns.iter().copied())?
            .take(&IdxCa::from_vec("rows".into(), rows))?;
        piece.with_column(Column::new(label.into(), labels).cast(&label_type)?)?;
        pieces.push(piece.lazy());
    }
    Ok(collect_streaming(
        concat(pieces, UnionArgs::default())?.with_column(registers.person_key(col("PNR"))),
    )?)
}

/// The rows of the contact register `register` passing `keep` (a predicate on the register's
/// own columns, tested as the rows are read), shaped as [`contacts`].
fn shaped_contacts(register: LazyFrame, keep: Expr) -> LazyFrame {
    register.filter(keep).select([
        col("PNR"),
        day("DATO_START").alias("DAY"),
        day("DATO_SLUT").alias("END"),
        col("SORENHED_ANS"),
        col("AKTIONSDIAGNOSE"),
        col("DW_EK_KONTAKT").alias("KEY"),
    ])
}

/// The events of one criterion on the days `days`: `PNR`, `DAY`, `END`, `UNIT` (taken from the
/// condition contacts already read when they hold them all; `END` and `UNIT` are then empty
/// unless the spec reads them, see [`uses_contact_details`]).
fn criterion_events(
    registers: &RegisterSet,
    c: &Criterion,
    days: Days,
    known: Option<&ConditionContacts>,
) -> Result<LazyFrame> {
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
            .filter(
                days.contains("EKSD")
                    .and(starts_with_any("ATC", "", &c.atc)),
            )
            .select([
                col("PNR"),
                day("EKSD").alias("DAY"),
                lit(NULL).cast(DataType::Int32).alias("END"),
                lit(NULL).cast(DataType::String).alias("UNIT"),
            ]));
    }
    if !c.procedures.is_empty() {
        // A procedure's day is its own (its contact may have started before `days`); one
        // without a date takes its contact's start.
        return Ok(shape(
            procedures::with_contacts(registers, &c.procedures, days)?
                .filter(at_units(&c.units))
                .with_column(col("PROCEDURE_DAY").fill_null(col("DAY")).alias("DAY"))
                .filter(
                    col("DAY")
                        .gt_eq(lit(days.from))
                        .and(col("DAY").lt_eq(lit(days.to))),
                ),
        ));
    }
    Ok(shape(match c.diagnosis_type {
        DiagnosisType::Action => {
            actions::with_codes(registers, &c.diagnoses, days)?.filter(at_units(&c.units))
        }
        DiagnosisType::Any => match known.and_then(|k| k.events_for(c, days)) {
            Some(events) => events.filter(at_units(&c.units)),
            None => {
                let keys = diagnoses_of(registers, &c.diagnoses, &[col("KEY")])?
                    .unique(None, UniqueKeepStrategy::Any);
                contacts_joined(registers, days, keys)?.filter(at_units(&c.units))
            }
        },
    }))
}

/// The diagnoses (action or secondary, not retracted) with one of the ICD-10 `codes`, as
/// `columns`: expressions over `KEY` (the contact) and `DIAGNOSEKODE`, computed for the kept
/// diagnoses as they are read.
///
/// The register is filtered on the codes alone as it is read, and the kept rows' retraction
/// mark is tested after they are collected, where the optimiser cannot fold the two tests into
/// one again. With both in the reader's predicate, every row's mark was decoded and tested,
/// though the codes keep one row in eight: at national volume (197 million diagnoses, 26 million
/// of them multimorbidity's conditions) 1.58-1.79 s against 1.07-1.17 s for the read (Python
/// Polars 1.42, the engine of Polars 0.55). The mark is kept as a boolean until it is tested,
/// and only `columns` beside it, so the collected rows hold no more than their users read.
fn diagnoses_of(registers: &RegisterSet, codes: &[String], columns: &[Expr]) -> Result<LazyFrame> {
    let kept: Vec<Expr> = columns.iter().cloned().chain([col("RETRACTED")]).collect();
    let read = collect_streaming(
        registers
            .require("lpr_diagnoser")?
            .filter(starts_with_any("DIAGNOSEKODE", "D", codes))
            .select([
                col("DW_EK_KONTAKT").alias("KEY"),
                col("DIAGNOSEKODE"),
                col("SENERE_AFKRAEFTET")
                    .eq_missing(lit("Ja"))
                    .alias("RETRACTED"),
            ])
            .select(kept),
    )?;
    Ok(read
        .lazy()
        .filter(col("RETRACTED").not())
        .drop(cols(["RETRACTED"])))
}

/// Keeps the rows of `patients` (with `INDEX_DAY`) that have an event of `c` in the look-back
/// window `[INDEX_DAY - lookback, INDEX_DAY)`; with `keep = false`, those that have none.
fn with_event_before(
    registers: &RegisterSet,
    patients: LazyFrame,
    c: &Criterion,
    design: Design,
    keep: bool,
    known: Option<&ConditionContacts>,
) -> Result<LazyFrame> {
    let lookback = c.lookback_days.unwrap_or(0);
    let days = Days::of_design(design).widened(lookback, 0);
    let hits = persons_with_event_before(
        criterion_events(registers, c, days, known)?,
        &patients,
        lookback,
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
    events_before(events, patients, lookback, with_index_day)
        .select([col("PNR")])
        .unique(None, UniqueKeepStrategy::Any)
}

/// The events (with `PNR` and `DAY`) of the patients in the `lookback` days before their index
/// day, the index day itself included when `with_index_day`; each keeps its patient's
/// `INDEX_DAY`.
fn events_before(
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
fn patient_group(
    registers: &RegisterSet,
    spec: &LoadedSpec,
    known: Option<&ConditionContacts>,
) -> Result<LazyFrame> {
    let group = &spec.spec.patient_group;
    let mut patients = match spec.design {
        Design::IndexDate(index) => {
            // Each criterion in its own window; the unit is that of the latest contact.
            let mut sets = Vec::new();
            for c in &group.include {
                let lookback = c.lookback_days.unwrap_or(0);
                let days = Days {
                    from: index - lookback,
                    to: index - 1,
                };
                let events = || -> Result<LazyFrame> {
                    Ok(criterion_events(registers, c, days, known)?.filter(
                        col("DAY")
                            .gt_eq(lit(index - lookback))
                            .and(col("DAY").lt(lit(index))),
                    ))
                };
                let set = if uses_index_contact(spec) {
                    events()?
                        .sort(["PNR", "DAY"], Default::default())
                        .group_by([col("PNR")])
                        .agg([
                            col("END").last().alias("INDEX_END"),
                            col("UNIT").last().alias("INDEX_UNIT"),
                        ])
                } else {
                    // Nothing reads the latest contact: the patients alone, without sorting
                    // every event of the look-back (13 million for a multimorbidity group at
                    // national volume) by person and day; taken from the condition contacts
                    // grouped by person when they hold the criterion.
                    let persons = match known.and_then(|k| k.persons_for(c, days)) {
                        Some(persons) => persons,
                        None => events()?
                            .select([col("PNR")])
                            .unique(None, UniqueKeepStrategy::Any),
                    };
                    persons.with_columns([
                        lit(NULL).cast(DataType::Int32).alias("INDEX_END"),
                        lit(NULL).cast(DataType::String).alias("INDEX_UNIT"),
                    ])
                }
                .with_column(lit(index).alias("INDEX_DAY"));
                sets.push(set);
            }
            combine(sets, group.combine)?
        }
        Design::Period(from, to) => match group.combine {
            Match::Any => {
                let events = group
                    .include
                    .iter()
                    .map(|c| criterion_events(registers, c, Days { from, to }, known))
                    .collect::<Result<Vec<_>>>()?;
                first_in(concat(events, UnionArgs::default())?, from, to)
            }
            Match::All => {
                let first =
                    criterion_events(registers, &group.include[0], Days { from, to }, known)?;
                let mut patients = first_in(first, from, to);
                for c in &group.include[1..] {
                    patients = with_event_before(registers, patients, c, spec.design, true, known)?;
                }
                patients
            }
        },
    };
    for c in &group.exclude {
        patients = with_event_before(registers, patients, c, spec.design, false, known)?;
    }
    Ok(patients)
}

/// Whether anything reads the index contact's end or unit: a readmission outcome (its window
/// starts at discharge) or a hospital stratifier (the unit's hospital).
fn uses_index_contact(spec: &LoadedSpec) -> bool {
    spec.spec
        .outcomes
        .iter()
        .any(|o| o.kind == OutcomeKind::Readmission)
        || spec.spec.stratifiers.iter().any(|s| {
            matches!(
                s,
                Stratifier::Derived(Derived::Hospital | Derived::HospitalRegion)
            )
        })
}

/// Whether anything reads a criterion event's end or unit: the index contact's ([`uses_index_contact`])
/// or a criterion restricted to units.
fn uses_contact_details(spec: &LoadedSpec) -> bool {
    let group = &spec.spec.patient_group;
    uses_index_contact(spec)
        || group
            .include
            .iter()
            .chain(&group.exclude)
            .any(|c| !c.units.is_empty())
}

/// Combines per-criterion patient sets (one row per person each): union for `any` (the first
/// set's index details win), intersection for `all`. A single set is the group as it is: no
/// second pass to find its persons unique (2 million of them in a multimorbidity group).
fn combine(sets: Vec<LazyFrame>, how: Match) -> Result<LazyFrame> {
    let mut sets = sets.into_iter();
    let first = sets
        .next()
        .ok_or_else(|| Error::Internal("a patient group without criteria".into()))?;
    let rest: Vec<LazyFrame> = sets.collect();
    Ok(match how {
        _ if rest.is_empty() => first,
        Match::Any => concat(
            std::iter::once(first).chain(rest).collect::<Vec<_>>(),
            UnionArgs::default(),
        )?
        .unique(Some(cols(["PNR"])), UniqueKeepStrategy::First),
        Match::All => rest.into_iter().fold(first, |acc, s| {
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
    Ok(bef.with_column(age_on_january_1(year).alias("AGE")))
}

/// Completed years of age on 1 January of `year` from the date of birth `FOED_DAG`: `year - 1`
/// less the year of the day before birth (born on 1 January, the birthday has come; born on any
/// later day, it has not). One calendar conversion per person, where [`age_at_index`] makes six
/// (year, month and day of two dates, each through chrono): over the 6 million persons of a
/// national population, which every analysis year reads, those were 2% of a run.
fn age_on_january_1(year: i32) -> Expr {
    let day_before_birth = (col("FOED_DAG").cast(DataType::Int32) - lit(1)).cast(DataType::Date);
    lit(year - 1) - day_before_birth.dt().year().cast(DataType::Int32)
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
    let known = match &spec.spec.multimorbidity {
        Some(mm) => Some(ConditionContacts::read(
            registers,
            mm,
            spec.design,
            uses_contact_details(spec),
        )?),
        None => None,
    };
    let mut frame = patient_group(registers, spec, known.as_ref())?
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
    // The patients are few next to the registers and every later step joins them again (each
    // condition and outcome): collected once here, the patient-group query is not rerun.
    frame = with_conditions(collect_streaming(frame)?.lazy(), known.as_ref());
    if let Some(min) = spec.spec.patient_group.min_conditions {
        frame = frame.filter(col("CONDITIONS").gt_eq(lit(min as i32)));
    }
    Ok(frame)
}

/// Adds `CONDITIONS`: how many of `[multimorbidity]`'s conditions have a diagnosis (action or
/// secondary, not retracted) in the look-back window up to and including the index day, counted
/// from the condition contacts read for the analysis (0 for all without `[multimorbidity]`).
fn with_conditions(patients: LazyFrame, known: Option<&ConditionContacts>) -> LazyFrame {
    let Some(known) = known else {
        return patients.with_column(lit(0i32).alias("CONDITIONS"));
    };
    // On an index date the condition contacts span exactly the look-back window of every
    // patient, and are grouped by person once ([`ConditionContacts::per_person`]); in a period
    // each patient's own window is taken. The distinct conditions are the ones of the OR of
    // their bits: one aggregation (a streaming reduction, the ones counted after it), where a
    // distinct count within groups pairs every row's person and condition into one encoded key
    // first, and a "has condition i" per condition is one aggregation each.
    let bits = match known.per_person() {
        Some(per_person) => per_person,
        None => events_before(known.all(), &patients, known.lookback_days, true)
            .group_by([col("PNR")])
            .agg([col("CONDITION_BIT").bitwise_or().alias("BITS")]),
    };
    let counts = bits.select([
        col("PNR"),
        col("BITS")
            .bitwise_count_ones()
            .cast(DataType::Int32)
            .alias("CONDITIONS"),
    ]);
    patients
        .join(
            counts,
            [col("PNR")],
            [col("PNR")],
            JoinArgs::new(JoinType::Left),
        )
        .with_column(col("CONDITIONS").fill_null(lit(0i32)))
}

/// The days on which an event of outcome `o` can fall in its window for some patient of the
/// design.
fn outcome_days(design: Design, o: &Outcome) -> Days {
    let [from, to] = o.window_days;
    Days::of_design(design).widened(-from, to)
}

/// The contacts starting within `days` at `units` with an action diagnosis of `codes` (any
/// contact when `codes` is empty): `PNR`, `DAY`, `AKTIONSDIAGNOSE`.
fn contact_events(
    registers: &RegisterSet,
    days: Days,
    units: &[String],
    codes: &[String],
) -> Result<LazyFrame> {
    let mut frame = contacts(registers, days)?.filter(at_units(units));
    if !codes.is_empty() {
        frame = frame.filter(starts_with_any("AKTIONSDIAGNOSE", "D", codes));
    }
    Ok(frame.select([col("PNR"), col("DAY"), col("AKTIONSDIAGNOSE")]))
}

/// The events of an outcome that can fall in its window for some patient of the design:
/// `PNR`, `DAY`.
fn outcome_events(registers: &RegisterSet, design: Design, o: &Outcome) -> Result<LazyFrame> {
    let days = outcome_days(design, o);
    Ok(match o.kind {
        OutcomeKind::Prescription => registers
            .require("lmdb")?
            .filter(
                days.contains("EKSD")
                    .and(starts_with_any("ATC", "", &o.codes)),
            )
            .select([col("PNR"), day("EKSD").alias("DAY")]),
        OutcomeKind::Procedure => {
            let c = Criterion {
                procedures: o.codes.clone(),
                units: o.units.clone(),
                ..Default::default()
            };
            criterion_events(registers, &c, days, None)?.select([col("PNR"), col("DAY")])
        }
        OutcomeKind::Contact => {
            contact_events(registers, days, &o.units, &o.codes)?.select([col("PNR"), col("DAY")])
        }
        OutcomeKind::Death => registers
            .require("dod")?
            .select([col("PNR"), day("DODDATO").alias("DAY")]),
        // The window starts at discharge, which may be long after the index: no upper bound.
        OutcomeKind::Readmission => contacts(
            registers,
            Days {
                to: i32::MAX,
                ..days
            },
        )?
        .select([col("PNR"), col("DAY")]),
    })
}

/// The column names of outcome `i`: 1/0 (null when not at risk) and days to the event.
pub fn outcome_columns(i: usize) -> (String, String) {
    (format!("OUT_{i}"), format!("WAIT_{i}"))
}

/// The outcomes read by one scan of their events, as groups of indices into `outcomes`: contact
/// outcomes with the same window and units share one, every other outcome is read alone. At
/// national volume each contact outcome is a pass over a year's 15 million contacts, and a
/// specification such as multimorbidity's asks for any contact and for the avoidable ones
/// among them on the same days.
fn shared_scans(outcomes: &[Outcome]) -> Vec<Vec<usize>> {
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (i, o) in outcomes.iter().enumerate() {
        let shares = |first: &Outcome| {
            o.kind == OutcomeKind::Contact
                && first.kind == OutcomeKind::Contact
                && first.window_days == o.window_days
                && first.units == o.units
        };
        match groups.iter_mut().find(|g| shares(&outcomes[g[0]])) {
            Some(group) => group.push(i),
            None => groups.push(vec![i]),
        }
    }
    groups
}

/// The events of the outcomes `group` ([`shared_scans`]) as [`outcome_events`] gives them, and
/// for each outcome of the group which of the events are its own: `None` for every one (an
/// outcome read alone, or a contact outcome naming no diagnoses), else a predicate (one of its
/// action diagnoses). The scan keeps only the diagnoses of the group when each outcome names
/// some.
fn group_events(
    registers: &RegisterSet,
    design: Design,
    group: &[&Outcome],
) -> Result<(LazyFrame, Vec<Option<Expr>>)> {
    if let [alone] = group {
        return Ok((outcome_events(registers, design, alone)?, vec![None]));
    }
    // Every contact of the window when one of the outcomes counts them all.
    let codes: Vec<String> = match group.iter().any(|o| o.codes.is_empty()) {
        true => Vec::new(),
        false => group.iter().flat_map(|o| o.codes.clone()).collect(),
    };
    let first = group[0];
    let events = contact_events(registers, outcome_days(design, first), &first.units, &codes)?;
    let own = group
        .iter()
        .map(|o| (!o.codes.is_empty()).then(|| starts_with_any("AKTIONSDIAGNOSE", "D", &o.codes)))
        .collect();
    Ok((events, own))
}

/// Adds `OUT_i` (1 with an event in the window, 0 without, null when not at risk) and `WAIT_i`
/// (days from the index to the first event in the window) for every outcome.
pub fn with_outcomes(
    registers: &RegisterSet,
    spec: &LoadedSpec,
    mut patients: LazyFrame,
) -> Result<LazyFrame> {
    // Taken from the patients as they come in: `patients` below grows a join per outcome, and
    // selecting from it would nest every earlier outcome's query in each later one's.
    let index = patients
        .clone()
        .select([col("PNR"), col("INDEX_DAY"), col("INDEX_END")]);
    let outcomes = &spec.spec.outcomes;
    for group in shared_scans(outcomes) {
        // The outcomes of a group share their kind and window.
        let o = &outcomes[group[0]];
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
        let members: Vec<&Outcome> = group.iter().map(|&i| &outcomes[i]).collect();
        let (events, own) = group_events(registers, spec.design, &members)?;
        let waits: Vec<Expr> = group
            .iter()
            .zip(own)
            .map(|(&i, own)| {
                let days = col("DAY") - col("INDEX_DAY");
                let days = match own {
                    None => days,
                    Some(own) => when(own).then(days).otherwise(lit(NULL)),
                };
                days.min().alias(outcome_columns(i).1.as_str())
            })
            .collect();
        let first = events
            .join(
                index.clone(),
                [col("PNR")],
                [col("PNR")],
                JoinArgs::new(JoinType::Inner),
            )
            .filter(window)
            .group_by([col("PNR")])
            .agg(waits);
        patients = patients.join(
            first,
            [col("PNR")],
            [col("PNR")],
            JoinArgs::new(JoinType::Left),
        );
        for &i in &group {
            let (out, wait) = outcome_columns(i);
            let at_risk = match outcomes[i].alive_days {
                Some(days) => col("DEATH_DAY")
                    .is_null()
                    .or(col("DEATH_DAY").gt(col("INDEX_DAY") + lit(days))),
                None => lit(true),
            };
            patients = patients.with_column(
                when(at_risk)
                    .then(col(wait.as_str()).is_not_null().cast(DataType::Int32))
                    .otherwise(lit(NULL).cast(DataType::Int32))
                    .alias(out.as_str()),
            );
        }
    }
    Ok(patients)
}

/// What the cohort's tests use alike: codes, days, a contact register and the shipped specs.
#[cfg(test)]
pub(crate) mod testing {
    use super::{Days, Design, Scope, Spec};
    use crate::pipeline::spec::LoadedSpec;

    /// Codes as the specs hold them.
    pub fn codes(list: &[&str]) -> Vec<String> {
        list.iter().map(|c| c.to_string()).collect()
    }

    /// The day number of an ISO date.
    pub fn day(iso: &str) -> i32 {
        crate::dates::parse_iso(iso).expect("date")
    }

    /// The span of days from `from` to `to`, both included.
    pub fn span(from: &str, to: &str) -> Days {
        Days {
            from: day(from),
            to: day(to),
        }
    }

    /// Writes the contact register `lpr_kontakter.csv` into `dir`: its header and `rows`.
    pub fn write_contacts(dir: &std::path::Path, rows: &str) {
        std::fs::write(
            dir.join("lpr_kontakter.csv"),
            format!(
                "DW_EK_KONTAKT,PNR,DATO_START,DATO_SLUT,KONTAKTTYPE,SORENHED_ANS,AKTIONSDIAGNOSE\n{rows}"
            ),
        )
        .expect("contacts");
    }

    /// A shipped spec of `pipelines/`.
    pub fn shipped(name: &str) -> LoadedSpec {
        crate::pipeline::spec::load(std::path::Path::new(&format!("pipelines/{name}.toml")))
            .expect("shipped spec")
    }

    /// The (first, last) day `days_of` gives the shipped spec `name` in its own design.
    pub fn days_of_shipped(
        days_of: fn(&Spec, Design) -> Option<Days>,
        name: &str,
    ) -> Option<(i32, i32)> {
        let loaded = shipped(name);
        days_of(&loaded.spec, loaded.design).map(|d| (d.from, d.to))
    }

    /// The scope of a run of the shipped specs `names`, each in its own design.
    pub fn scope_of_shipped(
        names: &[&str],
        codes_of: fn(&Spec) -> Vec<String>,
        days_of: fn(&Spec, Design) -> Option<Days>,
    ) -> Scope {
        let specs: Vec<LoadedSpec> = names.iter().map(|name| shipped(name)).collect();
        Scope::of_run(
            specs.iter().map(|l| (&l.spec, vec![l.design])),
            codes_of,
            days_of,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{codes, write_contacts};
    use super::*;
    use crate::dates::parse_iso;

    #[test]
    fn spans_are_cut_into_whole_consecutive_years_at_most() {
        let days = testing::span("2018-01-02", "2023-01-01");
        let years = days.years();
        assert_eq!(
            years.len(),
            6,
            "1,826 days: five spans of 365 and one of the last day"
        );
        assert_eq!(years[0].from, days.from);
        assert_eq!(
            years[5],
            Days {
                from: days.to,
                to: days.to
            }
        );
        for pair in years.windows(2) {
            assert_eq!(
                pair[0].to + 1,
                pair[1].from,
                "consecutive, no day twice or left out"
            );
            assert_eq!(pair[0].to - pair[0].from + 1, SPAN_DAYS);
        }
        assert_eq!(Days::ALL.years(), [Days::ALL]);
        let one = testing::span("2024-02-29", "2024-02-29");
        assert_eq!(one.years(), [one]);
    }

    #[test]
    fn codes_are_covered_by_themselves_or_a_shorter_prefix_only() {
        let read = codes(&["KNFB", "BFCA0", "KFNG05"]);
        assert!(covers(&read, &codes(&["KNFB"])));
        assert!(covers(&read, &codes(&["KNFB20", "BFCA0"])));
        assert!(
            !covers(&read, &codes(&["KNF"])),
            "a wider prefix is not read"
        );
        assert!(!covers(&read, &codes(&["KNFB", "KNFJ"])));
        assert!(!covers(&[], &codes(&["KNFB"])));
    }

    #[test]
    fn age_on_january_1_counts_a_birthday_only_on_new_years_day() {
        // (born, completed years on 1 January 2024), counted by hand.
        let cases = [
            ("1960-01-01", 64),
            ("1960-01-02", 63),
            ("1959-12-31", 64),
            ("2000-02-29", 23),
            ("2023-12-31", 0),
            ("2024-01-01", 0),
            ("1900-03-01", 123),
            ("1969-12-31", 54),
        ];
        let born: Vec<i32> = cases
            .iter()
            .map(|(day, _)| parse_iso(day).expect("date"))
            .collect();
        let ages = df!("FOED_DAG" => born)
            .expect("frame")
            .lazy()
            .select([col("FOED_DAG").cast(DataType::Date)])
            .select([age_on_january_1(2024).alias("AGE")])
            .collect()
            .expect("ages");
        let ages: Vec<Option<i32>> = ages
            .column("AGE")
            .expect("AGE")
            .i32()
            .expect("i32")
            .iter()
            .collect();
        let expected: Vec<Option<i32>> = cases.iter().map(|&(_, age)| Some(age)).collect();
        assert_eq!(ages, expected);
    }

    /// Five contacts with hip operations (KNFB, KNFJ), known by hand, for a criterion on March
    /// 2021:
    /// - p1: admitted 20 February, operated 2 March (in: the procedure's day counts);
    /// - p2: admitted 5 March, operated 5 April (out);
    /// - p3: admitted 15 March, operation without a date (in, on the admission day);
    /// - p4: admitted 1 February, operation without a date (out);
    /// - p5: admitted 20 March at a unit ending in 123, two operations that day (two events).
    fn hip_registers(dir: &std::path::Path) -> RegisterSet {
        write_contacts(
            dir,
            "1,p1,2021-02-20,2021-03-10,ALCA00,6620011000000,DS720\n\
             2,p2,2021-03-05,2021-04-10,ALCA00,6620011000000,DS720\n\
             3,p3,2021-03-15,2021-03-20,ALCA00,6620011000000,DS720\n\
             4,p4,2021-02-01,2021-02-03,ALCA00,6620011000000,DS720\n\
             5,p5,2021-03-20,2021-03-25,ALCA00,6620022000123,DS721\n",
        );
        std::fs::write(
            dir.join("lpr_procedurer.csv"),
            "DW_EK_KONTAKT,PROCEDUREKODE,DATO_START\n\
             1,KNFB20,2021-03-02\n2,KNFB20,2021-04-05\n3,KNFJ51,\n4,KNFB20,\n\
             5,KNFB20,2021-03-20\n5,KNFJ51,2021-03-20\n1,ZZ0150,2021-03-02\n",
        )
        .expect("procedures");
        RegisterSet::open(dir).expect("opened")
    }

    #[test]
    fn procedure_events_fall_on_their_own_day_or_else_their_contacts() {
        let dir = tempfile::tempdir().expect("temp");
        let mut registers = hip_registers(dir.path());
        let day = |iso: &str| parse_iso(iso).expect("date");
        let march = Days {
            from: day("2021-03-01"),
            to: day("2021-03-31"),
        };
        let surgery = Criterion {
            procedures: vec!["KNFB".into(), "KNFJ".into()],
            ..Default::default()
        };
        let at_unit = Criterion {
            units: vec!["123".into()],
            ..surgery.clone()
        };
        let events = |registers: &RegisterSet, c: &Criterion| {
            let frame = criterion_events(registers, c, march, None)
                .expect("events")
                .collect()
                .expect("collected");
            let pnr = frame
                .column("PNR")
                .expect("PNR")
                .str()
                .expect("text")
                .clone();
            let days = frame
                .column("DAY")
                .expect("DAY")
                .i32()
                .expect("days")
                .clone();
            let mut rows: Vec<(String, i32)> = (0..frame.height())
                .map(|i| {
                    (
                        pnr.get(i).expect("pnr").to_string(),
                        days.get(i).expect("day"),
                    )
                })
                .collect();
            rows.sort();
            rows
        };
        let expected = [
            ("p1".to_string(), day("2021-03-02")),
            ("p3".to_string(), day("2021-03-15")),
            ("p5".to_string(), day("2021-03-20")),
            ("p5".to_string(), day("2021-03-20")),
        ];
        let at_123 = [
            ("p5".to_string(), day("2021-03-20")),
            ("p5".to_string(), day("2021-03-20")),
        ];
        // Read for the criterion alone, and from a run's frame of wider codes.
        assert_eq!(events(&registers, &surgery), expected);
        assert_eq!(events(&registers, &at_unit), at_123);
        registers.procedures.codes = vec!["KN".into(), "ZZ".into()];
        assert_eq!(events(&registers, &surgery), expected);
        assert_eq!(events(&registers, &at_unit), at_123);
        // A run asking about March alone: the frame it reads serves the criterion on March.
        registers.procedures.days = march;
        assert!(registers.procedures.serves(&surgery.procedures, march));
        assert_eq!(events(&registers, &surgery), expected);
        assert_eq!(events(&registers, &at_unit), at_123);
    }

    /// Multimorbidity's any contact (0) and avoidable admission (1) on contacts counted by hand,
    /// all patients indexed on 1 January 2023 with the window of days 0-364:
    /// - p1: a contact for otitis (J06) on 1 February (day 31), for diabetes (E11) on 1 March
    ///   (59): any contact after 31 days, avoidable after 59;
    /// - p2: diabetes on 30 December 2022 (before the window), heart failure (I50) on 10 May
    ///   (129): both after 129 days;
    /// - p3: asthma (J45) on 1 January 2024, day 365 (after the window): neither;
    /// - p4, no patient: a contact that counts for nobody.
    #[test]
    fn contact_outcomes_read_by_one_scan_equal_each_read_alone() {
        let dir = tempfile::tempdir().expect("temp");
        write_contacts(
            dir.path(),
            "1,p1,2023-02-01,2023-02-01,ALCA00,6620011000000,DJ069\n\
             2,p1,2023-03-01,2023-03-02,ALCA00,6620011000000,DE119\n\
             3,p2,2022-12-30,2022-12-30,ALCA00,6620011000000,DE110\n\
             4,p2,2023-05-10,2023-05-12,ALCA00,6620011000000,DI500\n\
             5,p3,2024-01-01,2024-01-01,ALCA00,6620011000000,DJ459\n\
             6,p4,2023-06-01,2023-06-01,ALCA00,6620011000000,DE119\n",
        );
        let registers = RegisterSet::open(dir.path()).expect("opened");
        let mut both = testing::shipped("multimorbidity_contacts");
        assert_eq!(shared_scans(&both.spec.outcomes), [vec![0, 1], vec![2]]);
        both.spec.outcomes.truncate(2);
        let index = testing::day("2023-01-01");
        let patients = df!(
            "PNR" => ["p1", "p2", "p3"],
            "INDEX_DAY" => [index; 3],
            "INDEX_END" => [None::<i32>; 3],
            "DEATH_DAY" => [None::<i32>; 3],
        )
        .expect("patients");
        let outcomes = |spec: &LoadedSpec| {
            let frame = with_outcomes(&registers, spec, patients.clone().lazy())
                .expect("outcomes")
                .sort(["PNR"], Default::default())
                .collect()
                .expect("collected");
            (0..spec.spec.outcomes.len())
                .map(|i| {
                    let (out, wait) = outcome_columns(i);
                    let column = |name: &str| -> Vec<Option<i32>> {
                        frame
                            .column(name)
                            .expect("column")
                            .i32()
                            .expect("days")
                            .iter()
                            .collect()
                    };
                    (column(&out), column(&wait))
                })
                .collect::<Vec<_>>()
        };
        let any = (
            vec![Some(1), Some(1), Some(0)],
            vec![Some(31), Some(129), None],
        );
        let avoidable = (
            vec![Some(1), Some(1), Some(0)],
            vec![Some(59), Some(129), None],
        );
        assert_eq!(outcomes(&both), [any.clone(), avoidable.clone()]);
        for (i, expected) in [any, avoidable].into_iter().enumerate() {
            let mut alone = both.clone();
            alone.spec.outcomes = vec![both.spec.outcomes[i].clone()];
            assert_eq!(shared_scans(&alone.spec.outcomes), [vec![0]]);
            assert_eq!(outcomes(&alone), [expected], "outcome {i} alone");
        }
    }

    #[test]
    fn contact_details_are_read_for_the_index_contact_and_for_units() {
        let base = crate::pipeline::spec::load(std::path::Path::new(
            "pipelines/multimorbidity_contacts.toml",
        ))
        .expect("shipped spec");
        assert!(!uses_contact_details(&base));
        let mut hospital = base.clone();
        hospital
            .spec
            .stratifiers
            .push(Stratifier::Derived(Derived::Hospital));
        let mut region = base.clone();
        region
            .spec
            .stratifiers
            .push(Stratifier::Derived(Derived::HospitalRegion));
        let mut readmission = base.clone();
        readmission.spec.outcomes[0].kind = OutcomeKind::Readmission;
        let mut include_at_unit = base.clone();
        include_at_unit.spec.patient_group.include[0].units = vec!["011".into()];
        let mut exclude_at_unit = base.clone();
        let mut excluded = exclude_at_unit.spec.patient_group.include[0].clone();
        excluded.units = vec!["011".into()];
        exclude_at_unit.spec.patient_group.exclude.push(excluded);
        for (name, spec) in [
            ("hospital", hospital),
            ("hospital_region", region),
            ("readmission", readmission),
            ("include at a unit", include_at_unit),
            ("exclude at a unit", exclude_at_unit),
        ] {
            assert!(uses_contact_details(&spec), "{name}");
        }
    }

    #[test]
    fn prefixes_of_several_lengths_match_as_starts_with_would() {
        let kept = |prefixes: &[&str]| {
            let prefixes = codes(prefixes);
            let values = Series::new(
                "DIAGNOSEKODE".into(),
                [
                    Some("DE119"),
                    Some("DE1"),
                    Some("DJ449"),
                    Some("DS7211"),
                    Some("DS7231"),
                    Some("DI21"),
                    Some("DI219"),
                    Some("XE11"),
                    Some("DÆ11"),
                    None,
                ],
            );
            let kept = DataFrame::new(10, vec![values.into()])
                .expect("frame")
                .lazy()
                .filter(starts_with_any("DIAGNOSEKODE", "D", &prefixes))
                .collect()
                .expect("filtered");
            let kept = kept
                .column("DIAGNOSEKODE")
                .expect("column")
                .str()
                .expect("text")
                .clone();
            (0..kept.len())
                .filter_map(|i| kept.get(i).map(String::from))
                .collect::<Vec<String>>()
        };
        // Few prefixes of each length, compared one by one.
        assert_eq!(
            kept(&["E11", "J44", "S721", "I21"]),
            ["DE119", "DJ449", "DS7211", "DI21", "DI219"]
        );
        // Six of one length, looked up in a set, and one of another.
        assert_eq!(
            kept(&["E11", "J44", "I50", "I25", "N18", "M81", "S721"]),
            ["DE119", "DJ449", "DS7211"]
        );
        assert_eq!(
            kept(&["E11", "J44", "I50", "I25", "N18", "I21"]),
            ["DE119", "DJ449", "DI21", "DI219"]
        );
    }
}
