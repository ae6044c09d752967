//! What a run is asked to do: the spec, the registers, the output root and the settings of its
//! deliverable, as the command line and `ulighed.toml` gave them.

use std::path::PathBuf;

use crate::csv_file::CsvDialect;
use crate::disclosure::{Audience, Threshold};
use crate::error::{Error, Result};
use crate::ops::log::Log;
use crate::registers::classification::Classifications;
use crate::registers::severity::Severities;
use crate::report::deliverable::{Deliverable, ReportKind};
use crate::report::labels::Lang;
use crate::spec::LoadedSpec;

/// What to run and where to write it.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub spec: PathBuf,
    pub registers: Option<PathBuf>,
    pub out: PathBuf,
    pub as_of: i32,
    pub report: ReportKind,
    pub lang: Lang,
    /// The suppression threshold, overriding the spec's (at least 3).
    pub threshold: Option<u64>,
    /// An internal run: no disclosure control, every output marked [`NOT_FOR_RELEASE`] and
    /// written to `OUT/<id>-internal/`.
    pub internal: bool,
    /// Run even when nothing the analysis reads has changed since its last successful run.
    pub force: bool,
    /// The notation of the document tables' CSV files.
    pub csv_dialect: CsvDialect,
    /// Also write every figure as PNG.
    pub png: bool,
    /// The project configuration's classification tables (a spec's own win).
    pub classifications: Classifications,
    /// The project configuration's validation severities (a spec's own win, rule by rule).
    pub severities: Severities,
    pub log: Log,
}

impl RunOptions {
    /// `loaded` with the classification tables a run reads: the spec's, and the project
    /// configuration's where the spec names none. The run and `plan`'s dry run both read them
    /// so, so both compute the same run key. The spec's unit types and specialties are then
    /// looked up in the SOR table ([`crate::spec::units::resolve`]).
    pub fn with_classifications(&self, loaded: &LoadedSpec) -> Result<LoadedSpec> {
        let mut merged = LoadedSpec {
            classifications: loaded.classifications.clone().or(&self.classifications),
            ..loaded.clone()
        };
        crate::spec::units::resolve(&mut merged)?;
        Ok(merged)
    }

    /// The settings that change what a run writes, for the run key. The as-of date counts where
    /// it changes the numbers: in a midway status (which reports the data as of its date) and
    /// when the registers hold events after it (`cuts_off`: they are cut off). Otherwise a nightly
    /// run, whose as-of date is today, would never find an analysis unchanged.
    pub fn settings(&self, cuts_off: bool) -> String {
        format!(
            "report={:?};lang={:?};threshold={:?};internal={};registers={:?};csv={:?};png={};as_of={}",
            self.report,
            self.lang,
            self.threshold,
            self.internal,
            self.registers,
            self.csv_dialect,
            self.png,
            if self.report == ReportKind::Midway || cuts_off {
                self.as_of
            } else {
                0
            }
        )
    }

    /// What the run writes, and for whom.
    pub fn deliverable(&self) -> Deliverable {
        Deliverable {
            kind: self.report,
            lang: self.lang,
            as_of: self.as_of,
            internal: self.internal,
            csv_dialect: self.csv_dialect,
            png: self.png,
        }
    }

    /// The output folder of the analysis `id`.
    pub fn analysis_folder(&self, id: &str) -> PathBuf {
        self.deliverable().analysis_folder(&self.out, id)
    }

    /// The disclosure threshold of an analysis: the command line's, or its spec's (default 5).
    pub fn threshold_for(&self, loaded: &LoadedSpec) -> Result<Threshold> {
        match self.threshold {
            Some(value) => Threshold::new(value, Audience::External).map_err(|_| {
                Error::Usage(format!(
                    "--threshold {value}: expected at least 3 for output that leaves the secure environment (an internal run, --internal, applies no suppression at all)"
                ))
            }),
            None => Threshold::new(
                loaded.spec.disclosure.as_ref().map_or(5, |d| d.threshold),
                Audience::External,
            )
            .map_err(|e| {
                Error::BadSpec(format!(
                    "{}: key `disclosure.threshold`: {e}",
                    loaded.path.display()
                ))
            }),
        }
    }
}
