//! The code lists the project ships: municipalities and regions, education groups, origin, sex.
//!
//! Municipalities and regions come from `src/data/municipalities.csv`, derived from the DAGI
//! boundaries (Geodatastyrelsen 2014, see `assets/dk-geo/PROVENANCE.md`) with
//! approximate resident populations (Statistics Denmark, FOLK1A, 1 January 2024, in thousands,
//! rounded) that `synth` uses as weights. Christiansø (0411) is not a municipality and is left out.

use std::sync::OnceLock;

use crate::spec::levels::{EDUCATION_LEVELS, ORIGIN_LEVELS, UNKNOWN};

/// One of the 98 Danish municipalities.
#[derive(Debug, Clone)]
pub struct Municipality {
    /// Statistics Denmark's code without the leading zero (101 = København).
    pub code: u16,
    pub name: String,
    /// Region code 1081-1085.
    pub region: u16,
    /// Approximate population in thousands (weights for synthetic data only).
    pub population_thousands: f64,
}

/// The five regions, in code order.
pub const REGIONS: [(u16, &str); 5] = [
    (1081, "Region Nordjylland"),
    (1082, "Region Midtjylland"),
    (1083, "Region Syddanmark"),
    (1084, "Region Hovedstaden"),
    (1085, "Region Sjælland"),
];

const MUNICIPALITIES_CSV: &str = include_str!("../data/municipalities.csv");

/// All 98 municipalities, parsed once from the embedded table.
pub fn municipalities() -> &'static [Municipality] {
    static LIST: OnceLock<Vec<Municipality>> = OnceLock::new();
    LIST.get_or_init(|| {
        MUNICIPALITIES_CSV
            .lines()
            .skip(1)
            .filter(|line| !line.is_empty())
            .map(|line| {
                let f: Vec<&str> = line.split(',').collect();
                Municipality {
                    code: f[0].parse().expect("embedded municipality code"),
                    name: f[1].to_string(),
                    region: f[2].parse().expect("embedded region code"),
                    population_thousands: f[4].parse().expect("embedded population"),
                }
            })
            .collect()
    })
}

/// The region of a municipality code, or `None` when the code is not one of the 98.
pub fn region_of(municipality: u16) -> Option<u16> {
    municipalities()
        .iter()
        .find(|m| m.code == municipality)
        .map(|m| m.region)
}

/// Parses a `KOM` value: 3 digits (`101`) or DAGI's 4-digit form with a leading zero (`0101`).
pub fn parse_municipality(text: &str) -> Option<u16> {
    let text = text.trim();
    if !(text.len() == 3 || text.len() == 4) || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let code: u16 = text.parse().ok()?;
    region_of(code).map(|_| code)
}

/// The name of a region code (1081-1085, or Statistics Denmark's 81-85).
pub fn region_name(code: u16) -> Option<&'static str> {
    let code = if code < 100 { code + 1000 } else { code };
    REGIONS.iter().find(|(c, _)| *c == code).map(|(_, n)| *n)
}

/// The education groups of the Danish SEPLINE guideline (Clin Epidemiol 2025), built from the
/// H-groups of Statistics Denmark's education nomenclature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EducationGroup {
    /// H10 grundskole, H15 forberedende.
    Short,
    /// H20 gymnasial, H30 erhvervsfaglig, H35 adgangsgivende.
    Medium,
    /// H40 korte, H50 mellemlange, H60 bachelor, H70 lange videregående, H80 ph.d.
    Long,
    /// H90 uoplyst, or no education record.
    Unknown,
}

impl EducationGroup {
    pub const ALL: [EducationGroup; 4] = [
        EducationGroup::Short,
        EducationGroup::Medium,
        EducationGroup::Long,
        EducationGroup::Unknown,
    ];

    /// The group of an H-group number (10, 15, 20, ..., 90).
    pub fn from_h_group(h: u8) -> EducationGroup {
        match h {
            10 | 15 => EducationGroup::Short,
            20 | 30 | 35 => EducationGroup::Medium,
            40 | 50 | 60 | 70 | 80 => EducationGroup::Long,
            _ => EducationGroup::Unknown,
        }
    }

    /// The code used in tables and specs.
    pub fn code(self) -> &'static str {
        match self {
            EducationGroup::Short => EDUCATION_LEVELS[0],
            EducationGroup::Medium => EDUCATION_LEVELS[1],
            EducationGroup::Long => EDUCATION_LEVELS[2],
            EducationGroup::Unknown => UNKNOWN,
        }
    }
}

/// The H-groups of the nomenclature, in order.
pub const H_GROUPS: [u8; 11] = [10, 15, 20, 30, 35, 40, 50, 60, 70, 80, 90];

/// Origin as `IE_TYPE`: 1 Danish origin, 2 immigrant, 3 descendant.
pub const ORIGINS: [(&str, &str); 3] = [
    ("1", ORIGIN_LEVELS[0]),
    ("2", ORIGIN_LEVELS[1]),
    ("3", ORIGIN_LEVELS[2]),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ninety_eight_municipalities_in_five_regions() {
        let list = municipalities();
        assert_eq!(list.len(), 98);
        // The official division (DAGI): 29 in Hovedstaden without Christiansø, 19, 11, 17, 22.
        let count = |r| list.iter().filter(|m| m.region == r).count();
        assert_eq!(
            [
                count(1081),
                count(1082),
                count(1083),
                count(1084),
                count(1085)
            ],
            [11, 19, 22, 29, 17]
        );
    }

    #[test]
    fn municipality_codes_accept_both_forms() {
        assert_eq!(parse_municipality("101"), Some(101));
        assert_eq!(parse_municipality("0751"), Some(751));
        assert_eq!(parse_municipality("411"), None);
        assert_eq!(parse_municipality("999"), None);
        assert_eq!(parse_municipality("75"), None);
    }

    #[test]
    fn nurse_code_needs_the_table_not_the_digits() {
        // H50 (mellemlange) is long education in SEPLINE's default grouping.
        assert_eq!(EducationGroup::from_h_group(50), EducationGroup::Long);
        assert_eq!(EducationGroup::from_h_group(35), EducationGroup::Medium);
        assert_eq!(EducationGroup::from_h_group(90), EducationGroup::Unknown);
    }
}
