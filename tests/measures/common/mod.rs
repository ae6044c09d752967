//! Test helpers: a small CSV reader (quoted fields allowed, a UTF-8 byte
//! order mark and stray whitespace in header names ignored) and tolerance
//! checks in the style of R's testthat (relative difference, absolute when
//! the expected value is near zero; and testthat 3e's whole-column rule).
#![allow(dead_code)]

use std::collections::HashMap;

/// A CSV file read into memory: header names and rows of raw fields.
pub struct Table {
    columns: HashMap<String, usize>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// Reads `tests/data/<name>`.
    pub fn load(name: &str) -> Table {
        let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        Table::from_text(&text)
    }

    /// Parses CSV text with a header line.
    pub fn from_text(text: &str) -> Table {
        // Some peer files start with a byte order mark, and one header is
        // quoted with an embedded newline ("Observed_events\n"), hence the
        // trimmed header names.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut lines = parse_csv(text).into_iter();
        let header = lines.next().expect("a header line");
        let columns = header
            .into_iter()
            .enumerate()
            .map(|(i, h)| (h.trim().to_string(), i))
            .collect();
        Table {
            columns,
            rows: lines
                .filter(|r| !(r.len() == 1 && r[0].is_empty()))
                .collect(),
        }
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether the table has a column of this name.
    pub fn has(&self, column: &str) -> bool {
        self.columns.contains_key(column)
    }

    fn index(&self, column: &str) -> usize {
        *self
            .columns
            .get(column)
            .unwrap_or_else(|| panic!("no column {column:?}"))
    }

    /// The raw text of a field.
    pub fn str(&self, row: usize, column: &str) -> &str {
        self.rows[row]
            .get(self.index(column))
            .map(String::as_str)
            .unwrap_or("")
    }

    /// A numeric field; `None` when blank or NA.
    pub fn opt(&self, row: usize, column: &str) -> Option<f64> {
        let s = self.str(row, column).trim();
        if s.is_empty() || s == "NA" {
            None
        } else {
            Some(
                s.parse()
                    .unwrap_or_else(|e| panic!("{column} row {row}: {s:?}: {e}")),
            )
        }
    }

    /// A numeric field that must be present.
    pub fn num(&self, row: usize, column: &str) -> f64 {
        self.opt(row, column)
            .unwrap_or_else(|| panic!("{column} row {row} is blank"))
    }

    /// Row indices where `column` equals `value`.
    pub fn where_eq(&self, column: &str, value: &str) -> Vec<usize> {
        (0..self.len())
            .filter(|&r| self.str(r, column) == value)
            .collect()
    }

    /// A numeric column over the given rows.
    pub fn nums(&self, rows: &[usize], column: &str) -> Vec<f64> {
        rows.iter().map(|&r| self.num(r, column)).collect()
    }
}

/// RFC 4180-style parsing: fields separated by commas, optionally quoted
/// with `"`, doubled quotes inside quoted fields, CRLF or LF line ends.
pub fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    field.push('"');
                    chars.next();
                }
                '"' => quoted = false,
                _ => field.push(c),
            }
        } else {
            match c {
                '"' => quoted = true,
                ',' => row.push(std::mem::take(&mut field)),
                '\r' => {}
                '\n' => {
                    row.push(std::mem::take(&mut field));
                    rows.push(std::mem::take(&mut row));
                }
                _ => field.push(c),
            }
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

/// testthat-style comparison: relative difference `|a - e| / |e|` when
/// `|e| > tol`, absolute difference otherwise.
pub fn close(actual: f64, expected: f64, tol: f64) -> bool {
    let diff = (actual - expected).abs();
    if expected.abs() > tol {
        diff / expected.abs() <= tol
    } else {
        diff <= tol
    }
}

#[track_caller]
pub fn assert_close(actual: f64, expected: f64, tol: f64, context: &str) {
    assert!(
        close(actual, expected, tol),
        "{context}: got {actual}, expected {expected} (tolerance {tol})"
    );
}

/// testthat 3rd edition's `expect_equal` on a numeric column (waldo's
/// `num_equal`): over the elements that differ, the mean absolute difference
/// divided by the mean absolute expected value (absolute when that mean is
/// at most `tol`) must be below `tol`. This is the criterion the peer's own
/// tests apply to whole data frames of funnel limits.
pub fn columns_close(actual: &[f64], expected: &[f64], tol: f64) -> bool {
    assert_eq!(actual.len(), expected.len(), "column lengths differ");
    let differing: Vec<(f64, f64)> = actual
        .iter()
        .zip(expected)
        .filter(|(a, e)| a != e)
        .map(|(a, e)| (*a, *e))
        .collect();
    if differing.is_empty() {
        return true;
    }
    let count = differing.len() as f64;
    let mean_diff = differing.iter().map(|(a, e)| (a - e).abs()).sum::<f64>() / count;
    let mean_expected = differing.iter().map(|(_, e)| e.abs()).sum::<f64>() / count;
    let scaled = if mean_expected.is_finite() && mean_expected > tol {
        mean_diff / mean_expected
    } else {
        mean_diff
    };
    scaled < tol
}

#[track_caller]
pub fn assert_columns_close(actual: &[f64], expected: &[f64], tol: f64, context: &str) {
    let worst = actual
        .iter()
        .zip(expected)
        .enumerate()
        .map(|(i, (a, e))| (i, (a - e).abs() / e.abs().max(f64::MIN_POSITIVE), *a, *e))
        .max_by(|x, y| x.1.total_cmp(&y.1));
    assert!(
        columns_close(actual, expected, tol),
        "{context}: column differs beyond tolerance {tol}; worst row {worst:?}"
    );
}

/// testthat's default tolerance, `sqrt(.Machine$double.eps)`.
pub const TESTTHAT_TOL: f64 = 1.4901161193847656e-8;
