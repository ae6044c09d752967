//! Analyses of one family: specs that define the same patient group in the same design and differ
//! only in whom their population admits (age, regions, municipalities), such as the shipped AMI
//! analysis for 30+ beside the same analysis for 50+. One such population lies inside the other,
//! so the difference between their tables is a count of persons (the 30-49-year-olds) that the
//! disclosure gate must protect as it protects a sub-analysis inside the main analysis. The
//! release ledger keeps each analysis's family, and an analysis is protected together with every
//! release of its relatives from the same output root
//! ([`crate::disclosure::gate::Relations::earlier`]).
//!
//! Outcomes and sub-analyses are matched by their definitions, not their ids or names: the same
//! 30-day death under another id is the same count of persons.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::report::output::sha256_hex;
use crate::spec::Spec;

/// What the ledger keeps of an analysis to find its relatives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Family {
    /// The hash of everything that defines the patients and their design, the population's
    /// restrictions aside.
    pub key: String,
    /// The population's restrictions.
    pub admits: Admits,
    /// Outcome id -> the hash of its definition.
    pub outcomes: BTreeMap<String, String>,
    /// Sub-analysis id -> the hash of its definition ("" for the main analysis).
    pub sub_analyses: BTreeMap<String, String>,
}

/// Whom a population admits: an age span, and regions or municipalities (empty: all).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Admits {
    pub age_min: Option<i32>,
    pub age_max: Option<i32>,
    pub regions: Vec<String>,
    pub municipalities: Vec<u16>,
}

impl Admits {
    /// Whether every person `self` admits, `wide` admits too.
    fn inside(&self, wide: &Admits) -> bool {
        let from = wide
            .age_min
            .is_none_or(|w| self.age_min.is_some_and(|n| n >= w));
        let to = wide
            .age_max
            .is_none_or(|w| self.age_max.is_some_and(|n| n <= w));
        from && to
            && within(&self.regions, &wide.regions)
            && within(&self.municipalities, &wide.municipalities)
    }
}

/// Whether every element `narrow` admits, `wide` admits (an empty list admits all).
fn within<T: PartialEq>(narrow: &[T], wide: &[T]) -> bool {
    wide.is_empty() || (!narrow.is_empty() && narrow.iter().all(|r| wide.contains(r)))
}

/// The hash of a definition without the keys that only name it.
fn definition_hash(mut value: Value, naming: &[&str]) -> String {
    if let Value::Object(map) = &mut value {
        for key in naming {
            map.remove(*key);
        }
    }
    sha256_hex(value.to_string().as_bytes())
}

impl Family {
    /// The family of a spec.
    pub fn of(spec: &Spec) -> Family {
        let mut population = serde_json::to_value(&spec.population).unwrap_or(Value::Null);
        if let Value::Object(map) = &mut population {
            for key in ["age_min", "age_max", "regions", "municipalities"] {
                map.remove(key);
            }
        }
        let mut defining = serde_json::json!({
            "population": population,
            "patient_group": spec.patient_group,
            "multimorbidity": spec.multimorbidity,
            "age_groups": spec.age_groups,
        });
        // Only where it is used, so the families of specs without it keep their keys.
        if let (Some(days), Value::Object(map)) = (spec.charlson_lookback(), &mut defining) {
            map.insert("charlson".into(), days.into());
        }
        let naming = ["id", "name_da", "name_en"];
        Family {
            key: sha256_hex(defining.to_string().as_bytes()),
            admits: Admits {
                age_min: spec.population.age_min,
                age_max: spec.population.age_max,
                regions: spec.population.regions.clone(),
                municipalities: spec.population.municipalities.clone(),
            },
            outcomes: spec
                .outcomes
                .iter()
                .map(|o| {
                    let value = serde_json::to_value(o).unwrap_or(Value::Null);
                    (o.id.clone(), definition_hash(value, &naming))
                })
                .collect(),
            sub_analyses: std::iter::once((String::new(), String::new()))
                .chain(spec.sub_analyses.iter().map(|s| {
                    let value = serde_json::to_value(s).unwrap_or(Value::Null);
                    (s.id.clone(), definition_hash(value, &naming))
                }))
                .collect(),
        }
    }

    /// Whether `other` is a relative: the same patients and design, one population inside the
    /// other.
    pub fn is_relative(&self, other: &Family) -> bool {
        self.key == other.key
            && (self.admits.inside(&other.admits) || other.admits.inside(&self.admits))
    }

    /// A relative's id for `ours` in `theirs` (outcome or sub-analysis ids), by definition.
    pub fn counterpart(
        ours: &BTreeMap<String, String>,
        theirs: &BTreeMap<String, String>,
        their_id: &str,
    ) -> Option<String> {
        let hash = theirs.get(their_id)?;
        ours.iter()
            .find(|(_, h)| *h == hash)
            .map(|(id, _)| id.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(text: &str) -> Spec {
        toml::from_str(text).expect("spec")
    }

    const AMI: &str = r#"
id = "ami"
title_da = "AMI"
title_en = "AMI"
description_da = "x"
description_en = "x"
topic = "hjerte"
registers = "."
stratifiers = ["education"]

[population]
period = ["2021-01-01", "2024-09-30"]
age_min = 30

[patient_group]
[[patient_group.include]]
diagnoses = ["I21"]

[[outcomes]]
id = "death30"
name_da = "Død inden for 30 dage"
name_en = "Death within 30 days"
kind = "death"
window_days = [0, 30]
"#;

    #[test]
    fn the_same_analysis_for_50_plus_is_a_relative_and_its_outcomes_match_by_definition() {
        let wide = Family::of(&spec(AMI));
        let narrow_text = AMI
            .replace("age_min = 30", "age_min = 50")
            .replace("id = \"ami\"", "id = \"ami50\"")
            .replace("id = \"death30\"", "id = \"mortality\"");
        let narrow = Family::of(&spec(&narrow_text));
        assert!(wide.is_relative(&narrow) && narrow.is_relative(&wide));
        assert_eq!(
            Family::counterpart(&wide.outcomes, &narrow.outcomes, "mortality").as_deref(),
            Some("death30")
        );
        // 30-49 beside 50+: neither inside the other.
        let young = Family::of(&spec(
            &AMI.replace("age_min = 30", "age_min = 30\nage_max = 49"),
        ));
        assert!(!young.is_relative(&narrow));
        // Another patient group is no relative.
        let other = Family::of(&spec(&AMI.replace("\"I21\"", "\"I63\"")));
        assert!(!other.is_relative(&wide));
        // Another window is another outcome.
        let later = Family::of(&spec(&AMI.replace("[0, 30]", "[0, 90]")));
        assert_eq!(
            Family::counterpart(&wide.outcomes, &later.outcomes, "death30"),
            None
        );
    }
}
