//! Coverage of the 95% intervals on repeated synthetic draws: the shipped AMI and hip-fracture
//! pipelines run on registers synthesised with different seeds, and each released stratum
//! proportion's interval is compared with that draw's known truth (truth.json). Over all draws
//! the intervals must contain the truth in 93-97% of cases.
//!
//! Only outcomes whose patient group and window match `synth`'s offer definitions are used, and
//! only strata fixed over a person's life in `synth` (education from 30 years of age, sex,
//! region), so the truth is exactly the expectation of each estimated proportion.
//!
//! The same draws check the AMI analysis's mutually adjusted odds ratios (`[adjustment]`):
//! `synth`'s offers are main-effects logistic models, so an odds ratio of education, income
//! quintile or region adjusted for the others, age and sex estimates exp(β_level - β_reference)
//! of the offer's parameters in `truth.json`, and its interval must cover that in 93-97% of
//! cases. (The model takes age in broad groups where `synth` has it linear, and origin as the
//! spec merges it; neither is a factor whose odds ratio is checked.)

use std::path::PathBuf;

use crate::common::{stderr, ulighed};
use crate::table::Table;

const SEEDS: u64 = 24;
const PERSONS: &str = "25000";

/// (spec, outcome, truth.json offer).
const PAIRS: [(&str, &str, &str); 4] = [
    ("ami_pci_rehab_death", "pci", "ami_pci"),
    ("ami_pci_rehab_death", "rehab", "ami_rehab"),
    ("ami_pci_rehab_death", "death30", "ami_death30"),
    ("hip_fracture_surgery", "surgery_24h", "hip_surgery_1day"),
];

/// The index of a level in `truth.json`'s parameters of its stratifier.
fn parameter_index(dimension: &str, level: &str) -> Option<usize> {
    let levels: &[&str] = match dimension {
        "education" => &["kort", "mellem", "lang", "uoplyst"],
        "income_quintile" => &["1", "2", "3", "4", "5"],
        "region" => &["1081", "1082", "1083", "1084", "1085"],
        _ => return None,
    };
    levels.iter().position(|l| *l == level)
}

/// (covered, checked) of the mutually adjusted odds ratios of one outcome's table against the
/// offer's true odds ratios, exp(β_level - β_reference) from `truth.json`'s model parameters.
fn odds_ratio_coverage(t: &Table, outcome: &str, model: &serde_json::Value) -> (usize, usize) {
    let (mut covered, mut checked) = (0, 0);
    let of = |r: usize| {
        t.str(r, "outcome") == outcome
            && t.str(r, "measure") == "odds_ratio"
            && t.str(r, "method") == "logit-mutual"
            && t.str(r, "subanalysis").is_empty()
    };
    for dimension in ["education", "income_quintile", "region"] {
        let rows: Vec<usize> = (0..t.len())
            .filter(|&r| of(r) && t.str(r, "dimension") == dimension)
            .collect();
        let Some(reference) = rows
            .iter()
            .find(|&&r| t.str(r, "note") == "referencegruppe")
            .and_then(|&r| parameter_index(dimension, t.str(r, "group")))
        else {
            continue;
        };
        let beta = |i: usize| model[dimension][i].as_f64().expect("parameter");
        for &r in &rows {
            let (Some(lower), Some(upper), Some(level)) = (
                t.opt(r, "lower"),
                t.opt(r, "upper"),
                parameter_index(dimension, t.str(r, "group")),
            ) else {
                continue;
            };
            let truth = (beta(level) - beta(reference)).exp();
            checked += 1;
            if lower <= truth && truth <= upper {
                covered += 1;
            }
        }
    }
    (covered, checked)
}

/// Per synthetic draw: (covered, checked) over the released proportions, and over the mutually
/// adjusted odds ratios.
fn one_draw(seed: u64) -> ((usize, usize), (usize, usize)) {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("coverage-{seed}"));
    let _ = std::fs::remove_dir_all(&dir);
    let registers = dir.join("registers");
    let s = seed.to_string();
    let made = ulighed(&[
        "synth",
        "--persons",
        PERSONS,
        "--years",
        "2021-2024",
        "--seed",
        &s,
        "--out",
        registers.to_str().expect("utf-8"),
        "--contacts-per-person-year",
        "0.05",
        "--prescriptions-per-person-year",
        "0.05",
    ]);
    assert_eq!(made.status.code(), Some(0), "{}", stderr(&made));
    let truth: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(registers.join("truth.json")).expect("truth"),
    )
    .expect("json");
    // Both analyses in one run, so the registers are validated once per draw.
    let specs = dir.join("specs");
    crate::common::copy_specs(&specs, &["ami_pci_rehab_death", "hip_fracture_surgery"]);
    let out = dir.join("out");
    crate::common::run_all(&specs, &registers, &out, "2025-06-30", &[]);
    let (mut covered, mut checked) = (0, 0);
    let mut odds = (0, 0);
    for spec in ["ami_pci_rehab_death", "hip_fracture_surgery"] {
        let t = Table::from_text(
            &std::fs::read_to_string(out.join(spec).join(format!("tables/{spec}.csv")))
                .expect("table"),
        );
        for (_, outcome, offer) in PAIRS.iter().filter(|p| p.0 == spec) {
            if let Some(model) = truth["offers"]
                .as_array()
                .and_then(|offers| offers.iter().find(|o| o["id"] == *offer))
            {
                let (c, n) = odds_ratio_coverage(&t, outcome, model);
                odds = (odds.0 + c, odds.1 + n);
            }
            for r in 0..t.len() {
                if t.str(r, "outcome") != *outcome
                    || t.str(r, "measure") != "proportion"
                    || !t.str(r, "subanalysis").is_empty()
                {
                    continue;
                }
                let (dimension, group) = (t.str(r, "dimension"), t.str(r, "group"));
                let key = if group == "i alt" {
                    ("total", "i alt")
                } else {
                    (dimension, group)
                };
                if !["total", "education", "sex", "region"].contains(&key.0) || group == "uoplyst" {
                    continue;
                }
                if dimension != "education" && group == "i alt" {
                    continue; // the total once, from the education table
                }
                let (Some(lower), Some(upper)) = (t.opt(r, "lower"), t.opt(r, "upper")) else {
                    continue;
                };
                let Some(p) = truth["marginal"][offer][key.0][key.1]["probability"].as_f64() else {
                    continue;
                };
                checked += 1;
                if lower <= p * 100.0 && p * 100.0 <= upper {
                    covered += 1;
                }
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    ((covered, checked), odds)
}

#[test]
fn the_95_percent_intervals_cover_the_truth_in_93_to_97_percent_of_draws() {
    let results: Vec<((usize, usize), (usize, usize))> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..2)
            .map(|w| {
                scope.spawn(move || {
                    (1..=SEEDS)
                        .filter(|s| s % 2 == w)
                        .map(one_draw)
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|h| h.join().expect("worker"))
            .collect()
    });
    let (covered, checked) = results
        .iter()
        .fold((0, 0), |a, (b, _)| (a.0 + b.0, a.1 + b.1));
    let (or_covered, or_checked) = results
        .iter()
        .fold((0, 0), |a, (_, b)| (a.0 + b.0, a.1 + b.1));
    let rate = covered as f64 / checked as f64;
    let or_rate = or_covered as f64 / or_checked as f64;
    eprintln!("coverage of the 95% intervals: {covered}/{checked} = {rate:.3}");
    eprintln!(
        "coverage of the mutually adjusted odds ratios: {or_covered}/{or_checked} = {or_rate:.3}"
    );
    assert!(or_checked >= 300, "only {or_checked} odds ratios");
    assert!(
        (0.93..=0.97).contains(&or_rate),
        "odds ratios: coverage {or_covered}/{or_checked} = {or_rate:.3}"
    );
    assert!(checked >= 400, "only {checked} intervals");
    assert!(
        (0.93..=0.97).contains(&rate),
        "coverage {covered}/{checked} = {:.3}",
        rate
    );
}
