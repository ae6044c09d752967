//! The order of a dimension's levels and its reference level.
//!
//! Ordered dimensions run from the most disadvantaged level up (HEAT's `subgroup_order`, 1 =
//! most disadvantaged): education short, medium, long; income quintile 1 to 5. Other dimensions
//! read in their natural order (age groups and condition counts numerically, codes as text),
//! with the unknown level last.

use std::collections::BTreeMap;

use crate::measures::subgroup::Polarity;
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

/// The reference level for differences and ratios: the most advantaged level of an ordered
/// dimension (long education, the highest income quintile), Danish origin for origin, and for
/// other dimensions the level with the best proportion (highest for a favourable outcome, lowest
/// for an adverse one: HEAT's choice without a user reference).
pub fn reference_level(
    stratifier: &Stratifier,
    crude: &BTreeMap<String, f64>,
    polarity: Polarity,
) -> Option<String> {
    let fixed = match stratifier {
        Stratifier::Derived(d @ (Derived::Education | Derived::IncomeQuintile)) => {
            d.fixed_levels().last().copied()
        }
        Stratifier::Derived(d @ (Derived::Origin | Derived::OriginWestern)) => {
            d.fixed_levels().first().copied()
        }
        _ => None,
    };
    if let Some(level) = fixed {
        return crude.contains_key(level).then(|| level.to_string());
    }
    let known = crude.iter().filter(|(l, _)| l.as_str() != UNKNOWN);
    let best = match polarity {
        Polarity::Favourable => known.max_by(|a, b| a.1.total_cmp(b.1)),
        Polarity::Adverse => known.min_by(|a, b| a.1.total_cmp(b.1)),
    };
    best.map(|(l, _)| l.clone())
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

    #[test]
    fn the_reference_is_the_best_level_by_polarity() {
        let crude: BTreeMap<String, f64> = [
            ("a".to_string(), 10.0),
            ("b".to_string(), 30.0),
            (UNKNOWN.to_string(), 90.0),
        ]
        .into_iter()
        .collect();
        let region = Stratifier::Derived(Derived::Region);
        assert_eq!(
            reference_level(&region, &crude, Polarity::Favourable).as_deref(),
            Some("b")
        );
        assert_eq!(
            reference_level(&region, &crude, Polarity::Adverse).as_deref(),
            Some("a")
        );
    }
}
