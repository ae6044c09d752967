//! The tidy table's `note` column in the run's language. A row's note is written where the row
//! is computed: the pipeline's own notes in Danish ("undertrykt", "reference: lang"), the
//! measures' reasons in English as WHO HEAT, healthequal and PHEindicatormethods word them (the
//! `measures` command prints them so, beside the peers' output). Before the table is written,
//! each part of a note (parts are joined by "; ") is put into the run's language here; a part no
//! rule knows is kept as written, and the tests check that no shipped analysis leaves one.
//!
//! Codes that identify a rule stay untranslated in both languages (`test_is_ordered`,
//! `HEAT_measures_outlier2NA`), so a reader can look the rule up.

use super::labels::Lang;
use crate::measures::applicability::SuppressionTest;
use crate::tidy::{EMPTY_GROUP, EMPTY_GROUP_EN};

/// Fixed parts: (Danish, English).
const FIXED: &[(&str, &str)] = &[
    (
        "ingen patienter i patientgruppen",
        "no patients in the patient group",
    ),
    (EMPTY_GROUP, EMPTY_GROUP_EN),
    (
        "undertrykt: færre end tærsklen eller beskytter en anden celle",
        "suppressed: fewer than the threshold, or protecting another cell",
    ),
    ("undertrykt", "suppressed"),
    ("ingen med udfaldet", "nobody with the outcome"),
    ("ingen i risiko", "nobody at risk"),
    ("ingen udskrevne", "nobody discharged"),
    (
        "tilbageholdt: tabellen skjuler en gruppe, hvis antal hændelser ellers kunne udledes",
        "withheld: the table hides a group whose number of events could otherwise be derived",
    ),
    (
        "tilbageholdt: hviler på en undertrykt gruppe",
        "withheld: rests on a suppressed group",
    ),
    (
        "tallene er afrundet: vist uden det, der kræver de præcise tal",
        "the counts are rounded: shown without what needs the exact counts",
    ),
    ("ikke signifikant", "Not significant"),
    ("over 95 %-grænsen", "High (0.025)"),
    ("over 99,8 %-grænsen", "High (0.001)"),
    ("under 95 %-grænsen", "Low (0.025)"),
    ("under 99,8 %-grænsen", "Low (0.001)"),
    (
        "ikke relevant for under 10 hændelser (direkte standardisering)",
        "Not applicable for events less than 10 for dsrs",
    ),
    ("standard: patienterne", "standard: the patients"),
    ("referencegruppe", "reference group"),
    (
        "ikke beregnet: ingen referencegruppe med en oddsratio",
        "not computed: no reference group with an odds ratio",
    ),
    (
        "ikke beregnet: ingen eller alle i gruppen har udfaldet",
        "not computed: nobody or everybody in the group had the outcome",
    ),
    (
        "en faktor i modellen mangler",
        "a factor of the model is missing",
    ),
    (
        "intet interval: målet er ikke defineret tæt på estimaterne",
        "no interval: the measure is undefined next to the estimates",
    ),
    (
        "intet interval: spredningen af stikprøveandele overvurderer den sande spredning, og intet interval om den holder sin dækning",
        crate::measures::delta::NO_INTERVAL,
    ),
    (
        "intet interval: referencegruppen er den bedste af de observerede andele, valgt ud fra de samme data, og intet interval om værdien holder sin dækning",
        crate::measures::delta::NO_INTERVAL_BEST,
    ),
    (
        "intet interval: værdien er 0",
        "no interval: the value is 0",
    ),
    (
        "aldersgrupper uden personer i gruppen slået sammen med nabogruppen",
        "age groups without persons in the group merged with their neighbour",
    ),
    (
        "ikke standardiseret: ingen mænd i denne gruppe",
        "not standardised: no men in this group",
    ),
    (
        "ikke standardiseret: ingen kvinder i denne gruppe",
        "not standardised: no women in this group",
    ),
    (
        "intet interval: målet er ikke defineret i nogen af de simulerede datasæt",
        "no interval: the measure is undefined on every simulated data set",
    ),
];

/// What a measure needs, as the measures word it: (Danish, English).
const NEEDS: &[(&str, &str)] = &[
    ("mere end to grupper", "more than two subgroups"),
    ("mindst to grupper", "at least two subgroups"),
    ("mellem 5 og 100 kvantiler", "between 5 and 100 quantiles"),
    (
        "mindst én gruppe med et estimat",
        "at least one subgroup with an estimate",
    ),
    ("mindst 2 værdier", "at least 2 values"),
    (
        "mindst lige så mange kovariatmønstre som koefficienter",
        "at least as many covariate patterns as coefficients",
    ),
];

/// The measures' names where they are words: (Danish, English).
const MEASURES: &[(&str, &str)] = &[
    ("et spredningsmål", "a dispersion measure"),
    ("et koncentrationsindeks", "a concentration index"),
];

/// `note` in `lang`, part by part.
pub fn in_language(note: &str, lang: Lang) -> String {
    if note.is_empty() {
        return String::new();
    }
    note.split("; ")
        .map(|part| part_in(part, lang))
        .collect::<Vec<_>>()
        .join("; ")
}

fn pick<'a>(pair: &(&'a str, &'a str), lang: Lang) -> &'a str {
    lang.pick(pair.0, pair.1)
}

/// The pair `text` is one side of.
fn pair_of<'a>(pairs: &'a [(&'a str, &'a str)], text: &str) -> Option<&'a (&'a str, &'a str)> {
    pairs.iter().find(|(da, en)| text == *da || text == *en)
}

fn part_in(part: &str, lang: Lang) -> String {
    if let Some(pair) = pair_of(FIXED, part) {
        return pick(pair, lang).to_string();
    }
    if let Some(text) = heat_test(part, lang) {
        return text;
    }
    for (da, en) in [
        ("ikke beregnet: ", "not computed: "),
        ("ikke vist (WHO HEAT): ", "suppressed: "),
    ] {
        let rest = part.strip_prefix(da).or_else(|| part.strip_prefix(en));
        if let Some(rest) = rest {
            let prefix = lang.pick(da, en);
            return format!("{prefix}{}", reason(rest, lang));
        }
    }
    reason(part, lang)
}

/// A part naming a HEAT validation test, "[suppressed: ]<description> (test_x)", by the
/// test's code.
fn heat_test(part: &str, lang: Lang) -> Option<String> {
    let open = part.rfind(" (test_")?;
    let code = part[open + 2..].strip_suffix(')')?;
    let test = SuppressionTest::ALL
        .into_iter()
        .find(|t| t.heat_name() == code)?;
    let lead = ["suppressed: ", "ikke beregnet (WHO HEAT): "]
        .iter()
        .any(|p| part.starts_with(p));
    Some(format!(
        "{}{} ({code})",
        if lead {
            lang.pick("ikke beregnet (WHO HEAT): ", "suppressed: ")
        } else {
            ""
        },
        lang.pick(test.description_da(), test.description())
    ))
}

/// The reasons the measures give, by their wording.
fn reason(text: &str, lang: Lang) -> String {
    let measure = |m: &str| {
        pair_of(MEASURES, m)
            .map(|p| pick(p, lang).to_string())
            .unwrap_or_else(|| m.to_string())
    };
    // "{measure} needs {needed}, got {found}" / "{measure} kræver {needed}, fik {found}"
    for (verb, got) in [(" needs ", ", got "), (" kræver ", ", fik ")] {
        if let Some((m, rest)) = text.split_once(verb)
            && let Some((needed, found)) = rest.rsplit_once(got)
        {
            let needed = match needed
                .strip_prefix("at least ")
                .or(needed.strip_prefix("mindst "))
            {
                Some(count) if count.ends_with(" events") || count.ends_with(" hændelser") => {
                    let n = count.split(' ').next().unwrap_or(count);
                    format!(
                        "{} {n} {}",
                        lang.pick("mindst", "at least"),
                        lang.pick("hændelser", "events")
                    )
                }
                _ => pair_of(NEEDS, needed)
                    .map(|p| pick(p, lang).to_string())
                    .unwrap_or_else(|| needed.to_string()),
            };
            return format!(
                "{} {} {needed}, {} {found}",
                measure(m),
                lang.pick("kræver", "needs"),
                lang.pick("fik", "got")
            );
        }
    }
    if let Some(rest) = text
        .strip_prefix("the value is ")
        .or_else(|| text.strip_prefix("værdien er "))
    {
        return format!("{}{rest}", lang.pick("værdien er ", "the value is "));
    }
    if let Some(rest) = text
        .strip_prefix("baseline ")
        .or_else(|| text.strip_prefix("landsgennemsnit "))
    {
        return format!(
            "{} {}",
            lang.pick("landsgennemsnit", "baseline"),
            percent(rest, lang)
        );
    }
    if let Some((standard, met)) = text.split_once(": ")
        && let Some(share) = standard.strip_prefix("standard ")
        && let Some(pair) = pair_of(&[("opfyldt", "met"), ("ikke opfyldt", "not met")], met)
    {
        return format!("standard {}: {}", percent(share, lang), pick(pair, lang));
    }
    if let Some(range) = outside_range(text, lang) {
        return range;
    }
    if let Some((left_out, _)) = text
        .split_once(" simulated data sets left out")
        .or_else(|| text.split_once(" simulerede datasæt udeladt"))
        && let Some((n, m)) = left_out
            .split_once(" of ")
            .or_else(|| left_out.split_once(" af "))
    {
        return format!(
            "{n} {} {m} {}",
            lang.pick("af", "of"),
            lang.pick(
                "simulerede datasæt udeladt: målet er ikke defineret i dem",
                "simulated data sets left out: the measure is undefined on them"
            )
        );
    }
    if let Some(rest) = text
        .strip_prefix("indicator scale not given: ")
        .or_else(|| text.strip_prefix("indikatorskala ikke angivet: "))
        && let Some(scale) = rest
            .strip_suffix(" inferred from the estimates (healthequal's rule)")
            .or_else(|| rest.strip_suffix(" udledt af estimaterne (healthequal's regel)"))
    {
        return format!(
            "{}{scale}{}",
            lang.pick(
                "indikatorskala ikke angivet: ",
                "indicator scale not given: "
            ),
            lang.pick(
                " udledt af estimaterne (healthequal's regel)",
                " inferred from the estimates (healthequal's rule)"
            )
        );
    }
    text.to_string()
}

/// A percentage as written in `lang`: "81,9 %" in Danish, "81.9%" in English.
fn percent(text: &str, lang: Lang) -> String {
    let number = text.trim_end_matches('%').trim_end();
    match lang {
        Lang::Da => format!("{} %", number.replace('.', ",")),
        Lang::En => format!("{}%", number.replace(',', ".")),
    }
}

/// "value 1234 outside HEAT's valid range -99999 to 99999 (HEAT_measures_outlier2NA)" and its
/// Danish.
fn outside_range(text: &str, lang: Lang) -> Option<String> {
    const CODE: &str = " (HEAT_measures_outlier2NA)";
    let text = text.strip_suffix(CODE)?;
    let (value, range) = if let Some(rest) = text.strip_prefix("value ") {
        rest.split_once(" outside HEAT's valid range ")?
    } else {
        text.strip_prefix("værdien ")?
            .split_once(" ligger uden for HEAT's gyldige område ")?
    };
    let (low, high) = range
        .split_once(" to ")
        .or_else(|| range.split_once(" til "))?;
    Some(match lang {
        Lang::Da => {
            format!("værdien {value} ligger uden for HEAT's gyldige område {low} til {high}{CODE}")
        }
        Lang::En => format!("value {value} outside HEAT's valid range {low} to {high}{CODE}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every kind of note the pipelines write reads in either language, and back: the Danish of
    /// an English note is the Danish the pipeline writes.
    #[test]
    fn notes_read_in_either_language() {
        let cases = [
            ("reference: lang; undertrykt", "reference: lang; suppressed"),
            (
                "ikke beregnet (WHO HEAT): opdelingen har præcis to grupper (test_two_subgroups); opdelingen har ingen rækkefølge (test_not_ordered)",
                "suppressed: the dimension has exactly two subgroups (test_two_subgroups); the dimension is not ordered (test_not_ordered)",
            ),
            (
                "ikke beregnet: PAF/PAR kræver mere end to grupper, fik 2",
                "not computed: PAF/PAR needs more than two subgroups, got 2",
            ),
            (
                "ikke beregnet: phe-linear SII kræver mellem 5 og 100 kvantiler, fik 3",
                "not computed: phe-linear SII needs between 5 and 100 quantiles, got 3",
            ),
            (
                "ikke standardiseret: ingen kvinder i denne gruppe",
                "not standardised: no women in this group",
            ),
            (
                "ikke signifikant; landsgennemsnit 74,0 %",
                "Not significant; baseline 74.0%",
            ),
            ("standard 90 %: ikke opfyldt", "standard 90%: not met"),
            (
                "tilbageholdt: hviler på en undertrykt gruppe",
                "withheld: rests on a suppressed group",
            ),
            (
                "intet interval: spredningen af stikprøveandele overvurderer den sande spredning, og intet interval om den holder sin dækning",
                "no interval: a spread of sampled shares overstates the true spread, and no interval around it holds its coverage",
            ),
            (
                "intet interval: målet er ikke defineret tæt på estimaterne",
                "no interval: the measure is undefined next to the estimates",
            ),
            (
                "standard: patienterne; aldersgrupper uden personer i gruppen slået sammen med nabogruppen",
                "standard: the patients; age groups without persons in the group merged with their neighbour",
            ),
            (
                "ikke vist (WHO HEAT): værdien 123456 ligger uden for HEAT's gyldige område -99999 til 99999 (HEAT_measures_outlier2NA)",
                "suppressed: value 123456 outside HEAT's valid range -99999 to 99999 (HEAT_measures_outlier2NA)",
            ),
            ("ingen patienter i gruppen", "no patients in the group"),
            (
                "12 af 2000 simulerede datasæt udeladt: målet er ikke defineret i dem",
                "12 of 2000 simulated data sets left out: the measure is undefined on them",
            ),
        ];
        for (da, en) in cases {
            assert_eq!(in_language(en, Lang::Da), da);
            assert_eq!(in_language(da, Lang::En), en);
            assert_eq!(in_language(da, Lang::Da), da);
            assert_eq!(in_language(en, Lang::En), en);
        }
    }

    /// Every HEAT test has its Danish description, and each reads back by its code.
    #[test]
    fn every_heat_test_reads_in_danish() {
        for test in SuppressionTest::ALL {
            let en = format!("suppressed: {} ({})", test.description(), test.heat_name());
            let da = in_language(&en, Lang::Da);
            assert!(da.starts_with("ikke beregnet (WHO HEAT): "), "{da}");
            assert!(da.contains(test.description_da()), "{da}");
            assert_eq!(in_language(&da, Lang::En), en);
        }
    }
}
