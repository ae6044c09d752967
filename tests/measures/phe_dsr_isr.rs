use ulighed::measures::{
    dsr, interval::MeasureError, isr, rate::PoissonMethod, rate::poisson_method,
};

use crate::common;
use common::{TESTTHAT_TOL, Table, assert_close};

/// Counts (blank = NA = 0, as PHE's na.zero) and populations of one area.
fn area_bands(
    t: &Table,
    area_col: &str,
    area: &str,
    count_col: &str,
    pop_col: &str,
) -> (Vec<f64>, Vec<f64>) {
    let rows = t.where_eq(area_col, area);
    assert!(!rows.is_empty(), "no rows for {area}");
    let counts = rows
        .iter()
        .map(|&r| t.opt(r, count_col).unwrap_or(0.0))
        .collect();
    (counts, t.nums(&rows, pop_col))
}

/// "dsr per 100000" -> 100000.
fn multiplier_of(statistic: &str) -> f64 {
    statistic
        .rsplit(' ')
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no multiplier in {statistic:?}"))
}

#[test]
fn esp2013_matches_the_published_table() {
    let t = Table::load("esp2013.csv");
    assert_eq!(t.len(), dsr::ESP2013.len());
    for (r, (band, weight)) in dsr::ESP2013.iter().enumerate() {
        assert_eq!(t.str(r, "age_band"), *band);
        assert_eq!(t.num(r, "weight"), *weight);
    }
    assert_eq!(dsr::esp2013_weights().iter().sum::<f64>(), 100_000.0);
}

/// testresults_DSR rows 1-3 and 5-7: calculate_dsr on testdata_multiarea with
/// ESP2013 per 10 000 and per 100 000, 95% and 99.8% limits; the tiny area
/// (9 events) has no value.
#[test]
fn dsr_matches_phe_calculate_dsr() {
    let data = Table::load("testdata_DSR_ISR__testdata_multiarea.csv");
    let results = Table::load("testdata_DSR_ISR__testresults_DSR.csv");
    let esp = dsr::esp2013_weights();
    let mut checked = 0;
    for r in 0..results.len() {
        let area = results.str(r, "area");
        if !["testdata_big", "testdata_small", "testdata_tiny"].contains(&area) {
            continue;
        }
        let (x, n) = area_bands(&data, "area", area, "count", "pop");
        let ctx = format!("testresults_DSR row {} ({area})", r + 2);
        match results.opt(r, "value") {
            None => {
                let err = dsr::dsr(&x, &n, &esp, 0.95).unwrap_err();
                assert!(
                    matches!(err, MeasureError::TooFewEvents { found, .. } if found == 9.0),
                    "{ctx}"
                );
            }
            Some(_) => {
                let m = multiplier_of(results.str(r, "statistic"));
                let d95 = dsr::dsr(&x, &n, &esp, 0.95).unwrap();
                assert_eq!(d95.total_events, results.num(r, "total_count"), "{ctx}");
                assert_eq!(d95.total_population, results.num(r, "total_pop"), "{ctx}");
                let e = d95.estimate.scaled(m);
                assert_close(e.value, results.num(r, "value"), TESTTHAT_TOL, &ctx);
                assert_close(e.lower, results.num(r, "lower95_0cl"), TESTTHAT_TOL, &ctx);
                assert_close(e.upper, results.num(r, "upper95_0cl"), TESTTHAT_TOL, &ctx);
                let e = dsr::dsr(&x, &n, &esp, 0.998).unwrap().estimate.scaled(m);
                assert_close(e.lower, results.num(r, "lower99_8cl"), TESTTHAT_TOL, &ctx);
                assert_close(e.upper, results.num(r, "upper99_8cl"), TESTTHAT_TOL, &ctx);
            }
        }
        checked += 1;
    }
    assert_eq!(checked, 6);
}

/// testresults_DSR row 8 (and 4): a user-supplied standard (ESP 1976, 18
/// bands). Only the value and 95% limits are asserted, as in PHE: the
/// sheet's 99.8% limits for this row are ten times too large.
#[test]
fn dsr_with_user_supplied_standard_matches_phe() {
    let data = Table::load("testdata_DSR_ISR__testdata_1976.csv");
    let results = Table::load("testdata_DSR_ISR__testresults_DSR.csv");
    let all: Vec<usize> = (0..data.len()).collect();
    let d = dsr::dsr(
        &data.nums(&all, "count"),
        &data.nums(&all, "pop"),
        &data.nums(&all, "esp1976"),
        0.95,
    )
    .unwrap();
    let rows = results.where_eq("area", "testdata_1976");
    assert_eq!(rows.len(), 2);
    for r in rows {
        let e = d
            .estimate
            .scaled(multiplier_of(results.str(r, "statistic")));
        let ctx = format!("testresults_DSR row {}", r + 2);
        assert_eq!(d.total_events, results.num(r, "total_count"));
        assert_close(e.value, results.num(r, "value"), TESTTHAT_TOL, &ctx);
        assert_close(e.lower, results.num(r, "lower95_0cl"), TESTTHAT_TOL, &ctx);
        assert_close(e.upper, results.num(r, "upper95_0cl"), TESTTHAT_TOL, &ctx);
    }
}

/// testresults_DSR rows 9-12: independent_events = FALSE with persons by
/// event frequency f1..f4 (blank = NA = 0). Expected values are given to 8
/// decimals in the sheet, so the tolerance is 1e-8 relative.
#[test]
fn dsr_non_independent_matches_phe() {
    let data = Table::load("testdata_DSR_ISR__testdata_nonindepe.csv");
    let results = Table::load("testdata_DSR_ISR__testresults_DSR.csv");
    let esp = dsr::esp2013_weights();
    let mut checked = 0;
    for r in 0..results.len() {
        let area = results.str(r, "area");
        if !area.starts_with("testdata_nonind") {
            continue;
        }
        let rows = data.where_eq("area", area);
        let pop = data.nums(&rows, "pop");
        let persons: Vec<Vec<f64>> = (1..=4)
            .map(|f| {
                rows.iter()
                    .map(|&i| data.opt(i, &format!("f{f}")).unwrap_or(0.0))
                    .collect()
            })
            .collect();
        let counts: Vec<dsr::FrequencyCounts> = persons
            .iter()
            .enumerate()
            .map(|(i, p)| dsr::FrequencyCounts {
                frequency: (i + 1) as f64,
                persons: p,
            })
            .collect();
        let ctx = format!("testresults_DSR row {} ({area})", r + 2);
        match results.opt(r, "value") {
            None => assert!(
                matches!(
                    dsr::dsr_non_independent(&counts, &pop, &esp, 0.95),
                    Err(MeasureError::TooFewEvents { .. })
                ),
                "{ctx}"
            ),
            Some(value) => {
                let d = dsr::dsr_non_independent(&counts, &pop, &esp, 0.95).unwrap();
                assert_eq!(d.total_events, results.num(r, "total_count"), "{ctx}");
                let e = d.estimate.scaled(100_000.0);
                assert_close(e.value, value, 1e-8, &ctx);
                assert_close(e.lower, results.num(r, "lower95_0cl"), 1e-8, &ctx);
                assert_close(e.upper, results.num(r, "upper95_0cl"), 1e-8, &ctx);
                let e = dsr::dsr_non_independent(&counts, &pop, &esp, 0.998)
                    .unwrap()
                    .estimate
                    .scaled(100_000.0);
                assert_close(e.lower, results.num(r, "lower99_8cl"), 1e-8, &ctx);
                assert_close(e.upper, results.num(r, "upper99_8cl"), 1e-8, &ctx);
            }
        }
        checked += 1;
    }
    assert_eq!(checked, 4);
}

/// PHE's error cases testdata_err1-4: each gives an Err, never a panic. In
/// err2 only Area1 has a zero population: Area2 still gets its value (the
/// same counts and populations as testdata_small).
#[test]
fn dsr_error_cases_match_phe() {
    let esp = dsr::esp2013_weights();
    let all = |t: &Table| (0..t.len()).collect::<Vec<usize>>();
    let err1 = Table::load("testdata_DSR_ISR__testdata_err1.csv");
    let rows = all(&err1);
    assert!(matches!(
        dsr::dsr(
            &err1.nums(&rows, "count"),
            &err1.nums(&rows, "pop"),
            &err1.nums(&rows, "stdpop"),
            0.95
        ),
        Err(MeasureError::Negative { what: "events", .. })
    ));
    let err3 = Table::load("testdata_DSR_ISR__testdata_err3.csv");
    assert!(matches!(
        dsr::dsr(
            &err3.nums(&rows, "count"),
            &err3.nums(&rows, "pop"),
            &err3.nums(&rows, "stdpop"),
            0.95
        ),
        Err(MeasureError::Negative {
            what: "population",
            ..
        })
    ));
    let err4 = Table::load("testdata_DSR_ISR__testdata_err4.csv");
    assert!(matches!(
        dsr::dsr(
            &err4.nums(&rows, "count"),
            &err4.nums(&rows, "pop"),
            &err4.nums(&rows, "stdpop"),
            0.95
        ),
        Err(MeasureError::Negative {
            what: "standard population weight",
            ..
        })
    ));

    let err2 = Table::load("testdata_DSR_ISR__testdata_err2.csv");
    let (x1, n1) = area_bands(&err2, "area", "Area1", "count", "pop");
    assert_eq!(
        dsr::dsr(&x1, &n1, &esp, 0.95).unwrap_err(),
        MeasureError::ZeroDenominator { what: "population" }
    );
    let (x2, n2) = area_bands(&err2, "area", "Area2", "count", "pop");
    let results = Table::load("testdata_DSR_ISR__testresults_DSR.csv");
    let small = results.where_eq("area", "testdata_small")[1];
    let e = dsr::dsr(&x2, &n2, &esp, 0.95)
        .unwrap()
        .estimate
        .scaled(100_000.0);
    assert_close(
        e.value,
        results.num(small, "value"),
        TESTTHAT_TOL,
        "err2 Area2",
    );
    assert_close(
        e.upper,
        results.num(small, "upper95_0cl"),
        TESTTHAT_TOL,
        "err2 Area2",
    );

    assert!(matches!(
        dsr::dsr(&x2, &n2[..18], &esp, 0.95),
        Err(MeasureError::LengthMismatch { .. })
    ));
    assert!(matches!(
        dsr::dsr(&x2, &n2, &esp, 95.0),
        Err(MeasureError::InvalidConfidence(_))
    ));
}

/// testresults_ISR rows 1-12: calculate_ISRate (per 100 000 and per 1 000)
/// and calculate_ISRatio (x1 and x100) with the reference in refdata.
#[test]
fn isr_matches_phe_calculate_israte_and_isratio() {
    let data = Table::load("testdata_DSR_ISR__testdata_multiarea.csv");
    let refdata = Table::load("testdata_DSR_ISR__refdata.csv");
    let results = Table::load("testdata_DSR_ISR__testresults_ISR.csv");
    let all: Vec<usize> = (0..refdata.len()).collect();
    let (x_ref, n_ref) = (refdata.nums(&all, "refcount"), refdata.nums(&all, "refpop"));
    let ref_rate = isr::reference_rate(&x_ref, &n_ref).unwrap();
    for r in 0..12 {
        let area = results.str(r, "area");
        let (x, n) = area_bands(&data, "area", area, "count", "pop");
        let observed = isr::observed_events(&x).unwrap();
        let expected = isr::expected_events(&n, &x_ref, &n_ref).unwrap();
        let ctx = format!("testresults_ISR row {} ({area})", r + 2);
        assert_eq!(observed, results.num(r, "observed"), "{ctx}");
        assert_close(expected, results.num(r, "expected"), TESTTHAT_TOL, &ctx);
        let method = if results.str(r, "method") == "Exact" {
            PoissonMethod::Exact
        } else {
            PoissonMethod::Byar
        };
        assert_eq!(poisson_method(observed), method, "{ctx}");
        let statistic = results.str(r, "statistic");
        let m = multiplier_of(statistic);
        let (e95, e998) = if statistic.contains("rate") {
            assert_close(ref_rate * m, results.num(r, "ref_rate"), TESTTHAT_TOL, &ctx);
            (
                isr::israte(observed, expected, ref_rate, 0.95)
                    .unwrap()
                    .scaled(m),
                isr::israte(observed, expected, ref_rate, 0.998)
                    .unwrap()
                    .scaled(m),
            )
        } else {
            (
                isr::isratio(observed, expected, 0.95).unwrap().scaled(m),
                isr::isratio(observed, expected, 0.998).unwrap().scaled(m),
            )
        };
        assert_close(e95.value, results.num(r, "value"), TESTTHAT_TOL, &ctx);
        assert_close(e95.lower, results.num(r, "lower95_0cl"), TESTTHAT_TOL, &ctx);
        assert_close(e95.upper, results.num(r, "upper95_0cl"), TESTTHAT_TOL, &ctx);
        assert_close(
            e998.lower,
            results.num(r, "lower99_8cl"),
            TESTTHAT_TOL,
            &ctx,
        );
        assert_close(
            e998.upper,
            results.num(r, "upper99_8cl"),
            TESTTHAT_TOL,
            &ctx,
        );
    }
}

/// testresults_ISR rows 13-16: testdata_err2, where Area1 has a zero local
/// population in one band: indirect standardisation still works (that band
/// expects no events).
#[test]
fn isr_with_zero_local_population_matches_phe() {
    let data = Table::load("testdata_DSR_ISR__testdata_err2.csv");
    let refdata = Table::load("testdata_DSR_ISR__refdata.csv");
    let results = Table::load("testdata_DSR_ISR__testresults_ISR.csv");
    let all: Vec<usize> = (0..refdata.len()).collect();
    let (x_ref, n_ref) = (refdata.nums(&all, "refcount"), refdata.nums(&all, "refpop"));
    let ref_rate = isr::reference_rate(&x_ref, &n_ref).unwrap();
    for r in 12..16 {
        let area = results.str(r, "area");
        let (x, n) = area_bands(&data, "area", area, "count", "pop");
        let observed = isr::observed_events(&x).unwrap();
        let expected = isr::expected_events(&n, &x_ref, &n_ref).unwrap();
        let ctx = format!("testresults_ISR row {} ({area})", r + 2);
        assert_close(expected, results.num(r, "expected"), TESTTHAT_TOL, &ctx);
        let statistic = results.str(r, "statistic");
        let e = if statistic.contains("rate") {
            isr::israte(observed, expected, ref_rate, 0.95).unwrap()
        } else {
            isr::isratio(observed, expected, 0.95).unwrap()
        }
        .scaled(multiplier_of(statistic));
        assert_close(e.value, results.num(r, "value"), TESTTHAT_TOL, &ctx);
        assert_close(e.lower, results.num(r, "lower95_0cl"), TESTTHAT_TOL, &ctx);
        assert_close(e.upper, results.num(r, "upper95_0cl"), TESTTHAT_TOL, &ctx);
    }
}

/// The ISR error cases of PHE's testISRatios.R / testISRates.R.
#[test]
fn isr_error_cases() {
    let refdata = Table::load("testdata_DSR_ISR__refdata.csv");
    let all: Vec<usize> = (0..refdata.len()).collect();
    let (x_ref, n_ref) = (refdata.nums(&all, "refcount"), refdata.nums(&all, "refpop"));
    let err3 = Table::load("testdata_DSR_ISR__testdata_err3.csv");
    assert!(matches!(
        isr::expected_events(&err3.nums(&all, "pop"), &x_ref, &n_ref),
        Err(MeasureError::Negative {
            what: "population",
            ..
        })
    ));
    let err1 = Table::load("testdata_DSR_ISR__testdata_err1.csv");
    assert!(matches!(
        isr::observed_events(&err1.nums(&all, "count")),
        Err(MeasureError::Negative { what: "events", .. })
    ));
    assert!(matches!(
        isr::expected_events(&err1.nums(&all, "pop"), &x_ref[..18], &n_ref),
        Err(MeasureError::LengthMismatch { .. })
    ));
    assert!(matches!(
        isr::isratio(-26.0, 10.0, 0.95),
        Err(MeasureError::Negative { .. })
    ));
    for c in [3.0, 1000.0] {
        assert_eq!(
            isr::isratio(895.0, 800.0, c),
            Err(MeasureError::InvalidConfidence(c))
        );
    }
    assert_eq!(
        isr::isratio(3.0, 0.0, 0.95),
        Err(MeasureError::ZeroDenominator {
            what: "expected events"
        })
    );
}
