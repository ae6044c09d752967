// The intended use, end to end: a one-way table of (level, numerator,
// denominator) rows plus totals goes through primary suppression, secondary
// suppression, the audit and release; records go to the run manifest.

use ulighed::disclosure::*;

#[test]
fn one_way_rate_table_through_the_gate() -> Result<(), DisclosureError> {
    let threshold = Threshold::new(5, Audience::External)?;
    let rule = PrimaryRule::new(threshold); // zeros released (ZeroRule::Release)
    let rows = [
        RateRow::new("basic", 3, 40),
        RateRow::new("upper secondary", 12, 60),
        RateRow::new("higher", 20, 80),
    ];
    let table = RateTable::new(&rows, &RateRow::new("all", 35, 180))?;
    let set = table.table_set();

    let primary = table.primary_pattern(&rule)?;
    let protection = protect(set, &primary, threshold, &SecondaryConfig::default())?;
    assert!(protection.audit.passes());

    // basic's numerator (3) is primary; the next smallest numerator (12)
    // hides it from subtraction; denominators and totals stay published.
    let printed = release(set, &protection.pattern, &rule, None)?;
    let values: Vec<(&str, Option<u64>)> = printed
        .iter()
        .map(|c| (c.label.as_str(), c.value))
        .collect();
    assert_eq!(
        values,
        vec![
            ("basic: numerator", None),
            ("upper secondary: numerator", None),
            ("higher: numerator", Some(20)),
            ("all: numerator", Some(35)),
            ("basic: denominator", Some(40)),
            ("upper secondary: denominator", Some(60)),
            ("higher: denominator", Some(80)),
            ("all: denominator", Some(180)),
        ]
    );
    // All an intruder learns: basic + upper secondary = 15.
    let basic = table.level("basic").expect("present");
    let interval = protection.audit.interval(basic.numerator).expect("present");
    assert_eq!((interval.lower, interval.upper), (0, Some(15)));

    // A rate is a summary measure of its numerator and denominator.
    let higher = table.level("higher").expect("present");
    let rate =
        |c: RateCells| summary_decision(set, &protection.pattern, &[c.numerator, c.denominator]);
    assert_eq!(rate(higher)?, SummaryDecision::Release);
    assert!(matches!(rate(basic)?, SummaryDecision::Withhold { .. }));

    // For the manifest: what was suppressed and why (no counts).
    let records = protection.pattern.records(set)?;
    let causes: Vec<(&str, &SuppressionCause)> = records
        .iter()
        .map(|r| (r.label.as_str(), &r.cause))
        .collect();
    assert_eq!(
        causes,
        vec![
            (
                "basic: numerator",
                &SuppressionCause::Primary {
                    reason: PrimaryReason::BelowThreshold {
                        count: CountKind::Numerator,
                        threshold: 5
                    }
                }
            ),
            (
                "upper secondary: numerator",
                &SuppressionCause::Secondary {
                    protecting: vec!["basic: numerator".to_owned()]
                }
            ),
        ]
    );
    Ok(())
}
