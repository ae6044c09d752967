//! One analysis's chapter of a document: for the main analysis, each outcome's key results in
//! words, its figures (groups with CI whiskers, the slope index, maps, the funnel plot, the
//! trend) and its tables; then each sub-analysis's results and tables.

use super::definitions::lower_first;
use super::doc_table::{Cell, Column, DocTable};
use super::figures::forest::{ForestRow, forest};
use super::figures::funnel::{FunnelText, Unit, funnel_plot};
use super::figures::map::{MapValue, Scale as MapScale, choropleth};
use super::figures::sii::sii_chart;
use super::figures::trend::{Series, YearPoint, crosses_lpr3, trend_panels};
use super::figures::whiskers::{Panel, Point, small_multiples};
use super::figures::{Figure, accessible, geo};
use super::format::{escape, number, with_interval};
use super::labels::{Lang, adjustment_set, dimension, dimension_in_text, group, in_text, measure};
use super::text::{self, dimension_sentence, total_sentence};
use crate::error::Result;
use crate::spec::frame::Parts;
use crate::spec::{Derived, LoadedSpec, Outcome, Stratifier};
use crate::spec::{Measure, SummaryMeasure};
use crate::tidy::Row;
use crate::tidy::{SUMMARY_GROUP, TOTAL, UNKNOWN};

/// How a document is written.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub lang: Lang,
    /// The midway status: every table and figure is marked preliminary.
    pub preliminary: bool,
    /// The NOT FOR RELEASE mark of an internal run, on every table and figure.
    pub internal: Option<&'static str>,
}

impl Style {
    fn mark(&self, text: &str) -> String {
        let mut text = text.to_string();
        if self.preliminary {
            text = format!("{text} ({})", self.lang.pick("foreløbig", "preliminary"));
        }
        if let Some(mark) = self.internal {
            text = format!("{mark}: {text}");
        }
        text
    }
}

/// The tables and figures of a document in the order they are numbered.
#[derive(Default)]
pub struct Numbered {
    pub tables: Vec<DocTable>,
    pub figures: Vec<Figure>,
}

impl Numbered {
    /// Numbers a table and returns its HTML.
    pub fn table(
        &mut self,
        style: Style,
        caption: &str,
        columns: Vec<Column>,
        rows: Vec<Vec<Cell>>,
        notes: Vec<String>,
    ) -> String {
        let table = DocTable {
            number: self.tables.len() + 1,
            caption: style.mark(caption),
            columns,
            rows,
            notes,
        };
        let html = table.html(style.lang);
        self.tables.push(table);
        html
    }

    /// Numbers a figure and returns its HTML: the SVG, the numbered caption and the text
    /// alternative (a sentence and the figure's numbers).
    pub fn figure(&mut self, style: Style, mut figure: Figure) -> String {
        let lang = style.lang;
        let n = self.figures.len() + 1;
        figure.caption = style.mark(&figure.caption);
        figure.svg = accessible(&figure.svg, &figure.caption, &figure.alt);
        figure.slug = format!("figur-{n:02}-{}", figure.slug);
        let mut data = String::new();
        for (label, value) in &figure.data {
            data.push_str(&format!(
                "<tr><td>{}</td><td class=\"n\">{}</td></tr>",
                escape(label),
                escape(value)
            ));
        }
        let html = format!(
            "<figure id=\"{slug}\">\n<div class=\"svg\">{svg}</div>\n<figcaption>{label} {n}. {caption}</figcaption>\n<details class=\"alt\"><summary>{summary}</summary><p>{alt}</p><table class=\"alt\"><tbody>{data}</tbody></table></details>\n</figure>\n",
            slug = figure.slug,
            svg = figure.svg,
            label = lang.pick("Figur", "Figure"),
            caption = escape(&figure.caption),
            summary = lang.pick("Tekstalternativ", "Text alternative"),
            alt = escape(&figure.alt),
        );
        self.figures.push(figure);
        html
    }
}

/// The method of the slope indices the chapters show (WHO HEAT's logistic SII and RII).
pub const SLOPE_METHOD: &str = "heat-logistic";

/// A difference's size, whatever its sign.
/// Whether a unit meets the quality standard, in words ("ja", "nej"), or why it is not shown.
fn standard_met(row: Option<&Row>, lang: Lang) -> String {
    match row {
        Some(r) if r.suppressed => lang.pick("undertrykt", "suppressed").into(),
        Some(r) => match r.value {
            Some(v) if v >= 0.5 => lang.pick("ja", "yes").into(),
            Some(_) => lang.pick("nej", "no").into(),
            None => lang.pick("ikke beregnet", "not computed").into(),
        },
        None => String::new(),
    }
}

/// Where a unit's share lies against the funnel's 95% and 99.8% control limits
/// (Spiegelhalter 2005): within both, or above or below which of them.
fn within_limits(at_95: Option<&Row>, at_998: Option<&Row>, lang: Lang) -> String {
    let side = |r: Option<&Row>| -> Option<std::cmp::Ordering> {
        let r = r.filter(|r| !r.suppressed)?;
        let (v, lo, hi) = (r.value?, r.lower?, r.upper?);
        Some(if v < lo {
            std::cmp::Ordering::Less
        } else if v > hi {
            std::cmp::Ordering::Greater
        } else {
            std::cmp::Ordering::Equal
        })
    };
    use std::cmp::Ordering::*;
    match (side(at_95), side(at_998)) {
        (Some(Equal), _) => lang.pick("inden for begge", "within both").into(),
        (Some(Less), Some(Equal)) => lang
            .pick("under 95\u{a0}%-grænsen", "below the 95% limit")
            .into(),
        (Some(Greater), Some(Equal)) => lang
            .pick("over 95\u{a0}%-grænsen", "above the 95% limit")
            .into(),
        (_, Some(Less)) => lang
            .pick("under 99,8\u{a0}%-grænsen", "below the 99.8% limit")
            .into(),
        (_, Some(Greater)) => lang
            .pick("over 99,8\u{a0}%-grænsen", "above the 99.8% limit")
            .into(),
        _ if at_95.is_some_and(|r| r.suppressed) => lang.pick("undertrykt", "suppressed").into(),
        _ => String::new(),
    }
}

/// A part of the analysts' text under its heading, or nothing when they left it empty.
fn part(heading: &str, html: &str) -> String {
    if html.trim().is_empty() {
        return String::new();
    }
    format!("<h3>{heading}</h3>\n<div class=\"written\">\n{html}</div>\n")
}

fn size(row: &Row) -> f64 {
    row.value.map_or(0.0, f64::abs)
}

/// One analysis with its released rows.
pub struct Chapter<'a> {
    pub number: usize,
    pub spec: &'a LoadedSpec,
    pub rows: &'a [Row],
}

impl Chapter<'_> {
    pub fn title(&self, lang: Lang) -> &str {
        lang.pick(&self.spec.spec.title_da, &self.spec.spec.title_en)
    }

    pub fn anchor(&self) -> String {
        format!("kapitel-{}", self.spec.spec.id)
    }

    /// The last year with results (the year tables and figures show).
    pub fn last_year(&self) -> i32 {
        self.rows
            .iter()
            .map(|r| r.year)
            .max()
            .unwrap_or(self.spec.year())
    }

    /// The period the results of `year` describe ([`LoadedSpec::period_label`]).
    pub fn period(&self, year: i32) -> String {
        self.spec.period_label(year)
    }

    fn years(&self) -> Vec<i32> {
        crate::tidy::years(self.rows)
    }

    /// Rows of one outcome, sub-analysis and year.
    fn slice(&self, outcome: &str, sub: &str, year: i32) -> Vec<&Row> {
        self.rows
            .iter()
            .filter(|r| r.outcome == outcome && r.subanalysis == sub && r.year == year)
            .collect()
    }

    fn outcome_name<'o>(&self, o: &'o Outcome, lang: Lang) -> &'o str {
        lang.pick(&o.name_da, &o.name_en)
    }

    /// The summary-of-findings lines: per outcome the total and, for each social and
    /// geographic dimension in [`text::summary_rank`]'s order (education, income, origin,
    /// region), its largest difference from the reference group whose interval excludes 0, or a
    /// plain statement when there is none. Age, sex and the other dimensions are left to the
    /// chapter.
    pub fn findings(&self, lang: Lang) -> Vec<String> {
        let year = self.last_year();
        let mut dims: Vec<String> = self
            .spec
            .spec
            .stratifiers
            .iter()
            .map(|s| s.code())
            .collect();
        dims.sort_by_key(|d| text::summary_rank(d));
        let mut out = Vec::new();
        for o in &self.spec.spec.outcomes {
            let rows = self.slice(&o.id, "", year);
            let Some(total) = total_sentence(&rows, self.outcome_name(o, lang), lang) else {
                continue;
            };
            let mut line = format!("{} ({}): {total}", self.title(lang), self.period(year));
            let largest: Vec<String> = dims
                .iter()
                .filter(|d| text::social_or_geographic(d))
                .filter_map(|d| {
                    let contrasts = text::contrasts(&rows, d);
                    let largest = contrasts
                        .iter()
                        .filter(|c| text::significant(c))
                        .max_by(|a, b| size(a).total_cmp(&size(b)))?;
                    let reference = text::reference_of(largest)?;
                    Some(text::contrast_sentence(largest, reference, lang))
                })
                .collect();
            line.push(' ');
            if largest.is_empty() {
                line.push_str(lang.pick(
                    "Ingen af de viste sociale eller geografiske forskelle var statistisk signifikant.",
                    "None of the social or geographic differences shown was statistically significant.",
                ));
            } else {
                line.push_str(&largest.join(" "));
            }
            out.push(line);
        }
        out
    }

    /// The analysts' text of the chapter in the document's language, if they wrote it in that
    /// language (a Danish text is not printed in an English report).
    fn written(&self, lang: Lang) -> Option<&Parts> {
        let frame = &self.spec.frame;
        match lang {
            Lang::Da => frame.da.as_ref(),
            Lang::En => frame.en.as_ref(),
        }
    }

    /// The chapter's HTML; its tables and figures are numbered into `numbered`.
    pub fn html(&self, style: Style, numbered: &mut Numbered) -> Result<String> {
        let lang = style.lang;
        let spec = &self.spec.spec;
        let year = self.last_year();
        let mut html = format!(
            "<section class=\"chapter\" id=\"{}\" data-section=\"chapter\">\n<h2>{} {}. {}</h2>\n<p class=\"lead\">{}</p>\n",
            self.anchor(),
            lang.pick("Kapitel", "Chapter"),
            self.number,
            escape(self.title(lang)),
            escape(lang.pick(&spec.description_da, &spec.description_en)),
        );
        let written = self.written(lang);
        if let Some(parts) = written {
            html.push_str(&part(
                lang.pick("Indledning", "Introduction"),
                &parts.introduction,
            ));
            html.push_str(&part(
                lang.pick("Baggrund", "Background"),
                &parts.background,
            ));
        }
        for o in &spec.outcomes {
            let rows = self.slice(&o.id, "", year);
            if rows.is_empty() {
                continue;
            }
            html.push_str(&format!(
                "<h3>{} ({})</h3>\n",
                escape(self.outcome_name(o, lang)),
                self.period(year)
            ));
            html.push_str("<div class=\"key-results\">\n");
            if let Some(total) = total_sentence(&rows, self.outcome_name(o, lang), lang) {
                html.push_str(&format!("<p>{}</p>\n", escape(&total)));
            }
            if let Some(waiting) = text::waiting_total_sentence(&rows, lang) {
                html.push_str(&format!("<p>{}</p>\n", escape(&waiting)));
            }
            html.push_str(&self.dimension_sentences(&rows, lang));
            html.push_str("</div>\n");
            for figure in self.figures(o, &rows, style)? {
                html.push_str(&numbered.figure(style, figure));
            }
            for s in &spec.stratifiers {
                html.push_str(&self.dimension_table(o, "", year, &s.code(), style, numbered));
            }
            html.push_str(&self.summary_table(o, &rows, style, numbered));
            html.push_str(&self.adjusted_table(o, &rows, style, numbered));
        }
        html.push_str(&self.trend_table(style, numbered));
        for sub in &spec.sub_analyses {
            let name = lang.pick(&sub.name_da, &sub.name_en);
            html.push_str(&format!(
                "<h3>{}: {}</h3>\n",
                lang.pick("Underanalyse", "Sub-analysis"),
                escape(name)
            ));
            for o in &spec.outcomes {
                let rows = self.slice(&o.id, &sub.id, year);
                if rows.is_empty() {
                    continue;
                }
                html.push_str(&format!(
                    "<h4>{} ({})</h4>\n",
                    escape(self.outcome_name(o, lang)),
                    self.period(year)
                ));
                html.push_str("<div class=\"key-results\">\n");
                if let Some(total) = total_sentence(&rows, self.outcome_name(o, lang), lang) {
                    html.push_str(&format!("<p>{}</p>\n", escape(&total)));
                }
                html.push_str(&self.dimension_sentences(&rows, lang));
                html.push_str("</div>\n");
                for s in &spec.stratifiers {
                    html.push_str(&self.dimension_table(
                        o,
                        &sub.id,
                        year,
                        &s.code(),
                        style,
                        numbered,
                    ));
                }
            }
        }
        if let Some(parts) = written {
            html.push_str(&part(
                lang.pick("Forbehold", "Limitations"),
                &parts.limitations,
            ));
        }
        html.push_str("</section>\n");
        Ok(html)
    }

    /// The paragraphs on each stratifier of one outcome's rows: its differences from the
    /// reference group and its waiting times.
    fn dimension_sentences(&self, rows: &[&Row], lang: Lang) -> String {
        let mut html = String::new();
        for s in &self.spec.spec.stratifiers {
            let sentences = [
                dimension_sentence(rows, &s.code(), lang),
                text::waiting_sentence(rows, &s.code(), lang),
            ];
            for sentence in sentences.into_iter().flatten() {
                html.push_str(&format!("<p>{}</p>\n", escape(&sentence)));
            }
        }
        html
    }

    /// The table of one dimension: patients, with the outcome, and each measure the rows hold.
    fn dimension_table(
        &self,
        o: &Outcome,
        sub: &str,
        year: i32,
        dim: &str,
        style: Style,
        numbered: &mut Numbered,
    ) -> String {
        let lang = style.lang;
        let rows: Vec<&Row> = self
            .slice(&o.id, sub, year)
            .into_iter()
            .filter(|r| r.dimension == dim && r.group != SUMMARY_GROUP)
            .collect();
        if !rows.iter().any(|r| r.measure == Measure::Proportion) {
            return String::new();
        }
        let mut groups: Vec<&str> = Vec::new();
        for r in rows.iter().filter(|r| r.measure == Measure::Proportion) {
            if !groups.contains(&r.group.as_str()) {
                groups.push(&r.group);
            }
        }
        let has = |m: Measure| rows.iter().any(|r| r.measure == m);
        let mut measures: Vec<(Measure, usize)> = vec![(Measure::Proportion, 1)];
        for (m, d) in [
            (Measure::ProportionAgeSexStd, 1),
            (Measure::Difference, 1),
            (Measure::Ratio, 2),
            (Measure::WaitingDaysMean, 1),
            (Measure::WaitingDaysMedian, 0),
            (Measure::EventsMean, 2),
            (Measure::EventsMedian, 1),
            (Measure::StayDaysMean, 1),
            (Measure::StayDaysMedian, 0),
        ] {
            if has(m) {
                measures.push((m, d));
            }
        }
        let mut columns = vec![
            Column {
                heading: dimension(dim, lang),
                interval: false,
            },
            Column {
                heading: lang.pick("Patienter", "Patients").into(),
                interval: false,
            },
            Column {
                heading: lang.pick("Med udfaldet", "With the outcome").into(),
                interval: false,
            },
        ];
        columns.extend(measures.iter().map(|(m, _)| {
            Column {
                // By sex the share is standardised for age alone, by age group for sex alone
                // (`results::standardisation`).
                heading: match (*m, dim) {
                    (Measure::ProportionAgeSexStd, "sex") => lang.pick(
                        "Aldersstandardiseret andel (%)",
                        "Age-standardised proportion (%)",
                    ),
                    (Measure::ProportionAgeSexStd, "age_group") => lang.pick(
                        "Kønsstandardiseret andel (%)",
                        "Sex-standardised proportion (%)",
                    ),
                    _ => measure(*m, lang),
                }
                .to_string(),
                interval: !matches!(
                    *m,
                    Measure::WaitingDaysMedian | Measure::EventsMedian | Measure::StayDaysMedian
                ),
            }
        }));
        // The units of a quality indicator, as RKKP's annual reports show them: whether each
        // meets the standard and lies within the funnel's control limits.
        let quality = has(Measure::Funnel95);
        if quality {
            let standard = self
                .spec
                .spec
                .quality
                .as_ref()
                .map(|q| number(Some(q.standard_percent), 0, lang));
            columns.push(Column {
                heading: match standard {
                    Some(p) => format!(
                        "Standard {p}{} {}",
                        lang.pick("\u{a0}%", "%"),
                        lang.pick("opfyldt", "met")
                    ),
                    None => lang.pick("Standard opfyldt", "Standard met").into(),
                },
                interval: false,
            });
            columns.push(Column {
                heading: lang
                    .pick(
                        "Kontrolgrænser (95\u{a0}% / 99,8\u{a0}%)",
                        "Control limits (95% / 99.8%)",
                    )
                    .into(),
                interval: false,
            });
        }
        let hidden = lang.pick("undertrykt", "suppressed");
        let body = groups
            .iter()
            .map(|g| {
                let find = |m: Measure| rows.iter().find(|r| r.group == *g && r.measure == m);
                let crude = find(Measure::Proportion);
                let mut cells = vec![
                    Cell::Text(group(dim, g, lang)),
                    Cell::Count(crude.and_then(|r| r.denominator)),
                    Cell::Count(crude.and_then(|r| r.numerator)),
                ];
                for (m, decimals) in &measures {
                    let r = find(*m);
                    cells.push(Cell::Estimate {
                        value: r.and_then(|r| r.value),
                        lower: r.and_then(|r| r.lower),
                        upper: r.and_then(|r| r.upper),
                        decimals: *decimals,
                        why_empty: match r {
                            Some(r) if r.suppressed => hidden.to_string(),
                            Some(r) if r.note.starts_with("reference") => {
                                lang.pick("referencegruppe", "reference group").to_string()
                            }
                            // The reason (in English, from the measures) is in the
                            // analysis's tidy table.
                            Some(_) => lang.pick("ikke beregnet", "not computed").to_string(),
                            None => String::new(),
                        },
                    });
                }
                if quality {
                    cells.push(Cell::Text(standard_met(
                        find(Measure::StandardMet).copied(),
                        lang,
                    )));
                    cells.push(Cell::Text(within_limits(
                        find(Measure::Funnel95).copied(),
                        find(Measure::Funnel998).copied(),
                        lang,
                    )));
                }
                cells
            })
            .collect();
        let mut caption = format!(
            "{} {} {}",
            self.outcome_name(o, lang),
            lang.pick("efter", "by"),
            dimension_in_text(dim, lang)
        );
        if !sub.is_empty()
            && let Some(s) = self.spec.spec.sub_analyses.iter().find(|s| s.id == sub)
        {
            caption.push_str(&format!(
                ", {}",
                lang.pick(&s.name_da, &s.name_en).to_lowercase()
            ));
        }
        caption.push_str(&format!(", {}", self.period(year)));
        let mut notes = Vec::new();
        if let Some(reference) = rows
            .iter()
            .find(|r| r.measure == Measure::Difference)
            .and_then(|r| text::reference_of(r))
        {
            notes.push(format!(
                "{}: {}.",
                lang.pick(
                    "Forskel og ratio er i forhold til referencegruppen",
                    "Difference and ratio are relative to the reference group"
                ),
                group(dim, reference, lang)
            ));
        }
        // The numbers of events are withheld from the whole table when it hides a group
        // (`results::dimension`): the total is shown, its number of events is not.
        let total_shown = |m: Measure| {
            rows.iter()
                .any(|r| r.measure == m && r.group == TOTAL && !r.suppressed)
        };
        let total_events = rows
            .iter()
            .any(|r| r.measure == Measure::EventsMean && r.group == TOTAL);
        if total_events && total_shown(Measure::Proportion) && !total_shown(Measure::EventsMean) {
            notes.push(
                lang.pick(
                    "Antallet af hændelser pr. patient vises ikke i tabellen, fordi den skjuler en gruppe: gruppens antal hændelser ville ellers kunne udledes af totalen.",
                    "The number of events per patient is not shown in this table because it hides a group, whose number of events could otherwise be derived from the total.",
                )
                .to_string(),
            );
        }
        numbered.table(style, &caption, columns, body, notes)
    }

    /// The adjusted comparisons of one outcome (`[adjustment]`): per social and geographic
    /// stratifier and level, the odds ratio unadjusted, adjusted for age and sex and mutually
    /// adjusted, and the mutually adjusted difference in percentage points, as Danish clinical
    /// and inequality reports show them.
    fn adjusted_table(
        &self,
        o: &Outcome,
        rows: &[&Row],
        style: Style,
        numbered: &mut Numbered,
    ) -> String {
        let lang = style.lang;
        let odds: Vec<&&Row> = rows
            .iter()
            .filter(|r| r.measure == Measure::OddsRatio)
            .collect();
        if odds.is_empty() {
            return String::new();
        }
        let shown: Vec<(&str, String)> = adjustment_sets(rows, lang)
            .into_iter()
            .map(|(method, name)| {
                (
                    method,
                    format!("{} {name}", lang.pick("Oddsratio,", "Odds ratio,")),
                )
            })
            .collect();
        let difference_method = shown.last().map(|(m, _)| *m).unwrap_or_default();
        let mut columns = vec![
            Column {
                heading: lang.pick("Opdeling", "Stratifier").into(),
                interval: false,
            },
            Column {
                heading: lang.pick("Gruppe", "Group").into(),
                interval: false,
            },
        ];
        columns.extend(shown.iter().map(|(_, heading)| Column {
            heading: heading.clone(),
            interval: true,
        }));
        columns.push(Column {
            heading: format!(
                "{}, {}",
                lang.pick(
                    "Justeret forskel (procentpoint)",
                    "Adjusted difference (percentage points)"
                ),
                adjustment_sets(rows, lang)
                    .last()
                    .map_or("", |(_, name)| *name)
            ),
            interval: true,
        });
        let hidden = lang.pick("undertrykt", "suppressed");
        let why_empty = |r: Option<&&Row>| match r {
            Some(r) if r.suppressed => hidden.to_string(),
            Some(r) if r.note == "referencegruppe" => {
                lang.pick("referencegruppe", "reference group").into()
            }
            Some(_) => lang.pick("ikke beregnet", "not computed").into(),
            None => String::new(),
        };
        let mut body = Vec::new();
        for s in &self.spec.spec.stratifiers {
            let dim = s.code();
            let mut groups: Vec<&str> = Vec::new();
            for r in odds.iter().filter(|r| r.dimension == dim) {
                if !groups.contains(&r.group.as_str()) {
                    groups.push(&r.group);
                }
            }
            for g in groups {
                let find = |m: Measure, method: &str| {
                    rows.iter().find(|r| {
                        r.dimension == dim && r.group == g && r.measure == m && r.method == method
                    })
                };
                let mut cells = vec![
                    Cell::Text(dimension(&dim, lang)),
                    Cell::Text(group(&dim, g, lang)),
                ];
                for (method, _) in &shown {
                    let r = find(Measure::OddsRatio, method);
                    cells.push(Cell::Estimate {
                        value: r.and_then(|r| r.value),
                        lower: r.and_then(|r| r.lower),
                        upper: r.and_then(|r| r.upper),
                        decimals: 2,
                        why_empty: why_empty(r),
                    });
                }
                let r = find(Measure::AdjustedDifference, difference_method);
                cells.push(Cell::Estimate {
                    value: r.and_then(|r| r.value),
                    lower: r.and_then(|r| r.lower),
                    upper: r.and_then(|r| r.upper),
                    decimals: 1,
                    why_empty: why_empty(r),
                });
                body.push(cells);
            }
        }
        let caption = format!(
            "{}: {}, {}",
            lang.pick("Justerede sammenligninger", "Adjusted comparisons"),
            self.outcome_name(o, lang),
            self.period(odds[0].year)
        );
        // The comorbidity the mutual models adjust for (results::adjusted::covariates).
        let comorbidity: Vec<&str> = self
            .spec
            .spec
            .stratifiers
            .iter()
            .filter_map(|s| match s {
                Stratifier::Derived(Derived::Multimorbidity) => Some(lang.pick(
                    "antal kroniske sygdomme",
                    "the number of chronic conditions",
                )),
                Stratifier::Derived(Derived::Charlson) => Some(lang.pick(
                    "Charlsons komorbiditetsindeks",
                    "Charlson's comorbidity index",
                )),
                _ => None,
            })
            .collect();
        let comorbidity = if comorbidity.is_empty() {
            String::new()
        } else {
            format!(
                "{}{}",
                lang.pick(" samt for ", " and for "),
                comorbidity.join(lang.pick(" og ", " and "))
            )
        };
        let notes = vec![format!(
            "{}{comorbidity}{}",
            lang.pick(
                "Oddsratio fra en logistisk model mod opdelingens referencegruppe (samme som i tabellerne ovenfor). Gensidigt justeret: for alder, køn og de øvrige sociale og geografiske opdelinger",
                "Odds ratios from a logistic model against the stratifier's reference group (as in the tables above). Mutually adjusted: for age, sex and the other social and geographic stratifiers",
            ),
            lang.pick(
                ". Den justerede forskel er forskellen i andel, hvis alle patienter havde tilhørt gruppen frem for referencegruppen med deres øvrige kendetegn uændrede (marginal standardisering). Grupper, der er undertrykt, indgår ikke i modellerne.",
                ". The adjusted difference is the difference in proportion had all patients belonged to the group rather than the reference group, their other characteristics unchanged (marginal standardisation). Suppressed groups are left out of the models.",
            )
        )];
        numbered.table(style, &caption, columns, body, notes)
    }

    /// The slope index (SII) and relative index (RII) of inequality of each ordered dimension
    /// (education, income), WHO HEAT's logistic method: the one pair of summary measures a
    /// reader needs per social dimension, explained below the table. Every other summary
    /// measure is in appendix A.5 and the analysis's CSV.
    fn summary_table(
        &self,
        o: &Outcome,
        rows: &[&Row],
        style: Style,
        numbered: &mut Numbered,
    ) -> String {
        let lang = style.lang;
        let of = |dim: &str, code: SummaryMeasure| {
            rows.iter().copied().find(|r| {
                r.group == SUMMARY_GROUP
                    && r.dimension == dim
                    && r.measure == Measure::Summary(code)
                    && r.method == SLOPE_METHOD
            })
        };
        let estimate = |row: Option<&Row>| {
            let row = row.filter(|r| r.value.is_some() || r.suppressed);
            Cell::Estimate {
                value: row.and_then(|r| r.value),
                lower: row.and_then(|r| r.lower),
                upper: row.and_then(|r| r.upper),
                decimals: 2,
                why_empty: match row {
                    Some(_) => lang.pick("undertrykt", "suppressed"),
                    None => lang.pick("ikke beregnet", "not computed"),
                }
                .into(),
            }
        };
        let body: Vec<Vec<Cell>> = self
            .spec
            .spec
            .stratifiers
            .iter()
            .filter(|s| s.ordered())
            .map(|s| s.code())
            .filter(|dim| {
                of(dim, SummaryMeasure::Sii).is_some_and(|r| r.value.is_some() || r.suppressed)
            })
            .map(|dim| {
                vec![
                    Cell::Text(dimension(&dim, lang)),
                    estimate(of(&dim, SummaryMeasure::Sii)),
                    estimate(of(&dim, SummaryMeasure::Rii)),
                ]
            })
            .collect();
        if body.is_empty() {
            return String::new();
        }
        let columns = vec![
            Column {
                heading: lang.pick("Opdeling", "Dimension").into(),
                interval: false,
            },
            Column {
                heading: lang
                    .pick(
                        "Hældningsindeks, SII (procentpoint)",
                        "Slope index, SII (percentage points)",
                    )
                    .into(),
                interval: true,
            },
            Column {
                heading: lang
                    .pick("Relativt ulighedsindeks, RII", "Relative index, RII")
                    .into(),
                interval: true,
            },
        ];
        let caption = format!(
            "{}: {}, {}",
            lang.pick(
                "Ulighed over hele rangordningen",
                "Inequality across the whole ranking"
            ),
            self.outcome_name(o, lang),
            self.period(self.last_year())
        );
        let table = format!("tables/{}.csv", self.spec.spec.id);
        numbered.table(
            style,
            &caption,
            columns,
            body,
            vec![match lang {
                Lang::Da => format!(
                    "SII er den anslåede forskel i procentpoint i andelen mellem toppen og bunden af rangordningen (fra laveste til højeste uddannelse eller indkomst), beregnet over alle grupper og vægtet med deres størrelse; RII er forholdet mellem de to. SII = 0 og RII = 1 betyder ingen gradient. Metode: WHO HEAT, logistisk regression (bilag A.3). De øvrige sammenfattende mål for ulighed står i bilag A.5 og i analysens tabel ({table})."
                ),
                Lang::En => format!(
                    "SII is the estimated difference in percentage points in the proportion between the top and the bottom of the ranking (from the lowest to the highest education or income), computed over all groups weighted by their size; RII is the ratio of the two. SII = 0 and RII = 1 mean no gradient. Method: WHO HEAT, logistic regression (appendix A.3). The other summary measures of inequality are in appendix A.5 and the analysis's table ({table})."
                ),
            }],
        )
    }

    /// The total proportion per outcome over the years, when there is more than one.
    fn trend_table(&self, style: Style, numbered: &mut Numbered) -> String {
        let lang = style.lang;
        let years = self.years();
        if years.len() < 2 {
            return String::new();
        }
        let mut columns = vec![Column {
            heading: lang.pick("Udfald", "Outcome").into(),
            interval: false,
        }];
        columns.extend(years.iter().map(|y| Column {
            heading: y.to_string(),
            interval: true,
        }));
        let body = self
            .spec
            .spec
            .outcomes
            .iter()
            .map(|o| {
                let mut cells = vec![Cell::Text(self.outcome_name(o, lang).to_string())];
                for y in &years {
                    let total = self.total(&o.id, *y);
                    cells.push(Cell::Estimate {
                        value: total.and_then(|r| r.value),
                        lower: total.and_then(|r| r.lower),
                        upper: total.and_then(|r| r.upper),
                        decimals: 1,
                        why_empty: lang.pick("undertrykt", "suppressed").into(),
                    });
                }
                cells
            })
            .collect();
        let caption = format!(
            "{} {}–{}, {}",
            lang.pick("Udvikling", "Trend"),
            years[0],
            years[years.len() - 1],
            lang.pick("andel i alt (%)", "total proportion (%)")
        );
        let mut notes = Vec::new();
        if crosses_lpr3(years[0], years[years.len() - 1]) {
            notes.push(
                lang.pick(
                    "Landspatientregisteret skiftede i februar 2019 fra LPR2 til LPR3 med en ny måde at registrere kontakter på; en ændring mellem 2018 og 2019 kan skyldes registreringen og ikke behandlingen.",
                    "The National Patient Register changed from LPR2 to LPR3 in February 2019, with a new way of recording contacts; a change between 2018 and 2019 may come from the recording, not the treatment."
                )
                .to_string(),
            );
        }
        let totals = numbered.table(style, &caption, columns, body, notes.clone());
        let inequality = self.inequality_by_year(&years, style, numbered, &notes);
        format!(
            "<h3>{}</h3>\n{totals}{inequality}",
            lang.pick("Udvikling over år", "Trend over the years"),
        )
    }

    /// The trend of inequality: for each outcome and year, the difference of each social and
    /// origin group from its reference (for an ordered dimension its most disadvantaged group,
    /// short education or the lowest income quintile) and the slope indices of the ordered
    /// dimensions, so that a reader sees whether the gaps narrow, not only the totals.
    fn inequality_by_year(
        &self,
        years: &[i32],
        style: Style,
        numbered: &mut Numbered,
        notes: &[String],
    ) -> String {
        let lang = style.lang;
        let hidden = lang.pick("undertrykt", "suppressed");
        let find = |outcome: &str, measure: Measure, dim: &str, group: &str, year: i32| {
            self.rows.iter().find(|r| {
                r.outcome == outcome
                    && r.subanalysis.is_empty()
                    && r.year == year
                    && r.measure == measure
                    && r.dimension == dim
                    && r.group == group
                    && (r.method == "heat-logistic" || !matches!(measure, Measure::Summary(_)))
            })
        };
        let mut body = Vec::new();
        for o in &self.spec.spec.outcomes {
            let mut lines: Vec<(String, Measure, String, String, usize)> = Vec::new();
            for s in &self.spec.spec.stratifiers {
                let dim = s.code();
                let social = matches!(
                    s,
                    Stratifier::Derived(
                        Derived::Education
                            | Derived::IncomeQuintile
                            | Derived::ParentalEducation
                            | Derived::ParentalIncome
                            | Derived::Origin
                            | Derived::OriginWestern
                    )
                );
                if !social {
                    continue;
                }
                let latest = years[years.len() - 1];
                // The differences of the dimension's groups in the latest year.
                let differences = || {
                    self.rows.iter().filter(|r| {
                        r.outcome == o.id
                            && r.year == latest
                            && r.subanalysis.is_empty()
                            && r.dimension == dim
                            && r.measure == Measure::Difference
                    })
                };
                // Every difference row names its reference group in its note.
                let reference =
                    differences().find_map(|r| text::reference_of(r).map(str::to_string));
                let Some(reference) = reference else {
                    continue;
                };
                let compared: Vec<String> = if s.ordered() {
                    match s {
                        Stratifier::Derived(d) => d
                            .fixed_levels()
                            .first()
                            .map(|l| vec![l.to_string()])
                            .unwrap_or_default(),
                        Stratifier::Column(_) => Vec::new(),
                    }
                } else {
                    let mut levels: Vec<String> = differences()
                        .filter(|r| r.is_level() && r.group != UNKNOWN)
                        .map(|r| r.group.clone())
                        .collect();
                    levels.dedup();
                    levels
                };
                for level in compared {
                    lines.push((
                        format!(
                            "{} – {} ({})",
                            group(&dim, &level, lang),
                            lower_first(&group(&dim, &reference, lang)),
                            lang.pick("procentpoint", "percentage points")
                        ),
                        Measure::Difference,
                        dim.clone(),
                        level,
                        1,
                    ));
                }
                if s.ordered() {
                    for (m, unit, decimals) in [
                        (
                            SummaryMeasure::Sii,
                            lang.pick("procentpoint", "percentage points"),
                            1,
                        ),
                        (SummaryMeasure::Rii, lang.pick("ratio", "ratio"), 2),
                    ] {
                        lines.push((
                            format!(
                                "{} {} {} ({unit})",
                                m.code().to_uppercase(),
                                lang.pick("efter", "by"),
                                dimension_in_text(&dim, lang)
                            ),
                            Measure::Summary(m),
                            dim.clone(),
                            SUMMARY_GROUP.to_string(),
                            decimals,
                        ));
                    }
                }
            }
            let mut first = true;
            for (label, measure, dim, level, decimals) in lines {
                let mut cells = vec![
                    Cell::Text(if first {
                        self.outcome_name(o, lang).to_string()
                    } else {
                        String::new()
                    }),
                    Cell::Text(label),
                ];
                first = false;
                for y in years {
                    let r = find(&o.id, measure, &dim, &level, *y);
                    cells.push(Cell::Estimate {
                        value: r.and_then(|r| r.value),
                        lower: r.and_then(|r| r.lower),
                        upper: r.and_then(|r| r.upper),
                        decimals,
                        why_empty: match r {
                            Some(r) if r.suppressed => hidden.to_string(),
                            _ => lang.pick("ikke beregnet", "not computed").to_string(),
                        },
                    });
                }
                body.push(cells);
            }
        }
        if body.is_empty() {
            return String::new();
        }
        let mut columns = vec![
            Column {
                heading: lang.pick("Udfald", "Outcome").into(),
                interval: false,
            },
            Column {
                heading: lang.pick("Mål", "Measure").into(),
                interval: false,
            },
        ];
        columns.extend(years.iter().map(|y| Column {
            heading: y.to_string(),
            interval: true,
        }));
        let caption = format!(
            "{} {}–{}: {}",
            lang.pick("Ulighed over år", "Inequality over the years"),
            years[0],
            years[years.len() - 1],
            lang.pick(
                "forskelle til referencegruppen og hældningsindeks (SII, RII)",
                "differences from the reference group and slope indices (SII, RII)"
            )
        );
        numbered.table(style, &caption, columns, body, notes.to_vec())
    }

    /// The total proportion of an outcome in a year (the same in every dimension).
    fn total(&self, outcome: &str, year: i32) -> Option<&Row> {
        let first = self.spec.spec.stratifiers.first()?.code();
        self.rows.iter().find(|r| {
            r.outcome == outcome
                && r.subanalysis.is_empty()
                && r.year == year
                && r.dimension == first
                && r.group == TOTAL
                && r.measure == Measure::Proportion
        })
    }

    /// The figures of one outcome of the main analysis.
    fn figures(&self, o: &Outcome, rows: &[&Row], style: Style) -> Result<Vec<Figure>> {
        let lang = style.lang;
        let name = self.outcome_name(o, lang);
        let year = self.last_year();
        let hidden = lang.pick("undertrykt", "suppressed");
        let axis = lang.pick(
            "Andel (%) med 95\u{a0}% sikkerhedsinterval",
            "Proportion (%) with 95% confidence interval",
        );
        let period = self.period(year);
        let title = |what: &str| style.mark(&format!("{name}: {what}, {period}"));
        let points = |dim: &str| -> Vec<Point> {
            rows.iter()
                .filter(|r| r.dimension == dim && r.measure == Measure::Proportion && r.is_level())
                .map(|r| Point {
                    label: group(dim, &r.group, lang),
                    value: r.value,
                    lower: r.lower,
                    upper: r.upper,
                })
                .collect()
        };
        let total = |dim: &str| {
            rows.iter()
                .find(|r| {
                    r.dimension == dim && r.measure == Measure::Proportion && r.group == TOTAL
                })
                .and_then(|r| r.value)
        };
        let describe = |p: &Point| match p.value {
            Some(v) => with_interval(Some(v), p.lower, p.upper, 1, lang),
            None => hidden.to_string(),
        };
        let mut figures = Vec::new();
        // Groups with whiskers, one panel per non-geographic stratifier.
        let panels: Vec<Panel> = self
            .spec
            .spec
            .stratifiers
            .iter()
            .map(|s| s.code())
            .filter(|c| !matches!(c.as_str(), "region" | "municipality" | "hospital"))
            .map(|c| Panel {
                title: dimension(&c, lang),
                points: points(&c),
                total: total(&c),
            })
            .filter(|p| !p.points.is_empty())
            .collect();
        if !panels.is_empty() {
            let t = title(lang.pick("andel efter gruppe", "proportion by group"));
            let data = panels
                .iter()
                .flat_map(|p| {
                    p.points
                        .iter()
                        .map(|q| (format!("{}: {}", p.title, q.label), describe(q)))
                })
                .collect();
            figures.push(Figure {
                slug: format!("{}-grupper", o.id),
                caption: format!(
                    "{}. {}",
                    t,
                    lang.pick(
                        "Punkter er andele, vandrette streger 95\u{a0}% sikkerhedsintervaller, den stiplede linje andelen i alt.",
                        "Points are proportions, horizontal bars 95% confidence intervals, the dashed line the total."
                    )
                ),
                svg: small_multiples(&panels, &t, axis, hidden, lang)?,
                alt: format!(
                    "{} {}",
                    lang.pick("Andelen med udfaldet efter", "The proportion with the outcome by"),
                    panels.iter().map(|p| in_text(&p.title)).collect::<Vec<_>>().join(", ")
                ),
                data,
            });
        }
        // The slope index on the first ordered dimension with PHE's linear SII released.
        for s in self.spec.spec.stratifiers.iter().filter(|s| s.ordered()) {
            let code = s.code();
            let Some(sii) = rows.iter().find(|r| {
                r.dimension == code
                    && r.measure == Measure::Summary(SummaryMeasure::Sii)
                    && r.method == "phe-linear"
                    && r.value.is_some()
            }) else {
                continue;
            };
            let groups: Vec<(Point, f64)> = rows
                .iter()
                .filter(|r| {
                    r.dimension == code
                        && r.measure == Measure::Proportion
                        && r.is_level()
                        && r.group != crate::tidy::UNKNOWN
                })
                .map(|r| {
                    (
                        Point {
                            label: group(&code, &r.group, lang),
                            value: r.value,
                            lower: r.lower,
                            upper: r.upper,
                        },
                        r.denominator.unwrap_or(0) as f64,
                    )
                })
                .collect();
            // The line needs every group's number and size; a hidden group means no chart.
            if groups.is_empty() || groups.iter().any(|(p, n)| p.value.is_none() || *n == 0.0) {
                continue;
            }
            let value = sii.value.unwrap_or(0.0);
            let sii_text = with_interval(sii.value, sii.lower, sii.upper, 1, lang);
            let t = title(&format!(
                "{} {}",
                lang.pick("hældningsindeks efter", "slope index by"),
                dimension_in_text(&code, lang)
            ));
            figures.push(Figure {
                slug: format!("{}-sii-{code}", o.id),
                caption: format!(
                    "{t}. {} {sii_text} {}",
                    lang.pick("SII (PHE, lineær):", "SII (PHE, linear):"),
                    lang.pick(
                        "procentpoint. Søjlernes bredde er gruppernes andel af patienterne, rangordnet fra mest dårligt stillet.",
                        "percentage points. Bar widths are the groups' shares of the patients, ranked from the most disadvantaged."
                    )
                ),
                svg: sii_chart(
                    &groups,
                    value,
                    &format!("SII = {}", number(Some(value), 1, lang)),
                    &t,
                    lang.pick(
                        "Kumuleret andel af patienterne (0 = mest dårligt stillet)",
                        "Cumulative share of the patients (0 = most disadvantaged)",
                    ),
                    axis,
                    lang,
                )?,
                alt: format!(
                    "{} {}: {sii_text}.",
                    lang.pick("Hældningsindeks for ulighed efter", "Slope index of inequality by"),
                    dimension_in_text(&code, lang)
                ),
                data: groups.iter().map(|(p, _)| (p.label.clone(), describe(p))).collect(),
            });
            break;
        }
        // Maps of regions and municipalities.
        for (code, areas, label_values) in [
            ("region", geo::regions(), true),
            ("municipality", geo::municipalities(), false),
        ] {
            let values: Vec<MapValue> = rows
                .iter()
                .filter(|r| r.dimension == code && r.measure == Measure::Proportion && r.is_level())
                .map(|r| MapValue {
                    code: r.group.clone(),
                    value: r.value,
                    lower: r.lower,
                    upper: r.upper,
                })
                .collect();
            let Some(national) = total(code) else {
                continue;
            };
            if values.is_empty() {
                continue;
            }
            let t = title(&format!(
                "{} {}",
                lang.pick("andel efter", "proportion by"),
                dimension_in_text(code, lang)
            ));
            let hidden_count = values.iter().filter(|v| v.value.is_none()).count();
            figures.push(Figure {
                slug: format!("{}-kort-{code}", o.id),
                caption: format!(
                    "{t}. {} {} {} {hidden_count} {}",
                    lang.pick(
                        "Farven viser forskellen i procentpoint fra landsgennemsnittet",
                        "The colour shows the difference in percentage points from the national value"
                    ),
                    number(Some(national), 1, lang),
                    lang.pick(
                        "%; tyk kant (og * ved tallet): områdets 95\u{a0}% sikkerhedsinterval omfatter ikke landsgennemsnittet;",
                        "%; thick border (and * by the number): the area's 95% confidence interval does not include the national value;"
                    ),
                    lang.pick(
                        "områder er undertrykt (grå med kryds).",
                        "areas are suppressed (grey with a cross)."
                    )
                ),
                svg: choropleth(
                    areas,
                    &values,
                    MapScale {
                        national,
                        favourable: o.favourable,
                    },
                    &t,
                    lang,
                    label_values,
                )?,
                alt: format!(
                    "{} {}. {}: {}.",
                    lang.pick("Kort over andelen efter", "Map of the proportion by"),
                    dimension_in_text(code, lang),
                    lang.pick("Kilde til grænserne", "Boundaries"),
                    areas.source
                ),
                data: points(code)
                    .iter()
                    .map(|p| (p.label.clone(), describe(p)))
                    .collect(),
            });
        }
        // The funnel plot of units, where the analysis has funnel limits for this outcome.
        if let Some(unit_dim) = rows
            .iter()
            .find(|r| r.measure == Measure::Funnel95)
            .map(|r| r.dimension.clone())
            && let Some(target) = total(&unit_dim)
        {
            let units: Vec<Unit> = rows
                .iter()
                .filter(|r| {
                    r.dimension == unit_dim && r.measure == Measure::Proportion && r.is_level()
                })
                .filter_map(|r| {
                    Some(Unit {
                        label: group(&unit_dim, &r.group, lang),
                        patients: r.denominator? as f64,
                        percent: r.value?,
                    })
                })
                .collect();
            let standard = self
                .spec
                .spec
                .quality
                .as_ref()
                .filter(|q| q.outcome.as_deref().is_none_or(|id| id == o.id))
                .map(|q| q.standard_percent);
            let hidden_units = points(&unit_dim)
                .iter()
                .filter(|p| p.value.is_none())
                .count();
            let t = title(&format!(
                "{} {}",
                lang.pick("tragtdiagram efter", "funnel plot by"),
                dimension_in_text(&unit_dim, lang)
            ));
            let standard_label = format!(
                "{} {}%",
                lang.pick("Standard", "Standard"),
                number(standard, 0, lang)
            );
            figures.push(Figure {
                slug: format!("{}-tragt-{unit_dim}", o.id),
                caption: format!(
                    "{t}. {} {} {hidden_units} {}",
                    lang.pick(
                        "Enhedernes andel mod antal patienter med 95\u{a0}%- (stiplet) og 99,8\u{a0}%-kontrolgrænser (fuldt optrukket) om landsandelen; trekanter ligger uden for 99,8\u{a0}%-grænserne.",
                        "Units' proportions against their patients with 95% (dashed) and 99.8% (solid) control limits around the national proportion; triangles lie outside the 99.8% limits."
                    ),
                    lang.pick("Undertrykte enheder vises ikke:", "Suppressed units are not drawn:"),
                    lang.pick("enheder.", "units.")
                ),
                svg: funnel_plot(
                    &units,
                    target,
                    standard,
                    &FunnelText {
                        lang,
                        title: &t,
                        x_desc: lang.pick("Patienter", "Patients"),
                        y_desc: lang.pick("Andel (%)", "Proportion (%)"),
                        target: lang.pick("Landsandel", "National proportion"),
                        limit_95: lang.pick("95\u{a0}%-grænser", "95% limits"),
                        limit_998: lang.pick("99,8\u{a0}%-grænser", "99.8% limits"),
                        standard: &standard_label,
                    },
                )?,
                alt: format!(
                    "{} {}%.",
                    lang.pick("Tragtdiagram om landsandelen", "Funnel plot around the national proportion of"),
                    number(Some(target), 1, lang)
                ),
                data: points(&unit_dim)
                    .iter()
                    .map(|p| (p.label.clone(), describe(p)))
                    .collect(),
            });
        }
        // The trend, total first, then the groups of the first stratifier.
        let years = self.years();
        if years.len() >= 2
            && let Some(first) = self.spec.spec.stratifiers.first().map(|s| s.code())
        {
            let series_of = |level: &str, label: String| Series {
                label,
                points: years
                    .iter()
                    .map(|y| {
                        let r = self.rows.iter().find(|r| {
                            r.outcome == o.id
                                && r.subanalysis.is_empty()
                                && r.year == *y
                                && r.dimension == first
                                && r.group == level
                                && r.measure == Measure::Proportion
                        });
                        YearPoint {
                            year: *y,
                            value: r.and_then(|r| r.value),
                            lower: r.and_then(|r| r.lower),
                            upper: r.and_then(|r| r.upper),
                        }
                    })
                    .collect(),
            };
            let mut series = vec![series_of(TOTAL, group(&first, TOTAL, lang))];
            for r in rows.iter().filter(|r| {
                r.dimension == first && r.measure == Measure::Proportion && r.is_level()
            }) {
                series.push(series_of(&r.group, group(&first, &r.group, lang)));
            }
            let t = style.mark(&format!(
                "{name}: {} {}–{} {} {}",
                lang.pick("udvikling", "trend"),
                years[0],
                years[years.len() - 1],
                lang.pick("efter", "by"),
                dimension_in_text(&first, lang)
            ));
            let data = series
                .iter()
                .flat_map(|s| {
                    s.points.iter().map(|p| {
                        (
                            format!("{} {}", s.label, p.year),
                            match p.value {
                                Some(_) => with_interval(p.value, p.lower, p.upper, 1, lang),
                                None => hidden.to_string(),
                            },
                        )
                    })
                })
                .collect();
            figures.push(Figure {
                slug: format!("{}-udvikling", o.id),
                caption: format!(
                    "{t}. {}",
                    lang.pick(
                        "Linjer er andele, de skraverede bånd 95\u{a0}% sikkerhedsintervaller.",
                        "Lines are proportions, the shaded bands 95% confidence intervals."
                    )
                ),
                svg: trend_panels(
                    &series,
                    &t,
                    lang.pick("Andel (%)", "Proportion (%)"),
                    hidden,
                    lang,
                )?,
                alt: format!(
                    "{} {}–{} {} {}.",
                    lang.pick("Andelen med udfaldet", "The proportion with the outcome"),
                    years[0],
                    years[years.len() - 1],
                    lang.pick("i alt og efter", "in total and by"),
                    dimension_in_text(&first, lang)
                ),
                data,
            });
        }
        // The adjusted comparisons' odds ratios, every set side by side.
        let sets = adjustment_sets(rows, lang);
        let mut forest_rows = Vec::new();
        for s in &self.spec.spec.stratifiers {
            let code = s.code();
            let mut groups: Vec<&str> = Vec::new();
            for r in rows
                .iter()
                .filter(|r| r.measure == Measure::OddsRatio && r.dimension == code)
            {
                if !groups.contains(&r.group.as_str()) {
                    groups.push(&r.group);
                }
            }
            for g in groups {
                let estimates: Vec<Option<(f64, f64, f64)>> = sets
                    .iter()
                    .map(|(method, _)| {
                        let r = rows.iter().find(|r| {
                            r.measure == Measure::OddsRatio
                                && r.dimension == code
                                && r.group == g
                                && r.method == *method
                        })?;
                        Some((r.value?, r.lower?, r.upper?))
                    })
                    .collect();
                if estimates.iter().any(Option::is_some) {
                    // "Region Nordjylland" needs no "Region: " before it.
                    let (name, level) = (dimension(&code, lang), group(&code, g, lang));
                    let label = if level.to_lowercase().starts_with(&name.to_lowercase()) {
                        level
                    } else {
                        format!("{name}: {level}")
                    };
                    forest_rows.push(ForestRow { label, estimates });
                }
            }
        }
        if !forest_rows.is_empty() {
            let t = title(lang.pick("oddsratio efter gruppe", "odds ratio by group"));
            let names: Vec<&str> = sets.iter().map(|(_, n)| *n).collect();
            let data = forest_rows
                .iter()
                .flat_map(|r| {
                    r.estimates.iter().zip(&names).filter_map(|(e, n)| {
                        let (v, l, u) = (*e)?;
                        Some((
                            format!("{} ({n})", r.label),
                            with_interval(Some(v), Some(l), Some(u), 2, lang),
                        ))
                    })
                })
                .collect();
            figures.push(Figure {
                slug: format!("{}-oddsratio", o.id),
                caption: format!(
                    "{t}. {}",
                    lang.pick(
                        "Oddsratio mod opdelingens referencegruppe med 95\u{a0}% sikkerhedsinterval, på logaritmisk skala; til venstre for 1 har gruppen lavere odds for udfaldet end referencegruppen.",
                        "Odds ratio against the stratifier's reference group with 95% confidence interval, on a log scale; left of 1 the group has lower odds of the outcome than the reference group."
                    )
                ),
                svg: forest(
                    &forest_rows,
                    &names,
                    &t,
                    lang.pick("Oddsratio (log-skala)", "Odds ratio (log scale)"),
                    lang,
                )?,
                alt: lang
                    .pick(
                        "Oddsratio for hver gruppe, ujusteret og justeret.",
                        "The odds ratio of each group, unadjusted and adjusted.",
                    )
                    .to_string(),
                data,
            });
        }
        Ok(figures)
    }
}

/// The adjustment sets the rows hold odds ratios for, in the spec's order of sets: each set's
/// method code and its name.
fn adjustment_sets(rows: &[&Row], lang: Lang) -> Vec<(&'static str, &'static str)> {
    use crate::spec::AdjustmentSet;
    [
        AdjustmentSet::None,
        AdjustmentSet::AgeSex,
        AdjustmentSet::Mutual,
    ]
    .into_iter()
    .map(|set| {
        (
            crate::results::adjusted::method(set),
            adjustment_set(set, lang),
        )
    })
    .filter(|(m, _)| {
        rows.iter()
            .any(|r| r.measure == Measure::OddsRatio && r.method == *m)
    })
    .collect()
}
