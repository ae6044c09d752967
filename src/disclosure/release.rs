//! The last step: the numbers that leave the secure environment.
//!
//! [`release`] prints released cells (optionally rounded) and blanks
//! suppressed ones. As defence in depth it re-checks the two promises of the
//! gate before anything is printed: no released count breaks the primary
//! rule, and the audit of the pattern passes. Rounding happens after the
//! audit, which is computed on exact values; rounding only adds uncertainty
//! for an intruder, so the audit stays a valid (conservative) proof.

use serde::{Deserialize, Serialize};

use super::audit::audit;
use super::error::DisclosureError;
use super::pattern::Pattern;
use super::primary::PrimaryRule;
use super::rounding::Rounding;
use super::table::{CellId, TableSet, Visibility};

/// One printed cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleasedCell {
    /// The cell.
    pub cell: CellId,
    /// Its label.
    pub label: String,
    /// The (possibly rounded) count, `None` if suppressed.
    pub value: Option<u64>,
}

/// The published cells of `set` under `pattern`, after checking the primary
/// rule and the audit, with optional rounding of the released counts.
pub fn release(
    set: &TableSet,
    pattern: &Pattern,
    rule: &PrimaryRule,
    rounding: Option<&Rounding>,
) -> Result<Vec<ReleasedCell>, DisclosureError> {
    pattern.check_matches(set)?;
    let published: Vec<CellId> = set
        .ids()
        .zip(set.cells())
        .filter(|(_, cell)| cell.visibility() == Visibility::Published)
        .map(|(id, _)| id)
        .collect();
    let mut released_values = Vec::new();
    for &id in &published {
        let cell = set.cell(id)?;
        if pattern.is_released(id) {
            if !rule.permits(cell.value()) {
                return Err(DisclosureError::UnsafeRelease {
                    label: cell.label().to_owned(),
                });
            }
            released_values.push(cell.value());
        }
    }
    if let Some(failure) = audit(set, pattern, rule.threshold)?.failures().next() {
        return Err(DisclosureError::Unprotectable {
            label: failure.label.clone(),
            width: rule.threshold.value(),
        });
    }
    let mut rounded = match rounding {
        Some(rounding) => rounding.round_all(&released_values),
        None => released_values,
    }
    .into_iter();
    published
        .into_iter()
        .map(|id| {
            let label = set.cell(id)?.label().to_owned();
            let value = if pattern.is_released(id) {
                rounded.next()
            } else {
                None
            };
            Ok(ReleasedCell {
                cell: id,
                label,
                value,
            })
        })
        .collect()
}
