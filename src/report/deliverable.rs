//! What a run delivers, and for whom: the document it is for (the midway status or the annual
//! analysis), its language and as-of date, whether it is an internal run (no disclosure control,
//! every page marked) and how its tables and figures are written. Every output of a run is
//! written from these settings, never from the run's other options.

use std::path::{Path, PathBuf};

use super::labels::Lang;
use crate::csv_file::CsvDialect;

/// The deliverable a run is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
pub enum ReportKind {
    /// The midway status (15 August): every result is preliminary.
    Midway,
    /// The annual analysis (31 December).
    Annual,
}

/// The mark on every page and file of an internal run.
pub const NOT_FOR_RELEASE: &str = "IKKE TIL OFFENTLIGGØRELSE / NOT FOR RELEASE";

/// The settings of a run that shape what it writes.
#[derive(Debug, Clone, Copy)]
pub struct Deliverable {
    pub kind: ReportKind,
    pub lang: Lang,
    /// The data's as-of date (day number).
    pub as_of: i32,
    /// An internal run: no disclosure control, every output marked [`NOT_FOR_RELEASE`] and
    /// written to `OUT/<id>-internal/`.
    pub internal: bool,
    /// The notation of the document tables' CSV files.
    pub csv_dialect: CsvDialect,
    /// Also write every figure as PNG.
    pub png: bool,
}

impl Deliverable {
    /// The mark on every page and file of an internal run.
    pub fn internal_mark(&self) -> Option<&'static str> {
        self.internal.then_some(NOT_FOR_RELEASE)
    }

    /// The output folder of an analysis under the output root `out`.
    pub fn analysis_folder(&self, out: &Path, id: &str) -> PathBuf {
        if self.internal {
            out.join(format!("{id}-internal"))
        } else {
            out.join(id)
        }
    }

    /// The folder of the document of every analysis under the output root `out`.
    pub fn document_folder(&self, out: &Path) -> PathBuf {
        let suffix = if self.internal { "-internal" } else { "" };
        out.join(format!("{}{suffix}", self.document_name()))
    }

    /// The document's name: its folder's, and its text's beside the specs
    /// (`aarsanalyse.md`, `midtvejsstatus.md`).
    pub fn document_name(&self) -> &'static str {
        match self.kind {
            ReportKind::Annual => "aarsanalyse",
            ReportKind::Midway => "midtvejsstatus",
        }
    }
}
