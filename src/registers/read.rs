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
    /// The column's type in the file (`None` where the file lacks it).
    pub file_dtype: Option<DataType>,
    pub parsed: Expr,
}

/// A register file opened lazily, with its columns mapped.
pub struct OpenedFile {
    pub raw: LazyFrame,
    pub columns: Vec<MappedColumn>,
    /// The register (or data model table) the file holds.
    pub spec: RegisterSpec,
    pub format: Format,
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

/// Refuses a CSV header that names a column twice (without regard to case, as columns are
/// matched): the reader would rename the second and read the first, and which of two `PNR`
/// columns holds the person key is not for the tool to guess.
fn check_csv_header(path: &Path, separator: u8) -> Result<()> {
    let file = std::fs::File::open(path).map_err(|e| Error::reading(path, e))?;
    let mut header = String::new();
    BufReader::new(file)
        .read_line(&mut header)
        .map_err(|e| Error::reading(path, format!("the header line is not UTF-8 text ({e})")))?;
    let names: Vec<String> = header
        .trim_end_matches(['\r', '\n'])
        .split(separator as char)
        .map(|n| n.trim().trim_matches('"').to_ascii_uppercase())
        .collect();
    for (i, name) in names.iter().enumerate() {
        if let Some(j) = names[i + 1..].iter().position(|other| other == name) {
            return Err(Error::BadInput(format!(
                "{}: the header names column {name} twice (columns {} and {}); expected each column once",
                path.display(),
                i + 1,
                i + j + 2
            )));
        }
    }
    Ok(())
}

/// For a CSV file that failed to read: the first line that is not UTF-8 text (a Latin-1 or
/// Windows-1252 export), so the error can name the row.
pub fn first_non_utf8_line(path: &Path) -> Option<String> {
    let bytes = std::fs::read(path).ok()?;
    let bad = std::str::from_utf8(&bytes).err()?.valid_up_to();
    let line = bytes[..bad].iter().filter(|&&b| b == b'\n').count() + 1;
    Some(format!(
        "row {} (line {line}) is not UTF-8 text; expected a UTF-8 file (a Latin-1 or Windows-1252 export can be converted with iconv -f latin1 -t utf-8, or read from its SAS file)",
        line.saturating_sub(1)
    ))
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
        Format::Csv => {
            let separator = csv_separator(&file.path)?;
            check_csv_header(&file.path, separator)?;
            LazyCsvReader::new(PlRefPath::new(&path))
                .with_separator(separator)
                .with_has_header(true)
                .with_infer_schema_length(Some(0))
                .finish()
        }
        Format::Sas => return super::sas::scan(&file.path),
    };
    scanned.map_err(|e| Error::reading(&file.path, e))
}

/// The type a column of this kind has after reading (a contact key's is the folder's; see
/// [`key_dtype`]).
pub fn canonical_dtype(kind: Kind) -> DataType {
    match kind {
        Kind::Text | Kind::Person | Kind::Key => DataType::String,
        Kind::Date => DataType::Date,
        Kind::Number => DataType::Float64,
        Kind::Municipality | Kind::Time => DataType::Int32,
    }
}

/// Whether text is read with its surrounding spaces removed: CSV is text as typed and SAS pads
/// its character columns to their width, so both are stripped. Parquet and IPC are typed
/// formats, read as they are: an expression on a column would keep the reader from testing a
/// filter on it while decoding (and from skipping the other columns of rows it rejects), which
/// at national volumes is most of the reading. The validation's `text_padding` rule refuses
/// padded text in them instead (`ulighed convert` strips it).
fn strips_text(format: Format) -> bool {
    matches!(format, Format::Csv | Format::Sas)
}

/// The expression that turns a file column of type `dtype` into the canonical type, or `None`
/// when the file's type cannot hold such values (a float for a date, say).
fn parse_expr(name: &str, dtype: &DataType, kind: Kind, format: Format) -> Option<Expr> {
    // A dictionary-encoded column (Polars' categorical) holds text: read as the text it stands for.
    let categorical = matches!(dtype, DataType::Categorical(..) | DataType::Enum(..));
    let (c, dtype) = if categorical {
        (col(name).cast(DataType::String), &DataType::String)
    } else {
        (col(name), dtype)
    };
    let text = matches!(dtype, DataType::String);
    // SAS has only one numeric type: a code stored as a number (KOEN 1, KOM 101) is a whole
    // float, read as the integer it stands for; a fraction is left to fail the type check.
    let whole = || {
        c.clone()
            .eq(c.clone().cast(DataType::Int64).cast(DataType::Float64))
    };
    match kind {
        Kind::Text | Kind::Person | Kind::Key if text && strips_text(format) => {
            Some(c.str().strip_chars(lit(NULL)))
        }
        Kind::Text | Kind::Person | Kind::Key if text => Some(c),
        Kind::Key if matches!(dtype, DataType::Int64) => Some(c),
        Kind::Key if dtype.is_integer() => Some(c.cast(DataType::Int64)),
        Kind::Key if dtype.is_float() => Some(
            when(whole())
                .then(c.clone().cast(DataType::Int64))
                .otherwise(lit(NULL).cast(DataType::Int64)),
        ),
        // A decimal (an export from SAS or a database) is read through its value as a float:
        // whole for codes and keys, any number for amounts.
        Kind::Text | Kind::Person | Kind::Key | Kind::Municipality | Kind::Number
            if matches!(dtype, DataType::Decimal(_, _)) =>
        {
            let float = c.clone().cast(DataType::Float64);
            let whole_float = float
                .clone()
                .eq(float.clone().cast(DataType::Int64).cast(DataType::Float64));
            let whole_as = |to: DataType| {
                when(whole_float.clone())
                    .then(float.clone().cast(to.clone()))
                    .otherwise(lit(NULL).cast(to))
            };
            Some(match kind {
                Kind::Number => float,
                Kind::Key => whole_as(DataType::Int64),
                Kind::Municipality => whole_as(DataType::Int32),
                _ => when(whole_float.clone())
                    .then(float.clone().cast(DataType::Int64).cast(DataType::String))
                    .otherwise(float.cast(DataType::String)),
            })
        }
        Kind::Text | Kind::Person if dtype.is_integer() => Some(c.cast(DataType::String)),
        Kind::Text | Kind::Person if dtype.is_float() => Some(
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
        Kind::Time => time_of_day(c, dtype),
        _ => None,
    }
}

/// A time of day as the seconds since midnight (null where the value is none): text `HH:MM` or
/// `HH:MM:SS`, a SAS time value (a whole number of seconds from 0 to 86399, the SAS reader's
/// form of a column with a time format), or a timestamp's time of day.
fn time_of_day(c: Expr, dtype: &DataType) -> Option<Expr> {
    let seconds = |h: Expr, m: Expr, s: Expr| {
        (h.cast(DataType::Int32) * lit(3600i32)
            + m.cast(DataType::Int32) * lit(60i32)
            + s.cast(DataType::Int32))
        .cast(DataType::Int32)
    };
    match dtype {
        DataType::String => {
            let text = c.str().strip_chars(lit(NULL));
            let valid = text
                .clone()
                .str()
                .contains(lit("^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"), true);
            let part = |from: i64| text.clone().str().slice(lit(from), lit(2u64));
            let with_seconds = text.clone().str().len_bytes().gt(lit(5u32));
            let second = when(with_seconds).then(part(6)).otherwise(lit("0"));
            Some(
                when(valid)
                    .then(seconds(part(0), part(3), second))
                    .otherwise(lit(NULL).cast(DataType::Int32)),
            )
        }
        DataType::Datetime(_, _) => Some(seconds(
            c.clone().dt().hour(),
            c.clone().dt().minute(),
            c.dt().second(),
        )),
        d if d.is_primitive_numeric() => {
            let float = c.cast(DataType::Float64);
            let valid = float
                .clone()
                .gt_eq(lit(0.0))
                .and(float.clone().lt(lit(86400.0)))
                .and(
                    float
                        .clone()
                        .eq(float.clone().cast(DataType::Int64).cast(DataType::Float64)),
                );
            Some(
                when(valid)
                    .then(float.cast(DataType::Int32))
                    .otherwise(lit(NULL).cast(DataType::Int32)),
            )
        }
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
                file_dtype: None,
                parsed: lit(NULL).cast(canonical_dtype(spec.kind)).alias(spec.name),
            }),
            [(name, dtype)] => {
                let parsed = parse_expr(name, dtype, spec.kind, file.format).ok_or_else(|| {
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
                    file_dtype: Some((*dtype).clone()),
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
        format: file.format,
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
}

/// The types a folder's keys are read as. Each is alike across the folder's files, since the keys
/// of one folder are compared with each other.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyTypes {
    /// Contact keys (`DW_EK_KONTAKT`): see [`key_dtype`].
    pub contacts: DataType,
    /// Person keys (`PNR`): text, or `Int64` where the folder's validation found every key to
    /// be digits (see [`super::persons`]).
    pub persons: DataType,
}

impl KeyTypes {
    /// Contact keys of type `contacts`, person keys as the text the files hold.
    pub fn text_persons(contacts: DataType) -> KeyTypes {
        KeyTypes {
            contacts,
            persons: DataType::String,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The seconds since midnight `parse_expr` reads from `values` of a file's column.
    fn times(values: Column) -> Vec<Option<i32>> {
        let dtype = values.dtype().clone();
        let frame = DataFrame::new(values.len(), vec![values]).expect("frame");
        let parsed = parse_expr("T", &dtype, Kind::Time, Format::Parquet).expect("readable");
        frame
            .lazy()
            .select([parsed.alias("T")])
            .collect()
            .expect("parsed")
            .column("T")
            .expect("T")
            .i32()
            .expect("seconds")
            .iter()
            .collect()
    }

    #[test]
    fn a_time_of_day_is_read_from_text_sas_seconds_and_timestamps() {
        let text = Column::new(
            "T".into(),
            [
                Some("08:30"),
                Some("23:59:59"),
                Some(" 00:00 "),
                Some("24:00"),
                Some("8:30"),
                Some("08.30"),
                None,
            ],
        );
        assert_eq!(
            times(text),
            [Some(30_600), Some(86_399), Some(0), None, None, None, None]
        );
        let sas = Column::new(
            "T".into(),
            [
                Some(30_600.0),
                Some(86_399.0),
                Some(86_400.0),
                Some(-1.0),
                Some(0.5),
            ],
        );
        assert_eq!(times(sas), [Some(30_600), Some(86_399), None, None, None]);
        // 2023-03-01 14:05:06 in microseconds since 1970.
        let micros = (19_417i64 * 86_400 + 14 * 3_600 + 5 * 60 + 6) * 1_000_000;
        let stamp = Column::new("T".into(), [micros])
            .cast(&DataType::Datetime(TimeUnit::Microseconds, None))
            .expect("timestamp");
        assert_eq!(times(stamp), [Some(50_706)]);
    }
}
