//! The disclosure gate of one analysis in one year: every table a run releases for it (each
//! stratifier, outcome and sub-analysis) is protected as one release, so that no suppressed
//! count can be worked back by subtraction *between* tables, and every table lists the same
//! levels, so that a level's absence says nothing.
//!
//! Totals are printed in every stratifier's table, so they are decided once for the release
//! (stage 1) and then known in every table (stage 2):
//!
//! 1. **The totals**: one table per sub-analysis and outcome holding only its total, linked as
//!    the tables are ([`super::linked`]: sub-analyses inside the main analysis, patients not at
//!    risk, nested outcomes). A total this stage hides is hidden in every table, and so are all
//!    levels of its table (a hidden total beside printed levels could be narrowed table by
//!    table).
//! 2. **The levels**: each stratifier (or group of stratifiers one of which lies inside another,
//!    such as municipality in region) is one problem in which the totals printed by stage 1 are
//!    [`crate::disclosure::Visibility::Known`] and never suppressed. With every shared number
//!    known, these problems share no unknown, so protecting each alone protects them together.
//!    A problem that has no pattern hides all its levels and keeps its totals.
//!
//! Primary rule ([`ReleaseRule`]): a denominator below the threshold (but not 0), and a numerator
//! or complement below it, 0 included when its group is not empty and smaller than the rule's
//! `zeros_shown_from` (a share of 0% or 100% reveals every member's outcome). Structural zeros (an
//! empty group) describe nobody and are released. The
//! secondary suppression and its audit are those of [`crate::disclosure::protect`]; the method
//! follows Hundepool et al., *Statistical Disclosure Control* (Wiley 2012), ch. 4 on linked
//! tables: a cell common to several tables gets one decision.

use std::collections::{BTreeMap, BTreeSet};

use super::hierarchy::{hide_levels, protect_group};
use super::linked::{Outcome, protect_linked};
pub use super::slices::{
    DEFAULT_ZEROS_SHOWN_FROM, Decision, GateCounts, Hierarchy, Relations, ReleaseRule, Released,
    Shown, Slice,
};
use crate::error::Result;
use crate::tidy::TOTAL;

/// The level of a stage-1 table: the whole population.
const WHOLE: &str = "(alle)";

/// Gates every slice of one analysis in one year together (see the module docs); returns the
/// decisions in slice order.
pub fn gate_release(
    slices: &[Slice],
    relations: &Relations,
    rule: ReleaseRule,
) -> Result<(Vec<Decision>, GateCounts)> {
    let mut counts = GateCounts::default();
    let totals = decide_totals(slices, relations, rule, &mut counts)?;
    let mut decisions: Vec<Option<Decision>> = vec![None; slices.len()];
    for group in stratifier_groups(slices, relations) {
        // The tables whose totals are printed whole take part; the others hide every level.
        let (printed, hidden): (Vec<usize>, Vec<usize>) = group.into_iter().partition(|&i| {
            totals
                .get(&population_outcome(&slices[i]))
                .is_some_and(|t| t.both())
        });
        for &i in &hidden {
            let total = totals
                .get(&population_outcome(&slices[i]))
                .copied()
                .unwrap_or_default();
            decisions[i] = Some(hide_levels(&slices[i], total, &mut counts));
        }
        if printed.is_empty() {
            continue;
        }
        let members: Vec<Slice> = printed.iter().map(|&i| slices[i].clone()).collect();
        let found = protect_group(&members, relations, rule, &mut counts)?;
        for (&i, decision) in printed.iter().zip(found) {
            decisions[i] = Some(decision);
        }
    }
    Ok((
        decisions
            .into_iter()
            .map(Option::unwrap_or_default)
            .collect(),
        counts,
    ))
}

fn population_outcome(slice: &Slice) -> (String, String) {
    (slice.subanalysis.clone(), slice.outcome.clone())
}

/// Stage 1: which counts of each (sub-analysis, outcome) total are printed.
fn decide_totals(
    slices: &[Slice],
    relations: &Relations,
    rule: ReleaseRule,
    counts: &mut GateCounts,
) -> Result<BTreeMap<(String, String), Shown>> {
    let mut seen = BTreeSet::new();
    let whole: Vec<Slice> = slices
        .iter()
        .filter(|s| seen.insert(population_outcome(s)))
        .map(|s| {
            let total = s
                .levels
                .values()
                .fold((0, 0), |(n, d), &(a, b)| (n + a, d + b));
            Slice {
                stratifier: String::new(),
                levels: BTreeMap::from([(WHOLE.to_string(), total)]),
                ..s.clone()
            }
        })
        .collect();
    // The totals released before, as stage-1 tables of their own.
    let earlier = relations
        .earlier
        .iter()
        .map(|release| {
            let mut seen = BTreeSet::new();
            release
                .iter()
                .filter(|r| seen.insert(population_outcome(&r.slice)))
                .map(|r| {
                    let total = r
                        .slice
                        .levels
                        .values()
                        .fold((0, 0), |(n, d), &(a, b)| (n + a, d + b));
                    let shown = r.decision.get(TOTAL).copied().unwrap_or_default();
                    Released {
                        slice: Slice {
                            stratifier: String::new(),
                            levels: BTreeMap::from([(WHOLE.to_string(), total)]),
                            ..r.slice.clone()
                        },
                        decision: BTreeMap::from([
                            (WHOLE.to_string(), shown),
                            (TOTAL.to_string(), shown),
                        ]),
                    }
                })
                .collect()
        })
        .collect();
    let without_hierarchies = Relations {
        hierarchies: Vec::new(),
        earlier,
        ..relations.clone()
    };
    let decided: Vec<Shown> = match protect_linked(&whole, &without_hierarchies, false, rule)? {
        Outcome::Protected(decisions, gated) => {
            counts.add(gated);
            decisions
                .iter()
                .map(|d| {
                    let (a, b) = (d[WHOLE], d[TOTAL]);
                    Shown {
                        numerator: a.numerator && b.numerator,
                        denominator: a.denominator && b.denominator,
                    }
                })
                .collect()
        }
        Outcome::Unprotectable => vec![Shown::default(); whole.len()],
    };
    Ok(whole.iter().map(population_outcome).zip(decided).collect())
}

/// Slice indices grouped by stratifier, stratifiers in a hierarchy together.
fn stratifier_groups(slices: &[Slice], relations: &Relations) -> Vec<Vec<usize>> {
    // Each stratifier's group: the smallest name reachable through the hierarchies.
    let mut group: BTreeMap<&str, &str> = slices
        .iter()
        .map(|s| (s.stratifier.as_str(), s.stratifier.as_str()))
        .collect();
    loop {
        let mut changed = false;
        for h in &relations.hierarchies {
            let (Some(&a), Some(&b)) = (group.get(h.fine.as_str()), group.get(h.coarse.as_str()))
            else {
                continue;
            };
            let least = a.min(b);
            for g in group.values_mut() {
                if (*g == a || *g == b) && *g != least {
                    *g = least;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, s) in slices.iter().enumerate() {
        groups
            .entry(group[s.stratifier.as_str()])
            .or_default()
            .push(i);
    }
    groups.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::disclosure::{Audience, Threshold};

    fn slice(
        sub: &str,
        outcome: &str,
        at_risk_of: Option<&str>,
        levels: &[(&str, u64, u64)],
    ) -> Slice {
        Slice {
            stratifier: "s".into(),
            subanalysis: sub.into(),
            outcome: outcome.into(),
            at_risk_of: at_risk_of.map(str::to_string),
            not_at_risk_are: None,
            within: Vec::new(),
            levels: levels
                .iter()
                .map(|(l, n, d)| (l.to_string(), (*n, *d)))
                .collect(),
        }
    }

    fn five() -> Threshold {
        Threshold::new(5, Audience::External).unwrap()
    }

    /// The release gate with every sub-analysis inside the main analysis.
    fn gate(slices: &[Slice], threshold: Threshold) -> Result<(Vec<Decision>, GateCounts)> {
        let nested = slices
            .iter()
            .filter(|s| !s.subanalysis.is_empty())
            .map(|s| (s.subanalysis.clone(), String::new()))
            .collect();
        let relations = Relations {
            nested,
            ..Relations::default()
        };
        gate_release(slices, &relations, threshold.into())
    }

    /// A slice of stratifier `stratifier`.
    fn of(stratifier: &str, slice: Slice) -> Slice {
        Slice {
            stratifier: stratifier.into(),
            ..slice
        }
    }

    /// Those not at risk of rehabilitation (alive and in Denmark at day 30) are the deaths and
    /// the emigrants: with 2 of short education's 40 patients emigrated, PCI's denominator less
    /// rehabilitation's (8) less the deaths (6) would print the 2 though nothing counts them.
    /// Neither they nor the release's 2 in all may follow from what is printed; where nobody
    /// emigrated (long education) the not-at-risk count is the deaths and no count of its own.
    #[test]
    fn the_emigrants_not_at_risk_are_not_given_away_by_subtraction() {
        // PCI and 30-day deaths of the same 40 + 40 patients; rehabilitation among those alive
        // and in Denmark at day 30, whose short-education denominator is `kort`.
        let release = |kort: u64| {
            [
                slice("", "pci", None, &[("kort", 20, 40), ("lang", 25, 40)]),
                Slice {
                    not_at_risk_are: Some("death30".into()),
                    ..slice(
                        "",
                        "rehab",
                        Some("pci"),
                        &[("kort", 15, kort), ("lang", 20, 33)],
                    )
                },
                slice("", "death30", None, &[("kort", 6, 40), ("lang", 7, 40)]),
            ]
        };
        let slices = release(32);
        let (decisions, _) = gate_release(&slices, &Relations::default(), five().into()).unwrap();
        let shown = |outcome: &str, level: &str| {
            let i = slices.iter().position(|s| s.outcome == outcome).unwrap();
            decisions[i][level]
        };
        for level in ["kort", TOTAL] {
            assert!(
                !(shown("pci", level).denominator
                    && shown("rehab", level).denominator
                    && shown("death30", level).numerator),
                "{level}: the 2 emigrants follow by subtraction: {decisions:?}"
            );
        }
        // Without an emigrant (40 - 6 deaths = 34 at risk) the same release prints everything.
        let (decisions, _) =
            gate_release(&release(34), &Relations::default(), five().into()).unwrap();
        assert!(
            decisions.iter().all(|d| d.values().all(|s| s.both())),
            "{decisions:?}"
        );
    }

    /// L1: PCI's denominator "i alt" is 40 in the education table, rehabilitation's (patients
    /// alive at day 30) 36 in the origin table: 4 deaths within 30 days would follow from two
    /// totals printed in different tables, though every death count is hidden. The totals are
    /// decided once for the release, so one of the two is hidden in every table.
    #[test]
    fn l1_totals_of_different_tables_do_not_give_the_deaths_away() {
        let rehab = |levels: &[(&str, u64, u64)]| Slice {
            not_at_risk_are: Some("death30".into()),
            ..slice("", "rehab", Some("pci"), levels)
        };
        let slices = [
            of(
                "education",
                slice("", "pci", None, &[("kort", 10, 20), ("lang", 12, 20)]),
            ),
            of("education", rehab(&[("kort", 8, 18), ("lang", 9, 18)])),
            of(
                "education",
                slice("", "death30", None, &[("kort", 2, 20), ("lang", 2, 20)]),
            ),
            of(
                "origin",
                slice("", "pci", None, &[("dansk", 20, 36), ("andet", 2, 4)]),
            ),
            of("origin", rehab(&[("dansk", 15, 33), ("andet", 2, 3)])),
            of(
                "origin",
                slice("", "death30", None, &[("dansk", 3, 36), ("andet", 1, 4)]),
            ),
        ];
        let (decisions, _) = gate_release(&slices, &Relations::default(), five().into()).unwrap();
        let printed = |outcome: &str| {
            slices
                .iter()
                .zip(&decisions)
                .any(|(s, d)| s.outcome == outcome && d[TOTAL].denominator)
        };
        assert!(
            !(printed("pci") && printed("rehab")),
            "40 - 36 = 4 deaths: {decisions:?}"
        );
        // The totals are the same in every table.
        for outcome in ["pci", "rehab", "death30"] {
            let totals: Vec<Shown> = slices
                .iter()
                .zip(&decisions)
                .filter(|(s, _)| s.outcome == outcome)
                .map(|(_, d)| d[TOTAL])
                .collect();
            assert!(
                totals.windows(2).all(|w| w[0] == w[1]),
                "{outcome}: {totals:?}"
            );
        }
    }

    /// L2: the deaths' total (7) is printed in the education table, so in the sex table men =
    /// total - women: with 5 women and 2 men, hiding the men is not enough, the women go too.
    #[test]
    fn l2_a_total_printed_in_another_table_protects_the_sex_table() {
        let slices = [
            of(
                "education",
                slice("", "death30", None, &[("kort", 4, 60), ("lang", 3, 50)]),
            ),
            of(
                "sex",
                slice("", "death30", None, &[("1", 2, 50), ("2", 5, 60)]),
            ),
        ];
        let (decisions, _) = gate_release(&slices, &Relations::default(), five().into()).unwrap();
        let (education, sex) = (&decisions[0], &decisions[1]);
        assert!(!sex["1"].numerator, "2 men");
        if education[TOTAL].numerator || sex[TOTAL].numerator {
            assert!(!sex["2"].numerator, "7 - 5 = 2 men: {sex:?}");
        }
        assert_eq!(education[TOTAL], sex[TOTAL], "one total, one decision");
    }

    /// Level "a" of the main analysis has 3 persons (2 with the outcome) more than the women's
    /// sub-analysis: each table alone is safe, but their difference is not.
    #[test]
    fn a_sub_analysis_cannot_be_subtracted_from_the_main_analysis() {
        let slices = [
            slice("", "o", None, &[("a", 100, 200), ("b", 50, 100)]),
            slice("women", "o", None, &[("a", 98, 197), ("b", 20, 60)]),
        ];
        let (decisions, counts) = gate(&slices, five()).unwrap();
        let (main, sub) = (&decisions[0]["a"], &decisions[1]["a"]);
        assert!(
            !(main.denominator && sub.denominator),
            "3 = 200 - 197 would be shown"
        );
        assert!(
            !(main.numerator && sub.numerator),
            "2 = 100 - 98 would be shown"
        );
        assert!(counts.primary >= 1 && counts.secondary >= 1);
        // Each table alone passes: without the link nothing would be hidden.
        let (alone, _) = gate(&slices[..1], five()).unwrap();
        assert!(alone[0].values().all(|s| s.both()));
    }

    /// The patients alive 30 days after the index are 3 fewer than all patients: the deaths
    /// follow from the two denominators unless one is hidden.
    #[test]
    fn an_at_risk_denominator_cannot_reveal_the_few_who_died() {
        let slices = [
            slice("", "pci", None, &[("a", 60, 100), ("b", 70, 120)]),
            slice("", "rehab", Some("pci"), &[("a", 40, 97), ("b", 50, 110)]),
        ];
        let (decisions, _) = gate(&slices, five()).unwrap();
        assert!(!(decisions[0]["a"].denominator && decisions[1]["a"].denominator));
        // Without the link (no `at_risk_of`), both denominators of "a" would be shown.
        let unlinked = [
            slices[0].clone(),
            Slice {
                at_risk_of: None,
                ..slices[1].clone()
            },
        ];
        let (decisions, _) = gate(&unlinked, five()).unwrap();
        assert!(decisions[0]["a"].denominator && decisions[1]["a"].denominator);
    }

    /// Surgery within 24 hours is part of surgery within 48 hours: 3 patients operated between
    /// the two at one hospital must not follow from the two numerators.
    #[test]
    fn a_nested_outcome_cannot_be_subtracted_from_the_wider_one() {
        let narrow = Slice {
            within: vec!["48h".into()],
            ..slice("", "24h", None, &[("a", 80, 120), ("b", 60, 100)])
        };
        let slices = [
            narrow,
            slice("", "48h", None, &[("a", 83, 120), ("b", 90, 100)]),
        ];
        let (decisions, _) = gate(&slices, five()).unwrap();
        assert!(!(decisions[0]["a"].numerator && decisions[1]["a"].numerator));
        let unlinked = [
            Slice {
                within: Vec::new(),
                ..slices[0].clone()
            },
            slices[1].clone(),
        ];
        let (decisions, _) = gate(&unlinked, five()).unwrap();
        assert!(decisions[0]["a"].numerator && decisions[1]["a"].numerator);
    }

    /// The deaths within 30 days are both a published numerator and the difference of two
    /// denominators: hiding one but not the other would not protect it.
    #[test]
    fn deaths_hidden_as_a_numerator_stay_hidden_between_denominators() {
        let rehab = Slice {
            not_at_risk_are: Some("death".into()),
            ..slice("", "rehab", Some("pci"), &[("a", 40, 97), ("b", 50, 100)])
        };
        let slices = [
            slice("", "pci", None, &[("a", 60, 100), ("b", 70, 120)]),
            rehab,
            slice("", "death", None, &[("a", 3, 100), ("b", 20, 120)]),
        ];
        let (decisions, _) = gate(&slices, five()).unwrap();
        assert!(!decisions[2]["a"].numerator, "3 deaths");
        assert!(!(decisions[0]["a"].denominator && decisions[1]["a"].denominator));
    }

    /// A share of 0% or 100% reveals the outcome of every member of a small group; an empty group
    /// tells nothing, and in a group of at least `zeros_shown_from` persons it is a fact about
    /// the group (an offer for two or more chronic conditions, for none of 18,458 patients with one).
    #[test]
    fn zeros_are_sensitive_in_small_groups_only() {
        let slices = [slice(
            "",
            "o",
            None,
            &[
                ("all", 40, 40),
                ("none", 0, 30),
                ("empty", 0, 0),
                ("x", 20, 50),
                ("one condition", 0, 18_458),
                ("everyone of many", 120, 120),
                ("y", 5_000, 9_000),
            ],
        )];
        let (decisions, _) = gate(&slices, five()).unwrap();
        assert!(!decisions[0]["all"].numerator, "complement 0");
        assert!(!decisions[0]["none"].numerator, "numerator 0");
        assert!(decisions[0]["empty"].denominator);
        assert!(decisions[0]["one condition"].both(), "0 of 18,458");
        assert!(decisions[0]["everyone of many"].both(), "120 of 120");
        // A stricter rule hides them too.
        let strict = ReleaseRule {
            threshold: five(),
            zeros_shown_from: 20_000,
        };
        let (decisions, _) = gate_release(&slices, &Relations::default(), strict).unwrap();
        assert!(!decisions[0]["one condition"].numerator);
        assert!(!decisions[0]["everyone of many"].numerator);
    }

    /// The midway status printed level "a" as 50 of 100; the annual analysis has 52 of 103: two
    /// persons with the outcome and three patients came in since, unless "a" is hidden now.
    #[test]
    fn a_release_cannot_be_subtracted_from_the_one_before() {
        let before = slice("", "o", None, &[("a", 50, 100), ("b", 40, 90)]);
        let printed: Decision = ["a", "b", TOTAL]
            .into_iter()
            .map(|l| {
                (
                    l.to_string(),
                    Shown {
                        numerator: true,
                        denominator: true,
                    },
                )
            })
            .collect();
        let now = [slice("", "o", None, &[("a", 52, 103), ("b", 60, 130)])];
        let relations = Relations {
            earlier: vec![vec![Released {
                slice: before,
                decision: printed,
            }]],
            ..Relations::default()
        };
        let (decisions, _) = gate_release(&now, &relations, five().into()).unwrap();
        assert!(!decisions[0]["a"].denominator, "3 = 103 - 100");
        assert!(!decisions[0]["a"].numerator, "2 = 52 - 50");
        assert!(
            decisions[0][TOTAL].both(),
            "the totals changed by 22 and 43"
        );
        // Without the ledger, nothing would be hidden.
        let (alone, _) = gate_release(&now, &Relations::default(), five().into()).unwrap();
        assert!(alone[0].values().all(|s| s.both()));
    }

    /// "uoplyst" has 3 persons with the outcome; with the total printed a second level must go.
    /// By their counts alone "kort" would (the smallest); as an extreme of the ordered dimension
    /// it costs more than "mellem", which goes instead.
    #[test]
    fn the_middle_level_is_hidden_before_an_extreme_one() {
        let slices = [slice(
            "",
            "pci",
            None,
            &[
                ("kort", 150, 300),
                ("mellem", 200, 350),
                ("lang", 190, 310),
                ("uoplyst", 3, 27),
            ],
        )];
        let costly = vec![
            ("s".to_string(), "kort".to_string()),
            ("s".to_string(), "lang".to_string()),
        ];
        let relations = Relations {
            costly,
            ..Relations::default()
        };
        let (decisions, _) = gate_release(&slices, &relations, five().into()).unwrap();
        let d = &decisions[0];
        assert!(!d["uoplyst"].numerator);
        assert!(d["kort"].both() && d["lang"].both(), "{d:?}");
        assert!(!d["mellem"].numerator);
        // Without the costs, the smaller extreme goes.
        let (plain, _) = gate_release(&slices, &Relations::default(), five().into()).unwrap();
        assert!(!plain[0]["kort"].numerator && plain[0]["mellem"].both());
    }
}
