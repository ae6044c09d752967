//! The tidy CSV of an analysis: one row per (analysis, outcome, sub-analysis, year, measure,
//! dimension, group), with value, CI
//! bounds, numerator, denominator, method and a suppression flag (DESIGN.md). Numbers are
//! formatted here, not by a library, so the same results always give the same bytes.

use crate::aggregated::csv::quoted as text;
use crate::pipeline::results::ResultRow;

/// The header of the tidy CSV (column names are stable codes for scripts).
pub const HEADER: &str = "analysis,outcome,subanalysis,year,measure,dimension,group,value,lower,upper,numerator,denominator,method,suppressed,note";

fn number(value: Option<f64>) -> String {
    value.map(|v| format!("{v:.4}")).unwrap_or_default()
}

fn count(value: Option<u64>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// The rows as CSV text with a header.
pub fn to_csv(rows: &[ResultRow]) -> String {
    let mut out = String::from(HEADER);
    out.push('\n');
    for r in rows {
        let fields = [
            text(&r.analysis),
            text(&r.outcome),
            text(&r.subanalysis),
            r.year.to_string(),
            r.measure.to_string(),
            text(&r.dimension),
            text(&r.group),
            number(r.value),
            number(r.lower),
            number(r.upper),
            count(r.numerator),
            count(r.denominator),
            r.method.to_string(),
            r.suppressed.to_string(),
            text(&r.note),
        ];
        out.push_str(&fields.join(","));
        out.push('\n');
    }
    out
}
