//! Register readers against independent readings: SAS7BDAT files written by SAS itself, each
//! beside ReadStat 1.1.8's reading (`tests/data/sas/`), and fixtures written with ReadStat's
//! library from known values (`tests/data/sas-fixtures/`).

mod sas_fixtures;
mod sas_peer;

use std::path::Path;

use polars::prelude::*;

/// A CSV file with every cell as text (the references and sources the readers are compared with).
fn csv_text(path: &Path) -> DataFrame {
    CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .try_into_reader_with_file_path(Some(path.to_path_buf()))
        .expect("CSV opens")
        .finish()
        .expect("CSV parses")
}
