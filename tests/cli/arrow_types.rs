//! Every Arrow type a delivery may carry, read through validate, run and convert without a panic:
//! Parquet files of tests/data/arrow-types/ (made by tools/arrow_types_fixtures.py) put in place
//! of one register of the valid CSV folder. An extra column of any type is ignored; a contract
//! column in another type (a decimal income, a 16-bit municipality code, a timestamp birth date, a
//! dictionary-encoded person key) is read as the contract's type, so the analysis gives exactly
//! the tables of the CSV folder.

use std::path::{Path, PathBuf};

use crate::bad_input::run_into;
use crate::common::{VALID, registers_with, root, stderr, ulighed};

/// The valid folder with the register of `fixture`'s Parquet file in place of its CSV.
fn folder_with(fixture: &Path, dir: &Path) -> PathBuf {
    registers_with(dir, "bef2024.csv", "", "");
    for entry in std::fs::read_dir(fixture).expect("fixture") {
        let parquet = entry.expect("entry").path();
        let stem = parquet
            .file_stem()
            .expect("stem")
            .to_string_lossy()
            .to_string();
        std::fs::remove_file(dir.join(format!("{stem}.csv"))).expect("csv replaced");
        std::fs::copy(&parquet, dir.join(parquet.file_name().expect("name"))).expect("copy");
    }
    dir.to_path_buf()
}

/// The tidy table a run of the one-year diabetes spec writes on `registers`.
fn tidy_table(registers: &Path, out: &Path) -> String {
    let ran = run_into(registers, out, &[]);
    assert_eq!(
        ran.status.code(),
        Some(0),
        "{registers:?}: {}",
        stderr(&ran)
    );
    std::fs::read_to_string(out.join("t2d_sglt2_glp1/tables/t2d_sglt2_glp1.csv")).expect("tidy")
}

#[test]
fn every_arrow_type_reads_through_validate_run_and_convert() {
    let dir = tempfile::tempdir().expect("temp");
    let csv = dir.path().join("csv");
    registers_with(&csv, "bef2024.csv", "", "");
    let baseline = tidy_table(&csv, &dir.path().join("out-csv"));
    let fixtures = root().join("tests/data/arrow-types");
    let mut names: Vec<String> = std::fs::read_dir(&fixtures)
        .expect("fixtures")
        .map(|e| e.expect("entry").file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    assert!(names.len() >= 30, "{names:?}");
    assert_eq!(VALID.len(), 8);
    for name in &names {
        let registers = folder_with(&fixtures.join(name), &dir.path().join(name));
        let registers_arg = registers.to_str().expect("utf-8");
        let validated = ulighed(&["validate", registers_arg, "--as-of", "2025-06-30"]);
        let err = stderr(&validated);
        assert!(!err.contains("panicked"), "{name}: {err}");
        assert_eq!(validated.status.code(), Some(0), "{name}: validate: {err}");
        let table = tidy_table(&registers, &dir.path().join(format!("out-{name}")));
        assert_eq!(table, baseline, "{name}: the same tables as the CSV folder");
        let converted = dir.path().join(format!("converted-{name}"));
        let ran = ulighed(&[
            "convert",
            registers_arg,
            converted.to_str().expect("utf-8"),
            "--as-of",
            "2025-06-30",
        ]);
        assert_eq!(
            ran.status.code(),
            Some(0),
            "{name}: convert: {}",
            stderr(&ran)
        );
        let again = ulighed(&[
            "validate",
            converted.to_str().expect("utf-8"),
            "--as-of",
            "2025-06-30",
        ]);
        assert_eq!(
            again.status.code(),
            Some(0),
            "{name}: the converted copy validates: {}",
            stderr(&again)
        );
    }
}
