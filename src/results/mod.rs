//! From the aggregated counts of one dimension to its released rows of the tidy table: crude and
//! age-and-sex-standardised proportions per level, differences and ratios to the reference level,
//! waiting times, HEAT's summary measures and funnel limits, each released only as the disclosure
//! gate decided.

pub mod adjusted;
pub mod context;
pub mod dimension;
pub mod levels;
pub mod quality;
pub mod standardisation;
pub mod summary;

pub use context::{CONFIDENCE, DimensionContext, GatedLevel, percent_subgroup};
pub use dimension::{LevelValues, dimension_rows};
