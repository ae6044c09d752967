//! The statistical core against its peers: PHEindicatormethods, WHO healthequal/HEAT, R's glm.
//! One test binary (the crate links Polars, so each binary is costly to link).

mod common;

mod adjusted;
mod applicability;
mod funnel;
mod heat_measures;
mod interval_coverage;
mod phe_dsr_isr;
mod phe_proportion_rate_mean;
mod properties;
mod quantile;
mod regression;
mod sii;
mod summary;
