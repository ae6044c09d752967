//! The record of what a run's disclosure gates hid, for its manifest and log: the rule, the
//! threshold and where each hidden published cell is, never its count or its reason.

use serde::{Deserialize, Serialize};

use super::pattern::{SuppressionCause, SuppressionRecord};
use super::slices::{Decision, Slice};
use crate::tidy::TOTAL;

/// What the disclosure gates of a run suppressed, for its manifest and log. Only the counts and
/// the hidden published cells are serialised: whether a cell was hidden by the primary rule or as
/// a secondary would narrow its value (primary means below the threshold), so the released
/// manifest gives the rule, not each cell's reason.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SuppressionSummary {
    pub threshold: u64,
    /// The smallest group in which a share of 0 % or 100 % is printed.
    pub zeros_shown_from: u64,
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
    /// What the protection cost, summed over the analysis's years.
    pub information_loss: InformationLoss,
}

/// The rule recorded in the manifest.
pub const SUPPRESSION_RULE: &str = "counts of persons below the threshold (numerator, denominator or their difference, 0 included in a non-empty group smaller than zeros_shown_from) and further cells chosen so that no hidden count can be worked back by subtraction within or between the released tables are not shown, nor anything computed from them";

/// The dimension of a hidden total, decided once for the whole release and hidden in every
/// stratifier's table.
pub const EVERY_TABLE: &str = "*";

/// One hidden published cell: where it is (never its count or the reason it was hidden).
#[derive(Debug, Clone, Serialize)]
pub struct SuppressedCell {
    pub year: i32,
    /// The stratifier's code, or [`EVERY_TABLE`] for a total.
    pub dimension: String,
    /// `subanalysis/outcome/level: numerator|denominator`.
    pub cell: String,
}

/// What disclosure control cost one analysis: the hidden published counts by cause, and the level
/// rows whose share is not printed with their patients.
///
/// The patients are given for every cause together and only where a reader can work them out
/// from what is printed (a table's printed total less its printed levels, plus the printed
/// denominators of rows whose numerator is hidden): split by cause, or counted in a table whose
/// total is hidden, they would give away hidden counts by subtraction.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InformationLoss {
    /// Published counts (numerators, denominators and totals) hidden by the primary rule: below
    /// the threshold, or a small group's share of 0 % or 100 %.
    pub cells_below_threshold: usize,
    /// Published counts hidden so that no other can be worked back (secondary suppression).
    pub cells_protecting_others: usize,
    /// Published counts hidden with every level of their table, because the table had no
    /// pattern that keeps its printed total.
    pub cells_whole_table: usize,
    /// Level rows of every table (stratifier, sub-analysis, outcome and year), totals aside.
    pub rows: usize,
    /// Of them, rows whose share is not printed.
    pub rows_hidden: usize,
    /// Patients at risk summed over the rows of the tables whose total is printed (a patient
    /// counts once in each table).
    pub patients_in_rows: u64,
    /// Of them, patients in rows whose share is not printed.
    pub patients_in_hidden_rows: u64,
}

impl InformationLoss {
    /// Adds one gated release: its tables, the gate's decisions and the records of what it hid.
    pub fn add(&mut self, slices: &[Slice], decisions: &[Decision], records: &[SuppressionRecord]) {
        for record in records {
            match record.cause {
                SuppressionCause::Primary { .. } => self.cells_below_threshold += 1,
                SuppressionCause::Secondary { .. } => self.cells_protecting_others += 1,
                SuppressionCause::WholeTable => self.cells_whole_table += 1,
                SuppressionCause::SensitiveUnpublished { .. } => {}
            }
        }
        for (slice, decision) in slices.iter().zip(decisions) {
            let total_printed = decision.get(TOTAL).is_some_and(|t| t.denominator);
            for (level, &(_, persons)) in &slice.levels {
                let shown = decision.get(level).copied().unwrap_or_default();
                self.rows += 1;
                self.rows_hidden += usize::from(!shown.both());
                if total_printed {
                    self.patients_in_rows += persons;
                    if !shown.both() {
                        self.patients_in_hidden_rows += persons;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::disclosure::gate::Shown;
    use crate::disclosure::{CellId, PrimaryReason};

    fn shown(numerator: bool, denominator: bool) -> Shown {
        Shown {
            numerator,
            denominator,
        }
    }

    fn record(cause: SuppressionCause) -> SuppressionRecord {
        SuppressionRecord {
            cell: CellId::from_index(0),
            label: "x".into(),
            cause,
        }
    }

    /// Two tables: one with a printed total (its hidden rows' 45 patients count), one whose total
    /// is hidden (its rows count, its patients not).
    #[test]
    fn loss_counts_rows_by_table_and_patients_where_the_total_is_printed() {
        let levels = |rows: &[(&str, u64, u64)]| -> BTreeMap<String, (u64, u64)> {
            rows.iter()
                .map(|(l, n, d)| (l.to_string(), (*n, *d)))
                .collect()
        };
        let slice = |levels| Slice {
            stratifier: "s".into(),
            subanalysis: String::new(),
            outcome: "o".into(),
            at_risk_of: None,
            not_at_risk_are: None,
            within: Vec::new(),
            levels,
        };
        let slices = [
            slice(levels(&[("a", 2, 30), ("b", 20, 15), ("c", 50, 100)])),
            slice(levels(&[("a", 1, 3), ("b", 1, 2)])),
        ];
        let decisions: Vec<Decision> = vec![
            BTreeMap::from([
                ("a".into(), shown(false, true)),
                ("b".into(), shown(false, false)),
                ("c".into(), shown(true, true)),
                (TOTAL.into(), shown(true, true)),
            ]),
            BTreeMap::from([
                ("a".into(), shown(false, false)),
                ("b".into(), shown(false, false)),
                (TOTAL.into(), shown(false, false)),
            ]),
        ];
        let below = SuppressionCause::Primary {
            reason: PrimaryReason::Manual,
        };
        let records = [
            record(below.clone()),
            record(SuppressionCause::Secondary {
                protecting: vec!["x".into()],
            }),
            record(SuppressionCause::Secondary {
                protecting: vec!["x".into()],
            }),
            record(SuppressionCause::WholeTable),
            record(SuppressionCause::SensitiveUnpublished {
                reason: PrimaryReason::Manual,
            }),
        ];
        let mut loss = InformationLoss::default();
        loss.add(&slices, &decisions, &records);
        assert_eq!(
            loss,
            InformationLoss {
                cells_below_threshold: 1,
                cells_protecting_others: 2,
                cells_whole_table: 1,
                rows: 5,
                rows_hidden: 4,
                patients_in_rows: 145,
                patients_in_hidden_rows: 45,
            }
        );
    }
}
