//! The patient register's data models: the same synthetic persons written in the contract's
//! layout (LPR3 "F"), with LPR2 before the 2019 change-over, and with the LPR3 "A" model, give
//! the same tables for analyses whose windows span the change-over.

use std::path::{Path, PathBuf};

use crate::common::{stderr, ulighed};

/// Writes the persons of seed 3 (2017-2021) in `model`'s layout.
fn synth(dir: &Path, model: &str) {
    let made = ulighed(&[
        "synth",
        "--persons",
        "12000",
        "--years",
        "2017-2021",
        "--seed",
        "3",
        "--out",
        dir.to_str().expect("utf-8"),
        "--contacts-per-person-year",
        "0.5",
        "--prescriptions-per-person-year",
        "0.5",
        "--lpr-model",
        model,
    ]);
    assert_eq!(made.status.code(), Some(0), "{}", stderr(&made));
}

/// A shipped spec moved to dates around the change-over.
fn spec_across_change_over(dir: &Path, name: &str, edits: &[(&str, &str)]) -> PathBuf {
    let mut text = crate::common::shipped_spec(name);
    for (from, to) in edits {
        assert!(text.contains(from), "{name} has {from}");
        text = text.replace(from, to);
    }
    let path = dir.join(name);
    std::fs::write(&path, text).expect("spec written");
    path
}

/// The tidy table an analysis writes.
fn table(spec: &Path, id: &str, registers: &Path) -> String {
    let out = tempfile::tempdir().expect("temp");
    let run = ulighed(&[
        "run",
        spec.to_str().expect("utf-8"),
        "--registers",
        registers.to_str().expect("utf-8"),
        "--out",
        out.path().to_str().expect("utf-8"),
        "--as-of",
        "2022-06-30",
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    std::fs::read_to_string(out.path().join(id).join("tables").join(format!("{id}.csv")))
        .expect("tidy table")
}

/// The largest denominator of a proportion in a tidy table (0 when nothing was released).
fn largest_group(table: &str) -> u64 {
    let mut lines = table.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let at = |name: &str| header.iter().position(|h| *h == name).expect(name);
    let (measure, denominator) = (at("measure"), at("denominator"));
    lines
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|f| f[measure] == "proportion")
        .filter_map(|f| f[denominator].parse().ok())
        .max()
        .unwrap_or(0)
}

#[test]
fn lpr2_and_lpr3a_layouts_give_the_contract_layouts_tables() {
    let tmp = tempfile::tempdir().expect("temp");
    let folders: Vec<PathBuf> = ["f", "lpr2", "lpr3a"]
        .iter()
        .map(|model| {
            let dir = tmp.path().join(model);
            synth(&dir, model);
            dir
        })
        .collect();
    assert!(folders[1].join("lpr_adm.parquet").exists());
    assert!(folders[2].join("lpr_a_kontakt.parquet").exists());
    assert!(!folders[2].join("lpr_kontakter.parquet").exists());

    let specs = [
        (
            "t2d_sglt2_glp1",
            spec_across_change_over(
                tmp.path(),
                "t2d_sglt2_glp1.toml",
                &[
                    ("index_date = \"2024-01-01\"", "index_date = \"2020-01-01\""),
                    ("first_year = 2023", "first_year = 2019"),
                    ("last_year = 2024", "last_year = 2020"),
                ],
            ),
        ),
        (
            "hip_fracture_surgery",
            spec_across_change_over(
                tmp.path(),
                "hip_fracture_surgery.toml",
                // LPR2 has no times of procedures: across the change-over, surgery is counted
                // in days (an analysis in hours stops on LPR2's years, as documented).
                &[
                    (
                        "[\"2021-01-01\", \"2024-12-29\"]",
                        "[\"2018-01-01\", \"2020-12-29\"]",
                    ),
                    ("window_hours = [0, 24]\n", ""),
                    ("window_hours = [0, 48]\n", ""),
                ],
            ),
        ),
        (
            "multimorbidity_contacts",
            spec_across_change_over(
                tmp.path(),
                "multimorbidity_contacts.toml",
                &[("index_date = \"2023-01-01\"", "index_date = \"2020-01-01\"")],
            ),
        ),
    ];
    for (id, spec) in &specs {
        let contract = table(spec, id, &folders[0]);
        assert!(
            largest_group(&contract) >= 20,
            "{id}: the analysis finds patients"
        );
        for (model, folder) in ["lpr2", "lpr3a"].iter().zip(&folders[1..]) {
            let other = table(spec, id, folder);
            assert!(
                contract == other,
                "{id}: the {model} layout gives other numbers than the contract layout"
            );
        }
    }
}
