//! The `ulighed` command line: parses arguments and maps errors to the documented exit codes
//! (see `ulighed::error`). All work happens in the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use ulighed::error::{Error, Result};
use ulighed::pipeline::run::{ReportKind, RunOptions, default_spec, run as run_analysis, run_all};
use ulighed::registers::discover::discover;
use ulighed::registers::validate::{Severities, validate};
use ulighed::report::labels::Lang;
use ulighed::synth::{self, events::Volumes, writer::SynthFormat};

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
        /// Span of years, e.g. 2015-2024.
        #[arg(long, default_value = "2021-2024")]
        years: String,
        /// Random seed: the same seed gives the same bytes.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Output folder.
        #[arg(long)]
        out: PathBuf,
        #[arg(long, value_enum, default_value = "parquet")]
        format: SynthFormat,
        /// Background hospital contacts per person-year (Denmark: about 2.5).
        #[arg(long, default_value_t = 2.5)]
        contacts_per_person_year: f64,
        /// Background redeemed prescriptions per person-year (Denmark: about 6).
        #[arg(long, default_value_t = 6.0)]
        prescriptions_per_person_year: f64,
    },
    /// Run an analysis from its pipeline spec and write its tables, figure and report.
    Run(RunArgs),
    /// Show what a pipeline spec would compute, without reading any data.
    Plan {
        /// The pipeline spec.
        spec: PathBuf,
    },
    /// Measures computed directly on an aggregated table (CSV), without registers.
    #[command(subcommand)]
    Measures(MeasuresCommand),
    /// Check a registers folder against the register contract and print what was found.
    Validate {
        /// The registers folder.
        dir: PathBuf,
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
        input: PathBuf,
        /// 100 for a percentage, 1 for a fraction.
        #[arg(long, default_value_t = 100.0)]
        multiplier: f64,
        #[command(flatten)]
        common: MeasuresOptions,
    },
    /// Crude rates with exact Poisson (<10 events) or Byar limits; input columns group, events, population (person-time).
    Rate {
        input: PathBuf,
        #[arg(long, default_value_t = 100_000.0)]
        multiplier: f64,
        #[command(flatten)]
        common: MeasuresOptions,
    },
    /// Directly standardised rates with Dobson limits; input columns group, age_band, events, population.
    Dsr {
        input: PathBuf,
        /// `esp2013` or a CSV with columns age_band, population.
        #[arg(long, default_value = "esp2013")]
        standard: String,
        #[arg(long, default_value_t = 100_000.0)]
        multiplier: f64,
        #[command(flatten)]
        common: MeasuresOptions,
    },
    /// HEAT's summary measures (and PHE's SII/RII) per dimension; input one row per subgroup with population, estimate and subgroup and/or order.
    Summary {
        input: PathBuf,
        /// Confidence level as a fraction.
        #[arg(long, default_value_t = 0.95)]
        confidence: f64,
        /// Simulated data sets for the simulated intervals and PHE's SII (at least 1000 for it).
        #[arg(long, default_value_t = 2000)]
        reps: usize,
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
    /// Output root; the analysis is written to OUT/<id>/.
    #[arg(long, default_value = "reports")]
    out: PathBuf,
    #[arg(long, value_enum, default_value = "annual")]
    report: ReportKind,
    /// No register event may lie after this date (default: today).
    #[arg(long, value_parser = parse_date)]
    as_of: Option<i32>,
    /// Language of the report.
    #[arg(long, value_enum, default_value = "da")]
    lang: Lang,
    /// Suppression threshold for this run, overriding the spec's (at least 3).
    #[arg(long)]
    threshold: Option<u64>,
    /// Internal run inside the secure environment: no disclosure control; every output is marked
    /// NOT FOR RELEASE and written to OUT/<id>-internal/.
    #[arg(long, conflicts_with = "threshold")]
    internal: bool,
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
            prescriptions_per_person_year,
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
                    prescriptions_per_person_year,
                },
            })?;
            for (name, rows) in &summary.rows {
                println!("{name:<16} {rows:>12} rows");
            }
            println!("wrote {} files to {}", summary.files.len(), out.display());
            Ok(())
        }
        Command::Run(args) => {
            let options = RunOptions {
                spec: args.spec.unwrap_or_else(|| default_spec().to_path_buf()),
                registers: args.registers,
                out: args.out,
                as_of: args.as_of.unwrap_or_else(ulighed::dates::today),
                report: args.report,
                lang: args.lang,
                threshold: args.threshold,
                internal: args.internal,
            };
            let summaries = if args.all {
                run_all(&args.pipelines, &options)?
            } else {
                vec![run_analysis(&options)?]
            };
            for summary in summaries {
                println!(
                    "{} patients; {} cells suppressed (primary), {} (secondary); wrote {}",
                    summary.patients,
                    summary.suppressed.primary,
                    summary.suppressed.secondary,
                    summary.folder.display()
                );
            }
            Ok(())
        }
        Command::Plan { spec } => {
            print!(
                "{}",
                ulighed::pipeline::plan::describe(&ulighed::pipeline::spec::load(&spec)?)
            );
            Ok(())
        }
        Command::Measures(command) => run_measures(command),
        Command::Validate { dir, format, as_of } => {
            let discovered = discover(&dir)?;
            let report = validate(
                &discovered,
                as_of.unwrap_or_else(ulighed::dates::today),
                &Severities::default(),
            )?;
            match format {
                ReportFormat::Text => print!("{}", report.to_text()),
                ReportFormat::Json => println!(
                    "{}",
                    serde_json::to_string_pretty(&report)
                        .map_err(|e| Error::Internal(e.to_string()))?
                ),
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
    use ulighed::aggregated::{Levels, crude, standardised, summary};
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
            seed,
            output,
        } => summary::run(
            &input,
            &output,
            &summary::SummaryOptions {
                confidence,
                reps,
                seed,
            },
        ),
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return ExitCode::from(if err.use_stderr() { 2 } else { 0 });
        }
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("ulighed: {err}");
            ExitCode::from(err.exit_code() as u8)
        }
    }
}
