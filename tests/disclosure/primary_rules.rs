// Primary suppression rules for rate rows: numerator, denominator,
// complement, zeros, and the refusal of thresholds below 3.

use ulighed::disclosure::*;

use crate::shapes::*;

fn rule() -> PrimaryRule {
    PrimaryRule::new(Threshold::new(5, Audience::External).expect("threshold"))
}

/// One level under test plus a large second level, with their total.
fn table(level: RateRow) -> RateTable {
    let other = RateRow::new("other", 50, 100);
    let total = RateRow::new(
        "all",
        level.numerator + other.numerator,
        level.denominator + other.denominator,
    );
    RateTable::new(&[level, other], &total).expect("rate table")
}

fn statuses(table: &RateTable, pattern: &Pattern) -> [CellStatus; 3] {
    let cells = table.level("x").expect("level x");
    [cells.numerator, cells.denominator, cells.complement]
        .map(|id| pattern.status(id).expect("status").clone())
}

fn below(count: CountKind) -> PrimaryReason {
    PrimaryReason::BelowThreshold {
        count,
        threshold: 5,
    }
}

#[test]
fn small_numerator_is_suppressed() {
    let t = table(RateRow::new("x", 3, 40));
    let [n, d, c] = statuses(&t, &t.primary_pattern(&rule()).expect("pattern"));
    assert_eq!(
        n,
        CellStatus::Primary {
            reason: below(CountKind::Numerator)
        }
    );
    assert_eq!(d, CellStatus::Released);
    assert_eq!(c, CellStatus::Unpublished { sensitive: None });
}

#[test]
fn small_denominator_is_suppressed_and_zero_numerator_released() {
    let t = table(RateRow::new("x", 0, 4));
    let [n, d, c] = statuses(&t, &t.primary_pattern(&rule()).expect("pattern"));
    // A true zero describes no person; the complement 4 is hidden with the
    // denominator, and marked sensitive so the audit checks it.
    assert_eq!(n, CellStatus::Released);
    assert_eq!(
        d,
        CellStatus::Primary {
            reason: below(CountKind::Denominator)
        }
    );
    assert_eq!(
        c,
        CellStatus::Unpublished {
            sensitive: Some(below(CountKind::Complement))
        }
    );
}

#[test]
fn small_complement_suppresses_the_numerator() {
    let t = table(RateRow::new("x", 38, 40));
    let [n, d, c] = statuses(&t, &t.primary_pattern(&rule()).expect("pattern"));
    assert_eq!(
        n,
        CellStatus::Primary {
            reason: below(CountKind::Complement)
        }
    );
    assert_eq!(d, CellStatus::Released);
    assert_eq!(
        c,
        CellStatus::Unpublished {
            sensitive: Some(below(CountKind::Complement))
        }
    );
}

#[test]
fn numerator_equal_to_small_denominator_suppresses_both() {
    let t = table(RateRow::new("x", 3, 3));
    let [n, d, c] = statuses(&t, &t.primary_pattern(&rule()).expect("pattern"));
    assert_eq!(
        n,
        CellStatus::Primary {
            reason: below(CountKind::Numerator)
        }
    );
    assert_eq!(
        d,
        CellStatus::Primary {
            reason: below(CountKind::Denominator)
        }
    );
    assert_eq!(c, CellStatus::Unpublished { sensitive: None });
}

#[test]
fn zero_complement_follows_the_zero_rule() {
    let t = table(RateRow::new("x", 12, 12));
    let [n, d, _] = statuses(&t, &t.primary_pattern(&rule()).expect("pattern"));
    assert_eq!((n, d), (CellStatus::Released, CellStatus::Released));

    let strict = PrimaryRule {
        zeros: ZeroRule::Suppress,
        ..rule()
    };
    let [n, d, c] = statuses(&t, &t.primary_pattern(&strict).expect("pattern"));
    let zero = PrimaryReason::Zero {
        count: CountKind::Complement,
    };
    assert_eq!(n, CellStatus::Primary { reason: zero });
    assert_eq!(d, CellStatus::Released);
    assert_eq!(
        c,
        CellStatus::Unpublished {
            sensitive: Some(zero)
        }
    );
}

#[test]
fn counts_at_the_threshold_are_released() {
    let t = table(RateRow::new("x", 5, 10));
    let pattern = t.primary_pattern(&rule()).expect("pattern");
    let [n, d, c] = statuses(&t, &pattern);
    assert_eq!([n, d], [CellStatus::Released, CellStatus::Released]);
    assert_eq!(c, CellStatus::Unpublished { sensitive: None });
    assert!(pattern.suppressed().is_empty());
}

#[test]
fn thresholds_below_three_need_the_internal_flag() {
    for value in [1, 2] {
        assert_eq!(
            Threshold::new(value, Audience::External),
            Err(DisclosureError::ThresholdTooLow { value, minimum: 3 })
        );
    }
    let internal = Threshold::new(2, Audience::Internal).expect("internal threshold");
    let t = table(RateRow::new("x", 2, 40));
    let pattern = t
        .primary_pattern(&PrimaryRule::new(internal))
        .expect("pattern");
    assert_eq!(statuses(&t, &pattern)[0], CellStatus::Released);
    let pattern = t.primary_pattern(&rule()).expect("pattern");
    assert!(matches!(
        statuses(&t, &pattern)[0],
        CellStatus::Primary { .. }
    ));
}

#[test]
fn rate_rows_are_validated() {
    let too_many = RateTable::new(&[RateRow::new("x", 5, 4)], &RateRow::new("all", 5, 4));
    assert!(matches!(
        too_many,
        Err(DisclosureError::NumeratorExceedsDenominator { .. })
    ));
    let short_total = RateTable::new(&[RateRow::new("x", 1, 4)], &RateRow::new("all", 1, 3));
    assert!(matches!(
        short_total,
        Err(DisclosureError::TotalBelowLevels { .. })
    ));
}

#[test]
fn unknown_levels_become_a_sensitive_residual() {
    // Two persons with unknown level: total 52 over levels summing to 50.
    let t = RateTable::new(
        &[RateRow::new("x", 10, 20), RateRow::new("y", 10, 30)],
        &RateRow::new("all", 21, 52),
    )
    .expect("rate table");
    let residual = t.residual().expect("residual");
    let pattern = t.primary_pattern(&rule()).expect("pattern");
    assert_eq!(
        pattern.status(residual.denominator),
        Some(&CellStatus::Unpublished {
            sensitive: Some(below(CountKind::Denominator))
        })
    );
    assert!(pattern.protected_cells().contains(&residual.numerator));
}
