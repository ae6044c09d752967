//! The sentences of a document that state a result, generated from the released numbers so that
//! the text can never disagree with the tables. Descriptive only: the annual analysis makes no
//! recommendations. A statement about a group is made only when the group's number is released.

use super::format::{count, number, range};
use super::labels::{Lang, dimension_in_text, group};
use crate::spec::Measure;
use crate::tidy::Row;
use crate::tidy::TOTAL;

/// "41,2 % (95 % CI 40,1–42,3)"; intervals with a negative limit are written "−1,2 til 3,4".
pub fn estimate(
    value: f64,
    lower: Option<f64>,
    upper: Option<f64>,
    unit: &str,
    lang: Lang,
) -> String {
    let v = number(Some(value), 1, lang);
    match interval(lower, upper, lang) {
        Some(ci) => format!("{v}{unit} ({ci})"),
        None => format!("{v}{unit}"),
    }
}

/// "95% CI 40,1–42,3"; an interval with a negative limit as "95% CI −1,2 til 3,4".
fn interval(lower: Option<f64>, upper: Option<f64>, lang: Lang) -> Option<String> {
    let (l, u) = lower.zip(upper)?;
    Some(format!("95{} CI {}", percent(lang), range(l, u, 1, lang)))
}

/// The total's sentence: "PCI inden for 2 dage: 41,2 % (95 % CI 38,2–44,3) af de 1.026
/// patienter." The outcome's name leads, as a label, so that every name reads right (a verb
/// before it would fit some names and not others).
pub fn total_sentence(rows: &[&Row], outcome_name: &str, lang: Lang) -> Option<String> {
    let total = rows
        .iter()
        .find(|r| r.group == TOTAL && r.measure == Measure::Proportion && r.value.is_some())?;
    let value = total.value?;
    let share = estimate(value, total.lower, total.upper, percent(lang), lang);
    Some(match total.denominator {
        Some(n) => format!(
            "{outcome_name}: {share} {} {} {}.",
            lang.pick("af de", "of the"),
            count(Some(n), lang),
            lang.pick("patienter", "patients"),
        ),
        None => format!("{outcome_name}: {share}."),
    })
}

/// The percent sign as the language writes it after a number: Danish with a (non-breaking)
/// space, "41,2 %" (Retskrivningsordbogen § 50), English without.
pub fn percent(lang: Lang) -> &'static str {
    lang.pick("\u{a0}%", "%")
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        // Keep acronyms such as "SGLT2" as they are.
        Some(c) if chars.clone().next().is_some_and(|d| d.is_lowercase()) => {
            c.to_lowercase().chain(chars).collect()
        }
        _ => text.to_string(),
    }
}

/// Whether a difference's 95% interval excludes zero.
pub fn significant(row: &Row) -> bool {
    matches!((row.lower, row.upper), (Some(l), Some(u)) if l > 0.0 || u < 0.0)
}

/// The reference group a difference row was taken against (its note "reference: lang").
pub fn reference_of(row: &Row) -> Option<&str> {
    row.note
        .strip_prefix("reference: ")
        .and_then(|r| r.split(';').next())
        .map(str::trim)
}

/// Dimensions whose groups are places, named as proper nouns ("Region Syddanmark").
const PLACES: [&str; 4] = ["region", "hospital_region", "hospital", "municipality"];

/// A group's name inside a sentence: common nouns in lower case, places and proper adjectives
/// ("Danish origin") as they are written.
pub fn group_in_text(dim: &str, code: &str, lang: Lang) -> String {
    if code != crate::tidy::UNKNOWN {
        match (dim, lang) {
            ("income_quintile", Lang::Da) => return format!("{code}. indkomstkvintil"),
            ("income_quintile", Lang::En) => return format!("income quintile {code}"),
            ("parental_income", Lang::Da) => {
                return format!("forældres {code}. indkomstkvintil");
            }
            ("parental_income", Lang::En) => return format!("parents' income quintile {code}"),
            ("age_group", Lang::Da) => return format!("{} år", code.replace('-', "–")),
            ("age_group", Lang::En) => return format!("aged {}", code.replace('-', "–")),
            ("charlson", Lang::Da) => {
                return format!("Charlson-indeks {}", code.replace('-', "–"));
            }
            ("charlson", Lang::En) => return format!("Charlson index {}", code.replace('-', "–")),
            ("multimorbidity", Lang::Da) if code == "1" => return "1 kronisk sygdom".into(),
            ("multimorbidity", Lang::En) if code == "1" => return "1 chronic condition".into(),
            ("multimorbidity", Lang::Da) => return format!("{code} kroniske sygdomme"),
            ("multimorbidity", Lang::En) => return format!("{code} chronic conditions"),
            _ => {}
        }
    }
    let name = group(dim, code, lang);
    let proper = PLACES.contains(&dim) || (lang == Lang::En && name.contains("Danish"));
    if proper { name } else { lowercase_first(&name) }
}

/// The order in which a summary takes the dimensions: the social ones first, then the
/// geographic ones, then the rest, with age and sex last (the analyses are about social and
/// geographic inequality; age and sex gradients are expected).
pub fn summary_rank(dim: &str) -> u8 {
    match dim {
        "education" => 0,
        "income_quintile" => 1,
        "parental_education" | "parental_income" => 1,
        "origin" | "origin_western" => 2,
        "civil_status" | "labour_market" | "cohabitation" => 3,
        "region" => 4,
        "municipality" | "hospital_region" | "hospital" => 5,
        "age_group" => 7,
        "sex" => 8,
        _ => 6,
    }
}

/// Whether a dimension is social (education, income, origin, civil status) or geographic: the
/// inequalities the analyses are about, and the summary's subject.
pub fn social_or_geographic(dim: &str) -> bool {
    summary_rank(dim) <= summary_rank("hospital")
}

/// The released differences of one dimension from its reference group, in the table's order.
pub fn contrasts<'a>(rows: &[&'a Row], dim: &str) -> Vec<&'a Row> {
    rows.iter()
        .copied()
        .filter(|r| r.dimension == dim && r.measure == Measure::Difference && r.is_level())
        .filter(|r| r.value.is_some())
        .collect()
}

/// One significant contrast: "Andelen var 10,5 procentpoint lavere for kort (grundskole) end
/// for lang (videregående) (95% CI 2,9–18,1)." The size and its interval are given without
/// sign, the direction in words, so the interval reads in the direction of the sentence.
pub fn contrast_sentence(d: &Row, reference: &str, lang: Lang) -> String {
    let value = d.value.unwrap_or(0.0);
    let (lower, upper) = match (d.lower, d.upper) {
        (Some(l), Some(u)) if value < 0.0 => (Some(-u), Some(-l)),
        other => other,
    };
    let direction = if value < 0.0 {
        lang.pick("lavere", "lower")
    } else {
        lang.pick("højere", "higher")
    };
    let size =
        number(Some(value.abs()), 1, lang) + lang.pick(" procentpoint", " percentage points");
    let size = match interval(lower, upper, lang) {
        Some(ci) => format!("{size} ({ci})"),
        None => size,
    };
    format!(
        "{} {size} {direction} for {} {} {}.",
        lang.pick("Andelen var", "The proportion was"),
        group_in_text(&d.dimension, &d.group, lang),
        lang.pick("end for", "than for"),
        group_in_text(&d.dimension, reference, lang),
    )
}

/// One dimension's paragraph: a sentence for every released difference from the reference
/// group whose 95% interval excludes 0, a plain statement when none does, and the groups whose
/// numbers are not shown. "Uoplyst" is a group like the others: its difference is named when
/// significant. None for a dimension compared without a reference group (hospitals, shown
/// against the national share in the funnel plot).
pub fn dimension_sentence(rows: &[&Row], dim: &str, lang: Lang) -> Option<String> {
    if !rows
        .iter()
        .any(|r| r.dimension == dim && r.measure == Measure::Difference)
    {
        return None;
    }
    let name = dimension_in_text(dim, lang);
    let contrasts = contrasts(rows, dim);
    let reference = contrasts.iter().find_map(|d| reference_of(d));
    let mut text = match reference {
        None => format!(
            "{} {name} {}",
            lang.pick("Efter", "By"),
            lang.pick(
                "kan forskelle ikke vises, fordi for få grupper kan offentliggøres (diskretion).",
                "differences cannot be shown because too few groups can be released (disclosure control)."
            )
        ),
        Some(reference) => {
            let shown: Vec<&Row> = contrasts.iter().copied().filter(|d| significant(d)).collect();
            if let ([only], true) = (contrasts.as_slice(), shown.is_empty()) {
                format!(
                    "{} {name} {} {} {} {} {}: {}.",
                    lang.pick("Efter", "By"),
                    lang.pick("var forskellen mellem", "the difference between"),
                    group_in_text(dim, &only.group, lang),
                    lang.pick("og", "and"),
                    group_in_text(dim, reference, lang),
                    lang.pick(
                        "ikke statistisk signifikant",
                        "was not statistically significant"
                    ),
                    estimate(
                        only.value.unwrap_or(0.0),
                        only.lower,
                        only.upper,
                        lang.pick(" procentpoint", " percentage points"),
                        lang
                    ),
                )
            } else if shown.is_empty() {
                format!(
                    "{} {name} {} {}.",
                    lang.pick("Efter", "By"),
                    lang.pick(
                        "var ingen af forskellene fra referencegruppen statistisk signifikant (alle intervaller omfatter 0). Referencegruppen er",
                        "none of the differences from the reference group was statistically significant (every interval includes 0). The reference group is",
                    ),
                    group_in_text(dim, reference, lang),
                )
            } else {
                let mut text = shown
                    .iter()
                    .map(|d| contrast_sentence(d, reference, lang))
                    .collect::<Vec<_>>()
                    .join(" ");
                text.push(' ');
                text.push_str(if shown.len() == 1 {
                    lang.pick(
                        "Forskellen er statistisk signifikant (intervallet omfatter ikke 0).",
                        "The difference is statistically significant (the interval does not include 0).",
                    )
                } else {
                    lang.pick(
                        "Forskellene er statistisk signifikante (ingen af intervallerne omfatter 0).",
                        "The differences are statistically significant (no interval includes 0).",
                    )
                });
                text
            }
        }
    };
    if let Some(hidden) = not_shown(
        rows,
        dim,
        Measure::Proportion,
        ("Tallene for", "The numbers for", "are"),
        lang,
    ) {
        text.push(' ');
        text.push_str(&hidden);
    }
    Some(text)
}

/// "Tallene for a og b vises ikke (diskretion).": the groups of `dim` whose `measure` is
/// hidden, named after `subject` (Danish, English, and the English verb's number), or None.
fn not_shown(
    rows: &[&Row],
    dim: &str,
    measure: Measure,
    subject: (&str, &str, &str),
    lang: Lang,
) -> Option<String> {
    let hidden: Vec<String> = rows
        .iter()
        .filter(|r| r.dimension == dim && r.measure == measure && r.is_level() && r.suppressed)
        .map(|r| group_in_text(dim, &r.group, lang))
        .collect();
    (!hidden.is_empty()).then(|| match lang {
        Lang::Da => format!(
            "{} {} vises ikke (diskretion).",
            subject.0,
            list(&hidden, lang)
        ),
        Lang::En => format!(
            "{} {} {} not shown (disclosure control).",
            subject.1,
            list(&hidden, lang),
            subject.2
        ),
    })
}

/// The waiting time of an outcome's patients: "Ventetid blandt de 529 patienter: median 26
/// dage, gennemsnit 33,2 dage (95 % CI 31,0–35,3)." None when the rows hold no waiting time.
pub fn waiting_total_sentence(rows: &[&Row], lang: Lang) -> Option<String> {
    let of = |measure: Measure| {
        rows.iter()
            .find(|r| r.group == TOTAL && r.measure == measure && r.value.is_some())
    };
    let mean = of(Measure::WaitingDaysMean)?;
    let days = lang.pick(" dage", " days");
    let mut text = format!(
        "{} {} {}: ",
        lang.pick("Ventetid blandt de", "Waiting time of the"),
        count(mean.denominator, lang),
        lang.pick("patienter", "patients"),
    );
    if let Some(median) = of(Measure::WaitingDaysMedian) {
        text.push_str(&format!(
            "{} {}{days}, ",
            lang.pick("median", "median"),
            number(median.value, 0, lang)
        ));
    }
    text.push_str(&format!(
        "{} {}.",
        lang.pick("gennemsnit", "mean"),
        estimate(
            mean.value.unwrap_or(0.0),
            mean.lower,
            mean.upper,
            days,
            lang
        )
    ));
    Some(text)
}

/// One dimension's waiting times: the released groups with the shortest and the longest mean
/// waiting time ("uoplyst" is not a group a reader can act on, and is left out), and the groups
/// not shown. None when fewer than two groups are released.
pub fn waiting_sentence(rows: &[&Row], dim: &str, lang: Lang) -> Option<String> {
    let means: Vec<&Row> = rows
        .iter()
        .copied()
        .filter(|r| r.dimension == dim && r.measure == Measure::WaitingDaysMean && r.is_level())
        .collect();
    let shown: Vec<&Row> = means
        .iter()
        .copied()
        .filter(|r| r.value.is_some() && r.group != crate::tidy::UNKNOWN)
        .collect();
    let by_mean = |a: &&&Row, b: &&&Row| a.value.unwrap_or(0.0).total_cmp(&b.value.unwrap_or(0.0));
    let shortest = shown.iter().min_by(by_mean)?;
    let longest = shown.iter().max_by(by_mean)?;
    if shown.len() < 2 || shortest.value == longest.value {
        return None;
    }
    let at = if PLACES.contains(&dim) {
        lang.pick("i", "in")
    } else {
        lang.pick("for", "for")
    };
    let days = lang.pick(" dage", " days");
    let mut text = format!(
        "{} {} {} {at} {}: {}, {} {at} {}: {}.",
        lang.pick("Efter", "By"),
        dimension_in_text(dim, lang),
        lang.pick(
            "var den gennemsnitlige ventetid kortest",
            "the mean waiting time was shortest"
        ),
        group_in_text(dim, &shortest.group, lang),
        estimate(
            shortest.value.unwrap_or(0.0),
            shortest.lower,
            shortest.upper,
            days,
            lang
        ),
        lang.pick("og længst", "and longest"),
        group_in_text(dim, &longest.group, lang),
        estimate(
            longest.value.unwrap_or(0.0),
            longest.lower,
            longest.upper,
            days,
            lang
        ),
    );
    if let Some(hidden) = not_shown(
        rows,
        dim,
        Measure::WaitingDaysMean,
        ("Ventetiden for", "The waiting time for", "is"),
        lang,
    ) {
        text.push(' ');
        text.push_str(&hidden);
    }
    Some(text)
}

/// "a, b og c".
fn list(items: &[String], lang: Lang) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} {} {last}", init.join(", "), lang.pick("og", "and")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(
        dim: &str,
        group: &str,
        measure: Measure,
        value: f64,
        ci: (f64, f64),
        note: &str,
    ) -> Row {
        Row {
            analysis: "a".into(),
            outcome: "o".into(),
            subanalysis: String::new(),
            year: 2024,
            measure,
            dimension: dim.into(),
            group: group.into(),
            value: Some(value),
            lower: Some(ci.0),
            upper: Some(ci.1),
            numerator: Some(40),
            denominator: Some(100),
            method: String::new(),
            suppressed: false,
            note: note.into(),
        }
    }

    fn education(kort: (f64, f64, f64), mellem_suppressed: bool) -> Vec<Row> {
        let mut mellem = row(
            "education",
            "mellem",
            Measure::Proportion,
            44.0,
            (40.0, 48.0),
            "",
        );
        if mellem_suppressed {
            mellem.value = None;
            mellem.suppressed = true;
        }
        vec![
            row(
                "education",
                "kort",
                Measure::Proportion,
                35.14,
                (30.0, 40.0),
                "",
            ),
            mellem,
            row(
                "education",
                "lang",
                Measure::Proportion,
                50.81,
                (45.0, 55.5),
                "",
            ),
            row(
                "education",
                TOTAL,
                Measure::Proportion,
                41.0,
                (39.0, 43.0),
                "",
            ),
            row(
                "education",
                "kort",
                Measure::Difference,
                kort.0,
                (kort.1, kort.2),
                "reference: lang",
            ),
        ]
    }

    /// A significant difference is stated with its size, direction and interval, read in the
    /// sentence's direction; a suppressed group is named as not shown, with no number.
    #[test]
    fn a_significant_difference_is_named_with_its_interval() {
        let rows = education((-15.67, -18.04, -13.4), true);
        let refs: Vec<&Row> = rows.iter().collect();
        let text = dimension_sentence(&refs, "education", Lang::Da).expect("a contrast");
        assert_eq!(
            text,
            "Andelen var 15,7 procentpoint (95\u{a0}% CI 13,4–18,0) lavere for kort (grundskole) \
             end for lang (videregående). Forskellen er statistisk signifikant (intervallet omfatter \
             ikke 0). Tallene for mellem (gymnasial, erhvervsfaglig) vises ikke (diskretion)."
        );
        let text = dimension_sentence(&refs, "education", Lang::En).expect("a contrast");
        assert!(
            text.starts_with(
                "The proportion was 15.7 percentage points (95% CI 13.4–18.0) lower for short \
                 (primary) than for long (tertiary). The difference is statistically significant"
            ),
            "{text}"
        );
        assert!(!text.contains("44"), "{text}");
    }

    /// A difference whose interval includes 0 is never called significant, and is given with
    /// its signed interval.
    #[test]
    fn a_difference_across_zero_is_not_significant() {
        let rows = education((-4.2, -9.1, 0.7), false);
        let refs: Vec<&Row> = rows.iter().collect();
        let text = dimension_sentence(&refs, "education", Lang::Da).expect("a contrast");
        assert_eq!(
            text,
            "Efter uddannelse var forskellen mellem kort (grundskole) og lang (videregående) ikke \
             statistisk signifikant: −4,2 procentpoint (95\u{a0}% CI −9,1 til 0,7)."
        );
        let text = dimension_sentence(&refs, "education", Lang::En).expect("a contrast");
        assert!(
            text.contains(
                "was not statistically significant: −4.2 percentage points (95% CI −9.1 to 0.7)"
            ),
            "{text}"
        );
        assert!(!text.contains("is statistically significant"), "{text}");
    }

    #[test]
    fn the_total_leads_with_the_outcome_and_groups_thousands() {
        let mut rows = education((-15.67, -18.0, -13.4), false);
        rows[3].denominator = Some(11661);
        let refs: Vec<&Row> = rows.iter().collect();
        assert_eq!(
            total_sentence(&refs, "SGLT2-hæmmer", Lang::Da).unwrap(),
            "SGLT2-hæmmer: 41,0\u{a0}% (95\u{a0}% CI 39,0–43,0) af de 11.661 patienter."
        );
        assert_eq!(
            total_sentence(&refs, "SGLT2 inhibitor", Lang::En).unwrap(),
            "SGLT2 inhibitor: 41.0% (95% CI 39.0–43.0) of the 11,661 patients."
        );
    }

    #[test]
    fn too_few_released_groups_give_no_comparison() {
        let mut hidden = row("sex", "1", Measure::Proportion, 10.0, (5.0, 15.0), "");
        hidden.value = None;
        hidden.suppressed = true;
        let mut difference = row(
            "sex",
            "1",
            Measure::Difference,
            -2.0,
            (-4.0, 0.0),
            "reference: 2",
        );
        difference.value = None;
        let rows = [
            hidden,
            row("sex", "2", Measure::Proportion, 12.0, (8.0, 16.0), ""),
            difference,
        ];
        let refs: Vec<&Row> = rows.iter().collect();
        let text = dimension_sentence(&refs, "sex", Lang::Da).expect("a dimension with contrasts");
        assert!(text.contains("kan forskelle ikke vises"), "{text}");
        assert!(text.contains("Tallene for mænd vises ikke"), "{text}");
        assert!(!text.contains("12,0"), "{text}");
        // Hospitals have no reference group: no sentence at all.
        let hospital = [row(
            "hospital",
            "6101",
            Measure::Proportion,
            80.0,
            (70.0, 90.0),
            "",
        )];
        let refs: Vec<&Row> = hospital.iter().collect();
        assert_eq!(dimension_sentence(&refs, "hospital", Lang::Da), None);
    }

    #[test]
    fn waiting_times_name_the_shortest_and_longest_released_group() {
        let mut rows = [
            row(
                "region",
                "1084",
                Measure::WaitingDaysMean,
                29.31,
                (25.9, 32.7),
                "",
            ),
            row(
                "region",
                "1083",
                Measure::WaitingDaysMean,
                39.34,
                (34.3, 44.4),
                "",
            ),
            row(
                "region",
                "1081",
                Measure::WaitingDaysMean,
                50.0,
                (40.0, 60.0),
                "",
            ),
            row(
                "region",
                TOTAL,
                Measure::WaitingDaysMean,
                33.16,
                (31.0, 35.3),
                "",
            ),
            row(
                "region",
                TOTAL,
                Measure::WaitingDaysMedian,
                26.0,
                (0.0, 0.0),
                "",
            ),
        ];
        rows[2].value = None;
        rows[2].suppressed = true;
        rows[3].denominator = Some(529);
        let refs: Vec<&Row> = rows.iter().collect();
        assert_eq!(
            waiting_sentence(&refs, "region", Lang::Da).unwrap(),
            "Efter region var den gennemsnitlige ventetid kortest i Region Hovedstaden: 29,3 dage \
             (95\u{a0}% CI 25,9–32,7), og længst i Region Syddanmark: 39,3 dage (95\u{a0}% CI \
             34,3–44,4). Ventetiden for Region Nordjylland vises ikke (diskretion)."
        );
        assert_eq!(
            waiting_total_sentence(&refs, Lang::En).unwrap(),
            "Waiting time of the 529 patients: median 26 days, mean 33.2 days (95% CI 31.0–35.3)."
        );
    }
}
