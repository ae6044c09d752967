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

/// An optimum of [`bound`]: the target's extreme value and a whole table attaining it (every
/// cell's value, consistent with everything the pattern prints), or `None` when unbounded above.
pub(crate) type Bound = Option<(f64, Vec<f64>)>;

/// Minimum (`Minimize`) or maximum (`Maximize`) of `target` over all
/// nonnegative real tables that agree with the released cells of `pattern`
/// and satisfy the constraints of `set`, with a table attaining it. `None` means unbounded
/// above.
pub(crate) fn bound(
    set: &TableSet,
    pattern: &Pattern,
    target: CellId,
    direction: OptimizationDirection,
) -> Result<Bound, DisclosureError> {
    let mut problem = Problem::new(direction);
    // Only the hidden cells tied to the target through constraints of hidden cells can move it:
    // the program holds that component alone (the others' constraints are satisfied by the true
    // table whatever the target does).
    let component = hidden_component(set, pattern, target);
    let vars: Vec<Option<Variable>> = pattern
        .statuses()
        .iter()
        .enumerate()
        .map(|(i, status)| {
            let objective = if i == target.index() { 1.0 } else { 0.0 };
            (status.is_hidden() && component[i])
                .then(|| problem.add_var(objective, (0.0, f64::INFINITY)))
        })
        .collect();
    for constraint in set.constraints() {
        let touches = std::iter::once(constraint.total())
            .chain(constraint.parts().iter().copied())
            .any(|c| component.get(c.index()).copied().unwrap_or(false));
        if !touches {
            continue;
        }
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
        Ok(outcome) => {
            let solution = outcome
                .into_solution()
                .map_err(|interrupted| DisclosureError::Solver(format!("{interrupted:?}")))?;
            // Cells outside the program keep their true values, which satisfy every constraint
            // that does not touch the component.
            let table = vars
                .iter()
                .enumerate()
                .map(|(i, var)| match var {
                    Some(var) => Ok(solution.var_value(*var)),
                    None => count(set, CellId::from_index(i)),
                })
                .collect::<Result<Vec<f64>, _>>()?;
            Ok(Some((solution.objective(), table)))
        }
        Err(LpError::Unbounded) => Ok(None),
        Err(error) => Err(DisclosureError::Solver(error.to_string())),
    }
}

/// Which cells are hidden and tied to `target` through constraints among hidden cells.
pub(crate) fn hidden_component(set: &TableSet, pattern: &Pattern, target: CellId) -> Vec<bool> {
    let statuses = pattern.statuses();
    let hidden = |c: CellId| statuses.get(c.index()).is_some_and(|s| s.is_hidden());
    // Constraints per hidden cell, then a search from the target.
    let mut touching: Vec<Vec<usize>> = vec![Vec::new(); statuses.len()];
    for (k, constraint) in set.constraints().iter().enumerate() {
        for c in std::iter::once(constraint.total()).chain(constraint.parts().iter().copied()) {
            if hidden(c) {
                touching[c.index()].push(k);
            }
        }
    }
    let mut inside = vec![false; statuses.len()];
    if !hidden(target) {
        return inside;
    }
    let mut seen_constraint = vec![false; set.constraints().len()];
    let mut stack = vec![target];
    inside[target.index()] = true;
    while let Some(cell) = stack.pop() {
        for &k in &touching[cell.index()] {
            if std::mem::replace(&mut seen_constraint[k], true) {
                continue;
            }
            let constraint = &set.constraints()[k];
            for c in std::iter::once(constraint.total()).chain(constraint.parts().iter().copied()) {
                if hidden(c) && !inside[c.index()] {
                    inside[c.index()] = true;
                    stack.push(c);
                }
            }
        }
    }
    inside
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
        let id = CellId::from_index(i);
        let value = count(set, id)?;
        // A known cell cannot be hidden, so the perturbation may not move it.
        let (up_limit, down_limit) = if set.is_known(id) {
            (0.0, 0.0)
        } else {
            (f64::INFINITY, value)
        };
        let up = problem.add_var(price, (0.0, up_limit));
        let down = problem.add_var(price, (0.0, down_limit));
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
