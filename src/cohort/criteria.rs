//! The events of one criterion of a patient group: diagnoses at contacts, procedures or
//! redeemed prescriptions of its codes on the days asked for, as `PNR`, `DAY` and (for contact
//! criteria) the contact's unit, end and key, kept to the stays of the priority and setting the
//! criterion asks for.

use polars::prelude::*;

use super::conditions::ConditionContacts;
use super::reads::*;
use super::stays::{self, stays_of};
use super::{actions, procedures};
use crate::error::Result;
use crate::registers::scan::{RegisterSet, collect_streaming};
use crate::registers::scope::Days;
use crate::spec::{Criterion, DiagnosisType, Priority, Setting};

/// The events of one criterion on the days `days`: `PNR`, `DAY`, `END`, `UNIT`, `KEY` (the
/// contact; taken from the condition contacts already read when they hold them all; `END`,
/// `UNIT` and `KEY` are then empty unless the spec reads them, see [`uses_contact_details`]).
/// With a `priority` or `setting`, only events whose contact belongs to such a stay
/// ([`super::stays`]); with `hand_over_stays`, the stays are read on to the registers' end, as
/// the outcomes read their patients' index stays, and handed over to them
/// ([`stays::hand_over`]).
pub(super) fn criterion_events(
    registers: &RegisterSet,
    c: &Criterion,
    days: Days,
    known: Option<&ConditionContacts>,
    hand_over_stays: bool,
) -> Result<LazyFrame> {
    let events = unrestricted_events(registers, c, days, known)?;
    if c.priority.is_none() && c.setting.is_none() {
        return Ok(events);
    }
    let events = collect_streaming(events)?;
    let stays_days = match hand_over_stays {
        true => Days {
            to: i32::MAX,
            ..days
        },
        false => days,
    };
    let stays = stays_of(
        registers,
        events.clone().lazy(),
        stays_days,
        c.priority.map(|_| "a criterion with `priority`"),
    )?;
    if hand_over_stays {
        stays::hand_over(registers, &events, stays_days, &stays)?;
    }
    let mut keep = lit(true);
    if let Some(priority) = c.priority {
        keep = keep.and(col("ACUTE").eq_missing(lit(priority == Priority::Acute)));
    }
    if let Some(setting) = c.setting {
        keep = keep.and(col("INPATIENT").eq(lit(setting == Setting::Inpatient)));
    }
    Ok(events.lazy().join(
        stays.lazy().filter(keep).select([col("KEY")]),
        [col("KEY")],
        [col("KEY")],
        JoinArgs::new(JoinType::Semi),
    ))
}

/// The events of [`criterion_events`] before any priority or setting.
fn unrestricted_events(
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
            col("KEY"),
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
                lit(NULL)
                    .cast(registers.keys().contacts.clone())
                    .alias("KEY"),
            ]));
    }
    if !c.procedures.is_empty() {
        // A procedure's day is its own (its contact may have started before `days`); one
        // without a date takes its contact's start.
        return Ok(shape(
            procedures::with_contacts(registers, &c.procedures, days)?
                .filter(at_units(&c.unit_codes))
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
            actions::with_codes(registers, &c.diagnoses, days)?.filter(at_units(&c.unit_codes))
        }
        DiagnosisType::Any => match known.and_then(|k| k.events_for(c, days)) {
            Some(events) => events.filter(at_units(&c.unit_codes)),
            None => {
                let keys = diagnoses_of(registers, &c.diagnoses, &[col("KEY")])?
                    .unique(None, UniqueKeepStrategy::Any);
                contacts_joined(registers, days, keys)?.filter(at_units(&c.unit_codes))
            }
        },
    }))
}
