//! The documents: the annual analysis of every shipped pipeline (from the shared `run --all` on
//! data-samples/), the midway status, the English report with the Danish Excel CSV dialect and
//! PNG figures, and the analysis plan.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::common::{copy_folder, root, run_spec, small_registers, stderr, ulighed};
use crate::html::{self, numbers};
use crate::pipelines::{all_outputs, shipped};

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

/// The annual document of the shared run.
pub(crate) fn annual() -> PathBuf {
    all_outputs().join("aarsanalyse")
}

/// The midway status of every pipeline on the small registers, as of 15 August 2024.
pub(crate) fn midway() -> &'static Path {
    static OUT: OnceLock<PathBuf> = OnceLock::new();
    OUT.get_or_init(|| {
        let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("reports-midway");
        let _ = std::fs::remove_dir_all(&out);
        let result = ulighed(&[
            "run",
            "--all",
            "--report",
            "midway",
            "--registers",
            small_registers().to_str().expect("utf-8"),
            "--out",
            out.to_str().expect("utf-8"),
            "--as-of",
            "2025-08-15",
        ]);
        assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
        out.join("midtvejsstatus")
    })
}

/// The `data-section` names of a page, in order.
fn sections(page: &str) -> Vec<&str> {
    html::between(page, "data-section=\"", "\"")
}

#[test]
fn annual_analysis_has_every_part_and_no_recommendations() {
    let page = read(&annual().join("report.html"));
    let found = sections(&page);
    let chapters = found.iter().filter(|s| **s == "chapter").count();
    assert_eq!(chapters, shipped().len(), "one chapter per analysis");
    for part in [
        "synthetic",
        "title",
        "contents",
        "summary",
        "reading-guide",
        "methods",
        "completeness",
        "appendix-data",
        "provenance",
    ] {
        assert!(found.contains(&part), "no {part} section: {found:?}");
    }
    assert!(
        !found.contains(&"plan-status"),
        "the plan status is the midway status's"
    );
    // The annual analysis makes no recommendations: no heading says so, in either language.
    for level in ["h1", "h2", "h3", "h4"] {
        for heading in html::between(&page, &format!("<{level}>"), &format!("</{level}>")) {
            let heading = heading.to_lowercase();
            assert!(
                !heading.contains("anbefal") && !heading.contains("recommend"),
                "a recommendations heading: {heading}"
            );
        }
    }
    // Each chapter states its key results in words, and every chapter title is the spec's.
    assert!(page.matches("<div class=\"key-results\">").count() >= shipped().len());
    for id in shipped() {
        assert!(
            page.contains(&format!("id=\"kapitel-{id}\"")),
            "no chapter {id}"
        );
    }
    // Tables and figures are numbered 1, 2, 3, ... without gaps.
    let tables = html::tables(&page);
    for (i, t) in tables.iter().enumerate() {
        assert!(
            t.caption.starts_with(&format!("Tabel {}. ", i + 1)),
            "{}",
            t.caption
        );
    }
    let captions = html::between(&page, "<figcaption>", "</figcaption>");
    assert!(
        captions.len() >= 2 * shipped().len(),
        "{} figures",
        captions.len()
    );
    for (i, c) in captions.iter().enumerate() {
        assert!(c.starts_with(&format!("Figur {}. ", i + 1)), "{c}");
    }
    // The methods appendix gives formulas and references; the provenance each spec's hash, the
    // run key and how many input files, whose hashes are in the manifests.
    assert!(page.contains("Wilson (1927)") && page.contains("PHEindicatormethods"));
    for id in shipped() {
        let manifest: serde_json::Value =
            serde_json::from_str(&read(&all_outputs().join(&id).join("manifest.json"))).unwrap();
        for key in ["spec_sha256", "run_key"] {
            assert!(
                page.contains(manifest[key].as_str().unwrap()),
                "{id}: {key}"
            );
        }
        let inputs = manifest["inputs"].as_array().unwrap();
        assert!(
            page.contains(&format!("{} inputfiler fra registrene", inputs.len())),
            "{id}: {} inputs",
            inputs.len()
        );
        assert!(
            !page.contains(inputs[0]["sha256"].as_str().unwrap()),
            "{id}: file hashes stay in the manifest"
        );
    }
    assert!(!page.contains("foreløbig"), "the annual analysis is final");
}

#[test]
fn every_figure_is_valid_svg_with_a_text_alternative() {
    for dir in [annual(), midway().to_path_buf()] {
        let page = read(&dir.join("report.html"));
        let figures = html::between(&page, "<figure id=\"", "</figure>");
        assert!(!figures.is_empty());
        for figure in &figures {
            let slug = &figure[..figure.find('"').unwrap()];
            assert!(
                figure.contains("<details class=\"alt\">"),
                "{slug}: no text alternative"
            );
            let alt = html::text(html::between(figure, "<details class=\"alt\">", "</details>")[0]);
            assert!(alt.len() > 40, "{slug}: text alternative {alt:?}");
            let file = read(&dir.join("figures").join(format!("{slug}.svg")));
            let doc = roxmltree::Document::parse(&file)
                .unwrap_or_else(|e| panic!("{slug}.svg does not parse: {e}"));
            let svg = doc.root_element();
            assert_eq!(svg.tag_name().name(), "svg");
            assert_eq!(svg.attribute("role"), Some("img"), "{slug}");
            let child = |name: &str| {
                svg.children()
                    .find(|n| n.tag_name().name() == name)
                    .and_then(|n| n.text())
                    .unwrap_or_default()
                    .to_string()
            };
            assert!(child("title").len() > 10, "{slug}: no <title>");
            assert!(child("desc").len() > 10, "{slug}: no <desc>");
            // The figure in the page is the file.
            assert!(
                page.contains(file.trim()),
                "{slug}: the page's SVG differs from the file"
            );
        }
    }
}

/// Records of a CSV text (RFC 4180 quoting) with the separator given.
fn parse(text: &str, separator: char) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (c, false) if c == separator => record.push(std::mem::take(&mut field)),
            ('\n', false) => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (c, _) => field.push(c),
        }
    }
    records
}

/// Compares one report table with its CSV: same headings (an interval column becomes value,
/// lower, upper) and, cell by cell, the same text and the same printed numbers.
fn assert_table_matches_csv(table: &html::HtmlTable, csv_path: &Path, decimal_comma: bool) {
    let text = read(csv_path);
    let separator = if decimal_comma { ';' } else { ',' };
    let records = parse(text.trim_start_matches('\u{feff}'), separator);
    let mut expected_headings = Vec::new();
    let mut interval = Vec::new();
    for h in &table.headings {
        match h
            .strip_suffix(" (95\u{a0}% CI)")
            .or_else(|| h.strip_suffix(" (95% CI)"))
        {
            Some(name) => {
                expected_headings.push(name.to_string());
                expected_headings.push(format!("{name} nedre"));
                expected_headings.push(format!("{name} øvre"));
                interval.push(true);
            }
            None => {
                expected_headings.push(h.clone());
                interval.push(false);
            }
        }
    }
    assert_eq!(records[0], expected_headings, "{}", table.id);
    assert_eq!(records.len() - 1, table.rows.len(), "{}: rows", table.id);
    for (r, row) in table.rows.iter().enumerate() {
        let mut column = 0;
        for (cell, has_interval) in row.iter().zip(&interval) {
            let width = if *has_interval { 3 } else { 1 };
            let fields: Vec<String> = (column..column + width)
                .map(|c| records[r + 1][c].clone())
                .collect();
            column += width;
            if !cell.numeric {
                assert_eq!(fields[0], cell.text, "{} row {r}", table.id);
                continue;
            }
            let printed = if !cell.empty {
                numbers(&cell.text)
            } else {
                Vec::new()
            };
            let exported: Vec<f64> = fields
                .iter()
                .filter(|f| !f.is_empty())
                .map(|f| {
                    let f = if decimal_comma {
                        f.replace(',', ".")
                    } else {
                        f.clone()
                    };
                    f.parse().unwrap_or_else(|_| panic!("{}: {f:?}", table.id))
                })
                .collect();
            assert_eq!(printed, exported, "{} row {r}: {:?}", table.id, cell.text);
        }
    }
}

#[test]
fn table_files_hold_the_numbers_printed_in_the_report() {
    let dir = annual();
    let page = read(&dir.join("report.html"));
    let tables = html::tables(&page);
    assert!(tables.len() > 20);
    for t in &tables {
        let number: usize = t.id.trim_start_matches("tabel-").parse().unwrap();
        assert_table_matches_csv(t, &dir.join(format!("tables/tabel-{number:02}.csv")), false);
    }
    // The same tables as Parquet (one row per table row) and one Excel workbook.
    let first = dir.join("tables/tabel-01.parquet");
    use polars::prelude::SerReader;
    let frame = polars::prelude::ParquetReader::new(std::fs::File::open(&first).unwrap())
        .finish()
        .unwrap();
    assert_eq!(frame.height(), tables[0].rows.len());
    let workbook = std::fs::read(dir.join("tables/tabeller.xlsx")).unwrap();
    assert_eq!(&workbook[..2], b"PK", "an .xlsx file is a zip archive");
}

#[test]
fn midway_status_marks_everything_preliminary_and_reports_plan_and_data() {
    let page = read(&midway().join("report.html"));
    let found = sections(&page);
    for part in [
        "title",
        "summary",
        "plan-status",
        "completeness",
        "appendix-data",
        "provenance",
    ] {
        assert!(found.contains(&part), "no {part}: {found:?}");
    }
    assert!(page.contains("<p class=\"kind\">Midtvejsstatus 2025</p>"));
    for caption in html::between(&page, "<figcaption>", "</figcaption>") {
        assert!(caption.contains("(foreløbig)"), "{caption}");
    }
    for figure in std::fs::read_dir(midway().join("figures")).unwrap() {
        let svg = read(&figure.unwrap().path());
        let title = html::between(&svg, "<title>", "</title>")[0];
        assert!(title.contains("foreløbig"), "{title}");
    }
    let tables = html::tables(&page);
    for t in &tables {
        assert!(t.caption.contains("(foreløbig)"), "{}", t.caption);
    }
    // The plan's status: every shipped analysis, each with results or why it failed.
    let status = tables
        .iter()
        .find(|t| t.caption.contains("Analyseplanens analyser"))
        .expect("status table");
    assert_eq!(status.rows.len(), shipped().len());
    // Data completeness: every register, the event registers with their latest date.
    let data = tables
        .iter()
        .find(|t| t.caption.contains("Registrenes data"))
        .expect("completeness table");
    let registers: Vec<&str> = data.rows.iter().map(|r| r[0].text.as_str()).collect();
    assert_eq!(
        registers,
        [
            "bef",
            "udda",
            "ind",
            "lpr_kontakter",
            "lpr_diagnoser",
            "lpr_procedurer",
            "lmdb",
            "dod",
            "vnds",
            "akm"
        ]
    );
    let lmdb = &data.rows[6];
    assert!(
        lmdb[3].text.starts_with("2024-12"),
        "latest prescription {}",
        lmdb[3].text
    );
    assert_eq!(data.rows[0][2].text, "2021–2024");
}

/// The youth analysis's English report on the small registers into `out` (a fresh folder),
/// with `extra` arguments; returns the analysis's folder.
fn english_youth_report(out: &Path, extra: &[&str]) -> PathBuf {
    let _ = std::fs::remove_dir_all(out);
    let spec = crate::common::root().join("pipelines/youth_depression_anxiety_wait.toml");
    let mut args = vec![
        "run",
        spec.to_str().unwrap(),
        "--registers",
        small_registers().to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--as-of",
        "2025-06-30",
        "--lang",
        "en",
    ];
    args.extend_from_slice(extra);
    let result = ulighed(&args);
    assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
    out.join("youth_depression_anxiety_wait")
}

/// The youth analysis's report on the small registers in English, with the Danish Excel CSV
/// dialect and PNG figures.
pub(crate) fn english() -> &'static Path {
    static OUT: OnceLock<PathBuf> = OnceLock::new();
    OUT.get_or_init(|| {
        english_youth_report(
            &PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("reports-english"),
            &["--csv-dialect", "excel-da", "--png"],
        )
    })
}

#[test]
fn english_report_with_danish_excel_csv_and_png_figures() {
    let dir = english();
    let page = read(&dir.join("report.html"));
    assert!(page.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    for english in [
        "Annual analysis",
        "Summary of findings",
        "Chapter 1.",
        "Table 1.",
        "Figure 1.",
        "Appendix A. Data and methods",
    ] {
        assert!(page.contains(english), "no {english:?}");
    }
    // No Danish label is left in the English page's words.
    let words = html::text(&page);
    for danish in [
        "Tabel ",
        "Figur ",
        "Kapitel",
        "undertrykt",
        "Andel (%)",
        "Patienter",
    ] {
        let at = words
            .find(danish)
            .map(|i| &words[i.saturating_sub(80)..(i + 80).min(words.len())]);
        assert!(
            at.is_none(),
            "Danish {danish:?} in the English report: {at:?}"
        );
    }
    let tables = html::tables(&page);
    // The first results table (the methods chapter's come before it).
    let first = tables
        .iter()
        .position(|t| t.headings.iter().any(|h| h.starts_with("Proportion (%)")))
        .expect("a results table");
    let csv = std::fs::read(dir.join(format!("tables/tabel-{:02}.csv", first + 1))).unwrap();
    assert!(
        csv.starts_with("\u{feff}".as_bytes()),
        "a byte-order mark for Excel"
    );
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.lines().next().unwrap().contains(';'));
    // English headings in the export, decimal commas in its numbers.
    let records = parse(csv.trim_start_matches('\u{feff}'), ';');
    assert!(
        records[0].contains(&"Proportion (%) lower".to_string()),
        "{:?}",
        records[0]
    );
    assert_eq!(records.len(), tables[first].rows.len() + 1);
    assert!(
        records[1..]
            .iter()
            .flatten()
            .any(|f| f.contains(',') && f.parse::<f64>().is_err()),
        "no decimal comma in {csv}"
    );
    // The tidy table in the same dialect, with the numbers of a run in the standard one.
    let tidy = String::from_utf8(
        std::fs::read(dir.join("tables/youth_depression_anxiety_wait.csv")).unwrap(),
    )
    .unwrap();
    assert!(tidy.starts_with('\u{feff}'), "a byte-order mark for Excel");
    let danish = parse(tidy.trim_start_matches('\u{feff}'), ';');
    assert_eq!(danish[0][0], "analysis");
    let standard_dir = english_youth_report(
        &PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("reports-english-standard"),
        &[],
    );
    let standard = parse(
        &read(&standard_dir.join("tables/youth_depression_anxiety_wait.csv")),
        ',',
    );
    assert_eq!(danish.len(), standard.len());
    let mut commas = 0;
    for (d, s) in danish.iter().zip(&standard) {
        for (a, b) in d.iter().zip(s) {
            if a != b {
                assert_eq!(
                    a.replace(',', "."),
                    *b,
                    "the same number with a decimal comma"
                );
                commas += 1;
            }
        }
    }
    assert!(commas > 0, "decimal commas in the Danish tidy table");
    let figures: Vec<PathBuf> = std::fs::read_dir(dir.join("figures"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let svgs = figures
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "svg"))
        .count();
    let pngs: Vec<&PathBuf> = figures
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "png"))
        .collect();
    assert!(svgs > 0);
    assert_eq!(pngs.len(), svgs, "a PNG beside every SVG");
    for png in pngs {
        assert_eq!(&std::fs::read(png).unwrap()[1..4], b"PNG", "{png:?}");
    }
}

#[test]
fn analysis_plan_describes_every_pipeline() {
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("analysis-plan");
    let _ = std::fs::remove_dir_all(&out);
    let result = ulighed(&["plan", "--all", "--out", out.to_str().unwrap()]);
    assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
    let page = read(&out.join("analyseplan.html"));
    let plans = html::between(&page, "data-section=\"plan\">", "</section>");
    assert_eq!(plans.len(), shipped().len());
    for plan in plans {
        for term in [
            "Emne",
            "Design",
            "Population",
            "Patientgruppe",
            "Udfald",
            "Opdeling og mål",
        ] {
            assert!(plan.contains(term), "no {term} in {plan}");
        }
    }
    assert!(page.contains("Type 2-diabetes"));
}

/// An incident analysis pooled over a period is labelled by its period in headings, captions
/// and figure titles, never by the period's first year alone; a prevalent one by its index year.
#[test]
fn an_incident_analysis_is_labelled_by_its_period() {
    let out = crate::pipelines::all_outputs();
    let ami = read(&out.join("ami_pci_rehab_death/report.html"));
    assert!(
        ami.contains("(2021–2024)</h3>"),
        "the outcomes' headings name the period"
    );
    assert!(
        !ami.contains("(2021)</h3>"),
        "no heading names the first year alone"
    );
    let t2d = read(&out.join("t2d_sglt2_glp1/report.html"));
    assert!(
        t2d.contains("(2024)</h3>"),
        "a prevalent analysis keeps its index year"
    );
}

/// The tidy table says which period each row describes: an incident design its whole period
/// (AMI's patients were indexed from 1 January 2021 to 30 September 2024, not in 2021), a
/// prevalent one its index date in each trend year; and why a cell is blank.
#[test]
fn the_tidy_table_names_each_rows_period_and_status() {
    use crate::table::Table;
    let out = crate::pipelines::all_outputs();
    let table = |id: &str| {
        Table::from_text(&read(
            &out.join(id).join("tables").join(format!("{id}.csv")),
        ))
    };
    let ami = table("ami_pci_rehab_death");
    for r in 0..ami.len() {
        assert_eq!(
            (ami.str(r, "period_start"), ami.str(r, "period_end")),
            ("2021-01-01", "2024-09-30"),
            "row {r}"
        );
    }
    let t2d = table("t2d_sglt2_glp1");
    let mut years = std::collections::BTreeSet::new();
    for r in 0..t2d.len() {
        let day = format!("{}-01-01", t2d.str(r, "year"));
        assert_eq!(t2d.str(r, "period_start"), day, "row {r}");
        assert_eq!(t2d.str(r, "period_end"), day, "row {r}");
        years.insert(day);
    }
    assert_eq!(years.len(), 2, "the trend's two index dates");
    // Every blank value has its reason; every value shown is 'vist'.
    let mut seen = std::collections::BTreeSet::new();
    for t in [&ami, &t2d, &table("hip_fracture_surgery")] {
        for r in 0..t.len() {
            let status = t.str(r, "status");
            let expected = match (t.opt(r, "value"), t.str(r, "suppressed")) {
                (_, "true") => "undertrykt",
                (Some(_), _) => "vist",
                (None, _) if t.str(r, "note") == "ingen patienter i gruppen" => "ingen patienter",
                (None, _) => "ikke beregnet",
            };
            assert_eq!(status, expected, "row {r}: {}", t.str(r, "note"));
            seen.insert(status.to_string());
        }
    }
    assert_eq!(seen.len(), 4, "data-samples/ has every status: {seen:?}");
    // A slope index of an unordered dimension is not computed, for HEAT's reason, also where a
    // level of the dimension is suppressed: never 'undertrykt', which would say it was hidden.
    let mut unordered = 0;
    for id in crate::pipelines::shipped() {
        let t = table(&id);
        for r in 0..t.len() {
            let slope = ["sii", "rii"].contains(&t.str(r, "measure"));
            if slope && ["origin", "region", "sex"].contains(&t.str(r, "dimension")) {
                assert_eq!(t.str(r, "status"), "ikke beregnet", "{id} row {r}");
                assert!(
                    t.str(r, "note").contains("(test_not_ordered)"),
                    "{id} row {r}"
                );
                unordered += 1;
            }
        }
    }
    assert!(
        unordered > 50,
        "{unordered} slope indices of unordered dimensions"
    );
}

/// A document made from `synth`'s registers says so on every page (a fixed banner) and on its
/// title page, which names the period the patients were indexed in; the same registers without
/// synth's truth file are taken as real, and nothing says synthetic.
#[test]
fn synthetic_registers_are_marked_on_every_page_and_real_ones_are_not() {
    let page = read(&annual().join("report.html"));
    assert!(page.contains("<div class=\"synthetic\""), "the banner");
    assert!(page.contains("SYNTETISKE DATA"));
    assert!(
        page.contains("Patienter indekseret fra 1. januar 2021 til og med 29. december 2024"),
        "the title page names the data's period (the earliest start and the latest end: hip fracture's period ends 29 December so that its 48 hours lie in the registers)"
    );
    let manifest =
        read(&crate::pipelines::all_outputs().join("youth_depression_anxiety_wait/manifest.json"));
    assert!(manifest.contains("\"synthetic\": true"), "{manifest}");

    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("reports-real");
    let _ = std::fs::remove_dir_all(&dir);
    let registers = dir.join("registers");
    copy_folder(small_registers(), &registers);
    std::fs::remove_file(registers.join("truth.json")).expect("synth's truth file");
    let out = dir.join("out");
    let run = run_spec(
        "pipelines/youth_depression_anxiety_wait.toml",
        &registers,
        &out,
        "2025-06-30",
    );
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let page = read(&out.join("youth_depression_anxiety_wait/report.html"));
    assert!(!page.contains("class=\"synthetic\"") && !page.contains("SYNTETISK"));
    let manifest = read(&out.join("youth_depression_anxiety_wait/manifest.json"));
    assert!(manifest.contains("\"synthetic\": false"), "{manifest}");
}

/// The chapters show one slope index and one relative index per ordered social dimension, and
/// no other summary measure; the others are in appendix A.5.
#[test]
fn chapters_show_the_slope_indices_and_the_appendix_the_other_summary_measures() {
    let page = read(&annual().join("report.html"));
    let (chapters, appendix) = page.split_once("id=\"bilag-data\"").expect("appendix A");
    let slope_tables: Vec<_> = html::tables(chapters)
        .into_iter()
        .filter(|t| t.caption.contains("Ulighed over hele rangordningen"))
        .collect();
    assert!(slope_tables.len() >= 5, "{}", slope_tables.len());
    for t in &slope_tables {
        for row in &t.rows {
            assert!(
                [
                    "Uddannelse",
                    "Indkomstkvintil",
                    "Forældres uddannelse",
                    "Forældres indkomstkvintil"
                ]
                .contains(&row[0].text.as_str()),
                "{}: {}",
                t.caption,
                row[0].text
            );
        }
    }
    for other in [
        "koncentrationsindeks",
        "Theils indeks",
        "Varians mellem grupper",
    ] {
        assert!(!chapters.contains(other), "{other} in a chapter");
        assert!(appendix.contains(other), "{other} not in appendix A.5");
    }
    assert!(appendix.contains("A.5 Øvrige sammenfattende mål for ulighed"));
}

#[test]
fn the_quality_chapter_names_its_hospitals_with_their_standard_and_control_limits() {
    use crate::table::Table;
    use polars::prelude::{LazyCsvReader, LazyFileListReader, PlRefPath};
    // The hospitals the SOR table places its units in (`SYGEHUS`).
    let sor = crate::common::root().join("data-samples/sor.csv");
    let names: Vec<String> = LazyCsvReader::new(PlRefPath::new(sor.to_str().expect("utf-8")))
        .with_has_header(true)
        .finish()
        .and_then(|f| f.collect())
        .expect("the SOR table")
        .column("SYGEHUS")
        .expect("SYGEHUS")
        .str()
        .expect("text")
        .iter()
        .flatten()
        .map(str::to_string)
        .collect();
    let page = read(&annual().join("report.html"));
    let tables = html::tables(&page);
    let table = tables
        .iter()
        .find(|t| {
            t.caption
                .contains("Operation inden for 48 timer efter sygehus")
        })
        .expect("the hospitals' table");
    assert_eq!(
        table.headings[table.headings.len() - 2..],
        [
            "Standard 90\u{a0}% opfyldt",
            "Kontrolgrænser (95\u{a0}% / 99,8\u{a0}%)"
        ]
    );
    let tidy = Table::from_text(&read(
        &crate::pipelines::all_outputs()
            .join("hip_fracture_surgery/tables/hip_fracture_surgery.csv"),
    ));
    let find = |measure: &str, unit: &str| {
        (0..tidy.len()).find(|&r| {
            tidy.str(r, "outcome") == "surgery_48h"
                && tidy.str(r, "subanalysis").is_empty()
                && tidy.str(r, "measure") == measure
                && tidy.str(r, "group") == unit
        })
    };
    let mut shown = 0;
    for row in &table.rows {
        let unit = &row[0].text;
        if unit == "I alt" {
            continue;
        }
        assert!(names.contains(unit), "{unit:?} is not a hospital's name");
        let share = find("proportion", unit).and_then(|r| tidy.opt(r, "value"));
        let (standard, limits) = (&row[row.len() - 2].text, &row[row.len() - 1].text);
        let Some(share) = share else {
            assert_eq!(
                (standard.as_str(), limits.as_str()),
                ("undertrykt", "undertrykt"),
                "{unit}"
            );
            continue;
        };
        shown += 1;
        assert_eq!(
            standard,
            if share >= 90.0 { "ja" } else { "nej" },
            "{unit}: {share}"
        );
        // -1 below the limits, 0 within, 1 above.
        let side = |m: &str| {
            let r = find(m, unit).expect("funnel row");
            let (lower, upper) = (tidy.num(r, "lower"), tidy.num(r, "upper"));
            if share < lower {
                -1
            } else if share > upper {
                1
            } else {
                0
            }
        };
        let expected = match (side("funnel_95"), side("funnel_998")) {
            (0, _) => "inden for begge",
            (-1, 0) => "under 95\u{a0}%-grænsen",
            (_, 0) => "over 95\u{a0}%-grænsen",
            (_, -1) => "under 99,8\u{a0}%-grænsen",
            _ => "over 99,8\u{a0}%-grænsen",
        };
        assert_eq!(limits, expected, "{unit}: {share}");
        // Its point in the funnel plot is named.
        let funnel = read(
            &annual().join("figures").join(
                std::fs::read_dir(annual().join("figures"))
                    .expect("figures")
                    .filter_map(|e| e.ok()?.file_name().into_string().ok())
                    .find(|f| f.contains("surgery_48h") && f.contains("tragt"))
                    .expect("the funnel plot"),
            ),
        );
        let start: String = unit.chars().take(20).collect();
        assert!(
            funnel.contains(&format!("\n{start}")),
            "{unit} is not named in the funnel"
        );
    }
    assert!(shown >= 3, "{shown} hospitals shown");
}

/// The methods chapter defines every stratifier the annual analysis uses as the strata are
/// computed (SEPLINE's education and income), names the date each analysis's population register
/// describes, and its table from population to outcome starts each analysis from its population
/// in thousands and prints, for every outcome, the patients at risk and with the outcome of the
/// tidy table's total row.
#[test]
fn the_methods_chapter_defines_the_stratifiers_and_follows_the_patients_to_each_outcome() {
    let page = read(&annual().join("report.html"));
    let chapter = html::between(&page, "data-section=\"methods\">", "</section>\n<section")[0];
    let text = html::text(chapter);
    for expected in [
        "SEPLINE",
        "H40–H80",
        "ækvivalerede disponible familieindkomst",
        "køn og femårsaldersgruppe",
        "Bopælsregion",
        "1. januar 2021",
        // The incident analyses' patients are described as of their own index year.
        "1. januar i indeksåret",
        "til og med indeksåret",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from {text}");
    }
    let tables = html::tables(chapter);
    let flow = tables
        .iter()
        .find(|t| t.headings.iter().any(|h| h == "Personer"))
        .expect("the table from population to outcome");
    // Each analysis starts from its population, to the nearest thousand and above its patients.
    let populations: Vec<f64> = flow
        .rows
        .iter()
        .filter(|r| r[1].text.starts_with("Befolkningen: bosatte i alderen"))
        .map(|r| html::numbers(&r[2].text)[0])
        .collect();
    assert_eq!(
        populations.len(),
        shipped().len(),
        "a population per analysis"
    );
    for p in &populations {
        assert!(*p >= 1000.0 && p % 1000.0 == 0.0, "{p}");
    }
    let mut checked = 0;
    let mut analysis = String::new();
    for id in shipped() {
        let tidy = std::fs::read_to_string(
            all_outputs()
                .join(&id)
                .join("tables")
                .join(format!("{id}.csv")),
        )
        .expect("tidy table");
        let t = crate::table::Table::from_text(&tidy);
        let spec: toml::Value =
            toml::from_str(&read(&root().join("pipelines").join(format!("{id}.toml"))))
                .expect("spec");
        let latest = (0..t.len())
            .map(|r| t.num(r, "year") as i32)
            .max()
            .expect("rows");
        for outcome in spec["outcomes"].as_array().expect("outcomes") {
            let name = outcome["name_da"].as_str().expect("name");
            let total = (0..t.len())
                .find(|&r| {
                    t.str(r, "outcome") == outcome["id"].as_str().expect("id")
                        && t.str(r, "subanalysis").is_empty()
                        && t.num(r, "year") as i32 == latest
                        && t.str(r, "measure") == "proportion"
                        && t.str(r, "group") == "i alt"
                })
                .expect("a total row");
            let row = flow
                .rows
                .iter()
                .find(|row| {
                    if !row[0].text.is_empty() {
                        analysis = row[0].text.clone();
                    }
                    row[1].text.starts_with(name)
                        && analysis == spec["title_da"].as_str().expect("title")
                })
                .unwrap_or_else(|| panic!("{id}: no row for {name}"));
            assert_eq!(
                html::numbers(&row[2].text),
                vec![t.num(total, "denominator")],
                "{id} {name}: at risk"
            );
            assert_eq!(
                html::numbers(&row[3].text),
                vec![t.num(total, "numerator")],
                "{id} {name}: with the outcome"
            );
            checked += 1;
        }
    }
    assert!(checked >= 10, "{checked} outcomes checked");
    assert!(
        tables
            .iter()
            .any(|t| t.caption.contains("Registrenes data")),
        "the annual analysis gives the registers' reach"
    );
}

/// A trend shows inequality, not only totals: the diabetes analysis (trend 2023-2024) prints, for
/// each year, the education SII and the difference of short from long education as its tidy
/// table has them.
#[test]
fn a_trend_shows_the_gaps_and_slope_indices_by_year() {
    let page = read(&annual().join("report.html"));
    let table = html::tables(&page)
        .into_iter()
        .find(|t| t.caption.contains("Ulighed over år"))
        .expect("the inequality-by-year table");
    assert!(table.headings[2].starts_with("2023") && table.headings[3].starts_with("2024"));
    assert_eq!(table.headings.len(), 4);
    let tidy = crate::table::Table::from_text(
        &std::fs::read_to_string(all_outputs().join("t2d_sglt2_glp1/tables/t2d_sglt2_glp1.csv"))
            .expect("tidy"),
    );
    for (label, measure, group, method) in [
        (
            "SII efter uddannelse (procentpoint)",
            "sii",
            "",
            "heat-logistic",
        ),
        (
            "Kort (grundskole) – lang",
            "difference",
            "kort",
            "delta-method",
        ),
    ] {
        let row = table
            .rows
            .iter()
            .find(|r| r[1].text.starts_with(label))
            .unwrap_or_else(|| panic!("no row {label}"));
        for (i, year) in ["2023", "2024"].iter().enumerate() {
            let r = (0..tidy.len())
                .find(|&r| {
                    tidy.str(r, "year") == *year
                        && tidy.str(r, "subanalysis").is_empty()
                        && tidy.str(r, "dimension") == "education"
                        && tidy.str(r, "measure") == measure
                        && tidy.str(r, "group") == group
                        && tidy.str(r, "method") == method
                })
                .expect("tidy row");
            let printed = html::numbers(&row[2 + i].text);
            match tidy.opt(r, "value") {
                Some(value) => {
                    let expected = [value, tidy.num(r, "lower"), tidy.num(r, "upper")]
                        .map(|v| (v * 10.0).round() / 10.0);
                    assert_eq!(printed, expected, "{label} {year}");
                }
                None => assert!(printed.is_empty(), "{label} {year}: {printed:?}"),
            }
        }
    }
}

/// Every note of every shipped analysis's tidy table is in the run's language: no English
/// reason (WHO HEAT's tests, the measures' errors, the funnel's significance) in a Danish run,
/// no Danish one in an English run of the same analyses.
#[test]
fn the_tidy_tables_notes_are_in_the_runs_language() {
    let english_out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("notes-english");
    let _ = std::fs::remove_dir_all(&english_out);
    let run = ulighed(&[
        "run",
        "--all",
        "--out",
        english_out.to_str().expect("utf-8"),
        "--as-of",
        "2025-06-30",
        "--lang",
        "en",
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let english_words = [
        "suppressed",
        "not computed",
        "needs",
        " got ",
        "no interval",
        "simulated",
        "Not significant",
        "baseline",
        "inferred",
        "the dimension",
        "withheld",
        "nobody",
        "no patients",
        "not standardised",
        "not met",
        "value ",
    ];
    let danish_words = [
        "undertrykt",
        "ikke ",
        "ingen ",
        "tilbageholdt",
        "opfyldt",
        "aldersgruppen",
        "kræver",
        "landsgennemsnit",
        "opdelingen",
        "fik ",
    ];
    for (root, foreign) in [
        (all_outputs(), &english_words[..]),
        (english_out.as_path(), &danish_words[..]),
    ] {
        let mut notes = 0;
        for id in shipped() {
            let path = root.join(&id).join("tables").join(format!("{id}.csv"));
            let t = crate::table::Table::from_text(&read(&path));
            for r in 0..t.len() {
                let note = t.str(r, "note");
                if note.is_empty() {
                    continue;
                }
                notes += 1;
                for word in foreign {
                    assert!(
                        !note.contains(word),
                        "{path:?} row {}: {word:?} in {note:?}",
                        r + 2
                    );
                }
            }
        }
        assert!(notes > 1000, "{notes} notes read in {root:?}");
    }
}

/// The population each analysis's patients come from is the residents of its population
/// register year in its ages on 1 January, to the nearest thousand: counted here from
/// `data-samples/bef2021.parquet` for AMI (30 and over) and the youth analysis (10-24), by
/// birth dates compared as dates, against the manifests of the shipped run.
#[test]
fn the_population_is_the_residents_in_the_ages_in_thousands() {
    use polars::prelude::*;
    let bef = ParquetReader::new(
        std::fs::File::open(root().join("data-samples/bef2021.parquet")).expect("bef2021"),
    )
    .finish()
    .expect("read");
    let births: Vec<i32> = bef
        .column("FOED_DAG")
        .expect("FOED_DAG")
        .cast(&DataType::Int32)
        .expect("days")
        .i32()
        .expect("i32")
        .into_no_null_iter()
        .collect();
    // Days since 1970-01-01 of 1 January 2021 less `years` years (a birthday on 1 January has
    // come by then).
    let born_by = |years: i32| {
        let year = 2021 - years;
        let mut days = 0;
        for y in 1970..year {
            days += if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 {
                366
            } else {
                365
            };
        }
        for y in year..1970 {
            days -= if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 {
                366
            } else {
                365
            };
        }
        days
    };
    for (id, youngest, oldest) in [
        ("ami_pci_rehab_death", 30, 120),
        ("youth_depression_anxiety_wait", 10, 24),
    ] {
        // Aged at least `youngest`: born on or before 1 January 2021 - youngest years; at most
        // `oldest`: born after 1 January 2021 - (oldest + 1) years.
        let count = births
            .iter()
            .filter(|&&b| b <= born_by(youngest) && b > born_by(oldest + 1))
            .count() as u64;
        let manifest: serde_json::Value =
            serde_json::from_str(&read(&all_outputs().join(id).join("manifest.json")))
                .expect("manifest");
        let expected = (count + 500) / 1000 * 1000;
        assert_eq!(manifest["population"], expected, "{id}: {count} residents");
        assert!(count > 1000, "{id}: {count}");
    }
}
