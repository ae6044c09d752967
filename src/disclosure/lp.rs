//! The two linear programs of the disclosure core, on top of `microlp`.
//!
//! * [`bound`]: the smallest or largest value a hidden cell can take given the
//!   released cells, the additivity constraints and nonnegativity — the
//!   "attacker's problem" of the audit (Hundepool et al. 2012, ch. 4, on
//!   auditing a suppression pattern; sdcTable's `attack`).
//! * [`cheapest_perturbation`]: the single-cell protection subproblem of
//!   Fischetti & Salazar-González (2000): the cheapest change `y` of the table
//!   that keeps every constraint, keeps every cell nonnegative and moves the
//!   target cell by the required width. Every released cell that `y` changes
//!   must be suppressed; afterwards `x + y` is a table consistent with all
//!   released values, which proves the target's interval is wide enough.
//!
//! The solver works over the reals. For one- and two-way tables with margins
//! (and hierarchical ones) the constraint matrix is totally unimodular, so the
//! real bounds are attained at integer tables and equal the integer bounds;
//! for general linked tables they are outer bounds (the audit rounds them
//! inward to integers, since every true count is an integer).

use microlp::{ComparisonOp, Error as LpError, OptimizationDirection, Problem, Variable};

use super::error::DisclosureError;
use super::pattern::Pattern;
use super::table::{CellId, TableSet};

/// A change below this is treated as no change (solver round-off).
const CHANGE_TOLERANCE: f64 = 1e-6;

/// Minimum (`Minimize`) or maximum (`Maximize`) of `target` over all
/// nonnegative real tables that agree with the released cells of `pattern`
/// and satisfy the constraints of `set`. `None` means unbounded above.
pub(crate) fn bound(
    set: &TableSet,
    pattern: &Pattern,
    target: CellId,
    direction: OptimizationDirection,
) -> Result<Option<f64>, DisclosureError> {
    let mut problem = Problem::new(direction);
    let vars: Vec<Option<Variable>> = pattern
        .statuses()
        .iter()
        .enumerate()
        .map(|(i, status)| {
            let objective = if i == target.index() { 1.0 } else { 0.0 };
            status
                .is_hidden()
                .then(|| problem.add_var(objective, (0.0, f64::INFINITY)))
        })
        .collect();
    for constraint in set.constraints() {
        let mut terms = Vec::new();
        // sum(parts) - total == 0, released cells moved to the right-hand side.
        let mut rhs = 0.0;
        let signed = constraint
            .parts()
            .iter()
            .map(|&p| (p, 1.0))
            .chain(std::iter::once((constraint.total(), -1.0)));
        for (cell, sign) in signed {
            match vars.get(cell.index()).copied().flatten() {
                Some(var) => terms.push((var, sign)),
                None => rhs -= sign * count(set, cell)?,
            }
        }
        if !terms.is_empty() {
            problem.add_constraint(terms, ComparisonOp::Eq, rhs);
        }
    }
    match problem.solve() {
        Ok(outcome) => outcome
            .into_solution()
            .map(|solution| Some(solution.objective()))
            .map_err(|interrupted| DisclosureError::Solver(format!("{interrupted:?}"))),
        Err(LpError::Unbounded) => Ok(None),
        Err(error) => Err(DisclosureError::Solver(error.to_string())),
    }
}

/// The cheapest perturbation moving `target` by `shift` (positive: up,
/// negative: down). `cost[i]` is the price per unit of changing released cell
/// `i`; hidden cells change for free. Returns the released cells the
/// perturbation changes, or `None` if no perturbation exists.
pub(crate) fn cheapest_perturbation(
    set: &TableSet,
    pattern: &Pattern,
    target: CellId,
    shift: f64,
    cost: &[f64],
) -> Result<Option<(f64, Vec<CellId>)>, DisclosureError> {
    let mut problem = Problem::new(OptimizationDirection::Minimize);
    // y_i = up_i - down_i, with down_i <= x_i so that x_i + y_i >= 0.
    let mut moves = Vec::with_capacity(set.len());
    for (i, status) in pattern.statuses().iter().enumerate() {
        let price = if status.is_hidden() {
            0.0
        } else {
            cost.get(i).copied().unwrap_or(1.0)
        };
        let value = count(set, CellId::from_index(i))?;
        let up = problem.add_var(price, (0.0, f64::INFINITY));
        let down = problem.add_var(price, (0.0, value));
        moves.push((up, down));
    }
    let delta = |cell: CellId, sign: f64| {
        moves
            .get(cell.index())
            .map(|&(up, down)| [(up, sign), (down, -sign)])
            .ok_or(DisclosureError::UnknownCell(cell.index()))
    };
    for constraint in set.constraints() {
        let mut terms = Vec::new();
        for &part in constraint.parts() {
            terms.extend(delta(part, 1.0)?);
        }
        terms.extend(delta(constraint.total(), -1.0)?);
        problem.add_constraint(terms, ComparisonOp::Eq, 0.0);
    }
    problem.add_constraint(delta(target, 1.0)?.to_vec(), ComparisonOp::Eq, shift);
    let solution = match problem.solve() {
        Ok(outcome) => outcome
            .into_solution()
            .map_err(|interrupted| DisclosureError::Solver(format!("{interrupted:?}")))?,
        Err(LpError::Infeasible) => return Ok(None),
        Err(error) => return Err(DisclosureError::Solver(error.to_string())),
    };
    let changed = moves
        .iter()
        .enumerate()
        .filter(|&(i, &(up, down))| {
            pattern.is_released(CellId::from_index(i))
                && solution.var_value(up) + solution.var_value(down) > CHANGE_TOLERANCE
        })
        .map(|(i, _)| CellId::from_index(i))
        .collect();
    Ok(Some((solution.objective(), changed)))
}

/// A cell's count as the solver's number type (exact: counts are <= 2^53).
fn count(set: &TableSet, cell: CellId) -> Result<f64, DisclosureError> {
    Ok(set.cell(cell)?.value() as f64)
}
