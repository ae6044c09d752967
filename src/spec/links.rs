//! The relations between a spec's outcomes that an outsider can know from the spec alone, and
//! that disclosure control must therefore treat as known: an outcome counted only among the
//! patients alive some days after the index has the patients who died as its complement, and an
//! outcome whose events all lie inside a wider outcome's is part of it.

use super::types::{Outcome, OutcomeKind, Spec};

/// The outcome whose patients an `alive_days` outcome is counted among (the first outcome
/// without that restriction): its denominator less this outcome's is the patients who died.
pub fn at_risk_of<'a>(spec: &'a Spec, outcome: &Outcome) -> Option<&'a Outcome> {
    outcome
        .alive_days
        .and_then(|_| spec.outcomes.iter().find(|o| o.alive_days.is_none()))
}

/// The death outcome whose events are exactly the patients an `alive_days` outcome leaves out
/// (death within the same days), when the spec has one.
pub fn not_at_risk_are<'a>(spec: &'a Spec, outcome: &Outcome) -> Option<&'a Outcome> {
    outcome.alive_days.and_then(|days| {
        spec.outcomes
            .iter()
            .find(|o| o.kind == OutcomeKind::Death && o.window_days == [0, days])
    })
}

/// Every outcome that contains every event of `outcome` (see [`contains`]), in whatever order
/// the spec lists them: 24 h inside both 48 h and 72 h is linked to each.
pub fn within<'a>(spec: &'a Spec, outcome: &'a Outcome) -> impl Iterator<Item = &'a Outcome> {
    spec.outcomes
        .iter()
        .filter(move |wide| contains(wide, outcome))
}

/// Whether every event of `narrow` is an event of `wide` for the same patients at risk: the same
/// kind and at-risk rule, a window that covers it, and codes and units that include its own.
fn contains(wide: &Outcome, narrow: &Outcome) -> bool {
    let covers = |outer: &[String], inner: &[String]| {
        outer.is_empty()
            || (!inner.is_empty()
                && inner
                    .iter()
                    .all(|c| outer.iter().any(|o| c.starts_with(o.as_str()))))
    };
    wide.id != narrow.id
        && wide.kind == narrow.kind
        && wide.alive_days == narrow.alive_days
        && wide.window_days[0] <= narrow.window_days[0]
        && wide.window_days[1] >= narrow.window_days[1]
        && covers(&wide.codes, &narrow.codes)
        && units_cover(&wide.unit_codes, &narrow.unit_codes)
}

/// Whether the units of `wide` include those of `narrow` (SOR codes, `None` = every unit).
/// Before the codes are looked up both are `None`, and every pair is taken as nested: a link
/// too many protects a difference that needed none, a link too few would release one.
fn units_cover(wide: &Option<Vec<String>>, narrow: &Option<Vec<String>>) -> bool {
    match (wide, narrow) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(wide), Some(narrow)) => narrow.iter().all(|code| wide.contains(code)),
    }
}
