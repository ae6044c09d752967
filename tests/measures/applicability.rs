use ulighed::measures::applicability::{self, MEASURES};

use crate::common;
use common::Table;

fn flag(t: &Table, r: usize, col: &str) -> bool {
    t.num(r, col) == 1.0
}

/// The table in code equals HEAT-Measures' HEAT_summary_measures, row by
/// row, including every suppression test.
#[test]
fn table_matches_heat_summary_measures() {
    let t = Table::load("HEAT_summary_measures.csv");
    assert_eq!(t.len(), MEASURES.len());
    for r in 0..t.len() {
        let abbr = t.str(r, "measure_abbr");
        let m = applicability::measure(abbr).unwrap_or_else(|| panic!("{abbr} missing"));
        assert_eq!(m.name, t.str(r, "measure_name"));
        assert_eq!(m.ordered, flag(&t, r, "ordered_dimension"), "{abbr}");
        assert_eq!(
            m.non_ordered,
            flag(&t, r, "non_ordered_dimension"),
            "{abbr}"
        );
        assert_eq!(m.two_subgroups, flag(&t, r, "two_subgroups"), "{abbr}");
        assert_eq!(
            m.more_than_two_subgroups,
            flag(&t, r, "greater_two_subgroups"),
            "{abbr}"
        );
        assert_eq!(m.log_scale, flag(&t, r, "logscale"), "{abbr}");
        assert_eq!(m.simulation_se, flag(&t, r, "simulation_se"), "{abbr}");
        assert_eq!(m.analytic_se, flag(&t, r, "analytic_se"), "{abbr}");
        assert_eq!(
            m.valid_range,
            (t.num(r, "inequal_min"), t.num(r, "inequal_max")),
            "{abbr}"
        );
        let names: Vec<String> = m.suppressed_by.iter().map(|s| format!("{s:?}")).collect();
        let expected: Vec<String> = [
            "missing_estimates",
            "under85_pct",
            "under85_pct_missing_pop",
            "under85_pct_missing_pop_natl_avg",
            "estimates_all_zero",
            "two_subgroups",
            "less_than2_subgroups",
            "not_ordered",
            "is_ordered",
            "two_subgroups_and_missing",
            "missing_population",
            "missing_natl_avg",
            "natl_all_zero",
            "has_zero_se",
            "se_all_missing",
            "d_r_fail",
            "par_paf_fail",
            "norefgroup",
        ]
        .iter()
        .filter(|c| flag(&t, r, &format!("test_{c}")))
        .map(|c| {
            c.split('_')
                .map(|w| {
                    let mut s = w.to_string();
                    s[..1].make_ascii_uppercase();
                    s
                })
                .collect()
        })
        .collect();
        assert_eq!(names, expected, "{abbr}");
    }
}

/// The measure/dimension combinations of HEAT_summary_measures_types: a
/// measure listed for (just two subgroups, ordered) applies there.
#[test]
fn applies_matches_heat_summary_measure_types() {
    let t = Table::load("HEAT_summary_measures_types.csv");
    for r in 0..t.len() {
        let abbr = t.str(r, "measure");
        let two = t.str(r, "just2_subgroups") == "TRUE";
        let ordered = t.str(r, "ordered") == "TRUE";
        assert!(
            applicability::applies(abbr, ordered, if two { 2 } else { 5 }),
            "{abbr} two={two} ordered={ordered}"
        );
    }
    // Known cases from the HEAT documentation.
    assert!(applicability::applies("SII", true, 5));
    assert!(!applicability::applies("SII", false, 5));
    assert!(!applicability::applies("SII", true, 2));
    assert!(applicability::applies("D", false, 2));
    assert!(!applicability::applies("BGV", true, 5));
    assert!(!applicability::applies("D", false, 1));
    assert!(!applicability::applies("XYZ", true, 5));
}
