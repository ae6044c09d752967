//! The fault corpus: what a demanding operator does to the tool, generated rather than listed.
//! Every register file of a small valid folder broken in each way a delivery or a disk breaks
//! one; every key of a shipped spec removed, mistyped, made huge or emptied; standard output
//! closed early for every subcommand; the output root and an analysis's folder taken by a file.
//! For each case: no panic, a documented exit code, a message naming the file and the row or key,
//! no partial output, and the previous report byte-identical.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::bad_input::{one_year_spec, run_into};
use crate::common::{VALID, registers_with, root, stderr, ulighed};

/// The exit codes the tool documents (docs/usage.md, "Exit codes").
const DOCUMENTED: [i32; 8] = [0, 2, 65, 66, 70, 73, 75, 78];

/// Every file below `dir` with its bytes, for comparing an output root before and after.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(bytes) = std::fs::read(&path) {
                files.insert(path.strip_prefix(dir).expect("below").to_path_buf(), bytes);
            }
        }
    }
    files
}

/// A previous good report: the one-year diabetes spec run on the valid folder into `out`.
fn previous_report(out: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let good = out.with_extension("good-registers");
    registers_with(&good, "bef2024.csv", "", "");
    let first = run_into(&good, out, &[]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    snapshot(out)
}

/// The ways a register file is broken.
#[derive(Debug, Clone, Copy)]
enum Damage {
    /// Cut off halfway through.
    Truncated,
    /// The same length of zero bytes.
    Zeroed,
    /// A folder in its place.
    Folder,
    /// A symbolic link that points to itself.
    LinkLoop,
    /// The same register a second time in another format (Parquet beside the CSV).
    TwoFormats,
    /// An event register whole and split by year at once.
    WholeAndSplit,
}

const DAMAGES: [Damage; 6] = [
    Damage::Truncated,
    Damage::Zeroed,
    Damage::Folder,
    Damage::LinkLoop,
    Damage::TwoFormats,
    Damage::WholeAndSplit,
];

/// The valid folder converted to Parquet once, for the second format of a register.
fn parquet_copy() -> &'static Path {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let base = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("faults-parquet");
        let _ = std::fs::remove_dir_all(&base);
        let source = base.join("csv");
        registers_with(&source, "bef2024.csv", "", "");
        let dest = base.join("parquet");
        let converted = ulighed(&[
            "convert",
            source.to_str().expect("utf-8"),
            dest.to_str().expect("utf-8"),
            "--as-of",
            "2025-06-30",
        ]);
        assert_eq!(converted.status.code(), Some(0), "{}", stderr(&converted));
        dest
    })
}

/// Writes the valid folder into `dir` with `file` broken by `damage`; `None` where the damage
/// does not apply to the file (only event registers can be split by year).
fn damaged(dir: &Path, file: &str, damage: Damage) -> Option<()> {
    registers_with(dir, "bef2024.csv", "", "");
    let path = dir.join(file);
    let bytes = std::fs::read(&path).expect("fixture");
    match damage {
        Damage::Truncated => std::fs::write(&path, &bytes[..bytes.len() / 2]).expect("cut"),
        Damage::Zeroed => std::fs::write(&path, vec![0u8; bytes.len()]).expect("zeroed"),
        Damage::Folder => {
            std::fs::remove_file(&path).expect("removed");
            std::fs::create_dir(&path).expect("folder");
        }
        Damage::LinkLoop => {
            std::fs::remove_file(&path).expect("removed");
            std::os::unix::fs::symlink(file, &path).expect("link");
        }
        Damage::TwoFormats => {
            let stem = file.strip_suffix(".csv").expect("csv");
            let parquet = format!("{stem}.parquet");
            std::fs::copy(parquet_copy().join(&parquet), dir.join(&parquet)).expect("copy");
        }
        Damage::WholeAndSplit => {
            let stem = file.strip_suffix(".csv").expect("csv");
            if stem.chars().any(|c| c.is_ascii_digit()) {
                return None;
            }
            std::fs::write(dir.join(format!("{stem}2023.csv")), &bytes).expect("split");
        }
    }
    Some(())
}

/// `run --all` on `registers` into `out` as of `as_of`, with `extra` arguments.
fn run_all_into(registers: &Path, out: &Path, as_of: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "run",
        "--all",
        "--registers",
        registers.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
        "--as-of",
        as_of,
    ];
    args.extend_from_slice(extra);
    ulighed(&args)
}

fn assert_no_panic(case: &str, err: &str, code: Option<i32>) {
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "{case}: panicked: {err}"
    );
    assert!(
        code.is_some_and(|c| DOCUMENTED.contains(&c)),
        "{case}: exit code {code:?} is not a documented one: {err}"
    );
}

/// Counts of the corpus, printed by the test for the record.
#[derive(Default, Debug)]
struct Tally {
    cases: usize,
    refused: usize,
}

#[test]
fn every_register_file_broken_every_way_is_refused_cleanly() {
    let dir = tempfile::tempdir().expect("temp");
    let mut tally = Tally::default();
    for (file, _) in VALID {
        for damage in DAMAGES {
            let case = format!("{file} {damage:?}");
            let registers = dir.path().join(format!("{file}-{damage:?}"));
            if damaged(&registers, file, damage).is_none() {
                continue;
            }
            tally.cases += 1;
            let registers_arg = registers.to_str().expect("utf-8");
            let validated = ulighed(&["validate", registers_arg, "--as-of", "2025-06-30"]);
            let err = stderr(&validated);
            assert_no_panic(&case, &err, validated.status.code());
            let out = dir.path().join(format!("out-{file}-{damage:?}"));
            let before = previous_report(&out);
            let ran = run_into(&registers, &out, &[]);
            let run_err = stderr(&ran);
            assert_no_panic(&case, &run_err, ran.status.code());
            // A cut-off CSV may still be a valid, shorter file; a zeroed register fails the
            // analyses that read it (the others may run); the rest breaks the folder itself.
            if !matches!(damage, Damage::Truncated) {
                assert_ne!(validated.status.code(), Some(0), "{case}: validate passed");
            }
            if !matches!(damage, Damage::Truncated | Damage::Zeroed) {
                assert_ne!(ran.status.code(), Some(0), "{case}: run passed");
            }
            if validated.status.code() != Some(0) {
                let stem = file.split('.').next().expect("stem");
                assert!(
                    err.contains(stem) || err.contains(registers_arg),
                    "{case}: the message names the file: {err}"
                );
                assert!(err.len() < 2_000, "{case}: a short message: {err}");
            }
            if ran.status.code() != Some(0) {
                tally.refused += 1;
                assert_eq!(
                    snapshot(&out),
                    before,
                    "{case}: the previous report is untouched and nothing is left beside it"
                );
            }
        }
    }
    eprintln!("register corpus: {tally:?}");
    assert!(tally.cases >= 40, "{tally:?}");
}

/// Every leaf of a TOML document, as key paths.
fn leaves(value: &toml::Value, path: Vec<String>, out: &mut Vec<Vec<String>>) {
    match value {
        toml::Value::Table(table) => {
            for (key, v) in table {
                let mut p = path.clone();
                p.push(key.clone());
                leaves(v, p, out);
            }
        }
        toml::Value::Array(items) if items.iter().any(|i| i.is_table()) => {
            for (i, v) in items.iter().enumerate() {
                let mut p = path.clone();
                p.push(i.to_string());
                leaves(v, p, out);
            }
        }
        _ => out.push(path),
    }
}

/// A change to a leaf of a spec: its new value, or `None` to remove it.
type Change = dyn Fn(&toml::Value) -> Option<toml::Value>;

/// `value` with the leaf at `path` changed by `change` (`None`: removed).
fn mutated(value: &toml::Value, path: &[String], change: &Change) -> toml::Value {
    let mut copy = value.clone();
    let mut here = &mut copy;
    for key in &path[..path.len() - 1] {
        here = match here {
            toml::Value::Table(t) => t.get_mut(key).expect("key"),
            toml::Value::Array(a) => &mut a[key.parse::<usize>().expect("index")],
            _ => unreachable!("a path through tables and arrays"),
        };
    }
    let last = &path[path.len() - 1];
    match here {
        toml::Value::Table(t) => match change(&t[last]) {
            Some(v) => {
                t.insert(last.clone(), v);
            }
            None => {
                t.remove(last);
            }
        },
        toml::Value::Array(a) => {
            let i: usize = last.parse().expect("index");
            match change(&a[i]) {
                Some(v) => a[i] = v,
                None => {
                    a.remove(i);
                }
            }
        }
        _ => unreachable!("a path through tables and arrays"),
    }
    copy
}

#[test]
fn every_key_of_a_spec_removed_mistyped_huge_or_empty_is_checked_before_a_run() {
    let dir = tempfile::tempdir().expect("temp");
    let mut cases = 0;
    let mut refused = 0;
    for spec in [
        "t2d_sglt2_glp1",
        "hip_fracture_surgery",
        "ami_pci_rehab_death",
    ] {
        let text =
            std::fs::read_to_string(root().join(format!("pipelines/{spec}.toml"))).expect("spec");
        let value: toml::Value = toml::from_str(&text).expect("toml");
        let mut paths = Vec::new();
        leaves(&value, Vec::new(), &mut paths);
        let huge = "x".repeat(100_000);
        let changes: [(&str, Box<Change>); 4] = [
            ("removed", Box::new(|_| None)),
            (
                "mistyped",
                Box::new(|v| {
                    Some(match v {
                        toml::Value::String(_) => toml::Value::Integer(42),
                        _ => toml::Value::String("x".into()),
                    })
                }),
            ),
            (
                "huge",
                Box::new(move |v| {
                    Some(match v {
                        toml::Value::Integer(_) => toml::Value::Integer(i64::MAX),
                        toml::Value::Float(_) => toml::Value::Float(1e300),
                        toml::Value::Array(_) => toml::Value::Array(
                            (0..10_000)
                                .map(|_| toml::Value::String("E11".into()))
                                .collect(),
                        ),
                        _ => toml::Value::String(huge.clone()),
                    })
                }),
            ),
            (
                "empty",
                Box::new(|v| {
                    Some(match v {
                        toml::Value::Array(_) => toml::Value::Array(Vec::new()),
                        toml::Value::Integer(_) => toml::Value::Integer(0),
                        _ => toml::Value::String(String::new()),
                    })
                }),
            ),
        ];
        for path in &paths {
            for (name, change) in &changes {
                let changed = mutated(&value, path, change.as_ref());
                let file = dir
                    .path()
                    .join(format!("{spec}-{}-{name}.toml", path.join(".")));
                std::fs::write(&file, toml::to_string(&changed).expect("toml")).expect("spec");
                let file_arg = file.to_str().expect("utf-8");
                let planned = ulighed(&["plan", file_arg]);
                let err = stderr(&planned);
                let case = format!("{spec} {} {name}", path.join("."));
                cases += 1;
                assert_no_panic(&case, &err, planned.status.code());
                assert!(
                    matches!(planned.status.code(), Some(0 | 78)),
                    "{case}: a spec is either fine or a bad spec: {err}"
                );
                if planned.status.code() == Some(78) {
                    refused += 1;
                    assert!(err.contains(file_arg), "{case}: names the file: {err}");
                    assert!(err.len() < 2_000, "{case}: a short message: {err}");
                    assert_eq!(err.trim().lines().count(), 1, "{case}: one line: {err}");
                }
            }
        }
    }
    eprintln!("spec corpus: {cases} cases, {refused} refused with 78");
    assert!(
        cases > 300 && refused > 100,
        "{cases} cases, {refused} refused"
    );
}

/// Runs `args` with standard output closed before the tool writes to it.
fn with_stdout_closed(args: &[&str]) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ulighed"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawned");
    drop(child.stdout.take());
    let output = child.wait_with_output().expect("waited");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).to_string(),
    )
}

#[test]
fn a_closed_standard_output_stops_no_subcommand_and_changes_no_exit_code() {
    let dir = tempfile::tempdir().expect("temp");
    let good = dir.path().join("good");
    registers_with(&good, "bef2024.csv", "", "");
    let broken = dir.path().join("broken");
    registers_with(
        &broken,
        "bef2024.csv",
        "0001,1960-05-01,1",
        "0001,1960-05-01,7",
    );
    let table = dir.path().join("table.csv");
    std::fs::write(&table, "group,events,population\nA,3,10\nB,5,20\n").expect("table");
    let (good_arg, broken_arg, table_arg) = (
        good.to_str().expect("utf-8"),
        broken.to_str().expect("utf-8"),
        table.to_str().expect("utf-8"),
    );
    let out = |name: &str| dir.path().join(name).to_str().expect("utf-8").to_string();
    let (plan_out, run_out, convert_out, synth_out) =
        (out("plan"), out("run"), out("convert"), out("synth"));
    let cases: Vec<Vec<&str>> = vec![
        vec![
            "validate",
            good_arg,
            "--format",
            "json",
            "--as-of",
            "2025-06-30",
        ],
        vec!["validate", good_arg, "--as-of", "2025-06-30"],
        vec![
            "validate",
            broken_arg,
            "--format",
            "json",
            "--as-of",
            "2025-06-30",
        ],
        vec!["plan", "--all", "--out", &plan_out],
        vec!["measures", "proportion", table_arg, "-o", "-"],
        vec![
            "measures",
            "summary",
            "tests/data/OrderedSample.csv",
            "-o",
            "-",
        ],
        vec![
            "run",
            one_year_spec(),
            "--registers",
            good_arg,
            "--out",
            &run_out,
            "--as-of",
            "2025-06-30",
            "--log-format",
            "json",
        ],
        vec!["convert", good_arg, &convert_out, "--as-of", "2025-06-30"],
        vec![
            "synth",
            "--persons",
            "200",
            "--years",
            "2023-2024",
            "--out",
            &synth_out,
        ],
        vec!["validate", "--help"],
    ];
    for args in cases {
        let open = ulighed(&args);
        let (code, err) = with_stdout_closed(&args);
        let case = args.join(" ");
        assert_no_panic(&case, &err, code);
        assert_eq!(
            code,
            open.status.code(),
            "{case}: the same exit code: {err}"
        );
    }
    assert!(
        Path::new(&run_out)
            .join("t2d_sglt2_glp1/report.html")
            .exists(),
        "the run with its log closed still wrote its report"
    );
}

#[test]
fn the_output_root_or_an_analysis_folder_taken_by_a_file_is_refused_untouched() {
    let dir = tempfile::tempdir().expect("temp");
    let good = dir.path().join("good");
    registers_with(&good, "bef2024.csv", "", "");
    // The output root is a file.
    let root_file = dir.path().join("out-file");
    std::fs::write(&root_file, "the user's notes").expect("file");
    let ran = run_into(&good, &root_file, &[]);
    assert_eq!(ran.status.code(), Some(73), "{}", stderr(&ran));
    assert_eq!(
        std::fs::read(&root_file).expect("kept"),
        b"the user's notes"
    );
    // The analysis's folder is a file.
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).expect("out");
    std::fs::write(out.join("t2d_sglt2_glp1"), "the user's file").expect("file");
    let before = snapshot(&out);
    let ran = run_into(&good, &out, &[]);
    let err = stderr(&ran);
    assert_eq!(ran.status.code(), Some(73), "{err}");
    assert!(
        err.contains("t2d_sglt2_glp1") && err.contains("not a folder"),
        "{err}"
    );
    assert_eq!(
        snapshot(&out),
        before,
        "the user's file untouched, nothing beside it"
    );
    // Once the file is moved away the next run writes the report.
    std::fs::remove_file(out.join("t2d_sglt2_glp1")).expect("moved");
    let ran = run_into(&good, &out, &[]);
    assert_eq!(ran.status.code(), Some(0), "{}", stderr(&ran));
}

#[test]
fn a_cache_that_cannot_be_saved_is_a_warning_and_the_report_stands() {
    let dir = tempfile::tempdir().expect("temp");
    let good = dir.path().join("good");
    registers_with(&good, "bef2024.csv", "", "");
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).expect("out");
    std::fs::write(out.join(".ulighed-cache"), "not a folder").expect("blocked cache");
    let ran = run_into(&good, &out, &[]);
    let err = stderr(&ran);
    assert_eq!(ran.status.code(), Some(0), "{err}");
    assert!(err.contains("warning") && err.contains("cache"), "{err}");
    assert!(out.join("t2d_sglt2_glp1/report.html").exists());
}

#[test]
fn a_failed_run_into_a_new_output_root_leaves_no_folder() {
    let dir = tempfile::tempdir().expect("temp");
    let broken = dir.path().join("broken");
    registers_with(
        &broken,
        "bef2024.csv",
        "0001,1960-05-01,1",
        "0001,1960-05-01,7",
    );
    let out = dir.path().join("new-out");
    let ran = run_into(&broken, &out, &[]);
    assert_eq!(ran.status.code(), Some(65), "{}", stderr(&ran));
    assert!(!out.exists(), "no empty output root left behind");
}

#[test]
fn the_same_inputs_give_the_same_document_whatever_the_output_root_held() {
    let dir = tempfile::tempdir().expect("temp");
    let registers = crate::common::small_registers();
    let run_all = |out: &Path| {
        let ran = run_all_into(registers, out, "2025-06-30", &[]);
        assert!(
            matches!(ran.status.code(), Some(0 | 65)),
            "{}",
            stderr(&ran)
        );
        snapshot(&out.join("aarsanalyse"))
    };
    let first = run_all(&dir.path().join("a"));
    // The second run into the same root skips every analysis and writes the document again.
    let again = run_all(&dir.path().join("a"));
    let fresh = run_all(&dir.path().join("b"));
    assert!(!first.is_empty());
    assert_eq!(
        again, first,
        "a rerun over kept results writes the same bytes"
    );
    assert_eq!(fresh, first, "a fresh root gets the same bytes");
}

#[test]
fn measures_refuse_a_multiplier_that_is_not_a_finite_positive_number() {
    let dir = tempfile::tempdir().expect("temp");
    let table = dir.path().join("table.csv");
    std::fs::write(&table, "group,events,population\nA,3,10\n").expect("table");
    for multiplier in ["NaN", "inf", "-inf", "0", "-1"] {
        let output = dir.path().join(format!("out-{multiplier}.csv"));
        let ran = ulighed(&[
            "measures",
            "proportion",
            table.to_str().expect("utf-8"),
            &format!("--multiplier={multiplier}"),
            "-o",
            output.to_str().expect("utf-8"),
        ]);
        let err = stderr(&ran);
        assert_eq!(
            ran.status.code(),
            Some(2),
            "--multiplier {multiplier}: {err}"
        );
        assert!(err.contains("--multiplier"), "{err}");
        assert!(!output.exists(), "nothing written for {multiplier}");
    }
}

#[test]
fn bad_specs_and_registers_get_the_documented_exit_code_and_a_short_message() {
    let dir = tempfile::tempdir().expect("temp");
    let text = std::fs::read_to_string(one_year_spec()).expect("spec");
    let write = |name: &str, bytes: Vec<u8>| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).expect("spec");
        path.to_str().expect("utf-8").to_string()
    };
    let long_id = write(
        "long_id.toml",
        text.replacen(
            "id = \"t2d_sglt2_glp1\"",
            &format!("id = \"{}\"", "a".repeat(10_000)),
            1,
        )
        .into_bytes(),
    );
    let long_title = write(
        "long_title.toml",
        text.replacen(
            "title_da = \"",
            &format!("title_da = \"{}", "æ".repeat(40_000)),
            1,
        )
        .into_bytes(),
    );
    let latin1 = write(
        "latin1.toml",
        text.replacen("Type 2-diabetes", "Type 2-diab\u{e6}tes", 1)
            .chars()
            .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
            .collect(),
    );
    for (spec, key) in [
        (&long_id, "key `id`"),
        (&long_title, "key `title_da`"),
        (&latin1, "UTF-8"),
    ] {
        for command in ["plan", "run"] {
            let ran = ulighed(&[
                command,
                spec,
                "--out",
                dir.path().join("out").to_str().expect("utf-8"),
            ]);
            let err = stderr(&ran);
            assert_eq!(ran.status.code(), Some(78), "{command} {spec}: {err}");
            assert!(err.contains(key) && err.len() < 500, "{command}: {err}");
        }
    }
    // Validation: an empty folder, no population register, a required column empty in every
    // row, a header naming a column twice.
    let empty = dir.path().join("empty");
    std::fs::create_dir_all(&empty).expect("empty");
    let no_bef = dir.path().join("no-bef");
    registers_with(&no_bef, "bef2024.csv", "", "");
    std::fs::remove_file(no_bef.join("bef2024.csv")).expect("removed");
    let null_sex = dir.path().join("null-sex");
    registers_with(
        &null_sex,
        "bef2024.csv",
        "0001,1960-05-01,1,",
        "0001,1960-05-01,,",
    );
    std::fs::write(
        null_sex.join("bef2024.csv"),
        std::fs::read_to_string(null_sex.join("bef2024.csv"))
            .expect("bef")
            .replace("1970-01-01,2,", "1970-01-01,,"),
    )
    .expect("bef");
    let twice = dir.path().join("twice");
    registers_with(&twice, "bef2024.csv", "PNR,FOED_DAG", "PNR,pnr,FOED_DAG");
    std::fs::write(
        twice.join("bef2024.csv"),
        std::fs::read_to_string(twice.join("bef2024.csv"))
            .expect("bef")
            .replace("0001,", "0001,0001,")
            .replace("0002,", "0002,0002,"),
    )
    .expect("bef");
    let huge_value = dir.path().join("huge-value");
    registers_with(
        &huge_value,
        "udda2024.csv",
        "0002,5166",
        &format!("0002,{}", "9".repeat(1_000_000)),
    );
    for (folder, code, expect) in [
        (&empty, 66, "no register files"),
        (&no_bef, 65, "required_register"),
        (&null_sex, 65, "column_empty"),
        (&twice, 65, "twice"),
        (&huge_value, 65, "udda2024.csv"),
    ] {
        for format in ["text", "json"] {
            let ran = ulighed(&[
                "validate",
                folder.to_str().expect("utf-8"),
                "--format",
                format,
                "--as-of",
                "2025-06-30",
            ]);
            let err = stderr(&ran);
            let out = String::from_utf8_lossy(&ran.stdout);
            assert_eq!(
                ran.status.code(),
                Some(code),
                "{folder:?} {format}: {err}{out}"
            );
            assert!(
                err.contains(expect) || out.contains(expect),
                "{folder:?} {format}: {expect:?} in {err}{out}"
            );
            assert!(out.len() + err.len() < 10_000, "{folder:?}: short output");
            if format == "json" {
                serde_json::from_str::<serde_json::Value>(&out)
                    .unwrap_or_else(|e| panic!("{folder:?}: JSON on standard output ({e}): {out}"));
            }
        }
    }
}

/// Eight runs started at once on one output root that holds a lock file left by a killed run:
/// exactly one runs, the others exit 75 naming the lock, in each trial. (The lock's own test
/// races 100 trials of eight takers in one process; this one races real processes.)
#[test]
fn of_eight_runs_started_at_once_on_one_root_exactly_one_runs() {
    let dir = tempfile::tempdir().expect("temp");
    let registers = crate::common::small_registers().to_str().expect("utf-8");
    for trial in 0..3 {
        let out = dir.path().join(format!("out{trial}"));
        std::fs::create_dir_all(&out).expect("out");
        std::fs::write(
            out.join(".ulighed.lock"),
            "999999999 this-host 2020-01-01\n",
        )
        .expect("stale lock");
        let out_arg = out.to_str().expect("utf-8");
        let runs: Vec<_> = (0..8)
            .map(|_| {
                Command::new(env!("CARGO_BIN_EXE_ulighed"))
                    .args([
                        "run",
                        "pipelines/t2d_sglt2_glp1.toml",
                        "--registers",
                        registers,
                        "--out",
                        out_arg,
                        "--as-of",
                        "2025-06-30",
                    ])
                    .current_dir(env!("CARGO_MANIFEST_DIR"))
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .expect("spawned")
            })
            .collect();
        let outputs: Vec<_> = runs
            .into_iter()
            .map(|r| r.wait_with_output().expect("waited"))
            .collect();
        let codes: Vec<Option<i32>> = outputs.iter().map(|o| o.status.code()).collect();
        let winners = codes.iter().filter(|&&c| c == Some(0)).count();
        assert_eq!(winners, 1, "trial {trial}: {codes:?}");
        for o in outputs.iter().filter(|o| o.status.code() != Some(0)) {
            assert_eq!(o.status.code(), Some(75), "{}", stderr(o));
            assert!(stderr(o).contains(".ulighed.lock"), "{}", stderr(o));
        }
        assert!(!out.join(".ulighed.lock").exists(), "released");
    }
}

/// The midway status at its real date on registers that run to the end of the year: events after
/// 15 August are cut off (a warning with their count), not refused, and every analysis has
/// results. Before, every analysis failed with 65 (deaths after the as-of date).
#[test]
fn the_midway_status_at_its_date_cuts_off_later_events_and_runs() {
    let dir = tempfile::tempdir().expect("temp");
    let registers = crate::common::small_registers().to_str().expect("utf-8");
    let validated = ulighed(&[
        "validate",
        registers,
        "--format",
        "json",
        "--as-of",
        "2024-08-15",
    ]);
    assert_eq!(validated.status.code(), Some(0), "{}", stderr(&validated));
    let report: serde_json::Value = serde_json::from_slice(&validated.stdout).expect("json");
    let cut: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "after_as_of")
        .collect();
    assert!(!cut.is_empty(), "the year's later events are counted");
    assert!(cut.iter().all(|f| f["severity"] == "warning"));
    let out = dir.path().join("out");
    let ran = run_all_into(
        crate::common::small_registers(),
        &out,
        "2024-08-15",
        &["--report", "midway"],
    );
    assert_eq!(ran.status.code(), Some(0), "{}", stderr(&ran));
    let page = std::fs::read_to_string(out.join("midtvejsstatus/report.html")).expect("document");
    assert!(
        page.contains(
            "hændelser efter opgørelsesdatoen er ikke medtaget. Opgørelsesdato: 2024-08-15."
        ),
        "the document says later events are not included"
    );
    assert!(
        !page.contains("Afventer") && !page.contains("Fejlet"),
        "every analysis has results"
    );
    for id in crate::pipelines::shipped() {
        let table = std::fs::read_to_string(out.join(&id).join(format!("tables/{id}.csv")))
            .unwrap_or_else(|e| panic!("{id}: {e}"));
        assert!(table.lines().count() > 10, "{id} has results");
    }
}

/// An analysis that fails is named in the midway status as failed, with the reason in words:
/// no file path or English validator text in the document (they are in the manifest and log).
#[test]
fn a_failed_analysis_is_explained_in_words_in_the_document() {
    let dir = tempfile::tempdir().expect("temp");
    let registers = dir.path().join("registers");
    crate::common::copy_folder(crate::common::small_registers(), &registers);
    // The prescriptions broken: the diabetes analysis reads them, the others do not.
    for entry in std::fs::read_dir(&registers).expect("list") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .to_string();
        if name.starts_with("lmdb") {
            std::fs::write(&path, b"not a parquet file").expect("broken");
        }
    }
    let out = dir.path().join("out");
    let ran = run_all_into(&registers, &out, "2024-08-15", &["--report", "midway"]);
    assert_eq!(ran.status.code(), Some(65), "{}", stderr(&ran));
    let page = std::fs::read_to_string(out.join("midtvejsstatus/report.html")).expect("document");
    assert!(page.contains("Fejlet"), "the failed analysis is marked");
    assert!(
        page.contains("Registrene kunne ikke læses eller bestod ikke valideringen"),
        "the reason in words"
    );
    // The provenance appendix lists the files the other analyses read; the broken file, which
    // only the failed analysis reads, and the validator's English message are nowhere.
    assert!(
        !page.contains("lmdb.parquet") && !page.contains("cannot be read"),
        "no path or English message of the failure in the document"
    );
    let manifest =
        std::fs::read_to_string(out.join("midtvejsstatus/manifest.json")).expect("manifest");
    assert!(
        manifest.contains("failed: "),
        "the operator's message is in the manifest"
    );
}
