//! The sentences of a document that state a result, generated from the released numbers so that
//! the text can never disagree with the tables. Descriptive only: the annual analysis makes no
//! recommendations. A statement about a group is made only when the group's number is released.

use super::format::number;
use super::labels::{Lang, dimension, group};
use crate::spec::Measure;
use crate::tidy::Row;
use crate::tidy::TOTAL;

/// "41,2% (95% CI 40,1–42,3)"; intervals that cross zero are written "−1,2 til 3,4".
pub fn estimate(
    value: f64,
    lower: Option<f64>,
    upper: Option<f64>,
    unit: &str,
    lang: Lang,
) -> String {
    let v = number(Some(value), 1, lang);
    match (lower, upper) {
        (Some(l), Some(u)) => {
            let dash = if l < 0.0 || u < 0.0 {
                lang.pick(" til ", " to ")
            } else {
                "–"
            };
            format!(
                "{v}{unit} (95% CI {}{dash}{})",
                number(Some(l), 1, lang),
                number(Some(u), 1, lang)
            )
        }
        _ => format!("{v}{unit}"),
    }
}

/// The total's sentence: "Blandt de 11661 patienter havde 41,2% (…) udfaldet: X."
pub fn total_sentence(rows: &[&Row], outcome_name: &str, lang: Lang) -> Option<String> {
    let total = rows
        .iter()
        .find(|r| r.group == TOTAL && r.measure == Measure::Proportion && r.value.is_some())?;
    let value = total.value?;
    Some(match total.denominator {
        Some(n) => format!(
            "{} {n} {} {} {}: {}.",
            lang.pick("Blandt de", "Of the"),
            lang.pick("patienter havde", "patients,"),
            estimate(value, total.lower, total.upper, "%", lang),
            lang.pick("udfaldet", "had the outcome"),
            lowercase_first(outcome_name)
        ),
        None => format!(
            "{} {}: {}.",
            estimate(value, total.lower, total.upper, "%", lang),
            lang.pick("havde udfaldet", "had the outcome"),
            lowercase_first(outcome_name)
        ),
    })
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

/// The largest released difference from the reference group in one dimension.
pub fn largest_difference<'a>(rows: &[&'a Row], dim: &str) -> Option<&'a Row> {
    rows.iter()
        .copied()
        .filter(|r| r.dimension == dim && r.measure == Measure::Difference && r.is_level())
        .filter(|r| r.value.is_some())
        .max_by(|a, b| by_size(a, b))
}

/// Orders differences by their size (absolute value).
pub fn by_size(a: &Row, b: &Row) -> std::cmp::Ordering {
    let size = |r: &Row| r.value.map(f64::abs).unwrap_or(0.0);
    size(a).total_cmp(&size(b))
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

/// One dimension's sentence: the lowest and highest group, and the largest difference from the
/// reference group with whether its interval excludes zero.
pub fn dimension_sentence(rows: &[&Row], dim: &str, lang: Lang) -> String {
    let shown: Vec<&Row> = rows
        .iter()
        .copied()
        .filter(|r| r.dimension == dim && r.measure == Measure::Proportion && r.is_level())
        .filter(|r| r.value.is_some() && r.group != crate::tidy::UNKNOWN)
        .collect();
    let name = dimension(dim, lang).to_lowercase();
    if shown.len() < 2 {
        return format!(
            "{} {name} {}",
            lang.pick("Efter", "By"),
            lang.pick(
                "kan forskelle ikke vises, fordi for få grupper kan offentliggøres (diskretion).",
                "differences cannot be shown because too few groups can be released (disclosure control)."
            )
        );
    }
    let by_value = |a: &&Row, b: &&Row| a.value.unwrap_or(0.0).total_cmp(&b.value.unwrap_or(0.0));
    let low = shown.iter().copied().min_by(by_value).expect("two or more");
    let high = shown.iter().copied().max_by(by_value).expect("two or more");
    let mut text = format!(
        "{} {name} {} {}: {}, {} {}: {}.",
        lang.pick("Efter", "By"),
        lang.pick("var andelen lavest for", "the proportion was lowest for"),
        group(dim, &low.group, lang).to_lowercase(),
        estimate(low.value.unwrap_or(0.0), low.lower, low.upper, "%", lang),
        lang.pick("og højest for", "and highest for"),
        group(dim, &high.group, lang).to_lowercase(),
        estimate(high.value.unwrap_or(0.0), high.lower, high.upper, "%", lang),
    );
    if let Some(d) = largest_difference(rows, dim)
        && let Some(reference) = reference_of(d)
    {
        text.push_str(&format!(
            " {} {} {} {} {} {}{}",
            lang.pick("Forskellen mellem", "The difference between"),
            group(dim, &d.group, lang).to_lowercase(),
            lang.pick("og", "and"),
            group(dim, reference, lang).to_lowercase(),
            lang.pick("var", "was"),
            estimate(
                d.value.unwrap_or(0.0),
                d.lower,
                d.upper,
                lang.pick(" procentpoint", " percentage points"),
                lang
            ),
            if significant(d) {
                lang.pick(
                    ", og forskellen er statistisk signifikant (intervallet omfatter ikke 0).",
                    ", a statistically significant difference (the interval does not include 0).",
                )
            } else {
                lang.pick(
                    "; forskellen er ikke statistisk signifikant (intervallet omfatter 0).",
                    "; the difference is not statistically significant (the interval includes 0).",
                )
            }
        ));
    }
    text
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

    #[test]
    fn sentences_state_the_released_numbers() {
        let rows = [
            row(
                "education",
                "kort",
                Measure::Proportion,
                35.14,
                (30.0, 40.0),
                "",
            ),
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
                -15.67,
                (-18.0, -13.4),
                "reference: lang",
            ),
        ];
        let refs: Vec<&Row> = rows.iter().collect();
        let text = dimension_sentence(&refs, "education", Lang::Da);
        assert!(
            text.contains("lavest for kort (grundskole): 35,1% (95% CI 30,0–40,0)"),
            "{text}"
        );
        assert!(
            text.contains("højest for lang (videregående): 50,8%"),
            "{text}"
        );
        assert!(text.contains("−15,7") || text.contains("-15,7"), "{text}");
        assert!(text.contains("-18,0 til -13,4"), "{text}");
        assert!(
            text.ends_with(
                "og forskellen er statistisk signifikant (intervallet omfatter ikke 0)."
            ),
            "{text}"
        );
        // The same difference with an interval across 0 is said not to be significant.
        let mut across = rows.clone();
        across[3].upper = Some(2.0);
        let refs: Vec<&Row> = across.iter().collect();
        let text = dimension_sentence(&refs, "education", Lang::En);
        assert!(
            text.ends_with(
                "the difference is not statistically significant (the interval includes 0)."
            ),
            "{text}"
        );
        let total = total_sentence(&refs, "SGLT2-hæmmer", Lang::En).unwrap();
        assert_eq!(
            total,
            "Of the 100 patients, 41.0% (95% CI 39.0–43.0) had the outcome: SGLT2-hæmmer."
        );
    }

    #[test]
    fn too_few_released_groups_give_no_comparison() {
        let mut hidden = row("sex", "1", Measure::Proportion, 10.0, (5.0, 15.0), "");
        hidden.value = None;
        let rows = [
            hidden,
            row("sex", "2", Measure::Proportion, 12.0, (8.0, 16.0), ""),
        ];
        let refs: Vec<&Row> = rows.iter().collect();
        let text = dimension_sentence(&refs, "sex", Lang::Da);
        assert!(text.contains("kan forskelle ikke vises"), "{text}");
        assert!(!text.contains("12,0"), "{text}");
    }
}
