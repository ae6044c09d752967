//! The events of one criterion of a patient group: diagnoses at contacts, procedures or
//! redeemed prescriptions of its codes on the days asked for, as `PNR`, `DAY` and (for contact
//! criteria) the contact's unit, end and key.

use polars::prelude::*;

use super::conditions::ConditionContacts;
use super::reads::*;
use super::{actions, procedures};
use crate::error::Result;
use crate::registers::scan::RegisterSet;
use crate::registers::scope::Days;
use crate::spec::{Criterion, DiagnosisType};

/// The events of one criterion on the days `days`: `PNR`, `DAY`, `END`, `UNIT` (taken from the
/// condition contacts already read when they hold them all; `END` and `UNIT` are then empty
/// unless the spec reads them, see [`uses_contact_details`]).
pub(super) fn criterion_events(
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
