//! `measures::summary`: HEAT's validation tests, the measures of a whole
//! dimension through one call, and the simulated intervals.

use ulighed::measures::{
    applicability::{self, MEASURES, SuppressionTest},
    interval::MeasureError,
    subgroup::Polarity,
    summary::{self, DimensionInput, HEAT_REPETITIONS, SubgroupInput, SummaryRow},
};

use crate::common;
use common::{Table, assert_close, close};

const Z95: f64 = 1.959963984540054;

fn group(estimate: f64, se: f64, population: f64) -> SubgroupInput {
    SubgroupInput {
        estimate: Some(estimate),
        se: Some(se),
        lower: None,
        upper: None,
        population: Some(population),
        order: None,
        reference: false,
    }
}

fn dimension(groups: Vec<SubgroupInput>) -> DimensionInput {
    DimensionInput {
        groups,
        polarity: Polarity::Favourable,
        scale: Some(100.0),
        setting_average: Some(50.0),
        confidence: 0.95,
        reps: 1000,
        phe_reps: 2000,
        seed: 20240601,
    }
}

/// Eight regions, every field filled, group 3 the reference: only
/// `test_not_ordered` is true.
fn clean_nonordered() -> DimensionInput {
    let est = [30.0, 42.0, 55.0, 61.0, 48.0, 37.0, 70.0, 52.0];
    let mut groups: Vec<SubgroupInput> = est
        .iter()
        .enumerate()
        .map(|(i, &e)| group(e, 1.0 + 0.2 * i as f64, 1000.0 + 150.0 * i as f64))
        .collect();
    groups[2].reference = true;
    dimension(groups)
}

/// Five quintiles, rising with advantage.
fn clean_ordered() -> DimensionInput {
    let est = [20.0, 30.0, 40.0, 50.0, 60.0];
    dimension(
        est.iter()
            .enumerate()
            .map(|(i, &e)| SubgroupInput {
                order: Some(i as u32 + 1),
                ..group(e, 1.5, 2000.0 - 100.0 * i as f64)
            })
            .collect(),
    )
}

#[track_caller]
fn row<'a>(rows: &'a [SummaryRow], measure: &str, method: &str) -> &'a SummaryRow {
    rows.iter()
        .find(|r| r.measure == measure && r.method == method)
        .unwrap_or_else(|| panic!("no row {measure} {method}"))
}

/// The analytic rows' method: `heat`, except SII/RII.
fn method_of(measure: &str) -> &'static str {
    let simulated = MEASURES
        .iter()
        .any(|m| m.simulation_se && m.abbr.eq_ignore_ascii_case(measure));
    if simulated { "heat-simulated" } else { "heat" }
}

fn value(rows: &[SummaryRow], measure: &str, method: &str) -> f64 {
    row(rows, measure, method).value.unwrap_or_else(|| {
        panic!(
            "{measure} {method} has no value: {:?}",
            row(rows, measure, method)
        )
    })
}

/// One case per test: a dimension built to make it true, and every test
/// that is true on it (worked out by hand from `R/validation-tests.R`).
fn tripping_cases() -> Vec<(SuppressionTest, DimensionInput, Vec<SuppressionTest>)> {
    use SuppressionTest::*;
    let with = |f: &dyn Fn(&mut DimensionInput), base: fn() -> DimensionInput| {
        let mut d = base();
        f(&mut d);
        d
    };
    let non = clean_nonordered;
    let ord = clean_ordered;
    vec![
        // 7 of 8 estimated (87.5%): missing, but not under 85%. With every
        // population known, R's weighted.mean is NA: PAR/PAF fail too.
        (
            MissingEstimates,
            with(&|d| d.groups[0].estimate = None, non),
            vec![MissingEstimates, NotOrdered, ParPafFail],
        ),
        (
            Under85Pct,
            with(
                &|d| {
                    d.groups[0].estimate = None;
                    d.groups[1].estimate = None;
                },
                non,
            ),
            vec![
                MissingEstimates,
                Under85Pct,
                Under85PctMissingPop,
                Under85PctMissingPopNatlAvg,
                NotOrdered,
                ParPafFail,
            ],
        ),
        // A missing population with a setting average: the _natl_avg
        // variant and PAR/PAF (which fall back on the setting average) pass.
        (
            Under85PctMissingPop,
            with(&|d| d.groups[0].population = None, non),
            vec![Under85PctMissingPop, NotOrdered, MissingPopulation],
        ),
        (
            Under85PctMissingPopNatlAvg,
            with(
                &|d| {
                    d.groups[0].population = None;
                    d.setting_average = None;
                },
                non,
            ),
            vec![
                Under85PctMissingPop,
                Under85PctMissingPopNatlAvg,
                NotOrdered,
                MissingPopulation,
                NatlAllZero,
                ParPafFail,
            ],
        ),
        // The weighted mean is 0 but the setting average is not.
        (
            EstimatesAllZero,
            with(
                &|d| d.groups.iter_mut().for_each(|g| g.estimate = Some(0.0)),
                non,
            ),
            vec![EstimatesAllZero, NotOrdered],
        ),
        // The reference (group 3) is cut off with the rest.
        (
            TwoSubgroups,
            with(&|d| d.groups.truncate(2), non),
            vec![TwoSubgroups, NotOrdered, Norefgroup],
        ),
        (
            LessThan2Subgroups,
            with(&|d| d.groups.truncate(1), non),
            vec![LessThan2Subgroups, NotOrdered, Norefgroup],
        ),
        (NotOrdered, non(), vec![NotOrdered]),
        (IsOrdered, ord(), vec![IsOrdered, Norefgroup]),
        (
            TwoSubgroupsAndMissing,
            with(
                &|d| {
                    d.groups.truncate(2);
                    d.groups[0].estimate = None;
                },
                non,
            ),
            vec![
                MissingEstimates,
                Under85Pct,
                Under85PctMissingPop,
                Under85PctMissingPopNatlAvg,
                TwoSubgroups,
                NotOrdered,
                TwoSubgroupsAndMissing,
                DRFail,
                ParPafFail,
                Norefgroup,
            ],
        ),
        (
            MissingPopulation,
            with(&|d| d.groups[2].population = None, ord),
            vec![
                Under85PctMissingPop,
                IsOrdered,
                MissingPopulation,
                Norefgroup,
            ],
        ),
        // All shares are NaN (0/0), so the weighted mean is 0 and HEAT
        // falls back on the (missing) setting average.
        (
            MissingNatlAvg,
            with(
                &|d| {
                    d.groups.iter_mut().for_each(|g| g.population = Some(0.0));
                    d.setting_average = None;
                },
                non,
            ),
            vec![
                NotOrdered,
                MissingPopulation,
                MissingNatlAvg,
                NatlAllZero,
                ParPafFail,
            ],
        ),
        (
            NatlAllZero,
            with(&|d| d.setting_average = None, non),
            vec![NotOrdered, NatlAllZero],
        ),
        (
            HasZeroSe,
            with(&|d| d.groups[0].se = Some(0.0), non),
            vec![NotOrdered, HasZeroSe],
        ),
        (
            SeAllMissing,
            with(&|d| d.groups.iter_mut().for_each(|g| g.se = None), non),
            vec![NotOrdered, SeAllMissing],
        ),
        // The most advantaged quintile has no estimate (4 of 5 = 80%).
        (
            DRFail,
            with(&|d| d.groups[4].estimate = None, ord),
            vec![
                MissingEstimates,
                Under85Pct,
                Under85PctMissingPop,
                Under85PctMissingPopNatlAvg,
                IsOrdered,
                DRFail,
                ParPafFail,
                Norefgroup,
            ],
        ),
        // The reference region has no estimate.
        (
            ParPafFail,
            with(&|d| d.groups[2].estimate = None, non),
            vec![MissingEstimates, NotOrdered, ParPafFail, Norefgroup],
        ),
        (
            Norefgroup,
            with(&|d| d.groups[2].reference = false, non),
            vec![NotOrdered, Norefgroup],
        ),
    ]
}

/// The `(test_*)` names in a note.
fn named_tests(note: &str) -> Vec<&str> {
    note.split('(')
        .skip(1)
        .filter_map(|s| s.split_once(')').map(|(name, _)| name))
        .filter(|name| name.starts_with("test_"))
        .collect()
}

/// (a) Each of HEAT's 18 validation tests is true on a dimension built to
/// trip it and false on a clean one; on each such dimension exactly the
/// expected tests are true, and in `summarise` each row's note names
/// exactly those of them that HEAT_summary_measures.csv lists for the
/// measure (column `test_*` = 1), with no value when it names any.
#[test]
fn each_validation_test_trips_and_suppresses_exactly_its_measures() {
    assert_eq!(
        summary::failing_tests(&clean_nonordered()),
        [SuppressionTest::NotOrdered]
    );
    // An ordered dimension has no reference subgroup (HEAT's template
    // forbids one), so test_norefgroup is true there too.
    assert_eq!(
        summary::failing_tests(&clean_ordered()),
        [SuppressionTest::IsOrdered, SuppressionTest::Norefgroup]
    );
    let heat = Table::load("HEAT_summary_measures.csv");
    let listed = |measure: &str, test: SuppressionTest| {
        let r = heat.where_eq("measure_abbr", &measure.to_uppercase());
        assert_eq!(r.len(), 1, "{measure} in HEAT_summary_measures.csv");
        heat.num(r[0], test.heat_name()) == 1.0
    };
    let cases = tripping_cases();
    let targets: Vec<SuppressionTest> = cases.iter().map(|c| c.0).collect();
    assert_eq!(targets, SuppressionTest::ALL);
    for (test, case, mut expected) in cases {
        let failing = summary::failing_tests(&case);
        assert!(
            failing.contains(&test),
            "{test:?} should be true on its case"
        );
        expected.sort_by_key(|t| SuppressionTest::ALL.iter().position(|a| a == t));
        assert_eq!(failing, expected, "tests true on the case of {test:?}");
        let clean = if test == SuppressionTest::NotOrdered {
            clean_ordered()
        } else {
            clean_nonordered()
        };
        assert!(!summary::failing_tests(&clean).contains(&test), "{test:?}");

        let rows = summary::summarise(&case).unwrap();
        assert_eq!(rows.len(), 23);
        let mut suppressed_by_target = 0;
        for r in &rows {
            let want: Vec<&str> = expected
                .iter()
                .filter(|&&t| listed(r.measure, t))
                .map(|t| t.heat_name())
                .collect();
            assert_eq!(
                named_tests(&r.note),
                want,
                "case {test:?}: {} {} note {:?}",
                r.measure,
                r.method,
                r.note
            );
            if !want.is_empty() {
                assert_eq!(r.value, None, "{test:?} {}", r.measure);
                assert!(r.note.starts_with("suppressed: "), "{}", r.note);
            }
            if listed(r.measure, test) {
                suppressed_by_target += 1;
                assert!(r.note.contains(test.description()), "{}", r.note);
            }
        }
        // SII and RII have two rows each.
        let rows_of = |m: &applicability::MeasureInfo| {
            if m.abbr == "SII" || m.abbr == "RII" {
                2
            } else {
                1
            }
        };
        let in_table: usize = MEASURES
            .iter()
            .filter(|m| m.suppressed_by.contains(&test))
            .map(rows_of)
            .sum();
        assert_eq!(suppressed_by_target, in_table, "{test:?}");
    }
}

/// HEAT's exact arithmetic at the 85% boundary: 17 of 20 estimated is
/// `1 - 3/20 = 0.85`, not under 85%; 16 of 20 is.
#[test]
fn under85_boundary_is_exactly_heats() {
    let mut d = dimension(
        (0..20)
            .map(|i| group(40.0 + i as f64, 1.0, 100.0))
            .collect(),
    );
    for g in &mut d.groups[..3] {
        g.estimate = None;
    }
    assert!(!summary::failing_tests(&d).contains(&SuppressionTest::Under85Pct));
    d.groups[3].estimate = None;
    assert!(summary::failing_tests(&d).contains(&SuppressionTest::Under85Pct));
}

/// `test_d_r_fail` in an ordered dimension looks only at the two ends: a
/// missing middle quintile leaves D and R to be computed from the ends of
/// the remaining ones (their orders close up: 1, 2, 4, 5).
#[test]
fn d_r_fail_looks_only_at_the_ends() {
    let mut first = clean_ordered();
    first.groups[0].estimate = None;
    assert!(summary::failing_tests(&first).contains(&SuppressionTest::DRFail));
    let rows = summary::summarise(&first).unwrap();
    assert!(row(&rows, "d", "heat").note.contains("(test_d_r_fail)"));

    let mut middle = clean_ordered();
    middle.groups[2].estimate = None;
    assert!(!summary::failing_tests(&middle).contains(&SuppressionTest::DRFail));
    let rows = summary::summarise(&middle).unwrap();
    assert_close(value(&rows, "d", "heat"), 60.0 - 20.0, 1e-12, "d");
    assert_close(value(&rows, "r", "heat"), 60.0 / 20.0, 1e-12, "r");
}

/// Two reference subgroups count as none (`reference_group_exists` wants
/// exactly one): D and R compare the highest and lowest estimates, as
/// without a reference, and MDRU/MDRW are suppressed.
#[test]
fn several_references_count_as_none() {
    let mut two = clean_nonordered();
    two.groups[4].reference = true;
    let mut none = clean_nonordered();
    none.groups[2].reference = false;
    let (a, b) = (
        summary::summarise(&two).unwrap(),
        summary::summarise(&none).unwrap(),
    );
    assert_eq!(value(&a, "d", "heat"), 70.0 - 30.0);
    assert_eq!(value(&a, "d", "heat"), value(&b, "d", "heat"));
    assert_eq!(value(&a, "r", "heat"), value(&b, "r", "heat"));
    assert!(
        row(&a, "mdru", "heat-simulated")
            .note
            .contains("(test_norefgroup)")
    );
}

/// `test_par_paf_fail` takes R's `weighted.mean`, which drops terms of
/// weight 0: a missing estimate of a subgroup with population 0 does not
/// make the mean NA, one with a population does.
#[test]
fn par_paf_fail_follows_r_weighted_mean() {
    let mut d = clean_nonordered();
    d.groups[5].estimate = None;
    d.groups[5].population = Some(0.0);
    assert!(!summary::failing_tests(&d).contains(&SuppressionTest::ParPafFail));
    d.groups[5].population = Some(10.0);
    assert!(summary::failing_tests(&d).contains(&SuppressionTest::ParPafFail));
}

/// On clean data every measure that applies to the kind of dimension (HEAT's
/// table, `applicability::applies`) has a value, and every other one is
/// suppressed; the simulated rows are exactly HEAT's `simulation_se`
/// measures and have intervals.
#[test]
fn clean_dimensions_give_every_applicable_measure() {
    let mut ordered = clean_ordered();
    ordered.reps = 2000; // phe-linear needs at least 1000
    for (d, is_ordered) in [(clean_nonordered(), false), (ordered, true)] {
        let rows = summary::summarise(&d).unwrap();
        let codes: Vec<&str> = rows.iter().map(|r| r.measure).collect();
        assert_eq!(
            codes,
            [
                "d", "r", "sii", "sii", "rii", "rii", "aci", "rci", "paf", "par", "bgv", "bgsd",
                "cov", "mdbu", "mdbw", "mdmu", "mdmw", "mdru", "mdrw", "idisu", "idisw", "ti",
                "mld"
            ]
        );
        for r in &rows {
            let applies = applicability::applies(r.measure, is_ordered, d.groups.len());
            assert_eq!(
                r.value.is_some(),
                applies,
                "{} {}: {}",
                r.measure,
                r.method,
                r.note
            );
            if !applies {
                assert!(r.note.starts_with("suppressed: "), "{}", r.note);
            }
            if r.measure != "sii" && r.measure != "rii" {
                assert_eq!(r.method, method_of(r.measure), "{}", r.measure);
            }
            if applies {
                assert!(r.note.is_empty(), "{} {}: {}", r.measure, r.method, r.note);
                assert!(
                    r.lower.is_some() && r.upper.is_some(),
                    "{} {}",
                    r.measure,
                    r.method
                );
                let (lo, hi) = (r.lower.unwrap(), r.upper.unwrap());
                assert!(lo <= hi, "{} {lo} {hi}", r.measure);
            }
        }
    }
}

fn healthequal_vector(ordered: bool) -> DimensionInput {
    let name = if ordered {
        "healthequal_testvector_ordered_inputs.csv"
    } else {
        "healthequal_testvector_nonordered_inputs.csv"
    };
    let t = Table::load(name);
    let groups = (0..t.len())
        .map(|r| SubgroupInput {
            order: ordered.then(|| t.num(r, "subgroup_order") as u32),
            reference: !ordered && t.num(r, "reference_subgroup") == 1.0,
            ..group(t.num(r, "est"), t.num(r, "se"), t.num(r, "pop"))
        })
        .collect();
    DimensionInput {
        scale: Some(t.num(0, "indicator_scale")),
        setting_average: None,
        ..dimension(groups)
    }
}

/// Compares a row with a row of an expected-values table, as
/// heat_measures.rs does: the value, and the SE and limits where the table
/// has an SE (blank or formula limits are estimate ∓ 1.96 SE).
fn check(got: &SummaryRow, t: &Table, r: usize, tol: f64, ctx: &str) {
    let missing = |what: &str| panic!("{ctx}: no {what} ({})", got.note);
    assert_close(
        got.value.unwrap_or_else(|| missing("value")),
        t.num(r, "estimate"),
        tol,
        ctx,
    );
    if let Some(se) = t.opt(r, "se") {
        assert_close(got.se.unwrap_or_else(|| missing("se")), se, tol, ctx);
        let limit = |col: &str, sign: f64| {
            t.str(r, col)
                .parse::<f64>()
                .unwrap_or(t.num(r, "estimate") + sign * Z95 * se)
        };
        assert_close(
            got.lower.unwrap_or_else(|| missing("lower")),
            limit("lowerci", -1.0),
            tol,
            ctx,
        );
        assert_close(
            got.upper.unwrap_or_else(|| missing("upper")),
            limit("upperci", 1.0),
            tol,
            ctx,
        );
    }
}

/// (b) healthequal's test vectors through `summarise` give the values (and
/// analytic SEs and limits) heat_measures.rs and sii.rs assert, at the same
/// tolerances.
#[test]
fn healthequal_test_vectors_through_summarise() {
    for (ordered, file) in [
        (true, "healthequal_testvector_ordered_expected.csv"),
        (false, "healthequal_testvector_nonordered_expected.csv"),
    ] {
        let rows = summary::summarise(&healthequal_vector(ordered)).unwrap();
        let t = Table::load(file);
        for r in 0..t.len() {
            let m = t.str(r, "measure").to_lowercase();
            let method = match m.as_str() {
                "sii" | "rii" => "heat-logistic",
                other => method_of(other),
            };
            check(
                row(&rows, &m, method),
                &t,
                r,
                t.num(r, "tolerance_in_test"),
                &m,
            );
        }
        assert_eq!(t.len(), if ordered { 6 } else { 14 });
    }
}

/// (b) healthequal's functions run in R on its sample data sets
/// (healthequal_reference_results.csv, 1e-9), through `summarise`; the
/// sample's setting average is passed and, all populations being known,
/// must not be used (HEAT's `get_weighted_mean`).
#[test]
fn healthequal_sample_data_through_summarise() {
    let load = |name: &str, ordered: bool, reference: bool, polarity: Polarity| {
        let t = Table::load(name);
        DimensionInput {
            polarity,
            setting_average: Some(t.num(0, "setting_average")),
            ..dimension(
                (0..t.len())
                    .map(|r| SubgroupInput {
                        order: ordered.then(|| t.num(r, "subgroup_order") as u32),
                        reference: reference && t.num(r, "reference_subgroup") == 1.0,
                        ..group(t.num(r, "estimate"), t.num(r, "se"), t.num(r, "population"))
                    })
                    .collect(),
            )
        }
    };
    let t = Table::load("healthequal_reference_results.csv");
    for r in 0..t.len() {
        let variant = t.str(r, "variant");
        let polarity = if variant.contains("favourable=0") {
            Polarity::Adverse
        } else {
            Polarity::Favourable
        };
        let d = match t.str(r, "data_set") {
            "ordered" => load("OrderedSample.csv", true, false, polarity),
            _ => load(
                "NonorderedSample.csv",
                false,
                variant.contains("reference"),
                polarity,
            ),
        };
        let rows = summary::summarise(&d).unwrap();
        let m = t.str(r, "measure");
        check(
            row(&rows, m, method_of(m)),
            &t,
            r,
            1e-9,
            &format!("{m} {variant}"),
        );
    }
}

/// Three regions; BGSD and COV have closed-form delta-method SEs.
fn three_regions(se: [f64; 3], reps: usize, seed: u64) -> DimensionInput {
    let est = [20.0, 40.0, 60.0];
    let pop = [1000.0, 2000.0, 1000.0];
    DimensionInput {
        reps,
        seed,
        setting_average: None,
        ..dimension((0..3).map(|i| group(est[i], se[i], pop[i])).collect())
    }
}

/// (c) With SEs of 1e-9 every simulated interval collapses onto its value.
#[test]
fn simulated_intervals_collapse_with_tiny_ses() {
    let mut d = clean_nonordered();
    d.groups.iter_mut().for_each(|g| g.se = Some(1e-9));
    let rows = summary::summarise(&d).unwrap();
    let simulated: Vec<&SummaryRow> = rows
        .iter()
        .filter(|r| r.method == "heat-simulated")
        .collect();
    assert_eq!(simulated.len(), 10);
    for r in simulated {
        let v = r.value.unwrap();
        for limit in [r.lower.unwrap(), r.upper.unwrap()] {
            assert!(close(limit, v, 1e-7), "{}: {limit} vs {v}", r.measure);
        }
        assert!(r.se.unwrap() < 1e-7, "{} se {:?}", r.measure, r.se);
    }
}

/// (c) For three regions with known SEs the simulated SE of BGSD and COV
/// approaches the delta-method SE. BGSD = sqrt(Σ p_j (y_j - μ)²) with
/// μ = Σ p_j y_j has ∂BGSD/∂y_j = p_j (y_j - μ) / BGSD (the terms through μ
/// cancel), and COV = 100 BGSD / μ has ∂COV/∂y_j = 100 (∂BGSD/∂y_j / μ -
/// BGSD p_j / μ²). With 40 000 data sets the Monte Carlo error of an SD is
/// about 1/sqrt(2 · 40 000) = 0.35%, and the second-order terms the delta
/// method drops are of order (SE/BGSD)² < 0.5%, so 3% is a wide margin
/// that still catches a lost weight or a wrong mean (each >10% here). The
/// 95% interval of a nearly normal statistic spans about 2 · 1.96 SE.
#[test]
fn simulated_se_matches_delta_method() {
    let se = [0.5, 1.0, 0.8];
    let (y, p) = ([20.0, 40.0, 60.0], [0.25, 0.5, 0.25]);
    let mu: f64 = (0..3).map(|j| p[j] * y[j]).sum();
    let bgsd = (0..3)
        .map(|j| p[j] * (y[j] - mu).powi(2))
        .sum::<f64>()
        .sqrt();
    let d_bgsd: Vec<f64> = (0..3).map(|j| p[j] * (y[j] - mu) / bgsd).collect();
    let d_cov: Vec<f64> = (0..3)
        .map(|j| 100.0 * (d_bgsd[j] / mu - bgsd * p[j] / (mu * mu)))
        .collect();
    let delta = |g: &[f64]| (0..3).map(|j| (g[j] * se[j]).powi(2)).sum::<f64>().sqrt();
    let rows = summary::summarise(&three_regions(se, 40_000, 11)).unwrap();
    for (m, expected_value, expected_se) in [
        ("bgsd", bgsd, delta(&d_bgsd)),
        ("cov", 100.0 * bgsd / mu, delta(&d_cov)),
    ] {
        let r = row(&rows, m, "heat-simulated");
        assert_close(r.value.unwrap(), expected_value, 1e-12, m);
        assert_close(r.se.unwrap(), expected_se, 0.03, m);
        let width = r.upper.unwrap() - r.lower.unwrap();
        assert_close(width, 2.0 * Z95 * expected_se, 0.05, m);
    }
}

/// (c) The same seed gives identical rows; another seed other intervals.
#[test]
fn simulation_is_reproducible_by_seed() {
    let mut ordered = clean_ordered();
    ordered.reps = 2000;
    // Ten simulated HEAT rows, or the two phe-linear ones.
    for (d, expected) in [(clean_nonordered(), 10), (ordered, 2)] {
        let a = summary::summarise(&d).unwrap();
        assert_eq!(a, summary::summarise(&d).unwrap());
        let other = summary::summarise(&DimensionInput {
            seed: d.seed + 1,
            ..d.clone()
        })
        .unwrap();
        let simulated = |r: &&SummaryRow| r.method == "heat-simulated" || r.method == "phe-linear";
        let (mut compared, mut differ) = (0, 0);
        for (x, y) in a.iter().zip(&other).filter(|(x, _)| simulated(x)) {
            if x.value.is_some() {
                compared += 1;
                assert_eq!(
                    x.value, y.value,
                    "{} point values do not depend on the seed",
                    x.measure
                );
                differ += usize::from(x.lower != y.lower && x.upper != y.upper);
            }
        }
        assert_eq!(compared, expected);
        assert_eq!(differ, compared);
    }
}

/// (c) HEAT's draws stay within 0-100 on scale 100 and above 0 otherwise.
/// Known truth: with no populations MDMU is measured from the setting
/// average a = 50 (fixed), so for estimates 100 (SE 4), 40 and 60 (SE
/// 1e-9) it is (|y - 50| + 20) / 3 with y = 100 - 4|Z| under truncation at
/// 100: MDMU = value - 4|Z|/3, never above its value, and its 2.5th
/// percentile is value - 4 · 2.2414 / 3 (|Z|'s 97.5th percentile is
/// qnorm(0.9875) = 2.2414). Without truncation the upper limit would be
/// value + 2.61. A subgroup at 0 on scale 1 000 (drawn above 0) mirrors it.
/// The Monte Carlo SE of that percentile with 20 000 draws is about 0.02.
#[test]
fn simulation_draws_within_heats_range() {
    let q = 2.241402727604945; // qnorm(0.9875)
    for (scale, edge) in [(100.0, 100.0), (1000.0, 0.0)] {
        let d = DimensionInput {
            scale: Some(scale),
            reps: 20_000,
            ..dimension(
                [(edge, 4.0), (40.0, 1e-9), (60.0, 1e-9)]
                    .iter()
                    .map(|&(e, s)| SubgroupInput {
                        population: None,
                        ..group(e, s, 0.0)
                    })
                    .collect(),
            )
        };
        let rows = summary::summarise(&d).unwrap();
        let r = row(&rows, "mdmu", "heat-simulated");
        let v = r.value.unwrap();
        assert_close(v, 70.0 / 3.0, 1e-12, "mdmu");
        assert!(r.upper.unwrap() <= v, "scale {scale}: {r:?}");
        assert!(
            (r.lower.unwrap() - (v - 4.0 * q / 3.0)).abs() < 0.1,
            "scale {scale}: {r:?}"
        );
    }
}

/// HEAT's own count of 100 simulated data sets works for HEAT's rows;
/// PHE's SII, which needs at least 1 000 draws, says so in its note.
#[test]
fn heat_repetitions_and_phe_minimum() {
    let d = DimensionInput {
        reps: HEAT_REPETITIONS,
        phe_reps: 999,
        ..clean_ordered()
    };
    let rows = summary::summarise(&d).unwrap();
    assert!(row(&rows, "sii", "heat-logistic").value.is_some());
    let phe = row(&rows, "sii", "phe-linear");
    assert_eq!(phe.value, None);
    assert!(phe.note.contains("1000 or greater"), "{}", phe.note);
    let rows = summary::summarise(&DimensionInput {
        reps: HEAT_REPETITIONS,
        ..clean_nonordered()
    })
    .unwrap();
    assert!(row(&rows, "bgsd", "heat-simulated").lower.is_some());
}

/// (d) A subgroup of population 0 in an ordered dimension: the rank-based
/// measures, whose midpoint ranks need positive populations, are empty
/// with a note; the rest of the table is computed.
#[test]
fn zero_population_in_ordered_dimension_empties_only_rank_measures() {
    let mut d = clean_ordered();
    d.reps = 2000;
    d.groups[1].population = Some(0.0);
    let rows = summary::summarise(&d).unwrap();
    for (m, method) in [
        ("sii", "heat-logistic"),
        ("sii", "phe-linear"),
        ("rii", "heat-logistic"),
        ("rii", "phe-linear"),
        ("aci", "heat"),
        ("rci", "heat"),
    ] {
        let r = row(&rows, m, method);
        assert_eq!(r.value, None, "{m} {method}");
        assert!(
            r.note.starts_with("not computed: ") && r.note.contains("population"),
            "{m} {method}: {}",
            r.note
        );
    }
    for m in ["d", "r", "paf", "par"] {
        assert!(row(&rows, m, "heat").value.is_some(), "{m}");
    }
}

/// (d) In a non-ordered dimension a zero population is a zero weight: the
/// weighted measures equal those without that subgroup. With every
/// population zero the weighted measures are empty with a note, while D, R,
/// MDBU and MDRU (which use no population) and MDMU/IDISU (measured from
/// the setting average, HEAT's `get_weighted_mean`) are computed.
#[test]
fn zero_populations_in_nonordered_dimension() {
    let mut d = clean_nonordered();
    d.groups[5].population = Some(0.0);
    let mut without = clean_nonordered();
    without.groups.remove(5);
    let (a, b) = (
        summary::summarise(&d).unwrap(),
        summary::summarise(&without).unwrap(),
    );
    for m in [
        "bgv", "bgsd", "cov", "mdmw", "idisw", "ti", "mld", "mdbw", "mdrw",
    ] {
        let method = method_of(m);
        assert_close(value(&a, m, method), value(&b, m, method), 1e-12, m);
    }

    let mut zero = clean_nonordered();
    zero.groups
        .iter_mut()
        .for_each(|g| g.population = Some(0.0));
    let rows = summary::summarise(&zero).unwrap();
    for m in [
        "bgv", "bgsd", "cov", "mdbw", "mdmw", "mdrw", "idisw", "ti", "mld", "paf", "par",
    ] {
        let r = row(&rows, m, method_of(m));
        assert_eq!(r.value, None, "{m}");
        assert!(
            r.note.starts_with("not computed: ") && r.note.contains("population"),
            "{m}: {}",
            r.note
        );
    }
    for m in ["d", "r", "mdbu", "mdru"] {
        assert!(row(&rows, m, method_of(m)).value.is_some(), "{m}");
    }
    let est: Vec<f64> = zero.groups.iter().map(|g| g.estimate.unwrap()).collect();
    let md = est.iter().map(|y| (y - 50.0).abs()).sum::<f64>() / est.len() as f64;
    assert_close(value(&rows, "mdmu", "heat-simulated"), md, 1e-12, "mdmu");
    assert_close(
        value(&rows, "idisu", "heat-simulated"),
        100.0 * md / 50.0,
        1e-12,
        "idisu",
    );
}

/// (e) When the most advantaged have the lower value the SII of both
/// methods is negative (its interval too, with these SEs) and the RII
/// below 1, whatever the polarity: the SII runs from the most
/// disadvantaged (rank 0) to the most advantaged (rank 1).
#[test]
fn negative_sii_stays_negative() {
    for polarity in [Polarity::Favourable, Polarity::Adverse] {
        let mut d = clean_ordered();
        d.reps = 2000;
        d.polarity = polarity;
        d.groups.reverse();
        for (i, g) in d.groups.iter_mut().enumerate() {
            g.order = Some(i as u32 + 1); // now 60, 50, 40, 30, 20
        }
        let rows = summary::summarise(&d).unwrap();
        for method in ["heat-logistic", "phe-linear"] {
            let sii = row(&rows, "sii", method);
            assert!(sii.value.unwrap() < 0.0, "{method} {sii:?}");
            assert!(sii.upper.unwrap() < 0.0, "{method} {sii:?}");
            assert!(value(&rows, "rii", method) < 1.0, "{method}");
        }
    }
}

/// The HEAT SII/RII use the given indicator scale (HEAT's `calc_sii`), not
/// healthequal's inferred one: a rate of 2-10 per 1 000 is the proportion
/// 0.2-1% whether written per 1 000 or as a percentage 0.2-1, so its SII is
/// 10 times the percentage one and its RII the same. Without a scale, 100
/// is inferred from a largest value of 10, and the note says so.
#[test]
fn heat_sii_uses_the_given_scale() {
    let quintiles = |scale: Option<f64>, factor: f64| DimensionInput {
        scale,
        ..dimension(
            (1..=5)
                .map(|o| SubgroupInput {
                    order: Some(o),
                    ..group(2.0 * f64::from(o) * factor, 0.5 * factor, 10_000.0)
                })
                .collect(),
        )
    };
    let per_1000 = summary::summarise(&quintiles(Some(1000.0), 1.0)).unwrap();
    let percent = summary::summarise(&quintiles(Some(100.0), 0.1)).unwrap();
    let m = "heat-logistic";
    assert_close(
        value(&per_1000, "sii", m),
        10.0 * value(&percent, "sii", m),
        1e-9,
        "sii",
    );
    assert_close(
        value(&per_1000, "rii", m),
        value(&percent, "rii", m),
        1e-9,
        "rii",
    );
    let inferred = summary::summarise(&quintiles(None, 1.0)).unwrap();
    let sii = row(&inferred, "sii", m);
    assert!(sii.note.contains("100 inferred"), "{}", sii.note);
    assert!(!close(sii.value.unwrap(), value(&per_1000, "sii", m), 1e-3));
}

/// HEAT's outlier rule (`HEAT_measures_outlier2NA`): an RII outside 0-700
/// is removed. The linear fit of 2, 40, 60, 80, 98 on ranks .1-.9 has
/// slope 116 and intercept -2, so PHE's RII is 114 / -2 = -57.
#[test]
fn rii_outside_heats_valid_range_is_removed() {
    let mut d = clean_ordered();
    d.reps = 2000;
    for (g, e) in d.groups.iter_mut().zip([2.0, 40.0, 60.0, 80.0, 98.0]) {
        g.estimate = Some(e);
        g.population = Some(1000.0);
    }
    let rows = summary::summarise(&d).unwrap();
    let rii = row(&rows, "rii", "phe-linear");
    assert_eq!(rii.value, None);
    assert!(
        rii.note.contains("-57") && rii.note.contains("(HEAT_measures_outlier2NA)"),
        "{}",
        rii.note
    );
    assert_close(value(&rows, "sii", "phe-linear"), 116.0, 1e-9, "sii");
}

/// A missing SE is derived from 95% limits as (upper - lower) / (2 · 1.96):
/// limits built from an SE give the rows of that SE.
#[test]
fn se_from_limits() {
    let d = clean_nonordered();
    let mut limits = d.clone();
    for g in &mut limits.groups {
        let (e, s) = (g.estimate.unwrap(), g.se.take().unwrap());
        g.lower = Some(e - Z95 * s);
        g.upper = Some(e + Z95 * s);
    }
    assert!(!summary::failing_tests(&limits).contains(&SuppressionTest::SeAllMissing));
    let (a, b) = (
        summary::summarise(&d).unwrap(),
        summary::summarise(&limits).unwrap(),
    );
    for (x, y) in a.iter().zip(&b) {
        for (u, v) in [(x.se, y.se), (x.lower, y.lower), (x.upper, y.upper)] {
            match (u, v) {
                (Some(u), Some(v)) => assert_close(v, u, 1e-9, x.measure),
                (u, v) => assert_eq!(u, v, "{}", x.measure),
            }
        }
    }
    assert!(row(&b, "d", "heat").se.is_some());
}

/// Invalid input fails the whole call with an error, never a panic; the
/// validation tests still evaluate.
#[test]
fn invalid_input_is_an_error() {
    fn edited(f: impl FnOnce(&mut DimensionInput)) -> DimensionInput {
        let mut d = clean_nonordered();
        f(&mut d);
        d
    }
    let mut gap = clean_ordered();
    gap.groups[4].order = Some(7);
    let cases = [
        (edited(|d| d.confidence = 95.0), "confidence level"),
        (edited(|d| d.reps = 0), "simulated data sets"),
        (
            edited(|d| d.reps = summary::MAX_REPETITIONS + 1),
            "from 1 to 10000000",
        ),
        (
            edited(|d| d.phe_reps = summary::MAX_REPETITIONS + 1),
            "at most 10000000",
        ),
        (edited(|d| d.scale = Some(0.0)), "indicator scale"),
        (
            edited(|d| d.setting_average = Some(f64::NAN)),
            "setting average must be a finite",
        ),
        (
            edited(|d| d.groups[0].order = Some(1)),
            "every subgroup or none",
        ),
        (gap, "1, 2, ..., n"),
        (
            edited(|d| d.groups[0].population = Some(-1.0)),
            "population must be greater than or equal to zero",
        ),
        (
            edited(|d| d.groups[0].estimate = Some(f64::INFINITY)),
            "estimate must be a finite",
        ),
        (
            edited(|d| d.groups[0].se = Some(-0.5)),
            "standard error must be",
        ),
        (
            edited(|d| {
                d.groups[0].se = None;
                d.groups[0].lower = Some(20.0);
            }),
            "without the other",
        ),
        (
            edited(|d| {
                d.groups[0].se = None;
                d.groups[0].lower = Some(35.0);
                d.groups[0].upper = Some(25.0);
            }),
            "below the lower",
        ),
    ];
    for (d, why) in &cases {
        match summary::summarise(d) {
            Err(e) => assert!(e.to_string().contains(why), "{e} should say {why:?}"),
            Ok(_) => panic!("accepted: {why}"),
        }
        let _ = summary::failing_tests(d);
    }
    assert!(matches!(
        summary::summarise(&cases[0].0),
        Err(MeasureError::InvalidConfidence(_))
    ));
}

/// An estimate far outside HEAT's simulation range (a negative percentage
/// with a small SE) gets no interval, with a note, instead of HEAT's
/// endless redrawing; the point values are still reported.
#[test]
fn estimate_outside_the_simulation_range_gets_no_interval() {
    let mut d = clean_nonordered();
    d.groups[0].estimate = Some(-5.0);
    let rows = summary::summarise(&d).unwrap();
    for r in rows.iter().filter(|r| r.method == "heat-simulated") {
        assert!(r.value.is_some(), "{}", r.measure);
        assert_eq!(
            (r.lower, r.upper, r.se),
            (None, None, None),
            "{}",
            r.measure
        );
        assert!(r.note.contains("no interval: estimate -5"), "{}", r.note);
    }
}

/// What the shape alone rules out is exactly what `summarise` leaves without a value on clean
/// data of that shape (every estimate, standard error and population present, estimates
/// distinct), ordered or not, for 1 to 8 subgroups: the plan and the "ikke beregnet" of a
/// withheld measure rest on `not_for_shape`, the released values on `summarise`. Where the
/// shape rules a measure out, `summarise`'s note gives the same reasons (and may add the data's).
#[test]
fn the_shape_rules_out_exactly_what_summarise_does_not_compute() {
    for ordered in [false, true] {
        for n in 1..=8usize {
            let d = dimension(
                (0..n)
                    .map(|i| SubgroupInput {
                        order: ordered.then_some(i as u32 + 1),
                        reference: !ordered && i == 0,
                        ..group(20.0 + 7.0 * i as f64, 1.5, 2000.0 - 100.0 * i as f64)
                    })
                    .collect(),
            );
            for r in summary::summarise(&d).expect("clean input") {
                let reason = summary::not_for_shape(r.measure, r.method, ordered, n);
                assert_eq!(
                    reason.is_none(),
                    r.value.is_some(),
                    "{} {} ordered={ordered} n={n}: shape says {reason:?}, summarise wrote {:?} ({})",
                    r.measure,
                    r.method,
                    r.value,
                    r.note
                );
                if let Some(reason) = reason {
                    let (kind, parts) = reason.split_once(": ").expect("kind: reasons");
                    assert!(r.note.starts_with(kind), "{reason} / {}", r.note);
                    for part in parts.split("; ") {
                        assert!(r.note.contains(part), "{reason} / {}", r.note);
                    }
                }
            }
        }
    }
}
