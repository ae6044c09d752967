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
use super::scan::collect_streaming;
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
    let frame = raw.select(exprs);
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
            write_in_date_order(frame, sort_column(file), ROWS_IN_MEMORY, f)
                .map_err(|e| Error::reading(&file.path, e))
        })
        .and_then(|written| {
            std::fs::rename(&temporary, &path).map_err(|e| Error::writing(&path, e))?;
            Ok(written)
        });
    super::sas::forget(&file.path);
    let (rows, columns) = match written {
        Ok(written) => written,
        Err(e) => {
            let _ = std::fs::remove_file(&temporary);
            return Err(e);
        }
    };
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
        rows,
        columns,
    })
}

/// Rows in a Parquet row group of the output (Polars' default).
const ROW_GROUP_ROWS: i64 = 1 << 18;

/// At most about this many rows are held in memory at once: a national prescription year
/// (35-40 million rows) is sorted in about ten date ranges rather than whole.
const ROWS_IN_MEMORY: u64 = 1 << 22;

/// Writes `frame` to `out` as zstd Parquet with full statistics, sorted by `date` when given
/// (rows without a date first, the order within a day kept), with bounded memory: the rows are
/// cut into consecutive date ranges of about `rows_in_memory` rows each, and each range is
/// read, sorted and written in turn, an external bucket sort (Knuth, TAOCP vol. 3, 5.2.5).
/// Returns the rows written and the columns.
fn write_in_date_order(
    frame: LazyFrame,
    date: Option<&str>,
    rows_in_memory: u64,
    out: std::fs::File,
) -> PolarsResult<(u64, Vec<String>)> {
    let mut frame = frame;
    let schema = frame.collect_schema()?;
    let columns = schema.iter_names().map(|n| n.to_string()).collect();
    let mut writer = ParquetWriter::new(out)
        .with_compression(ParquetCompression::Zstd(None))
        .with_statistics(StatisticsOptions::full())
        .batched(&schema)?;
    let ranges = match date {
        Some(date) => date_ranges(&frame, date, rows_in_memory)?,
        None => vec![lit(true)],
    };
    let mut rows = 0;
    for range in ranges {
        let mut part = frame.clone().filter(range);
        if let Some(date) = date {
            part = part.sort(
                [date],
                SortMultipleOptions::default().with_maintain_order(true),
            );
        }
        let mut part = collect_streaming(part)?;
        part.rechunk_mut();
        let mut offset = 0;
        while offset < part.height() as i64 {
            writer.write_batch(&part.slice(offset, ROW_GROUP_ROWS as usize))?;
            offset += ROW_GROUP_ROWS;
        }
        rows += part.height() as u64;
    }
    writer.finish()?;
    Ok((rows, columns))
}

/// Filters that cut the rows into consecutive ranges of `date` of at most `rows_in_memory` rows
/// each (more only where one day alone has more; rows without a date in the first range),
/// found by one pass that counts the rows of each day. Cut by counts, not by equal spans of
/// days, so that one stray date (1900-01-01) or a busier year does not leave most rows in one
/// range.
fn date_ranges(frame: &LazyFrame, date: &str, rows_in_memory: u64) -> PolarsResult<Vec<Expr>> {
    let days = col(date).cast(DataType::Int32);
    let per_day = collect_streaming(
        frame
            .clone()
            .group_by([days.clone().alias("DAY")])
            .agg([len().cast(DataType::UInt64).alias("ROWS")]),
    )?
    .sort(["DAY"], SortMultipleOptions::default())?;
    let day = per_day.column("DAY")?.i32()?;
    let rows = per_day.column("ROWS")?.u64()?;
    // The first day of each range after the first.
    let mut starts: Vec<i32> = Vec::new();
    let mut in_range = 0u64;
    for (d, n) in day.iter().zip(rows.iter()) {
        let n = n.unwrap_or(0);
        match d {
            Some(d) if in_range > 0 && in_range + n > rows_in_memory => {
                starts.push(d);
                in_range = n;
            }
            _ => in_range += n,
        }
    }
    let Some(&last) = starts.last() else {
        return Ok(vec![lit(true)]);
    };
    let mut ranges = vec![days.clone().lt(lit(starts[0])).or(days.clone().is_null())];
    for pair in starts.windows(2) {
        ranges.push(
            days.clone()
                .gt_eq(lit(pair[0]))
                .and(days.clone().lt(lit(pair[1]))),
        );
    }
    ranges.push(days.gt_eq(lit(last)));
    Ok(ranges)
}

/// Removes what an earlier conversion into `dest` left when it was killed: its hidden temporary
/// outputs (`.NAME.parquet.tmp-<pid>`) and SAS copies (`.NAME.….sas-spool-<pid>.parquet`) whose
/// process is gone (decoded register data must not stay behind).
fn remove_stale_temporaries(dest: &Path) {
    let Ok(entries) = std::fs::read_dir(dest) else {
        return;
    };
    let alive = |pid: &str| {
        pid.parse::<u32>().is_err()
            || pid == std::process::id().to_string()
            || !Path::new("/proc/self").exists()
            || Path::new(&format!("/proc/{pid}")).exists()
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if !name.starts_with('.') {
            continue;
        }
        let pid = name.rsplit_once(".tmp-").map(|(_, pid)| pid).or_else(|| {
            name.strip_suffix(".parquet")
                .and_then(|n| n.rsplit_once(".sas-spool-"))
                .map(|(_, pid)| pid)
        });
        if let Some(pid) = pid
            && !alive(pid)
        {
            let _ = std::fs::remove_file(entry.path());
        }
    }
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
    // SAS sources are decoded into a temporary Parquet copy beside the output (the disk chosen
    // for the registers), never whole into memory.
    remove_stale_temporaries(dest);
    super::sas::spool_into(dest);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// 5,000 rows over 40 days in a scrambled order (115 or 116 a day), every 13th (385) without
    /// a date.
    fn scrambled() -> DataFrame {
        let n = 5_000i32;
        let day: Vec<Option<i32>> = (0..n)
            .map(|i| (i % 13 != 0).then_some(19_000 + (i * 7_919) % 40))
            .collect();
        with_days(day)
    }

    fn with_days(day: Vec<Option<i32>>) -> DataFrame {
        let rows = day.len() as i32;
        df!("DATE" => day, "ROW" => (0..rows).collect::<Vec<i32>>())
            .unwrap()
            .lazy()
            .with_column(col("DATE").cast(DataType::Date))
            .collect()
            .unwrap()
    }

    fn written(frame: &DataFrame, rows_in_memory: u64) -> (u64, DataFrame) {
        let file = tempfile::NamedTempFile::new().unwrap();
        let out = file.reopen().unwrap();
        let (rows, _) =
            write_in_date_order(frame.clone().lazy(), Some("DATE"), rows_in_memory, out).unwrap();
        let back = ParquetReader::new(std::fs::File::open(file.path()).unwrap())
            .finish()
            .unwrap();
        (rows, back)
    }

    /// The rows of each range.
    fn sizes(frame: &LazyFrame, rows_in_memory: u64) -> Vec<u64> {
        date_ranges(frame, "DATE", rows_in_memory)
            .unwrap()
            .into_iter()
            .map(|range| frame.clone().filter(range).collect().unwrap().height() as u64)
            .collect()
    }

    #[test]
    fn a_file_sorted_in_date_ranges_is_the_file_sorted_whole() {
        let frame = scrambled();
        let whole = frame
            .clone()
            .lazy()
            .sort(
                ["DATE"],
                SortMultipleOptions::default().with_maintain_order(true),
            )
            .collect()
            .unwrap();
        assert!(sizes(&frame.clone().lazy(), 600).len() >= 9);
        let (rows, in_ranges) = written(&frame, 600);
        assert_eq!(rows, 5_000);
        assert!(in_ranges.equals_missing(&whole), "{in_ranges} {whole}");
        let (_, at_once) = written(&frame, 1 << 22);
        assert!(at_once.equals_missing(&whole));
    }

    #[test]
    fn every_row_falls_in_exactly_one_range_of_at_most_the_rows_asked() {
        let frame = scrambled().lazy();
        for rows_in_memory in [1, 7, 600, 4_999] {
            let sizes = sizes(&frame, rows_in_memory);
            assert!(
                sizes.len() <= 41,
                "no range narrower than a day (or the dateless rows)"
            );
            assert_eq!(sizes.iter().sum::<u64>(), 5_000, "{rows_in_memory}");
            // More than asked only where the first range's dateless rows or one day alone are.
            let most = rows_in_memory.max(385 + 116);
            assert!(
                sizes.iter().all(|&n| n <= most),
                "{rows_in_memory}: {sizes:?}"
            );
        }
    }

    #[test]
    fn a_stray_date_does_not_put_most_rows_in_one_range() {
        // The same rows with one of them on 1900-01-01, and none without a date.
        let day = (0..5_000i32)
            .map(|i| {
                Some(if i == 7 {
                    -25_567
                } else {
                    19_000 + (i * 7_919) % 40
                })
            })
            .collect();
        let sizes = sizes(&with_days(day).lazy(), 600);
        assert_eq!(sizes.iter().sum::<u64>(), 5_000);
        assert!(sizes.iter().all(|&n| n <= 600), "{sizes:?}");
    }
}
