use ulighed::measures::{interval::MeasureError, mean, proportion, rate};

use crate::common;
use common::{TESTTHAT_TOL, Table, assert_close};

/// Confidence from PHE's "95%" / "99.8%" labels.
fn level(label: &str) -> f64 {
    match label {
        "95%" => 0.95,
        "99.8%" => 0.998,
        other => panic!("unexpected confidence label {other}"),
    }
}

/// testdata_B_W: internal byars_lower/upper and wilson_lower/upper.
#[test]
fn byars_and_wilson_match_phe_internal_functions() {
    let t = Table::load("testdata_Byars_Wilson__testdata_B_W.csv");
    let mut checked = 0;
    for r in 0..t.len() {
        let x = t.num(r, "x");
        let conf = level(t.str(r, "confidence"));
        let ctx = format!("B_W row {}", r + 2);
        match t.str(r, "method") {
            "Byars" => {
                match t.opt(r, "lowercl") {
                    Some(e) => {
                        assert_close(rate::byars_lower(x, conf).unwrap(), e, TESTTHAT_TOL, &ctx)
                    }
                    // PHE returns NA where Byar's lower limit goes negative.
                    None => assert!(matches!(
                        rate::byars_lower(x, conf),
                        Err(MeasureError::Undefined { .. })
                    )),
                }
                assert_close(
                    rate::byars_upper(x, conf).unwrap(),
                    t.num(r, "uppercl"),
                    TESTTHAT_TOL,
                    &ctx,
                );
            }
            "Wilson" => {
                let est = proportion::wilson(x, t.num(r, "n"), conf).unwrap();
                assert_close(est.lower, t.num(r, "lowercl"), TESTTHAT_TOL, &ctx);
                assert_close(est.upper, t.num(r, "uppercl"), TESTTHAT_TOL, &ctx);
            }
            other => panic!("unexpected method {other}"),
        }
        checked += 1;
    }
    assert_eq!(checked, 13);
}

fn check_limits(
    t: &Table,
    r: usize,
    est: ulighed::measures::Estimate,
    lower: &str,
    upper: &str,
    ctx: &str,
) {
    assert_close(est.value, t.num(r, "value"), TESTTHAT_TOL, ctx);
    assert_close(est.lower, t.num(r, lower), TESTTHAT_TOL, ctx);
    assert_close(est.upper, t.num(r, upper), TESTTHAT_TOL, ctx);
}

/// testdata_Prop: phe_proportion with multipliers 1 and 100, 95% and 99.8%.
/// Rows with a blank numerator or denominator are NA in PHE and are the
/// caller's concern (no value), so they are skipped here.
#[test]
fn wilson_matches_phe_proportion() {
    let t = Table::load("testdata_Proportion__testdata_Prop.csv");
    let mut checked = 0;
    for r in 0..t.len() {
        let (Some(x), Some(n)) = (t.opt(r, "Numerator"), t.opt(r, "Denominator")) else {
            continue;
        };
        let m = t.num(r, "multiplier");
        let ctx = format!("Prop row {}", r + 2);
        let e95 = proportion::wilson(x, n, 0.95).unwrap().scaled(m);
        check_limits(&t, r, e95, "lower95_0cl", "upper95_0cl", &ctx);
        let e998 = proportion::wilson(x, n, 0.998).unwrap().scaled(m);
        check_limits(&t, r, e998, "lower99_8cl", "upper99_8cl", &ctx);
        checked += 1;
    }
    assert_eq!(checked, 16);
}

/// testdata_Prop_g: phe_proportion on grouped (summed) counts.
#[test]
fn wilson_matches_phe_proportion_grouped() {
    let t = Table::load("testdata_Proportion__testdata_Prop_g.csv");
    let mut checked = 0;
    for r in 0..t.len() {
        let (Some(x), Some(n)) = (t.opt(r, "Numerator"), t.opt(r, "Denominator")) else {
            continue;
        };
        let est = proportion::wilson(x, n, 0.95).unwrap();
        check_limits(
            &t,
            r,
            est,
            "lowercl",
            "uppercl",
            &format!("Prop_g row {}", r + 2),
        );
        checked += 1;
    }
    assert_eq!(checked, 8);
}

#[test]
fn wilson_rejects_invalid_input_like_phe() {
    // The error cases of PHE's testWilson.R / testProportions.R.
    assert!(matches!(
        proportion::wilson(-4.0, 1.0, 0.95),
        Err(MeasureError::Negative { .. })
    ));
    assert!(matches!(
        proportion::wilson(10.0, -6.0, 0.95),
        Err(MeasureError::Negative { .. })
    ));
    assert!(matches!(
        proportion::wilson(80.0, 50.0, 0.95),
        Err(MeasureError::NumeratorExceedsDenominator { .. })
    ));
    for c in [0.0, 1.0, 14.0, 95.0, 125.0, f64::NAN] {
        assert!(matches!(
            proportion::wilson(65.0, 100.0, c),
            Err(MeasureError::InvalidConfidence(_))
        ));
    }
    assert_eq!(
        proportion::wilson(0.0, 0.0, 0.95),
        Err(MeasureError::ZeroDenominator {
            what: "denominator"
        })
    );
}

#[test]
fn wilson_with_zero_events_has_lower_limit_zero() {
    // Known truth: for x = 0 the Wilson lower limit is exactly 0 and the
    // upper limit is z^2 / (n + z^2).
    let e = proportion::wilson(0.0, 50.0, 0.95).unwrap();
    let z2 = 1.959963984540054f64.powi(2);
    assert_eq!(e.value, 0.0);
    assert_eq!(e.lower, 0.0);
    assert_close(e.upper, z2 / (50.0 + z2), 1e-12, "upper limit for 0/50");
}

/// testdata_Rate: phe_rate, Exact below 10 events and Byars at or above.
#[test]
fn rate_matches_phe_rate() {
    let t = Table::load("testdata_Rate__testdata_Rate.csv");
    let mut checked = 0;
    for r in 0..t.len() {
        let (Some(x), Some(n)) = (t.opt(r, "Numerator"), t.opt(r, "Denominator")) else {
            continue;
        };
        let m = t.num(r, "multiplier");
        let ctx = format!("Rate row {}", r + 2);
        let expected_method = match t.str(r, "method") {
            "Exact" => rate::PoissonMethod::Exact,
            _ => rate::PoissonMethod::Byar,
        };
        assert_eq!(rate::poisson_method(x), expected_method, "{ctx}");
        let e95 = rate::rate(x, n, 0.95).unwrap().scaled(m);
        check_limits(&t, r, e95, "lower95_0cl", "upper95_0cl", &ctx);
        let e998 = rate::rate(x, n, 0.998).unwrap().scaled(m);
        check_limits(&t, r, e998, "lower99_8cl", "upper99_8cl", &ctx);
        checked += 1;
    }
    assert_eq!(checked, 17);
}

#[test]
fn rate_matches_phe_rate_grouped() {
    let t = Table::load("testdata_Rate__testdata_Rate_g.csv");
    let mut checked = 0;
    for r in 0..t.len() {
        let (Some(x), Some(n)) = (t.opt(r, "Numerator"), t.opt(r, "Denominator")) else {
            continue;
        };
        let est = rate::rate(x, n, 0.95)
            .unwrap()
            .scaled(t.num(r, "multiplier"));
        check_limits(
            &t,
            r,
            est,
            "lowercl",
            "uppercl",
            &format!("Rate_g row {}", r + 2),
        );
        checked += 1;
    }
    assert_eq!(checked, 9);
}

#[test]
fn rate_with_zero_events_uses_exact_limits() {
    // Known truth: for x = 0 the exact lower limit is 0 and the upper limit
    // is -ln((1 - c)/2) (the chi-square with 2 df is exponential).
    let e = rate::rate(0.0, 1000.0, 0.95).unwrap();
    assert_eq!(e.value, 0.0);
    assert_eq!(e.lower, 0.0);
    assert_close(
        e.upper,
        -(0.025f64).ln() / 1000.0,
        1e-10,
        "upper limit for 0 events",
    );
    assert_eq!(
        rate::rate(3.0, 0.0, 0.95),
        Err(MeasureError::ZeroDenominator {
            what: "person-time"
        })
    );
    assert!(matches!(
        rate::rate(-1.0, 10.0, 0.95),
        Err(MeasureError::Negative { .. })
    ));
    assert!(matches!(
        rate::byars_upper(-4.0, 0.95),
        Err(MeasureError::Negative { .. })
    ));
    assert!(matches!(
        rate::byars_lower(65.0, 0.7 * 100.0),
        Err(MeasureError::InvalidConfidence(_))
    ));
}

/// testdata_Mean: phe_mean (Student's t) by area and ungrouped.
#[test]
fn mean_matches_phe_mean() {
    let data = Table::load("testdata_Mean__testdata_Mean.csv");
    let results = Table::load("testdata_Mean__testdata_Mean_results.csv");
    for r in 0..results.len() {
        let area = results.str(r, "area");
        let rows: Vec<usize> = if area == "No grouping" {
            (0..data.len()).collect()
        } else {
            data.where_eq("area", area)
        };
        let values = data.nums(&rows, "values");
        let s = mean::summarise(&values).unwrap();
        assert_close(s.sum, results.num(r, "value_sum"), TESTTHAT_TOL, area);
        assert_eq!(s.count as f64, results.num(r, "value_count"));
        assert_close(s.stdev, results.num(r, "stdev"), TESTTHAT_TOL, area);
        check_limits(
            &results,
            r,
            mean::mean(&values, 0.95).unwrap(),
            "lower95_0cl",
            "upper95_0cl",
            area,
        );
        check_limits(
            &results,
            r,
            mean::mean(&values, 0.998).unwrap(),
            "lower99_8cl",
            "upper99_8cl",
            area,
        );
    }
    assert_eq!(results.len(), 3);
    assert!(mean::mean(&[1.0], 0.95).is_err());
}
