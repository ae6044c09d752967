//! Procedures joined to their contacts, read once per run for the procedure codes of every
//! analysis.
//!
//! A procedure carries no person: it is found through its contact, and the contacts of every
//! date are read for it (filtered on the procedures' keys as they are read), since a procedure's
//! contact may have started long before the procedure (a long admission). At national volume
//! that is a pass over 146 million contacts for each procedure criterion or outcome, and the
//! shipped pipelines ask for five of them (PCI and cardiac rehabilitation after AMI, surgery
//! within 24 and 48 hours of a hip fracture, coordinated care in multimorbidity). Read once per
//! registers folder for the codes of all of them (a few hundred thousand procedures), each one
//! filters the frame in memory.
//!
//! Only the procedures dated on a day some analysis of the run can ask about are read (and those
//! without a date, which take their contact's start): the contacts are tested against fewer
//! keys, which at national volume is most of this read's time (the shipped pipelines ask about
//! 2021-2024, 160,000 of the 400,000 procedures of their codes in ten years).
//!
//! The frame is kept for the run, and its cost is counted in the step of the first analysis that
//! asks for it. A spec with a broad prefix (`BV`) or a long window widens it for every analysis
//! of the run; the rows each analysis gets are its own codes' on its own days all the same.

use polars::prelude::*;

use super::reads::{contacts_joined, day, starts_with_any};
use crate::error::Result;
use crate::registers::scan::{RegisterSet, collect_streaming};
use crate::registers::scope::Days;
use crate::spec::{Design, OutcomeKind, Spec};

/// The procedure codes (SKS prefixes) a spec reads: its criteria's and its procedure outcomes'.
pub(crate) fn codes_of(spec: &Spec) -> Vec<String> {
    let group = &spec.patient_group;
    let criteria = group
        .include
        .iter()
        .chain(&group.exclude)
        .flat_map(|c| c.procedures.iter());
    let outcomes = spec
        .outcomes
        .iter()
        .filter(|o| o.kind == OutcomeKind::Procedure)
        .flat_map(|o| o.codes.iter());
    criteria.chain(outcomes).cloned().collect()
}

/// The days on which a procedure can matter to `spec` in `design` (`None` when it reads none):
/// a criterion's look-back before the design's days (its events are looked for there, or in
/// the days themselves), and each procedure outcome's window after them.
pub(crate) fn days_of(spec: &Spec, design: Design) -> Option<Days> {
    let group = &spec.patient_group;
    let criteria = group
        .include
        .iter()
        .chain(&group.exclude)
        .filter(|c| !c.procedures.is_empty())
        .map(|c| Days::of_design(design).widened(c.reach_days(), 0));
    let outcomes = spec
        .outcomes
        .iter()
        .filter(|o| o.kind == OutcomeKind::Procedure)
        .map(|o| {
            let [from, to] = o.window_days;
            Days::of_design(design).widened(-from, to)
        });
    criteria.chain(outcomes).reduce(Days::spanning)
}

/// The procedures whose codes start with one of `wanted` and whose day is in `days` (or who have
/// none), each joined to its contact: `PNR`, `DAY` (the contact's start), `END`,
/// `SORENHED_ANS`, `PROCEDUREKODE`, `PROCEDURE_DAY` (the procedure's own day, null where the
/// register has none), `PROCEDURE_TIME` (its seconds since midnight, where the register has
/// them), `KEY` (the contact); contacts of every date, one row per procedure.
///
/// Taken from the frame read once for the run's [`super::Scope`] ([`RegisterSet::procedures`]) when it
/// covers `wanted` on `days`, and read for `wanted` on `days` alone otherwise (a register set
/// opened outside a run, as in tests). The kept frame is named by its scope, so a scope changed
/// later is read anew rather than looked for in a frame that lacks its rows.
pub(super) fn with_contacts(
    registers: &RegisterSet,
    wanted: &[String],
    days: Days,
) -> Result<LazyFrame> {
    let scope = &registers.procedures;
    let frame = if scope.serves(wanted, days) {
        registers.shared(&scope.key("procedure_contacts"), || {
            read(registers, &scope.codes, scope.days)
        })?
    } else {
        read(registers, wanted, days)?
    };
    Ok(frame
        .lazy()
        .filter(starts_with_any("PROCEDUREKODE", "", wanted)))
}

/// Reads the procedures of `codes` on `days` (or without a day) and joins them to their
/// contacts (shaped as [`with_contacts`]).
fn read(registers: &RegisterSet, codes: &[String], days: Days) -> Result<DataFrame> {
    let procedures = registers
        .require("lpr_procedurer")?
        .filter(
            starts_with_any("PROCEDUREKODE", "", codes)
                .and(col("DATO_START").is_null().or(days.contains("DATO_START"))),
        )
        .select([
            col("DW_EK_KONTAKT").alias("KEY"),
            col("PROCEDUREKODE"),
            day("DATO_START").alias("PROCEDURE_DAY"),
            col("TIDSPUNKT_START").alias("PROCEDURE_TIME"),
        ]);
    Ok(collect_streaming(
        contacts_joined(registers, Days::ALL, procedures)?.select([
            col("PNR"),
            col("DAY"),
            col("END"),
            col("SORENHED_ANS"),
            col("PROCEDUREKODE"),
            col("PROCEDURE_DAY"),
            col("PROCEDURE_TIME"),
            col("KEY"),
        ]),
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cohort::testing::{
        codes, day, days_of_shipped, scope_of_shipped, shipped, span, write_contacts,
    };
    use crate::registers::scope::Scope;

    /// Three contacts and their procedures, known by hand: contact 1 (person p1, 2021-03-01 to
    /// 2021-03-10) with a hip operation on 2021-03-02 and coordinated care without a date;
    /// contact 2 (p2) with a PCI; contact 3 (p3) with a procedure of no analysis.
    fn registers(dir: &std::path::Path) -> RegisterSet {
        write_contacts(
            dir,
            "1,p1,2021-03-01,2021-03-10,ALCA00,6620011000000,DS720\n\
             2,p2,2022-05-01,2022-05-03,ALCA00,6620022000000,DI219\n\
             3,p3,2022-06-01,2022-06-01,ALCA00,6620033000000,DZ000\n",
        );
        std::fs::write(
            dir.join("lpr_procedurer.csv"),
            "DW_EK_KONTAKT,PROCEDUREKODE,DATO_START\n\
             1,KNFB20,2021-03-02\n1,BVAA1,\n2,KFNG05,2022-05-01\n3,ZZ0150,2022-06-01\n",
        )
        .expect("procedures");
        let mut registers = RegisterSet::open(dir).expect("opened");
        registers.procedures.codes = codes(&["BVAA1", "KFNG05", "KNFB"]);
        registers
    }

    /// (person, code, procedure day or none) of a frame shaped as [`with_contacts`], sorted.
    fn rows(frame: LazyFrame) -> Vec<(String, String, Option<i32>)> {
        let frame = frame.collect().expect("collected");
        let text = |name: &str| frame.column(name).expect(name).str().expect("text").clone();
        let (pnr, code) = (text("PNR"), text("PROCEDUREKODE"));
        let days = frame
            .column("PROCEDURE_DAY")
            .expect("day")
            .i32()
            .expect("days")
            .clone();
        let mut rows: Vec<_> = (0..frame.height())
            .map(|i| {
                (
                    pnr.get(i).expect("pnr").to_string(),
                    code.get(i).expect("code").to_string(),
                    days.get(i),
                )
            })
            .collect();
        rows.sort();
        rows
    }

    #[test]
    fn each_analysis_gets_its_own_procedures_from_the_frame_read_once() {
        let dir = tempfile::tempdir().expect("temp");
        let mut registers = registers(dir.path());
        // The run asks about 2021 only: PCI of 2022 is not read with the run's procedures.
        registers.procedures.days = span("2021-01-01", "2021-12-31");
        let march = span("2021-03-01", "2021-03-31");
        let hip = with_contacts(&registers, &codes(&["KNFB"]), march).expect("hip");
        assert_eq!(
            rows(hip),
            [("p1".into(), "KNFB20".into(), Some(day("2021-03-02")))]
        );
        let kept = registers
            .shared(&registers.procedures.key("procedure_contacts"), || {
                unreachable!("read above")
            })
            .expect("kept");
        assert_eq!(
            rows(kept.lazy()),
            [
                ("p1".into(), "BVAA1".into(), None),
                ("p1".into(), "KNFB20".into(), Some(day("2021-03-02"))),
            ],
            "the run's codes on its days, and the procedure without a day"
        );
        // Days outside the run's are read on their own (the undated procedure comes too: its
        // contact's start is tested by the caller).
        let year_2022 = span("2022-01-01", "2022-12-31");
        let both =
            with_contacts(&registers, &codes(&["KFNG05", "BVAA1"]), year_2022).expect("both");
        assert_eq!(
            rows(both),
            [
                ("p1".into(), "BVAA1".into(), None),
                ("p2".into(), "KFNG05".into(), Some(day("2022-05-01"))),
            ]
        );
        // So is a code outside the run's.
        let other = with_contacts(&registers, &codes(&["ZZ"]), year_2022).expect("other");
        assert_eq!(
            rows(other),
            [("p3".into(), "ZZ0150".into(), Some(day("2022-06-01")))]
        );
    }

    /// The days the shipped pipelines can ask procedures about, counted by hand from their specs
    /// and trend years: AMI's period 2021-01-01 to 2024-09-30 and rehabilitation 30-90 days
    /// after (to 2024-12-29); hip fracture's period to 2024-12-29 and surgery within 0-2 days
    /// (to 2024-12-31); multimorbidity's index 2023-01-01 and coordinated care within 364 days.
    /// Diabetes and youth read no procedures.
    #[test]
    fn the_run_reads_procedures_on_the_days_its_analyses_ask_about() {
        let days = |name: &str| days_of_shipped(days_of, name);
        assert_eq!(
            days("ami_pci_rehab_death"),
            Some((day("2021-01-01"), day("2024-12-29")))
        );
        assert_eq!(
            days("hip_fracture_surgery"),
            Some((day("2021-01-01"), day("2024-12-31")))
        );
        assert_eq!(
            days("multimorbidity_contacts"),
            Some((day("2023-01-01"), day("2023-12-31")))
        );
        assert_eq!(days("t2d_sglt2_glp1"), None);
        assert_eq!(days("youth_depression_anxiety_wait"), None);
        let scope = scope_of_shipped(
            &[
                "ami_pci_rehab_death",
                "hip_fracture_surgery",
                "multimorbidity_contacts",
                "t2d_sglt2_glp1",
            ],
            codes_of,
            days_of,
        );
        assert_eq!(
            (scope.days.from, scope.days.to),
            (day("2021-01-01"), day("2024-12-31"))
        );
        assert_eq!(
            scope.codes,
            codes(&["BFCA0", "BVAA1", "KFNG05", "KNFB", "KNFJ"])
        );
        // A trend moves the days with its years: multimorbidity in 2022 and 2023.
        let mm = shipped("multimorbidity_contacts");
        let years = vec![mm.design.in_year(2022), mm.design];
        let scope = Scope::of_run([(&mm.spec, years)], codes_of, days_of);
        assert_eq!(
            (scope.days.from, scope.days.to),
            (day("2022-01-01"), day("2023-12-31"))
        );
    }
}
