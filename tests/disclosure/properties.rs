// Property tests: random one-way and two-way tables with margins, many
// small cells. After the gate no released count is below the threshold
// (zeros excepted, the documented rule) and the audit shows every
// suppressed cell's feasible interval at least the threshold wide.

use ulighed::disclosure::*;

use crate::shapes::*;

use proptest::prelude::*;

/// Counts that are often below the threshold, sometimes zero.
fn count() -> impl Strategy<Value = u64> {
    prop_oneof![3 => 0u64..6, 2 => 0u64..40]
}

fn threshold() -> impl Strategy<Value = Threshold> {
    prop_oneof![Just(3u64), Just(5u64)]
        .prop_map(|t| Threshold::new(t, Audience::External).expect("threshold"))
}

/// Runs the gate and checks both promises; returns the protected pattern.
fn check_gate(set: &TableSet, threshold: Threshold) -> Result<Pattern, TestCaseError> {
    let rule = PrimaryRule::new(threshold);
    let primary = rule
        .mark_counts(set)
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    let protection = protect(set, &primary, threshold, &SecondaryConfig::default())
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    let pattern = protection.pattern;
    let t = threshold.value();

    for (id, cell) in set.ids().zip(set.cells()) {
        let status = pattern.status(id).expect("status");
        // Primary cells stay suppressed.
        if matches!(primary.status(id), Some(CellStatus::Primary { .. })) {
            prop_assert!(
                matches!(status, CellStatus::Primary { .. }),
                "{}",
                cell.label()
            );
        }
        // No released count describes 1..t-1 persons.
        if cell.visibility() == Visibility::Published && pattern.is_released(id) {
            prop_assert!(
                cell.value() == 0 || cell.value() >= t,
                "{} = {}",
                cell.label(),
                cell.value()
            );
        }
    }

    // An independent audit of the final pattern.
    let report = audit(set, &pattern, threshold).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(&report, &protection.audit);
    for id in pattern.suppressed() {
        let interval = report.interval(id);
        prop_assert!(interval.is_some(), "suppressed cell not audited");
        let interval = interval.expect("checked");
        prop_assert!(interval.width().is_none_or(|w| w >= t), "{:?}", interval);
        // The true value lies in its interval.
        let value = set.cell(id).expect("cell").value();
        prop_assert!(interval.lower <= value && interval.upper.is_none_or(|u| value <= u));
    }
    prop_assert!(report.passes());
    Ok(pattern)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, ..ProptestConfig::default() })]

    #[test]
    fn one_way_tables(levels in prop::collection::vec(count(), 1..8), unknown in prop_oneof![3 => Just(0u64), 1 => 0u64..8], threshold in threshold()) {
        let labelled: Vec<(String, u64)> = levels.iter().enumerate().map(|(i, &v)| (format!("level {i}"), v)).collect();
        let total = levels.iter().sum::<u64>() + unknown;
        let table = OneWayTable::new(&labelled, "total", total).expect("table");
        let set = table.table_set();
        let pattern = check_gate(set, threshold)?;

        // Closed-form oracle for a one-way table: with the total released the
        // hidden cells are known only through their sum S, so each lies in
        // [0, S] when two or more are hidden; with the total hidden they are
        // unbounded above.
        let report = audit(set, &pattern, threshold).expect("audit");
        let hidden: Vec<_> = set.ids().filter(|&id| !pattern.is_released(id) && id != table.total()).collect();
        let hidden_sum: u64 = hidden.iter().map(|&id| set.cell(id).expect("cell").value()).sum();
        for interval in &report.intervals {
            if interval.cell == table.total() {
                prop_assert_eq!(interval.upper, None);
            } else if pattern.is_released(table.total()) {
                prop_assert!(hidden.len() >= 2);
                prop_assert_eq!((interval.lower, interval.upper), (0, Some(hidden_sum)));
            } else {
                prop_assert_eq!((interval.lower, interval.upper), (0, None));
            }
        }
    }

    #[test]
    fn two_way_tables(rows in 1usize..7, columns in 1usize..7, seed in prop::collection::vec(count(), 36), threshold in threshold()) {
        let values: Vec<Vec<u64>> = (0..rows).map(|r| (0..columns).map(|c| seed[r * 6 + c]).collect()).collect();
        let row_labels: Vec<String> = (0..rows).map(|r| format!("r{r}")).collect();
        let column_labels: Vec<String> = (0..columns).map(|c| format!("c{c}")).collect();
        let table = TwoWayTable::new(&row_labels, &column_labels, &values).expect("table");
        check_gate(table.table_set(), threshold)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn rate_tables(rows in prop::collection::vec((count(), count()), 1..6), threshold in threshold()) {
        // (numerator, complement) pairs, so numerator <= denominator by construction.
        let rate_rows: Vec<RateRow> = rows.iter().enumerate().map(|(i, &(n, c))| RateRow::new(format!("l{i}"), n, n + c)).collect();
        let total = RateRow::new("all", rows.iter().map(|r| r.0).sum(), rows.iter().map(|r| r.0 + r.1).sum());
        let table = RateTable::new(&rate_rows, &total).expect("table");
        let set = table.table_set();
        let rule = PrimaryRule::new(threshold);
        let primary = table.primary_pattern(&rule).expect("primary");
        let protection = protect(set, &primary, threshold, &SecondaryConfig::default()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let pattern = &protection.pattern;
        let t = threshold.value();
        let all = table.levels().iter().map(|(_, cells)| *cells).chain([table.total()]);
        for cells in all {
            let value = |id| set.cell(id).expect("cell").value();
            let (n, d) = (value(cells.numerator), value(cells.denominator));
            let permitted = |v: u64| v == 0 || v >= t;
            if pattern.is_released(cells.numerator) { prop_assert!(permitted(n)); }
            if pattern.is_released(cells.denominator) { prop_assert!(permitted(d)); }
            if pattern.is_released(cells.numerator) && pattern.is_released(cells.denominator) {
                prop_assert!(permitted(d - n), "complement {} shown", d - n);
            }
        }
        let report = audit(set, pattern, threshold).expect("audit");
        prop_assert!(report.passes());
        prop_assert!(report.intervals.iter().all(|i| i.width().is_none_or(|w| w >= t)));
    }
}
