//! The measures: what a spec may ask for (`measures`, `[stratifier_measures]`, the default list
//! when it names none) and what a row of the tidy table holds. Both are enums with stable
//! lower-case codes (the spec's words, the tidy CSV's `measure` column), so no stage compares
//! measure names as text.

use serde::Serialize;

use super::types::{LoadedSpec, Stratifier};

/// The code of `value` in a table of (value, code) pairs.
fn code_in<T: Copy + PartialEq>(table: &[(T, &'static str)], value: T) -> &'static str {
    table
        .iter()
        .find(|(v, _)| *v == value)
        .map_or("", |(_, code)| code)
}

/// The value of `code` in a table of (value, code) pairs.
fn value_in<T: Copy>(table: &[(T, &'static str)], code: &str) -> Option<T> {
    table.iter().find(|(_, c)| *c == code).map(|(v, _)| *v)
}

/// A summary measure of a whole dimension (WHO HEAT's technical notes; SII and RII also after
/// PHEindicatormethods), by its lower-case HEAT abbreviation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SummaryMeasure {
    Sii,
    Rii,
    Aci,
    Rci,
    Paf,
    Par,
    Bgv,
    Bgsd,
    Cov,
    Mdbu,
    Mdbw,
    Mdmu,
    Mdmw,
    Mdru,
    Mdrw,
    Idisu,
    Idisw,
    Ti,
    Mld,
}

impl SummaryMeasure {
    /// Every summary measure a spec may ask for, with its code.
    pub const ALL: [(SummaryMeasure, &'static str); 19] = [
        (SummaryMeasure::Sii, "sii"),
        (SummaryMeasure::Rii, "rii"),
        (SummaryMeasure::Aci, "aci"),
        (SummaryMeasure::Rci, "rci"),
        (SummaryMeasure::Paf, "paf"),
        (SummaryMeasure::Par, "par"),
        (SummaryMeasure::Bgv, "bgv"),
        (SummaryMeasure::Bgsd, "bgsd"),
        (SummaryMeasure::Cov, "cov"),
        (SummaryMeasure::Mdbu, "mdbu"),
        (SummaryMeasure::Mdbw, "mdbw"),
        (SummaryMeasure::Mdmu, "mdmu"),
        (SummaryMeasure::Mdmw, "mdmw"),
        (SummaryMeasure::Mdru, "mdru"),
        (SummaryMeasure::Mdrw, "mdrw"),
        (SummaryMeasure::Idisu, "idisu"),
        (SummaryMeasure::Idisw, "idisw"),
        (SummaryMeasure::Ti, "ti"),
        (SummaryMeasure::Mld, "mld"),
    ];

    /// The summary measures a pipeline computes for a dimension by default (where HEAT finds
    /// them applicable).
    pub const DEFAULT: [SummaryMeasure; 13] = [
        SummaryMeasure::Sii,
        SummaryMeasure::Rii,
        SummaryMeasure::Aci,
        SummaryMeasure::Rci,
        SummaryMeasure::Paf,
        SummaryMeasure::Par,
        SummaryMeasure::Bgv,
        SummaryMeasure::Bgsd,
        SummaryMeasure::Cov,
        SummaryMeasure::Idisu,
        SummaryMeasure::Idisw,
        SummaryMeasure::Ti,
        SummaryMeasure::Mld,
    ];

    pub fn code(self) -> &'static str {
        code_in(&Self::ALL, self)
    }

    /// The summary measure of a code; `None` for any other text (HEAT's `d` and `r` among
    /// them: a spec asks for those as `difference` and `ratio`).
    pub fn from_code(code: &str) -> Option<SummaryMeasure> {
        value_in(&Self::ALL, code)
    }
}

/// A measure a spec asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RequestedMeasure {
    Proportion,
    AgeStandardised,
    Difference,
    Ratio,
    WaitingTime,
    /// The number of events per patient (outcomes with `count`).
    EventCount,
    /// The length of stay (`length_of_stay` outcomes).
    StayDays,
    /// Funnel limits and the quality standard, by the quality unit.
    Funnel,
    Summary(SummaryMeasure),
}

impl RequestedMeasure {
    /// The measures a spec may name besides the summary measures, with their codes.
    pub const BASIC: [(RequestedMeasure, &'static str); 8] = [
        (RequestedMeasure::Proportion, "proportion"),
        (RequestedMeasure::AgeStandardised, "age_standardised"),
        (RequestedMeasure::Difference, "difference"),
        (RequestedMeasure::Ratio, "ratio"),
        (RequestedMeasure::WaitingTime, "waiting_time"),
        (RequestedMeasure::EventCount, "event_count"),
        (RequestedMeasure::StayDays, "stay_days"),
        (RequestedMeasure::Funnel, "funnel"),
    ];

    /// The code a spec writes.
    pub fn code(self) -> &'static str {
        match self {
            RequestedMeasure::Summary(s) => s.code(),
            other => code_in(&Self::BASIC, other),
        }
    }

    /// The measure a spec's code names, if any.
    pub fn from_code(code: &str) -> Option<RequestedMeasure> {
        value_in(&Self::BASIC, code)
            .or_else(|| SummaryMeasure::from_code(code).map(RequestedMeasure::Summary))
    }
}

/// The measure of a row of the tidy table (its `measure` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Measure {
    /// The crude share with the outcome, in percent (Wilson interval).
    Proportion,
    /// The age-and-sex-standardised share, in percent.
    ProportionAgeSexStd,
    /// A level's share less the reference level's, in percentage points.
    Difference,
    /// A level's share over the reference level's.
    Ratio,
    WaitingDaysMean,
    WaitingDaysMedian,
    /// The number of events in the window per patient at risk: mean (Student's t interval).
    EventsMean,
    /// The number of events in the window per patient at risk: median.
    EventsMedian,
    /// The length of the index stay in days, among those discharged in the window: mean
    /// (Student's t interval).
    StayDaysMean,
    /// The length of the index stay in days, among those discharged in the window: median.
    StayDaysMedian,
    /// The 95 % funnel limits at a unit's number of patients.
    Funnel95,
    /// The 99.8 % funnel limits at a unit's number of patients.
    Funnel998,
    /// Whether a unit meets the quality standard (1) or not (0).
    StandardMet,
    /// A level's odds of the outcome over the reference level's, from a logistic model
    /// (`[adjustment]`; the method names the adjustment set).
    OddsRatio,
    /// The share the whole patient group would have in the level, by marginal standardisation
    /// over the model's other factors, in percent.
    AdjustedShare,
    /// A level's adjusted share less the reference level's, in percentage points.
    AdjustedDifference,
    Summary(SummaryMeasure),
}

impl Measure {
    const CODES: [(Measure, &'static str); 16] = [
        (Measure::Proportion, "proportion"),
        (Measure::ProportionAgeSexStd, "proportion_age_sex_std"),
        (Measure::Difference, "difference"),
        (Measure::Ratio, "ratio"),
        (Measure::WaitingDaysMean, "waiting_days_mean"),
        (Measure::WaitingDaysMedian, "waiting_days_median"),
        (Measure::EventsMean, "events_mean"),
        (Measure::EventsMedian, "events_median"),
        (Measure::StayDaysMean, "stay_days_mean"),
        (Measure::StayDaysMedian, "stay_days_median"),
        (Measure::Funnel95, "funnel_95"),
        (Measure::Funnel998, "funnel_998"),
        (Measure::StandardMet, "standard_met"),
        (Measure::OddsRatio, "odds_ratio"),
        (Measure::AdjustedShare, "adjusted_share"),
        (Measure::AdjustedDifference, "adjusted_difference"),
    ];

    /// The code in the tidy CSV's `measure` column.
    pub fn code(self) -> &'static str {
        match self {
            Measure::Summary(s) => s.code(),
            other => code_in(&Self::CODES, other),
        }
    }

    /// The measure of a tidy CSV's code, if any.
    pub fn from_code(code: &str) -> Option<Measure> {
        value_in(&Self::CODES, code)
            .or_else(|| SummaryMeasure::from_code(code).map(Measure::Summary))
    }
}

impl std::fmt::Display for Measure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for Measure {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

/// The measures of a stratifier: its own list, the spec's, or the default. The spec's codes were
/// checked when it was loaded ([`super::check`]).
pub fn measures_for(loaded: &LoadedSpec, stratifier: &Stratifier) -> Vec<RequestedMeasure> {
    let named = loaded
        .spec
        .stratifier_measures
        .get(&stratifier.code())
        .or(loaded.spec.measures.as_ref());
    if let Some(list) = named {
        return list
            .iter()
            .filter_map(|code| RequestedMeasure::from_code(code))
            .collect();
    }
    let mut list = vec![RequestedMeasure::Proportion];
    if loaded.spec.standardisation.is_some() {
        list.push(RequestedMeasure::AgeStandardised);
    }
    list.extend([RequestedMeasure::Difference, RequestedMeasure::Ratio]);
    if loaded.spec.outcomes.iter().any(|o| o.waiting_time) {
        list.push(RequestedMeasure::WaitingTime);
    }
    if loaded.spec.outcomes.iter().any(|o| o.count) {
        list.push(RequestedMeasure::EventCount);
    }
    if loaded
        .spec
        .outcomes
        .iter()
        .any(|o| o.kind == crate::spec::OutcomeKind::LengthOfStay)
    {
        list.push(RequestedMeasure::StayDays);
    }
    list.extend(SummaryMeasure::DEFAULT.map(RequestedMeasure::Summary));
    if loaded
        .spec
        .quality
        .as_ref()
        .is_some_and(|q| q.unit == *stratifier)
    {
        list.push(RequestedMeasure::Funnel);
    }
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every code reads back as the measure that wrote it, and no two measures share a code.
    #[test]
    fn codes_read_back_and_are_distinct() {
        let mut row_codes = Vec::new();
        for (m, _) in Measure::CODES {
            assert_eq!(Measure::from_code(m.code()), Some(m));
            row_codes.push(m.code());
        }
        for (s, _) in SummaryMeasure::ALL {
            let m = Measure::Summary(s);
            assert_eq!(Measure::from_code(m.code()), Some(m));
            row_codes.push(m.code());
            let r = RequestedMeasure::Summary(s);
            assert_eq!(RequestedMeasure::from_code(r.code()), Some(r));
        }
        for (r, _) in RequestedMeasure::BASIC {
            assert_eq!(RequestedMeasure::from_code(r.code()), Some(r));
        }
        let count = row_codes.len();
        row_codes.sort_unstable();
        row_codes.dedup();
        assert_eq!(row_codes.len(), count);
        assert_eq!(Measure::from_code("d"), None);
        assert_eq!(RequestedMeasure::from_code("r"), None);
    }
}
