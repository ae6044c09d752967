//! Reading and writing the tool's small CSV tables: the aggregated tables analysts bring out of a
//! secure environment (`ulighed measures`) and the tidy tables runs write and read back
//! ([`crate::tidy`]). The tables are small (one row per group or age band), so they are read whole;
//! the reader follows RFC 4180 (quoted fields, doubled quotes, CRLF), accepts a UTF-8 byte-order
//! mark and the Danish `;` separator, and remembers the line each record starts on so that
//! every error can name the file, the row and the column.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A CSV table held as text, with the line number of each record for messages.
pub struct CsvTable {
    pub path: PathBuf,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    lines: Vec<usize>,
}

impl CsvTable {
    /// Reads `path`; the separator is `;` when the header has more `;` than `,`.
    pub fn read(path: &Path) -> Result<CsvTable> {
        let bytes = std::fs::read(path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                Error::MissingInput(format!("{}: no such file", path.display()))
            } else {
                Error::reading(path, e)
            }
        })?;
        let text = String::from_utf8(bytes)
            .map_err(|e| Error::reading(path, format!("not UTF-8 text ({e})")))?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        // A first line opening with "# " marks the file (an internal run's NOT FOR RELEASE) and
        // is not part of the table; line numbers still count it.
        let (text, marked) = match text.starts_with("# ") {
            true => (text.split_once('\n').map_or("", |(_, rest)| rest), 1),
            false => (text, 0),
        };
        let first_line = text.lines().next().unwrap_or("");
        let separator = if first_line.matches(';').count() > first_line.matches(',').count() {
            ';'
        } else {
            ','
        };
        let mut records = parse(text, separator).map_err(|(line, what)| {
            Error::BadInput(format!(
                "{}: line {}: {what}",
                path.display(),
                line + marked
            ))
        })?;
        for (line, _) in &mut records {
            *line += marked;
        }
        if records.is_empty() {
            return Err(Error::BadInput(format!(
                "{}: the file is empty; expected a header line",
                path.display()
            )));
        }
        let (_, header) = records.remove(0);
        let headers: Vec<String> = header.iter().map(|h| h.trim().to_string()).collect();
        for (i, h) in headers.iter().enumerate() {
            if headers[..i].iter().any(|o| o.eq_ignore_ascii_case(h)) {
                return Err(Error::BadInput(format!(
                    "{}: column `{h}` appears twice in the header",
                    path.display()
                )));
            }
        }
        let mut rows = Vec::with_capacity(records.len());
        let mut lines = Vec::with_capacity(records.len());
        for (line, record) in records {
            if record.len() == 1 && record[0].trim().is_empty() {
                continue;
            }
            if record.len() != headers.len() {
                return Err(Error::BadInput(format!(
                    "{}: line {line} has {} fields; expected {} as in the header",
                    path.display(),
                    record.len(),
                    headers.len()
                )));
            }
            rows.push(record);
            lines.push(line);
        }
        Ok(CsvTable {
            path: path.to_path_buf(),
            headers,
            rows,
            lines,
        })
    }

    /// The index of a column, matched regardless of case.
    pub fn find(&self, name: &str) -> Option<usize> {
        self.headers
            .iter()
            .position(|h| h.eq_ignore_ascii_case(name))
    }

    /// The index of a column that must be present.
    pub fn require(&self, name: &str) -> Result<usize> {
        self.find(name).ok_or_else(|| {
            Error::BadInput(format!(
                "{}: missing column `{name}`; the header has: {}",
                self.path.display(),
                self.headers.join(", ")
            ))
        })
    }

    /// A message about one cell, naming the file, the data row, its line and the column.
    pub fn cell_error(&self, row: usize, column: usize, what: impl std::fmt::Display) -> Error {
        Error::BadInput(format!(
            "{}: row {} (line {}), column `{}`: {what}",
            self.path.display(),
            row + 1,
            self.lines[row],
            self.headers[column]
        ))
    }

    /// The trimmed text of a cell.
    pub fn text(&self, row: usize, column: usize) -> &str {
        self.rows[row][column].trim()
    }

    /// A number, or `None` for an empty cell or `NA`. A decimal comma is accepted when the
    /// separator is `;` and the cell holds no dot (Danish spreadsheets).
    pub fn number(&self, row: usize, column: usize) -> Result<Option<f64>> {
        let raw = self.text(row, column);
        if raw.is_empty() || raw.eq_ignore_ascii_case("na") {
            return Ok(None);
        }
        let normalised = if raw.contains(',') && !raw.contains('.') {
            raw.replace(',', ".")
        } else {
            raw.to_string()
        };
        match normalised.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(Some(v)),
            _ => Err(self.cell_error(row, column, format!("expected a number, got {raw:?}"))),
        }
    }

    /// A number that must be present and not negative.
    pub fn count(&self, row: usize, column: usize) -> Result<f64> {
        self.optional_count(row, column)?
            .ok_or_else(|| self.cell_error(row, column, "expected a number, the cell is empty"))
    }

    /// A number that is not negative, or `None` for an empty cell or `NA`.
    pub fn optional_count(&self, row: usize, column: usize) -> Result<Option<f64>> {
        match self.number(row, column)? {
            Some(v) if v < 0.0 => {
                Err(self.cell_error(row, column, format!("expected zero or more, got {v}")))
            }
            other => Ok(other),
        }
    }
}

/// A record with the 1-based line it starts on.
type Record = (usize, Vec<String>);

/// Splits CSV text into records; an error gives the line of the unclosed quote.
fn parse(text: &str, separator: char) -> std::result::Result<Vec<Record>, (usize, String)> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut in_quotes = false;
    let mut line = 1;
    let mut start_line = 1;
    let mut chars = text.chars().peekable();
    let mut at_field_start = true;
    while let Some(c) = chars.next() {
        if in_quotes {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => in_quotes = false,
                '\n' => {
                    line += 1;
                    field.push(c);
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if at_field_start => {
                in_quotes = true;
                at_field_start = false;
            }
            c if c == separator => {
                record.push(std::mem::take(&mut field));
                at_field_start = true;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                record.push(std::mem::take(&mut field));
                records.push((start_line, std::mem::take(&mut record)));
                line += 1;
                start_line = line;
                at_field_start = true;
            }
            _ => {
                field.push(c);
                at_field_start = false;
            }
        }
    }
    if in_quotes {
        return Err((start_line, "a quoted field is never closed".into()));
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push((start_line, record));
    }
    Ok(records)
}

/// Quotes a field when it holds a comma, a quote or a line break (RFC 4180); the one quoting rule
/// of every CSV the tool writes, in the standard dialect.
pub fn quoted(field: &str) -> String {
    CsvDialect::Standard.quote(field)
}

/// The CSV notation of the tables a run writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, serde::Serialize)]
pub enum CsvDialect {
    /// RFC 4180: `,` between fields, `.` in numbers, UTF-8.
    #[default]
    Standard,
    /// What Danish Excel opens directly: `;` between fields, decimal commas, and a UTF-8
    /// byte-order mark so that æ, ø and å survive.
    ExcelDa,
}

impl CsvDialect {
    pub fn separator(self) -> char {
        match self {
            CsvDialect::Standard => ',',
            CsvDialect::ExcelDa => ';',
        }
    }

    pub fn decimal_comma(self) -> bool {
        self == CsvDialect::ExcelDa
    }

    /// What a file of this dialect starts with.
    pub fn bom(self) -> &'static str {
        match self {
            CsvDialect::Standard => "",
            CsvDialect::ExcelDa => "\u{feff}",
        }
    }

    /// A field quoted when it holds the separator, a quote or a line break.
    pub fn quote(self, field: &str) -> String {
        if field.contains([self.separator(), '"', '\n', '\r']) {
            format!("\"{}\"", field.replace('"', "\"\""))
        } else {
            field.to_string()
        }
    }

    /// A record: the fields quoted and joined by the separator.
    pub fn join<'a>(self, fields: impl IntoIterator<Item = &'a str>) -> String {
        fields
            .into_iter()
            .map(|f| self.quote(f))
            .collect::<Vec<_>>()
            .join(&self.separator().to_string())
    }

    /// A number as the dialect writes it (a decimal comma for Danish Excel).
    pub fn number(self, text: String) -> String {
        if self.decimal_comma() {
            text.replace('.', ",")
        } else {
            text
        }
    }
}

/// An output table built column-name first, then row by row.
pub struct CsvOutput {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl CsvOutput {
    pub fn new(headers: Vec<String>) -> CsvOutput {
        CsvOutput {
            headers,
            rows: Vec::new(),
        }
    }

    /// The table as comma-separated text with a header line.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for record in std::iter::once(&self.headers).chain(&self.rows) {
            let fields: Vec<String> = record.iter().map(|f| quoted(f)).collect();
            out.push_str(&fields.join(","));
            out.push('\n');
        }
        out
    }

    /// Writes the table to `path` (or standard output for `-`) through a temporary file beside
    /// it, so a failure never leaves a partial file.
    pub fn write(&self, path: &Path) -> Result<()> {
        let text = self.to_text();
        if path == Path::new("-") {
            return crate::ops::console::out(&text);
        }
        crate::report::output::write_file(path, text.as_bytes())
    }
}

/// A number for output: shortest text that reads back to the same value, empty for none.
pub fn number(value: Option<f64>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An internal run's tidy table opens with its NOT FOR RELEASE line; `run --all --internal`
    /// reads it back for the document (it failed on the mark as a one-field header).
    #[test]
    fn a_marked_first_line_is_not_the_header_and_lines_still_count_it() {
        let dir = std::env::temp_dir().join(format!("csv-marked-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.csv");
        std::fs::write(&path, "# NOT FOR RELEASE, internal\na,b\n1,2\n3\n").unwrap();
        let err = match CsvTable::read(&path) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("a row of 1 field under a header of 2 is refused"),
        };
        assert!(err.contains("line 4 has 1 fields; expected 2"), "{err}");
        std::fs::write(&path, "# NOT FOR RELEASE, internal\na,b\n1,2\n").unwrap();
        let table = CsvTable::read(&path).unwrap();
        assert_eq!(table.require("b").unwrap(), 1);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn parses_quotes_crlf_and_multiline_fields() {
        let records = parse("a,b\r\n\"x,\"\"y\"\"\",2\r\n\"two\nlines\",3\n", ',').unwrap();
        assert_eq!(
            records[1],
            (2, vec!["x,\"y\"".to_string(), "2".to_string()])
        );
        assert_eq!(
            records[2],
            (3, vec!["two\nlines".to_string(), "3".to_string()])
        );
        assert_eq!(parse("a\n\"open\n", ',').unwrap_err().0, 2);
    }

    #[test]
    fn quoting_round_trips() {
        let out = CsvOutput {
            headers: vec!["g".into()],
            rows: vec![vec!["a,\"b\"".into()]],
        };
        let back = parse(&out.to_text(), ',').unwrap();
        assert_eq!(back[1].1[0], "a,\"b\"");
    }
}
