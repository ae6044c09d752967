//! Classification tables the user supplies as CSV, used in place of the built-in fallbacks:
//!
//! - **education** `HFAUDD,H`: Statistics Denmark's education nomenclature, each code's H-group
//!   (`H10` or `10`). On the research servers it is a SAS format; exported once to CSV. Without
//!   it the first two digits of `HFAUDD` are taken as the H-group, true of synthetic data only
//!   (docs/registers.md: a nurse is 5166, in H50).
//! - **origin** `OPR_LAND,GRUPPE`: each country of origin code as `vestlig` or `ikke-vestlig`
//!   (`western`/`non-western`), Statistics Denmark's grouping of immigrants and descendants.
//!   The stratifier `origin_western` needs it; there is no fallback, since the code lists
//!   change over time and a guessed grouping would be wrong without warning.
//! - **family_type** `FAMILIE_TYPE,GRUPPE`: each family type code of the population register as
//!   `par` (a couple: married, registered partners, cohabiting) or `enlig` (single; `couple`,
//!   `single` are accepted). The stratifier `cohabitation` needs it; there is no fallback, since
//!   Statistics Denmark's family definitions (C-, D- and E-families) have different code lists.
//! - **sor** (also accepted as `hospitals`) `SOR,NAVN,REGION`, optionally with `SYGEHUS`,
//!   `ENHEDSTYPE` and `SPECIALE`: the Sundhedsvæsenets Organisationsregister's units as the patient
//!   register names them in `SORENHED_ANS` (SOR codes in LPR3; SHAK codes, hospital and
//!   department, in LPR2), each with its name, region (1081-1085 or 81-85, or a name), hospital
//!   (`SYGEHUS`, the hospital's name; a row without one names a hospital itself, and then a
//!   four-character SHAK hospital code also names the units whose codes begin with it), unit
//!   type and specialty. Real SOR codes say nothing of hospital or unit type, so the hospital
//!   stratifier, `hospital_region` and the specs' `units` and `specialty` read them here.
//!
//! The paths come from a spec's `[classifications]` (relative to the spec) or the project
//! configuration's (relative to it); the spec's win. Every table is checked whole when read: a
//! missing column, an empty or repeated code, or a value outside the expected set stops the run
//! with the file, the row and what was expected.

use std::path::{Path, PathBuf};

use polars::prelude::*;
use serde::{Deserialize, Serialize};

use super::codes::H_GROUPS;
use crate::error::{Error, Result};

/// The paths of the classification tables, each optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Classifications {
    pub education: Option<PathBuf>,
    pub origin: Option<PathBuf>,
    pub family_type: Option<PathBuf>,
    /// The SOR table; `hospitals` was its name when it named hospitals only.
    #[serde(alias = "hospitals")]
    pub sor: Option<PathBuf>,
}

impl Classifications {
    /// Relative paths resolved against `base` (the folder of the file that named them).
    pub fn resolved(self, base: &Path) -> Classifications {
        let resolve =
            |p: Option<PathBuf>| p.map(|p| if p.is_absolute() { p } else { base.join(p) });
        Classifications {
            education: resolve(self.education),
            origin: resolve(self.origin),
            family_type: resolve(self.family_type),
            sor: resolve(self.sor),
        }
    }

    /// These tables, with `fallback`'s where these name none.
    pub fn or(self, fallback: &Classifications) -> Classifications {
        Classifications {
            education: self.education.or_else(|| fallback.education.clone()),
            origin: self.origin.or_else(|| fallback.origin.clone()),
            family_type: self.family_type.or_else(|| fallback.family_type.clone()),
            sor: self.sor.or_else(|| fallback.sor.clone()),
        }
    }

    /// The files named, for the run's fingerprints.
    pub fn files(&self) -> Vec<&Path> {
        [&self.education, &self.origin, &self.family_type, &self.sor]
            .into_iter()
            .flatten()
            .map(PathBuf::as_path)
            .collect()
    }
}

/// A table's columns by the names asked for (case-insensitive), as trimmed text, with the
/// file's row numbers (1 = the first row after the header). Read with the registers' CSV reader
/// (`,` or `;`, quoted fields such as "Regionshospital Nordjylland, Hjørring"), so a ragged row
/// is an error rather than a shifted value.
fn read_table(path: &Path, what: &str, columns: &[&str]) -> Result<Vec<Vec<String>>> {
    read_table_with(path, what, columns, &[])
}

/// [`read_table`] with `optional` columns after the required `columns`: empty where the file
/// lacks them.
fn read_table_with(
    path: &Path,
    what: &str,
    columns: &[&str],
    optional: &[&str],
) -> Result<Vec<Vec<String>>> {
    if !path.is_file() {
        return Err(Error::MissingInput(format!(
            "{}: the {what} classification table cannot be read: no such file",
            path.display()
        )));
    }
    let frame = LazyCsvReader::new(PlRefPath::new(path.to_string_lossy().as_ref()))
        .with_separator(super::read::csv_separator(path)?)
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .finish()
        .and_then(|f| f.collect())
        .map_err(|e| Error::reading(path, e))?;
    let names: Vec<String> = frame
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    let positions = columns
        .iter()
        .map(|wanted| {
            names
                .iter()
                .position(|n| n.eq_ignore_ascii_case(wanted))
                .ok_or_else(|| {
                    Error::BadInput(format!(
                        "{}: the {what} classification table has no column {wanted} (expected columns {}; found {})",
                        path.display(),
                        columns.join(","),
                        names.join(",")
                    ))
                })
        })
        .collect::<Result<Vec<usize>>>()?;
    let empty = StringChunked::full_null("".into(), frame.height());
    let cells = positions
        .iter()
        .map(|&p| Ok(frame.columns()[p].str()?.clone()))
        .chain(optional.iter().map(|wanted| {
            match names.iter().position(|n| n.eq_ignore_ascii_case(wanted)) {
                Some(p) => Ok(frame.columns()[p].str()?.clone()),
                None => Ok(empty.clone()),
            }
        }))
        .collect::<Result<Vec<_>>>()?;
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut seen: std::collections::HashMap<String, usize> = Default::default();
    for i in 0..frame.height() {
        let row = cells
            .iter()
            .map(|c| c.get(i).unwrap_or("").trim().to_string())
            .collect::<Vec<_>>();
        if row[0].is_empty() {
            return Err(Error::BadInput(format!(
                "{}: row {} has no {} (rule: every row of the {what} classification names a code)",
                path.display(),
                i + 1,
                columns[0]
            )));
        }
        if let Some(first) = seen.insert(row[0].clone(), i) {
            return Err(Error::BadInput(format!(
                "{}: row {} repeats {} {} of row {} (rule: each code once)",
                path.display(),
                i + 1,
                columns[0],
                row[0],
                first + 1
            )));
        }
        rows.push(row);
    }
    if rows.is_empty() {
        return Err(Error::BadInput(format!(
            "{}: the {what} classification table has no rows",
            path.display()
        )));
    }
    Ok(rows)
}

fn bad_value(path: &Path, row: usize, column: &str, value: &str, expected: &str) -> Error {
    Error::BadInput(format!(
        "{}: row {row} has {column} {value:?}, expected {expected}",
        path.display()
    ))
}

fn text_column(name: &str, rows: &[Vec<String>], index: usize) -> Column {
    Column::new(
        name.into(),
        rows.iter().map(|r| r[index].clone()).collect::<Vec<_>>(),
    )
}

/// The education table as `HFAUDD` (text) and `H` (the H-group's number, 10 ... 90).
pub fn education(path: &Path) -> Result<DataFrame> {
    let rows = read_table(path, "education", &["HFAUDD", "H"])?;
    let mut groups = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let code = row[1].trim_start_matches(['H', 'h']);
        let group = code
            .parse::<u8>()
            .ok()
            .filter(|h| H_GROUPS.contains(h))
            .ok_or_else(|| {
                bad_value(
                    path,
                    i + 1,
                    "H",
                    &row[1],
                    "an H-group: H10, H15, H20, H30, H35, H40, H50, H60, H70, H80 or H90",
                )
            })?;
        groups.push(group as i32);
    }
    Ok(DataFrame::new_infer_height(vec![
        text_column("HFAUDD", &rows, 0),
        Column::new("H".into(), groups),
    ])?)
}

/// A table of codes (`code`) each put in a group (`GRUPPE`): the groups are the first names of
/// `groups` (each listed with the spellings accepted for it, case-insensitive); returned as
/// `code` (text) and `output` (the group).
fn grouped_codes(
    path: &Path,
    what: &str,
    (code, output): (&str, &str),
    groups: &[&[&'static str]],
    expected: &str,
) -> Result<DataFrame> {
    let rows = read_table(path, what, &[code, "GRUPPE"])?;
    let mut named = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let given = row[1].to_lowercase();
        let group = groups
            .iter()
            .find(|spellings| spellings.contains(&given.as_str()))
            .map(|spellings| spellings[0])
            .ok_or_else(|| bad_value(path, i + 1, "GRUPPE", &row[1], expected))?;
        named.push(group);
    }
    Ok(DataFrame::new_infer_height(vec![
        text_column(code, &rows, 0),
        Column::new(output.into(), named),
    ])?)
}

/// The origin table as `OPR_LAND` (text) and `origin_western` (`vestlig` or `ikke-vestlig`).
pub fn origin(path: &Path) -> Result<DataFrame> {
    grouped_codes(
        path,
        "origin",
        ("OPR_LAND", "origin_western"),
        &[
            &["vestlig", "western"],
            &["ikke-vestlig", "ikke vestlig", "non-western"],
        ],
        "vestlig or ikke-vestlig (western or non-western)",
    )
}

/// The family type table as `FAMILIE_TYPE` (text) and `cohabitation` (`par` or `enlig`).
pub fn family_types(path: &Path) -> Result<DataFrame> {
    grouped_codes(
        path,
        "family_type",
        ("FAMILIE_TYPE", "cohabitation"),
        &[&["par", "couple"], &["enlig", "single"]],
        "par or enlig (couple or single)",
    )
}

/// A region as the tables elsewhere write it: 81-85 become 1081-1085; names stay.
fn region_code(text: &str) -> String {
    match text.parse::<u16>() {
        Ok(r @ 81..=85) => (r + 1000).to_string(),
        _ => text.to_string(),
    }
}

/// The SOR table as `SOR` (text), `hospital_name` (the row's `SYGEHUS`, or its `NAVN` when the
/// row names a hospital), `hospital_region`, `unit_type` and `specialty` (lower case; null where
/// the table says nothing).
pub fn sor(path: &Path) -> Result<DataFrame> {
    let rows = read_table_with(
        path,
        "sor",
        &["SOR", "NAVN", "REGION"],
        &["SYGEHUS", "ENHEDSTYPE", "SPECIALE"],
    )?;
    for (i, row) in rows.iter().enumerate() {
        if row[1].is_empty() {
            return Err(bad_value(
                path,
                i + 1,
                "NAVN",
                "",
                "the unit's or hospital's name",
            ));
        }
    }
    let optional = |name: &str, index: usize| -> Column {
        let values: Vec<Option<String>> = rows
            .iter()
            .map(|r| (!r[index].is_empty()).then(|| r[index].to_lowercase()))
            .collect();
        Column::new(name.into(), values)
    };
    let hospital: Vec<String> = rows
        .iter()
        .map(|r| {
            if r[3].is_empty() {
                r[1].clone()
            } else {
                r[3].clone()
            }
        })
        .collect();
    let regions: Vec<String> = rows.iter().map(|r| region_code(&r[2])).collect();
    Ok(DataFrame::new_infer_height(vec![
        text_column("SOR", &rows, 0),
        Column::new("hospital_name".into(), hospital),
        Column::new("hospital_region".into(), regions),
        optional("unit_type", 4),
        optional("specialty", 5),
    ])?)
}

/// The SOR codes of the table's units of one of `unit_types` (its `ENHEDSTYPE`) and of one of
/// `specialties` (its `SPECIALE`), compared without regard to case; an empty list asks nothing
/// of that column. A type or specialty no row has is refused with the ones the table has: a
/// misspelt specialty would otherwise select no contact without a word.
pub fn sor_units(
    path: &Path,
    unit_types: &[String],
    specialties: &[String],
) -> Result<Vec<String>> {
    let table = sor(path)?;
    let column = |name: &str| -> Result<Vec<Option<String>>> {
        Ok(table
            .column(name)?
            .str()?
            .iter()
            .map(|v| v.map(str::to_string))
            .collect())
    };
    let (types, specialty) = (column("unit_type")?, column("specialty")?);
    for (asked, present, what) in [
        (unit_types, &types, "ENHEDSTYPE"),
        (specialties, &specialty, "SPECIALE"),
    ] {
        let known: std::collections::BTreeSet<&str> =
            present.iter().flatten().map(String::as_str).collect();
        if let Some(missing) = asked
            .iter()
            .find(|a| !known.contains(a.to_lowercase().as_str()))
        {
            return Err(Error::BadInput(format!(
                "{}: no unit of the sor classification table has {what} {missing:?} (the table has: {})",
                path.display(),
                if known.is_empty() {
                    format!("no {what} column or no values in it")
                } else {
                    known.into_iter().collect::<Vec<_>>().join(", ")
                }
            )));
        }
    }
    let wanted = |asked: &[String], value: &Option<String>| {
        asked.is_empty()
            || value
                .as_deref()
                .is_some_and(|v| asked.iter().any(|a| a.to_lowercase() == v))
    };
    let codes = table.column("SOR")?.str()?.clone();
    let found: Vec<String> = codes
        .iter()
        .zip(types.iter().zip(specialty.iter()))
        .filter(|(_, (t, s))| wanted(unit_types, t) && wanted(specialties, s))
        .filter_map(|(code, _)| code.map(str::to_string))
        .collect();
    if found.is_empty() {
        // Each name is in the table, but no unit has both: the criterion would match nothing.
        return Err(Error::BadInput(format!(
            "{}: no unit of the sor classification table has both ENHEDSTYPE {} and SPECIALE {}",
            path.display(),
            unit_types.join(" or "),
            specialties.join(" or ")
        )));
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> tempfile::NamedTempFile {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), text).unwrap();
        file
    }

    #[test]
    fn education_groups_read_with_or_without_the_h() {
        let file = table("HFAUDD;H\n5166;H50\n1010;10\n");
        let frame = education(file.path()).unwrap();
        let h: Vec<Option<i32>> = frame.column("H").unwrap().i32().unwrap().iter().collect();
        assert_eq!(h, [Some(50), Some(10)]);
    }

    #[test]
    fn bad_rows_are_refused_with_the_row_and_what_was_expected() {
        let unknown = table("HFAUDD,H\n5166,H50\n1010,H12\n");
        let err = education(unknown.path()).unwrap_err().to_string();
        assert!(
            err.contains("row 2 has H \"H12\", expected an H-group"),
            "{err}"
        );
        let twice = table("HFAUDD,H\n5166,H50\n5166,H60\n");
        let err = education(twice.path()).unwrap_err().to_string();
        assert!(err.contains("row 2 repeats HFAUDD 5166 of row 1"), "{err}");
        let column = table("KODE,GRUPPE\n5100,vestlig\n");
        let err = origin(column.path()).unwrap_err().to_string();
        assert!(err.contains("has no column OPR_LAND"), "{err}");
        let group = table("OPR_LAND,GRUPPE\n5100,nordisk\n");
        let err = origin(group.path()).unwrap_err().to_string();
        assert!(err.contains("expected vestlig or ikke-vestlig"), "{err}");
    }

    #[test]
    fn hospital_regions_take_the_four_digit_codes() {
        let file = table("SOR,NAVN,REGION\n6501,Aalborg Universitetshospital,81\n");
        let frame = sor(file.path()).unwrap();
        let region = frame
            .column("hospital_region")
            .unwrap()
            .str()
            .unwrap()
            .get(0);
        assert_eq!(region, Some("1081"));
    }

    /// Three units of two hospitals under real-looking SOR codes, which say nothing of either.
    const SOR_TABLE: &str = "SOR;NAVN;REGION;SYGEHUS;ENHEDSTYPE;SPECIALE\n\
        6101;Aalborg Universitetshospital;1081;;;\n\
        480931000016003;Ortopædkirurgisk afsnit;1081;Aalborg Universitetshospital;Sengeafsnit;Ortopædisk kirurgi\n\
        17751000016001;Akutmodtagelsen;81;Aalborg Universitetshospital;Akutmodtagelse;Akutmedicin\n\
        929121000016009;Ortopædkirurgisk ambulatorium;1082;Regionshospitalet Randers;Ambulatorium;Ortopædisk kirurgi\n";

    #[test]
    fn units_are_found_by_type_and_specialty_whatever_their_codes() {
        let file = table(SOR_TABLE);
        let all = |types: &[&str], specialties: &[&str]| {
            let owned = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
            sor_units(file.path(), &owned(types), &owned(specialties)).unwrap()
        };
        assert_eq!(
            all(&[], &["ortopædisk kirurgi"]),
            ["480931000016003", "929121000016009"]
        );
        assert_eq!(
            all(&["SENGEAFSNIT"], &["Ortopædisk kirurgi"]),
            ["480931000016003"]
        );
        assert_eq!(all(&["akutmodtagelse", "ambulatorium"], &[]).len(), 2);
        let err = sor_units(
            file.path(),
            &["akutmodtagelse".into()],
            &["ortopædisk kirurgi".into()],
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("no unit of the sor classification table has both ENHEDSTYPE akutmodtagelse and SPECIALE ortopædisk kirurgi"),
            "{err}"
        );
        let err = sor_units(file.path(), &[], &["ortopædi".into()])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("no unit of the sor classification table has SPECIALE \"ortopædi\" (the table has: akutmedicin, ortopædisk kirurgi)"),
            "{err}"
        );
        let hospitals = sor(file.path()).unwrap();
        let names: Vec<Option<&str>> = hospitals
            .column("hospital_name")
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(
            names[0],
            Some("Aalborg Universitetshospital"),
            "a hospital's own row"
        );
        assert_eq!(names[3], Some("Regionshospitalet Randers"));
    }

    #[test]
    fn a_table_without_unit_types_says_so_when_one_is_asked_for() {
        let file = table("SOR,NAVN,REGION\n6501,Aalborg Universitetshospital,81\n");
        let err = sor_units(file.path(), &["ambulatorium".into()], &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains("has ENHEDSTYPE \"ambulatorium\" (the table has: no ENHEDSTYPE column or no values in it)"), "{err}");
    }

    #[test]
    fn the_specs_tables_win_over_the_configurations() {
        let spec = Classifications {
            education: Some("spec.csv".into()),
            ..Default::default()
        };
        let config = Classifications {
            education: Some("config.csv".into()),
            sor: Some("sor.csv".into()),
            ..Default::default()
        };
        let merged = spec
            .resolved(Path::new("/p"))
            .or(&config.resolved(Path::new("/c")));
        assert_eq!(merged.education, Some(PathBuf::from("/p/spec.csv")));
        assert_eq!(merged.sor, Some(PathBuf::from("/c/sor.csv")));
        assert_eq!(merged.origin, None);
    }
}
