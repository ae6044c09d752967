//! A spec's definitions in words (design, population, patient group, outcomes, stratifiers,
//! sub-analyses), for the methods appendix of the reports and for the analysis plan.

use super::format::escape;
use super::labels::{Lang, dimension};
use crate::dates;
use crate::spec::{
    Criterion, Design, DiagnosisType, LoadedSpec, Match, OutcomeKind, Priority, Setting,
};

/// The design: "Bosatte på indeksdatoen 2024-01-01" / "Første hændelse i perioden …".
pub fn design(loaded: &LoadedSpec, lang: Lang) -> String {
    match loaded.design {
        Design::IndexDate(d) => format!(
            "{} {}",
            lang.pick(
                "Prævalent opgørelse: bosatte patienter på indeksdatoen",
                "Prevalent design: resident patients on the index date"
            ),
            dates::format_iso(d)
        ),
        Design::Period(a, b) => format!(
            "{} {}–{}{}",
            lang.pick(
                "Incident opgørelse: hver patients første kvalificerende hændelse i perioden",
                "Incident design: each patient's first qualifying event in the period"
            ),
            dates::format_iso(a),
            dates::format_iso(b),
            if loaded.spec.population.by_index_year {
                lang.pick(
                    "; resultater for hvert indeksår med patienterne fra befolkningsregisteret for det år",
                    "; results for each index year, with the patients from that year's population register"
                )
            } else {
                ""
            }
        ),
    }
}

/// The population's age limits.
pub fn population(loaded: &LoadedSpec, lang: Lang) -> String {
    let p = &loaded.spec.population;
    let youngest = p.age_min.unwrap_or(0);
    match p.age_max {
        Some(oldest) => format!(
            "{} {youngest}–{oldest} {}",
            lang.pick("Alder", "Aged"),
            lang.pick("år ved indeks", "years at the index")
        ),
        None => format!(
            "{} {youngest} {}",
            lang.pick("Alder mindst", "Aged at least"),
            lang.pick("år ved indeks", "years at the index")
        ),
    }
}

/// "ved akut indlæggelse": the stays a criterion or outcome keeps (`None` when it names no
/// priority or setting). An admission is a stay of 12 hours or more (`cohort::stays`).
/// The unit types and specialties (as the SOR table names them) a criterion or contact outcome
/// asks for, in words: "på enhedstypen ambulatorium inden for specialet børne- og
/// ungdomspsykiatri".
fn unit_words(units: &[String], specialty: &[String], lang: Lang) -> Option<String> {
    let or = |names: &[String]| names.join(lang.pick(" eller ", " or "));
    let mut words = Vec::new();
    if !units.is_empty() {
        words.push(format!(
            "{} {}",
            lang.pick("på enhedstypen", "at units of type"),
            or(units)
        ));
    }
    if !specialty.is_empty() {
        words.push(format!(
            "{} {}",
            lang.pick("inden for specialet", "in the specialty"),
            or(specialty)
        ));
    }
    (!words.is_empty()).then(|| words.join(" "))
}

fn stay(priority: Option<Priority>, setting: Option<Setting>, lang: Lang) -> Option<String> {
    let words = match (priority, setting) {
        (None, None) => return None,
        (Some(Priority::Acute), Some(Setting::Inpatient)) => {
            lang.pick("ved akut indlæggelse", "at an acute admission")
        }
        (Some(Priority::Planned), Some(Setting::Inpatient)) => {
            lang.pick("ved planlagt indlæggelse", "at a planned admission")
        }
        (Some(Priority::Acute), Some(Setting::Outpatient)) => {
            lang.pick("ved akut ambulant besøg", "at an acute outpatient visit")
        }
        (Some(Priority::Planned), Some(Setting::Outpatient)) => lang.pick(
            "ved planlagt ambulant besøg",
            "at a planned outpatient visit",
        ),
        (Some(Priority::Acute), None) => {
            lang.pick("ved akut sygehusophold", "at an acute hospital stay")
        }
        (Some(Priority::Planned), None) => {
            lang.pick("ved planlagt sygehusophold", "at a planned hospital stay")
        }
        (None, Some(Setting::Inpatient)) => lang.pick("ved indlæggelse", "at an admission"),
        (None, Some(Setting::Outpatient)) => {
            lang.pick("ved ambulant besøg", "at an outpatient visit")
        }
    };
    Some(words.to_string())
}

fn criterion(c: &Criterion, lang: Lang) -> String {
    let mut parts = Vec::new();
    if !c.diagnoses.is_empty() {
        parts.push(format!(
            "ICD-10 {} ({})",
            c.diagnoses.join(", "),
            match c.diagnosis_type {
                DiagnosisType::Action => lang.pick("aktionsdiagnose", "action diagnosis"),
                DiagnosisType::Any => lang.pick("aktions- eller bidiagnose", "any diagnosis"),
            }
        ));
    }
    if !c.procedures.is_empty() {
        parts.push(format!(
            "{} {}",
            lang.pick("procedure (SKS)", "procedure (SKS)"),
            c.procedures.join(", ")
        ));
    }
    if !c.atc.is_empty() {
        parts.push(format!(
            "{} ATC {}",
            lang.pick("indløst recept", "redeemed prescription"),
            c.atc.join(", ")
        ));
    }
    parts.extend(unit_words(&c.units, &c.specialty, lang));
    parts.extend(stay(c.priority, c.setting, lang));
    if c.events_needed() > 1 {
        parts.push(format!(
            "{} {} {} {} {}",
            lang.pick("mindst", "at least"),
            c.events_needed(),
            lang.pick(
                "gange på forskellige dage inden for",
                "times on different days within"
            ),
            c.within_days.unwrap_or(0),
            lang.pick("dage", "days")
        ));
    }
    if let Some(days) = c.lookback_days {
        parts.push(format!(
            "{} {days} {}",
            lang.pick("i de", "in the"),
            lang.pick("dage før indeks", "days before the index")
        ));
    }
    parts.join(" ")
}

/// The patient group's criteria.
pub fn patient_group(loaded: &LoadedSpec, lang: Lang) -> String {
    let group = &loaded.spec.patient_group;
    let joiner = match group.combine {
        Match::Any => lang.pick(" eller ", " or "),
        Match::All => lang.pick(" og ", " and "),
    };
    let mut text = group
        .include
        .iter()
        .map(|c| criterion(c, lang))
        .collect::<Vec<_>>()
        .join(joiner);
    for c in &group.exclude {
        text.push_str(&format!(
            "; {} {}",
            lang.pick("undtagen", "except"),
            criterion(c, lang)
        ));
    }
    if let Some(n) = group.min_conditions {
        text.push_str(&format!(
            "; {} {n} {}",
            lang.pick("mindst", "at least"),
            lang.pick("kroniske sygdomme", "chronic conditions")
        ));
    }
    text
}

/// Each outcome's definition: name, what counts, the window and the at-risk rule.
pub fn outcomes(loaded: &LoadedSpec, lang: Lang) -> Vec<String> {
    loaded
        .spec
        .outcomes
        .iter()
        .map(|o| {
            let what = match o.kind {
                OutcomeKind::Prescription => {
                    format!(
                        "{} ATC {}",
                        lang.pick("indløst recept", "redeemed prescription"),
                        o.codes.join(", ")
                    )
                }
                OutcomeKind::Procedure => {
                    format!(
                        "{} {}",
                        lang.pick("procedure (SKS)", "procedure (SKS)"),
                        o.codes.join(", ")
                    )
                }
                OutcomeKind::Contact => {
                    // No unit types or specialties: a contact at any unit.
                    let mut t = lang
                        .pick("hospitalskontakt", "hospital contact")
                        .to_string();
                    if let Some(units) = unit_words(&o.units, &o.specialty, lang) {
                        t.push(' ');
                        t.push_str(&units);
                    }
                    if !o.codes.is_empty() {
                        t.push_str(&format!(
                            " {} {}",
                            lang.pick("med aktionsdiagnose", "with action diagnosis"),
                            o.codes.join(", ")
                        ));
                    }
                    if let Some(stay) = stay(o.priority, o.setting, lang) {
                        t.push(' ');
                        t.push_str(&stay);
                    }
                    t
                }
                OutcomeKind::Death => lang
                    .pick("død af alle årsager", "death of any cause")
                    .into(),
                OutcomeKind::Readmission => lang
                    .pick(
                        "akut indlæggelse efter udskrivelsen fra indeksopholdet",
                        "an acute admission after discharge from the index stay",
                    )
                    .into(),
                OutcomeKind::LengthOfStay => lang
                    .pick(
                        "udskrivelse fra indeksopholdet, med liggetiden i dage fra ankomsten til udskrivelsen",
                        "discharge from the index stay, with the length of stay in days from the arrival to the discharge",
                    )
                    .into(),
            };
            let mut text = match o.window_hours {
                Some([from, to]) => format!(
                    "{}: {what}, {from}–{to} {}",
                    lang.pick(&o.name_da, &o.name_en),
                    lang.pick(
                        "timer efter ankomsten til sygehuset",
                        "hours after the arrival at hospital"
                    )
                ),
                None => format!(
                    "{}: {what}, {} {}–{} {}",
                    lang.pick(&o.name_da, &o.name_en),
                    lang.pick("dag", "days"),
                    o.window_days[0],
                    o.window_days[1],
                    if o.kind == OutcomeKind::Readmission {
                        lang.pick("efter udskrivelsen", "after discharge")
                    } else {
                        lang.pick("efter indeks", "after the index")
                    }
                ),
            };
            if let Some(days) = o.alive_days {
                text.push_str(&format!(
                    "; {} {days} {}",
                    lang.pick(
                        "blandt patienter i live og i Danmark",
                        "among patients alive and in Denmark"
                    ),
                    lang.pick("dage efter indeks", "days after the index")
                ));
            }
            if o.waiting_time {
                text.push_str(&format!(
                    "; {}",
                    lang.pick("med ventetid i dage", "with the waiting time in days")
                ));
            }
            if o.count {
                text.push_str(&format!(
                    "; {}",
                    lang.pick(
                        "med antal hændelser pr. patient i udfaldets tidsvindue",
                        "with the number of events per patient in the window"
                    )
                ));
            }
            if !o.favourable {
                text.push_str(&format!(
                    "; {}",
                    lang.pick(
                        "et ugunstigt udfald (lavere er bedre)",
                        "an adverse outcome (lower is better)"
                    )
                ));
            }
            text
        })
        .collect()
}

/// The stratifiers by name.
pub fn stratifiers(loaded: &LoadedSpec, lang: Lang) -> String {
    loaded
        .spec
        .stratifiers
        .iter()
        .map(|s| {
            let code = s.code();
            let name = dimension(&code, lang);
            match loaded.spec.merge_levels.get(&code) {
                Some(merges) if !merges.is_empty() => {
                    format!("{name} ({})", merged(&code, merges, lang))
                }
                _ => name,
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// "indvandrere og efterkommere vises samlet som ikke-dansk oprindelse" for a stratifier's
/// merged levels.
fn merged(
    code: &str,
    merges: &std::collections::BTreeMap<String, Vec<String>>,
    lang: Lang,
) -> String {
    merges
        .iter()
        .map(|(level, members)| {
            let members: Vec<String> = members
                .iter()
                .map(|m| lower_first(&super::labels::group(code, m, lang)))
                .collect();
            let (last, rest) = members
                .split_last()
                .map_or(("", &[][..]), |(l, r)| (l.as_str(), r));
            let members = if rest.is_empty() {
                last.to_string()
            } else {
                format!("{} {} {last}", rest.join(", "), lang.pick("og", "and"))
            };
            format!(
                "{members} {} {}",
                lang.pick("vises samlet som", "are shown together as"),
                lower_first(&super::labels::group(code, level, lang))
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// A label inside a sentence: its first letter in lower case ("Non-Danish origin" ->
/// "non-Danish origin"), unless it begins with a person's name ("Theils indeks").
pub(super) fn lower_first(label: &str) -> String {
    if label.starts_with("Theil") {
        return label.to_string();
    }
    let mut chars = label.chars();
    chars
        .next()
        .map(|c| c.to_lowercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The sub-analyses by name.
pub fn sub_analyses(loaded: &LoadedSpec, lang: Lang) -> String {
    loaded
        .spec
        .sub_analyses
        .iter()
        .map(|s| lang.pick(&s.name_da, &s.name_en).to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The definition items every document gives of a spec: design, population, patient group and
/// each outcome, as (term, text).
pub fn core_items(loaded: &LoadedSpec, lang: Lang) -> Vec<(&'static str, String)> {
    let mut items = vec![
        (lang.pick("Design", "Design"), design(loaded, lang)),
        (
            lang.pick("Population", "Population"),
            population(loaded, lang),
        ),
        (
            lang.pick("Patientgruppe", "Patient group"),
            patient_group(loaded, lang),
        ),
    ];
    for o in outcomes(loaded, lang) {
        items.push((lang.pick("Udfald", "Outcome"), o));
    }
    items
}

/// Items as an HTML definition list.
pub fn html_list(items: &[(&str, String)]) -> String {
    let mut html = String::from("<dl class=\"definitions\">\n");
    for (term, text) in items {
        html.push_str(&format!(
            "<dt>{}</dt><dd>{}</dd>\n",
            escape(term),
            escape(text)
        ));
    }
    html.push_str("</dl>\n");
    html
}
