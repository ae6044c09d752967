//! The validation of `docs/registers.md`: types, required columns, person keys, plausible dates,
//! well-formed codes, and keys that resolve across registers.
//!
//! Each check is a boolean expression that is true on a violating row; all checks of a file run
//! in one lazy aggregation, and only a failing check pays for a second pass that fetches its first
//! rows for the message. A finding names the file, the rule, the column, the count of rows and the
//! first rows with their values.

use std::collections::BTreeMap;
use std::path::PathBuf;

use polars::prelude::*;
use rayon::slice::ParallelSliceMut;
use serde::Serialize;

pub use super::findings::{Example, Finding};

use super::contract::{Kind, RegisterSpec};
use super::discover::{Discovered, Format, RegisterFile};
use super::findings::{ROW, first_rows};
use super::key_rules::{Folded, ProbeCounts, Probes, check_order};
use super::keys::key_dtype_of;
use super::read::{OpenedFile, open};
use super::scan::{collect_streaming, count_in};
use crate::dates;
use crate::error::{Error, Result};

use super::severity::{Severities, Severity};

/// Christiansø's code in `KOM`: Statistics Denmark's registers carry it for the island's few
/// residents, though it belongs to no municipality and no region.
const CHRISTIANSO: i32 = 411;

/// A file that was read.
#[derive(Debug, Clone, Serialize)]
pub struct FileSummary {
    pub file: PathBuf,
    pub register: &'static str,
    pub year: Option<i32>,
    pub format: Format,
    pub rows: u64,
    /// See [`Checked::digit_persons`].
    #[serde(skip)]
    pub digit_persons: bool,
}

/// A file that could not be read at all (only with [`validate_all`]).
#[derive(Debug, Clone, Serialize)]
pub struct Unreadable {
    pub file: PathBuf,
    pub register: &'static str,
    pub message: String,
}

/// Everything `ulighed validate` found.
#[derive(Debug, Clone, Serialize)]
pub struct ValidationReport {
    pub folder: PathBuf,
    pub as_of: String,
    pub files: Vec<FileSummary>,
    pub missing_registers: Vec<&'static str>,
    pub ignored_files: Vec<PathBuf>,
    pub findings: Vec<Finding>,
    pub unreadable: Vec<Unreadable>,
}

impl ValidationReport {
    pub fn errors(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
    }

    /// What in this report stops analyses, in the form a run keeps between runs.
    pub fn blockers(&self) -> Blockers {
        Blockers {
            folder: self.folder.clone(),
            problems: self
                .unreadable
                .iter()
                .map(|u| Problem {
                    register: u.register.to_string(),
                    rule: String::new(),
                    message: u.message.clone(),
                })
                .chain(self.findings.iter().map(|f| Problem {
                    register: f.register.to_string(),
                    rule: f.rule.to_string(),
                    message: f.message(),
                }))
                .collect(),
            dated_after_as_of: self
                .findings
                .iter()
                .any(|f| f.rule == "date_range" || f.rule == "after_as_of"),
            digit_persons: self.unreadable.is_empty() && self.files.iter().all(|f| f.digit_persons),
        }
    }

    /// The report as readable text.
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "Validation of {} (as of {})\n\n",
            self.folder.display(),
            self.as_of
        );
        for f in &self.files {
            out.push_str(&format!(
                "  {:<40} {:>14} rows\n",
                f.file
                    .file_name()
                    .map(|n| n.to_string_lossy())
                    .unwrap_or_default(),
                f.rows
            ));
        }
        if !self.missing_registers.is_empty() {
            out.push_str(&format!(
                "\nRegisters not present: {}\n",
                self.missing_registers.join(", ")
            ));
        }
        if !self.ignored_files.is_empty() {
            out.push_str(&format!(
                "Other files (ignored): {}\n",
                self.ignored_files
                    .iter()
                    .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().to_string()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        let errors = self.errors().count() + self.unreadable.len();
        let warnings = self.findings.len() + self.unreadable.len() - errors;
        out.push_str(&format!("\n{errors} error(s), {warnings} warning(s)\n"));
        for u in &self.unreadable {
            out.push_str(&format!("\nERROR: {}\n", u.message));
        }
        for f in &self.findings {
            let label = match f.severity {
                Severity::Error => "ERROR",
                Severity::Warning => "warning",
            };
            out.push_str(&format!("\n{label}: {}\n", f.message()));
        }
        out
    }
}

/// A check: a boolean expression true on violating rows, and the value to cite.
struct Check {
    rule: &'static str,
    column: &'static str,
    expected: &'static str,
    violation: Expr,
    value: Expr,
    counted: Counted,
}

/// How a check's rows are counted. A rule over the whole column is decided from sums the one
/// streaming pass over the file gathers, never inside it: an aggregate inside a row's test made
/// the scan hold each checked column whole until its last row (15.7 GiB for a national
/// validation, bench/results).
#[derive(Clone, Copy, PartialEq)]
enum Counted {
    /// The rows where `violation` is true.
    Rows,
    /// Every row, when `violation` (here: the value is present) holds in none.
    EmptyColumn,
    /// The rows whose value another row also has, `violation` being the value's presence:
    /// counted by a query of its own when the distinct values are fewer than the values.
    Repeated(&'static str),
}

/// One problem a validation found: an unreadable file (no rule) or a finding of a rule.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Problem {
    pub register: String,
    /// The rule, empty for a file that could not be read.
    pub rule: String,
    pub message: String,
}

/// The problems of a validation that may stop the analyses reading their registers: unreadable
/// files and every finding with its rule, in report order, so that each analysis weighs them by
/// its own severities. Kept between runs with the fingerprints of the files validated (see
/// `run`), so an unchanged delivery is not validated again.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Blockers {
    pub folder: PathBuf,
    pub problems: Vec<Problem>,
    /// Some date lay outside the plausible range (before 1900 or after the as-of date): a later
    /// as-of date could change the findings.
    pub dated_after_as_of: bool,
    /// Every file was read and every `PNR` in it is digits: the folder's person keys can be
    /// integers ([`super::persons`]). Absent (false: text keys) in validations remembered by
    /// builds before it.
    #[serde(default)]
    pub digit_persons: bool,
}

impl Blockers {
    /// The first problem with a file of one of `registers` that stops an analysis as one
    /// paragraph, with the count of the others: an unreadable file, or a finding of a rule that is
    /// an error by the analysis's `severities`. Only analyses that read those registers stop.
    pub fn blocking(
        &self,
        registers: &std::collections::BTreeSet<&str>,
        severities: &Severities,
    ) -> Option<String> {
        let mut messages = self
            .problems
            .iter()
            .filter(|p| registers.contains(p.register.as_str()))
            .filter(|p| p.rule.is_empty() || severities.of(&p.rule) == Severity::Error)
            .map(|p| p.message.clone());
        let first = messages.next()?;
        let rest = messages.count();
        Some(if rest == 0 {
            first
        } else {
            format!(
                "{first} (and {rest} more problem(s); run `ulighed validate {}` for all)",
                self.folder.display()
            )
        })
    }
}

fn raw_text(name: &str) -> Expr {
    col(name).cast(DataType::String)
}

/// The checks of one opened file (keys across files are checked separately).
fn checks_for(opened: &OpenedFile, spec: &RegisterSpec, as_of: i32) -> Vec<Check> {
    let mut checks = Vec::new();
    let min_date = lit(dates::jan1(1900)).cast(DataType::Date);
    let max_date = lit(as_of).cast(DataType::Date);
    for mapped in &opened.columns {
        let Some(raw_name) = &mapped.file_name else {
            continue;
        };
        let parsed = mapped.parsed.clone();
        let raw = raw_text(raw_name);
        let name = mapped.spec.name;
        // Parquet and IPC text is read as it is (see `read::strips_text`): padding would make
        // codes and keys silently fail to match, so it is refused here.
        let typed = matches!(opened.format, Format::Parquet | Format::Ipc);
        // Only text can be blank; a typed value (a Parquet date, a number) is present when it
        // is not null. Casting typed columns to text to test them formatted every date of the
        // registers (hundreds of millions at national volume) and was most of a validation.
        // Text in a typed file is present when it is not empty: text of spaces alone breaks
        // `text_padding` there, so stripping it here as well (a new text array of every value)
        // decided nothing more.
        let present = if typed && mapped.file_dtype == Some(DataType::String) {
            raw.clone()
                .is_not_null()
                .and(raw.clone().str().len_bytes().gt(lit(0)))
        } else if mapped.file_dtype == Some(DataType::String) {
            raw.clone().is_not_null().and(
                raw.clone()
                    .str()
                    .strip_chars(lit(NULL))
                    .str()
                    .len_bytes()
                    .gt(lit(0)),
            )
        } else {
            col(raw_name.as_str()).is_not_null()
        };
        // A required column with no value in any row (every `KOEN` empty) is as good as absent;
        // each row counts, so the finding names its first rows. `PNR` has a rule of its own.
        if mapped.spec.required && name != "PNR" {
            checks.push(Check {
                rule: "column_empty",
                column: name,
                expected: "a value in some row (the column is empty in every row)",
                violation: present.clone(),
                value: raw.clone().cast(DataType::String).fill_null(lit("")),
                counted: Counted::EmptyColumn,
            });
        }
        if !matches!(mapped.spec.kind, Kind::Text | Kind::Person) {
            checks.push(Check {
                rule: "types",
                column: name,
                expected: mapped.spec.kind.describe(),
                violation: present.clone().and(parsed.clone().is_null()),
                value: raw.clone(),
                counted: Counted::Rows,
            });
        }
        if typed && mapped.file_dtype == Some(DataType::String) {
            checks.push(Check {
                rule: "text_padding",
                column: name,
                expected: "text without leading or trailing spaces (`ulighed convert` strips them)",
                violation: super::padding::padded(raw.clone()),
                value: raw.clone(),
                counted: Counted::Rows,
            });
        }
        if mapped.spec.kind == Kind::Date {
            // An event after the as-of date is cut off when the register is read (a midway
            // status run on a fuller delivery sees the data as of its date): a warning with the
            // count. A contact may end after it; any other date after it is an error.
            let event_date = spec.event_date() == Some(name);
            let after = parsed.clone().gt(max_date.clone());
            checks.push(Check {
                rule: "date_range",
                column: name,
                expected: if event_date || name == "DATO_SLUT" {
                    "a date from 1900-01-01 on"
                } else {
                    "a date from 1900-01-01 up to the as-of date"
                },
                violation: if event_date || name == "DATO_SLUT" {
                    parsed.clone().lt(min_date.clone())
                } else {
                    parsed.clone().lt(min_date.clone()).or(after.clone())
                },
                value: raw.clone(),
                counted: Counted::Rows,
            });
            if event_date {
                checks.push(Check {
                    rule: "after_as_of",
                    column: name,
                    expected: "an event up to the as-of date; later rows are cut off (not read)",
                    violation: after,
                    value: raw.clone(),
                    counted: Counted::Rows,
                });
            }
        }
        let pattern = |rule, expected, regex: &'static str| Check {
            rule,
            column: name,
            expected,
            violation: present
                .clone()
                .and(super::code_format::matches(parsed.clone(), regex).not()),
            value: raw.clone(),
            counted: Counted::Rows,
        };
        match name {
            "PNR" => {
                checks.push(Check {
                    rule: "pnr_present",
                    column: name,
                    expected: "a person key",
                    violation: present.clone().not(),
                    value: raw.clone().fill_null(lit("")),
                    counted: Counted::Rows,
                });
                if spec.unique_pnr {
                    checks.push(Check {
                        rule: "pnr_unique",
                        column: name,
                        expected: "each PNR once in the file",
                        violation: present.clone(),
                        value: raw.clone(),
                        counted: Counted::Repeated("PNR"),
                    });
                }
            }
            "KOEN" => checks.push(pattern("code_koen", "1 (male) or 2 (female)", "^[12]$")),
            "IE_TYPE" => checks.push(pattern("code_ie_type", "1, 2 or 3", "^[123]$")),
            "HFAUDD" => checks.push(pattern("code_hfaudd", "4 digits", "^[0-9]{4}$")),
            "AKTIONSDIAGNOSE" | "DIAGNOSEKODE" | "C_ADIAG" | "C_DIAG" => checks.push(pattern(
                "code_icd10",
                "an SKS diagnosis code: D, a letter, two digits, then letters or digits",
                "^D[A-Z][0-9]{2}[A-Z0-9]*$",
            )),
            "ATC" => checks.push(pattern(
                "code_atc",
                "an ATC code such as A10BK01 (or a shorter level of it)",
                "^[A-Z]([0-9]{2}([A-Z]([A-Z]([0-9]{2})?)?)?)?$",
            )),
            "PROCEDUREKODE" | "C_OPR" => checks.push(pattern(
                "code_procedure",
                "an SKS procedure code such as KFNG05",
                "^[A-Z][A-Z0-9]{2,9}$",
            )),
            "DIAGNOSETYPE" => checks.push(pattern("code_diagnosis_type", "A or B", "^[AB]$")),
            "SOCIO13" => checks.push(pattern(
                "code_socio13",
                "a SOCIO13 code: 110-114, 120, 131-135, 139, 210, 220, 310, 321-323, 330, 410, 420 or 0",
                "^(0|11[0-4]|120|13[1-59]|210|220|310|32[1-3]|330|410|420)$",
            )),
            "PRIORITET" => checks.push(pattern(
                "code_priority",
                "ATA1 (acute) or ATA3 (planned)",
                "^ATA[13]$",
            )),
            "INDUD_KODE" => checks.push(pattern(
                "code_migration",
                "I (immigration) or U (emigration)",
                "^[IU]$",
            )),
            "KOM" => {
                let known: Vec<i32> = super::codes::municipalities()
                    .iter()
                    .map(|m| m.code as i32)
                    .collect();
                let known = Series::new("known".into(), known);
                checks.push(Check {
                    rule: "code_kom",
                    column: name,
                    expected: "one of the 98 municipality codes (101 or 0101), or 411",
                    violation: parsed
                        .clone()
                        .is_not_null()
                        .and(parsed.clone().neq(lit(CHRISTIANSO)))
                        .and(parsed.clone().is_in(lit(known).implode(false), false).not()),
                    value: raw.clone(),
                    counted: Counted::Rows,
                });
                checks.push(Check {
                    rule: "kom_christianso",
                    column: name,
                    expected: "a municipality: 411 (Christiansø) is none, its residents get no region",
                    violation: parsed.clone().eq(lit(CHRISTIANSO)),
                    value: raw.clone(),
                    counted: Counted::Rows,
                });
            }
            _ => {}
        }
    }
    if spec.feeds == "lpr_kontakter" {
        let find = |names: [&str; 2]| {
            opened
                .columns
                .iter()
                .find(|c| names.contains(&c.spec.name) && c.file_name.is_some())
        };
        let start = find(["DATO_START", "D_INDDTO"]);
        let end = find(["DATO_SLUT", "D_UDDTO"]);
        if let (Some(start), Some(end)) = (start, end) {
            checks.push(Check {
                rule: "date_order",
                column: end.spec.name,
                expected: "the end date on or after the start date",
                violation: end.parsed.clone().lt(start.parsed.clone()),
                value: end.parsed.clone().cast(DataType::String),
                counted: Counted::Rows,
            });
        }
    }
    checks
}

/// What the checks of one file found.
pub struct Checked {
    pub rows: u64,
    /// Every `PNR` of the file (if it has them) is digits ([`super::persons`]).
    pub digit_persons: bool,
    pub findings: Vec<Finding>,
    /// What the key rules counted in the file's pass.
    pub probed: ProbeCounts,
}

/// Runs the checks of one file.
pub fn check_file(
    file: &RegisterFile,
    opened: &OpenedFile,
    as_of: i32,
    severities: &Severities,
) -> Result<Checked> {
    check_file_probing(
        file,
        opened,
        as_of,
        severities,
        &Probes::default(),
        &DataType::String,
    )
}

/// Runs the checks of one file in one streaming pass that also counts what `probes` asks for
/// the key rules (contact keys of type `contacts`). Only a failing check pays for a further
/// query, for its first rows.
fn check_file_probing(
    file: &RegisterFile,
    opened: &OpenedFile,
    as_of: i32,
    severities: &Severities,
    probes: &Probes,
    contacts: &DataType,
) -> Result<Checked> {
    let checks = checks_for(opened, &file.spec, as_of);
    let frame = opened.raw.clone().with_row_index(ROW, Some(1));
    let not_digits = super::persons::not_digits(opened.parsed("PNR"));
    let flag = |c: &Check| c.violation.clone().fill_null(lit(false));
    let mut sums = vec![
        len().cast(DataType::UInt64).alias("__rows"),
        not_digits.sum().alias("__not_digits"),
    ];
    // A flag's sum counts its true rows from its bits ([`count_in`] reads the count as a `u64`).
    // Cast to `u64` before the sum, each check wrote eight bytes for every row of every file.
    sums.extend(
        checks
            .iter()
            .enumerate()
            .map(|(i, c)| flag(c).sum().alias(format!("__check{i}"))),
    );
    sums.extend(probes.sums(opened, contacts));
    let counts = collect_streaming(opened.raw.clone().select(sums)).map_err(|e| {
        let csv_problem = (file.format == Format::Csv)
            .then(|| {
                super::read::first_non_utf8_line(&file.path)
                    .or_else(|| super::read::first_ragged_line(&file.path))
            })
            .flatten();
        match csv_problem {
            Some(problem) => Error::reading(&file.path, problem),
            None => Error::reading(&file.path, e),
        }
    })?;
    let count_of = |name: &str| count_in(&counts, name);
    let rows = count_of("__rows");
    let mut findings = Vec::new();
    for (i, check) in checks.into_iter().enumerate() {
        let tallied = count_of(&format!("__check{i}"));
        let (count, failing) = match check.counted {
            Counted::Rows => (tallied, check.violation.fill_null(lit(false))),
            Counted::EmptyColumn => (if tallied == 0 { rows } else { 0 }, lit(true)),
            Counted::Repeated(column) => {
                let value = opened.parsed(column);
                let present = check.violation.fill_null(lit(false));
                let digits = count_of("__not_digits") == 0;
                let count = repeated_rows(opened, present.clone(), value.clone(), digits)
                    .map_err(|e| Error::reading(&file.path, e))?;
                (count, present.and(value.is_duplicated()))
            }
        };
        if count == 0 {
            continue;
        }
        let examples = first_rows(
            frame
                .clone()
                .filter(failing)
                .select([col(ROW), check.value.alias("value")]),
            &file.path,
        )?;
        findings.push(Finding {
            file: file.path.clone(),
            register: file.register,
            rule: check.rule,
            severity: severities.of(check.rule),
            column: check.column,
            count,
            of_rows: None,
            expected: check.expected,
            examples,
        });
    }
    Ok(Checked {
        rows,
        digit_persons: count_of("__not_digits") == 0,
        findings,
        probed: probes.counts(count_of),
    })
}

/// The rows of `opened` where `present` holds whose person key `value` another such row also
/// has: first whether the values are all distinct, and only when they are not the rows
/// themselves. Keys that are all `digits` are compared as the integers they map to one to one
/// ([`super::persons`]): hashing the text was a third of checking a yearly file. Those integers
/// are sorted (on every processor) and their neighbours compared, where Polars' hashed distinct
/// count of a yearly file's six million keys took markedly longer: a national validation took
/// 55.5-56.6 s against 60.7-67.8 s (bench/HISTORY.md).
fn repeated_rows(
    opened: &OpenedFile,
    present: Expr,
    value: Expr,
    digits: bool,
) -> PolarsResult<u64> {
    let present_rows = opened.raw.clone().filter(present);
    let all_distinct = if digits {
        // Every present key of a digits-only folder parses; the filter only keeps nulls out of
        // the copied values.
        let keys = collect_streaming(
            present_rows
                .clone()
                .select([super::persons::person_key_unchecked(value.clone()).alias("key")])
                .filter(col("key").is_not_null()),
        )?;
        let mut values = super::key_index::values_of(keys.column("key")?.i64()?);
        drop(keys);
        values.par_sort_unstable();
        super::key_index::deduplicated(values).repeated == 0
    } else {
        let tally = collect_streaming(
            present_rows.clone().select([
                len().cast(DataType::UInt64).alias("n"),
                value
                    .clone()
                    .n_unique()
                    .cast(DataType::UInt64)
                    .alias("distinct"),
            ]),
        )?;
        count_in(&tally, "n") == count_in(&tally, "distinct")
    };
    if all_distinct {
        return Ok(0);
    }
    let repeated = present_rows
        .select([value
            .is_duplicated()
            .cast(DataType::UInt64)
            .sum()
            .alias("n")])
        .collect()?;
    Ok(count_in(&repeated, "n"))
}

/// Validates every register file of a discovered folder; a file that cannot be read stops the
/// validation with an error naming it (what `ulighed validate` reports).
pub fn validate(
    discovered: &Discovered,
    as_of: i32,
    severities: &Severities,
) -> Result<ValidationReport> {
    collect(discovered, as_of, severities, true)
}

/// As [`validate`], but a file that cannot be read is listed in `unreadable` and the others are
/// still validated, so that a run can fail only the analyses that read the broken register.
pub fn validate_all(
    discovered: &Discovered,
    as_of: i32,
    severities: &Severities,
) -> Result<ValidationReport> {
    collect(discovered, as_of, severities, false)
}

fn collect(
    discovered: &Discovered,
    as_of: i32,
    severities: &Severities,
    stop_on_unreadable: bool,
) -> Result<ValidationReport> {
    if discovered.files.values().all(Vec::is_empty) {
        return Err(Error::MissingInput(format!(
            "{}: no register files (expected files such as bef2024.parquet, lpr_kontakter.parquet or lmdb.csv; see docs/registers.md)",
            discovered.dir.display()
        )));
    }
    let _purging = crate::allocator::purging();
    // Every file is opened first (its columns mapped): the folder's key types come from all of
    // them, the contacts' keys are read before any file is checked, and the population
    // register is checked before the files whose persons must be in it
    // (`key_rules::check_order`). The report keeps the folder's order.
    let listed: Vec<&RegisterFile> = discovered.files.values().flatten().collect();
    let mut unreadable: Vec<(usize, Unreadable)> = Vec::new();
    let mut to_check: Vec<(usize, &RegisterFile, OpenedFile)> = Vec::new();
    let unreadable_file = |file: &RegisterFile, e: Error| Unreadable {
        file: file.path.clone(),
        register: file.register,
        message: e.to_string(),
    };
    for (index, file) in listed.iter().enumerate() {
        // A file whose columns cannot be mapped cannot be checked further; the error already
        // names the file, the column and the rule.
        match open(file) {
            Ok(o) => to_check.push((index, file, o)),
            Err(e) if !stop_on_unreadable => unreadable.push((index, unreadable_file(file, e))),
            Err(e) => return Err(e),
        }
    }
    let contacts = key_dtype_of(to_check.iter().map(|(_, _, o)| o));
    let mut folded = Folded::new(
        &to_check.iter().map(|(_, f, o)| (*f, o)).collect::<Vec<_>>(),
        contacts.clone(),
    );
    to_check.sort_by_key(|(index, file, _)| (check_order(file.register), *index));
    let mut checked_files: Vec<(usize, FileSummary, Vec<Finding>)> = Vec::new();
    let mut opened = BTreeMap::new();
    for (index, file, o) in to_check {
        let probes = folded.probes(file);
        match check_file_probing(file, &o, as_of, severities, &probes, &contacts) {
            Ok(checked) => {
                folded.checked(file, Some(&o), checked.probed);
                checked_files.push((
                    index,
                    FileSummary {
                        file: file.path.clone(),
                        register: file.register,
                        year: file.year,
                        format: file.format,
                        rows: checked.rows,
                        digit_persons: checked.digit_persons,
                    },
                    checked.findings,
                ));
                opened.insert(file.path.clone(), o);
            }
            Err(e) if !stop_on_unreadable => {
                folded.checked(file, None, ProbeCounts::default());
                unreadable.push((index, unreadable_file(file, e)));
            }
            Err(e) => return Err(e),
        }
    }
    checked_files.sort_by_key(|(index, _, _)| *index);
    unreadable.sort_by_key(|(index, _)| *index);
    let unreadable: Vec<Unreadable> = unreadable.into_iter().map(|(_, u)| u).collect();
    let mut files = Vec::new();
    let mut findings = Vec::new();
    for (_, summary, mut found) in checked_files {
        files.push(summary);
        findings.append(&mut found);
    }
    let rows = files.iter().map(|f| (f.file.clone(), f.rows)).collect();
    let digit_persons = files.iter().all(|f| f.digit_persons);
    findings.extend(folded.findings(discovered, &opened, &rows, digit_persons, severities)?);
    let missing_registers: Vec<&'static str> = super::contract::ALL
        .iter()
        .map(|s| s.name)
        .filter(|name| discovered.of(name).is_empty())
        .collect();
    if missing_registers.contains(&"bef") {
        findings.push(Finding {
            file: discovered.dir.clone(),
            register: "bef",
            rule: "required_register",
            severity: severities.of("required_register"),
            column: "",
            count: 0,
            of_rows: None,
            expected: "the population register bef<year>, which every analysis reads",
            examples: Vec::new(),
        });
    }
    Ok(ValidationReport {
        folder: discovered.dir.clone(),
        as_of: dates::format_iso(as_of),
        files,
        missing_registers,
        ignored_files: discovered.other.clone(),
        findings,
        unreadable,
    })
}

#[cfg(test)]
mod tests {
    /// A pipeline's severities are checked (an unknown rule, or a reading rule made a warning,
    /// is refused) and win over the project file's rule by rule.
    #[test]
    fn severities_are_checked_and_a_pipelines_win() {
        let set = |pairs: &[(&str, Severity)]| {
            pairs
                .iter()
                .map(|(r, s)| (r.to_string(), *s))
                .collect::<BTreeMap<String, Severity>>()
        };
        assert!(Severities::checked(&set(&[("nope", Severity::Error)])).is_err());
        assert!(Severities::checked(&set(&[("types", Severity::Warning)])).is_err());
        assert!(Severities::checked(&set(&[("types", Severity::Error)])).is_ok());
        let project = Severities::checked(&set(&[
            ("key_pnr", Severity::Error),
            ("code_atc", Severity::Warning),
        ]))
        .expect("valid");
        let pipeline = Severities::checked(&set(&[("key_pnr", Severity::Warning)])).expect("valid");
        let both = pipeline.or(&project);
        assert_eq!(both.of("key_pnr"), Severity::Warning);
        assert_eq!(both.of("code_atc"), Severity::Warning);
        assert_eq!(both.of("code_kom"), Severity::Error);
        assert_eq!(Severities::default().of("key_pnr"), Severity::Warning);
    }

    use super::*;
    use crate::registers::discover::discover;

    /// Contacts written as Parquet with integer keys, the second row's unit padded as a SAS
    /// export that did not strip its text would leave it.
    fn padded_contacts(dir: &std::path::Path) {
        let day = |iso: &str| {
            let d = dates::parse_iso(iso).expect("date");
            Series::new("d".into(), [d])
                .cast(&DataType::Date)
                .expect("date")
        };
        let mut frame = df!(
            "DW_EK_KONTAKT" => [1i64, 2],
            "PNR" => ["0001", "0002"],
            "KONTAKTTYPE" => ["ALCA00", "ALCA00"],
            "SORENHED_ANS" => ["6620011000000", "6620011000000  "],
            "AKTIONSDIAGNOSE" => ["DE119", "DJ449"],
        )
        .expect("frame");
        let start = day("2023-03-01")
            .extend(&day("2023-04-01"))
            .expect("dates")
            .clone();
        frame
            .with_column(start.clone().with_name("DATO_START".into()).into())
            .expect("start");
        frame
            .with_column(start.with_name("DATO_SLUT".into()).into())
            .expect("end");
        let file = std::fs::File::create(dir.join("lpr_kontakter.parquet")).expect("file");
        ParquetWriter::new(file)
            .finish(&mut frame)
            .expect("written");
    }

    /// The findings of `rule` when the folder `dir` is validated as of 2025-01-01.
    fn findings_of(dir: &std::path::Path, rule: &str) -> (Vec<Finding>, Vec<Finding>) {
        let report = validate(
            &discover(dir).expect("discovered"),
            dates::parse_iso("2025-01-01").expect("date"),
            &Severities::default(),
        )
        .expect("validated");
        let all = report.findings.clone();
        let of_rule = report
            .findings
            .into_iter()
            .filter(|f| f.rule == rule)
            .collect();
        (of_rule, all)
    }

    #[test]
    fn padded_text_in_parquet_is_refused_with_its_row_and_value() {
        let dir = tempfile::tempdir().expect("temp");
        padded_contacts(dir.path());
        let (padded, all) = findings_of(dir.path(), "text_padding");
        assert_eq!(padded.len(), 1, "{all:?}");
        assert_eq!(padded[0].column, "SORENHED_ANS");
        assert_eq!(padded[0].severity, Severity::Error);
        assert_eq!(padded[0].count, 1);
        assert_eq!(padded[0].examples[0].row, 2);
        assert_eq!(padded[0].examples[0].value, "6620011000000  ");
    }

    #[test]
    fn blank_text_in_parquet_is_refused_as_absent_or_as_padded() {
        let dir = tempfile::tempdir().expect("temp");
        let mut frame = df!(
            "PNR" => ["0001", "", "   "],
            "DODDATO" => ["2024-05-01", "2024-05-02", "2024-05-03"],
        )
        .expect("frame");
        let file = std::fs::File::create(dir.path().join("dod.parquet")).expect("file");
        ParquetWriter::new(file)
            .finish(&mut frame)
            .expect("written");
        let shown = |rule: &str| {
            let (found, all) = findings_of(dir.path(), rule);
            assert_eq!(found.len(), 1, "{rule}: {all:?}");
            let example = &found[0].examples[0];
            (found[0].count, example.row, example.value.clone())
        };
        assert_eq!(shown("pnr_present"), (1, 2, String::new()));
        assert_eq!(shown("text_padding"), (1, 3, "   ".to_string()));
    }

    #[test]
    fn person_keys_are_integers_only_when_every_file_holds_digits() {
        let as_of = dates::parse_iso("2025-01-01").expect("date");
        let digits = |dir: &std::path::Path| {
            validate_all(
                &discover(dir).expect("discovered"),
                as_of,
                &Severities::default(),
            )
            .expect("validated")
            .blockers()
            .digit_persons
        };
        assert!(digits(std::path::Path::new("data-samples")));
        let dir = tempfile::tempdir().expect("temp");
        padded_contacts(dir.path());
        assert!(
            digits(dir.path()),
            "0001 and 0002, with padded units beside them"
        );
        std::fs::write(
            dir.path().join("dod.csv"),
            "PNR,DODDATO\nx0002,2024-05-01\n",
        )
        .expect("written");
        assert!(!digits(dir.path()), "one death register key with a letter");
        std::fs::write(dir.path().join("dod.csv"), "PNR,DODDATO\n0002,2024-05-01\n")
            .expect("written");
        assert!(digits(dir.path()));
        // A file that cannot be read may hold any keys.
        std::fs::write(dir.path().join("lmdb.parquet"), "not parquet").expect("written");
        assert!(!digits(dir.path()));
    }

    #[test]
    fn integer_keys_are_kept_unless_a_file_holds_text_keys() {
        let dir = tempfile::tempdir().expect("temp");
        padded_contacts(dir.path());
        let keys = |dir: &std::path::Path| {
            crate::registers::keys::key_dtype(&discover(dir).expect("discovered"))
        };
        assert_eq!(keys(dir.path()), DataType::Int64);
        // A diagnosis of contact 2 in CSV: every key of the folder is then compared as text,
        // and the unknown contact 9 is still found.
        std::fs::write(
            dir.path().join("lpr_diagnoser.csv"),
            "DW_EK_KONTAKT,DIAGNOSEKODE,DIAGNOSETYPE\n2,DJ449,A\n9,DE119,A\n",
        )
        .expect("written");
        assert_eq!(keys(dir.path()), DataType::String);
        // A Parquet file that cannot be opened does not stop the folder from opening: its
        // keys count as text and the analyses that read it report it.
        let broken = tempfile::tempdir().expect("temp");
        padded_contacts(broken.path());
        std::fs::write(broken.path().join("lpr_procedurer.parquet"), "not parquet")
            .expect("written");
        assert_eq!(keys(broken.path()), DataType::String);
        let (unknown, all) = findings_of(dir.path(), "key_contact");
        assert_eq!(unknown.len(), 1, "{all:?}");
        assert_eq!(unknown[0].count, 1);
        assert_eq!(unknown[0].examples[0].value, "9");
    }

    #[test]
    fn person_keys_resolve_alike_as_integers_and_as_text() {
        let dir = tempfile::tempdir().expect("temp");
        std::fs::write(
            dir.path().join("bef2023.csv"),
            "PNR,FOED_DAG,KOEN,KOM,IE_TYPE\n0101,1950-01-01,1,101,1\n0102,1960-01-01,2,101,1\n",
        )
        .expect("written");
        std::fs::write(
            dir.path().join("lmdb.csv"),
            "PNR,EKSD,ATC\n0101,2023-02-01,A10BK01\n101,2023-03-01,A10BK01\n\
             0102,2023-04-01,A10BJ02\n0103,2023-05-01,A10BJ02\n",
        )
        .expect("written");
        let unresolved = |dir: &std::path::Path| {
            let (found, all) = findings_of(dir, "key_pnr");
            let of = |name: &str| {
                found
                    .iter()
                    .find(|f| f.file.ends_with(name))
                    .map(|f| {
                        let shown = f.examples.iter().map(|e| (e.row, e.value.clone()));
                        (f.count, shown.collect::<Vec<_>>())
                    })
                    .unwrap_or_else(|| panic!("no key_pnr finding for {name}: {all:?}"))
            };
            (of("lmdb.csv"), found.len())
        };
        // Every key is digits: compared as integers, where 101 and 0101 stay two persons.
        let lmdb = (2, vec![(2, "101".to_string()), (4, "0103".to_string())]);
        assert_eq!(unresolved(dir.path()), (lmdb.clone(), 1));
        // One death register key with a letter: every key is compared as text, same answer.
        std::fs::write(
            dir.path().join("dod.csv"),
            "PNR,DODDATO\nx0102,2024-05-01\n",
        )
        .expect("written");
        assert_eq!(unresolved(dir.path()), (lmdb, 2));
        let (dod, _) = findings_of(dir.path(), "key_pnr");
        let dod = dod
            .iter()
            .find(|f| f.file.ends_with("dod.csv"))
            .expect("dod");
        assert_eq!((dod.count, dod.examples[0].value.as_str()), (1, "x0102"));
    }

    /// Writes `frame` as the Parquet file `name` of `dir`.
    fn parquet(dir: &std::path::Path, name: &str, mut frame: DataFrame) {
        let file = std::fs::File::create(dir.join(name)).expect("file");
        ParquetWriter::new(file)
            .finish(&mut frame)
            .expect("written");
    }

    /// Integer contact keys are read, sorted and looked up as the files are checked; text keys
    /// take passes of their own. Both find the same unknown and repeated keys, counted by hand.
    #[test]
    fn contact_keys_are_found_unknown_and_repeated_alike_as_integers_and_as_text() {
        let dir = tempfile::tempdir().expect("temp");
        padded_contacts(dir.path());
        // Contact 2 is written twice more: two rows repeat a key already seen.
        let day = dates::parse_iso("2023-03-01").expect("date");
        let dates = Series::new("d".into(), [day, day])
            .cast(&DataType::Date)
            .expect("dates");
        let mut more = df!(
            "DW_EK_KONTAKT" => [2i64, 2],
            "PNR" => ["0002", "0002"],
            "KONTAKTTYPE" => ["ALCA00", "ALCA00"],
            "SORENHED_ANS" => ["6620011000000", "6620011000000"],
            "AKTIONSDIAGNOSE" => ["DE119", "DE119"],
        )
        .expect("frame");
        more.with_column(dates.clone().with_name("DATO_START".into()).into())
            .expect("start");
        more.with_column(dates.with_name("DATO_SLUT".into()).into())
            .expect("end");
        let written = ParquetReader::new(
            std::fs::File::open(dir.path().join("lpr_kontakter.parquet")).expect("file"),
        )
        .finish()
        .expect("read");
        parquet(
            dir.path(),
            "lpr_kontakter.parquet",
            written.vstack(&more).expect("stacked"),
        );
        // Diagnoses of contacts 2, 9 (unknown) and 2 again; procedures of 1 and -4 (unknown).
        parquet(
            dir.path(),
            "lpr_diagnoser.parquet",
            df!(
                "DW_EK_KONTAKT" => [2i64, 9, 2],
                "DIAGNOSEKODE" => ["DE119", "DE119", "DJ449"],
                "DIAGNOSETYPE" => ["A", "A", "B"],
            )
            .expect("frame"),
        );
        let procedures = Series::new("d".into(), [day, day])
            .cast(&DataType::Date)
            .expect("dates");
        let mut procedures_frame = df!(
            "DW_EK_KONTAKT" => [1i64, -4],
            "PROCEDUREKODE" => ["KFNG05", "KFNG05"],
        )
        .expect("frame");
        procedures_frame
            .with_column(procedures.with_name("DATO_START".into()).into())
            .expect("start");
        parquet(dir.path(), "lpr_procedurer.parquet", procedures_frame);
        let found = |dir: &std::path::Path| {
            let (_, all) = findings_of(dir, "");
            let mut keyed: Vec<(String, String, u64, Vec<u64>)> = all
                .into_iter()
                .filter(|f| f.rule == "key_contact" || f.rule == "contact_unique")
                .map(|f| {
                    let name = f
                        .file
                        .file_name()
                        .expect("name")
                        .to_string_lossy()
                        .to_string();
                    let rows = f.examples.iter().map(|e| e.row).collect();
                    (f.rule.to_string(), name, f.count, rows)
                })
                .collect();
            keyed.sort();
            keyed
        };
        let expected = vec![
            (
                "contact_unique".to_string(),
                "lpr_kontakter.parquet".to_string(),
                2,
                vec![2, 3, 4],
            ),
            (
                "key_contact".to_string(),
                "lpr_diagnoser.parquet".to_string(),
                1,
                vec![2],
            ),
            (
                "key_contact".to_string(),
                "lpr_procedurer.parquet".to_string(),
                1,
                vec![2],
            ),
        ];
        assert_eq!(found(dir.path()), expected, "integer keys, indexed");
        // The same diagnoses in CSV: every contact key of the folder is then text.
        std::fs::remove_file(dir.path().join("lpr_diagnoser.parquet")).expect("removed");
        std::fs::write(
            dir.path().join("lpr_diagnoser.csv"),
            "DW_EK_KONTAKT,DIAGNOSEKODE,DIAGNOSETYPE\n2,DE119,A\n9,DE119,A\n2,DJ449,B\n",
        )
        .expect("written");
        assert_eq!(
            crate::registers::keys::key_dtype(&discover(dir.path()).expect("discovered")),
            DataType::String
        );
        let mut as_text = expected;
        as_text[1].1 = "lpr_diagnoser.csv".to_string();
        assert_eq!(found(dir.path()), as_text, "text keys, in passes");
    }
}
