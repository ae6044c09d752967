//! Writes synthetic register rows, chunk by chunk, to one file per register (and year).

use std::fs::File;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::events::ChunkRows;
use super::lpr_models::{self, LprModel};
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
                    .with_compression(ParquetCompression::Zstd(None))
                    .batched(schema)
                    .map_err(|e| Error::writing(&path, e))?,
            )),
            SynthFormat::Csv => Batched::Csv(
                CsvWriter::new(file)
                    .with_date_format(Some("%Y-%m-%d".into()))
                    .batched(schema)
                    .map_err(|e| Error::writing(&path, e))?,
            ),
        };
        Ok(RegisterFile { path, writer })
    }

    pub fn write(&mut self, frame: &DataFrame) -> Result<()> {
        // Joined frames (the patient register's other layouts) may hold columns in unequal
        // chunks, which the batched writers cannot take.
        let mut frame = frame.clone();
        frame.rechunk_mut();
        let result = match &mut self.writer {
            Batched::Parquet(w) => w.write_batch(&frame),
            Batched::Csv(w) => w.write_batch(&frame),
        };
        result.map_err(|e| Error::writing(&self.path, e))
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

fn text(name: &str, values: Vec<String>) -> Column {
    Column::new(name.into(), values)
}

fn codes(name: &str, values: Vec<&'static str>) -> Column {
    Column::new(name.into(), values)
}

fn date(name: &str, values: Vec<i32>) -> Column {
    Int32Chunked::from_vec(name.into(), values)
        .into_date()
        .into_column()
}

/// Frames of one chunk, in the order [`register_names`] gives them.
pub fn chunk_frames(rows: ChunkRows, lpr_model: LprModel) -> Result<Vec<DataFrame>> {
    let mut frames = Vec::new();
    for bef in rows.bef {
        frames.push(DataFrame::new_infer_height(vec![
            text("PNR", bef.pnr),
            date("FOED_DAG", bef.born),
            codes("KOEN", bef.sex),
            text("KOM", bef.municipality),
            codes("IE_TYPE", bef.origin),
            codes("CIVST", bef.civil),
        ])?);
    }
    for udda in rows.udda {
        frames.push(DataFrame::new_infer_height(vec![
            text("PNR", udda.pnr),
            text("HFAUDD", udda.hfaudd),
        ])?);
    }
    for ind in rows.ind {
        frames.push(DataFrame::new_infer_height(vec![
            text("PNR", ind.pnr),
            Column::new("FAMAEKVIVADISP".into(), ind.family),
            Column::new("PERINDKIALT".into(), ind.personal),
        ])?);
    }
    let c = rows.contacts;
    let contacts = DataFrame::new_infer_height(vec![
        Column::new("DW_EK_KONTAKT".into(), c.key),
        text("PNR", c.pnr),
        date("DATO_START", c.start),
        date("DATO_SLUT", c.end),
        codes("KONTAKTTYPE", c.kind),
        text("SORENHED_ANS", c.unit),
        codes("AKTIONSDIAGNOSE", c.action),
    ])?;
    let d = rows.diagnoses;
    let diagnoses = DataFrame::new_infer_height(vec![
        Column::new("DW_EK_KONTAKT".into(), d.key),
        codes("DIAGNOSEKODE", d.code),
        codes("DIAGNOSETYPE", d.kind),
        Column::new("SENERE_AFKRAEFTET".into(), d.retracted),
    ])?;
    let p = rows.procedures;
    let procedures = DataFrame::new_infer_height(vec![
        Column::new("DW_EK_KONTAKT".into(), p.key),
        codes("PROCEDUREKODE", p.code),
        date("DATO_START", p.date),
    ])?;
    frames.extend(lpr_models::frames(
        lpr_model, contacts, diagnoses, procedures,
    )?);
    let m = rows.prescriptions;
    frames.push(DataFrame::new_infer_height(vec![
        text("PNR", m.pnr),
        date("EKSD", m.date),
        codes("ATC", m.atc),
        Column::new("APK".into(), m.packages),
    ])?);
    let dod = rows.deaths;
    frames.push(DataFrame::new_infer_height(vec![
        text("PNR", dod.pnr),
        date("DODDATO", dod.date),
    ])?);
    Ok(frames)
}

/// File names (without extension) in the order of [`chunk_frames`].
pub fn register_names(first_year: i32, last_year: i32, lpr_model: LprModel) -> Vec<String> {
    let years: Vec<i32> = (first_year..=last_year).collect();
    let mut names = Vec::new();
    for register in ["bef", "udda", "ind"] {
        names.extend(years.iter().map(|y| format!("{register}{y}")));
    }
    names.extend(lpr_model.register_names().iter().map(|n| n.to_string()));
    names.extend(["lmdb", "dod"].map(String::from));
    names
}
