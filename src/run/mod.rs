//! Running analyses, in the order of the design's chain: the spec is loaded and its inputs
//! fingerprinted (an unchanged analysis is skipped, [`incremental`]), the registers validated
//! ([`cache`]), the cohort, its outcomes and strata collected once per year ([`patients`]), then
//! per stratifier the tables aggregated, gated by disclosure control and turned into released
//! rows, and finally the outputs written atomically ([`crate::report::write`]).
//!
//! The person-level work of a spec (and of each trend year) is collected once into the patient
//! frame, which is small next to the registers; every sub-analysis, outcome and stratifier is then
//! a GROUP BY over it. `run --all` also shares the register discovery and validation between specs
//! that read the same folder.

pub mod cache;
mod family;
pub mod incremental;
mod ledger;
pub mod options;
#[cfg(test)]
mod parents_truth;
pub mod patients;
mod relations;
#[cfg(test)]
mod stays_truth;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use polars::prelude::*;

use cache::RegisterCache;
use family::Family;
pub use incremental::dry_run;
use incremental::{RecordedRun, classification_inputs};
use ledger::{Ledger, Relative, release_key};
pub use options::RunOptions;
use patients::{in_year, patient_frame, restrict};

use crate::aggregate::{self, LevelCounts, ValueSummary};
use crate::disclosure::gate::{
    DEFAULT_ZEROS_SHOWN_FROM, Decision, ReleaseRule, Shown, Slice, gate_release,
};
use crate::disclosure::rounding::population_rounded;
use crate::disclosure::suppressed::{
    EVERY_TABLE, SUPPRESSION_RULE, SuppressedCell, SuppressionSummary,
};
use crate::disclosure::{Audience, RoundingBase, SuppressionCause, Threshold};
use crate::error::{Error, Result};
use crate::ops::fingerprint::{fingerprints, registers_read, run_key};
use crate::ops::lock::OutputLock;
use crate::ops::log::Event;
use crate::registers::completeness::Completeness;
use crate::report::document::{self, Analysis};
use crate::report::manifest::{DocumentAnalysis, Provenance, StepRecord};
use crate::report::output::{self, Staged};
use crate::report::write;
use crate::results::adjusted;
use crate::results::levels::level_rank;
use crate::results::{DimensionContext, LevelValues, dimension_rows};
use crate::spec::frame::DocumentText;
use crate::spec::{self, LoadedSpec, Outcome, Stratifier, SubAnalysis, links, measures_for};
use crate::tidy::{self, Row, TOTAL, UNKNOWN};

/// One spec of `run --all` and what its run gave.
pub type SpecResult = (PathBuf, Result<RunSummary>);

/// What a run wrote (or that it had nothing to do).
#[derive(Debug)]
pub struct RunSummary {
    pub id: String,
    /// The analysis's output folder (where its outputs are once committed).
    pub folder: PathBuf,
    /// The outputs written, staged to replace `folder`; `None` when the run was skipped.
    pub staged: Option<Staged>,
    pub patients: u64,
    pub suppressed: SuppressionSummary,
    /// Nothing the analysis reads had changed: the previous outputs stand.
    pub skipped: bool,
}

/// Runs one analysis under the output root's lock; on any error nothing is left in the output
/// folder and the previous outputs stand.
pub fn run(options: &RunOptions) -> Result<RunSummary> {
    // The spec is checked before the output root is touched.
    let loaded = spec::load(&options.spec)?;
    in_output_root(&options.out, || {
        let _lock = OutputLock::acquire(&options.out)?;
        let mut cache = RegisterCache::for_root(&options.out, &[loaded]);
        output::recover(&options.out)?;
        let mut summary = run_with(options, &mut cache)?;
        if let Some(staged) = summary.staged.take() {
            staged.commit()?;
        }
        save_cache(options, &cache);
        Ok(summary)
    })
}

/// Runs `work` on the output root `out`; when it fails and the root did not exist before, the
/// root is removed again if the failed run left it empty, so a failure leaves nothing behind.
fn in_output_root<T>(out: &Path, work: impl FnOnce() -> Result<T>) -> Result<T> {
    let existed = out.exists();
    let result = work();
    if result.is_err() && !existed {
        let _ = std::fs::remove_dir(out);
    }
    result
}

/// Writes back what the run learnt of its inputs. The cache only spares later runs work: a root
/// where it cannot be written costs them a new validation, and is no reason to fail a run whose
/// outputs are written, so the failure is a warning.
fn save_cache(options: &RunOptions, cache: &RegisterCache) {
    if let Err(e) = cache.save(&options.out) {
        options.log.event(&Event::Warning {
            message: &format!(
                "the cache of fingerprints and validations could not be saved, so the next run validates the registers again: {e}"
            ),
        });
    }
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
    // The document's own text is checked with the specs, before any data is read.
    let text = crate::spec::frame::load_document(
        dir,
        options.deliverable().document_name(),
        options.lang == crate::report::labels::Lang::En,
    )?;
    in_output_root(&options.out, || {
        run_all_locked(specs, loaded, text.as_ref(), options)
    })
}

/// [`run_all`] once its specs are loaded.
fn run_all_locked(
    specs: Vec<PathBuf>,
    loaded: Vec<LoadedSpec>,
    text: Option<&DocumentText>,
    options: &RunOptions,
) -> Result<(Vec<SpecResult>, PathBuf)> {
    let _lock = OutputLock::acquire(&options.out)?;
    output::recover(&options.out)?;
    let mut cache = RegisterCache::for_root(&options.out, &loaded);
    let mut results = specs
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
    let document = write_document(options, &results, &loaded, text, &mut cache)?;
    options
        .log
        .event(&StepRecord::new("document", None, results.len() as u64, step).event("*"));
    // The analyses and the document that describes them change together or not at all.
    let mut staged: Vec<Staged> = results
        .iter_mut()
        .filter_map(|(_, r)| r.as_mut().ok().and_then(|s| s.staged.take()))
        .collect();
    staged.push(document);
    let committed = output::commit_together(&options.out, staged)?;
    let document = committed.last().cloned().unwrap_or_default();
    options.log.event(&Event::Document {
        kind: document::kind_name(options.report, options.lang),
        folder: &document.display().to_string(),
    });
    save_cache(options, &cache);
    Ok((results, document))
}

/// Writes the document of every analysis of `run --all` (the annual analysis or the midway
/// status) from the released tables the runs wrote or kept; an analysis that failed is listed
/// as failed, with the reason in words. Returned staged, to be committed with the analyses it describes.
fn write_document(
    options: &RunOptions,
    results: &[SpecResult],
    specs: &[LoadedSpec],
    text: Option<&DocumentText>,
    cache: &mut RegisterCache,
) -> Result<Staged> {
    let mut analyses = Vec::new();
    let mut listed = Vec::new();
    for ((_, result), loaded) in results.iter().zip(specs) {
        // The document says in words why an analysis has no results; the operator's message
        // (with file names and rows) is in the manifest and the log.
        let (rows, run, status) = match result {
            Ok(summary) => {
                let (rows, record) = released(summary)?;
                (rows, Ok(record), "ok".to_string())
            }
            Err(e) => (Vec::new(), Err(e.exit_code()), format!("failed: {e}")),
        };
        listed.push(DocumentAnalysis {
            analysis: loaded.spec.id.clone(),
            status,
            run_key: run.as_ref().ok().map(|r| r.run_key.clone()),
        });
        analyses.push(Analysis {
            spec: loaded,
            rows,
            run,
        });
    }
    let mut reach: Vec<Completeness> = Vec::new();
    {
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
    let titles: Vec<&str> = specs
        .iter()
        .map(|s| options.lang.pick(&s.spec.title_da, &s.spec.title_en))
        .collect();
    let deliverable = options.deliverable();
    write::document(
        &deliverable,
        &deliverable.document_folder(&options.out),
        &analyses,
        listed,
        &reach,
        &titles,
        text,
    )
}

/// The released rows and provenance of an analysis a run wrote (staged, not yet committed) or
/// kept, read back from its files.
fn released(summary: &RunSummary) -> Result<(Vec<Row>, crate::report::document::RunRecord)> {
    let folder = summary
        .staged
        .as_ref()
        .map_or(summary.folder.as_path(), |s| s.dir());
    let rows = tidy::read(&folder.join("tables").join(format!("{}.csv", summary.id)))?;
    let recorded = RecordedRun::read(folder)?;
    Ok((rows, recorded.provenance()))
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

fn analyse(
    options: &RunOptions,
    cache: &mut RegisterCache,
    loaded: &LoadedSpec,
    started: Instant,
) -> Result<RunSummary> {
    let loaded = &options.with_classifications(loaded)?;
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
    // Validated before the key: whether events after the as-of date are cut off is part of it
    // (a remembered validation of unchanged files costs nothing).
    let step = Instant::now();
    let severities = loaded.severities().or(&options.severities);
    cache.validated(&registers_dir, options.as_of, &reads, &severities)?;
    let validated = StepRecord::new("validate", None, inputs.len() as u64, step);
    let key = run_key(
        loaded,
        &options.settings(cache.cuts_off(&registers_dir)?),
        &inputs,
    );
    let folder = options.analysis_folder(id);
    if !options.force && RecordedRun::last_successful(&folder).is_some_and(|r| r.run_key() == key) {
        options.log.event(&Event::Skip {
            analysis: id,
            reason: "the spec and every input it reads are unchanged since the last successful run (use --force to run anyway)",
        });
        return Ok(RunSummary {
            id: id.to_string(),
            folder,
            staged: None,
            patients: 0,
            suppressed: SuppressionSummary::default(),
            skipped: true,
        });
    }
    options.log.event(&Event::Start { analysis: id });
    options.log.event(&fingerprinted.event(id));
    options.log.event(&validated.event(id));
    // Validated above: this returns the folder's register set.
    let registers = cache.validated(&registers_dir, options.as_of, &reads, &severities)?;
    let mut steps = vec![fingerprinted, validated];
    let threshold = options.threshold_for(loaded)?;
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
    let mut rows: Vec<Row> = Vec::new();
    let rule = ReleaseRule {
        threshold,
        zeros_shown_from: loaded
            .spec
            .disclosure
            .as_ref()
            .and_then(|d| d.zeros_shown_from)
            .unwrap_or(DEFAULT_ZEROS_SHOWN_FROM),
    };
    let mut suppressed = SuppressionSummary {
        threshold: threshold.value(),
        zeros_shown_from: rule.zeros_shown_from,
        rule: SUPPRESSION_RULE,
        ..Default::default()
    };
    let mut patients = 0;
    let mut population = 0;
    // What this analysis released before from this output root (never for an internal run).
    let release = release_key(options.report, options.as_of);
    let mut ledger = if options.internal {
        None
    } else {
        let mut ledger = Ledger::load(&options.out, id)?;
        ledger.set_family(Family::of(&loaded.spec));
        Some(ledger)
    };
    // The analyses whose populations nest with this one's (30+ beside 50+), as released.
    let relatives = match &ledger {
        Some(ledger) => ledger.relatives(&options.out, id)?,
        None => Vec::new(),
    };
    if let Some(ledger) = &ledger {
        suppressed.released_before = ledger.other_releases(&release);
        suppressed
            .released_before
            .extend(relatives.iter().flat_map(Relative::release_names));
    }
    let last_year = *loaded.years().last().unwrap_or(&loaded.year());
    for year in loaded.years() {
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
            population = population_rounded(crate::cohort::residents(registers, &yearly)?);
        }
        let mut populations: Vec<(Option<&SubAnalysis>, DataFrame)> = vec![(None, frame.clone())];
        for sub in &loaded.spec.sub_analyses {
            populations.push((Some(sub), restrict(&frame, sub)?));
        }
        let tables = YearTables {
            loaded,
            year,
            populations: &populations,
        };
        let (year_rows, times) = tables.rows(
            options,
            ledger
                .as_mut()
                .map(|l| (l, release.as_str(), relatives.as_slice())),
            rule,
            rounding,
            &mut suppressed,
        )?;
        aggregate_seconds += times.aggregate;
        rows.extend(year_rows);
        let aggregated = StepRecord {
            step: "aggregate",
            year: Some(year),
            rows: frame.height() as u64,
            seconds: aggregate_seconds,
        };
        options.log.event(&aggregated.event(id));
        steps.push(aggregated);
        let gated = StepRecord {
            step: "disclosure",
            year: Some(year),
            rows: times.gated_rows,
            seconds: times.disclosure,
        };
        options.log.event(&gated.event(id));
        steps.push(gated);
        let mut record = StepRecord::new(
            "measures",
            Some(year),
            (rows.len() - rows_before) as u64,
            step,
        );
        record.seconds -= aggregate_seconds + times.disclosure;
        options.log.event(&record.event(id));
        steps.push(record);
    }
    let step = Instant::now();
    let reach = cache.reach(&registers_dir)?;
    let staged = write::analysis(
        &options.deliverable(),
        &folder,
        loaded,
        &reach,
        &Provenance {
            registers: &registers_dir,
            synthetic: crate::synth::made_by_synth(&registers_dir),
            run_key: &key,
            inputs: &inputs,
            steps: &steps,
            population,
            started,
        },
        &rows,
        &suppressed,
    )?;
    // Before the outputs are committed: a run killed in between leaves an entry too many.
    if let Some(ledger) = &ledger {
        ledger.write(&options.out, id)?;
    }
    options
        .log
        .event(&StepRecord::new("write", None, 0, step).event(id));
    Ok(RunSummary {
        id: id.to_string(),
        folder,
        staged: Some(staged),
        patients,
        suppressed,
        skipped: false,
    })
}

/// The tables of one analysis in one year: every stratifier, sub-analysis and outcome,
/// aggregated from the patients and gated together as one release, so that no suppressed count
/// can be worked back between them.
#[derive(Clone, Copy)]
struct YearTables<'a> {
    loaded: &'a LoadedSpec,
    year: i32,
    populations: &'a [(Option<&'a SubAnalysis>, DataFrame)],
}

/// Where the time of one year's tables went, for the step log.
struct YearTimes {
    aggregate: f64,
    /// The disclosure gate (both stages, the ledger's relations included).
    disclosure: f64,
    /// The level rows the gate decided.
    gated_rows: u64,
}

/// One aggregated table: a stratifier's levels for one outcome in one population.
struct Table<'a> {
    stratifier: &'a Stratifier,
    sub: Option<&'a SubAnalysis>,
    outcome: &'a Outcome,
    levels: BTreeMap<String, LevelCounts>,
    waiting: Option<BTreeMap<String, ValueSummary>>,
    event_counts: Option<BTreeMap<String, ValueSummary>>,
}

impl<'a> YearTables<'a> {
    /// Every table of the year, each listing every level its stratifier has in any of them
    /// (empty where nobody is at risk), so that which levels are listed tells nothing.
    fn aggregate(&self) -> Result<(Vec<Table<'a>>, f64)> {
        let YearTables {
            loaded,
            populations,
            ..
        } = *self;
        let aggregating = Instant::now();
        let mut tables = Vec::new();
        for stratifier in &loaded.spec.stratifiers {
            let code = stratifier.code();
            let first = tables.len();
            for (sub, frame) in populations {
                let outcomes = loaded.outcomes_of(*sub);
                let indices = spec_positions(loaded, &outcomes);
                let counts = aggregate::counts(frame, &code, &indices)?;
                for ((outcome, &index), levels) in outcomes.into_iter().zip(&indices).zip(counts) {
                    // A length of stay's days are its waiting time to discharge.
                    let waiting = if outcome.waiting_time
                        || outcome.kind == crate::spec::OutcomeKind::LengthOfStay
                    {
                        Some(aggregate::waiting(frame, &code, index)?)
                    } else {
                        None
                    };
                    let event_counts = if outcome.count {
                        Some(aggregate::event_counts(frame, &code, index)?)
                    } else {
                        None
                    };
                    tables.push(Table {
                        stratifier,
                        sub: *sub,
                        outcome,
                        levels,
                        waiting,
                        event_counts,
                    });
                }
            }
            let listed: BTreeSet<String> = tables[first..]
                .iter()
                .flat_map(|t| t.levels.keys().cloned())
                .collect();
            for table in &mut tables[first..] {
                for level in &listed {
                    table.levels.entry(level.clone()).or_default();
                }
            }
        }
        Ok((tables, aggregating.elapsed().as_secs_f64()))
    }

    /// The released rows of the year's tables and where the time went; what the gate
    /// hid is added to `suppressed`.
    fn rows(
        &self,
        options: &RunOptions,
        ledger: Option<(&mut Ledger, &str, &[Relative])>,
        rule: ReleaseRule,
        rounding: Option<RoundingBase>,
        suppressed: &mut SuppressionSummary,
    ) -> Result<(Vec<Row>, YearTimes)> {
        let YearTables {
            loaded,
            year,
            populations,
        } = *self;
        let (tables, aggregate_seconds) = self.aggregate()?;
        let gating = Instant::now();
        let slices: Vec<Slice> = tables
            .iter()
            .map(|table| Slice {
                stratifier: table.stratifier.code(),
                subanalysis: table.sub.map_or(String::new(), |s| s.id.clone()),
                outcome: table.outcome.id.clone(),
                at_risk_of: links::at_risk_of(&loaded.spec, table.outcome).map(|o| o.id.clone()),
                not_at_risk_are: links::not_at_risk_are(&loaded.spec, table.outcome)
                    .map(|o| o.id.clone()),
                within: links::within(&loaded.spec, table.outcome)
                    .map(|o| o.id.clone())
                    .collect(),
                levels: table
                    .levels
                    .iter()
                    .map(|(l, c)| (l.clone(), (c.events(), c.persons())))
                    .collect(),
            })
            .collect();
        let decisions = if options.internal {
            slices.iter().map(show_everything).collect()
        } else {
            if let Some((_, frame)) = populations.first() {
                relations::check_merges_nest(frame, &loaded.spec, &loaded.path)?;
            }
            let mut relations = relations::relations(populations, &loaded.spec.stratifiers)?;
            if let Some((ledger, release, relatives)) = &ledger {
                relations.earlier = ledger.earlier(release, year);
                relations
                    .earlier
                    .extend(ledger.of_relatives(relatives, year));
            }
            relations.costly = extreme_levels(&tables);
            let (decisions, counts) = gate_release(&slices, &relations, rule)?;
            if let Some((ledger, release, _)) = ledger {
                ledger.record(release, year, &slices, &decisions);
            }
            suppressed.primary += counts.primary;
            suppressed.secondary += counts.secondary;
            suppressed
                .information_loss
                .add(&slices, &decisions, &counts.records);
            suppressed.cells.extend(
                counts
                    .records
                    .into_iter()
                    .filter(|r| !matches!(r.cause, SuppressionCause::SensitiveUnpublished { .. }))
                    .map(|r| SuppressedCell {
                        year,
                        dimension: match r.label.split('/').next().unwrap_or_default() {
                            // A total decided for the whole release: hidden in every table.
                            "" => EVERY_TABLE.to_string(),
                            stratifier => stratifier.to_string(),
                        },
                        cell: r.label,
                    }),
            );
            decisions
        };
        let times = YearTimes {
            aggregate: aggregate_seconds,
            disclosure: gating.elapsed().as_secs_f64(),
            gated_rows: slices.iter().map(|s| s.levels.len() as u64).sum(),
        };
        let covariates = adjusted::covariates(&loaded.spec.stratifiers);
        let mut cross = BTreeMap::new();
        if loaded.spec.adjustment.is_some() {
            for (sub, frame) in populations {
                let outcomes = loaded.outcomes_of(*sub);
                let indices = spec_positions(loaded, &outcomes);
                let ids: Vec<String> = outcomes.iter().map(|o| o.id.clone()).collect();
                let counts = adjusted::cross_counts(frame, &covariates, &indices)?;
                cross.insert(sub.map(|s| s.id.clone()), (counts, ids));
            }
        }
        let mut rows = Vec::new();
        for (table, decision) in tables.into_iter().zip(&decisions) {
            let stratifier = table.stratifier;
            let measures = measures_for(loaded, stratifier);
            let ctx = DimensionContext {
                analysis: &loaded.spec.id,
                subanalysis: table.sub.map_or("", |s| s.id.as_str()),
                year,
                outcome: table.outcome,
                stratifier,
                measures: &measures,
                // An internal run shows every count, and every value computed over them.
                threshold: match options.internal {
                    true => internal_threshold()?,
                    false => rule.threshold,
                },
                standardise: loaded.spec.standardisation.is_some(),
                quality_standard: loaded
                    .spec
                    .quality
                    .as_ref()
                    .filter(|q| {
                        q.unit == *stratifier
                            && q.outcome.as_ref().is_none_or(|o| *o == table.outcome.id)
                    })
                    .map(|q| q.standard_percent),
                rounding: rounding.filter(|_| !options.internal),
            };
            let adjusted_rows = match (
                &loaded.spec.adjustment,
                cross.get(&table.sub.map(|s| s.id.clone())),
            ) {
                (Some(adjustment), Some((counts, ids))) if stratifier.adjustable() => {
                    let outcome = ids.iter().position(|id| *id == table.outcome.id);
                    adjusted::adjusted_rows(
                        &ctx,
                        counts,
                        outcome.unwrap_or(0),
                        &table.levels,
                        decision,
                        &adjustment.sets,
                        &covariates,
                    )
                }
                _ => Vec::new(),
            };
            rows.extend(dimension_rows(
                &ctx,
                table.levels,
                LevelValues {
                    waiting: table.waiting.as_ref(),
                    event_counts: table.event_counts.as_ref(),
                },
                decision,
            )?);
            rows.extend(adjusted_rows);
        }
        Ok((rows, times))
    }
}

/// Each outcome's position among the spec's outcomes: the index of its `OUT_i` columns.
fn spec_positions(loaded: &LoadedSpec, outcomes: &[&Outcome]) -> Vec<usize> {
    outcomes
        .iter()
        .map(|outcome| {
            loaded
                .spec
                .outcomes
                .iter()
                .position(|o| o.id == outcome.id)
                .unwrap_or(0)
        })
        .collect()
}

/// The first and last known level of each ordered dimension (education short and long, income
/// quintiles 1 and 5): the levels its gradient rests on, costly to hide.
fn extreme_levels(tables: &[Table<'_>]) -> Vec<(String, String)> {
    let mut extremes = BTreeSet::new();
    for table in tables.iter().filter(|t| t.stratifier.ordered()) {
        let mut known: Vec<&String> = table.levels.keys().filter(|l| *l != UNKNOWN).collect();
        known.sort_by_key(|l| level_rank(table.stratifier, l));
        for level in [known.first(), known.last()].into_iter().flatten() {
            extremes.insert((table.stratifier.code(), (*level).clone()));
        }
    }
    extremes.into_iter().collect()
}

/// The threshold of an internal run's values (means and medians beside its counts): one person.
fn internal_threshold() -> Result<Threshold> {
    Threshold::new(1, Audience::Internal).map_err(|e| Error::Internal(e.to_string()))
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

/// The spec `ulighed run` uses without arguments.
pub fn default_spec() -> &'static Path {
    Path::new("pipelines/t2d_sglt2_glp1.toml")
}
