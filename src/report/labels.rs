//! Readable labels (Danish by default, English on request) for the codes in the tables.

use crate::registers::codes::region_name;
use crate::spec::Measure;

/// The language of text a user reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
pub enum Lang {
    Da,
    En,
}

impl Lang {
    pub fn pick<'a>(self, da: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Da => da,
            Lang::En => en,
        }
    }
}

/// The name of a dimension (extra register columns by their code).
pub fn dimension(code: &str, lang: Lang) -> String {
    let name = match (code, lang) {
        ("education", Lang::Da) => "Uddannelse",
        ("education", Lang::En) => "Education",
        ("income_quintile", Lang::Da) => "Indkomstkvintil",
        ("income_quintile", Lang::En) => "Income quintile",
        ("parental_education", Lang::Da) => "Forældres uddannelse",
        ("parental_education", Lang::En) => "Parents' education",
        ("parental_income", Lang::Da) => "Forældres indkomstkvintil",
        ("parental_income", Lang::En) => "Parents' income quintile",
        ("cohabitation", Lang::Da) => "Samliv",
        ("cohabitation", Lang::En) => "Cohabitation",
        ("labour_market", Lang::Da) => "Arbejdsmarked",
        ("labour_market", Lang::En) => "Labour market",
        ("origin", Lang::Da) => "Herkomst",
        ("origin", Lang::En) => "Origin",
        ("region", _) => "Region",
        ("sex", Lang::Da) => "Køn",
        ("sex", Lang::En) => "Sex",
        ("civil_status", Lang::Da) => "Civilstand",
        ("civil_status", Lang::En) => "Civil status",
        ("municipality", Lang::Da) => "Kommune",
        ("municipality", Lang::En) => "Municipality",
        ("hospital", Lang::Da) => "Sygehus",
        ("hospital", Lang::En) => "Hospital",
        ("hospital_region", Lang::Da) => "Sygehusets region",
        ("hospital_region", Lang::En) => "Region of the hospital",
        ("origin_western", Lang::Da) => "Herkomst (vestlig/ikke-vestlig)",
        ("origin_western", Lang::En) => "Origin (western/non-western)",
        ("age_group", Lang::Da) => "Aldersgruppe",
        ("age_group", Lang::En) => "Age group",
        ("multimorbidity", Lang::Da) => "Antal kroniske sygdomme",
        ("multimorbidity", Lang::En) => "Number of chronic conditions",
        ("charlson", Lang::Da) => "Charlson-komorbiditetsindeks",
        ("charlson", Lang::En) => "Charlson comorbidity index",
        _ => return code.to_string(),
    };
    name.to_string()
}

/// A dimension's name inside a sentence or caption ("efter uddannelse"): in lower case, but a
/// name that begins with a person's name keeps it ("efter Charlson-komorbiditetsindeks").
pub fn dimension_in_text(code: &str, lang: Lang) -> String {
    in_text(&dimension(code, lang))
}

/// A dimension's or panel's name inside a sentence, as [`dimension_in_text`] writes it.
pub fn in_text(name: &str) -> String {
    if name.starts_with("Charlson") {
        name.to_string()
    } else {
        name.to_lowercase()
    }
}

/// The name of a group (level) of a dimension.
pub fn group(dimension: &str, code: &str, lang: Lang) -> String {
    let pair = match (dimension, code) {
        (_, "i alt") => ("I alt", "Total"),
        (_, "uoplyst") => ("Uoplyst", "Unknown"),
        ("education" | "parental_education", "kort") => ("Kort (grundskole)", "Short (primary)"),
        ("education" | "parental_education", "mellem") => (
            "Mellem (gymnasial, erhvervsfaglig)",
            "Medium (upper secondary, vocational)",
        ),
        ("education" | "parental_education", "lang") => ("Lang (videregående)", "Long (tertiary)"),
        ("origin", "dansk") => ("Dansk oprindelse", "Danish origin"),
        ("origin", "indvandrer") => ("Indvandrere", "Immigrants"),
        ("origin", "efterkommer") => ("Efterkommere", "Descendants"),
        // The merged levels the docs suggest for `[merge_levels]`.
        ("origin", "ikke-dansk") => ("Ikke-dansk oprindelse", "Non-Danish origin"),
        ("cohabitation", "par") => ("I par", "In a couple"),
        ("cohabitation", "enlig") => ("Enlig", "Single"),
        ("labour_market", "beskæftiget") => ("Beskæftiget", "Employed"),
        ("labour_market", "arbejdsløs") => ("Arbejdsløs", "Unemployed"),
        ("labour_market", "midlertidigt uden for") => (
            "Midlertidigt uden for arbejdsmarkedet",
            "Temporarily out of work",
        ),
        ("labour_market", "under uddannelse") => ("Under uddannelse", "In education"),
        ("labour_market", "førtidspension") => ("Førtidspension", "Disability pension"),
        ("labour_market", "pension") => (
            "Folkepension eller efterløn",
            "Old-age pension or early retirement",
        ),
        ("labour_market", "øvrige") => (
            "Øvrige uden for arbejdsstyrken",
            "Others outside the labour force",
        ),
        (_, "øvrige") => ("Øvrige", "Others"),
        ("origin_western", "dansk") => ("Dansk oprindelse", "Danish origin"),
        ("origin_western", "vestlig") => (
            "Indvandrere og efterkommere fra vestlige lande",
            "Immigrants and descendants from western countries",
        ),
        ("origin_western", "ikke-vestlig") => (
            "Indvandrere og efterkommere fra ikke-vestlige lande",
            "Immigrants and descendants from non-western countries",
        ),
        ("sex", "1") => ("Mænd", "Men"),
        ("sex", "2") => ("Kvinder", "Women"),
        ("charlson", level) => {
            let level = level.replace('-', "–");
            return match lang {
                Lang::Da => format!("Indeks {level}"),
                Lang::En => format!("Index {level}"),
            };
        }
        ("income_quintile" | "parental_income", q) => {
            return match lang {
                Lang::Da => format!("{q}. kvintil"),
                Lang::En => format!("Quintile {q}"),
            };
        }
        ("municipality", m) => {
            return m
                .parse::<u16>()
                .ok()
                .and_then(|code| {
                    crate::registers::codes::municipalities()
                        .iter()
                        .find(|k| k.code == code)
                        .map(|k| k.name.clone())
                })
                .unwrap_or_else(|| m.to_string());
        }
        ("region" | "hospital_region", r) => {
            return r
                .parse()
                .ok()
                .and_then(region_name)
                .unwrap_or(r)
                .to_string();
        }
        _ => return code.to_string(),
    };
    lang.pick(pair.0, pair.1).to_string()
}

/// The name of a measure.
pub fn measure(measure: Measure, lang: Lang) -> &'static str {
    match (measure, lang) {
        (Measure::Proportion, Lang::Da) => "Andel (%)",
        (Measure::Proportion, Lang::En) => "Proportion (%)",
        (Measure::ProportionAgeSexStd, Lang::Da) => "Alders- og kønsstandardiseret andel (%)",
        (Measure::ProportionAgeSexStd, Lang::En) => "Age- and sex-standardised proportion (%)",
        (Measure::WaitingDaysMean, Lang::Da) => "Ventetid, gennemsnit (dage)",
        (Measure::WaitingDaysMean, Lang::En) => "Waiting time, mean (days)",
        (Measure::WaitingDaysMedian, Lang::Da) => "Ventetid, median (dage)",
        (Measure::WaitingDaysMedian, Lang::En) => "Waiting time, median (days)",
        (Measure::EventsMean, Lang::Da) => "Antal hændelser pr. patient, gennemsnit",
        (Measure::EventsMean, Lang::En) => "Events per patient, mean",
        (Measure::EventsMedian, Lang::Da) => "Antal hændelser pr. patient, median",
        (Measure::EventsMedian, Lang::En) => "Events per patient, median",
        (Measure::StayDaysMean, Lang::Da) => "Liggetid, gennemsnit (dage)",
        (Measure::StayDaysMean, Lang::En) => "Length of stay, mean (days)",
        (Measure::StayDaysMedian, Lang::Da) => "Liggetid, median (dage)",
        (Measure::StayDaysMedian, Lang::En) => "Length of stay, median (days)",
        (Measure::Funnel998, Lang::Da) => "Tragtgrænser 99,8\u{a0}% (%)",
        (Measure::Funnel998, Lang::En) => "Funnel limits 99.8% (%)",
        (Measure::Difference, Lang::Da) => "Forskel (procentpoint)",
        (Measure::Difference, Lang::En) => "Difference (percentage points)",
        (Measure::Ratio, _) => "Ratio",
        (Measure::OddsRatio, Lang::Da) => "Oddsratio",
        (Measure::OddsRatio, Lang::En) => "Odds ratio",
        (Measure::AdjustedShare, Lang::Da) => "Justeret andel (%)",
        (Measure::AdjustedShare, Lang::En) => "Adjusted proportion (%)",
        (Measure::AdjustedDifference, Lang::Da) => "Justeret forskel (procentpoint)",
        (Measure::AdjustedDifference, Lang::En) => "Adjusted difference (percentage points)",
        _ => "",
    }
}

/// An adjustment set's name (`[adjustment]`), after "Oddsratio, " in a heading.
pub fn adjustment_set(set: crate::spec::AdjustmentSet, lang: Lang) -> &'static str {
    use crate::spec::AdjustmentSet;
    match set {
        AdjustmentSet::None => lang.pick("ujusteret", "unadjusted"),
        AdjustmentSet::AgeSex => lang.pick("justeret for alder og køn", "adjusted for age and sex"),
        AdjustmentSet::Mutual => lang.pick("gensidigt justeret", "mutually adjusted"),
    }
}

/// A tidy row's status as the table's readers read it.
pub fn status(status: crate::tidy::Status, lang: Lang) -> &'static str {
    use crate::tidy::Status;
    match status {
        Status::Shown => lang.pick("vist", "shown"),
        Status::Suppressed => lang.pick("undertrykt", "suppressed"),
        Status::NotComputed => lang.pick("ikke beregnet", "not computed"),
        Status::NoPatients => lang.pick("ingen patienter", "no patients"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Municipalities are named in tables and figure texts, by either form of their code; a
    /// code outside the list stays as written.
    #[test]
    fn municipalities_are_named() {
        assert_eq!(group("municipality", "101", Lang::Da), "København");
        assert_eq!(group("municipality", "0751", Lang::En), "Aarhus");
        assert_eq!(group("municipality", "999", Lang::Da), "999");
        assert_eq!(group("municipality", "uoplyst", Lang::Da), "Uoplyst");
    }
}
