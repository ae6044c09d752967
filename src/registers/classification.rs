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
//! - **hospitals** `SOR,NAVN,REGION`: SOR codes (of units, or of hospitals as the units' first
//!   four digits) with the hospital's name and region (1081-1085 or 81-85, or a name). The
//!   hospital stratifier then shows names instead of codes, and `hospital_region` becomes
//!   available.
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
    pub hospitals: Option<PathBuf>,
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
            hospitals: resolve(self.hospitals),
        }
    }

    /// These tables, with `fallback`'s where these name none.
    pub fn or(self, fallback: &Classifications) -> Classifications {
        Classifications {
            education: self.education.or_else(|| fallback.education.clone()),
            origin: self.origin.or_else(|| fallback.origin.clone()),
            family_type: self.family_type.or_else(|| fallback.family_type.clone()),
            hospitals: self.hospitals.or_else(|| fallback.hospitals.clone()),
        }
    }

    /// The files named, for the run's fingerprints.
    pub fn files(&self) -> Vec<&Path> {
        [
            &self.education,
            &self.origin,
            &self.family_type,
            &self.hospitals,
        ]
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
    let cells = positions
        .iter()
        .map(|&p| Ok(frame.columns()[p].str()?.clone()))
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

/// The hospitals table as `SOR` (text), `hospital_name` and `hospital_region`.
pub fn hospitals(path: &Path) -> Result<DataFrame> {
    let rows = read_table(path, "hospitals", &["SOR", "NAVN", "REGION"])?;
    for (i, row) in rows.iter().enumerate() {
        if row[1].is_empty() {
            return Err(bad_value(path, i + 1, "NAVN", "", "the hospital's name"));
        }
    }
    let regions: Vec<String> = rows.iter().map(|r| region_code(&r[2])).collect();
    Ok(DataFrame::new_infer_height(vec![
        text_column("SOR", &rows, 0),
        text_column("hospital_name", &rows, 1),
        Column::new("hospital_region".into(), regions),
    ])?)
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
        let frame = hospitals(file.path()).unwrap();
        let region = frame
            .column("hospital_region")
            .unwrap()
            .str()
            .unwrap()
            .get(0);
        assert_eq!(region, Some("1081"));
    }

    #[test]
    fn the_specs_tables_win_over_the_configurations() {
        let spec = Classifications {
            education: Some("spec.csv".into()),
            ..Default::default()
        };
        let config = Classifications {
            education: Some("config.csv".into()),
            hospitals: Some("sor.csv".into()),
            ..Default::default()
        };
        let merged = spec
            .resolved(Path::new("/p"))
            .or(&config.resolved(Path::new("/c")));
        assert_eq!(merged.education, Some(PathBuf::from("/p/spec.csv")));
        assert_eq!(merged.hospitals, Some(PathBuf::from("/c/sor.csv")));
        assert_eq!(merged.origin, None);
    }
}
