//! The released rows a document is made of. Documents are built from the tidy tables the runs
//! wrote (after disclosure control), never from anything earlier, so a document can show only
//! what was released, and `run --all` can assemble the annual document from analyses that a run
//! skipped because nothing they read had changed.

use std::path::Path;

use crate::aggregated::csv::CsvTable;
use crate::error::Result;
use crate::pipeline::results::{ResultRow, SUMMARY_GROUP, TOTAL};

/// One released row of a tidy table.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub outcome: String,
    pub subanalysis: String,
    pub year: i32,
    pub measure: String,
    pub dimension: String,
    pub group: String,
    pub value: Option<f64>,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    pub numerator: Option<u64>,
    pub denominator: Option<u64>,
    pub method: String,
    pub suppressed: bool,
    pub note: String,
}

impl From<&ResultRow> for Row {
    fn from(r: &ResultRow) -> Row {
        Row {
            outcome: r.outcome.clone(),
            subanalysis: r.subanalysis.clone(),
            year: r.year,
            measure: r.measure.to_string(),
            dimension: r.dimension.clone(),
            group: r.group.clone(),
            value: r.value,
            lower: r.lower,
            upper: r.upper,
            numerator: r.numerator,
            denominator: r.denominator,
            method: r.method.to_string(),
            suppressed: r.suppressed,
            note: r.note.clone(),
        }
    }
}

impl Row {
    /// A group's row, not the total or a summary measure.
    pub fn is_level(&self) -> bool {
        self.group != TOTAL && self.group != SUMMARY_GROUP
    }
}

/// The years the rows cover, ascending.
pub fn years(rows: &[Row]) -> Vec<i32> {
    let mut years: Vec<i32> = rows.iter().map(|r| r.year).collect();
    years.sort_unstable();
    years.dedup();
    years
}

/// Reads a tidy table (`tables/<id>.csv`) back; a malformed cell is an error naming file, row
/// and column.
pub fn read_tidy(path: &Path) -> Result<Vec<Row>> {
    let table = CsvTable::read(path)?;
    let column = |name: &str| table.require(name);
    let [
        outcome,
        sub,
        year,
        measure,
        dimension,
        group,
        value,
        lower,
        upper,
        num,
        den,
        method,
        suppressed,
        note,
    ] = [
        "outcome",
        "subanalysis",
        "year",
        "measure",
        "dimension",
        "group",
        "value",
        "lower",
        "upper",
        "numerator",
        "denominator",
        "method",
        "suppressed",
        "note",
    ]
    .map(column);
    let (outcome, sub, year, measure, dimension, group) =
        (outcome?, sub?, year?, measure?, dimension?, group?);
    let (value, lower, upper, num, den, method, suppressed, note) = (
        value?,
        lower?,
        upper?,
        num?,
        den?,
        method?,
        suppressed?,
        note?,
    );
    let whole = |v: Option<f64>| v.map(|v| v as u64);
    (0..table.rows.len())
        .map(|r| {
            Ok(Row {
                outcome: table.text(r, outcome).to_string(),
                subanalysis: table.text(r, sub).to_string(),
                year: table.count(r, year)? as i32,
                measure: table.text(r, measure).to_string(),
                dimension: table.text(r, dimension).to_string(),
                group: table.text(r, group).to_string(),
                value: table.number(r, value)?,
                lower: table.number(r, lower)?,
                upper: table.number(r, upper)?,
                numerator: whole(table.optional_count(r, num)?),
                denominator: whole(table.optional_count(r, den)?),
                method: table.text(r, method).to_string(),
                suppressed: table.text(r, suppressed) == "true",
                note: table.text(r, note).to_string(),
            })
        })
        .collect()
}
