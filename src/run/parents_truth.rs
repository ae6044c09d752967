//! Known truth for the parents' social position: hand-made children linked to hand-made parents
//! (`MOR_ID`, `FAR_ID`), whose parental education and income quintile were worked out by hand
//! ([`crate::strata`]'s parents, `docs/registers.md`).

use polars::prelude::*;

use super::patients::patient_frame;
use crate::registers::scan::RegisterSet;

/// Young people with depression (F32) in 2023, by their parents' education and income.
const YOUTH: &str = r#"
id = "youth"
title_da = "Unge med depression"
title_en = "Young people with depression"
description_da = "x"
description_en = "x"
topic = "psykiatri"
registers = "."
stratifiers = ["parental_education", "parental_income", "education"]

[population]
period = ["2023-01-01", "2023-12-31"]

[patient_group]
[[patient_group.include]]
diagnoses = ["F32"]

[[outcomes]]
id = "death"
name_da = "Død"
name_en = "Death"
kind = "death"
window_days = [0, 30]
favourable = false
"#;

/// The population of 2023, known by hand:
/// - mothers m1-m5 (women born 1985, one sex and age group), m3 without an income: 100,000,
///   200,000, 400,000 and 500,000 DKK have the 20/40/60/80% cut points (R's type 7) 160,000,
///   240,000, 360,000 and 440,000, so m2 is in the 2nd quintile and m5 in the 5th; fathers f1-f5
///   (men born 1983) with 100,000 to 500,000 have 180,000, 260,000, 340,000 and 420,000, so f1 is
///   in the 1st and f3 in the 3rd; m5 has a long education, m2 a medium one, m3 none recorded
///   (H90), f1 and f3 a short one;
/// - c1: mother m5 (long, 5th quintile), father f1 (short, 1st): long and 5;
/// - c2: mother m2 (medium, 2nd), no father: medium and 2;
/// - c3: mother m3 (no education, no income row), father f3 (short, 3rd): short and 3;
/// - c4: no parents: unknown and unknown;
/// - c5: mother x, who is in no register of 2023 (emigrated): unknown and unknown;
/// - every child's own education is primary school (H10): short.
fn registers(dir: &std::path::Path) -> RegisterSet {
    let write = |name: &str, text: &str| {
        std::fs::write(dir.join(name), text).expect("register written");
    };
    write(
        "bef2023.csv",
        "PNR,FOED_DAG,KOEN,KOM,IE_TYPE,MOR_ID,FAR_ID\n\
         m1,1985-01-01,2,101,1,,\nm2,1985-01-01,2,101,1,,\nm3,1985-01-01,2,101,1,,\n\
         m4,1985-01-01,2,101,1,,\nm5,1985-01-01,2,101,1,,\n\
         f1,1983-01-01,1,101,1,,\nf2,1983-01-01,1,101,1,,\nf3,1983-01-01,1,101,1,,\n\
         f4,1983-01-01,1,101,1,,\nf5,1983-01-01,1,101,1,,\n\
         c1,2008-01-01,1,101,1,m5,f1\nc2,2008-01-01,2,101,1,m2,\nc3,2008-01-01,1,101,1,m3,f3\n\
         c4,2008-01-01,2,101,1,,\nc5,2008-01-01,2,101,1,x,\n",
    );
    write(
        "udda2023.csv",
        "PNR,HFAUDD\nm5,7010\nm2,3010\nm3,9010\nf1,1010\nf3,1510\n\
         c1,1010\nc2,1010\nc3,1010\nc4,1010\nc5,1010\n",
    );
    write(
        "ind2023.csv",
        "PNR,FAMAEKVIVADISP\nm1,100000\nm2,200000\nm4,400000\nm5,500000\n\
         f1,100000\nf2,200000\nf3,300000\nf4,400000\nf5,500000\n",
    );
    let persons = ["c1", "c2", "c3", "c4", "c5"];
    let contacts: String = persons
        .iter()
        .enumerate()
        .map(|(i, p)| format!("{i},{p},2023-03-01,2023-03-01,ALCA00,6620050000000,DF321\n"))
        .collect();
    crate::cohort::testing::write_contacts(dir, &contacts);
    write("dod.csv", "PNR,DODDATO\n");
    RegisterSet::open(dir).expect("opened")
}

/// The text values of `column`, in the frame's order.
fn texts(frame: &DataFrame, column: &str) -> Vec<String> {
    frame
        .column(column)
        .expect(column)
        .str()
        .expect("text")
        .iter()
        .map(|v| v.unwrap_or("").to_string())
        .collect()
}

#[test]
fn children_get_the_higher_of_their_parents_education_and_income_quintile() {
    let dir = tempfile::tempdir().expect("temp");
    let registers = registers(dir.path());
    let path = dir.path().join("youth.toml");
    std::fs::write(&path, YOUTH).expect("spec");
    let loaded = crate::spec::load(&path).expect("spec loads");
    let frame = patient_frame(&registers, &loaded)
        .expect("patients")
        .sort(["PNR"], Default::default())
        .expect("sorted");
    assert_eq!(texts(&frame, "PNR"), ["c1", "c2", "c3", "c4", "c5"]);
    assert_eq!(
        texts(&frame, "parental_education"),
        ["lang", "mellem", "kort", "uoplyst", "uoplyst"]
    );
    assert_eq!(
        texts(&frame, "parental_income"),
        ["5", "2", "3", "uoplyst", "uoplyst"]
    );
    assert_eq!(
        texts(&frame, "education"),
        ["kort"; 5],
        "their own education is primary school"
    );
}

/// The children's families, by hand: c1 and c4 live in couples (codes 11 and 31 of the table),
/// c2 with a single parent (2), c3 has no family type, c5 a code the table may lack (99).
#[test]
fn cohabitation_groups_the_family_type_by_the_users_table_and_refuses_a_code_it_lacks() {
    let dir = tempfile::tempdir().expect("temp");
    registers(dir.path());
    let bef = std::fs::read_to_string(dir.path().join("bef2023.csv")).expect("bef");
    let types = [
        ("c1", "11"),
        ("c2", "2"),
        ("c3", ""),
        ("c4", "31"),
        ("c5", "99"),
    ];
    let with_types: String = bef
        .lines()
        .enumerate()
        .map(|(i, line)| {
            let code = match i {
                0 => "FAMILIE_TYPE",
                _ => types
                    .iter()
                    .find(|(p, _)| line.starts_with(&format!("{p},")))
                    .map_or("", |(_, c)| c),
            };
            format!("{line},{code}\n")
        })
        .collect();
    std::fs::write(dir.path().join("bef2023.csv"), with_types).expect("bef with types");
    let registers = RegisterSet::open(dir.path()).expect("opened");
    let run = |table: &str| {
        std::fs::write(dir.path().join("familietype.csv"), table).expect("table");
        let spec = YOUTH
            .replace(
                "stratifiers = [\"parental_education\", \"parental_income\", \"education\"]",
                "stratifiers = [\"cohabitation\"]\nclassifications = { family_type = \"familietype.csv\" }",
            );
        let path = dir.path().join("youth.toml");
        std::fs::write(&path, spec).expect("spec");
        let loaded = crate::spec::load(&path).expect("spec loads");
        patient_frame(&registers, &loaded)
    };
    let frame = run("FAMILIE_TYPE,GRUPPE\n1,enlig\n2,enlig\n11,par\n12,par\n31,par\n99,single\n")
        .expect("patients")
        .sort(["PNR"], Default::default())
        .expect("sorted");
    assert_eq!(
        texts(&frame, "cohabitation"),
        ["par", "enlig", "uoplyst", "par", "enlig"]
    );
    let refused = run("FAMILIE_TYPE,GRUPPE\n1,enlig\n2,enlig\n11,par\n31,par\n")
        .expect_err("99 is not in the table")
        .to_string();
    assert!(
        refused.contains("FAMILIE_TYPE in bef2023") && refused.contains("99"),
        "{refused}"
    );
}
