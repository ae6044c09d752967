//! The generated text read back against the tidy tables of the shared `run --all` on
//! data-samples/: every released difference whose 95% interval excludes 0 has a sentence stating
//! it, no sentence calls another difference significant, no sentence gives a number for a hidden
//! group, waiting times name the released groups with the shortest and longest mean, and the
//! summary leaves age and sex to the chapters. The numbers are formatted here, in Danish, from
//! the CSV: the test does not call the code that wrote the text.

use crate::html;
use crate::pipelines::{all_outputs, shipped};
use crate::table::Table;

/// A number as Danish text writes it: decimal comma, a point between thousands, a real minus.
fn danish(value: f64, decimals: usize) -> String {
    let text = format!("{:.decimals$}", value.abs());
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let mut out = String::new();
    if value < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') {
        out.push('−');
    }
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push('.');
        }
        out.push(digit);
    }
    if !fraction.is_empty() {
        out.push(',');
        out.push_str(fraction);
    }
    out
}

/// The text of the key-result paragraphs of one analysis's chapter.
fn chapter_text(page: &str, id: &str) -> String {
    let open = format!("id=\"kapitel-{id}\"");
    let chapter = page
        .split_once(&open)
        .map(|(_, rest)| rest.split("</section>").next().unwrap_or(""))
        .unwrap_or_else(|| panic!("no chapter for {id}"));
    html::between(chapter, "<div class=\"key-results\">", "</div>")
        .iter()
        .map(|div| html::text(div))
        .collect::<Vec<_>>()
        .join("\n")
        .replace('\u{a0}', " ")
}

/// The rows of one analysis's tidy table in the year its chapter describes (the last).
fn last_year_rows(id: &str) -> (Table, Vec<usize>) {
    let path = all_outputs()
        .join(id)
        .join("tables")
        .join(format!("{id}.csv"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let table = Table::from_text(&text);
    let last = (0..table.len())
        .map(|r| table.str(r, "year").to_string())
        .max()
        .expect("rows");
    let rows = table.where_eq("year", &last);
    (table, rows)
}

/// How a released difference's significant sentence states it: size, interval in the
/// sentence's direction, direction.
fn significant_phrase(value: f64, lower: f64, upper: f64) -> String {
    let (low, high, direction) = if value < 0.0 {
        (-upper, -lower, "lavere")
    } else {
        (lower, upper, "højere")
    };
    format!(
        "{} procentpoint (95 % CI {}–{}) {direction}",
        danish(value.abs(), 1),
        danish(low, 1),
        danish(high, 1)
    )
}

#[test]
fn every_significant_difference_has_a_sentence_and_no_other_is_called_significant() {
    let page = std::fs::read_to_string(all_outputs().join("aarsanalyse").join("report.html"))
        .expect("report.html");
    let mut named = 0;
    for id in shipped() {
        let text = chapter_text(&page, &id);
        let (table, rows) = last_year_rows(&id);
        let mut significant = 0;
        for &r in &rows {
            if table.str(r, "measure") != "difference" {
                continue;
            }
            let (Some(value), Some(lower), Some(upper)) = (
                table.opt(r, "value"),
                table.opt(r, "lower"),
                table.opt(r, "upper"),
            ) else {
                continue;
            };
            let phrase = significant_phrase(value, lower, upper);
            let context = format!(
                "{id} {} {} {} {}: {phrase}",
                table.str(r, "outcome"),
                table.str(r, "subanalysis"),
                table.str(r, "dimension"),
                table.str(r, "group")
            );
            if lower > 0.0 || upper < 0.0 {
                significant += 1;
                assert!(text.contains(&phrase), "no sentence for {context}\n{text}");
            } else {
                assert!(
                    !text.contains(&phrase),
                    "a non-significant difference called significant: {context}"
                );
            }
        }
        // Every significant sentence is one of those rows: none states a hidden group's number.
        let stated = text.matches(") lavere for ").count() + text.matches(") højere for ").count();
        assert_eq!(stated, significant, "{id}: sentences against rows\n{text}");
        named += significant;
        // A sentence that says "ikke statistisk signifikant" never sits beside one that says it is.
        for paragraph in text.lines() {
            assert!(
                !(paragraph.contains("ikke statistisk signifikant")
                    && paragraph.contains("Forskellen er statistisk signifikant")),
                "{paragraph}"
            );
        }
    }
    assert!(
        named > 20,
        "data-samples/ has many significant differences ({named})"
    );
}

#[test]
fn waiting_times_name_the_shortest_and_longest_released_mean() {
    let page = std::fs::read_to_string(all_outputs().join("aarsanalyse").join("report.html"))
        .expect("report.html");
    let id = "youth_depression_anxiety_wait";
    let text = chapter_text(&page, id);
    let (table, rows) = last_year_rows(id);
    let mut checked = 0;
    let dimensions = [
        "region",
        "parental_education",
        "parental_income",
        "sex",
        "origin",
    ];
    for dimension in dimensions {
        let means: Vec<(f64, f64, f64)> = rows
            .iter()
            .filter(|&&r| {
                table.str(r, "measure") == "waiting_days_mean"
                    && table.str(r, "dimension") == dimension
                    && table.str(r, "subanalysis").is_empty()
                    && !["i alt", "uoplyst"].contains(&table.str(r, "group"))
            })
            .filter_map(|&r| {
                Some((
                    table.opt(r, "value")?,
                    table.opt(r, "lower")?,
                    table.opt(r, "upper")?,
                ))
            })
            .collect();
        let Some(shortest) = means.iter().min_by(|a, b| a.0.total_cmp(&b.0)) else {
            continue;
        };
        let longest = means
            .iter()
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .expect("one");
        let days = |(v, l, u): (f64, f64, f64)| {
            format!(
                "{} dage (95 % CI {}–{})",
                danish(v, 1),
                danish(l, 1),
                danish(u, 1)
            )
        };
        let sentence = format!(": {}, og længst", days(*shortest));
        assert!(text.contains(&sentence), "{dimension}: {sentence}\n{text}");
        assert!(
            text.contains(&format!(": {}.", days(*longest))),
            "{dimension}: longest {}",
            days(*longest)
        );
        checked += 1;
    }
    assert_eq!(
        checked,
        dimensions.len(),
        "every stratifier of the youth analysis has waiting times"
    );
    assert!(text.contains("Ventetid blandt de"), "{text}");
}

#[test]
fn the_summary_ranks_social_and_geographic_differences_and_leaves_the_rest_out() {
    let page = std::fs::read_to_string(all_outputs().join("aarsanalyse").join("report.html"))
        .expect("report.html");
    let summary = page
        .split_once("data-section=\"summary\"")
        .and_then(|(_, rest)| rest.split_once("</section>"))
        .map(|(summary, _)| html::text(summary).replace('\u{a0}', " "))
        .expect("a summary");
    // Age groups, sexes and numbers of conditions are named in no summary sentence.
    for age_or_sex in [
        " år end for ",
        "for kvinder end",
        "for mænd end",
        "kroniske sygdomme end",
    ] {
        assert!(!summary.contains(age_or_sex), "{age_or_sex}\n{summary}");
    }
    // The diabetes line names education before income and region, as ranked.
    let line = summary
        .lines()
        .find(|l| l.contains("SGLT2"))
        .expect("the diabetes line");
    let at = |phrase: &str| {
        line.find(phrase)
            .unwrap_or_else(|| panic!("{phrase}: {line}"))
    };
    assert!(
        at("for kort (grundskole)") < at("indkomstkvintil end"),
        "{line}"
    );
    assert!(at("indkomstkvintil end") < at("for Region "), "{line}");
}

#[test]
fn danish_numbers_in_the_test_are_written_as_the_report_writes_them() {
    assert_eq!(danish(27102.0, 0), "27.102");
    assert_eq!(danish(-14.72, 1), "−14,7");
    assert_eq!(
        significant_phrase(-10.46, -18.05, -2.87),
        "10,5 procentpoint (95 % CI 2,9–18,1) lavere"
    );
}
