//! Levels a spec shows together (`[merge_levels]`): small groups of an unordered stratifier
//! merged into one level before anything is counted, such as immigrants and descendants into
//! "ikke-dansk" or the smaller hospitals into "øvrige", so that a group too small to print alone
//! is printed together with its neighbours instead of being hidden (Hundepool et al.,
//! *Statistical Disclosure Control*, Wiley 2012, sec. 5.3: global recoding before suppression).
//!
//! Only unordered stratifiers are merged: the levels of education and income carry a gradient,
//! and age groups and the number of chronic conditions have their own keys. A merged level
//! must lie in one level of a stratifier it is nested in (municipalities of one region), or a
//! printed region total would give its members away; the run checks that for hospitals, whose
//! regions come from the hospitals table.

use std::path::Path;

use super::levels::{ORIGIN_LEVELS, ORIGIN_WESTERN_LEVELS, UNKNOWN};
use super::types::{Derived, Spec, Stratifier};
use crate::error::{Error, Result};
use crate::registers::codes::{REGIONS, municipalities, region_of};

/// The stratifiers whose levels may be merged.
const MERGEABLE: [Derived; 6] = [
    Derived::Origin,
    Derived::OriginWestern,
    Derived::Region,
    Derived::Municipality,
    Derived::CivilStatus,
    Derived::Hospital,
];

fn bad(path: &Path, key: &str, expected: impl std::fmt::Display) -> Error {
    Error::BadSpec(format!("{}: key `{key}`: {expected}", path.display()))
}

/// The levels a stratifier can have, where they are fixed.
fn known_levels(stratifier: &Stratifier) -> Option<Vec<String>> {
    let fixed: Vec<String> = match stratifier {
        Stratifier::Derived(Derived::Origin) => {
            ORIGIN_LEVELS.iter().map(|l| l.to_string()).collect()
        }
        Stratifier::Derived(Derived::OriginWestern) => ORIGIN_WESTERN_LEVELS
            .iter()
            .map(|l| l.to_string())
            .collect(),
        Stratifier::Derived(Derived::Region) => {
            REGIONS.iter().map(|(c, _)| c.to_string()).collect()
        }
        Stratifier::Derived(Derived::Municipality) => municipalities()
            .iter()
            .map(|m| m.code.to_string())
            .collect(),
        _ => return None,
    };
    Some(fixed.into_iter().chain([UNKNOWN.to_string()]).collect())
}

/// The rules of `[merge_levels]`.
pub fn check(spec: &Spec, path: &Path) -> Result<()> {
    let mut placed: Vec<(&str, &str)> = Vec::new();
    for (code, merges) in &spec.merge_levels {
        let key = format!("merge_levels.{code}");
        let Some(stratifier) = spec.stratifiers.iter().find(|s| s.code() == *code) else {
            return Err(bad(path, &key, "names no stratifier of `stratifiers`"));
        };
        let mergeable = matches!(stratifier, Stratifier::Column(_))
            || MERGEABLE
                .iter()
                .any(|d| *stratifier == Stratifier::Derived(*d));
        if !mergeable {
            return Err(bad(
                path,
                &key,
                "expected an unordered stratifier (origin, origin_western, region, municipality, civil_status, hospital or a bef: column): education and income carry a gradient, and age groups and conditions have their own keys",
            ));
        }
        let known = known_levels(stratifier);
        for (merged, members) in merges {
            let key = format!("{key}.{merged}");
            if merged.trim().is_empty() || merged == crate::tidy::TOTAL {
                return Err(bad(path, &key, "expected a name for the merged level"));
            }
            if members.len() < 2 {
                return Err(bad(path, &key, "expected at least two levels to merge"));
            }
            for member in members {
                if known.as_ref().is_some_and(|k| !k.contains(member)) {
                    return Err(bad(
                        path,
                        &key,
                        format!(
                            "{member:?} is not a level of {code} (expected one of {})",
                            known.as_ref().map(|k| k.join(", ")).unwrap_or_default()
                        ),
                    ));
                }
                if placed.contains(&(code.as_str(), member.as_str())) {
                    return Err(bad(path, &key, format!("{member:?} is merged twice")));
                }
                placed.push((code, member));
            }
            if known
                .as_ref()
                .is_some_and(|k| k.contains(merged) && !members.contains(merged))
            {
                return Err(bad(
                    path,
                    &key,
                    format!("{merged:?} is the name of a level that is not merged"),
                ));
            }
            let beside_region = spec
                .stratifiers
                .contains(&Stratifier::Derived(Derived::Region));
            if *stratifier == Stratifier::Derived(Derived::Municipality) && beside_region {
                let mut regions: Vec<u16> = members
                    .iter()
                    .filter_map(|m| m.parse().ok().and_then(region_of))
                    .collect();
                regions.sort_unstable();
                regions.dedup();
                if regions.len() > 1 {
                    return Err(bad(
                        path,
                        &key,
                        "merges municipalities of more than one region beside the `region` stratifier: a printed region total would give them away; merge municipalities of one region",
                    ));
                }
            }
        }
    }
    Ok(())
}
