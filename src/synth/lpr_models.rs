//! `synth --lpr-model`: the same persons' hospital contacts written in the layouts of the
//! patient register's other data models (see `registers::models` for how they are read back).
//!
//! - `lpr2`: contacts that start before the change-over to LPR3 ([`change_over`]) in LPR2's
//!   tables (`lpr_adm`, `lpr_diag`, `lpr_sksopr`, keyed by `RECNUM`), later ones in the "F"
//!   model's (`lpr_kontakter`, ...), as an extract spanning 2019 arrives. LPR2 has no
//!   retractions, so retracted diagnoses are left out of its years; each LPR2 contact also gets a
//!   referral diagnosis (type H) of heart failure, which is not a diagnosis of the contact and
//!   must not be read as one (a reader that did would find more multimorbidity).
//! - `lpr3a`: the LPR2 years as for `lpr2`, and every contact again in the LPR3 "A" model
//!   (`lpr_a_kontakt`, `lpr_a_diagnose`, `lpr_a_procedure`), whose rows before the change-over
//!   are marked as reported through LPR2 and must be left out when reading.

use polars::prelude::*;

use crate::dates;
use crate::error::Result;
use crate::registers::contract::REPORTING_SYSTEM;

/// The day LPR3 replaced LPR2 (3 February 2019, the first regions' change-over).
pub fn change_over() -> i32 {
    dates::jan1(2019) + 33
}

/// The layout `synth` writes the patient register in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LprModel {
    /// The contract's layout, the LPR3 "F" model.
    F,
    /// LPR2 before the change-over, the "F" model after.
    Lpr2,
    /// LPR2 before the change-over, and the LPR3 "A" model throughout.
    Lpr3a,
}

impl LprModel {
    /// The files of the patient register in this layout, in the order of [`frames`].
    pub fn register_names(self) -> &'static [&'static str] {
        match self {
            LprModel::F => &["lpr_kontakter", "lpr_diagnoser", "lpr_procedurer"],
            LprModel::Lpr2 => &[
                "lpr_adm",
                "lpr_diag",
                "lpr_sksopr",
                "lpr_kontakter",
                "lpr_diagnoser",
                "lpr_procedurer",
            ],
            LprModel::Lpr3a => &[
                "lpr_adm",
                "lpr_diag",
                "lpr_sksopr",
                "lpr_a_kontakt",
                "lpr_a_diagnose",
                "lpr_a_procedure",
            ],
        }
    }
}

/// Rows of `frame` whose contact key is (`keep`) or is not among `keys`.
fn by_key(frame: &DataFrame, keys: &DataFrame, keep: bool) -> LazyFrame {
    let how = if keep { JoinType::Semi } else { JoinType::Anti };
    frame.clone().lazy().join(
        keys.clone().lazy(),
        [col("DW_EK_KONTAKT")],
        [col("DW_EK_KONTAKT")],
        JoinArgs::new(how),
    )
}

/// The hour of the time of day `column` for a contact over a night (LPR2's inpatients), else
/// none.
fn inpatient_hour(column: &str) -> Expr {
    when(col("DATO_SLUT").gt(col("DATO_START")))
        .then((col(column).cast(DataType::Float64) / lit(3_600.0)).cast(DataType::Int32))
        .otherwise(lit(NULL).cast(DataType::Int32))
}

fn recnum() -> Expr {
    col("DW_EK_KONTAKT").cast(DataType::String).alias("RECNUM")
}

/// The LPR2 tables of the contacts in `early` (and their diagnoses and procedures).
fn lpr2_frames(
    early: &DataFrame,
    diagnoses: &DataFrame,
    procedures: &DataFrame,
) -> Result<Vec<DataFrame>> {
    let keys = early.select(["DW_EK_KONTAKT"])?;
    let adm = early
        .clone()
        .lazy()
        .select([
            recnum(),
            col("PNR"),
            col("DATO_START").alias("D_INDDTO"),
            col("DATO_SLUT").alias("D_UDDTO"),
            when(col("DATO_SLUT").gt(col("DATO_START")))
                .then(lit("0"))
                .otherwise(lit("2"))
                .alias("C_PATTYPE"),
            col("SORENHED_ANS")
                .str()
                .slice(lit(0), lit(4))
                .alias("C_SGH"),
            col("SORENHED_ANS")
                .str()
                .slice(lit(4), lit(NULL))
                .alias("C_AFD"),
            col("AKTIONSDIAGNOSE").alias("C_ADIAG"),
            // LPR2's admission mode (1 acute, 2 planned) and, for inpatients, the hours of
            // admission and discharge.
            when(col("PRIORITET").eq(lit("ATA1")))
                .then(lit("1"))
                .otherwise(lit("2"))
                .alias("C_INDM"),
            inpatient_hour("TIDSPUNKT_START").alias("V_INDTIME"),
            inpatient_hour("TIDSPUNKT_SLUT").alias("V_UDTIME"),
        ])
        .collect()?;
    let kept = by_key(diagnoses, &keys, true)
        .filter(col("SENERE_AFKRAEFTET").is_null())
        .select([
            recnum(),
            col("DIAGNOSEKODE").alias("C_DIAG"),
            col("DIAGNOSETYPE").alias("C_DIAGTYPE"),
        ]);
    let referral = early.clone().lazy().select([
        recnum(),
        lit("DI509").alias("C_DIAG"),
        lit("H").alias("C_DIAGTYPE"),
    ]);
    let diag = concat([kept, referral], UnionArgs::default())?.collect()?;
    let opr = by_key(procedures, &keys, true)
        .select([
            recnum(),
            col("PROCEDUREKODE").alias("C_OPR"),
            col("DATO_START").alias("D_ODTO"),
        ])
        .collect()?;
    Ok(vec![adm, diag, opr])
}

/// The reporting system of a contact by its start date.
fn system_by_start() -> Expr {
    when(col("DATO_START").lt(lit(change_over()).cast(DataType::Date)))
        .then(lit("LPR2"))
        .otherwise(lit("LPR3"))
        .alias(REPORTING_SYSTEM)
}

/// `contacts` with each unit's SOR code in `SORENHED_ANS` in place of its SHAK code, as LPR3
/// names units ([`super::hospitals::sor_code`]).
fn with_sor_codes(contacts: &DataFrame) -> Result<DataFrame> {
    let codes: std::collections::HashMap<String, String> =
        super::hospitals::unit_codes().into_iter().collect();
    let units = contacts.column("SORENHED_ANS")?.str()?;
    let sor: StringChunked = units
        .iter()
        .map(|shak| shak.map(|shak| codes.get(shak).map_or(shak, String::as_str)))
        .collect();
    let mut contacts = contacts.clone();
    contacts.with_column(sor.with_name("SORENHED_ANS".into()).into_column())?;
    Ok(contacts)
}

/// The frames of the patient register in `model`'s layout, from the contract's three frames
/// (their units by SHAK code): LPR2's years keep the SHAK codes (`C_SGH`, `C_AFD`), LPR3's name
/// units by SOR code.
pub fn frames(
    model: LprModel,
    shak_contacts: DataFrame,
    diagnoses: DataFrame,
    procedures: DataFrame,
) -> Result<Vec<DataFrame>> {
    let contacts = with_sor_codes(&shak_contacts)?;
    let early = || {
        shak_contacts
            .clone()
            .lazy()
            .filter(col("DATO_START").lt(lit(change_over()).cast(DataType::Date)))
            .collect()
    };
    match model {
        LprModel::F => Ok(vec![contacts, diagnoses, procedures]),
        LprModel::Lpr2 => {
            let early = early()?;
            let mut out = lpr2_frames(&early, &diagnoses, &procedures)?;
            let keys = early.select(["DW_EK_KONTAKT"])?;
            out.push(by_key(&contacts, &keys, false).collect()?);
            out.push(by_key(&diagnoses, &keys, false).collect()?);
            out.push(by_key(&procedures, &keys, false).collect()?);
            Ok(out)
        }
        LprModel::Lpr3a => {
            let mut out = lpr2_frames(&early()?, &diagnoses, &procedures)?;
            let systems = contacts
                .clone()
                .lazy()
                .select([col("DW_EK_KONTAKT"), system_by_start()]);
            let with_system = |frame: &DataFrame| {
                frame.clone().lazy().join(
                    systems.clone(),
                    [col("DW_EK_KONTAKT")],
                    [col("DW_EK_KONTAKT")],
                    JoinArgs::new(JoinType::Left),
                )
            };
            out.push(
                contacts
                    .clone()
                    .lazy()
                    .with_column(system_by_start())
                    .collect()?,
            );
            out.push(with_system(&diagnoses).collect()?);
            out.push(with_system(&procedures).collect()?);
            Ok(out)
        }
    }
}
