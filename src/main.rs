//! The `ulighed` command line: parses arguments and maps errors to the documented exit codes
//! (see `ulighed::error`). All work happens in the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use ulighed::csv_file::CsvDialect;
use ulighed::error::{Error, Result};
use ulighed::ops::log::{Log, LogFormat, Verbosity};
use ulighed::ops::{config, console};
use ulighed::registers::discover::discover;
use ulighed::registers::severity::Severities;
use ulighed::registers::validate::validate;
use ulighed::report::deliverable::ReportKind;
use ulighed::report::labels::Lang;
use ulighed::run::{RunOptions, default_spec, dry_run, run as run_analysis, run_all, spec_files};

use ulighed::synth::{self, background::Volumes, lpr_models::LprModel, writer::SynthFormat};

#[derive(Parser)]
#[command(
    name = "ulighed",
    version,
    about = "Inequality in treatment and offers for patient groups, from Danish registers to reports"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write synthetic registers of the register contract, with a truth.json of the injected inequalities.
    Synth {
        /// Number of persons.
        #[arg(long, default_value_t = 30_000)]
        persons: u64,
        /// Span of years, e.g. 2015-2024 (between 1950 and 2100): one population register per
        /// year, events over the whole span.
        #[arg(long, default_value = "2021-2024")]
        years: String,
        /// Random seed: the same seed gives the same bytes.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Output folder.
        #[arg(long)]
        out: PathBuf,
        /// File format of the registers: parquet (zstd, in date order) or csv.
        #[arg(long, value_enum, default_value = "parquet")]
        format: SynthFormat,
        /// Background hospital contacts per person-year. The default gives, with the patient
        /// groups' own contacts, about 146 million contacts for 6 million persons over 2015-2024,
        /// as the national patient register holds (about 15 million a year).
        #[arg(long, default_value_t = 2.0)]
        contacts_per_person_year: f64,
        /// Diagnoses per background contact: the action diagnosis and on average this less one
        /// secondary diagnosis. The default gives about 1.35 per contact over all contacts (the
        /// patient groups' have only their action diagnosis), as the register holds.
        #[arg(long, default_value_t = 1.43)]
        diagnoses_per_contact: f64,
        /// Procedures per background contact. The default gives about 0.3 per contact over all
        /// contacts (about 44 million over 2015-2024 for 6 million persons).
        #[arg(long, default_value_t = 0.37)]
        procedures_per_contact: f64,
        /// Background redeemed prescriptions per person-year. The default gives, with the patient
        /// groups' own, about 358 million prescriptions for 6 million persons over 2015-2024, as
        /// the prescription register holds (35-40 million a year).
        #[arg(long, default_value_t = 5.75)]
        prescriptions_per_person_year: f64,
        /// Layout of the patient register: f (the contract's, LPR3 "F"), lpr2 (LPR2 tables
        /// before the 2019 change-over, "F" after) or lpr3a (LPR2 before, LPR3 "A" throughout).
        #[arg(long, value_enum, default_value = "f")]
        lpr_model: LprModel,
    },
    /// Run an analysis from its pipeline spec and write its tables, figure and report.
    Run(RunArgs),
    /// Show what a pipeline spec would compute, and whether a run would do anything and why,
    /// without computing (the inputs are fingerprinted and compared with the last run).
    Plan {
        /// The pipeline spec.
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        spec: Option<PathBuf>,
        /// Every spec in pipelines/ (or --pipelines DIR).
        #[arg(long)]
        all: bool,
        /// The folder of specs for --all.
        #[arg(long, default_value = "pipelines")]
        pipelines: PathBuf,
        /// Registers folder, overriding the specs'.
        #[arg(long)]
        registers: Option<PathBuf>,
        /// Output root the last runs wrote to; with --all the analysis plan document is written
        /// there as analyseplan.html.
        #[arg(long, default_value = "reports")]
        out: PathBuf,
        /// Language of the analysis plan document (default: da).
        #[arg(long, value_enum, default_value = "da")]
        lang: Lang,
    },
    /// Measures computed directly on an aggregated table (CSV), without registers.
    #[command(subcommand)]
    Measures(MeasuresCommand),
    /// Convert a folder of register files (SAS7BDAT, CSV, Parquet) once into Parquet laid out as
    /// the register contract expects; reruns convert only what changed.
    Convert {
        /// The folder of register files as delivered (e.g. bef2020.sas7bdat).
        src: PathBuf,
        /// The folder to write the Parquet copy and its convert-manifest.json to.
        dest: PathBuf,
        /// No value may lie after this date (default: today); used by the type checks.
        #[arg(long, value_parser = parse_date)]
        as_of: Option<i32>,
    },
    /// Check a registers folder against the register contract and print what was found (exit
    /// 65 when it finds an error).
    Validate {
        /// The registers folder.
        dir: PathBuf,
        /// `text` for people, `json` for scripts.
        #[arg(long, value_enum, default_value = "text")]
        format: ReportFormat,
        /// No event may lie after this date (default: today).
        #[arg(long, value_parser = parse_date)]
        as_of: Option<i32>,
    },
}

/// `ulighed measures ...`: one per measure family, each reading one CSV and writing one.
#[derive(Subcommand)]
enum MeasuresCommand {
    /// Proportions with Wilson score limits; input columns group, events, population.
    Proportion {
        /// The input CSV: one row per group (extra columns are carried through).
        input: PathBuf,
        /// Scale of the proportion: 100 for a percentage, 1 for a fraction.
        #[arg(long, default_value_t = 100.0)]
        multiplier: f64,
        #[command(flatten)]
        common: MeasuresOptions,
    },
    /// Crude rates with exact Poisson (<10 events) or Byar limits; input columns group, events, population (person-time).
    Rate {
        /// The input CSV: one row per group (extra columns are carried through).
        input: PathBuf,
        /// Rates per this many units of person-time (100,000 by default).
        #[arg(long, default_value_t = 100_000.0)]
        multiplier: f64,
        #[command(flatten)]
        common: MeasuresOptions,
    },
    /// Directly standardised rates with Dobson limits; input columns group, age_band, events, population.
    Dsr {
        /// The input CSV: one row per group and age band (ESP2013 labels 0-4 ... 90+).
        input: PathBuf,
        /// `esp2013` or a CSV with columns age_band, population.
        #[arg(long, default_value = "esp2013")]
        standard: String,
        /// Rates per this many units of person-time (100,000 by default).
        #[arg(long, default_value_t = 100_000.0)]
        multiplier: f64,
        #[command(flatten)]
        common: MeasuresOptions,
    },
    /// HEAT's summary measures (and PHE's SII/RII) per dimension; input one row per subgroup with population, estimate and subgroup and/or order.
    Summary {
        /// The input CSV: one row per subgroup of each dimension.
        input: PathBuf,
        /// Confidence level as a fraction.
        #[arg(long, default_value_t = 0.95)]
        confidence: f64,
        /// Simulated data sets for HEAT's simulated intervals.
        #[arg(long, default_value_t = 2000)]
        reps: usize,
        /// Draws for PHE's SII/RII interval (at least 1000; PHE's default 100000).
        #[arg(long, default_value_t = 100_000)]
        phe_reps: usize,
        /// Seed of the simulations: the same seed gives the same intervals.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Output CSV (`-` for standard output).
        #[arg(short, long)]
        output: PathBuf,
    },
}

/// Options every `ulighed measures` command takes.
#[derive(clap::Args)]
struct MeasuresOptions {
    /// Confidence level(s) as fractions, e.g. 0.95 or 0.95,0.998.
    #[arg(long, default_value = "0.95")]
    confidence: String,
    /// Output CSV (`-` for standard output).
    #[arg(short, long)]
    output: PathBuf,
}

/// Options of `ulighed run`.
#[derive(clap::Args)]
struct RunArgs {
    /// The pipeline spec (default: pipelines/t2d_sglt2_glp1.toml on data-samples/).
    #[arg(conflicts_with = "all")]
    spec: Option<PathBuf>,
    /// Run every spec in pipelines/ (or in --pipelines DIR), sharing register work.
    #[arg(long)]
    all: bool,
    /// The folder of specs for --all.
    #[arg(long, default_value = "pipelines", requires = "all")]
    pipelines: PathBuf,
    /// Registers folder, overriding the spec's.
    #[arg(long)]
    registers: Option<PathBuf>,
    /// Output root; the analysis is written to OUT/<id>/ (default: reports).
    #[arg(long)]
    out: Option<PathBuf>,
    /// The document of `--all`: `annual` (aarsanalyse/) or `midway` (midtvejsstatus/).
    #[arg(long, value_enum, default_value = "annual")]
    report: ReportKind,
    /// No register event may lie after this date (default: today).
    #[arg(long, value_parser = parse_date)]
    as_of: Option<i32>,
    /// Language of the report (default: da).
    #[arg(long, value_enum)]
    lang: Option<Lang>,
    /// Suppression threshold for this run, overriding the spec's (at least 3).
    #[arg(long)]
    threshold: Option<u64>,
    /// Internal run inside the secure environment: no disclosure control; every output is marked
    /// NOT FOR RELEASE and written to OUT/<id>-internal/.
    #[arg(long, conflicts_with = "threshold")]
    internal: bool,
    /// Run even if nothing the analysis reads has changed since its last successful run.
    #[arg(long)]
    force: bool,
    /// Notation of the report tables' CSV files: `excel-da` writes `;` and decimal commas for
    /// Danish Excel.
    #[arg(long, value_enum, default_value = "standard")]
    csv_dialect: CsvDialect,
    /// Also write every figure as PNG beside its SVG.
    #[arg(long)]
    png: bool,
    #[command(flatten)]
    logging: LogArgs,
    /// Project configuration (default: ./ulighed.toml if present).
    #[arg(long)]
    config: Option<PathBuf>,
}

/// Logging options.
#[derive(clap::Args)]
struct LogArgs {
    /// `text` for people (standard error), `json` for schedulers (one event per line on standard output).
    #[arg(long, value_enum, default_value = "text")]
    log_format: LogFormat,
    /// Only errors.
    #[arg(long, conflicts_with = "verbose")]
    quiet: bool,
    /// Every step with its rows and seconds.
    #[arg(long)]
    verbose: bool,
}

impl LogArgs {
    fn log(&self) -> Log {
        Log {
            format: self.log_format,
            verbosity: if self.quiet {
                Verbosity::Quiet
            } else if self.verbose {
                Verbosity::Verbose
            } else {
                Verbosity::Normal
            },
        }
    }
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ReportFormat {
    Text,
    Json,
}

fn parse_date(text: &str) -> std::result::Result<i32, String> {
    ulighed::dates::parse_iso(text).ok_or_else(|| format!("{text:?} is not a date YYYY-MM-DD"))
}

fn parse_years(text: &str) -> Result<(i32, i32)> {
    let bad = || Error::Usage(format!("--years {text:?}: expected a span like 2015-2024"));
    let (a, b) = text.split_once('-').ok_or_else(bad)?;
    Ok((
        a.trim().parse().map_err(|_| bad())?,
        b.trim().parse().map_err(|_| bad())?,
    ))
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Synth {
            persons,
            years,
            seed,
            out,
            format,
            contacts_per_person_year,
            diagnoses_per_contact,
            procedures_per_contact,
            prescriptions_per_person_year,
            lpr_model,
        } => {
            let (first_year, last_year) = parse_years(&years)?;
            let summary = synth::run(&synth::SynthConfig {
                persons,
                first_year,
                last_year,
                seed,
                format,
                out: out.clone(),
                volumes: Volumes {
                    contacts_per_person_year,
                    diagnoses_per_contact,
                    procedures_per_contact,
                    prescriptions_per_person_year,
                },
                lpr_model,
            })?;
            for (name, rows) in &summary.rows {
                console::out(&format!("{name:<16} {rows:>12} rows\n"))?;
            }
            console::out(&format!(
                "wrote {} files to {}\n",
                summary.files.len(),
                out.display()
            ))?;
            Ok(())
        }
        Command::Run(args) => {
            let file = config::load(args.config.as_deref())?;
            let settings = config::resolve(
                config::Flags {
                    registers: args.registers,
                    out: args.out,
                    lang: args.lang,
                    threshold: args.threshold,
                    as_of: args.as_of,
                },
                |name| std::env::var(name).ok(),
                &file,
            )?;
            let options = RunOptions {
                spec: args.spec.unwrap_or_else(|| default_spec().to_path_buf()),
                registers: settings.registers,
                out: settings.out,
                as_of: settings.as_of,
                report: args.report,
                lang: settings.lang,
                threshold: settings.threshold,
                internal: args.internal,
                force: args.force,
                csv_dialect: args.csv_dialect,
                png: args.png,
                classifications: settings.classifications,
                severities: settings.severities,
                log: args.logging.log(),
            };
            if !args.all {
                let result = run_analysis(&options).map(|_| ());
                if let (Err(e), LogFormat::Json) = (&result, options.log.format) {
                    let name = options
                        .spec
                        .file_stem()
                        .map(|n| n.to_string_lossy().to_string());
                    options.log.event(&ulighed::ops::log::Event::Failed {
                        analysis: name.as_deref().unwrap_or(""),
                        exit_code: e.exit_code(),
                        message: &e.to_string(),
                    });
                }
                return result;
            }
            // Every analysis runs; the first failure decides the exit code.
            // The document's folder is logged when it is written.
            let (results, _document) = run_all(&args.pipelines, &options)?;
            let failed: Vec<&Error> = results
                .iter()
                .filter_map(|(_, r)| r.as_ref().err())
                .collect();
            match failed.first() {
                None => Ok(()),
                Some(first) => Err(Error::Partial {
                    code: first.exit_code(),
                    message: format!(
                        "{} of {} analyses failed (see above); the others were written",
                        failed.len(),
                        results.len()
                    ),
                }),
            }
        }
        Command::Plan {
            spec,
            pipelines,
            registers,
            out,
            lang,
            ..
        } => {
            let specs = match &spec {
                Some(spec) => vec![spec.clone()],
                None => spec_files(&pipelines)?,
            };
            if spec.is_none() {
                // Every spec is checked before the plan document is written.
                let loaded = specs
                    .iter()
                    .map(|p| ulighed::spec::load(p))
                    .collect::<Result<Vec<_>>>()?;
                let page = ulighed::report::plan_doc::render(&loaded, lang);
                let path = out.join("analyseplan.html");
                std::fs::create_dir_all(&out).map_err(|e| Error::writing(&out, e))?;
                ulighed::report::output::write_file(&path, page.as_bytes())?;
                console::out(&format!("analysis plan: {}\n\n", path.display()))?;
            }
            for path in specs {
                let loaded = ulighed::spec::load(&path)?;
                console::out(&ulighed::spec::plan::describe(&loaded))?;
                let status = dry_run(&RunOptions {
                    spec: path,
                    registers: registers.clone(),
                    out: out.clone(),
                    as_of: ulighed::dates::today(),
                    report: ReportKind::Annual,
                    lang: Lang::Da,
                    threshold: None,
                    internal: false,
                    force: false,
                    csv_dialect: CsvDialect::Standard,
                    png: false,
                    classifications: Default::default(),
                    severities: Default::default(),
                    log: Log::default(),
                });
                match status {
                    Ok(status) => console::out(&format!("  status: {status}\n\n"))?,
                    Err(e) => console::out(&format!("  status: cannot tell: {e}\n\n"))?,
                }
            }
            Ok(())
        }
        Command::Measures(command) => run_measures(command),
        Command::Convert { src, dest, as_of } => {
            let bar = indicatif::ProgressBar::new(0).with_style(
                indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}")
                    .map_err(|e| Error::Internal(e.to_string()))?,
            );
            let summary = ulighed::registers::convert::convert(
                &src,
                &dest,
                as_of.unwrap_or_else(ulighed::dates::today),
                |done, total, name| {
                    bar.set_length(total as u64);
                    bar.set_position(done as u64);
                    bar.set_message(name.to_string());
                },
            );
            bar.finish_and_clear();
            console::out(&summary?.to_text())?;
            Ok(())
        }
        Command::Validate { dir, format, as_of } => {
            let checked = discover(&dir).and_then(|discovered| {
                validate(
                    &discovered,
                    as_of.unwrap_or_else(ulighed::dates::today),
                    &Severities::default(),
                )
            });
            let report = match (format, checked) {
                (_, Ok(report)) => report,
                (ReportFormat::Text, Err(e)) => return Err(e),
                // A script reading the JSON gets JSON whatever happened.
                (ReportFormat::Json, Err(e)) => {
                    let failure = serde_json::json!({
                        "folder": dir.display().to_string(),
                        "status": "failed",
                        "exit_code": e.exit_code(),
                        "message": e.to_string(),
                    });
                    console::out(&format!("{failure:#}\n"))?;
                    return Err(e);
                }
            };
            match format {
                ReportFormat::Text => console::out(&report.to_text())?,
                ReportFormat::Json => console::out(&format!(
                    "{}\n",
                    serde_json::to_string_pretty(&report)
                        .map_err(|e| Error::Internal(e.to_string()))?
                ))?,
            }
            let errors = report.errors().count();
            if errors > 0 {
                return Err(Error::BadInput(format!(
                    "{}: {errors} validation error(s), see above",
                    dir.display()
                )));
            }
            Ok(())
        }
    }
}

fn run_measures(command: MeasuresCommand) -> Result<()> {
    use ulighed::measures_command::{Levels, crude, standardised, summary};
    match command {
        MeasuresCommand::Proportion {
            input,
            multiplier,
            common,
        } => crude::run(
            crude::Crude::Proportion,
            &input,
            &common.output,
            multiplier,
            &Levels::parse(&common.confidence)?,
        ),
        MeasuresCommand::Rate {
            input,
            multiplier,
            common,
        } => crude::run(
            crude::Crude::Rate,
            &input,
            &common.output,
            multiplier,
            &Levels::parse(&common.confidence)?,
        ),
        MeasuresCommand::Dsr {
            input,
            standard,
            multiplier,
            common,
        } => standardised::run(
            &input,
            &common.output,
            &standardised::StandardPopulation::load(&standard)?,
            multiplier,
            &Levels::parse(&common.confidence)?,
        ),
        MeasuresCommand::Summary {
            input,
            confidence,
            reps,
            phe_reps,
            seed,
            output,
        } => summary::run(
            &input,
            &output,
            &summary::SummaryOptions {
                confidence,
                reps,
                phe_reps,
                seed,
            },
        ),
    }
}

/// Removes this process's temporary copies of SAS files when dropped
/// ([`ulighed::registers::sas::remove_spools`]).
struct SpoolGuard;

impl Drop for SpoolGuard {
    fn drop(&mut self) {
        ulighed::registers::sas::remove_spools();
    }
}

fn main() -> ExitCode {
    ulighed::allocator::tune();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return ExitCode::from(if err.use_stderr() { 2 } else { 0 });
        }
    };
    // Removes the decoded copies of SAS files however the command ends, a panic included.
    let _spools = SpoolGuard;
    let outcome = run(cli);
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            console::err(&format!("ulighed: {err}\n"));
            ExitCode::from(err.exit_code() as u8)
        }
    }
}
