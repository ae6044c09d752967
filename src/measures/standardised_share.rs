//! A share among patients, directly standardised to the patients' own distribution by age
//! (and sex), with an interval that stays inside 0-100 %.
//!
//! The standard is the patient group itself, not a general population: a share among AMI
//! patients standardised to ESP2013 describes patients of a general population's ages, which no
//! patient group has, and its Dobson interval (made for rates) passes 100 %. With the patients
//! as the standard, the standardised share of the whole group equals its crude share, and a
//! level's standardised share is the share it would have with the whole group's ages (Rothman,
//! Greenland & Lash, *Modern Epidemiology*, 3rd ed., ch. 4, "internal standard").
//!
//! The interval is Wilson's score interval on the effective sample size: the count of
//! independent persons whose simple share would be as precise as the standardised one, n* =
//! p(1 - p) / v with v the standardised share's variance, as Korn & Graubard (1998) set it for
//! weighted shares and the NCHS data presentation standards for proportions (Parker et al. 2017)
//! use it; Dean & Pagano (2015) found Wilson's interval on n* holds its coverage where the Wald
//! interval does not. The variance Σ wₖ²·p̃ₖ(1 - p̃ₖ)/nₖ takes each stratum's share at its
//! Jeffreys posterior mean p̃ₖ = (dₖ + ½)/(nₖ + 1) (Brown, Cai & DasGupta 2001), so that a small
//! stratum where nobody or everybody had the outcome still adds its uncertainty: with the raw
//! shares, 4-8 age bands of 5-400 patients covered the truth in as few as 63-89 % of draws when
//! a thin band had a share near 0 or 1; with p̃ₖ, 94-96 % (the coverage test below). Where the
//! share is 0 or 1, n* is Kish's effective sample size of the weights, 1/Σ(wₖ²/nₖ) (Kish 1965).

use super::interval::{Estimate, MeasureError, non_negative};
use super::proportion::wilson;

/// One age (and sex) stratum of a level: its persons, those with the outcome, and the
/// standard's weight (the whole patient group's persons in the stratum).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stratum {
    pub events: f64,
    pub persons: f64,
    pub weight: f64,
}

/// The strata in age order with each stratum the level has nobody in merged with its older
/// neighbour (the oldest with its younger one), weights and counts summed: a standard's band
/// the level has no persons in cannot be weighted, and a coarser band keeps every patient's
/// weight in the standard. Strata the standard gives no weight are dropped. `None` when the
/// level has nobody in any weighted stratum.
pub fn merge_empty(strata: &[Stratum]) -> Option<Vec<Stratum>> {
    let mut merged: Vec<Stratum> = Vec::new();
    let mut pending: Option<Stratum> = None;
    for s in strata.iter().filter(|s| s.weight > 0.0) {
        let current = match pending.take() {
            Some(p) => Stratum {
                events: p.events + s.events,
                persons: p.persons + s.persons,
                weight: p.weight + s.weight,
            },
            None => *s,
        };
        if current.persons > 0.0 {
            merged.push(current);
        } else {
            pending = Some(current);
        }
    }
    if let Some(rest) = pending {
        let last = merged.last_mut()?;
        last.events += rest.events;
        last.persons += rest.persons;
        last.weight += rest.weight;
    }
    (!merged.is_empty()).then_some(merged)
}

/// The directly standardised share Σ wₖ·dₖ/nₖ / Σ wₖ on the 0-1 scale, with Wilson's interval
/// on the effective sample size (module doc). Every stratum must have persons (merge empty ones
/// first with [`merge_empty`]).
pub fn standardised_share(strata: &[Stratum], confidence: f64) -> Result<Estimate, MeasureError> {
    let mut total_weight = 0.0;
    for s in strata {
        non_negative("weight", s.weight)?;
        let n = non_negative("persons", s.persons)?;
        let d = non_negative("events", s.events)?;
        if d > n {
            return Err(MeasureError::NumeratorExceedsDenominator {
                numerator: d,
                denominator: n,
            });
        }
        if n == 0.0 && s.weight > 0.0 {
            return Err(MeasureError::ZeroDenominator {
                what: "persons of a weighted stratum",
            });
        }
        total_weight += s.weight;
    }
    if total_weight <= 0.0 {
        return Err(MeasureError::ZeroDenominator {
            what: "the standard's weight",
        });
    }
    let (mut share, mut variance, mut kish) = (0.0, 0.0, 0.0);
    for s in strata.iter().filter(|s| s.weight > 0.0) {
        let w = s.weight / total_weight;
        share += w * s.events / s.persons;
        let jeffreys = (s.events + 0.5) / (s.persons + 1.0);
        variance += w * w * jeffreys * (1.0 - jeffreys) / s.persons;
        kish += w * w / s.persons;
    }
    let spread = share * (1.0 - share);
    let effective = if spread > 0.0 {
        spread / variance
    } else {
        1.0 / kish
    };
    // Wilson on (share · n*, n*): n* need not be a whole number.
    let interval = wilson(share * effective, effective, confidence)?;
    Ok(Estimate {
        value: share,
        lower: interval.lower,
        upper: interval.upper,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    fn stratum(events: f64, persons: f64, weight: f64) -> Stratum {
        Stratum {
            events,
            persons,
            weight,
        }
    }

    /// Known truth: with the level's own persons as the standard, direct standardisation gives
    /// the crude share (Σ nₖ·dₖ/nₖ / Σ nₖ = Σ dₖ / Σ nₖ), and its interval is then Wilson's on
    /// the effective persons, inside 0-1.
    #[test]
    fn the_own_distribution_as_standard_gives_the_crude_share() {
        let strata = [
            stratum(3.0, 40.0, 40.0),
            stratum(30.0, 60.0, 60.0),
            stratum(45.0, 50.0, 50.0),
        ];
        let e = standardised_share(&strata, 0.95).unwrap();
        assert!((e.value - 78.0 / 150.0).abs() < 1e-12, "{e:?}");
        assert!(0.0 <= e.lower && e.lower < e.value && e.value < e.upper && e.upper <= 1.0);
    }

    /// Known truth by hand: 2/10 and 8/10 weighted 3:1 give 0.75·0.2 + 0.25·0.8 = 0.35; the
    /// Jeffreys means are 2.5/11 and 8.5/11, so v = (0.75² + 0.25²)·(2.5·8.5/121)/10 =
    /// 0.0109762 and n* = 0.35·0.65/v = 20.7266: the interval is Wilson's for 0.35·n* of n*.
    #[test]
    fn the_interval_is_wilsons_on_the_effective_sample_size() {
        let strata = [stratum(2.0, 10.0, 3.0), stratum(8.0, 10.0, 1.0)];
        let e = standardised_share(&strata, 0.95).unwrap();
        assert!((e.value - 0.35).abs() < 1e-12);
        let v: f64 = 0.625 * (2.5 * 8.5 / 121.0) / 10.0;
        let n = 0.35 * 0.65 / v;
        assert!((n - 20.7266).abs() < 1e-4, "{n}");
        let w = wilson(0.35 * n, n, 0.95).unwrap();
        assert!((e.lower - w.lower).abs() < 1e-12 && (e.upper - w.upper).abs() < 1e-12);
    }

    /// Known truth by hand: nobody with the outcome in 10 and 20 persons weighted 1:1 gives 0 %
    /// with Kish's n* = 1/(0.25/10 + 0.25/20) = 26.667: Wilson's interval for 0 of 26.667.
    #[test]
    fn a_share_of_zero_takes_kishs_effective_sample_size() {
        let strata = [stratum(0.0, 10.0, 1.0), stratum(0.0, 20.0, 1.0)];
        let e = standardised_share(&strata, 0.95).unwrap();
        let w = wilson(0.0, 1.0 / 0.0375, 0.95).unwrap();
        assert_eq!((e.value, e.lower), (0.0, 0.0));
        assert!((e.upper - w.upper).abs() < 1e-12 && e.upper > 0.0, "{e:?}");
    }

    #[test]
    fn strata_without_persons_are_merged_with_a_neighbour() {
        let strata = [
            stratum(0.0, 0.0, 5.0),
            stratum(1.0, 4.0, 10.0),
            stratum(0.0, 0.0, 0.0),
            stratum(2.0, 3.0, 7.0),
            stratum(0.0, 0.0, 2.0),
        ];
        let merged = merge_empty(&strata).unwrap();
        assert_eq!(
            merged,
            vec![stratum(1.0, 4.0, 15.0), stratum(2.0, 3.0, 9.0)],
            "the youngest empty band joins the next, the oldest the previous, an unweighted one is dropped"
        );
        assert_eq!(merge_empty(&[stratum(0.0, 0.0, 4.0)]), None);
        assert!(standardised_share(&[stratum(0.0, 0.0, 4.0)], 0.95).is_err());
    }

    /// Binomial draw by summing Bernoulli trials (small n only).
    fn binomial(rng: &mut Rng, n: u64, p: f64) -> f64 {
        (0..n).filter(|_| rng.bernoulli(p)).count() as f64
    }

    /// Coverage against a known truth: strata with known shares and sizes as small patient
    /// groups have them (rare outcomes in the young, common ones in the old, a thin oldest band),
    /// standardised to fixed weights; over 4,000 draws each, the 95 % interval covers the true
    /// standardised share in 93-97 % of draws, and never leaves 0-1.
    #[test]
    fn the_interval_covers_the_true_standardised_share() {
        let scenarios: [&[(u64, f64, f64)]; 4] = [
            &[
                (40, 0.05, 30.0),
                (80, 0.2, 50.0),
                (60, 0.5, 40.0),
                (12, 0.8, 20.0),
            ],
            &[
                (200, 0.7, 10.0),
                (300, 0.75, 10.0),
                (150, 0.85, 30.0),
                (30, 0.9, 50.0),
            ],
            &[
                (25, 0.1, 1.0),
                (25, 0.3, 1.0),
                (25, 0.5, 1.0),
                (25, 0.7, 1.0),
            ],
            &[
                (500, 0.02, 3.0),
                (400, 0.04, 2.0),
                (100, 0.10, 1.0),
                (20, 0.2, 1.0),
            ],
        ];
        for (i, scenario) in scenarios.iter().enumerate() {
            let total: f64 = scenario.iter().map(|s| s.2).sum();
            let truth: f64 = scenario.iter().map(|s| s.1 * s.2 / total).sum();
            let mut rng = Rng::new(35, i as u64);
            let draws = 4000;
            let mut covered = 0;
            for _ in 0..draws {
                let strata: Vec<Stratum> = scenario
                    .iter()
                    .map(|&(n, p, w)| stratum(binomial(&mut rng, n, p), n as f64, w))
                    .collect();
                let e = standardised_share(&strata, 0.95).unwrap();
                assert!(0.0 <= e.lower && e.upper <= 1.0, "{e:?}");
                if e.lower <= truth && truth <= e.upper {
                    covered += 1;
                }
            }
            let coverage = covered as f64 / draws as f64;
            println!("standardised share, scenario {i}: coverage {coverage:.3} (truth {truth:.4})");
            assert!(
                (0.93..=0.97).contains(&coverage),
                "scenario {i}: coverage {coverage}"
            );
        }
    }
}
