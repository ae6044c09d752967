//! The run manifest (`manifest.json`): what was run, on what, with which settings, what was
//! suppressed, and a SHA-256 of every file written, so a reader can trace each number back to
//! its spec and registers and check that no file was changed after the run.

use std::path::Path;
use std::time::Instant;

use serde::Serialize;

use super::deliverable::{Deliverable, NOT_FOR_RELEASE, ReportKind};
use super::output::sha256_hex;
use crate::dates;
use crate::disclosure::suppressed::SuppressionSummary;
use crate::error::{Error, Result};
use crate::ops::fingerprint::InputFile;
use crate::ops::log::Event;
use crate::spec::LoadedSpec;

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
    /// `ok`: only a run that wrote all its outputs writes a manifest.
    pub status: &'static str,
    pub analysis: String,
    pub spec: String,
    pub spec_sha256: String,
    /// The key a later run compares to decide whether anything changed.
    pub run_key: String,
    pub registers: String,
    /// The registers are synthetic (made by `synth`): every document made from them says so.
    pub synthetic: bool,
    /// Every register file the analysis reads, with size and SHA-256.
    pub inputs: Vec<InputFile>,
    pub as_of: String,
    pub report: ReportKind,
    pub lang: crate::report::labels::Lang,
    /// `external` (disclosure control applied) or the NOT FOR RELEASE mark of an internal run.
    pub release: String,
    /// Rows and seconds per step (validation, patients per year, measures per year).
    pub steps: Vec<StepRecord>,
    pub seconds: f64,
    /// Rows of the tidy table.
    pub table_rows: usize,
    /// The residents in the analysis's ages and area in its last year, to the nearest thousand.
    pub population: u64,
    pub disclosure: SuppressionSummary,
    pub files: Vec<FileEntry>,
}

impl Manifest {
    pub fn new(
        loaded: &LoadedSpec,
        spec_hash: &str,
        provenance: &Provenance<'_>,
        d: &Deliverable,
        suppressed: &SuppressionSummary,
        files: &[(String, Vec<u8>)],
        table_rows: usize,
    ) -> Manifest {
        Manifest {
            tool: "ulighed".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            status: "ok",
            analysis: loaded.spec.id.clone(),
            spec: loaded.path.display().to_string(),
            spec_sha256: spec_hash.into(),
            run_key: provenance.run_key.into(),
            registers: provenance.registers.display().to_string(),
            synthetic: provenance.synthetic,
            inputs: provenance.inputs.to_vec(),
            steps: provenance.steps.to_vec(),
            seconds: provenance.started.elapsed().as_secs_f64(),
            table_rows,
            population: provenance.population,
            as_of: dates::format_iso(d.as_of),
            report: d.kind,
            lang: d.lang,
            release: if d.internal {
                NOT_FOR_RELEASE.to_string()
            } else {
                "external".to_string()
            },
            disclosure: suppressed.clone(),
            files: entries(files),
        }
    }

    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self).map_err(|e| Error::Internal(format!("manifest: {e}")))
    }
}

/// One analysis of a document's manifest.
#[derive(Debug, Serialize)]
pub struct DocumentAnalysis {
    pub analysis: String,
    /// `ok` (results in the document) or `failed: ` with the reason.
    pub status: String,
    pub run_key: Option<String>,
}

/// The manifest of a document of every analysis (`run --all`): what it is, which analyses and
/// runs it shows, and the SHA-256 of every file.
#[derive(Debug, Serialize)]
pub struct DocumentManifest {
    pub tool: String,
    pub version: String,
    pub status: &'static str,
    pub document: ReportKind,
    pub as_of: String,
    pub lang: crate::report::labels::Lang,
    pub release: String,
    pub analyses: Vec<DocumentAnalysis>,
    pub files: Vec<FileEntry>,
}

impl DocumentManifest {
    pub fn new(
        d: &Deliverable,
        analyses: Vec<DocumentAnalysis>,
        files: &[(String, Vec<u8>)],
    ) -> DocumentManifest {
        DocumentManifest {
            tool: "ulighed".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            status: "ok",
            document: d.kind,
            as_of: dates::format_iso(d.as_of),
            lang: d.lang,
            release: if d.internal {
                NOT_FOR_RELEASE.to_string()
            } else {
                "external".to_string()
            },
            analyses,
            files: entries(files),
        }
    }

    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self).map_err(|e| Error::Internal(format!("manifest: {e}")))
    }
}

fn entries(files: &[(String, Vec<u8>)]) -> Vec<FileEntry> {
    files
        .iter()
        .map(|(path, bytes)| FileEntry {
            path: path.clone(),
            sha256: sha256_hex(bytes),
            bytes: bytes.len(),
        })
        .collect()
}

/// One step of a run for the log and the manifest.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StepRecord {
    pub step: &'static str,
    pub year: Option<i32>,
    pub rows: u64,
    pub seconds: f64,
}

impl StepRecord {
    pub fn new(step: &'static str, year: Option<i32>, rows: u64, since: Instant) -> StepRecord {
        StepRecord {
            step,
            year,
            rows,
            seconds: since.elapsed().as_secs_f64(),
        }
    }

    pub fn event<'a>(&'a self, analysis: &'a str) -> Event<'a> {
        Event::Step {
            analysis,
            step: self.step,
            year: self.year,
            rows: self.rows,
            seconds: self.seconds,
        }
    }
}

/// Where a run's numbers came from, for its manifest.
pub struct Provenance<'a> {
    pub registers: &'a Path,
    /// The registers were made by `synth` (see [`crate::synth::made_by_synth`]).
    pub synthetic: bool,
    pub run_key: &'a str,
    pub inputs: &'a [InputFile],
    pub steps: &'a [StepRecord],
    /// The residents in the analysis's ages and area in its last year, to the nearest thousand
    /// ([`crate::disclosure::rounding::population_rounded`]).
    pub population: u64,
    pub started: Instant,
}
