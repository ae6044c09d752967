//! The release ledger: every table an analysis released from an output root (the midway status,
//! the annual analysis, earlier years), with its true counts and which of them were printed, so
//! that the next release is protected together with everything released before it
//! ([`crate::disclosure::gate::Relations::earlier`]). Without it, the midway status and the
//! annual analysis of the same year differ by 1-4 persons in many cells.
//!
//! One file per analysis, `OUT/.ulighed-ledger/<id>.json`. A release is keyed by its kind and
//! the year of its as-of date (`annual-2025`): a rerun of the same release replaces its entry,
//! every other entry stays. The ledger holds exact counts, below the threshold too: it belongs
//! to the secure environment like the registers and never leaves it with the reports.
//! `--internal` runs release nothing and are never recorded. The ledger is written before the
//! outputs are committed, so a run that dies between the two leaves a ledger entry too many
//! (more protection next time), never one too few.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::family::Family;
use crate::dates::year_of;
use crate::disclosure::gate::{Decision, Released, Shown, Slice};
use crate::error::{Error, Result};
use crate::report::deliverable::ReportKind;

/// The folder of the ledger in an output root.
pub const LEDGER_DIR: &str = ".ulighed-ledger";

/// Every release of one analysis.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Ledger {
    /// The analysis's family, to find the analyses whose populations nest with its own
    /// (absent in a ledger written before families were kept: such an entry has no relatives).
    #[serde(default)]
    family: Option<Family>,
    releases: Vec<Release>,
}

/// The ledger of another analysis of the same family in the same output root.
pub struct Relative {
    id: String,
    ledger: Ledger,
}

impl Relative {
    /// Its releases as the manifest names them: `ami_50plus: annual-2025`.
    pub fn release_names(&self) -> Vec<String> {
        self.ledger
            .releases
            .iter()
            .map(|r| format!("{}: {}", self.id, r.key))
            .collect()
    }
}

/// One release: its tables by data year.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Release {
    key: String,
    years: BTreeMap<i32, Vec<Table>>,
}

/// One released table: per level, `[numerator, denominator]` and whether each was printed.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Table {
    stratifier: String,
    subanalysis: String,
    outcome: String,
    at_risk_of: Option<String>,
    not_at_risk_are: Option<String>,
    within: Vec<String>,
    counts: BTreeMap<String, [u64; 2]>,
    printed: BTreeMap<String, [bool; 2]>,
}

/// The key of a release: its kind and the year of its as-of date.
pub fn release_key(kind: ReportKind, as_of: i32) -> String {
    let kind = match kind {
        ReportKind::Midway => "midway",
        ReportKind::Annual => "annual",
    };
    format!("{kind}-{}", year_of(as_of))
}

fn path(out: &Path, id: &str) -> PathBuf {
    out.join(LEDGER_DIR).join(format!("{id}.json"))
}

impl Ledger {
    /// The analysis's ledger in `out`; empty when there is none yet.
    pub fn load(out: &Path, id: &str) -> Result<Ledger> {
        Self::read(&path(out, id))
    }

    fn read(path: &Path) -> Result<Ledger> {
        match std::fs::read_to_string(path) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| {
                Error::BadInput(format!(
                    "{}: the release ledger cannot be read ({e}); expected the JSON this program writes. Restore it from a backup: without it, a new release cannot be protected against what was released before",
                    path.display()
                ))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Ledger::default()),
            Err(e) => Err(Error::reading(path, e)),
        }
    }

    /// Sets the analysis's family, kept with its releases.
    pub fn set_family(&mut self, family: Family) {
        self.family = Some(family);
    }

    /// The ledgers of the other analyses in `out` whose populations nest with this one's
    /// (see [`Family`]); a ledger that cannot be read stops the run, naming it.
    pub fn relatives(&self, out: &Path, id: &str) -> Result<Vec<Relative>> {
        let Some(family) = &self.family else {
            return Ok(Vec::new());
        };
        let dir = out.join(LEDGER_DIR);
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(Error::reading(&dir, e)),
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .filter(|p| p.file_stem().is_some_and(|s| s != id))
            .collect();
        paths.sort();
        let mut relatives = Vec::new();
        for path in paths {
            let ledger = Self::read(&path)?;
            if ledger
                .family
                .as_ref()
                .is_some_and(|theirs| family.is_relative(theirs))
            {
                let id = path
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                relatives.push(Relative { id, ledger });
            }
        }
        Ok(relatives)
    }

    /// The keys of every release but `key`.
    pub fn other_releases(&self, key: &str) -> Vec<String> {
        self.releases
            .iter()
            .filter(|r| r.key != key)
            .map(|r| r.key.clone())
            .collect()
    }

    /// The tables of data year `year` released by every release but `key`.
    pub fn earlier(&self, key: &str, year: i32) -> Vec<Vec<Released>> {
        self.releases
            .iter()
            .filter(|r| r.key != key)
            .filter_map(|r| r.years.get(&year))
            .map(|tables| tables.iter().map(Table::released).collect())
            .collect()
    }

    /// The tables of data year `year` every release of the relatives printed, under this
    /// analysis's ids for the same outcomes and sub-analyses (tables without a counterpart are
    /// left out: they share no count with this analysis).
    pub fn of_relatives(&self, relatives: &[Relative], year: i32) -> Vec<Vec<Released>> {
        let Some(ours) = &self.family else {
            return Vec::new();
        };
        let mut releases = Vec::new();
        for relative in relatives {
            let Some(theirs) = &relative.ledger.family else {
                continue;
            };
            for release in &relative.ledger.releases {
                let Some(tables) = release.years.get(&year) else {
                    continue;
                };
                let mapped: Vec<Released> = tables
                    .iter()
                    .filter_map(|table| {
                        let outcome =
                            Family::counterpart(&ours.outcomes, &theirs.outcomes, &table.outcome)?;
                        let subanalysis = Family::counterpart(
                            &ours.sub_analyses,
                            &theirs.sub_analyses,
                            &table.subanalysis,
                        )?;
                        let rename = |id: &Option<String>| {
                            id.as_ref().and_then(|o| {
                                Family::counterpart(&ours.outcomes, &theirs.outcomes, o)
                            })
                        };
                        let mut released = table.released();
                        released.slice.outcome = outcome;
                        released.slice.subanalysis = subanalysis;
                        released.slice.at_risk_of = rename(&table.at_risk_of);
                        released.slice.not_at_risk_are = rename(&table.not_at_risk_are);
                        released.slice.within = table
                            .within
                            .iter()
                            .filter_map(|o| {
                                Family::counterpart(&ours.outcomes, &theirs.outcomes, o)
                            })
                            .collect();
                        Some(released)
                    })
                    .collect();
                if !mapped.is_empty() {
                    releases.push(mapped);
                }
            }
        }
        releases
    }

    /// Records what release `key` prints for data year `year`.
    pub fn record(&mut self, key: &str, year: i32, slices: &[Slice], decisions: &[Decision]) {
        let tables = slices
            .iter()
            .zip(decisions)
            .map(|(slice, decision)| Table::of(slice, decision))
            .collect();
        let position = match self.releases.iter().position(|r| r.key == key) {
            Some(p) => p,
            None => {
                self.releases.push(Release {
                    key: key.to_string(),
                    years: BTreeMap::new(),
                });
                self.releases.len() - 1
            }
        };
        self.releases[position].years.insert(year, tables);
    }

    /// Writes the ledger (whole, atomically: a kill leaves the old one or the new one).
    pub fn write(&self, out: &Path, id: &str) -> Result<()> {
        let text = serde_json::to_string(self)
            .map_err(|e| Error::Internal(format!("release ledger: {e}")))?;
        let path = path(out, id);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::writing(dir, e))?;
        }
        crate::report::output::write_file(&path, text.as_bytes())
    }
}

impl Table {
    fn of(slice: &Slice, decision: &Decision) -> Table {
        Table {
            stratifier: slice.stratifier.clone(),
            subanalysis: slice.subanalysis.clone(),
            outcome: slice.outcome.clone(),
            at_risk_of: slice.at_risk_of.clone(),
            not_at_risk_are: slice.not_at_risk_are.clone(),
            within: slice.within.clone(),
            counts: slice
                .levels
                .iter()
                .map(|(l, &(n, d))| (l.clone(), [n, d]))
                .collect(),
            printed: decision
                .iter()
                .map(|(l, s)| (l.clone(), [s.numerator, s.denominator]))
                .collect(),
        }
    }

    fn released(&self) -> Released {
        Released {
            slice: Slice {
                stratifier: self.stratifier.clone(),
                subanalysis: self.subanalysis.clone(),
                outcome: self.outcome.clone(),
                at_risk_of: self.at_risk_of.clone(),
                not_at_risk_are: self.not_at_risk_are.clone(),
                within: self.within.clone(),
                levels: self
                    .counts
                    .iter()
                    .map(|(l, &[n, d])| (l.clone(), (n, d)))
                    .collect(),
            },
            decision: self
                .printed
                .iter()
                .map(|(l, &[numerator, denominator])| {
                    (
                        l.clone(),
                        Shown {
                            numerator,
                            denominator,
                        },
                    )
                })
                .collect(),
        }
    }
}
