//! Stratifiers attached to person-level rows: education, income quintile, origin, civil status,
//! region, municipality, hospital, sex, age group, multimorbidity, extra `bef` columns, and the
//! age band used for standardisation.
//!
//! Level codes are the ones `truth.json` uses, so results and truth compare directly:
//! education `kort`/`mellem`/`lang`/`uoplyst` (SEPLINE groups of the H-groups), income quintile
//! `1`..`5` or `uoplyst`, origin `dansk`/`indvandrer`/`efterkommer`, region `1081`..`1085`, sex `1`
//! (male) / `2` (female).

use polars::prelude::*;

use std::path::Path;

use crate::error::{Error, Result};
use crate::registers::classification;
use crate::registers::codes::municipalities;
use crate::registers::scan::RegisterSet;
use crate::spec::{
    Derived, EDUCATION_LEVELS, LoadedSpec, MULTIMORBIDITY_LEVELS, ORIGIN_LEVELS, Spec, Stratifier,
};

mod income;
mod labour_market;
mod parents;

use crate::tidy::UNKNOWN;

/// `frame` with `output`, the education group of the person in column `person` (`PNR`, or a
/// parent's `MOR_ID`, `FAR_ID`) from the latest `udda` file up to the index year. The H-group comes from the user's education table (`HFAUDD,H`); without one it is the
/// first two digits of `HFAUDD`, true of synthetic data only (docs/registers.md). The SEPLINE
/// grouping is short (H10, H15), medium (H20, H30, H35), long (H40-H80), unknown (H90). A code
/// the table lacks stops the run: the table is of another version of the nomenclature than the
/// register.
///
/// The group is derived after the register is joined to the patients, so it is computed for
/// them only, not for the whole population the register holds.
fn with_education(
    registers: &RegisterSet,
    years: &[i32],
    table: Option<&Path>,
    frame: LazyFrame,
    (person, output): (&str, &str),
) -> Result<LazyFrame> {
    // The table is read once; each index year's education is that of the latest `udda` year up
    // to it, its codes checked against the table (once per file: `check_codes` remembers them).
    let groups = table
        .map(|path| Ok::<_, crate::error::Error>((path, classification::education(path)?)))
        .transpose()?;
    let mut records = Vec::new();
    for &year in years {
        let latest = registers
            .discovered
            .years("udda")
            .into_iter()
            .filter(|&y| y <= year)
            .max();
        if let Some(latest) = latest
            && let Some(udda) = registers.scan_year("udda", latest)?
        {
            if let Some((path, groups)) = &groups {
                check_codes(
                    registers,
                    &udda,
                    "HFAUDD",
                    groups,
                    path,
                    &format!("udda{latest}"),
                )?;
            }
            records.push(udda.select([col("PNR"), col("HFAUDD"), lit(year).alias("INDEX_YEAR")]));
        }
    }
    if records.is_empty() {
        return Ok(frame.with_column(lit(NULL).cast(DataType::String).alias(output)));
    }
    let frame = frame.join(
        concat(records, UnionArgs::default())?,
        [col(person), col("INDEX_YEAR")],
        [col("PNR"), col("INDEX_YEAR")],
        JoinArgs::new(JoinType::Left),
    );
    let frame = match groups {
        Some((_, groups)) => {
            let groups = groups
                .lazy()
                .select([col("HFAUDD"), col("H").alias("EDUCATION_H")]);
            frame.join(
                groups,
                [col("HFAUDD")],
                [col("HFAUDD")],
                JoinArgs::new(JoinType::Left),
            )
        }
        None => frame.with_column(
            col("HFAUDD")
                .str()
                .slice(lit(0), lit(2))
                .cast(DataType::Int32)
                .alias("EDUCATION_H"),
        ),
    };
    let h = col("EDUCATION_H");
    let group = when(h.clone().is_in(
        lit(Series::new("s".into(), [10i32, 15])).implode(false),
        false,
    ))
    .then(lit(EDUCATION_LEVELS[0]))
    .when(h.clone().is_in(
        lit(Series::new("m".into(), [20i32, 30, 35])).implode(false),
        false,
    ))
    .then(lit(EDUCATION_LEVELS[1]))
    .when(h.clone().gt_eq(lit(40)).and(h.lt_eq(lit(80))))
    .then(lit(EDUCATION_LEVELS[2]))
    .otherwise(lit(UNKNOWN));
    Ok(frame
        .with_column(group.alias(output))
        .drop(cols(["HFAUDD", "EDUCATION_H"])))
}

/// Refuses a register whose codes in `column` are missing from a classification table, naming
/// the table, the register and the first codes.
///
/// The register's distinct codes are kept for the run ([`RegisterSet::shared`]): every analysis
/// of a year checks the same register file, a pass over 6 million rows at national volume,
/// though perhaps against its own table.
fn check_codes(
    registers: &RegisterSet,
    register: &LazyFrame,
    column: &str,
    table: &DataFrame,
    path: &Path,
    register_name: &str,
) -> Result<()> {
    let distinct = registers.shared(&format!("distinct/{register_name}/{column}"), || {
        Ok(register
            .clone()
            .select([col(column)])
            .filter(col(column).is_not_null())
            .unique(None, UniqueKeepStrategy::Any)
            .collect()?)
    })?;
    let missing = distinct
        .lazy()
        .join(
            table.clone().lazy().select([col(column)]),
            [col(column)],
            [col(column)],
            JoinArgs::new(JoinType::Anti),
        )
        .sort([column], Default::default())
        .collect()?;
    if missing.height() == 0 {
        return Ok(());
    }
    let codes = missing.column(column)?.str()?;
    let first: Vec<&str> = codes.iter().flatten().take(5).collect();
    Err(Error::BadInput(format!(
        "{}: {} code(s) of {column} in {register_name} are not in the table, first {} (expected every code of the register in the classification table)",
        path.display(),
        missing.height(),
        first.join(", ")
    )))
}

/// The municipality-to-region table as a frame.
fn regions() -> DataFrame {
    let list = municipalities();
    let kom: Vec<i32> = list.iter().map(|m| m.code as i32).collect();
    let region: Vec<String> = list.iter().map(|m| m.region.to_string()).collect();
    DataFrame::new_infer_height(vec![
        Column::new("KOM".into(), kom),
        Column::new("region".into(), region),
    ])
    .expect("two columns of equal length")
}

/// The age group label of `AGE` for lower bounds such as `[0, 18, 45, 65, 80]`: `0-17`, ...,
/// `80+`; ages below the first bound are [`UNKNOWN`].
fn age_group(bounds: &[i32]) -> Expr {
    let mut expr = lit(UNKNOWN);
    for (i, &low) in bounds.iter().enumerate().rev() {
        let (label, upper) = match bounds.get(i + 1) {
            Some(&next) => (format!("{low}-{}", next - 1), next),
            None => (format!("{low}+"), i32::MAX),
        };
        expr = when(col("AGE").gt_eq(lit(low)).and(col("AGE").lt(lit(upper))))
            .then(lit(label))
            .otherwise(expr);
    }
    expr
}

/// The levels of the multimorbidity stratifier from `CONDITIONS`: `0`, `1`, `2`, `3+`.
fn multimorbidity() -> Expr {
    when(col("CONDITIONS").gt_eq(lit(3)))
        .then(lit(MULTIMORBIDITY_LEVELS[3]))
        .otherwise(col("CONDITIONS").cast(DataType::String))
}

/// Attaches the spec's stratifiers, `region`, `sex` and the 5-year age band (`AGE_BAND` 0 = 0-4
/// ... 18 = 90+) to the patients. Missing values become [`UNKNOWN`].
pub fn attach(
    registers: &RegisterSet,
    spec: &LoadedSpec,
    patients: LazyFrame,
) -> Result<LazyFrame> {
    let years = crate::cohort::index_years(spec.design);
    let left = || JoinArgs::new(JoinType::Left);
    let wants = |d: Derived| spec.spec.stratifiers.contains(&Stratifier::Derived(d));
    let mut frame = patients
        .join(regions().lazy(), [col("KOM")], [col("KOM")], left())
        .with_columns([
            when(col("IE_TYPE").eq(lit("1")))
                .then(lit(ORIGIN_LEVELS[0]))
                .when(col("IE_TYPE").eq(lit("2")))
                .then(lit(ORIGIN_LEVELS[1]))
                .when(col("IE_TYPE").eq(lit("3")))
                .then(lit(ORIGIN_LEVELS[2]))
                .otherwise(lit(UNKNOWN))
                .alias("origin"),
            col("KOEN").alias("sex"),
            col("KOM").cast(DataType::String).alias("municipality"),
            col("CIVST").alias("civil_status"),
            col("INDEX_UNIT")
                .str()
                .slice(lit(0), lit(4))
                .alias("hospital"),
            age_group(&spec.spec.age_groups).alias("age_group"),
            multimorbidity().alias("multimorbidity"),
            when(col("AGE").gt_eq(lit(90)))
                .then(lit(18))
                .otherwise((col("AGE") / lit(5)).cast(DataType::Int32))
                .cast(DataType::Int32)
                .alias("AGE_BAND"),
        ]);
    if wants(Derived::Charlson) {
        frame =
            frame.with_column(crate::cohort::charlson::level(col("CHARLSON")).alias("charlson"));
    }
    if wants(Derived::Hospital) || wants(Derived::HospitalRegion) {
        frame = hospitals(frame, spec)?;
    }
    if wants(Derived::OriginWestern) {
        frame = origin_western(frame, spec)?;
    }
    if wants(Derived::Cohabitation) {
        frame = cohabitation(registers, frame, spec, &years)?;
    }
    if wants(Derived::Education) {
        frame = with_education(
            registers,
            &years,
            spec.classifications.education.as_deref(),
            frame,
            ("PNR", "education"),
        )?;
    }
    if wants(Derived::ParentalEducation) {
        frame = parents::with_parental_education(
            registers,
            &years,
            spec.classifications.education.as_deref(),
            frame,
        )?;
    }
    if wants(Derived::ParentalIncome) {
        frame = parents::with_parental_income(registers, spec, &years, frame)?;
    }
    if wants(Derived::LabourMarket) {
        frame = labour_market::with_labour_market(registers, &years, frame)?;
    }
    if wants(Derived::IncomeQuintile) {
        // Each index year's quintiles: the incomes of the years before it, cut in its population.
        frame = match income::placed(registers, spec, &years)? {
            None => frame.with_column(lit(NULL).cast(DataType::String).alias("income_quintile")),
            Some(placed) => frame
                .join(
                    placed,
                    [col("PNR"), col("INDEX_YEAR")],
                    [col("PNR"), col("INDEX_YEAR")],
                    left(),
                )
                .with_column(col("income_quintile").cast(DataType::String)),
        };
    }
    for s in &spec.spec.stratifiers {
        if let Stratifier::Column(name) = s {
            let mut columns = Vec::new();
            for year in crate::cohort::residence_years(registers, spec.design)? {
                columns.push(extra_column(registers, spec, year, name)?);
            }
            frame = frame.join(
                concat(columns, UnionArgs::default())?,
                [col("PNR"), col("BEF_YEAR")],
                [col("PNR"), col("BEF_YEAR")],
                left(),
            );
        }
    }
    let codes: Vec<String> = spec.spec.stratifiers.iter().map(|s| s.code()).collect();
    let mut fill: Vec<Expr> = [
        "region",
        "sex",
        "origin",
        "municipality",
        "civil_status",
        "hospital",
    ]
    .iter()
    .map(|c| col(*c).fill_null(lit(UNKNOWN)))
    .collect();
    fill.extend(
        codes
            .iter()
            .filter(|c| {
                matches!(
                    c.as_str(),
                    "education"
                        | "income_quintile"
                        | "parental_education"
                        | "parental_income"
                        | "labour_market"
                        | "cohabitation"
                        | "origin_western"
                        | "hospital_region"
                ) || c.starts_with("bef_")
            })
            .map(|c| col(c.as_str()).fill_null(lit(UNKNOWN))),
    );
    Ok(merge_levels(frame.with_columns(fill), &spec.spec))
}

/// The spec's merged levels (`[merge_levels]`, `src/spec/merges.rs`) in place of their members,
/// before anything is counted.
fn merge_levels(frame: LazyFrame, spec: &Spec) -> LazyFrame {
    let merged: Vec<Expr> = spec
        .merge_levels
        .iter()
        .filter(|(_, merges)| !merges.is_empty())
        .map(|(code, merges)| {
            let mut expr = col(code.as_str());
            for (level, members) in merges {
                let members = Series::new("members".into(), members.as_slice());
                expr = when(col(code.as_str()).is_in(lit(members).implode(false), false))
                    .then(lit(level.as_str()))
                    .otherwise(expr);
            }
            expr.alias(code.as_str())
        })
        .collect();
    if merged.is_empty() {
        frame
    } else {
        frame.with_columns(merged)
    }
}

/// With the SOR table: the hospital stratifier as the hospital of the index contact's unit and
/// its region as `hospital_region`, looked up by the unit's whole code and else, for a SHAK code
/// (LPR2's, seven characters or fewer), by its first four characters (the hospital's SHAK code); a unit the table lacks has an unknown
/// hospital, since a real SOR code says nothing of its hospital. Without the table the first four
/// characters stay (the SHAK convention of LPR2 and of synth before SOR codes), and a spec that
/// asks for `hospital_region` is refused. Only joined for specs with a hospital stratifier.
fn hospitals(frame: LazyFrame, spec: &LoadedSpec) -> Result<LazyFrame> {
    let Some(path) = &spec.classifications.sor else {
        if spec
            .spec
            .stratifiers
            .contains(&Stratifier::Derived(Derived::HospitalRegion))
        {
            return Err(missing_table(spec, "hospital_region", "sor"));
        }
        return Ok(frame);
    };
    let table = classification::sor(path)?.lazy();
    let renamed = |suffix: &str| {
        table.clone().select([
            col("SOR").alias(format!("SOR{suffix}")),
            col("hospital_name").alias(format!("NAME{suffix}")),
            col("hospital_region").alias(format!("REGION{suffix}")),
        ])
    };
    let left = || JoinArgs::new(JoinType::Left);
    Ok(frame
        .join(
            renamed("_UNIT"),
            [col("INDEX_UNIT")],
            [col("SOR_UNIT")],
            left(),
        )
        // Only a SHAK unit code (seven characters or fewer: the hospital's four and the
        // department's) begins with its hospital's code; a SOR code begins with nothing.
        .with_column(
            when(col("INDEX_UNIT").str().len_chars().lt_eq(lit(7)))
                .then(col("hospital"))
                .otherwise(lit(NULL).cast(DataType::String))
                .alias("SHAK_HOSPITAL"),
        )
        .join(
            renamed("_HOSP"),
            [col("SHAK_HOSPITAL")],
            [col("SOR_HOSP")],
            left(),
        )
        .with_columns([
            coalesce(&[col("NAME_UNIT"), col("NAME_HOSP")]).alias("hospital"),
            coalesce(&[col("REGION_UNIT"), col("REGION_HOSP")]).alias("hospital_region"),
        ])
        .drop(cols([
            "SHAK_HOSPITAL",
            "NAME_UNIT",
            "NAME_HOSP",
            "REGION_UNIT",
            "REGION_HOSP",
        ])))
}

/// Danish origin, or immigrants and descendants by the origin table's grouping of their country
/// of origin (`OPR_LAND`): `dansk`, `vestlig`, `ikke-vestlig`; unknown without a known country.
fn origin_western(frame: LazyFrame, spec: &LoadedSpec) -> Result<LazyFrame> {
    let Some(path) = &spec.classifications.origin else {
        return Err(missing_table(spec, "origin_western", "origin"));
    };
    let table = classification::origin(path)?.lazy();
    Ok(frame
        .join(
            table,
            [col("OPR_LAND")],
            [col("OPR_LAND")],
            JoinArgs::new(JoinType::Left),
        )
        .with_column(
            when(col("IE_TYPE").eq(lit("1")))
                .then(lit("dansk"))
                .when(col("IE_TYPE").eq(lit("2")).or(col("IE_TYPE").eq(lit("3"))))
                .then(col("origin_western"))
                .otherwise(lit(NULL).cast(DataType::String))
                .alias("origin_western"),
        ))
}

/// `frame` with `cohabitation` (`par` or `enlig`, null without a family type): the patient's
/// `FAMILIE_TYPE` in the population register grouped by the user's family type table. A code
/// the table lacks stops the run, as for education: the table is of another family definition.
fn cohabitation(
    registers: &RegisterSet,
    frame: LazyFrame,
    spec: &LoadedSpec,
    years: &[i32],
) -> Result<LazyFrame> {
    let Some(path) = &spec.classifications.family_type else {
        return Err(missing_table(spec, "cohabitation", "family_type"));
    };
    let table = classification::family_types(path)?;
    for &year in years {
        if let Some(bef) = registers.scan_year("bef", year)? {
            check_codes(
                registers,
                &bef,
                "FAMILIE_TYPE",
                &table,
                path,
                &format!("bef{year}"),
            )?;
        }
    }
    Ok(frame.join(
        table.lazy(),
        [col("FAMILIE_TYPE")],
        [col("FAMILIE_TYPE")],
        JoinArgs::new(JoinType::Left),
    ))
}

fn missing_table(spec: &LoadedSpec, stratifier: &str, table: &str) -> Error {
    Error::BadSpec(format!(
        "{}: key `stratifiers`: {stratifier} needs the {table} classification table (expected [classifications] {table} = \"FILE.csv\" in the spec or in ulighed.toml)",
        spec.path.display()
    ))
}

/// An extra column of the population register of `year`, as text: `PNR`, `bef_<column>` and
/// `BEF_YEAR` (the patients' register year, [`crate::cohort::patients`]). The column must exist
/// in the file.
fn extra_column(
    registers: &RegisterSet,
    spec: &LoadedSpec,
    year: i32,
    name: &str,
) -> Result<LazyFrame> {
    let file = registers
        .discovered
        .of("bef")
        .iter()
        .find(|f| f.year == Some(year))
        .ok_or_else(|| {
            Error::MissingInput(format!(
                "{}: no bef{year} file for the stratifier bef:{name}",
                registers.discovered.dir.display()
            ))
        })?;
    let opened = crate::registers::read::open(file)?;
    let mut raw = opened.raw.clone();
    let schema = raw
        .collect_schema()
        .map_err(|e| Error::reading(&file.path, e))?;
    let found = schema
        .iter_names()
        .find(|n| n.eq_ignore_ascii_case(name))
        .ok_or_else(|| {
            Error::BadInput(format!(
                "{}: the stratifier bef:{name} (in {}) needs a column {name}, which the file does not have",
                file.path.display(),
                spec.path.display()
            ))
        })?
        .to_string();
    let pnr = crate::registers::models::canonical_column_named(&opened, "PNR", registers.keys());
    Ok(raw.select([
        pnr.alias("PNR"),
        col(found.as_str())
            .cast(DataType::String)
            .alias(format!("bef_{}", name.to_lowercase())),
        lit(year).alias("BEF_YEAR"),
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A register year's codes checked against two tables in one run: the first holds them all,
    /// the second lacks 5080, and is refused though the codes were read for the first check.
    #[test]
    fn each_table_is_checked_against_the_codes_read_once_per_register_year() {
        let dir = tempfile::tempdir().expect("temp");
        std::fs::write(
            dir.path().join("udda2023.csv"),
            "PNR,HFAUDD\np1,1010\np2,5080\np3,1010\np4,\n",
        )
        .expect("udda");
        let registers = RegisterSet::open(dir.path()).expect("opened");
        let udda = registers
            .scan_year("udda", 2023)
            .expect("scanned")
            .expect("udda2023");
        let table = |codes: &[&str]| {
            df!("HFAUDD" => codes, "H" => vec![10i32; codes.len()]).expect("table")
        };
        let path = Path::new("education.csv");
        let check = |t: &DataFrame| check_codes(&registers, &udda, "HFAUDD", t, path, "udda2023");
        assert!(check(&table(&["1010", "5080", "6000"])).is_ok());
        let refused = check(&table(&["1010"])).expect_err("5080 is not in the table");
        let message = refused.to_string();
        assert!(
            message.contains("1 code(s) of HFAUDD in udda2023") && message.contains("5080"),
            "{message}"
        );
    }
}
