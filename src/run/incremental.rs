//! Incremental runs: what an analysis reads (its register files and classification tables,
//! fingerprinted), the key of a run, and the record the last successful run left in its folder
//! (`manifest.json`, read once into a typed record), so an unchanged analysis is skipped and
//! `ulighed plan` can say why a run would or would not do anything.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::options::RunOptions;
use crate::disclosure::suppressed::InformationLoss;
use crate::error::{Error, Result};
use crate::ops::fingerprint::{FingerprintCache, InputFile, fingerprints, registers_read, run_key};
use crate::registers::classification::Classifications;
use crate::registers::scan::RegisterSet;
use crate::report::document::{InputRecord, RunRecord};
use crate::spec;

/// What the last successful run of an analysis recorded in its manifest, as far as a later run
/// reads it.
#[derive(Debug, Deserialize)]
pub struct RecordedRun {
    status: String,
    run_key: String,
    #[serde(default)]
    spec_sha256: String,
    #[serde(default)]
    inputs: Vec<RecordedInput>,
    #[serde(default)]
    disclosure: RecordedDisclosure,
    #[serde(default)]
    synthetic: bool,
    #[serde(default)]
    population: u64,
}

#[derive(Debug, Deserialize)]
struct RecordedInput {
    #[serde(default)]
    path: String,
    #[serde(default)]
    register: String,
    #[serde(default)]
    sha256: String,
}

#[derive(Debug, Default, Deserialize)]
struct RecordedDisclosure {
    #[serde(default)]
    threshold: u64,
    #[serde(default)]
    information_loss: InformationLoss,
}

impl RecordedRun {
    /// The record in `folder`'s manifest; an error names the file when it is not a manifest.
    pub fn read(folder: &Path) -> Result<RecordedRun> {
        let path = folder.join("manifest.json");
        let text = std::fs::read_to_string(&path).map_err(|e| Error::reading(&path, e))?;
        serde_json::from_str(&text)
            .map_err(|e| Error::reading(&path, format!("not a manifest ({e})")))
    }

    /// The record of the last successful run into `folder`, if there is one.
    pub fn last_successful(folder: &Path) -> Option<RecordedRun> {
        RecordedRun::read(folder).ok().filter(|r| r.status == "ok")
    }

    /// The key the run was made under.
    pub fn run_key(&self) -> &str {
        &self.run_key
    }

    /// The record's provenance for a document: the same whether this run computed the outputs
    /// or kept them, so a document does not depend on what the output root held before.
    pub fn provenance(&self) -> RunRecord {
        RunRecord {
            spec_sha256: self.spec_sha256.clone(),
            run_key: self.run_key.clone(),
            inputs: self
                .inputs
                .iter()
                .map(|i| InputRecord {
                    path: i.path.clone(),
                    register: i.register.clone(),
                    sha256: i.sha256.clone(),
                })
                .collect(),
            threshold: self.disclosure.threshold,
            information_loss: self.disclosure.information_loss.clone(),
            synthetic: self.synthetic,
            population: self.population,
        }
    }
}

/// The classification tables an analysis reads, fingerprinted like its registers (so a changed
/// table reruns the analysis, and the provenance lists it).
pub fn classification_inputs(tables: &Classifications) -> Result<Vec<InputFile>> {
    tables
        .files()
        .into_iter()
        .map(|path| {
            let path = path.to_path_buf();
            Ok(InputFile {
                bytes: std::fs::metadata(&path)
                    .map_err(|e| {
                        Error::MissingInput(format!(
                            "{}: the classification table cannot be read: {e}",
                            path.display()
                        ))
                    })?
                    .len(),
                sha256: crate::ops::fingerprint::sha256_of(&path)?,
                register: "classification".to_string(),
                path,
            })
        })
        .collect()
}

/// What `run` would do for one spec and why, without computing anything (`ulighed plan`): the
/// inputs are fingerprinted and compared with the last successful run's manifest.
pub fn dry_run(options: &RunOptions) -> Result<String> {
    // The classification tables as the run reads and fingerprints them, so the key is the run's.
    let loaded = options.with_classifications(&spec::load(&options.spec)?)?;
    let registers_dir = options
        .registers
        .clone()
        .unwrap_or_else(|| loaded.registers.clone());
    let registers = RegisterSet::open(&registers_dir)?;
    let mut inputs = fingerprints(
        &registers.discovered,
        &registers_read(&loaded),
        &mut BTreeMap::new(),
        &mut FingerprintCache::load(&options.out),
    )?;
    inputs.extend(classification_inputs(&loaded.classifications)?);
    // Without validating the registers, whether the run would cut off events after the as-of
    // date is not known: the key of either case matching the last run's means nothing changed.
    let keys = [false, true].map(|cuts_off| run_key(&loaded, &options.settings(cuts_off), &inputs));
    let folder = options.analysis_folder(&loaded.spec.id);
    let Some(recorded) = RecordedRun::last_successful(&folder) else {
        return Ok(format!(
            "would run: no successful run in {}",
            folder.display()
        ));
    };
    if keys.contains(&recorded.run_key) {
        return Ok(format!(
            "up to date: nothing it reads has changed since the run of {} (would be skipped)",
            folder.display()
        ));
    }
    let before: BTreeMap<&str, &str> = recorded
        .inputs
        .iter()
        .map(|i| (i.path.as_str(), i.sha256.as_str()))
        .collect();
    let changed: Vec<String> = inputs
        .iter()
        .filter(|i| before.get(i.path.display().to_string().as_str()) != Some(&i.sha256.as_str()))
        .map(|i| i.path.display().to_string())
        .collect();
    Ok(if changed.is_empty() {
        "would run: the spec, the settings or the tool version changed".to_string()
    } else {
        format!("would run: changed input(s) {}", changed.join(", "))
    })
}
