use ulighed::measures::{
    interval::MeasureError,
    sii::{self, OrderedGroup, PheSiiOptions, SiiQuantile, ValueType},
};

use crate::common;
use common::{Table, assert_close};

/// PHE's tolerance for simulated limits (testSII.R: `tol <- 0.05`).
const SIM_TOL: f64 = 0.05;
/// Point estimates are deterministic.
const POINT_TOL: f64 = 1e-6;

#[derive(Clone, Copy)]
enum Input {
    Se,
    Limits,
    /// value = Count / Population, se from the limits.
    Count,
}

/// One `expect_equal(phe_sii(...))` of PHE's testSII.R.
struct Case {
    what: &'static str,
    /// RecordNo range of the input rows (inclusive).
    rows: (usize, usize),
    value_type: ValueType,
    input: Input,
    multiplier: f64,
    confidence: &'static [f64],
    transform: bool,
    repetitions: usize,
    /// RecordNo of the expected-value row of each group, in order.
    expected: &'static [usize],
    rii: bool,
    intercept: bool,
    /// Quintile case: PHE only has the SII from its Excel tool.
    sii_only: bool,
}

const fn case(
    what: &'static str,
    rows: (usize, usize),
    value_type: ValueType,
    input: Input,
    expected: &'static [usize],
) -> Case {
    Case {
        what,
        rows,
        value_type,
        input,
        multiplier: 1.0,
        confidence: &[0.95],
        transform: false,
        repetitions: 10_000,
        expected,
        rii: true,
        intercept: false,
        sii_only: false,
    }
}

fn cases() -> Vec<Case> {
    use Input::*;
    use ValueType::*;
    vec![
        case("default, se", (1, 20), Other, Se, &[1, 11]),
        case("default, limits", (1, 20), Other, Limits, &[1, 11]),
        Case {
            intercept: true,
            ..case("default, intercept", (1, 20), Other, Limits, &[246, 256])
        },
        Case {
            confidence: &[0.99],
            ..case("99% limits", (21, 40), Other, Limits, &[21, 31])
        },
        Case {
            confidence: &[0.99],
            ..case("99% se", (21, 40), Other, Se, &[21, 31])
        },
        Case {
            confidence: &[0.95, 0.99],
            ..case("95% and 99%", (226, 245), Other, Se, &[226, 236])
        },
        Case {
            repetitions: 100_000,
            ..case("100 000 repetitions", (41, 60), Other, Se, &[41, 51])
        },
        Case {
            sii_only: true,
            ..case("quintiles", (61, 70), Other, Se, &[61, 66])
        },
        case("rate, se", (71, 90), Rate, Se, &[71, 81]),
        case("rate, limits", (71, 90), Rate, Limits, &[71, 81]),
        Case {
            intercept: true,
            ..case("rate, intercept", (71, 90), Rate, Limits, &[266, 276])
        },
        Case {
            transform: true,
            intercept: true,
            ..case("rate, log transform", (306, 325), Rate, Limits, &[306, 316])
        },
        Case {
            transform: true,
            intercept: true,
            multiplier: -1.0,
            ..case(
                "rate, log transform, negative multiplier",
                (386, 405),
                Rate,
                Limits,
                &[386, 396],
            )
        },
        Case {
            transform: true,
            intercept: true,
            confidence: &[0.98],
            ..case(
                "rate, log transform, 98%",
                (406, 425),
                Rate,
                Limits,
                &[406, 416],
            )
        },
        Case {
            transform: true,
            intercept: true,
            confidence: &[0.95, 0.98],
            ..case(
                "rate, log transform, 95% and 98%",
                (366, 385),
                Rate,
                Limits,
                &[366, 376],
            )
        },
        Case {
            transform: true,
            rii: false,
            ..case(
                "rate, log transform, no RII",
                (426, 445),
                Rate,
                Limits,
                &[426, 436],
            )
        },
        case("proportion, se", (91, 110), Proportion, Se, &[91, 101]),
        case(
            "proportion, limits",
            (91, 110),
            Proportion,
            Limits,
            &[91, 101],
        ),
        case(
            "proportion, count",
            (91, 110),
            Proportion,
            Count,
            &[91, 101],
        ),
        Case {
            intercept: true,
            ..case(
                "proportion data as rate, intercept",
                (91, 110),
                Rate,
                Limits,
                &[286, 296],
            )
        },
        Case {
            multiplier: 100.0,
            ..case(
                "proportion, multiplier 100",
                (111, 130),
                Proportion,
                Limits,
                &[111, 121],
            )
        },
        Case {
            multiplier: -100.0,
            ..case(
                "proportion, multiplier -100",
                (131, 150),
                Proportion,
                Limits,
                &[131, 141],
            )
        },
        Case {
            transform: true,
            intercept: true,
            ..case(
                "proportion, logit transform",
                (326, 345),
                Proportion,
                Limits,
                &[326, 336],
            )
        },
        Case {
            transform: true,
            intercept: true,
            multiplier: -1.0,
            ..case(
                "proportion, logit transform, negative multiplier",
                (346, 365),
                Proportion,
                Limits,
                &[346, 356],
            )
        },
        Case {
            transform: true,
            intercept: true,
            confidence: &[0.98],
            ..case(
                "proportion, logit transform, 98%",
                (466, 485),
                Proportion,
                Limits,
                &[466, 476],
            )
        },
        Case {
            transform: true,
            intercept: true,
            confidence: &[0.95, 0.98],
            ..case(
                "proportion, logit transform, 95% and 98%",
                (486, 505),
                Proportion,
                Limits,
                &[486, 496],
            )
        },
        Case {
            transform: true,
            rii: false,
            ..case(
                "proportion, logit transform, no RII",
                (446, 465),
                Proportion,
                Limits,
                &[446, 456],
            )
        },
    ]
}

/// Row index (0-based) of RecordNo `record`.
fn row_of(t: &Table, record: usize) -> usize {
    let r = record - 1;
    assert_eq!(t.num(r, "RecordNo") as usize, record);
    r
}

/// The input rows of `range`, split into groups by (Area, Grouping1, Grouping2).
fn groups(t: &Table, range: (usize, usize)) -> Vec<Vec<usize>> {
    let mut out: Vec<(String, Vec<usize>)> = Vec::new();
    for record in range.0..=range.1 {
        let r = row_of(t, record);
        let key = format!(
            "{}|{}|{}",
            t.str(r, "Area"),
            t.str(r, "Grouping1"),
            t.str(r, "Grouping2")
        );
        match out.iter_mut().find(|(k, _)| *k == key) {
            Some((_, rows)) => rows.push(r),
            None => out.push((key, vec![r])),
        }
    }
    out.into_iter().map(|(_, rows)| rows).collect()
}

fn quantile_inputs(
    t: &Table,
    rows: &[usize],
    vt: ValueType,
    input: Input,
) -> Result<Vec<SiiQuantile>, MeasureError> {
    rows.iter()
        .map(|&r| {
            let population = t.opt(r, "Population").unwrap_or(f64::NAN);
            let value = match input {
                Input::Count => t.num(r, "Count") / population,
                _ => t.opt(r, "Value").unwrap_or(f64::NAN),
            };
            let se = match input {
                Input::Se => t.opt(r, "StandardError").unwrap_or(f64::NAN),
                _ => sii::se_from_limits(
                    vt,
                    t.opt(r, "LowerCL").unwrap_or(f64::NAN),
                    t.opt(r, "UpperCL").unwrap_or(f64::NAN),
                )?,
            };
            Ok(SiiQuantile {
                population,
                value,
                se,
            })
        })
        .collect()
}

/// Every calculation test of PHE's testSII.R: point estimates at 1e-6,
/// simulated limits within PHE's 5%.
#[test]
fn phe_linear_matches_phe_sii() {
    let t = Table::load("testdata_SII__testdata_SII.csv");
    let mut compared = 0;
    for (k, c) in cases().iter().enumerate() {
        let blocks = groups(&t, c.rows);
        assert_eq!(blocks.len(), c.expected.len(), "{}", c.what);
        for (g, (rows, &expected_record)) in blocks.iter().zip(c.expected).enumerate() {
            let e = row_of(&t, expected_record);
            let q = quantile_inputs(&t, rows, c.value_type, c.input).unwrap();
            let options = PheSiiOptions {
                value_type: c.value_type,
                transform: c.transform,
                multiplier: c.multiplier,
                repetitions: c.repetitions,
                confidence: c.confidence.to_vec(),
                seed: 20_240_000 + k as u64,
            };
            let res = sii::phe_sii(&q, &options).unwrap();
            let ctx = |field: &str| format!("{} group {g}: {field}", c.what);
            assert_close(res.sii, t.num(e, "sii"), POINT_TOL, &ctx("sii"));
            if c.sii_only {
                compared += 1;
                continue;
            }
            if c.rii {
                assert_close(res.rii, t.num(e, "rii"), POINT_TOL, &ctx("rii"));
            }
            if c.intercept {
                assert_close(
                    res.intercept,
                    t.num(e, "Intercept"),
                    POINT_TOL,
                    &ctx("intercept"),
                );
            }
            for (i, l) in res.limits.iter().enumerate() {
                let sfx = i + 1;
                assert_close(
                    l.sii_lower,
                    t.num(e, &format!("sii_lowercl_{sfx}")),
                    SIM_TOL,
                    &ctx("sii lower"),
                );
                assert_close(
                    l.sii_upper,
                    t.num(e, &format!("sii_uppercl_{sfx}")),
                    SIM_TOL,
                    &ctx("sii upper"),
                );
                if c.rii {
                    assert_close(
                        l.rii_lower,
                        t.num(e, &format!("rii_lowercl_{sfx}")),
                        SIM_TOL,
                        &ctx("rii lower"),
                    );
                    assert_close(
                        l.rii_upper,
                        t.num(e, &format!("rii_uppercl_{sfx}")),
                        SIM_TOL,
                        &ctx("rii upper"),
                    );
                }
            }
            compared += 1;
        }
    }
    assert_eq!(compared, 54);
}

/// The data-validation errors of testSII.R: each is an Err, never a panic.
#[test]
fn phe_linear_rejects_invalid_data_like_phe() {
    let t = Table::load("testdata_SII__testdata_SII.csv");
    let run = |range: (usize, usize), vt: ValueType, input: Input| -> Result<(), MeasureError> {
        for rows in groups(&t, range) {
            let q = quantile_inputs(&t, &rows, vt, input)?;
            let mut options = PheSiiOptions::new(vt, 1);
            options.repetitions = 1000;
            sii::phe_sii(&q, &options)?;
        }
        Ok(())
    };
    // Negative populations; negative SE; missing SE; zero count; proportions > 1;
    // limits outside (0, 1); too few quantiles; missing limits.
    assert!(run((151, 160), ValueType::Other, Input::Se).is_err());
    assert!(run((161, 165), ValueType::Other, Input::Se).is_err());
    assert!(run((191, 200), ValueType::Other, Input::Se).is_err());
    assert!(run((166, 170), ValueType::Proportion, Input::Count).is_err());
    assert!(run((1, 20), ValueType::Proportion, Input::Se).is_err());
    assert!(run((171, 175), ValueType::Proportion, Input::Limits).is_err());
    assert!(run((176, 180), ValueType::Proportion, Input::Limits).is_err());
    assert!(run((1, 3), ValueType::Other, Input::Limits).is_err());
    assert!(run((191, 200), ValueType::Other, Input::Limits).is_err());
    // The same data are fine when valid.
    assert!(run((1, 20), ValueType::Other, Input::Se).is_ok());

    // Argument errors.
    let rows = &groups(&t, (1, 10))[0];
    let q = quantile_inputs(&t, rows, ValueType::Other, Input::Se).unwrap();
    let mut bad = PheSiiOptions::new(ValueType::Other, 1);
    bad.repetitions = 0;
    assert!(sii::phe_sii(&q, &bad).is_err());
    let mut bad = PheSiiOptions::new(ValueType::Other, 1);
    bad.transform = true;
    assert!(sii::phe_sii(&q, &bad).is_err());
    for c in [0.0, 40.0, 135.0] {
        let mut bad = PheSiiOptions::new(ValueType::Other, 1);
        bad.confidence = vec![c];
        assert_eq!(
            sii::phe_sii(&q, &bad),
            Err(MeasureError::InvalidConfidence(c))
        );
    }
}

/// A negative SII (values falling with rank; testdata block 306) is
/// returned as negative, with the RII below 1 and both limits below zero.
#[test]
fn phe_linear_negative_sii() {
    let t = Table::load("testdata_SII__testdata_SII.csv");
    let rows = &groups(&t, (306, 315))[0];
    let q = quantile_inputs(&t, rows, ValueType::Rate, Input::Limits).unwrap();
    let mut o = PheSiiOptions::new(ValueType::Rate, 7);
    o.transform = true;
    o.repetitions = 10_000;
    let r = sii::phe_sii(&q, &o).unwrap();
    let e = row_of(&t, 306);
    assert!(r.sii < 0.0 && r.rii < 1.0);
    assert_close(r.sii, t.num(e, "sii"), POINT_TOL, "negative SII");
    assert!(r.limits[0].sii_lower < r.limits[0].sii_upper && r.limits[0].sii_upper < 0.0);
}

/// Same seed, same limits; another seed, other draws.
#[test]
fn phe_linear_simulation_is_reproducible() {
    let t = Table::load("testdata_SII__testdata_SII.csv");
    let rows = &groups(&t, (1, 10))[0];
    let q = quantile_inputs(&t, rows, ValueType::Other, Input::Se).unwrap();
    let mut o = PheSiiOptions::new(ValueType::Other, 5);
    o.repetitions = 1000;
    let a = sii::phe_sii(&q, &o).unwrap();
    assert_eq!(a, sii::phe_sii(&q, &o).unwrap());
    o.seed = 6;
    assert_ne!(a.limits, sii::phe_sii(&q, &o).unwrap().limits);
}

/// healthequal's ordered test vector: sii() and rii() at the package's test
/// tolerance (1e-6 relative, on estimate, se and both limits).
#[test]
fn heat_logistic_matches_healthequal() {
    let input = Table::load("healthequal_testvector_ordered_inputs.csv");
    let expected = Table::load("healthequal_testvector_ordered_expected.csv");
    let groups: Vec<OrderedGroup> = (0..input.len())
        .map(|r| OrderedGroup {
            order: input.num(r, "subgroup_order") as u32,
            population: input.num(r, "pop"),
            estimate: input.num(r, "est"),
        })
        .collect();
    let res = sii::heat_sii(&groups, 0.95).unwrap();
    assert_eq!(res.scale, 100.0);
    for (measure, got) in [("SII", res.sii), ("RII", res.rii)] {
        let r = expected.where_eq("measure", measure)[0];
        let tol = expected.num(r, "tolerance_in_test");
        assert_close(got.value, expected.num(r, "estimate"), tol, measure);
        assert_close(got.se, expected.num(r, "se"), tol, measure);
        assert_close(got.lower, expected.num(r, "lowerci"), tol, measure);
        assert_close(got.upper, expected.num(r, "upperci"), tol, measure);
    }
    // Reversing the order reverses the slope (known truth of the design).
    let reversed: Vec<OrderedGroup> = groups
        .iter()
        .map(|g| OrderedGroup {
            order: 6 - g.order,
            ..*g
        })
        .collect();
    let rev = sii::heat_sii(&reversed, 0.95).unwrap();
    assert!(rev.sii.value < 0.0 && rev.rii.value < 1.0);
}

#[test]
fn heat_logistic_errors() {
    let g = |order, estimate| OrderedGroup {
        order,
        population: 100.0,
        estimate,
    };
    assert!(matches!(
        sii::heat_sii(&[g(1, 10.0), g(2, 20.0)], 0.95),
        Err(MeasureError::WrongGroupCount { .. })
    ));
    assert!(matches!(
        sii::heat_sii(&[g(1, 10.0), g(2, 10.0), g(3, 10.0)], 0.95),
        Err(MeasureError::Undefined { .. })
    ));
    assert!(matches!(
        sii::heat_sii(&[g(1, 10.0), g(3, 20.0), g(4, 30.0)], 0.95),
        Err(MeasureError::Invalid(_))
    ));
}

#[test]
fn midpoint_ranks_known_values() {
    // Equal populations: ranks (2i - 1) / 2n.
    let r = sii::midpoint_ranks(&[10.0; 5]).unwrap();
    for (i, v) in r.iter().enumerate() {
        assert_close(*v, (2.0 * i as f64 + 1.0) / 10.0, 1e-15, "rank");
    }
    assert!(sii::midpoint_ranks(&[10.0, 0.0, 5.0]).is_err());
}
