//! SAS7BDAT files into Polars, through Arrow record batches.
//!
//! The research servers deliver registers as SAS data sets (`bef2020.sas7bdat`). The file is
//! decoded by the pure-Rust `sas7bdat` crate (RLE and RDC compression, 32- and 64-bit layouts,
//! the header's text encoding), which streams Arrow record batches; each batch's columns are
//! copied into Polars columns here, never through CSV. Types follow the SAS formats:
//! a date format gives a `Date` (days since 1960-01-01 in SAS, moved to the Unix epoch by the
//! crate), a datetime format a `Datetime` in microseconds, a time format seconds since midnight
//! as a number, other numbers `Float64`, character columns `String` (right-trimmed, as SAS pads
//! them with spaces).
//!
//! Format references: M. Shotwell, "SAS7BDAT Database Binary Format" (the CRAN `sas7bdat`
//! vignette); ReadStat 1.1.8 `src/sas/readstat_sas7bdat_read.c`, the independent reader whose
//! output the tests compare with.
//!
//! Two deliberate choices, both tested against ReadStat's output:
//! - Rows that SAS marked as deleted are skipped (SAS itself never shows them; ReadStat 1.1.8
//!   does), so a file with deleted rows has fewer rows here than ReadStat prints.
//! - A file labelled ISO-8859-1 (SAS `LATIN1`) is decoded strictly as ISO-8859-1: bytes
//!   0x80-0x9F are the C1 control characters, as in ReadStat and in SAS's own definition of
//!   LATIN1. The crate decodes such files as Windows-1252 (the WHATWG reading of the label), so
//!   those characters are mapped back here. Windows-1252 files (SAS `WLATIN1`) keep their
//!   Windows reading (0x80 is the euro sign).

use std::collections::HashMap;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use arrow_array::{Array, RecordBatch, cast::AsArray, types};
use arrow_schema::{DataType as ArrowType, TimeUnit as ArrowUnit};
use polars::prelude::*;
use sas7bdat::Dataset;

use crate::error::{Error, Result};

/// What a SAS file holds besides its rows.
#[derive(Debug, Clone)]
pub struct SasInfo {
    /// The text encoding named in the header (`UTF-8`, `ISO-8859-1`, `WINDOWS-1252`, ...).
    pub encoding: Option<String>,
    /// `None`, `Row` (RLE) or `Binary` (RDC).
    pub compression: String,
    /// Rows SAS marked as deleted (skipped).
    pub deleted_rows: u64,
}

/// Rows gathered from the reader's batches before they are written as one Parquet row group:
/// the reader yields a page's rows at a time, and a row group of a few hundred rows would make
/// every later scan slow.
const ROW_GROUP_ROWS: usize = 1 << 18;

/// The folder of this process's spooled copies: `$TMPDIR/ulighed-sas-<pid>` unless a command
/// (`convert`) names its own. Removed by [`remove_spools`] when the command ends.
fn spool_folder() -> &'static Mutex<Option<PathBuf>> {
    static FOLDER: OnceLock<Mutex<Option<PathBuf>>> = OnceLock::new();
    FOLDER.get_or_init(Default::default)
}

/// Files spooled in this process, by source path: the source's size and its Parquet copy. A run
/// reads one register several times (validation, cohorts, strata), and decoding a SAS file is
/// the slow part; converting the folder to Parquet once (`ulighed convert`) is the fast path for
/// repeated runs.
fn spooled() -> &'static Mutex<HashMap<PathBuf, (u64, PathBuf)>> {
    static SPOOLED: OnceLock<Mutex<HashMap<PathBuf, (u64, PathBuf)>>> = OnceLock::new();
    SPOOLED.get_or_init(Default::default)
}

/// Spools SAS files into `folder` from now on (`convert` keeps them beside its output, on the
/// disk chosen for the registers, instead of in the temporary folder).
pub fn spool_into(folder: &Path) {
    if let Ok(mut current) = spool_folder().lock() {
        *current = Some(folder.to_path_buf());
    }
}

/// Removes a file's spooled copy once it is no longer needed (`convert` reads each file once).
pub fn forget(path: &Path) {
    let removed = spooled().lock().ok().and_then(|mut s| s.remove(path));
    if let Some((_, copy)) = removed {
        let _ = std::fs::remove_file(copy);
    }
}

/// Removes every spooled copy of this process (and its own temporary folder). Called when the
/// command ends, whether it succeeded or not.
pub fn remove_spools() {
    let sources: Vec<PathBuf> = spooled()
        .lock()
        .map(|s| s.keys().cloned().collect())
        .unwrap_or_default();
    for source in sources {
        forget(&source);
    }
    let _ = std::fs::remove_dir(default_spool_folder());
}

/// A fixed 64-bit hash of a path (FNV-1a), to tell apart the copies of files of one name.
fn path_hash(path: &Path) -> u64 {
    path.to_string_lossy()
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
}

/// Removes the spool folders of earlier processes that ended without removing theirs (killed,
/// or stopped by a signal): `ulighed-sas-<pid>` in the temporary folder whose process is gone.
/// Decoded register data must not stay behind.
fn remove_stale_spools() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        let Some(pid) = name.strip_prefix("ulighed-sas-") else {
            continue;
        };
        let gone = pid.parse::<u32>().is_ok_and(|pid| {
            pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists()
        });
        if gone && Path::new("/proc/self").exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

fn default_spool_folder() -> PathBuf {
    std::env::temp_dir().join(format!("ulighed-sas-{}", std::process::id()))
}

/// A SAS file as a lazy frame with bounded memory: decoded once per process, batch by batch,
/// into a Parquet copy (see [`spool`]) that is scanned like any Parquet register. Errors name
/// the SAS file.
pub fn scan(path: &Path) -> Result<LazyFrame> {
    let bytes = std::fs::metadata(path)
        .map_err(|e| Error::reading(path, e))?
        .len();
    let known = spooled()
        .lock()
        .ok()
        .and_then(|s| s.get(path).cloned())
        .filter(|(size, copy)| *size == bytes && copy.exists());
    let copy = match known {
        Some((_, copy)) => copy,
        None => {
            let folder = spool_folder()
                .lock()
                .ok()
                .and_then(|f| f.clone())
                .unwrap_or_else(default_spool_folder);
            remove_stale_spools();
            std::fs::create_dir_all(&folder).map_err(|e| Error::writing(&folder, e))?;
            let stem = path
                .file_stem()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_default();
            // Named by the source's whole path too: two folders of one run may both hold a
            // `bef2020.sas7bdat`.
            let copy = folder.join(format!(
                ".{stem}.{:016x}.sas-spool-{}.parquet",
                path_hash(path),
                std::process::id()
            ));
            spool(path, &copy)?;
            if let Ok(mut s) = spooled().lock() {
                s.insert(path.to_path_buf(), (bytes, copy.clone()));
            }
            copy
        }
    };
    let text = copy.to_string_lossy().to_string();
    LazyFrame::scan_parquet(PlRefPath::new(&text), Default::default())
        .map_err(|e| Error::reading(path, e))
}

/// Writes a SAS file's rows to a Parquet file at `copy`, batch by batch, so that memory holds
/// one row group (about [`ROW_GROUP_ROWS`] rows) however large the file. The copy is LZ4
/// compressed: it is read back once or a few times, and written at the speed of the decoder.
/// On an error nothing is left at `copy`.
pub fn spool(path: &Path, copy: &Path) -> Result<SasInfo> {
    let written = std::fs::File::create(copy)
        .map_err(|e| Error::writing(copy, e))
        .and_then(|file| spool_to(path, file, copy, ROW_GROUP_ROWS));
    if written.is_err() {
        let _ = std::fs::remove_file(copy);
    }
    written
}

fn spool_to(
    path: &Path,
    file: std::fs::File,
    copy: &Path,
    row_group_rows: usize,
) -> Result<SasInfo> {
    let mut out = RowGroups {
        file: Some(file),
        writer: None,
    };
    let mut pending: Option<DataFrame> = None;
    let (info, empty) = visit(path, |frame| {
        let mut all = match pending.take() {
            None => frame,
            Some(mut earlier) => {
                earlier.vstack_mut_owned(frame).map_err(|e| e.to_string())?;
                earlier
            }
        };
        if all.height() >= row_group_rows {
            out.write(&mut all).map_err(|e| e.to_string())
        } else {
            pending = Some(all);
            Ok(())
        }
    })?;
    let mut last = pending.unwrap_or(empty);
    if out.writer.is_none() || last.height() > 0 {
        out.write(&mut last).map_err(|e| Error::writing(copy, e))?;
    }
    if let Some(writer) = out.writer {
        writer.finish().map_err(|e| Error::writing(copy, e))?;
    }
    Ok(info)
}

/// A Parquet file written a row group at a time, its writer made from the first group's schema.
struct RowGroups {
    file: Option<std::fs::File>,
    writer: Option<polars::io::parquet::write::BatchedWriter<std::fs::File>>,
}

impl RowGroups {
    fn write(&mut self, frame: &mut DataFrame) -> PolarsResult<()> {
        frame.rechunk_mut();
        if let Some(file) = self.file.take() {
            self.writer = Some(
                ParquetWriter::new(file)
                    .with_compression(ParquetCompression::Lz4Raw)
                    .batched(frame.schema())?,
            );
        }
        match &mut self.writer {
            Some(writer) => writer.write_batch(frame),
            None => Ok(()),
        }
    }
}

fn sas_error(path: &Path, reason: String) -> Error {
    Error::BadInput(format!(
        "{}: cannot be read as a SAS data set (sas7bdat): {reason}",
        path.display()
    ))
}

/// Reads a whole SAS7BDAT file into a frame, with what its header says of encoding,
/// compression and deletions (the reader's tests compare it with ReadStat's output; analyses
/// read SAS files through [`scan`]).
pub fn read_with_info(path: &Path) -> Result<(DataFrame, SasInfo)> {
    let mut frames = Vec::new();
    let (info, empty) = visit(path, |frame| {
        frames.push(frame);
        Ok(())
    })?;
    let frame = match frames.len() {
        0 => empty,
        _ => {
            let mut frames = frames.into_iter();
            let mut all = frames.next().expect("one frame at least");
            for next in frames {
                all.vstack_mut_owned(next)
                    .map_err(|e| sas_error(path, e.to_string()))?;
            }
            all.rechunk_mut();
            all
        }
    };
    Ok((frame, info))
}

/// Decodes a SAS7BDAT file batch by batch, handing each batch to `each` as a Polars frame.
/// Returns what the header says and a frame with the file's columns and no rows.
fn visit(
    path: &Path,
    mut each: impl FnMut(DataFrame) -> std::result::Result<(), String>,
) -> Result<(SasInfo, DataFrame)> {
    let bad = |reason: String| sas_error(path, reason);
    let dataset = Dataset::open(path).map_err(|e| bad(e.to_string()))?;
    let meta = dataset.metadata();
    if dataset.columns().is_empty() {
        return Err(bad(
            "the header declares no columns (expected at least one variable)".into(),
        ));
    }
    let file_size = std::fs::metadata(path)
        .map_err(|e| Error::reading(path, e))?
        .len();
    let uncompressed = matches!(meta.compression, sas7bdat::CompressionKind::None);
    let declared = meta.row_count.saturating_mul(u64::from(meta.row_len));
    if uncompressed && declared > file_size {
        return Err(bad(format!(
            "the header declares {} rows of {} bytes, more than the file's {file_size} bytes (a truncated or damaged file)",
            meta.row_count, meta.row_len
        )));
    }
    let info = SasInfo {
        encoding: meta.encoding.clone(),
        compression: format!("{:?}", meta.compression),
        deleted_rows: meta.deleted_row_count,
    };
    let strict_latin1 = info
        .encoding
        .as_deref()
        .is_some_and(|e| matches!(e.to_ascii_uppercase().as_str(), "ISO-8859-1" | "LATIN1"));
    let scan = dataset.scan();
    let schema = scan.arrow_schema().map_err(|e| bad(e.to_string()))?;
    let empty = empty_frame(&schema).map_err(bad)?;
    let mut failure = None;
    scan.visit_arrow_batches(|batch| {
        match batch_frame(&batch, strict_latin1).and_then(&mut each) {
            Ok(()) => Ok(ControlFlow::Continue(())),
            Err(reason) => {
                failure = Some(reason);
                Ok(ControlFlow::Break(()))
            }
        }
    })
    .map_err(|e| bad(e.to_string()))?;
    if let Some(reason) = failure {
        return Err(bad(reason));
    }
    Ok((info, empty))
}

/// A frame with the file's columns and no rows (a SAS data set with zero observations).
fn empty_frame(schema: &arrow_schema::Schema) -> std::result::Result<DataFrame, String> {
    let columns = schema
        .fields()
        .iter()
        .map(|f| {
            let dtype = polars_type(f.name(), f.data_type())?;
            Ok(Column::new_empty(f.name().as_str().into(), &dtype))
        })
        .collect::<std::result::Result<Vec<_>, String>>()?;
    DataFrame::new_infer_height(columns).map_err(|e| e.to_string())
}

/// The Polars type a column of Arrow type `dtype` becomes.
fn polars_type(name: &str, dtype: &ArrowType) -> std::result::Result<DataType, String> {
    Ok(match dtype {
        ArrowType::Float64 | ArrowType::Duration(_) => DataType::Float64,
        ArrowType::Int32 => DataType::Int32,
        ArrowType::Int64 => DataType::Int64,
        ArrowType::Date32 => DataType::Date,
        ArrowType::Timestamp(ArrowUnit::Microsecond, _) => {
            DataType::Datetime(TimeUnit::Microseconds, None)
        }
        ArrowType::Utf8 | ArrowType::LargeUtf8 => DataType::String,
        other => {
            return Err(format!(
                "column {name} decodes to {other}, which ulighed does not read (expected a SAS number, date, datetime, time or character column)"
            ));
        }
    })
}

/// One Arrow record batch as a Polars frame, column by column.
fn batch_frame(batch: &RecordBatch, strict_latin1: bool) -> std::result::Result<DataFrame, String> {
    let schema = batch.schema();
    let mut columns = Vec::with_capacity(batch.num_columns());
    for (field, array) in schema.fields().iter().zip(batch.columns()) {
        columns.push(column(field.name(), array.as_ref(), strict_latin1)?);
    }
    DataFrame::new(batch.num_rows(), columns).map_err(|e| e.to_string())
}

fn column(
    name: &str,
    array: &dyn Array,
    strict_latin1: bool,
) -> std::result::Result<Column, String> {
    let name: PlSmallStr = name.into();
    let series = match array.data_type() {
        ArrowType::Float64 => {
            let values = array.as_primitive::<types::Float64Type>();
            Float64Chunked::from_iter_options(name, values.iter()).into_series()
        }
        ArrowType::Int32 => {
            let values = array.as_primitive::<types::Int32Type>();
            Int32Chunked::from_iter_options(name, values.iter()).into_series()
        }
        ArrowType::Int64 => {
            let values = array.as_primitive::<types::Int64Type>();
            Int64Chunked::from_iter_options(name, values.iter()).into_series()
        }
        ArrowType::Date32 => {
            let values = array.as_primitive::<types::Date32Type>();
            Int32Chunked::from_iter_options(name, values.iter())
                .into_date()
                .into_series()
        }
        ArrowType::Timestamp(ArrowUnit::Microsecond, _) => {
            let values = array.as_primitive::<types::TimestampMicrosecondType>();
            Int64Chunked::from_iter_options(name, values.iter())
                .into_datetime(TimeUnit::Microseconds, None)
                .into_series()
        }
        ArrowType::Duration(ArrowUnit::Nanosecond) => {
            let values = array.as_primitive::<types::DurationNanosecondType>();
            Float64Chunked::from_iter_options(
                name,
                values.iter().map(|v| v.map(|ns| ns as f64 / 1e9)),
            )
            .into_series()
        }
        ArrowType::Utf8 => {
            let values = array.as_string::<i32>();
            if strict_latin1 {
                StringChunked::from_iter_options(
                    name,
                    values.iter().map(|v| v.map(windows1252_to_latin1)),
                )
                .into_series()
            } else {
                StringChunked::from_iter_options(name, values.iter()).into_series()
            }
        }
        ArrowType::LargeUtf8 => {
            let values = array.as_string::<i64>();
            StringChunked::from_iter_options(name, values.iter()).into_series()
        }
        other => {
            polars_type(&name, other)?;
            return Err(format!("column {name} has the unexpected type {other}"));
        }
    };
    Ok(series.into_column())
}

/// Text decoded as Windows-1252, read back as strict ISO-8859-1: the 27 characters
/// Windows-1252 puts at bytes 0x80-0x9F become the C1 controls U+0080-U+009F those bytes mean
/// in ISO-8859-1 (the five bytes Windows-1252 leaves undefined already decode to them).
fn windows1252_to_latin1(text: &str) -> String {
    /// Windows-1252's characters at 0x80-0x9F (WHATWG encoding standard, index-windows-1252).
    const HIGH: [char; 32] = [
        '\u{20AC}', '\u{81}', '\u{201A}', '\u{192}', '\u{201E}', '\u{2026}', '\u{2020}',
        '\u{2021}', '\u{2C6}', '\u{2030}', '\u{160}', '\u{2039}', '\u{152}', '\u{8D}', '\u{17D}',
        '\u{8F}', '\u{90}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}',
        '\u{2014}', '\u{2DC}', '\u{2122}', '\u{161}', '\u{203A}', '\u{153}', '\u{9D}', '\u{17E}',
        '\u{178}',
    ];
    if text.is_ascii() {
        return text.to_string();
    }
    text.chars()
        .map(|c| match HIGH.iter().position(|&h| h == c) {
            Some(i) => char::from_u32(0x80 + i as u32).unwrap_or(c),
            None => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_1252_high_characters_map_back_to_c1_controls() {
        assert_eq!(windows1252_to_latin1("\u{20AC}"), "\u{80}");
        assert_eq!(windows1252_to_latin1("\u{178}"), "\u{9F}");
        assert_eq!(windows1252_to_latin1("Ærø\u{2019}"), "Ærø\u{92}");
        assert_eq!(windows1252_to_latin1("plain"), "plain");
    }

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/data/sas-registers/{name}"))
    }

    #[test]
    fn a_spooled_copy_in_small_row_groups_holds_the_files_rows() {
        let source = fixture("lpr_f_kontakter.sas7bdat");
        let (whole, _) = read_with_info(&source).unwrap();
        assert!(whole.height() > 1_000, "{}", whole.height());
        let folder = tempfile::tempdir().unwrap();
        let copy = folder.path().join("copy.parquet");
        let file = std::fs::File::create(&copy).unwrap();
        // The reader yields 4,096 rows at a time: batches are gathered into groups of 5,000 or more.
        spool_to(&source, file, &copy, 5_000).unwrap();
        let metadata = ParquetReader::new(std::fs::File::open(&copy).unwrap())
            .get_metadata()
            .unwrap()
            .clone();
        let sizes: Vec<usize> = metadata.row_groups.iter().map(|g| g.num_rows()).collect();
        assert_eq!(sizes.len(), 2, "{sizes:?} of {}", whole.height());
        assert!(sizes[0] >= 5_000, "{sizes:?}");
        let back = ParquetReader::new(std::fs::File::open(&copy).unwrap())
            .finish()
            .unwrap();
        assert!(back.equals_missing(&whole));
    }

    #[test]
    fn a_scanned_file_is_spooled_once_and_its_copy_removed_when_forgotten() {
        let source = fixture("udda2021.sas7bdat");
        let folder = tempfile::tempdir().unwrap();
        spool_into(folder.path());
        let first = scan(&source).unwrap().collect().unwrap();
        let copies = || std::fs::read_dir(folder.path()).unwrap().count();
        assert_eq!(copies(), 1);
        let again = scan(&source).unwrap().collect().unwrap();
        assert_eq!(copies(), 1, "the copy is reused");
        assert!(first.equals_missing(&again));
        assert!(first.equals_missing(&read_with_info(&source).unwrap().0));
        forget(&source);
        assert_eq!(copies(), 0);
    }

    #[test]
    fn a_broken_file_leaves_no_copy() {
        let folder = tempfile::tempdir().unwrap();
        let source = folder.path().join("bef2020.sas7bdat");
        std::fs::write(&source, b"not a SAS data set").unwrap();
        let copy = folder.path().join("copy.parquet");
        let err = spool(&source, &copy).unwrap_err().to_string();
        assert!(
            err.contains("bef2020.sas7bdat: cannot be read as a SAS data set"),
            "{err}"
        );
        assert!(!copy.exists());
    }
}
