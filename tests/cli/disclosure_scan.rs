//! No file a run writes reveals a count below the threshold, directly or by subtraction: every
//! shipped pipeline's outputs on data-samples/ (from the shared `run --all`) are scanned — the CSV
//! tables, the HTML report's tables and the SVG figures — and the differences between tables that
//! add up (a sub-analysis within the main analysis; a level within its total) are checked too.

use std::collections::BTreeMap;

use crate::html::numbers;
use crate::pipelines::{all_outputs, shipped};
use crate::table::Table;

/// (outcome, year, dimension, group or sub-analysis) identifying a row or a table.
type Key = (String, String, String, String);

/// A row's numerator and denominator as printed (absent when suppressed).
type Counts = (Option<f64>, Option<f64>);

/// A group with its printed counts.
type GroupCounts = (String, Option<f64>, Option<f64>);

/// The threshold of the shipped specs.
const THRESHOLD: f64 = 5.0;

/// The smallest group in which the zero rule prints a share of 0% or 100% (the default of
/// `[disclosure] zeros_shown_from`, docs/usage.md).
const ZEROS_SHOWN_FROM: f64 = 100.0;

/// A count is safe when it describes nobody in an empty group, is at least the threshold, or is
/// a zero in a group of at least [`ZEROS_SHOWN_FROM`] (a fact about the group, not about
/// identifiable persons).
fn safe(count: f64, of: f64) -> bool {
    of == 0.0 || count >= THRESHOLD || (count == 0.0 && of >= ZEROS_SHOWN_FROM)
}

#[test]
fn no_released_count_is_below_the_threshold_in_any_csv() {
    for id in shipped() {
        let path = all_outputs().join(&id).join(format!("tables/{id}.csv"));
        let t = Table::from_text(&std::fs::read_to_string(&path).expect("table"));
        let mut shown = 0;
        for r in 0..t.len() {
            let (n, d) = (t.opt(r, "numerator"), t.opt(r, "denominator"));
            if let Some(d) = d {
                assert!(safe(d, d), "{id} row {}: denominator {d}", r + 2);
                shown += 1;
            }
            if let (Some(n), Some(d)) = (n, d) {
                assert!(safe(n, d), "{id} row {}: numerator {n} of {d}", r + 2);
                assert!(
                    safe(d - n, d),
                    "{id} row {}: complement {} of {d}",
                    r + 2,
                    d - n
                );
            }
            if t.str(r, "suppressed") == "true" && t.str(r, "measure") == "proportion" {
                assert!(
                    t.opt(r, "value").is_none(),
                    "{id} row {}: a suppressed share has a value",
                    r + 2
                );
            }
        }
        assert!(shown > 0, "{id}: the scan saw counts");
    }
}

#[test]
fn no_count_below_the_threshold_follows_by_subtraction_between_tables() {
    for id in shipped() {
        let path = all_outputs().join(&id).join(format!("tables/{id}.csv"));
        let t = Table::from_text(&std::fs::read_to_string(&path).expect("table"));
        // (outcome, year, dimension, group) -> subanalysis -> (numerator, denominator).
        let mut cells: BTreeMap<Key, BTreeMap<String, Counts>> = BTreeMap::new();
        for r in (0..t.len()).filter(|&r| t.str(r, "measure") == "proportion") {
            let key = (
                t.str(r, "outcome").to_string(),
                t.str(r, "year").to_string(),
                t.str(r, "dimension").to_string(),
                t.str(r, "group").to_string(),
            );
            cells.entry(key).or_default().insert(
                t.str(r, "subanalysis").to_string(),
                (t.opt(r, "numerator"), t.opt(r, "denominator")),
            );
        }
        for (key, by_sub) in &cells {
            let Some(&(main_n, main_d)) = by_sub.get("") else {
                continue;
            };
            for (sub, &(n, d)) in by_sub.iter().filter(|(s, _)| !s.is_empty()) {
                if let (Some(md), Some(d)) = (main_d, d) {
                    let rest = md - d;
                    assert!(
                        safe(rest, rest),
                        "{id} {key:?}: main - {sub} denominators = {rest}"
                    );
                    if let (Some(mn), Some(n)) = (main_n, n) {
                        let rest_n = mn - n;
                        assert!(
                            safe(rest_n, rest),
                            "{id} {key:?}: main - {sub} numerators = {rest_n} of {rest}"
                        );
                        assert!(
                            safe(rest - rest_n, rest),
                            "{id} {key:?}: main - {sub} complement"
                        );
                    }
                }
            }
        }
        // Within a table: the total minus the shown levels must not isolate a small hidden level.
        let mut by_table: BTreeMap<Key, Vec<GroupCounts>> = BTreeMap::new();
        for ((outcome, year, dimension, group), by_sub) in &cells {
            for (sub, &(n, d)) in by_sub {
                by_table
                    .entry((
                        outcome.clone(),
                        year.clone(),
                        dimension.clone(),
                        sub.clone(),
                    ))
                    .or_default()
                    .push((group.clone(), n, d));
            }
        }
        for (key, rows) in by_table {
            let Some(&(_, total_n, total_d)) = rows.iter().find(|(g, _, _)| g == "i alt") else {
                continue;
            };
            let levels: Vec<_> = rows.iter().filter(|(g, _, _)| g != "i alt").collect();
            let hidden_d: Vec<_> = levels.iter().filter(|(_, _, d)| d.is_none()).collect();
            if let (Some(total_d), [_single]) = (total_d, hidden_d.as_slice()) {
                let shown: f64 = levels.iter().filter_map(|(_, _, d)| *d).sum();
                let rest = total_d - shown;
                assert!(
                    safe(rest, rest),
                    "{id} {key:?}: one hidden denominator = {rest}"
                );
            }
            let hidden_n: Vec<_> = levels.iter().filter(|(_, n, _)| n.is_none()).collect();
            if let (Some(total_n), [single]) = (total_n, hidden_n.as_slice())
                && let Some(d) = single.2
            {
                let shown: f64 = levels.iter().filter_map(|(_, n, _)| *n).sum();
                let n = total_n - shown;
                assert!(
                    safe(n, d) && safe(d - n, d),
                    "{id} {key:?}: one hidden numerator = {n} of {d}"
                );
            }
        }
    }
}

/// Every folder with a report: each analysis's and the annual analysis of them all.
fn report_folders() -> Vec<String> {
    shipped()
        .into_iter()
        .chain(["aarsanalyse".to_string()])
        .collect()
}

#[test]
fn the_reports_and_figures_show_no_small_count() {
    for id in report_folders() {
        let html =
            std::fs::read_to_string(all_outputs().join(&id).join("report.html")).expect("report");
        let mut rows = 0;
        // The level tables: patients, with the outcome, then shares (the appendix's table of
        // hidden cells by cause counts cells, not persons).
        let level_tables = html
            .split("<table")
            .skip(1)
            .filter(|t| t.contains("<th scope=\"col\">Patienter</th>"));
        for row in level_tables.flat_map(|t| t.split("<tr>").skip(1)) {
            let cells: Vec<&str> = row
                .split("<td class=\"n\">")
                .skip(1)
                .map(|c| c.split("</td>").next().unwrap_or(""))
                .collect();
            if let [d, n, ..] = cells.as_slice()
                && let (Some(&d), n) = (numbers(d).first(), numbers(n).first().copied())
            {
                assert!(safe(d, d), "{id}: report shows {d} patients");
                if let Some(n) = n {
                    assert!(
                        safe(n, d) && safe(d - n, d),
                        "{id}: report shows {n} of {d}"
                    );
                }
                rows += 1;
            }
        }
        assert!(rows > 0, "{id}: the scan saw the report's tables");
        for entry in std::fs::read_dir(all_outputs().join(&id).join("figures")).expect("figures") {
            let svg = std::fs::read_to_string(entry.expect("entry").path()).expect("svg");
            assert!(
                !svg.contains("n=") && !svg.contains("n ="),
                "{id}: a figure prints a count"
            );
        }
    }
}

#[test]
fn the_report_table_files_show_no_small_count() {
    for id in report_folders() {
        let mut checked = 0;
        for entry in std::fs::read_dir(all_outputs().join(&id).join("tables")).expect("tables") {
            let path = entry.expect("entry").path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if !(name.starts_with("tabel-") && name.ends_with(".csv")) {
                continue;
            }
            let t = Table::from_text(&std::fs::read_to_string(&path).expect("table"));
            if !t.has("Patienter") {
                continue;
            }
            for r in 0..t.len() {
                if let Some(d) = t.opt(r, "Patienter") {
                    assert!(safe(d, d), "{name} row {}: {d} patients", r + 2);
                    if let Some(n) = t.opt(r, "Med udfaldet") {
                        assert!(
                            safe(n, d) && safe(d - n, d),
                            "{name} row {}: {n} of {d}",
                            r + 2
                        );
                    }
                    checked += 1;
                }
            }
        }
        assert!(checked > 0, "{id}: the scan saw the table files");
    }
}

/// Outcomes of the shipped specs whose events are nested (the narrower first), and the
/// at-risk pair whose denominators differ by the patients who died.
const NESTED: [(&str, &str, &str); 3] = [
    ("hip_fracture_surgery", "surgery_24h", "surgery_48h"),
    (
        "youth_depression_anxiety_wait",
        "outpatient_30d",
        "outpatient_90d",
    ),
    ("multimorbidity_contacts", "avoidable", "any_contact"),
];

#[test]
fn no_small_count_follows_from_nested_outcomes_or_at_risk_denominators() {
    let mut checked = 0;
    let mut pairs: Vec<(&str, &str, &str, &str)> = NESTED
        .iter()
        .map(|&(id, a, b)| (id, a, b, "numerator"))
        .collect();
    pairs.push(("ami_pci_rehab_death", "rehab", "pci", "denominator"));
    for (id, narrow, wide, column) in pairs {
        let path = all_outputs().join(id).join(format!("tables/{id}.csv"));
        let t = Table::from_text(&std::fs::read_to_string(&path).expect("table"));
        let find = |r: usize, outcome: &str| {
            (0..t.len()).find(|&o| {
                t.str(o, "outcome") == outcome
                    && t.str(o, "measure") == "proportion"
                    && ["subanalysis", "year", "dimension", "group"]
                        .iter()
                        .all(|c| t.str(o, c) == t.str(r, c))
            })
        };
        for r in (0..t.len())
            .filter(|&r| t.str(r, "outcome") == narrow && t.str(r, "measure") == "proportion")
        {
            let Some(w) = find(r, wide) else { continue };
            if let (Some(a), Some(b), Some(d)) =
                (t.opt(r, column), t.opt(w, column), t.opt(w, "denominator"))
            {
                let between = b - a;
                assert!(
                    safe(between, d),
                    "{id}: {wide} - {narrow} {column}s = {between} (row {})",
                    r + 2
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 0, "pairs were compared");
}
