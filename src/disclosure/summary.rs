//! Whether a summary measure computed over groups may be released.
//!
//! # Rule
//!
//! A summary measure (a rate ratio, a slope or relative index of inequality,
//! a concentration index, ...) is **withheld if any count it rests on is not
//! released** — primary-suppressed, secondary-suppressed, or an unpublished
//! cell. It is released only when every count it uses is itself released.
//!
//! This is stricter than "withheld if a group it uses is primary-suppressed",
//! deliberately: a measure is a function of its counts, and a measure built
//! on a secondary cell can pin that cell down (a rate ratio of a group
//! against the released total reveals the group's numerator exactly), which
//! undoes the secondary suppression and, by subtraction, the primary one it
//! protects (the "linked output" problem, Hundepool et al. 2012, ch. 4).
//! The decision lists each blocking cell with its status so the manifest can
//! say why.

use serde::{Deserialize, Serialize};

use super::error::DisclosureError;
use super::pattern::{CellStatus, Pattern};
use super::table::{CellId, TableSet};

/// The verdict on one summary measure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum SummaryDecision {
    /// Every count the measure uses is released.
    Release,
    /// The measure is withheld because of these hidden counts.
    Withhold { blocking: Vec<BlockingCell> },
}

/// A hidden count that blocks a summary measure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockingCell {
    /// The cell.
    pub cell: CellId,
    /// Its label.
    pub label: String,
    /// Its status (primary reason, secondary, or unpublished).
    pub status: CellStatus,
}

/// Decides on a measure computed from `uses` (e.g. the numerator and
/// denominator cells of every group in the measure).
pub fn summary_decision(
    set: &TableSet,
    pattern: &Pattern,
    uses: &[CellId],
) -> Result<SummaryDecision, DisclosureError> {
    pattern.check_matches(set)?;
    let mut blocking = Vec::new();
    for &cell in uses {
        let label = set.cell(cell)?.label().to_owned();
        let status = pattern
            .status(cell)
            .ok_or(DisclosureError::UnknownCell(cell.index()))?;
        if status.is_hidden() {
            blocking.push(BlockingCell {
                cell,
                label,
                status: status.clone(),
            });
        }
    }
    Ok(if blocking.is_empty() {
        SummaryDecision::Release
    } else {
        SummaryDecision::Withhold { blocking }
    })
}
