//! Fixtures written with ReadStat's library from known values read back to those values:
//! `tests/data/sas-fixtures/` (Latin-1 text with æ, ø, å, a DATE and a DATETIME column, plain
//! and RLE-compressed; `tools/sas/mkfixture.c`) and every SAS file of the registers fixture
//! `tests/data/sas-registers/` against the CSV it was written from
//! (`tools/sas/make_register_fixtures.sh`).

use std::path::{Path, PathBuf};

use polars::prelude::*;
use ulighed::registers::sas::read_with_info;

use crate::csv_text;

fn data(dir: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(dir)
}

/// One cell of ours.
fn cell(column: &Column, row: usize) -> AnyValue<'_> {
    column.get(row).expect("row in range")
}

fn same(ours: AnyValue<'_>, theirs: Option<&str>) -> bool {
    let theirs = theirs.unwrap_or("");
    match ours {
        AnyValue::Null => theirs.is_empty(),
        AnyValue::String(s) => s == theirs,
        AnyValue::Float64(v) => theirs.parse::<f64>().is_ok_and(|t| t == v),
        other => other.to_string() == theirs,
    }
}

fn assert_equal_to_source(sas: &Path, source: &Path) {
    let (ours, _) = read_with_info(sas).unwrap_or_else(|e| panic!("{e}"));
    let theirs = csv_text(source);
    assert_eq!(ours.height(), theirs.height(), "{}", sas.display());
    assert!(ours.height() > 0, "{}", sas.display());
    for name in theirs.get_column_names() {
        let expected = theirs.column(name).unwrap().str().unwrap().clone();
        let column = ours
            .columns()
            .iter()
            .find(|c| c.name().eq_ignore_ascii_case(name))
            .unwrap_or_else(|| panic!("{}: column {name}", sas.display()));
        // Dates and datetimes as Polars writes them in text (ISO, microseconds).
        let column = if column.dtype().is_temporal() {
            &column.cast(&DataType::String).unwrap()
        } else {
            column
        };
        for row in 0..ours.height() {
            let value = cell(column, row);
            assert!(
                same(value.clone(), expected.get(row)),
                "{} column {name} row {}: ours {value:?}, source {:?}",
                sas.display(),
                row + 1,
                expected.get(row)
            );
        }
    }
}

#[test]
fn latin1_dates_and_datetimes_read_back_to_their_values() {
    for file in [
        "people_latin1_date.sas7bdat",
        "people_latin1_date_rle.sas7bdat",
    ] {
        let path = data("sas-fixtures").join(file);
        let (frame, info) = read_with_info(&path).unwrap();
        assert_eq!(info.encoding.as_deref(), Some("ISO-8859-1"));
        assert_eq!(frame.column("fdato").unwrap().dtype(), &DataType::Date);
        assert_equal_to_source(&path, &data("sas-fixtures").join("people.csv"));
    }
    let (_, rle) =
        read_with_info(&data("sas-fixtures").join("people_latin1_date_rle.sas7bdat")).unwrap();
    assert_eq!(rle.compression, "Row", "the RLE fixture is compressed");
}

#[test]
fn every_register_fixture_reads_back_to_its_csv_source() {
    let dir = data("sas-registers");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "sas7bdat") {
            let stem = path.file_stem().unwrap().to_string_lossy().to_string();
            let source = dir.join("csv-source").join(format!("{stem}.csv"));
            assert_equal_to_source(&path, &source);
            checked += 1;
        }
    }
    assert_eq!(checked, 15, "every SAS file of the fixture was compared");
}
