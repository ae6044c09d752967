//! Criteria of several events: "at least two redemptions of A10 within a year", the usual form
//! of a Danish register definition of a chronic disease (the National Diabetes Register counts a
//! person from the second purchase of a glucose-lowering drug: Carstensen et al. 2008,
//! Diabetologia 51:2187-2196). Events are counted on different days, so a contact registered
//! with the code twice (an action and a secondary diagnosis) or two packs redeemed at once count
//! once, and the criterion is met on the day of the event that completes the count.

use polars::prelude::*;

use crate::spec::Criterion;

/// The events of `events` (`PNR`, `DAY` and whatever else they carry) on whose day criterion
/// `c` is met: all of them when it asks for one event; otherwise the first event of each day on
/// which the person has had `c.min_events` events on different days, the earliest of them at
/// most `c.within_days` days before it. The caller has already kept the events of the window
/// the criterion is looked for in (its look-back, or the design's days and the days before them
/// that `within_days` reaches).
pub(super) fn met_on(events: LazyFrame, c: &Criterion) -> LazyFrame {
    let needed = c.events_needed();
    if needed <= 1 {
        return events;
    }
    let within = c.within_days.unwrap_or(0);
    // Sorted by person and day, the row `needed - 1` places up holds the earliest of the last
    // `needed` event days when it is the same person's.
    let earlier = |name: &str| col(name).shift(lit(i64::from(needed - 1)));
    events
        .sort(
            ["PNR", "DAY"],
            SortMultipleOptions::default().with_maintain_order(true),
        )
        .unique_stable(Some(cols(["PNR", "DAY"])), UniqueKeepStrategy::First)
        .filter(
            earlier("PNR")
                .eq(col("PNR"))
                .and((col("DAY") - earlier("DAY")).lt_eq(lit(within))),
        )
}

#[cfg(test)]
mod tests {
    use polars::prelude::*;

    use crate::cohort::testing::day;
    use crate::registers::scan::RegisterSet;

    /// Redemptions known by hand (A10: glucose-lowering drugs; A10A: insulins):
    /// - p1: 2023-02-01 and 2023-06-01: met on 2023-06-01;
    /// - p2: 2022-10-01 and 2023-03-01: met on 2023-03-01, the first before the period;
    /// - p3: two packs on 2023-04-01 only: one day, never met;
    /// - p4: insulin on 2022-01-01 and 2023-01-15 (379 days apart), then 2023-05-01: met on
    ///   2023-05-01 (109 days after the second);
    /// - p5: 2023-11-01 and 2024-01-10: met after the period and after the index date;
    /// - p6: met before the period (2022-03-01, 2022-06-01), again on 2023-02-01 (245 days
    ///   after the second);
    /// - p7: insulin on 2023-03-01 and 2023-04-01 (31 days apart): met, but excluded as two
    ///   insulin redemptions within 90 days where the spec excludes them.
    fn registers(dir: &std::path::Path) -> RegisterSet {
        let write = |name: &str, text: &str| {
            std::fs::write(dir.join(name), text).expect("register written");
        };
        let residents = "PNR,FOED_DAG,KOEN,KOM,IE_TYPE,CIVST\n\
            p1,1950-01-01,1,101,1,G\np2,1950-01-01,2,101,1,G\np3,1950-01-01,1,101,1,G\n\
            p4,1950-01-01,2,101,1,G\np5,1950-01-01,1,101,1,G\np6,1950-01-01,2,101,1,G\n\
            p7,1950-01-01,1,101,1,G\n";
        for year in [2022, 2023, 2024] {
            write(&format!("bef{year}.csv"), residents);
        }
        write(
            "lmdb.csv",
            "PNR,EKSD,ATC\n\
             p1,2023-02-01,A10BA02\np1,2023-06-01,A10BA02\n\
             p2,2022-10-01,A10BA02\np2,2023-03-01,A10BA02\n\
             p3,2023-04-01,A10BA02\np3,2023-04-01,A10BA02\n\
             p4,2022-01-01,A10AB01\np4,2023-01-15,A10AB01\np4,2023-05-01,A10BA02\n\
             p5,2023-11-01,A10BA02\np5,2024-01-10,A10BA02\n\
             p6,2022-03-01,A10BA02\np6,2022-06-01,A10BA02\np6,2023-02-01,A10BA02\n\
             p7,2023-03-01,A10AB01\np7,2023-04-01,A10AB01\n",
        );
        write("dod.csv", "PNR,DODDATO\n");
        RegisterSet::open(dir).expect("opened")
    }

    fn spec(population: &str, exclude: &str) -> String {
        format!(
            r#"
id = "diabetes"
title_da = "Diabetes"
title_en = "Diabetes"
description_da = "x"
description_en = "x"
topic = "diabetes"
registers = "."
stratifiers = ["sex"]

[population]
{population}

[patient_group]
[[patient_group.include]]
atc = ["A10"]
min_events = 2
within_days = 365
lookback_days = 730
{exclude}

[[outcomes]]
id = "death30"
name_da = "Død inden for 30 dage"
name_en = "Death within 30 days"
kind = "death"
window_days = [0, 30]
favourable = false
"#
        )
    }

    /// (PNR, index day) of the patient group, by person.
    fn patients(dir: &std::path::Path, spec_text: &str) -> Vec<(String, i32)> {
        let registers = registers(dir);
        let path = dir.join("diabetes.toml");
        std::fs::write(&path, spec_text).expect("spec");
        let loaded = crate::spec::load(&path).expect("spec loads");
        let frame = super::super::patients(&registers, &loaded)
            .expect("patients")
            .select([col("PNR"), col("INDEX_DAY")])
            .sort(["PNR"], Default::default())
            .collect()
            .expect("collected");
        let pnr = frame
            .column("PNR")
            .expect("PNR")
            .str()
            .expect("text")
            .clone();
        let index = frame
            .column("INDEX_DAY")
            .expect("day")
            .i32()
            .expect("i32")
            .clone();
        pnr.iter()
            .zip(index.iter())
            .map(|(p, d)| (p.expect("PNR").to_string(), d.expect("day")))
            .collect()
    }

    #[test]
    fn an_incident_patient_is_indexed_on_the_day_the_count_is_reached() {
        let dir = tempfile::tempdir().expect("temp");
        let found = patients(
            dir.path(),
            &spec(r#"period = ["2023-01-01", "2023-12-31"]"#, ""),
        );
        let expected = [
            ("p1", "2023-06-01"),
            ("p2", "2023-03-01"),
            ("p4", "2023-05-01"),
            ("p6", "2023-02-01"),
            ("p7", "2023-04-01"),
        ]
        .map(|(p, d)| (p.to_string(), day(d)));
        assert_eq!(found, expected);
    }

    #[test]
    fn a_prevalent_patient_has_the_events_in_the_look_back_and_an_exclusion_counts_too() {
        let dir = tempfile::tempdir().expect("temp");
        let exclude = "[[patient_group.exclude]]\natc = [\"A10A\"]\nmin_events = 2\n\
                       within_days = 90\nlookback_days = 730\n";
        let found = patients(dir.path(), &spec(r#"index_date = "2024-01-01""#, exclude));
        let index = day("2024-01-01");
        // p4's two insulin redemptions are 379 days apart, so p4 stays; p7's are 31 apart.
        let expected = ["p1", "p2", "p4", "p6"].map(|p| (p.to_string(), index));
        assert_eq!(found, expected);
    }
}
