//! Running one analysis: spec -> validated registers -> cohort -> strata -> aggregate ->
//! measures -> disclosure -> outputs, written atomically.

use std::path::{Path, PathBuf};

use crate::disclosure::{Audience, Threshold};
use crate::error::{Error, Result};
use crate::pipeline::{results, spec};
use crate::registers::scan::RegisterSet;
use crate::registers::validate::{Severities, validate};
use crate::report::labels::Lang;
use crate::report::{figure, html, output, table};
use crate::{aggregate, cohort, strata};

/// The deliverable a run is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
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
}

/// What a run wrote.
#[derive(Debug)]
pub struct RunSummary {
    pub folder: PathBuf,
    pub patients: u64,
    pub suppressed: results::SuppressionSummary,
}

/// Runs one analysis; on any error nothing is left in the output folder.
pub fn run(options: &RunOptions) -> Result<RunSummary> {
    let loaded = spec::load(&options.spec)?;
    let registers_dir = options
        .registers
        .clone()
        .unwrap_or_else(|| loaded.registers.clone());
    let registers = RegisterSet::open(&registers_dir)?;
    check_registers(&registers, options.as_of)?;

    let patients = cohort::patients_with_outcome(&registers, &loaded)?;
    let cells = aggregate::counts(strata::attach(&registers, &loaded, patients)?)?;
    let patients: u64 = cells.iter().map(|c| c.persons).sum();
    let threshold = Threshold::new(
        loaded.spec.disclosure.as_ref().map_or(5, |d| d.threshold),
        Audience::External,
    )
    .map_err(|e| {
        Error::BadSpec(format!(
            "{}: key `disclosure.threshold`: {e}",
            loaded.path.display()
        ))
    })?;
    let (rows, suppressed) = results::compute(&loaded, &cells, threshold)?;

    let id = &loaded.spec.id;
    let lang = options.lang;
    let preliminary = options.report == ReportKind::Midway;
    let figure_dimension = loaded
        .spec
        .stratifiers
        .iter()
        .find(|s| s.code() == "education")
        .or(loaded.spec.stratifiers.first())
        .map(|s| s.code())
        .unwrap_or("education");
    let mut title = lang
        .pick(&loaded.spec.title_da, &loaded.spec.title_en)
        .to_string();
    if preliminary {
        title = format!("{title} – {}", lang.pick("foreløbig", "preliminary"));
    }
    let svg = figure::proportions_svg(&rows, figure_dimension, &title, lang)?;
    let spec_hash = output::sha256_hex(loaded.text.as_bytes());
    let mut page = html::render(&html::ReportContext {
        spec: &loaded,
        rows: &rows,
        figure_svg: &svg,
        suppression: &suppressed,
        spec_hash: &spec_hash,
        registers: &registers_dir.display().to_string(),
        lang,
    });
    if preliminary {
        page = page.replace(
            "<body>\n",
            &format!(
                "<body>\n<p class=\"status\"><strong>{}</strong></p>\n",
                lang.pick(
                    "Midtvejsstatus: alle resultater er foreløbige.",
                    "Midway status: all results are preliminary."
                )
            ),
        );
    }

    let staging = output::Staging::new(&options.out.join(id))?;
    staging.write(&format!("tables/{id}.csv"), table::to_csv(&rows).as_bytes())?;
    staging.write(
        &format!("figures/{id}_{figure_dimension}.svg"),
        svg.as_bytes(),
    )?;
    staging.write("report.html", page.as_bytes())?;
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
