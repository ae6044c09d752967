//! `ulighed measures proportion|rate|dsr` through the real binary on PHEindicatormethods' test
//! vectors (tests/data, see SOURCES.md), rewritten into the command's input format, and its
//! handling of bad and edge-case input.

use std::path::Path;

use crate::common::{stderr, ulighed};
use crate::table::{Table, assert_close};

/// Runs `ulighed measures <args> -o OUT` and returns the output table, asserting success.
fn measures(dir: &Path, args: &[&str]) -> Table {
    let out = dir.join("out.csv");
    let mut all = vec!["measures"];
    all.extend_from_slice(args);
    all.extend(["-o", out.to_str().unwrap()]);
    let result = ulighed(&all);
    assert!(result.status.success(), "{:?}: {}", args, stderr(&result));
    Table::from_text(&std::fs::read_to_string(&out).unwrap())
}

/// Writes the PHE crude-measure vector (Area, Numerator, Denominator) as group, events,
/// population, keeping the multiplier column to check it is carried through.
fn crude_input(dir: &Path, peer: &Table, rows: &[usize]) -> String {
    let mut text = String::from("group,events,population,multiplier\n");
    for &r in rows {
        text.push_str(&format!(
            "{},{},{},{}\n",
            peer.str(r, "Area"),
            peer.str(r, "Numerator"),
            peer.str(r, "Denominator"),
            peer.str(r, "multiplier")
        ));
    }
    let path = dir.join("in.csv");
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

/// Compares value and both levels' limits with the peer at testthat's default tolerance.
fn check_crude(got: &Table, peer: &Table, rows: &[usize]) {
    assert_eq!(got.len(), rows.len());
    for (i, &r) in rows.iter().enumerate() {
        assert_eq!(got.str(i, "group"), peer.str(r, "Area"));
        assert_eq!(got.str(i, "multiplier"), peer.str(r, "multiplier"));
        let Some(value) = peer.opt(r, "value") else {
            assert!(
                got.opt(i, "value").is_none(),
                "{}: PHE gives NA",
                peer.str(r, "Area")
            );
            assert!(!got.str(i, "note").is_empty());
            continue;
        };
        assert_close(got.num(i, "value"), value, 1e-6, peer.str(r, "Area"));
        assert_eq!(got.str(i, "method"), peer.str(r, "method"));
        for (ours, theirs) in [
            ("lower_95_0", "lower95_0cl"),
            ("upper_95_0", "upper95_0cl"),
            ("lower_99_8", "lower99_8cl"),
            ("upper_99_8", "upper99_8cl"),
        ] {
            assert_close(
                got.num(i, ours),
                peer.num(r, theirs),
                1e-6,
                &format!("{} {ours}", peer.str(r, "Area")),
            );
        }
    }
}

#[test]
fn proportion_matches_phe_proportion() {
    let dir = tempfile::tempdir().unwrap();
    let peer = Table::load("testdata_Proportion__testdata_Prop.csv");
    for multiplier in ["1", "100"] {
        let rows = peer.where_eq("multiplier", multiplier);
        assert!(!rows.is_empty());
        let input = crude_input(dir.path(), &peer, &rows);
        let got = measures(
            dir.path(),
            &[
                "proportion",
                &input,
                "--multiplier",
                multiplier,
                "--confidence",
                "0.95,0.998",
            ],
        );
        check_crude(&got, &peer, &rows);
    }
}

#[test]
fn rate_matches_phe_rate_exact_and_byars() {
    let dir = tempfile::tempdir().unwrap();
    let peer = Table::load("testdata_Rate__testdata_Rate.csv");
    let mut methods = std::collections::BTreeSet::new();
    for multiplier in ["100", "100000"] {
        let rows = peer.where_eq("multiplier", multiplier);
        if rows.is_empty() {
            continue;
        }
        let input = crude_input(dir.path(), &peer, &rows);
        let got = measures(
            dir.path(),
            &[
                "rate",
                &input,
                "--multiplier",
                multiplier,
                "--confidence",
                "0.95,0.998",
            ],
        );
        check_crude(&got, &peer, &rows);
        methods.extend(
            rows.iter()
                .map(|&r| peer.str(r, "method").to_string())
                .filter(|m| !m.is_empty()),
        );
    }
    assert_eq!(
        methods.into_iter().collect::<Vec<_>>(),
        ["Byars", "Exact"],
        "both Poisson methods are exercised"
    );
}

#[test]
fn dsr_matches_phe_calculate_dsr_with_esp2013() {
    let dir = tempfile::tempdir().unwrap();
    let peer = Table::load("testdata_DSR_ISR__testdata_multiarea.csv");
    let mut text = String::from("group,age_band,events,population\n");
    for r in 0..peer.len() {
        // The peer's sheet labels the 55-59 band "55-69" (a typo; PHE matches bands by position).
        // One count is blank, which PHE reads as 0: it is passed on blank.
        let band = peer.str(r, "ageband").replace("55-69", "55-59");
        let count = peer.str(r, "count");
        text.push_str(&format!(
            "{},{band},{count},{}\n",
            peer.str(r, "area"),
            peer.str(r, "pop")
        ));
    }
    let input = dir.path().join("in.csv");
    std::fs::write(&input, text).unwrap();
    let got = measures(
        dir.path(),
        &["dsr", input.to_str().unwrap(), "--confidence", "0.95,0.998"],
    );
    let expected = Table::load("testdata_DSR_ISR__testresults_DSR.csv");
    // Rows 5-7 of the peer's results are the three areas per 100,000 with ESP2013.
    let per_100000: Vec<usize> = (4..7).collect();
    let mut checked = 0;
    for i in 0..got.len() {
        let area = got.str(i, "group");
        let Some(&r) = per_100000
            .iter()
            .find(|&&r| expected.str(r, "area") == area)
        else {
            continue;
        };
        assert_eq!(
            got.num(i, "events"),
            expected.num(r, "total_count"),
            "{area}"
        );
        assert_eq!(
            got.num(i, "population"),
            expected.num(r, "total_pop"),
            "{area}"
        );
        match expected.opt(r, "value") {
            None => {
                assert!(got.opt(i, "value").is_none(), "{area} has no value");
                assert!(got.str(i, "note").contains("fewer than 10 events"));
                assert!(got.str(i, "note").contains("blank event counts read as 0"));
            }
            Some(value) => {
                assert_close(got.num(i, "value"), value, 1e-6, area);
                for (ours, theirs) in [
                    ("lower_95_0", "lower95_0cl"),
                    ("upper_95_0", "upper95_0cl"),
                    ("lower_99_8", "lower99_8cl"),
                    ("upper_99_8", "upper99_8cl"),
                ] {
                    assert_close(got.num(i, ours), expected.num(r, theirs), 1e-6, area);
                }
            }
        }
        checked += 1;
    }
    assert_eq!(checked, 3, "big, small and tiny areas: {:?}", got.rows);
}

#[test]
fn zero_population_gives_an_empty_value_and_zero_events_a_value() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    std::fs::write(&input, "group;events;population\na;0;50\nb;0;0\n").unwrap();
    let got = measures(dir.path(), &["proportion", input.to_str().unwrap()]);
    assert_eq!(got.num(0, "value"), 0.0);
    assert_eq!(got.num(0, "lower"), 0.0);
    assert!(got.num(0, "upper") > 0.0);
    assert!(got.opt(1, "value").is_none());
    assert!(got.str(1, "note").contains("population is zero"));
}

#[test]
fn bad_aggregated_input_names_file_row_and_column_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    let out = dir.path().join("out.csv");
    let cases = [
        (
            "proportion",
            "group,events,population\na,1,10\nb,-3,10\n",
            "row 2 (line 3), column `events`",
        ),
        (
            "proportion",
            "group,events,population\na,11,10\n",
            "more than the population",
        ),
        (
            "rate",
            "group,events,population\na,1,ten\n",
            "column `population`: expected a number, got \"ten\"",
        ),
        ("rate", "group,events\na,1\n", "missing column `population`"),
        (
            "rate",
            "group,events,population\na,1\n",
            "line 2 has 2 fields",
        ),
        (
            "dsr",
            "group,age_band,events,population\na,0-4,1,10\n",
            "unknown age band",
        ),
        (
            "dsr",
            "group,age_band,events,population\na,0-4,1,10\na,0-4,1,10\n",
            "second row for age band",
        ),
        (
            "dsr",
            "group,age_band,events,population\na,0-4,11,10\n",
            "has no row for age band \"5-9\"",
        ),
    ];
    for (command, text, expected) in cases {
        // The unknown-band case needs a band outside ESP2013.
        let text = text.replace(
            "a,0-4,1,10\n",
            if expected == "unknown age band" {
                "a,0-5,1,10\n"
            } else {
                "a,0-4,1,10\n"
            },
        );
        std::fs::write(&input, &text).unwrap();
        let result = ulighed(&[
            "measures",
            command,
            input.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ]);
        assert_eq!(result.status.code(), Some(65), "{text}");
        let message = stderr(&result);
        assert!(message.contains(expected), "{text}: {message}");
        assert!(message.contains("in.csv"), "{message}");
        assert!(!message.contains("panicked"), "{message}");
        assert_eq!(message.trim().lines().count(), 1, "{message}");
        assert!(!out.exists(), "no output for bad input");
    }
    let missing = ulighed(&[
        "measures",
        "rate",
        "no-such.csv",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(missing.status.code(), Some(66));
    let percent = ulighed(&[
        "measures",
        "rate",
        input.to_str().unwrap(),
        "--confidence",
        "95",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(percent.status.code(), Some(2));
    assert!(stderr(&percent).contains("fraction"));
}

#[test]
fn a_user_standard_population_is_used_in_its_own_order() {
    let dir = tempfile::tempdir().unwrap();
    let standard = dir.path().join("std.csv");
    std::fs::write(&standard, "age_band,population\nold,1\nyoung,3\n").unwrap();
    let input = dir.path().join("in.csv");
    std::fs::write(
        &input,
        "group,age_band,events,population\ng,young,10,100\ng,old,40,100\n",
    )
    .unwrap();
    let got = measures(
        dir.path(),
        &[
            "dsr",
            input.to_str().unwrap(),
            "--standard",
            standard.to_str().unwrap(),
            "--multiplier",
            "1",
        ],
    );
    // Known truth: (3 x 0.1 + 1 x 0.4) / 4 = 0.175.
    assert_close(
        got.num(0, "value"),
        0.175,
        1e-12,
        "weighted mean of band rates",
    );
}

/// Writes healthequal's test vector as the `summary` command's input, with a carried column.
fn summary_input(dir: &Path, peer: &Table, ordered: bool) -> String {
    let mut text = String::from(if ordered {
        "dimension,order,population,estimate,se,favourable,scale,source\n"
    } else {
        "dimension,subgroup,population,estimate,se,favourable,scale,reference,source\n"
    });
    for r in 0..peer.len() {
        let first = if ordered {
            peer.str(r, "subgroup_order")
        } else {
            peer.str(r, "subgroup")
        };
        text.push_str(&format!(
            "{},{first},{},{},{},{},{}{},healthequal\n",
            if ordered { "ordered" } else { "nonordered" },
            peer.str(r, "pop"),
            peer.str(r, "est"),
            peer.str(r, "se"),
            peer.str(r, "favourable_indicator"),
            peer.str(r, "indicator_scale"),
            if ordered {
                String::new()
            } else {
                format!(",{}", peer.str(r, "reference_subgroup"))
            },
        ));
    }
    let path = dir.join(if ordered {
        "ordered.csv"
    } else {
        "nonordered.csv"
    });
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn summary_matches_healthequal_point_estimates_per_dimension() {
    let dir = tempfile::tempdir().unwrap();
    for (ordered, inputs, expected) in [
        (
            true,
            "healthequal_testvector_ordered_inputs.csv",
            "healthequal_testvector_ordered_expected.csv",
        ),
        (
            false,
            "healthequal_testvector_nonordered_inputs.csv",
            "healthequal_testvector_nonordered_expected.csv",
        ),
    ] {
        let input = summary_input(dir.path(), &Table::load(inputs), ordered);
        let got = measures(
            dir.path(),
            &["summary", &input, "--seed", "7", "--reps", "1000"],
        );
        let expected = Table::load(expected);
        for r in 0..expected.len() {
            let code = expected.str(r, "measure").to_lowercase();
            // SII and RII: HEAT's method; healthequal's test vectors are its logistic model.
            let row = (0..got.len())
                .find(|&i| {
                    got.str(i, "measure") == code
                        && (!matches!(code.as_str(), "sii" | "rii")
                            || got.str(i, "method") == "heat-logistic")
                })
                .unwrap_or_else(|| panic!("no {code} row"));
            assert_eq!(got.str(row, "source"), "healthequal", "carried through");
            let value = got
                .opt(row, "value")
                .unwrap_or_else(|| panic!("{code}: {}", got.str(row, "note")));
            assert_close(
                value,
                expected.num(r, "estimate"),
                expected.num(r, "tolerance_in_test"),
                &code,
            );
        }
        // Measures that do not apply to the dimension come out empty with HEAT's reason.
        let inapplicable = if ordered { "bgv" } else { "aci" };
        let row = (0..got.len())
            .find(|&i| got.str(i, "measure") == inapplicable)
            .expect("row");
        assert!(got.opt(row, "value").is_none());
        assert!(
            got.str(row, "note").contains("suppressed"),
            "{}",
            got.str(row, "note")
        );
    }
}

#[test]
fn summary_rejects_bad_cells_with_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    let out = dir.path().join("out.csv");
    for (text, expected) in [
        (
            "order,population,estimate\n1,-5,10\n2,10,20\n",
            "row 1 (line 2), column `population`",
        ),
        (
            "order,population,estimate\n1,5,ten\n",
            "column `estimate`: expected a number",
        ),
        ("order,population\n1,5\n", "missing column `estimate`"),
        (
            "population,estimate\n5,1\n",
            "missing column `subgroup` or `order`",
        ),
        (
            "order,population,estimate\n1.5,5,1\n",
            "column `order`: expected a whole number",
        ),
    ] {
        std::fs::write(&input, text).unwrap();
        let result = ulighed(&[
            "measures",
            "summary",
            input.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ]);
        let message = stderr(&result);
        assert_eq!(result.status.code(), Some(65), "{text}: {message}");
        assert!(
            message.contains(expected) && message.contains("in.csv"),
            "{text}: {message}"
        );
        assert!(!out.exists());
    }
}
