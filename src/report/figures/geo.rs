//! The boundaries of Denmark's 5 regions and 98 municipalities, simplified from DAGI (Geodatastyrelsen
//! & Danske Kommuner, FOT 2014, 1:500.000) by `tools/simplify_geo.py` and shipped in
//! `assets/dk-geo/` (see its PROVENANCE.md), compiled into the binary so a map needs no file.

use std::sync::OnceLock;

use serde::Deserialize;

/// One region or municipality: all its island parts' outer rings, lon/lat.
#[derive(Debug, Deserialize)]
pub struct Area {
    pub code: String,
    pub name: String,
    pub rings: Vec<Vec<[f64; 2]>>,
}

/// A set of areas with its source line.
#[derive(Debug, Deserialize)]
pub struct Areas {
    pub source: String,
    pub features: Vec<Area>,
}

fn parse(text: &str) -> Areas {
    serde_json::from_str(text).expect("the shipped boundary files are valid (tested)")
}

/// The 5 regions.
pub fn regions() -> &'static Areas {
    static AREAS: OnceLock<Areas> = OnceLock::new();
    AREAS.get_or_init(|| parse(include_str!("../../../assets/dk-geo/regions.json")))
}

/// The 98 municipalities.
pub fn municipalities() -> &'static Areas {
    static AREAS: OnceLock<Areas> = OnceLock::new();
    AREAS.get_or_init(|| parse(include_str!("../../../assets/dk-geo/municipalities.json")))
}

/// The cosine of Denmark's middle latitude (56°): longitude degrees are this much shorter than
/// latitude degrees there, so x = lon·cos 56° keeps shapes true (an equirectangular projection).
pub const LON_SCALE: f64 = 0.559_192_903_470_746_9;

/// A point projected to plotting units.
pub fn project([lon, lat]: [f64; 2]) -> (f64, f64) {
    (lon * LON_SCALE, lat)
}

/// The area-weighted centroid of a ring (shoelace formula), projected; where a label goes.
pub fn centroid(ring: &[[f64; 2]]) -> (f64, f64) {
    let points: Vec<(f64, f64)> = ring.iter().copied().map(project).collect();
    let (mut area, mut cx, mut cy) = (0.0, 0.0, 0.0);
    for w in points.windows(2) {
        let cross = w[0].0 * w[1].1 - w[1].0 * w[0].1;
        area += cross;
        cx += (w[0].0 + w[1].0) * cross;
        cy += (w[0].1 + w[1].1) * cross;
    }
    if area.abs() < 1e-12 {
        return points[0];
    }
    (cx / (3.0 * area), cy / (3.0 * area))
}

/// Whether a code from the tables (municipality `101`, region `1084`) names an area (DAGI writes
/// municipality codes with a leading zero, `0101`).
pub fn same_code(table: &str, area: &str) -> bool {
    match (table.parse::<u32>(), area.parse::<u32>()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_regions_and_municipalities_are_shipped() {
        assert_eq!(regions().features.len(), 5);
        assert_eq!(municipalities().features.len(), 98);
        // Every municipality of the register code list has a shape, and no shape is unknown.
        for m in crate::registers::codes::municipalities() {
            assert!(
                municipalities()
                    .features
                    .iter()
                    .any(|a| same_code(&m.code.to_string(), &a.code)),
                "no boundary for municipality {}",
                m.code
            );
        }
        assert!(regions().source.contains("Geodatastyrelsen"));
    }

    #[test]
    fn centroid_of_a_square_is_its_middle() {
        let ring = [[0.0, 0.0], [2.0, 0.0], [2.0, 2.0], [0.0, 2.0], [0.0, 0.0]];
        let (x, y) = centroid(&ring);
        assert!((x - LON_SCALE).abs() < 1e-12 && (y - 1.0).abs() < 1e-12);
    }
}
