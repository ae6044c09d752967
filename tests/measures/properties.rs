use ulighed::measures::{dsr, proportion, rate};
use ulighed::rng::Rng;

use proptest::prelude::*;

proptest! {
    /// Wilson limits lie in [0, 1] and contain the proportion.
    #[test]
    fn wilson_interval_contains_estimate_within_unit_interval(
        n in 1.0f64..1e7, frac in 0.0f64..=1.0, conf in 0.5f64..0.9999
    ) {
        let x = (n * frac).floor();
        let e = proportion::wilson(x, n, conf).unwrap();
        prop_assert!(0.0 <= e.lower && e.lower <= e.value + 1e-12);
        prop_assert!(e.value <= e.upper + 1e-12 && e.upper <= 1.0);
    }

    /// Exact and Byar rate limits contain the rate.
    #[test]
    fn rate_interval_contains_estimate(x in 0u32..100_000, t in 1.0f64..1e8, conf in 0.8f64..0.999) {
        let e = rate::rate(f64::from(x), t, conf).unwrap();
        prop_assert!(e.lower <= e.value && e.value <= e.upper);
        prop_assert!(e.lower >= 0.0);
    }

    /// A DSR of identical age-specific rates equals that rate, whatever the
    /// standard; its Dobson interval contains it.
    #[test]
    fn dsr_of_identical_rates_is_that_rate(
        rate in 0.001f64..0.5, pops in prop::collection::vec(100.0f64..100_000.0, 19)
    ) {
        let events: Vec<f64> = pops.iter().map(|p| p * rate).collect();
        prop_assume!(events.iter().sum::<f64>() >= 10.0);
        let d = dsr::dsr(&events, &pops, &dsr::esp2013_weights(), 0.95).unwrap();
        prop_assert!((d.estimate.value - rate).abs() <= 1e-12 * rate.max(1.0));
        prop_assert!(d.estimate.lower <= d.estimate.value && d.estimate.value <= d.estimate.upper);
    }
}

/// Known truth for N(0, 1): mean 0, variance 1, P(|Z| < 1.96) = 0.95,
/// within Monte Carlo error of 400 000 draws; uniforms in [0, 1).
#[test]
fn rng_normals_have_standard_moments() {
    let mut rng = Rng::new(42, 0);
    let n = 400_000;
    let draws: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
    let mean = draws.iter().sum::<f64>() / n as f64;
    let var = draws.iter().map(|z| (z - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    let inside = draws.iter().filter(|z| z.abs() < 1.959963984540054).count() as f64 / n as f64;
    assert!(mean.abs() < 0.01, "mean {mean}");
    assert!((var - 1.0).abs() < 0.01, "variance {var}");
    assert!((inside - 0.95).abs() < 0.002, "coverage {inside}");
    let u: Vec<f64> = (0..1000).map(|_| rng.uniform()).collect();
    assert!(u.iter().all(|&x| (0.0..1.0).contains(&x)));
    let mut a = Rng::new(7, 0);
    let mut b = Rng::new(7, 0);
    assert!((0..100).all(|_| a.next_u64() == b.next_u64()));
}
