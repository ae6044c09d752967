//! The patient group: who is in it and from which index day. Prevalent designs look for every
//! include criterion in its look-back before the common index date; incident designs take each
//! patient's first qualifying event in the period. Then the population at the index (residents of
//! the ages asked for, alive) and, where the spec has them, the multimorbidity conditions and
//! the Charlson index.

use polars::prelude::*;

use super::charlson;
use super::conditions::ConditionContacts;
use super::criteria::criterion_events;
use super::event_count::met_on;
use super::population::*;
use super::windows::events_before;
use crate::error::{Error, Result};
use crate::registers::scan::{RegisterSet, collect_streaming};
use crate::registers::scope::Days;
use crate::spec::{Criterion, Derived, Design, LoadedSpec, Match, Outcome, Stratifier};

/// Keeps the rows of `patients` (with `INDEX_DAY`) that meet `c` in the look-back window
/// `[INDEX_DAY - lookback, INDEX_DAY)` (an event, or `min_events` of them); with `keep = false`,
/// those that do not.
pub(super) fn with_event_before(
    registers: &RegisterSet,
    patients: LazyFrame,
    c: &Criterion,
    design: Design,
    keep: bool,
    known: Option<&ConditionContacts>,
) -> Result<LazyFrame> {
    let lookback = c.lookback_days.unwrap_or(0);
    let days = Days::of_design(design).widened(lookback, 0);
    let events = criterion_events(registers, c, days, known, false)?;
    let hits = met_on(events_before(events, &patients, lookback, false), c)
        .select([col("PNR")])
        .unique(None, UniqueKeepStrategy::Any);
    let how = if keep { JoinType::Semi } else { JoinType::Anti };
    Ok(patients.join(hits, [col("PNR")], [col("PNR")], JoinArgs::new(how)))
}

/// The events of criterion `c` on whose day it is met, up to `to`: for a criterion of several
/// events, its earlier events may lie before the period's first day `from`, by up to
/// `within_days`. With `index_stays`, the outcomes take the patients' index stays from a
/// criterion of a priority or setting, which hands its stays over to them
/// ([`super::outcomes::takes_handed_stays`], [`criterion_events`]).
fn met_in_period(
    registers: &RegisterSet,
    c: &Criterion,
    (from, to): (i32, i32),
    known: Option<&ConditionContacts>,
    index_stays: bool,
) -> Result<LazyFrame> {
    let days = Days { from, to }.widened(c.reach_days(), 0);
    let events = criterion_events(registers, c, days, known, index_stays)?;
    Ok(met_on(events, c))
}

/// The first event per person in `[from, to]`, with its end, unit and contact: `PNR`,
/// `INDEX_DAY`, `INDEX_END`, `INDEX_UNIT`, `INDEX_KEY`.
pub(super) fn first_in(events: LazyFrame, from: i32, to: i32) -> LazyFrame {
    events
        .filter(col("DAY").gt_eq(lit(from)).and(col("DAY").lt_eq(lit(to))))
        .sort(["PNR", "DAY"], Default::default())
        .group_by([col("PNR")])
        .agg([
            col("DAY").first().alias("INDEX_DAY"),
            col("END").first().alias("INDEX_END"),
            col("UNIT").first().alias("INDEX_UNIT"),
            col("KEY").first().alias("INDEX_KEY"),
        ])
}

/// The patient group: `PNR`, `INDEX_DAY`, `INDEX_END`, `INDEX_UNIT`, `INDEX_KEY`.
pub(super) fn patient_group(
    registers: &RegisterSet,
    spec: &LoadedSpec,
    known: Option<&ConditionContacts>,
) -> Result<LazyFrame> {
    let group = &spec.spec.patient_group;
    let index_stays = super::outcomes::takes_handed_stays(&spec.spec.outcomes);
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
                    Ok(met_on(
                        criterion_events(registers, c, days, known, false)?.filter(
                            col("DAY")
                                .gt_eq(lit(index - lookback))
                                .and(col("DAY").lt(lit(index))),
                        ),
                        c,
                    ))
                };
                let set = if uses_index_contact(spec) {
                    events()?
                        .sort(["PNR", "DAY"], Default::default())
                        .group_by([col("PNR")])
                        .agg([
                            col("END").last().alias("INDEX_END"),
                            col("UNIT").last().alias("INDEX_UNIT"),
                            col("KEY").last().alias("INDEX_KEY"),
                        ])
                } else {
                    // Nothing reads the latest contact: the patients alone, without sorting
                    // every event of the look-back (13 million for a multimorbidity group at
                    // national volume) by person and day; taken from the condition contacts
                    // grouped by person when they hold the criterion.
                    let persons = match known
                        .filter(|_| c.events_needed() == 1)
                        .and_then(|k| k.persons_for(c, days))
                    {
                        Some(persons) => persons,
                        None => events()?
                            .select([col("PNR")])
                            .unique(None, UniqueKeepStrategy::Any),
                    };
                    persons.with_columns([
                        lit(NULL).cast(DataType::Int32).alias("INDEX_END"),
                        lit(NULL).cast(DataType::String).alias("INDEX_UNIT"),
                        lit(NULL)
                            .cast(registers.keys().contacts.clone())
                            .alias("INDEX_KEY"),
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
                    .map(|c| met_in_period(registers, c, (from, to), known, index_stays))
                    .collect::<Result<Vec<_>>>()?;
                first_in(concat(events, UnionArgs::default())?, from, to)
            }
            Match::All => {
                let first =
                    met_in_period(registers, &group.include[0], (from, to), known, index_stays)?;
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

/// Whether anything reads the index contact's end, unit or stay: a readmission outcome (its
/// window starts at discharge), a length of stay (the index stay's days), an outcome in hours
/// (from the arrival) or a hospital stratifier (the unit's hospital).
pub(super) fn uses_index_contact(spec: &LoadedSpec) -> bool {
    spec.spec.outcomes.iter().any(Outcome::reads_index_stay)
        || spec.spec.stratifiers.iter().any(|s| {
            matches!(
                s,
                Stratifier::Derived(Derived::Hospital | Derived::HospitalRegion)
            )
        })
}

/// Whether anything reads a criterion event's end, unit or contact: the index contact's
/// ([`uses_index_contact`]) or a criterion restricted to units, priority or setting.
pub(super) fn uses_contact_details(spec: &LoadedSpec) -> bool {
    let group = &spec.spec.patient_group;
    uses_index_contact(spec)
        || group
            .include
            .iter()
            .chain(&group.exclude)
            .any(|c| c.unit_codes.is_some() || c.priority.is_some() || c.setting.is_some())
}

/// Combines per-criterion patient sets (one row per person each): union for `any` (the first
/// set's index details win), intersection for `all`. A single set is the group as it is: no
/// second pass to find its persons unique (2 million of them in a multimorbidity group).
pub(super) fn combine(sets: Vec<LazyFrame>, how: Match) -> Result<LazyFrame> {
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

/// The patients: residents (the population register as of each patient's index, [`at_index`])
/// in the patient group,
/// alive at their index day, in the age range and municipalities of residence, with `AGE` at the
/// index and `CONDITIONS` (the region restriction is applied once regions are attached).
pub fn patients(registers: &RegisterSet, spec: &LoadedSpec) -> Result<LazyFrame> {
    if !crate::spec::units::resolved(spec) {
        return Err(crate::error::Error::Internal(format!(
            "{}: the spec's unit types and specialties were not looked up in the SOR table",
            spec.path.display()
        )));
    }
    let population = &spec.spec.population;
    let known = match &spec.spec.multimorbidity {
        Some(mm) => Some(ConditionContacts::of_multimorbidity(
            registers,
            mm,
            spec.design,
            uses_contact_details(spec),
        )?),
        None => None,
    };
    let mut frame = at_index(
        registers,
        spec,
        patient_group(registers, spec, known.as_ref())?,
    )?
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
    if let Some(lookback) = spec.spec.charlson_lookback() {
        let patients = collect_streaming(frame)?;
        let persons = patients.column("PNR")?.as_materialized_series().unique()?;
        let charlson = charlson::read(registers, spec.design, lookback, &persons)?;
        frame = charlson::with_charlson(patients.lazy(), &charlson);
    }
    Ok(frame)
}

/// Adds `CONDITIONS`: how many of `[multimorbidity]`'s conditions have a diagnosis (action or
/// secondary, not retracted) in the look-back window up to and including the index day, counted
/// from the condition contacts read for the analysis (0 for all without `[multimorbidity]`).
pub(super) fn with_conditions(patients: LazyFrame, known: Option<&ConditionContacts>) -> LazyFrame {
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
