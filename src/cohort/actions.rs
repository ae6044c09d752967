//! Contacts by action diagnosis, read once per run for the action-diagnosis criteria of every
//! analysis.
//!
//! Most patient groups are "a contact with an action diagnosis of these codes in these days":
//! the shipped pipelines ask it of AMI (`I21`, and again for the year before, to exclude earlier
//! infarctions), hip fracture (`S720`-`S722`), youth depression and anxiety (`F32`, `F41`) and
//! type 2 diabetes (`E11`, in two trend years). Each is a pass over the contacts of its years
//! (about 15 million a year at national volume) for a few thousand rows. Read once for the codes
//! of all of them on the union of their days, the contacts are scanned once, and each criterion
//! filters the frame in memory: one scan of the union took about a third of the time of five
//! scans, or of one scan of each criterion's codes and days OR-ed together (bench/HISTORY.md).
//!
//! The frame is kept for the run. A criterion of broad codes or long look-back widens it for
//! every analysis of the run (one reads `E11` for AMI's years); the rows each criterion gets are
//! its own codes' on its own days all the same.

use polars::prelude::*;

use super::reads::{contacts, starts_with_any};
use crate::error::Result;
use crate::registers::scan::{RegisterSet, collect_streaming};
use crate::registers::scope::Days;
use crate::spec::{Criterion, Design, DiagnosisType, Spec};

/// The criteria of a spec that read contacts by action diagnosis.
fn criteria(spec: &Spec) -> impl Iterator<Item = &Criterion> {
    let group = &spec.patient_group;
    group.include.iter().chain(&group.exclude).filter(|c| {
        c.diagnosis_type == DiagnosisType::Action
            && !c.diagnoses.is_empty()
            && c.procedures.is_empty()
            && c.atc.is_empty()
    })
}

/// The action diagnosis codes (ICD-10 prefixes) a spec's criteria read.
pub(crate) fn codes_of(spec: &Spec) -> Vec<String> {
    criteria(spec)
        .flat_map(|c| c.diagnoses.iter().cloned())
        .collect()
}

/// The days on which such a contact can matter to `spec` in `design` (`None` when it reads
/// none): each criterion's look-back before the design's days, and the days themselves.
pub(crate) fn days_of(spec: &Spec, design: Design) -> Option<Days> {
    criteria(spec)
        .map(|c| Days::of_design(design).widened(c.reach_days(), 0))
        .reduce(Days::spanning)
}

/// The contacts starting on `days` whose action diagnosis starts with one of `wanted` (after the
/// SKS `D`), shaped as [`contacts`] without `KEY`: `PNR`, `DAY`, `END`, `SORENHED_ANS`,
/// `AKTIONSDIAGNOSE`.
///
/// Taken from the frame read once for the run's scope ([`RegisterSet::action_contacts`]) when
/// it serves `wanted` on `days`, and read for them alone otherwise.
pub(super) fn with_codes(
    registers: &RegisterSet,
    wanted: &[String],
    days: Days,
) -> Result<LazyFrame> {
    let scope = &registers.action_contacts;
    let frame = if scope.serves(wanted, days) {
        registers
            .shared(&scope.key("action_contacts"), || {
                Ok(collect_streaming(read(
                    registers,
                    &scope.codes,
                    scope.days,
                )?)?)
            })?
            .lazy()
    } else {
        read(registers, wanted, days)?
    };
    Ok(frame.filter(
        starts_with_any("AKTIONSDIAGNOSE", "D", wanted)
            .and(col("DAY").gt_eq(lit(days.from)))
            .and(col("DAY").lt_eq(lit(days.to))),
    ))
}

/// The contacts of `codes` on `days`, as the register is read (lazy).
fn read(registers: &RegisterSet, codes: &[String], days: Days) -> Result<LazyFrame> {
    Ok(contacts(registers, days)?
        .filter(starts_with_any("AKTIONSDIAGNOSE", "D", codes))
        .select([
            col("PNR"),
            col("DAY"),
            col("END"),
            col("SORENHED_ANS"),
            col("AKTIONSDIAGNOSE"),
            col("KEY"),
        ]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cohort::testing::{
        codes, day, days_of_shipped, scope_of_shipped, shipped, span, write_contacts,
    };
    use crate::registers::scope::Scope;

    /// Five contacts known by hand: p1 an infarction (DI219) on 2021-03-10, p2 one on
    /// 2022-02-01, p3 type 2 diabetes (DE119) on 2021-06-01, p4 depression (DF329) on
    /// 2021-04-01, p5 a contact for something else (DZ000) on 2021-03-10.
    fn registers(dir: &std::path::Path) -> RegisterSet {
        write_contacts(
            dir,
            "1,p1,2021-03-10,2021-03-12,ALCA00,6620011000000,DI219\n\
             2,p2,2022-02-01,2022-02-01,ALCA00,6620011000000,DI219\n\
             3,p3,2021-06-01,2021-06-01,ALCA00,6620011000000,DE119\n\
             4,p4,2021-04-01,2021-04-01,ALCA00,6620011000050,DF329\n\
             5,p5,2021-03-10,2021-03-10,ALCA00,6620011000000,DZ000\n",
        );
        RegisterSet::open(dir).expect("opened")
    }

    /// (person, action diagnosis) of a frame shaped as [`with_codes`], sorted.
    fn rows(frame: LazyFrame) -> Vec<(String, String)> {
        let frame = frame.collect().expect("collected");
        let text = |name: &str| frame.column(name).expect(name).str().expect("text").clone();
        let (pnr, code) = (text("PNR"), text("AKTIONSDIAGNOSE"));
        let mut rows: Vec<_> = (0..frame.height())
            .map(|i| {
                (
                    pnr.get(i).expect("pnr").to_string(),
                    code.get(i).expect("code").to_string(),
                )
            })
            .collect();
        rows.sort();
        rows
    }

    fn row(pnr: &str, code: &str) -> (String, String) {
        (pnr.to_string(), code.to_string())
    }

    #[test]
    fn each_criterion_gets_its_own_contacts_from_the_frame_read_once() {
        let dir = tempfile::tempdir().expect("temp");
        let mut registers = registers(dir.path());
        registers.action_contacts = Scope {
            codes: codes(&["E11", "I21"]),
            days: span("2021-01-01", "2021-12-31"),
        };
        let march = span("2021-03-01", "2021-03-31");
        let infarctions = with_codes(&registers, &codes(&["I21"]), march).expect("I21");
        assert_eq!(rows(infarctions), [row("p1", "DI219")]);
        let kept = registers
            .shared(&registers.action_contacts.key("action_contacts"), || {
                unreachable!("read above")
            })
            .expect("kept");
        assert_eq!(
            rows(kept.lazy()),
            [row("p1", "DI219"), row("p3", "DE119")],
            "the run's codes on its days"
        );
        let diabetes = with_codes(&registers, &codes(&["E11"]), march).expect("E11 in March");
        assert!(rows(diabetes).is_empty(), "p3's contact is in June");
        // Days and codes outside the run's are read on their own.
        let two_years = span("2021-01-01", "2022-12-31");
        let infarctions = with_codes(&registers, &codes(&["I21"]), two_years).expect("I21");
        assert_eq!(rows(infarctions), [row("p1", "DI219"), row("p2", "DI219")]);
        let depression = with_codes(&registers, &codes(&["F32"]), two_years).expect("F32");
        assert_eq!(rows(depression), [row("p4", "DF329")]);
    }

    /// The days the shipped pipelines' action-diagnosis criteria can ask about, counted by hand:
    /// AMI's period 2021-01-01 to 2024-09-30 and its exclusion of an infarction in the 365 days
    /// before (from 2020-01-02, 2020 being a leap year); hip fracture's period to 2024-12-29;
    /// youth's to 2024-06-30; diabetes' 730 days before its index 2024-01-01 (from 2022-01-01,
    /// to the index day itself: a superset of the look-back) and in its trend year 2023 from
    /// 2021-01-01. Multimorbidity's criterion is of any diagnosis type: none.
    #[test]
    fn the_run_reads_contacts_on_the_days_its_criteria_ask_about() {
        let days = |name: &str| days_of_shipped(days_of, name);
        assert_eq!(
            days("ami_pci_rehab_death"),
            Some((day("2020-01-02"), day("2024-09-30")))
        );
        assert_eq!(
            days("hip_fracture_surgery"),
            Some((day("2021-01-01"), day("2024-12-29")))
        );
        assert_eq!(
            days("youth_depression_anxiety_wait"),
            Some((day("2021-01-01"), day("2024-06-30")))
        );
        assert_eq!(
            days("t2d_sglt2_glp1"),
            Some((day("2022-01-01"), day("2024-01-01")))
        );
        assert_eq!(days("multimorbidity_contacts"), None);
        let t2d = shipped("t2d_sglt2_glp1");
        let scope = Scope::of_run(
            [(&t2d.spec, vec![t2d.design.in_year(2023), t2d.design])],
            codes_of,
            days_of,
        );
        assert_eq!(
            (scope.days.from, scope.days.to),
            (day("2021-01-01"), day("2024-01-01"))
        );
        assert_eq!(scope.codes, codes(&["E11"]));
        let scope = scope_of_shipped(
            &[
                "ami_pci_rehab_death",
                "hip_fracture_surgery",
                "multimorbidity_contacts",
                "youth_depression_anxiety_wait",
            ],
            codes_of,
            days_of,
        );
        assert_eq!(
            (scope.days.from, scope.days.to),
            (day("2020-01-02"), day("2024-12-29"))
        );
        assert_eq!(
            scope.codes,
            codes(&["F32", "F41", "I21", "S720", "S721", "S722"])
        );
    }
}
