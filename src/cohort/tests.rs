//! The cohort against hand-counted registers: each speed-up gives what the plain query gives.

use polars::prelude::*;

use super::criteria::criterion_events;
use super::outcomes::*;
use super::patient_group::*;
use super::population::*;
use super::reads::*;
use super::testing::{self, codes, write_contacts};
use crate::dates::parse_iso;
use crate::registers::scan::RegisterSet;
use crate::registers::scope::{Days, SPAN_DAYS, covers};
use crate::spec::{Criterion, Derived, LoadedSpec, OutcomeKind, Stratifier};

#[test]
fn spans_are_cut_into_whole_consecutive_years_at_most() {
    let days = testing::span("2018-01-02", "2023-01-01");
    let years = days.years();
    assert_eq!(
        years.len(),
        6,
        "1,826 days: five spans of 365 and one of the last day"
    );
    assert_eq!(years[0].from, days.from);
    assert_eq!(
        years[5],
        Days {
            from: days.to,
            to: days.to
        }
    );
    for pair in years.windows(2) {
        assert_eq!(
            pair[0].to + 1,
            pair[1].from,
            "consecutive, no day twice or left out"
        );
        assert_eq!(pair[0].to - pair[0].from + 1, SPAN_DAYS);
    }
    assert_eq!(Days::ALL.years(), [Days::ALL]);
    let one = testing::span("2024-02-29", "2024-02-29");
    assert_eq!(one.years(), [one]);
}

#[test]
fn codes_are_covered_by_themselves_or_a_shorter_prefix_only() {
    let read = codes(&["KNFB", "BFCA0", "KFNG05"]);
    assert!(covers(&read, &codes(&["KNFB"])));
    assert!(covers(&read, &codes(&["KNFB20", "BFCA0"])));
    assert!(
        !covers(&read, &codes(&["KNF"])),
        "a wider prefix is not read"
    );
    assert!(!covers(&read, &codes(&["KNFB", "KNFJ"])));
    assert!(!covers(&[], &codes(&["KNFB"])));
}

#[test]
fn age_on_january_1_counts_a_birthday_only_on_new_years_day() {
    // (born, completed years on 1 January 2024), counted by hand.
    let cases = [
        ("1960-01-01", 64),
        ("1960-01-02", 63),
        ("1959-12-31", 64),
        ("2000-02-29", 23),
        ("2023-12-31", 0),
        ("2024-01-01", 0),
        ("1900-03-01", 123),
        ("1969-12-31", 54),
    ];
    let born: Vec<i32> = cases
        .iter()
        .map(|(day, _)| parse_iso(day).expect("date"))
        .collect();
    let ages = df!("FOED_DAG" => born)
        .expect("frame")
        .lazy()
        .select([col("FOED_DAG").cast(DataType::Date)])
        .select([age_on_january_1(2024).alias("AGE")])
        .collect()
        .expect("ages");
    let ages: Vec<Option<i32>> = ages
        .column("AGE")
        .expect("AGE")
        .i32()
        .expect("i32")
        .iter()
        .collect();
    let expected: Vec<Option<i32>> = cases.iter().map(|&(_, age)| Some(age)).collect();
    assert_eq!(ages, expected);
}

/// Five contacts with hip operations (KNFB, KNFJ), known by hand, for a criterion on March
/// 2021:
/// - p1: admitted 20 February, operated 2 March (in: the procedure's day counts);
/// - p2: admitted 5 March, operated 5 April (out);
/// - p3: admitted 15 March, operation without a date (in, on the admission day);
/// - p4: admitted 1 February, operation without a date (out);
/// - p5: admitted 20 March at a unit ending in 123, two operations that day (two events).
fn hip_registers(dir: &std::path::Path) -> RegisterSet {
    write_contacts(
        dir,
        "1,p1,2021-02-20,2021-03-10,ALCA00,6620011000000,DS720\n\
         2,p2,2021-03-05,2021-04-10,ALCA00,6620011000000,DS720\n\
         3,p3,2021-03-15,2021-03-20,ALCA00,6620011000000,DS720\n\
         4,p4,2021-02-01,2021-02-03,ALCA00,6620011000000,DS720\n\
         5,p5,2021-03-20,2021-03-25,ALCA00,6620022000123,DS721\n",
    );
    std::fs::write(
        dir.join("lpr_procedurer.csv"),
        "DW_EK_KONTAKT,PROCEDUREKODE,DATO_START\n\
         1,KNFB20,2021-03-02\n2,KNFB20,2021-04-05\n3,KNFJ51,\n4,KNFB20,\n\
         5,KNFB20,2021-03-20\n5,KNFJ51,2021-03-20\n1,ZZ0150,2021-03-02\n",
    )
    .expect("procedures");
    RegisterSet::open(dir).expect("opened")
}

#[test]
fn procedure_events_fall_on_their_own_day_or_else_their_contacts() {
    let dir = tempfile::tempdir().expect("temp");
    let mut registers = hip_registers(dir.path());
    let day = |iso: &str| parse_iso(iso).expect("date");
    let march = Days {
        from: day("2021-03-01"),
        to: day("2021-03-31"),
    };
    let surgery = Criterion {
        procedures: vec!["KNFB".into(), "KNFJ".into()],
        ..Default::default()
    };
    let at_unit = Criterion {
        units: vec!["sengeafsnit".into()],
        unit_codes: Some(vec!["6620022000123".into()]),
        ..surgery.clone()
    };
    let events = |registers: &RegisterSet, c: &Criterion| {
        let frame = criterion_events(registers, c, march, None, false)
            .expect("events")
            .collect()
            .expect("collected");
        let pnr = frame
            .column("PNR")
            .expect("PNR")
            .str()
            .expect("text")
            .clone();
        let days = frame
            .column("DAY")
            .expect("DAY")
            .i32()
            .expect("days")
            .clone();
        let mut rows: Vec<(String, i32)> = (0..frame.height())
            .map(|i| {
                (
                    pnr.get(i).expect("pnr").to_string(),
                    days.get(i).expect("day"),
                )
            })
            .collect();
        rows.sort();
        rows
    };
    let expected = [
        ("p1".to_string(), day("2021-03-02")),
        ("p3".to_string(), day("2021-03-15")),
        ("p5".to_string(), day("2021-03-20")),
        ("p5".to_string(), day("2021-03-20")),
    ];
    let at_123 = [
        ("p5".to_string(), day("2021-03-20")),
        ("p5".to_string(), day("2021-03-20")),
    ];
    // Read for the criterion alone, and from a run's frame of wider codes.
    assert_eq!(events(&registers, &surgery), expected);
    assert_eq!(events(&registers, &at_unit), at_123);
    registers.procedures.codes = vec!["KN".into(), "ZZ".into()];
    assert_eq!(events(&registers, &surgery), expected);
    assert_eq!(events(&registers, &at_unit), at_123);
    // A run asking about March alone: the frame it reads serves the criterion on March.
    registers.procedures.days = march;
    assert!(registers.procedures.serves(&surgery.procedures, march));
    assert_eq!(events(&registers, &surgery), expected);
    assert_eq!(events(&registers, &at_unit), at_123);
}

/// The contacts of the two tests below. p1's diabetes contact is an acute admission (23 hours):
/// an avoidable admission; p2's heart failure admission was planned and their COPD visit was
/// acute but three hours long: neither is one.
fn multimorbidity_contacts(dir: &std::path::Path) -> RegisterSet {
    std::fs::write(
        dir.join("lpr_kontakter.csv"),
        "DW_EK_KONTAKT,PNR,DATO_START,DATO_SLUT,KONTAKTTYPE,SORENHED_ANS,AKTIONSDIAGNOSE,PRIORITET,TIDSPUNKT_START,TIDSPUNKT_SLUT\n\
         1,p1,2023-02-01,2023-02-01,ALCA00,6620011000000,DJ069,ATA3,09:00,10:00\n\
         2,p1,2023-03-01,2023-03-02,ALCA00,6620011000000,DE119,ATA1,10:00,09:00\n\
         3,p2,2022-12-30,2022-12-30,ALCA00,6620011000000,DE110,ATA3,09:00,10:00\n\
         4,p2,2023-05-10,2023-05-12,ALCA00,6620011000000,DI500,ATA3,08:00,12:00\n\
         7,p2,2023-07-01,2023-07-01,ALCA00,6620011000000,DJ449,ATA1,08:00,11:00\n\
         5,p3,2024-01-01,2024-01-01,ALCA00,6620011000000,DJ459,ATA1,08:00,09:00\n\
         6,p4,2023-06-01,2023-06-01,ALCA00,6620011000000,DE119,ATA1,08:00,20:00\n",
    )
    .expect("contacts");
    RegisterSet::open(dir).expect("opened")
}

/// Multimorbidity's any contact (0) and avoidable admission (1) on contacts counted by hand,
/// all patients indexed on 1 January 2023 with the window of days 0-364:
/// - p1: a contact for otitis (J06) on 1 February (day 31), for diabetes (E11) on 1 March
///   (59): any contact after 31 days, avoidable after 59;
/// - p2: diabetes on 30 December 2022 (before the window), heart failure (I50) on 10 May
///   (129): both after 129 days;
/// - p3: asthma (J45) on 1 January 2024, day 365 (after the window): neither;
/// - p4, no patient: a contact that counts for nobody.
#[test]
fn contact_outcomes_read_by_one_scan_equal_each_read_alone() {
    let dir = tempfile::tempdir().expect("temp");
    let registers = multimorbidity_contacts(dir.path());
    let mut both = testing::shipped("multimorbidity_contacts");
    assert_eq!(shared_scans(&both.spec.outcomes), [vec![0, 1], vec![2]]);
    both.spec.outcomes.truncate(2);
    let index = testing::day("2023-01-01");
    let patients = df!(
        "PNR" => ["p1", "p2", "p3"],
        "INDEX_DAY" => [index; 3],
        "INDEX_END" => [None::<i32>; 3],
        "INDEX_KEY" => [None::<&str>; 3],
        "DEATH_DAY" => [None::<i32>; 3],
    )
    .expect("patients");
    let outcomes = |spec: &LoadedSpec| {
        let frame = with_outcomes(&registers, spec, patients.clone().lazy())
            .expect("outcomes")
            .sort(["PNR"], Default::default())
            .collect()
            .expect("collected");
        (0..spec.spec.outcomes.len())
            .map(|i| {
                let (out, wait) = outcome_columns(i);
                let column = |name: &str| -> Vec<Option<i32>> {
                    frame
                        .column(name)
                        .expect("column")
                        .i32()
                        .expect("days")
                        .iter()
                        .collect()
                };
                (column(&out), column(&wait))
            })
            .collect::<Vec<_>>()
    };
    let any = (
        vec![Some(1), Some(1), Some(0)],
        vec![Some(31), Some(129), None],
    );
    let avoidable = (vec![Some(1), Some(0), Some(0)], vec![Some(59), None, None]);
    assert_eq!(outcomes(&both), [any.clone(), avoidable.clone()]);
    for (i, expected) in [any, avoidable].into_iter().enumerate() {
        let mut alone = both.clone();
        alone.spec.outcomes = vec![both.spec.outcomes[i].clone()];
        assert_eq!(shared_scans(&alone.spec.outcomes), [vec![0]]);
        assert_eq!(outcomes(&alone), [expected], "outcome {i} alone");
    }
}

/// The number of contacts in the window per patient, counted by hand on the contacts above
/// ([`multimorbidity_contacts`]; p4 is no patient): any contact p1 2 (days 31, 59),
/// p2 2 (129, 181; the contact before the index does not count), p3 0 (day 365 is after the
/// window); avoidable admissions p1 1, p2 0, p3 0. With any contact asked only of those alive
/// 100 days after the index, p2, dead on day 50, is not at risk and has no count.
#[test]
fn events_in_the_window_are_counted_per_patient_at_risk() {
    let dir = tempfile::tempdir().expect("temp");
    let registers = multimorbidity_contacts(dir.path());
    let mut spec = testing::shipped("multimorbidity_contacts");
    spec.spec.outcomes.truncate(2);
    for o in &mut spec.spec.outcomes {
        o.count = true;
    }
    let index = testing::day("2023-01-01");
    let patients = df!(
        "PNR" => ["p1", "p2", "p3"],
        "INDEX_DAY" => [index; 3],
        "INDEX_END" => [None::<i32>; 3],
        "INDEX_KEY" => [None::<&str>; 3],
        "DEATH_DAY" => [None, Some(index + 50), None],
    )
    .expect("patients");
    let counts = |spec: &LoadedSpec| {
        let frame = with_outcomes(&registers, spec, patients.clone().lazy())
            .expect("outcomes")
            .sort(["PNR"], Default::default())
            .collect()
            .expect("collected");
        (0..2)
            .map(|i| {
                frame
                    .column(&crate::cohort::count_column(i))
                    .expect("column")
                    .u32()
                    .expect("counts")
                    .iter()
                    .collect::<Vec<_>>()
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        counts(&spec),
        [
            vec![Some(2), Some(2), Some(0)],
            vec![Some(1), Some(0), Some(0)]
        ]
    );
    spec.spec.outcomes[0].alive_days = Some(100);
    assert_eq!(counts(&spec)[0], [Some(2), None, Some(0)]);
}

#[test]
fn contact_details_are_read_for_the_index_contact_and_for_units() {
    let base = crate::spec::load(std::path::Path::new(
        "pipelines/multimorbidity_contacts.toml",
    ))
    .expect("shipped spec");
    assert!(!uses_contact_details(&base));
    let mut hospital = base.clone();
    hospital
        .spec
        .stratifiers
        .push(Stratifier::Derived(Derived::Hospital));
    let mut region = base.clone();
    region
        .spec
        .stratifiers
        .push(Stratifier::Derived(Derived::HospitalRegion));
    let mut readmission = base.clone();
    readmission.spec.outcomes[0].kind = OutcomeKind::Readmission;
    let mut include_at_unit = base.clone();
    include_at_unit.spec.patient_group.include[0].unit_codes = Some(vec!["6620011".into()]);
    let mut exclude_at_unit = base.clone();
    let mut excluded = exclude_at_unit.spec.patient_group.include[0].clone();
    excluded.unit_codes = Some(vec!["6620011".into()]);
    exclude_at_unit.spec.patient_group.exclude.push(excluded);
    for (name, spec) in [
        ("hospital", hospital),
        ("hospital_region", region),
        ("readmission", readmission),
        ("include at a unit", include_at_unit),
        ("exclude at a unit", exclude_at_unit),
    ] {
        assert!(uses_contact_details(&spec), "{name}");
    }
}

#[test]
fn prefixes_of_several_lengths_match_as_starts_with_would() {
    let kept = |prefixes: &[&str]| {
        let prefixes = codes(prefixes);
        let values = Series::new(
            "DIAGNOSEKODE".into(),
            [
                Some("DE119"),
                Some("DE1"),
                Some("DJ449"),
                Some("DS7211"),
                Some("DS7231"),
                Some("DI21"),
                Some("DI219"),
                Some("XE11"),
                Some("DÆ11"),
                None,
            ],
        );
        let kept = DataFrame::new(10, vec![values.into()])
            .expect("frame")
            .lazy()
            .filter(starts_with_any("DIAGNOSEKODE", "D", &prefixes))
            .collect()
            .expect("filtered");
        let kept = kept
            .column("DIAGNOSEKODE")
            .expect("column")
            .str()
            .expect("text")
            .clone();
        (0..kept.len())
            .filter_map(|i| kept.get(i).map(String::from))
            .collect::<Vec<String>>()
    };
    // Prefixes of several lengths, behind the bit set of their first three bytes.
    assert_eq!(
        kept(&["E11", "J44", "S721", "I21"]),
        ["DE119", "DJ449", "DS7211", "DI21", "DI219"]
    );
    // Many of one length and one of another.
    assert_eq!(
        kept(&["E11", "J44", "I50", "I25", "N18", "M81", "S721"]),
        ["DE119", "DJ449", "DS7211"]
    );
    assert_eq!(
        kept(&["E11", "J44", "I50", "I25", "N18", "I21"]),
        ["DE119", "DJ449", "DI21", "DI219"]
    );
    // A prefix of two bytes (a whole chapter): no bit set, every length looked up.
    assert_eq!(kept(&["E", "J44"]), ["DE119", "DE1", "DJ449"]);
}
