use ulighed::measures::{
    concentration::{self, RciCorrection},
    dispersion::{self, MeanDifferenceFrom},
    interval::MeasureError,
    paf, simple,
    subgroup::{Measure, Polarity, Subgroup},
};

use crate::common;
use common::{Table, assert_close};

const Z95: f64 = 1.959963984540054;

fn ordered_vector() -> Vec<Subgroup> {
    let t = Table::load("healthequal_testvector_ordered_inputs.csv");
    (0..t.len())
        .map(|r| Subgroup {
            estimate: t.num(r, "est"),
            se: Some(t.num(r, "se")),
            population: t.num(r, "pop"),
            order: Some(t.num(r, "subgroup_order") as u32),
            reference: false,
        })
        .collect()
}

fn nonordered_vector() -> Vec<Subgroup> {
    let t = Table::load("healthequal_testvector_nonordered_inputs.csv");
    (0..t.len())
        .map(|r| Subgroup {
            estimate: t.num(r, "est"),
            se: Some(t.num(r, "se")),
            population: t.num(r, "pop"),
            order: None,
            reference: t.num(r, "reference_subgroup") == 1.0,
        })
        .collect()
}

/// The healthequal sample data sets (OrderedSample, NonorderedSample).
fn sample(name: &str, ordered: bool) -> Vec<Subgroup> {
    let t = Table::load(name);
    (0..t.len())
        .map(|r| Subgroup {
            estimate: t.num(r, "estimate"),
            se: Some(t.num(r, "se")),
            population: t.num(r, "population"),
            order: ordered.then(|| t.num(r, "subgroup_order") as u32),
            reference: !ordered && t.num(r, "reference_subgroup") == 1.0,
        })
        .collect()
}

/// Compares a measure with a row of an expected-values table.
fn check(got: Measure, t: &Table, r: usize, tol: f64, ctx: &str) {
    assert_close(got.value, t.num(r, "estimate"), tol, ctx);
    if let Some(se) = t.opt(r, "se") {
        assert_close(got.se.unwrap_or(f64::NAN), se, tol, ctx);
        // A blank limit, or the formula "est-1.96*se", means the peer test
        // derives it as estimate -/+ qnorm(0.975) * se.
        let limit = |col: &str, sign: f64| {
            t.str(r, col)
                .parse::<f64>()
                .unwrap_or(t.num(r, "estimate") + sign * Z95 * se)
        };
        let (lower, upper) = (limit("lowerci", -1.0), limit("upperci", 1.0));
        assert_close(got.lower.unwrap_or(f64::NAN), lower, tol, ctx);
        assert_close(got.upper.unwrap_or(f64::NAN), upper, tol, ctx);
    }
}

/// healthequal's ordered test vector: ACI, RCI, PAF, PAR at the package's
/// test tolerances.
#[test]
fn ordered_vector_matches_healthequal() {
    let g = ordered_vector();
    let t = Table::load("healthequal_testvector_ordered_expected.csv");
    for r in 0..t.len() {
        let tol = t.num(r, "tolerance_in_test");
        let got = match t.str(r, "measure") {
            "ACI" => concentration::aci(&g, 0.95).unwrap(),
            "RCI" => concentration::rci(&g, RciCorrection::None, None, 0.95).unwrap(),
            "PAF" => paf::paf(&g, Polarity::Favourable, 100.0, 0.95).unwrap(),
            "PAR" => paf::par(&g, Polarity::Favourable, 100.0, 0.95).unwrap(),
            _ => continue, // SII and RII: tests/sii.rs
        };
        check(got, &t, r, tol, t.str(r, "measure"));
    }
}

/// healthequal's non-ordered test vector (inputs regenerated in R from the
/// seed of its tests; expected values from tests/testthat/test-*.R).
#[test]
fn nonordered_vector_matches_healthequal() {
    let g = nonordered_vector();
    let fav = Polarity::Favourable;
    let t = Table::load("healthequal_testvector_nonordered_expected.csv");
    for r in 0..t.len() {
        let tol = t.num(r, "tolerance_in_test");
        let m = t.str(r, "measure");
        let got = match m {
            "BGV" => dispersion::bgv(&g, 0.95),
            "BGSD" => dispersion::bgsd(&g),
            "IDISU" => dispersion::index_of_disparity(&g, false),
            "IDISW" => dispersion::index_of_disparity(&g, true),
            "MDBU" => dispersion::mean_difference(&g, MeanDifferenceFrom::Best(fav), false),
            "MDBW" => dispersion::mean_difference(&g, MeanDifferenceFrom::Best(fav), true),
            "MDMU" => dispersion::mean_difference(&g, MeanDifferenceFrom::Mean, false),
            "MDMW" => dispersion::mean_difference(&g, MeanDifferenceFrom::Mean, true),
            "MDRU" => dispersion::mean_difference(&g, MeanDifferenceFrom::Reference, false),
            "MDRW" => dispersion::mean_difference(&g, MeanDifferenceFrom::Reference, true),
            "MLD" => dispersion::mean_log_deviation(&g, 0.95),
            "TI" => dispersion::theil(&g, 0.95),
            "PAF" => paf::paf(&g, fav, 100.0, 0.95),
            "PAR" => paf::par(&g, fav, 100.0, 0.95),
            other => panic!("unexpected measure {other}"),
        }
        .unwrap();
        check(got, &t, r, tol, m);
    }
    assert_eq!(t.len(), 14);
}

/// healthequal's own functions run in R on its sample data sets
/// (tests/data/healthequal_reference.R): D and R under every reference
/// rule, PAF/PAR for both polarities, and the dispersion measures. These
/// are deterministic, so the tolerance is 1e-9.
#[test]
fn sample_data_match_healthequal_run_in_r() {
    let ordered = sample("OrderedSample.csv", true);
    let nonordered = sample("NonorderedSample.csv", false);
    let without_reference: Vec<Subgroup> = nonordered
        .iter()
        .map(|g| Subgroup {
            reference: false,
            ..*g
        })
        .collect();
    let t = Table::load("healthequal_reference_results.csv");
    for r in 0..t.len() {
        let variant = t.str(r, "variant");
        let polarity = if variant.contains("favourable=0") {
            Polarity::Adverse
        } else {
            Polarity::Favourable
        };
        let g: &[Subgroup] = match (t.str(r, "data_set"), variant.contains("reference")) {
            ("ordered", _) => &ordered,
            (_, true) => &nonordered,
            _ => &without_reference,
        };
        let m = t.str(r, "measure");
        let got = match m {
            "d" => simple::difference(g, polarity, 0.95),
            "r" => simple::ratio(g, polarity, 0.95),
            "paf" => paf::paf(g, polarity, 100.0, 0.95),
            "par" => paf::par(g, polarity, 100.0, 0.95),
            "bgv" => dispersion::bgv(g, 0.95),
            "ti" => dispersion::theil(g, 0.95),
            "mld" => dispersion::mean_log_deviation(g, 0.95),
            "bgsd" => dispersion::bgsd(g),
            "cov" => dispersion::cov(g),
            "mdmu" => dispersion::mean_difference(g, MeanDifferenceFrom::Mean, false),
            "mdmw" => dispersion::mean_difference(g, MeanDifferenceFrom::Mean, true),
            "idisu" => dispersion::index_of_disparity(g, false),
            "idisw" => dispersion::index_of_disparity(g, true),
            other => panic!("unexpected measure {other}"),
        }
        .unwrap();
        check(
            got,
            &t,
            r,
            1e-9,
            &format!("{m} {} {variant}", t.str(r, "data_set")),
        );
    }
    assert_eq!(t.len(), 29);
}

#[test]
fn heat_measure_errors() {
    let g = ordered_vector();
    assert!(matches!(
        paf::paf(&g[..2], Polarity::Favourable, 100.0, 0.95),
        Err(MeasureError::WrongGroupCount { .. })
    ));
    assert!(matches!(
        simple::difference(&g[..1], Polarity::Favourable, 0.95),
        Err(MeasureError::WrongGroupCount { .. })
    ));
    let mut mixed = g.clone();
    mixed[0].order = None;
    assert!(matches!(
        simple::difference(&mixed, Polarity::Favourable, 0.95),
        Err(MeasureError::Invalid(_))
    ));
    let non = nonordered_vector();
    assert!(concentration::aci(&non, 0.95).is_err());
    let no_ref: Vec<Subgroup> = non
        .iter()
        .map(|s| Subgroup {
            reference: false,
            ..*s
        })
        .collect();
    assert!(dispersion::mean_difference(&no_ref, MeanDifferenceFrom::Reference, false).is_err());
    let zero_pop: Vec<Subgroup> = non
        .iter()
        .map(|s| Subgroup {
            population: 0.0,
            ..*s
        })
        .collect();
    assert!(matches!(
        dispersion::bgv(&zero_pop, 0.95),
        Err(MeasureError::ZeroDenominator { .. })
    ));
    let zero = [
        Subgroup {
            estimate: 0.0,
            ..non[0]
        },
        non[1],
        non[2],
    ];
    assert!(simple::ratio(&zero, Polarity::Adverse, 0.95).is_err());
}

/// The Wagstaff and Erreygers corrections rescale the RCI's left-hand side
/// by a constant, so on 0-1 data they equal RCI/(1-μ) and 4μ·RCI (Wagstaff
/// 2005; Erreygers 2009), μ the population-weighted mean.
#[test]
fn rci_corrections_are_the_published_rescalings() {
    let g = ordered_vector();
    let mu = g.iter().map(|s| s.population * s.estimate).sum::<f64>()
        / g.iter().map(|s| s.population).sum::<f64>()
        / 100.0;
    let plain = concentration::rci(&g, RciCorrection::None, Some((0.0, 100.0)), 0.95).unwrap();
    let expected = Table::load("healthequal_testvector_ordered_expected.csv");
    let rci_row = expected.where_eq("measure", "RCI")[0];
    assert_close(
        plain.value,
        expected.num(rci_row, "estimate"),
        1e-3,
        "RCI on 0-1 scale",
    );
    let w = concentration::rci(&g, RciCorrection::Wagstaff, Some((0.0, 100.0)), 0.95).unwrap();
    assert_close(w.value, plain.value / (1.0 - mu), 1e-12, "Wagstaff");
    let e = concentration::rci(&g, RciCorrection::Erreygers, Some((0.0, 100.0)), 0.95).unwrap();
    assert_close(e.value, 4.0 * mu * plain.value, 1e-12, "Erreygers");
}
