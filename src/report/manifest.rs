//! The run manifest (`manifest.json`): what was run, on what, with which settings, what was
//! suppressed, and a SHA-256 of every file written, so a reader can trace each number back to
//! its spec and registers and check that no file was changed after the run.

use std::path::Path;

use serde::Serialize;

use super::output::sha256_hex;
use crate::dates;
use crate::error::{Error, Result};
use crate::pipeline::results::SuppressionSummary;
use crate::pipeline::run::{ReportKind, RunOptions};
use crate::pipeline::spec::LoadedSpec;

#[derive(Debug, Serialize)]
pub struct FileEntry {
    pub path: String,
    pub sha256: String,
    pub bytes: usize,
}

#[derive(Debug, Serialize)]
pub struct Manifest {
    pub tool: String,
    pub version: String,
    pub analysis: String,
    pub spec: String,
    pub spec_sha256: String,
    pub registers: String,
    pub as_of: String,
    pub report: ReportKind,
    pub lang: crate::report::labels::Lang,
    /// `external` (disclosure control applied) or the NOT FOR RELEASE mark of an internal run.
    pub release: String,
    pub disclosure: SuppressionSummary,
    pub files: Vec<FileEntry>,
}

impl Manifest {
    pub fn new(
        loaded: &LoadedSpec,
        spec_hash: &str,
        registers: &Path,
        options: &RunOptions,
        suppressed: &SuppressionSummary,
        files: &[(String, Vec<u8>)],
    ) -> Manifest {
        Manifest {
            tool: "ulighed".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            analysis: loaded.spec.id.clone(),
            spec: loaded.path.display().to_string(),
            spec_sha256: spec_hash.into(),
            registers: registers.display().to_string(),
            as_of: dates::format_iso(options.as_of),
            report: options.report,
            lang: options.lang,
            release: if options.internal {
                crate::pipeline::run::NOT_FOR_RELEASE.to_string()
            } else {
                "external".to_string()
            },
            disclosure: suppressed.clone(),
            files: files
                .iter()
                .map(|(path, bytes)| FileEntry {
                    path: path.clone(),
                    sha256: sha256_hex(bytes),
                    bytes: bytes.len(),
                })
                .collect(),
        }
    }

    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self).map_err(|e| Error::Internal(format!("manifest: {e}")))
    }
}
