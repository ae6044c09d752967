//! Every validation rule of REGISTERS.md has a failing fixture, and its message names the file,
//! the row, the column, the value and the rule.

use crate::common::{registers_with, stderr, ulighed};

/// Validates a folder with one change and returns (exit code, JSON report).
fn validate_with(file: &str, from: &str, to: &str) -> (i32, serde_json::Value, String) {
    let dir = tempfile::tempdir().expect("temp");
    registers_with(dir.path(), file, from, to);
    let out = ulighed(&[
        "validate",
        dir.path().to_str().expect("utf-8"),
        "--format",
        "json",
        "--as-of",
        "2025-01-01",
    ]);
    let json = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (out.status.code().unwrap_or(-1), json, stderr(&out))
}

/// The finding of `rule` (exactly one), checked against file, column, row and value. Other rules
/// may fire as consequences (a blank PNR also leaves its events without a person).
fn assert_finding(
    json: &serde_json::Value,
    file: &str,
    rule: &str,
    column: &str,
    row: u64,
    value: &str,
) {
    let findings: Vec<&serde_json::Value> = json["findings"]
        .as_array()
        .expect("findings listed")
        .iter()
        .filter(|f| f["rule"] == rule)
        .collect();
    assert_eq!(findings.len(), 1, "exactly one finding of {rule}: {json:#}");
    let f = findings[0];
    assert_eq!(f["rule"], rule);
    assert_eq!(f["column"], column);
    assert!(
        f["file"].as_str().expect("file").ends_with(file),
        "{}",
        f["file"]
    );
    assert_eq!(f["examples"][0]["row"], row);
    assert_eq!(f["examples"][0]["value"], value);
}

#[test]
fn the_valid_folder_has_no_findings() {
    let (code, json, err) = validate_with("bef2024.csv", "", "");
    assert_eq!(code, 0, "{err}");
    assert_eq!(json["findings"].as_array().map(Vec::len), Some(0));
    assert_eq!(json["files"].as_array().map(Vec::len), Some(8));
}

#[test]
fn each_rule_fails_on_its_fixture() {
    // (file, from, to, rule, column, row, value)
    let cases = [
        (
            "bef2024.csv",
            "1960-05-01",
            "1960-13-01",
            "types",
            "FOED_DAG",
            1,
            "1960-13-01",
        ),
        (
            "ind2024.csv",
            "250000.5",
            "mange",
            "types",
            "FAMAEKVIVADISP",
            1,
            "mange",
        ),
        ("bef2024.csv", "\n0002,", "\n,", "pnr_present", "PNR", 2, ""),
        (
            "bef2024.csv",
            "\n0002,",
            "\n0001,",
            "pnr_unique",
            "PNR",
            1,
            "0001",
        ),
        (
            "bef2024.csv",
            "1960-05-01",
            "1890-05-01",
            "date_range",
            "FOED_DAG",
            1,
            "1890-05-01",
        ),
        (
            "bef2024.csv",
            "1960-05-01,1,",
            "1960-05-01,3,",
            "code_koen",
            "KOEN",
            1,
            "3",
        ),
        ("bef2024.csv", ",101,", ",999,", "code_kom", "KOM", 1, "999"),
        (
            "bef2024.csv",
            "0751,2",
            "0751,7",
            "code_ie_type",
            "IE_TYPE",
            2,
            "7",
        ),
        (
            "udda2024.csv",
            "5166",
            "516",
            "code_hfaudd",
            "HFAUDD",
            2,
            "516",
        ),
        (
            "lpr_diagnoser.csv",
            "1,DE119",
            "1,E119",
            "code_icd10",
            "DIAGNOSEKODE",
            1,
            "E119",
        ),
        (
            "lmdb.csv", "A10BK01", "A10-BK", "code_atc", "ATC", 1, "A10-BK",
        ),
        (
            "lpr_kontakter.csv",
            "ATA3",
            "ATA2",
            "code_priority",
            "PRIORITET",
            2,
            "ATA2",
        ),
        (
            "lpr_kontakter.csv",
            "08:30",
            "24:30",
            "types",
            "TIDSPUNKT_START",
            1,
            "24:30",
        ),
        (
            "lpr_procedurer.csv",
            "23:59",
            "23.59",
            "types",
            "TIDSPUNKT_START",
            1,
            "23.59",
        ),
        (
            "lpr_procedurer.csv",
            "KFNG05",
            "kfng05",
            "code_procedure",
            "PROCEDUREKODE",
            1,
            "kfng05",
        ),
        (
            "lpr_procedurer.csv",
            "\n1,",
            "\n9,",
            "key_contact",
            "DW_EK_KONTAKT",
            1,
            "9",
        ),
        (
            "lpr_kontakter.csv",
            "\n2,0002,",
            "\n1,0002,",
            "contact_unique",
            "DW_EK_KONTAKT",
            1,
            "1",
        ),
        (
            "lpr_kontakter.csv",
            "2023-05-01,2023-05-01",
            "2023-05-01,2023-04-01",
            "date_order",
            "DATO_SLUT",
            2,
            "2023-04-01",
        ),
    ];
    for (file, from, to, rule, column, row, value) in cases {
        let (code, json, err) = validate_with(file, from, to);
        assert_eq!(code, 65, "{rule}: exit code; stderr {err}");
        assert_finding(&json, file, rule, column, row, value);
    }
}

/// An event after the as-of date is cut off when the register is read: a warning with its
/// count, so a midway status can be run later on a fuller delivery. A birth after it is an error.
#[test]
fn an_event_after_the_as_of_date_is_a_warning_and_a_birth_an_error() {
    let (code, json, err) = validate_with("lmdb.csv", "2023-04-01", "2025-04-01");
    assert_eq!(code, 0, "a warning does not fail validation: {err}");
    assert_finding(&json, "lmdb.csv", "after_as_of", "EKSD", 1, "2025-04-01");
    assert_eq!(json["findings"][0]["severity"], "warning");
    let (code, json, err) = validate_with("bef2024.csv", "1960-05-01", "2025-05-01");
    assert_eq!(code, 65, "{err}");
    assert_finding(
        &json,
        "bef2024.csv",
        "date_range",
        "FOED_DAG",
        1,
        "2025-05-01",
    );
}

#[test]
fn an_unusual_diagnosis_type_is_a_warning() {
    let (code, json, _) = validate_with("lpr_diagnoser.csv", "DJ449,A", "DJ449,H");
    assert_eq!(code, 0, "warnings do not fail validation");
    assert_finding(
        &json,
        "lpr_diagnoser.csv",
        "code_diagnosis_type",
        "DIAGNOSETYPE",
        2,
        "H",
    );
    assert_eq!(json["findings"].as_array().map(Vec::len), Some(1));
    assert_eq!(json["findings"][0]["severity"], "warning");
}

/// The migration register is optional, so the valid folder has none: written beside it here,
/// with one emigration coded `E`, which an analysis would not read as one.
#[test]
fn a_migration_code_other_than_i_or_u_is_refused() {
    let dir = tempfile::tempdir().expect("temp");
    registers_with(dir.path(), "bef2024.csv", "", "");
    std::fs::write(
        dir.path().join("vnds.csv"),
        "PNR,INDUD_KODE,HAEND_DATO\n0001,U,2024-03-01\n0002,E,2024-04-01\n",
    )
    .expect("vnds written");
    let out = ulighed(&[
        "validate",
        dir.path().to_str().expect("utf-8"),
        "--format",
        "json",
        "--as-of",
        "2025-01-01",
    ]);
    assert_eq!(out.status.code(), Some(65), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json report");
    assert_finding(&json, "vnds.csv", "code_migration", "INDUD_KODE", 2, "E");
}

#[test]
fn a_missing_column_is_named_with_the_file() {
    let dir = tempfile::tempdir().expect("temp");
    registers_with(
        dir.path(),
        "bef2024.csv",
        "PNR,FOED_DAG,KOEN,",
        "PNR,FOED_DAG,SEX,",
    );
    let out = ulighed(&["validate", dir.path().to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(65));
    let err = stderr(&out);
    assert!(
        err.contains("bef2024.csv") && err.contains("required column KOEN is missing"),
        "{err}"
    );
    assert!(err.contains("rule: required columns"), "{err}");
}

#[test]
fn text_report_lists_files_and_findings() {
    let dir = tempfile::tempdir().expect("temp");
    registers_with(dir.path(), "bef2024.csv", ",101,", ",999,");
    let out = ulighed(&[
        "validate",
        dir.path().to_str().expect("utf-8"),
        "--as-of",
        "2025-01-01",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("bef2024.csv") && text.contains("lpr_kontakter.csv"),
        "{text}"
    );
    assert!(
        text.contains("ERROR:")
            && text.contains("rule code_kom in column KOM")
            && text.contains("row 1 value \"999\""),
        "{text}"
    );
}

/// Events of a person in no population year are normal in a real delivery (newborns of the last
/// year, immigrants after its 1 January, replaced numbers): a warning with the count and the
/// share of the file's rows, and validation passes.
#[test]
fn an_event_of_a_person_in_no_population_year_is_a_warning_with_its_share() {
    let (code, json, err) = validate_with("lmdb.csv", "\n0001,", "\n0042,");
    assert_eq!(code, 0, "a warning does not fail validation: {err}");
    assert_finding(&json, "lmdb.csv", "key_pnr", "PNR", 1, "0042");
    let finding = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule"] == "key_pnr")
        .expect("key_pnr");
    assert_eq!(finding["severity"], "warning");
    // The fixture's one prescription, now of a person in no bef year.
    assert_eq!(finding["of_rows"], 1, "{finding}");
    let dir = tempfile::tempdir().expect("temp");
    registers_with(dir.path(), "lmdb.csv", "\n0001,", "\n0042,");
    let text = ulighed(&[
        "validate",
        dir.path().to_str().expect("utf-8"),
        "--as-of",
        "2025-01-01",
    ]);
    assert_eq!(text.status.code(), Some(0), "{}", stderr(&text));
    let report = String::from_utf8_lossy(&text.stdout);
    assert!(
        report.contains("1 of 1 (100.000%) rows break rule key_pnr in column PNR"),
        "{report}"
    );
}

/// Christiansø's code 411 is a warning (its residents have no region); any other code outside the
/// 98 municipalities is an error.
#[test]
fn christianso_is_a_warning_and_an_unknown_municipality_an_error() {
    let (code, json, err) = validate_with("bef2024.csv", ",101,", ",411,");
    assert_eq!(code, 0, "{err}");
    assert_finding(&json, "bef2024.csv", "kom_christianso", "KOM", 1, "411");
    assert!(
        json["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .all(|f| f["rule"] != "code_kom"),
        "{json:#}"
    );
    let (code, json, err) = validate_with("bef2024.csv", ",101,", ",412,");
    assert_eq!(code, 65, "{err}");
    assert_finding(&json, "bef2024.csv", "code_kom", "KOM", 1, "412");
}
