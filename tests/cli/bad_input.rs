//! Bad input to `ulighed run`: a one-paragraph message naming the file, a documented non-zero
//! exit code, and no output folder (nor staging folder) left behind.

use std::path::Path;

use crate::common::{registers_with, stderr, ulighed};

/// Runs the shipped diabetes spec on `registers` into a fresh output root.
fn run_on(registers: &Path) -> (std::process::Output, tempfile::TempDir) {
    let out = tempfile::tempdir().expect("temp");
    let output = ulighed(&[
        "run",
        "pipelines/t2d_sglt2_glp1.toml",
        "--registers",
        registers.to_str().expect("utf-8"),
        "--out",
        out.path().to_str().expect("utf-8"),
        "--as-of",
        "2025-06-30",
    ]);
    (output, out)
}

fn assert_refused(file: &str, from: &str, to: &str, expect: &[&str]) {
    let dir = tempfile::tempdir().expect("temp");
    registers_with(dir.path(), file, from, to);
    let (output, out) = run_on(dir.path());
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(65), "{err}");
    for text in expect {
        assert!(err.contains(text), "{text:?} not in {err}");
    }
    assert_eq!(err.trim().lines().count(), 1, "one paragraph: {err}");
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "{err}"
    );
    let left: Vec<_> = std::fs::read_dir(out.path()).expect("out").collect();
    assert!(left.is_empty(), "no output left behind: {left:?}");
}

#[test]
fn wrong_type_is_refused() {
    assert_refused(
        "bef2024.csv",
        "1960-05-01",
        "1. maj 1960",
        &[
            "bef2024.csv",
            "row 1",
            "FOED_DAG",
            "rule types",
            "1. maj 1960",
        ],
    );
}

#[test]
fn missing_column_is_refused() {
    assert_refused(
        "lmdb.csv",
        "pnr,eksd,atc",
        "pnr,eksd,drug",
        &["lmdb.csv", "required column ATC is missing"],
    );
}

#[test]
fn unknown_municipality_is_refused() {
    assert_refused(
        "bef2024.csv",
        ",101,",
        ",998,",
        &["bef2024.csv", "row 1", "rule code_kom", "\"998\""],
    );
}

#[test]
fn broken_csv_row_is_refused() {
    assert_refused(
        "lmdb.csv",
        "A10BK01\n",
        "A10BK01,1,extra,fields\n",
        &[
            "lmdb.csv",
            "cannot be read",
            "row 1 (line 2) has 6 fields where the header has 3",
        ],
    );
}

#[test]
fn a_failed_run_keeps_the_previous_report() {
    let good = tempfile::tempdir().expect("temp");
    registers_with(good.path(), "bef2024.csv", "", "");
    let (first, out) = run_on(good.path());
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let report = out.path().join("t2d_sglt2_glp1/report.html");
    let before = std::fs::read(&report).expect("first report");

    let bad = tempfile::tempdir().expect("temp");
    registers_with(bad.path(), "bef2024.csv", ",101,", ",998,");
    let second = ulighed(&[
        "run",
        "pipelines/t2d_sglt2_glp1.toml",
        "--registers",
        bad.path().to_str().expect("utf-8"),
        "--out",
        out.path().to_str().expect("utf-8"),
        "--as-of",
        "2025-06-30",
    ]);
    assert_eq!(second.status.code(), Some(65));
    assert_eq!(std::fs::read(&report).expect("report kept"), before);
    let names: Vec<String> = std::fs::read_dir(out.path())
        .expect("out")
        .map(|e| e.expect("entry").file_name().to_string_lossy().to_string())
        .collect();
    assert_eq!(names, ["t2d_sglt2_glp1"], "no staging folder left");
}

#[test]
fn bad_specs_name_the_key() {
    let cases = [
        (
            "stratifiers = [\"education\"",
            "stratifiers = [\"education\", \"shoe_size\"",
            "shoe_size",
        ),
        (
            "lookback_days = 730",
            "lookback_days = 730\nlook_back = 2",
            "look_back",
        ),
        (
            "diagnoses = [\"E11\"]",
            "diagnoses = [\"E 11\"]",
            "patient_group.diagnoses",
        ),
        (
            "follow_up_days = 365",
            "follow_up_days = -365",
            "outcome.follow_up_days",
        ),
        (
            "index_date = \"2024-01-01\"",
            "index_date = \"2024-02-30\"",
            "population.index_date",
        ),
        ("threshold = 5", "threshold = 2", "disclosure.threshold"),
    ];
    let spec = std::fs::read_to_string(crate::common::root().join("pipelines/t2d_sglt2_glp1.toml"))
        .expect("spec");
    for (from, to, key) in cases {
        let dir = tempfile::tempdir().expect("temp");
        let path = dir.path().join("spec.toml");
        assert!(spec.contains(from), "{from}");
        std::fs::write(&path, spec.replacen(from, to, 1)).expect("spec written");
        let output = ulighed(&[
            "run",
            path.to_str().expect("utf-8"),
            "--out",
            dir.path().join("out").to_str().expect("utf-8"),
        ]);
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(78), "{key}: {err}");
        assert!(
            err.contains("spec.toml") && err.contains(key),
            "{key} not named in {err}"
        );
        assert!(
            !dir.path().join("out").exists(),
            "nothing written for a bad spec"
        );
    }
}
