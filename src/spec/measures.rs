//! The measures a spec asks for, by stratifier: the names an analyst writes in `measures` and
//! `[stratifier_measures]`, and the default list when the spec names none.

use super::types::{LoadedSpec, Stratifier};

/// Measures a spec may ask for besides HEAT's summary measures.
pub const BASIC_MEASURES: [&str; 5] = [
    "proportion",
    "age_standardised",
    "difference",
    "ratio",
    "waiting_time",
];

/// The HEAT summary measures a pipeline computes for a dimension (where HEAT finds them
/// applicable).
pub const SUMMARY_MEASURES: [&str; 13] = [
    "sii", "rii", "aci", "rci", "paf", "par", "bgv", "bgsd", "cov", "idisu", "idisw", "ti", "mld",
];

/// The measures of a stratifier: its own list, the spec's, or the default.
pub fn measures_for(loaded: &LoadedSpec, stratifier: &Stratifier) -> Vec<String> {
    if let Some(list) = loaded.spec.stratifier_measures.get(&stratifier.code()) {
        return list.clone();
    }
    if let Some(list) = &loaded.spec.measures {
        return list.clone();
    }
    let mut list: Vec<String> = vec!["proportion".into()];
    if loaded.spec.standardisation.is_some() {
        list.push("age_standardised".into());
    }
    list.extend(["difference", "ratio"].map(String::from));
    if loaded.spec.outcomes.iter().any(|o| o.waiting_time) {
        list.push("waiting_time".into());
    }
    list.extend(SUMMARY_MEASURES.map(String::from));
    if loaded
        .spec
        .quality
        .as_ref()
        .is_some_and(|q| q.unit == *stratifier)
    {
        list.push("funnel".into());
    }
    list
}
