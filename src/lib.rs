//! `ulighed`: social and geographic inequality in treatment and offers for patient groups, from
//! Danish register-style data to the tables, figures and reports of the annual analysis.
//!
//! The flow is one direction (see `docs/design.md`): registers -> cohort -> strata -> aggregate ->
//! measures -> disclosure -> outputs. Everything up to the aggregate is lazy Polars work over
//! person-level rows; everything after works on small aggregated tables.

pub mod aggregate;
pub mod allocator;
pub mod cohort;
pub mod csv_file;
pub mod dates;
pub mod disclosure;
pub mod error;
pub mod measures;
pub mod measures_command;
pub mod ops;
pub mod registers;
pub mod report;
pub mod results;
pub mod rng;
pub mod run;
pub mod spec;
pub mod strata;
pub mod synth;
pub mod tidy;
