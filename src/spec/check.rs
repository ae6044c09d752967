//! The rules a pipeline spec must meet beyond its TOML shape, checked before any data is read.
//! Each error names the file, the key (as a TOML path, e.g. `outcomes[1].window_days`) and what
//! was expected, so an analyst can fix the spec without reading Rust.

use std::path::Path;

use super::measures::RequestedMeasure;
use super::types::{
    Criterion, Derived, Design, MAX_CONDITIONS, Match, OutcomeKind, Priority, Setting, Spec,
    Stratifier,
};
use crate::dates;
use crate::error::{Error, Result};
use crate::registers::codes::{REGIONS, municipalities};

fn bad(path: &Path, key: &str, expected: impl std::fmt::Display) -> Error {
    Error::BadSpec(format!("{}: key `{key}`: {expected}", path.display()))
}

/// ICD-10 codes or prefixes: a capital letter, then digits in positions 2-3, then up to three
/// letters or digits (without the SKS `D`).
fn check_icd10(path: &Path, key: &str, codes: &[String]) -> Result<()> {
    for code in codes {
        let b = code.as_bytes();
        let ok = !b.is_empty()
            && b.len() <= 6
            && b[0].is_ascii_uppercase()
            && b[1..].iter().take(2).all(u8::is_ascii_digit)
            && b.iter()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
        if !ok {
            return Err(bad(
                path,
                key,
                format!(
                    "{code:?} is not an ICD-10 code or prefix (expected e.g. \"E11\" or \"I21\", without the SKS \"D\")"
                ),
            ));
        }
    }
    Ok(())
}

/// ATC codes or prefixes (A, A10, A10B, A10BK, A10BK01).
fn check_atc(path: &Path, key: &str, codes: &[String]) -> Result<()> {
    for code in codes {
        let b = code.as_bytes();
        let shape = |i: usize, c: &u8| match i {
            0 | 3 | 4 => c.is_ascii_uppercase(),
            _ => c.is_ascii_digit(),
        };
        let ok =
            [1, 3, 4, 5, 7].contains(&b.len()) && b.iter().enumerate().all(|(i, c)| shape(i, c));
        if !ok {
            return Err(bad(
                path,
                key,
                format!(
                    "{code:?} is not an ATC code or prefix (expected e.g. \"A10BK\" or \"A10BK01\")"
                ),
            ));
        }
    }
    Ok(())
}

/// SKS procedure codes or prefixes: `K` (operations) or `B` (treatments) etc., a capital letter
/// followed by capitals and digits, 2 to 8 characters.
fn check_sks(path: &Path, key: &str, codes: &[String]) -> Result<()> {
    for code in codes {
        let b = code.as_bytes();
        let ok = (2..=8).contains(&b.len())
            && b[0].is_ascii_uppercase()
            && b.iter()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
        if !ok {
            return Err(bad(
                path,
                key,
                format!(
                    "{code:?} is not an SKS procedure code or prefix (expected e.g. \"KFNG05\" or \"BFCA0\")"
                ),
            ));
        }
    }
    Ok(())
}

/// Unit types and specialties: names as the SOR table writes them (looked up there when the run
/// reads its classification tables, [`super::units::resolve`]).
fn check_units(path: &Path, key: &str, units: &[String]) -> Result<()> {
    if let Some(unit) = units.iter().find(|u| u.trim().is_empty()) {
        return Err(bad(
            path,
            key,
            format!(
                "{unit:?} names no unit type or specialty (expected a name from the SOR table, e.g. \"ambulatorium\" or \"ortopædisk kirurgi\")"
            ),
        ));
    }
    Ok(())
}

fn check_regions(path: &Path, key: &str, regions: &[String]) -> Result<()> {
    for region in regions {
        if !REGIONS.iter().any(|(code, _)| code.to_string() == *region) {
            let known: Vec<String> = REGIONS.iter().map(|(c, _)| c.to_string()).collect();
            return Err(bad(
                path,
                key,
                format!(
                    "unknown region {region:?}; expected one of {}",
                    known.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

/// The key a criterion's or outcome's stay restriction is named by in an error: `priority`
/// when it has one, else `setting`; `None` when it has neither.
fn stay_key(priority: Option<Priority>, setting: Option<Setting>) -> Option<&'static str> {
    match (priority, setting) {
        (Some(_), _) => Some("priority"),
        (None, Some(_)) => Some("setting"),
        (None, None) => None,
    }
}

fn check_criterion(path: &Path, key: &str, c: &Criterion, needs_lookback: bool) -> Result<()> {
    let kinds = [
        !c.diagnoses.is_empty(),
        !c.procedures.is_empty(),
        !c.atc.is_empty(),
    ]
    .iter()
    .filter(|k| **k)
    .count();
    if kinds != 1 {
        return Err(bad(
            path,
            key,
            "expected exactly one of `diagnoses`, `procedures` or `atc` (use several criteria to combine kinds)",
        ));
    }
    check_icd10(path, &format!("{key}.diagnoses"), &c.diagnoses)?;
    check_sks(path, &format!("{key}.procedures"), &c.procedures)?;
    check_atc(path, &format!("{key}.atc"), &c.atc)?;
    check_units(path, &format!("{key}.units"), &c.units)?;
    check_units(path, &format!("{key}.specialty"), &c.specialty)?;
    if let Some(named) = stay_key(c.priority, c.setting)
        && !c.atc.is_empty()
    {
        return Err(bad(
            path,
            &format!("{key}.{named}"),
            "priority and setting apply to hospital stays, not to prescriptions",
        ));
    }
    if (!c.units.is_empty() || !c.specialty.is_empty()) && !c.atc.is_empty() {
        return Err(bad(
            path,
            &format!(
                "{key}.{}",
                if c.units.is_empty() {
                    "specialty"
                } else {
                    "units"
                }
            ),
            "units and specialties apply to hospital contacts, not to prescriptions",
        ));
    }
    match (c.min_events, c.within_days) {
        (Some(0), _) => {
            return Err(bad(
                path,
                &format!("{key}.min_events"),
                "0: expected at least 1 event",
            ));
        }
        (Some(n), None) if n > 1 => {
            return Err(bad(
                path,
                &format!("{key}.within_days"),
                format!(
                    "missing: `min_events = {n}` needs the most days from the first to the last of the events (e.g. 365 for within a year)"
                ),
            ));
        }
        (n, Some(_)) if n.unwrap_or(1) <= 1 => {
            return Err(bad(
                path,
                &format!("{key}.within_days"),
                "applies only with `min_events` above 1",
            ));
        }
        (_, Some(days)) if days <= 0 => {
            return Err(bad(
                path,
                &format!("{key}.within_days"),
                format!("{days}: expected a positive number of days"),
            ));
        }
        _ => {}
    }
    match c.lookback_days {
        Some(days) if days <= 0 => Err(bad(
            path,
            &format!("{key}.lookback_days"),
            format!(
                "{days}: expected a positive number of days (the window lies before the index)"
            ),
        )),
        None if needs_lookback => Err(bad(
            path,
            &format!("{key}.lookback_days"),
            "missing: this criterion is checked in a window before the index, so it needs one",
        )),
        _ => Ok(()),
    }
}

fn check_measures(path: &Path, key: &str, measures: &[String]) -> Result<()> {
    for m in measures {
        if RequestedMeasure::from_code(m).is_none() {
            let basic: Vec<&str> = RequestedMeasure::BASIC
                .iter()
                .filter(|(r, _)| *r != RequestedMeasure::Funnel)
                .map(|(_, code)| *code)
                .collect();
            return Err(bad(
                path,
                key,
                format!(
                    "unknown measure {m:?}; expected {} or a HEAT summary measure in lower case (sii, rii, aci, rci, paf, par, bgv, bgsd, cov, mdbu, mdbw, mdmu, mdmw, mdru, mdrw, idisu, idisw, ti, mld)",
                    basic.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

/// The longest id: it names the output folder and its files (a file name may have at most 255
/// bytes, and `tables/<id>.csv` and the staging folder's name add to it).
const ID_MAX: usize = 64;

/// The longest title or name, read on one line of a report, a table heading or a workbook cell.
const NAME_MAX: usize = 300;

/// The longest description, a paragraph of the analysis plan.
const DESCRIPTION_MAX: usize = 3000;

fn id_ok(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= ID_MAX
        && id
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
}

/// Refuses a text of more than `max` characters at `key`.
fn check_length(path: &Path, key: &str, text: &str, max: usize) -> Result<()> {
    let length = text.chars().count();
    if length > max {
        return Err(bad(
            path,
            key,
            format!("{length} characters: expected at most {max}"),
        ));
    }
    Ok(())
}

/// The titles, names and descriptions of a spec within their lengths.
fn check_texts(spec: &Spec, path: &Path) -> Result<()> {
    for (key, text) in [
        ("title_da", &spec.title_da),
        ("title_en", &spec.title_en),
        ("topic", &spec.topic),
    ] {
        check_length(path, key, text, NAME_MAX)?;
    }
    for (key, text) in [
        ("description_da", &spec.description_da),
        ("description_en", &spec.description_en),
    ] {
        check_length(path, key, text, DESCRIPTION_MAX)?;
    }
    for (i, o) in spec.outcomes.iter().enumerate() {
        check_length(path, &format!("outcomes[{i}].id"), &o.id, ID_MAX)?;
        check_length(
            path,
            &format!("outcomes[{i}].name_da"),
            &o.name_da,
            NAME_MAX,
        )?;
        check_length(
            path,
            &format!("outcomes[{i}].name_en"),
            &o.name_en,
            NAME_MAX,
        )?;
    }
    for (i, sub) in spec.sub_analyses.iter().enumerate() {
        check_length(path, &format!("sub_analyses[{i}].id"), &sub.id, ID_MAX)?;
        check_length(
            path,
            &format!("sub_analyses[{i}].name_da"),
            &sub.name_da,
            NAME_MAX,
        )?;
        check_length(
            path,
            &format!("sub_analyses[{i}].name_en"),
            &sub.name_en,
            NAME_MAX,
        )?;
    }
    Ok(())
}

/// Checks every rule and returns the design.
pub fn check(spec: &Spec, path: &Path) -> Result<Design> {
    if !id_ok(&spec.id) {
        return Err(bad(
            path,
            "id",
            format!(
                "expected 1 to {ID_MAX} letters, digits, `_` or `-` (it names the output folder)"
            ),
        ));
    }
    check_texts(spec, path)?;
    let date = |key: &str, text: &str| {
        dates::parse_iso(text)
            .ok_or_else(|| bad(path, key, format!("{text:?} is not a date YYYY-MM-DD")))
    };
    let p = &spec.population;
    let design = match (&p.index_date, &p.period) {
        (Some(d), None) => Design::IndexDate(date("population.index_date", d)?),
        (None, Some([a, b])) => {
            let (from, to) = (date("population.period", a)?, date("population.period", b)?);
            if to < from {
                return Err(bad(
                    path,
                    "population.period",
                    format!("{a} is after {b}: expected [first, last] in that order"),
                ));
            }
            Design::Period(from, to)
        }
        _ => {
            return Err(bad(
                path,
                "population",
                "expected exactly one of `index_date` (prevalent design) or `period` (incident design)",
            ));
        }
    };
    if p.by_index_year {
        if matches!(design, Design::IndexDate(_)) {
            return Err(bad(
                path,
                "population.by_index_year",
                "results by index year need an incident design: `period`, not `index_date`",
            ));
        }
        if spec.trend.is_some() {
            return Err(bad(
                path,
                "population.by_index_year",
                "already gives results for each year of the period: remove `[trend]`",
            ));
        }
    }
    let (min, max) = (p.age_min.unwrap_or(0), p.age_max.unwrap_or(120));
    if min < 0 || max > 120 || min > max {
        return Err(bad(
            path,
            "population.age_min",
            format!("ages {min}-{max}: expected 0 <= age_min <= age_max <= 120"),
        ));
    }
    check_regions(path, "population.regions", &p.regions)?;
    let known = municipalities();
    if let Some(m) = p
        .municipalities
        .iter()
        .find(|m| !known.iter().any(|k| k.code == **m))
    {
        return Err(bad(
            path,
            "population.municipalities",
            format!("unknown municipality code {m}; expected one of the 98 codes (e.g. 101, 751)"),
        ));
    }

    let group = &spec.patient_group;
    if group.include.is_empty() {
        return Err(bad(
            path,
            "patient_group.include",
            "expected at least one criterion",
        ));
    }
    let prevalent = matches!(design, Design::IndexDate(_));
    for (i, c) in group.include.iter().enumerate() {
        // In the incident design the index criteria (all of them with `any`, the first with
        // `all`) are looked for in the period; the others need a look-back window.
        let index_criterion = !prevalent && (group.combine == Match::Any || i == 0);
        check_criterion(
            path,
            &format!("patient_group.include[{i}]"),
            c,
            !index_criterion,
        )?;
    }
    for (i, c) in group.exclude.iter().enumerate() {
        check_criterion(path, &format!("patient_group.exclude[{i}]"), c, true)?;
    }
    if let Some(mm) = &spec.multimorbidity {
        if mm.conditions.len() < 2 {
            return Err(bad(
                path,
                "multimorbidity.conditions",
                "expected at least two conditions",
            ));
        }
        if mm.conditions.len() > MAX_CONDITIONS {
            return Err(bad(
                path,
                "multimorbidity.conditions",
                format!(
                    "expected at most {MAX_CONDITIONS} conditions, found {}",
                    mm.conditions.len()
                ),
            ));
        }
        for (name, codes) in &mm.conditions {
            if codes.is_empty() {
                return Err(bad(
                    path,
                    &format!("multimorbidity.conditions.{name}"),
                    "expected at least one ICD-10 code",
                ));
            }
            check_icd10(path, &format!("multimorbidity.conditions.{name}"), codes)?;
        }
        if mm.lookback_days <= 0 {
            return Err(bad(
                path,
                "multimorbidity.lookback_days",
                "expected a positive number of days",
            ));
        }
    }
    if let Some(charlson) = &spec.charlson {
        if charlson.lookback_days.is_some_and(|d| d <= 0) {
            return Err(bad(
                path,
                "charlson.lookback_days",
                "expected a positive number of days",
            ));
        }
        if spec.charlson_lookback().is_none() {
            return Err(bad(
                path,
                "charlson",
                "[charlson] sets the look-back of the `charlson` stratifier, which `stratifiers` does not list",
            ));
        }
    }
    let needs_conditions = group.min_conditions.is_some()
        || spec
            .stratifiers
            .contains(&Stratifier::Derived(Derived::Multimorbidity));
    if needs_conditions && spec.multimorbidity.is_none() {
        return Err(bad(
            path,
            "multimorbidity",
            "missing: `patient_group.min_conditions` and the `multimorbidity` stratifier count the conditions listed in [multimorbidity]",
        ));
    }

    if spec.outcomes.is_empty() {
        return Err(bad(path, "outcomes", "expected at least one [[outcomes]]"));
    }
    for (i, o) in spec.outcomes.iter().enumerate() {
        let key = format!("outcomes[{i}]");
        if !id_ok(&o.id) || spec.outcomes[..i].iter().any(|p| p.id == o.id) {
            return Err(bad(
                path,
                &format!("{key}.id"),
                format!(
                    "{:?}: expected a unique id of letters, digits, `_` or `-`",
                    o.id
                ),
            ));
        }
        let [from, to] = o.window_days;
        if from < 0 || to < from {
            return Err(bad(
                path,
                &format!("{key}.window_days"),
                format!(
                    "[{from}, {to}]: expected [from, to] days after the index with 0 <= from <= to"
                ),
            ));
        }
        let codes_key = format!("{key}.codes");
        match o.kind {
            OutcomeKind::Prescription => {
                if o.codes.is_empty() {
                    return Err(bad(path, &codes_key, "expected ATC codes"));
                }
                check_atc(path, &codes_key, &o.codes)?;
            }
            OutcomeKind::Procedure => {
                if o.codes.is_empty() {
                    return Err(bad(path, &codes_key, "expected SKS procedure codes"));
                }
                check_sks(path, &codes_key, &o.codes)?;
            }
            OutcomeKind::Contact => check_icd10(path, &codes_key, &o.codes)?,
            OutcomeKind::Death | OutcomeKind::Readmission | OutcomeKind::LengthOfStay => {
                if !o.codes.is_empty() {
                    return Err(bad(
                        path,
                        &codes_key,
                        "death, readmission and length of stay take no codes",
                    ));
                }
            }
        }
        check_units(path, &format!("{key}.units"), &o.units)?;
        check_units(path, &format!("{key}.specialty"), &o.specialty)?;
        if o.count && matches!(o.kind, OutcomeKind::Death | OutcomeKind::LengthOfStay) {
            return Err(bad(
                path,
                &format!("{key}.count"),
                "a death or a discharge happens once; count applies to contacts, procedures, prescriptions and readmissions",
            ));
        }
        if o.kind == OutcomeKind::LengthOfStay {
            // The index must be a hospital contact: in a prevalent design (an index date) or a
            // group found by prescriptions, nobody has an index stay.
            let by_contact = spec.population.index_date.is_none()
                && spec.patient_group.include.iter().all(|c| c.atc.is_empty());
            if !by_contact {
                return Err(bad(
                    path,
                    &format!("{key}.kind"),
                    "a length of stay is of the index contact's hospital stay: it needs an incident design whose patient group is found by diagnoses or procedures (no index_date, no atc)",
                ));
            }
            if o.waiting_time {
                return Err(bad(
                    path,
                    &format!("{key}.waiting_time"),
                    "a length of stay reports its days itself (stay_days_mean, stay_days_median)",
                ));
            }
        }
        // Units and specialties select hospital contacts and procedures; other outcomes have none.
        let unit_key = match (o.units.is_empty(), o.specialty.is_empty()) {
            (true, true) => None,
            (false, _) => Some("units"),
            (true, false) => Some("specialty"),
        };
        if let Some(unit_key) = unit_key
            && !matches!(o.kind, OutcomeKind::Contact | OutcomeKind::Procedure)
        {
            return Err(bad(
                path,
                &format!("{key}.{unit_key}"),
                "units and specialties apply to contact and procedure outcomes",
            ));
        }
        if let Some(named) = stay_key(o.priority, o.setting)
            && o.kind != OutcomeKind::Contact
        {
            return Err(bad(
                path,
                &format!("{key}.{named}"),
                "priority and setting apply to contact outcomes (a readmission is always an acute inpatient stay)",
            ));
        }
        if let Some([from, to]) = o.window_hours {
            let [from_days, to_days] = o.window_days;
            if o.kind != OutcomeKind::Procedure {
                return Err(bad(
                    path,
                    &format!("{key}.window_hours"),
                    "hours apply to procedure outcomes",
                ));
            }
            if from < 0 || from > to {
                return Err(bad(
                    path,
                    &format!("{key}.window_hours"),
                    format!(
                        "[{from}, {to}]: expected [from, to] hours after the arrival with 0 <= from <= to"
                    ),
                ));
            }
            // The procedures are looked for on the days: every instant of the hours must fall
            // on one of them (the stay began on or before the index day).
            let needed = (to + 23) / 24;
            if from_days > 0 || to_days < needed {
                return Err(bad(
                    path,
                    &format!("{key}.window_days"),
                    format!(
                        "[{from_days}, {to_days}]: `window_hours = [{from}, {to}]` needs the days [0, {needed}] or wider, where its procedures are looked for"
                    ),
                ));
            }
        }
        if let Some(days) = o.alive_days
            && days <= 0
        {
            return Err(bad(
                path,
                &format!("{key}.alive_days"),
                "expected a positive number of days",
            ));
        }
    }

    if spec.stratifiers.is_empty() {
        return Err(bad(path, "stratifiers", "expected at least one stratifier"));
    }
    for (i, s) in spec.stratifiers.iter().enumerate() {
        if spec.stratifiers[..i].contains(s) {
            return Err(bad(
                path,
                "stratifiers",
                format!("{} is listed twice", s.code()),
            ));
        }
    }
    let groups = &spec.age_groups;
    if groups.is_empty() || groups.windows(2).any(|w| w[0] >= w[1]) || groups[0] < 0 {
        return Err(bad(
            path,
            "age_groups",
            "expected increasing lower bounds of age groups, e.g. [18, 45, 65, 80]",
        ));
    }
    if let Some(measures) = &spec.measures {
        check_measures(path, "measures", measures)?;
    }
    for (name, measures) in &spec.stratifier_measures {
        if !spec.stratifiers.iter().any(|s| s.code() == *name) {
            return Err(bad(
                path,
                &format!("stratifier_measures.{name}"),
                "names no stratifier of `stratifiers`",
            ));
        }
        check_measures(path, &format!("stratifier_measures.{name}"), measures)?;
    }
    super::merges::check(spec, path)?;
    if let Some(a) = &spec.adjustment {
        let mut sets = a.sets.clone();
        sets.sort_by_key(|s| *s as u8);
        sets.dedup();
        if a.sets.is_empty() || sets.len() != a.sets.len() {
            return Err(bad(
                path,
                "adjustment.sets",
                "expected one or more different sets of \"none\", \"age_sex\", \"mutual\"",
            ));
        }
        if !spec.stratifiers.iter().any(Stratifier::adjustable) {
            return Err(bad(
                path,
                "adjustment",
                "no stratifier to compare; expected one of education, income_quintile, origin, origin_western, civil_status, region among `stratifiers`",
            ));
        }
    }
    if let Some(d) = &spec.disclosure
        && d.threshold < 3
    {
        return Err(bad(
            path,
            "disclosure.threshold",
            format!(
                "{} is below 3: only an internal run may use a lower threshold",
                d.threshold
            ),
        ));
    }
    if let Some(d) = &spec.disclosure
        && let Some(base) = d.round_to
        && base != 3
        && base != 5
    {
        return Err(bad(
            path,
            "disclosure.round_to",
            format!("{base}: expected 3 or 5"),
        ));
    }
    if let Some(d) = &spec.disclosure
        && let Some(from) = d.zeros_shown_from
        && from < d.threshold
    {
        return Err(bad(
            path,
            "disclosure.zeros_shown_from",
            format!(
                "{from} is below the threshold {}: expected a group of at least the threshold",
                d.threshold
            ),
        ));
    }
    for (i, sub) in spec.sub_analyses.iter().enumerate() {
        let key = format!("sub_analyses[{i}]");
        if !id_ok(&sub.id) || spec.sub_analyses[..i].iter().any(|s| s.id == sub.id) {
            return Err(bad(
                path,
                &format!("{key}.id"),
                "expected a unique id of letters, digits, `_` or `-`",
            ));
        }
        if let Some(sex) = &sub.sex
            && sex != "1"
            && sex != "2"
        {
            return Err(bad(
                path,
                &format!("{key}.sex"),
                format!("{sex:?}: expected \"1\" (men) or \"2\" (women)"),
            ));
        }
        if let (Some(a), Some(b)) = (sub.age_min, sub.age_max)
            && a > b
        {
            return Err(bad(
                path,
                &format!("{key}.age_min"),
                format!("{a} is above age_max {b}"),
            ));
        }
        check_regions(path, &format!("{key}.regions"), &sub.regions)?;
        if let Some(o) = sub
            .outcomes
            .iter()
            .find(|o| !spec.outcomes.iter().any(|x| x.id == **o))
        {
            return Err(bad(
                path,
                &format!("{key}.outcomes"),
                format!("{o:?} is not an outcome id of [[outcomes]]"),
            ));
        }
    }
    if let Some(v) = &spec.validation {
        crate::registers::severity::Severities::checked(&v.severities)
            .map_err(|e| bad(path, "validation.severities", e))?;
    }
    if let Some(t) = &spec.trend
        && t.first_year > t.last_year
    {
        return Err(bad(
            path,
            "trend.first_year",
            format!("{} is after last_year {}", t.first_year, t.last_year),
        ));
    }
    if let Some(q) = &spec.quality {
        if !(0.0..=100.0).contains(&q.standard_percent) {
            return Err(bad(
                path,
                "quality.standard_percent",
                "expected a percentage between 0 and 100",
            ));
        }
        if !spec.stratifiers.contains(&q.unit) {
            return Err(bad(
                path,
                "quality.unit",
                format!("{} is not one of `stratifiers`", q.unit.code()),
            ));
        }
        if let Some(o) = &q.outcome
            && !spec.outcomes.iter().any(|x| x.id == *o)
        {
            return Err(bad(
                path,
                "quality.outcome",
                format!("{o:?} is not an outcome id of [[outcomes]]"),
            ));
        }
    }
    Ok(design)
}
