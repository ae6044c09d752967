//! The documents the council delivers: the annual analysis (31 December) and the midway status
//! (15 August), and the report of a single analysis, all one self-contained HTML page (inline
//! SVG and CSS, printable to A4): a title page, the contents, a summary of findings (descriptive:
//! the annual analysis makes no recommendations, so it has no such section), the midway status's
//! plan status and data completeness, a chapter per analysis, the data and methods appendix and
//! the provenance of every number.

use super::chapter::{Chapter, Numbered, Style};
use super::deliverable::ReportKind;
use super::doc_table::{Cell, Column, DocTable};
use super::figures::Figure;
use super::format::{self, escape};
use super::labels::Lang;
use super::method_chapter::{self, AnalysisFacts};
use super::methods::{measure_name, note};
use super::{definitions, style};
use crate::dates;
use crate::disclosure::suppressed::InformationLoss;
use crate::error::Result;
use crate::spec::frame::DocumentText;
use crate::spec::{LoadedSpec, Measure, SummaryMeasure};
use crate::tidy::{Row, years};

/// One register file an analysis read, with its fingerprint.
#[derive(Debug, Clone)]
pub struct InputRecord {
    pub path: String,
    pub register: String,
    pub sha256: String,
}

/// Where an analysis's numbers came from.
#[derive(Debug, Clone)]
pub struct RunRecord {
    pub spec_sha256: String,
    pub run_key: String,
    pub inputs: Vec<InputRecord>,
    pub threshold: u64,
    /// What disclosure control cost (from the manifest).
    pub information_loss: InformationLoss,
    /// The registers were synthetic: the document says so on every page.
    pub synthetic: bool,
    /// The residents in the analysis's ages and area in its last year, to the nearest thousand.
    pub population: u64,
}

/// An analysis of the plan: its released rows and provenance, or the exit code of its failed
/// run (the document says in words what failed; the message is in the manifest and the log).
pub struct Analysis<'a> {
    pub spec: &'a LoadedSpec,
    pub rows: Vec<Row>,
    pub run: std::result::Result<RunRecord, i32>,
}

/// Why an analysis has no results, in the reader's words, from its run's exit code
/// ([`crate::error::Error::exit_code`]).
fn failure_reason(exit_code: i32, lang: Lang) -> &'static str {
    match exit_code {
        65 => lang.pick(
            "Registrene kunne ikke læses eller bestod ikke valideringen (se kørselsloggen).",
            "The registers could not be read or failed validation (see the run log).",
        ),
        66 => lang.pick(
            "En inputfil eller -mappe mangler (se kørselsloggen).",
            "An input file or folder is missing (see the run log).",
        ),
        73 => lang.pick(
            "Resultaterne kunne ikke skrives (se kørselsloggen).",
            "The results could not be written (see the run log).",
        ),
        78 => lang.pick(
            "Analysens specifikation er ugyldig (se kørselsloggen).",
            "The analysis's specification is not valid (see the run log).",
        ),
        _ => lang.pick(
            "Analysen fejlede (se kørselsloggen).",
            "The analysis failed (see the run log).",
        ),
    }
}

pub use crate::registers::completeness::Completeness;

/// What to write.
pub struct DocumentSpec<'a> {
    pub kind: ReportKind,
    pub lang: Lang,
    pub as_of: i32,
    /// The NOT FOR RELEASE mark of an internal run.
    pub internal: Option<&'static str>,
    pub analyses: &'a [Analysis<'a>],
    pub completeness: &'a [Completeness],
    /// The report of one analysis (its title on the title page) rather than the whole plan.
    pub single: bool,
    /// The analysts' text of the document: authors, approval, foreword.
    pub text: Option<&'a DocumentText>,
}

/// A written document: the page, and its numbered tables and figures for the exports.
pub struct Document {
    pub html: String,
    pub tables: Vec<DocTable>,
    pub figures: Vec<Figure>,
}

/// Who wrote the document and who approved it when, for its title page; a document with an
/// approving body but no approval date is marked as a draft.
fn authorship(text: &DocumentText, lang: Lang) -> String {
    let mut html = String::new();
    if !text.authors.is_empty() {
        let names: Vec<String> = text.authors.iter().map(|a| escape(a)).collect();
        let listed = match names.split_last() {
            Some((last, [])) => last.clone(),
            Some((last, rest)) => format!("{} {} {last}", rest.join(", "), lang.pick("og", "and")),
            None => String::new(),
        };
        html.push_str(&format!(
            "<p class=\"authors\">{} {listed}.</p>\n",
            lang.pick("Udarbejdet af", "Prepared by")
        ));
    }
    match (&text.approved_by, text.approved) {
        (Some(body), Some(day)) => html.push_str(&format!(
            "<p class=\"approval\">{} {} {} {}.</p>\n",
            lang.pick("Godkendt af", "Approved by"),
            escape(body),
            lang.pick("den", "on"),
            format::date(day, lang)
        )),
        (Some(body), None) => html.push_str(&format!(
            "<p class=\"status\"><strong>{} {}.</strong></p>\n",
            lang.pick(
                "Udkast: endnu ikke godkendt af",
                "Draft: not yet approved by"
            ),
            escape(body)
        )),
        (None, Some(day)) => html.push_str(&format!(
            "<p class=\"approval\">{} {}.</p>\n",
            lang.pick("Godkendt den", "Approved on"),
            format::date(day, lang)
        )),
        (None, None) => {}
    }
    html
}

/// The reading guide: the words and signs of the tables and the text, for a reader who is not
/// a statistician.
fn reading_guide(lang: Lang) -> String {
    let terms: [(&str, &str, &str, &str); 10] = [
        (
            "Andel",
            "Procentdelen af patienterne i en gruppe, der havde udfaldet, fx fik PCI inden for 2 dage.",
            "Proportion",
            "The percentage of the patients in a group who had the outcome, e.g. PCI within 2 days.",
        ),
        (
            "95 % CI (sikkerhedsinterval)",
            "Intervallet af værdier, som er forenelige med data. Jo færre patienter i gruppen, jo bredere interval. Skrives \"41,2 (38,0–44,5)\"; en grænse under 0 skrives med \"til\": \"−1,2 til 3,4\".",
            "95% CI (confidence interval)",
            "The range of values compatible with the data. The fewer the patients in a group, the wider the interval. Written \"41.2 (38.0–44.5)\"; a limit below 0 with \"to\": \"−1.2 to 3.4\".",
        ),
        (
            "Referencegruppe",
            "Den gruppe, de andre sammenlignes med: lang uddannelse, 5. indkomstkvintil og dansk oprindelse, ellers den gruppe, der har flest patienter. Den vælges, før udfaldet ses, så sammenligningen ikke skævvrides af tilfældigt gode resultater.",
            "Reference group",
            "The group the others are compared with: long education, the 5th income quintile and Danish origin, otherwise the group with the most patients. It is chosen before the outcome is looked at, so chance good results do not bias the comparison.",
        ),
        (
            "Procentpoint",
            "Forskellen mellem to andele: fra 40 % til 50 % er 10 procentpoint (og 25 % mere).",
            "Percentage points",
            "The difference between two proportions: from 40% to 50% is 10 percentage points (and 25% more).",
        ),
        (
            "Statistisk signifikant",
            "En forskel, hvis 95 % CI ikke omfatter 0. En forskel, der ikke er statistisk signifikant, kan skyldes tilfældig variation; den er ikke bevis for, at der ingen forskel er.",
            "Statistically significant",
            "A difference whose 95% CI does not include 0. A difference that is not statistically significant may be chance; it is no proof that there is no difference.",
        ),
        (
            "Alders- og kønsstandardiseret andel",
            "Den andel, gruppen ville have haft, hvis den havde samme fordeling på alder og køn som alle analysens patienter (direkte standardisering, bilag A), så grupper med forskellig alder kan sammenlignes. For køn standardiseres kun for alder, for aldersgrupper kun for køn.",
            "Age- and sex-standardised proportion",
            "The proportion the group would have had with the age and sex distribution of all the analysis's patients (direct standardisation, appendix A), so that groups of different ages can be compared. By sex it is standardised for age alone, by age group for sex alone.",
        ),
        (
            "Hældningsindeks (SII) og relativt ulighedsindeks (RII)",
            "Forskellen (SII, i procentpoint) og forholdet (RII) mellem den laveste og den højeste ende af en ordnet opdeling som uddannelse eller indkomst, beregnet over alle grupper.",
            "Slope index (SII) and relative index of inequality (RII)",
            "The difference (SII, in percentage points) and the ratio (RII) between the bottom and the top of an ordered dimension such as education or income, computed over all its groups.",
        ),
        (
            "Oddsratio, ujusteret og justeret",
            "Oddsen for udfaldet i gruppen divideret med oddsen i referencegruppen, fra en logistisk model. Justeret for alder og køn sammenligner grupper med samme alder og køn; gensidigt justeret også med samme uddannelse, indkomst, herkomst og region (de af dem, analysen opdeler efter). En oddsratio under 1 betyder lavere odds end referencegruppen. Den justerede forskel er forskellen i procentpoint, hvis alle patienter havde tilhørt gruppen frem for referencegruppen.",
            "Odds ratio, unadjusted and adjusted",
            "The odds of the outcome in the group divided by the odds in the reference group, from a logistic model. Adjusted for age and sex compares groups of the same age and sex; mutually adjusted also of the same education, income, origin and region (those the analysis is broken down by). An odds ratio below 1 means lower odds than the reference group. The adjusted difference is the difference in percentage points had all patients belonged to the group rather than the reference group.",
        ),
        (
            "Undertrykt",
            "Tallet vises ikke (diskretion): det bygger på færre personer end tærsklen (bilag A), eller det ville lade en læser regne sig frem til et sådant tal ud fra andre tal i rapporten eller tidligere udgivelser.",
            "Suppressed",
            "The number is not shown (disclosure control): it rests on fewer persons than the threshold (appendix A), or it would let a reader work out such a number from other numbers in the report or earlier releases.",
        ),
        (
            "Ikke beregnet",
            "Målet kan ikke beregnes for disse grupper, fx et hældningsindeks for en opdeling uden rækkefølge.",
            "Not computed",
            "The measure cannot be computed for these groups, e.g. a slope index for a dimension without an order.",
        ),
    ];
    let mut html = format!(
        "<section id=\"laesevejledning\" data-section=\"reading-guide\">\n<h2>{}</h2>\n<dl class=\"definitions\">\n",
        lang.pick("Læsevejledning", "How to read the report")
    );
    for (term_da, text_da, term_en, text_en) in terms {
        html.push_str(&format!(
            "<dt>{}</dt>\n<dd>{}</dd>\n",
            escape(lang.pick(term_da, term_en)),
            escape(lang.pick(text_da, text_en))
        ));
    }
    html.push_str("</dl>\n</section>\n");
    html
}

/// The first and last day any analysis's patients were indexed, over every year it reports.
fn data_span(chapters: &[Chapter<'_>]) -> Option<(i32, i32)> {
    chapters
        .iter()
        .flat_map(|c| {
            crate::tidy::years(c.rows)
                .into_iter()
                .map(|year| c.spec.design_in_year(year).days())
        })
        .reduce(|(a, b), (c, d)| (a.min(c), b.max(d)))
}

/// The document's kind as the title page names it.
pub fn kind_name(kind: ReportKind, lang: Lang) -> &'static str {
    match kind {
        ReportKind::Annual => lang.pick("Årsanalyse", "Annual analysis"),
        ReportKind::Midway => lang.pick("Midtvejsstatus", "Midway status"),
    }
}

/// Builds the document.
pub fn build(d: &DocumentSpec) -> Result<Document> {
    let lang = d.lang;
    let style = Style {
        lang,
        preliminary: d.kind == ReportKind::Midway,
        internal: d.internal,
    };
    let mut numbered = Numbered::default();
    let with_results: Vec<&Analysis> = d.analyses.iter().filter(|a| a.run.is_ok()).collect();
    let chapters: Vec<Chapter> = with_results
        .iter()
        .enumerate()
        .map(|(i, a)| Chapter {
            number: i + 1,
            spec: a.spec,
            rows: &a.rows,
        })
        .collect();
    let year = dates::year_of(d.as_of);
    let title = if d.single
        && let Some(c) = chapters.first()
    {
        c.title(lang).to_string()
    } else {
        lang.pick(
            "Ulighed i behandling og tilbud til patientgrupper",
            "Inequality in treatment and offers for patient groups",
        )
        .to_string()
    };
    let kind = format!("{} {year}", kind_name(d.kind, lang));
    let mut body = String::new();
    if let Some(mark) = d.internal {
        body.push_str(&format!(
            "<p class=\"internal\"><strong>{}</strong> {}</p>\n",
            escape(mark),
            lang.pick(
                "Intern kørsel uden diskretionering: må ikke forlade det sikre miljø.",
                "Internal run without disclosure control: must not leave the secure environment."
            )
        ));
    }
    let synthetic = d
        .analyses
        .iter()
        .any(|a| a.run.as_ref().is_ok_and(|r| r.synthetic));
    if synthetic {
        // On screen a banner fixed to the window; in print the top margin of every page (CSS
        // Paged Media's margin boxes), where it covers no text.
        let mark = lang.pick(
            "SYNTETISKE DATA: tallene beskriver ikke virkelige personer",
            "SYNTHETIC DATA: the numbers describe no real persons",
        );
        body.push_str(&format!(
            "<style>@page{{@top-right{{content:\"{mark}\";font:bold 8pt \"DejaVu Sans\",Arial,sans-serif;color:#a05a00}}}}</style>\n<div class=\"synthetic\" data-section=\"synthetic\">{mark}</div>\n"
        ));
    }
    // Title page: the period the patients were indexed in, and the date the data were taken.
    let period = match data_span(&chapters) {
        Some((first, last)) => format!(
            "{} {} {} {}. ",
            lang.pick("Patienter indekseret fra", "Patients indexed from"),
            format::date(first, lang),
            lang.pick("til og med", "up to and including"),
            format::date(last, lang),
        ),
        None => String::new(),
    };
    body.push_str(&format!(
        "<section class=\"title-page\" data-section=\"title\">\n<p class=\"kind\">{}</p>\n<h1>{}</h1>\n<p class=\"subtitle\">{}</p>\n<p>{period}{} {}. {} ulighed {}.</p>\n",
        escape(&kind),
        escape(&title),
        escape(lang.pick(
            "Social og geografisk ulighed i behandling og tilbud, opgjort på nationale registre",
            "Social and geographic inequality in treatment and offers, from the national registers"
        )),
        lang.pick("Data opgjort", "Data taken on"),
        format::date(d.as_of, lang),
        lang.pick("Udarbejdet med", "Produced with"),
        env!("CARGO_PKG_VERSION"),
    ));
    if let Some(text) = d.text {
        body.push_str(&authorship(text, lang));
    }
    if synthetic {
        body.push_str(&format!(
            "<p class=\"status\"><strong>{}</strong></p>\n",
            lang.pick(
                "Registrene er syntetiske (lavet af ulighed synth): tallene viser, hvordan rapporten ser ud, ikke hvordan det står til.",
                "The registers are synthetic (made by ulighed synth): the numbers show what the report looks like, not how things are."
            )
        ));
    }
    if style.preliminary {
        body.push_str(&format!(
            "<p class=\"status\"><strong>{}</strong></p>\n",
            lang.pick(
                "Foreløbig: alle tal og figurer i midtvejsstatus er foreløbige og kan ændre sig til årsanalysen.",
                "Preliminary: every number and figure of the midway status is preliminary and may change by the annual analysis."
            )
        ));
    }
    body.push_str("</section>\n");
    // Contents.
    let foreword = d.text.filter(|t| !t.foreword.trim().is_empty());
    let mut contents: Vec<(String, String)> = Vec::new();
    if foreword.is_some() {
        contents.push(("forord".into(), lang.pick("Forord", "Foreword").into()));
    }
    contents.extend([
        (
            "sammenfatning".into(),
            lang.pick("Sammenfatning af resultaterne", "Summary of findings")
                .into(),
        ),
        (
            "laesevejledning".into(),
            lang.pick("Læsevejledning", "How to read the report").into(),
        ),
    ]);
    if style.preliminary {
        contents.push((
            "status".into(),
            lang.pick("Status for analyseplanen", "Status of the analysis plan")
                .into(),
        ));
    }
    contents.push((
        "metode".into(),
        lang.pick("Metode og data", "Methods and data").into(),
    ));
    for c in &chapters {
        contents.push((
            c.anchor(),
            format!(
                "{} {}. {}",
                lang.pick("Kapitel", "Chapter"),
                c.number,
                c.title(lang)
            ),
        ));
    }
    contents.push((
        "bilag-data".into(),
        lang.pick("Bilag A. Data og metode", "Appendix A. Data and methods")
            .into(),
    ));
    contents.push((
        "bilag-proveniens".into(),
        lang.pick("Bilag B. Proveniens", "Appendix B. Provenance")
            .into(),
    ));
    body.push_str(&format!(
        "<nav class=\"contents\" data-section=\"contents\">\n<h2>{}</h2>\n<ol>\n",
        lang.pick("Indhold", "Contents")
    ));
    for (anchor, name) in &contents {
        body.push_str(&format!(
            "<li><a href=\"#{anchor}\">{}</a></li>\n",
            escape(name)
        ));
    }
    body.push_str("</ol>\n</nav>\n");
    if let Some(text) = foreword {
        body.push_str(&format!(
            "<section id=\"forord\" data-section=\"foreword\">\n<h2>{}</h2>\n<div class=\"written\">\n{}</div>\n</section>\n",
            lang.pick("Forord", "Foreword"),
            text.foreword
        ));
    }
    // Summary of findings.
    body.push_str(&format!(
        "<section id=\"sammenfatning\" data-section=\"summary\">\n<h2>{}</h2>\n<p>{}</p>\n<ul class=\"findings\">\n",
        lang.pick("Sammenfatning af resultaterne", "Summary of findings"),
        lang.pick(
            "Sammenfatningen er beskrivende: den gengiver de vigtigste tal fra hvert kapitel. For hvert udfald vises andelen i alt og, for hver social og geografisk opdeling (uddannelse, indkomst, herkomst, region), den største forskel til referencegruppen, når forskellen er statistisk signifikant (intervallet omfatter ikke 0). Forskelle efter alder og køn står i kapitlerne.",
            "The summary is descriptive: it repeats the main numbers of each chapter. For each outcome it gives the total proportion and, for each social and geographic dimension (education, income, origin, region), the largest difference from the reference group when it is statistically significant (its interval does not include 0). Differences by age and sex are in the chapters."
        )
    ));
    for c in &chapters {
        for line in c.findings(lang) {
            body.push_str(&format!("<li>{}</li>\n", escape(&line)));
        }
    }
    body.push_str("</ul>\n</section>\n");
    body.push_str(&reading_guide(lang));
    if style.preliminary {
        body.push_str(&plan_status(d, style, &mut numbered));
    }
    let facts: Vec<AnalysisFacts<'_>> = with_results
        .iter()
        .map(|a| AnalysisFacts {
            spec: a.spec,
            rows: &a.rows,
            population: a.run.as_ref().map_or(0, |r| r.population),
        })
        .collect();
    body.push_str(&method_chapter::section(
        &facts,
        d.completeness,
        d.as_of,
        style,
        &mut numbered,
    ));
    for c in &chapters {
        body.push_str(&c.html(style, &mut numbered)?);
    }
    body.push_str(&appendix(d, &with_results, style, &mut numbered));
    body.push_str(&provenance(d, &with_results));
    let page_title = match d.internal {
        Some(mark) => format!("{mark}: {kind}: {title}"),
        None => format!("{kind}: {title}"),
    };
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>\n{}</style>\n</head>\n<body>\n{}</body>\n</html>\n",
        lang.pick("da", "en"),
        escape(&page_title),
        style::CSS,
        body
    );
    Ok(Document {
        html,
        tables: numbered.tables,
        figures: numbered.figures,
    })
}

fn column(heading: &str) -> Column {
    Column {
        heading: heading.to_string(),
        interval: false,
    }
}

/// The midway status's table of the plan: which analyses have results and which failed, and why.
fn plan_status(d: &DocumentSpec, style: Style, numbered: &mut Numbered) -> String {
    let lang = style.lang;
    let rows = d
        .analyses
        .iter()
        .map(|a| {
            let (status, note) = match &a.run {
                Ok(_) => {
                    let years = years(&a.rows);
                    (
                        lang.pick("Resultater foreligger", "Results available")
                            .to_string(),
                        years
                            .iter()
                            .map(|y| a.spec.period_label(*y))
                            .collect::<Vec<_>>()
                            .join(", "),
                    )
                }
                Err(code) => (
                    lang.pick("Fejlet", "Failed").to_string(),
                    failure_reason(*code, lang).to_string(),
                ),
            };
            vec![
                Cell::Text(
                    lang.pick(&a.spec.spec.title_da, &a.spec.spec.title_en)
                        .to_string(),
                ),
                Cell::Text(status),
                Cell::Text(note),
            ]
        })
        .collect();
    format!(
        "<section id=\"status\" data-section=\"plan-status\">\n<h2>{}</h2>\n{}</section>\n",
        lang.pick("Status for analyseplanen", "Status of the analysis plan"),
        numbered.table(
            style,
            lang.pick(
                "Analyseplanens analyser og deres status",
                "The analyses of the plan and their status"
            ),
            vec![
                column(lang.pick("Analyse", "Analysis")),
                column(lang.pick("Status", "Status")),
                column(lang.pick("År med resultater / årsag", "Years with results / reason")),
            ],
            rows,
            Vec::new(),
        )
    )
}

/// Appendix A: registers and years, definitions, measures and the disclosure rule.
fn appendix(
    d: &DocumentSpec,
    analyses: &[&Analysis],
    style: Style,
    numbered: &mut Numbered,
) -> String {
    let lang = style.lang;
    let mut html = format!(
        "<section id=\"bilag-data\" class=\"appendix\" data-section=\"appendix-data\">\n<h2>{}</h2>\n<h3>{}</h3>\n",
        lang.pick("Bilag A. Data og metode", "Appendix A. Data and methods"),
        lang.pick("A.1 Registre og år", "A.1 Registers and years"),
    );
    let rows = analyses
        .iter()
        .filter_map(|a| Some((a, a.run.as_ref().ok()?)))
        .map(|(a, run)| {
            let mut registers: Vec<&str> = run.inputs.iter().map(|i| i.register.as_str()).collect();
            registers.dedup();
            let files: Vec<String> = run
                .inputs
                .iter()
                .map(|i| {
                    std::path::Path::new(&i.path)
                        .file_name()
                        .map(|n| n.to_string_lossy().to_string())
                        .unwrap_or_else(|| i.path.clone())
                })
                .collect();
            let years = years(&a.rows);
            vec![
                Cell::Text(
                    lang.pick(&a.spec.spec.title_da, &a.spec.spec.title_en)
                        .to_string(),
                ),
                Cell::Text(registers.join(", ")),
                Cell::Text(files.join(", ")),
                Cell::Text(
                    years
                        .iter()
                        .map(|y| a.spec.period_label(*y))
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
            ]
        })
        .collect();
    html.push_str(&numbered.table(
        style,
        lang.pick(
            "Registre og filer, som hver analyse bygger på",
            "Registers and files each analysis uses",
        ),
        vec![
            column(lang.pick("Analyse", "Analysis")),
            column(lang.pick("Registre", "Registers")),
            column(lang.pick("Filer", "Files")),
            column(lang.pick("Opgørelsesår", "Years analysed")),
        ],
        rows,
        Vec::new(),
    ));
    html.push_str(&format!(
        "<h3>{}</h3>\n",
        lang.pick("A.2 Definitioner", "A.2 Definitions")
    ));
    for a in analyses {
        let spec = a.spec;
        html.push_str(&format!(
            "<h4>{}</h4>\n",
            escape(lang.pick(&spec.spec.title_da, &spec.spec.title_en))
        ));
        let mut items = definitions::core_items(spec, lang);
        items.push((
            lang.pick("Opdelinger", "Stratifiers"),
            definitions::stratifiers(spec, lang),
        ));
        let subs = definitions::sub_analyses(spec, lang);
        if !subs.is_empty() {
            items.push((lang.pick("Underanalyser", "Sub-analyses"), subs));
        }
        html.push_str(&definitions::html_list(&items));
    }
    html.push_str(&format!(
        "<h3>{}</h3>\n",
        lang.pick("A.3 Mål og metoder", "A.3 Measures and methods")
    ));
    let mut used: Vec<(Measure, &str)> = analyses
        .iter()
        .flat_map(|a| a.rows.iter().map(|r| (r.measure, r.method.as_str())))
        .collect();
    used.sort_unstable();
    used.dedup();
    let rows = super::methods::NOTES
        .iter()
        .filter(|n| used.contains(&(n.measure, n.method)))
        .map(|n| {
            vec![
                Cell::Text(n.name(lang).to_string()),
                Cell::Text(n.method.to_string()),
                Cell::Text(n.formula(lang).to_string()),
                Cell::Text(n.reference.to_string()),
            ]
        })
        .collect();
    let missing: Vec<String> = used
        .iter()
        .filter(|(m, method)| note(*m, method).is_none())
        .map(|(m, method)| format!("{m} ({method})"))
        .collect();
    html.push_str(&numbered.table(
        style,
        lang.pick(
            "Målenes formler og referencer",
            "The measures' formulas and references",
        ),
        vec![
            column(lang.pick("Mål", "Measure")),
            column(lang.pick("Metode", "Method")),
            column(lang.pick("Formel", "Formula")),
            column(lang.pick("Reference", "Reference")),
        ],
        rows,
        if missing.is_empty() {
            Vec::new()
        } else {
            vec![format!(
                "{}: {}",
                lang.pick("Uden note", "Without a note"),
                missing.join(", ")
            )]
        },
    ));
    html.push_str(&format!(
        "<p>{}</p>\n",
        lang.pick(
            "Hvert interval, analyserne offentliggør, er kontrolleret mod en kendt sandhed: grupper med kendte andele og størrelser som analysernes trækkes igen og igen, og et 95 %-interval skal indeholde den sande værdi i omkring 95 % af trækningerne. WHO HEAT's egne intervaller for den logistiske SII og RII og for koncentrationsindeksene bygger på, hvor tæt de få gruppepunkter ligger på en linje, ikke på hvor meget de varierer fra stikprøve til stikprøve, og PAF's interval var i forkert enhed; de ramte sandheden i 0-87 % af trækningerne. Deres intervaller beregnes derfor med delta-metoden ud fra hver gruppes egen stikprøvevariation (RII på log-skala) og ramte den i 94-97 %; værdierne er HEAT's. Spredningsmålene (BGV, BGSD, COV, MLD, Theils indeks og middelafvigelserne) vises uden interval: spredningen af stikprøveandele er større end spredningen af de sande andele, så værdien overvurderer uligheden med omtrent stikprøvestøjen, og hverken HEAT's simulerede intervaller eller delta-metodens holdt deres dækning (86-94 %, og langt mindre når grupperne er ens). PAF og PAR sættes af HEAT til 0, når den bedst stillede gruppe ligger dårligere end gennemsnittet; en værdi, der er sat til 0, varierer ikke med andelene, så dens interval blev [0; 0] og ramte sandheden i kun 62-71 % af trækningerne, når forskellen var lille. Intervallet beregnes derfor for forskellen, før den sættes til 0, og dets grænser sættes til 0 på samme måde som værdien; det ramte i 95-98,5 %. For opdelinger uden rækkefølge (region, køn, alder) er HEAT's referencegruppe for PAF og PAR den gruppe, der har det bedste resultat i de samme data: den bedste af flere tilfældigt varierende andele ligger i gennemsnit over sin sande værdi, så de vises uden interval. Forskelle og ratioer i de opdelinger sammenlignes af samme grund med den største gruppe, der vælges, før udfaldet ses. PHE's lineære SII og RII beregnes af 100.000 simulerede datasæt, som PHE gør.",
            "Every interval the analyses release is checked against a known truth: groups with known shares and sizes like the analyses' are drawn again and again, and a 95% interval must contain the true value in about 95% of draws. WHO HEAT's own intervals for the logistic SII and RII and for the concentration indices rest on how closely the few group points lie on a line, not on how much they vary from sample to sample, and the PAF's interval was in the wrong unit; they covered the truth in 0-87% of draws. Their intervals are therefore computed by the delta method from each group's own sampling variation (the RII on the log scale) and covered it in 94-97%; the values are HEAT's. The dispersion measures (BGV, BGSD, COV, MLD, the Theil index and the mean differences) are shown without an interval: the spread of sampled shares is larger than the spread of the true shares, so the value overstates inequality by about the sampling noise, and neither HEAT's simulated intervals nor the delta method's held their coverage (86-94%, and far less when the groups are alike). HEAT sets PAF and PAR to 0 when the most advantaged group does worse than the mean; a value set to 0 does not vary with the shares, so its interval was [0; 0] and covered the truth in only 62-71% of draws when the gap was small. The interval is therefore computed for the gap before it is set to 0, and its limits are set to 0 as the value is; it covered in 95-98.5%. In dimensions without an order (region, sex, age) HEAT's reference group for PAF and PAR is the group with the best result in the same data: the best of several randomly varying shares lies above its true value on average, so they are shown without an interval. For the same reason, differences and ratios in those dimensions are compared with the largest group, chosen before the outcome is looked at. PHE's linear SII and RII are computed from 100,000 simulated data sets, as PHE does."
        )
    ));
    html.push_str(&format!(
        "<h3>{}</h3>\n<p>{}</p>\n",
        lang.pick("A.4 Diskretion", "A.4 Disclosure control"),
        lang.pick(
            "Ingen offentliggjort celle beskriver færre personer end tærsklen: celler, hvis tæller, nævner eller forskellen mellem dem er under tærsklen, er undertrykt (primært), og yderligere celler er undertrykt (sekundært), så ingen undertrykt værdi kan regnes tilbage fra totaler, komplementer, underanalyser eller andre tabeller over de samme personer. Beskyttelsen gælder også over for tidligere udgivelser fra samme outputmappe (fx midtvejsstatus før årsanalysen): en celle, der har ændret sig med færre personer end tærsklen siden da, er undertrykt. Hvert niveau vises i alle tabeller, også når ingen patienter hører til det. En andel på 0 % eller 100 % afslører udfaldet for hvert medlem af gruppen og er undertrykt i grupper med færre personer end nulreglens grænse (100 personer, medmindre specifikationen siger andet); i større grupper er den en oplysning om gruppen (et tilbud, som ingen i gruppen får) og vises. Undertrykte celler står som »undertrykt« i tabellerne og tegnes ikke i figurerne. Tabellen nedenfor viser, hvad beskyttelsen kostede: de skjulte tal efter årsag og de rækker, hvis andel ikke vises. Patienterne i de skjulte rækker tælles kun samlet og kun i tabeller, hvis total vises, for fordelt på årsager ville de afsløre skjulte tal ved subtraktion.",
            "No released cell describes fewer persons than the threshold: cells whose numerator, denominator or their difference is below it are suppressed (primary), and further cells are suppressed (secondary) so that no suppressed value can be worked back from totals, complements, sub-analyses or other tables of the same persons. The protection also holds against earlier releases from the same output folder (such as the midway status before the annual analysis): a cell that changed by fewer persons than the threshold since then is suppressed. Every level is listed in every table, also when no patient belongs to it. A share of 0% or 100% reveals the outcome of every member of the group and is suppressed in groups smaller than the zero rule's limit (100 persons unless the specification says otherwise); in larger groups it is a fact about the group (an offer nobody in it receives) and is shown. Suppressed cells read \"suppressed\" in the tables and are not drawn in the figures. The table below gives what the protection cost: the hidden counts by cause and the rows whose share is not shown. The patients in hidden rows are counted for all causes together and only in tables whose total is shown, since by cause they would give away hidden counts by subtraction."
        )
    ));
    html.push_str(&information_loss(analyses, style, numbered));
    html.push_str(&other_summary_measures(analyses, style, numbered));
    if d.internal.is_some() {
        html.push_str(&format!(
            "<p class=\"internal\">{}</p>\n",
            lang.pick(
                "Denne kørsel er intern: diskretion er ikke anvendt.",
                "This run is internal: disclosure control is not applied."
            )
        ));
    }
    html.push_str("</section>\n");
    html
}

/// Appendix A.5: every released summary measure of inequality beyond the slope indices the
/// chapters show, for the main analysis in the year each chapter describes, one table per
/// analysis; measures not computed or suppressed are left to the analysis's CSV, with their
/// reasons.
fn other_summary_measures(analyses: &[&Analysis], style: Style, numbered: &mut Numbered) -> String {
    let lang = style.lang;
    let mut html = String::new();
    for a in analyses {
        let Some(last) = years(&a.rows).last().copied() else {
            continue;
        };
        let mut rows: Vec<Vec<Cell>> = Vec::new();
        for o in &a.spec.spec.outcomes {
            for r in a.rows.iter().filter(|r| {
                r.year == last
                    && r.subanalysis.is_empty()
                    && r.outcome == o.id
                    && r.group == crate::tidy::SUMMARY_GROUP
                    && r.value.is_some()
                    && !(matches!(
                        r.measure,
                        Measure::Summary(SummaryMeasure::Sii | SummaryMeasure::Rii)
                    ) && r.method == super::chapter::SLOPE_METHOD)
            }) {
                rows.push(vec![
                    Cell::Text(lang.pick(&o.name_da, &o.name_en).into()),
                    Cell::Text(super::labels::dimension(&r.dimension, lang)),
                    Cell::Text(measure_name(r.measure, &r.method, lang)),
                    Cell::Estimate {
                        value: r.value,
                        lower: r.lower,
                        upper: r.upper,
                        decimals: 2,
                        why_empty: String::new(),
                    },
                ]);
            }
        }
        if rows.is_empty() {
            continue;
        }
        if html.is_empty() {
            html.push_str(&format!(
                "<h3>{}</h3>\n<p>{}</p>\n",
                lang.pick(
                    "A.5 Øvrige sammenfattende mål for ulighed",
                    "A.5 Other summary measures of inequality"
                ),
                lang.pick(
                    "Ud over hældningsindeksene i kapitlerne: de mål, der kan beregnes og vises for opdelingen (WHO HEAT's anvendelighedstest og diskretion). Alle mål, også dem der ikke vises, står med begrundelse i hver analyses tabel i mappen tables; målenes formler og referencer i bilag A.3. Et mål står uden interval, når intet interval om det holder sin dækning (bilag A.3).",
                    "Beyond the slope indices of the chapters: the measures that can be computed and shown for the dimension (WHO HEAT's applicability tests and disclosure control). Every measure, shown or not, is listed with its reason in each analysis's table in the folder tables; the measures' formulas and references in appendix A.3. A measure stands without an interval where no interval around it holds its coverage (appendix A.3)."
                )
            ));
        }
        html.push_str(&numbered.table(
            style,
            &format!(
                "{}: {}",
                lang.pick(
                    "Øvrige sammenfattende mål for ulighed",
                    "Other summary measures"
                ),
                lang.pick(&a.spec.spec.title_da, &a.spec.spec.title_en)
            ),
            vec![
                column(lang.pick("Udfald", "Outcome")),
                column(lang.pick("Opdeling", "Dimension")),
                column(lang.pick("Mål", "Measure")),
                Column {
                    heading: lang.pick("Værdi", "Value").into(),
                    interval: true,
                },
            ],
            rows,
            Vec::new(),
        ));
    }
    html
}

/// Appendix A.4's table: what disclosure control cost each analysis, from its manifest.
fn information_loss(analyses: &[&Analysis], style: Style, numbered: &mut Numbered) -> String {
    let lang = style.lang;
    let rows: Vec<Vec<Cell>> = analyses
        .iter()
        .filter_map(|a| {
            let run = a.run.as_ref().ok()?;
            let loss = &run.information_loss;
            let share = |part: u64, whole: u64| {
                if whole == 0 {
                    "–".to_string()
                } else {
                    format!(
                        "{} {} {} ({} %)",
                        part,
                        lang.pick("af", "of"),
                        whole,
                        super::format::number(Some(100.0 * part as f64 / whole as f64), 1, lang)
                    )
                }
            };
            Some(vec![
                Cell::Text(
                    lang.pick(&a.spec.spec.title_da, &a.spec.spec.title_en)
                        .to_string(),
                ),
                Cell::Count(Some(run.threshold)),
                Cell::Count(Some(loss.cells_below_threshold as u64)),
                Cell::Count(Some(loss.cells_protecting_others as u64)),
                Cell::Count(Some(loss.cells_whole_table as u64)),
                Cell::Text(share(loss.rows_hidden as u64, loss.rows as u64)),
                Cell::Text(share(loss.patients_in_hidden_rows, loss.patients_in_rows)),
            ])
        })
        .collect();
    if rows.is_empty() {
        return String::new();
    }
    numbered.table(
        style,
        lang.pick(
            "Diskretionens omkostning: skjulte tal efter årsag og rækker uden andel",
            "The cost of disclosure control: hidden counts by cause and rows without a share",
        ),
        vec![
            column(lang.pick("Analyse", "Analysis")),
            column(lang.pick("Tærskel", "Threshold")),
            column(lang.pick("Skjult: under tærsklen", "Hidden: below the threshold")),
            column(lang.pick("Skjult: beskytter et andet tal", "Hidden: protecting another count")),
            column(lang.pick("Skjult: hele tabellen", "Hidden: the whole table")),
            column(lang.pick("Rækker uden andel", "Rows without a share")),
            column(lang.pick("Patienter i rækker uden andel", "Patients in rows without a share")),
        ],
        rows,
        vec![lang
            .pick(
                "Tal: tællere, nævnere og totaler, summeret over årene. Rækker: hvert niveau i hver tabel (opdeling, underanalyse, udfald og år). Patienter tælles én gang i hver tabel, hvis total vises.",
                "Counts: numerators, denominators and totals, summed over the years. Rows: each level of each table (stratifier, sub-analysis, outcome and year). Patients count once in each table whose total is shown.",
            )
            .to_string()],
    )
}

/// Appendix B: the tool, each spec's hash, the run key and every input file's fingerprint.
fn provenance(d: &DocumentSpec, analyses: &[&Analysis]) -> String {
    let lang = d.lang;
    let mut html = format!(
        "<section id=\"bilag-proveniens\" class=\"appendix\" data-section=\"provenance\">\n<h2>{}</h2>\n<ul class=\"provenance\">\n<li>ulighed {}</li>\n<li>{}: {}</li>\n</ul>\n",
        lang.pick("Bilag B. Proveniens", "Appendix B. Provenance"),
        env!("CARGO_PKG_VERSION"),
        lang.pick("Opgørelsesdato", "As-of date"),
        dates::format_iso(d.as_of),
    );
    // One line per analysis: the spec's hash, the run key (computed from the spec and every
    // input file's content) and which registers it read; each file's SHA-256 is in the
    // analysis's manifest, where scripts read it (four printed pages of hashes help no reader).
    for a in analyses {
        let Ok(run) = &a.run else { continue };
        let mut registers: Vec<&str> = run.inputs.iter().map(|i| i.register.as_str()).collect();
        registers.sort_unstable();
        registers.dedup();
        html.push_str(&format!(
            "<h3>{}</h3>\n<ul class=\"provenance\">\n<li>{}: {} (SHA-256 <span class=\"hash\">{}</span>)</li>\n<li>{}: <span class=\"hash\">{}</span></li>\n<li>{}</li>\n</ul>\n",
            escape(lang.pick(&a.spec.spec.title_da, &a.spec.spec.title_en)),
            lang.pick("Specifikation", "Specification"),
            escape(&a.spec.path.display().to_string()),
            run.spec_sha256,
            lang.pick("Kørselsnøgle", "Run key"),
            run.run_key,
            escape(&match lang {
                Lang::Da => format!(
                    "{} inputfiler fra registrene {}; hver fils SHA-256 står i analysens manifest ({}/manifest.json).",
                    run.inputs.len(),
                    registers.join(", "),
                    a.spec.spec.id
                ),
                Lang::En => format!(
                    "{} input files from the registers {}; each file's SHA-256 is in the analysis's manifest ({}/manifest.json).",
                    run.inputs.len(),
                    registers.join(", "),
                    a.spec.spec.id
                ),
            }),
        ));
    }
    html.push_str("</section>\n");
    html
}
