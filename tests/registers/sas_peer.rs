//! Every file of the SAS-written reference corpus reads to ReadStat 1.1.8's values; the two
//! broken files are refused with a message naming the file.

use std::path::{Path, PathBuf};

use polars::prelude::*;
use ulighed::registers::sas::read_with_info;

use crate::csv_text;

/// Seconds between the SAS epoch (1960-01-01) and the Unix epoch (1970-01-01): 3,653 days.
const SAS_EPOCH_SECONDS: f64 = 3653.0 * 86_400.0;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sas")
}

/// A column of ours in ReadStat's units: numbers as f64 (dates in days and datetimes in
/// seconds since 1960), text as text.
enum Values {
    Numbers(Vec<Option<f64>>),
    Text(Vec<Option<String>>),
}

fn our_values(column: &Column) -> Values {
    let series = column.as_materialized_series();
    match series.dtype() {
        DataType::String => Values::Text(
            series
                .str()
                .unwrap()
                .iter()
                .map(|v| v.map(str::to_string))
                .collect(),
        ),
        DataType::Date => Values::Numbers(
            series
                .date()
                .unwrap()
                .physical()
                .iter()
                .map(|d| d.map(|d| d as f64 + 3653.0))
                .collect(),
        ),
        DataType::Datetime(TimeUnit::Microseconds, _) => Values::Numbers(
            series
                .datetime()
                .unwrap()
                .physical()
                .iter()
                .map(|us| us.map(|us| us as f64 / 1e6 + SAS_EPOCH_SECONDS))
                .collect(),
        ),
        _ => Values::Numbers(
            series
                .cast(&DataType::Float64)
                .unwrap()
                .f64()
                .unwrap()
                .iter()
                .collect(),
        ),
    }
}

/// ReadStat prints 6 decimals (more for large datetimes): agreement within half a unit of the
/// sixth decimal plus a relative 1e-12 is agreement to the printed digits.
fn same_number(ours: Option<f64>, theirs: &str) -> bool {
    match (ours, theirs.trim()) {
        (None, "") => true,
        (Some(v), "") => v.is_nan(),
        (None, _) => false,
        (Some(v), text) => text
            .parse::<f64>()
            .is_ok_and(|t| (v - t).abs() <= 5e-6 + 1e-12 * t.abs()),
    }
}

fn same_text(ours: Option<&str>, theirs: &str) -> bool {
    ours.unwrap_or("").trim_end() == theirs.trim_end()
}

/// Compares our reading of `sas` with ReadStat's, row `ours_row(i)` of ours against row `i` of
/// theirs; returns the first disagreement.
fn compare(ours: &DataFrame, theirs: &DataFrame, rows: &[usize]) -> Result<(), String> {
    let names: Vec<&str> = ours.get_column_names().iter().map(|n| n.as_str()).collect();
    let expected: Vec<&str> = theirs
        .get_column_names()
        .iter()
        .map(|n| n.as_str())
        .collect();
    if names != expected {
        return Err(format!("columns {names:?}, ReadStat {expected:?}"));
    }
    for name in names {
        let theirs_col = theirs.column(name).unwrap().str().unwrap().clone();
        let values = our_values(ours.column(name).unwrap());
        for (their_row, &our_row) in rows.iter().enumerate() {
            let t = theirs_col.get(their_row).unwrap_or("");
            let ok = match &values {
                Values::Numbers(v) => same_number(v[our_row], t),
                Values::Text(v) => same_text(v[our_row].as_deref(), t),
            };
            if !ok {
                let shown = match &values {
                    Values::Numbers(v) => format!("{:?}", v[our_row]),
                    Values::Text(v) => format!("{:?}", v[our_row]),
                };
                return Err(format!(
                    "column {name}, ReadStat row {}: ours {shown}, ReadStat {t:?}",
                    their_row + 1
                ));
            }
        }
    }
    Ok(())
}

/// The rows of ours matched in order to ReadStat's, for a file whose SAS-deleted rows ReadStat
/// still prints: each of our rows is the next ReadStat row that agrees with it.
fn in_order_subsequence(ours: &DataFrame, theirs: &DataFrame) -> Vec<Option<usize>> {
    let mut matched = Vec::new();
    let mut next = 0;
    for our_row in 0..ours.height() {
        let found = (next..theirs.height()).find(|&their_row| {
            compare(
                &ours.slice(our_row as i64, 1),
                &theirs.slice(their_row as i64, 1),
                &[0],
            )
            .is_ok()
        });
        matched.push(found);
        if let Some(row) = found {
            next = row + 1;
        }
    }
    matched
}

#[test]
fn every_sas_written_file_reads_as_readstat_reads_it() {
    let mut checked = Vec::new();
    for folder in ["pandas", "csharp", "readstat", "other"] {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(corpus().join(folder))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "sas7bdat"))
            .collect();
        paths.sort();
        for path in paths {
            let reference = path.with_extension("readstat.csv");
            if !reference.exists() {
                continue; // the broken files: see the next test
            }
            let (ours, info) =
                read_with_info(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let theirs = csv_text(&reference);
            if info.deleted_rows > 0 {
                // SAS deleted these rows in place; ReadStat prints them, we skip them.
                assert_eq!(
                    ours.height() as u64 + info.deleted_rows,
                    theirs.height() as u64,
                    "{}",
                    path.display()
                );
                let matched = in_order_subsequence(&ours, &theirs);
                assert!(
                    matched.iter().all(Option::is_some),
                    "{}: every row of ours is a row of ReadStat's, in order",
                    path.display()
                );
            } else {
                assert_eq!(ours.height(), theirs.height(), "{}", path.display());
                let rows: Vec<usize> = (0..ours.height()).collect();
                if let Err(e) = compare(&ours, &theirs, &rows) {
                    panic!("{}: {e}", path.display());
                }
            }
            checked.push(path);
        }
    }
    assert_eq!(checked.len(), 36, "every reference file was compared");
}

#[test]
fn dates_and_datetimes_become_polars_temporal_types() {
    let (frame, _) = read_with_info(&corpus().join("pandas/datetime.sas7bdat")).unwrap();
    assert_eq!(frame.column("Date1").unwrap().dtype(), &DataType::Date);
    assert!(matches!(
        frame.column("DateTime").unwrap().dtype(),
        DataType::Datetime(TimeUnit::Microseconds, None)
    ));
    // 1677-09-22, the first row's Date1 (ReadStat: -103098 days since 1960-01-01).
    let first = frame
        .column("Date1")
        .unwrap()
        .cast(&DataType::String)
        .unwrap();
    assert_eq!(first.str().unwrap().get(0), Some("1677-09-22"));
}

#[test]
fn latin1_and_utf8_files_keep_their_letters() {
    for (file, encoding) in [
        ("csharp/charset_lat1.sas7bdat", "ISO-8859-1"),
        ("csharp/charset_utf8.sas7bdat", "UTF-8"),
        ("csharp/charset_wlt1.sas7bdat", "WINDOWS-1252"),
    ] {
        let (_, info) = read_with_info(&corpus().join(file)).unwrap();
        assert_eq!(info.encoding.as_deref(), Some(encoding), "{file}");
    }
}

#[test]
fn broken_files_are_refused_naming_the_file() {
    for file in ["pandas/corrupt.sas7bdat", "pandas/zero_variables.sas7bdat"] {
        let path = corpus().join(file);
        let err = read_with_info(&path).expect_err(file).to_string();
        assert!(err.contains(&path.display().to_string()), "{err}");
        assert!(err.contains("cannot be read as a SAS data set"), "{err}");
    }
}
