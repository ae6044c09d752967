//! The disclosure gate of one stratifier in one year: every table a run releases for it (each
//! outcome, in the main analysis and in every sub-analysis) goes through one linked table set,
//! so that no suppressed count can be worked back by subtraction *between* tables.
//!
//! The links (each an additive constraint for the LP audit of [`crate::disclosure`]):
//! - within a table: the levels add up to the total, for numerators and for denominators, and
//!   each level's numerator plus its unpublished complement is its denominator;
//! - a sub-analysis is part of the main analysis: for each level, main = sub + rest, where the
//!   rest (e.g. the men, beside the women's sub-analysis) is never published but is as
//!   sensitive as a published count;
//! - an outcome restricted to patients alive some days after the index has a smaller denominator
//!   than the outcome without that restriction: the difference (the patients who died) is an
//!   unpublished, sensitive cell.
//!
//! Primary rule: a denominator below the threshold (but not 0), and a numerator or complement
//! below it, 0 included, whenever its denominator is not 0 (a share of 0% or 100% tells every
//! member's outcome). Structural zeros (an empty group) describe nobody and are released. The
//! secondary suppression and its audit are those of [`crate::disclosure::protect`].

use std::collections::BTreeMap;

use crate::disclosure::{
    CellId, CountKind, DisclosureError, Pattern, PrimaryReason, SecondaryConfig, SuppressionRecord,
    TableSet, Threshold, protect,
};
use crate::error::{Error, Result};

/// One released table: levels with (persons with the outcome, persons at risk).
#[derive(Debug, Clone)]
pub struct Slice {
    /// The sub-analysis id, empty for the main analysis.
    pub subanalysis: String,
    pub outcome: String,
    /// The outcome without an at-risk restriction this one's denominators are part of.
    pub at_risk_of: Option<String>,
    /// The outcome whose numerator counts exactly those not at risk here (a death outcome whose
    /// window ends where the at-risk rule begins).
    pub not_at_risk_are: Option<String>,
    /// An outcome whose events include this one's (same patients, a wider window or more
    /// codes): its numerator is this one's plus the patients in between.
    pub within: Option<String>,
    pub levels: BTreeMap<String, (u64, u64)>,
}

/// Which counts of a row may be printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Shown {
    pub numerator: bool,
    pub denominator: bool,
}

impl Shown {
    /// The row's values (its share and everything derived from it) may be released.
    pub fn both(self) -> bool {
        self.numerator && self.denominator
    }
}

/// The decisions for one slice: per level and for its total (key [`crate::tidy::TOTAL`]).
pub type Decision = BTreeMap<String, Shown>;

/// What the gate suppressed, for the manifest.
#[derive(Debug, Clone, Default)]
pub struct GateCounts {
    pub primary: usize,
    pub secondary: usize,
    /// Every suppressed or protected cell with its cause (labels only, never a count).
    pub records: Vec<SuppressionRecord>,
}

#[derive(Clone, Copy)]
struct Rate {
    numerator: CellId,
    denominator: CellId,
    complement: CellId,
}

fn failed(e: DisclosureError) -> Error {
    Error::Internal(format!("disclosure control: {e}"))
}

/// Adds a rate row (published numerator and denominator, unpublished complement).
fn add_rate(set: &mut TableSet, label: &str, n: u64, d: u64, published: bool) -> Result<Rate> {
    let add = |set: &mut TableSet, suffix: &str, v: u64| {
        let label = format!("{label}: {suffix}");
        if published {
            set.add_cell(label, v)
        } else {
            set.add_unpublished_cell(label, v)
        }
    };
    let numerator = add(set, "numerator", n).map_err(failed)?;
    let denominator = add(set, "denominator", d).map_err(failed)?;
    let complement = set
        .add_unpublished_cell(format!("{label}: complement"), d - n)
        .map_err(failed)?;
    set.add_constraint(denominator, &[numerator, complement])
        .map_err(failed)?;
    Ok(Rate {
        numerator,
        denominator,
        complement,
    })
}

/// Marks the primary-sensitive counts of a rate row.
fn mark(pattern: &mut Pattern, set: &TableSet, rate: Rate, threshold: u64) -> Result<()> {
    let value = |id| set.cell(id).map(|c| c.value()).map_err(failed);
    let d = value(rate.denominator)?;
    if d == 0 {
        return Ok(());
    }
    let reason = |kind, v: u64| {
        if v == 0 {
            PrimaryReason::Zero { count: kind }
        } else {
            PrimaryReason::BelowThreshold {
                count: kind,
                threshold,
            }
        }
    };
    if d < threshold {
        pattern
            .mark_primary(rate.denominator, reason(CountKind::Denominator, d))
            .map_err(failed)?;
    }
    for (cell, kind) in [
        (rate.numerator, CountKind::Numerator),
        (rate.complement, CountKind::Complement),
    ] {
        let v = value(cell)?;
        if v < threshold {
            pattern
                .mark_primary(cell, reason(kind, v))
                .map_err(failed)?;
        }
    }
    Ok(())
}

/// Gates every slice of one stratifier together; returns the decisions in slice order.
pub fn gate(slices: &[Slice], threshold: Threshold) -> Result<(Vec<Decision>, GateCounts)> {
    let t = threshold.value();
    let mut set = TableSet::new();
    let mut rates: Vec<BTreeMap<String, Rate>> = Vec::with_capacity(slices.len());
    let total_key = crate::tidy::TOTAL.to_string();
    for slice in slices {
        let mut rows = BTreeMap::new();
        let (mut n_total, mut d_total) = (0, 0);
        for (level, &(n, d)) in &slice.levels {
            let label = format!("{}/{}/{level}", slice.subanalysis, slice.outcome);
            rows.insert(level.clone(), add_rate(&mut set, &label, n, d, true)?);
            n_total += n;
            d_total += d;
        }
        let label = format!("{}/{}/{total_key}", slice.subanalysis, slice.outcome);
        let total = add_rate(&mut set, &label, n_total, d_total, true)?;
        let parts =
            |pick: fn(&Rate) -> CellId| -> Vec<CellId> { rows.values().map(pick).collect() };
        if !rows.is_empty() {
            set.add_constraint(total.numerator, &parts(|r| r.numerator))
                .map_err(failed)?;
            set.add_constraint(total.denominator, &parts(|r| r.denominator))
                .map_err(failed)?;
        }
        rows.insert(total_key.clone(), total);
        rates.push(rows);
    }
    // Links between slices, with their unpublished differences.
    let mut rests = Vec::new();
    // (slice, level) -> (cell, patients not at risk, patients of the unrestricted outcome).
    let mut lost: BTreeMap<(usize, String), (CellId, u64, u64)> = BTreeMap::new();
    let value = |set: &TableSet, id| set.cell(id).map(|c| c.value()).map_err(failed);
    for (i, slice) in slices.iter().enumerate() {
        let main = slices
            .iter()
            .position(|s| s.subanalysis.is_empty() && s.outcome == slice.outcome);
        if let (false, Some(main)) = (slice.subanalysis.is_empty(), main) {
            for (level, sub_rate) in rates[i].clone() {
                let Some(&main_rate) = rates[main].get(&level) else {
                    continue;
                };
                let n = value(&set, main_rate.numerator)? - value(&set, sub_rate.numerator)?;
                let d = value(&set, main_rate.denominator)? - value(&set, sub_rate.denominator)?;
                let label = format!("{}/{}/{level} (rest)", slice.subanalysis, slice.outcome);
                let rest = add_rate(&mut set, &label, n, d, false)?;
                set.add_constraint(main_rate.numerator, &[sub_rate.numerator, rest.numerator])
                    .map_err(failed)?;
                set.add_constraint(
                    main_rate.denominator,
                    &[sub_rate.denominator, rest.denominator],
                )
                .map_err(failed)?;
                rests.push(rest);
            }
        }
        let base = slice.at_risk_of.as_ref().and_then(|base| {
            slices
                .iter()
                .position(|s| s.subanalysis == slice.subanalysis && s.outcome == *base)
        });
        if let Some(b) = base {
            for (level, rate) in rates[i].clone() {
                let Some(&base_rate) = rates[b].get(&level) else {
                    continue;
                };
                let whole = value(&set, base_rate.denominator)?;
                let lost_count = whole - value(&set, rate.denominator)?;
                let label = format!(
                    "{}/{}/{level} (not at risk)",
                    slice.subanalysis, slice.outcome
                );
                let cell = set
                    .add_unpublished_cell(label, lost_count)
                    .map_err(failed)?;
                set.add_constraint(base_rate.denominator, &[rate.denominator, cell])
                    .map_err(failed)?;
                lost.insert((i, level.clone()), (cell, lost_count, whole));
            }
        }
    }
    // Cells that must be counted like numerators: sensitive below the threshold when the group
    // they belong to is not empty.
    let mut counts: Vec<(CellId, u64, u64)> = lost.values().copied().collect();
    let position = |sub: &str, outcome: &str| {
        slices
            .iter()
            .position(|s| s.subanalysis == sub && s.outcome == outcome)
    };
    for (i, slice) in slices.iter().enumerate() {
        // The not-at-risk count equals another outcome's numerator (deaths by day 30).
        if let Some(d) = slice
            .not_at_risk_are
            .as_ref()
            .and_then(|o| position(&slice.subanalysis, o))
        {
            for (level, rate) in &rates[d] {
                if let Some(&(cell, value_lost, _)) = lost.get(&(i, level.clone()))
                    && value(&set, rate.numerator)? == value_lost
                {
                    set.add_constraint(cell, &[rate.numerator])
                        .map_err(failed)?;
                }
            }
        }
        // The not-at-risk count of a sub-analysis is part of the main analysis's.
        if !slice.subanalysis.is_empty()
            && let Some(m) = position("", &slice.outcome)
        {
            for (level, _) in rates[i].clone() {
                let (
                    Some(&(sub_cell, sub_lost, sub_whole)),
                    Some(&(main_cell, main_lost, main_whole)),
                ) = (lost.get(&(i, level.clone())), lost.get(&(m, level.clone())))
                else {
                    continue;
                };
                let label = format!(
                    "{}/{}/{level} (not at risk, rest)",
                    slice.subanalysis, slice.outcome
                );
                let cell = set
                    .add_unpublished_cell(label, main_lost - sub_lost)
                    .map_err(failed)?;
                set.add_constraint(main_cell, &[sub_cell, cell])
                    .map_err(failed)?;
                counts.push((cell, main_lost - sub_lost, main_whole - sub_whole));
            }
        }
        // Nested outcomes: the patients between the narrower and the wider one.
        if let Some(w) = slice
            .within
            .as_ref()
            .and_then(|o| position(&slice.subanalysis, o))
        {
            for (level, rate) in rates[i].clone() {
                let Some(&wide) = rates[w].get(&level) else {
                    continue;
                };
                let (n, n_wide) = (value(&set, rate.numerator)?, value(&set, wide.numerator)?);
                if n_wide < n || value(&set, rate.denominator)? != value(&set, wide.denominator)? {
                    continue;
                }
                let label = format!("{}/{}/{level} (between)", slice.subanalysis, slice.outcome);
                let cell = set
                    .add_unpublished_cell(label, n_wide - n)
                    .map_err(failed)?;
                set.add_constraint(wide.numerator, &[rate.numerator, cell])
                    .map_err(failed)?;
                counts.push((cell, n_wide - n, value(&set, rate.denominator)?));
            }
        }
        // Outcomes over the same patients share their denominators: one count, linked.
        if slice.at_risk_of.is_none()
            && let Some(first) = slices
                .iter()
                .position(|s| s.subanalysis == slice.subanalysis && s.at_risk_of.is_none())
            && first != i
        {
            for (level, rate) in &rates[i] {
                if let Some(other) = rates[first].get(level)
                    && value(&set, other.denominator)? == value(&set, rate.denominator)?
                {
                    set.add_constraint(other.denominator, &[rate.denominator])
                        .map_err(failed)?;
                }
            }
        }
    }
    let mut pattern = Pattern::new(&set);
    for rate in rates.iter().flat_map(|rows| rows.values()).chain(&rests) {
        mark(&mut pattern, &set, *rate, t)?;
    }
    for (cell, count, group) in counts {
        if group > 0 && count < t {
            let reason = if count == 0 {
                PrimaryReason::Zero {
                    count: CountKind::Numerator,
                }
            } else {
                PrimaryReason::BelowThreshold {
                    count: CountKind::Numerator,
                    threshold: t,
                }
            };
            pattern.mark_primary(cell, reason).map_err(failed)?;
        }
    }
    // Published cells under the rule and unpublished sensitive ones (complements, rests).
    let primary = pattern.protected_cells().len();
    let protection = match protect(&set, &pattern, threshold, &SecondaryConfig::default()) {
        Ok(p) if p.audit.passes() => p,
        // When the linked tables leave a sensitive cell no room however many cells are hidden
        // (tiny groups tied by several links), nothing of this stratifier is released: the safe
        // failure, reported in the manifest as every cell hidden.
        _ => return Ok(hide_everything(&set, &rates)),
    };
    let pattern = protection.pattern;
    let decisions = rates
        .iter()
        .map(|rows| {
            rows.iter()
                .map(|(level, rate)| {
                    (
                        level.clone(),
                        Shown {
                            numerator: pattern.is_released(rate.numerator),
                            denominator: pattern.is_released(rate.denominator),
                        },
                    )
                })
                .collect()
        })
        .collect();
    Ok((
        decisions,
        GateCounts {
            primary,
            secondary: pattern.secondary().len(),
            records: pattern.records(&set).map_err(failed)?,
        },
    ))
}

/// Every published count of every slice hidden.
fn hide_everything(
    set: &TableSet,
    rates: &[BTreeMap<String, Rate>],
) -> (Vec<Decision>, GateCounts) {
    let decisions = rates
        .iter()
        .map(|rows| {
            rows.keys()
                .map(|level| (level.clone(), Shown::default()))
                .collect()
        })
        .collect();
    let records = rates
        .iter()
        .flat_map(|rows| rows.values())
        .flat_map(|r| [r.numerator, r.denominator])
        .filter_map(|id| {
            Some(SuppressionRecord {
                cell: id,
                label: set.cell(id).ok()?.label().to_string(),
                cause: crate::disclosure::SuppressionCause::Secondary {
                    protecting: vec!["(no pattern found: everything hidden)".into()],
                },
            })
        })
        .collect::<Vec<_>>();
    let hidden = records.len();
    (
        decisions,
        GateCounts {
            primary: 0,
            secondary: hidden,
            records,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::disclosure::Audience;

    fn slice(
        sub: &str,
        outcome: &str,
        at_risk_of: Option<&str>,
        levels: &[(&str, u64, u64)],
    ) -> Slice {
        Slice {
            subanalysis: sub.into(),
            outcome: outcome.into(),
            at_risk_of: at_risk_of.map(str::to_string),
            not_at_risk_are: None,
            within: None,
            levels: levels
                .iter()
                .map(|(l, n, d)| (l.to_string(), (*n, *d)))
                .collect(),
        }
    }

    fn five() -> Threshold {
        Threshold::new(5, Audience::External).unwrap()
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
            within: Some("48h".into()),
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
                within: None,
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

    /// A share of 0% or 100% tells every member's outcome; an empty group tells nothing.
    #[test]
    fn zeros_are_sensitive_unless_the_group_is_empty() {
        let slices = [slice(
            "",
            "o",
            None,
            &[
                ("all", 40, 40),
                ("none", 0, 30),
                ("empty", 0, 0),
                ("x", 20, 50),
            ],
        )];
        let (decisions, _) = gate(&slices, five()).unwrap();
        assert!(!decisions[0]["all"].numerator, "complement 0");
        assert!(!decisions[0]["none"].numerator, "numerator 0");
        assert!(decisions[0]["empty"].denominator);
    }
}
