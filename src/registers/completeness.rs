//! How far each register reaches: the first and last year of the yearly registers and the latest
//! event date of the others, for the midway status's data completeness (the data available at
//! 15 August lag the calendar by register).

use polars::prelude::*;

use super::contract::ALL;
use super::scan::RegisterSet;
use crate::error::Result;

/// One register's reach.
#[derive(Debug, Clone, PartialEq)]
pub struct Completeness {
    pub register: String,
    pub files: usize,
    /// The first and last year of a yearly register.
    pub years: Option<(i32, i32)>,
    /// The latest date of an event register (day number), from its first date column.
    pub latest: Option<i32>,
}

/// The latest event date (day number) of an event register, `None` when it holds none.
fn latest_date(registers: &RegisterSet, register: &str, column: &str) -> Result<Option<i32>> {
    let Some(frame) = registers.scan(register)? else {
        return Ok(None);
    };
    Ok(frame
        .select([col(column).max()])
        .collect()?
        .column(column)?
        .cast(&DataType::Int32)?
        .i32()?
        .get(0))
}

/// The reach of every register present in the folder, in the contract's order.
pub fn completeness(registers: &RegisterSet) -> Result<Vec<Completeness>> {
    let mut out = Vec::new();
    for spec in ALL {
        let files = registers.discovered.of(spec.name);
        if files.is_empty() {
            continue;
        }
        let years = registers.discovered.years(spec.name);
        // A register that cannot be read has no latest date here: the analyses that read it
        // fail with a message naming it, and the others still report the data they have.
        let latest = spec
            .event_date()
            .and_then(|column| latest_date(registers, spec.name, column).ok().flatten());
        out.push(Completeness {
            register: spec.name.to_string(),
            files: files.len(),
            years: match (years.iter().min(), years.iter().max()) {
                (Some(a), Some(b)) => Some((*a, *b)),
                _ => None,
            },
            latest,
        });
    }
    Ok(out)
}
