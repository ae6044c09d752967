//! `measures::adjusted` against R: the fixture `tests/data/adjusted_fixture.R` fits `glm(...,
//! family = binomial)` to cross-classified counts (education, region, sex, age group; some
//! patterns empty) for three adjustment sets, and computes education's predictive margins and
//! their differences with delta-method standard errors. Coefficients, standard errors, shares,
//! differences and the intervals made from them agree to 1e-6.

use ulighed::measures::adjusted::{Cell, Factor, compare, fit};

use crate::common::{Table, assert_close};

const TOL: f64 = 1e-6;
const Z: f64 = 1.959963984540054;

fn factor(name: &str, levels: &[&str]) -> Factor {
    Factor {
        name: name.into(),
        levels: levels.iter().map(|s| s.to_string()).collect(),
    }
}

/// The adjustment sets, their factors in the R formula's order (so the coefficients line up).
fn sets() -> Vec<(&'static str, Vec<Factor>)> {
    let educ = factor("educ", &["lang", "kort", "mellem", "uoplyst"]);
    let region = factor("region", &["r1", "r2", "r3"]);
    let age = factor("age", &["a1", "a2", "a3", "a4"]);
    let sex = factor("sex", &["1", "2"]);
    vec![
        ("none", vec![educ.clone()]),
        ("age_sex", vec![educ.clone(), age.clone(), sex.clone()]),
        ("mutual", vec![educ, region, age, sex]),
    ]
}

fn cells(factors: &[Factor]) -> Vec<Cell> {
    let t = Table::load("adjusted_cells.csv");
    (0..t.len())
        .map(|r| Cell {
            levels: factors
                .iter()
                .map(|f| t.str(r, &f.name).to_string())
                .collect(),
            persons: t.num(r, "persons"),
            events: t.num(r, "events"),
        })
        .collect()
}

#[test]
fn adjusted_comparisons_match_r_glm_and_its_margins() {
    let expected = Table::load("adjusted_results.csv");
    for (set, factors) in sets() {
        let cells: Vec<Cell> = cells(&factors)
            .into_iter()
            .filter(|c| c.persons > 0.0)
            .collect();
        let (model, _) = fit(&cells, &factors).expect("fitted");
        let rows: Vec<usize> = expected
            .where_eq("set", set)
            .into_iter()
            .filter(|&r| expected.str(r, "kind") == "coefficient")
            .collect();
        assert_eq!(rows.len(), model.coefficients.len(), "{set}");
        for (j, &r) in rows.iter().enumerate() {
            let ctx = format!("{set} {}", expected.str(r, "term"));
            assert_close(
                model.coefficients[j],
                expected.num(r, "estimate"),
                TOL,
                &ctx,
            );
            assert_close(model.std_errors[j], expected.num(r, "std_error"), TOL, &ctx);
        }
        let compared = compare(&cells, &factors, 0, 0.95).expect("compared");
        assert_eq!(compared.len(), 4, "{set}");
        for level in &compared {
            let row = |kind: &str| {
                expected
                    .where_eq("set", set)
                    .into_iter()
                    .find(|&r| {
                        expected.str(r, "kind") == kind && expected.str(r, "term") == level.level
                    })
                    .expect("R's row")
            };
            let ctx = format!("{set} {}", level.level);
            let share = row("share");
            let (p, se) = (
                expected.num(share, "estimate"),
                expected.num(share, "std_error"),
            );
            assert_close(level.share.value, p, TOL, &ctx);
            let logit = (p / (1.0 - p)).ln();
            let logit_se = se / (p * (1.0 - p));
            let expit = |x: f64| 1.0 / (1.0 + (-x).exp());
            assert_close(level.share.lower, expit(logit - Z * logit_se), TOL, &ctx);
            assert_close(level.share.upper, expit(logit + Z * logit_se), TOL, &ctx);
            let diff = row("difference");
            match &level.difference {
                Some(d) => {
                    let (v, se) = (
                        expected.num(diff, "estimate"),
                        expected.num(diff, "std_error"),
                    );
                    assert_close(d.value, v, TOL, &ctx);
                    assert_close(d.lower, v - Z * se, TOL, &ctx);
                    assert_close(d.upper, v + Z * se, TOL, &ctx);
                }
                None => assert_eq!(level.level, "lang", "only the reference has no difference"),
            }
        }
    }
}
