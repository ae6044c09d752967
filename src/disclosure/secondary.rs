//! Secondary suppression: hide further cells until the audit passes.
//!
//! # Method
//!
//! 1. **Audit** the current pattern ([`audit`]). Cells whose feasible
//!    interval is narrower than the threshold are *failing*.
//! 2. **Propose** complementary cells for each failing cell `p`, in cell
//!    order: solve the single-cell protection LP of Fischetti &
//!    Salazar-González (2000, JASA 95:916–928) — the cheapest perturbation of
//!    the table that keeps every constraint and nonnegativity and moves `p`
//!    up (or, if impossible, down) by the threshold (module `lp`). Every
//!    released cell the perturbation touches is suppressed as secondary,
//!    recorded as protecting `p`. The perturbation proves `p`'s interval is
//!    now wide enough, and hiding more cells never narrows an interval, so
//!    `p` stays protected: the loop ends after at most one repair per cell.
//!    On a two-way table this finds the cheapest rectangle (or longer cycle)
//!    through `p`, which is what the hypercube method of Repsilber (1994) and
//!    Giessing & Repsilber (2002) searches among hypercubes only.
//! 3. **Repeat** 1–2 until the audit passes.
//! 4. **Clean up**: try to release each secondary cell again, most expensive
//!    first, keeping the release if the audit still passes (the clean-up step
//!    of Fischetti & Salazar-González's heuristic; it removes cells made
//!    redundant by later repairs).
//!
//! # Cost
//!
//! The LP minimises `sum_i cost_i * |y_i|` over released cells `i` it
//! changes; with every change equal to the threshold (the usual case) this is
//! proportional to the total cost of the new suppressions. `cost_i` is
//! [`CostFunction::CellValue`] (`count + 1`, the default, as sdcTable and
//! τ-ARGUS weight by cell value: prefer hiding small cells, and zeros are not
//! free) or [`CostFunction::CellCount`] (1, minimise the number of cells),
//! multiplied by [`SecondaryConfig::total_penalty`] for margins so that
//! totals are hidden only when every alternative costs that much more.

use serde::{Deserialize, Serialize};

use super::audit::{AuditReport, Trial, Witnesses, audit, exposed, feasible_interval};
use super::error::DisclosureError;
use super::lp;
use super::pattern::Pattern;
use super::table::{CellId, TableSet};
use super::threshold::Threshold;

/// Largest accepted [`SecondaryConfig::total_penalty`].
const MAX_TOTAL_PENALTY: f64 = 1e4;

/// Price of suppressing one released cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CostFunction {
    /// `count + 1`: minimise the total value hidden (default).
    #[default]
    CellValue,
    /// 1: minimise the number of cells hidden.
    CellCount,
}

/// Settings of the secondary suppression.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SecondaryConfig {
    /// Price of each cell.
    pub cost: CostFunction,
    /// Factor on the price of margins (cells that are the total of some
    /// constraint); clamped to `[1, 10_000]`.
    pub total_penalty: f64,
    /// Whether to run the clean-up pass.
    pub cleanup: bool,
}

impl Default for SecondaryConfig {
    fn default() -> Self {
        Self {
            cost: CostFunction::CellValue,
            total_penalty: 100.0,
            cleanup: true,
        }
    }
}

/// A protected pattern with the audit that proves it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Protection {
    /// Primary and secondary suppressions.
    pub pattern: Pattern,
    /// The passing audit of `pattern`.
    pub audit: AuditReport,
}

/// Adds secondary suppressions to `primary` until every protected cell's
/// feasible interval is at least `threshold` wide (see the module docs), with the audit that
/// proves it.
pub fn protect(
    set: &TableSet,
    primary: &Pattern,
    threshold: Threshold,
    config: &SecondaryConfig,
) -> Result<Protection, DisclosureError> {
    let pattern = protected_pattern(set, primary, threshold, config)?;
    let audit = audit(set, &pattern, threshold)?;
    Ok(Protection { pattern, audit })
}

/// [`protect`] without the final audit: the pattern is returned only once every protected
/// cell's interval is proved wide enough (by the programs of [`exposed`], which prove most cells
/// by tables found for others), so a caller that needs no intervals saves a program per bound.
pub(crate) fn protected_pattern(
    set: &TableSet,
    primary: &Pattern,
    threshold: Threshold,
    config: &SecondaryConfig,
) -> Result<Pattern, DisclosureError> {
    primary.check_matches(set)?;
    let cost = cell_costs(set, config);
    let mut pattern = primary.clone();
    let mut witnesses = Witnesses::default();
    // Each round repairs at least one cell for good, so this bounds the loop.
    for _ in 0..=set.len() {
        let failing = exposed(set, &pattern, threshold, &mut witnesses, None)?;
        if failing.is_empty() {
            if config.cleanup {
                return clean_up(set, pattern, threshold, &cost, &mut witnesses);
            }
            return Ok(pattern);
        }
        for cell in failing {
            repair(set, &mut pattern, cell, threshold, &cost)?;
        }
    }
    Err(DisclosureError::Solver(
        "secondary suppression did not converge".into(),
    ))
}

/// Suppresses the released cells of the cheapest perturbation that moves
/// `cell` by the threshold, unless earlier repairs already protected it.
fn repair(
    set: &TableSet,
    pattern: &mut Pattern,
    cell: CellId,
    threshold: Threshold,
    cost: &[f64],
) -> Result<(), DisclosureError> {
    let width = threshold.value();
    if feasible_interval(set, pattern, cell)?.is_at_least(width) {
        return Ok(());
    }
    let shift = width as f64;
    let up = lp::cheapest_perturbation(set, pattern, cell, shift, cost)?;
    let down = lp::cheapest_perturbation(set, pattern, cell, -shift, cost)?;
    let best = match (up, down) {
        (Some(up), Some(down)) if down.0 < up.0 => Some(down),
        (Some(up), _) => Some(up),
        (None, down) => down,
    };
    match best {
        Some((_, cells)) if !cells.is_empty() => {
            for complement in cells {
                pattern.mark_secondary(complement, cell);
            }
            Ok(())
        }
        // No perturbation at all, or one that needs no new suppression while
        // the audit says the cell is exposed (solver inconsistency).
        _ => Err(DisclosureError::Unprotectable {
            label: set.cell(cell)?.label().to_owned(),
            width,
        }),
    }
}

/// Releases secondary cells again, most expensive first, while every protected cell stays
/// protected.
fn clean_up(
    set: &TableSet,
    mut pattern: Pattern,
    threshold: Threshold,
    cost: &[f64],
    witnesses: &mut Witnesses,
) -> Result<Pattern, DisclosureError> {
    let mut candidates = pattern.secondary();
    candidates.sort_by(|a, b| {
        let price = |id: &CellId| cost.get(id.index()).copied().unwrap_or(0.0);
        price(b).total_cmp(&price(a)).then(a.cmp(b))
    });
    for cell in candidates {
        // Only the cells hidden together with it can lose protection when it is printed.
        let affected = lp::hidden_component(set, &pattern, cell);
        let mut trial = pattern.clone();
        trial.release_secondary(cell);
        let check = Trial {
            affected: &affected,
            printed: cell,
        };
        if exposed(set, &trial, threshold, witnesses, Some(&check))?.is_empty() {
            pattern = trial;
        }
    }
    Ok(pattern)
}

/// Price per unit of change of each cell (see the module docs).
fn cell_costs(set: &TableSet, config: &SecondaryConfig) -> Vec<f64> {
    // Clamped so the LP's objective stays finite and within the solver's
    // recommended range of magnitudes.
    let penalty = if config.total_penalty.is_finite() {
        config.total_penalty.clamp(1.0, MAX_TOTAL_PENALTY)
    } else {
        MAX_TOTAL_PENALTY
    };
    set.ids()
        .zip(set.cells())
        .map(|(id, cell)| {
            let base = match config.cost {
                CostFunction::CellValue => cell.value() as f64 + 1.0,
                CostFunction::CellCount => 1.0,
            };
            let base = base * set.weight(id);
            if set.is_total(id) {
                base * penalty
            } else {
                base
            }
        })
        .collect()
}
