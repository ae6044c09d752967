//! The record of what a run's disclosure gates hid, for its manifest and log: the rule, the
//! threshold and where each hidden published cell is, never its count or its reason.

use serde::Serialize;

/// What the disclosure gates of a run suppressed, for its manifest and log. Only the counts and
/// the hidden published cells are serialised: whether a cell was hidden by the primary rule or as
/// a secondary would narrow its value (primary means below the threshold), so the released
/// manifest gives the rule, not each cell's reason.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SuppressionSummary {
    pub threshold: u64,
    #[serde(skip)]
    pub primary: usize,
    #[serde(skip)]
    pub secondary: usize,
    /// "cells describing fewer persons than the threshold, and further cells so that none can be
    /// worked back by subtraction, are not shown".
    pub rule: &'static str,
    pub cells: Vec<SuppressedCell>,
    /// The earlier releases of the release ledger this run was protected against
    /// (`midway-2025`, `annual-2024`).
    pub released_before: Vec<String>,
}

/// The rule recorded in the manifest.
pub const SUPPRESSION_RULE: &str = "counts of persons below the threshold (numerator, denominator or their difference, 0 included in a non-empty group) and further cells chosen so that no hidden count can be worked back by subtraction within or between the released tables are not shown, nor anything computed from them";

/// One hidden published cell: where it is (never its count or the reason it was hidden).
#[derive(Debug, Clone, Serialize)]
pub struct SuppressedCell {
    pub year: i32,
    pub dimension: String,
    /// `subanalysis/outcome/level: numerator|denominator`.
    pub cell: String,
}
