//! The aggregate step: person-level rows become counts by stratum x age band. This GROUP BY is
//! the seam between the lazy person-level work and the small tables the measures work on.

use polars::prelude::*;

use crate::error::{Error, Result};

/// The stratifier columns every aggregate carries.
pub const STRATA: [&str; 5] = ["education", "income_quintile", "origin", "region", "sex"];

/// One cell: the levels of the five stratifiers, the age band, persons and persons with the
/// outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub levels: [String; 5],
    pub age_band: usize,
    pub persons: u64,
    pub events: u64,
}

/// Counts patients and outcomes by every stratifier and age band, and collects the small result.
pub fn counts(patients: LazyFrame) -> Result<Vec<Cell>> {
    let mut keys: Vec<Expr> = STRATA.iter().map(|s| col(*s)).collect();
    keys.push(col("AGE_BAND"));
    let table = patients
        .group_by(keys)
        .agg([
            len().cast(DataType::UInt64).alias("persons"),
            col("OUTCOME").cast(DataType::UInt64).sum().alias("events"),
        ])
        .collect()
        .map_err(|e| {
            Error::BadInput(format!(
                "the analysis could not be computed from the registers: {e}"
            ))
        })?;
    let text: Vec<&StringChunked> = STRATA
        .iter()
        .map(|s| table.column(s).and_then(|c| c.str()))
        .collect::<PolarsResult<_>>()?;
    let band = table.column("AGE_BAND")?.i32()?;
    let persons = table.column("persons")?.u64()?;
    let events = table.column("events")?.u64()?;
    let mut cells: Vec<Cell> = (0..table.height())
        .map(|i| Cell {
            levels: std::array::from_fn(|k| text[k].get(i).unwrap_or("uoplyst").to_string()),
            age_band: band.get(i).unwrap_or(0) as usize,
            persons: persons.get(i).unwrap_or(0),
            events: events.get(i).unwrap_or(0),
        })
        .collect();
    // Group order from a hash aggregation is not stable; sort so every run gives the same bytes.
    cells.sort_by(|a, b| (&a.levels, a.age_band).cmp(&(&b.levels, b.age_band)));
    Ok(cells)
}
