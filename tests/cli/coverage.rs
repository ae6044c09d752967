//! Coverage of the 95% intervals on repeated synthetic draws: the shipped AMI and hip-fracture
//! pipelines run on registers synthesised with different seeds, and each released stratum
//! proportion's interval is compared with that draw's known truth (truth.json). Over all draws
//! the intervals must contain the truth in 93-97% of cases.
//!
//! Only outcomes whose patient group and window match `synth`'s offer definitions are used, and
//! only strata `synth`'s truth describes as the registers show them at each patient's index
//! (education from 30 years of age, sex, and the region of the population register of the index
//! year, which `synth`'s open population changes by moves), so the truth is exactly the
//! expectation of each estimated proportion.
//!
//! The same draws check the summary measures and the comparisons with the reference group: each
//! released interval of the differences and ratios (HEAT's D and R per level), the SII and RII
//! of both methods, the concentration indices, PAF and PAR of education, income quintile and
//! region against the measure computed from the true shares of `truth.json` with the draw's own
//! group sizes and reference group (the measure of the true shares, which the interval
//! estimates). Region's reference is its largest level, chosen before the outcome is looked at,
//! and its PAF and PAR (whose reference is HEAT's best observed level) carry no interval.
//!
//! The same draws check the shares standardised to the patients by education, region and sex
//! against the same standardisation of `truth.json`'s probabilities per sex and broad age group.
//!
//! The same draws check the AMI analysis's mutually adjusted odds ratios (`[adjustment]`):
//! `synth`'s offers are main-effects logistic models, so an odds ratio of education, income
//! quintile or region adjusted for the others, age and sex estimates exp(β_level - β_reference)
//! of the offer's parameters in `truth.json`, and its interval must cover that in 93-97% of
//! cases. (The model takes age in broad groups where `synth` has it linear, and origin as the
//! spec merges it; neither is a factor whose odds ratio is checked.)

use std::collections::BTreeMap;
use std::path::PathBuf;

use ulighed::measures::subgroup::Polarity;
use ulighed::measures::summary::{DimensionInput, SubgroupInput, summarise};

use crate::common::{stderr, ulighed};
use crate::table::Table;

/// (covered, checked) per measure and method.
type Tally = BTreeMap<String, (usize, usize)>;

/// One draw's (covered, checked) of the proportions and of the odds ratios, and its [`Tally`].
type Draw = ((usize, usize), (usize, usize), Tally);

const SEEDS: u64 = 24;
const PERSONS: &str = "25000";

/// (spec, outcome, truth.json offer).
const PAIRS: [(&str, &str, &str); 5] = [
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

/// The offers whose analyses adjust for exactly their model's covariates, so that the
/// mutually adjusted odds ratios estimate the model's: the youth analysis adjusts for the
/// parents' income quintile, while its model holds the family's income (the mother's, else the
/// father's), so its odds ratios are not checked against the parameters.
const ODDS_RATIOS_MATCH_MODEL: [&str; 4] =
    ["ami_pci", "ami_rehab", "ami_death30", "hip_surgery_24h"];

/// The dimensions whose crude shares are checked against the truth.
const SHARE_DIMENSIONS: [&str; 6] = [
    "total",
    "education",
    "parental_education",
    "parental_income",
    "sex",
    "region",
];

/// The dimensions whose comparisons and summary measures are checked against the truth.
const SUMMARY_DIMENSIONS: [&str; 5] = [
    "education",
    "income_quintile",
    "parental_education",
    "parental_income",
    "region",
];

/// The index of a level in `truth.json`'s parameters of its stratifier.
fn parameter_index(dimension: &str, level: &str) -> Option<usize> {
    let levels: &[&str] = match dimension {
        "education" | "parental_education" => &["kort", "mellem", "lang", "uoplyst"],
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
    for dimension in [
        "education",
        "parental_education",
        "income_quintile",
        "region",
    ] {
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

/// Adds to `tally` the coverage of one outcome's released comparisons and summary measures of
/// `dimension` against the measures of the true shares (`marginal`: truth.json's levels of the
/// dimension), with the draw's group sizes and its reference group. Skipped when a level is
/// hidden or the truth lacks one (the measures then rest on other groups).
fn summary_coverage(
    t: &Table,
    outcome: &str,
    dimension: &str,
    marginal: &serde_json::Value,
    favourable: bool,
    tally: &mut Tally,
) {
    let main = |r: usize| {
        t.str(r, "outcome") == outcome
            && t.str(r, "dimension") == dimension
            && t.str(r, "subanalysis").is_empty()
    };
    let levels: Vec<usize> = (0..t.len())
        .filter(|&r| {
            main(r)
                && t.str(r, "measure") == "proportion"
                && !["i alt", "uoplyst"].contains(&t.str(r, "group"))
        })
        .collect();
    let Some(reference) = (0..t.len())
        .find(|&r| main(r) && t.str(r, "measure") == "difference")
        .and_then(|r| t.str(r, "note").strip_prefix("reference: "))
        .map(|n| n.split(';').next().unwrap_or(n).trim().to_string())
    else {
        return;
    };
    let mut truths = Vec::new();
    for &r in &levels {
        let group = t.str(r, "group");
        let (Some(n), Some(p)) = (
            t.opt(r, "denominator"),
            marginal[group]["probability"].as_f64(),
        ) else {
            return;
        };
        truths.push((group.to_string(), n, p));
    }
    let ordered = [
        "education",
        "income_quintile",
        "parental_education",
        "parental_income",
    ]
    .contains(&dimension);
    let input = DimensionInput {
        groups: truths
            .iter()
            .enumerate()
            .map(|(i, (group, n, p))| SubgroupInput {
                estimate: Some(100.0 * p),
                se: Some(100.0 * (p * (1.0 - p) / n).sqrt()),
                lower: None,
                upper: None,
                population: Some(*n),
                order: ordered.then_some(i as u32 + 1),
                reference: *group == reference,
            })
            .collect(),
        polarity: if favourable {
            Polarity::Favourable
        } else {
            Polarity::Adverse
        },
        scale: Some(100.0),
        setting_average: None,
        confidence: 0.95,
        reps: 1,
        // PHE's SII is computed only with its interval (of at least 1,000 draws, as PHE); the
        // value does not depend on the draws.
        phe_reps: 1000,
        seed: 1,
    };
    let Ok(true_measures) = summarise(&input) else {
        return;
    };
    let reference_share = truths
        .iter()
        .find(|(g, _, _)| *g == reference)
        .map(|(_, _, p)| 100.0 * p);
    let mut count = |key: String, lower: f64, upper: f64, truth: f64| {
        let entry = tally.entry(key).or_default();
        entry.1 += 1;
        if lower <= truth && truth <= upper {
            entry.0 += 1;
        }
    };
    for r in (0..t.len()).filter(|&r| main(r)) {
        let (Some(lower), Some(upper)) = (t.opt(r, "lower"), t.opt(r, "upper")) else {
            continue;
        };
        let (measure, method, group) = (t.str(r, "measure"), t.str(r, "method"), t.str(r, "group"));
        let share = truths
            .iter()
            .find(|(g, _, _)| g == group)
            .map(|(_, _, p)| 100.0 * p);
        let truth = match (measure, share, reference_share) {
            ("difference", Some(p), Some(q)) => Some(p - q),
            ("ratio", Some(p), Some(q)) => Some(p / q),
            ("difference" | "ratio", ..) => None,
            _ => true_measures
                .iter()
                .find(|m| m.measure == measure && m.method == method)
                .and_then(|m| m.value),
        };
        if let Some(truth) = truth {
            // PAF and PAR on HEAT's truncation point (the most advantaged group no better than
            // the mean): their truncated interval holds 0 in at least 97,5 % of draws.
            let kind = if !ordered {
                " (unordered)"
            } else if ["paf", "par"].contains(&measure) && truth == 0.0 {
                " (truth 0)"
            } else {
                ""
            };
            count(format!("{measure}/{method}{kind}"), lower, upper, truth);
        }
    }
}

/// The truth of a level's share standardised to the outcome's patients: Σ W_k·p_k / Σ W_k over
/// the strata k, p_k being the mean of the level's patients' own probabilities in k and W_k the
/// whole patient group's patients in k (`cells` and `total`: truth.json's `standardisation_cells`
/// of the level and of the total). The strata are sex by broad age group, or the age groups
/// alone for the sex dimension (`by_age_alone`); within a sex, a stratum with weight that the
/// level has nobody in is pooled with its older neighbour (the oldest with its younger), as a run
/// pools it. Given who the patients are, a run's estimate Σ W_k·d_k/n_k / Σ W_k has exactly this
/// expectation. `None` where the level lacks a sex the patient group has (a run computes nothing).
fn standardised_truth(
    cells: &serde_json::Value,
    total: &serde_json::Value,
    by_age_alone: bool,
) -> Option<f64> {
    // (patients, expected events, weight) per sex ("" for both) and age group.
    let stratum = |of: &serde_json::Value, sex: &str, age_group: u64| -> (f64, f64) {
        of.as_array()
            .into_iter()
            .flatten()
            .filter(|c| (sex.is_empty() || c["sex"] == sex) && c["age_group"] == age_group)
            .map(|c| {
                let n = c["patients"].as_f64().expect("patients");
                (n, n * c["probability"].as_f64().expect("probability"))
            })
            .fold((0.0, 0.0), |a, b| (a.0 + b.0, a.1 + b.1))
    };
    let sexes: &[&str] = if by_age_alone { &[""] } else { &["1", "2"] };
    let (mut weighted, mut weights) = (0.0, 0.0);
    for sex in sexes {
        let mut pooled: Vec<(f64, f64, f64)> = Vec::new();
        let mut pending = (0.0, 0.0, 0.0);
        for age_group in 0..8 {
            let weight = stratum(total, sex, age_group).0;
            if weight == 0.0 {
                continue;
            }
            let (n, events) = stratum(cells, sex, age_group);
            pending = (pending.0 + n, pending.1 + events, pending.2 + weight);
            if pending.0 > 0.0 {
                pooled.push(pending);
                pending = (0.0, 0.0, 0.0);
            }
        }
        if pending.2 > 0.0 {
            let last = pooled.last_mut()?;
            *last = (last.0 + pending.0, last.1 + pending.1, last.2 + pending.2);
        }
        for (n, events, weight) in pooled {
            weighted += weight * events / n;
            weights += weight;
        }
    }
    (weights > 0.0).then(|| weighted / weights)
}

/// Adds to `tally` the coverage of one outcome's standardised shares by education, region and
/// sex against [`standardised_truth`].
fn standardised_coverage(t: &Table, outcome: &str, cells: &serde_json::Value, tally: &mut Tally) {
    for r in 0..t.len() {
        let (dimension, group) = (t.str(r, "dimension"), t.str(r, "group"));
        if t.str(r, "outcome") != outcome
            || t.str(r, "measure") != "proportion_age_sex_std"
            || !t.str(r, "subanalysis").is_empty()
            || !["education", "region", "sex"].contains(&dimension)
            || ["i alt", "uoplyst"].contains(&group)
        {
            continue;
        }
        let (Some(lower), Some(upper)) = (t.opt(r, "lower"), t.opt(r, "upper")) else {
            continue;
        };
        let Some(truth) = standardised_truth(
            &cells[dimension][group],
            &cells["total"]["i alt"],
            dimension == "sex",
        ) else {
            continue;
        };
        let entry = tally
            .entry(format!("proportion_age_sex_std/{}", t.str(r, "method")))
            .or_default();
        entry.1 += 1;
        if lower <= 100.0 * truth && 100.0 * truth <= upper {
            entry.0 += 1;
        }
    }
}

/// Per synthetic draw: (covered, checked) over the released proportions, over the mutually
/// adjusted odds ratios, and per comparison and summary measure.
fn one_draw(seed: u64) -> Draw {
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
    // The comparisons and summary measures are checked on an internal run too (nothing hidden):
    // a released interval is the internal run's own number, and the small draws' hidden levels
    // would withhold most summary measures of the release.
    let internal = dir.join("internal");
    crate::common::run_all(&specs, &registers, &internal, "2025-06-30", &["--internal"]);
    let (mut covered, mut checked) = (0, 0);
    let mut odds = (0, 0);
    let mut summaries = Tally::new();
    for spec in ["ami_pci_rehab_death", "hip_fracture_surgery"] {
        let t = Table::from_text(
            &std::fs::read_to_string(out.join(spec).join(format!("tables/{spec}.csv")))
                .expect("table"),
        );
        let text = std::fs::read_to_string(
            internal
                .join(format!("{spec}-internal"))
                .join(format!("tables/{spec}.csv")),
        )
        .expect("internal table");
        // The internal table opens with its NOT FOR RELEASE line.
        let text: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
        let all = Table::from_text(&text.join("\n"));
        for (_, outcome, offer) in PAIRS.iter().filter(|p| p.0 == spec) {
            if let Some(model) = truth["offers"]
                .as_array()
                .and_then(|offers| offers.iter().find(|o| o["id"] == *offer))
                .filter(|_| ODDS_RATIOS_MATCH_MODEL.contains(offer))
            {
                let (c, n) = odds_ratio_coverage(&t, outcome, model);
                odds = (odds.0 + c, odds.1 + n);
            }
            standardised_coverage(
                &all,
                outcome,
                &truth["standardisation_cells"][offer],
                &mut summaries,
            );
            for dimension in SUMMARY_DIMENSIONS {
                summary_coverage(
                    &all,
                    outcome,
                    dimension,
                    &truth["marginal"][offer][dimension],
                    *outcome != "death30",
                    &mut summaries,
                );
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
                if !SHARE_DIMENSIONS.contains(&key.0) || group == "uoplyst" {
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
    ((covered, checked), odds, summaries)
}

#[test]
fn the_95_percent_intervals_cover_the_truth_in_93_to_97_percent_of_draws() {
    let results: Vec<Draw> = std::thread::scope(|scope| {
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
        .fold((0, 0), |a, (b, _, _)| (a.0 + b.0, a.1 + b.1));
    let (or_covered, or_checked) = results
        .iter()
        .fold((0, 0), |a, (_, b, _)| (a.0 + b.0, a.1 + b.1));
    let mut summaries = Tally::new();
    for (_, _, tally) in &results {
        for (key, (c, n)) in tally {
            let entry = summaries.entry(key.clone()).or_default();
            *entry = (entry.0 + c, entry.1 + n);
        }
    }
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
    // Each comparison and summary measure: printed, and within 90-99 % where it has at least 100
    // intervals (about ±3 % at that size), all of them together within 93-97 %; PAF and PAR on
    // their truncation point at least 93 %, and not pooled (they are conservative there by
    // construction).
    let (mut all_covered, mut all_checked) = (0, 0);
    let mut off = Vec::new();
    for (key, (c, n)) in &summaries {
        let share = *c as f64 / *n as f64;
        eprintln!("coverage of {key}: {c}/{n} = {share:.3}");
        if key.ends_with("(truth 0)") {
            if *n >= 100 && share < 0.93 {
                off.push(format!("{key}: {c}/{n} = {share:.3}"));
            }
            continue;
        }
        assert!(
            !(key.ends_with("(unordered)") && (key.starts_with("paf/") || key.starts_with("par/"))),
            "{key}: an unordered dimension's PAF and PAR are released without an interval"
        );
        all_covered += c;
        all_checked += n;
        if *n >= 100 && !(0.90..=0.99).contains(&share) {
            off.push(format!("{key}: {c}/{n} = {share:.3}"));
        }
    }
    let all_rate = all_covered as f64 / all_checked as f64;
    eprintln!(
        "coverage of the comparisons and summary measures: {all_covered}/{all_checked} = {all_rate:.3}"
    );
    assert!(off.is_empty(), "{off:?}");
    for key in [
        "difference/delta-method",
        "ratio/delta-method-log",
        "sii/heat-logistic",
        "rii/heat-logistic",
        "sii/phe-linear",
        "rii/phe-linear",
        "aci/heat",
        "rci/heat",
        "paf/heat",
        "par/heat",
        "difference/delta-method (unordered)",
        "ratio/delta-method-log (unordered)",
        "proportion_age_sex_std/std-patients-wilson",
    ] {
        assert!(
            summaries.get(key).is_some_and(|(_, n)| *n >= 50),
            "{key}: {:?} intervals",
            summaries.get(key)
        );
    }
    assert!(
        (0.93..=0.97).contains(&all_rate),
        "comparisons and summary measures: {all_covered}/{all_checked} = {all_rate:.3}"
    );
    assert!(checked >= 400, "only {checked} intervals");
    assert!(
        (0.93..=0.97).contains(&rate),
        "coverage {covered}/{checked} = {:.3}",
        rate
    );
}
