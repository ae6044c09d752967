//! What an outsider knows of how one analysis's populations and stratifiers relate, for the
//! disclosure gate ([`crate::disclosure::gate::Relations`]): which sub-analyses lie inside which
//! (from their definitions, which are published with the report), which pairs split a wider
//! population between them, and which stratifiers lie inside others (municipality in region,
//! hospital in its region), found in the patients themselves so that no hierarchy is missed.

use std::collections::BTreeMap;
use std::path::Path;

use polars::prelude::*;

use crate::disclosure::gate::{Hierarchy, Relations};
use crate::error::{Error, Result};
use crate::spec::{Derived, Spec, Stratifier, SubAnalysis};
use crate::tidy::UNKNOWN;

/// The relations of one year's populations: the main analysis's patients first, then each
/// sub-analysis's.
pub fn relations(
    populations: &[(Option<&SubAnalysis>, DataFrame)],
    stratifiers: &[Stratifier],
) -> Result<Relations> {
    let subs: Vec<(&SubAnalysis, usize)> = populations
        .iter()
        .filter_map(|(sub, frame)| sub.map(|s| (s, frame.height())))
        .collect();
    let main = populations.first().map_or(0, |(_, f)| f.height());
    let mut relations = Relations::default();
    // Every sub-analysis lies inside the main analysis, and inside any wider sub-analysis.
    for &(a, _) in &subs {
        relations.nested.push((a.id.clone(), String::new()));
        for &(b, _) in &subs {
            if a.id != b.id && inside(a, b) && !(inside(b, a) && b.id < a.id) {
                relations.nested.push((a.id.clone(), b.id.clone()));
            }
        }
    }
    // Two disjoint populations inside a wider one whose sizes add up to it split it.
    let wides: Vec<(String, usize, Option<&SubAnalysis>)> =
        std::iter::once((String::new(), main, None))
            .chain(subs.iter().map(|&(s, n)| (s.id.clone(), n, Some(s))))
            .collect();
    for (wide, size, wide_sub) in &wides {
        for &(a, na) in &subs {
            for &(b, nb) in &subs {
                let inside_wide =
                    |s: &SubAnalysis| wide_sub.is_none_or(|w| s.id != w.id && inside(s, w));
                if a.id != b.id
                    && inside_wide(a)
                    && inside_wide(b)
                    && disjoint(a, b)
                    && na + nb == *size
                {
                    relations
                        .splits
                        .push((wide.clone(), a.id.clone(), b.id.clone()));
                }
            }
        }
    }
    if let Some((_, frame)) = populations.first() {
        relations.hierarchies = hierarchies(frame, stratifiers)?;
    }
    Ok(relations)
}

/// A merged level of hospitals (`[merge_levels]`) must lie in one region when the spec also
/// stratifies by the hospitals' region: a printed region total, less its other hospitals, would
/// otherwise give a merged hospital's count away. (Municipalities beside `region` are checked
/// with the spec, from the public list.)
pub fn check_merges_nest(frame: &DataFrame, spec: &Spec, path: &Path) -> Result<()> {
    let hospital = Stratifier::Derived(Derived::Hospital).code();
    let region = Stratifier::Derived(Derived::HospitalRegion);
    if spec.merge_levels.contains_key(&hospital)
        && spec.stratifiers.contains(&region)
        && parents(frame, &hospital, &region.code())?.is_none()
    {
        return Err(Error::BadSpec(format!(
            "{}: key `merge_levels.hospital`: a merged level holds hospitals of more than one region beside the `hospital_region` stratifier; merge hospitals of one region (a printed region total would give them away)",
            path.display()
        )));
    }
    Ok(())
}

/// Whether every patient `narrow` selects is one `wide` selects, by their definitions.
fn inside(narrow: &SubAnalysis, wide: &SubAnalysis) -> bool {
    let sex = wide.sex.is_none() || wide.sex == narrow.sex;
    let from = match (wide.age_min, narrow.age_min) {
        (None, _) => true,
        (Some(w), Some(n)) => n >= w,
        (Some(_), None) => false,
    };
    let to = match (wide.age_max, narrow.age_max) {
        (None, _) => true,
        (Some(w), Some(n)) => n <= w,
        (Some(_), None) => false,
    };
    let regions = wide.regions.is_empty()
        || (!narrow.regions.is_empty() && narrow.regions.iter().all(|r| wide.regions.contains(r)));
    sex && from && to && regions
}

/// Whether no patient can be selected by both, by their definitions.
fn disjoint(a: &SubAnalysis, b: &SubAnalysis) -> bool {
    let sexes = matches!((&a.sex, &b.sex), (Some(x), Some(y)) if x != y);
    let ages = a.age_max.zip(b.age_min).is_some_and(|(max, min)| max < min)
        || b.age_max.zip(a.age_min).is_some_and(|(max, min)| max < min);
    let regions = !a.regions.is_empty()
        && !b.regions.is_empty()
        && a.regions.iter().all(|r| !b.regions.contains(r));
    sexes || ages || regions
}

/// Stratifiers whose every level lies in one level of another (once per pair: of two that
/// classify alike, the first in the spec's order is the fine one).
fn hierarchies(frame: &DataFrame, stratifiers: &[Stratifier]) -> Result<Vec<Hierarchy>> {
    let codes: Vec<String> = stratifiers.iter().map(Stratifier::code).collect();
    let mut found = Vec::new();
    for (i, fine) in codes.iter().enumerate() {
        for (j, coarse) in codes.iter().enumerate() {
            if i == j
                || found
                    .iter()
                    .any(|h: &Hierarchy| h.fine == *coarse && h.coarse == *fine)
            {
                continue;
            }
            if let Some(parent) = parents(frame, fine, coarse)? {
                found.push(Hierarchy {
                    fine: fine.clone(),
                    coarse: coarse.clone(),
                    parent,
                });
            }
        }
    }
    Ok(found)
}

/// Each level of `fine` with the one level of `coarse` its patients have, or `None` when some
/// level of `fine` has patients in two levels of `coarse`.
fn parents(
    frame: &DataFrame,
    fine: &str,
    coarse: &str,
) -> Result<Option<BTreeMap<String, String>>> {
    let level = |c: &str| col(c).cast(DataType::String).fill_null(lit(UNKNOWN));
    let pairs = frame
        .clone()
        .lazy()
        .select([level(fine).alias("fine"), level(coarse).alias("coarse")])
        .unique(None, UniqueKeepStrategy::Any)
        .collect()?;
    let (f, c) = (pairs.column("fine")?.str()?, pairs.column("coarse")?.str()?);
    let mut parent = BTreeMap::new();
    for (f, c) in f.iter().zip(c.iter()) {
        let (Some(f), Some(c)) = (f, c) else { continue };
        if parent.insert(f.to_string(), c.to_string()).is_some() {
            return Ok(None);
        }
    }
    Ok(Some(parent))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sub(id: &str, sex: Option<&str>, ages: (Option<i32>, Option<i32>)) -> SubAnalysis {
        SubAnalysis {
            id: id.into(),
            name_da: id.into(),
            name_en: id.into(),
            sex: sex.map(str::to_string),
            age_min: ages.0,
            age_max: ages.1,
            regions: Vec::new(),
            outcomes: Vec::new(),
        }
    }

    #[test]
    fn nested_age_bands_and_the_two_sexes_are_found() {
        let wide = sub("a18_64", None, (Some(18), Some(64)));
        let narrow = sub("a40_64", None, (Some(40), Some(64)));
        let (men, women) = (
            sub("men", Some("1"), (None, None)),
            sub("women", Some("2"), (None, None)),
        );
        assert!(inside(&narrow, &wide) && !inside(&wide, &narrow));
        assert!(disjoint(&men, &women) && !disjoint(&men, &wide));
        let frame =
            |n: usize| DataFrame::new(n, vec![Column::new("x".into(), vec![1i32; n])]).unwrap();
        let populations = [
            (None, frame(10)),
            (Some(&wide), frame(6)),
            (Some(&narrow), frame(4)),
            (Some(&men), frame(3)),
            (Some(&women), frame(7)),
        ];
        let r = relations(&populations, &[]).unwrap();
        assert!(r.nested.contains(&("a40_64".into(), "a18_64".into())));
        assert!(!r.nested.contains(&("a18_64".into(), "a40_64".into())));
        assert!(
            r.splits
                .contains(&(String::new(), "men".into(), "women".into()))
        );
        // 18-64 and 40-64 overlap: no split.
        assert!(!r.splits.iter().any(|(_, a, _)| a == "a18_64"));
    }

    #[test]
    fn a_municipality_lies_in_its_region_and_not_the_other_way() {
        let frame = df!(
            "municipality" => ["101", "147", "751", "751", "101"],
            "region" => ["1084", "1084", "1082", "1082", "1084"],
            "sex" => ["1", "2", "1", "2", "2"],
        )
        .unwrap();
        let found = hierarchies(
            &frame,
            &[
                Stratifier::Derived(Derived::Municipality),
                Stratifier::Derived(Derived::Region),
                Stratifier::Derived(Derived::Sex),
            ],
        )
        .unwrap();
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            (found[0].fine.as_str(), found[0].coarse.as_str()),
            ("municipality", "region")
        );
        assert_eq!(found[0].parent["751"], "1082");
    }
}
