//! Every shipped pipeline on data-samples/ (run once with `run --all`): the tables' shape, the
//! recovery of the inequalities `synth` injected (truth.json), and the parts particular to each
//! analysis (trend, sub-analyses, waiting times, funnel limits, multimorbidity levels).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::common::{root, sha256_hex, stderr, ulighed};
use crate::table::Table;

/// The output root of one `run --all` over pipelines/, shared by the tests of this module.
pub(crate) fn all_outputs() -> &'static Path {
    static OUT: OnceLock<PathBuf> = OnceLock::new();
    OUT.get_or_init(|| {
        let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("pipelines-all");
        let _ = std::fs::remove_dir_all(&out);
        let result = ulighed(&[
            "run",
            "--all",
            "--out",
            out.to_str().expect("utf-8"),
            "--as-of",
            "2025-06-30",
        ]);
        assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
        out
    })
}

/// The shipped specs' ids.
pub(crate) fn shipped() -> Vec<String> {
    let mut ids: Vec<String> = std::fs::read_dir(root().join("pipelines"))
        .expect("pipelines/")
        .filter_map(|e| {
            let name = e.ok()?.file_name().to_string_lossy().to_string();
            name.strip_suffix(".toml").map(str::to_string)
        })
        .collect();
    ids.sort();
    ids
}

fn table(id: &str) -> Table {
    let path = all_outputs()
        .join(id)
        .join("tables")
        .join(format!("{id}.csv"));
    Table::from_text(&std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}")))
}

/// Row indices of the main analysis's rows in its last year.
fn rows<'a>(
    t: &'a Table,
    outcome: &'a str,
    measure: &'a str,
    dimension: &'a str,
) -> impl Iterator<Item = usize> + 'a {
    let last_year = (0..t.len())
        .map(|r| t.num(r, "year") as i32)
        .max()
        .unwrap_or(0);
    (0..t.len()).filter(move |&r| {
        t.str(r, "outcome") == outcome
            && t.str(r, "subanalysis").is_empty()
            && t.num(r, "year") as i32 == last_year
            && t.str(r, "measure") == measure
            && t.str(r, "dimension") == dimension
    })
}

fn truth() -> serde_json::Value {
    serde_json::from_str(
        &std::fs::read_to_string(root().join("data-samples/truth.json")).expect("truth"),
    )
    .expect("json")
}

#[test]
fn every_shipped_pipeline_writes_its_tables_report_figures_and_manifest() {
    let ids = shipped();
    assert_eq!(ids.len(), 5, "five analyses are shipped: {ids:?}");
    for id in ids {
        let folder = all_outputs().join(&id);
        let csv = std::fs::read_to_string(folder.join(format!("tables/{id}.csv"))).expect("table");
        assert!(csv.starts_with("analysis,outcome,subanalysis,year,period_start,period_end,measure,dimension,group,value,lower,upper,numerator,denominator,method,suppressed,status,note\n"));
        let spec: toml::Value = toml::from_str(
            &std::fs::read_to_string(root().join(format!("pipelines/{id}.toml"))).expect("spec"),
        )
        .expect("toml");
        let t = table(&id);
        let outcomes = spec["outcomes"].as_array().expect("outcomes");
        for outcome in outcomes {
            let o = outcome["id"].as_str().expect("id");
            for s in spec["stratifiers"].as_array().expect("stratifiers") {
                let dimension = s.as_str().expect("stratifier");
                let groups: Vec<String> = rows(&t, o, "proportion", dimension)
                    .map(|r| t.str(r, "group").to_string())
                    .collect();
                assert!(
                    groups.len() >= 3,
                    "{id}/{o}/{dimension}: levels and total: {groups:?}"
                );
                assert_eq!(
                    groups.last().map(String::as_str),
                    Some("i alt"),
                    "{id}/{o}/{dimension}: total last"
                );
            }
            assert!(
                folder
                    .join(format!(
                        "figures/{id}_{o}_{}.svg",
                        spec["stratifiers"][0].as_str().unwrap_or("")
                    ))
                    .exists()
                    || std::fs::read_dir(folder.join("figures"))
                        .expect("figures")
                        .count()
                        >= outcomes.len(),
                "{id}: a figure per outcome"
            );
        }
        let manifest: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(folder.join("manifest.json")).expect("manifest"),
        )
        .expect("json");
        let files = manifest["files"].as_array().expect("files");
        assert!(files.len() >= 3, "{id}: {files:?}");
        for f in files {
            let bytes = std::fs::read(folder.join(f["path"].as_str().expect("path")))
                .expect("listed file exists");
            let hash = sha256_hex(&bytes);
            assert_eq!(f["sha256"].as_str(), Some(hash.as_str()), "{id}: {f}");
        }
        let html = std::fs::read_to_string(folder.join("report.html")).expect("report");
        assert!(
            html.contains("<svg") && html.contains("Tabel 1."),
            "{id}: report"
        );
    }
}

/// (pipeline, outcome, truth.json offer) pairs whose patient group and outcome window match the
/// offer's definition in `synth`, so the offer's marginal probabilities are the truth.
const TRUTH_PAIRS: [(&str, &str, &str); 6] = [
    ("t2d_sglt2_glp1", "sglt2_glp1", "t2d_sglt2_glp1"),
    ("ami_pci_rehab_death", "pci", "ami_pci"),
    ("ami_pci_rehab_death", "rehab", "ami_rehab"),
    ("ami_pci_rehab_death", "death30", "ami_death30"),
    ("hip_fracture_surgery", "surgery_24h", "hip_surgery_24h"),
    (
        "youth_depression_anxiety_wait",
        "outpatient_30d",
        "youth_psych_30d",
    ),
];

/// Strata with at least this many patients in truth.json are "large".
const LARGE: u64 = 300;

/// The diabetes offer is left out of the interval check: its truth is the mean over every
/// patient of the four years, while the analysis is of those alive and diagnosed on its index
/// date, a younger mix with a slightly higher probability (its gradients are checked below).
const COHORT_MATCHES_TRUTH: [&str; 5] = [
    "ami_pci",
    "ami_rehab",
    "ami_death30",
    "hip_surgery_24h",
    "youth_psych_30d",
];

/// A 95% interval misses its true value 5% of the time, so among n large strata a few misses
/// are expected: at most the 95th percentile of Binomial(n, 0.05) is allowed, and every miss
/// must still lie inside the 99.8% interval (the 95% interval widened by 3.09 / 1.96).
#[test]
fn the_true_value_lies_in_the_95_percent_interval_of_the_large_strata() {
    let truth = truth();
    let mut checked = 0;
    let mut misses = Vec::new();
    for (id, outcome, offer) in TRUTH_PAIRS
        .iter()
        .filter(|p| COHORT_MATCHES_TRUTH.contains(&p.2))
    {
        let t = table(id);
        for dimension in [
            "education",
            "parental_education",
            "parental_income",
            "labour_market",
            "cohabitation",
            "origin",
            "region",
            "sex",
        ] {
            let Some(levels) = truth["marginal"][offer][dimension].as_object() else {
                continue;
            };
            for r in rows(&t, outcome, "proportion", dimension) {
                let group = t.str(r, "group");
                let Some(level) = levels.get(group) else {
                    continue;
                };
                if level["patients"].as_u64().unwrap_or(0) < LARGE || t.opt(r, "value").is_none() {
                    continue;
                }
                let p = level["probability"].as_f64().expect("probability") * 100.0;
                let (value, lower, upper) =
                    (t.num(r, "value"), t.num(r, "lower"), t.num(r, "upper"));
                checked += 1;
                if !(lower <= p && p <= upper) {
                    let widen = 3.090232 / 1.959964;
                    let (wide_lower, wide_upper) = (
                        value - (value - lower) * widen,
                        value + (upper - value) * widen,
                    );
                    assert!(
                        wide_lower <= p && p <= wide_upper,
                        "{id}/{outcome}/{dimension}={group}: truth {p:.1} outside even the 99.8% interval {wide_lower:.1}-{wide_upper:.1}"
                    );
                    misses.push(format!("{id}/{outcome}/{dimension}={group}: truth {p:.1} outside {lower:.1}-{upper:.1}"));
                }
            }
        }
    }
    assert!(checked >= 15, "only {checked} large strata");
    eprintln!(
        "large strata: {} of {checked} miss the truth: {misses:?}",
        misses.len()
    );
    // The 95th percentile of Binomial(checked, 0.05).
    let allowed = (0..=checked)
        .find(|&k| {
            let cdf: f64 = (0..=k)
                .map(|i| {
                    let ln_choose = (1..=i)
                        .map(|j| ((checked - i + j) as f64 / j as f64).ln())
                        .sum::<f64>();
                    (ln_choose + i as f64 * 0.05f64.ln() + (checked - i) as f64 * 0.95f64.ln())
                        .exp()
                })
                .sum();
            cdf >= 0.95
        })
        .unwrap_or(checked);
    assert!(
        misses.len() <= allowed,
        "{} of {checked} large strata miss the truth (at most {allowed} expected): {misses:#?}",
        misses.len()
    );
}

/// The injected effects, as (dimension, disadvantaged level, advantaged level) per offer: the
/// estimated difference must have the truth's sign wherever the truth's difference is larger
/// than two standard errors of the estimate (smaller effects cannot be told from noise in a
/// sample of this size; every effect of that size is checked).
#[test]
fn the_sign_of_every_detectable_injected_gradient_is_right() {
    let truth = truth();
    let mut checked = 0;
    for (id, outcome, offer) in TRUTH_PAIRS {
        let t = table(id);
        for (dimension, a, b) in [
            ("education", "kort", "lang"),
            ("origin", "indvandrer", "dansk"),
            ("sex", "1", "2"),
        ] {
            let level = |g: &str| truth["marginal"][offer][dimension][g]["probability"].as_f64();
            let (Some(ta), Some(tb)) = (level(a), level(b)) else {
                continue;
            };
            let estimate = |g: &str| {
                rows(&t, outcome, "proportion", dimension)
                    .find(|&r| t.str(r, "group") == g)
                    .and_then(|r| {
                        Some((
                            t.opt(r, "value")?,
                            (t.opt(r, "upper")? - t.opt(r, "lower")?) / 3.92,
                        ))
                    })
            };
            let (Some((ea, sa)), Some((eb, sb))) = (estimate(a), estimate(b)) else {
                continue;
            };
            let true_difference = (tb - ta) * 100.0;
            if true_difference.abs() <= 2.0 * (sa * sa + sb * sb).sqrt() {
                continue;
            }
            assert_eq!(
                (eb - ea).signum(),
                true_difference.signum(),
                "{id}/{outcome}/{dimension}: {b} - {a} estimated {:.1}, truth {true_difference:.1}",
                eb - ea
            );
            checked += 1;
        }
    }
    assert!(
        checked >= 5,
        "only {checked} gradients large enough to check"
    );
}

#[test]
fn each_analysis_has_its_own_parts() {
    // Diabetes: a trend over two years and two sub-analyses.
    let t = table("t2d_sglt2_glp1");
    let years: std::collections::BTreeSet<i64> =
        (0..t.len()).map(|r| t.num(r, "year") as i64).collect();
    assert_eq!(years.into_iter().collect::<Vec<_>>(), [2023, 2024]);
    for sub in ["women", "age_18_64"] {
        assert!(
            (0..t.len()).any(|r| t.str(r, "subanalysis") == sub),
            "sub-analysis {sub}"
        );
    }
    // The men of the women's sub-analysis: listed (every table lists every level) and empty.
    let men: Vec<usize> = (0..t.len())
        .filter(|&r| {
            t.str(r, "subanalysis") == "women"
                && t.str(r, "dimension") == "sex"
                && t.str(r, "group") == "1"
                && t.str(r, "measure") == "proportion"
        })
        .collect();
    assert!(!men.is_empty(), "the men's level is listed");
    for r in men {
        assert_eq!(
            t.opt(r, "denominator"),
            Some(0.0),
            "the women's sub-analysis has no men"
        );
        assert!(t.opt(r, "value").is_none());
    }
    // Summary measures on the ordered education dimension, by both methods.
    // PHE's linear SII needs 5 or more quantiles: income quintiles.
    for (measure, method, dimension) in [
        ("sii", "heat-logistic", "education"),
        ("rii", "heat-logistic", "education"),
        ("aci", "heat", "education"),
        ("sii", "heat-logistic", "income_quintile"),
        ("sii", "phe-linear", "income_quintile"),
    ] {
        let r = rows(&t, "sglt2_glp1", measure, dimension).find(|&r| t.str(r, "method") == method);
        let r = r.unwrap_or_else(|| panic!("{measure} {method}"));
        let value = t
            .opt(r, "value")
            .unwrap_or_else(|| panic!("{measure} {method}: {}", t.str(r, "note")));
        if measure == "sii" {
            assert!(value > 0.0, "treatment rises with {dimension}: SII {value}");
        }
    }
    // Youth: waiting times.
    let t = table("youth_depression_anxiety_wait");
    let waits: Vec<f64> = rows(&t, "outpatient_90d", "waiting_days_median", "region")
        .filter_map(|r| t.opt(r, "value"))
        .collect();
    assert!(
        !waits.is_empty() && waits.iter().all(|d| (0.0..=90.0).contains(d)),
        "{waits:?}"
    );
    // Hip fracture: funnel limits and the standard per hospital.
    let t = table("hip_fracture_surgery");
    let limits: Vec<usize> = rows(&t, "surgery_48h", "funnel_998", "hospital")
        .filter(|&r| t.opt(r, "value").is_some())
        .collect();
    for &r in &limits {
        assert!(t.num(r, "lower") <= t.num(r, "upper"));
        assert!(
            [
                "over 95",
                "over 99,8",
                "under 95",
                "under 99,8",
                "ikke signifikant"
            ]
            .iter()
            .any(|s| t.str(r, "note").starts_with(s)),
            "{}",
            t.str(r, "note")
        );
    }
    assert!(rows(&t, "surgery_48h", "standard_met", "hospital").count() > 0);
    // Multimorbidity: the count of conditions.
    let t = table("multimorbidity_contacts");
    let levels: Vec<String> = rows(&t, "coordinated", "proportion", "multimorbidity")
        .map(|r| t.str(r, "group").to_string())
        .collect();
    assert_eq!(levels, ["1", "2", "3+", "i alt"]);
}

#[test]
fn two_runs_give_the_same_bytes() {
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("pipelines-again");
    let _ = std::fs::remove_dir_all(&out);
    let result = ulighed(&[
        "run",
        "pipelines/hip_fracture_surgery.toml",
        "--out",
        out.to_str().expect("utf-8"),
        "--as-of",
        "2025-06-30",
    ]);
    assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
    // The manifests differ only in their timings.
    for file in [
        "tables/hip_fracture_surgery.csv",
        "report.html",
        "figures/figur-01-surgery_24h-grupper.svg",
        "tables/tabel-01.csv",
        "tables/tabel-01.parquet",
        "tables/tabeller.xlsx",
    ] {
        let read =
            |d: &Path| std::fs::read(d.join("hip_fracture_surgery").join(file)).expect("output");
        assert!(
            read(all_outputs()) == read(&out),
            "{file} differs between runs"
        );
    }
}

/// `plan` lists exactly the summary measures a run computes: for every shipped spec and
/// stratifier, the measures (and methods) it names after "summary" are the ones whose rows in the tidy table
/// of `data-samples/` are computed (shown, or withheld by disclosure control), and every other
/// summary row of the dimension is "ikke beregnet". The plan's HTML page names the same ones.
#[test]
fn the_plan_lists_exactly_the_summary_measures_a_run_computes() {
    let all = all_outputs();
    for id in shipped() {
        let spec = root().join("pipelines").join(format!("{id}.toml"));
        let plan = ulighed(&["plan", spec.to_str().expect("utf-8")]);
        assert_eq!(plan.status.code(), Some(0), "{}", stderr(&plan));
        let text = String::from_utf8_lossy(&plan.stdout).to_string();
        let t = table(&id);
        for line in text.lines().filter_map(|l| l.trim().strip_prefix("by ")) {
            let (head, measures) = line.split_once(": ").expect("by X: measures");
            let dimension = head.trim_end_matches(" (ordered)");
            let listed: std::collections::BTreeSet<String> = measures
                .split_once("; summary ")
                .map(|(_, s)| s.split(" (not computed").next().unwrap_or(s))
                .map(|s| s.split(", ").map(str::to_string).collect())
                .unwrap_or_default();
            let mut computed = std::collections::BTreeSet::new();
            let mut not_computed = std::collections::BTreeSet::new();
            for r in (0..t.len()).filter(|&r| {
                t.str(r, "dimension") == dimension
                    && t.str(r, "subanalysis").is_empty()
                    && t.str(r, "group").is_empty()
            }) {
                let measure = format!("{} ({})", t.str(r, "measure"), t.str(r, "method"));
                if t.str(r, "status") == "ikke beregnet" {
                    not_computed.insert(measure);
                } else {
                    computed.insert(measure);
                }
            }
            assert!(
                !computed.is_empty() || !not_computed.is_empty() || listed.is_empty(),
                "{id} by {dimension}: the plan lists {listed:?}, the table has no summary rows"
            );
            assert_eq!(
                listed, computed,
                "{id} by {dimension}: the plan lists {listed:?}, the run computed {computed:?}"
            );
            assert!(
                listed.is_disjoint(&not_computed),
                "{id} by {dimension}: {not_computed:?} were not computed"
            );
        }
    }
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("plan-exact");
    let _ = std::fs::remove_dir_all(&out);
    let result = ulighed(&["plan", "--all", "--out", out.to_str().expect("utf-8")]);
    assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
    let page = std::fs::read_to_string(out.join("analyseplan.html")).expect("plan page");
    let region = page
        .split("<dd>")
        .find(|d| d.starts_with("Region: "))
        .expect("a region stratifier");
    let (computed, not_computed) = region
        .split_once("ikke beregnet for")
        .expect("the slope indices are not computed by region");
    assert!(!computed.contains("(SII)"), "{region}");
    assert!(not_computed.contains("SII"), "{region}");
    assert!(all.exists());
}
