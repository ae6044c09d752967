//! Stage 2 of the release gate for one group of stratifiers ([`super::gate`]): the tables of a
//! stratifier, or of a stratifier and the one it lies inside (municipality in region, hospital
//! in its region), whose totals are printed and known.
//!
//! A stratifier inside another is protected by parts, top-down, as the modular method of
//! τ-ARGUS protects hierarchical tables (Hundepool et al., *Statistical Disclosure Control*,
//! Wiley 2012, sec. 4.4; de Wolf 2002): first the coarse stratifier's tables alone, then, for
//! each coarse level, the fine levels inside it, with that level's printed row as their known
//! total. Each part then shares no unknown with the others, so protecting each protects them
//! together. A coarse level with a hidden count keeps every fine level inside it hidden: the
//! fine cells are then free parts of a hidden sum, each as uncertain as the sum. Stratifiers
//! nest as a tree (municipality in hospital in region, as synthetic patients are treated at
//! their municipality's hospital) are solved from the coarsest down; a stratifier inside two
//! that do not nest is solved whole. Solved whole, AMI's 98 municipalities, hospitals and 5
//! regions on `data-samples/` are one program of 3,810 cells with 2,134 sensitive counts that
//! did not finish in 15 minutes; by parts, each a region's hospitals or a hospital's
//! municipalities, the release takes seconds (the benchmark has the figures).

use std::collections::BTreeMap;

use super::linked::{Outcome, hidden_record, protect_linked};
use super::slices::{Decision, GateCounts, Hierarchy, Relations, ReleaseRule, Shown, Slice};
use crate::error::Result;
use crate::tidy::TOTAL;

/// The decisions for `members` (one stratifier group, every total printed), in their order.
pub(super) fn protect_group(
    members: &[Slice],
    relations: &Relations,
    rule: ReleaseRule,
    counts: &mut GateCounts,
) -> Result<Vec<Decision>> {
    let rows: usize = members.iter().map(|s| s.levels.len()).sum();
    match top_down(members, relations) {
        Some(order) if order.len() > 1 && rows > WHOLE_UP_TO_ROWS => {
            by_parts(members, relations, &order, rule, counts)
        }
        _ => protect_whole(members, relations, rule, counts),
    }
}

/// The most level rows a group of nested stratifiers is solved whole with: there the program can
/// trade hidden cells across parents (hip fracture's 22 hospitals in 5 regions on
/// `data-samples/`, 56 rows: 10 hospital rows printed whole, 7 by parts), while the large ones
/// (AMI's 98 municipalities, about 800 rows) are solved by parts.
const WHOLE_UP_TO_ROWS: usize = 200;

/// The group's stratifiers from the coarsest down, each with the hierarchy to the finest
/// stratifier it lies inside (none for the coarsest), when they nest as a tree: one coarsest,
/// and every stratifier's coarser ones nested in each other (municipality in hospital in region,
/// as synthetic patients are treated at their municipality's hospital). `None` otherwise: a
/// stratifier inside two that do not nest is protected whole.
fn top_down<'a>(
    members: &[Slice],
    relations: &'a Relations,
) -> Option<Vec<(String, Option<&'a Hierarchy>)>> {
    let mut stratifiers: Vec<&str> = members.iter().map(|s| s.stratifier.as_str()).collect();
    stratifiers.sort_unstable();
    stratifiers.dedup();
    let inside = |fine: &str, coarse: &str| {
        relations
            .hierarchies
            .iter()
            .find(|h| h.fine == fine && h.coarse == coarse)
    };
    let mut order = Vec::new();
    for &s in &stratifiers {
        let coarser: Vec<&str> = stratifiers
            .iter()
            .copied()
            .filter(|&c| c != s && inside(s, c).is_some())
            .collect();
        // The immediate parent lies inside every other coarser one.
        let parent = match coarser.as_slice() {
            [] => None,
            _ => {
                let p = coarser
                    .iter()
                    .copied()
                    .find(|&p| coarser.iter().all(|&c| c == p || inside(p, c).is_some()))?;
                inside(s, p)
            }
        };
        order.push((coarser.len(), s.to_string(), parent));
    }
    if order.iter().filter(|(depth, _, _)| *depth == 0).count() != 1 {
        return None;
    }
    order.sort_by_key(|(depth, s, _)| (*depth, s.clone()));
    Some(order.into_iter().map(|(_, s, h)| (s, h)).collect())
}

/// One linked problem over all of `members` (their totals known); without a pattern, every level
/// is hidden and the totals kept.
fn protect_whole(
    members: &[Slice],
    relations: &Relations,
    rule: ReleaseRule,
    counts: &mut GateCounts,
) -> Result<Vec<Decision>> {
    Ok(match protect_linked(members, relations, true, rule)? {
        Outcome::Protected(found, gated) => {
            counts.add(gated);
            found
        }
        Outcome::Unprotectable => members
            .iter()
            .map(|s| hide_levels(s, printed(), counts))
            .collect(),
    })
}

fn printed() -> Shown {
    Shown {
        numerator: true,
        denominator: true,
    }
}

/// The coarsest stratifier first, then each finer one part by part: the levels inside each level
/// of its parent stratifier (module docs).
fn by_parts(
    members: &[Slice],
    relations: &Relations,
    order: &[(String, Option<&Hierarchy>)],
    rule: ReleaseRule,
    counts: &mut GateCounts,
) -> Result<Vec<Decision>> {
    let flat = Relations {
        hierarchies: Vec::new(),
        ..relations.clone()
    };
    let of = |stratifier: &str| -> Vec<usize> {
        (0..members.len())
            .filter(|&i| members[i].stratifier == stratifier)
            .collect()
    };
    let mut decisions: Vec<Decision> = vec![Decision::new(); members.len()];
    for (stratifier, parent) in order {
        let own = of(stratifier);
        let Some(hierarchy) = parent else {
            let slices: Vec<Slice> = own.iter().map(|&i| members[i].clone()).collect();
            for (&i, decision) in own.iter().zip(protect_whole(&slices, &flat, rule, counts)?) {
                decisions[i] = decision;
            }
            continue;
        };
        let coarse = of(&hierarchy.coarse);
        for &i in &own {
            decisions[i].insert(TOTAL.to_string(), printed());
        }
        // The levels inside each parent level; a level the map lacks is a part of its own with
        // no printed parent.
        let mut parts: BTreeMap<Option<&str>, Vec<&str>> = BTreeMap::new();
        for &i in &own {
            for level in members[i].levels.keys() {
                let part = parts
                    .entry(hierarchy.parent.get(level).map(String::as_str))
                    .or_default();
                if !part.contains(&level.as_str()) {
                    part.push(level);
                }
            }
        }
        for (parent, levels) in parts {
            let restricted: Vec<Slice> = own
                .iter()
                .map(|&i| restrict(&members[i], &levels))
                .collect();
            // Solved only when the parent's row is printed in every table of the parent.
            let known = parent.filter(|p| {
                coarse
                    .iter()
                    .all(|&c| decisions[c].get(*p).is_some_and(|s| s.both()))
            });
            let found = match known {
                Some(parent) => {
                    let part = Relations {
                        earlier: earlier_part(&flat, hierarchy, parent, &levels),
                        ..flat.clone()
                    };
                    protect_whole(&restricted, &part, rule, counts)?
                }
                None => restricted
                    .iter()
                    .map(|s| hide_levels(s, printed(), counts))
                    .collect(),
            };
            for (&i, decision) in own.iter().zip(found) {
                for (level, shown) in decision {
                    if level != TOTAL {
                        decisions[i].insert(level, shown);
                    }
                }
            }
        }
    }
    Ok(decisions)
}

/// A slice with only `levels` (its total then is theirs).
fn restrict(slice: &Slice, levels: &[&str]) -> Slice {
    Slice {
        levels: slice
            .levels
            .iter()
            .filter(|(l, _)| levels.contains(&l.as_str()))
            .map(|(l, &c)| (l.clone(), c))
            .collect(),
        ..slice.clone()
    }
}

/// The earlier releases' tables of the fine stratifier restricted to one part, each with the
/// parent's row as printed then in the coarse table of the same population and outcome as its
/// total.
fn earlier_part(
    relations: &Relations,
    hierarchy: &Hierarchy,
    parent: &str,
    levels: &[&str],
) -> Vec<Vec<super::slices::Released>> {
    relations
        .earlier
        .iter()
        .map(|release| {
            release
                .iter()
                .filter(|r| r.slice.stratifier == hierarchy.fine)
                .map(|r| {
                    let parent_then = release
                        .iter()
                        .find(|c| {
                            c.slice.stratifier == hierarchy.coarse
                                && c.slice.subanalysis == r.slice.subanalysis
                                && c.slice.outcome == r.slice.outcome
                        })
                        .and_then(|c| c.decision.get(parent).copied())
                        .unwrap_or_default();
                    let mut decision: Decision = r
                        .decision
                        .iter()
                        .filter(|(l, _)| levels.contains(&l.as_str()))
                        .map(|(l, &s)| (l.clone(), s))
                        .collect();
                    decision.insert(TOTAL.to_string(), parent_then);
                    super::slices::Released {
                        slice: restrict(&r.slice, levels),
                        decision,
                    }
                })
                .collect()
        })
        .collect()
}

/// Every level of a slice hidden, its total as decided for the release.
pub(super) fn hide_levels(slice: &Slice, total: Shown, counts: &mut GateCounts) -> Decision {
    for level in slice.levels.keys() {
        for part in ["numerator", "denominator"] {
            counts.records.push(hidden_record(format!(
                "{}/{}/{}/{level}: {part}",
                slice.stratifier, slice.subanalysis, slice.outcome
            )));
        }
    }
    counts.secondary += 2 * slice.levels.len();
    slice
        .levels
        .keys()
        .map(|level| (level.clone(), Shown::default()))
        .chain([(TOTAL.to_string(), total)])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::disclosure::{Audience, Threshold};

    /// The decisions by parts (the gate solves groups this small whole).
    fn parts(members: &[Slice], relations: &Relations) -> Vec<Decision> {
        let order = top_down(members, relations).expect("nested");
        let threshold = Threshold::new(5, Audience::External).unwrap();
        let mut counts = GateCounts::default();
        by_parts(members, relations, &order, threshold.into(), &mut counts).unwrap()
    }

    fn slice(stratifier: &str, rows: &[(&str, u64, u64)]) -> Slice {
        Slice {
            stratifier: stratifier.into(),
            subanalysis: String::new(),
            outcome: "o".into(),
            at_risk_of: None,
            not_at_risk_are: None,
            within: Vec::new(),
            levels: rows
                .iter()
                .map(|(l, n, d)| (l.to_string(), (*n, *d)))
                .collect(),
        }
    }

    fn hierarchy(fine: &str, coarse: &str, pairs: &[(&str, &str)]) -> Hierarchy {
        Hierarchy {
            fine: fine.into(),
            coarse: coarse.into(),
            parent: pairs
                .iter()
                .map(|(f, c)| (f.to_string(), c.to_string()))
                .collect(),
        }
    }

    /// Municipalities in two regions: region A holds a municipality with 3 events, so a second
    /// municipality of A goes too (A's printed row less the others would give it); region B's
    /// municipalities are all large and printed; the regions are printed.
    #[test]
    fn a_small_municipality_is_protected_within_its_printed_region() {
        let municipality = slice(
            "municipality",
            &[
                ("a1", 3, 40),
                ("a2", 30, 60),
                ("a3", 25, 50),
                ("b1", 20, 50),
                ("b2", 30, 70),
            ],
        );
        let region = slice("region", &[("A", 58, 150), ("B", 50, 120)]);
        let relations = Relations {
            hierarchies: vec![hierarchy(
                "municipality",
                "region",
                &[
                    ("a1", "A"),
                    ("a2", "A"),
                    ("a3", "A"),
                    ("b1", "B"),
                    ("b2", "B"),
                ],
            )],
            ..Relations::default()
        };
        let d = parts(&[municipality, region], &relations);
        assert!(
            d[1]["A"].both() && d[1]["B"].both(),
            "regions printed: {:?}",
            d[1]
        );
        assert!(!d[0]["a1"].numerator, "3 events");
        let hidden_in_a = ["a1", "a2", "a3"]
            .iter()
            .filter(|l| !d[0][**l].numerator)
            .count();
        assert!(
            hidden_in_a >= 2,
            "A less its printed municipalities: {:?}",
            d[0]
        );
        assert!(
            d[0]["b1"].both() && d[0]["b2"].both(),
            "B untouched: {:?}",
            d[0]
        );
    }

    /// A region whose row is hidden keeps every municipality inside it hidden.
    #[test]
    fn the_municipalities_of_a_hidden_region_are_hidden() {
        let municipality = slice(
            "municipality",
            &[("a1", 1, 2), ("a2", 1, 2), ("b1", 40, 90)],
        );
        let region = slice("region", &[("A", 2, 4), ("B", 40, 90), ("C", 50, 100)]);
        let relations = Relations {
            hierarchies: vec![hierarchy(
                "municipality",
                "region",
                &[("a1", "A"), ("a2", "A"), ("b1", "B")],
            )],
            ..Relations::default()
        };
        let d = parts(&[municipality, region], &relations);
        assert!(!d[1]["A"].denominator);
        assert!(!d[0]["a1"].denominator && !d[0]["a2"].denominator);
    }

    /// Municipality inside hospital inside region is solved top-down; a municipality inside two
    /// stratifiers that do not nest is solved whole.
    #[test]
    fn nested_stratifiers_are_ordered_from_the_coarsest_and_a_lattice_is_solved_whole() {
        let members = [
            slice("municipality", &[("m", 10, 20)]),
            slice("hospital", &[("h", 10, 20)]),
            slice("region", &[("r", 10, 20)]),
        ];
        let chain = Relations {
            hierarchies: vec![
                hierarchy("municipality", "hospital", &[("m", "h")]),
                hierarchy("hospital", "region", &[("h", "r")]),
                hierarchy("municipality", "region", &[("m", "r")]),
            ],
            ..Relations::default()
        };
        let order = top_down(&members, &chain).expect("a chain");
        let names: Vec<(&str, Option<&str>)> = order
            .iter()
            .map(|(s, h)| (s.as_str(), h.map(|h| h.coarse.as_str())))
            .collect();
        assert_eq!(
            names,
            [
                ("region", None),
                ("hospital", Some("region")),
                ("municipality", Some("hospital"))
            ]
        );
        let lattice = Relations {
            hierarchies: vec![
                hierarchy("municipality", "hospital", &[("m", "h")]),
                hierarchy("municipality", "region", &[("m", "r")]),
            ],
            ..Relations::default()
        };
        assert!(top_down(&members, &lattice).is_none());
    }
}
