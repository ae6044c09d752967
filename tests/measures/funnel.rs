//! Funnel plots against PHEindicatormethods v2.1.0 (`tests/testthat/testFunnels.R`:
//! each test below rebuilds one `test_that` block's input the same way) and the
//! over-dispersion adjustment against known truth (Spiegelhalter 2005).
//!
//! Tolerance: the peer compares whole data frames with testthat 3e's
//! `expect_equal`, i.e. per column the mean relative difference below
//! `sqrt(.Machine$double.eps)` ([`assert_columns_close`]); the expected files
//! are printed to 7-10 significant digits, so a per-value check at that
//! tolerance would test the printing, not the method. Each value is also
//! checked to agree within half a unit of its last printed digit
//! ([`assert_printed`]). Significance labels are compared exactly (the peer
//! compares factors).

use proptest::prelude::*;
use ulighed::measures::funnel::{
    self, Dispersion, FunnelTable, OverdispersionMethod, RateType, RateUnit, RatioType,
    Significance, Unit, ZScore,
};
use ulighed::measures::{MeasureError, proportion};
use ulighed::rng::Rng;

use crate::common;
use common::{TESTTHAT_TOL, Table, assert_close, assert_columns_close};

/// Each value must round to the printed expected value: within half a unit
/// of the last printed digit (plus a relative 1e-12 for the binary-decimal
/// conversion).
#[track_caller]
fn assert_printed(actual: f64, printed: &str, context: &str) {
    let printed = printed.trim();
    let expected: f64 = printed
        .parse()
        .unwrap_or_else(|e| panic!("{printed:?}: {e}"));
    let mantissa = printed.split(['e', 'E']).next().unwrap_or(printed);
    let decimals = mantissa.split('.').nth(1).map_or(0, str::len) as i32;
    let exponent: i32 = printed
        .split(['e', 'E'])
        .nth(1)
        .map_or(0, |e| e.parse().unwrap());
    let half_unit = 0.5 * 10f64.powi(exponent - decimals);
    assert!(
        (actual - expected).abs() <= half_unit + 1e-12 * expected.abs(),
        "{context}: got {actual}, printed {printed}"
    );
}

/// Compares a column of `table` with the peer's column `name`: the peer's
/// own criterion and the printed digits.
#[track_caller]
fn check_column(actual: &[f64], t: &Table, name: &str, context: &str) {
    let rows: Vec<usize> = (0..t.len()).collect();
    assert_eq!(actual.len(), t.len(), "{context} {name}: row count");
    assert_columns_close(
        actual,
        &t.nums(&rows, name),
        TESTTHAT_TOL,
        &format!("{context} {name}"),
    );
    for (r, a) in actual.iter().enumerate() {
        assert_printed(
            *a,
            t.str(r, name),
            &format!("{context} {name} row {}", r + 2),
        );
    }
}

fn xs(table: &FunnelTable) -> Vec<f64> {
    table.rows.iter().map(|r| r.x).collect()
}

fn column(table: &FunnelTable, pick: impl Fn(&funnel::FunnelRow) -> f64) -> Vec<f64> {
    table.rows.iter().map(pick).collect()
}

/// The four limits of a table as (name suffix, values) for the peer's
/// `lower_2s`/`upper_2s`/`lower_3s`/`upper_3s` column names.
fn limit_columns(table: &FunnelTable) -> [(&'static str, Vec<f64>, Vec<f64>); 4] {
    [
        (
            "lower_2s",
            column(table, |r| r.lower_2s.value),
            column(table, |r| r.lower_2s.denominator),
        ),
        (
            "upper_2s",
            column(table, |r| r.upper_2s.value),
            column(table, |r| r.upper_2s.denominator),
        ),
        (
            "lower_3s",
            column(table, |r| r.lower_3s.value),
            column(table, |r| r.lower_3s.denominator),
        ),
        (
            "upper_3s",
            column(table, |r| r.upper_3s.value),
            column(table, |r| r.upper_3s.denominator),
        ),
    ]
}

fn prop_units(t: &Table, rows: &[usize]) -> Vec<Unit> {
    rows.iter()
        .map(|&r| Unit {
            numerator: t.num(r, "numerator"),
            denominator: t.num(r, "denominator"),
        })
        .collect()
}

fn all_rows(t: &Table) -> Vec<usize> {
    (0..t.len()).collect()
}

/// testdata_funnel_prop_outputs*.csv: columns Population, Lower2s0025limit,
/// Upper2s0025limit, Lower3s0001limit, Upper3s0001limit, Baseline.
fn check_proportion_table(table: &FunnelTable, expected: &Table, context: &str) {
    check_column(&xs(table), expected, "Population", context);
    let [l2, u2, l3, u3] = limit_columns(table);
    check_column(&l2.1, expected, "Lower2s0025limit", context);
    check_column(&u2.1, expected, "Upper2s0025limit", context);
    check_column(&l3.1, expected, "Lower3s0001limit", context);
    check_column(&u3.1, expected, "Upper3s0001limit", context);
    check_column(
        &vec![table.baseline; table.rows.len()],
        expected,
        "Baseline",
        context,
    );
}

/// "confidence limits calculate correctly for proportions": all 303 units,
/// multiplier 100; the axis starts at 0 (largest population > 2 x smallest).
#[test]
fn proportion_limits_match_phe() {
    let inputs = Table::load("testdata_funnel_prop_inputs.csv");
    let units = prop_units(&inputs, &all_rows(&inputs));
    let table = funnel::proportion_funnel_limits(&units, 100.0).unwrap();
    let expected = Table::load("testdata_funnel_prop_outputs.csv");
    check_proportion_table(&table, &expected, "prop_outputs");
}

/// "... with axis variation": units with denominator < 31000, so the axis
/// starts at the smallest population rounded down; type "full" adds the
/// statistic and method columns.
#[test]
fn proportion_limits_with_axis_variation_match_phe() {
    let inputs = Table::load("testdata_funnel_prop_inputs.csv");
    let rows: Vec<usize> = all_rows(&inputs)
        .into_iter()
        .filter(|&r| inputs.num(r, "denominator") < 31000.0)
        .collect();
    let table = funnel::proportion_funnel_limits(&prop_units(&inputs, &rows), 100.0).unwrap();
    let expected = Table::load("testdata_funnel_prop_outputs_with_axis_variation.csv");
    check_proportion_table(&table, &expected, "prop_outputs_with_axis_variation");
    // The peer's loader adds these two columns to the expected frame.
    assert_eq!(table.statistic.label(), "proportion");
    assert_eq!(table.statistic.method().label(), "Wilson");
    assert_eq!(table.statistic.x_label(), "Population");
}

/// With multiplier 1 the limits are the peer's percentages divided by 100,
/// except that upper limits are cut at 1 (= 100%), where PHE cuts at the
/// literal 100 (see REPORT.md).
#[test]
fn proportion_limits_as_fractions_are_the_percentages_over_100() {
    let inputs = Table::load("testdata_funnel_prop_inputs.csv");
    let units = prop_units(&inputs, &all_rows(&inputs));
    let table = funnel::proportion_funnel_limits(&units, 1.0).unwrap();
    let expected = Table::load("testdata_funnel_prop_outputs.csv");
    let [l2, u2, l3, u3] = limit_columns(&table);
    for (name, actual) in [
        ("Lower2s0025limit", &l2.1),
        ("Upper2s0025limit", &u2.1),
        ("Lower3s0001limit", &l3.1),
        ("Upper3s0001limit", &u3.1),
    ] {
        for (r, a) in actual.iter().enumerate() {
            let percent = expected.num(r, name);
            assert_close(*a, percent / 100.0, 1e-6, &format!("{name} row {}", r + 2));
            assert!((0.0..=1.0).contains(a));
        }
    }
    assert_close(table.baseline, 0.80642448, 1e-6, "baseline");
}

/// Known truth: the proportion limit at population n is the proportion whose
/// Wilson interval (ulighed's own `proportion::wilson`, tested against PHE)
/// just reaches the baseline: the Wilson upper limit of the lower funnel
/// limit, and the lower limit of the upper one, equal the pooled proportion.
#[test]
fn proportion_limits_invert_the_wilson_interval() {
    let inputs = Table::load("testdata_funnel_prop_inputs.csv");
    let units = prop_units(&inputs, &all_rows(&inputs));
    let table = funnel::proportion_funnel_limits(&units, 1.0).unwrap();
    let mut checked = 0;
    for row in &table.rows {
        let n = row.x;
        for (limit, conf) in [(row.lower_2s, 0.95), (row.lower_3s, 0.998)] {
            if limit.value > 0.0 {
                let w = proportion::wilson(limit.value * n, n, conf).unwrap();
                assert_close(w.upper, table.average, 1e-12, &format!("lower at n = {n}"));
                checked += 1;
            }
        }
        for (limit, conf) in [(row.upper_2s, 0.95), (row.upper_3s, 0.998)] {
            if limit.value < 1.0 {
                let w = proportion::wilson(limit.value * n, n, conf).unwrap();
                assert_close(w.lower, table.average, 1e-12, &format!("upper at n = {n}"));
                checked += 1;
            }
        }
    }
    assert!(checked > 350, "only {checked} limits were inside (0, 1)");
}

fn ratio_units(t: &Table) -> Vec<Unit> {
    (0..t.len())
        .map(|r| Unit {
            numerator: t.num(r, "obs"),
            denominator: t.num(r, "expected"),
        })
        .collect()
}

/// "confidence limits calculate correctly for ratios (count)" and "(isr)":
/// the expected file holds the expected events at each limit and the limits
/// as `O/E - 1` (count) and `100 O/E` (isr).
#[test]
fn ratio_limits_match_phe() {
    let units = ratio_units(&Table::load("testdata_funnel_ratio_inputs.csv"));
    let expected = Table::load("testdata_funnel_ratio_outputs.csv");
    for (ratio_type, suffix, baseline) in [
        (RatioType::Count, "count", 0.0),
        (RatioType::Isr, "isr", 100.0),
    ] {
        let table = funnel::ratio_funnel_limits(&units, ratio_type).unwrap();
        let context = format!("ratio_outputs ({suffix})");
        check_column(&xs(&table), &expected, "Observed_events", &context);
        for (name, values, expected_events) in limit_columns(&table) {
            check_column(&values, &expected, &format!("{name}_{suffix}"), &context);
            check_column(
                &expected_events,
                &expected,
                &format!("{name}_exp_events"),
                &context,
            );
        }
        assert_eq!(table.baseline, baseline);
        assert_eq!(table.statistic.x_label(), "Observed_events");
        assert_eq!(table.statistic.method().label(), "Poisson");
        if ratio_type == RatioType::Count {
            // The peer's count test adds these columns (type = "full").
            assert_eq!(table.statistic.label(), "ratio (count)");
        }
    }
}

fn rate_funnel_inputs() -> Table {
    Table::load("testdata_funnel_rate_input_funnels.csv")
}

/// `ev`, `rate` and `pop` of testdata_funnel_rate_input_funnels.csv.
fn rate_rows(t: &Table) -> Vec<(f64, f64, f64)> {
    (0..t.len())
        .map(|r| (t.num(r, "ev"), t.num(r, "rate"), t.num(r, "pop")))
        .collect()
}

fn max_events(rows: &[(f64, f64, f64)]) -> f64 {
    rows.iter().map(|r| r.0).fold(f64::MIN, f64::max)
}

/// testdata_funnel_rate_outputs*.csv: Events, `{side}_population_1_year`,
/// `{side}_limit`, baseline, statistic, method.
fn check_rate_table(table: &FunnelTable, expected: &Table, label: &str, context: &str) {
    check_column(&xs(table), expected, "Events", context);
    for (name, values, per_year) in limit_columns(table) {
        check_column(&values, expected, &format!("{name}_limit"), context);
        check_column(
            &per_year,
            expected,
            &format!("{name}_population_1_year"),
            context,
        );
    }
    check_column(
        &vec![table.baseline; table.rows.len()],
        expected,
        "baseline",
        context,
    );
    for r in 0..expected.len() {
        assert_eq!(table.statistic.label(), expected.str(r, "statistic"));
        assert_eq!(table.statistic.method().label(), expected.str(r, "method"));
    }
    assert_eq!(table.statistic.label(), label);
    assert_eq!(table.statistic.x_label(), "Events");
}

/// "confidence limits calculate correctly for rates (dsr)": per 100,000,
/// three years of data, denominators derived from events and rates.
#[test]
fn dsr_rate_limits_match_phe() {
    let units: Vec<RateUnit> = rate_rows(&rate_funnel_inputs())
        .into_iter()
        .map(|(ev, rate, _)| RateUnit {
            events: ev,
            rate: Some(rate),
            denominator: None,
        })
        .collect();
    let table = funnel::rate_funnel_limits(&units, RateType::Dsr, 1e5, 3.0).unwrap();
    let expected = Table::load("testdata_funnel_rate_outputs.csv");
    check_rate_table(&table, &expected, "rate (dsr per 100,000)", "rate_outputs");
}

/// Known truth from the same vector: the DSRs expressed per 100 (rate / 1000)
/// with multiplier 100 describe the same person-time, so the events, the
/// populations per year and the label's multiplier change, the limits and
/// baseline are the peer's per-100,000 values divided by 1000.
#[test]
fn dsr_rate_limits_per_100_are_the_per_100000_ones_over_1000() {
    let units: Vec<RateUnit> = rate_rows(&rate_funnel_inputs())
        .into_iter()
        .map(|(ev, rate, _)| RateUnit {
            events: ev,
            rate: Some(rate / 1000.0),
            denominator: None,
        })
        .collect();
    let table = funnel::rate_funnel_limits(&units, RateType::Dsr, 100.0, 3.0).unwrap();
    assert_eq!(table.statistic.label(), "rate (dsr per 100)");
    let expected = Table::load("testdata_funnel_rate_outputs.csv");
    check_column(&xs(&table), &expected, "Events", "per 100");
    for (name, values, per_year) in limit_columns(&table) {
        check_column(
            &per_year,
            &expected,
            &format!("{name}_population_1_year"),
            "per 100",
        );
        for (r, v) in values.iter().enumerate() {
            let per_100000 = expected.num(r, &format!("{name}_limit"));
            assert_close(
                *v,
                per_100000 / 1000.0,
                1e-8,
                &format!("{name} row {}", r + 2),
            );
        }
    }
    assert_close(
        table.baseline,
        expected.num(0, "baseline") / 1000.0,
        1e-8,
        "baseline",
    );
}

/// "... rates (crude); with less than 10 events": the unit with most events
/// gets 5 (its rate unchanged).
#[test]
fn crude_rate_limits_with_few_events_match_phe() {
    let rows = rate_rows(&rate_funnel_inputs());
    let top = max_events(&rows);
    let units: Vec<RateUnit> = rows
        .iter()
        .map(|&(ev, rate, _)| RateUnit {
            events: if ev == top { 5.0 } else { ev },
            rate: Some(rate),
            denominator: None,
        })
        .collect();
    let table = funnel::rate_funnel_limits(&units, RateType::Crude, 1e5, 3.0).unwrap();
    let expected = Table::load("testdata_funnel_rate_outputs_2.csv");
    check_rate_table(
        &table,
        &expected,
        "rate (crude per 100,000)",
        "rate_outputs_2",
    );
}

/// "... rates (crude); with 0 events and denominator supplied": `pop =
/// 1e5 ev / rate`, then the unit with most events gets 0 events and rate 0,
/// and only units with `pop > max(pop) / 2` are kept.
#[test]
fn crude_rate_limits_with_zero_events_match_phe() {
    let rows = rate_rows(&rate_funnel_inputs());
    let top = max_events(&rows);
    let derived: Vec<(f64, f64, f64)> = rows
        .iter()
        .map(|&(ev, rate, _)| {
            let pop = 1e5 * ev / rate;
            if ev == top {
                (0.0, 0.0, pop)
            } else {
                (ev, rate, pop)
            }
        })
        .collect();
    let max_pop = derived.iter().map(|r| r.2).fold(f64::MIN, f64::max);
    let units: Vec<RateUnit> = derived
        .into_iter()
        .filter(|r| r.2 > max_pop / 2.0)
        .map(|(ev, rate, pop)| RateUnit {
            events: ev,
            rate: Some(rate),
            denominator: Some(pop),
        })
        .collect();
    assert!(
        units.iter().any(|u| u.events == 0.0),
        "the zero-event unit is kept"
    );
    let table = funnel::rate_funnel_limits(&units, RateType::Crude, 1e5, 3.0).unwrap();
    let expected = Table::load("testdata_funnel_rate_outputs_3.csv");
    check_rate_table(
        &table,
        &expected,
        "rate (crude per 100,000)",
        "rate_outputs_3",
    );
}

/// A national-size count, beyond the peer's vectors: 98 units with 1000 to
/// 98,000 events at a crude rate of 500 per 100,000 give an axis ending at
/// 105,000 events. The means there, from PHE's own `poisson_funnel` run in R
/// 4.2.2 (summing its series from 0): 105637.06175689267 (lower 2s, tail
/// 0.025 "high") and 104001.48343800516 (upper 3s, tail 0.001 "low"). This
/// checks the shortened series (started at mu - 12 sqrt(mu)) where it
/// matters.
#[test]
fn poisson_search_matches_the_peer_at_national_counts() {
    let units: Vec<RateUnit> = (1..=98)
        .map(|i| RateUnit {
            events: 1000.0 * f64::from(i),
            rate: Some(500.0),
            denominator: None,
        })
        .collect();
    let table = funnel::rate_funnel_limits(&units, RateType::Crude, 1e5, 1.0).unwrap();
    let last = table.rows[99];
    assert_eq!(last.x, 105_000.0);
    let mean = |limit: funnel::FunnelLimit| limit.denominator * table.average;
    assert_close(mean(last.lower_2s), 105637.06175689267, 1e-13, "lower 2s");
    assert_close(mean(last.upper_3s), 104001.48343800516, 1e-13, "upper 3s");
}

fn labels(sig: &[Significance]) -> Vec<&'static str> {
    sig.iter().map(|s| s.label()).collect()
}

/// "Significance for proportions calculates correctly".
#[test]
fn proportion_significance_matches_phe() {
    let t = Table::load("testdata_funnel_prop_inputs.csv");
    let sig = funnel::proportion_significance(&prop_units(&t, &all_rows(&t))).unwrap();
    let expected: Vec<&str> = (0..t.len()).map(|r| t.str(r, "significance")).collect();
    assert_eq!(labels(&sig), expected);
    // The file exercises all five outcomes.
    for s in [
        Significance::High001,
        Significance::High025,
        Significance::Low001,
        Significance::Low025,
        Significance::NotSignificant,
    ] {
        assert!(sig.contains(&s), "no {}", s.label());
    }
}

/// "Significance for ratios calculates correctly".
#[test]
fn ratio_significance_matches_phe() {
    let t = Table::load("testdata_funnel_ratio_inputs.csv");
    let sig = funnel::ratio_significance(&ratio_units(&t)).unwrap();
    let expected: Vec<&str> = (0..t.len()).map(|r| t.str(r, "significance")).collect();
    assert_eq!(labels(&sig), expected);
}

/// The eight "Significance for rates" blocks (one repeated). The column
/// `dsr_per_100_with_0` is not used by the peer's tests; it is checked too.
#[test]
fn rate_significance_matches_phe() {
    let t = Table::load("testdata_funnel_rate_dsr_inputs.csv");
    let cases = [
        (
            RateType::Dsr,
            "rate_dsr",
            1e5,
            true,
            "dsr_per_100000_with_0",
        ),
        (RateType::Dsr, "rate_dsr", 100.0, true, "dsr_per_100_with_0"),
        (
            RateType::Dsr,
            "rate_dsr",
            1e5,
            false,
            "dsr_per_100000_without_0",
        ),
        (
            RateType::Dsr,
            "rate_dsr",
            100.0,
            false,
            "dsr_per_100_without_0",
        ),
        (
            RateType::Crude,
            "rate_crude_per_100000",
            1e5,
            true,
            "crude_per_100000_with_0",
        ),
        (
            RateType::Crude,
            "rate_crude_per_100",
            100.0,
            true,
            "crude_per_100_with_0",
        ),
        (
            RateType::Crude,
            "rate_crude_per_100000",
            1e5,
            false,
            "crude_per_100000_without_0",
        ),
        (
            RateType::Crude,
            "rate_crude_per_100",
            100.0,
            false,
            "crude_per_100_without_0",
        ),
    ];
    for (rate_type, rate_column, multiplier, with_zero, expected_column) in cases {
        let rows: Vec<usize> = all_rows(&t)
            .into_iter()
            .filter(|&r| with_zero || t.num(r, "count") != 0.0)
            .collect();
        let units: Vec<RateUnit> = rows
            .iter()
            .map(|&r| RateUnit {
                events: t.num(r, "count"),
                rate: t.opt(r, rate_column),
                denominator: Some(t.num(r, "pop")),
            })
            .collect();
        let sig = funnel::rate_significance(&units, rate_type, multiplier).unwrap();
        let expected: Vec<&str> = rows.iter().map(|&r| t.str(r, expected_column)).collect();
        assert_eq!(labels(&sig), expected, "{expected_column}");
    }
}

/// The three "calculate_funnel_points works ..." blocks: `NA` in the file is
/// `None`.
#[test]
fn funnel_points_match_phe() {
    let t = rate_funnel_inputs();
    let rows = rate_rows(&t);
    let top = max_events(&rows);
    let cases = [
        // DSR with the largest count set to 5: not plotted.
        (
            RateType::Dsr,
            Some(5.0),
            false,
            3.0,
            "rate_chart",
            "denominator_derived",
        ),
        (
            RateType::Crude,
            None,
            false,
            3.0,
            "rate_chart_crude",
            "denominator_derived_crude",
        ),
        // Crude, the largest count set to 0, denominators given, 5 years.
        (
            RateType::Crude,
            Some(0.0),
            true,
            5.0,
            "rate_chart_crude_with_denom",
            "denominator_derived_crude_with_denom",
        ),
    ];
    for (rate_type, replace_top, with_pop, years, rate_col, den_col) in cases {
        let units: Vec<RateUnit> = rows
            .iter()
            .map(|&(ev, rate, pop)| RateUnit {
                events: match replace_top {
                    Some(v) if ev == top => v,
                    _ => ev,
                },
                rate: Some(rate),
                denominator: with_pop.then_some(pop),
            })
            .collect();
        let points = funnel::rate_funnel_points(&units, rate_type, 1e5, years).unwrap();
        let rates: Vec<Option<f64>> = points.iter().map(|p| p.rate).collect();
        let dens: Vec<Option<f64>> = points.iter().map(|p| p.annual_denominator).collect();
        let expected_rates: Vec<Option<f64>> = (0..t.len()).map(|r| t.opt(r, rate_col)).collect();
        assert_eq!(rates, expected_rates, "{rate_col}");
        for (r, d) in dens.iter().enumerate() {
            match (d, t.opt(r, den_col)) {
                (Some(a), Some(_)) => assert_printed(*a, t.str(r, den_col), den_col),
                (None, None) => {}
                other => panic!("{den_col} row {}: {other:?}", r + 2),
            }
        }
        let present: Vec<usize> = (0..t.len()).filter(|&r| dens[r].is_some()).collect();
        let actual: Vec<f64> = present
            .iter()
            .map(|&r| dens[r].unwrap_or_default())
            .collect();
        assert_columns_close(&actual, &t.nums(&present, den_col), TESTTHAT_TOL, den_col);
    }
}

/// The peer's input errors, as `MeasureError`s instead of R errors.
#[test]
fn invalid_inputs_are_errors() {
    let unit = |n: f64, d: f64| Unit {
        numerator: n,
        denominator: d,
    };
    // "numerators must be less than or equal to denominator ..."
    let over = [unit(65.0, 100.0), unit(80.0, 100.0), unit(30.0, 20.0)];
    assert!(matches!(
        funnel::proportion_significance(&over),
        Err(MeasureError::NumeratorExceedsDenominator { .. })
    ));
    // "numerators must be greater than or equal to zero"
    let negative = [unit(-1.0, 100.0), unit(80.0, 100.0)];
    assert!(matches!(
        funnel::proportion_funnel_limits(&negative, 100.0),
        Err(MeasureError::Negative { .. })
    ));
    // "denominators must be greater than zero"
    let zero = [unit(1.0, 0.0), unit(80.0, 100.0)];
    assert!(matches!(
        funnel::ratio_significance(&zero),
        Err(MeasureError::ZeroDenominator { .. })
    ));
    assert!(funnel::proportion_funnel_limits(&[], 100.0).is_err());
    assert!(funnel::proportion_funnel_limits(&[unit(1.0, 2.0)], 0.0).is_err());
    assert!(funnel::proportion_funnel_limits(&[unit(f64::NAN, 2.0)], 100.0).is_err());
    // "... where there are 0 events for a record, the denominator field
    // needs to be provided"
    let rate = |events: f64, rate: Option<f64>, denominator: Option<f64>| RateUnit {
        events,
        rate,
        denominator,
    };
    let no_denominator = [
        rate(100.0, Some(50.0), None),
        rate(100.0, Some(25.0), None),
        rate(0.0, Some(0.0), None),
    ];
    for rt in [RateType::Dsr, RateType::Crude] {
        assert!(funnel::rate_funnel_limits(&no_denominator, rt, 100.0, 1.0).is_err());
        assert!(funnel::rate_significance(&no_denominator, rt, 100.0).is_err());
        assert!(funnel::rate_funnel_points(&no_denominator, rt, 100.0, 1.0).is_err());
    }
    // A zero denominator for a zero-event unit.
    let zero_pop = [rate(100.0, Some(50.0), None), rate(0.0, None, Some(0.0))];
    assert!(funnel::rate_significance(&zero_pop, RateType::Crude, 100.0).is_err());
    // "rates must be provided for all records" (events but no rate).
    let no_rate = [rate(100.0, Some(50.0), None), rate(20.0, None, Some(1e4))];
    assert!(funnel::rate_funnel_limits(&no_rate, RateType::Crude, 100.0, 1.0).is_err());
    // Years of data are required (and must be positive).
    let ok = [rate(100.0, Some(50.0), None), rate(50.0, Some(15.0), None)];
    assert!(funnel::rate_funnel_limits(&ok, RateType::Crude, 100.0, 0.0).is_err());
    assert!(funnel::rate_funnel_limits(&ok, RateType::Crude, 100.0, 1.0).is_ok());
    // No events anywhere: no average rate, so no funnel.
    let none = [
        rate(0.0, Some(0.0), Some(1e4)),
        rate(0.0, Some(0.0), Some(2e4)),
    ];
    assert!(matches!(
        funnel::rate_funnel_limits(&none, RateType::Crude, 1e5, 1.0),
        Err(MeasureError::Undefined { .. })
    ));
}

/// R counts the digits of the axis maximum with `nchar`, which sees
/// 123000000 as "1.23e+08" (8 characters): for a largest population of
/// 117142857 PHE's axis ends at 123000000, for 117142858 at 130000000 (and
/// the points in between are R's; values from running PHE's `signif.ceiling`
/// and axis loop in R 4.2.2).
#[test]
fn proportion_axis_follows_r_digit_counting() {
    let units = |max: f64| {
        [
            Unit {
                numerator: 100.0,
                denominator: 1000.0,
            },
            Unit {
                numerator: 1e7,
                denominator: max,
            },
        ]
    };
    let table = funnel::proportion_funnel_limits(&units(117142857.0), 100.0).unwrap();
    let x = xs(&table);
    assert_eq!(x.len(), 100);
    for (i, expected) in [
        (0, 1.0),
        (1, 2.0),
        (2, 3.0),
        (9, 12.0),
        (49, 15635.0),
        (98, 102798910.0),
    ] {
        assert_eq!(x[i], expected, "point {}", i + 1);
    }
    assert_eq!(x[99], 123e6);
    let table = funnel::proportion_funnel_limits(&units(117142858.0), 100.0).unwrap();
    assert_eq!(table.rows[99].x, 130e6);
}

#[test]
fn significance_labels_are_phe_s() {
    assert_eq!(Significance::High001.label(), "High (0.001)");
    assert_eq!(Significance::High025.label(), "High (0.025)");
    assert_eq!(Significance::Low001.label(), "Low (0.001)");
    assert_eq!(Significance::Low025.label(), "Low (0.025)");
    assert_eq!(Significance::NotSignificant.label(), "Not significant");
    assert_eq!(
        Significance::NotApplicableDsr.label(),
        "Not applicable for events less than 10 for dsrs"
    );
}

// ---------------------------------------------------------------------------
// Over-dispersion: known truth
// ---------------------------------------------------------------------------

/// The worked example in the `Dispersion` doc comment, by hand: Winsorising
/// bounds -1.2 and 2.65 (R `quantile(type = 7)` at 0.1 and 0.9), phi =
/// 23.4625 / 10, tau2 = (23.4625 - 9) / (1000 - 100).
#[test]
fn dispersion_of_the_worked_example() {
    let z = [-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 4.0];
    let scores: Vec<ZScore> = z.iter().map(|&z| ZScore { z, se: 0.1 }).collect();
    let d = Dispersion::estimate(&scores).unwrap();
    assert_close(d.winsor_lower, -1.2, 1e-12, "10th percentile");
    assert_close(d.winsor_upper, 2.65, 1e-12, "90th percentile");
    assert_close(d.phi, 2.34625, 1e-12, "phi");
    assert_close(d.tau2, 14.4625 / 900.0, 1e-12, "tau2");
    assert_eq!(d.units, 10);
    // Spiegelhalter's adjusted z-scores: z / sqrt(phi) and z s / sqrt(s^2 + tau2).
    let unit = ZScore { z: 4.0, se: 0.1 };
    assert_close(
        d.adjusted_z(unit, OverdispersionMethod::Multiplicative),
        4.0 / 2.34625f64.sqrt(),
        1e-12,
        "multiplicative z",
    );
    assert_close(
        d.adjusted_z(unit, OverdispersionMethod::RandomEffects),
        4.0 * 0.1 / (0.01 + 14.4625 / 900.0f64).sqrt(),
        1e-12,
        "random-effects z",
    );
    // 4 / 1.53 = 2.61: between 1.96 and 3.09.
    let adjusted = d.adjusted_z(unit, OverdispersionMethod::Multiplicative);
    assert_eq!(
        Significance::from_z(adjusted).unwrap(),
        Significance::High025
    );
    assert_eq!(Significance::from_z(-3.1).unwrap(), Significance::Low001);
    assert_eq!(Significance::from_z(-2.0).unwrap(), Significance::Low025);
    assert_eq!(Significance::from_z(3.1).unwrap(), Significance::High001);
    assert_eq!(
        Significance::from_z(1.9).unwrap(),
        Significance::NotSignificant
    );
    assert!(Significance::from_z(f64::NAN).is_err());
}

/// With phi <= 1 the multiplicative limits are PHE's, and with tau2 = 0 the
/// random-effects ones are, for every statistic (exactly).
#[test]
fn no_overdispersion_leaves_the_limits_unchanged() {
    let inputs = Table::load("testdata_funnel_prop_inputs.csv");
    let proportions =
        funnel::proportion_funnel_limits(&prop_units(&inputs, &all_rows(&inputs)), 100.0).unwrap();
    let ratios = funnel::ratio_funnel_limits(
        &ratio_units(&Table::load("testdata_funnel_ratio_inputs.csv")),
        RatioType::Isr,
    )
    .unwrap();
    let rate_units: Vec<RateUnit> = rate_rows(&rate_funnel_inputs())
        .into_iter()
        .map(|(ev, rate, _)| RateUnit {
            events: ev,
            rate: Some(rate),
            denominator: None,
        })
        .collect();
    let rates = funnel::rate_funnel_limits(&rate_units, RateType::Dsr, 1e5, 3.0).unwrap();
    let none = Dispersion {
        phi: 0.7,
        tau2: 0.0,
        units: 10,
        winsor_lower: -1.0,
        winsor_upper: 1.0,
    };
    for table in [&proportions, &ratios, &rates] {
        for method in [
            OverdispersionMethod::Multiplicative,
            OverdispersionMethod::RandomEffects,
        ] {
            assert_eq!(&table.widened(&none, method).unwrap(), table);
        }
    }
    // Units exactly on target: every z-score 0, phi = 0 and tau2 = 0.
    let on_target: Vec<Unit> = [5.0, 50.0, 500.0]
        .iter()
        .map(|&e| Unit {
            numerator: e,
            denominator: e,
        })
        .collect();
    let d = Dispersion::estimate(&funnel::ratio_z_scores(&on_target).unwrap()).unwrap();
    assert_eq!((d.phi, d.tau2), (0.0, 0.0));
}

/// Known truth for the widened limits: proportions `theta ± z sqrt(phi) s`
/// and `theta ± z sqrt(s^2 + tau2)` (Spiegelhalter 2005); Poisson limits
/// moved from the baseline by `sqrt(phi)` and `sqrt(1 + tau2 / s^2)`.
#[test]
fn widened_limits_follow_spiegelhalter() {
    let inputs = Table::load("testdata_funnel_prop_inputs.csv");
    let table =
        funnel::proportion_funnel_limits(&prop_units(&inputs, &all_rows(&inputs)), 100.0).unwrap();
    let theta = table.average;
    let d = Dispersion {
        phi: 4.0,
        tau2: 0.0004,
        units: 303,
        winsor_lower: -3.0,
        winsor_upper: 3.0,
    };
    let mult = table
        .widened(&d, OverdispersionMethod::Multiplicative)
        .unwrap();
    let re = table
        .widened(&d, OverdispersionMethod::RandomEffects)
        .unwrap();
    let (z2, z3) = (1.959963984540054, 3.090232306167813);
    for ((row, m), r) in table.rows.iter().zip(&mult.rows).zip(&re.rows) {
        let n = row.x;
        let s = (theta * (1.0 - theta) / n).sqrt();
        let clip = |v: f64| (100.0 * v).clamp(0.0, 100.0);
        assert_close(
            m.lower_2s.value,
            clip(theta - z2 * 2.0 * s),
            1e-12,
            "mult lower 2s",
        );
        assert_close(
            m.upper_3s.value,
            clip(theta + z3 * 2.0 * s),
            1e-12,
            "mult upper 3s",
        );
        let s_re = (s * s + 0.0004).sqrt();
        assert_close(
            r.lower_3s.value,
            clip(theta - z3 * s_re),
            1e-12,
            "re lower 3s",
        );
        assert_close(
            r.upper_2s.value,
            clip(theta + z2 * s_re),
            1e-12,
            "re upper 2s",
        );
        assert_eq!(m.x, n);
    }
    let units = ratio_units(&Table::load("testdata_funnel_ratio_inputs.csv"));
    let isr = funnel::ratio_funnel_limits(&units, RatioType::Isr).unwrap();
    let mult = isr
        .widened(&d, OverdispersionMethod::Multiplicative)
        .unwrap();
    let re = isr
        .widened(&d, OverdispersionMethod::RandomEffects)
        .unwrap();
    for ((row, m), r) in isr.rows.iter().zip(&mult.rows).zip(&re.rows) {
        let plain = row.upper_2s;
        assert_close(
            m.upper_2s.value,
            100.0 + 2.0 * (plain.value - 100.0),
            1e-12,
            "isr mult",
        );
        let factor = (1.0 + 0.0004 * plain.denominator).sqrt();
        assert_close(
            r.upper_2s.value,
            100.0 + factor * (plain.value - 100.0),
            1e-12,
            "isr re",
        );
        assert_eq!(r.upper_2s.denominator, plain.denominator);
        // Widened lower limits stay at or above an ISR of 0.
        assert!(m.lower_3s.value >= 0.0);
        let expected_lower = (100.0 + 2.0 * (row.lower_3s.value - 100.0)).max(0.0);
        assert_close(m.lower_3s.value, expected_lower, 1e-12, "isr mult lower");
    }
}

/// Known truth for the Winsorised estimator: for z-scores from N(0, 1)
/// (no over-dispersion), Winsorising at the 10th and 90th percentiles
/// (±1.2816) gives E[z_w^2] = 0.8 - 2 x 1.2816 x phi(1.2816) + 0.2 x
/// 1.2816^2 = 0.67865, so phi is about 0.68 and below 1: the limits are
/// left alone. 20,000 simulated units: standard error of phi about 0.006.
#[test]
fn phi_of_null_z_scores_is_the_winsorised_normal_moment() {
    let mut rng = Rng::new(20050347, 1);
    let scores: Vec<ZScore> = (0..20_000)
        .map(|_| ZScore {
            z: rng.normal(),
            se: 1.0,
        })
        .collect();
    let d = Dispersion::estimate(&scores).unwrap();
    assert!((d.phi - 0.67865).abs() < 0.03, "phi = {}", d.phi);
    assert_close(d.winsor_upper, 1.2816, 0.05, "90th percentile");
    assert_close(d.winsor_lower, -1.2816, 0.05, "10th percentile");
}

/// Binomial units with true proportions spread around 0.2 with standard
/// deviation 0.03 (a random-effects model, tau2 = 0.0009) and 1,000 to 5,000
/// persons: the binomial variance alone is at most 0.16/1000, so phi is far
/// above 1 (1 + n tau2 / 0.16 is 6.6 to 29 before Winsorising), tau2 is of
/// the simulated size, and the widened limits contain the plain ones.
#[test]
fn simulated_overdispersed_proportions_give_phi_above_1() {
    let mut rng = Rng::new(14347351, 2);
    let units: Vec<Unit> = (0..200)
        .map(|_| {
            let n = 1000 + rng.below(4001);
            let p = (0.2 + 0.03 * rng.normal()).clamp(0.01, 0.99);
            let events = (0..n).filter(|_| rng.bernoulli(p)).count();
            Unit {
                numerator: events as f64,
                denominator: n as f64,
            }
        })
        .collect();
    let d = Dispersion::estimate(&funnel::proportion_z_scores(&units).unwrap()).unwrap();
    assert!(d.phi > 3.0, "phi = {}", d.phi);
    assert!(
        d.tau2 > 0.0009 / 4.0 && d.tau2 < 0.0009 * 2.0,
        "tau2 = {}",
        d.tau2
    );
    let plain = funnel::proportion_funnel_limits(&units, 100.0).unwrap();
    for method in [
        OverdispersionMethod::Multiplicative,
        OverdispersionMethod::RandomEffects,
    ] {
        let wide = plain.widened(&d, method).unwrap();
        for (p, w) in plain.rows.iter().zip(&wide.rows) {
            assert!(w.lower_3s.value <= p.lower_3s.value && w.upper_3s.value >= p.upper_3s.value);
            assert!(w.lower_2s.value <= p.lower_2s.value && w.upper_2s.value >= p.upper_2s.value);
        }
    }
    // Unadjusted, many units are flagged at 99.8%; far fewer after adjusting.
    let plain_flags = funnel::proportion_significance(&units)
        .unwrap()
        .iter()
        .filter(|s| matches!(s, Significance::High001 | Significance::Low001))
        .count();
    let adjusted_flags = funnel::proportion_z_scores(&units)
        .unwrap()
        .into_iter()
        .map(|z| {
            Significance::from_z(d.adjusted_z(z, OverdispersionMethod::RandomEffects)).unwrap()
        })
        .filter(|s| matches!(s, Significance::High001 | Significance::Low001))
        .count();
    assert!(plain_flags > 50, "{plain_flags} flagged without adjustment");
    assert!(
        adjusted_flags < 10,
        "{adjusted_flags} flagged after adjustment"
    );
}

/// Over-dispersed ratios: E from 5 to 15, observed ~ Poisson(E r) with a
/// relative risk r = exp(0.5 Z) (cut to [0.25, 2], so means stay below 30
/// for the generator). Then E[z^2] = m + E (V + (m - 1)^2) with m = E[r] and
/// V = Var(r) (about 1.13 and 0.36), i.e. about 5 at E = 10, and about 0.68
/// of that after Winsorising: phi is clearly above 1. Rates built on the
/// same counts (person-time 1000 E) give the same; rate z-scores skip DSRs
/// without events.
#[test]
fn simulated_overdispersed_ratios_and_rates_give_phi_above_1() {
    let mut rng = Rng::new(2005, 3);
    let units: Vec<Unit> = (0..300)
        .map(|_| {
            let expected = f64::from(rng.between(5, 15));
            let risk = (0.5 * rng.normal()).exp().clamp(0.25, 2.0);
            Unit {
                numerator: f64::from(rng.poisson(expected * risk)),
                denominator: expected,
            }
        })
        .collect();
    let d = Dispersion::estimate(&funnel::ratio_z_scores(&units).unwrap()).unwrap();
    assert!(d.phi > 2.0, "ratio phi = {}", d.phi);
    let rates: Vec<RateUnit> = units
        .iter()
        .map(|u| RateUnit {
            events: u.numerator,
            rate: Some(1e5 * u.numerator / (u.denominator * 1000.0)),
            denominator: Some(u.denominator * 1000.0),
        })
        .collect();
    let z = funnel::rate_z_scores(&rates, RateType::Dsr, 1e5).unwrap();
    for (u, z) in rates.iter().zip(&z) {
        assert_eq!(z.is_none(), u.events == 0.0);
    }
    let scores: Vec<ZScore> = z.into_iter().flatten().collect();
    let d = Dispersion::estimate(&scores).unwrap();
    assert!(d.phi > 2.0, "rate phi = {}", d.phi);
    assert!(Dispersion::estimate(&scores[..1]).is_err());
}

// ---------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------

/// Checks that the 99.8% limits contain the 95% ones, that both bracket the
/// baseline, and that the funnel narrows as `x` (population or events)
/// grows, i.e. widens as the population shrinks.
fn assert_funnel_shape(table: &FunnelTable) -> Result<(), TestCaseError> {
    let b = table.baseline;
    let eps = 1e-9 * b.abs().max(1.0);
    for row in &table.rows {
        prop_assert!(row.lower_3s.value <= row.lower_2s.value + eps);
        prop_assert!(row.lower_2s.value <= b + eps);
        prop_assert!(b <= row.upper_2s.value + eps);
        prop_assert!(row.upper_2s.value <= row.upper_3s.value + eps);
    }
    for pair in table.rows.windows(2) {
        let (a, c) = (&pair[0], &pair[1]);
        prop_assert!(a.x < c.x);
        prop_assert!(c.lower_2s.value >= a.lower_2s.value - eps);
        prop_assert!(c.lower_3s.value >= a.lower_3s.value - eps);
        prop_assert!(c.upper_2s.value <= a.upper_2s.value + eps);
        prop_assert!(c.upper_3s.value <= a.upper_3s.value + eps);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn proportion_funnels_have_the_funnel_shape(
        units in prop::collection::vec((1.0f64..1e6, 0.0f64..=1.0), 1..20),
        percent in any::<bool>(),
    ) {
        let units: Vec<Unit> = units
            .into_iter()
            .map(|(n, f)| Unit { numerator: (n * f).floor(), denominator: n.ceil() })
            .collect();
        let table = funnel::proportion_funnel_limits(&units, if percent { 100.0 } else { 1.0 }).unwrap();
        assert_funnel_shape(&table)?;
    }

    #[test]
    fn ratio_funnels_have_the_funnel_shape(
        units in prop::collection::vec((0u32..2000, 0.5f64..2000.0), 1..20),
        isr in any::<bool>(),
    ) {
        let units: Vec<Unit> = units
            .into_iter()
            .map(|(o, e)| Unit { numerator: f64::from(o), denominator: e })
            .collect();
        let ratio_type = if isr { RatioType::Isr } else { RatioType::Count };
        let table = funnel::ratio_funnel_limits(&units, ratio_type).unwrap();
        assert_funnel_shape(&table)?;
    }

    #[test]
    fn rate_funnels_have_the_funnel_shape(
        units in prop::collection::vec((1u32..1000, 10.0f64..2000.0), 1..20),
        years in 1u32..6,
    ) {
        let units: Vec<RateUnit> = units
            .into_iter()
            .map(|(e, r)| RateUnit { events: f64::from(e), rate: Some(r), denominator: None })
            .collect();
        let table = funnel::rate_funnel_limits(&units, RateType::Crude, 1e5, f64::from(years)).unwrap();
        assert_funnel_shape(&table)?;
    }

    /// Widening never narrows the limits.
    #[test]
    fn widened_limits_contain_the_plain_ones(
        units in prop::collection::vec((1.0f64..1e5, 0.01f64..0.99), 2..20),
        phi in 0.0f64..20.0,
        tau2 in 0.0f64..0.05,
    ) {
        let units: Vec<Unit> = units
            .into_iter()
            .map(|(n, f)| Unit { numerator: (n * f).floor(), denominator: n.ceil() })
            .collect();
        let d = Dispersion { phi, tau2, units: units.len(), winsor_lower: 0.0, winsor_upper: 0.0 };
        let plain = funnel::proportion_funnel_limits(&units, 100.0).unwrap();
        for method in [OverdispersionMethod::Multiplicative, OverdispersionMethod::RandomEffects] {
            let wide = plain.widened(&d, method).unwrap();
            for (p, w) in plain.rows.iter().zip(&wide.rows) {
                prop_assert!(w.lower_3s.value <= p.lower_3s.value + 1e-9);
                prop_assert!(w.lower_2s.value <= p.lower_2s.value + 1e-9);
                prop_assert!(w.upper_2s.value >= p.upper_2s.value - 1e-9);
                prop_assert!(w.upper_3s.value >= p.upper_3s.value - 1e-9);
            }
        }
    }
}

/// The limits at one unit's own denominator (what the pipelines judge a hospital against) are
/// PHE's funnel limits at that population: every row of testdata_funnel_prop_outputs.csv from
/// its baseline.
#[test]
fn limits_at_one_denominator_match_phe_funnel_rows() {
    let expected = Table::load("testdata_funnel_prop_outputs.csv");
    for r in 0..expected.len() {
        let n = expected.num(r, "Population");
        let row =
            funnel::proportion_limits_at(expected.num(r, "Baseline") / 100.0, n, 100.0).unwrap();
        for (got, column) in [
            (row.lower_2s.value, "Lower2s0025limit"),
            (row.upper_2s.value, "Upper2s0025limit"),
            (row.lower_3s.value, "Lower3s0001limit"),
            (row.upper_3s.value, "Upper3s0001limit"),
        ] {
            assert_close(
                got,
                expected.num(r, column),
                1e-6,
                &format!("{column} at {n}"),
            );
        }
    }
    assert!(funnel::proportion_limits_at(1.2, 10.0, 100.0).is_err());
    assert!(funnel::proportion_limits_at(0.5, 0.0, 100.0).is_err());
}
