//! The pipeline spec's types: one TOML file per analysis, documented in `pipelines/README.md`.
//!
//! A spec is parsed with unknown keys refused (serde `deny_unknown_fields`) and then checked by
//! [`super::check`] before any data is read ([`super::load`]); every error names the file, the
//! key and what was expected. The types here are the language an analyst reads and writes: the population, the
//! patient group (criteria combined with any/all and excluded with not), the outcomes, the
//! stratifiers and measures, sub-analyses and the trend.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::levels;
use crate::dates;
use crate::registers::classification::Classifications;

/// A stratifier the tool derives from the registers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Derived {
    /// SEPLINE education group of the highest completed education (`udda`).
    Education,
    /// Quintile of 3-year mean equivalised family income within sex x 5-year age.
    IncomeQuintile,
    /// The higher of the two parents' education groups (`bef.MOR_ID`, `bef.FAR_ID` and their
    /// `udda`): the social position of children and young people, whose own is not yet theirs.
    ParentalEducation,
    /// The higher of the two parents' income quintiles (each as [`Derived::IncomeQuintile`]).
    ParentalIncome,
    /// Labour-market attachment from the AKM register's `SOCIO13` of the year before the index
    /// (`src/strata/labour_market.rs`).
    LabourMarket,
    /// Living in a couple or single: `bef.FAMILIE_TYPE` through the family type table, which it
    /// needs.
    Cohabitation,
    /// Danish origin, immigrant, descendant (`bef.IE_TYPE`).
    Origin,
    /// Civil status (`bef.CIVST`, optional in the contract: unknown where absent).
    CivilStatus,
    /// Region of residence (from the municipality).
    Region,
    /// Municipality of residence (`bef.KOM`).
    Municipality,
    /// The hospital of the index contact (first four digits of its SOR unit, or its name from
    /// the hospitals classification table).
    Hospital,
    /// The region of the index contact's hospital (needs the hospitals classification table).
    HospitalRegion,
    /// Danish origin, or immigrants and descendants from western or non-western countries
    /// (`bef.OPR_LAND` through the origin classification table, which it needs).
    OriginWestern,
    Sex,
    /// Age at the index date in the groups of `age_groups`.
    AgeGroup,
    /// Number of chronic conditions of `[multimorbidity]` in its look-back window: 0, 1, 2, 3+.
    Multimorbidity,
    /// The Charlson comorbidity index in `[charlson]`'s look-back before the index day: 0, 1-2,
    /// 3+ (`src/cohort/charlson.rs`).
    Charlson,
}

impl Derived {
    /// The levels of a stratifier whose levels are fixed, in reading order (an ordered
    /// dimension's from the most disadvantaged up), besides the unknown level; empty where the
    /// levels come from the data. The one list the strata write, the results order and the plan
    /// counts.
    pub fn fixed_levels(self) -> &'static [&'static str] {
        match self {
            Derived::Education | Derived::ParentalEducation => &levels::EDUCATION_LEVELS,
            Derived::IncomeQuintile | Derived::ParentalIncome => &levels::INCOME_QUINTILES,
            Derived::Origin => &levels::ORIGIN_LEVELS,
            Derived::OriginWestern => &levels::ORIGIN_WESTERN_LEVELS,
            Derived::Multimorbidity => &levels::MULTIMORBIDITY_LEVELS,
            Derived::Charlson => &levels::CHARLSON_LEVELS,
            Derived::LabourMarket => &levels::LABOUR_MARKET_LEVELS,
            Derived::Cohabitation => &levels::COHABITATION_LEVELS,
            _ => &[],
        }
    }
}

/// One stratifier: derived, or any extra column of the population register (`bef:COLUMN`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stratifier {
    Derived(Derived),
    Column(String),
}

impl Stratifier {
    /// The code used as column name and in the tidy CSV's `dimension`.
    pub fn code(&self) -> String {
        match self {
            Stratifier::Derived(d) => serde_json::to_value(d)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            Stratifier::Column(c) => format!("bef_{}", c.to_lowercase()),
        }
    }

    /// Whether the stratifier is compared with adjustment (`[adjustment]`): the social and
    /// geographic ones. Labour-market attachment is not: several of its groups are small
    /// (unemployed, disability pension), and in a mutual model it sits between education and
    /// income and the outcome.
    pub fn adjustable(&self) -> bool {
        matches!(
            self,
            Stratifier::Derived(
                Derived::Education
                    | Derived::IncomeQuintile
                    | Derived::ParentalEducation
                    | Derived::ParentalIncome
                    | Derived::Origin
                    | Derived::OriginWestern
                    | Derived::CivilStatus
                    | Derived::Region
            )
        )
    }

    /// Whether the levels have a natural order from most disadvantaged up (HEAT's ordered
    /// dimensions, which get SII, RII and the concentration indices).
    pub fn ordered(&self) -> bool {
        matches!(
            self,
            Stratifier::Derived(
                Derived::Education
                    | Derived::IncomeQuintile
                    | Derived::ParentalEducation
                    | Derived::ParentalIncome
            )
        )
    }
}

impl<'de> Deserialize<'de> for Stratifier {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        if let Some(column) = text.strip_prefix("bef:") {
            let ok = !column.is_empty()
                && column
                    .bytes()
                    .all(|c| c.is_ascii_alphanumeric() || c == b'_');
            return if ok {
                Ok(Stratifier::Column(column.to_uppercase()))
            } else {
                Err(serde::de::Error::custom(format!(
                    "{text:?}: expected bef:COLUMN with a register column name"
                )))
            };
        }
        Derived::deserialize(serde::de::value::StrDeserializer::<D::Error>::new(&text))
            .map(Stratifier::Derived)
            .map_err(|_| {
                serde::de::Error::custom(format!(
                    "unknown stratifier {text:?}; expected one of education, income_quintile, origin, civil_status, region, municipality, hospital, sex, age_group, multimorbidity, charlson, or bef:COLUMN"
                ))
            })
    }
}

impl Serialize for Stratifier {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            Stratifier::Derived(d) => d.serialize(s),
            Stratifier::Column(c) => s.serialize_str(&format!("bef:{c}")),
        }
    }
}

/// Which diagnoses of a contact count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum DiagnosisType {
    /// The contact's action diagnosis only.
    #[default]
    Action,
    /// Action or secondary diagnoses (later retracted ones dropped).
    Any,
}

/// How a hospital stay began (`PRIORITET` of its first contact, `cohort::stays`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// `ATA1`.
    Acute,
    /// `ATA3`.
    Planned,
}

/// Whether a hospital stay was an admission: 12 hours or more (`cohort::stays`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Setting {
    Inpatient,
    Outpatient,
}

/// Who is in the population.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Population {
    /// Prevalent design: residents on this date (`YYYY-MM-DD`); patient criteria look back
    /// from it and outcome windows start at it.
    pub index_date: Option<String>,
    /// Incident design: `[first, last]` dates; each patient's index is their first qualifying
    /// event in the period, and outcome windows start at that event.
    pub period: Option<[String; 2]>,
    /// Incident design only: results for each calendar year of index events in the period (the
    /// patients of each year drawn from that year's population register), instead of one result
    /// pooled over the whole period.
    #[serde(default)]
    pub by_index_year: bool,
    #[serde(default)]
    pub age_min: Option<i32>,
    #[serde(default)]
    pub age_max: Option<i32>,
    /// Residence: region codes (`1081`..`1085`); empty = the whole country.
    #[serde(default)]
    pub regions: Vec<String>,
    /// Residence: municipality codes; empty = no restriction.
    #[serde(default)]
    pub municipalities: Vec<u16>,
}

/// One criterion of the patient group: events of one kind, optionally at given unit types, in a
/// window before the index.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Criterion {
    /// ICD-10 codes or prefixes without the SKS `D` (e.g. `E11`).
    #[serde(default)]
    pub diagnoses: Vec<String>,
    #[serde(default)]
    pub diagnosis_type: DiagnosisType,
    /// SKS procedure codes or prefixes (e.g. `KFNG`).
    #[serde(default)]
    pub procedures: Vec<String>,
    /// ATC codes or prefixes of redeemed prescriptions.
    #[serde(default)]
    pub atc: Vec<String>,
    /// Unit types of the contact's SOR unit (`ENHEDSTYPE` in the SOR table, e.g.
    /// "ambulatorium"); empty = any type.
    #[serde(default)]
    pub units: Vec<String>,
    /// Specialties of the contact's SOR unit (`SPECIALE` in the SOR table, e.g. "ortopædisk
    /// kirurgi"); empty = any specialty.
    #[serde(default)]
    pub specialty: Vec<String>,
    /// The SOR codes `units` and `specialty` select, found in the SOR table when the run reads
    /// its classification tables ([`crate::spec::units::resolve`]); `None` = any unit.
    #[serde(skip)]
    pub unit_codes: Option<Vec<String>>,
    /// Only contacts (or procedures' contacts) of a stay that began so: acute or planned.
    pub priority: Option<Priority>,
    /// Only contacts of an inpatient stay (12 hours or more) or of an outpatient one.
    pub setting: Option<Setting>,
    /// Days before the index in which the event must lie (prevalent design, exclusions and
    /// the non-index criteria of `match = "all"`).
    pub lookback_days: Option<i32>,
    /// At least this many events, on different days ("two redemptions of A10"); one when absent.
    pub min_events: Option<u32>,
    /// The most days from the first to the last of `min_events` events ("within a year": 365);
    /// required with `min_events` above 1. The criterion is met on the day of the last of them.
    pub within_days: Option<i32>,
}

impl Criterion {
    /// The events on different days the criterion needs.
    pub fn events_needed(&self) -> u32 {
        self.min_events.unwrap_or(1)
    }

    /// How many days before a day of the design its events can lie: its look-back, or, for a
    /// criterion of several events met on a day of an incident period, the days its earlier
    /// events may lie before it.
    pub fn reach_days(&self) -> i32 {
        let within = if self.events_needed() > 1 {
            self.within_days.unwrap_or(0)
        } else {
            0
        };
        self.lookback_days.unwrap_or(0).max(within)
    }
}

/// How the include criteria combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Match {
    #[default]
    Any,
    All,
}

/// The patient group: include criteria combined by `match`, minus anyone meeting an exclude
/// criterion, optionally restricted to a number of chronic conditions.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatientGroup {
    #[serde(default, rename = "match")]
    pub combine: Match,
    pub include: Vec<Criterion>,
    #[serde(default)]
    pub exclude: Vec<Criterion>,
    /// At least this many conditions of `[multimorbidity]` (e.g. 2 for multimorbidity).
    pub min_conditions: Option<u32>,
}

/// The most conditions `[multimorbidity.conditions]` may name: one bit each of a `UInt64` (the
/// cohort keeps a person's conditions as the bits of one integer).
pub const MAX_CONDITIONS: usize = 64;

/// The chronic conditions counted for multimorbidity: name -> ICD-10 prefixes.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Multimorbidity {
    pub conditions: BTreeMap<String, Vec<String>>,
    /// Days before the index in which a condition's diagnosis counts.
    pub lookback_days: i32,
}

/// The look-back of the Charlson comorbidity index (`[charlson]`; the `charlson` stratifier
/// and the mutual models use it).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Charlson {
    /// Days before the index day in which a diagnosis counts (default: ten years).
    pub lookback_days: Option<i32>,
}

/// The Charlson index's look-back when `[charlson]` names none: ten years, as in the Danish
/// register studies that use its Danish ICD-10 coding (Thygesen et al. 2011).
pub const CHARLSON_DEFAULT_LOOKBACK_DAYS: i32 = 3653;

impl Spec {
    /// The look-back of the Charlson index when the spec uses it (the `charlson` stratifier).
    pub fn charlson_lookback(&self) -> Option<i32> {
        self.stratifiers
            .contains(&Stratifier::Derived(Derived::Charlson))
            .then(|| {
                self.charlson
                    .as_ref()
                    .and_then(|c| c.lookback_days)
                    .unwrap_or(CHARLSON_DEFAULT_LOOKBACK_DAYS)
            })
    }

    /// Whether the spec reads hospital stays (`cohort::stays`): a criterion or outcome with a
    /// priority or setting, an outcome in hours or a readmission.
    pub fn reads_stays(&self) -> bool {
        let group = &self.patient_group;
        group
            .include
            .iter()
            .chain(&group.exclude)
            .any(|c| c.priority.is_some() || c.setting.is_some())
            || self.outcomes.iter().any(Outcome::reads_stays)
    }
}

impl Outcome {
    /// Whether the outcome reads the patients' hospital stays: a readmission (a later acute
    /// admission), hours from the arrival, or contacts of some priority or setting.
    pub fn reads_stays(&self) -> bool {
        self.reads_index_stay() || self.priority.is_some() || self.setting.is_some()
    }

    /// Whether the outcome reads the index contact's stay ([`Outcome::reads_stays`] of the
    /// index alone): a readmission counts from its discharge, a length of stay is its days, an
    /// outcome in hours counts from its arrival. Contacts of some priority or setting read the
    /// stays of the events, not of the index.
    pub fn reads_index_stay(&self) -> bool {
        matches!(
            self.kind,
            OutcomeKind::Readmission | OutcomeKind::LengthOfStay
        ) || self.window_hours.is_some()
    }
}

/// What the outcome is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeKind {
    /// A redeemed prescription of `codes` (ATC).
    Prescription,
    /// A procedure of `codes` (SKS).
    Procedure,
    /// A hospital contact at a unit of `units` and `specialty` (with an action diagnosis in
    /// `codes` if given).
    Contact,
    /// Death of any cause.
    Death,
    /// A new contact starting after the index contact ended (readmission).
    Readmission,
    /// Discharge from the index contact's hospital stay within the window (the share), with the
    /// stay's length in days from the arrival to the discharge among those discharged (mean and
    /// median): the length of stay (*liggetid*). Every patient is at risk (so its denominators
    /// are the other outcomes'); one whose index contact belongs to no stay is not discharged.
    LengthOfStay,
}

/// One outcome: an event in a window of days after the index.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outcome {
    /// Letters, digits and `_`: names the outcome in tables.
    pub id: String,
    pub name_da: String,
    pub name_en: String,
    pub kind: OutcomeKind,
    #[serde(default)]
    pub codes: Vec<String>,
    /// Contact outcomes: unit types of the contact's SOR unit (`ENHEDSTYPE` in the SOR table).
    #[serde(default)]
    pub units: Vec<String>,
    /// Contact outcomes: specialties of the contact's SOR unit (`SPECIALE` in the SOR table).
    #[serde(default)]
    pub specialty: Vec<String>,
    /// The SOR codes `units` and `specialty` select ([`crate::spec::units::resolve`]); `None` =
    /// any unit.
    #[serde(skip)]
    pub unit_codes: Option<Vec<String>>,
    /// Contact outcomes: only contacts of a stay that began so (acute or planned).
    pub priority: Option<Priority>,
    /// Contact outcomes: only contacts of an inpatient or an outpatient stay.
    pub setting: Option<Setting>,
    /// `[from, to]` days after the index (or, for readmission, after discharge), inclusive.
    pub window_days: [i32; 2],
    /// Procedure outcomes: `[from, to]` hours after the start of the index contact's stay
    /// (the arrival at hospital), inclusive; the procedures are looked for on `window_days`.
    pub window_hours: Option<[i32; 2]>,
    /// Higher is better (an offer); false for adverse outcomes such as death.
    #[serde(default = "yes")]
    pub favourable: bool,
    /// Also report days from the index to the first event (mean and median).
    #[serde(default)]
    pub waiting_time: bool,
    /// Also report the number of events in the window per patient at risk (mean with its
    /// interval, and median): contacts, procedures, redemptions or readmissions.
    #[serde(default)]
    pub count: bool,
    /// Only patients alive this many days after the index are at risk (e.g. rehabilitation
    /// offered to those who survive the first 30 days).
    pub alive_days: Option<i32>,
}

fn yes() -> bool {
    true
}

/// The standard of a share's direct standardisation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Standard {
    /// The analysis's own patients: the age and sex distribution of everyone in the outcome's
    /// patient group ([`crate::measures::standardised_share`]).
    #[default]
    Patients,
}

impl<'de> Deserialize<'de> for Standard {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        if text == "patients" {
            return Ok(Standard::Patients);
        }
        let general = text == "esp2013" || text.starts_with("dk");
        Err(serde::de::Error::custom(if general {
            format!(
                "{text:?} is a general population's standard, for rates in a population (`ulighed measures dsr`); a share among patients is standardised to the analysis's own patients: expected \"patients\""
            )
        } else {
            format!("unknown standard {text:?}; expected \"patients\"")
        }))
    }
}

impl Serialize for Standard {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            Standard::Patients => s.serialize_str("patients"),
        }
    }
}

/// A set of factors a comparison is adjusted for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdjustmentSet {
    /// The stratifier alone.
    None,
    /// Age group and sex.
    AgeSex,
    /// Age group, sex and every other social and geographic stratifier of the spec (and
    /// multimorbidity, when it is one).
    Mutual,
}

impl AdjustmentSet {
    /// The set's name in a spec.
    pub fn code(self) -> &'static str {
        match self {
            AdjustmentSet::None => "none",
            AdjustmentSet::AgeSex => "age_sex",
            AdjustmentSet::Mutual => "mutual",
        }
    }
}

fn every_set() -> Vec<AdjustmentSet> {
    vec![
        AdjustmentSet::None,
        AdjustmentSet::AgeSex,
        AdjustmentSet::Mutual,
    ]
}

/// `[adjustment]`: odds ratios and adjusted shares and differences of each social and
/// geographic stratifier from logistic models ([`crate::measures::adjusted`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Adjustment {
    /// The adjustment sets, each a model (default: none, age and sex, mutual).
    #[serde(default = "every_set")]
    pub sets: Vec<AdjustmentSet>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Standardisation {
    /// Direct standardisation by age group and sex against this standard (the patients').
    #[serde(default)]
    pub standard: Standard,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Disclosure {
    /// Cells describing fewer persons than this are suppressed (at least 3).
    pub threshold: u64,
    /// Also round the released counts to this base (3 or 5) by unbiased random rounding; the
    /// shares and their intervals are then computed from the rounded counts.
    pub round_to: Option<u64>,
    /// The smallest group in which a share of 0 % or 100 % is printed (default 100, at least the
    /// threshold): in smaller groups it tells identifiable persons their outcome and is hidden.
    pub zeros_shown_from: Option<u64>,
}

/// A sub-analysis ("underanalyse"): the same analysis within a sub-population, or for one of
/// the outcomes only.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubAnalysis {
    pub id: String,
    pub name_da: String,
    pub name_en: String,
    /// `1` men, `2` women.
    pub sex: Option<String>,
    pub age_min: Option<i32>,
    pub age_max: Option<i32>,
    #[serde(default)]
    pub regions: Vec<String>,
    /// Only these outcome ids (empty = all).
    #[serde(default)]
    pub outcomes: Vec<String>,
}

/// The same analysis for each year of a span: the index date or period moves by whole years.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trend {
    pub first_year: i32,
    pub last_year: i32,
}

/// `[validation]` of a pipeline or the project file: rule -> `error` or `warning`, over the
/// rules' defaults (a pipeline's over the project file's).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValidationSettings {
    #[serde(default)]
    pub severities: BTreeMap<String, crate::registers::severity::Severity>,
}

/// A clinical quality standard: the share each unit should reach, with funnel-plot limits.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quality {
    /// The standard in percent (e.g. 90): units are flagged "standard met" when their share
    /// reaches it.
    pub standard_percent: f64,
    /// The stratifier whose levels are the units (e.g. `hospital`).
    pub unit: Stratifier,
    /// The outcome id the standard applies to (default: every outcome).
    pub outcome: Option<String>,
}

/// One analysis.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    pub id: String,
    pub title_da: String,
    pub title_en: String,
    pub description_da: String,
    pub description_en: String,
    pub topic: String,
    /// The registers folder, relative to the spec file (overridden by `--registers`).
    pub registers: PathBuf,
    pub population: Population,
    pub patient_group: PatientGroup,
    pub multimorbidity: Option<Multimorbidity>,
    pub charlson: Option<Charlson>,
    pub outcomes: Vec<Outcome>,
    pub stratifiers: Vec<Stratifier>,
    /// Age groups for `age_group` as lower bounds (e.g. `[18, 45, 65, 80]`).
    #[serde(default = "default_age_groups")]
    pub age_groups: Vec<i32>,
    /// Measures for every stratifier (default: all that apply, see `pipelines/README.md`).
    pub measures: Option<Vec<String>>,
    /// Measures for particular stratifiers, overriding `measures`.
    #[serde(default)]
    pub stratifier_measures: BTreeMap<String, Vec<String>>,
    /// Levels shown together (`src/spec/merges.rs`): stratifier code -> merged level -> the
    /// levels it holds.
    #[serde(default)]
    pub merge_levels: BTreeMap<String, BTreeMap<String, Vec<String>>>,
    pub standardisation: Option<Standardisation>,
    /// Adjusted comparisons of the social and geographic stratifiers.
    pub adjustment: Option<Adjustment>,
    pub disclosure: Option<Disclosure>,
    #[serde(default)]
    pub sub_analyses: Vec<SubAnalysis>,
    pub trend: Option<Trend>,
    pub quality: Option<Quality>,
    /// Validation severities of this pipeline (`docs/registers.md`, "Validation a reader
    /// performs").
    pub validation: Option<ValidationSettings>,
    /// Classification tables for this analysis (relative to the spec), over the project
    /// configuration's.
    pub classifications: Option<Classifications>,
}

fn default_age_groups() -> Vec<i32> {
    vec![0, 18, 45, 65, 80]
}

/// The study design: a fixed index date, or each patient's first event in a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Design {
    IndexDate(i32),
    Period(i32, i32),
}

impl Design {
    /// The first day of the design (the index date or the period start).
    pub fn start(self) -> i32 {
        match self {
            Design::IndexDate(d) => d,
            Design::Period(a, _) => a,
        }
    }

    /// The first and last day a patient is indexed on: the index date twice, or the period.
    pub fn days(self) -> (i32, i32) {
        match self {
            Design::IndexDate(d) => (d, d),
            Design::Period(a, b) => (a, b),
        }
    }

    /// The same design moved to another calendar year (the trend).
    pub fn in_year(self, year: i32) -> Design {
        let offset = year - dates::year_of(self.start());
        let shift = |day: i32| {
            let (y, m, d) = dates::civil_from_days(day);
            // 29 February moves to the 28th in a year that has none.
            let d = if m == 2 && d == 29 { 28 } else { d };
            dates::days_from_civil(y + offset, m, d)
        };
        match self {
            Design::IndexDate(d) => Design::IndexDate(shift(d)),
            Design::Period(a, b) => Design::Period(shift(a), shift(b)),
        }
    }
}

/// A spec read from a file, checked, with its design resolved.
#[derive(Debug, Clone)]
pub struct LoadedSpec {
    pub path: PathBuf,
    pub spec: Spec,
    /// The spec file's text, for the spec hash in the run's provenance.
    pub text: String,
    pub design: Design,
    /// The registers folder resolved against the spec file's folder.
    pub registers: PathBuf,
    /// The classification tables, resolved against the spec file's folder (and, once a run
    /// merges them, the project configuration's where the spec names none).
    pub classifications: Classifications,
    /// The analysts' introduction, background and limitations (Markdown beside the spec).
    pub frame: super::frame::Frame,
}

impl LoadedSpec {
    /// The calendar year whose population register defines residence and strata.
    pub fn year(&self) -> i32 {
        dates::year_of(self.design.start())
    }

    /// The years the analysis has results for: each calendar year of the period when the spec
    /// asks for results by index year, the trend's span, or the design's own year.
    pub fn years(&self) -> Vec<i32> {
        match (&self.design, &self.spec.trend) {
            (Design::Period(from, to), _) if self.spec.population.by_index_year => {
                (dates::year_of(*from)..=dates::year_of(*to)).collect()
            }
            (_, Some(t)) => (t.first_year..=t.last_year).collect(),
            _ => vec![self.year()],
        }
    }

    /// The design of the results of `year`: by index year, the part of the period in that
    /// calendar year; otherwise the design moved by whole years ([`Design::in_year`], a trend).
    pub fn design_in_year(&self, year: i32) -> Design {
        match self.design {
            Design::Period(from, to) if self.spec.population.by_index_year => Design::Period(
                from.max(dates::days_from_civil(year, 1, 1)),
                to.min(dates::days_from_civil(year, 12, 31)),
            ),
            design => design.in_year(year),
        }
    }

    /// The period the results of `year` describe, as headings, captions and tables name it: the
    /// year of a prevalent design's index date or of an incident design's index events by year,
    /// or an incident design's whole period ("2021–2024"), whose patients were indexed over all
    /// its years, not in its first.
    pub fn period_label(&self, year: i32) -> String {
        match self.design_in_year(year) {
            Design::IndexDate(_) => year.to_string(),
            Design::Period(from, to) => {
                let (first, last) = (dates::year_of(from), dates::year_of(to));
                if first == last {
                    first.to_string()
                } else {
                    format!("{first}–{last}")
                }
            }
        }
    }

    /// The validation severities the spec sets (checked when it was loaded), over the rules'
    /// defaults.
    pub fn severities(&self) -> crate::registers::severity::Severities {
        crate::registers::severity::Severities {
            overrides: self
                .spec
                .validation
                .as_ref()
                .map(|v| v.severities.clone())
                .unwrap_or_default(),
        }
    }

    /// The outcomes a sub-analysis keeps (all when it names none).
    pub fn outcomes_of<'a>(&'a self, sub: Option<&'a SubAnalysis>) -> Vec<&'a Outcome> {
        self.spec
            .outcomes
            .iter()
            .filter(|o| sub.is_none_or(|s| s.outcomes.is_empty() || s.outcomes.contains(&o.id)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// An incident period over several years is named by all of them; a prevalent design, and a
    /// trend year of it, by the index year.
    #[test]
    fn a_period_is_named_by_its_years_and_an_index_date_by_its_year() {
        let ami = crate::spec::load(Path::new("pipelines/ami_pci_rehab_death.toml")).expect("ami");
        assert_eq!(ami.period_label(2021), "2021–2024");
        let t2d = crate::spec::load(Path::new("pipelines/t2d_sglt2_glp1.toml")).expect("t2d");
        assert_eq!(t2d.period_label(2024), "2024");
        assert_eq!(t2d.period_label(2023), "2023");
    }
}
