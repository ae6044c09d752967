//! Running analyses: spec -> validated registers -> cohort -> strata -> aggregate -> measures ->
//! disclosure -> outputs, written atomically.
//!
//! The person-level work of a spec (and of each trend year) is collected once into the patient
//! frame, which is small next to the registers; every sub-analysis, outcome and stratifier is then
//! a GROUP BY over it. `run --all` also shares the register discovery and validation between specs
//! that read the same folder.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::disclosure::RoundingBase;
use crate::disclosure::{Audience, Threshold};
use crate::error::{Error, Result};
use crate::measures::dsr::esp2013_weights;
use crate::pipeline::gate::{Decision, Shown, Slice, gate};
use crate::pipeline::results::{
    DimensionContext, ResultRow, StandardWeights, SuppressedCell, SuppressionSummary, TOTAL,
    dimension_rows,
};
use crate::pipeline::spec::{self, LoadedSpec, Standard, SubAnalysis};
use crate::registers::scan::RegisterSet;
use crate::registers::validate::{Severities, validate};
use crate::report::labels::Lang;
use crate::report::{figure, html, manifest, output, table};
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
}

/// The mark on every page and file of an internal run.
pub const NOT_FOR_RELEASE: &str = "IKKE TIL OFFENTLIGGØRELSE / NOT FOR RELEASE";

/// What a run wrote.
#[derive(Debug)]
pub struct RunSummary {
    pub folder: PathBuf,
    pub patients: u64,
    pub suppressed: SuppressionSummary,
}

/// Registers opened and validated once per folder, shared by the specs of `run --all`.
#[derive(Default)]
pub struct RegisterCache {
    sets: BTreeMap<PathBuf, RegisterSet>,
}

impl RegisterCache {
    /// The validated register set of `dir`, opened and validated on first use.
    pub fn get(&mut self, dir: &Path, as_of: i32) -> Result<&RegisterSet> {
        let key = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
        if !self.sets.contains_key(&key) {
            let registers = RegisterSet::open(dir)?;
            check_registers(&registers, as_of)?;
            self.sets.insert(key.clone(), registers);
        }
        Ok(&self.sets[&key])
    }
}

/// Runs one analysis; on any error nothing is left in the output folder.
pub fn run(options: &RunOptions) -> Result<RunSummary> {
    run_with(options, &mut RegisterCache::default())
}

/// Runs every `*.toml` spec in `dir` (sorted by name), sharing register work; stops at the first
/// failing spec, leaving the outputs of those already written.
pub fn run_all(dir: &Path, options: &RunOptions) -> Result<Vec<RunSummary>> {
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
    // Every spec is checked before any data is read.
    for path in &specs {
        spec::load(path)?;
    }
    let mut cache = RegisterCache::default();
    specs
        .iter()
        .map(|path| {
            run_with(
                &RunOptions {
                    spec: path.clone(),
                    ..options.clone()
                },
                &mut cache,
            )
        })
        .collect()
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
    let patients = cohort::patients(registers, loaded)?;
    let patients = cohort::with_outcomes(registers, loaded, patients)?;
    let mut frame = strata::attach(registers, loaded, patients)?;
    let regions = &loaded.spec.population.regions;
    if !regions.is_empty() {
        frame = frame.filter(col("region").is_in(
            lit(Series::new("r".into(), regions.clone())).implode(false),
            false,
        ));
    }
    frame.collect().map_err(|e| {
        Error::BadInput(format!(
            "{}: the analysis could not be computed from the registers: {e}",
            loaded.path.display()
        ))
    })
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
            let table = cohort::register_population(registers, year, loaded)?
                .with_column(
                    when(col("AGE").gt_eq(lit(90)))
                        .then(lit(18))
                        .otherwise((col("AGE") / lit(5)).cast(DataType::Int32))
                        .cast(DataType::Int32)
                        .alias("AGE_BAND"),
                )
                .group_by([col("KOEN"), col("AGE_BAND")])
                .agg([len().cast(DataType::Float64).alias("n")])
                .collect()
                .map_err(|e| Error::BadInput(format!("the standard population dk{year}: {e}")))?;
            let mut weights = [[0.0; 19]; 2];
            let sex = table.column("KOEN")?.str()?;
            let band = table.column("AGE_BAND")?.i32()?;
            let n = table.column("n")?.f64()?;
            for i in 0..table.height() {
                let s = usize::from(sex.get(i) == Some("2"));
                let b = band.get(i).unwrap_or(0).clamp(0, 18) as usize;
                weights[s][b] += n.get(i).unwrap_or(0.0);
            }
            Ok(Some(StandardWeights {
                name: "dk",
                weights,
            }))
        }
    }
}

/// The measures of a stratifier: its own list, the spec's, or the default.
pub fn measures_for(loaded: &LoadedSpec, stratifier: &spec::Stratifier) -> Vec<String> {
    if let Some(list) = loaded.spec.stratifier_measures.get(&stratifier.code()) {
        return list.clone();
    }
    if let Some(list) = &loaded.spec.measures {
        return list.clone();
    }
    let mut list: Vec<String> = vec!["proportion".into()];
    if loaded.spec.standardisation.is_some() {
        list.push("age_standardised".into());
    }
    list.extend(["difference", "ratio"].map(String::from));
    if loaded.spec.outcomes.iter().any(|o| o.waiting_time) {
        list.push("waiting_time".into());
    }
    list.extend(
        [
            "sii", "rii", "aci", "rci", "paf", "par", "bgv", "bgsd", "cov", "idisu", "idisw", "ti",
            "mld",
        ]
        .map(String::from),
    );
    if loaded
        .spec
        .quality
        .as_ref()
        .is_some_and(|q| q.unit == *stratifier)
    {
        list.push("funnel".into());
    }
    list
}

fn run_with(options: &RunOptions, cache: &mut RegisterCache) -> Result<RunSummary> {
    let loaded = spec::load(&options.spec)?;
    let registers_dir = options
        .registers
        .clone()
        .unwrap_or_else(|| loaded.registers.clone());
    let registers = cache.get(&registers_dir, options.as_of)?;
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
    let standard = standard_weights(registers, &loaded)?;
    let mut rows: Vec<ResultRow> = Vec::new();
    let mut suppressed = SuppressionSummary {
        threshold: threshold.value(),
        ..Default::default()
    };
    let mut patients = 0;
    let last_year = *years(&loaded).last().unwrap_or(&loaded.year());
    for year in years(&loaded) {
        let yearly = in_year(&loaded, year);
        let frame = patient_frame(registers, &yearly)?;
        if year == last_year {
            patients = frame.height() as u64;
        }
        let mut populations: Vec<(Option<&SubAnalysis>, DataFrame)> = vec![(None, frame.clone())];
        for sub in &loaded.spec.sub_analyses {
            populations.push((Some(sub), restrict(&frame, sub)?));
        }
        for stratifier in &loaded.spec.stratifiers {
            let code = stratifier.code();
            let measures = measures_for(&loaded, stratifier);
            // Every table of this stratifier, gated together (see `gate`).
            let mut tables = Vec::new();
            for (sub, frame) in &populations {
                for outcome in loaded.outcomes_of(*sub) {
                    let index = loaded
                        .spec
                        .outcomes
                        .iter()
                        .position(|o| o.id == outcome.id)
                        .unwrap_or(0);
                    let counts = aggregate::counts(frame, &code, index)?;
                    let waiting = if outcome.waiting_time {
                        Some(aggregate::waiting(frame, &code, index)?)
                    } else {
                        None
                    };
                    tables.push((*sub, outcome, counts, waiting));
                }
            }
            let slices: Vec<Slice> = tables
                .iter()
                .map(|(sub, outcome, counts, _)| Slice {
                    subanalysis: sub.map_or(String::new(), |s| s.id.clone()),
                    outcome: outcome.id.clone(),
                    at_risk_of: outcome
                        .alive_days
                        .and_then(|_| loaded.spec.outcomes.iter().find(|o| o.alive_days.is_none()))
                        .map(|o| o.id.clone()),
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
                suppressed
                    .cells
                    .extend(counts.records.into_iter().map(|r| SuppressedCell {
                        year,
                        dimension: code.clone(),
                        cell: r.label,
                        cause: r.cause,
                    }));
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
    }
    write_outputs(options, &loaded, &registers_dir, rows, suppressed, patients)
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
fn write_outputs(
    options: &RunOptions,
    loaded: &LoadedSpec,
    registers_dir: &Path,
    rows: Vec<ResultRow>,
    suppressed: SuppressionSummary,
    patients: u64,
) -> Result<RunSummary> {
    let id = &loaded.spec.id;
    let lang = options.lang;
    let preliminary = options.report == ReportKind::Midway;
    let last_year = rows.iter().map(|r| r.year).max().unwrap_or(loaded.year());
    let figure_dimension = loaded
        .spec
        .stratifiers
        .iter()
        .find(|s| s.code() == "education")
        .or(loaded.spec.stratifiers.first())
        .map(|s| s.code())
        .unwrap_or_default();
    let mut figures = Vec::new();
    for outcome in &loaded.spec.outcomes {
        let shown: Vec<ResultRow> = rows
            .iter()
            .filter(|r| r.outcome == outcome.id && r.subanalysis.is_empty() && r.year == last_year)
            .cloned()
            .collect();
        let mut title = lang.pick(&outcome.name_da, &outcome.name_en).to_string();
        if preliminary {
            title = format!("{title} – {}", lang.pick("foreløbig", "preliminary"));
        }
        if options.internal {
            title = format!("{NOT_FOR_RELEASE}: {title}");
        }
        let svg = figure::proportions_svg(&shown, &figure_dimension, &title, lang)?;
        figures.push((
            format!("figures/{id}_{}_{figure_dimension}.svg", outcome.id),
            outcome.id.clone(),
            svg,
        ));
    }
    let spec_hash = output::sha256_hex(loaded.text.as_bytes());
    let page = html::render(&html::ReportContext {
        spec: loaded,
        rows: &rows,
        figures: &figures,
        suppression: &suppressed,
        spec_hash: &spec_hash,
        registers: &registers_dir.display().to_string(),
        lang,
        preliminary,
        internal: options.internal.then_some(NOT_FOR_RELEASE),
    });
    let folder_name = if options.internal {
        format!("{id}-internal")
    } else {
        id.clone()
    };
    let staging = output::Staging::new(&options.out.join(folder_name))?;
    let mut csv = table::to_csv(&rows);
    if options.internal {
        csv = format!(
            "# {NOT_FOR_RELEASE}: ulighed run --internal, uden diskretionering / without disclosure control\n{csv}"
        );
    }
    let mut files: Vec<(String, Vec<u8>)> = vec![
        (format!("tables/{id}.csv"), csv.into_bytes()),
        ("report.html".into(), page.into_bytes()),
    ];
    for (path, _, svg) in figures {
        files.push((path, svg.into_bytes()));
    }
    let manifest = manifest::Manifest::new(
        loaded,
        &spec_hash,
        registers_dir,
        options,
        &suppressed,
        &files,
    );
    files.push(("manifest.json".into(), manifest.to_json()?.into_bytes()));
    for (path, bytes) in &files {
        staging.write(path, bytes)?;
    }
    let folder = staging.commit()?;
    Ok(RunSummary {
        folder,
        patients,
        suppressed,
    })
}

/// Validates the registers before any analysis reads them; errors stop the run with the first
/// finding in full and the count of the rest.
fn check_registers(registers: &RegisterSet, as_of: i32) -> Result<()> {
    let report = validate(&registers.discovered, as_of, &Severities::default())?;
    let errors: Vec<_> = report.errors().collect();
    match errors.as_slice() {
        [] => Ok(()),
        [first, rest @ ..] => Err(Error::BadInput(format!(
            "{}{}",
            first.message(),
            if rest.is_empty() {
                String::new()
            } else {
                format!(
                    " (and {} more problem(s); run `ulighed validate {}` for all)",
                    rest.len(),
                    registers.discovered.dir.display()
                )
            }
        ))),
    }
}

/// The spec `ulighed run` uses without arguments.
pub fn default_spec() -> &'static Path {
    Path::new("pipelines/t2d_sglt2_glp1.toml")
}
