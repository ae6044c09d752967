//! The synthetic hospitals: their SOR prefixes and names by region, and each municipality's
//! catchment hospital.

/// Hospitals by region index: (4-digit SOR prefix, name). Synthetic codes; the first digit after
/// `6` is the region (1 Nordjylland ... 5 Sjælland).
pub const HOSPITALS: [(usize, &str, &str); 24] = [
    (0, "6101", "Aalborg Universitetshospital"),
    (0, "6102", "Regionshospital Nordjylland, Hjørring"),
    (0, "6103", "Sygehus Thisted"),
    (1, "6201", "Aarhus Universitetshospital"),
    (1, "6202", "Regionshospitalet Randers"),
    (1, "6203", "Regionshospitalet Viborg"),
    (1, "6204", "Regionshospitalet Gødstrup"),
    (1, "6205", "Regionshospitalet Horsens"),
    (2, "6301", "Odense Universitetshospital"),
    (2, "6302", "Sygehus Lillebælt, Kolding"),
    (2, "6303", "Sydvestjysk Sygehus, Esbjerg"),
    (2, "6304", "Sygehus Sønderjylland, Aabenraa"),
    (2, "6305", "OUH Svendborg Sygehus"),
    (3, "6401", "Rigshospitalet"),
    (3, "6402", "Bispebjerg og Frederiksberg Hospital"),
    (3, "6403", "Amager og Hvidovre Hospital"),
    (3, "6404", "Herlev og Gentofte Hospital"),
    (3, "6405", "Nordsjællands Hospital, Hillerød"),
    (3, "6406", "Bornholms Hospital"),
    (4, "6501", "Sjællands Universitetshospital, Køge"),
    (4, "6502", "Holbæk Sygehus"),
    (4, "6503", "Slagelse Sygehus"),
    (4, "6504", "Næstved Sygehus"),
    (4, "6505", "Nykøbing F. Sygehus"),
];

/// The catchment hospital of a municipality: Bornholm has its own; elsewhere municipalities are
/// spread over the region's hospitals by code.
pub fn catchment_hospital(municipality: u16, region_index: usize) -> usize {
    if municipality == 400 {
        return HOSPITALS
            .iter()
            .position(|h| h.1 == "6406")
            .expect("listed");
    }
    let in_region: Vec<usize> = (0..HOSPITALS.len())
        .filter(|&i| HOSPITALS[i].0 == region_index && HOSPITALS[i].1 != "6406")
        .collect();
    in_region[(municipality as usize * 7) % in_region.len()]
}

/// The units of every synthetic hospital, as the SOR table names them: (SHAK department code,
/// the three characters after the hospital's four; name; unit type; specialty). A contact's unit
/// is its hospital's SHAK code and the department's ([`shak_code`]); the patient register's LPR3
/// years carry the unit's SOR code instead ([`sor_code`]).
pub const UNITS: [(&str, &str, &str, &str); 6] = [
    ("010", "Medicinsk afdeling", "afdeling", "intern medicin"),
    ("020", "Hjertemedicinsk afdeling", "afdeling", "kardiologi"),
    (
        "030",
        "Ortopædkirurgisk afdeling",
        "afdeling",
        "ortopædisk kirurgi",
    ),
    (
        "040",
        "Børne- og ungdomspsykiatrisk ambulatorium",
        "ambulatorium",
        "børne- og ungdomspsykiatri",
    ),
    (
        "050",
        "Psykiatrisk akutmodtagelse",
        "akutmodtagelse",
        "psykiatri",
    ),
    (
        "060",
        "Fælles akutmodtagelse",
        "akutmodtagelse",
        "akutmedicin",
    ),
];

/// A unit's SHAK code: the hospital's four characters and the department's three (LPR2's
/// `C_SGH` and `C_AFD`).
pub fn shak_code(hospital: usize, department: &str) -> String {
    format!("{}{department}", HOSPITALS[hospital].1)
}

/// The SOR code of the unit with SHAK code `shak`, shaped as SOR's are: an item number, the
/// Danish namespace `1000016`, the partition `10` and a Verhoeff check digit (the SNOMED CT
/// identifier format SOR uses). The item number is a hash of the SHAK code, so, as in the real
/// register, the code says nothing of the unit's hospital or type.
pub fn sor_code(shak: &str) -> String {
    // FNV-1a, 64 bits: a fixed hash, the same on every machine and release.
    let hash = shak.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    let body = format!("{}100001610", 100_000 + hash % 9_900_000);
    format!("{body}{}", verhoeff_check(&body))
}

/// The Verhoeff check digit of a string of digits (Verhoeff 1969, "Error detecting decimal
/// codes"; the tables as SNOMED CT's identifier specification gives them).
fn verhoeff_check(digits: &str) -> u8 {
    const D: [[u8; 10]; 10] = [
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
        [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
        [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
        [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
        [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
        [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
        [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
        [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
        [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
        [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
    ];
    const P: [[u8; 10]; 8] = [
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
        [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
        [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
        [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
        [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
        [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
        [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
        [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
    ];
    const INV: [u8; 10] = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9];
    let c = digits.bytes().rev().enumerate().fold(0u8, |c, (i, b)| {
        D[c as usize][P[(i + 1) % 8][(b - b'0') as usize] as usize]
    });
    INV[c as usize]
}

/// Every unit of every hospital: (SHAK code, SOR code).
pub fn unit_codes() -> Vec<(String, String)> {
    (0..HOSPITALS.len())
        .flat_map(|h| {
            UNITS.iter().map(move |u| {
                let shak = shak_code(h, u.0);
                let sor = sor_code(&shak);
                (shak, sor)
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verhoeff_check_digits_are_the_published_ones() {
        // Verhoeff's worked example: 236 has check digit 3; and a SNOMED CT concept id,
        // 22298006 (myocardial infarction), whose last digit is its check digit.
        assert_eq!(verhoeff_check("236"), 3);
        assert_eq!(verhoeff_check("2229800"), 6);
    }

    #[test]
    fn every_unit_has_its_own_sor_code_that_tells_nothing_of_its_hospital() {
        let codes = unit_codes();
        let sor: std::collections::BTreeSet<&str> = codes.iter().map(|c| c.1.as_str()).collect();
        assert_eq!(sor.len(), HOSPITALS.len() * UNITS.len());
        for (shak, sor) in &codes {
            assert!(sor.contains("100001610"), "{sor}");
            assert!(!sor.starts_with(&shak[..4]), "{shak} {sor}");
            assert_eq!(
                verhoeff_check(&sor[..sor.len() - 1]),
                sor.as_bytes()[sor.len() - 1] - b'0'
            );
        }
    }
}
