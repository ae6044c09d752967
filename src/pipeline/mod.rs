//! Pipelines: declarative analyses (TOML specs) and their runs.

pub mod gate;
pub mod levels;
pub mod plan;
pub mod quality;
pub mod results;
pub mod run;
pub mod summary_rows;
