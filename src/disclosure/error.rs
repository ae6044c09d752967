//! The one error type of the disclosure-control core.

use thiserror::Error;

/// Everything that can go wrong while building, protecting, auditing or
/// releasing a table. No function of this module panics on user input; each
/// refusal is one of these.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DisclosureError {
    /// Thresholds below [`super::threshold::MIN_EXTERNAL_THRESHOLD`] are only
    /// allowed for output that stays inside the secure environment.
    #[error(
        "threshold {value} is below the minimum of {minimum} for output leaving the secure environment; use Audience::Internal for internal output"
    )]
    ThresholdTooLow { value: u64, minimum: u64 },
    /// A threshold of zero protects nothing and is refused for every audience.
    #[error("threshold must be at least 1")]
    ZeroThreshold,
    /// A [`super::table::CellId`] that does not belong to the table set at hand.
    #[error("cell id {0} does not belong to this table set")]
    UnknownCell(usize),
    /// Labels identify cells in records and manifests, so they must be unique.
    #[error("duplicate cell label `{0}`")]
    DuplicateLabel(String),
    /// Counts are handed to an `f64` solver, which is exact only up to 2^53.
    #[error("count {value} of cell `{label}` is too large (at most 2^53)")]
    ValueTooLarge { label: String, value: u64 },
    /// An additivity constraint must name at least one part.
    #[error("constraint on total `{total}` has no parts")]
    EmptyConstraint { total: String },
    /// A cell may appear at most once in one constraint.
    #[error("cell `{cell}` appears more than once in the constraint on `{total}`")]
    RepeatedCell { total: String, cell: String },
    /// The values given do not satisfy the additivity constraint.
    #[error("cell `{total}` is {total_value} but its parts sum to {parts_sum}")]
    NotAdditive {
        total: String,
        total_value: u64,
        parts_sum: u64,
    },
    /// The totals given are smaller than the sum of the levels.
    #[error("total `{total}` is {total_value}, less than the sum {levels_sum} of its levels")]
    TotalBelowLevels {
        total: String,
        total_value: u64,
        levels_sum: u64,
    },
    /// A numerator counts a subset of its denominator's persons.
    #[error("numerator {numerator} exceeds denominator {denominator} for `{level}`")]
    NumeratorExceedsDenominator {
        level: String,
        numerator: u64,
        denominator: u64,
    },
    /// A two-way table's value grid does not match its row and column labels.
    #[error("expected a {rows} x {columns} grid of values")]
    GridShape { rows: usize, columns: usize },
    /// A table needs at least one level (one-way) or one row and column (two-way).
    #[error("a table needs at least one level in each dimension")]
    EmptyTable,
    /// A pattern belongs to a table set of another size.
    #[error("pattern covers {pattern} cells but the table set has {table}")]
    PatternMismatch { pattern: usize, table: usize },
    /// Only published cells can be released, suppressed or unsuppressed.
    #[error("cell `{0}` is never published, so it cannot be suppressed")]
    NotPublished(String),
    /// The LP solver failed (numerically) or reported an impossible table.
    #[error("linear programming failed: {0}")]
    Solver(String),
    /// No set of further suppressions can give this cell the required width.
    #[error("cell `{label}` cannot be protected to a feasible interval {width} wide")]
    Unprotectable { label: String, width: u64 },
    /// Defence in depth at release: a released count breaks the primary rule.
    #[error("released cell `{label}` has a count below the threshold")]
    UnsafeRelease { label: String },
}
