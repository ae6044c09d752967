//! Snapshot tests over the real binary (insta, as datafusion-cli does): what the tool writes and
//! prints, byte for byte, with only what changes from run to run masked (timings, clock times,
//! temporary paths). They guard refactors: a change that moves code without changing behaviour
//! leaves every snapshot as it is; a change that means to alter an output shows the difference in
//! `cargo insta review` (or in the `.snap.new` file beside the snapshot).
//!
//! The manifests keep the SHA-256 of every file an analysis wrote, so the report, figures and
//! exports are guarded byte for byte too, not only the tidy tables.

use std::path::Path;
use std::process::Output;

use crate::common::{registers_with, root, ulighed};
use crate::pipelines::{all_outputs, shipped};

/// The filters every snapshot shares: temporary folders and the test build's folder, so a
/// snapshot does not depend on where the test ran.
fn settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.add_filter(
        &regex_escape(env!("CARGO_TARGET_TMPDIR")),
        "[TARGET_TMPDIR]",
    );
    settings.add_filter(&regex_escape(env!("CARGO_MANIFEST_DIR")), "[ROOT]");
    settings.add_filter(r"/tmp/\.tmp[A-Za-z0-9]+", "[TEMP]");
    settings.add_filter(r"\.tmp-\d+", ".tmp-[PID]");
    settings
}

/// A literal path as a regular expression.
fn regex_escape(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let special = "\\.+*?()|[]{}^$#&-~".contains(c);
            special.then_some('\\').into_iter().chain([c])
        })
        .collect()
}

/// The exit code and both streams of a command, as one text.
fn transcript(output: &Output) -> String {
    format!(
        "exit code: {:?}\n--- stdout\n{}--- stderr\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn the_tidy_table_of_every_shipped_analysis() {
    let out = all_outputs();
    let ids = shipped();
    assert_eq!(ids.len(), 5, "the five shipped analyses: {ids:?}");
    for id in ids {
        let csv = std::fs::read_to_string(out.join(&id).join("tables").join(format!("{id}.csv")))
            .expect("tidy table");
        settings().bind(|| insta::assert_snapshot!(format!("tidy_{id}"), csv));
    }
}

/// A manifest with what changes between runs of the same inputs masked: clock times and
/// durations. Paths are the filters' business.
fn masked_manifest(path: &Path) -> String {
    let mut manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("manifest")).expect("json");
    mask(&mut manifest);
    serde_json::to_string_pretty(&manifest).expect("json")
}

fn mask(value: &mut serde_json::Value) {
    const VOLATILE: [&str; 6] = [
        "seconds",
        "started",
        "finished",
        "wall_seconds",
        "created",
        "run_seconds",
    ];
    match value {
        serde_json::Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if VOLATILE.contains(&key.as_str()) {
                    *v = serde_json::Value::String("[masked]".into());
                } else {
                    mask(v);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(mask),
        _ => {}
    }
}

#[test]
fn the_manifest_of_every_shipped_analysis_and_of_the_document() {
    let out = all_outputs();
    for id in shipped().into_iter().chain(["aarsanalyse".to_string()]) {
        let manifest = masked_manifest(&out.join(&id).join("manifest.json"));
        settings().bind(|| insta::assert_snapshot!(format!("manifest_{id}"), manifest));
    }
}

#[test]
fn plan_of_every_shipped_spec() {
    let out = tempfile::tempdir().expect("temp");
    let output = ulighed(&[
        "plan",
        "--all",
        "--out",
        out.path().to_str().expect("utf-8"),
    ]);
    assert_eq!(output.status.code(), Some(0));
    settings().bind(|| insta::assert_snapshot!("plan_all", transcript(&output)));
    let html = std::fs::read_to_string(out.path().join("analyseplan.html")).expect("plan");
    settings().bind(|| insta::assert_snapshot!("plan_all_html", html));
}

/// A register folder with one fault in each of several rules: a sex code out of range, a
/// municipality outside the 98, a diagnosis whose contact does not exist, an ATC code of the
/// wrong shape and a death after the as-of date (cut off: a warning).
fn broken_registers(dir: &Path) {
    registers_with(
        dir,
        "bef2024.csv",
        "0002,1970-01-01,2,0751",
        "0002,1970-01-01,3,0999",
    );
    std::fs::write(
        dir.join("lpr_diagnoser.csv"),
        "DW_EK_KONTAKT,DIAGNOSEKODE,DIAGNOSETYPE\n1,DE119,A\n9,DJ449,A\n",
    )
    .expect("diagnoses");
    std::fs::write(dir.join("lmdb.csv"), "pnr,eksd,atc\n0001,2023-04-01,A10\n").expect("lmdb");
    std::fs::write(dir.join("dod.csv"), "PNR,D_DODSDTO\n0002,2026-06-01\n").expect("dod");
}

#[test]
fn validate_on_a_broken_folder_in_text_and_json() {
    let dir = tempfile::tempdir().expect("temp");
    broken_registers(dir.path());
    let path = dir.path().to_str().expect("utf-8");
    for format in ["text", "json"] {
        let output = ulighed(&[
            "validate",
            path,
            "--format",
            format,
            "--as-of",
            "2025-06-30",
        ]);
        settings().bind(|| {
            insta::assert_snapshot!(format!("validate_broken_{format}"), transcript(&output))
        });
    }
}

/// One case of each class of error, with its exit code and message.
#[test]
fn each_class_of_error_message() {
    let dir = tempfile::tempdir().expect("temp");
    let good = dir.path().join("good");
    registers_with(&good, "bef2024.csv", "", "");
    let broken = dir.path().join("broken");
    broken_registers(&broken);
    let spec_with = |name: &str, from: &str, to: &str| {
        let text =
            std::fs::read_to_string(root().join("pipelines/t2d_sglt2_glp1.toml")).expect("spec");
        assert!(text.contains(from), "{from:?} is in the spec");
        let path = dir.path().join(name);
        std::fs::write(&path, text.replacen(from, to, 1)).expect("spec written");
        path.to_str().expect("utf-8").to_string()
    };
    let unknown_key = spec_with("unknown_key.toml", "[population]", "[population]\nfoo = 1");
    let bad_value = spec_with("bad_value.toml", "age_min = 18", "age_min = -4");
    let out = dir.path().join("out");
    let out = out.to_str().expect("utf-8");
    let good = good.to_str().expect("utf-8");
    let broken = broken.to_str().expect("utf-8");
    let cases: Vec<(&str, Vec<&str>)> = vec![
        ("spec_unknown_key", vec!["plan", &unknown_key]),
        ("spec_bad_value", vec!["plan", &bad_value]),
        ("spec_missing", vec!["plan", "pipelines/no_such_spec.toml"]),
        (
            "registers_missing",
            vec!["run", "--registers", "no/such/folder", "--out", out],
        ),
        (
            "registers_broken",
            vec![
                "run",
                "--registers",
                broken,
                "--out",
                out,
                "--as-of",
                "2025-06-30",
            ],
        ),
        (
            "threshold_too_low",
            vec!["run", "--registers", good, "--out", out, "--threshold", "2"],
        ),
        ("usage_unknown_option", vec!["run", "--no-such-option"]),
        (
            "measures_bad_cell",
            vec![
                "measures",
                "proportion",
                "tests/cli/snapshots/bad_cell.csv",
                "-o",
                "-",
            ],
        ),
    ];
    for (name, args) in cases {
        let output = ulighed(&args);
        assert_ne!(output.status.code(), Some(0), "{name} fails");
        settings().bind(|| insta::assert_snapshot!(format!("error_{name}"), transcript(&output)));
    }
}
