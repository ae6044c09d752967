//! The Charlson comorbidity index (CCI) of each patient, from the diagnoses (action or secondary,
//! not retracted) of the National Patient Register in a look-back before the index day.
//!
//! The conditions and their weights are Charlson's (Charlson, Pompei, Ales & MacKenzie 1987, J
//! Chronic Dis 40:373-383). The ICD-10 codes are those of Danish register research: Thygesen,
//! Christiansen, Christensen, Lash & Sørensen 2011, "The predictive value of ICD-10 diagnostic
//! coding used to assess Charlson comorbidity index conditions in the population-based Danish
//! National Registry of Patients", BMC Med Res Methodol 11:83, table 1. A condition of two
//! grades counts once, at its higher weight, as Charlson scored them: severe liver disease
//! replaces mild, diabetes with end-organ damage replaces diabetes without, and a metastatic
//! solid tumour replaces "any tumour" (the hierarchy of Quan et al. 2005, Med Care 43:1130).
//!
//! The index is read from the same bit-labelled condition contacts as multimorbidity
//! ([`ConditionContacts`]): a patient's conditions are the OR of their contacts' bits, and the
//! score a weighted count of its ones.

use polars::prelude::*;

use super::conditions::ConditionContacts;
use super::windows::events_before;
use crate::error::Result;
use crate::registers::scan::RegisterSet;
use crate::spec::{CHARLSON_LEVELS, Design};

/// One of Charlson's 19 conditions: its ICD-10 codes (prefixes, without the register's leading
/// `D`) and its weight.
pub struct Condition {
    pub name_da: &'static str,
    pub name_en: &'static str,
    pub codes: &'static [&'static str],
    pub weight: i32,
}

/// Charlson's conditions with Thygesen et al.'s ICD-10 codes, in the order of their table 1.
pub const CONDITIONS: [Condition; 19] = [
    Condition {
        name_da: "Akut myokardieinfarkt",
        name_en: "Myocardial infarction",
        codes: &["I21", "I22", "I23"],
        weight: 1,
    },
    Condition {
        name_da: "Hjertesvigt",
        name_en: "Congestive heart failure",
        codes: &["I50", "I110", "I130", "I132"],
        weight: 1,
    },
    Condition {
        name_da: "Perifer karsygdom",
        name_en: "Peripheral vascular disease",
        codes: &["I70", "I71", "I72", "I73", "I74", "I77"],
        weight: 1,
    },
    Condition {
        name_da: "Cerebrovaskulær sygdom",
        name_en: "Cerebrovascular disease",
        codes: &[
            "I60", "I61", "I62", "I63", "I64", "I65", "I66", "I67", "I68", "I69", "G45", "G46",
        ],
        weight: 1,
    },
    Condition {
        name_da: "Demens",
        name_en: "Dementia",
        codes: &["F00", "F01", "F02", "F03", "F051", "G30"],
        weight: 1,
    },
    Condition {
        name_da: "Kronisk lungesygdom",
        name_en: "Chronic pulmonary disease",
        codes: &[
            "J40", "J41", "J42", "J43", "J44", "J45", "J46", "J47", "J60", "J61", "J62", "J63",
            "J64", "J65", "J66", "J67", "J684", "J701", "J703", "J841", "J920", "J961", "J982",
            "J983",
        ],
        weight: 1,
    },
    Condition {
        name_da: "Bindevævssygdom",
        name_en: "Connective tissue disease",
        codes: &[
            "M05", "M06", "M08", "M09", "M30", "M31", "M32", "M33", "M34", "M35", "M36", "D86",
        ],
        weight: 1,
    },
    Condition {
        name_da: "Ulcussygdom",
        name_en: "Ulcer disease",
        codes: &["K221", "K25", "K26", "K27", "K28"],
        weight: 1,
    },
    Condition {
        name_da: "Let leversygdom",
        name_en: "Mild liver disease",
        codes: &[
            "B18", "K700", "K701", "K702", "K703", "K709", "K71", "K73", "K74", "K760",
        ],
        weight: 1,
    },
    Condition {
        name_da: "Diabetes uden organskade",
        name_en: "Diabetes without end-organ damage",
        codes: &["E100", "E101", "E109", "E110", "E111", "E119"],
        weight: 1,
    },
    Condition {
        name_da: "Hemiplegi",
        name_en: "Hemiplegia",
        codes: &["G81", "G82"],
        weight: 2,
    },
    Condition {
        name_da: "Moderat til svær nyresygdom",
        name_en: "Moderate to severe renal disease",
        codes: &[
            "I12", "I13", "N00", "N01", "N02", "N03", "N04", "N05", "N07", "N11", "N14", "N17",
            "N18", "N19", "Q61",
        ],
        weight: 2,
    },
    Condition {
        name_da: "Diabetes med organskade",
        name_en: "Diabetes with end-organ damage",
        codes: &[
            "E102", "E103", "E104", "E105", "E106", "E107", "E108", "E112", "E113", "E114", "E115",
            "E116", "E117", "E118",
        ],
        weight: 2,
    },
    Condition {
        name_da: "Kræft (alle former)",
        name_en: "Any tumour",
        // C00-C75: C0-C6 cover C00-C69.
        codes: &[
            "C0", "C1", "C2", "C3", "C4", "C5", "C6", "C70", "C71", "C72", "C73", "C74", "C75",
        ],
        weight: 2,
    },
    Condition {
        name_da: "Leukæmi",
        name_en: "Leukaemia",
        codes: &["C91", "C92", "C93", "C94", "C95"],
        weight: 2,
    },
    Condition {
        name_da: "Lymfom",
        name_en: "Lymphoma",
        codes: &["C81", "C82", "C83", "C84", "C85", "C88", "C90", "C96"],
        weight: 2,
    },
    Condition {
        name_da: "Moderat til svær leversygdom",
        name_en: "Moderate to severe liver disease",
        codes: &["B150", "B160", "B162", "B190", "K704", "K72", "K766", "I85"],
        weight: 3,
    },
    Condition {
        name_da: "Metastatisk solid tumor",
        name_en: "Metastatic solid tumour",
        codes: &["C76", "C77", "C78", "C79", "C80"],
        weight: 6,
    },
    Condition {
        name_da: "AIDS",
        name_en: "AIDS",
        codes: &["B21", "B22", "B23", "B24"],
        weight: 6,
    },
];

/// The pairs (milder, more severe) of [`CONDITIONS`]' positions where the severe grade replaces
/// the milder: liver disease, diabetes, tumour.
const REPLACED_BY: [(usize, usize); 3] = [(8, 16), (9, 12), (13, 17)];

/// The conditions' codes as [`ConditionContacts::read`] takes them, bit `i` for `CONDITIONS[i]`.
pub fn condition_codes() -> Vec<Vec<String>> {
    CONDITIONS
        .iter()
        .map(|c| c.codes.iter().map(|s| s.to_string()).collect())
        .collect()
}

/// The index of a patient whose conditions are the bits of `bits` (`Int32`): the weights of
/// the bits set, a milder grade left out where its severe grade is set.
fn score(bits: Expr) -> Expr {
    let has = |i: usize| {
        bits.clone()
            .cast(DataType::UInt32)
            .and(lit(1u32 << i))
            .neq(lit(0u32))
    };
    CONDITIONS
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let counted = match REPLACED_BY.iter().find(|(mild, _)| *mild == i) {
                Some(&(_, severe)) => has(i).and(has(severe).not()),
                None => has(i),
            };
            when(counted).then(lit(c.weight)).otherwise(lit(0))
        })
        .reduce(|a, b| a + b)
        .unwrap_or(lit(0))
}

/// Reads the contacts of `persons` (the patients) with a diagnosis of a Charlson condition in
/// the look-back of `design`.
pub fn read(
    registers: &RegisterSet,
    design: Design,
    lookback_days: i32,
    persons: &Series,
) -> Result<ConditionContacts> {
    ConditionContacts::read(
        registers,
        condition_codes(),
        lookback_days,
        design,
        false,
        Some(persons),
    )
}

/// Adds `CHARLSON`, each patient's index from the diagnoses in the look-back days before (not
/// on) their index day: the index describes what the patient had, not the event that made them
/// a patient (an AMI patient's infarction would count otherwise).
pub fn with_charlson(patients: LazyFrame, known: &ConditionContacts) -> LazyFrame {
    let bits = match known.per_person() {
        Some(per_person) => per_person.select([col("PNR"), col("BEFORE").alias("BITS")]),
        None => events_before(known.all(), &patients, known.lookback_days, false)
            .group_by([col("PNR")])
            .agg([col("CONDITION_BIT").bitwise_or().alias("BITS")]),
    };
    let scores = bits.select([col("PNR"), score(col("BITS")).alias("CHARLSON")]);
    patients
        .join(
            scores,
            [col("PNR")],
            [col("PNR")],
            JoinArgs::new(JoinType::Left),
        )
        .with_column(col("CHARLSON").fill_null(lit(0i32)))
}

/// The level of the `charlson` stratifier of an index: `0`, `1-2` or `3+` (low, moderate and
/// high comorbidity, the grouping of the Danish studies).
pub fn level(index: Expr) -> Expr {
    when(index.clone().gt_eq(lit(3)))
        .then(lit(CHARLSON_LEVELS[2]))
        .when(index.gt_eq(lit(1)))
        .then(lit(CHARLSON_LEVELS[1]))
        .otherwise(lit(CHARLSON_LEVELS[0]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cohort::testing::{day, write_contacts};

    /// Contacts whose Charlson index is known by hand from Thygesen et al.'s table 1 and
    /// Charlson's weights, the index date 2023-01-01 and a ten-year look-back (from 2013-01-01):
    /// - p1: infarction (1), diabetes with end-organ damage (2) and without (replaced): 3;
    /// - p2: a breast tumour (2, replaced) and metastases (6): 6;
    /// - p3: mild (replaced) and severe liver disease (3): 3;
    /// - p4: hypertensive heart and kidney disease with heart failure, I13.0, which is both heart
    ///   failure (1) and renal disease (2): 3;
    /// - p5: COPD on the index day (not before it) and a retracted COPD diagnosis: 0;
    /// - p6: an infarction in 2012 (before the look-back) and hemiplegia (2): 2;
    /// - p7: AIDS (6), rheumatoid arthritis (1), a gastric ulcer (1) and dementia (1): 9;
    /// - p8: a diagnosis of no condition: 0.
    fn registers(dir: &std::path::Path) -> RegisterSet {
        write_contacts(
            dir,
            "1,p1,2020-03-01,2020-03-02,ALCA00,6620011000000,DI219\n\
             2,p1,2021-05-01,2021-05-01,ALCA00,6620011000000,DE112\n\
             3,p2,2020-01-10,2020-01-10,ALCA00,6620011000000,DC509\n\
             4,p2,2022-02-01,2022-02-01,ALCA00,6620011000000,DC787\n\
             5,p3,2019-09-09,2019-09-09,ALCA00,6620011000000,DK703\n\
             6,p4,2018-04-04,2018-04-04,ALCA00,6620011000000,DI130\n\
             7,p5,2023-01-01,2023-01-01,ALCA00,6620011000000,DJ449\n\
             8,p5,2022-06-01,2022-06-01,ALCA00,6620011000000,DJ441\n\
             9,p6,2012-06-01,2012-06-01,ALCA00,6620011000000,DI210\n\
             10,p6,2016-06-01,2016-06-01,ALCA00,6620011000000,DG819\n\
             11,p7,2014-01-01,2014-01-01,ALCA00,6620011000000,DB21\n\
             12,p7,2022-12-31,2022-12-31,ALCA00,6620011000000,DM059\n\
             13,p8,2022-01-01,2022-01-01,ALCA00,6620011000000,DZ000\n",
        );
        std::fs::write(
            dir.join("lpr_diagnoser.csv"),
            "DW_EK_KONTAKT,DIAGNOSEKODE,DIAGNOSETYPE,SENERE_AFKRAEFTET\n\
             1,DI219,A,Nej\n2,DE112,A,Nej\n2,DE119,B,Nej\n3,DC509,A,Nej\n4,DC787,A,Nej\n\
             5,DK703,A,Nej\n5,DK721,B,Nej\n6,DI130,A,Nej\n7,DJ449,A,Nej\n8,DJ441,A,Ja\n\
             9,DI210,A,Nej\n10,DG819,A,Nej\n11,DB21,A,Nej\n12,DM059,A,Nej\n12,DK250,B,Nej\n\
             12,DF001,B,Nej\n13,DZ000,A,Nej\n",
        )
        .expect("diagnoses");
        RegisterSet::open(dir).expect("opened")
    }

    /// Each person's `CHARLSON` and level, given their index days, on `design`.
    fn indexed(design: Design, index_days: &[(&str, &str)]) -> Vec<(String, i32, String)> {
        let dir = tempfile::tempdir().expect("temp");
        let registers = registers(dir.path());
        let patients = df!(
            "PNR" => index_days.iter().map(|(p, _)| *p).collect::<Vec<_>>(),
            "INDEX_DAY" => index_days.iter().map(|(_, d)| day(d)).collect::<Vec<_>>(),
        )
        .expect("patients");
        let persons = patients
            .column("PNR")
            .expect("PNR")
            .as_materialized_series();
        let known = read(&registers, design, 3653, persons).expect("read");
        let patients = patients.lazy();
        let frame = with_charlson(patients, &known)
            .with_column(level(col("CHARLSON")).alias("LEVEL"))
            .sort(["PNR"], Default::default())
            .collect()
            .expect("indexed");
        let text = |name: &str| -> Vec<String> {
            let column = frame.column(name).expect(name).str().expect("text").clone();
            column
                .iter()
                .map(|v| v.expect("value").to_string())
                .collect()
        };
        let scores = frame
            .column("CHARLSON")
            .expect("CHARLSON")
            .i32()
            .expect("i32")
            .clone();
        text("PNR")
            .into_iter()
            .zip(scores.iter().map(|s| s.expect("score")))
            .zip(text("LEVEL"))
            .map(|((p, s), l)| (p, s, l))
            .collect()
    }

    fn expected(rows: &[(&str, i32, &str)]) -> Vec<(String, i32, String)> {
        rows.iter()
            .map(|(p, s, l)| (p.to_string(), *s, l.to_string()))
            .collect()
    }

    #[test]
    fn the_index_of_each_fixture_patient_on_an_index_date_is_known_by_hand() {
        let index = day("2023-01-01");
        let persons = ["p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9"];
        let days: Vec<(&str, &str)> = persons.iter().map(|p| (*p, "2023-01-01")).collect();
        assert_eq!(
            indexed(Design::IndexDate(index), &days),
            expected(&[
                ("p1", 3, "3+"),
                ("p2", 6, "3+"),
                ("p3", 3, "3+"),
                ("p4", 3, "3+"),
                ("p5", 0, "0"),
                ("p6", 2, "1-2"),
                ("p7", 9, "3+"),
                ("p8", 0, "0"),
                ("p9", 0, "0"),
            ])
        );
    }

    /// In a period each patient's own index day bounds their look-back: p2 indexed before the
    /// metastases has the tumour alone (2); p1 indexed between its contacts the infarction
    /// alone (1); p6 indexed in 2021 still has the 2012 infarction in its look-back (3); p7's
    /// arthritis, ulcer and dementia are on its index day (6).
    #[test]
    fn in_a_period_each_patient_s_own_index_day_bounds_the_look_back() {
        let design = Design::Period(day("2021-01-01"), day("2022-12-31"));
        assert_eq!(
            indexed(
                design,
                &[
                    ("p1", "2021-01-01"),
                    ("p2", "2021-06-01"),
                    ("p6", "2021-01-01"),
                    ("p7", "2022-12-31"),
                ]
            ),
            expected(&[
                ("p1", 1, "1-2"),
                ("p2", 2, "1-2"),
                ("p6", 3, "3+"),
                ("p7", 6, "3+"),
            ])
        );
    }

    /// The weights are Charlson's: ten conditions of weight 1, six of 2, one of 3 and two of 6.
    #[test]
    fn the_weights_are_charlson_s() {
        let mut weights: Vec<i32> = CONDITIONS.iter().map(|c| c.weight).collect();
        weights.sort();
        assert_eq!(
            weights,
            [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 6, 6]
        );
        for (mild, severe) in REPLACED_BY {
            assert!(CONDITIONS[mild].weight < CONDITIONS[severe].weight);
        }
    }
}
