//! Readable labels (Danish by default, English on request) for the codes in the tables.

use crate::registers::codes::region_name;

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

/// The name of a dimension.
pub fn dimension(code: &str, lang: Lang) -> &'static str {
    match (code, lang) {
        ("education", Lang::Da) => "Uddannelse",
        ("education", Lang::En) => "Education",
        ("income_quintile", Lang::Da) => "Indkomstkvintil",
        ("income_quintile", Lang::En) => "Income quintile",
        ("origin", Lang::Da) => "Herkomst",
        ("origin", Lang::En) => "Origin",
        ("region", _) => "Region",
        ("sex", Lang::Da) => "Køn",
        ("sex", Lang::En) => "Sex",
        _ => "",
    }
}

/// The name of a group (level) of a dimension.
pub fn group(dimension: &str, code: &str, lang: Lang) -> String {
    let pair = match (dimension, code) {
        (_, "i alt") => ("I alt", "Total"),
        (_, "uoplyst") => ("Uoplyst", "Unknown"),
        ("education", "kort") => ("Kort (grundskole)", "Short (primary)"),
        ("education", "mellem") => (
            "Mellem (gymnasial, erhvervsfaglig)",
            "Medium (upper secondary, vocational)",
        ),
        ("education", "lang") => ("Lang (videregående)", "Long (tertiary)"),
        ("origin", "dansk") => ("Dansk oprindelse", "Danish origin"),
        ("origin", "indvandrer") => ("Indvandrere", "Immigrants"),
        ("origin", "efterkommer") => ("Efterkommere", "Descendants"),
        ("sex", "1") => ("Mænd", "Men"),
        ("sex", "2") => ("Kvinder", "Women"),
        ("income_quintile", q) => {
            return match lang {
                Lang::Da => format!("{q}. kvintil"),
                Lang::En => format!("Quintile {q}"),
            };
        }
        ("region", r) => {
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
pub fn measure(code: &str, lang: Lang) -> &'static str {
    match (code, lang) {
        ("proportion", Lang::Da) => "Andel (%)",
        ("proportion", Lang::En) => "Proportion (%)",
        ("proportion_age_std", Lang::Da) => "Aldersstandardiseret andel (%)",
        ("proportion_age_std", Lang::En) => "Age-standardised proportion (%)",
        ("difference", Lang::Da) => "Forskel (procentpoint)",
        ("difference", Lang::En) => "Difference (percentage points)",
        ("ratio", _) => "Ratio",
        _ => "",
    }
}
