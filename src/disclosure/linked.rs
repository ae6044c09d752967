//! The linked table set of one protection problem: the tables of one or more stratifiers (each
//! outcome, in the main analysis and in every sub-analysis) as integer cells with every additive
//! relation an outsider can know, marked by the primary rule and protected together.
//!
//! The relations (each an additive constraint for the LP audit of [`crate::disclosure`]):
//! - within a table: the levels add up to the total, for numerators and for denominators, and
//!   each level's numerator plus its unpublished complement is its denominator;
//! - a population inside a wider one (a sub-analysis inside the main analysis, 40-64 inside
//!   18-64): for each level, wide = narrow + rest, where the rest is never published but is as
//!   sensitive as a published count; two populations that split a wider one (men and women)
//!   make each one's rest the other;
//! - an outcome restricted to patients alive some days after the index has a smaller denominator
//!   than the outcome without that restriction: the difference (the patients who died) is an
//!   unpublished, sensitive cell, equal to a death outcome's numerator where the spec has one;
//! - an outcome inside each wider outcome (24 h inside 48 h and 72 h): the patients between;
//! - a stratifier inside a coarser one (municipality in region, hospital in region): each coarse
//!   level is the sum of its fine levels.
//!
//! Totals printed in every stratifier's table are [`crate::disclosure::Visibility::Known`] when
//! the caller fixes them (see [`crate::disclosure::gate::gate_release`]): the problem then never
//! hides a total, so stratifiers without a hierarchy between them are separate problems.

use std::collections::BTreeMap;

use super::secondary::protected_pattern;
use super::slices::{Decision, GateCounts, Relations, ReleaseRule, Released, Shown, Slice};
use super::{
    CellId, CountKind, DisclosureError, Pattern, PrimaryReason, SecondaryConfig, SuppressionCause,
    SuppressionRecord, TableSet,
};
use crate::error::{Error, Result};
use crate::tidy::TOTAL;

/// The price factor of hiding an extreme level of an ordered dimension: hiding it loses the
/// dimension's gradient and every summary measure over it, where hiding the middle level or
/// "uoplyst" loses one comparison (Hundepool et al. 2012, sec. 4.2: cost functions express the
/// analytical value of a cell).
const COSTLY_LEVEL: u32 = 20;

#[derive(Clone, Copy)]
struct Rate {
    numerator: CellId,
    denominator: CellId,
    complement: CellId,
}

/// How a row's cells enter the table set.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Entry {
    /// Printed unless suppressed.
    Published,
    /// Never printed; sensitive below the threshold.
    Unpublished,
    /// Known to every reader and never suppressed (see [`super::Visibility::Known`]).
    Known,
}

fn failed(e: DisclosureError) -> Error {
    Error::Internal(format!("disclosure control: {e}"))
}

/// Adds a rate row (numerator, denominator and the unpublished complement `d - n`).
fn add_rate(set: &mut TableSet, label: &str, n: u64, d: u64, entry: Entry) -> Result<Rate> {
    let add = |set: &mut TableSet, suffix: &str, v: u64| {
        let label = format!("{label}: {suffix}");
        match entry {
            Entry::Published => set.add_cell(label, v),
            Entry::Unpublished => set.add_unpublished_cell(label, v),
            Entry::Known => set.add_known_cell(label, v),
        }
    };
    let numerator = add(set, "numerator", n).map_err(failed)?;
    let denominator = add(set, "denominator", d).map_err(failed)?;
    let complement = set
        .add_unpublished_cell(format!("{label}: complement"), d.saturating_sub(n))
        .map_err(failed)?;
    set.add_constraint(denominator, &[numerator, complement])
        .map_err(failed)?;
    Ok(Rate {
        numerator,
        denominator,
        complement,
    })
}

/// The primary rule for one count: `0 < v < t`, or 0 (a share of 0 % or 100 %) in a group that
/// is not empty and smaller than the rule's [`ReleaseRule::zeros_shown_from`].
fn primary_reason(kind: CountKind, v: u64, group: u64, rule: ReleaseRule) -> Option<PrimaryReason> {
    let threshold = rule.threshold.value();
    if group == 0 || v >= threshold {
        None
    } else if v == 0 {
        (group < rule.zeros_shown_from).then_some(PrimaryReason::Zero { count: kind })
    } else {
        Some(PrimaryReason::BelowThreshold {
            count: kind,
            threshold,
        })
    }
}

/// Why a linked problem has no pattern that keeps its known cells printed.
pub(super) enum Outcome {
    Protected(Vec<Decision>, GateCounts),
    /// A known cell is itself sensitive, or no pattern protects every sensitive cell.
    Unprotectable,
}

/// The linked table set of `slices` under `relations`; `known_totals` makes every total row
/// known (printed elsewhere and never suppressed here).
struct Linked<'a> {
    slices: &'a [Slice],
    set: TableSet,
    rates: Vec<BTreeMap<String, Rate>>,
    /// Published rows (tables and rests) whose counts the primary rule judges.
    judged: Vec<Rate>,
    /// Further cells counted like numerators: (cell, count, persons of its group).
    counts: Vec<(CellId, u64, u64)>,
    /// (slice, level) -> (not-at-risk cell, its count, persons of the unrestricted outcome).
    lost: BTreeMap<(usize, String), (CellId, u64, u64)>,
    /// (narrow, wide) populations, from the relations.
    nested: Vec<(String, String)>,
}

impl<'a> Linked<'a> {
    fn new(slices: &'a [Slice], relations: &Relations, known_totals: bool) -> Result<Self> {
        let mut linked = Linked {
            slices,
            set: TableSet::new(),
            rates: Vec::with_capacity(slices.len()),
            judged: Vec::new(),
            counts: Vec::new(),
            lost: BTreeMap::new(),
            nested: relations.nested.clone(),
        };
        linked.add_tables(known_totals)?;
        linked.price_levels(relations);
        linked.link_populations(relations)?;
        linked.link_outcomes()?;
        linked.link_hierarchies(relations)?;
        linked.link_earlier(relations)?;
        Ok(linked)
    }

    fn label(slice: &Slice, level: &str) -> String {
        format!(
            "{}/{}/{}/{level}",
            slice.stratifier, slice.subanalysis, slice.outcome
        )
    }

    fn position(&self, stratifier: &str, sub: &str, outcome: &str) -> Option<usize> {
        self.slices.iter().position(|s| {
            s.stratifier == stratifier && s.subanalysis == sub && s.outcome == outcome
        })
    }

    fn value(&self, id: CellId) -> Result<u64> {
        self.set.cell(id).map(|c| c.value()).map_err(failed)
    }

    /// Each slice's levels and its total.
    fn add_tables(&mut self, known_totals: bool) -> Result<()> {
        for slice in self.slices {
            let mut rows = BTreeMap::new();
            let (mut n_total, mut d_total) = (0, 0);
            for (level, &(n, d)) in &slice.levels {
                let rate = add_rate(
                    &mut self.set,
                    &Self::label(slice, level),
                    n,
                    d,
                    Entry::Published,
                )?;
                rows.insert(level.clone(), rate);
                self.judged.push(rate);
                n_total += n;
                d_total += d;
            }
            let entry = if known_totals {
                Entry::Known
            } else {
                Entry::Published
            };
            let total = add_rate(
                &mut self.set,
                &Self::label(slice, TOTAL),
                n_total,
                d_total,
                entry,
            )?;
            self.judged.push(total);
            if !rows.is_empty() {
                let parts = |pick: fn(&Rate) -> CellId| -> Vec<CellId> {
                    rows.values().map(pick).collect()
                };
                self.set
                    .add_constraint(total.numerator, &parts(|r| r.numerator))
                    .map_err(failed)?;
                self.set
                    .add_constraint(total.denominator, &parts(|r| r.denominator))
                    .map_err(failed)?;
            }
            rows.insert(TOTAL.to_string(), total);
            self.rates.push(rows);
        }
        Ok(())
    }

    /// Makes the costly levels' cells expensive to hide.
    fn price_levels(&mut self, relations: &Relations) {
        for (slice, rows) in self.slices.iter().zip(&self.rates) {
            for (level, rate) in rows {
                if relations
                    .costly
                    .iter()
                    .any(|(s, l)| *s == slice.stratifier && l == level)
                {
                    self.set.set_weight(rate.numerator, COSTLY_LEVEL);
                    self.set.set_weight(rate.denominator, COSTLY_LEVEL);
                }
            }
        }
    }

    /// Wide = narrow + rest for every nested pair of populations, level by level; the rest of an
    /// empty group is known to be 0, and a split makes each part's rest the other part.
    fn link_populations(&mut self, relations: &Relations) -> Result<()> {
        // (stratifier, narrow, wide, outcome, level) -> rest
        let mut rests: BTreeMap<(String, String, String, String, String), Rate> = BTreeMap::new();
        for i in 0..self.slices.len() {
            let slice = &self.slices[i];
            for (narrow, wide) in &relations.nested {
                if *narrow != slice.subanalysis {
                    continue;
                }
                let Some(w) = self.position(&slice.stratifier, wide, &slice.outcome) else {
                    continue;
                };
                for (level, narrow_rate) in self.rates[i].clone() {
                    let Some(&wide_rate) = self.rates[w].get(&level) else {
                        continue;
                    };
                    let n = self
                        .value(wide_rate.numerator)?
                        .checked_sub(self.value(narrow_rate.numerator)?);
                    let d = self
                        .value(wide_rate.denominator)?
                        .checked_sub(self.value(narrow_rate.denominator)?);
                    // Counts that do not nest (a declared relation the data break) are no link.
                    let (Some(n), Some(d)) = (n, d) else { continue };
                    let label = format!("{} (rest in {wide})", Self::label(slice, &level));
                    let entry = if d == 0 {
                        Entry::Known
                    } else {
                        Entry::Unpublished
                    };
                    let rest = add_rate(&mut self.set, &label, n, d, entry)?;
                    self.set
                        .add_constraint(
                            wide_rate.numerator,
                            &[narrow_rate.numerator, rest.numerator],
                        )
                        .map_err(failed)?;
                    self.set
                        .add_constraint(
                            wide_rate.denominator,
                            &[narrow_rate.denominator, rest.denominator],
                        )
                        .map_err(failed)?;
                    if entry == Entry::Unpublished {
                        self.judged.push(rest);
                    }
                    rests.insert(
                        (
                            slice.stratifier.clone(),
                            narrow.clone(),
                            wide.clone(),
                            slice.outcome.clone(),
                            level,
                        ),
                        rest,
                    );
                }
            }
        }
        for (wide, a, b) in &relations.splits {
            for ((stratifier, narrow, w, outcome, level), rest) in &rests {
                if w != wide || narrow != a {
                    continue;
                }
                let Some(other) = self
                    .position(stratifier, b, outcome)
                    .and_then(|p| self.rates[p].get(level).copied())
                else {
                    continue;
                };
                for (mine, theirs) in [
                    (rest.numerator, other.numerator),
                    (rest.denominator, other.denominator),
                ] {
                    if self.value(mine)? == self.value(theirs)? {
                        self.set.add_constraint(mine, &[theirs]).map_err(failed)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Links between outcomes of the same stratifier and population.
    fn link_outcomes(&mut self) -> Result<()> {
        for i in 0..self.slices.len() {
            let slice = &self.slices[i];
            let same =
                |s: &Slice| s.stratifier == slice.stratifier && s.subanalysis == slice.subanalysis;
            // Patients not at risk of an `alive_days` outcome: unrestricted d - restricted d.
            if let Some(b) = slice.at_risk_of.as_ref().and_then(|base| {
                self.slices
                    .iter()
                    .position(|s| same(s) && s.outcome == *base)
            }) {
                for (level, rate) in self.rates[i].clone() {
                    let Some(&base_rate) = self.rates[b].get(&level) else {
                        continue;
                    };
                    let whole = self.value(base_rate.denominator)?;
                    let Some(lost) = whole.checked_sub(self.value(rate.denominator)?) else {
                        continue;
                    };
                    let label = format!("{} (not at risk)", Self::label(slice, &level));
                    let cell = self.set.add_unpublished_cell(label, lost).map_err(failed)?;
                    self.set
                        .add_constraint(base_rate.denominator, &[rate.denominator, cell])
                        .map_err(failed)?;
                    self.lost.insert((i, level.clone()), (cell, lost, whole));
                    self.counts.push((cell, lost, whole));
                }
            }
            // The not-at-risk count is a death outcome's numerator, and the patients who emigrated
            // within the days (`cohort::outcomes`): their number is the difference, a count of
            // its own that an outsider reads by subtraction, protected as one.
            if let Some(d) = slice
                .not_at_risk_are
                .as_ref()
                .and_then(|o| self.slices.iter().position(|s| same(s) && s.outcome == *o))
            {
                for (level, rate) in self.rates[d].clone() {
                    let Some(&(cell, lost, whole)) = self.lost.get(&(i, level.clone())) else {
                        continue;
                    };
                    let died = self.value(rate.numerator)?;
                    if died == lost {
                        self.set
                            .add_constraint(cell, &[rate.numerator])
                            .map_err(failed)?;
                    } else if let Some(emigrated) = lost.checked_sub(died) {
                        let label = format!("{} (emigrated)", Self::label(slice, &level));
                        let other = self
                            .set
                            .add_unpublished_cell(label, emigrated)
                            .map_err(failed)?;
                        self.set
                            .add_constraint(cell, &[rate.numerator, other])
                            .map_err(failed)?;
                        self.counts.push((other, emigrated, whole));
                    }
                }
            }
            // Nested outcomes: the patients between the narrower one and each wider one.
            for wider in &slice.within {
                let Some(w) = self
                    .slices
                    .iter()
                    .position(|s| same(s) && s.outcome == *wider)
                else {
                    continue;
                };
                for (level, rate) in self.rates[i].clone() {
                    let Some(&wide) = self.rates[w].get(&level) else {
                        continue;
                    };
                    let (n, n_wide) = (self.value(rate.numerator)?, self.value(wide.numerator)?);
                    let group = self.value(rate.denominator)?;
                    if n_wide < n || group != self.value(wide.denominator)? {
                        continue;
                    }
                    let label = format!("{} (between it and {wider})", Self::label(slice, &level));
                    let cell = self
                        .set
                        .add_unpublished_cell(label, n_wide - n)
                        .map_err(failed)?;
                    self.set
                        .add_constraint(wide.numerator, &[rate.numerator, cell])
                        .map_err(failed)?;
                    self.counts.push((cell, n_wide - n, group));
                }
            }
            // Outcomes over the same patients share their denominators: one count, linked.
            if slice.at_risk_of.is_none()
                && let Some(first) = self
                    .slices
                    .iter()
                    .position(|s| same(s) && s.at_risk_of.is_none())
                && first != i
            {
                for (level, rate) in self.rates[i].clone() {
                    if let Some(&other) = self.rates[first].get(&level)
                        && self.value(other.denominator)? == self.value(rate.denominator)?
                    {
                        self.set
                            .add_constraint(other.denominator, &[rate.denominator])
                            .map_err(failed)?;
                    }
                }
            }
        }
        self.link_lost_in_nested_populations()
    }

    /// The patients not at risk in a population inside a wider one are part of the wider one's.
    fn link_lost_in_nested_populations(&mut self) -> Result<()> {
        for ((i, level), (cell, lost, whole)) in self.lost.clone() {
            let slice = &self.slices[i];
            for (j, other) in self.slices.iter().enumerate() {
                if other.stratifier != slice.stratifier
                    || other.outcome != slice.outcome
                    || other.subanalysis == slice.subanalysis
                {
                    continue;
                }
                let Some(&(wide_cell, wide_lost, wide_whole)) = self.lost.get(&(j, level.clone()))
                else {
                    continue;
                };
                let nested = self
                    .nested
                    .iter()
                    .any(|(n, w)| *n == slice.subanalysis && *w == other.subanalysis);
                if !nested || wide_lost < lost || wide_whole < whole {
                    continue;
                }
                let label = format!(
                    "{} (not at risk, rest in {})",
                    Self::label(slice, &level),
                    other.subanalysis
                );
                let rest = self
                    .set
                    .add_unpublished_cell(label, wide_lost - lost)
                    .map_err(failed)?;
                self.set
                    .add_constraint(wide_cell, &[cell, rest])
                    .map_err(failed)?;
                self.counts
                    .push((rest, wide_lost - lost, wide_whole - whole));
            }
        }
        Ok(())
    }

    /// The same tables released before: their printed counts are known, their hidden ones are
    /// not, and the difference between then and now of every count is a count of persons (who
    /// came in since, or whose outcome came since), sensitive when it is 1..threshold-1.
    fn link_earlier(&mut self, relations: &Relations) -> Result<()> {
        for (r, release) in relations.earlier.iter().enumerate() {
            for Released {
                slice: before,
                decision,
            } in release
            {
                let Some(p) =
                    self.position(&before.stratifier, &before.subanalysis, &before.outcome)
                else {
                    continue;
                };
                let mut rows = BTreeMap::new();
                let (mut n_total, mut d_total) = (0, 0);
                for (level, &(n, d)) in &before.levels {
                    n_total += n;
                    d_total += d;
                    rows.insert(level.clone(), (n, d));
                }
                rows.insert(TOTAL.to_string(), (n_total, d_total));
                let mut rates = BTreeMap::new();
                for (level, (n, d)) in rows {
                    let shown = decision.get(&level).copied().unwrap_or_default();
                    let label = format!("{} (release {r})", Self::label(before, &level));
                    rates.insert(level, self.add_released_rate(&label, n, d, shown)?);
                }
                // The earlier table adds up as this one does.
                let levels: Vec<Rate> = rates
                    .iter()
                    .filter(|(l, _)| l.as_str() != TOTAL)
                    .map(|(_, r)| *r)
                    .collect();
                if let (Some(total), false) = (rates.get(TOTAL).copied(), levels.is_empty()) {
                    for pick in [
                        (|r: &Rate| r.numerator) as fn(&Rate) -> CellId,
                        |r: &Rate| r.denominator,
                    ] {
                        let parts: Vec<CellId> = levels.iter().map(pick).collect();
                        self.set
                            .add_constraint(pick(&total), &parts)
                            .map_err(failed)?;
                    }
                }
                for (level, then) in rates {
                    let Some(&now) = self.rates[p].get(&level) else {
                        continue;
                    };
                    for (a, b) in [
                        (now.numerator, then.numerator),
                        (now.denominator, then.denominator),
                        (now.complement, then.complement),
                    ] {
                        let (va, vb) = (self.value(a)?, self.value(b)?);
                        let (big, small) = if va >= vb { (a, b) } else { (b, a) };
                        let change = va.abs_diff(vb);
                        let label = format!(
                            "{} (change since release {r})",
                            self.set.cell(a).map_err(failed)?.label()
                        );
                        let cell = self
                            .set
                            .add_unpublished_cell(label, change)
                            .map_err(failed)?;
                        self.set
                            .add_constraint(big, &[small, cell])
                            .map_err(failed)?;
                        // No change describes nobody; a change of 1..t-1 persons is sensitive.
                        self.counts.push((cell, change, change));
                    }
                }
            }
        }
        Ok(())
    }

    /// A rate row of an earlier release: printed counts known, hidden ones unpublished.
    fn add_released_rate(&mut self, label: &str, n: u64, d: u64, shown: Shown) -> Result<Rate> {
        let mut add = |suffix: &str, v: u64, printed: bool| {
            let label = format!("{label}: {suffix}");
            if printed {
                self.set.add_known_cell(label, v)
            } else {
                self.set.add_unpublished_cell(label, v)
            }
            .map_err(failed)
        };
        let numerator = add("numerator", n, shown.numerator)?;
        let denominator = add("denominator", d, shown.denominator)?;
        let complement = add("complement", d.saturating_sub(n), false)?;
        self.set
            .add_constraint(denominator, &[numerator, complement])
            .map_err(failed)?;
        Ok(Rate {
            numerator,
            denominator,
            complement,
        })
    }

    /// Each coarse level is the sum of its fine levels, for every outcome and population.
    fn link_hierarchies(&mut self, relations: &Relations) -> Result<()> {
        for hierarchy in &relations.hierarchies {
            for (f, fine) in self.slices.iter().enumerate() {
                if fine.stratifier != hierarchy.fine {
                    continue;
                }
                let Some(c) = self.position(&hierarchy.coarse, &fine.subanalysis, &fine.outcome)
                else {
                    continue;
                };
                for (coarse_level, coarse_rate) in self.rates[c].clone() {
                    if coarse_level == TOTAL {
                        continue;
                    }
                    let children: Vec<Rate> = self.rates[f]
                        .iter()
                        .filter(|(level, _)| {
                            hierarchy.parent.get(level.as_str()) == Some(&coarse_level)
                        })
                        .map(|(_, rate)| *rate)
                        .collect();
                    if children.is_empty() {
                        continue;
                    }
                    for pick in [
                        (|r: &Rate| r.numerator) as fn(&Rate) -> CellId,
                        |r: &Rate| r.denominator,
                    ] {
                        let parts: Vec<CellId> = children.iter().map(pick).collect();
                        let sum: u64 = parts.iter().map(|&p| self.value(p)).sum::<Result<u64>>()?;
                        if sum == self.value(pick(&coarse_rate))? {
                            self.set
                                .add_constraint(pick(&coarse_rate), &parts)
                                .map_err(failed)?;
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

/// Marks the primary-sensitive counts and protects them; every total row stays printed when the
/// totals are known.
pub(super) fn protect_linked(
    slices: &[Slice],
    relations: &Relations,
    known_totals: bool,
    rule: ReleaseRule,
) -> Result<Outcome> {
    let linked = Linked::new(slices, relations, known_totals)?;
    let t = rule;
    let set = &linked.set;
    let mut pattern = Pattern::new(set);
    let mut mark = |cell: CellId, reason: Option<PrimaryReason>| -> Result<bool> {
        match reason {
            Some(reason) => {
                pattern.mark_primary(cell, reason).map_err(failed)?;
                Ok(set.is_known(cell))
            }
            None => Ok(false),
        }
    };
    let mut known_is_sensitive = false;
    for rate in &linked.judged {
        let d = linked.value(rate.denominator)?;
        if d == 0 {
            continue;
        }
        known_is_sensitive |= mark(
            rate.denominator,
            primary_reason(CountKind::Denominator, d, d, t),
        )?;
        for (cell, kind) in [
            (rate.numerator, CountKind::Numerator),
            (rate.complement, CountKind::Complement),
        ] {
            known_is_sensitive |= mark(cell, primary_reason(kind, linked.value(cell)?, d, t))?;
        }
    }
    for &(cell, count, group) in &linked.counts {
        known_is_sensitive |= mark(cell, primary_reason(CountKind::Numerator, count, group, t))?;
    }
    if known_is_sensitive {
        return Ok(Outcome::Unprotectable);
    }
    let primary = pattern.protected_cells().len();
    // A pattern is returned only once every sensitive count is proved protected.
    let Ok(pattern) = protected_pattern(set, &pattern, rule.threshold, &SecondaryConfig::default())
    else {
        return Ok(Outcome::Unprotectable);
    };
    let decisions = linked
        .rates
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
    Ok(Outcome::Protected(
        decisions,
        GateCounts {
            primary,
            secondary: pattern.secondary().len(),
            records: pattern.records(set).map_err(failed)?,
        },
    ))
}

/// The record of a printed count hidden because its problem had no pattern. It belongs to no
/// table set, so its cell id is the first (labels name it).
pub(super) fn hidden_record(label: String) -> SuppressionRecord {
    SuppressionRecord {
        cell: CellId::from_index(0),
        label,
        cause: SuppressionCause::WholeTable,
    }
}
