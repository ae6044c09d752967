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
