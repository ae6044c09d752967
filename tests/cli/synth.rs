//! `ulighed synth` is deterministic: the same seed gives the same bytes.

use std::collections::BTreeMap;
use std::path::Path;

use sha2::Digest;

use crate::common::{stderr, ulighed};

fn fingerprints(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| {
            let path = e.expect("entry").path();
            let bytes = std::fs::read(&path).expect("file");
            (
                path.file_name()
                    .expect("name")
                    .to_string_lossy()
                    .to_string(),
                sha2::Sha256::digest(bytes).to_vec(),
            )
        })
        .collect()
}

fn synth(dir: &Path, seed: &str, format: &str) {
    let out = ulighed(&[
        "synth",
        "--persons",
        "3000",
        "--years",
        "2022-2024",
        "--seed",
        seed,
        "--format",
        format,
        "--out",
        dir.to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let (a, b, c) = (
        tempfile::tempdir().expect("t"),
        tempfile::tempdir().expect("t"),
        tempfile::tempdir().expect("t"),
    );
    synth(a.path(), "11", "parquet");
    synth(b.path(), "11", "parquet");
    synth(c.path(), "12", "parquet");
    let (fa, fb, fc) = (
        fingerprints(a.path()),
        fingerprints(b.path()),
        fingerprints(c.path()),
    );
    assert_eq!(
        fa.len(),
        4 * 3 + 6 + 4,
        "bef/udda/akm/ind x 3 years, 6 event registers (migrations among them), truth and three tables: {:?}",
        fa.keys()
    );
    assert_eq!(fa, fb);
    assert_ne!(fa["lpr_kontakter.parquet"], fc["lpr_kontakter.parquet"]);
}

#[test]
fn csv_output_validates_against_the_contract() {
    let dir = tempfile::tempdir().expect("t");
    synth(dir.path(), "5", "csv");
    let out = ulighed(&[
        "validate",
        dir.path().to_str().expect("utf-8"),
        "--as-of",
        "2025-01-01",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        stderr(&out)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("0 error(s)"), "{text}");
    // The population is open, as the real registers are: the events of persons born or
    // immigrated during the last year are in no population year, a warning and nothing else.
    for line in text.lines().filter(|l| l.starts_with("warning:")) {
        assert!(line.contains("rule key_pnr"), "{line}");
    }
}
