//! The one output table: the tidy rows every analysis releases (one per analysis, outcome,
//! sub-analysis, year, measure, dimension and group, with value, CI bounds, numerator,
//! denominator, method, a suppression flag and a note; `docs/design.md`), the labels its groups
//! share, and its CSV (`tables/<id>.csv`), written and read back here alone.
//!
//! Results are computed into these rows, passed through disclosure control, written, and read
//! back: documents are built from the tidy tables the runs wrote, never from anything earlier,
//! so a document can show only what was released, and `run --all` can assemble the annual
//! document from analyses that a run skipped because nothing they read had changed. Numbers are
//! formatted here, not by a library, so the same results always give the same bytes.

use std::path::Path;

use serde::Serialize;

use crate::csv_file::{CsvDialect, CsvTable};
use crate::error::Result;
use crate::spec::Measure;

/// The label of the total row of every dimension.
pub const TOTAL: &str = "i alt";

/// The group of a summary measure's row: it describes the dimension as a whole.
pub const SUMMARY_GROUP: &str = "";

/// The level used where a register has no value for a person.
pub use crate::spec::levels::UNKNOWN;

/// The header of the tidy CSV (column names are stable codes for scripts).
pub const HEADER: &str = "analysis,outcome,subanalysis,year,period_start,period_end,measure,dimension,group,value,lower,upper,numerator,denominator,method,suppressed,status,note";

/// The note of a level listed with nobody in it (so that its absence tells nothing).
pub const EMPTY_GROUP: &str = "ingen patienter i gruppen";

/// [`EMPTY_GROUP`] in an English run's table (`report::notes`).
pub const EMPTY_GROUP_EN: &str = "no patients in the group";

/// Why a row has a number or not, for a reader who sees only blank cells otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// The number is shown.
    Shown,
    /// Hidden by disclosure control.
    Suppressed,
    /// A measure that cannot be computed for these groups (a summary measure over an unordered
    /// dimension or two groups, a ratio with a zero reference, ...); the note says why.
    NotComputed,
    /// A level listed with nobody in it.
    NoPatients,
}

/// What [`to_csv`] writes beside the rows: the dialect, the status and the note in the run's
/// language, and the first and last day (ISO) of the period each year's results describe.
pub struct CsvContext<'a> {
    pub dialect: CsvDialect,
    pub status: &'a dyn Fn(Status) -> &'static str,
    pub note: &'a dyn Fn(&str) -> String,
    pub period: &'a dyn Fn(i32) -> (String, String),
}

/// One row of the tidy table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    pub analysis: String,
    pub outcome: String,
    /// The sub-analysis id, empty for the main analysis.
    pub subanalysis: String,
    pub year: i32,
    pub measure: Measure,
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

impl Row {
    /// A group's row, not the total or a summary measure.
    pub fn is_level(&self) -> bool {
        self.group != TOTAL && self.group != SUMMARY_GROUP
    }

    /// Why the row has a number or not.
    pub fn status(&self) -> Status {
        if self.suppressed {
            Status::Suppressed
        } else if self.value.is_some() {
            Status::Shown
        } else if self.note == EMPTY_GROUP || self.note == EMPTY_GROUP_EN {
            Status::NoPatients
        } else {
            Status::NotComputed
        }
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
pub fn read(path: &Path) -> Result<Vec<Row>> {
    let table = CsvTable::read(path)?;
    let column = |name: &str| table.require(name);
    let [
        analysis,
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
        "analysis",
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
    let (analysis, outcome, sub, year, measure, dimension, group) = (
        analysis?, outcome?, sub?, year?, measure?, dimension?, group?,
    );
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
                analysis: table.text(r, analysis).to_string(),
                outcome: table.text(r, outcome).to_string(),
                subanalysis: table.text(r, sub).to_string(),
                year: table.count(r, year)? as i32,
                measure: Measure::from_code(table.text(r, measure)).ok_or_else(|| {
                    table.cell_error(
                        r,
                        measure,
                        format!("expected a measure code, got {:?}", table.text(r, measure)),
                    )
                })?,
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

fn number(value: Option<f64>) -> String {
    value.map(|v| format!("{v:.4}")).unwrap_or_default()
}

fn count(value: Option<u64>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// The rows as CSV text with a header, in the context's dialect (the run's `--csv-dialect`:
/// Danish Excel reads `57,8797` where the standard dialect's `57.8797` would become 578797), with
/// each row's period and status. [`read`] reads either dialect back.
pub fn to_csv(rows: &[Row], context: &CsvContext<'_>) -> String {
    let dialect = context.dialect;
    let mut out = String::from(dialect.bom());
    out.push_str(&dialect.join(HEADER.split(',')));
    out.push('\n');
    let number = |v: Option<f64>| dialect.number(number(v));
    for r in rows {
        let (period_start, period_end) = (context.period)(r.year);
        let fields = [
            r.analysis.clone(),
            r.outcome.clone(),
            r.subanalysis.clone(),
            r.year.to_string(),
            period_start,
            period_end,
            r.measure.code().to_string(),
            r.dimension.clone(),
            r.group.clone(),
            number(r.value),
            number(r.lower),
            number(r.upper),
            count(r.numerator),
            count(r.denominator),
            r.method.clone(),
            r.suppressed.to_string(),
            (context.status)(r.status()).to_string(),
            (context.note)(&r.note),
        ];
        out.push_str(&dialect.join(fields.iter().map(String::as_str)));
        out.push('\n');
    }
    out
}
