//! `ulighed synth`: synthetic registers of the contract in `docs/registers.md`, with a known truth.
//!
//! Two passes, so that national volumes (6 million persons, hundreds of millions of event rows)
//! are written in minutes, in bounded memory and in date order:
//! 1. Life courses, person by person: the population registers of every year, deaths, and the
//!    patient groups' contacts and prescriptions (held by year in [`spill`]). Persons come in
//!    fixed-size chunks, each from its own random stream (the seed and the chunk number),
//!    generated in parallel with rayon and written in order.
//! 2. A year at a time: the background contacts, diagnoses, procedures and prescriptions of every
//!    person alive ([`background`], a stream per year and chunk), stacked with that year's
//!    patient-group rows, sorted by date and appended to the event registers as row groups.
//!
//! The output is the same bytes for the same seed whatever the number of threads.

/// The known truth `synth` writes beside its registers; its presence marks a registers folder as
/// synthetic, so that every document made from it says so on every page.
pub const TRUTH_FILE: &str = "truth.json";

/// Whether `dir` holds registers made by `synth` (its [`TRUTH_FILE`] beside them).
pub fn made_by_synth(dir: &Path) -> bool {
    dir.join(TRUTH_FILE).is_file()
}

pub mod background;
pub mod catalogue;
pub mod clock;
pub mod events;
pub mod hospitals;
pub mod lpr_models;
pub mod model;
pub mod parents;
pub mod population;
pub mod spill;
pub mod writer;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use polars::prelude::{
    ChunkAgg, DataFrame, IdxCa, IdxSize, Int32Chunked, NewChunkedArray, SortMultipleOptions,
    StringChunked,
};
use rayon::prelude::*;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::rng::Rng;
use background::{Generator, Life, Volumes, YearRows};
use events::{ChunkRows, DeathRows, MigrationRows, Span};
use model::{CellTruth, OFFERS, OfferModel, StratumTruth, TruthAccumulator, TruthTree};
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
    /// offer -> stratifier -> level -> [{sex, age_group, patients, probability}]
    standardisation_cells: TruthTree<Vec<CellTruth>>,
}

/// Generates the registers into `config.out` (created if missing).
pub fn run(config: &SynthConfig) -> Result<SynthSummary> {
    if config.persons == 0 || config.persons > u32::MAX as u64 {
        return Err(Error::Usage(format!(
            "--persons {}: expected between 1 and {}",
            config.persons,
            u32::MAX
        )));
    }
    if config.first_year > config.last_year || config.first_year < 1950 || config.last_year > 2100 {
        return Err(Error::Usage(format!(
            "--years {}-{} is not a span of years between 1950 and 2100 in increasing order",
            config.first_year, config.last_year
        )));
    }
    let v = config.volumes;
    for (option, value) in [
        ("--contacts-per-person-year", v.contacts_per_person_year),
        (
            "--prescriptions-per-person-year",
            v.prescriptions_per_person_year,
        ),
        ("--procedures-per-contact", v.procedures_per_contact),
    ] {
        if !(0.0..=1000.0).contains(&value) {
            return Err(Error::Usage(format!(
                "{option} {value}: expected a number from 0 to 1000"
            )));
        }
    }
    if !(1.0..=100.0).contains(&v.diagnoses_per_contact) {
        return Err(Error::Usage(format!(
            "--diagnoses-per-contact {}: expected a number from 1 (the action diagnosis) to 100",
            v.diagnoses_per_contact
        )));
    }
    std::fs::create_dir_all(&config.out).map_err(|e| Error::writing(&config.out, e))?;
    // Each year's event rows are built on rayon's threads and freed after they are written;
    // with the batch allocator setting (freed memory kept, `allocator::tune`) a national run
    // peaked far above its memory bound, so freed memory goes back to the system here
    // (bench/HISTORY.md).
    let _purging = crate::allocator::purging();
    let mut rows: BTreeMap<String, usize> = BTreeMap::new();
    let mut written = Vec::new();

    let mut spill = spill::Spill::new(&config.out)?;
    let (lives, deaths, migrations, truth) =
        life_courses(config, &mut spill, &mut rows, &mut written)?;
    background_years(config, &lives, &mut spill, &mut rows, &mut written)?;
    spill.finish()?;

    let dod = writer::deaths_frame(deaths)?;
    let mut file = RegisterFile::create(&config.out, "dod", config.format, dod.schema())?;
    file.write(&dod)?;
    rows.insert("dod".to_string(), dod.height());
    written.push(file.finish()?);
    let vnds = writer::migrations_frame(migrations)?;
    let mut file = RegisterFile::create(&config.out, "vnds", config.format, vnds.schema())?;
    file.write(&vnds)?;
    rows.insert("vnds".to_string(), vnds.height());
    written.push(file.finish()?);
    written.push(write_truth(config, &truth)?);
    written.push(write_education_table(&config.out)?);
    written.push(write_hospital_table(&config.out)?);
    written.push(write_family_type_table(&config.out)?);
    Ok(SynthSummary {
        files: written,
        rows,
    })
}

/// Appends `frame` to the file `name` (created on the first frame) and counts its rows.
fn append(
    config: &SynthConfig,
    file: &mut Option<RegisterFile>,
    name: &str,
    frame: &DataFrame,
    rows: &mut BTreeMap<String, usize>,
) -> Result<()> {
    if file.is_none() {
        *file = Some(RegisterFile::create(
            &config.out,
            name,
            config.format,
            frame.schema(),
        )?);
    }
    if let Some(file) = file {
        file.write(frame)?;
    }
    *rows.entry(name.to_string()).or_default() += frame.height();
    Ok(())
}

/// Pass 1: every person's life course. Writes the population registers, holds the patient
/// groups' event rows in `spill`, and returns what pass 2 needs of each person, the deaths and
/// the truth.
fn life_courses(
    config: &SynthConfig,
    spill: &mut spill::Spill,
    rows: &mut BTreeMap<String, usize>,
    written: &mut Vec<PathBuf>,
) -> Result<(Vec<Life>, DeathRows, MigrationRows, TruthAccumulator)> {
    let span = Span {
        first_year: config.first_year,
        last_year: config.last_year,
    };
    let tables = PopulationTables::new();
    let names = writer::population_names(config.first_year, config.last_year);
    let mut files: Vec<Option<RegisterFile>> = names.iter().map(|_| None).collect();
    let mut truth = TruthAccumulator::default();
    let mut lives = Vec::with_capacity(config.persons as usize);
    let mut deaths = DeathRows::default();
    let mut migrations = MigrationRows::default();
    let chunks = config.persons.div_ceil(CHUNK_PERSONS);
    let in_flight = (rayon::current_num_threads() as u64 * 2).max(2);
    // Each wave of chunks is written while the next is generated.
    let mut pending: Vec<(ChunkRows, Vec<Life>)> = Vec::new();
    let mut wave_start = 0;
    while wave_start < chunks || !pending.is_empty() {
        let wave_end = (wave_start + in_flight).min(chunks);
        let (generated, absorbed) = rayon::join(
            || {
                (wave_start..wave_end)
                    .into_par_iter()
                    .map(|chunk| generate_chunk(config, &tables, span, chunk))
                    .collect::<Vec<_>>()
            },
            || -> Result<()> {
                for (mut chunk_rows, chunk_lives) in std::mem::take(&mut pending) {
                    lives.extend(chunk_lives);
                    truth.merge(std::mem::take(&mut chunk_rows.truth));
                    let chunk_deaths = std::mem::take(&mut chunk_rows.deaths);
                    deaths.pnr.extend(chunk_deaths.pnr);
                    deaths.date.extend(chunk_deaths.date);
                    let chunk_migrations = std::mem::take(&mut chunk_rows.migrations);
                    migrations.pnr.extend(chunk_migrations.pnr);
                    migrations.code.extend(chunk_migrations.code);
                    migrations.date.extend(chunk_migrations.date);
                    spill.add(writer::event_frames(&mut chunk_rows)?)?;
                    let frames = writer::population_frames(&mut chunk_rows)?;
                    for ((name, frame), file) in names.iter().zip(&frames).zip(files.iter_mut()) {
                        append(config, file, name, frame, rows)?;
                    }
                }
                Ok(())
            },
        );
        absorbed?;
        pending = generated;
        wave_start = wave_end;
    }
    for file in files.into_iter().flatten() {
        written.push(file.finish()?);
    }
    Ok((lives, deaths, migrations, truth))
}

/// Pass 2: the event registers, a year at a time in date order: each year's background rows
/// (generated in parallel by chunk of persons) with the year's patient-group rows.
fn background_years(
    config: &SynthConfig,
    lives: &[Life],
    spill: &mut spill::Spill,
    rows: &mut BTreeMap<String, usize>,
    written: &mut Vec<PathBuf>,
) -> Result<()> {
    let generator = Generator {
        seed: config.seed,
        persons: config.persons,
        first_year: config.first_year,
        last_day: crate::dates::jan1(config.last_year + 1) - 1,
        volumes: config.volumes,
        lives,
    };
    let pnrs = StringChunked::from_iter_values(
        "PNR".into(),
        (0..config.persons).map(population::pseudonym),
    );
    let names = writer::event_names(config.lpr_model);
    let mut files: Vec<Option<RegisterFile>> = names.iter().map(|_| None).collect();
    let chunks = config.persons.div_ceil(CHUNK_PERSONS);
    for year in config.first_year..=config.last_year {
        let background = (0..chunks)
            .into_par_iter()
            .map(|chunk| {
                let first = chunk * CHUNK_PERSONS;
                let last = (first + CHUNK_PERSONS).min(config.persons);
                generator.year_rows(year, chunk, first, last)
            })
            .collect::<Vec<_>>();
        let background = YearRows::concat(background);
        let mut frames = Vec::new();
        for (kind, frame) in background.frames(&pnrs)?.into_iter().enumerate() {
            let mut parts = Vec::new();
            parts.extend(spill.take(kind, year)?);
            parts.push(frame);
            frames.push(in_date_order(kind, spill::concat_frames(parts)?)?);
        }
        let prescriptions = frames.pop().expect("four frames");
        let procedures = frames.pop().expect("four frames");
        let diagnoses = frames.pop().expect("four frames");
        let contacts = frames.pop().expect("four frames");
        let mut year_frames =
            lpr_models::frames(config.lpr_model, contacts, diagnoses, procedures)?;
        year_frames.push(prescriptions);
        // The registers' files are written side by side.
        let results: Vec<Result<usize>> = files
            .par_iter_mut()
            .zip(&names)
            .zip(&year_frames)
            .map(|((file, name), frame)| {
                let mut counted = BTreeMap::new();
                append(config, file, name, frame, &mut counted)?;
                Ok(frame.height())
            })
            .collect();
        for (name, result) in names.iter().zip(results) {
            *rows.entry(name.to_string()).or_default() += result?;
        }
    }
    for file in files.into_iter().flatten() {
        written.push(file.finish()?);
    }
    Ok(())
}

/// A year's rows of event register `kind` sorted by date (contacts by start, procedures by
/// their day, prescriptions by redemption), ties kept in generation order; diagnoses by contact
/// key, which keeps a contact's diagnoses together.
fn in_date_order(kind: usize, frame: DataFrame) -> Result<DataFrame> {
    let by = match kind {
        0 => "DATO_START",
        1 => "DW_EK_KONTAKT",
        2 => "DATO_START",
        _ => "EKSD",
    };
    let days = frame
        .column(by)?
        .date()
        .ok()
        .and_then(|days| day_order(days.physical()));
    Ok(match days {
        Some(order) => frame.take(&order)?,
        None => frame.sort(
            [by],
            SortMultipleOptions::default().with_maintain_order(true),
        )?,
    })
}

/// The widest span of days [`day_order`] counts in one table (about 2,700 years).
const MOST_DAYS: i32 = 1 << 20;

/// The order that sorts `days` stably (ties in their order), by counting: a year's event rows
/// span a few hundred days, so one pass counts the rows of each day and a second places each row,
/// where a comparison sort of tens of millions of rows (Polars' stable merge sort) was about a
/// tenth of synth's time. `None` with a null day or a span wider than [`MOST_DAYS`].
fn day_order(days: &Int32Chunked) -> Option<IdxCa> {
    if days.null_count() > 0 {
        return None;
    }
    let (first, last) = (days.min()?, days.max()?);
    if last - first >= MOST_DAYS {
        return None;
    }
    let mut next = vec![0 as IdxSize; (last - first) as usize + 1];
    for day in days.into_no_null_iter() {
        next[(day - first) as usize] += 1;
    }
    let mut start = 0;
    for slot in next.iter_mut() {
        let count = *slot;
        *slot = start;
        start += count;
    }
    let mut order = vec![0 as IdxSize; days.len()];
    for (row, day) in days.into_no_null_iter().enumerate() {
        let slot = &mut next[(day - first) as usize];
        order[*slot as usize] = row as IdxSize;
        *slot += 1;
    }
    Some(IdxCa::from_vec("order".into(), order))
}

fn generate_chunk(
    config: &SynthConfig,
    tables: &PopulationTables,
    span: Span,
    chunk: u64,
) -> (ChunkRows, Vec<Life>) {
    let mut rng = Rng::new(config.seed, chunk);
    let years = (span.last_year - span.first_year + 1) as usize;
    let mut rows = ChunkRows {
        bef: (0..years).map(|_| Default::default()).collect(),
        udda: (0..years).map(|_| Default::default()).collect(),
        akm: (0..years).map(|_| Default::default()).collect(),
        ind: (0..years).map(|_| Default::default()).collect(),
        ..Default::default()
    };
    let first = chunk * CHUNK_PERSONS;
    let last = (first + CHUNK_PERSONS).min(config.persons);
    let mut lives = Vec::with_capacity((last - first) as usize);
    let mut candidates = parents::Candidates::default();
    for index in first..last {
        let mut person =
            population::draw_person(&mut rng, tables, index, span.first_year, span.last_year);
        if parents::linked(person.born, span.first_year) {
            parents::link(&mut person, &candidates);
        }
        let death = events::generate_person(&mut rng, &person, span, &mut rows);
        candidates.add(&person, death);
        lives.push(Life {
            jan1_age_base: person.jan1_age_base,
            arrived: person.arrived,
            death,
            hospital: person.hospital as u8,
        });
    }
    (rows, lives)
}

fn write_truth(config: &SynthConfig, truth: &TruthAccumulator) -> Result<PathBuf> {
    let document = Truth {
        description: "Known truth of a synthetic register set written by `ulighed synth`: the \
            logistic model of each offer, and the mean of the patients' own probabilities per \
            stratum over the whole span (the true marginal probability, averaged over the \
            patients' age and sex mix as generated), and the same per sex and broad age group \
            of each level (the strata of a share standardised to the patients). Income quintiles \
            are the latent ones.",
        seed: config.seed,
        persons: config.persons,
        years: [config.first_year, config.last_year],
        offers: &OFFERS,
        marginal: truth.finish(),
        standardisation_cells: truth.finish_cells(),
    };
    let path = config.out.join(TRUTH_FILE);
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

/// The family type table (`FAMILIE_TYPE,GRUPPE`, [`crate::registers::classification`]) of the
/// codes [`population::Person::family_type_in`] writes.
fn write_family_type_table(dir: &Path) -> Result<PathBuf> {
    let text = "FAMILIE_TYPE,GRUPPE\n1,enlig\n2,enlig\n11,par\n12,par\n31,par\n53,enlig\n";
    let path = dir.join("familie_type.csv");
    std::fs::write(&path, text).map_err(|e| Error::writing(&path, e))?;
    Ok(path)
}

/// The SOR table (`SOR,NAVN,REGION,SYGEHUS,ENHEDSTYPE,SPECIALE`,
/// [`crate::registers::classification`]) of every unit synth's contacts name: each unit under its
/// SOR code (LPR3's years) and its SHAK code (LPR2's), with its hospital, type and specialty.
fn write_hospital_table(dir: &Path) -> Result<PathBuf> {
    let mut text = String::from("SOR,NAVN,REGION,SYGEHUS,ENHEDSTYPE,SPECIALE\n");
    for (h, (region, _, hospital)) in hospitals::HOSPITALS.iter().enumerate() {
        let region_code = 1081 + region;
        for (department, name, unit_type, specialty) in hospitals::UNITS {
            let shak = hospitals::shak_code(h, department);
            for code in [hospitals::sor_code(&shak), shak] {
                text.push_str(&format!(
                    "{code},\"{name}\",{region_code},\"{hospital}\",{unit_type},{specialty}\n"
                ));
            }
        }
    }
    let path = dir.join("sor.csv");
    std::fs::write(&path, text).map_err(|e| Error::writing(&path, e))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::*;

    #[test]
    fn days_are_ordered_stably_by_counting() {
        let days = Int32Chunked::from_vec("d".into(), vec![19_000, 18_990, 19_000, 18_980, 18_990]);
        let order = day_order(&days).expect("counted");
        // By hand: 18_980 (row 3), 18_990 (rows 1, 4), 19_000 (rows 0, 2).
        assert_eq!(
            order.into_no_null_iter().collect::<Vec<_>>(),
            vec![3, 1, 4, 0, 2]
        );
        let with_null = Int32Chunked::from_iter([Some(1), None]);
        assert!(day_order(&with_null).is_none());
        let too_wide = Int32Chunked::from_vec("d".into(), vec![0, MOST_DAYS]);
        assert!(day_order(&too_wide).is_none());
    }

    #[test]
    fn a_year_of_rows_in_date_order_equals_a_stable_sort() {
        let mut rng = Rng::new(7, 1);
        let days: Vec<i32> = (0..5_000).map(|_| rng.between(19_358, 19_722)).collect();
        let tag: Vec<i64> = (0..5_000).collect();
        let frame = df!("EKSD" => days, "TAG" => tag)
            .expect("frame")
            .lazy()
            .with_column(col("EKSD").cast(DataType::Date))
            .collect()
            .expect("dates");
        let sorted = frame
            .sort(
                ["EKSD"],
                SortMultipleOptions::default().with_maintain_order(true),
            )
            .expect("sorted");
        assert!(in_date_order(3, frame).expect("ordered").equals(&sorted));
    }
}
