//! Known truth for the patient register's priority, setting and times: hand-made contacts of
//! hip fractures whose patient group, surgery within 24 and 48 hours, readmissions within 30
//! days and lengths of stay were counted by hand ([`crate::cohort`]'s stays, `docs/registers.md`).

use polars::prelude::*;

use super::patients::patient_frame;
use crate::registers::scan::RegisterSet;

/// An acute inpatient hip fracture (S72 as action diagnosis) is the patient group; surgery
/// (KNFB) within 24 and 48 hours of arrival; an acute readmission within 30 days of discharge.
const HIP: &str = r#"
id = "hip"
title_da = "Hoftebrud"
title_en = "Hip fracture"
description_da = "x"
description_en = "x"
topic = "ortopædi"
registers = "."
stratifiers = ["sex"]

[population]
period = ["2023-01-01", "2023-12-31"]

[patient_group]
[[patient_group.include]]
diagnoses = ["S72"]
priority = "acute"
setting = "inpatient"

[[outcomes]]
id = "surgery_24h"
name_da = "Operation inden for 24 timer"
name_en = "Surgery within 24 hours"
kind = "procedure"
codes = ["KNFB"]
window_days = [0, 1]
window_hours = [0, 24]

[[outcomes]]
id = "surgery_48h"
name_da = "Operation inden for 48 timer"
name_en = "Surgery within 48 hours"
kind = "procedure"
codes = ["KNFB"]
window_days = [0, 2]
window_hours = [0, 48]

[[outcomes]]
id = "readmission_30"
name_da = "Genindlæggelse inden for 30 dage"
name_en = "Readmission within 30 days"
kind = "readmission"
window_days = [0, 30]
favourable = false

[[outcomes]]
id = "discharged_4d"
name_da = "Udskrevet inden for 4 dage"
name_en = "Discharged within 4 days"
kind = "length_of_stay"
window_days = [0, 4]
"#;

/// The contacts, known by hand (times of day; `ATA1` acute, `ATA3` planned):
/// - h1: emergency department 03-01 08:00-13:00, then the orthopaedic ward from 14:00 (an hour
///   later: one stay) to 03-06; surgery 03-02 10:00, 26 hours after arrival (20 after the
///   ward's contact began): not within 24 hours, within 48;
/// - h2: surgery the same day, 4 hours after arrival: within both;
/// - h3: surgery 23 hours after arrival: within both;
/// - h4: surgery 25 hours after arrival: within 48 only;
/// - h5: a planned admission with a hip fracture: not in the group;
/// - h6: an acute visit of 3 hours with a hip fracture (outpatient): not in the group;
/// - h7: discharged 06-03; an acute admission on 07-03, day 30 after discharge: readmitted;
/// - h8: discharged 06-03; a planned admission on day 7, an acute outpatient visit on day 12,
///   an acute admission on day 31: not readmitted;
/// - h9: index contact 08-01 08:00 to 08-02 23:00, a transfer from 08-03 01:00 (2 hours later:
///   the same stay) to 08-06: discharged 08-06, no readmission (the contact-based rule counted
///   the transfer, which starts after the index contact's end).
/// - i1: emergency department 09-01 22:00-23:30, the ward from 09-02 00:30 (the same stay) with
///   the fracture to 09-04: indexed on 09-02, but the stay began on 09-01.
///
/// Discharged within 4 days of the index, and the stay's days from arrival to discharge: h1 no
/// (03-01 to 03-06, 5 days), h2, h3 and h4 yes (4), h7 and h8 yes (2), h9 no (08-01 to 08-06),
/// i1 yes, 3 days (not 2: from the arrival, not from the ward).
fn registers(dir: &std::path::Path) -> RegisterSet {
    let write = |name: &str, text: &str| {
        std::fs::write(dir.join(name), text).expect("register written");
    };
    let persons = ["h1", "h2", "h3", "h4", "h5", "h6", "h7", "h8", "h9", "i1"];
    let bef: String = persons
        .iter()
        .map(|p| format!("{p},1940-01-01,2,101,1\n"))
        .collect();
    write(
        "bef2023.csv",
        &format!("PNR,FOED_DAG,KOEN,KOM,IE_TYPE\n{bef}"),
    );
    crate::cohort::testing::write_timed_contacts(
        dir,
        "\
         10,h1,2023-03-01,08:00,2023-03-01,13:00,ALCA00,ATA1,6620011000000,DR688\n\
         11,h1,2023-03-01,14:00,2023-03-06,10:00,ALCA00,ATA1,6620012000000,DS720\n\
         20,h2,2023-03-10,08:00,2023-03-14,12:00,ALCA00,ATA1,6620012000000,DS721\n\
         30,h3,2023-04-01,08:00,2023-04-05,12:00,ALCA00,ATA1,6620012000000,DS722\n\
         40,h4,2023-04-10,08:00,2023-04-14,12:00,ALCA00,ATA1,6620012000000,DS720\n\
         50,h5,2023-04-20,08:00,2023-04-24,12:00,ALCA00,ATA3,6620012000000,DS720\n\
         60,h6,2023-05-01,09:00,2023-05-01,12:00,ALCA00,ATA1,6620012000000,DS720\n\
         70,h7,2023-06-01,08:00,2023-06-03,12:00,ALCA00,ATA1,6620012000000,DS720\n\
         71,h7,2023-07-03,10:00,2023-07-04,10:00,ALCA00,ATA1,6620011000000,DI500\n\
         80,h8,2023-06-01,08:00,2023-06-03,12:00,ALCA00,ATA1,6620012000000,DS720\n\
         81,h8,2023-06-10,08:00,2023-06-12,12:00,ALCA00,ATA3,6620012000000,DZ470\n\
         82,h8,2023-06-15,10:00,2023-06-15,13:00,ALCA00,ATA1,6620011000000,DR104\n\
         83,h8,2023-07-04,10:00,2023-07-05,10:00,ALCA00,ATA1,6620011000000,DI500\n\
         90,h9,2023-08-01,08:00,2023-08-02,23:00,ALCA00,ATA1,6620012000000,DS720\n\
         91,h9,2023-08-03,01:00,2023-08-06,10:00,ALCA00,ATA1,6620013000000,DZ501\n\
         100,i1,2023-09-01,22:00,2023-09-01,23:30,ALCA00,ATA1,6620011000000,DR688\n\
         101,i1,2023-09-02,00:30,2023-09-04,11:00,ALCA00,ATA1,6620012000000,DS720\n",
    );
    write(
        "lpr_procedurer.csv",
        "DW_EK_KONTAKT,PROCEDUREKODE,DATO_START,TIDSPUNKT_START\n\
         11,KNFB20,2023-03-02,10:00\n\
         20,KNFB20,2023-03-10,12:00\n\
         30,KNFB30,2023-04-02,07:00\n\
         40,KNFB20,2023-04-11,09:00\n",
    );
    RegisterSet::open(dir).expect("opened")
}

/// The patient frame of the spec `text`, written into `dir` beside the registers.
fn patients_of(
    registers: &RegisterSet,
    dir: &std::path::Path,
    text: &str,
) -> crate::error::Result<DataFrame> {
    let path = dir.join("spec.toml");
    std::fs::write(&path, text).expect("spec");
    let loaded = crate::spec::load(&path).expect("spec loads");
    patient_frame(registers, &loaded)
}

/// The values of the 1/0 outcome `column`, in the frame's order.
fn outcome(frame: &DataFrame, column: &str) -> Vec<Option<i32>> {
    frame
        .column(column)
        .expect(column)
        .i32()
        .expect("1/0")
        .iter()
        .collect()
}

#[test]
fn hours_from_arrival_acute_inpatient_stays_and_readmissions_give_the_hand_counted_answers() {
    let dir = tempfile::tempdir().expect("temp");
    let registers = registers(dir.path());
    let frame = patients_of(&registers, dir.path(), HIP)
        .expect("patients")
        .sort(["PNR"], Default::default())
        .expect("sorted");
    let persons: Vec<&str> = frame
        .column("PNR")
        .expect("PNR")
        .str()
        .expect("text")
        .iter()
        .map(|p| p.expect("a person"))
        .collect();
    assert_eq!(persons, ["h1", "h2", "h3", "h4", "h7", "h8", "h9", "i1"]);
    let yes = Some(1);
    let no = Some(0);
    assert_eq!(outcome(&frame, "OUT_0"), [no, yes, yes, no, no, no, no, no]);
    assert_eq!(
        outcome(&frame, "OUT_1"),
        [yes, yes, yes, yes, no, no, no, no]
    );
    assert_eq!(outcome(&frame, "OUT_2"), [no, no, no, no, yes, no, no, no]);
    assert_eq!(
        outcome(&frame, "OUT_3"),
        [no, yes, yes, yes, yes, yes, no, yes]
    );
    let days = [
        None,
        Some(4),
        Some(4),
        Some(4),
        Some(2),
        Some(2),
        None,
        Some(3),
    ];
    assert_eq!(outcome(&frame, "WAIT_3"), days);
}

#[test]
fn hours_without_times_stop_the_analysis_with_the_outcome_named() {
    let dir = tempfile::tempdir().expect("temp");
    registers(dir.path());
    std::fs::write(
        dir.path().join("lpr_procedurer.csv"),
        "DW_EK_KONTAKT,PROCEDUREKODE,DATO_START\n11,KNFB20,2023-03-02\n",
    )
    .expect("procedures without times");
    let registers = RegisterSet::open(dir.path()).expect("opened");
    let error = patients_of(&registers, dir.path(), HIP)
        .expect_err("hours need times")
        .to_string();
    assert!(
        error.contains("surgery_24h") && error.contains("TIDSPUNKT_START"),
        "{error}"
    );
}

#[test]
fn a_priority_without_the_column_stops_the_analysis() {
    let dir = tempfile::tempdir().expect("temp");
    registers(dir.path());
    let contacts = std::fs::read_to_string(dir.path().join("lpr_kontakter.csv")).expect("read");
    let without: String = contacts
        .lines()
        .map(|line| {
            let mut fields: Vec<&str> = line.split(',').collect();
            fields.remove(7);
            fields.join(",") + "\n"
        })
        .collect();
    std::fs::write(dir.path().join("lpr_kontakter.csv"), without).expect("written");
    let registers = RegisterSet::open(dir.path()).expect("opened");
    let error = patients_of(&registers, dir.path(), HIP)
        .expect_err("priority needs PRIORITET")
        .to_string();
    assert!(error.contains("PRIORITET"), "{error}");
}

/// A contact outcome of some priority whose window opens days after the index: the stay holding
/// its contact began before the index, and its first contact decides the priority.
const LATE_WINDOW: &str = r#"
id = "late"
title_da = "Sen"
title_en = "Late"
description_da = "x"
description_en = "x"
topic = "hjerte"
registers = "."
stratifiers = ["sex"]

[population]
index_date = "2023-01-01"

[patient_group]
[[patient_group.include]]
diagnoses = ["I50"]
lookback_days = 365

[[outcomes]]
id = "acute_heart_failure"
name_da = "Akut hjertesvigt"
name_en = "Acute heart failure"
kind = "contact"
codes = ["I50"]
window_days = [7, 30]
priority = "acute"
"#;

#[test]
fn a_stay_that_began_before_a_late_window_keeps_its_first_contacts_priority() {
    // p1: an acute admission with heart failure from 2022-11-20, a planned ward contact from
    // 2022-12-05 (two hours later: the same stay) to 2023-01-09 09:00, and heart failure again
    // at 09:30 that day (the same stay), day 8 after the index: in the window, in an acute
    // stay. p2: the same without the acute start, a planned stay: not counted.
    let dir = tempfile::tempdir().expect("temp");
    std::fs::write(
        dir.path().join("bef2023.csv"),
        "PNR,FOED_DAG,KOEN,KOM,IE_TYPE\np1,1950-01-01,2,101,1\np2,1950-01-01,1,101,1\n",
    )
    .expect("population written");
    crate::cohort::testing::write_timed_contacts(
        dir.path(),
        "\
         1,p1,2022-11-20,08:00,2022-12-05,10:00,ALCA00,ATA1,6620011000000,DI500\n\
         2,p1,2022-12-05,12:00,2023-01-09,09:00,ALCA00,ATA3,6620012000000,DZ000\n\
         3,p1,2023-01-09,09:30,2023-01-09,12:00,ALCA00,ATA3,6620012000000,DI500\n\
         4,p2,2022-11-20,08:00,2022-12-05,10:00,ALCA00,ATA3,6620011000000,DI500\n\
         5,p2,2022-12-05,12:00,2023-01-09,09:00,ALCA00,ATA3,6620012000000,DZ000\n\
         6,p2,2023-01-09,09:30,2023-01-09,12:00,ALCA00,ATA3,6620012000000,DI500\n",
    );
    let registers = RegisterSet::open(dir.path()).expect("opened");
    let frame = patients_of(&registers, dir.path(), LATE_WINDOW)
        .expect("patients")
        .sort(["PNR"], Default::default())
        .expect("sorted");
    assert_eq!(outcome(&frame, "OUT_0"), [Some(1), Some(0)]);
}
