//! The diabetes analysis on data-samples/: it recovers the inequality injected by `synth`
//! (truth.json) and is reproducible to the byte.

use std::path::Path;

use crate::common::{root, stderr, ulighed};

/// Runs the default analysis into `out`.
fn run_into(out: &Path) {
    let output = ulighed(&[
        "run",
        "--out",
        out.to_str().expect("utf-8"),
        "--as-of",
        "2025-06-30",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

/// Splits one CSV line (fields may be quoted, RFC 4180).
fn fields(line: &str) -> Vec<String> {
    let (mut out, mut field, mut quoted, mut chars) =
        (Vec::new(), String::new(), false, line.chars().peekable());
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut field)),
            _ => field.push(c),
        }
    }
    out.push(field);
    out
}

/// (value, lower, upper) of the crude proportion of a group.
fn proportion(csv: &str, dimension: &str, group: &str) -> (f64, f64, f64) {
    let row = csv
        .lines()
        .map(fields)
        .find(|f| f[1] == "proportion" && f[2] == dimension && f[3] == group)
        .unwrap_or_else(|| panic!("no proportion row for {dimension}={group}"));
    let num = |i: usize| {
        row[i]
            .parse::<f64>()
            .unwrap_or_else(|_| panic!("{dimension}={group} column {i}: {:?}", row[i]))
    };
    (num(4), num(5), num(6))
}

#[test]
fn the_injected_education_gradient_is_recovered() {
    let out = tempfile::tempdir().expect("temp");
    run_into(out.path());
    let csv = std::fs::read_to_string(out.path().join("t2d_sglt2_glp1/tables/t2d_sglt2_glp1.csv"))
        .expect("table");
    assert!(csv.starts_with("analysis,measure,dimension,group,value,lower,upper,numerator,denominator,method,suppressed,note\n"));

    let truth: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("data-samples/truth.json")).expect("truth"),
    )
    .expect("json");
    let education = &truth["marginal"]["t2d_sglt2_glp1"]["education"];
    let mut checked = 0;
    for level in ["kort", "mellem", "lang"] {
        let patients = education[level]["patients"].as_u64().expect("patients");
        let true_percent = education[level]["probability"]
            .as_f64()
            .expect("probability")
            * 100.0;
        if patients < 500 {
            continue;
        }
        let (value, lower, upper) = proportion(&csv, "education", level);
        assert!(
            lower <= true_percent && true_percent <= upper,
            "{level}: truth {true_percent:.2} outside {value:.2} ({lower:.2}-{upper:.2})"
        );
        checked += 1;
    }
    assert_eq!(checked, 3, "the three large education groups are checked");

    // The model gives long education the highest probability; the estimates must order so.
    let (short, medium, long) = (
        proportion(&csv, "education", "kort").0,
        proportion(&csv, "education", "mellem").0,
        proportion(&csv, "education", "lang").0,
    );
    assert!(
        short < medium && medium < long,
        "gradient {short} < {medium} < {long}"
    );
    let lowest = proportion(&csv, "income_quintile", "1").0;
    let highest = proportion(&csv, "income_quintile", "5").0;
    assert!(lowest < highest, "income gradient {lowest} < {highest}");

    let svg = std::fs::read_to_string(
        out.path()
            .join("t2d_sglt2_glp1/figures/t2d_sglt2_glp1_education.svg"),
    )
    .expect("figure");
    assert!(
        svg.starts_with("<svg") && svg.contains("Kort (grundskole)"),
        "figure labels the groups"
    );
    let html =
        std::fs::read_to_string(out.path().join("t2d_sglt2_glp1/report.html")).expect("report");
    assert!(html.contains("<svg") && html.contains("Tabel 1.") && html.contains("sha256"));
}

#[test]
fn two_runs_give_the_same_bytes() {
    let (a, b) = (
        tempfile::tempdir().expect("temp"),
        tempfile::tempdir().expect("temp"),
    );
    run_into(a.path());
    run_into(b.path());
    for file in [
        "tables/t2d_sglt2_glp1.csv",
        "figures/t2d_sglt2_glp1_education.svg",
        "report.html",
    ] {
        let read = |d: &Path| std::fs::read(d.join("t2d_sglt2_glp1").join(file)).expect("output");
        assert_eq!(
            read(a.path()),
            read(b.path()),
            "{file} differs between runs"
        );
    }
}
