//! The analysis plan (`ulighed plan --all`, deadline 15 May): for each pipeline its topic, a
//! short description and its set-up (design, population, patient group, outcomes, stratifiers,
//! measures, sub-analyses, trend, standardisation, disclosure), read from the specs alone.

use super::definitions;
use super::format::escape;
use super::labels::{Lang, dimension};
use super::methods::NOTES;
use crate::spec::measures_for;
use crate::spec::{LoadedSpec, Measure, RequestedMeasure, Standard};

/// The readable name of a measure a spec asks for.
fn measure_name(requested: RequestedMeasure, lang: Lang) -> String {
    let row = match requested {
        RequestedMeasure::AgeStandardised => {
            return lang
                .pick(
                    "alders- og kønsstandardiseret andel",
                    "age- and sex-standardised proportion",
                )
                .into();
        }
        RequestedMeasure::WaitingTime => return lang.pick("ventetid", "waiting time").into(),
        RequestedMeasure::Funnel => return lang.pick("tragtgrænser", "funnel limits").into(),
        RequestedMeasure::Proportion => Measure::Proportion,
        RequestedMeasure::Difference => Measure::Difference,
        RequestedMeasure::Ratio => Measure::Ratio,
        RequestedMeasure::Summary(s) => Measure::Summary(s),
    };
    NOTES
        .iter()
        .find(|n| n.measure == row)
        .map(|n| n.name(lang).to_lowercase())
        .unwrap_or_else(|| requested.code().to_string())
}

/// The plan's HTML page.
pub fn render(specs: &[LoadedSpec], lang: Lang) -> String {
    let title = lang.pick("Analyseplan", "Analysis plan");
    let mut body = format!(
        "<section class=\"title-page\" data-section=\"title\">\n<p class=\"kind\">{title}</p>\n<h1>{}</h1>\n<p class=\"subtitle\">{} {}.</p>\n</section>\n<nav class=\"contents\" data-section=\"contents\">\n<h2>{}</h2>\n<ol>\n",
        lang.pick(
            "Ulighed i behandling og tilbud til patientgrupper",
            "Inequality in treatment and offers for patient groups"
        ),
        lang.pick("Planlagte analyser:", "Planned analyses:"),
        specs.len(),
        lang.pick("Indhold", "Contents"),
    );
    for s in specs {
        body.push_str(&format!(
            "<li><a href=\"#plan-{}\">{}</a></li>\n",
            s.spec.id,
            escape(lang.pick(&s.spec.title_da, &s.spec.title_en))
        ));
    }
    body.push_str("</ol>\n</nav>\n");
    for (i, loaded) in specs.iter().enumerate() {
        let spec = &loaded.spec;
        body.push_str(&format!(
            "<section class=\"chapter\" id=\"plan-{}\" data-section=\"plan\">\n<h2>{}. {}</h2>\n<p><strong>{}:</strong> {}</p>\n<p class=\"lead\">{}</p>\n",
            spec.id,
            i + 1,
            escape(lang.pick(&spec.title_da, &spec.title_en)),
            lang.pick("Emne", "Topic"),
            escape(&spec.topic),
            escape(lang.pick(&spec.description_da, &spec.description_en)),
        ));
        let mut items = definitions::core_items(loaded, lang);
        for s in &spec.stratifiers {
            let measures: Vec<String> = measures_for(loaded, s)
                .iter()
                .map(|m| measure_name(*m, lang))
                .collect();
            items.push((
                lang.pick("Opdeling og mål", "Stratifier and measures"),
                format!("{}: {}", dimension(&s.code(), lang), measures.join(", ")),
            ));
        }
        let subs = definitions::sub_analyses(loaded, lang);
        if !subs.is_empty() {
            items.push((lang.pick("Underanalyser", "Sub-analyses"), subs));
        }
        if let Some(t) = &spec.trend {
            items.push((
                lang.pick("Udvikling", "Trend"),
                format!("{}–{}", t.first_year, t.last_year),
            ));
        }
        if let Some(s) = &spec.standardisation {
            items.push((
                lang.pick("Standardisering", "Standardisation"),
                match &s.standard {
                    Standard::Esp2013 => lang
                        .pick(
                            "alder og køn, europæisk standardbefolkning 2013",
                            "age and sex, European Standard Population 2013",
                        )
                        .to_string(),
                    Standard::Danish(year) => format!(
                        "{} {year}",
                        lang.pick(
                            "alder og køn, den danske befolkning",
                            "age and sex, the Danish population of"
                        )
                    ),
                },
            ));
        }
        items.push((
            lang.pick("Diskretion", "Disclosure control"),
            format!(
                "{} {}",
                lang.pick("tærskel", "threshold"),
                spec.disclosure.as_ref().map(|d| d.threshold).unwrap_or(5)
            ),
        ));
        body.push_str(&definitions::html_list(&items));
        body.push_str("</section>\n");
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n<style>\n{}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        lang.pick("da", "en"),
        super::style::CSS
    )
}
