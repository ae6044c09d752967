//! Running analyses: spec -> validated registers -> cohort -> strata -> aggregate -> measures ->
//! disclosure -> outputs, written atomically.
//!
//! The person-level work of a spec (and of each trend year) is collected once into the patient
//! frame, which is small next to the registers; every sub-analysis, outcome and stratifier is then
//! a GROUP BY over it. `run --all` also shares the register discovery and validation between specs
//! that read the same folder.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use polars::prelude::*;

use crate::disclosure::gate::{Decision, Shown, Slice, gate};
use crate::disclosure::suppressed::{SUPPRESSION_RULE, SuppressedCell, SuppressionSummary};
use crate::disclosure::{Audience, Threshold};
use crate::disclosure::{RoundingBase, SuppressionCause};
use crate::error::{Error, Result};
use crate::measures::dsr::esp2013_weights;
use crate::ops::fingerprint::{FingerprintCache, InputFile, fingerprints, registers_read, run_key};
use crate::ops::lock::OutputLock;
use crate::ops::log::{Event, Log};
use crate::ops::validated::{ValidationCache, files_key};
use crate::registers::classification::Classifications;
use crate::registers::completeness::{Completeness, completeness};
use crate::registers::scan::RegisterSet;
use crate::registers::scope::Scope;
use crate::registers::validate::{Blockers, Severities, validate_all};
use crate::report::bundle::{self, BundleOptions};
use crate::report::document::{self, Analysis, DocumentSpec, InputRecord, RunRecord};
use crate::report::export::CsvDialect;
use crate::report::labels::Lang;
use crate::report::{manifest, output};
use crate::results::{DimensionContext, StandardWeights, dimension_rows};
use crate::spec::{self, LoadedSpec, Standard, SubAnalysis, links, measures_for};
use crate::tidy::{self, Row, TOTAL};
use crate::{aggregate, cohort, strata};

/// The deliverable a run is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
pub enum ReportKind {
    /// The midway status (15 August): every result is preliminary.
    Midway,
    /// The annual analysis (31 December).
    Annual,
}

/// What to run and where to write it.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub spec: PathBuf,
    pub registers: Option<PathBuf>,
    pub out: PathBuf,
    pub as_of: i32,
    pub report: ReportKind,
    pub lang: Lang,
    /// The suppression threshold, overriding the spec's (at least 3).
    pub threshold: Option<u64>,
    /// An internal run: no disclosure control, every output marked [`NOT_FOR_RELEASE`] and
    /// written to `OUT/<id>-internal/`.
    pub internal: bool,
    /// Run even when nothing the analysis reads has changed since its last successful run.
    pub force: bool,
    /// The notation of the document tables' CSV files.
    pub csv_dialect: CsvDialect,
    /// Also write every figure as PNG.
    pub png: bool,
    /// The project configuration's classification tables (a spec's own win).
    pub classifications: Classifications,
    pub log: Log,
}

impl RunOptions {
    /// The settings that change what a run writes, for the run key.
    fn settings(&self) -> String {
        format!(
            "report={:?};lang={:?};threshold={:?};internal={};registers={:?};csv={:?};png={};as_of={}",
            self.report,
            self.lang,
            self.threshold,
            self.internal,
            self.registers,
            self.csv_dialect,
            self.png,
            // The midway status reports the data as of its date.
            if self.report == ReportKind::Midway {
                self.as_of
            } else {
                0
            }
        )
    }

    fn bundle(&self) -> BundleOptions {
        BundleOptions {
            lang: self.lang,
            dialect: self.csv_dialect,
            png: self.png,
            internal: self.internal.then_some(NOT_FOR_RELEASE),
            as_of: self.as_of,
        }
    }

    fn internal_mark(&self) -> Option<&'static str> {
        self.internal.then_some(NOT_FOR_RELEASE)
    }
}

/// The mark on every page and file of an internal run.
pub const NOT_FOR_RELEASE: &str = "IKKE TIL OFFENTLIGGØRELSE / NOT FOR RELEASE";

/// One spec of `run --all` and what its run gave.
pub type SpecResult = (PathBuf, Result<RunSummary>);

/// What a run wrote (or that it had nothing to do).
#[derive(Debug)]
pub struct RunSummary {
    pub id: String,
    pub folder: PathBuf,
    pub patients: u64,
    pub suppressed: SuppressionSummary,
    /// Nothing the analysis reads had changed: the previous outputs stand.
    pub skipped: bool,
}

/// A registers folder opened once, with its validation once run, shared by the specs of
/// `run --all`.
struct Folder {
    registers: RegisterSet,
    validation: Option<Blockers>,
    /// How far its registers reach, for the midway status: read once for the document and every
    /// analysis (at national volume a pass over the dates of 146 million contacts and 358
    /// million prescriptions, about 0.2 s, which six readings made a second of the run).
    reach: Option<Vec<Completeness>>,
}

/// Register folders by path, and the fingerprints of files already hashed (the population
/// register is read by every analysis of `run --all`; it is hashed once).
pub struct RegisterCache {
    folders: BTreeMap<PathBuf, Folder>,
    /// The procedure codes of every spec of the run and the days they can ask about: each folder
    /// reads their procedures once ([`crate::cohort::procedures`]).
    procedures: Scope,
    /// The same for the action diagnoses of every spec's criteria ([`crate::cohort::actions`]).
    action_contacts: Scope,
    hashed: BTreeMap<PathBuf, InputFile>,
    remembered: FingerprintCache,
    validations: ValidationCache,
}

impl RegisterCache {
    /// A cache for runs of `specs` into output root `out`, with the fingerprints and validations
    /// remembered there.
    fn for_root(out: &Path, specs: &[LoadedSpec]) -> RegisterCache {
        let designs = || {
            specs.iter().map(|loaded| {
                let designs = years(loaded)
                    .into_iter()
                    .map(|year| loaded.design.in_year(year))
                    .collect();
                (&loaded.spec, designs)
            })
        };
        let procedures = Scope::of_run(
            designs(),
            cohort::procedures::codes_of,
            cohort::procedures::days_of,
        );
        let action_contacts = Scope::of_run(
            designs(),
            cohort::actions::codes_of,
            cohort::actions::days_of,
        );
        RegisterCache {
            folders: BTreeMap::new(),
            procedures,
            action_contacts,
            hashed: BTreeMap::new(),
            remembered: FingerprintCache::load(out),
            validations: ValidationCache::load(out),
        }
    }

    /// Writes back what this run learnt about its inputs.
    fn save(&self, out: &Path) -> Result<()> {
        self.remembered.save(out)?;
        self.validations.save(out)
    }

    fn folder(&mut self, dir: &Path) -> Result<&mut Folder> {
        let key = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
        if !self.folders.contains_key(&key) {
            let mut registers = RegisterSet::open(dir)?;
            registers.procedures = self.procedures.clone();
            registers.action_contacts = self.action_contacts.clone();
            self.folders.insert(
                key.clone(),
                Folder {
                    registers,
                    validation: None,
                    reach: None,
                },
            );
        }
        Ok(self.folders.get_mut(&key).expect("inserted above"))
    }

    /// The register set of `dir` (files discovered, nothing read).
    fn discovered(&mut self, dir: &Path) -> Result<&RegisterSet> {
        Ok(&self.folder(dir)?.registers)
    }

    /// How far the registers of `dir` reach ([`completeness`]), read the first time it is asked.
    fn reach(&mut self, dir: &Path) -> Result<Vec<Completeness>> {
        let folder = self.folder(dir)?;
        if folder.reach.is_none() {
            folder.reach = Some(completeness(&folder.registers)?);
        }
        Ok(folder.reach.clone().unwrap_or_default())
    }

    /// The register set of `dir` once the registers an analysis reads have passed validation
    /// (the folder is validated once, and not again in later runs while its files are unchanged;
    /// a broken register fails only the analyses that read it).
    fn validated(
        &mut self,
        dir: &Path,
        as_of: i32,
        reads: &BTreeSet<&'static str>,
    ) -> Result<&RegisterSet> {
        let key = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
        if self.folder(dir)?.validation.is_none() {
            let folder = self.folders.get_mut(&key).expect("opened above");
            let files_key = files_key(&folder.registers.discovered, &mut self.remembered)?;
            let blockers = match self.validations.reusable(&key, &files_key, as_of) {
                Some(blockers) => blockers,
                None => {
                    let blockers =
                        validate_all(&folder.registers.discovered, as_of, &Severities::default())?
                            .blockers();
                    self.validations
                        .remember(&key, files_key, as_of, blockers.clone());
                    blockers
                }
            };
            if blockers.digit_persons {
                folder.registers.read_persons_as_integers();
            }
            folder.validation = Some(blockers);
        }
        let folder = self.folder(dir)?;
        if let Some(message) = folder.validation.as_ref().and_then(|v| v.blocking(reads)) {
            return Err(Error::BadInput(message));
        }
        Ok(&folder.registers)
    }
}

/// Runs one analysis under the output root's lock; on any error nothing is left in the output
/// folder and the previous outputs stand.
pub fn run(options: &RunOptions) -> Result<RunSummary> {
    // The spec is checked before the output root is touched.
    let loaded = spec::load(&options.spec)?;
    let _lock = OutputLock::acquire(&options.out)?;
    let mut cache = RegisterCache::for_root(&options.out, &[loaded]);
    let summary = run_with(options, &mut cache)?;
    cache.save(&options.out)?;
    Ok(summary)
}

/// The `*.toml` specs of a folder, sorted by name; none is an error.
pub fn spec_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut specs: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| {
            Error::MissingInput(format!(
                "{}: cannot list pipeline specs: {e}",
                dir.display()
            ))
        })?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    specs.sort();
    if specs.is_empty() {
        return Err(Error::MissingInput(format!(
            "{}: no *.toml pipeline specs",
            dir.display()
        )));
    }
    Ok(specs)
}

/// Runs every `*.toml` spec in `dir` (sorted by name) under the output root's lock, sharing
/// register work. Every spec is checked before any data is read; an analysis that fails does not
/// stop the others, and its failure is in the result and logged (under the spec's file name).
/// Then writes the document of every analysis (see [`write_document`]) and returns its folder.
pub fn run_all(dir: &Path, options: &RunOptions) -> Result<(Vec<SpecResult>, PathBuf)> {
    let specs = spec_files(dir)?;
    let loaded = specs
        .iter()
        .map(|path| spec::load(path))
        .collect::<Result<Vec<_>>>()?;
    let _lock = OutputLock::acquire(&options.out)?;
    let mut cache = RegisterCache::for_root(&options.out, &loaded);
    let results = specs
        .into_iter()
        .map(|path| {
            let result = run_with(
                &RunOptions {
                    spec: path.clone(),
                    ..options.clone()
                },
                &mut cache,
            );
            if let Err(e) = &result {
                let name = path.file_stem().map(|n| n.to_string_lossy().to_string());
                options.log.event(&Event::Failed {
                    analysis: name.as_deref().unwrap_or(""),
                    exit_code: e.exit_code(),
                    message: &e.to_string(),
                });
            }
            (path, result)
        })
        .collect::<Vec<_>>();
    let step = Instant::now();
    let document = write_document(options, &results, &mut cache)?;
    options
        .log
        .event(&StepRecord::new("document", None, results.len() as u64, step).event("*"));
    cache.save(&options.out)?;
    Ok((results, document))
}

/// The folder of the document of every analysis, under the output root.
fn document_folder(options: &RunOptions) -> PathBuf {
    let name = match options.report {
        ReportKind::Annual => "aarsanalyse",
        ReportKind::Midway => "midtvejsstatus",
    };
    let suffix = if options.internal { "-internal" } else { "" };
    options.out.join(format!("{name}{suffix}"))
}

/// The record of a register file for a document's provenance.
fn input_record(i: &InputFile) -> InputRecord {
    InputRecord {
        path: i.path.display().to_string(),
        register: i.register.clone(),
        sha256: i.sha256.clone(),
    }
}

/// The lines heading a document's Excel workbook.
fn about(options: &RunOptions, titles: &[&str]) -> Vec<String> {
    let lang = options.lang;
    let mut lines = vec![format!(
        "{} {}",
        document::kind_name(options.report, lang),
        crate::dates::year_of(options.as_of)
    )];
    if let Some(mark) = options.internal_mark() {
        lines.push(mark.to_string());
    }
    lines.extend(titles.iter().map(|t| t.to_string()));
    lines.push(format!(
        "{} {}",
        lang.pick("Data til og med", "Data up to"),
        crate::dates::format_iso(options.as_of)
    ));
    lines.push(
        lang.pick(
            "Hvert ark er en nummereret tabel fra rapporten med de samme afrundede tal; tomme celler er undertrykt af diskretionshensyn eller ikke beregnet (se rapporten).",
            "Each sheet is a numbered table of the report with the same rounded numbers; empty cells are suppressed for disclosure control or not computed (see the report).",
        )
        .to_string(),
    );
    lines.push(format!("ulighed {}", env!("CARGO_PKG_VERSION")));
    lines
}

/// The released rows and provenance of an analysis a run wrote (or kept), read back from its
/// output folder.
fn released(summary: &RunSummary) -> Result<(Vec<Row>, RunRecord)> {
    let rows = tidy::read(
        &summary
            .folder
            .join("tables")
            .join(format!("{}.csv", summary.id)),
    )?;
    let path = summary.folder.join("manifest.json");
    let text = std::fs::read_to_string(&path).map_err(|e| Error::reading(&path, e))?;
    let manifest: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| Error::reading(&path, format!("not a manifest ({e})")))?;
    let text_of = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
    let inputs = manifest["inputs"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|i| InputRecord {
            path: text_of(&i["path"]),
            register: text_of(&i["register"]),
            sha256: text_of(&i["sha256"]),
        })
        .collect();
    Ok((
        rows,
        RunRecord {
            spec_sha256: text_of(&manifest["spec_sha256"]),
            run_key: text_of(&manifest["run_key"]),
            inputs,
            threshold: manifest["disclosure"]["threshold"].as_u64().unwrap_or(0),
            unchanged: summary.skipped,
        },
    ))
}

/// Writes the document of every analysis of `run --all` (the annual analysis or the midway
/// status) from the released tables the runs wrote or kept; an analysis that failed is listed
/// as pending. Written atomically, like an analysis's folder.
fn write_document(
    options: &RunOptions,
    results: &[SpecResult],
    cache: &mut RegisterCache,
) -> Result<PathBuf> {
    let specs: Vec<LoadedSpec> = results
        .iter()
        .map(|(path, _)| spec::load(path))
        .collect::<Result<_>>()?;
    let mut analyses = Vec::new();
    let mut listed = Vec::new();
    for ((_, result), loaded) in results.iter().zip(&specs) {
        let (rows, run) = match result {
            Ok(summary) => {
                let (rows, record) = released(summary)?;
                (rows, Ok(record))
            }
            Err(e) => (Vec::new(), Err(e.to_string())),
        };
        listed.push(manifest::DocumentAnalysis {
            analysis: loaded.spec.id.clone(),
            status: match &run {
                Ok(_) => "ok".into(),
                Err(why) => format!("pending: {why}"),
            },
            run_key: run.as_ref().ok().map(|r| r.run_key.clone()),
        });
        analyses.push(Analysis {
            spec: loaded,
            rows,
            run,
        });
    }
    let mut reach: Vec<Completeness> = Vec::new();
    if options.report == ReportKind::Midway {
        let mut folders: Vec<PathBuf> = specs
            .iter()
            .map(|s| {
                options
                    .registers
                    .clone()
                    .unwrap_or_else(|| s.registers.clone())
            })
            .collect();
        folders.sort();
        folders.dedup();
        let several = folders.len() > 1;
        for dir in folders {
            for mut c in cache.reach(&dir)? {
                if several {
                    c.register = format!("{} ({})", c.register, dir.display());
                }
                reach.push(c);
            }
        }
    }
    let doc = document::build(&DocumentSpec {
        kind: options.report,
        lang: options.lang,
        as_of: options.as_of,
        internal: options.internal_mark(),
        analyses: &analyses,
        completeness: &reach,
        single: false,
    })?;
    let titles: Vec<&str> = specs
        .iter()
        .map(|s| options.lang.pick(&s.spec.title_da, &s.spec.title_en))
        .collect();
    let mut files = bundle::files(&doc, options.bundle(), &about(options, &titles))?;
    let manifest = manifest::DocumentManifest::new(options, listed, &files);
    files.push(("manifest.json".into(), manifest.to_json()?.into_bytes()));
    let staging = output::Staging::new(&document_folder(options))?;
    for (path, bytes) in &files {
        staging.write(path, bytes)?;
    }
    let folder = staging.commit()?;
    options.log.event(&Event::Document {
        kind: document::kind_name(options.report, options.lang),
        folder: &folder.display().to_string(),
    });
    Ok(folder)
}

/// The years an analysis covers: its trend span, or its own year.
fn years(loaded: &LoadedSpec) -> Vec<i32> {
    match &loaded.spec.trend {
        Some(t) => (t.first_year..=t.last_year).collect(),
        None => vec![loaded.year()],
    }
}

/// The spec moved to another year (the trend).
fn in_year(loaded: &LoadedSpec, year: i32) -> LoadedSpec {
    LoadedSpec {
        design: loaded.design.in_year(year),
        ..loaded.clone()
    }
}

/// The collected patient frame of one year: patients with outcomes and strata.
fn patient_frame(registers: &RegisterSet, loaded: &LoadedSpec) -> Result<DataFrame> {
    let computed = |frame: LazyFrame| {
        crate::registers::scan::collect_streaming(frame).map_err(|e| {
            Error::BadInput(format!(
                "{}: the analysis could not be computed from the registers: {e}",
                loaded.path.display()
            ))
        })
    };
    // Collected between stages: each outcome and stratifier joins the patients again, and a
    // collected frame is not recomputed for each join.
    let patients = computed(cohort::patients(registers, loaded)?)?.lazy();
    let patients = computed(cohort::with_outcomes(registers, loaded, patients)?)?.lazy();
    let mut frame = strata::attach(registers, loaded, patients)?;
    let regions = &loaded.spec.population.regions;
    if !regions.is_empty() {
        frame = frame.filter(col("region").is_in(
            lit(Series::new("r".into(), regions.clone())).implode(false),
            false,
        ));
    }
    computed(frame)
}

/// The rows of a sub-analysis's sub-population.
fn restrict(frame: &DataFrame, sub: &SubAnalysis) -> Result<DataFrame> {
    let mut keep = lit(true);
    if let Some(sex) = &sub.sex {
        keep = keep.and(col("KOEN").eq(lit(sex.clone())));
    }
    if let Some(min) = sub.age_min {
        keep = keep.and(col("AGE").gt_eq(lit(min)));
    }
    if let Some(max) = sub.age_max {
        keep = keep.and(col("AGE").lt_eq(lit(max)));
    }
    if !sub.regions.is_empty() {
        keep = keep.and(col("region").is_in(
            lit(Series::new("r".into(), sub.regions.clone())).implode(false),
            false,
        ));
    }
    Ok(frame.clone().lazy().filter(keep).collect()?)
}

/// The standard population weights by sex and 5-year age band.
fn standard_weights(
    registers: &RegisterSet,
    loaded: &LoadedSpec,
) -> Result<Option<StandardWeights>> {
    let Some(s) = &loaded.spec.standardisation else {
        return Ok(None);
    };
    match s.standard {
        Standard::Esp2013 => {
            let esp = esp2013_weights().map(|w| w / 2.0);
            Ok(Some(StandardWeights {
                name: "ESP2013",
                weights: [esp, esp],
            }))
        }
        Standard::Danish(year) => {
            // The same for every analysis standardised to this year: counted once per run. One
            // integer per sex and age band (sex * 100 + band) is grouped, where a text and an
            // integer key are encoded together for every person first.
            let table = registers.shared(&format!("standard_population/{year}"), || {
                let band = when(col("AGE").gt_eq(lit(90)))
                    .then(lit(18))
                    .when(col("AGE").lt(lit(0)))
                    .then(lit(0))
                    .otherwise((col("AGE") / lit(5)).cast(DataType::Int32))
                    .cast(DataType::Int32)
                    .fill_null(lit(0));
                let female = col("KOEN").eq(lit("2")).fill_null(lit(false));
                cohort::register_population(registers, year, loaded)?
                    .select([(female.cast(DataType::Int32) * lit(100) + band).alias("CELL")])
                    .group_by([col("CELL")])
                    .agg([len().cast(DataType::Float64).alias("n")])
                    .collect()
                    .map_err(|e| Error::BadInput(format!("the standard population dk{year}: {e}")))
            })?;
            let mut weights = [[0.0; 19]; 2];
            let cell = table.column("CELL")?.i32()?;
            let n = table.column("n")?.f64()?;
            for (cell, n) in cell.iter().zip(n.iter()) {
                let cell = cell.unwrap_or(0);
                let (sex, band) = ((cell / 100).clamp(0, 1), (cell % 100).clamp(0, 18));
                weights[sex as usize][band as usize] += n.unwrap_or(0.0);
            }
            Ok(Some(StandardWeights {
                name: "dk",
                weights,
            }))
        }
    }
}

fn run_with(options: &RunOptions, cache: &mut RegisterCache) -> Result<RunSummary> {
    let started = Instant::now();
    let loaded = spec::load(&options.spec)?;
    let id = loaded.spec.id.clone();
    let summary = analyse(options, cache, &loaded, started).map_err(|e| {
        let folder = options.registers.as_ref().unwrap_or(&loaded.registers);
        let remembered = options.out.join(crate::ops::fingerprint::CACHE_FOLDER);
        match crate::registers::persons::changed_since_validation(
            &e.to_string(),
            folder,
            &remembered,
        ) {
            Some(message) => Error::BadInput(message),
            None => e,
        }
    })?;
    if !summary.skipped {
        options.log.event(&Event::Done {
            analysis: &id,
            patients: summary.patients,
            suppressed_primary: summary.suppressed.primary,
            suppressed_secondary: summary.suppressed.secondary,
            folder: &summary.folder.display().to_string(),
            seconds: started.elapsed().as_secs_f64(),
        });
    }
    Ok(summary)
}

/// The output folder of an analysis.
fn output_folder(options: &RunOptions, id: &str) -> PathBuf {
    if options.internal {
        options.out.join(format!("{id}-internal"))
    } else {
        options.out.join(id)
    }
}

/// The run key of the last successful run into `folder`, from its manifest.
fn previous_key(folder: &Path) -> Option<String> {
    let text = std::fs::read_to_string(folder.join("manifest.json")).ok()?;
    let manifest: serde_json::Value = serde_json::from_str(&text).ok()?;
    (manifest["status"] == "ok")
        .then(|| manifest["run_key"].as_str().map(str::to_string))
        .flatten()
}

/// The classification tables an analysis reads, fingerprinted like its registers (so a changed
/// table reruns the analysis, and the provenance lists it).
fn classification_inputs(tables: &Classifications) -> Result<Vec<InputFile>> {
    tables
        .files()
        .into_iter()
        .map(|path| {
            let path = path.to_path_buf();
            Ok(InputFile {
                bytes: std::fs::metadata(&path)
                    .map_err(|e| {
                        Error::MissingInput(format!(
                            "{}: the classification table cannot be read: {e}",
                            path.display()
                        ))
                    })?
                    .len(),
                sha256: crate::ops::fingerprint::sha256_of(&path)?,
                register: "classification".to_string(),
                path,
            })
        })
        .collect()
}

fn analyse(
    options: &RunOptions,
    cache: &mut RegisterCache,
    loaded: &LoadedSpec,
    started: Instant,
) -> Result<RunSummary> {
    let loaded = &LoadedSpec {
        classifications: loaded.classifications.clone().or(&options.classifications),
        ..loaded.clone()
    };
    let id = loaded.spec.id.as_str();
    let registers_dir = options
        .registers
        .clone()
        .unwrap_or_else(|| loaded.registers.clone());
    let reads = registers_read(loaded);
    let step = Instant::now();
    let discovered = cache.discovered(&registers_dir)?.discovered.clone();
    let mut inputs = fingerprints(
        &discovered,
        &reads,
        &mut cache.hashed,
        &mut cache.remembered,
    )?;
    inputs.extend(classification_inputs(&loaded.classifications)?);
    let fingerprinted = StepRecord::new("fingerprint", None, inputs.len() as u64, step);
    let key = run_key(loaded, &options.settings(), &inputs);
    let folder = output_folder(options, id);
    if !options.force && previous_key(&folder).as_deref() == Some(key.as_str()) {
        options.log.event(&Event::Skip {
            analysis: id,
            reason: "the spec and every input it reads are unchanged since the last successful run (use --force to run anyway)",
        });
        return Ok(RunSummary {
            id: id.to_string(),
            folder,
            patients: 0,
            suppressed: SuppressionSummary::default(),
            skipped: true,
        });
    }
    options.log.event(&Event::Start { analysis: id });
    options.log.event(&fingerprinted.event(id));
    let step = Instant::now();
    let registers = cache.validated(&registers_dir, options.as_of, &reads)?;
    let mut steps = vec![
        fingerprinted,
        StepRecord::new("validate", None, inputs.len() as u64, step),
    ];
    options.log.event(&steps[1].event(id));
    let threshold = match options.threshold {
        Some(value) => Threshold::new(value, Audience::External).map_err(|_| {
            Error::Usage(format!(
                "--threshold {value}: expected at least 3 for output that leaves the secure environment (an internal run, --internal, applies no suppression at all)"
            ))
        })?,
        None => Threshold::new(
            loaded.spec.disclosure.as_ref().map_or(5, |d| d.threshold),
            Audience::External,
        )
        .map_err(|e| {
            Error::BadSpec(format!(
                "{}: key `disclosure.threshold`: {e}",
                loaded.path.display()
            ))
        })?,
    };
    let rounding = loaded
        .spec
        .disclosure
        .as_ref()
        .and_then(|d| d.round_to)
        .map(|base| {
            if base == 3 {
                RoundingBase::Three
            } else {
                RoundingBase::Five
            }
        });
    let standard = standard_weights(registers, loaded)?;
    let mut rows: Vec<Row> = Vec::new();
    let mut suppressed = SuppressionSummary {
        threshold: threshold.value(),
        rule: SUPPRESSION_RULE,
        ..Default::default()
    };
    let mut patients = 0;
    let last_year = *years(loaded).last().unwrap_or(&loaded.year());
    for year in years(loaded) {
        let yearly = in_year(loaded, year);
        let step = Instant::now();
        let frame = {
            let _progress = options.log.progress(format!("{id}: patients {year}"));
            patient_frame(registers, &yearly)?
        };
        let record = StepRecord::new("patients", Some(year), frame.height() as u64, step);
        options.log.event(&record.event(id));
        steps.push(record);
        let step = Instant::now();
        let mut aggregate_seconds = 0.0;
        let rows_before = rows.len();
        if year == last_year {
            patients = frame.height() as u64;
        }
        let mut populations: Vec<(Option<&SubAnalysis>, DataFrame)> = vec![(None, frame.clone())];
        for sub in &loaded.spec.sub_analyses {
            populations.push((Some(sub), restrict(&frame, sub)?));
        }
        for stratifier in &loaded.spec.stratifiers {
            let code = stratifier.code();
            let measures = measures_for(loaded, stratifier);
            // Every table of this stratifier, gated together (see `gate`).
            let mut tables = Vec::new();
            for (sub, frame) in &populations {
                let outcomes = loaded.outcomes_of(*sub);
                let indices: Vec<usize> = outcomes
                    .iter()
                    .map(|outcome| {
                        loaded
                            .spec
                            .outcomes
                            .iter()
                            .position(|o| o.id == outcome.id)
                            .unwrap_or(0)
                    })
                    .collect();
                let aggregating = Instant::now();
                let counts = aggregate::counts(frame, &code, &indices)?;
                for ((outcome, &index), counts) in outcomes.into_iter().zip(&indices).zip(counts) {
                    let waiting = if outcome.waiting_time {
                        Some(aggregate::waiting(frame, &code, index)?)
                    } else {
                        None
                    };
                    tables.push((*sub, outcome, counts, waiting));
                }
                aggregate_seconds += aggregating.elapsed().as_secs_f64();
            }
            let slices: Vec<Slice> = tables
                .iter()
                .map(|(sub, outcome, counts, _)| Slice {
                    subanalysis: sub.map_or(String::new(), |s| s.id.clone()),
                    outcome: outcome.id.clone(),
                    at_risk_of: links::at_risk_of(&loaded.spec, outcome).map(|o| o.id.clone()),
                    not_at_risk_are: links::not_at_risk_are(&loaded.spec, outcome)
                        .map(|o| o.id.clone()),
                    within: links::within(&loaded.spec, outcome).map(|o| o.id.clone()),
                    levels: counts
                        .iter()
                        .map(|(l, c)| (l.clone(), (c.events(), c.persons())))
                        .collect(),
                })
                .collect();
            let decisions = if options.internal {
                slices.iter().map(show_everything).collect()
            } else {
                let (decisions, counts) = gate(&slices, threshold)?;
                suppressed.primary += counts.primary;
                suppressed.secondary += counts.secondary;
                suppressed.cells.extend(
                    counts
                        .records
                        .into_iter()
                        .filter(|r| {
                            !matches!(r.cause, SuppressionCause::SensitiveUnpublished { .. })
                        })
                        .map(|r| SuppressedCell {
                            year,
                            dimension: code.clone(),
                            cell: r.label,
                        }),
                );
                decisions
            };
            for ((sub, outcome, levels, waiting), decision) in tables.into_iter().zip(&decisions) {
                let ctx = DimensionContext {
                    analysis: &loaded.spec.id,
                    subanalysis: sub.map_or("", |s| s.id.as_str()),
                    year,
                    outcome,
                    stratifier,
                    measures: &measures,
                    threshold,
                    standard: standard.as_ref(),
                    quality_standard: loaded
                        .spec
                        .quality
                        .as_ref()
                        .filter(|q| {
                            q.unit == *stratifier
                                && q.outcome.as_ref().is_none_or(|o| *o == outcome.id)
                        })
                        .map(|q| q.standard_percent),
                    rounding: rounding.filter(|_| !options.internal),
                };
                rows.extend(dimension_rows(&ctx, levels, waiting.as_ref(), decision)?);
            }
        }
        let aggregated = StepRecord {
            step: "aggregate",
            year: Some(year),
            rows: frame.height() as u64,
            seconds: aggregate_seconds,
        };
        options.log.event(&aggregated.event(id));
        steps.push(aggregated);
        let mut record = StepRecord::new(
            "measures",
            Some(year),
            (rows.len() - rows_before) as u64,
            step,
        );
        record.seconds -= aggregate_seconds;
        options.log.event(&record.event(id));
        steps.push(record);
    }
    let step = Instant::now();
    let reach = if options.report == ReportKind::Midway {
        cache.reach(&registers_dir)?
    } else {
        Vec::new()
    };
    let summary = write_outputs(
        options,
        loaded,
        &reach,
        &Provenance {
            registers: &registers_dir,
            run_key: &key,
            inputs: &inputs,
            steps: &steps,
            started,
        },
        rows,
        suppressed,
        patients,
    )?;
    options
        .log
        .event(&StepRecord::new("write", None, 0, step).event(id));
    Ok(summary)
}

/// One step of a run for the log and the manifest.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StepRecord {
    pub step: &'static str,
    pub year: Option<i32>,
    pub rows: u64,
    pub seconds: f64,
}

impl StepRecord {
    fn new(step: &'static str, year: Option<i32>, rows: u64, since: Instant) -> StepRecord {
        StepRecord {
            step,
            year,
            rows,
            seconds: since.elapsed().as_secs_f64(),
        }
    }

    fn event<'a>(&'a self, analysis: &'a str) -> Event<'a> {
        Event::Step {
            analysis,
            step: self.step,
            year: self.year,
            rows: self.rows,
            seconds: self.seconds,
        }
    }
}

/// Where a run's numbers came from, for its manifest.
pub struct Provenance<'a> {
    pub registers: &'a Path,
    pub run_key: &'a str,
    pub inputs: &'a [InputFile],
    pub steps: &'a [StepRecord],
    pub started: Instant,
}

/// An internal run's decision: every count shown.
fn show_everything(slice: &Slice) -> Decision {
    slice
        .levels
        .keys()
        .cloned()
        .chain([TOTAL.to_string()])
        .map(|level| {
            (
                level,
                Shown {
                    numerator: true,
                    denominator: true,
                },
            )
        })
        .collect()
}

/// Writes the tables, figures, report and manifest of one analysis atomically.
///
/// `reach` is how far the registers reach, shown in a midway status (empty otherwise).
fn write_outputs(
    options: &RunOptions,
    loaded: &LoadedSpec,
    reach: &[Completeness],
    provenance: &Provenance<'_>,
    rows: Vec<Row>,
    suppressed: SuppressionSummary,
    patients: u64,
) -> Result<RunSummary> {
    let id = &loaded.spec.id;
    let spec_hash = output::sha256_hex(loaded.text.as_bytes());
    let analyses = [Analysis {
        spec: loaded,
        rows: rows.clone(),
        run: Ok(RunRecord {
            spec_sha256: spec_hash.clone(),
            run_key: provenance.run_key.to_string(),
            inputs: provenance.inputs.iter().map(input_record).collect(),
            threshold: suppressed.threshold,
            unchanged: false,
        }),
    }];
    let doc = document::build(&DocumentSpec {
        kind: options.report,
        lang: options.lang,
        as_of: options.as_of,
        internal: options.internal_mark(),
        analyses: &analyses,
        completeness: reach,
        single: true,
    })?;
    let staging = output::Staging::new(&output_folder(options, id))?;
    let mut csv = tidy::to_csv(&rows);
    if options.internal {
        csv = format!(
            "# {NOT_FOR_RELEASE}: ulighed run --internal, uden diskretionering / without disclosure control\n{csv}"
        );
    }
    let mut files: Vec<(String, Vec<u8>)> = vec![(format!("tables/{id}.csv"), csv.into_bytes())];
    files.extend(bundle::files(
        &doc,
        options.bundle(),
        &about(options, &[loaded.spec.title_da.as_str()]),
    )?);
    let manifest = manifest::Manifest::new(
        loaded,
        &spec_hash,
        provenance,
        options,
        &suppressed,
        &files,
        rows.len(),
    );
    files.push(("manifest.json".into(), manifest.to_json()?.into_bytes()));
    for (path, bytes) in &files {
        staging.write(path, bytes)?;
    }
    let folder = staging.commit()?;
    Ok(RunSummary {
        id: id.clone(),
        folder,
        patients,
        suppressed,
        skipped: false,
    })
}

/// The spec `ulighed run` uses without arguments.
pub fn default_spec() -> &'static Path {
    Path::new("pipelines/t2d_sglt2_glp1.toml")
}

/// What `run` would do for one spec and why, without computing anything (`ulighed plan`): the
/// inputs are fingerprinted and compared with the last successful run's manifest.
pub fn dry_run(options: &RunOptions) -> Result<String> {
    let loaded = spec::load(&options.spec)?;
    let registers_dir = options
        .registers
        .clone()
        .unwrap_or_else(|| loaded.registers.clone());
    let registers = RegisterSet::open(&registers_dir)?;
    let inputs = fingerprints(
        &registers.discovered,
        &registers_read(&loaded),
        &mut BTreeMap::new(),
        &mut FingerprintCache::load(&options.out),
    )?;
    let key = run_key(&loaded, &options.settings(), &inputs);
    let folder = output_folder(options, &loaded.spec.id);
    let manifest: Option<serde_json::Value> = std::fs::read_to_string(folder.join("manifest.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok());
    let Some(manifest) = manifest.filter(|m| m["status"] == "ok") else {
        return Ok(format!(
            "would run: no successful run in {}",
            folder.display()
        ));
    };
    if manifest["run_key"].as_str() == Some(key.as_str()) {
        return Ok(format!(
            "up to date: nothing it reads has changed since the run of {} (would be skipped)",
            folder.display()
        ));
    }
    let before: BTreeMap<String, String> = manifest["inputs"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| {
            Some((
                i["path"].as_str()?.to_string(),
                i["sha256"].as_str()?.to_string(),
            ))
        })
        .collect();
    let changed: Vec<String> = inputs
        .iter()
        .filter(|i| before.get(&i.path.display().to_string()) != Some(&i.sha256))
        .map(|i| i.path.display().to_string())
        .collect();
    Ok(if changed.is_empty() {
        "would run: the spec, the settings or the tool version changed".to_string()
    } else {
        format!("would run: changed input(s) {}", changed.join(", "))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Danish standard population of 2023 counted by hand from six residents' ages on
    /// 1 January 2023: three men of 32-34 (band 6, one of them 33 on his birthday, one a day
    /// short of 35), a woman of 92 (band 18, 90+), one of 89 (band 17, a day short of 90) and a
    /// girl of 0 (band 0).
    #[test]
    fn the_danish_standard_population_counts_residents_by_sex_and_age_band() {
        let dir = tempfile::tempdir().expect("temp");
        std::fs::write(
            dir.path().join("bef2023.csv"),
            "PNR,FOED_DAG,KOEN,KOM,IE_TYPE\n\
             1,1990-06-01,1,101,1\n2,1990-01-01,1,101,1\n3,1988-01-02,1,101,1\n\
             4,1930-05-05,2,101,1\n5,1933-01-02,2,101,1\n6,2022-12-31,2,101,1\n",
        )
        .expect("bef");
        let registers = RegisterSet::open(dir.path()).expect("opened");
        let loaded = spec::load(Path::new("pipelines/multimorbidity_contacts.toml")).expect("spec");
        let standard = standard_weights(&registers, &loaded)
            .expect("counted")
            .expect("the spec standardises");
        let mut expected = [[0.0; 19]; 2];
        expected[0][6] = 3.0;
        expected[1][18] = 1.0;
        expected[1][17] = 1.0;
        expected[1][0] = 1.0;
        assert_eq!(standard.name, "dk");
        assert_eq!(standard.weights, expected);
    }
}
