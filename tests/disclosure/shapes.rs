//! Builders for the table shapes the project publishes. Each produces a
//! [`TableSet`] plus the ids of its cells, so callers never assemble
//! constraints by hand for the common cases.
//!
//! Totals are taken from the data, not recomputed, where registers can hold
//! persons with an unknown stratifier level: the difference between a total
//! and the sum of its levels becomes an *unpublished residual* cell. It is
//! never printed, but it is derivable by subtraction, so it is subject to the
//! primary rule like any count (e.g. two persons with unknown education).

use ulighed::disclosure::{CellId, CountKind, DisclosureError, Pattern, PrimaryRule, TableSet};

/// Label used for margins of a two-way table.
pub const TOTAL_LABEL: &str = "Total";

/// A stratifier's levels plus their total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OneWayTable {
    set: TableSet,
    levels: Vec<CellId>,
    residual: Option<CellId>,
    total: CellId,
}

impl OneWayTable {
    /// Levels `(label, count)` and the total (at least their sum; any excess
    /// becomes an unpublished residual).
    pub fn new<L: AsRef<str>>(
        levels: &[(L, u64)],
        total_label: &str,
        total: u64,
    ) -> Result<Self, DisclosureError> {
        let mut set = TableSet::new();
        let labelled: Vec<(String, u64)> = levels
            .iter()
            .map(|(l, v)| (l.as_ref().to_owned(), *v))
            .collect();
        let (levels, residual, total) =
            add_one_way(&mut set, &labelled, total_label, total, false)?;
        Ok(Self {
            set,
            levels,
            residual,
            total,
        })
    }

    /// The table set to protect and audit.
    pub fn table_set(&self) -> &TableSet {
        &self.set
    }

    /// Level cells, in input order.
    pub fn levels(&self) -> &[CellId] {
        &self.levels
    }

    /// The total cell.
    pub fn total(&self) -> CellId {
        self.total
    }
}

/// Adds levels, a residual (if nonzero or asked for) and a total with their
/// constraint.
fn add_one_way(
    set: &mut TableSet,
    levels: &[(String, u64)],
    total_label: &str,
    total: u64,
    keep_zero_residual: bool,
) -> Result<(Vec<CellId>, Option<CellId>, CellId), DisclosureError> {
    if levels.is_empty() {
        return Err(DisclosureError::EmptyTable);
    }
    let ids = levels
        .iter()
        .map(|(label, value)| set.add_cell(label.clone(), *value))
        .collect::<Result<Vec<_>, _>>()?;
    let levels_sum = levels
        .iter()
        .fold(0u64, |sum, (_, v)| sum.saturating_add(*v));
    let excess =
        total
            .checked_sub(levels_sum)
            .ok_or_else(|| DisclosureError::TotalBelowLevels {
                total: total_label.to_owned(),
                total_value: total,
                levels_sum,
            })?;
    let residual = if excess > 0 || keep_zero_residual {
        Some(set.add_unpublished_cell(residual_label(total_label), excess)?)
    } else {
        None
    };
    let total_id = set.add_cell(total_label, total)?;
    let parts: Vec<CellId> = ids.iter().copied().chain(residual).collect();
    set.add_constraint(total_id, &parts)?;
    Ok((ids, residual, total_id))
}

fn residual_label(total_label: &str) -> String {
    format!("{total_label}: unknown level")
}

/// A two-way table with row, column and grand totals computed from the
/// interior (e.g. region × education).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TwoWayTable {
    set: TableSet,
    interior: Vec<Vec<CellId>>,
    row_totals: Vec<CellId>,
    column_totals: Vec<CellId>,
    grand_total: CellId,
}

impl TwoWayTable {
    /// `values[r][c]` is the count of row `r`, column `c`. Cells are labelled
    /// `"{row} × {column}"`, margins with [`TOTAL_LABEL`].
    pub fn new<R: AsRef<str>, C: AsRef<str>>(
        rows: &[R],
        columns: &[C],
        values: &[Vec<u64>],
    ) -> Result<Self, DisclosureError> {
        if rows.is_empty() || columns.is_empty() {
            return Err(DisclosureError::EmptyTable);
        }
        if values.len() != rows.len() || values.iter().any(|row| row.len() != columns.len()) {
            return Err(DisclosureError::GridShape {
                rows: rows.len(),
                columns: columns.len(),
            });
        }
        let label = |r: &str, c: &str| format!("{r} × {c}");
        let mut set = TableSet::new();
        let mut interior = Vec::with_capacity(rows.len());
        for (row, row_values) in rows.iter().zip(values) {
            let ids = columns
                .iter()
                .zip(row_values)
                .map(|(column, &v)| set.add_cell(label(row.as_ref(), column.as_ref()), v))
                .collect::<Result<Vec<_>, _>>()?;
            interior.push(ids);
        }
        let sum = |cells: &mut dyn Iterator<Item = u64>| cells.fold(0u64, u64::saturating_add);
        let mut row_totals = Vec::with_capacity(rows.len());
        for (r, row) in rows.iter().enumerate() {
            let total = sum(&mut values[r].iter().copied());
            let id = set.add_cell(label(row.as_ref(), TOTAL_LABEL), total)?;
            set.add_constraint(id, &interior[r])?;
            row_totals.push(id);
        }
        let mut column_totals = Vec::with_capacity(columns.len());
        for (c, column) in columns.iter().enumerate() {
            let total = sum(&mut values.iter().map(|row| row[c]));
            let id = set.add_cell(label(TOTAL_LABEL, column.as_ref()), total)?;
            let parts: Vec<CellId> = interior.iter().map(|row| row[c]).collect();
            set.add_constraint(id, &parts)?;
            column_totals.push(id);
        }
        let grand = sum(&mut values.iter().flatten().copied());
        let grand_total = set.add_cell(label(TOTAL_LABEL, TOTAL_LABEL), grand)?;
        set.add_constraint(grand_total, &row_totals)?;
        set.add_constraint(grand_total, &column_totals)?;
        Ok(Self {
            set,
            interior,
            row_totals,
            column_totals,
            grand_total,
        })
    }

    /// The table set to protect and audit.
    pub fn table_set(&self) -> &TableSet {
        &self.set
    }

    /// Interior cell of row `r`, column `c`.
    pub fn cell(&self, r: usize, c: usize) -> Option<CellId> {
        self.interior.get(r).and_then(|row| row.get(c)).copied()
    }
}

/// One row of a rate table: a stratifier level with its numerator (persons
/// with the event) and denominator (persons at risk).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateRow {
    /// Level label.
    pub level: String,
    /// Persons with the event.
    pub numerator: u64,
    /// Persons in the group.
    pub denominator: u64,
}

impl RateRow {
    /// A row.
    pub fn new(level: impl Into<String>, numerator: u64, denominator: u64) -> Self {
        Self {
            level: level.into(),
            numerator,
            denominator,
        }
    }
}

/// The three counts of one rate row inside a [`RateTable`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateCells {
    /// Published numerator.
    pub numerator: CellId,
    /// Published denominator.
    pub denominator: CellId,
    /// Unpublished complement `denominator - numerator`.
    pub complement: CellId,
}

/// A one-way table of rates: numerators and denominators by level plus
/// totals, with the complements as unpublished cells linked by
/// `numerator + complement = denominator` (so the audit knows `n <= d`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateTable {
    set: TableSet,
    levels: Vec<(String, RateCells)>,
    residual: Option<RateCells>,
    total: RateCells,
}

impl RateTable {
    /// Levels and the total row; the total may exceed the sum of the levels
    /// (persons with unknown level), which becomes an unpublished residual.
    pub fn new(rows: &[RateRow], total: &RateRow) -> Result<Self, DisclosureError> {
        for row in rows.iter().chain(std::iter::once(total)) {
            check_rate(&row.level, row.numerator, row.denominator)?;
        }
        let mut set = TableSet::new();
        let labelled = |suffix: &str, pick: fn(&RateRow) -> u64| -> Vec<(String, u64)> {
            rows.iter()
                .map(|row| (format!("{}: {suffix}", row.level), pick(row)))
                .collect()
        };
        // Persons of unknown level exist iff the denominators fall short of
        // their total; the numerator residual (possibly 0) must then exist too.
        let denominators_sum = rows
            .iter()
            .fold(0u64, |sum, r| sum.saturating_add(r.denominator));
        let has_residual = total.denominator > denominators_sum;
        let (numerators, n_residual, n_total) = add_one_way(
            &mut set,
            &labelled("numerator", |r| r.numerator),
            &format!("{}: numerator", total.level),
            total.numerator,
            has_residual,
        )?;
        let (denominators, d_residual, d_total) = add_one_way(
            &mut set,
            &labelled("denominator", |r| r.denominator),
            &format!("{}: denominator", total.level),
            total.denominator,
            has_residual,
        )?;
        let mut levels = Vec::with_capacity(rows.len());
        for ((row, &n), &d) in rows.iter().zip(&numerators).zip(&denominators) {
            levels.push((row.level.clone(), link_rate(&mut set, &row.level, n, d)?));
        }
        let residual_name = residual_label(&total.level);
        let residual = match (n_residual, d_residual) {
            (Some(n), Some(d)) => Some(link_rate(&mut set, &residual_name, n, d)?),
            (None, _) => None,
            (Some(n), None) => {
                return Err(DisclosureError::NumeratorExceedsDenominator {
                    level: residual_name,
                    numerator: set.cell(n)?.value(),
                    denominator: 0,
                });
            }
        };
        let total = link_rate(&mut set, &total.level, n_total, d_total)?;
        Ok(Self {
            set,
            levels,
            residual,
            total,
        })
    }

    /// The table set to protect and audit.
    pub fn table_set(&self) -> &TableSet {
        &self.set
    }

    /// Level labels with their cells, in input order.
    pub fn levels(&self) -> &[(String, RateCells)] {
        &self.levels
    }

    /// The cells of one level.
    pub fn level(&self, label: &str) -> Option<RateCells> {
        self.levels
            .iter()
            .find(|(l, _)| l == label)
            .map(|(_, cells)| *cells)
    }

    /// Unpublished residual (persons with unknown level), if any.
    pub fn residual(&self) -> Option<RateCells> {
        self.residual
    }

    /// The total row.
    pub fn total(&self) -> RateCells {
        self.total
    }

    /// Primary suppression of the rate rows (rule in [`super::primary`]):
    /// numerator, denominator and complement of every level, the residual
    /// and the total row.
    pub fn primary_pattern(&self, rule: &PrimaryRule) -> Result<Pattern, DisclosureError> {
        let mut pattern = Pattern::new(&self.set);
        let rows = self
            .levels
            .iter()
            .map(|(_, cells)| *cells)
            .chain(self.residual)
            .chain(std::iter::once(self.total));
        for cells in rows {
            let value = |id| self.set.cell(id).map(|c| c.value());
            if let Some(reason) = rule.reason(CountKind::Numerator, value(cells.numerator)?) {
                pattern.mark_primary(cells.numerator, reason)?;
            }
            let denominator_reason = rule.reason(CountKind::Denominator, value(cells.denominator)?);
            if let Some(reason) = denominator_reason {
                pattern.mark_primary(cells.denominator, reason)?;
            }
            if let Some(reason) = rule.reason(CountKind::Complement, value(cells.complement)?) {
                pattern.mark_primary(cells.complement, reason)?;
                if denominator_reason.is_none() {
                    pattern.mark_primary(cells.numerator, reason)?;
                }
            }
        }
        Ok(pattern)
    }
}

/// Adds the unpublished complement of a rate row and `n + c = d`.
fn link_rate(
    set: &mut TableSet,
    label: &str,
    numerator: CellId,
    denominator: CellId,
) -> Result<RateCells, DisclosureError> {
    let n = set.cell(numerator)?.value();
    let d = set.cell(denominator)?.value();
    check_rate(label, n, d)?;
    let complement = set.add_unpublished_cell(format!("{label}: complement"), d - n)?;
    set.add_constraint(denominator, &[numerator, complement])?;
    Ok(RateCells {
        numerator,
        denominator,
        complement,
    })
}

fn check_rate(level: &str, numerator: u64, denominator: u64) -> Result<(), DisclosureError> {
    if numerator > denominator {
        return Err(DisclosureError::NumeratorExceedsDenominator {
            level: level.to_owned(),
            numerator,
            denominator,
        });
    }
    Ok(())
}
