//! Writes synthetic register rows, chunk by chunk, to one file per register (and year).

use std::fs::File;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::events::{ChunkRows, DeathRows, MigrationRows};
use super::lpr_models::LprModel;
use crate::error::{Error, Result};

/// Output format of `synth`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SynthFormat {
    Parquet,
    Csv,
}

impl SynthFormat {
    pub fn extension(self) -> &'static str {
        match self {
            SynthFormat::Parquet => "parquet",
            SynthFormat::Csv => "csv",
        }
    }
}

/// Rows per Parquet row group: small enough that a date filter on a file written in date order
/// skips most of it, large enough that the per-group overhead stays small.
pub const ROW_GROUP_ROWS: usize = 1 << 20;

enum Batched {
    Parquet(Box<polars::io::parquet::write::BatchedWriter<File>>),
    Csv(polars::io::csv::write::BatchedWriter<File>),
}

/// An open register file receiving batches.
pub struct RegisterFile {
    path: PathBuf,
    writer: Batched,
}

impl RegisterFile {
    /// Creates `dir/<name>.<ext>` for frames of `schema`.
    pub fn create(dir: &Path, name: &str, format: SynthFormat, schema: &Schema) -> Result<Self> {
        let path = dir.join(format!("{name}.{}", format.extension()));
        let file = File::create(&path).map_err(|e| Error::writing(&path, e))?;
        let writer = match format {
            SynthFormat::Parquet => Batched::Parquet(Box::new(
                ParquetWriter::new(file)
                    // Level 1: the fastest zstd level, at about a tenth more bytes than the
                    // default level.
                    .with_compression(ParquetCompression::Zstd(Some(
                        polars_utils::compression::ZstdLevel::try_new(1)
                            .map_err(|e| Error::writing(&path, e))?,
                    )))
                    .batched(schema)
                    .map_err(|e| Error::writing(&path, e))?,
            )),
            SynthFormat::Csv => {
                let mut schema = schema.clone();
                for (name, dtype) in schema.iter_mut() {
                    if is_time(name) {
                        *dtype = DataType::String;
                    }
                }
                Batched::Csv(
                    CsvWriter::new(file)
                        .with_date_format(Some("%Y-%m-%d".into()))
                        .batched(&schema)
                        .map_err(|e| Error::writing(&path, e))?,
                )
            }
        };
        Ok(RegisterFile { path, writer })
    }

    /// Appends `frame`, in row groups of at most [`ROW_GROUP_ROWS`] rows.
    pub fn write(&mut self, frame: &DataFrame) -> Result<()> {
        // Joined frames (the patient register's other layouts) may hold columns in unequal
        // chunks, which the batched writers cannot take; the batched Parquet writer makes a row
        // group of each chunk.
        let mut frame = frame.clone();
        frame.rechunk_mut();
        let mut offset = 0;
        while offset < frame.height() {
            let slice = frame.slice(offset as i64, ROW_GROUP_ROWS);
            offset += ROW_GROUP_ROWS;
            let result = match &mut self.writer {
                Batched::Parquet(w) => w.write_batch(&slice),
                Batched::Csv(w) => csv_times(&slice).and_then(|slice| w.write_batch(&slice)),
            };
            result.map_err(|e| Error::writing(&self.path, e))?;
        }
        Ok(())
    }

    pub fn finish(self) -> Result<PathBuf> {
        let result = match self.writer {
            Batched::Parquet(w) => w.finish().map(|_| ()),
            Batched::Csv(mut w) => w.finish(),
        };
        result.map_err(|e| Error::writing(&self.path, e))?;
        Ok(self.path)
    }
}

/// Whether a column holds times of day (seconds since midnight in the frames `synth` builds).
fn is_time(name: &str) -> bool {
    name.starts_with("TIDSPUNKT_")
}

/// `frame` with its times of day written `HH:MM:SS`, as a CSV export of the registers holds
/// them: digits alone would not read as a time (the contract takes a number of seconds only
/// from a typed column, as SAS and Parquet hold it).
fn csv_times(frame: &DataFrame) -> PolarsResult<DataFrame> {
    let mut frame = frame.clone();
    let names: Vec<PlSmallStr> = frame
        .get_column_names()
        .into_iter()
        .filter(|n| is_time(n))
        .cloned()
        .collect();
    for name in names {
        let seconds = frame.column(&name)?.i32()?.clone();
        let text: StringChunked = seconds
            .iter()
            .map(|s| s.map(|s| format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)))
            .collect();
        frame.with_column(text.with_name(name).into_column())?;
    }
    Ok(frame)
}

fn text(name: &str, values: Vec<String>) -> Column {
    Column::new(name.into(), values)
}

fn codes(name: &str, values: Vec<&'static str>) -> Column {
    Column::new(name.into(), values)
}

pub(super) fn date(name: &str, values: Vec<i32>) -> Column {
    Int32Chunked::from_vec(name.into(), values)
        .into_date()
        .into_column()
}

/// The population registers' frames of one chunk (`bef`, `udda`, `ind` of each year), in the
/// order of [`population_names`].
pub fn population_frames(rows: &mut ChunkRows) -> Result<Vec<DataFrame>> {
    let mut frames = Vec::new();
    for bef in std::mem::take(&mut rows.bef) {
        frames.push(DataFrame::new_infer_height(vec![
            text("PNR", bef.pnr),
            date("FOED_DAG", bef.born),
            codes("KOEN", bef.sex),
            text("KOM", bef.municipality),
            codes("IE_TYPE", bef.origin),
            codes("CIVST", bef.civil),
            Column::new("MOR_ID".into(), bef.mother),
            Column::new("FAR_ID".into(), bef.father),
            codes("FAMILIE_TYPE", bef.family),
        ])?);
    }
    for udda in std::mem::take(&mut rows.udda) {
        frames.push(DataFrame::new_infer_height(vec![
            text("PNR", udda.pnr),
            text("HFAUDD", udda.hfaudd),
        ])?);
    }
    for akm in std::mem::take(&mut rows.akm) {
        frames.push(DataFrame::new_infer_height(vec![
            text("PNR", akm.pnr),
            codes("SOCIO13", akm.socio13),
        ])?);
    }
    for ind in std::mem::take(&mut rows.ind) {
        frames.push(DataFrame::new_infer_height(vec![
            text("PNR", ind.pnr),
            Column::new("FAMAEKVIVADISP".into(), ind.family),
            Column::new("PERINDKIALT".into(), ind.personal),
        ])?);
    }
    Ok(frames)
}

/// The patient-group event rows of one chunk in the contract's layout: contacts, diagnoses,
/// procedures and prescriptions.
pub fn event_frames(rows: &mut ChunkRows) -> Result<[DataFrame; 4]> {
    let c = std::mem::take(&mut rows.contacts);
    let contacts = DataFrame::new_infer_height(vec![
        Column::new("DW_EK_KONTAKT".into(), c.key),
        text("PNR", c.pnr),
        date("DATO_START", c.start),
        date("DATO_SLUT", c.end),
        codes("KONTAKTTYPE", c.kind),
        text("SORENHED_ANS", c.unit),
        codes("AKTIONSDIAGNOSE", c.action),
        codes("PRIORITET", c.priority),
        Column::new("TIDSPUNKT_START".into(), c.start_time),
        Column::new("TIDSPUNKT_SLUT".into(), c.end_time),
    ])?;
    let d = std::mem::take(&mut rows.diagnoses);
    let diagnoses = DataFrame::new_infer_height(vec![
        Column::new("DW_EK_KONTAKT".into(), d.key),
        codes("DIAGNOSEKODE", d.code),
        codes("DIAGNOSETYPE", d.kind),
        Column::new("SENERE_AFKRAEFTET".into(), d.retracted),
    ])?;
    let p = std::mem::take(&mut rows.procedures);
    let procedures = DataFrame::new_infer_height(vec![
        Column::new("DW_EK_KONTAKT".into(), p.key),
        codes("PROCEDUREKODE", p.code),
        date("DATO_START", p.date),
        Column::new("TIDSPUNKT_START".into(), p.time),
    ])?;
    let m = std::mem::take(&mut rows.prescriptions);
    let prescriptions = DataFrame::new_infer_height(vec![
        text("PNR", m.pnr),
        date("EKSD", m.date),
        codes("ATC", m.atc),
        Column::new("APK".into(), m.packages),
    ])?;
    Ok([contacts, diagnoses, procedures, prescriptions])
}

/// The death register's frame of deaths gathered from every chunk, in date order.
pub fn deaths_frame(deaths: DeathRows) -> Result<DataFrame> {
    let frame =
        DataFrame::new_infer_height(vec![text("PNR", deaths.pnr), date("DODDATO", deaths.date)])?;
    Ok(frame.sort(
        ["DODDATO"],
        SortMultipleOptions::default().with_maintain_order(true),
    )?)
}

/// The migration register (`vnds`): `PNR`, `INDUD_KODE`, `HAEND_DATO`, in date order.
pub fn migrations_frame(migrations: MigrationRows) -> Result<DataFrame> {
    let frame = DataFrame::new_infer_height(vec![
        text("PNR", migrations.pnr),
        codes("INDUD_KODE", migrations.code),
        date("HAEND_DATO", migrations.date),
    ])?;
    Ok(frame.sort(
        ["HAEND_DATO"],
        SortMultipleOptions::default().with_maintain_order(true),
    )?)
}

/// The yearly population registers' file names, in the order of [`population_frames`].
pub fn population_names(first_year: i32, last_year: i32) -> Vec<String> {
    let years: Vec<i32> = (first_year..=last_year).collect();
    let mut names = Vec::new();
    for register in ["bef", "udda", "akm", "ind"] {
        names.extend(years.iter().map(|y| format!("{register}{y}")));
    }
    names
}

/// The event registers' file names: the patient register's in `lpr_model`'s layout (in the
/// order of [`lpr_models::frames`]), then the prescription register's.
pub fn event_names(lpr_model: LprModel) -> Vec<&'static str> {
    let mut names = lpr_model.register_names().to_vec();
    names.push("lmdb");
    names
}
