//! `ulighed convert SRC DEST`: a folder of register files (SAS, CSV, Parquet, IPC) converted once
//! into Parquet that later runs read fast.
//!
//! Each register file becomes one Parquet file named as the contract expects (the source's
//! name, lower-cased, with `.parquet`; `bef2020.sas7bdat` gives `bef2020.parquet`), with the
//! contract's column names (aliases resolved, `FAMAEKVIVADISP_13` gives `FAMAEKVIVADISP`) and
//! types (dates as Date, municipality codes as integers, codes as text). Columns the contract
//! does not name are kept under their upper-case names, so `bef:COLUMN` stratifiers still find
//! them. Event registers are sorted by their date, so that the row groups' statistics let a
//! date filter skip most of a file.
//!
//! A value the contract's type cannot hold (a date that does not parse) stops the conversion of
//! that file with the validation's message, since converting would silently turn it into a
//! missing value. Other findings (codes, ranges, keys) are `ulighed validate`'s to report.
//!
//! `DEST/convert-manifest.json` records each source's SHA-256 and what was written from it; a
//! rerun converts only sources whose fingerprint changed (or whose output is gone), and removes
//! the outputs of sources that were removed. Every file is written under a temporary name and
//! renamed when complete, so an interrupted conversion leaves no partial file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use polars::prelude::*;
use serde::{Deserialize, Serialize};

use super::contract::Kind;
use super::discover::{Discovered, RegisterFile, discover};
use super::read::open;
use super::severity::{Severities, Severity};
use super::validate::check_file;
use crate::error::{Error, Result};
use crate::ops::fingerprint::sha256_of;

/// The manifest's file name in the destination folder.
pub const MANIFEST: &str = "convert-manifest.json";

/// What the manifest records of one source file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ConvertedFile {
    /// The source's file name in the source folder.
    pub source: String,
    pub source_sha256: String,
    pub source_bytes: u64,
    /// The Parquet file's name in the destination folder.
    pub output: String,
    pub output_sha256: String,
    pub register: String,
    pub year: Option<i32>,
    pub rows: u64,
    pub columns: Vec<String>,
}

/// The manifest of a destination folder.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Manifest {
    pub tool_version: String,
    pub source_folder: PathBuf,
    pub files: Vec<ConvertedFile>,
}

/// What happened to one source in this conversion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Converted,
    Unchanged,
}

/// The result of a conversion: every source with its outcome, and outputs removed because
/// their source is gone.
#[derive(Debug)]
pub struct Summary {
    pub files: Vec<(ConvertedFile, Outcome)>,
    pub removed: Vec<String>,
    pub manifest: PathBuf,
}

impl Summary {
    /// A table of rows and columns per file, for people.
    pub fn to_text(&self) -> String {
        let mut text = format!(
            "{:<34} {:<16} {:>12} {:>8}  {}\n",
            "source", "register", "rows", "columns", "status"
        );
        for (file, outcome) in &self.files {
            text.push_str(&format!(
                "{:<34} {:<16} {:>12} {:>8}  {}\n",
                file.source,
                file.register,
                file.rows,
                file.columns.len(),
                match outcome {
                    Outcome::Converted => format!("converted to {}", file.output),
                    Outcome::Unchanged => "unchanged".to_string(),
                }
            ));
        }
        for output in &self.removed {
            text.push_str(&format!("{output}: removed (its source is gone)\n"));
        }
        let converted = self
            .files
            .iter()
            .filter(|(_, o)| *o == Outcome::Converted)
            .count();
        text.push_str(&format!(
            "{converted} converted, {} unchanged, {} removed; manifest {}\n",
            self.files.len() - converted,
            self.removed.len(),
            self.manifest.display()
        ));
        text
    }
}

/// The date an event register is sorted by, if it has one.
fn sort_column(file: &RegisterFile) -> Option<&'static str> {
    if file.spec.yearly {
        return None;
    }
    file.spec
        .columns
        .iter()
        .find(|c| c.kind == Kind::Date && c.required)
        .map(|c| c.name)
}

/// Reads the destination's manifest, if there is one.
fn read_manifest(path: &Path) -> Result<Option<Manifest>> {
    match std::fs::read_to_string(path) {
        Ok(text) => serde_json::from_str(&text).map(Some).map_err(|e| {
            Error::BadInput(format!(
                "{}: the conversion manifest cannot be read ({e}); remove it to convert everything again",
                path.display()
            ))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::reading(path, e)),
    }
}

fn write_manifest(path: &Path, manifest: &Manifest) -> Result<()> {
    let text = serde_json::to_string_pretty(manifest)
        .map_err(|e| Error::Internal(format!("{MANIFEST}: {e}")))?;
    crate::report::output::write_file(path, (text + "\n").as_bytes())
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default()
}

/// Converts one source file into `dest`, returning what the manifest records.
fn convert_file(
    file: &RegisterFile,
    dest: &Path,
    as_of: i32,
    source_sha256: String,
) -> Result<ConvertedFile> {
    let opened = open(file)?;
    let findings = check_file(file, &opened, as_of, &Severities::default())?.findings;
    if let Some(finding) = findings
        .iter()
        .find(|f| f.rule == "types" && f.severity == Severity::Error)
    {
        return Err(Error::BadInput(format!(
            "{} (not converted: the value would be lost)",
            finding.message()
        )));
    }
    let mut raw = opened.raw.clone();
    let schema = raw
        .collect_schema()
        .map_err(|e| Error::reading(&file.path, e))?;
    let mut exprs: Vec<Expr> = opened
        .columns
        .iter()
        .filter(|c| c.file_name.is_some())
        .map(|c| c.parsed.clone())
        .collect();
    let mapped: Vec<&str> = opened
        .columns
        .iter()
        .filter_map(|c| c.file_name.as_deref())
        .collect();
    exprs.extend(
        schema
            .iter_names()
            .filter(|n| !mapped.contains(&n.as_str()))
            .map(|n| col(n.clone()).alias(n.to_uppercase())),
    );
    let mut frame = raw.select(exprs);
    if let Some(date) = sort_column(file) {
        frame = frame.sort(
            [date],
            SortMultipleOptions::default().with_maintain_order(true),
        );
    }
    let mut frame = frame.collect().map_err(|e| Error::reading(&file.path, e))?;
    super::sas::forget(&file.path);

    let stem = file
        .path
        .file_stem()
        .map(|s| s.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let output = format!("{stem}.parquet");
    let path = dest.join(&output);
    let temporary = dest.join(format!(".{output}.tmp-{}", std::process::id()));
    let written = std::fs::File::create(&temporary)
        .map_err(|e| Error::writing(&temporary, e))
        .and_then(|f| {
            ParquetWriter::new(f)
                .with_compression(ParquetCompression::Zstd(None))
                .with_statistics(StatisticsOptions::full())
                .finish(&mut frame)
                .map_err(|e| Error::writing(&path, e))
        })
        .and_then(|_| std::fs::rename(&temporary, &path).map_err(|e| Error::writing(&path, e)));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temporary);
        return Err(e);
    }
    Ok(ConvertedFile {
        source: file_name(&file.path),
        source_sha256,
        source_bytes: std::fs::metadata(&file.path)
            .map_err(|e| Error::reading(&file.path, e))?
            .len(),
        output_sha256: sha256_of(&path)?,
        output,
        register: file.register.to_string(),
        year: file.year,
        rows: frame.height() as u64,
        columns: frame
            .get_column_names()
            .iter()
            .map(|n| n.to_string())
            .collect(),
    })
}

/// Whether `known` (from the manifest) still stands for the source with this fingerprint: the
/// source is unchanged and the output is still the one written.
fn still_current(known: &ConvertedFile, sha256: &str, dest: &Path) -> bool {
    known.source_sha256 == sha256
        && sha256_of(&dest.join(&known.output)).is_ok_and(|s| s == known.output_sha256)
}

/// Converts the register files of `src` into `dest` (created if missing). `progress` is told
/// each file's name before it is converted.
pub fn convert(
    src: &Path,
    dest: &Path,
    as_of: i32,
    mut progress: impl FnMut(usize, usize, &str),
) -> Result<Summary> {
    let discovered: Discovered = discover(src)?;
    if discovered.files.is_empty() {
        return Err(Error::MissingInput(format!(
            "{}: no register files to convert (expected names such as bef2024.sas7bdat, lpr_kontakter.csv, lmdb.parquet)",
            src.display()
        )));
    }
    if src.canonicalize().ok() == dest.canonicalize().ok() {
        return Err(Error::Usage(format!(
            "{}: the destination must be another folder than the source",
            dest.display()
        )));
    }
    std::fs::create_dir_all(dest).map_err(|e| Error::writing(dest, e))?;
    let manifest_path = dest.join(MANIFEST);
    let previous = read_manifest(&manifest_path)?.unwrap_or_default();
    let known: BTreeMap<&str, &ConvertedFile> = previous
        .files
        .iter()
        .map(|f| (f.source.as_str(), f))
        .collect();
    let sources: Vec<&RegisterFile> = discovered.files.values().flatten().collect();
    let mut manifest = Manifest {
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        source_folder: src.to_path_buf(),
        files: Vec::new(),
    };
    let mut files = Vec::new();
    for (i, file) in sources.iter().enumerate() {
        let name = file_name(&file.path);
        progress(i, sources.len(), &name);
        let sha256 = sha256_of(&file.path)?;
        let (converted, outcome) = match known.get(name.as_str()) {
            Some(entry) if still_current(entry, &sha256, dest) => {
                ((*entry).clone(), Outcome::Unchanged)
            }
            _ => (convert_file(file, dest, as_of, sha256)?, Outcome::Converted),
        };
        manifest.files.push(converted.clone());
        files.push((converted, outcome));
        // Written after every file, so an interrupted conversion keeps what it finished.
        write_manifest(&manifest_path, &manifest)?;
    }
    progress(sources.len(), sources.len(), "");
    let mut removed = Vec::new();
    for old in &previous.files {
        let gone = !manifest.files.iter().any(|f| f.source == old.source);
        // A source replaced by one of another format (bef2020.csv by bef2020.sas7bdat) has the
        // same output, which must stay.
        let reused = manifest.files.iter().any(|f| f.output == old.output);
        if gone && !reused {
            let path = dest.join(&old.output);
            if path.exists() {
                std::fs::remove_file(&path).map_err(|e| Error::writing(&path, e))?;
            }
            removed.push(old.output.clone());
        }
    }
    write_manifest(&manifest_path, &manifest)?;
    Ok(Summary {
        files,
        removed,
        manifest: manifest_path,
    })
}
