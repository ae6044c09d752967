//! Content fingerprints of the inputs an analysis reads, and the run key built from them: a run
//! whose key equals that of the last successful run's manifest has nothing new to compute.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::pipeline::spec::{Derived, DiagnosisType, LoadedSpec, OutcomeKind, Stratifier};
use crate::registers::discover::Discovered;

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
            OutcomeKind::Contact | OutcomeKind::Readmission => {
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
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Fingerprints of every file of the given registers, in register and file order. `known` holds
/// files hashed earlier in this process: a file whose size is unchanged is not read again.
pub fn fingerprints(
    discovered: &Discovered,
    registers: &BTreeSet<&'static str>,
    known: &mut BTreeMap<PathBuf, InputFile>,
) -> Result<Vec<InputFile>> {
    let mut inputs = Vec::new();
    for register in registers {
        for file in discovered.of(register) {
            let bytes = std::fs::metadata(&file.path)
                .map_err(|e| Error::reading(&file.path, e))?
                .len();
            let input = match known.get(&file.path) {
                Some(seen) if seen.bytes == bytes => seen.clone(),
                _ => InputFile {
                    path: file.path.clone(),
                    register: register.to_string(),
                    bytes,
                    sha256: sha256_of(&file.path)?,
                },
            };
            known.insert(file.path.clone(), input.clone());
            inputs.push(input);
        }
    }
    Ok(inputs)
}

/// The run key: SHA-256 over the tool version, the settings that change outputs, the spec text
/// and every input's register, name, size and hash. The as-of date is left out on purpose: it
/// only bounds validation, and a later date cannot invalidate data that passed before.
pub fn run_key(spec: &LoadedSpec, settings: &str, inputs: &[InputFile]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(env!("CARGO_PKG_VERSION").as_bytes());
    hasher.update(b"\0");
    hasher.update(settings.as_bytes());
    hasher.update(b"\0");
    hasher.update(spec.text.as_bytes());
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
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
