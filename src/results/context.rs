//! What the rows of one dimension are computed for and from: the table's identity and settings
//! ([`DimensionContext`]) and each level's counts after the gate.

use crate::aggregate::LevelCounts;
use crate::disclosure::{RoundingBase, Threshold};
use crate::measures::subgroup::{Polarity, Subgroup};
use crate::spec::{Measure, Outcome, RequestedMeasure, Stratifier};
use crate::tidy::Row;

/// The confidence level of every interval in the tables.
pub const CONFIDENCE: f64 = 0.95;

/// What one dimension's rows are computed for.
pub struct DimensionContext<'a> {
    pub analysis: &'a str,
    pub subanalysis: &'a str,
    pub year: i32,
    pub outcome: &'a Outcome,
    pub stratifier: &'a Stratifier,
    pub measures: &'a [RequestedMeasure],
    pub threshold: Threshold,
    /// Standardise each level's share to the outcome's patients (`[standardisation]`).
    pub standardise: bool,
    /// The quality standard in percent when this dimension is the quality unit.
    pub quality_standard: Option<f64>,
    /// Round released counts to this base after suppression.
    pub rounding: Option<RoundingBase>,
}

impl DimensionContext<'_> {
    pub fn wants(&self, measure: RequestedMeasure) -> bool {
        self.measures.contains(&measure)
    }

    pub fn polarity(&self) -> Polarity {
        if self.outcome.favourable {
            Polarity::Favourable
        } else {
            Polarity::Adverse
        }
    }

    /// A stable seed from the table's identity and `detail` (FNV-1a of the text), so that every
    /// random step (simulated intervals, random rounding) gives the same numbers on a rerun.
    pub fn seed(&self, detail: &str) -> u64 {
        let text = format!(
            "{}/{}/{}/{}/{}/{detail}",
            self.analysis,
            self.outcome.id,
            self.subanalysis,
            self.year,
            self.stratifier.code()
        );
        text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
    }

    /// A row of this dimension with no value yet.
    pub fn row(&self, measure: Measure, group: &str, method: &str) -> Row {
        Row {
            analysis: self.analysis.to_string(),
            outcome: self.outcome.id.clone(),
            subanalysis: self.subanalysis.to_string(),
            year: self.year,
            measure,
            dimension: self.stratifier.code(),
            group: group.to_string(),
            value: None,
            lower: None,
            upper: None,
            numerator: None,
            denominator: None,
            method: method.to_string(),
            suppressed: false,
            note: String::new(),
        }
    }
}

/// One level after the gate.
pub struct GatedLevel {
    pub level: String,
    pub counts: LevelCounts,
    pub released: bool,
}

/// A level as a HEAT subgroup on the percent scale, with the binomial standard error.
pub fn percent_subgroup(c: &LevelCounts) -> Subgroup {
    let (x, n) = (c.events() as f64, c.persons() as f64);
    let p = if n > 0.0 { x / n } else { 0.0 };
    Subgroup {
        estimate: p * 100.0,
        se: (n > 0.0).then(|| (p * (1.0 - p) / n).sqrt() * 100.0),
        population: n,
        order: None,
        reference: false,
    }
}
