//! The tables of one release as the disclosure gate sees them ([`Slice`]), what an outsider
//! knows of how they relate ([`Relations`]), and what the gate decides for each ([`Decision`]).

use std::collections::BTreeMap;

use super::Threshold;
use super::pattern::SuppressionRecord;

/// One released table: levels with (persons with the outcome, persons at risk).
#[derive(Debug, Clone)]
pub struct Slice {
    /// The stratifier's code.
    pub stratifier: String,
    /// The sub-analysis id, empty for the main analysis.
    pub subanalysis: String,
    pub outcome: String,
    /// The outcome without an at-risk restriction this one's denominators are part of.
    pub at_risk_of: Option<String>,
    /// The outcome whose numerator counts exactly those not at risk here (a death outcome whose
    /// window ends where the at-risk rule begins).
    pub not_at_risk_are: Option<String>,
    /// Every outcome whose events include this one's (same patients, a wider window or more
    /// codes): its numerator is this one's plus the patients in between.
    pub within: Vec<String>,
    pub levels: BTreeMap<String, (u64, u64)>,
}

/// What an outsider knows of how the populations and stratifiers of a release relate.
#[derive(Debug, Clone, Default)]
pub struct Relations {
    /// (narrow, wide): every patient of the narrow population (a sub-analysis id, or "" for the
    /// main analysis) is one of the wide population's.
    pub nested: Vec<(String, String)>,
    /// (wide, a, b): populations a and b split population wide between them.
    pub splits: Vec<(String, String, String)>,
    /// Stratifiers one of which lies inside the other.
    pub hierarchies: Vec<Hierarchy>,
    /// The same analysis and year as released before from the ledger (a midway status before
    /// the annual analysis, last year's annual analysis): one list of tables per release.
    pub earlier: Vec<Vec<Released>>,
    /// (stratifier, level) pairs that are costly to hide: the extreme levels of an ordered
    /// dimension, which carry its gradient (hide the middle level or "uoplyst" instead).
    pub costly: Vec<(String, String)>,
}

/// A table released before: its true counts and which of them were printed.
#[derive(Debug, Clone)]
pub struct Released {
    pub slice: Slice,
    pub decision: Decision,
}

/// A stratifier whose every level lies inside one level of a coarser stratifier (each
/// municipality in one region, each hospital in one region).
#[derive(Debug, Clone)]
pub struct Hierarchy {
    pub fine: String,
    pub coarse: String,
    /// Fine level -> the coarse level it lies in.
    pub parent: BTreeMap<String, String>,
}

/// Which counts of a row may be printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Shown {
    pub numerator: bool,
    pub denominator: bool,
}

impl Shown {
    /// The row's values (its share and everything derived from it) may be released.
    pub fn both(self) -> bool {
        self.numerator && self.denominator
    }
}

/// The decisions for one slice: per level and for its total (key [`crate::tidy::TOTAL`]).
pub type Decision = BTreeMap<String, Shown>;

/// What the gate suppressed, for the manifest.
#[derive(Debug, Clone, Default)]
pub struct GateCounts {
    pub primary: usize,
    pub secondary: usize,
    /// Every suppressed or protected cell with its cause (labels only, never a count).
    pub records: Vec<SuppressionRecord>,
}

impl GateCounts {
    /// Adds what another problem of the same release suppressed.
    pub(super) fn add(&mut self, other: GateCounts) {
        self.primary += other.primary;
        self.secondary += other.secondary;
        self.records.extend(other.records);
    }
}

/// The primary rule of a release: the threshold, and the group size from which a share of 0 % or
/// 100 % is printed.
///
/// A share of 0 % or 100 % reveals the outcome of every member of the group (group attribute
/// disclosure, Hundepool et al., *Statistical Disclosure Control*, Wiley 2012, sec. 5.2). In a
/// small group that is a fact about identifiable persons and is protected like a count below the
/// threshold. In a large group it is a fact about the group: an offer that reaches nobody in it
/// (an offer given only to patients with two or more chronic conditions, for none of 18,458
/// patients with one) or everybody. The output rules of the Danish research servers concern
/// counts of one to a few persons; this rule also protects zeros in groups below
/// [`ReleaseRule::zeros_shown_from`]
/// persons ([`DEFAULT_ZEROS_SHOWN_FROM`] unless a spec's `[disclosure] zeros_shown_from` says
/// otherwise).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReleaseRule {
    pub threshold: Threshold,
    /// The smallest group in which a share of 0 % or 100 % is printed.
    pub zeros_shown_from: u64,
}

/// The default smallest group in which a share of 0 % or 100 % is printed.
pub const DEFAULT_ZEROS_SHOWN_FROM: u64 = 100;

impl From<Threshold> for ReleaseRule {
    /// The threshold with the default zero rule.
    fn from(threshold: Threshold) -> Self {
        Self {
            threshold,
            zeros_shown_from: DEFAULT_ZEROS_SHOWN_FROM,
        }
    }
}
