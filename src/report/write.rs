//! Writing what a run releases: the tidy table, report, figures, exports and manifest of one
//! analysis, and the document of every analysis (the annual analysis or the midway status). Each
//! folder is staged ([`super::output::Staging`]) and returned for the run to commit, alone or
//! with the run's other folders, so a failed run leaves nothing behind and never damages the
//! previous outputs.

use std::path::Path;

use super::bundle;
use super::deliverable::{Deliverable, NOT_FOR_RELEASE};
use super::document::{self, Analysis, DocumentSpec, InputRecord, RunRecord};
use super::manifest::{self, DocumentAnalysis, Provenance};
use super::output::{self, Staged};
use crate::dates;
use crate::disclosure::suppressed::SuppressionSummary;
use crate::error::Result;
use crate::ops::fingerprint::InputFile;
use crate::registers::completeness::Completeness;
use crate::spec::LoadedSpec;
use crate::spec::frame::DocumentText;
use crate::tidy::{self, Row};

/// The record of a register file for a document's provenance.
pub fn input_record(i: &InputFile) -> InputRecord {
    InputRecord {
        path: i.path.display().to_string(),
        register: i.register.clone(),
        sha256: i.sha256.clone(),
    }
}

/// The lines heading a document's Excel workbook.
fn about(d: &Deliverable, titles: &[&str]) -> Vec<String> {
    let lang = d.lang;
    let mut lines = vec![format!(
        "{} {}",
        document::kind_name(d.kind, lang),
        crate::dates::year_of(d.as_of)
    )];
    if let Some(mark) = d.internal_mark() {
        lines.push(mark.to_string());
    }
    lines.extend(titles.iter().map(|t| t.to_string()));
    lines.push(format!(
        "{} {}",
        lang.pick("Data til og med", "Data up to"),
        crate::dates::format_iso(d.as_of)
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

/// Writes the tables, figures, report and manifest of one analysis, staged to become `folder`.
///
/// `reach` is how far the registers reach, shown in the methods chapter.
pub fn analysis(
    d: &Deliverable,
    folder: &Path,
    loaded: &LoadedSpec,
    reach: &[Completeness],
    provenance: &Provenance<'_>,
    rows: &[Row],
    suppressed: &SuppressionSummary,
) -> Result<Staged> {
    let id = &loaded.spec.id;
    let spec_hash = output::sha256_hex(loaded.text.as_bytes());
    let analyses = [Analysis {
        spec: loaded,
        rows: rows.to_vec(),
        run: Ok(RunRecord {
            spec_sha256: spec_hash.clone(),
            run_key: provenance.run_key.to_string(),
            inputs: provenance.inputs.iter().map(input_record).collect(),
            threshold: suppressed.threshold,
            information_loss: suppressed.information_loss.clone(),
            synthetic: provenance.synthetic,
            population: provenance.population,
        }),
    }];
    let doc = document::build(&DocumentSpec {
        kind: d.kind,
        lang: d.lang,
        as_of: d.as_of,
        internal: d.internal_mark(),
        analyses: &analyses,
        completeness: reach,
        single: true,
        text: None,
    })?;
    let staging = output::Staging::new(folder)?;
    let lang = d.lang;
    let status = move |s: tidy::Status| super::labels::status(s, lang);
    let period = |year: i32| {
        let (start, end) = loaded.design_in_year(year).days();
        (dates::format_iso(start), dates::format_iso(end))
    };
    let mut csv = tidy::to_csv(
        rows,
        &tidy::CsvContext {
            dialect: d.csv_dialect,
            status: &status,
            note: &|note: &str| super::notes::in_language(note, lang),
            period: &period,
        },
    );
    if d.internal {
        csv = format!(
            "# {NOT_FOR_RELEASE}: ulighed run --internal, uden diskretionering / without disclosure control\n{csv}"
        );
    }
    let mut files: Vec<(String, Vec<u8>)> = vec![(format!("tables/{id}.csv"), csv.into_bytes())];
    files.extend(bundle::files(
        &doc,
        d.into(),
        &about(d, &[loaded.spec.title_da.as_str()]),
    )?);
    let manifest = manifest::Manifest::new(
        loaded,
        &spec_hash,
        provenance,
        d,
        suppressed,
        &files,
        rows.len(),
    );
    files.push(("manifest.json".into(), manifest.to_json()?.into_bytes()));
    for (path, bytes) in &files {
        staging.write(path, bytes)?;
    }
    Ok(staging.finish())
}

/// Writes the document of every analysis (`analyses`, listed in its manifest as `listed`),
/// staged to become `folder`. `reach` is how far the registers reach (the
/// methods chapter shows it), `titles` the analyses' titles for the workbook's heading, `text`
/// the analysts' own text of the document (authors, approval, foreword).
pub fn document(
    d: &Deliverable,
    folder: &Path,
    analyses: &[Analysis<'_>],
    listed: Vec<DocumentAnalysis>,
    reach: &[Completeness],
    titles: &[&str],
    text: Option<&DocumentText>,
) -> Result<Staged> {
    let doc = document::build(&DocumentSpec {
        kind: d.kind,
        lang: d.lang,
        as_of: d.as_of,
        internal: d.internal_mark(),
        analyses,
        completeness: reach,
        single: false,
        text,
    })?;
    let mut files = bundle::files(&doc, d.into(), &about(d, titles))?;
    let manifest = manifest::DocumentManifest::new(d, listed, &files);
    files.push(("manifest.json".into(), manifest.to_json()?.into_bytes()));
    let staging = output::Staging::new(folder)?;
    for (path, bytes) in &files {
        staging.write(path, bytes)?;
    }
    Ok(staging.finish())
}
