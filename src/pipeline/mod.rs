//! Pipelines: the TOML spec of an analysis, and running it from registers to outputs.

pub mod results;
pub mod run;
pub mod spec;
