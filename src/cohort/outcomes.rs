//! The outcomes of the patients: for each outcome of the spec, whether and when its first event
//! fell in the window after the index (contacts, procedures, prescriptions or death), with the
//! outcomes that read the same register on the same days sharing one scan.

use polars::prelude::*;

use super::criteria::criterion_events;
use super::population::emigrations;
use super::reads::*;
use crate::error::Result;
use crate::registers::scan::RegisterSet;
use crate::registers::scope::Days;
use crate::spec::{Criterion, Design, LoadedSpec, Outcome, OutcomeKind};

/// The days on which an event of outcome `o` can fall in its window for some patient of the
/// design.
pub(super) fn outcome_days(design: Design, o: &Outcome) -> Days {
    let [from, to] = o.window_days;
    Days::of_design(design).widened(-from, to)
}

/// The contacts starting within `days` at `units` with an action diagnosis of `codes` (any
/// contact when `codes` is empty): `PNR`, `DAY`, `AKTIONSDIAGNOSE`.
pub(super) fn contact_events(
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
pub(super) fn outcome_events(
    registers: &RegisterSet,
    design: Design,
    o: &Outcome,
) -> Result<LazyFrame> {
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
pub(super) fn shared_scans(outcomes: &[Outcome]) -> Vec<Vec<usize>> {
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
pub(super) fn group_events(
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

/// Adds `OUT_i` (1 with an event in the window, 0 without, null when not at risk) and `WAIT_i`
/// (days from the index to the first event in the window) for every outcome. An outcome asking
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
    // Taken from the patients as they come in: `patients` below grows a join per outcome, and
    // selecting from it would nest every earlier outcome's query in each later one's.
    let index = patients
        .clone()
        .select([col("PNR"), col("INDEX_DAY"), col("INDEX_END")]);
    let outcomes = &spec.spec.outcomes;
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
            patients = patients.with_column(
                when(at_risk)
                    .then(col(wait.as_str()).is_not_null().cast(DataType::Int32))
                    .otherwise(lit(NULL).cast(DataType::Int32))
                    .alias(out.as_str()),
            );
        }
    }
    if censored {
        patients = patients.drop(cols(["EMIGRATION_DAY"]));
    }
    Ok(patients)
}
