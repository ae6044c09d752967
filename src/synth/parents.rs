//! Parents of the synthetic children and young people: each person young enough for the
//! population register to name their parents (`MOR_ID`, `FAR_ID`: born 25 years or less before
//! the span) is linked to a woman and a man drawn earlier in the same chunk of persons, 20 to 40
//! and 22 to 45 years older. A child's family income is the family's, as in the income register,
//! where `FAMAEKVIVADISP` is the family's equivalised income: a linked child takes the mother's
//! income rank (the father's without a mother), so children's incomes stay uniform within their
//! sex and age (each parent's rank is) and the latent quintile is still the registers' one.
//! Parents are chosen by a hash of the child's index ([`super::clock`]), so the persons' random
//! streams are as they were. Some children get no parent of an age (the chunk's first persons,
//! and a missing link is real too: immigrants' parents abroad).

use std::collections::BTreeMap;

use super::clock;
use super::population::{Parent, Person};
use crate::dates;

/// The youngest and oldest a mother and a father are at the birth, in years.
const MOTHER_AGES: (i32, i32) = (20, 40);
const FATHER_AGES: (i32, i32) = (22, 45);
/// How many years from the drawn parent's birth year the search goes either way.
const SEARCH_YEARS: i32 = 3;

/// The persons drawn so far in a chunk who may be parents, by sex and birth year.
#[derive(Default)]
pub struct Candidates {
    by_year: [BTreeMap<i32, Vec<Parent>>; 2],
}

impl Candidates {
    /// Keeps `person` (with the last day of their life in Denmark) as a possible parent.
    pub fn add(&mut self, person: &Person, end: i32) {
        let sex = usize::from(person.female);
        self.by_year[sex]
            .entry(dates::year_of(person.born))
            .or_default()
            .push(Parent {
                person: Person {
                    mother: None,
                    father: None,
                    ..person.clone()
                },
                end,
            });
    }

    /// A parent of sex `female` born `ages` years before `child` was, chosen by the child's
    /// index and `salt`.
    fn pick(&self, child: &Person, female: bool, ages: (i32, i32), salt: u64) -> Option<Parent> {
        let key = child.index as i64;
        let gap = clock::between(key, salt, ages.0, ages.1);
        let year = dates::year_of(child.born) - gap;
        let years = &self.by_year[usize::from(female)];
        (0..=SEARCH_YEARS)
            .flat_map(|d| [year - d, year + d])
            .find_map(|y| {
                let list = years.get(&y).filter(|l| !l.is_empty())?;
                let at = clock::between(key, salt + 1, 0, list.len() as i32 - 1) as usize;
                Some(list[at].clone())
            })
    }
}

/// Whether a person born on `born` has parents in the population register of a span starting
/// in `first_year`.
pub fn linked(born: i32, first_year: i32) -> bool {
    dates::year_of(born) >= first_year - 25
}

/// Links `child` to parents among `candidates`, and gives them the family's income rank.
pub fn link(child: &mut Person, candidates: &Candidates) {
    let mother = candidates.pick(child, true, MOTHER_AGES, 31);
    let father = candidates.pick(child, false, FATHER_AGES, 33);
    if let Some(rank) = mother
        .as_ref()
        .or(father.as_ref())
        .map(|p| p.person.income_rank)
    {
        child.income_rank = rank;
    }
    child.mother = mother.map(Box::new);
    child.father = father.map(Box::new);
}
