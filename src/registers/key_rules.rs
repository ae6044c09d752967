//! The rules of keys across registers: the contact key of every diagnosis and procedure is a
//! contact's (`key_contact`), each contact's key is its own (`contact_unique`), and the person of
//! every contact, redemption and death is in some year of the population register (`key_pnr`).
//!
//! They are counted in the scans that check each file anyway ([`Probes`]): the known keys (the
//! population register's persons, once its files are checked; the contacts' keys, read and
//! sorted before any file is checked) are held as a [`KeyIndex`], and each row of an event file
//! looks its key up as the file is checked. A national folder's 745 million event rows are then
//! read once, not again for each rule (issue 39; bench/results). Where that cannot hold (text
//! keys, a known file that could not be read) the rules take passes of their own over the keys
//! ([`check_keys`]).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use polars::prelude::*;
use rayon::slice::ParallelSliceMut;

use super::discover::{Discovered, RegisterFile};
use super::findings::{Example, Finding, ROW, first_rows};
use super::key_index::{self, KeyIndex};
use super::models::canonical_column_named;
use super::persons::person_key_unchecked;
use super::read::{KeyTypes, OpenedFile};
use super::scan::{collect_streaming, count_in};
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

const PERSON_UNKNOWN: &str = "__person_unknown";
const CONTACT_UNKNOWN: &str = "__contact_unknown";

/// What a file's own pass counts for the key rules: the rows whose person, or whose contact, is
/// not among the known ones.
#[derive(Clone, Default)]
pub struct Probes {
    persons: Option<Arc<KeyIndex>>,
    contacts: Option<Arc<KeyIndex>>,
}

/// What [`Probes`] counted in one file.
#[derive(Clone, Copy, Debug, Default)]
pub struct ProbeCounts {
    pub unknown_persons: Option<u64>,
    pub unknown_contacts: Option<u64>,
}

/// Over the rows its register takes in ([`OpenedFile::kept`]), whether the row's person
/// (integer key by [`person_key_unchecked`]) is not in `persons`.
fn person_unknown(opened: &OpenedFile, persons: Arc<KeyIndex>) -> Expr {
    let kept = super::models::keep(opened).unwrap_or(lit(true));
    let pnr = opened.parsed("PNR");
    kept.and(pnr.clone().is_not_null())
        .and(key_index::unknown(person_key_unchecked(pnr), persons))
}

/// Over the rows its register takes in, whether the row's contact key (of type `contacts`, an
/// integer) is not in `known`.
fn contact_unknown(opened: &OpenedFile, contacts: &DataType, known: Arc<KeyIndex>) -> Expr {
    let kept = super::models::keep(opened).unwrap_or(lit(true));
    let keys = KeyTypes::text_persons(contacts.clone());
    kept.and(key_index::unknown(
        canonical_column_named(opened, "DW_EK_KONTAKT", &keys),
        known,
    ))
}

impl Probes {
    /// The sums the file's pass adds to its checks'.
    pub fn sums(&self, opened: &OpenedFile, contacts: &DataType) -> Vec<Expr> {
        let mut sums = Vec::new();
        if let Some(persons) = &self.persons {
            sums.push(
                person_unknown(opened, persons.clone())
                    .sum()
                    .alias(PERSON_UNKNOWN),
            );
        }
        if let Some(known) = &self.contacts {
            sums.push(
                contact_unknown(opened, contacts, known.clone())
                    .fill_null(lit(false))
                    .sum()
                    .alias(CONTACT_UNKNOWN),
            );
        }
        sums
    }

    /// The counts, from the pass's aggregation `counts`.
    pub fn counts(&self, count_of: impl Fn(&str) -> u64) -> ProbeCounts {
        ProbeCounts {
            unknown_persons: self.persons.is_some().then(|| count_of(PERSON_UNKNOWN)),
            unknown_contacts: self.contacts.is_some().then(|| count_of(CONTACT_UNKNOWN)),
        }
    }
}

/// The contacts' keys, read and sorted before any file is checked.
struct ContactKeys {
    index: Arc<KeyIndex>,
    /// Per contacts file: the rows that repeat a key of an earlier row (of the file, or of an
    /// earlier file), and the first few such keys.
    repeated: BTreeMap<PathBuf, (u64, Vec<i64>)>,
}

/// The key rules' part in a validation: what each file's pass probes, and the findings once every
/// file has been checked.
pub struct Folded {
    contacts: DataType,
    contact_keys: Option<ContactKeys>,
    /// The persons of the `bef` files checked so far, indexed once the first file that needs
    /// them comes (`None` inside when they could not be read).
    persons: Option<Option<Arc<KeyIndex>>>,
    /// The persons of the population files checked (their integer keys, as `PNR`).
    population: Vec<LazyFrame>,
    counts: BTreeMap<PathBuf, ProbeCounts>,
    /// A contacts file could not be checked: the rules over contacts take passes of their own.
    contacts_incomplete: bool,
}

/// The order files are checked in: the population register first, whose persons the event
/// files' passes look up.
pub fn check_order(register: &str) -> u8 {
    match register {
        "bef" => 0,
        _ => 1,
    }
}

impl Folded {
    /// The key rules of a folder whose files `opened` are open, contact keys of type `contacts`.
    /// Integer contact keys are read and sorted here.
    pub fn new(opened: &[(&RegisterFile, &OpenedFile)], contacts: DataType) -> Folded {
        let contact_keys = if contacts.is_integer() {
            let files: Vec<(&RegisterFile, &OpenedFile)> = opened
                .iter()
                .filter(|(f, _)| f.register == rule_named("key_contact").known)
                .copied()
                .collect();
            read_contact_keys(&files, &contacts)
        } else {
            None
        };
        Folded {
            contacts,
            contact_keys,
            persons: None,
            population: Vec::new(),
            counts: BTreeMap::new(),
            contacts_incomplete: false,
        }
    }

    /// What the pass over `file` probes.
    pub fn probes(&mut self, file: &RegisterFile) -> Probes {
        let contacts = self
            .contact_keys
            .as_ref()
            .filter(|_| rule_named("key_contact").probed.contains(&file.register))
            .map(|c| c.index.clone());
        let persons = if rule_named("key_pnr").probed.contains(&file.register) {
            self.known_persons()
        } else {
            None
        };
        Probes { persons, contacts }
    }

    /// bef's distinct persons as integer keys, read once from the population files checked.
    fn known_persons(&mut self) -> Option<Arc<KeyIndex>> {
        if self.persons.is_none() {
            let frames = self.population.clone();
            let persons = (!frames.is_empty())
                .then(|| sorted_distinct(frames).ok())
                .flatten()
                .and_then(KeyIndex::from_sorted)
                .map(Arc::new);
            self.persons = Some(persons);
        }
        self.persons.clone().flatten()
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
                            .select([person_key_unchecked(o.parsed("PNR")).alias("PNR")])
                            .filter(col("PNR").is_not_null()),
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
        let checked = |register: &str| checked_of(discovered, opened, register);
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

        // Contacts: their keys were sorted, and the diagnoses' and procedures' looked up.
        let key_contact = rule_named("key_contact");
        match self.contact_keys.take() {
            Some(contact_keys) if !self.contacts_incomplete => {
                for (file, o) in checked(key_contact.known) {
                    let Some((count, repeated)) = contact_keys.repeated.get(&file.path) else {
                        continue;
                    };
                    if *count > 0 {
                        let repeated = Series::new("repeated".into(), repeated);
                        let examples = contact_rows(file, o, &self.contacts, |key| {
                            key.is_in(lit(repeated).implode(false), false)
                        })?;
                        findings.push(Finding {
                            rule: "contact_unique",
                            severity: severities.of("contact_unique"),
                            expected: CONTACT_UNIQUE,
                            ..finding(key_contact, file, *count, examples)
                        });
                    }
                }
                for (file, o) in key_contact.probed.iter().flat_map(|r| checked(r)) {
                    let count = self.counts_of(file).unknown_contacts.unwrap_or(0);
                    if count > 0 {
                        let index = contact_keys.index.clone();
                        let examples = contact_rows(file, o, &self.contacts, move |key| {
                            key_index::unknown(key, index)
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

        // Persons: each event file looked its persons up among bef's as integers, which holds
        // when every key of the folder is digits.
        let key_pnr = rule_named("key_pnr");
        let probed: Vec<(&RegisterFile, &OpenedFile)> =
            key_pnr.probed.iter().flat_map(|r| checked(r)).collect();
        let persons = self.persons.clone().flatten();
        match persons {
            Some(persons)
                if digit_persons
                    && probed
                        .iter()
                        .all(|(f, _)| self.counts_of(f).unknown_persons.is_some()) =>
            {
                for (file, o) in probed {
                    let count = self.counts_of(file).unknown_persons.unwrap_or(0);
                    if count > 0 {
                        let examples = first_rows(
                            o.raw
                                .clone()
                                .with_row_index(ROW, Some(1))
                                .filter(person_unknown(o, persons.clone()))
                                .select([col(ROW), o.parsed("PNR").alias("value")]),
                            &file.path,
                        )?;
                        findings.push(finding(key_pnr, file, count, examples));
                    }
                }
            }
            _ => unfolded.push(key_pnr),
        }
        findings.extend(check_keys(
            discovered, opened, rows, &keys, &unfolded, severities,
        )?);
        Ok(findings)
    }

    fn counts_of(&self, file: &RegisterFile) -> ProbeCounts {
        self.counts.get(&file.path).copied().unwrap_or_default()
    }
}

/// What `contact_unique` expects, and how it counts.
const CONTACT_UNIQUE: &str =
    "each DW_EK_KONTAKT once (counted: the rows that repeat a key already seen)";

/// The keys of `frames` (one integer column each), sorted and made distinct.
fn sorted_distinct(frames: Vec<LazyFrame>) -> PolarsResult<Vec<i64>> {
    let all = concat(frames, UnionArgs::default())?;
    let name = all
        .clone()
        .collect_schema()?
        .get_at_index(0)
        .map(|(n, _)| n.clone());
    let Some(name) = name else {
        return Ok(Vec::new());
    };
    let sorted = collect_streaming(
        all.select([col(name.clone()).cast(DataType::Int64)])
            .unique(None, UniqueKeepStrategy::Any)
            .sort([name.as_str()], Default::default()),
    )?;
    let keys = sorted.column(name.as_str())?.i64()?.clone();
    Ok(keys.into_no_null_iter().collect())
}

/// The contact keys of `files` (integers), sorted, with each file's repeats: the rows repeating
/// a key of an earlier row of the file or of an earlier file (files in the folder's order).
/// `None` when a file cannot be read (its own check then reports it) or the keys are too spread
/// to index ([`KeyIndex::from_sorted`]): the rules then take passes of their own.
fn read_contact_keys(
    files: &[(&RegisterFile, &OpenedFile)],
    contacts: &DataType,
) -> Option<ContactKeys> {
    let keys = KeyTypes::text_persons(contacts.clone());
    let mut known: Vec<i64> = Vec::new();
    let mut repeated = BTreeMap::new();
    for (file, o) in files {
        let read = collect_streaming(
            o.rows()
                .select([canonical_column_named(o, "DW_EK_KONTAKT", &keys)
                    .cast(DataType::Int64)
                    .alias("key")])
                .filter(col("key").is_not_null()),
        )
        .ok()?;
        // Copied out and sorted in place: Polars' sort of 137 million keys held them three
        // times over (a national validation peaked at 5.1 GB).
        let mut values = key_index::values_of(read.column("key").ok()?.i64().ok()?);
        drop(read);
        values.par_sort_unstable();
        let own = key_index::deduplicated(values);
        // The first file's keys are the known ones as they are (no copy of a national register).
        let (union, common, seen_before) = if known.is_empty() {
            (own.distinct, 0, Vec::new())
        } else {
            key_index::merged(&known, &own.distinct)
        };
        let mut examples = own.first_repeated;
        examples.extend(seen_before);
        examples.truncate(3);
        repeated.insert(file.path.clone(), (own.repeated + common, examples));
        known = union;
    }
    Some(ContactKeys {
        index: Arc::new(KeyIndex::from_sorted(known)?),
        repeated,
    })
}

/// The first rows of `o` (contacts, diagnoses or procedures) whose contact key meets `test`.
fn contact_rows(
    file: &RegisterFile,
    o: &OpenedFile,
    contacts: &DataType,
    test: impl FnOnce(Expr) -> Expr,
) -> Result<Vec<Example>> {
    let keys = KeyTypes::text_persons(contacts.clone());
    let key = canonical_column_named(o, "DW_EK_KONTAKT", &keys);
    first_rows(
        o.kept(o.raw.clone().with_row_index(ROW, Some(1)))
            .filter(test(key.clone()).fill_null(lit(false)))
            .select([col(ROW), key.cast(DataType::String).alias("value")]),
        &file.path,
    )
}

/// The files of `register` that were checked (those in `opened`), with their opened form.
fn checked_of<'a>(
    discovered: &'a Discovered,
    opened: &'a BTreeMap<PathBuf, OpenedFile>,
    register: &str,
) -> Vec<(&'a RegisterFile, &'a OpenedFile)> {
    discovered
        .of(register)
        .iter()
        .filter_map(|f| opened.get(&f.path).map(|o| (f, o)))
        .collect()
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
    let opened_of = |register: &str| checked_of(discovered, opened, register);
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

/// The `contact_unique` finding of one contacts file whose keys could not be indexed (text
/// keys, or spread too widely): the rows that repeat a key of the file, counted as the
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
        count += count_in(&tally, "n").saturating_sub(count_in(&tally, "distinct"));
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
        expected: CONTACT_UNIQUE,
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
