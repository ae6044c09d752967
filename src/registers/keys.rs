//! The types a folder's contact keys are read as: integers when every file of the patient
//! register holds integer keys, text otherwise, alike across the folder so its keys compare.

use polars::prelude::*;

use super::contract::Kind;
use super::discover::{Discovered, Format, RegisterFile};
use super::models::is_lpr2;
use super::read::{OpenedFile, open};

/// The registers that hold contact keys.
pub const KEYED_REGISTERS: [&str; 3] = ["lpr_kontakter", "lpr_diagnoser", "lpr_procedurer"];

/// The type of the contact keys of a folder: `Int64` when every file of the patient register
/// holds integer keys, so contacts, diagnoses and procedures join on integers; text when any
/// holds text (CSV, LPR2's prefixed keys), since the keys of one folder must compare with each
/// other. SAS files count as text without being read (they are read whole to open them), and so
/// does a file that cannot be opened: the analyses that read it fail with their own message
/// naming it, while the others still run.
pub fn key_dtype(discovered: &Discovered) -> DataType {
    let integer = |file: &RegisterFile| match file.format {
        Format::Csv | Format::Sas => false,
        Format::Parquet | Format::Ipc => open(file).is_ok_and(|o| has_integer_keys(&o)),
    };
    let all_integer = KEYED_REGISTERS
        .iter()
        .flat_map(|register| discovered.of(register))
        .all(integer);
    if all_integer {
        DataType::Int64
    } else {
        DataType::String
    }
}

/// [`key_dtype`] over files already opened (those of the patient register among them).
pub fn key_dtype_of<'a>(files: impl IntoIterator<Item = &'a OpenedFile>) -> DataType {
    let keyed = |f: &&OpenedFile| KEYED_REGISTERS.contains(&f.spec.feeds);
    if files.into_iter().filter(keyed).all(has_integer_keys) {
        DataType::Int64
    } else {
        DataType::String
    }
}

/// Whether the file's contact keys (if it has them) are read as integers.
fn has_integer_keys(file: &OpenedFile) -> bool {
    if is_lpr2(file.spec.name) || !matches!(file.format, Format::Parquet | Format::Ipc) {
        return false;
    }
    file.columns
        .iter()
        .filter(|c| c.spec.kind == Kind::Key)
        .all(|c| {
            c.file_dtype
                .as_ref()
                .is_some_and(|d| d.is_integer() || d.is_float())
        })
}
