//! The pipeline spec: one TOML file per analysis (documented in `pipelines/README.md`).
//!
//! A spec is parsed with unknown keys refused and then checked before any data is read; every
//! error names the file, the key and what was expected.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::dates;
use crate::error::{Error, Result};

/// The stratifiers an analysis can be split by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stratifier {
    Education,
    IncomeQuintile,
    Origin,
    Region,
    Sex,
}

impl Stratifier {
    /// The column name in aggregated tables and in the tidy CSV's `dimension` column.
    pub fn code(self) -> &'static str {
        match self {
            Stratifier::Education => "education",
            Stratifier::IncomeQuintile => "income_quintile",
            Stratifier::Origin => "origin",
            Stratifier::Region => "region",
            Stratifier::Sex => "sex",
        }
    }
}

/// Which diagnoses of a contact count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DiagnosisType {
    /// The contact's action diagnosis only.
    Action,
    /// Action or secondary diagnoses (later retracted ones dropped).
    Any,
}

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Population {
    /// The index date (`YYYY-MM-DD`): residents of the population register on that date.
    pub index_date: String,
    #[serde(default = "default_age_min")]
    pub age_min: i32,
    #[serde(default = "default_age_max")]
    pub age_max: i32,
}

fn default_age_min() -> i32 {
    0
}
fn default_age_max() -> i32 {
    120
}

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct PatientGroup {
    /// Days before the index date in which a qualifying contact or prescription must lie.
    pub lookback_days: i32,
    /// ICD-10 codes or prefixes without the SKS `D` (e.g. `E11`).
    #[serde(default)]
    pub diagnoses: Vec<String>,
    #[serde(default = "default_diagnosis_type")]
    pub diagnosis_type: DiagnosisType,
    /// ATC codes or prefixes; a redeemed prescription also qualifies.
    #[serde(default)]
    pub atc: Vec<String>,
}

fn default_diagnosis_type() -> DiagnosisType {
    DiagnosisType::Action
}

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Outcome {
    /// Danish and English name of the outcome, used in tables and figures.
    pub name_da: String,
    pub name_en: String,
    /// Days after the index date in which the prescription must be redeemed.
    pub follow_up_days: i32,
    /// ATC codes or prefixes of the treatment.
    pub atc: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StandardPopulation {
    Esp2013,
}

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Standardisation {
    /// Direct age standardisation against this standard (ESP2013).
    pub standard: StandardPopulation,
}

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Disclosure {
    /// Cells describing fewer persons than this are suppressed (at least 3).
    pub threshold: u64,
}

/// One analysis.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
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
    pub outcome: Outcome,
    pub stratifiers: Vec<Stratifier>,
    pub standardisation: Option<Standardisation>,
    pub disclosure: Option<Disclosure>,
}

/// A spec read from a file, with the values the run needs resolved.
#[derive(Debug, Clone)]
pub struct LoadedSpec {
    pub path: PathBuf,
    pub spec: Spec,
    /// The spec file's bytes, for the spec hash in the run's provenance.
    pub text: String,
    pub index_date: i32,
    /// The registers folder resolved against the spec file's folder.
    pub registers: PathBuf,
}

fn bad(path: &Path, key: &str, expected: impl std::fmt::Display) -> Error {
    Error::BadSpec(format!("{}: key `{key}`: {expected}", path.display()))
}

/// Checks that codes are ICD-10 codes or prefixes: a letter and up to 5 more letters or digits,
/// starting with two digits after the letter when longer than one character.
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

/// Checks that codes are ATC codes or prefixes (A, A10, A10B, A10BK, A10BK01).
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

impl Spec {
    /// Checks the values serde cannot: dates, windows, codes, ranges.
    fn check(&self, path: &Path) -> Result<i32> {
        if self.id.is_empty()
            || !self
                .id
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
        {
            return Err(bad(
                path,
                "id",
                "expected letters, digits, `_` or `-` (it names the output folder)",
            ));
        }
        let index_date = dates::parse_iso(&self.population.index_date).ok_or_else(|| {
            bad(
                path,
                "population.index_date",
                format!("{:?} is not a date YYYY-MM-DD", self.population.index_date),
            )
        })?;
        let (min, max) = (self.population.age_min, self.population.age_max);
        if min < 0 || max > 120 || min > max {
            return Err(bad(
                path,
                "population.age_min",
                format!("ages {min}-{max}: expected 0 <= age_min <= age_max <= 120"),
            ));
        }
        if self.patient_group.lookback_days <= 0 {
            return Err(bad(
                path,
                "patient_group.lookback_days",
                "expected a positive number of days (the window lies before the index date)",
            ));
        }
        if self.patient_group.diagnoses.is_empty() && self.patient_group.atc.is_empty() {
            return Err(bad(
                path,
                "patient_group",
                "expected at least one of `diagnoses` or `atc`",
            ));
        }
        check_icd10(
            path,
            "patient_group.diagnoses",
            &self.patient_group.diagnoses,
        )?;
        check_atc(path, "patient_group.atc", &self.patient_group.atc)?;
        if self.outcome.follow_up_days <= 0 {
            return Err(bad(
                path,
                "outcome.follow_up_days",
                "expected a positive number of days (the window lies after the index date)",
            ));
        }
        if self.outcome.atc.is_empty() {
            return Err(bad(path, "outcome.atc", "expected at least one ATC code"));
        }
        check_atc(path, "outcome.atc", &self.outcome.atc)?;
        if self.stratifiers.is_empty() {
            return Err(bad(path, "stratifiers", "expected at least one stratifier"));
        }
        if let Some(d) = &self.disclosure
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
        Ok(index_date)
    }
}

/// Reads and checks a spec file.
pub fn load(path: &Path) -> Result<LoadedSpec> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::MissingInput(format!(
            "{}: pipeline spec cannot be read: {e}",
            path.display()
        ))
    })?;
    let spec: Spec = toml::from_str(&text).map_err(|e| {
        let message = e.message().to_string();
        let place = e
            .span()
            .map(|s| format!(" (line {})", text[..s.start].lines().count().max(1)))
            .unwrap_or_default();
        Error::BadSpec(format!("{}{place}: {message}", path.display()))
    })?;
    let index_date = spec.check(path)?;
    let base = path.parent().unwrap_or(Path::new("."));
    Ok(LoadedSpec {
        path: path.to_path_buf(),
        registers: base.join(&spec.registers),
        index_date,
        text,
        spec,
    })
}
