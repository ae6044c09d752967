//! Bad input to `ulighed run`: a one-paragraph message naming the file, a documented non-zero
//! exit code, and no output folder (nor staging folder) left behind.

use std::path::Path;

use crate::common::{registers_with, stderr, ulighed};

/// The shipped diabetes spec for one year only (the hand-made register folders hold 2024 only):
/// the spec without its `[trend]` table, written beside the test build once per test run. The
/// tests run in parallel, and one rewriting the file while another read it gave the reader an
/// empty spec ("missing field `id`") now and then.
pub(crate) fn one_year_spec() -> &'static str {
    static SPEC: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SPEC.get_or_init(|| {
        let text =
            std::fs::read_to_string(crate::common::root().join("pipelines/t2d_sglt2_glp1.toml"))
                .expect("spec");
        let start = text.find("[trend]").expect("the spec has a trend");
        let end = start
            + text[start..]
                .find("\n\n")
                .expect("a blank line after the trend");
        let path = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("t2d_one_year.toml");
        std::fs::write(&path, format!("{}{}", &text[..start], &text[end + 2..]))
            .expect("spec written");
        path.to_str().expect("utf-8").to_string()
    })
}

/// Runs the diabetes spec on `registers` into the output root `out`, with `extra` arguments.
pub(crate) fn run_into(registers: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let spec = one_year_spec();
    let mut args = vec![
        "run",
        spec,
        "--registers",
        registers.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
        "--as-of",
        "2025-06-30",
    ];
    args.extend_from_slice(extra);
    ulighed(&args)
}

/// Runs the diabetes spec on `registers` into a fresh output root.
fn run_on(registers: &Path) -> (std::process::Output, tempfile::TempDir) {
    let out = tempfile::tempdir().expect("temp");
    (run_into(registers, out.path(), &[]), out)
}

/// A successful first run on good registers written to `registers`: its output root, the path
/// of its report and the report's bytes, for tests of what a later failing run leaves.
fn first_report(registers: &Path) -> (tempfile::TempDir, std::path::PathBuf, Vec<u8>) {
    registers_with(registers, "bef2024.csv", "", "");
    let (first, out) = run_on(registers);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let report = out.path().join("t2d_sglt2_glp1/report.html");
    let before = std::fs::read(&report).expect("first report");
    (out, report, before)
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
    let (out, report, before) = first_report(good.path());

    let bad = tempfile::tempdir().expect("temp");
    registers_with(bad.path(), "bef2024.csv", ",101,", ",998,");
    let second = run_into(bad.path(), out.path(), &[]);
    assert_eq!(second.status.code(), Some(65));
    assert_eq!(std::fs::read(&report).expect("report kept"), before);
    let names: Vec<String> = std::fs::read_dir(out.path())
        .expect("out")
        .map(|e| e.expect("entry").file_name().to_string_lossy().to_string())
        // The run cache and the release ledger (of the first, successful run) beside it.
        .filter(|name| name != ".ulighed-cache" && name != ".ulighed-ledger")
        .collect();
    assert_eq!(names, ["t2d_sglt2_glp1"], "no staging folder left");
}

/// A file changed after the run validated it, keeping its size and modification time (which
/// the remembered validation trusts): a person key that is no longer digits stops the next
/// run with a message naming the folder and the key, and the previous report stands.
#[test]
fn a_person_key_changed_behind_the_validation_is_refused_naming_the_folder() {
    let dir = tempfile::tempdir().expect("temp");
    let (out, report, before) = first_report(dir.path());

    let bef = dir.path().join("bef2024.csv");
    let modified = std::fs::metadata(&bef)
        .and_then(|m| m.modified())
        .expect("mtime");
    let text = std::fs::read_to_string(&bef).expect("bef");
    std::fs::write(&bef, text.replacen("0002,", "x002,", 1)).expect("changed");
    std::fs::File::options()
        .write(true)
        .open(&bef)
        .and_then(|f| f.set_modified(modified))
        .expect("mtime kept");

    let second = run_into(dir.path(), out.path(), &["--force"]);
    let err = stderr(&second);
    assert_eq!(second.status.code(), Some(65), "{err}");
    for text in [
        dir.path().to_str().expect("utf-8"),
        "a person key (PNR) is not digits",
        "\"x002\"",
        ".ulighed-cache",
    ] {
        assert!(err.contains(text), "{text:?} not in {err}");
    }
    assert_eq!(err.trim().lines().count(), 1, "one paragraph: {err}");
    assert_eq!(std::fs::read(&report).expect("report kept"), before);
}

/// The diabetes spec with `[validation] severities` set to `severities` (TOML inline table), in
/// `dir`.
fn spec_with_severities(dir: &Path, severities: &str) -> std::path::PathBuf {
    let text = std::fs::read_to_string(one_year_spec()).expect("spec");
    let path = dir.join("t2d_sglt2_glp1.toml");
    std::fs::write(
        &path,
        format!("{text}\n[validation]\nseverities = {severities}\n"),
    )
    .expect("spec written");
    path
}

fn run_spec_on(spec: &Path, registers: &Path) -> std::process::Output {
    let out = tempfile::tempdir().expect("temp");
    crate::common::run_spec(
        spec.to_str().expect("utf-8"),
        registers,
        out.path(),
        "2025-06-30",
    )
}

/// A pipeline sets the severity of a validation rule: a malformed ATC code stops the diabetes
/// analysis by default and not when the spec makes `code_atc` a warning; a prescription of a
/// person in no population year does not stop it by default and does when the spec makes
/// `key_pnr` an error. A rule whose failure leaves a file unreadable cannot be made a warning,
/// nor can an unknown rule be named (exit 78, the key named).
#[test]
fn a_pipeline_sets_the_severity_of_a_validation_rule() {
    let specs = tempfile::tempdir().expect("temp");
    let atc = tempfile::tempdir().expect("temp");
    registers_with(atc.path(), "lmdb.csv", "A10BK01", "A10-BK");
    let (output, _out) = run_on(atc.path());
    assert_eq!(output.status.code(), Some(65), "{}", stderr(&output));
    assert!(stderr(&output).contains("code_atc"), "{}", stderr(&output));
    let lenient = spec_with_severities(specs.path(), "{ code_atc = \"warning\" }");
    let output = run_spec_on(&lenient, atc.path());
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));

    let unknown_person = tempfile::tempdir().expect("temp");
    registers_with(unknown_person.path(), "lmdb.csv", "\n0001,", "\n0042,");
    let (output, _out) = run_on(unknown_person.path());
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let strict = spec_with_severities(specs.path(), "{ key_pnr = \"error\" }");
    let output = run_spec_on(&strict, unknown_person.path());
    assert_eq!(output.status.code(), Some(65), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("rule key_pnr"),
        "{}",
        stderr(&output)
    );

    for (severities, expected) in [
        ("{ types = \"warning\" }", "always an error"),
        ("{ no_such_rule = \"error\" }", "is not a validation rule"),
    ] {
        let refused = spec_with_severities(specs.path(), severities);
        let output = run_spec_on(&refused, unknown_person.path());
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(78), "{err}");
        assert!(
            err.contains("validation.severities") && err.contains(expected),
            "{err}"
        );
    }
}
