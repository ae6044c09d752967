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
use serde::Serialize;

use super::contract::{Kind, RegisterSpec};
use super::discover::{Discovered, Format, RegisterFile};
use super::keys::key_dtype_of;
use super::read::{KeyTypes, OpenedFile, open};
use super::scan::collect_streaming;
use crate::dates;
use crate::error::{Error, Result};

use super::severity::{Severities, Severity};

/// Christiansø's code in `KOM`: Statistics Denmark's registers carry it for the island's few
/// residents, though it belongs to no municipality and no region.
const CHRISTIANSO: i32 = 411;

/// One row cited in a finding.
#[derive(Debug, Clone, Serialize)]
pub struct Example {
    /// 1-based data row (for CSV the line is one more, for the header).
    pub row: u64,
    pub value: String,
}

/// One failed check.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub file: PathBuf,
    pub register: &'static str,
    pub rule: &'static str,
    pub severity: Severity,
    pub column: &'static str,
    pub count: u64,
    /// The file's rows, where the share of them matters (events of persons in no `bef` year).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub of_rows: Option<u64>,
    pub expected: &'static str,
    pub examples: Vec<Example>,
}

impl Finding {
    /// One readable paragraph.
    pub fn message(&self) -> String {
        if self.examples.is_empty() && self.column.is_empty() {
            return format!(
                "{}: no register {} (rule {}; expected: {})",
                self.file.display(),
                self.register,
                self.rule,
                self.expected
            );
        }
        let examples: Vec<String> = self
            .examples
            .iter()
            .map(|e| format!("row {} value {:?}", e.row, e.value))
            .collect();
        let share = match self.of_rows {
            Some(rows) if rows > 0 => format!(
                " of {rows} ({:.3}%)",
                self.count as f64 / rows as f64 * 100.0
            ),
            _ => String::new(),
        };
        format!(
            "{}: {}{share} row{} break{} rule {} in column {} (expected: {}); first: {}",
            self.file.display(),
            self.count,
            if self.count == 1 && share.is_empty() {
                ""
            } else {
                "s"
            },
            if self.count == 1 && share.is_empty() {
                "s"
            } else {
                ""
            },
            self.rule,
            self.column,
            self.expected,
            examples.join(", ")
        )
    }
}

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
}

const ROW: &str = "__row";

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
                violation: present
                    .clone()
                    .not()
                    .and(present.clone().cast(DataType::UInt64).sum().eq(lit(0u64))),
                value: raw.clone().cast(DataType::String).fill_null(lit("")),
            });
        }
        if !matches!(mapped.spec.kind, Kind::Text | Kind::Person) {
            checks.push(Check {
                rule: "types",
                column: name,
                expected: mapped.spec.kind.describe(),
                violation: present.clone().and(parsed.clone().is_null()),
                value: raw.clone(),
            });
        }
        if typed && mapped.file_dtype == Some(DataType::String) {
            checks.push(Check {
                rule: "text_padding",
                column: name,
                expected: "text without leading or trailing spaces (`ulighed convert` strips them)",
                violation: raw.clone().neq(raw.clone().str().strip_chars(lit(NULL))),
                value: raw.clone(),
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
            });
            if event_date {
                checks.push(Check {
                    rule: "after_as_of",
                    column: name,
                    expected: "an event up to the as-of date; later rows are cut off (not read)",
                    violation: after,
                    value: raw.clone(),
                });
            }
        }
        let pattern = |rule, expected, regex: &str| Check {
            rule,
            column: name,
            expected,
            violation: present.clone().and(
                parsed
                    .clone()
                    .str()
                    .contains(lit(regex.to_string()), true)
                    .not(),
            ),
            value: raw.clone(),
        };
        match name {
            "PNR" => {
                checks.push(Check {
                    rule: "pnr_present",
                    column: name,
                    expected: "a person key",
                    violation: present.clone().not(),
                    value: raw.clone().fill_null(lit("")),
                });
                if spec.unique_pnr {
                    checks.push(Check {
                        rule: "pnr_unique",
                        column: name,
                        expected: "each PNR once in the file",
                        violation: present.clone().and(parsed.clone().is_duplicated()),
                        value: raw.clone(),
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
                });
                checks.push(Check {
                    rule: "kom_christianso",
                    column: name,
                    expected: "a municipality: 411 (Christiansø) is none, its residents get no region",
                    violation: parsed.clone().eq(lit(CHRISTIANSO)),
                    value: raw.clone(),
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
}

/// Runs the checks of one file.
pub fn check_file(
    file: &RegisterFile,
    opened: &OpenedFile,
    as_of: i32,
    severities: &Severities,
) -> Result<Checked> {
    let checks = checks_for(opened, &file.spec, as_of);
    let frame = opened.raw.clone().with_row_index(ROW, Some(1));
    let mut sums = vec![
        len().cast(DataType::UInt64).alias("__rows"),
        super::persons::not_digits(opened.parsed("PNR"))
            .cast(DataType::UInt64)
            .sum()
            .alias("__not_digits"),
    ];
    sums.extend(checks.iter().enumerate().map(|(i, c)| {
        c.violation
            .clone()
            .fill_null(lit(false))
            .cast(DataType::UInt64)
            .sum()
            .alias(format!("__check{i}"))
    }));
    let counts = collect_streaming(frame.clone().select(sums)).map_err(|e| {
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
    let count_of = |name: &str| -> u64 {
        counts
            .column(name)
            .ok()
            .and_then(|c| c.u64().ok().and_then(|c| c.get(0)))
            .unwrap_or(0)
    };
    let rows = count_of("__rows");
    let mut findings = Vec::new();
    for (i, check) in checks.into_iter().enumerate() {
        let count = count_of(&format!("__check{i}"));
        if count == 0 {
            continue;
        }
        let examples = first_rows(
            frame
                .clone()
                .filter(check.violation.fill_null(lit(false)))
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
    })
}

/// The first three rows of a frame of (row, value).
fn first_rows(frame: LazyFrame, path: &std::path::Path) -> Result<Vec<Example>> {
    let df = collect_streaming(frame.limit(3)).map_err(|e| Error::reading(path, e))?;
    let rows = df.column(ROW)?.cast(&DataType::UInt64)?;
    let values = df.column("value")?.cast(&DataType::String)?;
    let rows = rows.u64()?;
    let values = values.str()?;
    Ok((0..df.height())
        .map(|i| Example {
            row: rows.get(i).unwrap_or(0),
            value: shortened(values.get(i).unwrap_or("")),
        })
        .collect())
}

/// The most characters of a value a finding quotes: enough to see what is wrong, never a
/// message of a whole megabyte-long cell.
const VALUE_SHOWN: usize = 60;

/// `value`, cut to [`VALUE_SHOWN`] characters with the length said when longer.
fn shortened(value: &str) -> String {
    let length = value.chars().count();
    if length <= VALUE_SHOWN {
        return value.to_string();
    }
    let start: String = value.chars().take(VALUE_SHOWN).collect();
    format!("{start}... ({length} characters)")
}

/// Keys of the known side's register held by one pass of a key check: the anti join that finds
/// unresolved keys holds the known keys in a hash table, about 24 bytes a key beside the keys
/// themselves. The 146 million contact keys of a national patient register in one table took the
/// first run on new registers to 5.1 GB (bench/results: 6 million persons); in passes of at most
/// this many keys each table stays under a gigabyte, at the price of reading the key columns
/// once per pass.
const KEYS_PER_PASS: u64 = 40_000_000;

/// One rule of keys that must resolve in another register.
struct KeyRule {
    rule: &'static str,
    key: &'static str,
    expected: &'static str,
    /// Whether the keys are person keys (else contact keys): their type in the folder.
    persons: bool,
    /// The register whose keys are the known ones.
    known: &'static str,
    /// The registers whose keys must be among them.
    probed: &'static [&'static str],
}

const KEY_RULES: [KeyRule; 2] = [
    KeyRule {
        rule: "key_contact",
        key: "DW_EK_KONTAKT",
        expected: "a DW_EK_KONTAKT of lpr_kontakter",
        persons: false,
        known: "lpr_kontakter",
        probed: &["lpr_diagnoser", "lpr_procedurer"],
    },
    KeyRule {
        rule: "key_pnr",
        key: "PNR",
        expected: "a PNR found in some bef year",
        persons: true,
        known: "bef",
        probed: &["lpr_kontakter", "lmdb", "dod"],
    },
];

/// Keys that must resolve in another register: contact keys of diagnoses and procedures, and the
/// person keys of events.
///
/// Each rule is one query over all the files it probes, so the known keys are read and hashed
/// once per pass, not once per probed file. Person keys are compared as the integers the analyses
/// join on when every `PNR` of the folder is digits (`digit_persons`, this validation's own
/// finding; [`super::persons`]): the mapping keeps every key apart, and hashing 500 million text
/// keys of a national folder cost most of a validation. Integer keys are split into passes by
/// their value modulo the count of passes ([`KEYS_PER_PASS`]); text keys take one pass.
fn check_keys(
    discovered: &Discovered,
    opened: &BTreeMap<PathBuf, OpenedFile>,
    rows: &BTreeMap<PathBuf, u64>,
    digit_persons: bool,
    severities: &Severities,
) -> Result<Vec<Finding>> {
    let keys = KeyTypes {
        contacts: key_dtype_of(opened.values()),
        persons: if digit_persons {
            DataType::Int64
        } else {
            DataType::String
        },
    };
    let opened_of = |register: &str| -> Vec<(&RegisterFile, &OpenedFile)> {
        discovered
            .of(register)
            .iter()
            .filter_map(|f| opened.get(&f.path).map(|o| (f, o)))
            .collect()
    };
    let mut findings = Vec::new();
    for rule in &KEY_RULES {
        let known_files = opened_of(rule.known);
        let probed: Vec<(&RegisterFile, &OpenedFile)> =
            rule.probed.iter().flat_map(|r| opened_of(r)).collect();
        if known_files.is_empty() || probed.is_empty() {
            continue;
        }
        // A yearly register holds a person once a year: its known keys are made unique, and
        // about one year's rows of them are held.
        let yearly = known_files.iter().any(|(f, _)| f.spec.yearly);
        let known_rows = known_files
            .iter()
            .map(|(f, _)| rows.get(&f.path).copied().unwrap_or(0));
        let held = if yearly {
            known_rows.max().unwrap_or(0)
        } else {
            known_rows.sum()
        };
        let key_dtype = if rule.persons {
            &keys.persons
        } else {
            &keys.contacts
        };
        let passes = if key_dtype.is_integer() {
            held.div_ceil(KEYS_PER_PASS).max(1)
        } else {
            1
        };
        let known_as = |keys: &KeyTypes| {
            concat(
                known_files
                    .iter()
                    .map(|(_, o)| {
                        o.canonical(None, keys)
                            .select([col(rule.key).alias("value")])
                    })
                    .collect::<Vec<_>>(),
                UnionArgs::default(),
            )
        };
        let probes = probed
            .iter()
            .map(|(_, o)| {
                o.kept(o.raw.clone())
                    .select([
                        super::models::canonical_column_named(o, rule.key, &keys).alias("value")
                    ])
                    .filter(col("value").is_not_null())
            })
            .collect();
        let unresolved = unresolved_per_frame(&known_as(&keys)?, yearly, probes, passes)
            .map_err(|e| Error::reading(&discovered.dir, e))?;
        // The first rows of a file with unresolved keys, its keys as the file's text (person
        // keys compared as text then give the same answer, and read as the user wrote them).
        let shown = KeyTypes::text_persons(keys.contacts.clone());
        for ((file, o), count) in probed.iter().zip(unresolved) {
            if count == 0 {
                continue;
            }
            // Row numbers count the file's rows; the key is compared as the contract's
            // register holds it (LPR2's RECNUM with its prefix), over the rows it takes in.
            let missing = o
                .kept(o.raw.clone().with_row_index(ROW, Some(1)))
                .select([
                    col(ROW),
                    super::models::canonical_column_named(o, rule.key, &shown).alias("value"),
                ])
                .filter(col("value").is_not_null())
                .join(
                    known_as(&shown)?.unique(None, UniqueKeepStrategy::Any),
                    [col("value")],
                    [col("value")],
                    JoinArgs::new(JoinType::Anti),
                );
            findings.push(Finding {
                file: file.path.clone(),
                register: file.register,
                rule: rule.rule,
                severity: severities.of(rule.rule),
                column: rule.key,
                count,
                of_rows: rows.get(&file.path).copied(),
                expected: rule.expected,
                examples: first_rows(missing.sort([ROW], Default::default()), &file.path)?,
            });
        }
    }
    Ok(findings)
}

/// The count of rows of each of `probes` (frames of one column `value`, no nulls) whose value is
/// not among `known`'s (the same shape; made distinct first when `repeated`), in `passes` passes,
/// each over the values whose remainder modulo `passes` is the pass's (integer values; text takes
/// one pass). One query a pass: the probes are stacked with their index, so the known values are
/// hashed once for all of them.
fn unresolved_per_frame(
    known: &LazyFrame,
    repeated: bool,
    probes: Vec<LazyFrame>,
    passes: u64,
) -> PolarsResult<Vec<u64>> {
    let mut unresolved = vec![0u64; probes.len()];
    for pass in 0..passes {
        let in_pass = |frame: LazyFrame| {
            if passes == 1 {
                return frame;
            }
            let k = lit(passes as i64);
            // Whatever the sign convention of `%`, this lies in 0..passes.
            frame.filter(((col("value") % k.clone() + k.clone()) % k).eq(lit(pass as i64)))
        };
        let mut known = in_pass(known.clone());
        if repeated {
            known = known.unique(None, UniqueKeepStrategy::Any);
        }
        let stacked = probes
            .iter()
            .enumerate()
            .map(|(i, probe)| in_pass(probe.clone()).with_column(lit(i as u32).alias("__probe")))
            .collect::<Vec<_>>();
        let counts = collect_streaming(
            concat(stacked, UnionArgs::default())?
                .join(
                    known,
                    [col("value")],
                    [col("value")],
                    JoinArgs::new(JoinType::Anti),
                )
                .group_by([col("__probe")])
                .agg([len().cast(DataType::UInt64).alias("n")]),
        )?;
        // The literal index may come back as any integer type.
        let index = counts.column("__probe")?.cast(&DataType::UInt32)?;
        let index = index.u32()?;
        let n = counts.column("n")?.u64()?;
        for row in 0..counts.height() {
            if let (Some(i), Some(n)) = (index.get(row), n.get(row)) {
                unresolved[i as usize] += n;
            }
        }
    }
    Ok(unresolved)
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
    let mut files = Vec::new();
    let mut findings = Vec::new();
    let mut unreadable = Vec::new();
    let mut opened = BTreeMap::new();
    for file in discovered.files.values().flatten() {
        // A file whose columns cannot be mapped cannot be checked further; the error already
        // names the file, the column and the rule.
        let checked = open(file).and_then(|o| {
            let result = check_file(file, &o, as_of, severities)?;
            Ok((o, result))
        });
        let (o, mut checked) = match checked {
            Ok(ok) => ok,
            Err(e) if !stop_on_unreadable => {
                unreadable.push(Unreadable {
                    file: file.path.clone(),
                    register: file.register,
                    message: e.to_string(),
                });
                continue;
            }
            Err(e) => return Err(e),
        };
        files.push(FileSummary {
            file: file.path.clone(),
            register: file.register,
            year: file.year,
            format: file.format,
            rows: checked.rows,
            digit_persons: checked.digit_persons,
        });
        findings.append(&mut checked.findings);
        opened.insert(file.path.clone(), o);
    }
    let rows = files.iter().map(|f| (f.file.clone(), f.rows)).collect();
    let digit_persons = files.iter().all(|f| f.digit_persons);
    findings.extend(check_keys(
        discovered,
        &opened,
        &rows,
        digit_persons,
        severities,
    )?);
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
    fn unresolved_keys_count_alike_in_any_number_of_passes() {
        let frame = |values: Vec<i64>| df!("value" => values).expect("frame").lazy();
        let known = frame(vec![-5, 1, 2, 7, 1_000_000_000_007, 7]);
        let probes = || {
            vec![
                frame(vec![-5, 3, 7, -6, 2, 3]),
                frame(vec![1, 8, 1_000_000_000_007]),
                frame(vec![]),
            ]
        };
        // By hand: 3, -6 and 3 again are not known; 8 is not; the empty probe has none.
        for passes in 1..=5 {
            for repeated in [false, true] {
                let unresolved =
                    unresolved_per_frame(&known, repeated, probes(), passes).expect("counted");
                assert_eq!(unresolved, vec![3, 1, 0], "{passes} pass(es), {repeated}");
            }
        }
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
}
