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
//! The frame is kept for the run, and its cost is counted in the step of the first analysis that
//! asks for it. A spec with a broad prefix (`BV`) widens it for every analysis of the run; the
//! rows each analysis gets are its own codes' all the same.

use polars::prelude::*;

use super::{Days, contacts_joined, day, starts_with_any};
use crate::error::Result;
use crate::pipeline::spec::{OutcomeKind, Spec};
use crate::registers::scan::{RegisterSet, collect_streaming};

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

/// The procedures whose codes start with one of `wanted`, each joined to its contact: `PNR`,
/// `DAY` (the contact's start), `END`, `SORENHED_ANS`, `PROCEDUREKODE`, `PROCEDURE_DAY` (the
/// procedure's own day, null where the register has none); every date, one row per procedure.
///
/// Taken from the frame read once for the run's procedure codes
/// ([`RegisterSet::procedure_codes`]) when they cover `wanted`, and read for `wanted` alone
/// otherwise (a register set opened outside a run, as in tests: runs set the codes of all
/// their specs). The kept frame is named by the codes it was read for, so codes changed later
/// are read anew rather than looked for in a frame that lacks them.
pub(super) fn with_contacts(registers: &RegisterSet, wanted: &[String]) -> Result<LazyFrame> {
    let codes = &registers.procedure_codes;
    let frame = if covers(codes, wanted) {
        let key = format!("procedure_contacts/{}", codes.join(","));
        registers.shared(&key, || read(registers, codes))?
    } else {
        read(registers, wanted)?
    };
    Ok(frame
        .lazy()
        .filter(starts_with_any("PROCEDUREKODE", "", wanted)))
}

/// True when every code of `wanted` starts with one of `read`, so the procedures read for
/// `read` include all of `wanted`'s.
fn covers(read: &[String], wanted: &[String]) -> bool {
    wanted
        .iter()
        .all(|w| read.iter().any(|r| w.starts_with(r.as_str())))
}

/// Reads the procedures of `codes` and joins them to their contacts (shaped as
/// [`with_contacts`]).
fn read(registers: &RegisterSet, codes: &[String]) -> Result<DataFrame> {
    let procedures = registers
        .require("lpr_procedurer")?
        .filter(starts_with_any("PROCEDUREKODE", "", codes))
        .select([
            col("DW_EK_KONTAKT").alias("KEY"),
            col("PROCEDUREKODE"),
            day("DATO_START").alias("PROCEDURE_DAY"),
        ]);
    Ok(collect_streaming(
        contacts_joined(registers, Days::ALL, procedures)?.select([
            col("PNR"),
            col("DAY"),
            col("END"),
            col("SORENHED_ANS"),
            col("PROCEDUREKODE"),
            col("PROCEDURE_DAY"),
        ]),
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(list: &[&str]) -> Vec<String> {
        list.iter().map(|c| c.to_string()).collect()
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

    /// Three contacts and their procedures, known by hand: contact 1 (person p1, 2021-03-01 to
    /// 2021-03-10) with a hip operation on 2021-03-02 and coordinated care without a date;
    /// contact 2 (p2) with a PCI; contact 3 (p3) with a procedure of no analysis.
    fn registers(dir: &std::path::Path) -> RegisterSet {
        std::fs::write(
            dir.join("lpr_kontakter.csv"),
            "DW_EK_KONTAKT,PNR,DATO_START,DATO_SLUT,KONTAKTTYPE,SORENHED_ANS,AKTIONSDIAGNOSE\n\
             1,p1,2021-03-01,2021-03-10,ALCA00,6620011000000,DS720\n\
             2,p2,2022-05-01,2022-05-03,ALCA00,6620022000000,DI219\n\
             3,p3,2022-06-01,2022-06-01,ALCA00,6620033000000,DZ000\n",
        )
        .expect("contacts");
        std::fs::write(
            dir.join("lpr_procedurer.csv"),
            "DW_EK_KONTAKT,PROCEDUREKODE,DATO_START\n\
             1,KNFB20,2021-03-02\n1,BVAA1,\n2,KFNG05,2022-05-01\n3,ZZ0150,2022-06-01\n",
        )
        .expect("procedures");
        let mut registers = RegisterSet::open(dir).expect("opened");
        registers.procedure_codes = codes(&["BVAA1", "KFNG05", "KNFB"]);
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
        let registers = registers(dir.path());
        let day = |iso: &str| Some(crate::dates::parse_iso(iso).expect("date"));
        let hip = with_contacts(&registers, &codes(&["KNFB"])).expect("hip");
        assert_eq!(
            rows(hip),
            [("p1".into(), "KNFB20".into(), day("2021-03-02"))]
        );
        let both = with_contacts(&registers, &codes(&["KFNG05", "BVAA1"])).expect("both");
        assert_eq!(
            rows(both),
            [
                ("p1".into(), "BVAA1".into(), None),
                ("p2".into(), "KFNG05".into(), day("2022-05-01")),
            ]
        );
        // A code outside the run's is read on its own, and not kept.
        let other = with_contacts(&registers, &codes(&["ZZ"])).expect("other");
        assert_eq!(
            rows(other),
            [("p3".into(), "ZZ0150".into(), day("2022-06-01"))]
        );
        let kept = registers
            .shared("procedure_contacts/BVAA1,KFNG05,KNFB", || {
                unreachable!("read above")
            })
            .expect("kept");
        assert_eq!(kept.height(), 3, "the run's three procedures, read once");
    }
}
