use ulighed::measures::{interval::MeasureError, regression};

use crate::common;
use common::{Table, assert_close};

/// R's glm() converges to about 1e-12 relative change in deviance
/// (`epsilon = 1e-12` in the fixture script); coefficients agree to ~1e-8.
const TOL: f64 = 1e-7;

const TERMS: [&str; 4] = ["educ_mid", "educ_high", "female", "agegrp"];

fn data() -> (Table, Vec<Vec<f64>>) {
    let t = Table::load("regression_data.csv");
    let x = (0..t.len())
        .map(|r| TERMS.iter().map(|c| t.num(r, c)).collect())
        .collect();
    (t, x)
}

fn check(model: &str, fit: &regression::GlmFit) {
    let expected = Table::load("regression_glm_results.csv");
    let rows = expected.where_eq("model", model);
    assert_eq!(rows.len(), fit.coefficients.len());
    let ratios = regression::ratios(fit, 0.95).unwrap();
    for (j, &r) in rows.iter().enumerate() {
        let ctx = format!("{model} {}", expected.str(r, "term"));
        assert_close(fit.coefficients[j], expected.num(r, "estimate"), TOL, &ctx);
        assert_close(fit.std_errors[j], expected.num(r, "std_error"), TOL, &ctx);
        assert_close(ratios[j].value, expected.num(r, "ratio"), TOL, &ctx);
        assert_close(ratios[j].lower, expected.num(r, "ratio_lower"), TOL, &ctx);
        assert_close(ratios[j].upper, expected.num(r, "ratio_upper"), TOL, &ctx);
        assert_close(fit.deviance, expected.num(r, "deviance"), TOL, &ctx);
        assert_eq!(fit.df_residual as f64, expected.num(r, "df_residual"));
    }
}

#[test]
fn poisson_rate_model_matches_r_glm() {
    let (t, x) = data();
    let all: Vec<usize> = (0..t.len()).collect();
    let fit = regression::poisson_rates(&x, &t.nums(&all, "events"), &t.nums(&all, "person_years"))
        .unwrap();
    check("poisson", &fit);
}

#[test]
fn logistic_count_model_matches_r_glm() {
    let (t, x) = data();
    let all: Vec<usize> = (0..t.len()).collect();
    let fit =
        regression::logistic_counts(&x, &t.nums(&all, "cases"), &t.nums(&all, "persons")).unwrap();
    check("binomial", &fit);
}

#[test]
fn regression_errors() {
    let (t, x) = data();
    let all: Vec<usize> = (0..t.len()).collect();
    let mut py = t.nums(&all, "person_years");
    py[3] = 0.0;
    assert!(matches!(
        regression::poisson_rates(&x, &t.nums(&all, "events"), &py),
        Err(MeasureError::ZeroDenominator { .. })
    ));
    // Collinear covariates (a column repeated).
    let collinear: Vec<Vec<f64>> = x.iter().map(|r| vec![r[0], r[0]]).collect();
    assert!(matches!(
        regression::logistic_counts(&collinear, &t.nums(&all, "cases"), &t.nums(&all, "persons")),
        Err(MeasureError::Undefined { .. })
    ));
    assert!(matches!(
        regression::logistic_counts(&x[..3], &[1.0, 2.0, 3.0], &[10.0, 10.0, 10.0]),
        Err(MeasureError::WrongGroupCount { .. })
    ));
    assert!(matches!(
        regression::logistic_counts(&x[..1], &[11.0], &[10.0]),
        Err(MeasureError::NumeratorExceedsDenominator { .. })
    ));
}
