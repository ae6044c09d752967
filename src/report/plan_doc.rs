//! The analysis plan (`ulighed plan --all`, deadline 15 May): for each pipeline its topic, a
//! short description and its set-up (design, population, patient group, outcomes, stratifiers,
//! measures, sub-analyses, trend, standardisation, disclosure), read from the specs alone.

use super::definitions::{self, lower_first};
use super::format::escape;
use super::labels::{Lang, dimension};
use super::methods::NOTES;
use crate::spec::shape::summary_plan;
use crate::spec::{
    LoadedSpec, Measure, RequestedMeasure, Stratifier, SummaryMeasure, measures_for,
};

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
        RequestedMeasure::StayDays => return lang.pick("liggetid", "length of stay").into(),
        RequestedMeasure::EventCount => {
            return lang
                .pick("antal hændelser pr. patient", "events per patient")
                .into();
        }
        RequestedMeasure::Funnel => return lang.pick("tragtgrænser", "funnel limits").into(),
        RequestedMeasure::Proportion => Measure::Proportion,
        RequestedMeasure::Difference => Measure::Difference,
        RequestedMeasure::Ratio => Measure::Ratio,
        RequestedMeasure::Summary(s) => Measure::Summary(s),
    };
    NOTES
        .iter()
        .find(|n| n.measure == row)
        .map(|n| lower_first(n.name(lang)))
        .unwrap_or_else(|| requested.code().to_string())
}

/// A summary measure by one of its methods, by the name of its row in the methods appendix
/// ("hældningsindeks for ulighed (SII), lineær").
fn method_name(measure: SummaryMeasure, method: &str, lang: Lang) -> String {
    NOTES
        .iter()
        .find(|n| n.measure == Measure::Summary(measure) && n.method == method)
        .map(|n| lower_first(n.name(lang)))
        .unwrap_or_else(|| measure_name(RequestedMeasure::Summary(measure), lang))
}

/// "Uddannelse: andel, forskel, ratio, SII, RII …; ikke beregnet for en opdeling uden
/// rækkefølge: …": what the run computes by the stratifier, and the summary measures the spec
/// asks for that WHO HEAT or healthequal do not compute for the dimension's shape.
fn stratifier_measures(loaded: &LoadedSpec, stratifier: &Stratifier, lang: Lang) -> String {
    let summary = summary_plan(loaded, stratifier);
    let names = |list: &[(SummaryMeasure, &str)]| {
        list.iter()
            .map(|(m, method)| method_name(*m, method, lang))
            .collect::<Vec<_>>()
    };
    // What is not computed, by abbreviation: "SII (lineær)" where the measure is computed by its
    // other method, "SII" where by neither.
    let mut not_computed: Vec<String> = Vec::new();
    for (measure, method) in &summary.not_for_shape {
        let code = RequestedMeasure::Summary(*measure).code().to_uppercase();
        let by_other = summary.computed.iter().any(|(m, _)| m == measure);
        let name = if by_other && *method == "phe-linear" {
            format!("{code} ({})", lang.pick("lineær", "linear"))
        } else {
            code
        };
        if !not_computed.contains(&name) {
            not_computed.push(name);
        }
    }
    let mut computed: Vec<String> = measures_for(loaded, stratifier)
        .into_iter()
        .filter(|m| !matches!(m, RequestedMeasure::Summary(_)))
        .map(|m| measure_name(m, lang))
        .collect();
    computed.extend(names(&summary.computed));
    let mut text = format!(
        "{}: {}",
        dimension(&stratifier.code(), lang),
        computed.join(", ")
    );
    if !summary.not_for_shape.is_empty() {
        let shape = match (summary.subgroups, stratifier.ordered()) {
            (Some(n), true) => format!(
                "{} {n} {}",
                lang.pick("en ordnet opdeling med", "an ordered dimension of"),
                lang.pick("grupper", "groups")
            ),
            (Some(n), false) => format!(
                "{} {n} {}",
                lang.pick(
                    "en opdeling uden rækkefølge med",
                    "an unordered dimension of"
                ),
                lang.pick("grupper", "groups")
            ),
            (None, _) => lang.pick("denne opdeling", "this dimension").to_string(),
        };
        text.push_str(&format!(
            "; {} {shape} (WHO HEAT, healthequal, PHE): {}",
            lang.pick("ikke beregnet for", "not computed for"),
            not_computed.join(", ")
        ));
    }
    text
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
            items.push((
                lang.pick("Opdeling og mål", "Stratifier and measures"),
                stratifier_measures(loaded, s, lang),
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
        if let Some(adjustment) = &spec.adjustment {
            let sets: Vec<&str> = adjustment
                .sets
                .iter()
                .map(|&set| super::labels::adjustment_set(set, lang))
                .collect();
            items.push((
                lang.pick("Justerede sammenligninger", "Adjusted comparisons"),
                format!(
                    "{}: {}",
                    lang.pick(
                        "oddsratio, justeret andel og forskel for de sociale og geografiske opdelinger",
                        "odds ratio, adjusted proportion and difference of the social and geographic stratifiers"
                    ),
                    sets.join(", ")
                ),
            ));
        }
        if spec.standardisation.is_some() {
            items.push((
                lang.pick("Standardisering", "Standardisation"),
                lang.pick(
                    "alder og køn, med analysens egne patienter som standard",
                    "age and sex, with the analysis's own patients as the standard",
                )
                .to_string(),
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
