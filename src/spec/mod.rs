//! The pipeline spec, the bottom layer every other stage reads: its types (the language an analyst
//! writes in `pipelines/*.toml`), the rules it must meet, how it is read, the measures it asks
//! for and the relations between its outcomes.

pub mod check;
pub mod frame;
pub mod levels;
pub mod links;
pub mod load;
pub mod measures;
pub mod merges;
pub mod plan;
pub mod shape;
mod types;
pub mod units;

pub use levels::{
    CHARLSON_LEVELS, COHABITATION_LEVELS, EDUCATION_LEVELS, INCOME_QUINTILES, LABOUR_MARKET_LEVELS,
    MULTIMORBIDITY_LEVELS, ORIGIN_LEVELS, ORIGIN_WESTERN_LEVELS,
};
pub use load::load;
pub use measures::{Measure, RequestedMeasure, SummaryMeasure, measures_for};
pub use types::*;
