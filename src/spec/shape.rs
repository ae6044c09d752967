//! The shape of a stratifier's dimension as the spec fixes it (how many subgroups it has once
//! its levels are merged and the population limited, whether it is ordered) and the summary
//! measures computed for that shape, so that the plan lists what a run computes, not what the
//! spec asks for: WHO HEAT computes no slope index over regions and healthequal no PAF over the
//! two sexes (WHO 2024, HEAT technical notes, table of measures; healthequal 1.0.1).

use crate::measures::summary;
use crate::registers::codes::{REGIONS, municipalities};
use crate::spec::{
    Derived, LoadedSpec, RequestedMeasure, Stratifier, SummaryMeasure, measures_for,
};

/// The summary measures a spec asks for by one stratifier, split by whether they are computed
/// for the dimension's shape.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SummaryPlan {
    /// Computed, by method (and released unless disclosure control withholds them).
    pub computed: Vec<(SummaryMeasure, &'static str)>,
    /// Asked for, but not computed by this method for a dimension of this shape ("ikke
    /// beregnet").
    pub not_for_shape: Vec<(SummaryMeasure, &'static str)>,
    /// The number of subgroups the plan assumed, `None` where the data decide it (hospitals,
    /// `bef` columns): then every measure asked for is listed as computed.
    pub subgroups: Option<usize>,
}

/// The subgroups (levels other than the unknown one) of `stratifier` in the main analysis,
/// after `[merge_levels]` and the population's limits; `None` where the data decide them. A
/// level nobody in the patient group has also drops out of the summary measures, which the spec
/// cannot foresee.
pub fn subgroups(loaded: &LoadedSpec, stratifier: &Stratifier) -> Option<usize> {
    let spec = &loaded.spec;
    let population = &spec.population;
    let known = match stratifier {
        Stratifier::Derived(Derived::Region) if !population.municipalities.is_empty() => {
            return None;
        }
        Stratifier::Derived(Derived::Region) if !population.regions.is_empty() => {
            population.regions.len()
        }
        Stratifier::Derived(Derived::Region) => REGIONS.len(),
        Stratifier::Derived(Derived::Municipality)
            if population.regions.is_empty() && population.municipalities.is_empty() =>
        {
            municipalities().len()
        }
        Stratifier::Derived(Derived::Sex) => 2,
        Stratifier::Derived(Derived::AgeGroup) => age_groups_in_population(loaded),
        Stratifier::Derived(d) if !d.fixed_levels().is_empty() => d.fixed_levels().len(),
        _ => return None,
    };
    let merged: usize = spec
        .merge_levels
        .get(&stratifier.code())
        .map(|merges| merges.values().map(|members| members.len() - 1).sum())
        .unwrap_or(0);
    Some(known.saturating_sub(merged))
}

/// The age groups (lower bounds in `age_groups`, the last open) that overlap the population's
/// ages.
fn age_groups_in_population(loaded: &LoadedSpec) -> usize {
    let spec = &loaded.spec;
    let (youngest, oldest) = (
        spec.population.age_min.unwrap_or(0),
        spec.population.age_max.unwrap_or(i32::MAX),
    );
    let bounds = &spec.age_groups;
    bounds
        .iter()
        .enumerate()
        .filter(|&(i, &low)| {
            let high = bounds.get(i + 1).map_or(i32::MAX, |next| next - 1);
            high >= youngest && low <= oldest
        })
        .count()
}

/// The summary measures `loaded` asks for by `stratifier`, as the run will compute them.
pub fn summary_plan(loaded: &LoadedSpec, stratifier: &Stratifier) -> SummaryPlan {
    let subgroups = subgroups(loaded, stratifier);
    let mut plan = SummaryPlan {
        subgroups,
        ..SummaryPlan::default()
    };
    for requested in measures_for(loaded, stratifier) {
        let RequestedMeasure::Summary(measure) = requested else {
            continue;
        };
        for method in summary::methods_of(requested.code()) {
            let computed = subgroups.is_none_or(|n| {
                summary::not_for_shape(requested.code(), method, stratifier.ordered(), n).is_none()
            });
            if computed {
                plan.computed.push((measure, method));
            } else {
                plan.not_for_shape.push((measure, method));
            }
        }
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::load;
    use std::path::Path;

    fn shipped(name: &str) -> LoadedSpec {
        load(
            &Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("pipelines")
                .join(name),
        )
        .expect("shipped spec loads")
    }

    /// Known shapes of the shipped specs: education has three subgroups besides "uoplyst", AMI
    /// merges immigrants and descendants into one origin level, the youth analysis does not.
    #[test]
    fn subgroups_follow_levels_merges_and_the_population() {
        let ami = shipped("ami_pci_rehab_death.toml");
        let youth = shipped("youth_depression_anxiety_wait.toml");
        let of = |l: &LoadedSpec, code: &str| {
            let s = l
                .spec
                .stratifiers
                .iter()
                .find(|s| s.code() == code)
                .unwrap_or_else(|| panic!("{} has no {code}", l.spec.id));
            subgroups(l, s)
        };
        assert_eq!(of(&ami, "education"), Some(3));
        assert_eq!(of(&ami, "income_quintile"), Some(5));
        assert_eq!(of(&ami, "region"), Some(5));
        assert_eq!(of(&ami, "sex"), Some(2));
        assert_eq!(of(&ami, "origin"), Some(2), "{:?}", ami.spec.merge_levels);
        assert_eq!(of(&youth, "origin"), Some(3));
    }

    /// The slope indices are computed for ordered dimensions only (PHE's for five groups or more),
    /// the dispersion measures for unordered ones, and PAF and PAR need three subgroups.
    #[test]
    fn the_plan_drops_what_the_shape_does_not_allow() {
        let ami = shipped("ami_pci_rehab_death.toml");
        let plan = |code: &str| {
            let s = ami.spec.stratifiers.iter().find(|s| s.code() == code);
            summary_plan(&ami, s.expect("stratifier"))
        };
        let education = plan("education");
        assert!(
            education
                .computed
                .contains(&(SummaryMeasure::Sii, "heat-logistic"))
        );
        assert!(
            education
                .not_for_shape
                .contains(&(SummaryMeasure::Sii, "phe-linear"))
        );
        assert!(
            education
                .not_for_shape
                .contains(&(SummaryMeasure::Bgv, "heat"))
        );
        let income = plan("income_quintile");
        assert!(
            income
                .computed
                .contains(&(SummaryMeasure::Rii, "phe-linear"))
        );
        let region = plan("region");
        assert!(
            region
                .not_for_shape
                .contains(&(SummaryMeasure::Sii, "heat-logistic"))
        );
        assert!(region.computed.contains(&(SummaryMeasure::Bgv, "heat")));
        let sex = plan("sex");
        assert!(sex.computed.is_empty(), "{sex:?}");
        assert!(sex.not_for_shape.contains(&(SummaryMeasure::Paf, "heat")));
    }
}
