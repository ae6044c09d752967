//! The order of a dimension's levels and its reference level.
//!
//! Ordered dimensions run from the most disadvantaged level up (HEAT's `subgroup_order`, 1 =
//! most disadvantaged): education short, medium, long; income quintile 1 to 5. Other dimensions
//! read in their natural order (age groups and condition counts numerically, codes as text),
//! with the unknown level last.

use std::collections::BTreeMap;

use crate::spec::{Derived, Stratifier};
use crate::tidy::UNKNOWN;

/// The fixed order of a dimension's known levels, when it has one.
fn fixed_order(stratifier: &Stratifier) -> &'static [&'static str] {
    match stratifier {
        Stratifier::Derived(d) => d.fixed_levels(),
        Stratifier::Column(_) => &[],
    }
}

/// A sort key putting levels in reading order, unknown last.
pub fn level_rank(stratifier: &Stratifier, level: &str) -> (usize, i64, String) {
    if level == UNKNOWN {
        return (usize::MAX, 0, level.to_string());
    }
    let order = fixed_order(stratifier);
    if let Some(rank) = order.iter().position(|l| *l == level) {
        return (rank, 0, String::new());
    }
    // Age groups ("18-44", "80+") and numeric codes sort by their leading number.
    let digits: String = level.chars().take_while(char::is_ascii_digit).collect();
    (
        order.len(),
        digits.parse().unwrap_or(i64::MAX),
        level.to_string(),
    )
}

/// The position of a level in an ordered dimension (1 = most disadvantaged), `None` for the
/// unknown level or a non-ordered dimension.
pub fn order_of(stratifier: &Stratifier, level: &str) -> Option<u32> {
    if !stratifier.ordered() {
        return None;
    }
    fixed_order(stratifier)
        .iter()
        .position(|l| *l == level)
        .map(|p| p as u32 + 1)
}

/// The reference level for differences, ratios and odds ratios: the most advantaged level of an
/// ordered dimension (long education, the highest income quintile), Danish origin for origin,
/// and for other dimensions the level with the most patients (on a tie, the first in reading
/// order), among the candidate levels with their patients in `sizes`.
///
/// The reference is chosen before the outcome is looked at. HEAT's default for an unordered
/// dimension, the level with the best proportion, is chosen by the same data it is compared
/// with: the best of several noisy shares lies above its own truth on average (the winner's
/// curse), so every difference from it is biased away from 0 and its interval undercovers (0,89
/// of the regions' differences held the truth over `synth`'s draws). The largest level is also
/// the most precise one to compare with (Rothman, Greenland & Lash, *Modern Epidemiology*, 3rd
/// ed., ch. 15).
pub fn reference_level(stratifier: &Stratifier, sizes: &BTreeMap<String, f64>) -> Option<String> {
    let fixed = match stratifier {
        Stratifier::Derived(
            d @ (Derived::Education
            | Derived::IncomeQuintile
            | Derived::ParentalEducation
            | Derived::ParentalIncome),
        ) => d.fixed_levels().last().copied(),
        Stratifier::Derived(d @ (Derived::Origin | Derived::OriginWestern)) => {
            d.fixed_levels().first().copied()
        }
        _ => None,
    };
    if let Some(level) = fixed {
        return sizes.contains_key(level).then(|| level.to_string());
    }
    let mut known: Vec<(&String, f64)> = sizes
        .iter()
        .filter(|(l, _)| l.as_str() != UNKNOWN)
        .map(|(l, n)| (l, *n))
        .collect();
    known.sort_by_key(|(l, _)| level_rank(stratifier, l));
    // Largest first; `min_by` keeps the first of equals, so a tie goes to reading order.
    known
        .into_iter()
        .min_by(|a, b| b.1.total_cmp(&a.1))
        .map(|(l, _)| l.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_read_in_their_natural_order() {
        let age = Stratifier::Derived(Derived::AgeGroup);
        let mut levels = vec!["80+", UNKNOWN, "18-44", "45-64", "0-17"];
        levels.sort_by_key(|l| level_rank(&age, l));
        assert_eq!(levels, ["0-17", "18-44", "45-64", "80+", UNKNOWN]);
        let edu = Stratifier::Derived(Derived::Education);
        assert_eq!(order_of(&edu, "kort"), Some(1));
        assert_eq!(order_of(&edu, "lang"), Some(3));
        assert_eq!(order_of(&edu, UNKNOWN), None);
        assert_eq!(
            order_of(&Stratifier::Derived(Derived::Region), "1081"),
            None
        );
    }

    fn sizes(levels: &[(&str, f64)]) -> BTreeMap<String, f64> {
        levels.iter().map(|(l, n)| (l.to_string(), *n)).collect()
    }

    #[test]
    fn the_reference_is_the_largest_known_level_first_in_reading_order() {
        let region = Stratifier::Derived(Derived::Region);
        let regions = sizes(&[("1081", 10.0), ("1084", 30.0), (UNKNOWN, 90.0)]);
        assert_eq!(reference_level(&region, &regions).as_deref(), Some("1084"));
        let age = Stratifier::Derived(Derived::AgeGroup);
        let tied = sizes(&[("80+", 40.0), ("18-44", 40.0), ("45-64", 12.0)]);
        assert_eq!(reference_level(&age, &tied).as_deref(), Some("18-44"));
    }

    #[test]
    fn an_ordered_dimension_and_origin_have_their_fixed_reference_when_present() {
        let education = Stratifier::Derived(Derived::Education);
        let levels = sizes(&[("kort", 500.0), ("mellem", 400.0), ("lang", 10.0)]);
        assert_eq!(
            reference_level(&education, &levels).as_deref(),
            Some("lang")
        );
        let without = sizes(&[("kort", 500.0), ("mellem", 400.0)]);
        assert_eq!(reference_level(&education, &without), None);
        let origin = Stratifier::Derived(Derived::Origin);
        let first = Derived::Origin.fixed_levels()[0];
        let levels = sizes(&[(first, 5.0), ("zzz", 900.0)]);
        assert_eq!(reference_level(&origin, &levels).as_deref(), Some(first));
    }
}
