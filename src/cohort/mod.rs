//! The cohort: patients with their index day, and their outcomes.
//!
//! All dates become day numbers (`Int32`, days since 1970-01-01) on reading, so windows are plain
//! integer comparisons. Everything here is lazy; the caller collects the patient frame once
//! (patients are few next to the registers) and aggregates it per stratifier.
//!
//! Designs (`population.index_date` or `population.period`):
//! - prevalent: every include criterion is looked for in its look-back window before the index
//!   date, which is the same for everyone;
//! - incident: each patient's index is the first qualifying event in the period (with
//!   `match = "all"`, an event of the first criterion, the others looked for before it).

pub(crate) mod actions;
pub mod charlson;
mod conditions;
mod criteria;
mod event_count;
mod outcomes;
mod partitioned_join;
mod patient_group;
mod population;
pub(crate) mod procedures;
mod reads;
mod stays;
#[cfg(test)]
pub(crate) mod testing;
#[cfg(test)]
mod tests;
mod windows;

pub use outcomes::{count_column, outcome_columns, with_outcomes};
pub use patient_group::patients;
pub use population::{index_years, register_population, residence_years, residents};
pub use reads::starts_with_any;
