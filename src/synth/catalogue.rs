//! The codes of the background rows, as many and as unevenly used as the registers' own.
//!
//! The national patient register holds diagnoses of some ten thousand ICD-10 codes, the
//! procedures of thousands of SKS codes and the prescription register over a thousand ATC codes,
//! a few of each very common and most rare. A handful of codes would make every piece of work
//! that depends on how varied the codes are look cheaper than on real registers: a table of
//! verdicts per distinct code, a prefix test per distinct code, Parquet's dictionary pages.
//!
//! The codes lie in chapters that no shipped analysis, multimorbidity condition or Charlson
//! condition reads (symptoms, factors, eye and ear, skin, injuries and poisonings, upper
//! respiratory infections, back pain, pregnancy, the perinatal period; imaging, physiology and procedures outside the analyses' SKS
//! groups; drugs outside the antidiabetics), so a background row stays outside every patient
//! group and outcome, as before. Each is drawn by rank with Zipf's law (weight 1 / rank), the
//! shape of code frequencies in administrative registers.
//!
//! A code is chosen by a hash of the row's identity, not by the synthesizer's random stream: the
//! stream, and with it every other column and every count of the analyses, is what it was.

use std::sync::OnceLock;

/// One kind of code: the codes by rank and the running sums of their Zipf weights.
pub struct Catalogue {
    codes: Vec<&'static str>,
    cumulative: Vec<f64>,
}

impl Catalogue {
    fn of(codes: Vec<String>) -> Catalogue {
        let mut total = 0.0;
        let cumulative = (1..=codes.len())
            .map(|rank| {
                total += 1.0 / rank as f64;
                total
            })
            .collect();
        let codes = codes
            .into_iter()
            .map(|c| &*Box::leak(c.into_boxed_str()))
            .collect();
        Catalogue { codes, cumulative }
    }

    /// The code whose share of the Zipf weights holds `hash` (any 64-bit value, spread evenly).
    pub fn pick(&self, hash: u64) -> &'static str {
        let total = self.cumulative.last().copied().unwrap_or(0.0);
        let x = (hash >> 11) as f64 * (1.0 / (1u64 << 53) as f64) * total;
        let i = self.cumulative.partition_point(|&c| c <= x);
        self.codes[i.min(self.codes.len() - 1)]
    }

    /// Every code, most used first.
    pub fn codes(&self) -> &[&'static str] {
        &self.codes
    }
}

/// A 64-bit hash of a row's identity (SplitMix64's finaliser over the parts in turn).
pub fn row_hash(parts: &[u64]) -> u64 {
    parts.iter().fold(0x9e37_79b9_7f4a_7c15, |h, &p| {
        let mut z = (h ^ p).wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    })
}

/// The order codes are ranked in: a fixed shuffle of how they were listed, so that the common
/// codes are spread over the chapters as in the registers rather than all in the first.
fn ranked(mut codes: Vec<String>) -> Vec<String> {
    codes.sort_by_key(|c| row_hash(&c.bytes().map(u64::from).collect::<Vec<_>>()));
    codes
}

/// ICD-10 diagnoses as the register writes them (`D` before the code): three characters and a
/// fourth, in the chapters named in the module's documentation. 8,320 codes.
pub fn diagnoses() -> &'static Catalogue {
    static CODES: OnceLock<Catalogue> = OnceLock::new();
    CODES.get_or_init(|| {
        let chapters: [(char, std::ops::RangeInclusive<u32>); 11] = [
            ('R', 0..=99),
            ('Z', 0..=99),
            ('H', 0..=95),
            ('L', 0..=99),
            ('S', 0..=69),
            ('J', 0..=39),
            ('M', 40..=54),
            ('K', 0..=14),
            ('T', 0..=98),
            ('O', 0..=99),
            ('P', 0..=96),
        ];
        let mut codes = Vec::new();
        for (letter, numbers) in chapters {
            for n in numbers {
                for fourth in 0..10 {
                    codes.push(format!("D{letter}{n:02}{fourth}"));
                }
            }
        }
        Catalogue::of(ranked(codes))
    })
}

/// SKS procedure codes: imaging (`UX`), physiology (`WL`), general (`ZZ`), and surgical or
/// medical groups outside those the analyses read (`KT`, `KJ`, `KP`, `BO`, `BG`), each with two
/// letters and two digits. 2,000 codes.
pub fn procedures() -> &'static Catalogue {
    static CODES: OnceLock<Catalogue> = OnceLock::new();
    CODES.get_or_init(|| {
        let mut codes = Vec::new();
        for group in ["UX", "WL", "ZZ", "KT", "KJ", "KP", "BO", "BG"] {
            for third in ['A', 'B', 'C', 'D', 'E'] {
                for fourth in ['A', 'B', 'C', 'D', 'E'] {
                    for n in [0, 10, 20, 30, 40, 50, 60, 70, 80, 90] {
                        codes.push(format!("{group}{third}{fourth}{n:02}"));
                    }
                }
            }
        }
        Catalogue::of(ranked(codes))
    })
}

/// ATC codes of five levels (anatomical group, two digits, two letters, two digits) outside the
/// antidiabetics (`A10`). 1,200 codes.
pub fn drugs() -> &'static Catalogue {
    static CODES: OnceLock<Catalogue> = OnceLock::new();
    CODES.get_or_init(|| {
        let mut codes = Vec::new();
        for group in ['A', 'B', 'C', 'D', 'G', 'H', 'J', 'L', 'M', 'N', 'R', 'S'] {
            for main in [2, 3, 6, 7, 9] {
                for (third, fourth) in [('A', 'A'), ('A', 'B'), ('B', 'A'), ('C', 'A')] {
                    for n in 1..=5 {
                        codes.push(format!("{group}{main:02}{third}{fourth}{n:02}"));
                    }
                }
            }
        }
        Catalogue::of(ranked(codes))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every code the shipped analyses read, from the specs themselves, as diagnoses (with
    /// Charlson's conditions; without the register's `D`), procedures and drugs. An outcome's
    /// codes count as all three.
    fn codes_read() -> [Vec<String>; 3] {
        let mut diagnoses: Vec<String> = crate::cohort::charlson::CONDITIONS
            .iter()
            .flat_map(|c| c.codes.iter().map(|s| s.to_string()))
            .collect();
        let (mut procedures, mut drugs) = (Vec::new(), Vec::new());
        for entry in std::fs::read_dir("pipelines").expect("pipelines") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "toml") {
                let spec = crate::spec::load(&path).expect("a shipped spec");
                let s = &spec.spec;
                for c in s
                    .patient_group
                    .include
                    .iter()
                    .chain(&s.patient_group.exclude)
                {
                    diagnoses.extend(c.diagnoses.iter().cloned());
                    procedures.extend(c.procedures.iter().cloned());
                    drugs.extend(c.atc.iter().cloned());
                }
                for o in &s.outcomes {
                    for read in [&mut diagnoses, &mut procedures, &mut drugs] {
                        read.extend(o.codes.iter().cloned());
                    }
                }
            }
        }
        for (read, at_least) in [(&diagnoses, 100), (&procedures, 3), (&drugs, 2)] {
            assert!(read.len() >= at_least, "the codes were found: {read:?}");
        }
        [diagnoses, procedures, drugs]
    }

    #[test]
    fn no_background_code_is_read_by_an_analysis() {
        let [read_diagnoses, read_procedures, read_drugs] = codes_read();
        let kinds = [
            (diagnoses(), read_diagnoses),
            (procedures(), read_procedures),
            (drugs(), read_drugs),
        ];
        for (catalogue, read) in kinds {
            for code in catalogue.codes() {
                let bare = code.strip_prefix('D').unwrap_or(code);
                for r in &read {
                    assert!(
                        !code.starts_with(r.as_str()) && !bare.starts_with(r.as_str()),
                        "{code} is read as {r}"
                    );
                }
            }
        }
    }

    #[test]
    fn every_code_has_the_registers_format() {
        let formats = [
            (diagnoses(), "^D[A-Z][0-9]{2}[A-Z0-9]*$", 8_000),
            (procedures(), "^[A-Z][A-Z0-9]{2,9}$", 2_000),
            (
                drugs(),
                "^[A-Z]([0-9]{2}([A-Z]([A-Z]([0-9]{2})?)?)?)?$",
                1_000,
            ),
        ];
        for (catalogue, pattern, at_least) in formats {
            let pattern = regex::Regex::new(pattern).expect("pattern");
            assert!(
                catalogue.codes().len() >= at_least,
                "{} codes",
                catalogue.codes().len()
            );
            let mut distinct = catalogue.codes().to_vec();
            distinct.sort_unstable();
            distinct.dedup();
            assert_eq!(distinct.len(), catalogue.codes().len(), "no code twice");
            for code in catalogue.codes() {
                assert!(pattern.is_match(code), "{code} against {pattern}");
            }
        }
    }

    /// Zipf's law: the most used code about 1 / H(n) of the rows (H the harmonic number), the
    /// second half as often as it, and the rare half of the codes drawn too.
    #[test]
    fn codes_are_drawn_by_zipf_weights() {
        let catalogue = diagnoses();
        let n = catalogue.codes().len();
        let draws = 2_000_000u64;
        let mut counts = std::collections::HashMap::new();
        for i in 0..draws {
            *counts.entry(catalogue.pick(row_hash(&[i]))).or_insert(0u64) += 1;
        }
        let harmonic: f64 = (1..=n).map(|r| 1.0 / r as f64).sum();
        let share = |rank: usize| counts[catalogue.codes()[rank]] as f64 / draws as f64;
        let expected = 1.0 / harmonic;
        assert!(
            (share(0) - expected).abs() < 0.05 * expected,
            "{}",
            share(0)
        );
        assert!(
            (share(1) - expected / 2.0).abs() < 0.05 * expected,
            "{}",
            share(1)
        );
        let rare_drawn = catalogue.codes()[n / 2..]
            .iter()
            .filter(|c| counts.contains_key(*c))
            .count();
        assert!(
            rare_drawn > n / 2 * 9 / 10,
            "{rare_drawn} of the rarer half drawn"
        );
    }
}
