//! The validation rules' severities: each rule's default, and a pipeline's or the project
//! file's `[validation] severities` over them. Kept apart from the checks themselves, so a spec
//! can name severities without depending on the register readers.

use std::collections::BTreeMap;

use serde::Serialize;

/// How a failed check counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// The rules, with their default severity. Errors are the default for type, key and code-format
/// failures; an unusual diagnosis type is a warning (real extracts carry more types than A/B).
pub const RULES: [(&str, Severity, &str); 25] = [
    (
        "required_register",
        Severity::Error,
        "the population register (bef) is present: every analysis reads it",
    ),
    (
        "required_columns",
        Severity::Error,
        "every required column is present",
    ),
    (
        "column_empty",
        Severity::Error,
        "a required column has a value in some row",
    ),
    (
        "types",
        Severity::Error,
        "values parse as the column's type",
    ),
    (
        "text_padding",
        Severity::Error,
        "text in Parquet and IPC files has no leading or trailing spaces",
    ),
    (
        "pnr_present",
        Severity::Error,
        "PNR is present and not empty",
    ),
    (
        "pnr_unique",
        Severity::Error,
        "PNR is unique within the file",
    ),
    (
        "date_range",
        Severity::Error,
        "dates lie between 1900-01-01 and the as-of date",
    ),
    (
        "after_as_of",
        Severity::Warning,
        "events after the as-of date are cut off, with a count",
    ),
    (
        "date_order",
        Severity::Error,
        "a contact ends on or after its start",
    ),
    ("code_koen", Severity::Error, "KOEN is 1 or 2"),
    (
        "code_kom",
        Severity::Error,
        "KOM is one of the 98 municipalities (or 411)",
    ),
    (
        "kom_christianso",
        Severity::Warning,
        "KOM 411, Christiansø, is no municipality: its residents have no region",
    ),
    ("code_ie_type", Severity::Error, "IE_TYPE is 1, 2 or 3"),
    ("code_hfaudd", Severity::Error, "HFAUDD is a 4-digit code"),
    (
        "code_icd10",
        Severity::Error,
        "diagnoses are SKS ICD-10 codes (D + letter + 2 digits ...)",
    ),
    (
        "code_atc",
        Severity::Error,
        "ATC codes are well formed (e.g. A10BK01)",
    ),
    (
        "code_procedure",
        Severity::Error,
        "procedure codes are SKS codes (capital letters, then letters or digits)",
    ),
    (
        "code_diagnosis_type",
        Severity::Warning,
        "DIAGNOSETYPE is A or B",
    ),
    (
        "code_migration",
        Severity::Error,
        "INDUD_KODE is I or U (an emigration read otherwise would leave an emigrant at risk)",
    ),
    (
        "code_priority",
        Severity::Error,
        "PRIORITET is ATA1 (acute) or ATA3 (planned): another code would be read as neither",
    ),
    (
        "code_socio13",
        Severity::Error,
        "SOCIO13 of akm is one of Statistics Denmark's codes (110-139, 210, 220, 310, 321-323, 330, 410, 420, 0)",
    ),
    (
        "key_contact",
        Severity::Error,
        "DW_EK_KONTAKT exists in lpr_kontakter",
    ),
    (
        "contact_unique",
        Severity::Error,
        "DW_EK_KONTAKT is unique in lpr_kontakter (a repeated contact would count its diagnoses and procedures twice)",
    ),
    (
        "key_pnr",
        Severity::Warning,
        "PNR of an event exists in some bef year (real deliveries hold newborns, late immigrants and replaced numbers: their events are left out)",
    ),
];

/// Severity per rule, defaults overridden by a pipeline or the command line.
#[derive(Debug, Clone, Default)]
pub struct Severities {
    pub overrides: BTreeMap<String, Severity>,
}

/// The rules whose failures leave a file that cannot be read as the contract says: always
/// errors, whatever a pipeline asks.
pub const FIXED_ERRORS: [&str; 7] = [
    "required_register",
    "required_columns",
    "column_empty",
    "types",
    "text_padding",
    "pnr_present",
    "pnr_unique",
];

impl Severities {
    /// Severities from a pipeline's or the project file's `[validation] severities` (rule ->
    /// `error` or `warning`), checked: an unknown rule, or one of [`FIXED_ERRORS`] made a
    /// warning, is refused with the rule named and what is expected.
    pub fn checked(
        overrides: &BTreeMap<String, Severity>,
    ) -> std::result::Result<Severities, String> {
        for (rule, severity) in overrides {
            if !RULES.iter().any(|(r, _, _)| r == rule) {
                let known: Vec<&str> = RULES.iter().map(|(r, _, _)| *r).collect();
                return Err(format!(
                    "{rule:?} is not a validation rule; expected one of {}",
                    known.join(", ")
                ));
            }
            if *severity == Severity::Warning && FIXED_ERRORS.contains(&rule.as_str()) {
                return Err(format!(
                    "{rule:?} is always an error: a file that breaks it cannot be read as the contract says"
                ));
            }
        }
        Ok(Severities {
            overrides: overrides.clone(),
        })
    }

    /// These severities, with `fallback`'s for the rules these do not set (a pipeline's over the
    /// project file's).
    pub fn or(&self, fallback: &Severities) -> Severities {
        let mut overrides = fallback.overrides.clone();
        overrides.extend(self.overrides.clone());
        Severities { overrides }
    }

    pub fn of(&self, rule: &str) -> Severity {
        self.overrides.get(rule).copied().unwrap_or_else(|| {
            RULES
                .iter()
                .find(|(r, _, _)| *r == rule)
                .map(|(_, s, _)| *s)
                .unwrap_or(Severity::Error)
        })
    }
}
