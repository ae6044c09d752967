//! The audit: the feasible interval of every protected cell.
//!
//! # Protection criterion
//!
//! An intruder knows the released cells, the additivity constraints and that
//! every count is nonnegative. For a hidden cell `i`, the feasible interval
//! `[lower, upper]` is the smallest and largest value `i` takes over all
//! nonnegative tables consistent with that knowledge (computed by LP, then
//! rounded inward to integers because counts are integers). The pattern
//! protects cell `i` when
//!
//! ```text
//! upper - lower >= threshold        (upper = infinity counts as protected)
//! ```
//!
//! This is the "sliding protection range" of τ-ARGUS (Hundepool et al. 2012,
//! ch. 4): only the width is required, not its position around the true
//! value, so a count of 2 hidden in `[0, 5]` is protected at threshold 5. It is
//! demanded of **every** suppressed cell, primary and secondary, and of every
//! sensitive unpublished cell (e.g. a small complement `d - n`): a secondary
//! cell pinned down exactly would let the intruder peel back the pattern.
//!
//! The intervals use only released information, so the report itself can be
//! shipped in a run manifest without disclosing anything new.

use microlp::OptimizationDirection;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::error::DisclosureError;
use super::lp;
use super::pattern::Pattern;
use super::table::{CellId, TableSet};
use super::threshold::Threshold;

/// Slack for solver round-off when rounding LP bounds to integers.
const ROUNDING_SLACK: f64 = 1e-6;

/// What an intruder can infer about one hidden cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CellInterval {
    /// The cell.
    pub cell: CellId,
    /// Its label.
    pub label: String,
    /// Smallest feasible integer value.
    pub lower: u64,
    /// Largest feasible integer value; `None` if unbounded.
    pub upper: Option<u64>,
}

impl CellInterval {
    /// `upper - lower`, `None` if unbounded.
    pub fn width(&self) -> Option<u64> {
        self.upper.map(|upper| upper.saturating_sub(self.lower))
    }

    /// Whether the interval is at least `required` wide.
    pub fn is_at_least(&self, required: u64) -> bool {
        self.width().is_none_or(|width| width >= required)
    }
}

/// The audit of a whole pattern.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditReport {
    /// Required width of every interval (the threshold).
    pub required_width: u64,
    /// One interval per protected cell, in cell order.
    pub intervals: Vec<CellInterval>,
}

impl AuditReport {
    /// Whether every protected cell's interval is wide enough.
    pub fn passes(&self) -> bool {
        self.failures().next().is_none()
    }

    /// The intervals that are too narrow.
    pub fn failures(&self) -> impl Iterator<Item = &CellInterval> {
        self.intervals
            .iter()
            .filter(|interval| !interval.is_at_least(self.required_width))
    }

    /// The interval of one cell, if it is protected.
    pub fn interval(&self, cell: CellId) -> Option<&CellInterval> {
        self.intervals.iter().find(|interval| interval.cell == cell)
    }
}

/// Audits every cell the pattern must protect (see the module docs).
pub fn audit(
    set: &TableSet,
    pattern: &Pattern,
    threshold: Threshold,
) -> Result<AuditReport, DisclosureError> {
    pattern.check_matches(set)?;
    let intervals = pattern
        .protected_cells()
        .into_iter()
        .map(|cell| feasible_interval(set, pattern, cell))
        .collect::<Result<_, _>>()?;
    Ok(AuditReport {
        required_width: threshold.value(),
        intervals,
    })
}

/// Tables consistent with what some pattern printed, kept from earlier programs: a table that
/// gives every cell a pattern prints its true value is consistent with that pattern too, so two
/// such tables whose values of a hidden cell lie the threshold apart prove its interval wide
/// enough without a program of its own. The clean-up tries dozens of patterns that differ by one
/// cell, and most of their cells are proved so (the witness idea of the attacker in
/// `tests/cli/attacker.rs`, where most counts need no program either).
///
/// It also remembers the cells that lost their protection in a trial: the next trial is likely
/// to expose the same, and a failing trial stops at its first exposed cell.
#[derive(Debug, Default)]
pub(crate) struct Witnesses {
    tables: Vec<Vec<f64>>,
    fragile: Vec<CellId>,
}

impl Witnesses {
    /// Keeps a table, the oldest going first beyond [`MAX_WITNESSES`].
    fn keep(&mut self, table: Vec<f64>) {
        if self.tables.len() == MAX_WITNESSES {
            self.tables.remove(0);
        }
        self.tables.push(table);
    }

    /// The tables consistent with `pattern`: every cell it prints at its true value.
    fn consistent<'a>(
        &'a self,
        set: &'a TableSet,
        pattern: &'a Pattern,
    ) -> impl Iterator<Item = &'a Vec<f64>> {
        self.consistent_but(set, pattern, None)
    }

    /// The tables that give every cell `pattern` prints, except `but`, its true value.
    fn consistent_but<'a>(
        &'a self,
        set: &'a TableSet,
        pattern: &'a Pattern,
        but: Option<CellId>,
    ) -> impl Iterator<Item = &'a Vec<f64>> {
        self.tables.iter().filter(move |table| {
            set.cells().iter().enumerate().all(|(i, cell)| {
                let id = CellId::from_index(i);
                Some(id) == but
                    || !pattern.is_released(id)
                    || (table[i] - cell.value() as f64).abs() <= ROUNDING_SLACK
            })
        })
    }

    /// Tables consistent with a trial's pattern made from the tables consistent with the pattern
    /// before it: the set of tables consistent with a pattern is convex (linear constraints and
    /// nonnegativity), so where one table puts the newly printed cell above its true value and
    /// another below, the mix of the two that puts it at its true value is consistent with the
    /// trial. Every point of the witnesses' hull at that value is such a mix of two, so this is
    /// all the witnesses know about the trial. Returns, for each of `cells`, the mixes giving
    /// its smallest and its largest value (among the [`MAX_PAIRED`] newest tables on each side).
    fn mixed(
        &self,
        set: &TableSet,
        pattern: &Pattern,
        printed: CellId,
        cells: &[CellId],
    ) -> Vec<Vec<f64>> {
        let truth = set.cells()[printed.index()].value() as f64;
        let (mut above, mut below) = (Vec::new(), Vec::new());
        for table in self.consistent_but(set, pattern, Some(printed)) {
            let v = table[printed.index()];
            if v > truth + ROUNDING_SLACK {
                above.push(table);
            } else if v < truth - ROUNDING_SLACK {
                below.push(table);
            }
        }
        let newest = |tables: &mut Vec<&Vec<f64>>| {
            let skip = tables.len().saturating_sub(MAX_PAIRED);
            tables.drain(..skip);
        };
        newest(&mut above);
        newest(&mut below);
        // Per cell: (smallest, its pair and weight), (largest, its pair and weight).
        type Extreme = Option<(f64, usize, usize, f64)>;
        let mut extremes: Vec<(Extreme, Extreme)> = vec![(None, None); cells.len()];
        for (i, a) in above.iter().enumerate() {
            for (j, b) in below.iter().enumerate() {
                // The weight of `a` that puts the printed cell at its true value.
                let weight =
                    (truth - b[printed.index()]) / (a[printed.index()] - b[printed.index()]);
                for (k, cell) in cells.iter().enumerate() {
                    let v = weight * a[cell.index()] + (1.0 - weight) * b[cell.index()];
                    let (low, high) = &mut extremes[k];
                    if low.is_none_or(|(l, ..)| v < l) {
                        *low = Some((v, i, j, weight));
                    }
                    if high.is_none_or(|(h, ..)| v > h) {
                        *high = Some((v, i, j, weight));
                    }
                }
            }
        }
        let mut chosen: Vec<(usize, usize, f64)> = extremes
            .into_iter()
            .flat_map(|(low, high)| [low, high])
            .flatten()
            .map(|(_, i, j, weight)| (i, j, weight))
            .collect();
        chosen.sort_by_key(|&(i, j, _)| (i, j));
        chosen.dedup_by(|x, y| (x.0, x.1) == (y.0, y.1));
        chosen
            .into_iter()
            .map(|(i, j, weight)| {
                above[i]
                    .iter()
                    .zip(below[j].iter())
                    .map(|(a, b)| weight * a + (1.0 - weight) * b)
                    .collect()
            })
            .collect()
    }
}

/// A trial of the clean-up: one cell of a passing pattern printed again. Only the cells hidden
/// together with it (`affected`, its hidden component before) can lose protection, and the check
/// stops at the first that does.
pub(crate) struct Trial<'a> {
    pub affected: &'a [bool],
    pub printed: CellId,
}

/// The most tables kept: enough for a clean-up's trials, bounded for the largest problems.
const MAX_WITNESSES: usize = 4096;

/// The most tables on each side of a trial's printed cell that [`Witnesses::mixed`] pairs: the
/// pairs cost `MAX_PAIRED^2` times the cells to prove, far below one program.
const MAX_PAIRED: usize = 64;

/// The cells the pattern must protect whose feasible interval is narrower than the threshold
/// (of a [`Trial`]: the first found, or none). Cells are proved by the witnesses where they can
/// be, with the tables of every program solved on the way; a cell the tables do not prove gets
/// its programs, the second only when the first does not prove it. The cells that failed before
/// are checked first, then (in a trial) those closest to the printed cell (sharing a total with
/// it first), so that a failing trial is found after a few programs.
pub(crate) fn exposed(
    set: &TableSet,
    pattern: &Pattern,
    threshold: Threshold,
    witnesses: &mut Witnesses,
    trial: Option<&Trial<'_>>,
) -> Result<Vec<CellId>, DisclosureError> {
    pattern.check_matches(set)?;
    let required = threshold.value() as f64;
    let cells: Vec<CellId> = pattern
        .protected_cells()
        .into_iter()
        .filter(|c| trial.is_none_or(|t| t.affected.get(c.index()).copied().unwrap_or(true)))
        .collect();
    // The range of each cell over the tables known consistent with this pattern, the true table
    // first; every program solved below adds its table, consistent by construction.
    let mut range: Vec<(f64, f64)> = set
        .cells()
        .iter()
        .map(|c| (c.value() as f64, c.value() as f64))
        .collect();
    let widen = |range: &mut Vec<(f64, f64)>, table: &[f64]| {
        for (r, &v) in range.iter_mut().zip(table) {
            *r = (r.0.min(v), r.1.max(v));
        }
    };
    for table in witnesses.consistent(set, pattern) {
        widen(&mut range, table);
    }
    // Rounded inward as the audit rounds the programs' optima.
    let proved = |range: &[(f64, f64)], c: CellId| {
        let (lo, hi) = range[c.index()];
        (hi + ROUNDING_SLACK).floor() - (lo - ROUNDING_SLACK).ceil() >= required
    };
    let mut unproved: Vec<CellId> = cells.into_iter().filter(|&c| !proved(&range, c)).collect();
    let mut found = bounded_by_a_total(set, pattern, &unproved, required);
    if trial.is_some() && !found.is_empty() {
        found.truncate(1);
        return Ok(found);
    }
    unproved.retain(|c| !found.contains(c));
    if let Some(trial) = trial {
        for table in witnesses.mixed(set, pattern, trial.printed, &unproved) {
            widen(&mut range, &table);
            witnesses.keep(table);
        }
        unproved.retain(|&c| !proved(&range, c));
    }
    let distance = trial.map(|t| distances_from(set, t.printed));
    let fragile = |c: &CellId| {
        witnesses
            .fragile
            .iter()
            .position(|f| f == c)
            .unwrap_or(usize::MAX)
    };
    unproved.sort_by_key(|c| {
        (
            fragile(c),
            distance.as_ref().map_or(0, |d| d[c.index()]),
            c.index(),
        )
    });
    // The programs of a few cells at once, one per thread: whether a cell is exposed does not
    // depend on the order, only how many programs the tables of others save.
    let batch = rayon::current_num_threads().max(1);
    let mut queue = unproved.into_iter();
    loop {
        let pending: Vec<CellId> = queue
            .by_ref()
            .filter(|&c| !proved(&range, c))
            .take(batch)
            .collect();
        if pending.is_empty() {
            return Ok(found);
        }
        for direction in [
            OptimizationDirection::Minimize,
            OptimizationDirection::Maximize,
        ] {
            let open: Vec<CellId> = pending
                .iter()
                .copied()
                .filter(|&c| !proved(&range, c))
                .collect();
            let bounds: Vec<_> = open
                .par_iter()
                .map(|&cell| lp::bound(set, pattern, cell, direction))
                .collect();
            for (cell, bound) in open.into_iter().zip(bounds) {
                match bound? {
                    Some((_, table)) => {
                        widen(&mut range, &table);
                        witnesses.keep(table);
                    }
                    // Unbounded above: protected whatever the lower bound.
                    None => range[cell.index()].1 = f64::INFINITY,
                }
            }
        }
        for cell in pending {
            if !proved(&range, cell) {
                witnesses.fragile.retain(|&f| f != cell);
                witnesses.fragile.insert(0, cell);
                found.push(cell);
                if trial.is_some() {
                    return Ok(found);
                }
            }
        }
    }
}

/// The `cells` that a printed total bounds too tightly, found without a program: when a
/// constraint's total is printed, its hidden parts are known to sum to the total less its printed
/// parts, so each lies between 0 and that sum, and a sum below `required` exposes them all.
fn bounded_by_a_total(
    set: &TableSet,
    pattern: &Pattern,
    cells: &[CellId],
    required: f64,
) -> Vec<CellId> {
    let mut found: Vec<CellId> = set
        .constraints()
        .iter()
        .filter(|constraint| pattern.is_released(constraint.total()))
        .flat_map(|constraint| {
            let hidden: Vec<CellId> = constraint
                .parts()
                .iter()
                .copied()
                .filter(|&p| !pattern.is_released(p))
                .collect();
            let sum: u64 = hidden.iter().map(|p| set.cells()[p.index()].value()).sum();
            if (sum as f64) < required {
                hidden
            } else {
                Vec::new()
            }
        })
        .filter(|c| cells.contains(c))
        .collect();
    found.sort_unstable();
    found.dedup();
    found
}

/// Each cell's number of constraints away from `from` (0 for itself, 1 for the cells sharing a
/// constraint with it; `usize::MAX` when unconnected).
fn distances_from(set: &TableSet, from: CellId) -> Vec<usize> {
    let mut by_cell: Vec<Vec<usize>> = vec![Vec::new(); set.len()];
    for (k, constraint) in set.constraints().iter().enumerate() {
        for c in std::iter::once(constraint.total()).chain(constraint.parts().iter().copied()) {
            by_cell[c.index()].push(k);
        }
    }
    let mut distance = vec![usize::MAX; set.len()];
    let mut seen = vec![false; set.constraints().len()];
    let mut frontier = vec![from];
    distance[from.index()] = 0;
    let mut step = 0;
    while !frontier.is_empty() {
        step += 1;
        let mut next = Vec::new();
        for cell in frontier {
            for &k in &by_cell[cell.index()] {
                if std::mem::replace(&mut seen[k], true) {
                    continue;
                }
                let constraint = &set.constraints()[k];
                for c in
                    std::iter::once(constraint.total()).chain(constraint.parts().iter().copied())
                {
                    if distance[c.index()] == usize::MAX {
                        distance[c.index()] = step;
                        next.push(c);
                    }
                }
            }
        }
        frontier = next;
    }
    distance
}

/// The feasible interval of any cell under a pattern; a released cell's
/// interval is its own value.
pub fn feasible_interval(
    set: &TableSet,
    pattern: &Pattern,
    cell: CellId,
) -> Result<CellInterval, DisclosureError> {
    pattern.check_matches(set)?;
    let found = set.cell(cell)?;
    let label = found.label().to_owned();
    if pattern.is_released(cell) {
        return Ok(CellInterval {
            cell,
            label,
            lower: found.value(),
            upper: Some(found.value()),
        });
    }
    let lower = lp::bound(set, pattern, cell, OptimizationDirection::Minimize)?
        .map_or(0.0, |(value, _)| value);
    let upper = lp::bound(set, pattern, cell, OptimizationDirection::Maximize)?;
    Ok(CellInterval {
        cell,
        label,
        lower: to_count((lower - ROUNDING_SLACK).ceil()),
        upper: upper.map(|(upper, _)| to_count((upper + ROUNDING_SLACK).floor())),
    })
}

/// An LP bound as a count; bounds are >= 0 and <= 2^53 up to round-off.
fn to_count(value: f64) -> u64 {
    // `as` saturates: negative round-off becomes 0.
    value as u64
}
