//! Readers: one register file into a lazy frame in the canonical schema of the contract.
//!
//! Every format goes through the same mapping: file columns are matched to the contract without
//! regard to case (and through the documented aliases), cast to the canonical type, and renamed
//! to the canonical name; optional columns that a file lacks are added as nulls, so files of one
//! register always concatenate. CSV is read as text and parsed here, so a value that does not parse
//! becomes a finding of the validation rather than a failed read.

use std::io::{BufRead, BufReader};
use std::path::Path;

use polars::prelude::*;

use super::contract::{ColumnSpec, Kind, RegisterSpec};
use super::discover::{Format, RegisterFile};
use crate::error::{Error, Result};

/// The name of the year column added to frames of yearly registers.
pub const YEAR: &str = "AAR";

/// A file column mapped onto the contract: its canonical spec, the raw column as the file holds
/// it, and the expression that parses it into the canonical type.
pub struct MappedColumn {
    pub spec: &'static ColumnSpec,
    pub file_name: Option<String>,
    pub parsed: Expr,
}

/// A register file opened lazily, with its columns mapped.
pub struct OpenedFile {
    pub raw: LazyFrame,
    pub columns: Vec<MappedColumn>,
    /// The register (or data model table) the file holds.
    pub spec: RegisterSpec,
}

/// The CSV separator of a file: `;` when the header has more semicolons than commas.
pub fn csv_separator(path: &Path) -> Result<u8> {
    let file = std::fs::File::open(path).map_err(|e| Error::reading(path, e))?;
    let mut header = String::new();
    BufReader::new(file)
        .read_line(&mut header)
        .map_err(|e| Error::reading(path, e))?;
    let semicolons = header.matches(';').count();
    let commas = header.matches(',').count();
    Ok(if semicolons > commas { b';' } else { b',' })
}

/// For a CSV file that failed to parse: the first line whose number of fields differs from the
/// header's (quotes respected), so the error can name the row.
pub fn first_ragged_line(path: &Path) -> Option<String> {
    let separator = csv_separator(path).ok()? as char;
    let text = std::fs::read_to_string(path).ok()?;
    let count = |line: &str| {
        let mut quoted = false;
        1 + line
            .chars()
            .filter(|&c| {
                if c == '"' {
                    quoted = !quoted;
                }
                c == separator && !quoted
            })
            .count()
    };
    let mut lines = text.lines();
    let expected = count(lines.next()?);
    lines.enumerate().find_map(|(i, line)| {
        let found = count(line);
        (found != expected && !line.is_empty()).then(|| {
            format!(
                "row {} (line {}) has {found} fields where the header has {expected} (rule: types)",
                i + 1,
                i + 2
            )
        })
    })
}

fn scan_raw(file: &RegisterFile) -> Result<LazyFrame> {
    let path = file.path.to_string_lossy().to_string();
    let scanned = match file.format {
        Format::Parquet => LazyFrame::scan_parquet(PlRefPath::new(&path), Default::default()),
        Format::Ipc => LazyFrame::scan_ipc(
            PlRefPath::new(&path),
            Default::default(),
            Default::default(),
        ),
        Format::Csv => LazyCsvReader::new(PlRefPath::new(&path))
            .with_separator(csv_separator(&file.path)?)
            .with_has_header(true)
            .with_infer_schema_length(Some(0))
            .finish(),
        Format::Sas => Ok(super::sas::read(&file.path)?.lazy()),
    };
    scanned.map_err(|e| Error::reading(&file.path, e))
}

/// The type a column of this kind has after reading.
pub fn canonical_dtype(kind: Kind) -> DataType {
    match kind {
        Kind::Text => DataType::String,
        Kind::Date => DataType::Date,
        Kind::Number => DataType::Float64,
        Kind::Municipality => DataType::Int32,
    }
}

/// The expression that turns a file column of type `dtype` into the canonical type, or `None`
/// when the file's type cannot hold such values (a float for a date, say).
fn parse_expr(name: &str, dtype: &DataType, kind: Kind) -> Option<Expr> {
    let c = col(name);
    let text = matches!(dtype, DataType::String);
    // SAS has only one numeric type: a code stored as a number (KOEN 1, KOM 101) is a whole
    // float, read as the integer it stands for; a fraction is left to fail the type check.
    let whole = || {
        c.clone()
            .eq(c.clone().cast(DataType::Int64).cast(DataType::Float64))
    };
    match kind {
        Kind::Text if text => Some(c.str().strip_chars(lit(NULL))),
        Kind::Text if dtype.is_integer() => Some(c.cast(DataType::String)),
        Kind::Text if dtype.is_float() => Some(
            when(whole())
                .then(c.clone().cast(DataType::Int64).cast(DataType::String))
                .otherwise(c.cast(DataType::String)),
        ),
        Kind::Date if matches!(dtype, DataType::Date) => Some(c),
        Kind::Date if matches!(dtype, DataType::Datetime(_, _)) => Some(c.cast(DataType::Date)),
        Kind::Date if text => Some(
            c.str()
                .strip_chars(lit(NULL))
                .str()
                .to_date(StrptimeOptions {
                    format: Some("%Y-%m-%d".into()),
                    strict: false,
                    exact: true,
                    cache: true,
                }),
        ),
        Kind::Number if dtype.is_primitive_numeric() => Some(c.cast(DataType::Float64)),
        Kind::Number if text => Some(c.str().strip_chars(lit(NULL)).cast(DataType::Float64)),
        Kind::Municipality if dtype.is_integer() => Some(c.cast(DataType::Int32)),
        Kind::Municipality if dtype.is_float() => Some(
            when(whole())
                .then(c.clone().cast(DataType::Int32))
                .otherwise(lit(NULL).cast(DataType::Int32)),
        ),
        Kind::Municipality if text => Some(c.str().strip_chars(lit(NULL)).cast(DataType::Int32)),
        _ => None,
    }
}

/// Opens a file and maps its columns onto the contract. Fails (naming the file and column) when a
/// required column is missing, two columns map to one, or a column's type cannot hold its values.
pub fn open(file: &RegisterFile) -> Result<OpenedFile> {
    let mut raw = scan_raw(file)?;
    let schema = raw
        .collect_schema()
        .map_err(|e| Error::reading(&file.path, e))?;
    let mut columns = Vec::new();
    for spec in file.spec.columns {
        let matches: Vec<(&PlSmallStr, &DataType)> = schema
            .iter()
            .filter(|(name, _)| file.spec.column_for(name).map(|c| c.name) == Some(spec.name))
            .collect();
        match matches.as_slice() {
            [] if spec.required => {
                let found: Vec<&str> = schema.iter_names().map(|n| n.as_str()).collect();
                return Err(Error::BadInput(format!(
                    "{}: required column {} is missing (register {}; the file has columns {}; rule: required columns)",
                    file.path.display(),
                    spec.name,
                    file.register,
                    found.join(", ")
                )));
            }
            [] => columns.push(MappedColumn {
                spec,
                file_name: None,
                parsed: lit(NULL).cast(canonical_dtype(spec.kind)).alias(spec.name),
            }),
            [(name, dtype)] => {
                let parsed = parse_expr(name, dtype, spec.kind).ok_or_else(|| {
                    Error::BadInput(format!(
                        "{}: column {} has type {dtype}, expected {} (rule: types)",
                        file.path.display(),
                        name,
                        spec.kind.describe()
                    ))
                })?;
                columns.push(MappedColumn {
                    spec,
                    file_name: Some(name.to_string()),
                    parsed: parsed.alias(spec.name),
                });
            }
            several => {
                let names: Vec<&str> = several.iter().map(|(n, _)| n.as_str()).collect();
                return Err(Error::BadInput(format!(
                    "{}: columns {} all stand for {}; keep one (rule: required columns)",
                    file.path.display(),
                    names.join(" and "),
                    spec.name
                )));
            }
        }
    }
    Ok(OpenedFile {
        raw,
        columns,
        spec: file.spec,
    })
}

impl OpenedFile {
    /// The parsed column of this name (as the file's register names it), or a typed null where
    /// the file lacks it.
    pub fn parsed(&self, name: &str) -> Expr {
        self.columns
            .iter()
            .find(|c| c.spec.name == name)
            .map(|c| c.parsed.clone())
            .unwrap_or_else(|| lit(NULL).cast(DataType::String).alias(name))
    }

    /// The rows of the file that belong in the contract's register (all but for the LPR3 "A"
    /// model's converted LPR2 rows and LPR2's referral diagnoses; see [`super::models`]).
    pub fn rows(&self) -> LazyFrame {
        self.kept(self.raw.clone())
    }

    /// `frame` (the file's rows, perhaps numbered) filtered to the rows [`Self::rows`] keeps.
    pub fn kept(&self, frame: LazyFrame) -> LazyFrame {
        match super::models::keep(self) {
            Some(keep) => frame.filter(keep),
            None => frame,
        }
    }

    /// The file in the canonical schema of the contract's register it feeds; yearly registers
    /// get the year as column [`YEAR`].
    pub fn canonical(&self, year: Option<i32>) -> LazyFrame {
        let mut exprs = super::models::canonical_columns(self);
        if let Some(year) = year {
            exprs.push(lit(year).alias(YEAR));
        }
        self.rows().select(exprs)
    }
}
