//! Synthetic persons: the attributes the population, education and income registers carry.
//!
//! The shape follows Denmark: an age pyramid by 5-year band (Statistics Denmark, FOLK1A 2024,
//! rounded), the 98 municipalities weighted by population, origin shares (about 86% Danish origin,
//! 10% immigrants, 4% descendants, descendants younger), and education correlated with income.
//!
//! Income is generated from a latent rank `u` that is uniform on [0, 1) in every sex and age group,
//! so the income quintile a person falls in (cut within sex x 5-year age group x year, as the
//! SEPLINE guideline does) is `floor(5u) + 1` up to sampling noise in the cut points. Education is
//! drawn given `u`, which makes the two correlated without disturbing that uniformity.

use crate::dates;
use crate::registers::codes::{EducationGroup, H_GROUPS, REGIONS, municipalities};
use crate::rng::{Rng, cumulative};

/// Persons per 5-year age band 0-4 ... 95-99 on 1 January (thousands, Denmark 2024, rounded).
const AGE_PYRAMID: [f64; 20] = [
    300.0, 315.0, 340.0, 345.0, 380.0, 410.0, 370.0, 340.0, 355.0, 390.0, 410.0, 400.0, 360.0,
    330.0, 320.0, 270.0, 170.0, 90.0, 40.0, 10.0,
];

/// National shares of the final H-group (H10 ... H90) before the income gradient is applied.
const EDUCATION_SHARES: [f64; 11] = [
    0.20, 0.02, 0.08, 0.31, 0.02, 0.05, 0.15, 0.03, 0.11, 0.01, 0.02,
];

/// Yearly chances of the life events that open the population, near Denmark's (Statistics
/// Denmark, BEV22 and VAN1AAR/VAN2AAR, 2015-2024, rounded): a move to another municipality, and
/// emigration. Immigrants arrive during the span and children are born in it as
/// [`draw_person`] says.
const MOVE_PER_YEAR: f64 = 0.04;
const EMIGRATION_PER_YEAR: f64 = 0.008;
/// The share of immigrants who arrive in each year of the span (the rest were resident before
/// it): about 1% of the population a year.
const IMMIGRANTS_ARRIVING_PER_YEAR: f64 = 0.1;
/// The share of the youngest age band (0-4 on the span's first 1 January) that is instead born
/// in each year of the span: about 1% of the population a year.
const BORN_PER_YEAR: f64 = 0.2;

/// A move to another municipality, from its day on.
#[derive(Debug, Clone, Copy)]
pub struct Move {
    pub day: i32,
    pub municipality: u16,
    pub region_index: usize,
    pub hospital: usize,
}

/// Where a person lives: municipality, region (index into [`REGIONS`]) and catchment hospital.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Residence {
    pub municipality: u16,
    pub region_index: usize,
    pub hospital: usize,
}

/// A synthetic person over the span. The population is open: a person may be born or immigrate
/// during the span (`arrived`), move once to another municipality (`moved`) and emigrate
/// (`left`); the population register of a year holds those resident on its 1 January, and the
/// events of a person fall within their time in Denmark.
#[derive(Debug, Clone)]
pub struct Person {
    /// Position in the generated population; the contact keys derive from it.
    pub index: u64,
    pub pnr: String,
    pub born: i32,
    /// See [`dates::jan1_age_base`].
    pub jan1_age_base: i32,
    pub female: bool,
    pub municipality: u16,
    /// 0..5, index into [`REGIONS`].
    pub region_index: usize,
    /// Index into [`super::hospitals::HOSPITALS`] of the person's catchment hospital.
    pub hospital: usize,
    /// `IE_TYPE`: 1 Danish origin, 2 immigrant, 3 descendant.
    pub origin: u8,
    /// Latent income rank, uniform on [0, 1) within sex and age.
    pub income_rank: f64,
    /// Final H-group (10 ... 90) and `HFAUDD` code (H-group * 100 + a sub-code).
    pub education_h: u8,
    pub hfaudd: u16,
    /// The first day in Denmark: the day of birth or immigration during the span, or a day
    /// before the span for those resident at its start.
    pub arrived: i32,
    /// The day of emigration, `i32::MAX` for those who stay.
    pub left: i32,
    pub moved: Option<Move>,
    /// The first year the registers describe (the span's), where a status of the year before a
    /// patient's index year is read from when there is none before it.
    pub first_year: i32,
    /// The parents the population register names (`MOR_ID`, `FAR_ID`), for those young
    /// enough to have them linked ([`super::parents`]); `None` where unknown.
    pub mother: Option<Box<Parent>>,
    pub father: Option<Box<Parent>>,
}

/// A parent as their child's strata read them: the person, and the last day of their life in
/// Denmark (death or emigration), after which the registers hold no row of them.
#[derive(Debug, Clone)]
pub struct Parent {
    pub person: Person,
    pub end: i32,
}

impl Parent {
    /// Whether the population register of `year` holds the parent (alive and resident on 1
    /// January), as `synth` writes it.
    pub fn registered_in(&self, year: i32) -> bool {
        let jan1 = dates::jan1(year);
        jan1 <= self.end && self.person.present_on(jan1)
    }
}

/// Shared lookup tables, built once per run.
pub struct PopulationTables {
    age_cumulative: Vec<f64>,
    municipality_cumulative: Vec<f64>,
    education_cumulative: Vec<f64>,
}

impl PopulationTables {
    pub fn new() -> PopulationTables {
        let weights: Vec<f64> = municipalities()
            .iter()
            .map(|m| m.population_thousands)
            .collect();
        PopulationTables {
            age_cumulative: cumulative(&AGE_PYRAMID),
            municipality_cumulative: cumulative(&weights),
            education_cumulative: cumulative(&EDUCATION_SHARES),
        }
    }
}

impl Default for PopulationTables {
    fn default() -> Self {
        Self::new()
    }
}

/// A pseudonymous 10-digit person key: the index scrambled by multiplication with a constant
/// coprime to 10^10 (a bijection, so keys never collide).
pub fn pseudonym(index: u64) -> String {
    const MODULUS: u64 = 10_000_000_000;
    format!("{:010}", (index + 1).wrapping_mul(7_919_333_771) % MODULUS)
}

/// Draws one person whose age on 1 January of `first_year` follows the pyramid, with the life
/// events of the years `first_year..=last_year`: some of the youngest band is born during them
/// instead, some immigrants arrive during them, and anyone may move or emigrate.
pub fn draw_person(
    rng: &mut Rng,
    tables: &PopulationTables,
    index: u64,
    first_year: i32,
    last_year: i32,
) -> Person {
    let (start, end) = (dates::jan1(first_year), dates::jan1(last_year + 1) - 1);
    let band = rng.weighted(&tables.age_cumulative) as i32;
    let age_days = (band * 5) as f64 * 365.25 + rng.uniform() * 5.0 * 365.25;
    let years = (last_year - first_year + 1) as f64;
    let born_in_span = band == 0 && rng.bernoulli((BORN_PER_YEAR * years).min(0.8));
    let born = if born_in_span {
        rng.between(start, end)
    } else {
        start - age_days as i32 - 1
    };
    let age = band * 5 + 2;
    let female = rng.bernoulli(0.5);
    let municipality = &municipalities()[rng.weighted(&tables.municipality_cumulative)];
    let region_index = region_of(municipality.region);

    let (immigrant, descendant) = match age {
        0..=29 => (0.08, 0.08),
        30..=64 => (0.13, 0.01),
        _ => (0.05, 0.0),
    };
    let x = rng.uniform();
    let origin = if x < immigrant {
        2
    } else if x < immigrant + descendant {
        3
    } else {
        1
    };

    let income_rank = rng.uniform();
    let education_h = draw_education(rng, tables, income_rank, origin, age);
    let hfaudd = education_h as u16 * 100 + 10 + rng.below(80) as u16;
    let arrived = if born_in_span {
        born
    } else if origin == 2 && rng.bernoulli((IMMIGRANTS_ARRIVING_PER_YEAR * years).min(0.6)) {
        rng.between(start, end)
    } else {
        start - 1
    };
    let left = (first_year..=last_year)
        .find_map(|year| {
            rng.bernoulli(EMIGRATION_PER_YEAR)
                .then(|| rng.between(dates::jan1(year), dates::jan1(year + 1) - 1))
        })
        .filter(|&day| day > arrived)
        .unwrap_or(i32::MAX);
    let moved = (first_year..=last_year)
        .find_map(|year| {
            rng.bernoulli(MOVE_PER_YEAR).then(|| {
                let day = rng.between(dates::jan1(year), dates::jan1(year + 1) - 1);
                let to = &municipalities()[rng.weighted(&tables.municipality_cumulative)];
                (day, to)
            })
        })
        .filter(|(day, to)| *day > arrived && *day < left && to.code != municipality.code)
        .map(|(day, to)| {
            let region_index = region_of(to.region);
            Move {
                day,
                municipality: to.code,
                region_index,
                hospital: super::hospitals::catchment_hospital(to.code, region_index),
            }
        });
    Person {
        index,
        pnr: pseudonym(index),
        born,
        jan1_age_base: dates::jan1_age_base(born),
        female,
        municipality: municipality.code,
        region_index,
        hospital: super::hospitals::catchment_hospital(municipality.code, region_index),
        origin,
        income_rank,
        education_h,
        hfaudd,
        arrived,
        left,
        moved,
        first_year,
        mother: None,
        father: None,
    }
}

/// The index into [`REGIONS`] of a region code.
fn region_of(region: u16) -> usize {
    REGIONS
        .iter()
        .position(|(code, _)| *code == region)
        .expect("every municipality has one of the five regions")
}

/// Final education: a draw from the national shares, shifted up the ladder with income rank
/// (the income-education correlation) and for younger cohorts; immigrants more often lack a
/// recorded education (H90), as in the real registers.
fn draw_education(rng: &mut Rng, tables: &PopulationTables, rank: f64, origin: u8, age: i32) -> u8 {
    if origin == 2 && rng.bernoulli(0.25) {
        return 90;
    }
    let base = rng.weighted(&tables.education_cumulative[..10]) as f64;
    let shift = 3.0 * (rank - 0.5) + if age < 50 { 0.7 } else { -0.3 } + rng.normal() * 0.8;
    let level = (base + shift).round().clamp(0.0, 9.0) as usize;
    H_GROUPS[level]
}

impl Person {
    /// Where the person lives on `day` (before they arrive, where they arrive).
    pub fn residence_on(&self, day: i32) -> Residence {
        match self.moved {
            Some(m) if day >= m.day => Residence {
                municipality: m.municipality,
                region_index: m.region_index,
                hospital: m.hospital,
            },
            _ => Residence {
                municipality: self.municipality,
                region_index: self.region_index,
                hospital: self.hospital,
            },
        }
    }

    /// Whether the person lives in Denmark on `day` (alive or not: death is the events').
    pub fn present_on(&self, day: i32) -> bool {
        day >= self.arrived && day < self.left
    }

    /// The residence the population register shows for a patient indexed on `day`: that of 1
    /// January of the index year, or, for a patient who arrived during that year, that of the
    /// next 1 January (the rule of `cohort::population::at_index`).
    pub fn registered_residence_at_index(&self, day: i32) -> Residence {
        self.residence_on(dates::jan1(self.register_year_at_index(day)))
    }

    /// The year of the population register a patient indexed on `day` is read from.
    fn register_year_at_index(&self, day: i32) -> i32 {
        let year = dates::year_of(day);
        if self.present_on(dates::jan1(year)) {
            year
        } else {
            year + 1
        }
    }

    /// The family type (`FAMILIE_TYPE`) on 1 January of `year`, in `synth`'s codes (its table
    /// groups them, as the user's table groups the real register's): a child under 18 is in
    /// their parents' family, a couple's (12) with both parents linked, a single parent's (2)
    /// with one, and on their own (53) with none; a married adult is in a married couple (11), a
    /// third of the others cohabit (31), and the rest are single (1).
    pub fn family_type_in(&self, year: i32) -> &'static str {
        if self.age_at_jan1(year) < 18 {
            return match (self.mother.is_some(), self.father.is_some()) {
                (true, true) => "12",
                (false, false) => "53",
                _ => "2",
            };
        }
        match self.civil_status(year) {
            "G" => "11",
            _ if super::clock::chance(self.index as i64, 45, 1.0 / 3.0) => "31",
            _ => "1",
        }
    }

    /// The cohabitation the registers show a patient indexed on `day` in, by `synth`'s table.
    pub fn cohabitation_at_index(&self, day: i32) -> &'static str {
        match self.family_type_in(self.register_year_at_index(day)) {
            "11" | "12" | "31" => "par",
            _ => "enlig",
        }
    }

    /// Age in completed years on a day.
    pub fn age_on(&self, day: i32) -> i32 {
        dates::age_on(self.born, day)
    }

    /// Completed years on 1 January of `year`.
    pub fn age_at_jan1(&self, year: i32) -> i32 {
        year - self.jan1_age_base
    }

    /// Income quintile 1..5 from the latent rank.
    pub fn income_quintile(&self) -> usize {
        ((self.income_rank * 5.0) as usize).min(4) + 1
    }

    /// The H-group recorded in `udda` for `year` (status at 1 January), or `None` below 15 years:
    /// the final education is reached by 30; before that the record lags behind it.
    pub fn education_h_in(&self, year: i32) -> Option<u8> {
        let age = self.age_at_jan1(year);
        let h = self.education_h;
        match age {
            ..=14 => None,
            _ if h == 90 || age >= 30 => Some(h),
            15..=19 => Some(10),
            20..=24 => Some(if h >= 20 { 20 } else { 10 }),
            _ => Some(h.min(60)),
        }
    }

    /// The SEPLINE education group the registers show in `year`.
    pub fn education_group_in(&self, year: i32) -> EducationGroup {
        self.education_h_in(year)
            .map(EducationGroup::from_h_group)
            .unwrap_or(EducationGroup::Unknown)
    }

    /// Equivalised disposable family income in DKK for an income year: a log-normal quantile of
    /// the latent rank (median 260,000 DKK in 2015, 2% growth a year).
    pub fn family_income(&self, year: i32) -> f64 {
        let z =
            statrs::function::erf::erf_inv(2.0 * self.income_rank.clamp(1e-6, 1.0 - 1e-6) - 1.0)
                * std::f64::consts::SQRT_2;
        let value = 260_000.0 * (0.45 * z).exp() * 1.02f64.powi(year - 2015);
        (value / 100.0).round() * 100.0
    }

    /// The `SOCIO13` code (Statistics Denmark's socio-economic status) of `year`: children under
    /// 15 (420); pupils and students (310) while their education is under way; old-age pension
    /// (322) from 67 and early retirement (323) for some from 60; at working ages, by the income
    /// rank, disability pension (321), social assistance (330), unemployment (210) and others
    /// outside the labour force (410) for the lowest ranks, sickness or leave benefits (220) in
    /// some years, and otherwise employment by education (132 highest level, 134 basic, 135
    /// others; 114 self-employed for some). Drawn from the person's index and the year
    /// ([`super::clock`]), so the random streams are as they were. `synth` writes a year's
    /// status for the population of its 1 January.
    pub fn socio13_in(&self, year: i32) -> &'static str {
        let key = self.index as i64;
        let age = self.age_at_jan1(year + 1);
        let rank = self.income_rank;
        let studying = self
            .education_h_in(year + 1)
            .is_some_and(|h| h < self.education_h);
        match age {
            ..=14 => return "420",
            15..=19 if !super::clock::chance(key, 40, 0.2) => return "310",
            20..=29 if studying && super::clock::chance(key, 41, 0.7) => return "310",
            67.. => return "322",
            60..=66 if rank < 0.5 && super::clock::chance(key, 42, 0.4) => return "323",
            _ => {}
        }
        if rank < 0.05 && age >= 30 {
            return "321";
        }
        if rank < 0.08 {
            return "330";
        }
        if rank < 0.12 {
            return "210";
        }
        if super::clock::chance(key, 43 + year as u64, 0.04) {
            return "220";
        }
        if rank < 0.15 {
            return "410";
        }
        if super::clock::chance(key, 44, 0.07) {
            return "114";
        }
        match EducationGroup::from_h_group(self.education_h) {
            EducationGroup::Long => "132",
            EducationGroup::Medium => "134",
            _ => "135",
        }
    }

    /// The labour-market group the registers show a patient indexed in `year` in: the status of
    /// the year before (of `year` itself when the registers begin with it), grouped as
    /// `strata::labour_market` groups it; `uoplyst` for a child under 15 or a person not yet
    /// resident that year.
    pub fn labour_market_at_index(&self, year: i32) -> &'static str {
        let source = (year - 1).max(self.first_year);
        if !self.present_on(dates::jan1(source)) {
            return "uoplyst";
        }
        match self.socio13_in(source) {
            "210" => "arbejdsløs",
            "220" | "330" => "midlertidigt uden for",
            "310" => "under uddannelse",
            "321" => "førtidspension",
            "322" | "323" => "pension",
            "410" => "øvrige",
            "420" => "uoplyst",
            _ => "beskæftiget",
        }
    }

    /// Civil status on 1 January of a year (`U` unmarried, `G` married, `F` divorced, `E`
    /// widowed), a function of age and a per-person draw so it is stable over the years.
    pub fn civil_status(&self, year: i32) -> &'static str {
        let age = self.age_at_jan1(year);
        let draw = (self.income_rank * 7919.0).fract();
        match age {
            ..=24 => "U",
            25..=39 if draw < 0.45 => "G",
            25..=39 => "U",
            _ if age >= 75 && draw < 0.35 => "E",
            _ if draw < 0.15 => "F",
            _ if draw < 0.75 => "G",
            _ => "U",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudonyms_do_not_collide() {
        let keys: std::collections::HashSet<String> = (0..100_000).map(pseudonym).collect();
        assert_eq!(keys.len(), 100_000);
        assert!(keys.iter().all(|k| k.len() == 10));
    }

    #[test]
    fn education_rises_with_income() {
        let tables = PopulationTables::new();
        let mut rng = Rng::new(3, 0);
        let persons: Vec<Person> = (0..20_000)
            .map(|i| draw_person(&mut rng, &tables, i, 2020, 2024))
            .collect();
        let long_share = |q: usize| {
            let group: Vec<&Person> = persons
                .iter()
                .filter(|p| p.income_quintile() == q)
                .collect();
            group
                .iter()
                .filter(|p| EducationGroup::from_h_group(p.education_h) == EducationGroup::Long)
                .count() as f64
                / group.len() as f64
        };
        assert!(
            long_share(5) > long_share(1) + 0.15,
            "{} vs {}",
            long_share(5),
            long_share(1)
        );
    }
}
