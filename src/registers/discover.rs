//! Finds register files in a folder by name: `<register><year>.<ext>` for yearly registers and
//! `<register>.<ext>` (or split by year) for event registers. The research servers' names (the
//! LPR3 "F" model's `lpr_f_kontakter2022`) and the tables of the patient register's other data
//! models (LPR2's `lpr_adm`, the LPR3 "A" model's `lpr_a_kontakt`) are found too, and listed
//! under the contract's register they are read into.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::contract::{ALL, MODELS, RegisterSpec};
use crate::error::{Error, Result};

/// The file formats the readers accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Parquet,
    Ipc,
    Csv,
    /// SAS7BDAT, the research servers' format ([`super::sas`]).
    Sas,
}

impl Format {
    fn from_extension(ext: &str) -> Option<Format> {
        match ext.to_ascii_lowercase().as_str() {
            "parquet" => Some(Format::Parquet),
            "arrow" | "ipc" | "feather" => Some(Format::Ipc),
            "csv" => Some(Format::Csv),
            "sas7bdat" => Some(Format::Sas),
            _ => None,
        }
    }
}

/// One register file found in the folder.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RegisterFile {
    pub path: PathBuf,
    #[serde(skip)]
    pub spec: RegisterSpec,
    pub register: &'static str,
    pub year: Option<i32>,
    pub format: Format,
}

/// The register files of a folder, by the contract's register they are read into (so
/// `lpr_kontakter` also lists LPR2's `lpr_adm` files), sorted by year.
#[derive(Debug, Clone)]
pub struct Discovered {
    pub dir: PathBuf,
    pub files: BTreeMap<&'static str, Vec<RegisterFile>>,
    /// Files in the folder that are not register files (listed by `validate`, otherwise ignored).
    pub other: Vec<PathBuf>,
}

/// Splits a file stem into the register it names and its year, if any.
fn parse_stem(stem: &str) -> Option<(RegisterSpec, Option<i32>)> {
    let lower = stem.to_ascii_lowercase();
    ALL.iter().chain(MODELS.iter()).find_map(|spec| {
        std::iter::once(&spec.name)
            .chain(spec.file_aliases)
            .find_map(|name| {
                let rest = lower.strip_prefix(name)?;
                if rest.is_empty() {
                    return (!spec.yearly).then_some((*spec, None));
                }
                let year: i32 = rest.parse().ok().filter(|_| rest.len() == 4)?;
                Some((*spec, Some(year)))
            })
    })
}

/// Lists the register files of `dir`. Two files with the same name but for the extension (for
/// example a CSV and a Parquet copy) are refused, since it would be unclear which one counts.
pub fn discover(dir: &Path) -> Result<Discovered> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        Error::MissingInput(format!(
            "{}: registers folder cannot be read: {e}",
            dir.display()
        ))
    })?;
    let mut files: BTreeMap<&'static str, Vec<RegisterFile>> = BTreeMap::new();
    let mut other = Vec::new();
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let found = path
            .extension()
            .and_then(|e| e.to_str())
            .and_then(Format::from_extension)
            .zip(
                path.file_stem()
                    .and_then(|s| s.to_str())
                    .and_then(parse_stem),
            );
        match found {
            // Named as a register file but not a readable file: a folder, a broken link or a
            // loop of links would otherwise be passed over without a word.
            Some(_) if !path.is_file() => {
                let what = match std::fs::metadata(&path) {
                    Ok(meta) if meta.is_dir() => "is a folder".to_string(),
                    Ok(_) => "is not a regular file".to_string(),
                    Err(e) => format!("cannot be followed ({e})"),
                };
                return Err(Error::BadInput(format!(
                    "{}: named as a register file but {what}; expected a file (or move it out of the registers folder)",
                    path.display()
                )));
            }
            Some((format, (spec, year))) => {
                let list = files.entry(spec.feeds).or_default();
                let stem = |p: &Path| p.file_stem().map(|s| s.to_ascii_lowercase());
                if let Some(twin) = list.iter().find(|f| stem(&f.path) == stem(&path)) {
                    return Err(Error::BadInput(format!(
                        "{} and {} both hold register {}{}: keep one of them in the folder",
                        twin.path.display(),
                        path.display(),
                        spec.name,
                        year.map(|y| y.to_string()).unwrap_or_default()
                    )));
                }
                if let Some(other) = list
                    .iter()
                    .find(|f| f.register == spec.name && f.year.is_some() != year.is_some())
                {
                    return Err(Error::BadInput(format!(
                        "{} and {} both hold register {}: a register is either one file or split by year, not both; keep one form in the folder",
                        other.path.display(),
                        path.display(),
                        spec.name
                    )));
                }
                list.push(RegisterFile {
                    path,
                    spec,
                    register: spec.name,
                    year,
                    format,
                });
            }
            _ => other.push(path),
        }
    }
    for list in files.values_mut() {
        list.sort_by_key(|f| f.year);
    }
    Ok(Discovered {
        dir: dir.to_path_buf(),
        files,
        other,
    })
}

impl Discovered {
    /// The files of one register (empty if none).
    pub fn of(&self, register: &str) -> &[RegisterFile] {
        self.files.get(register).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The years for which a yearly register has a file.
    pub fn years(&self, register: &str) -> Vec<i32> {
        self.of(register).iter().filter_map(|f| f.year).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_name_registers_and_years() {
        assert_eq!(
            parse_stem("bef2024").map(|(s, y)| (s.name, y)),
            Some(("bef", Some(2024)))
        );
        assert_eq!(
            parse_stem("LMDB2023").map(|(s, y)| (s.name, y)),
            Some(("lmdb", Some(2023)))
        );
        assert_eq!(
            parse_stem("lpr_kontakter").map(|(s, y)| (s.name, y)),
            Some(("lpr_kontakter", None))
        );
        assert!(parse_stem("bef").is_none(), "yearly registers need a year");
        assert!(parse_stem("truth").is_none());
        assert!(parse_stem("bef20245").is_none());
        let named = |stem| parse_stem(stem).map(|(s, y)| (s.name, s.feeds, y));
        assert_eq!(
            named("lpr_f_kontakter2022"),
            Some(("lpr_kontakter", "lpr_kontakter", Some(2022)))
        );
        assert_eq!(
            named("LPR_ADM2015"),
            Some(("lpr_adm", "lpr_kontakter", Some(2015)))
        );
        assert_eq!(named("lpr_diag"), Some(("lpr_diag", "lpr_diagnoser", None)));
        assert_eq!(
            named("lpr_diagnoser2020"),
            Some(("lpr_diagnoser", "lpr_diagnoser", Some(2020)))
        );
        assert_eq!(
            named("lpr_a_procedure_kirurgi2021"),
            Some(("lpr_a_procedure", "lpr_procedurer", Some(2021)))
        );
    }
}
