//! Unattended operation over the real binary: incremental runs, per-analysis failure, killed and
//! concurrent runs, JSON logs and the project configuration.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{sha256_hex, small_registers, stderr, ulighed};

/// A small synthetic register folder in CSV (so a test can edit a file).
fn registers(dir: &Path) -> PathBuf {
    let out = dir.join("registers");
    let made = ulighed(&[
        "synth",
        "--persons",
        "4000",
        "--years",
        "2021-2024",
        "--seed",
        "11",
        "--format",
        "csv",
        "--out",
        out.to_str().expect("utf-8"),
        "--contacts-per-person-year",
        "0.2",
        "--prescriptions-per-person-year",
        "0.2",
    ]);
    assert_eq!(made.status.code(), Some(0), "{}", stderr(&made));
    out
}

/// `run --all` on `registers` into `out` with JSON logs; returns (exit code, events).
fn run_all(registers: &Path, out: &Path, extra: &[&str]) -> (Option<i32>, Vec<serde_json::Value>) {
    let mut args = vec![
        "run",
        "--all",
        "--registers",
        registers.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
        "--as-of",
        "2025-06-30",
        "--log-format",
        "json",
    ];
    args.extend_from_slice(extra);
    let output = ulighed(&args);
    let events = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l:?}: {e}")))
        .collect();
    (output.status.code(), events)
}

/// The analyses with a given event.
fn with_event(events: &[serde_json::Value], kind: &str) -> Vec<String> {
    let mut ids: Vec<String> = events
        .iter()
        .filter(|e| e["event"] == kind)
        .map(|e| e["analysis"].as_str().unwrap_or("").to_string())
        .collect();
    ids.sort();
    ids
}

const ALL: [&str; 5] = [
    "ami_pci_rehab_death",
    "hip_fracture_surgery",
    "multimorbidity_contacts",
    "t2d_sglt2_glp1",
    "youth_depression_anxiety_wait",
];

#[test]
fn an_unchanged_run_is_skipped_and_a_changed_input_reruns_only_its_analyses() {
    let dir = tempfile::tempdir().expect("temp");
    let registers = registers(dir.path());
    let out = dir.path().join("out");
    let (code, events) = run_all(&registers, &out, &[]);
    assert_eq!(code, Some(0), "{events:?}");
    assert_eq!(with_event(&events, "done"), ALL);
    assert!(
        events
            .iter()
            .any(|e| e["event"] == "step" && e["step"] == "patients" && e["rows"].is_u64())
    );
    let manifest = std::fs::read(out.join("t2d_sglt2_glp1/manifest.json")).expect("manifest");

    let (code, events) = run_all(&registers, &out, &[]);
    assert_eq!(code, Some(0));
    assert_eq!(
        with_event(&events, "skip"),
        ALL,
        "nothing changed: {events:?}"
    );
    assert_eq!(
        std::fs::read(out.join("t2d_sglt2_glp1/manifest.json")).expect("manifest"),
        manifest
    );

    // One more prescription: only the diabetes analysis reads the prescription register.
    let lmdb = registers.join("lmdb.csv");
    let text = std::fs::read_to_string(&lmdb).expect("lmdb");
    let first = text.lines().nth(1).expect("a row");
    let person = first.split(',').next().expect("pnr");
    std::fs::write(&lmdb, format!("{text}{person},2024-03-01,N02BE01\n")).expect("edited");
    // The dry run says what would run and why.
    let plan = ulighed(&[
        "plan",
        "--all",
        "--registers",
        registers.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    let plan = String::from_utf8_lossy(&plan.stdout).to_string();
    let status = |id: &str| {
        let start = plan.find(&format!("({id})")).expect("listed");
        plan[start..]
            .lines()
            .find(|l| l.trim_start().starts_with("status:"))
            .expect("status")
            .to_string()
    };
    assert!(
        status("t2d_sglt2_glp1").contains("would run: changed input(s)")
            && status("t2d_sglt2_glp1").contains("lmdb.csv"),
        "{plan}"
    );
    assert!(
        status("hip_fracture_surgery").contains("up to date"),
        "{plan}"
    );

    let (code, events) = run_all(&registers, &out, &[]);
    assert_eq!(code, Some(0), "{events:?}");
    assert_eq!(with_event(&events, "done"), ["t2d_sglt2_glp1"]);
    assert_eq!(with_event(&events, "skip").len(), 4);

    let (_, events) = run_all(&registers, &out, &["--force"]);
    assert_eq!(with_event(&events, "done"), ALL, "--force runs everything");
}

#[test]
fn a_corrupt_input_fails_only_the_analyses_that_read_it() {
    let dir = tempfile::tempdir().expect("temp");
    let registers = registers(dir.path());
    let lmdb = registers.join("lmdb.csv");
    let text = std::fs::read_to_string(&lmdb).expect("lmdb");
    std::fs::write(&lmdb, format!("{text}not,a,valid,row,at,all\n")).expect("corrupted");
    let out = dir.path().join("out");
    let (code, events) = run_all(&registers, &out, &[]);
    assert_eq!(code, Some(65), "bad input data: {events:?}");
    assert_eq!(with_event(&events, "failed"), ["t2d_sglt2_glp1"]);
    assert_eq!(with_event(&events, "done").len(), 4);
    let failure = events
        .iter()
        .find(|e| e["event"] == "failed")
        .expect("failed");
    assert!(
        failure["message"]
            .as_str()
            .unwrap_or("")
            .contains("lmdb.csv"),
        "{failure}"
    );
    assert!(!out.join("t2d_sglt2_glp1").exists());
}

#[test]
fn a_remembered_validation_is_not_reused_once_a_file_changes() {
    let dir = tempfile::tempdir().expect("temp");
    let registers = registers(dir.path());
    let out = dir.path().join("out");
    let (code, events) = run_all(&registers, &out, &[]);
    assert_eq!(code, Some(0), "{events:?}");
    let cache = out.join(".ulighed-cache");
    let remembered = std::fs::read_to_string(cache.join("validations.json")).expect("kept");
    assert!(remembered.contains("files_key"), "{remembered}");
    let fingerprints = std::fs::read_to_string(cache.join("fingerprints.json")).expect("kept");
    assert!(fingerprints.contains("lmdb.csv"), "{fingerprints}");

    // A date that does not exist, in a file validated before: the run must see it.
    let lmdb = registers.join("lmdb.csv");
    let text = std::fs::read_to_string(&lmdb).expect("lmdb");
    let person = text
        .lines()
        .nth(1)
        .expect("a row")
        .split(',')
        .next()
        .expect("pnr");
    std::fs::write(&lmdb, format!("{text}{person},2024-13-45,N02BE01,1\n")).expect("edited");
    let (code, events) = run_all(&registers, &out, &["--force"]);
    assert_eq!(
        code,
        Some(65),
        "the changed file is validated again: {events:?}"
    );
    assert_eq!(with_event(&events, "failed"), ["t2d_sglt2_glp1"]);
    let failure = events
        .iter()
        .find(|e| e["event"] == "failed")
        .expect("failed");
    assert!(
        failure["message"]
            .as_str()
            .unwrap_or("")
            .contains("lmdb.csv"),
        "{failure}"
    );

    // Put right again, the folder is validated afresh and every analysis runs.
    std::fs::write(&lmdb, &text).expect("restored");
    let (code, events) = run_all(&registers, &out, &["--force"]);
    assert_eq!(code, Some(0), "{events:?}");
    assert_eq!(with_event(&events, "done"), ALL);
}

/// Starts `ulighed run` with `args` in the background.
fn spawn(args: &[&str]) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_ulighed"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("started")
}

fn files_under(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(files_under(&path));
        } else {
            files.push((path.clone(), std::fs::read(&path).expect("file")));
        }
    }
    files.sort();
    files
}

/// Asserts that `files` (read from `folder`) are exactly the files its manifest lists, each with
/// the listed SHA-256, plus the manifest itself.
fn assert_whole_output(
    folder: &Path,
    files: &[(PathBuf, Vec<u8>)],
    wait: Duration,
    whole: Duration,
) {
    let manifest: serde_json::Value = serde_json::from_slice(
        &std::fs::read(folder.join("manifest.json")).expect("a committed output has a manifest"),
    )
    .expect("manifest JSON");
    let mut listed: Vec<(PathBuf, String)> = manifest["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| {
            let path = folder.join(f["path"].as_str().expect("path"));
            (path, f["sha256"].as_str().expect("sha256").to_string())
        })
        .collect();
    listed.push((folder.join("manifest.json"), String::new()));
    listed.sort();
    let found: Vec<(PathBuf, String)> = files
        .iter()
        .map(|(path, bytes)| {
            let hash = if path.ends_with("manifest.json") {
                String::new()
            } else {
                sha256_hex(bytes)
            };
            (path.clone(), hash)
        })
        .collect();
    assert_eq!(
        found, listed,
        "a run killed after {wait:?} of a {whole:?} run left a mixed output"
    );
}

#[test]
fn a_killed_run_leaves_the_previous_outputs_and_the_next_run_cleans_up() {
    let dir = tempfile::tempdir().expect("temp");
    let out = dir.path().join("out");
    let registers = small_registers().to_str().expect("utf-8");
    let args = [
        "run",
        "pipelines/t2d_sglt2_glp1.toml",
        "--registers",
        registers,
        "--out",
        out.to_str().expect("utf-8"),
        "--as-of",
        "2025-06-30",
    ];
    let first = ulighed(&args);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    // How long a forced run takes once the inputs' fingerprints and validation are kept: the
    // kills below fall inside it, from its start to near its end.
    let started = Instant::now();
    let timed = ulighed(&[&args[..], &["--force"]].concat());
    assert_eq!(timed.status.code(), Some(0), "{}", stderr(&timed));
    let whole = started.elapsed();
    let mut before = files_under(&out.join("t2d_sglt2_glp1"));
    let mut killed_mid_run = 0;
    // The last kill comes after the run's end, so the check of a committed output runs too.
    for share in [0.05, 0.25, 0.5, 0.7, 2.0] {
        let wait = whole.mul_f64(share);
        let mut child = spawn(&[&args[..], &["--force"]].concat());
        std::thread::sleep(wait);
        child.kill().expect("SIGKILL");
        let status = child.wait().expect("waited");
        let after = files_under(&out.join("t2d_sglt2_glp1"));
        if after == before {
            killed_mid_run += usize::from(status.code().is_none());
            continue;
        }
        // A run can be quicker than the timed one and commit before the kill lands: then the
        // folder must be that run's whole output (the manifest's step times make it differ),
        // never a mix. Every file is the manifest's, with the manifest's hash.
        assert_whole_output(&out.join("t2d_sglt2_glp1"), &after, wait, whole);
        before = after;
    }
    assert!(
        killed_mid_run > 0,
        "no kill landed inside a run of {whole:?}, so nothing was tested"
    );
    let next = ulighed(&[&args[..], &["--force"]].concat());
    assert_eq!(
        next.status.code(),
        Some(0),
        "a stale lock is cleared: {}",
        stderr(&next)
    );
    let leftovers: Vec<String> = std::fs::read_dir(&out)
        .expect("out")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        // The run cache and the release ledger stay beside the outputs.
        .filter(|name| name != ".ulighed-cache" && name != ".ulighed-ledger")
        .collect();
    assert_eq!(
        leftovers,
        ["t2d_sglt2_glp1"],
        "no staging folder or lock left"
    );
}

#[test]
fn a_second_run_on_the_same_output_refuses_naming_the_holder() {
    let dir = tempfile::tempdir().expect("temp");
    let out = dir.path().join("out");
    let out_arg = out.to_str().expect("utf-8");
    let registers = small_registers().to_str().expect("utf-8");
    let mut first = spawn(&[
        "run",
        "--all",
        "--registers",
        registers,
        "--out",
        out_arg,
        "--as-of",
        "2025-06-30",
    ]);
    let lock = out.join(".ulighed.lock");
    let started = Instant::now();
    while !lock.exists() && started.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(lock.exists(), "the first run holds the lock");
    let second = ulighed(&[
        "run",
        "pipelines/hip_fracture_surgery.toml",
        "--registers",
        registers,
        "--out",
        out_arg,
        "--as-of",
        "2025-06-30",
    ]);
    assert_eq!(second.status.code(), Some(75), "{}", stderr(&second));
    let message = stderr(&second);
    assert!(
        message.contains("another ulighed run") && message.contains(&first.id().to_string()),
        "{message}"
    );
    assert_eq!(first.wait().expect("first").code(), Some(0));
    assert!(!lock.exists(), "released");
}

#[test]
fn settings_come_from_flags_over_environment_over_the_project_file() {
    let dir = tempfile::tempdir().expect("temp");
    let config = dir.path().join("ulighed.toml");
    std::fs::write(
        &config,
        format!(
            "out = {:?}\nlang = \"en\"\nas_of = \"2025-06-30\"\n",
            dir.path().join("from-file")
        ),
    )
    .expect("config");
    let run = |env: Option<(&str, PathBuf)>, extra: &[&str]| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_ulighed"));
        command
            .args([
                "run",
                "pipelines/hip_fracture_surgery.toml",
                "--config",
                config.to_str().expect("utf-8"),
            ])
            .args(["--registers", small_registers().to_str().expect("utf-8")])
            .args(extra)
            .current_dir(env!("CARGO_MANIFEST_DIR"));
        if let Some((key, value)) = env {
            command.env(key, value);
        }
        let output = command.output().expect("ran");
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    run(None, &[]);
    let html = std::fs::read_to_string(
        dir.path()
            .join("from-file/hip_fracture_surgery/report.html"),
    )
    .expect("report");
    assert!(html.contains("<html lang=\"en\">"), "lang from the file");
    run(Some(("ULIGHED_OUT", dir.path().join("from-env"))), &[]);
    assert!(
        dir.path()
            .join("from-env/hip_fracture_surgery/report.html")
            .exists()
    );
    let flag = dir.path().join("from-flag");
    run(
        Some(("ULIGHED_OUT", dir.path().join("from-env-2"))),
        &["--out", flag.to_str().expect("utf-8")],
    );
    assert!(flag.join("hip_fracture_surgery/report.html").exists());
    assert!(!dir.path().join("from-env-2").exists());

    std::fs::write(&config, "colour = \"red\"\n").expect("config");
    let output = ulighed(&["run", "--config", config.to_str().expect("utf-8")]);
    assert_eq!(output.status.code(), Some(78));
    assert!(stderr(&output).contains("ulighed.toml"));
}
