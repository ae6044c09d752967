//! Property tests of the pipelines' linked gate (`ulighed::disclosure::gate`): random tables of a
//! main analysis and a sub-analysis (with totals), checked against the subtraction attacks an
//! outsider can make from what is printed: every printed count, every difference between the
//! main analysis and the sub-analysis, and every single hidden level recovered from its total.

use std::collections::BTreeMap;

use proptest::prelude::*;
use ulighed::disclosure::gate::{
    DEFAULT_ZEROS_SHOWN_FROM, Decision, Relations, Slice, gate_release,
};
use ulighed::disclosure::{Audience, Threshold};

const T: u64 = 5;

/// (sub-analysis numerator, denominator, rest numerator, rest denominator) per level.
fn levels() -> impl Strategy<Value = Vec<(u64, u64, u64, u64)>> {
    prop::collection::vec(
        (0u64..40, 0u64..40, 0u64..12, 0u64..12)
            .prop_map(|(a, b, c, d)| (a.min(b), b, c.min(d), d)),
        2..5,
    )
}

fn slice(sub: &str, counts: &[(u64, u64)]) -> Slice {
    Slice {
        stratifier: "s".into(),
        subanalysis: sub.into(),
        outcome: "o".into(),
        at_risk_of: None,
        not_at_risk_are: None,
        within: Vec::new(),
        levels: counts
            .iter()
            .enumerate()
            .map(|(i, &c)| (format!("l{i}"), c))
            .collect(),
    }
}

/// A count an outsider can compute is safe when it is 0 of an empty group or at least T, or 0
/// (a share of 0 % or 100 %) of a group of at least the zero rule's size.
fn safe(count: u64, group: u64) -> bool {
    group == 0 || count >= T || (count == 0 && group >= DEFAULT_ZEROS_SHOWN_FROM)
}

/// What an outsider sees of one table: level -> (numerator, denominator) when printed.
fn printed(slice: &Slice, decision: &Decision) -> BTreeMap<String, (Option<u64>, Option<u64>)> {
    let mut rows: BTreeMap<String, (u64, u64)> = slice.levels.clone();
    let total = rows.values().fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    rows.insert("i alt".into(), total);
    rows.into_iter()
        .map(|(level, (n, d))| {
            let shown = decision[&level];
            (
                level,
                (shown.numerator.then_some(n), shown.denominator.then_some(d)),
            )
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn no_small_count_is_printed_or_follows_by_subtraction(cells in levels()) {
        let sub: Vec<(u64, u64)> = cells.iter().map(|c| (c.0, c.1)).collect();
        let main: Vec<(u64, u64)> = cells.iter().map(|c| (c.0 + c.2, c.1 + c.3)).collect();
        let slices = [slice("", &main), slice("women", &sub)];
        let relations = Relations { nested: vec![("women".into(), String::new())], ..Relations::default() };
        let (decisions, _) = gate_release(&slices, &relations, Threshold::new(T, Audience::External).unwrap().into()).unwrap();
        let seen: Vec<_> = slices.iter().zip(&decisions).map(|(s, d)| printed(s, d)).collect();
        for table in &seen {
            for (level, &(n, d)) in table {
                if let Some(d) = d {
                    prop_assert!(safe(d, d), "{level}: denominator {d}");
                    if let Some(n) = n {
                        prop_assert!(safe(n, d) && safe(d - n, d), "{level}: {n} of {d}");
                    }
                }
            }
            // One hidden level follows from the total and the others.
            let levels: Vec<_> = table.iter().filter(|(l, _)| *l != "i alt").collect();
            let (total_n, total_d) = table["i alt"];
            let hidden_d: Vec<_> = levels.iter().filter(|(_, c)| c.1.is_none()).collect();
            if let (Some(total_d), 1) = (total_d, hidden_d.len()) {
                let rest = total_d - levels.iter().filter_map(|(_, c)| c.1).sum::<u64>();
                prop_assert!(safe(rest, rest), "one hidden denominator: {rest}");
            }
            let hidden_n: Vec<_> = levels.iter().filter(|(_, c)| c.0.is_none()).collect();
            if let (Some(total_n), [(_, (_, Some(d)))]) = (total_n, hidden_n.as_slice()) {
                let n = total_n - levels.iter().filter_map(|(_, c)| c.0).sum::<u64>();
                prop_assert!(safe(n, *d) && safe(d - n, *d), "one hidden numerator: {n} of {d}");
            }
        }
        // The rest of the main analysis beside the sub-analysis.
        for (level, &(main_n, main_d)) in &seen[0] {
            let Some(&(sub_n, sub_d)) = seen[1].get(level) else { continue };
            if let (Some(md), Some(sd)) = (main_d, sub_d) {
                let rest = md - sd;
                prop_assert!(safe(rest, rest), "{level}: main - sub = {rest} persons");
                if let (Some(mn), Some(sn)) = (main_n, sub_n) {
                    let rest_n = mn - sn;
                    prop_assert!(safe(rest_n, rest) && safe(rest - rest_n, rest), "{level}: {rest_n} of {rest}");
                }
            }
        }
    }
}
