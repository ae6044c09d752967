//! Rounding of released counts to base 3 or 5, instead of or in addition to
//! suppression (Hundepool et al. 2012, ch. 5, on rounding frequency tables).
//!
//! * [`RoundingMethod::Conventional`]: to the nearest multiple of the base
//!   (bases 3 and 5 are odd, so there are no ties). Deterministic, but a
//!   table of conventionally rounded cells with rounded margins can sometimes
//!   be unpicked, so it is meant to be combined with suppression.
//! * [`RoundingMethod::Random`]: unbiased random rounding. A count
//!   `q * base + r` with `0 < r < base` is rounded up with probability
//!   `r / base` and down otherwise, so the expected rounded value equals the
//!   true one. The generator is the project's [`crate::rng::Rng`] seeded with `seed`
//!   and advanced once per non-multiple in input order, so a run is reproducible from the
//!   seed recorded in its manifest.
//!
//! Every cell is rounded independently: rounded interior cells need not add
//! up to their rounded margins (controlled rounding, which restores
//! additivity, is not implemented). Multiples of the base, including 0, are
//! never changed.

use crate::rng::Rng;
use serde::{Deserialize, Serialize};

/// The rounding base.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundingBase {
    /// Base 3.
    Three,
    /// Base 5.
    Five,
}

impl RoundingBase {
    /// The base as a number.
    pub fn value(self) -> u64 {
        match self {
            Self::Three => 3,
            Self::Five => 5,
        }
    }
}

/// How to choose between the two neighbouring multiples.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum RoundingMethod {
    /// Nearest multiple.
    Conventional,
    /// Unbiased random rounding with a recorded seed.
    Random { seed: u64 },
}

/// A rounding scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rounding {
    /// Base 3 or 5.
    pub base: RoundingBase,
    /// Conventional or random.
    pub method: RoundingMethod,
}

impl Rounding {
    /// Rounds every value (see the module docs for the order dependence of
    /// random rounding).
    pub fn round_all(&self, values: &[u64]) -> Vec<u64> {
        let base = self.base.value();
        let mut generator = match self.method {
            RoundingMethod::Conventional => None,
            RoundingMethod::Random { seed } => Some(Rng::new(seed, 0)),
        };
        values
            .iter()
            .map(|&value| {
                let remainder = value % base;
                let down = value - remainder;
                if remainder == 0 {
                    return value;
                }
                let round_up = match generator.as_mut() {
                    None => 2 * remainder > base,
                    Some(generator) => generator.below(base) < remainder,
                };
                if round_up {
                    down.saturating_add(base)
                } else {
                    down
                }
            })
            .collect()
    }
}

/// The unit the population a document names beside its patients is rounded to.
pub const POPULATION_UNIT: u64 = 1_000;

/// The population (residents in an analysis's ages and area) as a document prints it: to the
/// nearest thousand, halves up. Exact, it would be a count that changes between deliveries and
/// analyses by a handful of persons (a newborn, an emigrant, one more year of age), which the
/// disclosure rule forbids releasing by subtraction; Statistics Denmark's tables give the exact
/// figure, and the thousands are what the reader needs to set the patients against.
pub fn population_rounded(persons: u64) -> u64 {
    (persons + POPULATION_UNIT / 2) / POPULATION_UNIT * POPULATION_UNIT
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conventional_rounding_to_nearest_multiple() {
        let five = Rounding {
            base: RoundingBase::Five,
            method: RoundingMethod::Conventional,
        };
        assert_eq!(
            five.round_all(&[0, 1, 2, 3, 4, 5, 7, 8, 12]),
            vec![0, 0, 0, 5, 5, 5, 5, 10, 10]
        );
        let three = Rounding {
            base: RoundingBase::Three,
            ..five
        };
        assert_eq!(three.round_all(&[0, 1, 2, 3, 4, 5]), vec![0, 0, 3, 3, 3, 6]);
    }

    #[test]
    fn random_rounding_is_reproducible_unbiased_and_adjacent() {
        let random = Rounding {
            base: RoundingBase::Five,
            method: RoundingMethod::Random { seed: 42 },
        };
        let values: Vec<u64> = (0..20_000).map(|i| 100 + i % 5).collect();
        let rounded = random.round_all(&values);
        assert_eq!(rounded, random.round_all(&values));
        assert!(
            rounded
                .iter()
                .zip(&values)
                .all(|(r, v)| r % 5 == 0 && r.abs_diff(*v) < 5)
        );
        let true_sum: u64 = values.iter().sum();
        let rounded_sum: u64 = rounded.iter().sum();
        // Expected difference 0; standard deviation about 2.0 * sqrt(20000) ≈ 283.
        assert!(
            true_sum.abs_diff(rounded_sum) < 1_500,
            "{true_sum} vs {rounded_sum}"
        );
        let other_seed = Rounding {
            method: RoundingMethod::Random { seed: 7 },
            ..random
        };
        assert_ne!(rounded, other_seed.round_all(&values));
    }

    /// The population is printed to the nearest thousand: two populations a handful of persons
    /// apart print alike, and a half rounds up.
    #[test]
    fn the_population_is_printed_in_thousands() {
        assert_eq!(population_rounded(4_812_499), 4_812_000);
        assert_eq!(population_rounded(4_812_500), 4_813_000);
        assert_eq!(population_rounded(4_812_003), population_rounded(4_811_998));
        assert_eq!(population_rounded(499), 0);
        assert_eq!(population_rounded(0), 0);
    }
}
