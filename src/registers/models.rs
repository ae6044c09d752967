//! The patient register's other data models, read into the contract's contacts, diagnoses and
//! procedures (the LPR3 "F" model's shape), so that one analysis can span 2015-2024 across the
//! change-over from LPR2 to LPR3 in February 2019.
//!
//! - **LPR2** (`lpr_adm`, `lpr_diag`, `lpr_sksopr`; Sundhedsdatastyrelsen's research extracts of
//!   the register up to 2019): a contact is an admission or outpatient course keyed by `RECNUM`,
//!   which becomes `DW_EK_KONTAKT` as `LPR2-<RECNUM>` so that it can never meet an LPR3 key.
//!   `D_INDDTO`/`D_UDDTO` are the start and end, the unit is the SHAK code `C_SGH` + `C_AFD`
//!   (its first four digits the hospital, as for SOR units), `C_ADIAG` the action diagnosis.
//!   Every LPR2 patient type (0 inpatient, 2 outpatient, 3 emergency) was a physical attendance,
//!   LPR3's contact type `ALCA00`. Diagnosis types: A stays the action diagnosis; B (secondary),
//!   C (complication) and G (underlying disease) are secondary diagnoses `B`, as LPR3 has them;
//!   H (referral), M (temporary) and `+` (supplementary codes) are not diagnoses of the contact
//!   and are left out.
//! - **LPR3 "A"** (`lpr_a_kontakt`, `lpr_a_diagnose`, `lpr_a_procedure`): the contract's columns
//!   plus `LPRINDBERETNINGSSYSTEM`. The model also holds the LPR2 years converted to LPR3's
//!   shape; only rows reported through LPR3 are kept (the LPR2 years come from LPR2's own
//!   tables, which hold them as they were reported). Diagnoses marked `SENERE_AFKRAEFTET = Ja`
//!   are dropped by the cohort builder, as for the "F" model.
//!
//! The break at the change-over: LPR3 records a contact per attendance where LPR2 recorded one
//! course for a whole outpatient treatment, so counts of contacts (and of diagnoses per person)
//! jump in 2019; a patient group defined by "a diagnosis in a window" is far less affected than
//! a count. `docs/registers.md` says so where analysts will read it.

use polars::prelude::*;

use super::contract::{self, ColumnSpec, Kind, REPORTING_SYSTEM};
use super::persons::person_key;
use super::read::{KeyTypes, OpenedFile, YEAR, canonical_dtype};

/// The prefix that keeps LPR2's keys apart from LPR3's.
pub const LPR2_KEY_PREFIX: &str = "LPR2-";

/// Whether a register belongs to LPR2.
pub fn is_lpr2(register: &str) -> bool {
    matches!(register, "lpr_adm" | "lpr_diag" | "lpr_sksopr")
}

/// LPR2's diagnosis type as LPR3's `A`/`B`, null for the types that are not diagnoses of the
/// contact.
fn lpr2_diagnosis_type(kind: Expr) -> Expr {
    let kind = kind.str().to_uppercase();
    when(kind.clone().eq(lit("A")))
        .then(lit("A"))
        .when(
            kind.clone()
                .eq(lit("B"))
                .or(kind.clone().eq(lit("C")))
                .or(kind.eq(lit("G"))),
        )
        .then(lit("B"))
        .otherwise(lit(NULL).cast(DataType::String))
}

/// The filter a model's rows pass to enter the contract's register, if any.
pub fn keep(file: &OpenedFile) -> Option<Expr> {
    match file.spec.name {
        "lpr_a_kontakt" | "lpr_a_diagnose" | "lpr_a_procedure" => Some(
            file.parsed(REPORTING_SYSTEM)
                .str()
                .to_uppercase()
                .eq(lit("LPR3")),
        ),
        "lpr_diag" => Some(lpr2_diagnosis_type(file.parsed("C_DIAGTYPE")).is_not_null()),
        _ => None,
    }
}

/// `value` (the file's value of the contract's column `target`) in its canonical type, keys of
/// the types `keys`.
fn canonical_value(value: Expr, target: &ColumnSpec, keys: &KeyTypes) -> Expr {
    match target.kind {
        Kind::Key => value.cast(keys.contacts.clone()),
        Kind::Person => person_key(value, &keys.persons),
        kind => value.cast(canonical_dtype(kind)),
    }
}

/// One canonical column of the contract's register, from a file of a model.
fn canonical_column(file: &OpenedFile, target: &ColumnSpec, keys: &KeyTypes) -> Expr {
    let lpr2 = is_lpr2(file.spec.name);
    let parsed = |name: &str| file.parsed(name);
    let expr = match (file.spec.name, target.name) {
        (_, "DW_EK_KONTAKT") if lpr2 => lit(LPR2_KEY_PREFIX) + parsed("RECNUM"),
        ("lpr_adm", "DATO_START") => parsed("D_INDDTO"),
        ("lpr_adm", "DATO_SLUT") => parsed("D_UDDTO"),
        ("lpr_adm", "KONTAKTTYPE") => lit("ALCA00"),
        ("lpr_adm", "SORENHED_ANS") => parsed("C_SGH") + parsed("C_AFD").fill_null(lit("")),
        ("lpr_adm", "AKTIONSDIAGNOSE") => parsed("C_ADIAG"),
        // LPR2's admission mode: 1 acute, 2 planned (LPR3's ATA1 and ATA3).
        ("lpr_adm", "PRIORITET") => when(parsed("C_INDM").eq(lit("1")))
            .then(lit("ATA1"))
            .when(parsed("C_INDM").eq(lit("2")))
            .then(lit("ATA3"))
            .otherwise(lit(NULL).cast(DataType::String)),
        // LPR2 kept the hour of admission and discharge (of inpatients) only.
        ("lpr_adm", "TIDSPUNKT_START") => parsed("V_INDTIME") * lit(3600.0),
        ("lpr_adm", "TIDSPUNKT_SLUT") => parsed("V_UDTIME") * lit(3600.0),
        ("lpr_diag", "DIAGNOSEKODE") => parsed("C_DIAG"),
        ("lpr_diag", "DIAGNOSETYPE") => lpr2_diagnosis_type(parsed("C_DIAGTYPE")),
        ("lpr_sksopr", "PROCEDUREKODE") => parsed("C_OPR"),
        ("lpr_sksopr", "DATO_START") => parsed("D_ODTO"),
        _ if file.spec.columns.iter().any(|c| c.name == target.name) => parsed(target.name),
        _ => lit(NULL),
    };
    canonical_value(expr, target, keys).alias(target.name)
}

/// The columns of the contract's register that `file` feeds, in the contract's order.
pub fn canonical_columns(file: &OpenedFile, keys: &KeyTypes) -> Vec<Expr> {
    if file.spec.feeds == file.spec.name {
        return file
            .columns
            .iter()
            .map(|c| match c.spec.kind {
                // Left bare where the file's keys already have the folder's type, so the reader
                // still sees the column itself (and can test filters on it while decoding).
                Kind::Key if c.file_dtype.as_ref() == Some(&keys.contacts) => c.parsed.clone(),
                Kind::Key | Kind::Person => {
                    canonical_value(c.parsed.clone(), c.spec, keys).alias(c.spec.name)
                }
                _ => c.parsed.clone(),
            })
            .collect();
    }
    let target = contract::canonical(file.spec.feeds)
        .expect("every model table feeds a register of the contract");
    target
        .columns
        .iter()
        .map(|c| canonical_column(file, c, keys))
        .collect()
}

/// The canonical column `name` of the register `file` feeds, computed from the file's rows.
pub fn canonical_column_named(file: &OpenedFile, name: &str, keys: &KeyTypes) -> Expr {
    let target = contract::canonical(file.spec.feeds)
        .expect("every model table feeds a register of the contract");
    match target.columns.iter().find(|c| c.name == name) {
        Some(spec) if file.spec.feeds == file.spec.name => {
            canonical_value(file.parsed(name), spec, keys)
        }
        Some(spec) => canonical_column(file, spec, keys),
        None => lit(NULL).cast(DataType::String).alias(name),
    }
}
/// A file read into the contract's register it feeds, whatever model of the patient register
/// it comes from.
impl OpenedFile {
    /// The rows of the file that belong in the contract's register (all but for the LPR3 "A"
    /// model's converted LPR2 rows and LPR2's referral diagnoses; see [`self`]).
    pub fn rows(&self) -> LazyFrame {
        self.kept(self.raw.clone())
    }

    /// `frame` (the file's rows, perhaps numbered) filtered to the rows [`Self::rows`] keeps.
    pub fn kept(&self, frame: LazyFrame) -> LazyFrame {
        match keep(self) {
            Some(keep) => frame.filter(keep),
            None => frame,
        }
    }

    /// The file in the canonical schema of the contract's register it feeds, its keys of the
    /// types `keys`; yearly registers get the year as column [`YEAR`].
    pub fn canonical(&self, year: Option<i32>, keys: &KeyTypes) -> LazyFrame {
        let mut exprs = canonical_columns(self, keys);
        if let Some(year) = year {
            exprs.push(lit(year).alias(YEAR));
        }
        self.rows().select(exprs)
    }
}
