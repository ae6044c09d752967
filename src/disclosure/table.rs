//! A table set: cells with integer counts plus linear additivity constraints.
//!
//! Every table shape the project publishes — a one-way table (levels + total),
//! a two-way table with row, column and grand totals, linked tables whose
//! cells add up across sub-analyses, and rate tables with numerator,
//! denominator and complement — is the same object here: a list of cells and
//! constraints "these parts sum to that total". This is the general linear
//! model of tabular data used by Fischetti & Salazar-González (2000, *Models
//! and algorithms for optimizing cell suppression in tabular data with linear
//! constraints*, JASA 95:916–928) and in Hundepool et al. (*Statistical Disclosure Control*, Wiley 2012, ch. 4), so one
//! audit and one secondary-suppression routine serve every shape.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::error::DisclosureError;

/// The largest count the `f64` solver represents exactly.
const MAX_EXACT_COUNT: u64 = 1 << 53;

/// Index of a cell within its [`TableSet`]. Ids are only handed out by the
/// table set; every function taking one checks that it belongs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CellId(usize);

impl CellId {
    /// Position of the cell in [`TableSet::cells`].
    pub fn index(self) -> usize {
        self.0
    }

    /// Patterns are index-aligned with their set; only siblings rebuild ids.
    pub(crate) fn from_index(index: usize) -> Self {
        Self(index)
    }
}

/// Whether a cell's number is ever printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// The cell is printed unless suppressed.
    Published,
    /// The cell is never printed but takes part in the constraints, e.g. the
    /// complement `denominator - numerator` of a rate, or persons with an
    /// unknown stratifier level. An intruder can still derive it from
    /// released cells, so it is audited when it is sensitive.
    Unpublished,
    /// The cell's number is known to anyone who reads the release and is never suppressed here:
    /// a total printed in another table of the same release, or a count known to be 0 (the men
    /// of a women-only sub-analysis). Protection must work around it.
    Known,
}

/// One count of persons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    label: String,
    value: u64,
    visibility: Visibility,
}

impl Cell {
    /// Unique label, used in records and manifests.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The true count.
    pub fn value(&self) -> u64 {
        self.value
    }

    /// Whether the cell is ever printed.
    pub fn visibility(&self) -> Visibility {
        self.visibility
    }
}

/// `sum(parts) == total`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Constraint {
    total: CellId,
    parts: Vec<CellId>,
}

impl Constraint {
    /// The cell that is the sum.
    pub fn total(&self) -> CellId {
        self.total
    }

    /// The cells that add up to the total.
    pub fn parts(&self) -> &[CellId] {
        &self.parts
    }
}

/// Cells plus additivity constraints; the values are checked to satisfy every
/// constraint when it is added, so the audit never sees an impossible table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableSet {
    cells: Vec<Cell>,
    constraints: Vec<Constraint>,
    labels: HashMap<String, CellId>,
    /// Factors on the price of hiding cells (1 where not set).
    weights: HashMap<CellId, u32>,
}

impl TableSet {
    /// An empty table set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a published cell.
    pub fn add_cell(
        &mut self,
        label: impl Into<String>,
        value: u64,
    ) -> Result<CellId, DisclosureError> {
        self.push(label.into(), value, Visibility::Published)
    }

    /// Adds a cell whose number is known and may not be suppressed (see [`Visibility::Known`]).
    pub fn add_known_cell(
        &mut self,
        label: impl Into<String>,
        value: u64,
    ) -> Result<CellId, DisclosureError> {
        self.push(label.into(), value, Visibility::Known)
    }

    /// Makes hiding a cell `weight` times as costly to the secondary suppression (an extreme
    /// level of an ordered dimension costs more than its middle level).
    pub fn set_weight(&mut self, id: CellId, weight: u32) {
        self.weights.insert(id, weight);
    }

    /// The factor on the price of hiding a cell.
    pub fn weight(&self, id: CellId) -> f64 {
        self.weights.get(&id).map_or(1.0, |&w| f64::from(w))
    }

    /// Whether a cell may never be suppressed.
    pub fn is_known(&self, id: CellId) -> bool {
        self.cells
            .get(id.0)
            .is_some_and(|c| c.visibility == Visibility::Known)
    }

    /// Adds a cell that is never printed but is implied by the constraints.
    pub fn add_unpublished_cell(
        &mut self,
        label: impl Into<String>,
        value: u64,
    ) -> Result<CellId, DisclosureError> {
        self.push(label.into(), value, Visibility::Unpublished)
    }

    fn push(
        &mut self,
        label: String,
        value: u64,
        visibility: Visibility,
    ) -> Result<CellId, DisclosureError> {
        if value > MAX_EXACT_COUNT {
            return Err(DisclosureError::ValueTooLarge { label, value });
        }
        if self.labels.contains_key(&label) {
            return Err(DisclosureError::DuplicateLabel(label));
        }
        let id = CellId(self.cells.len());
        self.labels.insert(label.clone(), id);
        self.cells.push(Cell {
            label,
            value,
            visibility,
        });
        Ok(id)
    }

    /// Adds `sum(parts) == total` after checking the ids, that no cell repeats
    /// and that the values satisfy it.
    pub fn add_constraint(
        &mut self,
        total: CellId,
        parts: &[CellId],
    ) -> Result<(), DisclosureError> {
        let total_cell = self.cell(total)?;
        if parts.is_empty() {
            return Err(DisclosureError::EmptyConstraint {
                total: total_cell.label.clone(),
            });
        }
        let mut seen = HashSet::from([total]);
        let mut parts_sum: u64 = 0;
        for &part in parts {
            let part_cell = self.cell(part)?;
            if !seen.insert(part) {
                return Err(DisclosureError::RepeatedCell {
                    total: total_cell.label.clone(),
                    cell: part_cell.label.clone(),
                });
            }
            parts_sum = parts_sum.saturating_add(part_cell.value);
        }
        if parts_sum != total_cell.value {
            return Err(DisclosureError::NotAdditive {
                total: total_cell.label.clone(),
                total_value: total_cell.value,
                parts_sum,
            });
        }
        self.constraints.push(Constraint {
            total,
            parts: parts.to_vec(),
        });
        Ok(())
    }

    /// All cells, indexed by [`CellId::index`].
    pub fn cells(&self) -> &[Cell] {
        &self.cells
    }

    /// All constraints.
    pub fn constraints(&self) -> &[Constraint] {
        &self.constraints
    }

    /// Number of cells.
    pub fn len(&self) -> usize {
        self.cells.len()
    }

    /// Whether the set has no cells.
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// The cell with this id, or an error if the id is not from this set.
    pub fn cell(&self, id: CellId) -> Result<&Cell, DisclosureError> {
        self.cells
            .get(id.0)
            .ok_or(DisclosureError::UnknownCell(id.0))
    }

    /// The cell with this label.
    pub fn find(&self, label: &str) -> Option<CellId> {
        self.labels.get(label).copied()
    }

    /// All cell ids in order.
    pub fn ids(&self) -> impl Iterator<Item = CellId> + '_ {
        (0..self.cells.len()).map(CellId)
    }

    /// Whether the cell is the total of some constraint (a margin). Secondary
    /// suppression avoids margins: they are the numbers readers use most.
    pub fn is_total(&self, id: CellId) -> bool {
        self.constraints.iter().any(|c| c.total == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_inconsistent_and_malformed_constraints() -> Result<(), DisclosureError> {
        let mut set = TableSet::new();
        let a = set.add_cell("a", 2)?;
        let b = set.add_cell("b", 3)?;
        let t = set.add_cell("t", 6)?;
        assert!(matches!(
            set.add_constraint(t, &[a, b]),
            Err(DisclosureError::NotAdditive { parts_sum: 5, .. })
        ));
        assert!(matches!(
            set.add_constraint(t, &[]),
            Err(DisclosureError::EmptyConstraint { .. })
        ));
        assert!(matches!(
            set.add_constraint(a, &[b, b]),
            Err(DisclosureError::RepeatedCell { .. })
        ));
        assert_eq!(
            set.add_cell("a", 1),
            Err(DisclosureError::DuplicateLabel("a".into()))
        );
        let mut other = TableSet::new();
        let mut foreign = other.add_cell("x0", 1)?;
        for i in 1..4 {
            foreign = other.add_cell(format!("x{i}"), 1)?;
        }
        assert_eq!(
            set.add_constraint(t, &[foreign]),
            Err(DisclosureError::UnknownCell(3))
        );
        assert!(!set.is_total(t));
        let c = set.add_cell("c", 1)?;
        set.add_constraint(t, &[a, b, c])?;
        assert!(set.is_total(t));
        Ok(())
    }
}
