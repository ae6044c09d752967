//! A suppression pattern: the status of every cell, and why.
//!
//! The pattern is also the record of the run: [`Pattern::records`] lists what
//! was suppressed and why (primary: which count and rule; secondary: which
//! cells it protects), serialisable for the run manifest. Records never carry
//! a suppressed cell's count.

use serde::{Deserialize, Serialize};

use super::error::DisclosureError;
use super::table::{CellId, TableSet, Visibility};

/// Which count of a cell triggered primary suppression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CountKind {
    /// A plain frequency.
    Count,
    /// The numerator of a rate.
    Numerator,
    /// The denominator of a rate.
    Denominator,
    /// The complement `denominator - numerator` of a rate.
    Complement,
}

/// Why a cell is primary-suppressed. The record deliberately omits the count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum PrimaryReason {
    /// `0 < count < threshold`.
    BelowThreshold { count: CountKind, threshold: u64 },
    /// `count == 0` under [`ZeroRule::Suppress`].
    Zero { count: CountKind },
    /// Marked by hand, e.g. a dominance rule decided elsewhere or sdcTable's
    /// `changeCellStatus(..., "u")`.
    Manual,
}

/// What happens to one cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum CellStatus {
    /// Printed.
    Released,
    /// Suppressed because its own count is sensitive.
    Primary { reason: PrimaryReason },
    /// Suppressed so that the listed cell (the one whose repair first needed
    /// it) cannot be recovered or narrowed by subtraction.
    Secondary { protecting: Vec<CellId> },
    /// Never printed; `sensitive` is set when its count would fail the
    /// primary rule, so that it must still be protected from derivation.
    Unpublished { sensitive: Option<PrimaryReason> },
}

impl CellStatus {
    /// Whether the cell's value is hidden from the reader.
    pub fn is_hidden(&self) -> bool {
        !matches!(self, Self::Released)
    }

    /// Whether the cell's feasible interval must be at least the threshold
    /// wide: every suppressed cell, primary or secondary, and every sensitive
    /// unpublished cell.
    pub fn needs_protection(&self) -> bool {
        match self {
            Self::Released => false,
            Self::Primary { .. } | Self::Secondary { .. } => true,
            Self::Unpublished { sensitive } => sensitive.is_some(),
        }
    }
}

/// Status of every cell of one [`TableSet`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pattern {
    statuses: Vec<CellStatus>,
}

/// One line of the run manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuppressionRecord {
    /// The cell's id in its table set.
    pub cell: CellId,
    /// The cell's label.
    pub label: String,
    /// Why it is not printed.
    pub cause: SuppressionCause,
}

/// Why a cell is not printed (or must be protected although never printed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SuppressionCause {
    /// Primary suppression of a published cell.
    Primary { reason: PrimaryReason },
    /// Secondary suppression protecting these cells (labels).
    Secondary { protecting: Vec<String> },
    /// An unpublished cell that is sensitive and was protected.
    SensitiveUnpublished { reason: PrimaryReason },
    /// A published count hidden with every level of its table: the table had no pattern that
    /// keeps its printed total (or the total itself is hidden).
    WholeTable,
}

impl Pattern {
    /// Everything released except the table set's unpublished cells.
    pub fn new(set: &TableSet) -> Self {
        let statuses = set
            .cells()
            .iter()
            .map(|cell| match cell.visibility() {
                Visibility::Published | Visibility::Known => CellStatus::Released,
                Visibility::Unpublished => CellStatus::Unpublished { sensitive: None },
            })
            .collect();
        Self { statuses }
    }

    /// Marks a cell as primary-sensitive: a published cell becomes
    /// [`CellStatus::Primary`], an unpublished one becomes sensitive. A cell
    /// already primary keeps its first reason.
    pub fn mark_primary(
        &mut self,
        cell: CellId,
        reason: PrimaryReason,
    ) -> Result<(), DisclosureError> {
        let status = self
            .statuses
            .get_mut(cell.index())
            .ok_or(DisclosureError::UnknownCell(cell.index()))?;
        match status {
            CellStatus::Primary { .. } | CellStatus::Unpublished { sensitive: Some(_) } => {}
            CellStatus::Unpublished { sensitive } => *sensitive = Some(reason),
            CellStatus::Released | CellStatus::Secondary { .. } => {
                *status = CellStatus::Primary { reason };
            }
        }
        Ok(())
    }

    /// Suppresses a released cell to protect `protecting`; a no-op for cells
    /// already hidden.
    pub(crate) fn mark_secondary(&mut self, cell: CellId, protecting: CellId) {
        if let Some(status) = self.statuses.get_mut(cell.index())
            && *status == CellStatus::Released
        {
            *status = CellStatus::Secondary {
                protecting: vec![protecting],
            };
        }
    }

    /// Releases a secondary suppression again (used by the clean-up pass).
    pub(crate) fn release_secondary(&mut self, cell: CellId) {
        if let Some(status) = self.statuses.get_mut(cell.index())
            && matches!(status, CellStatus::Secondary { .. })
        {
            *status = CellStatus::Released;
        }
    }

    /// The status of a cell, if the id belongs to this pattern.
    pub fn status(&self, cell: CellId) -> Option<&CellStatus> {
        self.statuses.get(cell.index())
    }

    /// Whether the cell is printed. Unknown ids are not.
    pub fn is_released(&self, cell: CellId) -> bool {
        matches!(self.status(cell), Some(CellStatus::Released))
    }

    /// Statuses in cell order.
    pub fn statuses(&self) -> &[CellStatus] {
        &self.statuses
    }

    /// Published cells that are suppressed (primary or secondary).
    pub fn suppressed(&self) -> Vec<CellId> {
        self.ids_where(|s| matches!(s, CellStatus::Primary { .. } | CellStatus::Secondary { .. }))
    }

    /// Cells suppressed as secondary.
    pub fn secondary(&self) -> Vec<CellId> {
        self.ids_where(|s| matches!(s, CellStatus::Secondary { .. }))
    }

    /// Cells whose feasible interval must be at least the threshold wide.
    pub fn protected_cells(&self) -> Vec<CellId> {
        self.ids_where(CellStatus::needs_protection)
    }

    fn ids_where(&self, keep: impl Fn(&CellStatus) -> bool) -> Vec<CellId> {
        self.statuses
            .iter()
            .enumerate()
            .filter(|(_, s)| keep(s))
            .map(|(i, _)| CellId::from_index(i))
            .collect()
    }

    /// Errors unless this pattern was made for `set`.
    pub fn check_matches(&self, set: &TableSet) -> Result<(), DisclosureError> {
        if self.statuses.len() == set.len() {
            Ok(())
        } else {
            Err(DisclosureError::PatternMismatch {
                pattern: self.statuses.len(),
                table: set.len(),
            })
        }
    }

    /// What was suppressed and why, for the run manifest.
    pub fn records(&self, set: &TableSet) -> Result<Vec<SuppressionRecord>, DisclosureError> {
        self.check_matches(set)?;
        let label = |id: CellId| set.cell(id).map(|c| c.label().to_owned());
        let mut records = Vec::new();
        for (i, status) in self.statuses.iter().enumerate() {
            let cell = CellId::from_index(i);
            let cause = match status {
                CellStatus::Released | CellStatus::Unpublished { sensitive: None } => continue,
                CellStatus::Primary { reason } => SuppressionCause::Primary { reason: *reason },
                CellStatus::Secondary { protecting } => SuppressionCause::Secondary {
                    protecting: protecting
                        .iter()
                        .map(|&p| label(p))
                        .collect::<Result<_, _>>()?,
                },
                CellStatus::Unpublished {
                    sensitive: Some(reason),
                } => SuppressionCause::SensitiveUnpublished { reason: *reason },
            };
            records.push(SuppressionRecord {
                cell,
                label: label(cell)?,
                cause,
            });
        }
        Ok(records)
    }
}
