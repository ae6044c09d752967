//! Disclosure control for tables leaving the secure environment.
//!
//! Output may leave Statistics Denmark's secure environment only when no
//! released cell describes fewer than a threshold number of persons and no
//! suppressed cell can be recovered, or narrowed to an interval narrower than
//! the threshold, by subtraction from totals. This module is the gate:
//!
//! 1. Model the output as a [`TableSet`]: cells with integer counts plus
//!    additivity constraints (one-way, two-way with margins, linked tables,
//!    rate tables — [`shapes`]).
//! 2. **Primary suppression** ([`primary`]): counts `0 < n < threshold`
//!    (numerator, denominator, complement `d - n`); zeros released by default.
//! 3. **Secondary suppression** ([`secondary::protect`]): LP-proposed
//!    complementary cells plus a repair loop until the audit passes.
//! 4. **Audit** ([`audit::audit`]): the feasible interval `[lower, upper]` of
//!    every suppressed cell by linear programming; protected iff
//!    `upper - lower >= threshold`.
//! 5. **Release** ([`release::release`]), optionally rounded to base 3 or 5
//!    ([`rounding`]); summary measures over groups are gated by
//!    [`summary::summary_decision`]; [`Pattern::records`] lists what was
//!    suppressed and why for the run manifest.
//!
//! `tests/usage_example.rs` runs this sequence on a one-way rate table.
//!
//! Method references: Hundepool et al., *Statistical Disclosure Control*,
//! Wiley 2012 (ch. 4 cell suppression and auditing, ch. 5 frequency tables);
//! Fischetti & Salazar-González (2000), JASA 95:916–928; Repsilber (1994) and
//! Giessing & Repsilber (2002) for the hypercube method; the sdcTable R
//! package (Meindl) for the reference example in the tests.

pub mod audit;
pub mod error;
pub mod gate;
mod lp;
pub mod pattern;
pub mod primary;
pub mod release;
pub mod rounding;
pub mod secondary;
pub mod shapes;
pub mod summary;
pub mod suppressed;
pub mod table;
pub mod threshold;

pub use audit::{AuditReport, CellInterval, audit, feasible_interval};
pub use error::DisclosureError;
pub use pattern::{CellStatus, Pattern, SuppressionCause, SuppressionRecord};
pub use primary::{CountKind, PrimaryReason, PrimaryRule, ZeroRule};
pub use release::{ReleasedCell, release};
pub use rounding::{Rounding, RoundingBase, RoundingMethod};
pub use secondary::{CostFunction, Protection, SecondaryConfig, protect};
pub use shapes::{OneWayTable, RateCells, RateRow, RateTable, TOTAL_LABEL, TwoWayTable};
pub use summary::{BlockingCell, SummaryDecision, summary_decision};
pub use table::{Cell, CellId, Constraint, TableSet, Visibility};
pub use threshold::{Audience, DEFAULT_THRESHOLD, MIN_EXTERNAL_THRESHOLD, Threshold};
