//! The disclosure options of `ulighed run`: a per-run threshold, rounding to base 5 and internal
//! runs marked NOT FOR RELEASE on every file.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::common::{root, small_registers, stderr, ulighed};
use crate::table::Table;

const MARK: &str = "IKKE TIL OFFENTLIGGØRELSE / NOT FOR RELEASE";

/// Runs a spec on the shared small register folder.
fn run(spec: &str, extra: &[&str], out: &Path) -> std::process::Output {
    let registers = small_registers().to_str().expect("utf-8");
    let mut args = vec![
        "run",
        spec,
        "--registers",
        registers,
        "--out",
        out.to_str().expect("utf-8"),
        "--as-of",
        "2025-06-30",
    ];
    args.extend_from_slice(extra);
    ulighed(&args)
}

fn csv(path: PathBuf) -> Table {
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    Table::from_text(&text)
}

/// Every (numerator, denominator) printed in a table.
fn counts(t: &Table) -> Vec<(f64, f64)> {
    (0..t.len())
        .filter_map(|r| Some((t.opt(r, "numerator")?, t.opt(r, "denominator")?)))
        .collect()
}

#[test]
fn an_internal_run_suppresses_nothing_and_marks_every_file() {
    let out = tempfile::tempdir().expect("temp");
    let result = run(
        "pipelines/hip_fracture_surgery.toml",
        &["--internal"],
        out.path(),
    );
    assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
    let folder = out.path().join("hip_fracture_surgery-internal");
    assert!(
        !out.path().join("hip_fracture_surgery").exists(),
        "never in the release folder"
    );
    let text =
        std::fs::read_to_string(folder.join("tables/hip_fracture_surgery.csv")).expect("csv");
    assert!(
        text.starts_with(&format!("# {MARK}")),
        "the CSV's first line"
    );
    let t = Table::from_text(text.split_once('\n').expect("lines").1);
    assert!((0..t.len()).all(|r| t.str(r, "suppressed") == "false"));
    assert!(
        counts(&t).iter().any(|&(_, d)| d > 0.0 && d < 5.0),
        "small counts are shown internally"
    );
    let html = std::fs::read_to_string(folder.join("report.html")).expect("report");
    assert!(html.contains(&format!("<title>{MARK}")) && html.contains("class=\"internal\""));
    for entry in std::fs::read_dir(folder.join("figures")).expect("figures") {
        let svg = std::fs::read_to_string(entry.expect("entry").path()).expect("svg");
        assert!(svg.contains(MARK), "every figure is marked");
    }
    let manifest = std::fs::read_to_string(folder.join("manifest.json")).expect("manifest");
    assert!(manifest.contains(&format!("\"release\": \"{MARK}\"")));
}

#[test]
fn a_run_threshold_below_3_is_refused_and_a_higher_one_applies() {
    let out = tempfile::tempdir().expect("temp");
    let refused = run(
        "pipelines/t2d_sglt2_glp1.toml",
        &["--threshold", "2"],
        out.path(),
    );
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("--threshold 2") && stderr(&refused).contains("at least 3"));
    assert!(!out.path().join("t2d_sglt2_glp1").exists());

    let result = run(
        "pipelines/t2d_sglt2_glp1.toml",
        &["--threshold", "20"],
        out.path(),
    );
    assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
    let t = csv(out.path().join("t2d_sglt2_glp1/tables/t2d_sglt2_glp1.csv"));
    let shown = counts(&t);
    assert!(!shown.is_empty());
    for (n, d) in shown {
        // An empty level (listed so that its absence tells nothing) describes nobody.
        assert!(
            d == 0.0 || (d >= 20.0 && n >= 20.0 && d - n >= 20.0),
            "{n} of {d} under threshold 20"
        );
    }
}

#[test]
fn rounding_to_base_5_rounds_every_released_count_and_the_shares_follow() {
    let dir = tempfile::tempdir().expect("temp");
    let text = std::fs::read_to_string(root().join("pipelines/t2d_sglt2_glp1.toml")).expect("spec");
    let spec = dir.path().join("t2d.toml");
    // The registers come from --registers (the small folder).
    let text = text.replacen("threshold = 5", "threshold = 5\nround_to = 5", 1);
    std::fs::write(&spec, text).expect("spec");
    let out = dir.path().join("out");
    let result = run(spec.to_str().expect("utf-8"), &[], &out);
    assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
    let t = csv(out.join("t2d_sglt2_glp1/tables/t2d_sglt2_glp1.csv"));
    let mut checked = 0;
    for r in (0..t.len()).filter(|&r| t.str(r, "measure") == "proportion") {
        for column in ["numerator", "denominator"] {
            if let Some(v) = t.opt(r, column) {
                assert_eq!(v % 5.0, 0.0, "row {}: {column} {v}", r + 2);
            }
        }
        if let (Some(n), Some(d), Some(value)) = (
            t.opt(r, "numerator"),
            t.opt(r, "denominator"),
            t.opt(r, "value"),
        ) {
            assert!(
                (value - 100.0 * n / d).abs() < 1e-3,
                "row {}: the share is of the rounded counts",
                r + 2
            );
            checked += 1;
        }
    }
    assert!(checked > 10);
    // Every difference is the difference of the shares of the rounded counts, and nothing that
    // needs the exact counts (a standardised share) is printed.
    let share = |sub: &str, year: &str, dimension: &str, group: &str| {
        (0..t.len())
            .find(|&r| {
                t.str(r, "measure") == "proportion"
                    && t.str(r, "subanalysis") == sub
                    && t.str(r, "year") == year
                    && t.str(r, "dimension") == dimension
                    && t.str(r, "group") == group
            })
            .and_then(|r| Some(100.0 * t.opt(r, "numerator")? / t.opt(r, "denominator")?))
    };
    let mut differences = 0;
    for r in (0..t.len()).filter(|&r| t.str(r, "measure") == "difference") {
        let Some(value) = t.opt(r, "value") else {
            continue;
        };
        let reference = t.str(r, "note").trim_start_matches("reference: ");
        let (sub, year, dimension) = (
            t.str(r, "subanalysis"),
            t.str(r, "year"),
            t.str(r, "dimension"),
        );
        let level = share(sub, year, dimension, t.str(r, "group")).expect("the level's counts");
        let base = share(sub, year, dimension, reference).expect("the reference's counts");
        assert!(
            (value - (level - base)).abs() < 1e-3,
            "row {}: {value} is not {level} - {base}",
            r + 2
        );
        differences += 1;
    }
    assert!(differences > 5, "{differences} differences checked");
    assert!(
        (0..t.len())
            .filter(|&r| t.str(r, "measure") == "proportion_age_sex_std")
            .all(|r| t.opt(r, "value").is_none()),
        "no standardised share under rounding"
    );
}

/// (year, dimension) -> (sub-analysis, outcome) -> the levels listed.
type Listed = BTreeMap<(String, String), BTreeMap<(String, String), BTreeSet<String>>>;

/// L3: which levels a table lists tells nothing. Every table of a stratifier in a year (each
/// outcome, the survivors-only rehabilitation among them, and each sub-analysis) lists the same
/// levels, empty or hidden ones included; before, a level listed for PCI but absent from
/// rehabilitation told that everyone in it died within 30 days.
#[test]
fn l3_every_table_of_a_stratifier_lists_the_same_levels() {
    let out = tempfile::tempdir().expect("temp");
    let result = run("pipelines/ami_pci_rehab_death.toml", &[], out.path());
    assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
    let t = csv(out
        .path()
        .join("ami_pci_rehab_death/tables/ami_pci_rehab_death.csv"));
    let mut listed = Listed::new();
    for r in t.where_eq("measure", "proportion") {
        listed
            .entry((
                t.str(r, "year").to_string(),
                t.str(r, "dimension").to_string(),
            ))
            .or_default()
            .entry((
                t.str(r, "subanalysis").to_string(),
                t.str(r, "outcome").to_string(),
            ))
            .or_default()
            .insert(t.str(r, "group").to_string());
    }
    assert!(listed.len() >= 5, "the stratifiers: {:?}", listed.keys());
    for ((year, dimension), tables) in &listed {
        assert!(
            tables.len() >= 6,
            "{year} {dimension}: 3 outcomes x 2 populations"
        );
        let first = tables.values().next().expect("a table");
        for (table, levels) in tables {
            assert_eq!(levels, first, "{year} {dimension} {table:?}");
        }
    }
}
