//! Disclosure control for tables leaving the secure environment.
//!
//! Output may leave Statistics Denmark's secure environment only when no released cell describes
//! fewer than a threshold number of persons and no suppressed cell can be recovered, or narrowed
//! to an interval narrower than the threshold, by subtraction from totals. What a run does, in
//! order:
//!
//! 1. **The release gate** ([`gate::gate_release`]), once per analysis and year: every table the
//!    run releases (each stratifier and outcome, in the main analysis and in each sub-analysis)
//!    becomes [`TableSet`]s of integer cells and additive constraints ([`linked`]): levels add
//!    up to their total, shared by every stratifier's table; a numerator plus its unpublished
//!    complement is its denominator; a sub-analysis plus its unpublished rest is any wider
//!    population; an outcome among survivors has the deaths as its unpublished complement; an
//!    outcome inside a wider one is part of it; a fine stratifier's levels add up to a coarse
//!    one's. Totals are decided first and then known, so stratifiers separate.
//! 2. **Primary suppression** ([`primary`]): counts `0 < n < threshold` (numerator, denominator,
//!    complement `d - n`), and 0 or 100 % of a non-empty group (see the gate's doc).
//! 3. **Secondary suppression** ([`secondary::protect`]): complementary cells proposed by linear
//!    programming ([`lp`]), then a repair loop until the audit passes.
//! 4. **Audit** ([`audit::audit`]): the feasible interval `[lower, upper]` of every suppressed
//!    cell by linear programming; a cell is protected iff `upper - lower >= threshold`.
//! 5. **Release**: the gate's decisions (which counts of each level are shown) go to
//!    [`crate::results`], which withholds everything computed from a hidden count (a summary
//!    measure over the levels when any of them is hidden), rounds released counts to base 3 or 5
//!    when the spec asks ([`rounding`]), and records the hidden published cells for the manifest
//!    ([`suppressed`], from [`Pattern::records`]).
//!
//! An internal run (`--internal`) skips the gate and marks every output NOT FOR RELEASE.
//! The protection engine is tested on hand-checkable tables and against sdcTable's published
//! example in `tests/disclosure/`.
//!
//! Method references: Hundepool et al., *Statistical Disclosure Control*,
//! Wiley 2012 (ch. 4 cell suppression and auditing, ch. 5 frequency tables);
//! Fischetti & Salazar-González (2000), JASA 95:916–928; Repsilber (1994) and
//! Giessing & Repsilber (2002) for the hypercube method; the sdcTable R
//! package (Meindl) for the reference example in the tests.

pub mod audit;
pub mod error;
pub mod gate;
mod hierarchy;
mod linked;
mod lp;
pub mod pattern;
pub mod primary;
pub mod rounding;
pub mod secondary;
mod slices;
pub mod suppressed;
pub mod table;
pub mod threshold;

pub use audit::{AuditReport, CellInterval, audit, feasible_interval};
pub use error::DisclosureError;
pub use pattern::{
    CellStatus, CountKind, Pattern, PrimaryReason, SuppressionCause, SuppressionRecord,
};
pub use primary::{PrimaryRule, ZeroRule};
pub use rounding::{Rounding, RoundingBase, RoundingMethod};
pub use secondary::{CostFunction, Protection, SecondaryConfig, protect};
pub use table::{Cell, CellId, Constraint, TableSet, Visibility};
pub use threshold::{Audience, DEFAULT_THRESHOLD, MIN_EXTERNAL_THRESHOLD, Threshold};
