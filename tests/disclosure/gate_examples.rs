// Hand-checkable examples of the protection engine the gate runs: recovery by subtraction in a
// one-way table, rate tables, linked tables and the records of what was suppressed.

use ulighed::disclosure::*;

use crate::shapes::{OneWayTable, RateRow, RateTable, TwoWayTable};

fn rule() -> PrimaryRule {
    PrimaryRule::new(Threshold::default())
}

#[test]
fn naive_suppression_in_a_row_with_total_is_recovered_and_the_gate_fixes_it() {
    // a = 3, b = 10, c = 12, total = 25.
    let table = OneWayTable::new(&[("a", 3), ("b", 10), ("c", 12)], "total", 25).expect("table");
    let set = table.table_set();
    let [a, b, c] = [0, 1, 2].map(|i| table.levels()[i]);

    let naive = rule().mark_counts(set).expect("primary");
    assert_eq!(naive.suppressed(), vec![a]);
    // Subtraction: a = 25 - 10 - 12 = 3 exactly.
    let exposed = audit(set, &naive, Threshold::default()).expect("audit");
    assert!(!exposed.passes());
    assert_eq!(
        exposed.interval(a).map(|i| (i.lower, i.upper)),
        Some((3, Some(3)))
    );

    let protection = protect(
        set,
        &naive,
        Threshold::default(),
        &SecondaryConfig::default(),
    )
    .expect("protect");
    // The smallest other level, b, is the complementary suppression; the total stays.
    assert_eq!(protection.pattern.suppressed(), vec![a, b]);
    assert_eq!(
        protection.pattern.status(b),
        Some(&CellStatus::Secondary {
            protecting: vec![a]
        })
    );
    // a + b = 13 is all that is known: both lie in [0, 13].
    for cell in [a, b] {
        let interval = feasible_interval(set, &protection.pattern, cell).expect("interval");
        assert_eq!((interval.lower, interval.upper), (0, Some(13)));
    }
    assert!(protection.audit.passes());

    // c and the total are released as they are.
    assert!(protection.pattern.is_released(c));
    assert!(protection.pattern.is_released(table.total()));
}

#[test]
fn cell_count_cost_also_protects() {
    let table = OneWayTable::new(&[("a", 3), ("b", 10), ("c", 12)], "total", 25).expect("table");
    let set = table.table_set();
    let config = SecondaryConfig {
        cost: CostFunction::CellCount,
        ..SecondaryConfig::default()
    };
    let protection = protect(
        set,
        &rule().mark_counts(set).expect("primary"),
        Threshold::default(),
        &config,
    )
    .expect("protect");
    assert!(protection.audit.passes());
    // One complementary cell suffices, and it is not the total.
    assert_eq!(protection.pattern.suppressed().len(), 2);
    assert!(protection.pattern.is_released(table.total()));
}

#[test]
fn small_complement_is_protected_through_the_numerators() {
    // Level x: 38 of 40 had the event, so only 2 did not.
    let rows = [
        RateRow::new("x", 38, 40),
        RateRow::new("y", 30, 60),
        RateRow::new("z", 45, 90),
    ];
    let table = RateTable::new(&rows, &RateRow::new("all", 113, 190)).expect("rate table");
    let set = table.table_set();
    let primary = table.primary_pattern(&rule()).expect("primary");
    let protection = protect(
        set,
        &primary,
        Threshold::default(),
        &SecondaryConfig::default(),
    )
    .expect("protect");
    assert!(protection.audit.passes());
    let x = table.level("x").expect("x");
    let complement = protection
        .audit
        .interval(x.complement)
        .expect("complement audited");
    assert!(complement.is_at_least(5), "{complement:?}");
    // The denominators, the population, stay published; a second numerator hides x's.
    assert!(protection.pattern.is_released(x.denominator));
    assert_eq!(protection.pattern.suppressed().len(), 2);
}

#[test]
fn small_denominator_protects_its_complement_too() {
    let rows = [
        RateRow::new("x", 0, 4),
        RateRow::new("y", 9, 60),
        RateRow::new("z", 20, 90),
    ];
    let table = RateTable::new(&rows, &RateRow::new("all", 29, 154)).expect("rate table");
    let set = table.table_set();
    let primary = table.primary_pattern(&rule()).expect("primary");
    let protection = protect(
        set,
        &primary,
        Threshold::default(),
        &SecondaryConfig::default(),
    )
    .expect("protect");
    let x = table.level("x").expect("x");
    assert!(protection.audit.passes());
    assert!(
        protection
            .audit
            .interval(x.complement)
            .is_some_and(|i| i.is_at_least(5))
    );
    assert!(!protection.pattern.is_released(x.denominator));
}

/// Adds a one-way table `name level i` + `name total`; returns levels then total.
fn add_table(set: &mut TableSet, name: &str, values: Vec<u64>) -> Vec<CellId> {
    let levels: Vec<_> = values
        .iter()
        .enumerate()
        .map(|(i, &v)| set.add_cell(format!("{name} level {i}"), v).expect("cell"))
        .collect();
    let total = set
        .add_cell(format!("{name} total"), values.iter().sum())
        .expect("cell");
    set.add_constraint(total, &levels).expect("constraint");
    levels.into_iter().chain([total]).collect()
}

/// Linked tables: men and women by level, and both sexes by level, where
/// men + women = both for every level and for the total.
fn linked() -> (TableSet, Vec<[usize; 3]>) {
    let men = [2u64, 20, 30];
    let women = [9u64, 25, 40];
    let mut set = TableSet::new();
    let mut ids = Vec::new();
    let m = add_table(&mut set, "men", men.to_vec());
    let w = add_table(&mut set, "women", women.to_vec());
    let both = add_table(
        &mut set,
        "both",
        men.iter().zip(&women).map(|(a, b)| a + b).collect(),
    );
    for i in 0..4 {
        set.add_constraint(both[i], &[m[i], w[i]]).expect("link");
        ids.push([m[i].index(), w[i].index(), both[i].index()]);
    }
    (set, ids)
}

#[test]
fn linked_tables_are_protected_across_sub_analyses() {
    let (set, ids) = linked();
    let primary = rule().mark_counts(&set).expect("primary");
    assert_eq!(
        primary.suppressed().len(),
        1,
        "only men level 0 (2) is small"
    );
    let men0 = primary.suppressed()[0];
    assert_eq!(men0.index(), ids[0][0]);

    // Suppressing men level 0 with another men level (enough within the men
    // table) is not enough across tables: both - women recovers it.
    let mut within_table = primary.clone();
    let men1 = set.find("men level 1").expect("cell");
    within_table
        .mark_primary(men1, PrimaryReason::Manual)
        .expect("mark");
    let naive = audit(&set, &within_table, Threshold::default()).expect("audit");
    assert_eq!(
        naive.interval(men0).map(|i| (i.lower, i.upper)),
        Some((2, Some(2)))
    );

    let protection = protect(
        &set,
        &primary,
        Threshold::default(),
        &SecondaryConfig::default(),
    )
    .expect("protect");
    assert!(protection.audit.passes(), "{:?}", protection.audit);
    assert!(protection.audit.intervals.iter().all(|i| i.is_at_least(5)));
    assert!(
        protection.pattern.suppressed().len() >= 4,
        "a cycle through three linked tables"
    );
}

#[test]
fn records_say_what_was_suppressed_and_why() {
    let table = OneWayTable::new(&[("a", 3), ("b", 10), ("c", 12)], "total", 25).expect("table");
    let set = table.table_set();
    let protection = protect(
        set,
        &rule().mark_counts(set).expect("primary"),
        Threshold::default(),
        &SecondaryConfig::default(),
    )
    .expect("protect");
    let records = protection.pattern.records(set).expect("records");
    assert_eq!(records.len(), 2);
    assert_eq!(records[0].label, "a");
    assert!(matches!(
        records[0].cause,
        SuppressionCause::Primary {
            reason: PrimaryReason::BelowThreshold { threshold: 5, .. }
        }
    ));
    assert_eq!(records[1].label, "b");
    assert_eq!(
        records[1].cause,
        SuppressionCause::Secondary {
            protecting: vec!["a".into()]
        }
    );
    // A pattern of another table is refused, not misread.
    let other = OneWayTable::new(&[("a", 3)], "total", 3).expect("table");
    assert!(matches!(
        Pattern::new(other.table_set()).records(set),
        Err(DisclosureError::PatternMismatch { .. })
    ));
}

#[test]
fn large_counts_stay_numerically_exact() {
    // National-scale counts beside one tiny cell.
    let values = vec![
        vec![1_234_567, 2, 987_654],
        vec![2_500_000, 45_321, 1_000_003],
    ];
    let table = TwoWayTable::new(&["north", "south"], &["x", "y", "z"], &values).expect("table");
    let set = table.table_set();
    let protection = protect(
        set,
        &rule().mark_counts(set).expect("primary"),
        Threshold::default(),
        &SecondaryConfig::default(),
    )
    .expect("protect");
    assert!(protection.audit.passes());
    // The cheapest rectangle through north × y uses south × y (45 321) and
    // the smaller of the x / z columns' pairs.
    let suppressed = protection.pattern.suppressed();
    assert_eq!(suppressed.len(), 4, "{suppressed:?}");
    assert!(suppressed.contains(&table.cell(1, 1).expect("south × y")));
    let tiny = table.cell(0, 1).expect("north × y");
    let interval = protection.audit.interval(tiny).expect("audited");
    assert_eq!(interval.lower, 0);
    assert!(interval.width().is_some_and(|w| w >= 5));
}
