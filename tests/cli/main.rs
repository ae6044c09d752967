//! The `ulighed` binary end to end, in temporary folders: validation rules, bad input, synth
//! determinism, and the analysis on data-samples/ against its known truth.

mod bad_input;
mod common;
mod end_to_end;
mod synth;
mod validation_rules;
