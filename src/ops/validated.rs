//! Validations remembered between runs in the output root (`.ulighed-cache/validations.json`):
//! a register delivery arrives once a year, while analyses run every night; validating hundreds
//! of millions of rows each time would cost more than the analyses themselves. A validation is
//! reused only for the same files (by content fingerprint), the same version of the tool and of
//! its rules, and an as-of date that cannot change its findings.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::fingerprint::{FingerprintCache, hex, load_cached, save_cached};
use crate::error::{Error, Result};
use crate::registers::discover::Discovered;
use crate::registers::validate::Blockers;

/// The remembered validation of one registers folder.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Remembered {
    /// SHA-256 over the tool version and every file's name and fingerprint.
    files_key: String,
    as_of: i32,
    blockers: Blockers,
}

/// Validations by registers folder.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct ValidationCache {
    folders: BTreeMap<PathBuf, Remembered>,
    #[serde(skip)]
    changed: bool,
}

/// The facts a validation remembers beside its problems ([`Blockers`]).
const REMEMBERED_FACTS: &str = "\0facts: dated_after_as_of, digit_persons, every finding by rule";

/// The key of a folder's files: the tool version, its validation rules (so a build with a
/// rule added or changed validates again) and each file's name in the folder and SHA-256.
pub fn files_key(discovered: &Discovered, fingerprints: &mut FingerprintCache) -> Result<String> {
    let mut hasher = Sha256::new();
    hasher.update(env!("CARGO_PKG_VERSION").as_bytes());
    for (rule, severity, text) in crate::registers::severity::RULES {
        hasher.update(format!("\0{rule}\0{severity:?}\0{text}").as_bytes());
    }
    // What a validation remembers beside its findings: a build that remembers more validates
    // again rather than take the absent facts for false.
    hasher.update(REMEMBERED_FACTS.as_bytes());
    let mut paths: Vec<&PathBuf> = discovered
        .files
        .values()
        .flatten()
        .map(|f| &f.path)
        .collect();
    paths.sort();
    for path in paths {
        let metadata = std::fs::metadata(path).map_err(|e| Error::reading(path, e))?;
        // The name within the folder, not the path as given: the folder is the cache's key
        // already, and the same folder named by a relative and an absolute path (a nightly job
        // and an analyst's shell) must not validate again.
        let name = path.strip_prefix(&discovered.dir).unwrap_or(path);
        hasher.update(b"\0");
        hasher.update(name.to_string_lossy().as_bytes());
        hasher.update(b"\0");
        hasher.update(fingerprints.sha256(path, &metadata)?.as_bytes());
    }
    Ok(hex(&hasher.finalize()))
}

impl ValidationCache {
    /// The cache of output root `root` (empty when there is none).
    pub fn load(root: &Path) -> ValidationCache {
        load_cached(root, "validations.json")
    }

    /// The remembered problems of `folder` when its files are those validated and `as_of`
    /// cannot change the findings: the same date, or a later one when no date was out of range.
    pub fn reusable(&self, folder: &Path, files_key: &str, as_of: i32) -> Option<Blockers> {
        let seen = self.folders.get(folder)?;
        let same_dates =
            seen.as_of == as_of || (as_of > seen.as_of && !seen.blockers.dated_after_as_of);
        (seen.files_key == files_key && same_dates).then(|| seen.blockers.clone())
    }

    pub fn remember(&mut self, folder: &Path, files_key: String, as_of: i32, blockers: Blockers) {
        self.folders.insert(
            folder.to_path_buf(),
            Remembered {
                files_key,
                as_of,
                blockers,
            },
        );
        self.changed = true;
    }

    /// Writes the cache back when it learnt something.
    pub fn save(&self, root: &Path) -> Result<()> {
        if self.changed {
            save_cached(root, "validations.json", self)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registers::discover::discover;

    #[test]
    fn a_folder_named_relatively_or_absolutely_has_one_files_key() {
        let relative = Path::new("data-samples");
        let absolute = relative.canonicalize().expect("the committed samples");
        assert_ne!(relative, absolute.as_path());
        let mut fingerprints = FingerprintCache::default();
        let by_relative = files_key(&discover(relative).expect("found"), &mut fingerprints);
        let by_absolute = files_key(&discover(&absolute).expect("found"), &mut fingerprints);
        assert_eq!(by_relative.expect("key"), by_absolute.expect("key"));
    }
}
