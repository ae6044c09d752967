//! The patients of an analysis in one year, collected once: the cohort with its outcomes and
//! strata, and the sub-populations of its sub-analyses. Every table is a GROUP BY over it.

use polars::prelude::*;

use crate::error::{Error, Result};
use crate::registers::scan::RegisterSet;
use crate::spec::{LoadedSpec, SubAnalysis};
use crate::{cohort, strata};

/// The spec of the results of `year` ([`LoadedSpec::design_in_year`]).
pub fn in_year(loaded: &LoadedSpec, year: i32) -> LoadedSpec {
    LoadedSpec {
        design: loaded.design_in_year(year),
        ..loaded.clone()
    }
}

/// The collected patient frame of one year: patients with outcomes and strata.
pub fn patient_frame(registers: &RegisterSet, loaded: &LoadedSpec) -> Result<DataFrame> {
    let computed = |frame: LazyFrame| {
        crate::registers::scan::collect_streaming(frame).map_err(|e| {
            Error::BadInput(format!(
                "{}: the analysis could not be computed from the registers: {e}",
                loaded.path.display()
            ))
        })
    };
    // Collected between stages: each outcome and stratifier joins the patients again, and a
    // collected frame is not recomputed for each join.
    let patients = computed(cohort::patients(registers, loaded)?)?.lazy();
    let patients = computed(cohort::with_outcomes(registers, loaded, patients)?)?.lazy();
    let mut frame = strata::attach(registers, loaded, patients)?;
    let regions = &loaded.spec.population.regions;
    if !regions.is_empty() {
        frame = frame.filter(col("region").is_in(
            lit(Series::new("r".into(), regions.clone())).implode(false),
            false,
        ));
    }
    computed(frame)
}

/// The rows of a sub-analysis's sub-population.
pub fn restrict(frame: &DataFrame, sub: &SubAnalysis) -> Result<DataFrame> {
    let mut keep = lit(true);
    if let Some(sex) = &sub.sex {
        keep = keep.and(col("KOEN").eq(lit(sex.clone())));
    }
    if let Some(min) = sub.age_min {
        keep = keep.and(col("AGE").gt_eq(lit(min)));
    }
    if let Some(max) = sub.age_max {
        keep = keep.and(col("AGE").lt_eq(lit(max)));
    }
    if !sub.regions.is_empty() {
        keep = keep.and(col("region").is_in(
            lit(Series::new("r".into(), sub.regions.clone())).implode(false),
            false,
        ));
    }
    Ok(frame.clone().lazy().filter(keep).collect()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cohort::testing::write_contacts;

    /// An open population of three years, known by hand. Residence, education and civil
    /// status are read as of each patient's own index (pneumonia, J18, in 2021-2023):
    /// - a: moved from København (Hovedstaden) to Aarhus (Midtjylland) in 2021, married in
    ///   2021, completed a long education by 2023; indexed 2023-05-01: Midtjylland, married,
    ///   long education (on the period's first year, all three were wrong);
    /// - b: immigrated on 2022-03-01 (first in bef2023, Odense); indexed 2022-09-01: counted,
    ///   from the register after the index year, Syddanmark, no education record;
    /// - c: immigrated in 2021 (first in bef2022, Aalborg); indexed 2022-02-01: Nordjylland;
    /// - d: born on 2022-02-10 (first in bef2023, Køge); indexed 2022-11-01: Sjælland, age 0;
    /// - e: emigrated in 2021 (in bef2021 only); a contact on 2022-10-01: not a resident then,
    ///   not counted;
    /// - h: resident throughout in København, contacts in 2021 and 2023: indexed on the first;
    /// - i: away during 2021-2022 (in bef2021 and bef2023), moved from København to Odense;
    ///   indexed 2022-12-01: Syddanmark, from bef2023;
    /// - z: resident throughout, no contact: no patient.
    fn open_population(dir: &std::path::Path) -> RegisterSet {
        let header = "PNR,FOED_DAG,KOEN,KOM,IE_TYPE,CIVST\n";
        let write = |name: &str, text: String| {
            std::fs::write(dir.join(name), text).expect("register written");
        };
        write(
            "bef2021.csv",
            format!(
                "{header}a,1950-05-05,1,101,1,U\ne,1960-01-01,1,101,1,G\n\
                 h,1945-03-03,2,101,1,E\ni,1990-07-07,1,101,1,U\nz,1955-01-01,1,101,1,G\n"
            ),
        );
        write(
            "bef2022.csv",
            format!(
                "{header}a,1950-05-05,1,751,1,G\nc,1970-02-02,1,851,2,G\n\
                 h,1945-03-03,2,101,1,E\nz,1955-01-01,1,101,1,G\n"
            ),
        );
        write(
            "bef2023.csv",
            format!(
                "{header}a,1950-05-05,1,751,1,G\nb,1980-01-01,2,461,2,G\n\
                 c,1970-02-02,1,851,2,G\nd,2022-02-10,2,259,1,U\nh,1945-03-03,2,101,1,E\n\
                 i,1990-07-07,1,461,1,U\nz,1955-01-01,1,101,1,G\n"
            ),
        );
        write(
            "udda2021.csv",
            "PNR,HFAUDD\na,1010\ne,3010\nh,1010\ni,3010\nz,4010\n".into(),
        );
        write(
            "udda2023.csv",
            "PNR,HFAUDD\na,4010\nb,5010\nc,3010\nh,1010\ni,3010\nz,4010\n".into(),
        );
        write_contacts(
            dir,
            "1,a,2023-05-01,2023-05-03,ALCA00,6620011000000,DJ189\n\
             2,b,2022-09-01,2022-09-02,ALCA00,6620011000000,DJ189\n\
             3,c,2022-02-01,2022-02-01,ALCA00,6620011000000,DJ189\n\
             4,d,2022-11-01,2022-11-04,ALCA00,6620011000000,DJ181\n\
             5,e,2022-10-01,2022-10-01,ALCA00,6620011000000,DJ189\n\
             6,h,2021-02-01,2021-02-01,ALCA00,6620011000000,DJ189\n\
             7,h,2023-02-01,2023-02-01,ALCA00,6620011000000,DJ189\n\
             8,i,2022-12-01,2022-12-01,ALCA00,6620011000000,DJ189\n",
        );
        write(
            "lpr_diagnoser.csv",
            "DW_EK_KONTAKT,DIAGNOSEKODE,DIAGNOSETYPE,SENERE_AFKRAEFTET\n\
             1,DJ189,A,Nej\n2,DJ189,A,Nej\n3,DJ189,A,Nej\n4,DJ181,A,Nej\n5,DJ189,A,Nej\n\
             6,DJ189,A,Nej\n7,DJ189,A,Nej\n8,DJ189,A,Nej\n"
                .into(),
        );
        write("dod.csv", "PNR,DODDATO\nh,2023-03-01\n".into());
        RegisterSet::open(dir).expect("opened")
    }

    const PNEUMONIA: &str = r#"
id = "pneumonia"
title_da = "Lungebetændelse"
title_en = "Pneumonia"
description_da = "x"
description_en = "x"
topic = "lunge"
registers = "."
stratifiers = ["region", "education", "civil_status", "sex"]

[population]
period = ["2021-01-01", "2023-12-31"]

[patient_group]
[[patient_group.include]]
diagnoses = ["J18"]

[[outcomes]]
id = "death30"
name_da = "Død inden for 30 dage"
name_en = "Death within 30 days"
kind = "death"
window_days = [0, 30]
favourable = false
"#;

    /// The text values of `column`, in the frame's order.
    fn texts(frame: &DataFrame, column: &str) -> Vec<String> {
        let values = frame
            .column(column)
            .expect(column)
            .str()
            .expect("text")
            .clone();
        values.iter().map(|v| v.unwrap_or("").to_string()).collect()
    }

    #[test]
    fn each_patient_is_counted_where_and_when_they_are_in_an_open_population() {
        let dir = tempfile::tempdir().expect("temp");
        let registers = open_population(dir.path());
        let path = dir.path().join("pneumonia.toml");
        std::fs::write(&path, PNEUMONIA).expect("spec");
        let loaded = crate::spec::load(&path).expect("spec loads");
        let frame = patient_frame(&registers, &loaded)
            .expect("patients")
            .sort(["PNR"], Default::default())
            .expect("sorted");
        let ints = |column: &str| -> Vec<i32> {
            let values = frame
                .column(column)
                .expect(column)
                .i32()
                .expect("i32")
                .clone();
            values.iter().map(|v| v.expect("value")).collect()
        };
        assert_eq!(texts(&frame, "PNR"), ["a", "b", "c", "d", "h", "i"]);
        let day = crate::cohort::testing::day;
        assert_eq!(
            ints("INDEX_DAY"),
            [
                day("2023-05-01"),
                day("2022-09-01"),
                day("2022-02-01"),
                day("2022-11-01"),
                day("2021-02-01"),
                day("2022-12-01")
            ]
        );
        assert_eq!(ints("BEF_YEAR"), [2023, 2023, 2022, 2023, 2021, 2023]);
        assert_eq!(
            texts(&frame, "region"),
            ["1082", "1083", "1081", "1085", "1084", "1083"]
        );
        // Education of the latest udda year up to the index year: a's 2023 record; b, c and d
        // have none up to 2022; h's and i's 2021 records.
        assert_eq!(
            texts(&frame, "education"),
            ["lang", "uoplyst", "uoplyst", "uoplyst", "kort", "mellem"]
        );
        assert_eq!(
            texts(&frame, "civil_status"),
            ["G", "G", "G", "U", "E", "U"]
        );
        // c turns 52 the day after their index.
        assert_eq!(ints("AGE"), [72, 42, 51, 0, 75, 32]);
        // The hand count by index year: one patient indexed in 2021, four in 2022 (two of them
        // born or immigrated during the period, one away the year before), one in 2023.
        let by_year = ints("INDEX_YEAR");
        assert_eq!(
            [2021, 2022, 2023].map(|y| by_year.iter().filter(|&&v| v == y).count()),
            [1, 4, 1]
        );
    }

    /// Patients alive and in Denmark 30 days after a pneumonia on 2023-03-01 are at risk of a
    /// beta-blocker redeemed on days 31-90 (C07): q1 (redeemed), q2 (died on day 9: not at
    /// risk), q3 (emigrated on day 14: not at risk, where without the migration register it
    /// would count as without it), q4 (emigrated on day 50, after redeeming on day 35: at
    /// risk, with it), q5 (emigrated on day 30 itself: not at risk), q6 (stayed, nothing: at
    /// risk, without it), q7 (emigrated before the index and came back: at risk, without it).
    #[test]
    fn an_outcome_among_survivors_leaves_out_those_who_emigrated_within_the_days() {
        let dir = tempfile::tempdir().expect("temp");
        let write = |name: &str, text: &str| {
            std::fs::write(dir.path().join(name), text).expect("register written");
        };
        let persons = ["q1", "q2", "q3", "q4", "q5", "q6", "q7"];
        let bef: String = persons
            .iter()
            .map(|p| format!("{p},1950-01-01,1,101,1,G\n"))
            .collect();
        write(
            "bef2023.csv",
            &format!("PNR,FOED_DAG,KOEN,KOM,IE_TYPE,CIVST\n{bef}"),
        );
        let contacts: String = persons
            .iter()
            .enumerate()
            .map(|(i, p)| format!("{i},{p},2023-03-01,2023-03-01,ALCA00,6620011000000,DJ189\n"))
            .collect();
        crate::cohort::testing::write_contacts(dir.path(), &contacts);
        let diagnoses: String = (0..persons.len())
            .map(|i| format!("{i},DJ189,A,Nej\n"))
            .collect();
        write(
            "lpr_diagnoser.csv",
            &format!("DW_EK_KONTAKT,DIAGNOSEKODE,DIAGNOSETYPE,SENERE_AFKRAEFTET\n{diagnoses}"),
        );
        write("dod.csv", "PNR,DODDATO\nq2,2023-03-10\n");
        write(
            "vnds.csv",
            "PNR,INDUD_KODE,HAEND_DATO\nq3,U,2023-03-15\nq4,U,2023-04-20\nq5,U,2023-03-31\n\
             q7,U,2022-06-01\nq7,I,2022-11-01\n",
        );
        write(
            "lmdb.csv",
            "PNR,EKSD,ATC\nq1,2023-04-10,C07AB02\nq4,2023-04-05,C07AB02\n",
        );
        let registers = RegisterSet::open(dir.path()).expect("opened");
        let spec = PNEUMONIA.replace(
            "favourable = false\n",
            "favourable = false\n\n[[outcomes]]\nid = \"betablocker\"\nname_da = \"Betablokker\"\n\
             name_en = \"Beta-blocker\"\nkind = \"prescription\"\ncodes = [\"C07\"]\n\
             window_days = [31, 90]\nalive_days = 30\n",
        )
        .replace("period = [\"2021-01-01\", \"2023-12-31\"]", "period = [\"2023-01-01\", \"2023-12-31\"]")
        .replace(", \"education\", \"civil_status\"", "");
        let path = dir.path().join("pneumonia.toml");
        std::fs::write(&path, spec).expect("spec");
        let loaded = crate::spec::load(&path).expect("spec loads");
        let frame = patient_frame(&registers, &loaded)
            .expect("patients")
            .sort(["PNR"], Default::default())
            .expect("sorted");
        assert_eq!(texts(&frame, "PNR"), persons);
        let outcome: Vec<Option<i32>> = frame
            .column("OUT_1")
            .expect("outcome")
            .i32()
            .expect("i32")
            .iter()
            .collect();
        assert_eq!(
            outcome,
            [Some(1), None, None, Some(1), None, Some(0), Some(0)]
        );
        assert!(frame.column("EMIGRATION_DAY").is_err(), "a working column");
    }
}
