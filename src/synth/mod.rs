//! `ulighed synth`: synthetic registers of the contract in `REGISTERS.md`, with a known truth.
//!
//! Persons are generated in fixed-size chunks, each from its own random stream (the seed and the
//! chunk number), in parallel with rayon; chunks are written in order, so the output is the same
//! bytes for the same seed whatever the number of threads, and memory holds only a few chunks at a
//! time (6 million persons never sit in memory at once).

pub mod events;
pub mod lpr_models;
pub mod model;
pub mod population;
pub mod writer;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::rng::Rng;
use events::{ChunkRows, Span, Volumes};
use model::{OFFERS, OfferModel, StratumTruth, TruthAccumulator};
use population::PopulationTables;
use writer::{RegisterFile, SynthFormat};

/// Persons per chunk: small enough that a few chunks in flight stay well under a gigabyte.
const CHUNK_PERSONS: u64 = 20_000;

/// What to generate.
#[derive(Debug, Clone)]
pub struct SynthConfig {
    pub persons: u64,
    pub first_year: i32,
    pub last_year: i32,
    pub seed: u64,
    pub format: SynthFormat,
    pub out: PathBuf,
    pub volumes: Volumes,
    /// The layout of the patient register.
    pub lpr_model: lpr_models::LprModel,
}

/// What `synth` did.
#[derive(Debug)]
pub struct SynthSummary {
    pub files: Vec<PathBuf>,
    pub rows: BTreeMap<String, usize>,
}

/// The contents of `truth.json`.
#[derive(Serialize)]
struct Truth<'a> {
    description: &'static str,
    seed: u64,
    persons: u64,
    years: [i32; 2],
    offers: &'a [OfferModel],
    /// offer -> stratifier -> level -> {patients, probability}
    marginal: BTreeMap<&'static str, BTreeMap<&'static str, BTreeMap<String, StratumTruth>>>,
}

/// Generates the registers into `config.out` (created if missing).
pub fn run(config: &SynthConfig) -> Result<SynthSummary> {
    if config.persons == 0 {
        return Err(Error::Usage("--persons must be at least 1".into()));
    }
    if config.first_year > config.last_year || config.first_year < 1950 || config.last_year > 2100 {
        return Err(Error::Usage(format!(
            "--years {}-{} is not a span of years between 1950 and 2100 in increasing order",
            config.first_year, config.last_year
        )));
    }
    std::fs::create_dir_all(&config.out).map_err(|e| Error::writing(&config.out, e))?;
    let span = Span {
        first_year: config.first_year,
        last_year: config.last_year,
    };
    let tables = PopulationTables::new();
    let names = writer::register_names(config.first_year, config.last_year, config.lpr_model);
    let mut files: Vec<Option<RegisterFile>> = names.iter().map(|_| None).collect();
    let mut rows: BTreeMap<String, usize> = BTreeMap::new();
    let mut truth = TruthAccumulator::default();

    let chunks = config.persons.div_ceil(CHUNK_PERSONS);
    let in_flight = (rayon::current_num_threads() as u64 * 2).max(2);
    for wave_start in (0..chunks).step_by(in_flight as usize) {
        let wave_end = (wave_start + in_flight).min(chunks);
        let generated: Vec<ChunkRows> = (wave_start..wave_end)
            .into_par_iter()
            .map(|chunk| generate_chunk(config, &tables, span, chunk))
            .collect();
        for mut chunk_rows in generated {
            truth.merge(std::mem::take(&mut chunk_rows.truth));
            for ((name, frame), file) in names
                .iter()
                .zip(writer::chunk_frames(chunk_rows, config.lpr_model)?)
                .zip(files.iter_mut())
            {
                if file.is_none() {
                    *file = Some(RegisterFile::create(
                        &config.out,
                        name,
                        config.format,
                        frame.schema(),
                    )?);
                }
                if let Some(file) = file {
                    file.write(&frame)?;
                }
                *rows.entry(name.clone()).or_default() += frame.height();
            }
        }
    }

    let mut written = Vec::new();
    for file in files.into_iter().flatten() {
        written.push(file.finish()?);
    }
    written.push(write_truth(config, &truth)?);
    written.push(write_education_table(&config.out)?);
    Ok(SynthSummary {
        files: written,
        rows,
    })
}

fn generate_chunk(
    config: &SynthConfig,
    tables: &PopulationTables,
    span: Span,
    chunk: u64,
) -> ChunkRows {
    let mut rng = Rng::new(config.seed, chunk);
    let years = (span.last_year - span.first_year + 1) as usize;
    let mut rows = ChunkRows {
        bef: (0..years).map(|_| Default::default()).collect(),
        udda: (0..years).map(|_| Default::default()).collect(),
        ind: (0..years).map(|_| Default::default()).collect(),
        ..Default::default()
    };
    let first = chunk * CHUNK_PERSONS;
    let last = (first + CHUNK_PERSONS).min(config.persons);
    for index in first..last {
        let person = population::draw_person(&mut rng, tables, index, span.first_year);
        events::generate_person(&mut rng, &person, span, config.volumes, &mut rows);
    }
    rows
}

fn write_truth(config: &SynthConfig, truth: &TruthAccumulator) -> Result<PathBuf> {
    let document = Truth {
        description: "Known truth of a synthetic register set written by `ulighed synth`: the \
            logistic model of each offer, and the mean of the patients' own probabilities per \
            stratum over the whole span (the true marginal probability, averaged over the \
            patients' age and sex mix as generated). Income quintiles are the latent ones.",
        seed: config.seed,
        persons: config.persons,
        years: [config.first_year, config.last_year],
        offers: &OFFERS,
        marginal: truth.finish(),
    };
    let path = config.out.join("truth.json");
    let text = serde_json::to_string_pretty(&document)
        .map_err(|e| Error::Internal(format!("truth.json: {e}")))?;
    std::fs::write(&path, text + "\n").map_err(|e| Error::writing(&path, e))?;
    Ok(path)
}

/// The `HFAUDD` to H-group table for the codes synth writes (the first two digits are the
/// H-group, which is true of synthetic codes only).
fn write_education_table(dir: &Path) -> Result<PathBuf> {
    let mut text = String::from("HFAUDD,H\n");
    for h in crate::registers::codes::H_GROUPS {
        for sub in 10..90 {
            text.push_str(&format!("{},H{h}\n", h as u16 * 100 + sub));
        }
    }
    let path = dir.join("hfaudd_hgroup.csv");
    std::fs::write(&path, text).map_err(|e| Error::writing(&path, e))?;
    Ok(path)
}
