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

use crate::dates::year_of;
use crate::disclosure::gate::{Decision, Released, Shown, Slice};
use crate::error::{Error, Result};
use crate::report::deliverable::ReportKind;

/// The folder of the ledger in an output root.
pub const LEDGER_DIR: &str = ".ulighed-ledger";

/// Every release of one analysis.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Ledger {
    releases: Vec<Release>,
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
        let path = path(out, id);
        match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| {
                Error::BadInput(format!(
                    "{}: the release ledger cannot be read ({e}); expected the JSON this program writes. Restore it from a backup: without it, a new release cannot be protected against what was released before",
                    path.display()
                ))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Ledger::default()),
            Err(e) => Err(Error::reading(&path, e)),
        }
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
