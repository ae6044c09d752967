//! The contacts with a diagnosis of one of `[multimorbidity]`'s chronic conditions, read once
//! per analysis year and labelled with the condition.
//!
//! A multimorbidity analysis asks the same question of the registers twice: its patient group is
//! "a diagnosis of any condition in the look-back", and its `CONDITIONS` stratifier counts the
//! distinct conditions diagnosed in the same look-back. At national volume that question is a
//! scan of 200 million diagnoses and a join of tens of millions of them to five years of contacts,
//! the largest piece of work of `run --all`; answered once, both uses filter the same frame.

use polars::prelude::*;

use super::reads::{contacts_joined, contacts_joined_by_partitions, diagnoses_of, shaped_contacts};
use crate::error::Result;
use crate::registers::scan::{RegisterSet, collect_streaming};
use crate::registers::scope::Days;
use crate::spec::{Criterion, Design, DiagnosisType, Multimorbidity};

/// The labelled contacts: `PNR`, `DAY`, `CONDITION_BIT` (`1 << i` for the `i`th condition of
/// `[multimorbidity.conditions]`, or of Charlson's, ORed over the conditions the diagnosis
/// belongs to, in the narrowest unsigned integer that holds every condition's bit:
/// [`bit_type`]), and with details `END` and `SORENHED_ANS`; one row per contact and diagnosis.
///
/// A bit rather than an index, so a person's distinct conditions are one bitwise OR of their
/// rows and a count of its ones ([`super::with_conditions`]): in Polars 0.55 that grouping takes
/// about a third of the time of a "has condition i" maximum per condition (bench/HISTORY.md).
/// The spec allows at most [`crate::spec::MAX_CONDITIONS`].
pub struct ConditionContacts {
    conditions: Vec<Vec<String>>,
    /// `[multimorbidity]`'s look-back: a condition counts in these days up to the index day.
    pub lookback_days: i32,
    days: Days,
    /// Whether `frame` holds each contact's end, unit and key ([`ConditionContacts::read`]).
    details: bool,
    /// The folder's contact keys' type (of the empty keys given without details).
    key_type: DataType,
    frame: DataFrame,
    /// On an index date, each person's conditions ([`ConditionContacts::per_person`]).
    per_person: Option<DataFrame>,
}

impl ConditionContacts {
    /// Reads the contacts starting in the conditions' look-back window (up to and including the
    /// design's last index day) that carry a diagnosis (action or secondary, not retracted) of
    /// any condition: of every person, or with `persons` of those alone.
    ///
    /// With `details`, each contact's end, unit and key are kept too; without, they are not read.
    /// The frame is collected, so the query optimiser cannot drop columns no later step reads:
    /// an analysis that never looks at the index contact's end or unit would otherwise decode
    /// two more columns of every contact in five years (73 million at national volume) and keep
    /// them for every labelled contact, about a fifth of this read's time.
    ///
    /// `conditions` are the conditions' ICD-10 prefixes, bit `i` for the `i`th; `lookback_days`
    /// how far before the first index day a diagnosis counts.
    pub fn read(
        registers: &RegisterSet,
        conditions: Vec<Vec<String>>,
        lookback_days: i32,
        design: Design,
        details: bool,
        persons: Option<&Series>,
    ) -> Result<ConditionContacts> {
        let days = Days::of_design(design).widened(lookback_days, 0);
        let mut columns = vec!["PNR", "DAY"];
        if details {
            columns.extend(["END", "SORENHED_ANS", "KEY"]);
        }
        let frame = match persons {
            Some(persons) => persons_contacts(registers, &conditions, days, persons, &columns)?,
            None if registers.keys().contacts == DataType::Int64 => {
                let labelled = labelled(registers, &conditions)?;
                contacts_joined_by_partitions(registers, days, labelled, "CONDITION_BIT", &columns)?
            }
            None => {
                let columns = columns.iter().chain(&["CONDITION_BIT"]).map(|c| col(*c));
                collect_streaming(
                    contacts_joined(registers, days, labelled(registers, &conditions)?.lazy())?
                        .select(columns.collect::<Vec<_>>()),
                )?
            }
        };
        let per_person = match design {
            Design::IndexDate(index) => Some(per_person(&frame, index)?),
            Design::Period(..) => None,
        };
        Ok(ConditionContacts {
            conditions,
            lookback_days,
            days,
            details,
            key_type: registers.keys().contacts.clone(),
            frame,
            per_person,
        })
    }

    /// [`ConditionContacts::read`] for `[multimorbidity]`'s conditions, bit `i` for the `i`th
    /// in the order of their names.
    pub fn of_multimorbidity(
        registers: &RegisterSet,
        mm: &Multimorbidity,
        design: Design,
        details: bool,
    ) -> Result<ConditionContacts> {
        let conditions = mm.conditions.values().cloned().collect();
        Self::read(
            registers,
            conditions,
            mm.lookback_days,
            design,
            details,
            None,
        )
    }

    /// On an index date, each person with a condition contact in the look-back: `PNR`, `BITS`
    /// (the OR of the bits of their conditions up to and including the index day) and `BEFORE`
    /// (the same before the index day). `None` for a period, where each patient's window is
    /// their own.
    ///
    /// The patient group of a multimorbidity analysis ("a condition diagnosed in the look-back
    /// before the index") and its `CONDITIONS` (how many, up to the index) are both read from
    /// this one grouping of the condition contacts by person, where each was a grouping of its
    /// own (13 million contacts of 2 million persons at national volume).
    pub fn per_person(&self) -> Option<LazyFrame> {
        self.per_person.clone().map(DataFrame::lazy)
    }

    /// The persons (`PNR`, unique) with an event of criterion `c` on `days`, when
    /// [`ConditionContacts::per_person`] holds them: on an index date, `c` asks for diagnoses
    /// [`ConditionContacts::events_for`] serves (at any unit), and `days` are the whole
    /// look-back up to the day before the index. `None` otherwise.
    pub fn persons_for(&self, c: &Criterion, days: Days) -> Option<LazyFrame> {
        let persons = self.per_person.as_ref()?;
        if c.unit_codes.is_some() || days.from != self.days.from || days.to != self.days.to - 1 {
            return None;
        }
        let mask = self.chosen(c)?.into_iter().fold(0, |all, b| all | b);
        let mask = lit(mask).cast(bit_type(self.conditions.len()));
        Some(
            persons
                .clone()
                .lazy()
                .filter(col("BEFORE").and(mask).neq(lit(0)))
                .select([col("PNR")]),
        )
    }

    /// The bits of the conditions whose codes together are exactly criterion `c`'s, when `c`
    /// asks for diagnoses of any type alone; `None` when no set of whole conditions is.
    fn chosen(&self, c: &Criterion) -> Option<Vec<u64>> {
        if c.diagnosis_type != DiagnosisType::Any
            || c.diagnoses.is_empty()
            || !c.procedures.is_empty()
            || !c.atc.is_empty()
        {
            return None;
        }
        let wanted: std::collections::BTreeSet<&String> = c.diagnoses.iter().collect();
        let chosen: Vec<usize> = (0..self.conditions.len())
            .filter(|&i| self.conditions[i].iter().all(|code| wanted.contains(code)))
            .collect();
        let covered: std::collections::BTreeSet<&String> =
            chosen.iter().flat_map(|&i| &self.conditions[i]).collect();
        (covered == wanted).then(|| chosen.into_iter().map(bit).collect())
    }

    /// The contacts of condition diagnoses: `PNR`, `DAY`, `CONDITION_BIT`.
    pub fn all(&self) -> LazyFrame {
        self.frame
            .clone()
            .lazy()
            .select([col("PNR"), col("DAY"), col("CONDITION_BIT")])
    }

    /// The events of criterion `c` on `days` (shaped as the contacts are, with `SORENHED_ANS`),
    /// when this frame holds all of them: `c` asks for diagnoses of any type whose codes are
    /// exactly those of some of the conditions, on days within this frame's, and at any unit
    /// unless the frame kept the units. `None` otherwise, and the caller reads the registers.
    /// Without details, `END` and `SORENHED_ANS` are empty.
    pub fn events_for(&self, c: &Criterion, days: Days) -> Option<LazyFrame> {
        if (!self.details && c.unit_codes.is_some())
            || c.priority.is_some()
            || c.setting.is_some()
            || days.from < self.days.from
            || days.to > self.days.to
        {
            return None;
        }
        let mask = self.chosen(c)?.into_iter().fold(0, |all, b| all | b);
        let mask = lit(mask).cast(bit_type(self.conditions.len()));
        Some(
            self.frame
                .clone()
                .lazy()
                .filter(
                    col("CONDITION_BIT")
                        .and(mask)
                        .neq(lit(0))
                        .and(col("DAY").gt_eq(lit(days.from)))
                        .and(col("DAY").lt_eq(lit(days.to))),
                )
                .select(if self.details {
                    [
                        col("PNR"),
                        col("DAY"),
                        col("END"),
                        col("SORENHED_ANS"),
                        col("KEY"),
                    ]
                } else {
                    [
                        col("PNR"),
                        col("DAY"),
                        lit(NULL).cast(DataType::Int32).alias("END"),
                        lit(NULL).cast(DataType::String).alias("SORENHED_ANS"),
                        lit(NULL).cast(self.key_type.clone()).alias("KEY"),
                    ]
                }),
        )
    }
}

/// The diagnoses (action or secondary, not retracted) of `conditions` labelled with their
/// conditions' bits: `KEY`, `CONDITION_BIT` (the bits of every condition the code belongs to:
/// I13.0 is both heart failure and renal disease in Charlson's table), a row per diagnosis.
fn labelled(registers: &RegisterSet, conditions: &[Vec<String>]) -> Result<DataFrame> {
    let all_codes: Vec<String> = conditions.iter().flatten().cloned().collect();
    let diagnoses = collect_streaming(diagnoses_of(
        registers,
        &all_codes,
        &[col("KEY"), col("DIAGNOSEKODE")],
    )?)?;
    let bits = condition_bits(diagnoses.column("DIAGNOSEKODE")?.str()?, conditions)
        .into_series()
        .cast(&bit_type(conditions.len()))?;
    Ok(DataFrame::new(
        diagnoses.height(),
        vec![
            diagnoses.column("KEY")?.clone(),
            Column::from(bits.with_name("CONDITION_BIT".into())),
        ],
    )?)
}

/// The bits of the conditions each register code (`D` and the ICD-10 code) starts with a code
/// of, 0 for none: each code's first characters of every length a condition's codes have,
/// looked up in one map from prefix to bits. Where a column expression per condition reads
/// every code once per condition (19 for Charlson's), this reads it once.
fn condition_bits(codes: &StringChunked, conditions: &[Vec<String>]) -> UInt64Chunked {
    let mut of_prefix: std::collections::HashMap<String, u64> = Default::default();
    for (i, prefixes) in conditions.iter().enumerate() {
        for p in prefixes {
            *of_prefix.entry(format!("D{p}")).or_default() |= bit(i);
        }
    }
    let mut lengths: Vec<usize> = of_prefix.keys().map(String::len).collect();
    lengths.sort_unstable();
    lengths.dedup();
    codes.apply_nonnull_values_generic(DataType::UInt64, |code: &str| {
        lengths
            .iter()
            .take_while(|&&n| n <= code.len())
            .filter_map(|&n| code.get(..n).and_then(|p| of_prefix.get(p)))
            .fold(0, |all, b| all | b)
    })
}

/// The condition contacts of `persons` alone on `days`, as `columns` and `CONDITION_BIT`: the
/// persons' contacts, read first, joined to the condition diagnoses. For the few patients of an
/// incident analysis (57,000 AMI patients at national volume, whose Charlson index looks back
/// ten years) the join is to their two million contacts, where every person's condition
/// contacts would join ten years of contacts (146 million).
fn persons_contacts(
    registers: &RegisterSet,
    conditions: &[Vec<String>],
    days: Days,
    persons: &Series,
    columns: &[&str],
) -> Result<DataFrame> {
    // The persons are chosen on the text the register holds, before any key is parsed: a test
    // of the parsed key parses every contact of the ten years (136 million at national volume,
    // 1.5 s of the AMI analysis) to keep two million.
    let texts = crate::registers::persons::person_texts(persons, &registers.keys().persons)?;
    let theirs = col("PNR").is_in(lit(texts).implode(false), false);
    let contacts = collect_streaming(
        shaped_contacts(
            registers.require_with_text_persons("lpr_kontakter")?,
            days.contains("DATO_START").and(theirs),
        )
        .with_column(registers.person_key(col("PNR")))
        .select(
            columns
                .iter()
                .chain((!columns.contains(&"KEY")).then_some(&"KEY"))
                .map(|c| col(*c))
                .collect::<Vec<_>>(),
        ),
    )?;
    let selected = columns
        .iter()
        .chain(&["CONDITION_BIT"])
        .map(|c| col(*c))
        .collect::<Vec<_>>();
    Ok(collect_streaming(
        contacts
            .lazy()
            .join(
                labelled(registers, conditions)?.lazy(),
                [col("KEY")],
                [col("KEY")],
                JoinArgs::new(JoinType::Inner),
            )
            .select(selected),
    )?)
}

/// Groups the condition contacts `frame` (on an index date `index`) by person, as
/// [`ConditionContacts::per_person`] gives them: one streaming reduction of two bitwise ORs.
fn per_person(frame: &DataFrame, index: i32) -> Result<DataFrame> {
    let bit = col("CONDITION_BIT");
    let before = when(col("DAY").lt(lit(index)))
        .then(bit.clone())
        .otherwise(lit(0).cast(frame.column("CONDITION_BIT")?.dtype().clone()));
    Ok(collect_streaming(
        frame.clone().lazy().group_by([col("PNR")]).agg([
            bit.bitwise_or().alias("BITS"),
            before.bitwise_or().alias("BEFORE"),
        ]),
    )?)
}

/// The bit of the `i`th condition.
fn bit(i: usize) -> u64 {
    1 << i
}

/// The unsigned integer with a bit for each of `count` conditions: `UInt32` for up to 32 (the
/// narrowest this build of Polars has), `UInt64` above. The labelled diagnoses (26 million at
/// national volume) are the build side of the join to the contacts, whose peak memory a wider
/// type raises (bench/HISTORY.md).
fn bit_type(count: usize) -> DataType {
    if count <= 32 {
        DataType::UInt32
    } else {
        DataType::UInt64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cohort::testing::{codes, write_contacts};
    use crate::dates::parse_iso;

    /// Six contacts whose condition diagnoses are known by hand (index date 2023-01-01, five
    /// years' look-back from 2018-01-01):
    /// - person 1: type 2 diabetes on two contacts, ischaemic heart disease on the first;
    /// - person 2: COPD in 2017 (before the look-back) and a retracted COPD diagnosis in 2022;
    /// - person 3: kidney disease on the index day (counted by `CONDITIONS`, not before it);
    /// - person 4: a diagnosis of no condition.
    fn registers(dir: &std::path::Path) -> RegisterSet {
        write_contacts(
            dir,
            "1,p1,2022-06-01,2022-06-01,ALCA00,6620011000000,DE119\n\
             2,p1,2022-07-01,2022-07-02,ALCA00,6620011000000,DE110\n\
             3,p2,2017-01-01,2017-01-01,ALCA00,6620011000000,DJ449\n\
             4,p2,2022-12-31,2022-12-31,ALCA00,6620011000000,DJ441\n\
             5,p3,2023-01-01,2023-01-01,ALCA00,6620011000000,DN189\n\
             6,p4,2021-01-01,2021-01-01,ALCA00,6620011000000,DZ000\n",
        );
        std::fs::write(
            dir.join("lpr_diagnoser.csv"),
            "DW_EK_KONTAKT,DIAGNOSEKODE,DIAGNOSETYPE,SENERE_AFKRAEFTET\n\
             1,DE119,A,Nej\n1,DI259,B,Nej\n2,DE110,A,\n3,DJ449,A,Nej\n\
             4,DJ441,A,Ja\n5,DN189,A,Nej\n6,DZ000,A,Nej\n",
        )
        .expect("diagnoses");
        RegisterSet::open(dir).expect("opened")
    }

    fn conditions(pairs: &[(&str, &[&str])]) -> Multimorbidity {
        named_conditions(
            pairs
                .iter()
                .map(|(name, list)| (name.to_string(), codes(list)))
                .collect(),
        )
    }

    /// `[multimorbidity]` of these (name, codes) with a five years' look-back.
    fn named_conditions(conditions: Vec<(String, Vec<String>)>) -> Multimorbidity {
        Multimorbidity {
            conditions: conditions.into_iter().collect(),
            lookback_days: 1825,
        }
    }

    /// The `PNR` column of a frame, in its order.
    fn persons_in(frame: &DataFrame) -> Vec<String> {
        let column = frame
            .column("PNR")
            .expect("PNR")
            .str()
            .expect("text")
            .clone();
        (0..column.len())
            .map(|i| column.get(i).expect("pnr").to_string())
            .collect()
    }

    /// (person, condition index) pairs of a frame with `PNR` and `CONDITION_BIT` (a pair for
    /// each bit), sorted and distinct.
    fn pairs(frame: LazyFrame) -> Vec<(String, u32)> {
        let frame = frame.collect().expect("collected");
        let labels = frame
            .column("CONDITION_BIT")
            .expect("label")
            .cast(&DataType::UInt64)
            .expect("widened")
            .u64()
            .expect("u64")
            .clone();
        let mut pairs: Vec<(String, u32)> = persons_in(&frame)
            .into_iter()
            .enumerate()
            .flat_map(|(i, person)| {
                let label = labels.get(i).expect("label");
                assert_ne!(label, 0, "a condition contact of no condition");
                (0..64)
                    .filter(move |b| label & (1 << b) != 0)
                    .map(move |b| (person.clone(), b))
            })
            .collect();
        pairs.sort();
        pairs.dedup();
        pairs
    }

    /// The persons of an events frame, sorted and distinct.
    fn persons(frame: LazyFrame) -> Vec<String> {
        let mut persons = persons_in(&frame.collect().expect("collected"));
        persons.sort();
        persons.dedup();
        persons
    }

    fn any_diagnosis(codes: &[&str]) -> Criterion {
        Criterion {
            diagnoses: codes.iter().map(|c| c.to_string()).collect(),
            diagnosis_type: DiagnosisType::Any,
            ..Default::default()
        }
    }

    /// Type 2 diabetes, ischaemic heart disease, COPD and kidney disease.
    fn four_conditions() -> Multimorbidity {
        conditions(&[
            ("t2d", &["E11"]),
            ("ihd", &["I25"]),
            ("copd", &["J44"]),
            ("ckd", &["N18"]),
        ])
    }

    /// The fixture's condition contacts of four conditions (sorted by name: ckd 0, copd 1, ihd
    /// 2, t2d 3) with details, on index date `index`, checked against the hand-known pairs:
    /// p1's heart disease and diabetes, p3's kidney disease.
    fn four_conditions_read(registers: &RegisterSet, index: i32) -> ConditionContacts {
        let known = ConditionContacts::of_multimorbidity(
            registers,
            &four_conditions(),
            Design::IndexDate(index),
            true,
        )
        .expect("read");
        assert_eq!(
            pairs(known.all()),
            [("p1".into(), 2), ("p1".into(), 3), ("p3".into(), 0)]
        );
        known
    }

    #[test]
    fn condition_contacts_are_labelled_and_serve_only_criteria_they_hold() {
        let dir = tempfile::tempdir().expect("temp");
        let registers = registers(dir.path());
        let index = parse_iso("2023-01-01").expect("date");
        let known = four_conditions_read(&registers, index);
        let before_index = Days {
            from: index - 1825,
            to: index - 1,
        };
        let group = known
            .events_for(&any_diagnosis(&["E11", "I25", "J44", "N18"]), before_index)
            .expect("the union of all conditions is served");
        assert_eq!(persons(group), ["p1"]);
        let kidney = known
            .events_for(
                &any_diagnosis(&["N18"]),
                Days {
                    from: index,
                    to: index,
                },
            )
            .expect("one condition is served");
        assert_eq!(persons(kidney), ["p3"]);
        // The same persons from the grouping by person: p1 before the index, p3's kidney
        // disease only on the index day, so not before it.
        let all_four = any_diagnosis(&["E11", "I25", "J44", "N18"]);
        let group = known
            .persons_for(&all_four, before_index)
            .expect("the whole look-back before the index is served");
        assert_eq!(persons(group), ["p1"]);
        let before = known
            .persons_for(&any_diagnosis(&["N18"]), before_index)
            .expect("one condition is served");
        assert!(persons(before).is_empty());
        let heart = known
            .persons_for(&any_diagnosis(&["I25"]), before_index)
            .expect("one condition is served");
        assert_eq!(persons(heart), ["p1"]);
        // Only the whole look-back before the index, at any unit, of whole conditions.
        let shorter = Days {
            from: index - 365,
            ..before_index
        };
        assert!(known.persons_for(&all_four, shorter).is_none());
        let at_unit = Criterion {
            unit_codes: Some(codes(&["6620011000000"])),
            ..all_four.clone()
        };
        assert!(known.persons_for(&at_unit, before_index).is_none());
        assert!(
            known
                .persons_for(&any_diagnosis(&["E1"]), before_index)
                .is_none()
        );
        let period = Design::Period(index - 365, index);
        let in_period =
            ConditionContacts::of_multimorbidity(&registers, &four_conditions(), period, true)
                .expect("read");
        assert!(in_period.per_person().is_none());
        assert!(in_period.persons_for(&all_four, before_index).is_none());
        // Codes that are not whole conditions, action diagnoses and days outside the frame's
        // are read from the registers instead.
        assert!(
            known
                .events_for(&any_diagnosis(&["E1"]), before_index)
                .is_none()
        );
        assert!(
            known
                .events_for(&any_diagnosis(&["E11", "E10"]), before_index)
                .is_none()
        );
        let action = Criterion {
            diagnosis_type: DiagnosisType::Action,
            ..any_diagnosis(&["E11"])
        };
        assert!(known.events_for(&action, before_index).is_none());
        let earlier = Days {
            from: index - 3000,
            to: index - 1,
        };
        assert!(
            known
                .events_for(&any_diagnosis(&["E11"]), earlier)
                .is_none()
        );
    }

    /// `CONDITIONS` of the persons of the registers above with the index days given, by person.
    fn counted(design: Design, index_days: &[(&str, &str)]) -> Vec<(String, i32)> {
        let dir = tempfile::tempdir().expect("temp");
        let registers = registers(dir.path());
        let mm = conditions(&[
            ("t2d", &["E11"]),
            ("ihd", &["I25"]),
            ("copd", &["J44"]),
            ("ckd", &["N18"]),
        ]);
        let known =
            ConditionContacts::of_multimorbidity(&registers, &mm, design, false).expect("read");
        let patients = df!(
            "PNR" => index_days.iter().map(|(p, _)| *p).collect::<Vec<_>>(),
            "INDEX_DAY" => index_days
                .iter()
                .map(|(_, d)| parse_iso(d).expect("date"))
                .collect::<Vec<_>>(),
        )
        .expect("patients")
        .lazy();
        let frame = crate::cohort::patient_group::with_conditions(patients, Some(&known))
            .sort(["PNR"], Default::default())
            .collect()
            .expect("counted");
        let counts = frame
            .column("CONDITIONS")
            .expect("CONDITIONS")
            .i32()
            .expect("i32")
            .clone();
        persons_in(&frame)
            .into_iter()
            .zip(counts.iter().map(|c| c.expect("count")))
            .collect()
    }

    /// The fixture's contacts and diagnoses as Parquet files with integer contact keys and
    /// typed dates, as registers are delivered at national volume, in place of its CSV files:
    /// the condition contacts are then joined by partitions ([`contacts_joined_by_partitions`]).
    fn as_parquet(dir: &std::path::Path) -> RegisterSet {
        for (name, dates) in [
            ("lpr_kontakter", &["DATO_START", "DATO_SLUT"][..]),
            ("lpr_diagnoser", &[][..]),
        ] {
            let csv = dir.join(format!("{name}.csv"));
            let mut typed = vec![col("DW_EK_KONTAKT").cast(DataType::Int64)];
            typed.extend(dates.iter().map(|d| col(*d).cast(DataType::Date)));
            let mut frame = LazyCsvReader::new(PlRefPath::new(csv.to_str().expect("utf-8")))
                .with_has_header(true)
                .with_infer_schema_length(Some(0))
                .finish()
                .expect("csv")
                .with_columns(typed)
                .collect()
                .expect("typed");
            let parquet =
                std::fs::File::create(dir.join(format!("{name}.parquet"))).expect("parquet");
            ParquetWriter::new(parquet)
                .finish(&mut frame)
                .expect("written");
            std::fs::remove_file(csv).expect("csv removed");
        }
        let registers = RegisterSet::open(dir).expect("opened");
        assert_eq!(registers.keys().contacts, DataType::Int64);
        registers
    }

    #[test]
    fn integer_keys_joined_by_partitions_label_the_same_contacts() {
        let dir = tempfile::tempdir().expect("temp");
        registers(dir.path());
        let registers = as_parquet(dir.path());
        let index = parse_iso("2023-01-01").expect("date");
        // The look-back's five years are read a year at a time: p1's contacts of 2022 and p3's
        // of the index day in different years.
        let known = four_conditions_read(&registers, index);
        // The contacts' own days and units come with them: p1's second contact ends on
        // 2022-07-02.
        let diabetes = known
            .events_for(
                &any_diagnosis(&["E11"]),
                Days {
                    from: index - 1825,
                    to: index,
                },
            )
            .expect("served")
            .sort(["DAY"], Default::default())
            .collect()
            .expect("events");
        let ends: Vec<Option<i32>> = diabetes
            .column("END")
            .expect("END")
            .i32()
            .expect("days")
            .iter()
            .collect();
        assert_eq!(
            ends,
            [
                Some(parse_iso("2022-06-01").expect("date")),
                Some(parse_iso("2022-07-02").expect("date"))
            ]
        );
        // Overlapping conditions: a row for each condition of the heart disease diagnosis.
        let overlapping = conditions(&[("heart", &["I2"]), ("ihd", &["I25"])]);
        let known = ConditionContacts::of_multimorbidity(
            &registers,
            &overlapping,
            Design::IndexDate(index),
            false,
        )
        .expect("read");
        assert_eq!(pairs(known.all()), [("p1".into(), 0), ("p1".into(), 1)]);
    }

    #[test]
    fn conditions_are_counted_once_each_in_the_look_back_up_to_the_index_day() {
        let index = parse_iso("2023-01-01").expect("date");
        // p1: diabetes on two contacts and heart disease on the first, 2; p2: COPD before the
        // look-back and a retracted one, 0; p3: kidney disease on the index day itself, 1; p4:
        // a diagnosis of no condition, 0.
        let on_index = |p: &'static str| (p, "2023-01-01");
        let all = [
            on_index("p1"),
            on_index("p2"),
            on_index("p3"),
            on_index("p4"),
        ];
        assert_eq!(
            counted(Design::IndexDate(index), &all),
            [
                ("p1".into(), 2),
                ("p2".into(), 0),
                ("p3".into(), 1),
                ("p4".into(), 0)
            ]
        );
        // Each patient's own index in a period: p1 on 2022-06-15 has the first contact's two
        // conditions (the second contact, 2022-07-01, comes after); on 2022-05-31, none.
        let period = Design::Period(index - 365, index);
        assert_eq!(
            counted(period, &[("p1", "2022-06-15"), ("p3", "2023-01-01")]),
            [("p1".into(), 2), ("p3".into(), 1)]
        );
        assert_eq!(counted(period, &[("p1", "2022-05-31")]), [("p1".into(), 0)]);
    }

    #[test]
    fn a_diagnosis_of_overlapping_conditions_counts_for_each() {
        let dir = tempfile::tempdir().expect("temp");
        let registers = registers(dir.path());
        let index = parse_iso("2023-01-01").expect("date");
        // heart (0) takes every I2x code, ihd (1) only I25.
        let mm = conditions(&[("heart", &["I2"]), ("ihd", &["I25"])]);
        let known =
            ConditionContacts::of_multimorbidity(&registers, &mm, Design::IndexDate(index), false)
                .expect("read");
        assert_eq!(pairs(known.all()), [("p1".into(), 0), ("p1".into(), 1)]);
    }

    #[test]
    fn contacts_read_without_details_serve_only_criteria_at_any_unit() {
        let dir = tempfile::tempdir().expect("temp");
        let registers = registers(dir.path());
        let index = parse_iso("2023-01-01").expect("date");
        let mm = conditions(&[("t2d", &["E11"]), ("ihd", &["I25"])]);
        let before_index = Days {
            from: index - 1825,
            to: index - 1,
        };
        let at_unit = Criterion {
            unit_codes: Some(vec!["6620011000000".into()]),
            ..any_diagnosis(&["E11"])
        };
        let ends = |known: &ConditionContacts| {
            let events = known
                .events_for(&any_diagnosis(&["E11"]), before_index)
                .expect("served")
                .collect()
                .expect("collected");
            let end = events
                .column("END")
                .expect("END")
                .i32()
                .expect("days")
                .clone();
            let mut ends: Vec<Option<i32>> = end.iter().collect();
            ends.sort();
            ends
        };
        let with =
            ConditionContacts::of_multimorbidity(&registers, &mm, Design::IndexDate(index), true)
                .expect("read");
        let without =
            ConditionContacts::of_multimorbidity(&registers, &mm, Design::IndexDate(index), false)
                .expect("read");
        // Person 1's two diabetes contacts end on 2022-06-01 and 2022-07-02.
        let day = |iso: &str| Some(parse_iso(iso).expect("date"));
        assert_eq!(ends(&with), [day("2022-06-01"), day("2022-07-02")]);
        assert_eq!(ends(&without), [None, None]);
        assert_eq!(pairs(with.all()), pairs(without.all()));
        assert!(with.events_for(&at_unit, before_index).is_some());
        assert!(
            without.events_for(&at_unit, before_index).is_none(),
            "a unit criterion is read from the registers when the units were not kept"
        );
    }

    #[test]
    fn a_thirty_third_condition_takes_a_wider_bit() {
        assert_eq!(bit_type(32), DataType::UInt32);
        assert_eq!(bit_type(33), DataType::UInt64);
        assert_eq!(bit_type(crate::spec::MAX_CONDITIONS), DataType::UInt64);
        let dir = tempfile::tempdir().expect("temp");
        let registers = registers(dir.path());
        let index = parse_iso("2023-01-01").expect("date");
        // Sorted by name, type 2 diabetes is the 33rd (index 32, bit 2^32) after 32 conditions
        // no contact has.
        let mut named: Vec<(String, Vec<String>)> = (0..32)
            .map(|i| (format!("a{i:02}"), vec![format!("A{i:02}")]))
            .collect();
        named.push(("t2d".into(), codes(&["E11"])));
        let mm = named_conditions(named);
        let known =
            ConditionContacts::of_multimorbidity(&registers, &mm, Design::IndexDate(index), false)
                .expect("read");
        assert_eq!(pairs(known.all()), [("p1".into(), 32)]);
        let diabetes = known
            .events_for(
                &any_diagnosis(&["E11"]),
                Days {
                    from: index - 1825,
                    to: index - 1,
                },
            )
            .expect("served");
        assert_eq!(persons(diabetes), ["p1"]);
    }

    #[test]
    fn a_code_gets_the_bit_of_every_condition_it_starts_with() {
        // I2 and I25 overlap (I250 is both), I13 and I130 too (I130 is both); Z00 is none, and
        // a code shorter than a prefix matches none of its length.
        let conditions = [
            codes(&["I2"]),
            codes(&["I25", "J44"]),
            codes(&["I13"]),
            codes(&["I130"]),
        ];
        let register = StringChunked::new(
            "DIAGNOSEKODE".into(),
            ["DI250", "DI210", "DJ449", "DZ000", "DI130", "DI1", "DI131"],
        );
        let bits: Vec<Option<u64>> = condition_bits(&register, &conditions).iter().collect();
        assert_eq!(
            bits,
            [
                Some(3),
                Some(1),
                Some(2),
                Some(0),
                Some(12),
                Some(0),
                Some(4)
            ]
        );
    }
}
