//! `ulighed measures proportion` and `ulighed measures rate`: one row per group of `group`,
//! `events`, `population`, giving the crude value with its limits, as PHEindicatormethods'
//! `phe_proportion` (Wilson score interval) and `phe_rate` (exact Poisson below 10 events,
//! Byar's approximation from 10). As in PHE, a row whose events or population is blank (or
//! `NA`) gets no value rather than failing the table; a negative or non-numeric cell is an error.

use std::path::Path;

use super::Levels;
use crate::csv_file::{CsvOutput, CsvTable, number};
use crate::error::Result;
use crate::measures::interval::{Estimate, MeasureError};
use crate::measures::proportion::wilson;
use crate::measures::rate::{PoissonMethod, poisson_method, rate};

/// Which crude measure to compute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crude {
    Proportion,
    Rate,
}

/// Reads `input`, computes the measure for each row and writes `output`.
pub fn run(
    kind: Crude,
    input: &Path,
    output: &Path,
    multiplier: f64,
    levels: &Levels,
) -> Result<()> {
    super::check_multiplier(multiplier)?;
    let table = CsvTable::read(input)?;
    table.require("group")?;
    let events_col = table.require("events")?;
    let population_col = table.require("population")?;
    let mut headers = table.headers.clone();
    headers.push("value".into());
    headers.extend(levels.headers());
    headers.extend(["method".to_string(), "note".to_string()]);
    let mut out = CsvOutput::new(headers);
    for (row, cells) in table.rows.iter().enumerate() {
        let mut record = cells
            .iter()
            .map(|c| c.trim().to_string())
            .collect::<Vec<_>>();
        let (Some(events), Some(population)) = (
            table.optional_count(row, events_col)?,
            table.optional_count(row, population_col)?,
        ) else {
            record.push(String::new());
            record.extend(levels.headers().iter().map(|_| String::new()));
            record.push(String::new());
            record.push("events or population missing: no value".into());
            out.rows.push(record);
            continue;
        };
        if kind == Crude::Proportion && events > population {
            return Err(table.cell_error(
                row,
                events_col,
                format!("{events} events is more than the population of {population}"),
            ));
        }
        let mut value = None;
        let mut note = String::new();
        let mut limits = Vec::new();
        for &level in &levels.levels {
            match estimate(kind, events, population, level) {
                Ok(e) => {
                    let e = e.scaled(multiplier);
                    value = Some(e.value);
                    limits.extend([Some(e.lower), Some(e.upper)]);
                }
                Err(MeasureError::ZeroDenominator { .. }) => {
                    note = "population is zero: no value".into();
                    limits.extend([None, None]);
                }
                Err(e) => return Err(table.cell_error(row, events_col, e)),
            }
        }
        record.push(number(value));
        record.extend(limits.into_iter().map(number));
        record.push(method(kind, events).into());
        record.push(note);
        out.rows.push(record);
    }
    out.write(output)
}

fn estimate(
    kind: Crude,
    events: f64,
    population: f64,
    level: f64,
) -> std::result::Result<Estimate, MeasureError> {
    match kind {
        Crude::Proportion => wilson(events, population, level),
        Crude::Rate => rate(events, population, level),
    }
}

/// The method named as PHEindicatormethods names it in its output.
fn method(kind: Crude, events: f64) -> &'static str {
    match (kind, poisson_method(events)) {
        (Crude::Proportion, _) => "Wilson",
        (Crude::Rate, PoissonMethod::Exact) => "Exact",
        (Crude::Rate, PoissonMethod::Byar) => "Byars",
    }
}
