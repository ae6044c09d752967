//! The registers folders of a run, opened, fingerprinted and validated once and shared by every
//! analysis of `run --all`, with what earlier runs into the same output root remembered of them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::cohort;
use crate::error::{Error, Result};
use crate::ops::fingerprint::{FingerprintCache, InputFile};
use crate::ops::validated::{ValidationCache, files_key};
use crate::registers::completeness::{Completeness, completeness};
use crate::registers::scan::RegisterSet;
use crate::registers::scope::Scope;
use crate::registers::severity::Severities;
use crate::registers::validate::{Blockers, validate_all};
use crate::spec::LoadedSpec;

/// A registers folder opened once, with its validation once run, shared by the specs of
/// `run --all`.
struct Folder {
    registers: RegisterSet,
    validation: Option<Blockers>,
    /// How far its registers reach, for the methods chapter: read once for the document and every
    /// analysis (at national volume a pass over the dates of 146 million contacts and 358
    /// million prescriptions, which a midway run read six times before).
    reach: Option<Vec<Completeness>>,
}

/// Register folders by path, and the fingerprints of files already hashed (the population
/// register is read by every analysis of `run --all`; it is hashed once).
pub struct RegisterCache {
    folders: BTreeMap<PathBuf, Folder>,
    /// The procedure codes of every spec of the run and the days they can ask about: each folder
    /// reads their procedures once ([`crate::cohort::procedures`]).
    procedures: Scope,
    /// The same for the action diagnoses of every spec's criteria ([`crate::cohort::actions`]).
    action_contacts: Scope,
    pub hashed: BTreeMap<PathBuf, InputFile>,
    pub remembered: FingerprintCache,
    validations: ValidationCache,
}

impl RegisterCache {
    /// A cache for runs of `specs` into output root `out`, with the fingerprints and validations
    /// remembered there.
    pub fn for_root(out: &Path, specs: &[LoadedSpec]) -> RegisterCache {
        let designs = || {
            specs.iter().map(|loaded| {
                let designs = loaded
                    .years()
                    .into_iter()
                    .map(|year| loaded.design_in_year(year))
                    .collect();
                (&loaded.spec, designs)
            })
        };
        let procedures = Scope::of_run(
            designs(),
            cohort::procedures::codes_of,
            cohort::procedures::days_of,
        );
        let action_contacts = Scope::of_run(
            designs(),
            cohort::actions::codes_of,
            cohort::actions::days_of,
        );
        RegisterCache {
            folders: BTreeMap::new(),
            procedures,
            action_contacts,
            hashed: BTreeMap::new(),
            remembered: FingerprintCache::load(out),
            validations: ValidationCache::load(out),
        }
    }

    /// Writes back what this run learnt about its inputs.
    pub fn save(&self, out: &Path) -> Result<()> {
        self.remembered.save(out)?;
        self.validations.save(out)
    }

    fn folder(&mut self, dir: &Path) -> Result<&mut Folder> {
        let key = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
        if !self.folders.contains_key(&key) {
            let mut registers = RegisterSet::open(dir)?;
            registers.procedures = self.procedures.clone();
            registers.action_contacts = self.action_contacts.clone();
            self.folders.insert(
                key.clone(),
                Folder {
                    registers,
                    validation: None,
                    reach: None,
                },
            );
        }
        Ok(self.folders.get_mut(&key).expect("inserted above"))
    }

    /// The register set of `dir` (files discovered, nothing read).
    pub fn discovered(&mut self, dir: &Path) -> Result<&RegisterSet> {
        Ok(&self.folder(dir)?.registers)
    }

    /// How far the registers of `dir` reach ([`completeness`]), read the first time it is asked.
    pub fn reach(&mut self, dir: &Path) -> Result<Vec<Completeness>> {
        let folder = self.folder(dir)?;
        if folder.reach.is_none() {
            folder.reach = Some(completeness(&folder.registers)?);
        }
        Ok(folder.reach.clone().unwrap_or_default())
    }

    /// Whether the validated folder `dir` holds events after the run's as-of date, which are cut
    /// off as it is read ([`Self::validated`] first).
    pub fn cuts_off(&mut self, dir: &Path) -> Result<bool> {
        Ok(self
            .folder(dir)?
            .validation
            .as_ref()
            .is_some_and(|v| v.dated_after_as_of))
    }

    /// The register set of `dir` once the registers an analysis reads have passed validation by
    /// the analysis's `severities` (the folder is validated once, and not again in later runs
    /// while its files are unchanged; a broken register fails only the analyses that read it).
    pub fn validated(
        &mut self,
        dir: &Path,
        as_of: i32,
        reads: &BTreeSet<&'static str>,
        severities: &Severities,
    ) -> Result<&RegisterSet> {
        let key = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
        if self.folder(dir)?.validation.is_none() {
            let folder = self.folders.get_mut(&key).expect("opened above");
            let files_key = files_key(&folder.registers.discovered, &mut self.remembered)?;
            let blockers = match self.validations.reusable(&key, &files_key, as_of) {
                Some(blockers) => blockers,
                None => {
                    let blockers =
                        validate_all(&folder.registers.discovered, as_of, &Severities::default())?
                            .blockers();
                    self.validations
                        .remember(&key, files_key, as_of, blockers.clone());
                    blockers
                }
            };
            if blockers.digit_persons {
                folder.registers.read_persons_as_integers();
            }
            // Events after the as-of date are cut off as the registers are read.
            folder.registers.as_of = Some(as_of);
            folder.validation = Some(blockers);
        }
        let folder = self.folder(dir)?;
        if let Some(message) = folder
            .validation
            .as_ref()
            .and_then(|v| v.blocking(reads, severities))
        {
            return Err(Error::BadInput(message));
        }
        Ok(&folder.registers)
    }
}
