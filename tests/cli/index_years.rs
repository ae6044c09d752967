//! Results by index year (`[population] by_index_year`): an incident design's period split into
//! its calendar years, each year's results those of the same analysis over that year alone.

use std::path::{Path, PathBuf};

use crate::common::{root, run_spec, shipped_spec, stderr, ulighed};
use crate::table::Table;

/// The AMI spec with its `[population]` period line replaced by `period_line`, in `dir`.
fn ami_spec(dir: &Path, name: &str, period_line: &str) -> PathBuf {
    let text = shipped_spec("ami_pci_rehab_death.toml");
    let original = "period = [\"2021-01-01\", \"2024-09-30\"]";
    assert!(text.contains(original), "the shipped AMI period");
    std::fs::create_dir_all(dir).expect("folder");
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(&path, text.replace(original, period_line)).expect("spec");
    path
}

fn run(spec: &Path, out: &Path) -> Table {
    let _ = std::fs::remove_dir_all(out);
    let result = run_spec(
        spec.to_str().expect("utf-8"),
        &root().join("data-samples"),
        out,
        "2025-06-30",
    );
    assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
    let table = out
        .join("ami_pci_rehab_death")
        .join("tables")
        .join("ami_pci_rehab_death.csv");
    Table::from_text(&std::fs::read_to_string(table).expect("tidy table"))
}

/// The key of a row besides its year.
fn key(t: &Table, r: usize) -> String {
    [
        "outcome",
        "subanalysis",
        "measure",
        "dimension",
        "group",
        "method",
    ]
    .map(|c| t.str(r, c))
    .join("|")
}

/// Each index year's rows are those of a run over that year alone: the period's first and last
/// year clipped to the period (2021-01-01 to 2021-12-31, 2024-01-01 to 2024-09-30), every value,
/// interval and count shown by both runs equal; the tidy table's `year` is the index year and
/// the report labels the chapter by its last year with a trend over the four.
#[test]
fn results_by_index_year_are_the_analyses_of_each_year_alone() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("index-years");
    let by_year = ami_spec(
        &dir.join("by-year"),
        "ami_pci_rehab_death",
        "period = [\"2021-01-01\", \"2024-09-30\"]\nby_index_year = true",
    );
    let all = run(&by_year, &dir.join("out-by-year"));
    let years: std::collections::BTreeSet<String> = (0..all.len())
        .map(|r| all.str(r, "year").to_string())
        .collect();
    assert_eq!(
        years.into_iter().collect::<Vec<_>>(),
        ["2021", "2022", "2023", "2024"]
    );
    for (year, from, to) in [
        ("2021", "2021-01-01", "2021-12-31"),
        ("2024", "2024-01-01", "2024-09-30"),
    ] {
        let alone = run(
            &ami_spec(
                &dir.join(format!("alone-{year}")),
                "ami_pci_rehab_death",
                &format!("period = [\"{from}\", \"{to}\"]"),
            ),
            &dir.join(format!("out-{year}")),
        );
        let mut compared = 0;
        for r in (0..all.len()).filter(|&r| all.str(r, "year") == year) {
            assert_eq!(all.str(r, "period_start"), from);
            assert_eq!(all.str(r, "period_end"), to);
            let k = key(&all, r);
            let a = (0..alone.len())
                .find(|&a| key(&alone, a) == k)
                .unwrap_or_else(|| panic!("{year}: no row {k} in the run over the year alone"));
            if all.str(r, "status") != "vist" || alone.str(a, "status") != "vist" {
                continue;
            }
            for column in ["value", "lower", "upper", "numerator", "denominator"] {
                assert_eq!(
                    all.opt(r, column),
                    alone.opt(a, column),
                    "{year} {k} {column}"
                );
            }
            compared += 1;
        }
        assert!(compared >= 50, "{year}: {compared} shown rows compared");
    }
    let page = std::fs::read_to_string(dir.join("out-by-year/ami_pci_rehab_death/report.html"))
        .expect("report");
    assert!(
        page.contains("(2024)</h3>"),
        "the chapter shows the last index year"
    );
    assert!(
        page.contains("Udvikling 2021–2024"),
        "a trend over the index years"
    );
}

/// Results by index year need an incident design and no `[trend]`: otherwise the spec is refused
/// (exit 78) naming the key.
#[test]
fn results_by_index_year_need_a_period_and_no_trend() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("index-years-refused");
    let prevalent = ami_spec(
        &dir.join("prevalent"),
        "ami_pci_rehab_death",
        "index_date = \"2024-01-01\"\nby_index_year = true",
    );
    let with_trend = ami_spec(
        &dir.join("trend"),
        "ami_pci_rehab_death",
        "period = [\"2021-01-01\", \"2024-09-30\"]\nby_index_year = true",
    );
    let text = std::fs::read_to_string(&with_trend).expect("spec");
    std::fs::write(
        &with_trend,
        format!("{text}\n[trend]\nfirst_year = 2021\nlast_year = 2022\n"),
    )
    .expect("spec");
    for (spec, expected) in [
        (prevalent, "need an incident design"),
        (with_trend, "remove `[trend]`"),
    ] {
        let result = ulighed(&["plan", spec.to_str().expect("utf-8")]);
        assert_eq!(result.status.code(), Some(78), "{}", stderr(&result));
        let message = stderr(&result);
        assert!(
            message.contains("population.by_index_year") && message.contains(expected),
            "{message}"
        );
    }
}
