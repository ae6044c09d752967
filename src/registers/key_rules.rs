//! The rules of keys across registers: the contact key of every diagnosis and procedure is a
//! contact's (`key_contact`), each contact's key is its own (`contact_unique`), and the person of
//! every contact, redemption and death is in some year of the population register (`key_pnr`).
//!
//! They are counted in the scans that check each file anyway ([`Probes`]): the population
//! register's persons are read first and joined to each event file as it is checked, and the
//! contacts' keys are marked as one bit each ([`ContactMarks`]) as the contacts are checked, then
//! looked up as the diagnoses and procedures are. A national folder's 745 million event rows are
//! then read once, not again for each rule (issue 39; bench/results). Where that cannot hold
//! (text person keys, contact keys too spread or text, a known file that could not be read) the
//! rules take passes of their own over the keys ([`check_keys`]).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use polars::prelude::*;

use super::contact_marks::{self, ContactMarks};
use super::discover::{Discovered, RegisterFile};
use super::findings::{Finding, ROW, first_rows};
use super::models::canonical_column_named;
use super::persons::person_key_unchecked;
use super::read::{KeyTypes, OpenedFile};
use super::scan::collect_streaming;
use super::severity::Severities;
use crate::error::{Error, Result};

/// Keys of the known side's register held by one pass of a key check: the anti join that finds
/// unresolved keys holds the known keys in a hash table, about 24 bytes a key beside the keys
/// themselves. The 146 million contact keys of a national patient register in one table took the
/// first run on new registers to 5.1 GB (bench/results: 6 million persons); in passes of at most
/// this many keys each table stays under a gigabyte, at the price of reading the key columns
/// once per pass.
const KEYS_PER_PASS: u64 = 40_000_000;

/// One rule of keys that must resolve in another register.
pub struct KeyRule {
    pub rule: &'static str,
    pub key: &'static str,
    pub expected: &'static str,
    /// Whether the keys are person keys (else contact keys): their type in the folder.
    pub persons: bool,
    /// The register whose keys are the known ones.
    pub known: &'static str,
    /// The registers whose keys must be among them.
    pub probed: &'static [&'static str],
}

pub const KEY_RULES: [KeyRule; 2] = [
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

/// The rule of [`KEY_RULES`] named `name`.
fn rule_named(name: &str) -> &'static KeyRule {
    KEY_RULES
        .iter()
        .find(|r| r.rule == name)
        .expect("a rule of KEY_RULES")
}

const PERSON: &str = "__person";
const PERSON_KEPT: &str = "__person_kept";
const KNOWN: &str = "__known";
const CONTACT: &str = "__contact";
const UNRESOLVED_PERSONS: &str = "__unresolved_persons";
const CONTACT_FLAGS: &str = "__contact_flags";

/// What a file's own pass counts for the key rules.
#[derive(Clone, Default)]
pub struct Probes {
    /// The population register's persons (column `__person`, integer keys by
    /// [`person_key_unchecked`]): the file's rows whose person is not among them are counted.
    persons: Option<LazyFrame>,
    /// The contact keys: marked as the file passes (`marking`: the file holds contacts, and its
    /// repeated keys are counted), or looked up (the file refers to contacts, and its unknown
    /// keys are counted).
    contacts: Option<(Arc<ContactMarks>, bool)>,
}

/// What [`Probes`] counted in one file.
#[derive(Clone, Copy, Debug, Default)]
pub struct ProbeCounts {
    pub unresolved_persons: Option<u64>,
    pub contact_flags: Option<u64>,
}

impl Probes {
    /// The row flags the file's pass computes beside its checks, over the rows its register
    /// takes in ([`OpenedFile::kept`]).
    pub fn flags(&self, opened: &OpenedFile, contacts: &DataType) -> Vec<Expr> {
        let kept = super::models::keep(opened).unwrap_or(lit(true));
        let mut flags = Vec::new();
        if self.persons.is_some() {
            let pnr = opened.parsed("PNR");
            flags.push(person_key_unchecked(pnr.clone()).alias(PERSON));
            flags.push(kept.clone().and(pnr.is_not_null()).alias(PERSON_KEPT));
        }
        if let Some((marks, marking)) = &self.contacts {
            let keys = KeyTypes::text_persons(contacts.clone());
            let key = when(kept)
                .then(canonical_column_named(opened, "DW_EK_KONTAKT", &keys))
                .otherwise(lit(NULL).cast(DataType::Int64));
            flags.push(contact_marks::flag(key, marks.clone(), *marking).alias(CONTACT));
        }
        flags
    }

    /// `frame` (the flags) with the persons' join, where persons are looked up.
    pub fn joined(&self, frame: LazyFrame) -> LazyFrame {
        match &self.persons {
            Some(persons) => frame.join(
                persons.clone().with_column(lit(true).alias(KNOWN)),
                [col(PERSON)],
                [col(PERSON)],
                JoinArgs::new(JoinType::Left),
            ),
            None => frame,
        }
    }

    /// The sums of the pass's aggregation.
    pub fn sums(&self) -> Vec<Expr> {
        let mut sums = Vec::new();
        if self.persons.is_some() {
            sums.push(
                col(PERSON_KEPT)
                    .and(col(KNOWN).is_null())
                    .cast(DataType::UInt64)
                    .sum()
                    .alias(UNRESOLVED_PERSONS),
            );
        }
        if self.contacts.is_some() {
            sums.push(
                col(CONTACT)
                    .fill_null(lit(false))
                    .cast(DataType::UInt64)
                    .sum()
                    .alias(CONTACT_FLAGS),
            );
        }
        sums
    }

    /// The counts, from the pass's aggregation `counts`.
    pub fn counts(&self, count_of: impl Fn(&str) -> u64) -> ProbeCounts {
        ProbeCounts {
            unresolved_persons: self.persons.is_some().then(|| count_of(UNRESOLVED_PERSONS)),
            contact_flags: self.contacts.is_some().then(|| count_of(CONTACT_FLAGS)),
        }
    }
}

/// The key rules' part in a validation: what each file's pass probes, and the findings once every
/// file has been checked.
pub struct Folded {
    contacts: DataType,
    marks: Option<Arc<ContactMarks>>,
    /// The persons of the `bef` files checked so far, once the first file that needs them comes.
    persons: Option<Option<DataFrame>>,
    /// The persons of the population files checked (their keys as [`PERSON`]).
    population: Vec<LazyFrame>,
    counts: BTreeMap<PathBuf, ProbeCounts>,
    /// A file holding the known keys of a rule could not be checked: its keys were not all seen.
    contacts_incomplete: bool,
}

/// The order files are checked in: the registers holding the known keys first.
pub fn check_order(register: &str) -> u8 {
    match register {
        "bef" => 0,
        "lpr_kontakter" => 1,
        _ => 2,
    }
}

impl Folded {
    /// The key rules of a folder whose files `opened` are open, contact keys of type `contacts`.
    /// The contacts' range is read here, to size their bits.
    pub fn new(opened: &[(&RegisterFile, &OpenedFile)], contacts: DataType) -> Folded {
        let marks = if contacts.is_integer() {
            contact_range(
                opened
                    .iter()
                    .filter(|(f, _)| f.register == rule_named("key_contact").known)
                    .map(|(_, o)| *o),
                &contacts,
            )
            .and_then(|(min, max)| ContactMarks::for_range(min, max))
            .map(Arc::new)
        } else {
            None
        };
        Folded {
            contacts,
            marks,
            persons: None,
            population: Vec::new(),
            counts: BTreeMap::new(),
            contacts_incomplete: false,
        }
    }

    /// What the pass over `file` probes.
    pub fn probes(&mut self, file: &RegisterFile) -> Probes {
        let key_contact = rule_named("key_contact");
        let key_pnr = rule_named("key_pnr");
        let contacts = self.marks.clone().and_then(|marks| {
            if file.register == key_contact.known {
                Some((marks, true))
            } else if key_contact.probed.contains(&file.register) {
                Some((marks, false))
            } else {
                None
            }
        });
        let persons = if key_pnr.probed.contains(&file.register) {
            self.known_persons().map(|p| p.clone().lazy())
        } else {
            None
        };
        Probes { persons, contacts }
    }

    /// bef's distinct persons as integer keys, read once from the population files checked.
    fn known_persons(&mut self) -> Option<&DataFrame> {
        if self.persons.is_none() {
            let frames = self.population.clone();
            let persons = (!frames.is_empty())
                .then(|| {
                    concat(frames, UnionArgs::default())
                        .and_then(|all| {
                            collect_streaming(all.unique(None, UniqueKeepStrategy::Any))
                        })
                        .ok()
                })
                .flatten();
            self.persons = Some(persons);
        }
        self.persons.as_ref().and_then(Option::as_ref)
    }

    /// Records the outcome of checking `file`: its counts, or that it could not be checked.
    pub fn checked(
        &mut self,
        file: &RegisterFile,
        opened: Option<&OpenedFile>,
        counts: ProbeCounts,
    ) {
        match opened {
            Some(o) => {
                if file.register == rule_named("key_pnr").known {
                    self.population.push(
                        o.rows()
                            .select([person_key_unchecked(o.parsed("PNR")).alias(PERSON)])
                            .filter(col(PERSON).is_not_null()),
                    );
                }
                self.counts.insert(file.path.clone(), counts);
            }
            None if file.register == rule_named("key_contact").known => {
                self.contacts_incomplete = true;
            }
            None => {}
        }
    }

    /// The findings of the key rules over the files checked (`opened`, with their rows `rows`);
    /// `digit_persons` says whether every person key of the folder is digits.
    pub fn findings(
        mut self,
        discovered: &Discovered,
        opened: &BTreeMap<PathBuf, OpenedFile>,
        rows: &BTreeMap<PathBuf, u64>,
        digit_persons: bool,
        severities: &Severities,
    ) -> Result<Vec<Finding>> {
        let keys = KeyTypes {
            contacts: self.contacts.clone(),
            persons: if digit_persons {
                DataType::Int64
            } else {
                DataType::String
            },
        };
        let checked = |register: &str| -> Vec<(&RegisterFile, &OpenedFile)> {
            discovered
                .of(register)
                .iter()
                .filter_map(|f| opened.get(&f.path).map(|o| (f, o)))
                .collect()
        };
        let mut findings = Vec::new();
        let mut unfolded = Vec::new();
        let finding = |rule: &KeyRule, file: &RegisterFile, count: u64, examples| Finding {
            file: file.path.clone(),
            register: file.register,
            rule: rule.rule,
            severity: severities.of(rule.rule),
            column: rule.key,
            count,
            of_rows: rows.get(&file.path).copied(),
            expected: rule.expected,
            examples,
        };

        // Contacts: their keys were marked, and the diagnoses' and procedures' looked up.
        let key_contact = rule_named("key_contact");
        match self.marks.take() {
            Some(marks) if !self.contacts_incomplete => {
                let repeated = marks.repeated();
                for (file, o) in checked(key_contact.known) {
                    let count = self.flags_of(file).contact_flags.unwrap_or(0);
                    if count > 0 {
                        let examples = contact_rows(file, o, &self.contacts, |key| {
                            key.is_in(
                                lit(Series::new("repeated".into(), &repeated)).implode(false),
                                false,
                            )
                        })?;
                        findings.push(Finding {
                            rule: "contact_unique",
                            severity: severities.of("contact_unique"),
                            expected: "each DW_EK_KONTAKT once (counted: the rows that repeat a key already seen)",
                            ..finding(key_contact, file, count, examples)
                        });
                    }
                }
                for (file, o) in key_contact.probed.iter().flat_map(|r| checked(r)) {
                    let count = self.flags_of(file).contact_flags.unwrap_or(0);
                    if count > 0 {
                        let marks = marks.clone();
                        let examples = contact_rows(file, o, &self.contacts, move |key| {
                            contact_marks::flag(key, marks, false)
                        })?;
                        findings.push(finding(key_contact, file, count, examples));
                    }
                }
            }
            _ => {
                for (file, o) in checked(key_contact.known) {
                    if let Some(found) =
                        repeated_contacts_in(file, o, &self.contacts, rows, severities)?
                    {
                        findings.push(found);
                    }
                }
                unfolded.push(key_contact);
            }
        }

        // Persons: each event file was joined to bef's persons as integers, which holds when
        // every key of the folder is digits.
        let key_pnr = rule_named("key_pnr");
        let probed: Vec<(&RegisterFile, &OpenedFile)> =
            key_pnr.probed.iter().flat_map(|r| checked(r)).collect();
        let folded = digit_persons
            && self.persons.as_ref().is_some_and(Option::is_some)
            && probed
                .iter()
                .all(|(f, _)| self.flags_of(f).unresolved_persons.is_some());
        if folded {
            let mut known = None;
            for (file, o) in probed {
                let count = self.flags_of(file).unresolved_persons.unwrap_or(0);
                if count == 0 {
                    continue;
                }
                let known = known.get_or_insert_with(|| Arc::new(self.person_set()));
                let examples = person_rows(o, known.clone(), file)?;
                findings.push(finding(key_pnr, file, count, examples));
            }
        } else {
            unfolded.push(key_pnr);
        }
        findings.extend(check_keys(
            discovered, opened, rows, &keys, &unfolded, severities,
        )?);
        Ok(findings)
    }

    fn flags_of(&self, file: &RegisterFile) -> ProbeCounts {
        self.counts.get(&file.path).copied().unwrap_or_default()
    }

    /// The known persons as a set, for the rows of a file that cite unknown ones.
    fn person_set(&self) -> PlHashSet<i64> {
        self.persons
            .as_ref()
            .and_then(Option::as_ref)
            .and_then(|p| p.column(PERSON).ok())
            .and_then(|c| c.i64().ok().map(|k| k.into_no_null_iter().collect()))
            .unwrap_or_default()
    }
}

/// The smallest and largest contact key of `files`, if any, read as `contacts` (integers).
fn contact_range<'a>(
    files: impl Iterator<Item = &'a OpenedFile>,
    contacts: &DataType,
) -> Option<(i64, i64)> {
    let keys = KeyTypes::text_persons(contacts.clone());
    let frames: Vec<LazyFrame> = files
        .map(|o| {
            o.rows()
                .select([canonical_column_named(o, "DW_EK_KONTAKT", &keys).alias("key")])
        })
        .collect();
    if frames.is_empty() {
        return None;
    }
    let range = collect_streaming(concat(frames, UnionArgs::default()).ok()?.select([
        col("key").cast(DataType::Int64).min().alias("min"),
        col("key").cast(DataType::Int64).max().alias("max"),
    ]))
    .ok()?;
    let get = |name: &str| range.column(name).ok()?.i64().ok()?.get(0);
    Some((get("min")?, get("max")?))
}

/// The first rows of contacts file (or of diagnoses, procedures) `o` whose key meets `test`.
fn contact_rows(
    file: &RegisterFile,
    o: &OpenedFile,
    contacts: &DataType,
    test: impl FnOnce(Expr) -> Expr,
) -> Result<Vec<super::findings::Example>> {
    let keys = KeyTypes::text_persons(contacts.clone());
    let key = canonical_column_named(o, "DW_EK_KONTAKT", &keys);
    first_rows(
        o.kept(o.raw.clone().with_row_index(ROW, Some(1)))
            .filter(test(key.clone()).fill_null(lit(false)))
            .select([col(ROW), key.cast(DataType::String).alias("value")]),
        &file.path,
    )
}

/// The first rows of `o` whose person is not in `known`, the key as the file's text.
fn person_rows(
    o: &OpenedFile,
    known: Arc<PlHashSet<i64>>,
    file: &RegisterFile,
) -> Result<Vec<super::findings::Example>> {
    let pnr = o.parsed("PNR");
    let unknown = person_key_unchecked(pnr.clone()).map(
        move |keys| {
            let keys = keys.cast(&DataType::Int64)?;
            let unknown: BooleanChunked = keys
                .i64()?
                .iter()
                .map(|k| Some(k.is_none_or(|k| !known.contains(&k))))
                .collect();
            Ok(unknown.with_name(keys.name().clone()).into_column())
        },
        |_, field| Ok(Field::new(field.name().clone(), DataType::Boolean)),
    );
    first_rows(
        o.kept(o.raw.clone().with_row_index(ROW, Some(1)))
            .filter(pnr.clone().is_not_null().and(unknown))
            .select([col(ROW), pnr.alias("value")]),
        &file.path,
    )
}

/// The rules of `rules` in passes of their own over the keys: for folders whose keys the files'
/// own passes could not compare (see [`self`]).
///
/// Each rule is one query over all the files it probes, so the known keys are read and hashed
/// once per pass, not once per probed file. Person keys are compared as the integers the analyses
/// join on when every `PNR` of the folder is digits (the mapping keeps every key apart;
/// [`super::persons`]). Integer keys are split into passes by their value modulo the count of
/// passes ([`KEYS_PER_PASS`]); text keys take one pass.
fn check_keys(
    discovered: &Discovered,
    opened: &BTreeMap<PathBuf, OpenedFile>,
    rows: &BTreeMap<PathBuf, u64>,
    keys: &KeyTypes,
    rules: &[&KeyRule],
    severities: &Severities,
) -> Result<Vec<Finding>> {
    let opened_of = |register: &str| -> Vec<(&RegisterFile, &OpenedFile)> {
        discovered
            .of(register)
            .iter()
            .filter_map(|f| opened.get(&f.path).map(|o| (f, o)))
            .collect()
    };
    let mut findings = Vec::new();
    for rule in rules {
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
                    .select([canonical_column_named(o, rule.key, keys).alias("value")])
                    .filter(col("value").is_not_null())
            })
            .collect();
        let unresolved = unresolved_per_frame(&known_as(keys)?, yearly, probes, passes)
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
                    canonical_column_named(o, rule.key, &shown).alias("value"),
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

/// `frame` (a column `value` of integers) cut to the values of pass `pass` of `passes` (all
/// values when one pass).
fn in_pass(frame: LazyFrame, pass: u64, passes: u64) -> LazyFrame {
    if passes == 1 {
        return frame;
    }
    let k = lit(passes as i64);
    // Whatever the sign convention of `%`, this lies in 0..passes.
    frame.filter(((col("value") % k.clone() + k.clone()) % k).eq(lit(pass as i64)))
}

/// The `contact_unique` finding of one contacts file whose keys could not be marked as bits
/// (text keys, or spread too widely): the rows that repeat a key of the file, counted as the
/// rows less the distinct keys in passes of at most [`KEYS_PER_PASS`] integer keys. Repeats
/// across two files of contacts are not seen here.
fn repeated_contacts_in(
    file: &RegisterFile,
    o: &OpenedFile,
    contacts: &DataType,
    rows: &BTreeMap<PathBuf, u64>,
    severities: &Severities,
) -> Result<Option<Finding>> {
    let keys = KeyTypes::text_persons(contacts.clone());
    let values = o
        .rows()
        .select([canonical_column_named(o, "DW_EK_KONTAKT", &keys).alias("value")])
        .filter(col("value").is_not_null());
    let held = rows.get(&file.path).copied().unwrap_or(0);
    let passes = if contacts.is_integer() {
        held.div_ceil(KEYS_PER_PASS).max(1)
    } else {
        1
    };
    let mut count = 0u64;
    for pass in 0..passes {
        let tally = collect_streaming(
            in_pass(values.clone(), pass, passes).select([
                len().cast(DataType::UInt64).alias("n"),
                col("value")
                    .n_unique()
                    .cast(DataType::UInt64)
                    .alias("distinct"),
            ]),
        )
        .map_err(|e| Error::reading(&file.path, e))?;
        let get = |name: &str| -> u64 {
            tally
                .column(name)
                .ok()
                .and_then(|c| c.u64().ok().and_then(|c| c.get(0)))
                .unwrap_or(0)
        };
        count += get("n").saturating_sub(get("distinct"));
    }
    if count == 0 {
        return Ok(None);
    }
    let examples = first_rows(
        o.kept(o.raw.clone().with_row_index(ROW, Some(1)))
            .select([
                col(ROW),
                canonical_column_named(o, "DW_EK_KONTAKT", &keys).alias("value"),
            ])
            .filter(col("value").is_not_null().and(col("value").is_duplicated()))
            .sort([ROW], Default::default()),
        &file.path,
    )?;
    let rule = rule_named("key_contact");
    Ok(Some(Finding {
        file: file.path.clone(),
        register: file.register,
        rule: "contact_unique",
        severity: severities.of("contact_unique"),
        column: rule.key,
        count,
        of_rows: rows.get(&file.path).copied(),
        expected: "each DW_EK_KONTAKT once (counted: the rows that repeat a key already seen)",
        examples,
    }))
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
        let mut known = in_pass(known.clone(), pass, passes);
        if repeated {
            known = known.unique(None, UniqueKeepStrategy::Any);
        }
        let stacked = probes
            .iter()
            .enumerate()
            .map(|(i, probe)| {
                in_pass(probe.clone(), pass, passes).with_column(lit(i as u32).alias("__probe"))
            })
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
