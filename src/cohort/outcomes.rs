//! The outcomes of the patients: for each outcome of the spec, whether and when its first event
//! fell in the window after the index (contacts, procedures, prescriptions or death), with the
//! outcomes that read the same register on the same days sharing one scan.

use polars::prelude::*;

use super::criteria::criterion_events;
use super::population::emigrations;
use super::procedures;
use super::reads::*;
use super::stays::{DAY_SECONDS, handed_over, stays_of};
use crate::error::{Error, Result};
use crate::registers::scan::{RegisterSet, collect_streaming};
use crate::registers::scope::Days;
use crate::spec::{Criterion, Design, LoadedSpec, Outcome, OutcomeKind, Priority, Setting};

/// The days on which an event of outcome `o` can fall in its window for some patient of the
/// design.
pub(super) fn outcome_days(design: Design, o: &Outcome) -> Days {
    let [from, to] = o.window_days;
    Days::of_design(design).widened(-from, to)
}

/// The contacts starting within `days` at the units of `unit_codes` with an action diagnosis of `codes` (any
/// contact when `codes` is empty): `PNR`, `DAY`, `AKTIONSDIAGNOSE`, and, with the patients'
/// `stays`, each contact's stay's `ACUTE` and `INPATIENT` ([`stay_predicate`] tests them).
pub(super) fn contact_events(
    registers: &RegisterSet,
    days: Days,
    unit_codes: &Option<Vec<String>>,
    codes: &[String],
    stays: Option<&DataFrame>,
) -> Result<LazyFrame> {
    let mut frame = contacts(registers, days)?.filter(at_units(unit_codes));
    if !codes.is_empty() {
        frame = frame.filter(starts_with_any("AKTIONSDIAGNOSE", "D", codes));
    }
    let mut columns = vec![col("PNR"), col("DAY"), col("AKTIONSDIAGNOSE")];
    if let Some(stays) = stays {
        frame = frame.join(
            stays
                .clone()
                .lazy()
                .select([col("KEY"), col("ACUTE"), col("INPATIENT")]),
            [col("KEY")],
            [col("KEY")],
            JoinArgs::new(JoinType::Left),
        );
        columns.extend([col("ACUTE"), col("INPATIENT")]);
    }
    Ok(frame.select(columns))
}

/// The test a contact outcome's `priority` and `setting` make of its contacts' stays (`ACUTE`,
/// `INPATIENT`, [`contact_events`]); `None` when it names neither. A contact that is no
/// physical attendance belongs to no stay and passes neither.
fn stay_predicate(o: &Outcome) -> Option<Expr> {
    let priority = o
        .priority
        .map(|p| col("ACUTE").eq_missing(lit(p == Priority::Acute)));
    let setting = o
        .setting
        .map(|s| col("INPATIENT").eq_missing(lit(s == Setting::Inpatient)));
    match (priority, setting) {
        (Some(p), Some(s)) => Some(p.and(s)),
        (p, s) => p.or(s),
    }
}

/// The events of an outcome that can fall in its window for some patient of the design:
/// `PNR`, `DAY`, and `AT` (the instant, seconds since 1970-01-01) for an outcome in hours.
/// `stays` are the patients' stays ([`super::stays::stays_of`]) when an outcome reads them:
/// a readmission's events are their acute inpatient stays (`STAY_ID` of each), a contact
/// outcome with a priority or setting keeps the contacts of such stays.
pub(super) fn outcome_events(
    registers: &RegisterSet,
    design: Design,
    o: &Outcome,
    stays: Option<&DataFrame>,
) -> Result<LazyFrame> {
    let days = outcome_days(design, o);
    if let (OutcomeKind::Readmission, Some(stays)) = (o.kind, stays) {
        return Ok(stays
            .clone()
            .lazy()
            .filter(
                col("STAY_FIRST")
                    .and(col("ACUTE").eq_missing(lit(true)))
                    .and(col("INPATIENT")),
            )
            .select([
                col("PNR"),
                col("STAY_START_DAY").alias("DAY"),
                col("STAY_ID"),
            ]));
    }
    if let (OutcomeKind::Procedure, Some(_)) = (o.kind, o.window_hours) {
        return Ok(procedures::with_contacts(registers, &o.codes, days)?
            .filter(at_units(&o.unit_codes))
            .with_column(col("PROCEDURE_DAY").fill_null(col("DAY")).alias("DAY"))
            .filter(
                col("DAY")
                    .gt_eq(lit(days.from))
                    .and(col("DAY").lt_eq(lit(days.to))),
            )
            .select([
                col("PNR"),
                col("DAY"),
                (col("PROCEDURE_DAY").cast(DataType::Int64) * lit(DAY_SECONDS)
                    + col("PROCEDURE_TIME").cast(DataType::Int64))
                .alias("AT"),
            ]));
    }
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
                unit_codes: o.unit_codes.clone(),
                ..Default::default()
            };
            criterion_events(registers, &c, days, None, false)?.select([col("PNR"), col("DAY")])
        }
        OutcomeKind::Contact => match stay_predicate(o) {
            Some(keep) => contact_events(registers, days, &o.unit_codes, &o.codes, stays)?
                .filter(keep)
                .select([col("PNR"), col("DAY")]),
            None => contact_events(registers, days, &o.unit_codes, &o.codes, None)?
                .select([col("PNR"), col("DAY")]),
        },
        OutcomeKind::Death => registers
            .require("dod")?
            .select([col("PNR"), day("DODDATO").alias("DAY")]),
        OutcomeKind::Readmission | OutcomeKind::LengthOfStay => {
            return Err(Error::Internal(format!(
                "outcome {} is read from the patients' stays, not alone",
                o.id
            )));
        }
    })
}

/// The patients' index details with their index contact's stay: `PNR`, `INDEX_DAY`,
/// `INDEX_END` (the stay's discharge day where the index contact is a physical attendance, else
/// the contact's end), `INDEX_STAY_ID`, `INDEX_AT` (the stay's start, the arrival),
/// `INDEX_ARRIVAL_DAY` (its day) and `INDEX_DISCHARGE_DAY` (the stay's discharge day, null
/// without a stay or while it is open).
fn with_index_stay(patients: LazyFrame, stays: &DataFrame) -> Result<DataFrame> {
    let stay = stays.clone().lazy().select([
        col("KEY").alias("INDEX_KEY"),
        col("STAY_ID").alias("INDEX_STAY_ID"),
        col("STAY_START_AT").alias("INDEX_AT"),
        col("STAY_START_DAY").alias("INDEX_ARRIVAL_DAY"),
        col("STAY_END_DAY"),
    ]);
    Ok(collect_streaming(
        patients
            .select([
                col("PNR"),
                col("INDEX_DAY"),
                col("INDEX_END"),
                col("INDEX_KEY"),
            ])
            .join(
                stay,
                [col("INDEX_KEY")],
                [col("INDEX_KEY")],
                JoinArgs::new(JoinType::Left),
            )
            .select([
                col("PNR"),
                col("INDEX_DAY"),
                when(col("INDEX_STAY_ID").is_not_null())
                    .then(col("STAY_END_DAY"))
                    .otherwise(col("INDEX_END"))
                    .alias("INDEX_END"),
                col("INDEX_STAY_ID"),
                col("INDEX_AT"),
                col("INDEX_ARRIVAL_DAY"),
                col("STAY_END_DAY").alias("INDEX_DISCHARGE_DAY"),
            ]),
    )?)
}

/// The events of `in_window` (joined to the index, within the outcome's days) that fall within
/// `[from, to]` hours after the arrival (`INDEX_AT`). Hours need times: an event on those days
/// or an index stay without one stops the analysis (the registers must carry
/// `TIDSPUNKT_START`: LPR3 does, LPR2 kept hours for inpatients only), rather than count as none
/// or be guessed from its date.
fn in_hours(in_window: LazyFrame, o: &Outcome, from: i32, to: i32) -> Result<LazyFrame> {
    let in_window = collect_streaming(in_window)?;
    let untimed = collect_streaming(
        in_window
            .clone()
            .lazy()
            .filter(col("AT").is_null().or(col("INDEX_AT").is_null()))
            .select([col("PNR").count().alias("N")]),
    )?;
    let untimed = untimed.column("N")?.u32()?.get(0).unwrap_or(0);
    if untimed > 0 {
        return Err(Error::BadInput(format!(
            "outcome {} counts hours (window_hours), but {untimed} of its patients' procedures on the days looked at, or their arrivals, have no time: lpr_procedurer and lpr_kontakter need TIDSPUNKT_START (docs/registers.md)",
            o.id
        )));
    }
    let hours = col("AT") - col("INDEX_AT");
    Ok(in_window.lazy().filter(
        hours
            .clone()
            .gt_eq(lit(i64::from(from) * 3_600))
            .and(hours.lt_eq(lit(i64::from(to) * 3_600))),
    ))
}

/// The column names of outcome `i`: 1/0 (null when not at risk) and days to the event.
pub fn outcome_columns(i: usize) -> (String, String) {
    (format!("OUT_{i}"), format!("WAIT_{i}"))
}

/// The column of outcome `i`'s number of events in the window (outcomes with `count`).
pub fn count_column(i: usize) -> String {
    format!("COUNT_{i}")
}

/// The outcomes read by one scan of their events, as groups of indices into `outcomes`: contact
/// outcomes with the same window and units share one, every other outcome is read alone. At
/// national volume each contact outcome is a pass over a year's 15 million contacts, and a
/// specification such as multimorbidity's asks for any contact and for the avoidable ones
/// among them on the same days (acute admissions: each outcome's priority and setting are
/// tested in its own predicate, [`group_events`]).
pub(super) fn shared_scans(outcomes: &[Outcome]) -> Vec<Vec<usize>> {
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (i, o) in outcomes.iter().enumerate() {
        let shares = |first: &Outcome| {
            o.kind == OutcomeKind::Contact
                && first.kind == OutcomeKind::Contact
                && first.window_days == o.window_days
                && first.unit_codes == o.unit_codes
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
/// outcome read alone, or a contact outcome naming no diagnoses, priority or setting), else a
/// predicate (one of its action diagnoses, in a stay of its priority and setting). The scan keeps only the diagnoses of the group when each outcome names
/// some.
pub(super) fn group_events(
    registers: &RegisterSet,
    design: Design,
    group: &[&Outcome],
    stays: Option<&DataFrame>,
) -> Result<(LazyFrame, Vec<Option<Expr>>)> {
    if let [alone] = group {
        return Ok((outcome_events(registers, design, alone, stays)?, vec![None]));
    }
    // Every contact of the window when one of the outcomes counts them all.
    let codes: Vec<String> = match group.iter().any(|o| o.codes.is_empty()) {
        true => Vec::new(),
        false => group.iter().flat_map(|o| o.codes.clone()).collect(),
    };
    let first = group[0];
    let tests_stays = group.iter().any(|o| stay_predicate(o).is_some());
    let events = contact_events(
        registers,
        outcome_days(design, first),
        &first.unit_codes,
        &codes,
        stays.filter(|_| tests_stays),
    )?;
    let own = group
        .iter()
        .map(|o| {
            let codes =
                (!o.codes.is_empty()).then(|| starts_with_any("AKTIONSDIAGNOSE", "D", &o.codes));
            match (codes, stay_predicate(o)) {
                (Some(c), Some(s)) => Some(c.and(s)),
                (c, s) => c.or(s),
            }
        })
        .collect();
    Ok((events, own))
}

/// Whose stays [`with_outcomes`] reads, and the days their contacts must hold: every patient
/// and every day from the design's start on, when an outcome reads the index stay
/// ([`Outcome::reads_index_stay`]: a discharge may come any day after). Else only contact
/// outcomes of some priority or setting read stays, and only those holding a contact they could
/// count: the patients with such a contact (on the outcome's days, at its units, with its
/// diagnoses), from the design's first day to the outcomes' last, whose stays' priority and
/// setting [`stays_of`] gives exactly.
///
/// A multimorbidity group's 1.6 million patients at national volume have some 14 million
/// physical attendances from their index to the registers' end, two years, where the year of
/// its avoidable admissions holds about half of them.
fn stays_read(
    registers: &RegisterSet,
    design: Design,
    outcomes: &[Outcome],
    patients: &LazyFrame,
) -> Result<(LazyFrame, Days)> {
    let all = patients.clone().select([col("PNR")]);
    if outcomes.iter().any(Outcome::reads_index_stay) {
        let days = Days {
            to: i32::MAX,
            ..Days::of_design(design)
        };
        return Ok((all, days));
    }
    let tested: Vec<&Outcome> = outcomes
        .iter()
        .filter(|o| stay_predicate(o).is_some())
        .collect();
    let candidates = tested
        .iter()
        .map(|o| {
            Ok(contact_events(
                registers,
                outcome_days(design, o),
                &o.unit_codes,
                &o.codes,
                None,
            )?
            .select([col("PNR")]))
        })
        .collect::<Result<Vec<_>>>()?;
    // From the design's first day at the latest, as for the index stay: a stay holding a contact
    // of a window that opens days after the index may have begun long before the window, and
    // its first contact decides its priority ([`stays_of`] traces a stay back 30 days from the
    // first day it is given).
    let days = tested
        .iter()
        .map(|o| outcome_days(design, o))
        .fold(Days::of_design(design), Days::spanning);
    let persons = all.join(
        concat(candidates, UnionArgs::default())?,
        [col("PNR")],
        [col("PNR")],
        JoinArgs::new(JoinType::Semi),
    );
    Ok((persons, days))
}

/// The patients with `EMIGRATION_DAY`: their first emigration on or after the index day in the
/// migration register, null for those who stayed.
fn with_emigration_day(
    patients: LazyFrame,
    index: &LazyFrame,
    emigrations: LazyFrame,
) -> LazyFrame {
    let first = emigrations
        .join(
            index.clone().select([col("PNR"), col("INDEX_DAY")]),
            [col("PNR")],
            [col("PNR")],
            JoinArgs::new(JoinType::Inner),
        )
        .filter(col("EMIGRATION_DAY").gt_eq(col("INDEX_DAY")))
        .group_by([col("PNR")])
        .agg([col("EMIGRATION_DAY").min()]);
    patients.join(
        first,
        [col("PNR")],
        [col("PNR")],
        JoinArgs::new(JoinType::Left),
    )
}

/// Whether outcome `o` asks for acute or planned stays: a readmission, or a priority of its own.
fn asks_priority(o: &Outcome) -> bool {
    o.kind == OutcomeKind::Readmission || o.priority.is_some()
}

/// Whether `outcomes` take the stays a criterion of priority or setting hands over
/// ([`super::stays::hand_over`]) instead of reading them: they read the patients' index stays,
/// and none asks for a priority, for which the registers' `PRIORITET` would be checked again.
pub(super) fn takes_handed_stays(outcomes: &[Outcome]) -> bool {
    outcomes.iter().any(Outcome::reads_index_stay) && !outcomes.iter().any(asks_priority)
}

/// Adds `OUT_i` (1 with an event in the window, 0 without, null when not at risk) and `WAIT_i`
/// (days from the index to the first event in the window) for every outcome, and `COUNT_i`
/// (the number of its events in the window, null when not at risk) for those with `count`. An outcome asking
/// for patients alive some days after the index (`alive_days`) also leaves out those who
/// emigrated within them (the migration register, when the folder has one): they are not
/// followed in the registers after they leave, so whether they had the outcome is unknown, and
/// counting them as without it would bias the share down (a dropout the at-risk rule already
/// makes for deaths). The disclosure gate protects the count of those lost for another reason
/// than death (`disclosure::linked`).
pub fn with_outcomes(
    registers: &RegisterSet,
    spec: &LoadedSpec,
    mut patients: LazyFrame,
) -> Result<LazyFrame> {
    let outcomes = &spec.spec.outcomes;
    let stays = match outcomes.iter().any(Outcome::reads_stays) {
        true => {
            let (persons, days) = stays_read(registers, spec.design, outcomes, &patients)?;
            let handed = match takes_handed_stays(outcomes) {
                true => handed_over(registers, persons.clone(), days)?,
                false => None,
            };
            Some(match handed {
                Some(stays) => stays,
                None => {
                    let asks = outcomes.iter().find(|o| asks_priority(o));
                    let asks = asks.map(|o| format!("outcome {}", o.id));
                    stays_of(registers, persons, days, asks.as_deref())?
                }
            })
        }
        false => None,
    };
    // Taken from the patients as they come in: `patients` below grows a join per outcome, and
    // selecting from it would nest every earlier outcome's query in each later one's.
    let mut index = patients
        .clone()
        .select([col("PNR"), col("INDEX_DAY"), col("INDEX_END")]);
    // Only an outcome that reads the index stay joins it: without one, the patients' index
    // keys are not even read (`patient_group::uses_index_contact`), and the stays read are
    // not the index's.
    if let Some(stays) = stays
        .as_ref()
        .filter(|_| outcomes.iter().any(Outcome::reads_index_stay))
    {
        index = with_index_stay(patients.clone(), stays)?.lazy();
    }
    let censored = match emigrations(registers)? {
        Some(emigrations) if outcomes.iter().any(|o| o.alive_days.is_some()) => {
            patients = with_emigration_day(patients, &index, emigrations);
            true
        }
        _ => false,
    };
    for group in shared_scans(outcomes) {
        // The outcomes of a group share their kind and window.
        let o = &outcomes[group[0]];
        let [from, to] = o.window_days;
        // Readmission windows start at discharge (of the index contact's stay), and only a
        // later stay counts.
        let start = if o.kind == OutcomeKind::Readmission {
            col("INDEX_END").fill_null(col("INDEX_DAY"))
        } else {
            col("INDEX_DAY")
        };
        let mut window = col("DAY")
            .gt_eq(start.clone() + lit(from))
            .and(col("DAY").lt_eq(start.clone() + lit(to)));
        if o.kind == OutcomeKind::Readmission {
            window = window.and(
                col("INDEX_STAY_ID")
                    .is_not_null()
                    .and(col("STAY_ID").gt(col("INDEX_STAY_ID")))
                    .or(col("INDEX_STAY_ID")
                        .is_null()
                        .and(col("DAY").gt(start.clone()))),
            );
        }
        let members: Vec<&Outcome> = group.iter().map(|&i| &outcomes[i]).collect();
        let (events, own) = match o.kind {
            // The discharge from the index stay, counted from the arrival.
            OutcomeKind::LengthOfStay => (
                index
                    .clone()
                    .filter(col("INDEX_DISCHARGE_DAY").is_not_null())
                    .select([col("PNR"), col("INDEX_DISCHARGE_DAY").alias("DAY")]),
                vec![None],
            ),
            _ => group_events(registers, spec.design, &members, stays.as_ref())?,
        };
        let mut waits: Vec<Expr> = Vec::new();
        for (&i, own) in group.iter().zip(own) {
            let days = match outcomes[i].kind {
                OutcomeKind::LengthOfStay => col("DAY") - col("INDEX_ARRIVAL_DAY"),
                _ => col("DAY") - col("INDEX_DAY"),
            };
            let days = match own {
                None => days,
                Some(own) => when(own).then(days).otherwise(lit(NULL)),
            };
            if outcomes[i].count {
                waits.push(days.clone().count().alias(count_column(i).as_str()));
            }
            waits.push(days.min().alias(outcome_columns(i).1.as_str()));
        }
        let mut in_window = events
            .join(
                index.clone(),
                [col("PNR")],
                [col("PNR")],
                JoinArgs::new(JoinType::Inner),
            )
            .filter(window);
        if let Some([from, to]) = o.window_hours {
            in_window = in_hours(in_window, o, from, to)?;
        }
        let first = in_window.group_by([col("PNR")]).agg(waits);
        patients = patients.join(
            first,
            [col("PNR")],
            [col("PNR")],
            JoinArgs::new(JoinType::Left),
        );
        for &i in &group {
            let (out, wait) = outcome_columns(i);
            let at_risk = match outcomes[i].alive_days {
                Some(days) => {
                    let after = |column: &str| {
                        col(column)
                            .is_null()
                            .or(col(column).gt(col("INDEX_DAY") + lit(days)))
                    };
                    let alive = after("DEATH_DAY");
                    if censored {
                        alive.and(after("EMIGRATION_DAY"))
                    } else {
                        alive
                    }
                }
                None => lit(true),
            };
            let mut columns = vec![
                when(at_risk.clone())
                    .then(col(wait.as_str()).is_not_null().cast(DataType::Int32))
                    .otherwise(lit(NULL).cast(DataType::Int32))
                    .alias(out.as_str()),
            ];
            if outcomes[i].count {
                let count = count_column(i);
                columns.push(
                    when(at_risk)
                        .then(col(count.as_str()).fill_null(lit(0)).cast(DataType::UInt32))
                        .otherwise(lit(NULL).cast(DataType::UInt32))
                        .alias(count.as_str()),
                );
            }
            patients = patients.with_columns(columns);
        }
    }
    if censored {
        patients = patients.drop(cols(["EMIGRATION_DAY"]));
    }
    Ok(patients)
}
