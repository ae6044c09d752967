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

/// The reach of every register present in the folder, in the contract's order.
pub fn completeness(registers: &RegisterSet) -> Result<Vec<Completeness>> {
    let mut out = Vec::new();
    for spec in ALL {
        let files = registers.discovered.of(spec.name);
        if files.is_empty() {
            continue;
        }
        let years = registers.discovered.years(spec.name);
        let latest = match (spec.event_date(), registers.scan(spec.name)?) {
            (Some(column), Some(frame)) => frame
                .select([col(column).max()])
                .collect()?
                .column(column)?
                .cast(&DataType::Int32)?
                .i32()?
                .get(0),
            _ => None,
        };
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
