//! The statistical core: plain, pure functions over small aggregated tables.
//!
//! One module per family of measures. Every function validates its input and
//! returns [`interval::MeasureError`] instead of panicking; each names the
//! method and the reference it follows, and is tested against the peer
//! implementation's published test vectors (PHEindicatormethods, WHO
//! healthequal / HEAT) or against results from R.

pub mod adjusted;
pub mod applicability;
pub mod concentration;
pub mod delta;
pub mod dispersion;
pub mod dsr;
pub mod funnel;
pub mod interval;
pub mod isr;
pub mod mean;
pub mod paf;
pub mod proportion;
pub mod quantile;
pub mod rate;
pub mod regression;
pub mod sii;
pub mod simple;
pub mod standardised_share;
pub mod subgroup;
pub mod summary;

pub use interval::{Estimate, EstimateSe, MeasureError};
