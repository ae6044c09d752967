//! Lazy canonical frames over a registers folder: one register (all its files) or one year.

use polars::prelude::*;

use super::discover::{Discovered, discover};
use super::read::{key_dtype, open};
use crate::error::{Error, Result};

/// Runs a query on Polars' streaming engine, which reads the registers in morsels and holds only
/// what the joins and aggregations keep: at national volumes the in-memory engine would hold
/// whole scanned columns (several gigabytes) at once.
pub fn collect_streaming(frame: LazyFrame) -> PolarsResult<DataFrame> {
    match frame.collect_with_engine(Engine::Streaming)? {
        polars_core::query_result::QueryResult::Single(df) => Ok(df),
        polars_core::query_result::QueryResult::Multiple(_) => Err(PolarsError::ComputeError(
            "a query with one output gave several".into(),
        )),
    }
}

/// The register files of a folder, opened on demand.
pub struct RegisterSet {
    pub discovered: Discovered,
    /// The type of the folder's contact keys ([`key_dtype`]).
    pub keys: DataType,
}

impl RegisterSet {
    pub fn open(dir: &std::path::Path) -> Result<RegisterSet> {
        let discovered = discover(dir)?;
        Ok(RegisterSet {
            keys: key_dtype(&discovered),
            discovered,
        })
    }

    /// All files of a register concatenated, or `None` when the folder has none.
    pub fn scan(&self, register: &str) -> Result<Option<LazyFrame>> {
        let files = self.discovered.of(register);
        if files.is_empty() {
            return Ok(None);
        }
        let frames = files
            .iter()
            .map(|f| Ok(open(f)?.canonical(f.year, &self.keys)))
            .collect::<Result<Vec<_>>>()?;
        Ok(Some(concat(frames, UnionArgs::default())?))
    }

    /// All files of a register that must be present.
    pub fn require(&self, register: &str) -> Result<LazyFrame> {
        self.scan(register)?.ok_or_else(|| {
            Error::MissingInput(format!(
                "{}: no {register} register file (expected {register}.parquet, .arrow or .csv)",
                self.discovered.dir.display()
            ))
        })
    }

    /// The file of a yearly register for one year.
    pub fn scan_year(&self, register: &str, year: i32) -> Result<Option<LazyFrame>> {
        self.discovered
            .of(register)
            .iter()
            .find(|f| f.year == Some(year))
            .map(|f| Ok(open(f)?.canonical(Some(year), &self.keys)))
            .transpose()
    }
}
