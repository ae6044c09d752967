//! Helpers: run the real binary, build small register folders.

use std::path::{Path, PathBuf};
use std::process::Output;

/// Runs `ulighed` with arguments from the crate root.
pub fn ulighed(args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_ulighed"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs")
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).to_string()
}

/// Lower-case hex SHA-256 of bytes, computed here (not by the crate) to check the hashes a
/// manifest lists.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A minimal valid register folder in CSV, written by hand so each validation test can break
/// exactly one thing. Includes a `;`-separated file, lower-case column names and an alias.
pub const VALID: [(&str, &str); 8] = [
    (
        "bef2024.csv",
        "PNR,FOED_DAG,KOEN,KOM,IE_TYPE\n0001,1960-05-01,1,101,1\n0002,1970-01-01,2,0751,2\n",
    ),
    ("udda2024.csv", "PNR,HFAUDD\n0001,1010\n0002,5166\n"),
    (
        "ind2024.csv",
        "PNR;FAMAEKVIVADISP_13\n0001;250000.5\n0002;300000\n",
    ),
    (
        "lpr_kontakter.csv",
        "DW_EK_KONTAKT,PNR,DATO_START,DATO_SLUT,KONTAKTTYPE,SORENHED_ANS,AKTIONSDIAGNOSE,PRIORITET,TIDSPUNKT_START,TIDSPUNKT_SLUT\n1,0001,2023-03-01,2023-03-02,ALCA00,6101010,DE119,ATA1,08:30,14:05:59\n2,0002,2023-05-01,2023-05-01,ALCA00,6201010,DJ449,ATA3,10:00,11:15\n",
    ),
    (
        "lpr_diagnoser.csv",
        "DW_EK_KONTAKT,DIAGNOSEKODE,DIAGNOSETYPE\n1,DE119,A\n2,DJ449,A\n",
    ),
    (
        "lpr_procedurer.csv",
        "DW_EK_KONTAKT,PROCEDUREKODE,DATO_START,TIDSPUNKT_START\n1,KFNG05,2023-03-01,23:59\n",
    ),
    ("lmdb.csv", "pnr,eksd,atc\n0001,2023-04-01,A10BK01\n"),
    ("dod.csv", "PNR,D_DODSDTO\n0002,2024-06-01\n"),
];

/// Writes the valid folder with `file`'s text changed by replacing `from` with `to`.
pub fn registers_with(dir: &Path, file: &str, from: &str, to: &str) {
    std::fs::create_dir_all(dir).expect("temp folder");
    for (name, text) in VALID {
        let text = if name == file {
            assert!(text.contains(from), "{from:?} is in {name}");
            text.replacen(from, to, 1)
        } else {
            text.to_string()
        };
        std::fs::write(dir.join(name), text).expect("fixture written");
    }
}

/// A synthetic register folder of 12,000 persons (2021-2024, seed 5), made once per test run
/// beside the test build, for tests that run whole analyses but need not read data-samples/
/// (which is large enough to be slow in a debug build).
pub fn small_registers() -> &'static Path {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("small-registers");
        let _ = std::fs::remove_dir_all(&dir);
        let made = ulighed(&[
            "synth",
            "--persons",
            "12000",
            "--years",
            "2021-2024",
            "--seed",
            "5",
            "--out",
            dir.to_str().expect("utf-8"),
            "--contacts-per-person-year",
            "0.2",
            "--prescriptions-per-person-year",
            "0.2",
        ]);
        assert_eq!(made.status.code(), Some(0), "{}", stderr(&made));
        dir
    })
}

/// Copies the files of the folder `from` (not its subfolders) into `to`.
pub fn copy_folder(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("folder");
    for entry in std::fs::read_dir(from).expect("folder") {
        let path = entry.expect("entry").path();
        if path.is_file() {
            std::fs::copy(&path, to.join(path.file_name().expect("name"))).expect("copied");
        }
    }
}

/// `ulighed run SPEC` on `registers` into `out` at `as_of`.
pub fn run_spec(spec: &str, registers: &Path, out: &Path, as_of: &str) -> Output {
    ulighed(&[
        "run",
        spec,
        "--registers",
        registers.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
        "--as-of",
        as_of,
    ])
}

/// The text of the shipped spec `pipelines/<name>`, its tables in `data-samples/` named by
/// absolute path, so the spec runs from any folder (the hip-fracture spec's hospitals table).
pub fn shipped_spec(name: &str) -> String {
    let text = std::fs::read_to_string(root().join("pipelines").join(name)).expect("shipped spec");
    let samples = root().join("data-samples");
    text.replace("\"../data-samples/", &format!("\"{}/", samples.display()))
}

/// Copies shipped specs (`pipelines/<id>.toml`; every one when `ids` is empty) into `dir`.
pub fn copy_specs(dir: &Path, ids: &[&str]) {
    std::fs::create_dir_all(dir).expect("specs folder");
    for entry in std::fs::read_dir(root().join("pipelines")).expect("pipelines") {
        let path = entry.expect("entry").path();
        let id = path.file_stem().map(|s| s.to_string_lossy().to_string());
        let wanted = ids.is_empty() || id.as_deref().is_some_and(|id| ids.contains(&id));
        if wanted && path.extension().is_some_and(|e| e == "toml") {
            let name = path.file_name().expect("name");
            std::fs::write(dir.join(name), shipped_spec(&name.to_string_lossy())).expect("copied");
        }
    }
}

/// `ulighed run --all` of the specs in `pipelines` on `registers` into `out` at `as_of`, with
/// `extra` arguments; fails the test unless it exits 0.
pub fn run_all(pipelines: &Path, registers: &Path, out: &Path, as_of: &str, extra: &[&str]) {
    let mut args = vec![
        "run",
        "--all",
        "--pipelines",
        pipelines.to_str().expect("utf-8"),
        "--registers",
        registers.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
        "--as-of",
        as_of,
    ];
    args.extend_from_slice(extra);
    let run = ulighed(&args);
    assert_eq!(run.status.code(), Some(0), "{args:?}: {}", stderr(&run));
}
