//! The `ulighed` binary end to end, in temporary folders: validation rules, bad input, synth
//! determinism, and the analysis on data-samples/ against its known truth.

mod arrow_types;
mod attacker;
mod bad_input;
mod bad_specs;
mod browser;
mod classifications;
mod common;
mod convert;
mod coverage;
mod disclosure_options;
mod disclosure_scan;
mod faults;
mod frame;
mod help;
mod html;
mod index_years;
mod lpr_models;
mod measures_command;
mod merges;
mod nightly;
mod pdf;
mod pipelines;
mod report_text;
mod reports;
mod snapshots;
mod synth;
mod validation_rules;

/// The CSV reader and testthat-style tolerances shared with the measures tests.
#[path = "../measures/common/mod.rs"]
mod table;
