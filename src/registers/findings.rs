//! What a validation rule found: the finding with its count and first rows, as `ulighed
//! validate` prints it and a run keeps it. Apart from the rules, so the per-file rules
//! (`validate`) and the rules across registers (`key_rules`) share it.

use std::path::PathBuf;

use polars::prelude::*;
use serde::Serialize;

use super::scan::collect_streaming;
use super::severity::Severity;
use crate::error::{Error, Result};

/// The row number column of a frame whose first rows a finding cites.
pub const ROW: &str = "__row";

/// One row cited in a finding.
#[derive(Debug, Clone, Serialize)]
pub struct Example {
    /// 1-based data row (for CSV the line is one more, for the header).
    pub row: u64,
    pub value: String,
}

/// One failed check.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub file: PathBuf,
    pub register: &'static str,
    pub rule: &'static str,
    pub severity: Severity,
    pub column: &'static str,
    pub count: u64,
    /// The file's rows, where the share of them matters (events of persons in no `bef` year).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub of_rows: Option<u64>,
    pub expected: &'static str,
    pub examples: Vec<Example>,
}

impl Finding {
    /// One readable paragraph.
    pub fn message(&self) -> String {
        if self.examples.is_empty() && self.column.is_empty() {
            return format!(
                "{}: no register {} (rule {}; expected: {})",
                self.file.display(),
                self.register,
                self.rule,
                self.expected
            );
        }
        let examples: Vec<String> = self
            .examples
            .iter()
            .map(|e| format!("row {} value {:?}", e.row, e.value))
            .collect();
        let share = match self.of_rows {
            Some(rows) if rows > 0 => format!(
                " of {rows} ({:.3}%)",
                self.count as f64 / rows as f64 * 100.0
            ),
            _ => String::new(),
        };
        format!(
            "{}: {}{share} row{} break{} rule {} in column {} (expected: {}); first: {}",
            self.file.display(),
            self.count,
            if self.count == 1 && share.is_empty() {
                ""
            } else {
                "s"
            },
            if self.count == 1 && share.is_empty() {
                "s"
            } else {
                ""
            },
            self.rule,
            self.column,
            self.expected,
            examples.join(", ")
        )
    }
}

/// The first three rows of a frame of (row, value).
pub fn first_rows(frame: LazyFrame, path: &std::path::Path) -> Result<Vec<Example>> {
    let df = collect_streaming(frame.limit(3)).map_err(|e| Error::reading(path, e))?;
    let rows = df.column(ROW)?.cast(&DataType::UInt64)?;
    let values = df.column("value")?.cast(&DataType::String)?;
    let rows = rows.u64()?;
    let values = values.str()?;
    Ok((0..df.height())
        .map(|i| Example {
            row: rows.get(i).unwrap_or(0),
            value: shortened(values.get(i).unwrap_or("")),
        })
        .collect())
}

/// The most characters of a value a finding quotes: enough to see what is wrong, never a
/// message of a whole megabyte-long cell.
const VALUE_SHOWN: usize = 60;

/// `value`, cut to [`VALUE_SHOWN`] characters with the length said when longer.
fn shortened(value: &str) -> String {
    let length = value.chars().count();
    if length <= VALUE_SHOWN {
        return value.to_string();
    }
    let start: String = value.chars().take(VALUE_SHOWN).collect();
    format!("{start}... ({length} characters)")
}
