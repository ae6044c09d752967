//! Content fingerprints of the inputs an analysis reads, and the run key built from them: a run
//! whose key equals that of the last successful run's manifest has nothing new to compute.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::registers::discover::Discovered;
use crate::spec::{Derived, DiagnosisType, LoadedSpec, OutcomeKind, Stratifier};

/// One input file: its register, size and SHA-256 of its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputFile {
    pub path: PathBuf,
    pub register: String,
    pub bytes: u64,
    pub sha256: String,
}

/// The registers an analysis reads, from its spec: the population register always (and the
/// death register for survival at the index), and the others as its criteria, outcomes and
/// stratifiers need them.
pub fn registers_read(spec: &LoadedSpec) -> BTreeSet<&'static str> {
    let s = &spec.spec;
    let mut read = BTreeSet::from(["bef", "dod"]);
    let criteria = s
        .patient_group
        .include
        .iter()
        .chain(&s.patient_group.exclude);
    for c in criteria {
        if !c.diagnoses.is_empty() || !c.procedures.is_empty() {
            read.insert("lpr_kontakter");
        }
        if !c.diagnoses.is_empty() && c.diagnosis_type == DiagnosisType::Any {
            read.insert("lpr_diagnoser");
        }
        if !c.procedures.is_empty() {
            read.insert("lpr_procedurer");
        }
        if !c.atc.is_empty() {
            read.insert("lmdb");
        }
    }
    if s.multimorbidity.is_some() {
        read.extend(["lpr_kontakter", "lpr_diagnoser"]);
    }
    for o in &s.outcomes {
        match o.kind {
            OutcomeKind::Prescription => {
                read.insert("lmdb");
            }
            OutcomeKind::Procedure => {
                read.extend(["lpr_kontakter", "lpr_procedurer"]);
            }
            OutcomeKind::Contact | OutcomeKind::Readmission | OutcomeKind::LengthOfStay => {
                read.insert("lpr_kontakter");
            }
            OutcomeKind::Death => {}
        }
    }
    for st in &s.stratifiers {
        match st {
            Stratifier::Derived(Derived::Education) => {
                read.insert("udda");
            }
            Stratifier::Derived(Derived::IncomeQuintile) => {
                read.insert("ind");
            }
            // The parents' keys are in `bef`, which every analysis reads.
            Stratifier::Derived(Derived::ParentalEducation) => {
                read.insert("udda");
            }
            Stratifier::Derived(Derived::ParentalIncome) => {
                read.insert("ind");
            }
            Stratifier::Derived(Derived::LabourMarket) => {
                read.insert("akm");
            }
            _ => {}
        }
    }
    read
}

/// SHA-256 of a file, read in blocks.
pub fn sha256_of(path: &PathBuf) -> Result<String> {
    let mut file = std::fs::File::open(path).map_err(|e| Error::reading(path, e))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let n = file
            .read(&mut buffer)
            .map_err(|e| Error::reading(path, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

/// The folder under an output root where runs keep what they learnt about their inputs.
pub const CACHE_FOLDER: &str = ".ulighed-cache";

/// Fingerprints remembered between runs in the output root (`.ulighed-cache/fingerprints.json`),
/// keyed by path and trusted while the file's size and modification time (to the nanosecond)
/// are unchanged, as `make` and `git`'s index trust them: hashing a national register set (tens
/// of gigabytes) on every run would cost more than the analyses. A file rewritten in place gets a
/// new modification time and is hashed again.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct FingerprintCache {
    files: BTreeMap<PathBuf, Remembered>,
    #[serde(skip)]
    changed: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Remembered {
    bytes: u64,
    modified_ns: u128,
    sha256: String,
}

impl FingerprintCache {
    /// The cache of output root `root` (empty when there is none).
    pub fn load(root: &Path) -> FingerprintCache {
        load_cached(root, "fingerprints.json")
    }

    /// Writes the cache back when it learnt something.
    pub fn save(&self, root: &Path) -> Result<()> {
        if self.changed {
            save_cached(root, "fingerprints.json", self)?;
        }
        Ok(())
    }

    /// The SHA-256 of `path`, from the cache while its size and modification time match.
    pub fn sha256(&mut self, path: &PathBuf, metadata: &std::fs::Metadata) -> Result<String> {
        let modified_ns = metadata
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        let key = path.canonicalize().unwrap_or_else(|_| path.clone());
        if let Some(seen) = self.files.get(&key)
            && seen.bytes == metadata.len()
            && seen.modified_ns == modified_ns
            && modified_ns != 0
        {
            return Ok(seen.sha256.clone());
        }
        let sha256 = sha256_of(path)?;
        self.files.insert(
            key,
            Remembered {
                bytes: metadata.len(),
                modified_ns,
                sha256: sha256.clone(),
            },
        );
        self.changed = true;
        Ok(sha256)
    }
}

/// Lower-case hex of a digest.
pub fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A file `name` in the output root's cache folder, or the default when there is none or it
/// cannot be read (a cache is only ever a shortcut).
pub fn load_cached<T: serde::de::DeserializeOwned + Default>(root: &Path, name: &str) -> T {
    std::fs::read_to_string(root.join(CACHE_FOLDER).join(name))
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

/// Writes `value` as the file `name` in the output root's cache folder, under a temporary name
/// and then renamed into place, so a reader never sees half a file.
pub fn save_cached<T: Serialize>(root: &Path, name: &str, value: &T) -> Result<()> {
    let dir = root.join(CACHE_FOLDER);
    std::fs::create_dir_all(&dir).map_err(|e| Error::writing(&dir, e))?;
    let text = serde_json::to_string(value).map_err(|e| Error::Internal(format!("{name}: {e}")))?;
    let path = dir.join(name);
    let temporary = path.with_extension("json.tmp");
    std::fs::write(&temporary, text).map_err(|e| Error::writing(&temporary, e))?;
    std::fs::rename(&temporary, &path).map_err(|e| Error::writing(&path, e))
}

/// Fingerprints of every file of the given registers, in register and file order. `known` holds
/// files hashed earlier in this process: a file whose size is unchanged is not read again;
/// `remembered` those of earlier runs.
pub fn fingerprints(
    discovered: &Discovered,
    registers: &BTreeSet<&'static str>,
    known: &mut BTreeMap<PathBuf, InputFile>,
    remembered: &mut FingerprintCache,
) -> Result<Vec<InputFile>> {
    let mut inputs = Vec::new();
    for register in registers {
        for file in discovered.of(register) {
            let metadata =
                std::fs::metadata(&file.path).map_err(|e| Error::reading(&file.path, e))?;
            let bytes = metadata.len();
            let input = match known.get(&file.path) {
                Some(seen) if seen.bytes == bytes => seen.clone(),
                _ => InputFile {
                    path: file.path.clone(),
                    register: register.to_string(),
                    bytes,
                    sha256: remembered.sha256(&file.path, &metadata)?,
                },
            };
            known.insert(file.path.clone(), input.clone());
            inputs.push(input);
        }
    }
    Ok(inputs)
}

/// The run key: SHA-256 over the tool version, the settings that change outputs, the spec text,
/// the analysts' text beside it (a changed introduction is a new report) and every input's register, name, size and hash. The as-of date is left out on purpose: it
/// only bounds validation, and a later date cannot invalidate data that passed before.
pub fn run_key(spec: &LoadedSpec, settings: &str, inputs: &[InputFile]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(env!("CARGO_PKG_VERSION").as_bytes());
    hasher.update(b"\0");
    hasher.update(settings.as_bytes());
    hasher.update(b"\0");
    hasher.update(spec.text.as_bytes());
    if !spec.frame.source.is_empty() {
        hasher.update(b"\0");
        hasher.update(spec.frame.source.as_bytes());
    }
    for input in inputs {
        let name = input
            .path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        hasher.update(
            format!(
                "\0{}\0{name}\0{}\0{}",
                input.register, input.bytes, input.sha256
            )
            .as_bytes(),
        );
    }
    hex(&hasher.finalize())
}
