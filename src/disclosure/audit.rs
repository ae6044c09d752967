//! The audit: the feasible interval of every protected cell.
//!
//! # Protection criterion
//!
//! An intruder knows the released cells, the additivity constraints and that
//! every count is nonnegative. For a hidden cell `i`, the feasible interval
//! `[lower, upper]` is the smallest and largest value `i` takes over all
//! nonnegative tables consistent with that knowledge (computed by LP, then
//! rounded inward to integers because counts are integers). The pattern
//! protects cell `i` when
//!
//! ```text
//! upper - lower >= threshold        (upper = infinity counts as protected)
//! ```
//!
//! This is the "sliding protection range" of τ-ARGUS (Hundepool et al. 2012,
//! ch. 4): only the width is required, not its position around the true
//! value, so a count of 2 hidden in `[0, 5]` is protected at threshold 5. It is
//! demanded of **every** suppressed cell, primary and secondary, and of every
//! sensitive unpublished cell (e.g. a small complement `d - n`): a secondary
//! cell pinned down exactly would let the intruder peel back the pattern.
//!
//! The intervals use only released information, so the report itself can be
//! shipped in a run manifest without disclosing anything new.

use microlp::OptimizationDirection;
use serde::{Deserialize, Serialize};

use super::error::DisclosureError;
use super::lp;
use super::pattern::Pattern;
use super::table::{CellId, TableSet};
use super::threshold::Threshold;

/// Slack for solver round-off when rounding LP bounds to integers.
const ROUNDING_SLACK: f64 = 1e-6;

/// What an intruder can infer about one hidden cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CellInterval {
    /// The cell.
    pub cell: CellId,
    /// Its label.
    pub label: String,
    /// Smallest feasible integer value.
    pub lower: u64,
    /// Largest feasible integer value; `None` if unbounded.
    pub upper: Option<u64>,
}

impl CellInterval {
    /// `upper - lower`, `None` if unbounded.
    pub fn width(&self) -> Option<u64> {
        self.upper.map(|upper| upper.saturating_sub(self.lower))
    }

    /// Whether the interval is at least `required` wide.
    pub fn is_at_least(&self, required: u64) -> bool {
        self.width().is_none_or(|width| width >= required)
    }
}

/// The audit of a whole pattern.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditReport {
    /// Required width of every interval (the threshold).
    pub required_width: u64,
    /// One interval per protected cell, in cell order.
    pub intervals: Vec<CellInterval>,
}

impl AuditReport {
    /// Whether every protected cell's interval is wide enough.
    pub fn passes(&self) -> bool {
        self.failures().next().is_none()
    }

    /// The intervals that are too narrow.
    pub fn failures(&self) -> impl Iterator<Item = &CellInterval> {
        self.intervals
            .iter()
            .filter(|interval| !interval.is_at_least(self.required_width))
    }

    /// The interval of one cell, if it is protected.
    pub fn interval(&self, cell: CellId) -> Option<&CellInterval> {
        self.intervals.iter().find(|interval| interval.cell == cell)
    }
}

/// Audits every cell the pattern must protect (see the module docs).
pub fn audit(
    set: &TableSet,
    pattern: &Pattern,
    threshold: Threshold,
) -> Result<AuditReport, DisclosureError> {
    pattern.check_matches(set)?;
    let intervals = pattern
        .protected_cells()
        .into_iter()
        .map(|cell| feasible_interval(set, pattern, cell))
        .collect::<Result<_, _>>()?;
    Ok(AuditReport {
        required_width: threshold.value(),
        intervals,
    })
}

/// Whether every cell the pattern must protect is protected, stopping at the first that is not.
pub fn passes(
    set: &TableSet,
    pattern: &Pattern,
    threshold: Threshold,
) -> Result<bool, DisclosureError> {
    for cell in pattern.protected_cells() {
        if !feasible_interval(set, pattern, cell)?.is_at_least(threshold.value()) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The feasible interval of any cell under a pattern; a released cell's
/// interval is its own value.
pub fn feasible_interval(
    set: &TableSet,
    pattern: &Pattern,
    cell: CellId,
) -> Result<CellInterval, DisclosureError> {
    pattern.check_matches(set)?;
    let found = set.cell(cell)?;
    let label = found.label().to_owned();
    if pattern.is_released(cell) {
        return Ok(CellInterval {
            cell,
            label,
            lower: found.value(),
            upper: Some(found.value()),
        });
    }
    let lower = lp::bound(set, pattern, cell, OptimizationDirection::Minimize)?.unwrap_or(0.0);
    let upper = lp::bound(set, pattern, cell, OptimizationDirection::Maximize)?;
    Ok(CellInterval {
        cell,
        label,
        lower: to_count((lower - ROUNDING_SLACK).ceil()),
        upper: upper.map(|upper| to_count((upper + ROUNDING_SLACK).floor())),
    })
}

/// An LP bound as a count; bounds are >= 0 and <= 2^53 up to round-off.
fn to_count(value: f64) -> u64 {
    // `as` saturates: negative round-off becomes 0.
    value as u64
}
