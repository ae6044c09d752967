//! `ulighed convert` on a folder as the research servers deliver it (SAS7BDAT files under the
//! research names, a CSV and a Parquet file): the copy validates, reruns convert only what
//! changed, and an analysis gives the same tables from the delivered folder and from the copy.

use std::path::Path;

use crate::common::{copy_folder, root, stderr, ulighed};

fn delivered() -> std::path::PathBuf {
    root().join("tests/data/sas-registers")
}

fn convert(src: &Path, dest: &Path) -> std::process::Output {
    ulighed(&[
        "convert",
        src.to_str().expect("utf-8"),
        dest.to_str().expect("utf-8"),
        "--as-of",
        "2025-06-30",
    ])
}

fn validate(dir: &Path) -> std::process::Output {
    ulighed(&[
        "validate",
        dir.to_str().expect("utf-8"),
        "--as-of",
        "2025-06-30",
    ])
}

/// The diabetes analysis of 2024 on a registers folder: its tidy table.
fn t2d_table(registers: &Path) -> String {
    let out = tempfile::tempdir().expect("temp");
    let run = ulighed(&[
        "run",
        "pipelines/t2d_sglt2_glp1.toml",
        "--registers",
        registers.to_str().expect("utf-8"),
        "--out",
        out.path().to_str().expect("utf-8"),
        "--as-of",
        "2025-06-30",
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    std::fs::read_to_string(out.path().join("t2d_sglt2_glp1/tables/t2d_sglt2_glp1.csv"))
        .expect("tidy table")
}

#[test]
fn a_delivered_folder_converts_to_parquet_that_validates_and_gives_the_same_tables() {
    let tmp = tempfile::tempdir().expect("temp");
    let src = tmp.path().join("delivered");
    let dest = tmp.path().join("parquet");
    copy_folder(&delivered(), &src);

    let checked = validate(&src);
    assert_eq!(checked.status.code(), Some(0), "{}", stderr(&checked));

    let first = convert(&src, &dest);
    let summary = String::from_utf8_lossy(&first.stdout).to_string();
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    assert!(summary.contains("17 converted, 0 unchanged"), "{summary}");
    for name in [
        "bef2024.parquet",
        "lpr_f_kontakter.parquet",
        "lmdb.parquet",
        "dod.parquet",
    ] {
        assert!(dest.join(name).exists(), "{name} written");
    }
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dest.join("convert-manifest.json")).expect("manifest"),
    )
    .expect("manifest is JSON");
    let files = manifest["files"].as_array().expect("files");
    assert_eq!(files.len(), 17);
    let ind = files
        .iter()
        .find(|f| f["source"] == "ind2024.sas7bdat")
        .expect("ind2024 in the manifest");
    assert_eq!(ind["source_sha256"].as_str().map(str::len), Some(64));
    assert!(
        ind["columns"]
            .as_array()
            .expect("columns")
            .iter()
            .any(|c| c == "FAMAEKVIVADISP"),
        "the alias FAMAEKVIVADISP_13 is normalised: {ind}"
    );

    let copy_checked = validate(&dest);
    assert_eq!(
        copy_checked.status.code(),
        Some(0),
        "{}",
        stderr(&copy_checked)
    );
    let text = String::from_utf8_lossy(&copy_checked.stdout).to_string();
    assert!(text.contains("0 error(s)"), "{text}");

    let from_sas = t2d_table(&src);
    assert!(from_sas.lines().count() > 20, "{from_sas}");
    assert_eq!(
        from_sas,
        t2d_table(&dest),
        "the SAS folder and its Parquet copy agree"
    );

    // Only what changed is converted again.
    let again = convert(&src, &dest);
    let summary = String::from_utf8_lossy(&again.stdout).to_string();
    assert!(summary.contains("0 converted, 17 unchanged"), "{summary}");
    let mut lmdb = std::fs::read_to_string(src.join("lmdb.csv")).expect("lmdb");
    let last = lmdb.lines().last().expect("a row").to_string();
    lmdb.push_str(&last);
    lmdb.push('\n');
    std::fs::write(src.join("lmdb.csv"), lmdb).expect("lmdb changed");
    std::fs::remove_file(src.join("dod.parquet")).expect("dod removed");
    let changed = convert(&src, &dest);
    let summary = String::from_utf8_lossy(&changed.stdout).to_string();
    assert!(
        summary.contains("1 converted, 15 unchanged, 1 removed"),
        "{summary}"
    );
    assert!(!dest.join("dod.parquet").exists());
}

#[test]
fn a_broken_sas_file_stops_the_conversion_naming_it_and_writes_no_copy_of_it() {
    let tmp = tempfile::tempdir().expect("temp");
    let src = tmp.path().join("delivered");
    let dest = tmp.path().join("parquet");
    copy_folder(&delivered(), &src);
    std::fs::copy(
        root().join("tests/data/sas/pandas/corrupt.sas7bdat"),
        src.join("bef2021.sas7bdat"),
    )
    .expect("broken file in place");
    let output = convert(&src, &dest);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(65), "{err}");
    assert!(err.contains("bef2021.sas7bdat"), "{err}");
    assert!(err.contains("cannot be read as a SAS data set"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(!dest.join("bef2021.parquet").exists());
    let leftovers: Vec<_> = std::fs::read_dir(&dest)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().to_string())
                .filter(|n| n.contains(".tmp-"))
                .collect()
        })
        .unwrap_or_default();
    assert!(leftovers.is_empty(), "no partial files: {leftovers:?}");
}
