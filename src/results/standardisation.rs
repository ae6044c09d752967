//! A level's share standardised to the outcome's own patients
//! ([`crate::measures::standardised_share`]): over age groups and sex, or over the one of them
//! the dimension is not (age alone for the sex dimension, sex alone for the age groups).

use crate::aggregate::LevelCounts;
use crate::measures::standardised_share::{Stratum, merge_empty, standardised_share};
use crate::spec::{Derived, Stratifier};

/// The method's name in the tidy table: direct standardisation to the patients, Wilson's
/// interval on the effective sample size.
pub const METHOD: &str = "std-patients-wilson";

/// The note of a standardised share.
pub const STANDARD_NOTE: &str = "standard: patienterne";

/// The note of a standardised share whose empty age groups were merged with a neighbour's.
pub const MERGED_NOTE: &str =
    "standard: patienterne; aldersgrupper uden personer i gruppen slået sammen med nabogruppen";

/// Broad age groups (first 5-year band of each): 5-year bands are too sparse in small levels,
/// so the bands of a group are pooled.
const BROAD_AGE_GROUPS: [usize; 8] = [0, 3, 6, 9, 11, 13, 15, 17];

/// The broad age group (0-7) of a 5-year age band (0-18).
pub fn broad_age_group(band: i32) -> usize {
    let band = band.clamp(0, 18) as usize;
    BROAD_AGE_GROUPS
        .iter()
        .rposition(|&start| start <= band)
        .unwrap_or(0)
}

/// What a dimension's levels are standardised over: what they do not already differ by.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Over {
    AgeAndSex,
    Age,
    Sex,
}

impl Over {
    fn of(stratifier: &Stratifier) -> Over {
        match stratifier {
            Stratifier::Derived(Derived::Sex) => Over::Age,
            Stratifier::Derived(Derived::AgeGroup) => Over::Sex,
            _ => Over::AgeAndSex,
        }
    }
}

/// The age-group strata of one sex (or both) of a level, weighted by the patient group's
/// persons in them.
fn age_strata(level: &LevelCounts, total: &LevelCounts, sexes: &[usize]) -> Vec<Stratum> {
    BROAD_AGE_GROUPS
        .iter()
        .enumerate()
        .map(|(g, &start)| {
            let end = BROAD_AGE_GROUPS.get(g + 1).copied().unwrap_or(19);
            let sum = |v: &[[u64; 19]; 2]| {
                sexes
                    .iter()
                    .map(|&s| v[s][start..end].iter().sum::<u64>())
                    .sum::<u64>() as f64
            };
            Stratum {
                events: sum(&level.events),
                persons: sum(&level.persons),
                weight: sum(&total.persons),
            }
        })
        .collect()
}

fn sex_word(sex: usize) -> &'static str {
    if sex == 0 { "mænd" } else { "kvinder" }
}

/// The standardised share of `level` (0-1 scale, with its interval) and its note, or why it is
/// not computed, in words: a level with nobody of a sex the patient group has cannot stand for
/// that sex, while an age group it has nobody in is merged with its neighbour.
pub fn standardised(
    level: &LevelCounts,
    total: &LevelCounts,
    stratifier: &Stratifier,
    confidence: f64,
) -> std::result::Result<(f64, f64, f64, &'static str), String> {
    let persons_of = |c: &LevelCounts, sex: usize| c.persons[sex].iter().sum::<u64>();
    let missing_sex = (0..2).find(|&s| persons_of(total, s) > 0 && persons_of(level, s) == 0);
    let strata_by_sex: Vec<Vec<Stratum>> = match Over::of(stratifier) {
        Over::Age => vec![age_strata(level, total, &[0, 1])],
        Over::AgeAndSex | Over::Sex if missing_sex.is_some() => {
            let sex = missing_sex.map(sex_word).unwrap_or_default();
            return Err(format!("ikke standardiseret: ingen {sex} i denne gruppe"));
        }
        Over::AgeAndSex => vec![
            age_strata(level, total, &[0]),
            age_strata(level, total, &[1]),
        ],
        Over::Sex => vec![
            (0..2)
                .map(|s| Stratum {
                    events: level.events[s].iter().sum::<u64>() as f64,
                    persons: persons_of(level, s) as f64,
                    weight: persons_of(total, s) as f64,
                })
                .collect(),
        ],
    };
    let mut strata = Vec::new();
    let mut merged = false;
    for group in &strata_by_sex {
        let weighted = group.iter().filter(|s| s.weight > 0.0).count();
        if let Some(kept) = merge_empty(group) {
            merged |= kept.len() < weighted;
            strata.extend(kept);
        }
    }
    let estimate = standardised_share(&strata, confidence).map_err(|e| e.to_string())?;
    let note = if merged { MERGED_NOTE } else { STANDARD_NOTE };
    Ok((estimate.value, estimate.lower, estimate.upper, note))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A level with `persons` in each of bands 8-18 of both sexes (more in older bands, more
    /// women), a fifth of them with the outcome.
    fn flat(persons: u64) -> LevelCounts {
        let mut c = LevelCounts::default();
        for sex in 0..2 {
            for band in 8..19 {
                c.persons[sex][band] = persons * (band as u64 - 6) * (sex as u64 + 1);
                c.events[sex][band] = c.persons[sex][band] / 5;
            }
        }
        c
    }

    fn education() -> Stratifier {
        Stratifier::Derived(Derived::Education)
    }

    /// Known truth: the whole patient group standardised to itself is its crude share, and a
    /// level with the same share in every stratum is that share whatever its ages.
    #[test]
    fn the_patient_group_standardised_to_itself_is_its_crude_share() {
        let total = flat(40);
        let (value, lower, upper, note) = standardised(&total, &total, &education(), 0.95).unwrap();
        let crude = total.events() as f64 / total.persons() as f64;
        assert!((value - crude).abs() < 1e-12, "{value} {crude}");
        assert!(0.0 <= lower && lower < value && value < upper && upper <= 1.0);
        assert_eq!(note, STANDARD_NOTE);
        let (value, ..) = standardised(&flat(10), &total, &education(), 0.95).unwrap();
        assert!((value - 0.2).abs() < 1e-12);
    }

    /// Known truth by hand: a level of young men with 10 % and old men with 50 %, among
    /// patients who are a quarter young: standardised 0.25·0.1 + 0.75·0.5 = 0.4 where the crude
    /// share of the level (90 young, 10 old) is 0.14.
    #[test]
    fn a_level_takes_the_patient_groups_ages() {
        let mut level = LevelCounts::default();
        level.persons[0][4] = 90;
        level.events[0][4] = 9;
        level.persons[0][16] = 10;
        level.events[0][16] = 5;
        let mut total = level.clone();
        total.persons[0][4] += 10;
        total.persons[0][16] += 290;
        let (value, ..) = standardised(&level, &total, &education(), 0.95).unwrap();
        assert!((value - 0.4).abs() < 1e-12, "{value}");
    }

    /// An age group the level has nobody in is merged with its neighbour and said so; a sex it
    /// has nobody of is named, except in the sex dimension, which is standardised by age alone.
    #[test]
    fn empty_age_groups_are_merged_and_a_missing_sex_is_named() {
        let mut level = flat(10);
        for band in [17, 18] {
            level.persons[1][band] = 0;
            level.events[1][band] = 0;
        }
        let (.., note) = standardised(&level, &flat(40), &education(), 0.95).unwrap();
        assert_eq!(note, MERGED_NOTE);

        let mut men = flat(10);
        men.persons[1] = [0; 19];
        men.events[1] = [0; 19];
        let why = standardised(&men, &flat(40), &education(), 0.95).unwrap_err();
        assert_eq!(why, "ikke standardiseret: ingen kvinder i denne gruppe");
        let sex = Stratifier::Derived(Derived::Sex);
        let (value, ..) = standardised(&men, &flat(40), &sex, 0.95).unwrap();
        assert!((value - 0.2).abs() < 1e-12, "{value}");
    }

    /// Known truth by hand: by age group, sex alone is standardised: men 1/10 and women 6/10 in
    /// the level, the patients 3 men to 1 woman: 0.75·0.1 + 0.25·0.6 = 0.225.
    #[test]
    fn age_groups_are_standardised_by_sex_alone() {
        let mut level = LevelCounts::default();
        level.persons[0][3] = 10;
        level.events[0][3] = 1;
        level.persons[1][12] = 10;
        level.events[1][12] = 6;
        let mut total = LevelCounts::default();
        total.persons[0][5] = 300;
        total.persons[1][9] = 100;
        let age = Stratifier::Derived(Derived::AgeGroup);
        let (value, ..) = standardised(&level, &total, &age, 0.95).unwrap();
        assert!((value - 0.225).abs() < 1e-12, "{value}");
    }
}
