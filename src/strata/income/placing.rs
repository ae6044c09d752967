//! The arithmetic of the income quintiles on plain vectors: each person's mean income over the
//! years of a window, read by walking key-sorted arrays side by side, and the cut points of a
//! cell of sex x age group.
//!
//! A grouping of the window's incomes by person (15 million rows a year at national volume)
//! hashes every row; walking arrays sorted by person key once reads each row once, in order.

use polars::prelude::PlHashMap;
use rayon::prelude::*;

/// A person of the population with a mean income in the window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placed {
    /// The person's first row in the population arrays.
    pub row: usize,
    /// The person's cell of sex x age group (the highest of their rows' where they have several).
    pub cell: i32,
    /// The mean of the person's incomes over the window's years, summed in the years' order.
    pub income: f64,
}

/// Every person of `population` (keys sorted ascending, a person's rows next to each other,
/// `cells` beside them) who has an income in some year of `years` (each that year's keys sorted
/// ascending, its incomes beside them, a person's several rows all counted), with their mean
/// income: the mean over every income row of theirs in the window, as a grouping of the
/// stacked years by person takes it. A person with no income row is left out, as is an income
/// whose person is not in the population.
pub fn mean_incomes<K: Ord + Copy>(
    population: &[K],
    cells: &[i32],
    years: &[(&[K], &[f64])],
) -> Vec<Placed> {
    let mut next = vec![0usize; years.len()];
    let mut placed = Vec::with_capacity(population.len());
    let mut row = 0;
    while row < population.len() {
        let key = population[row];
        let first = row;
        let mut cell = cells[row];
        row += 1;
        while row < population.len() && population[row] == key {
            cell = cell.max(cells[row]);
            row += 1;
        }
        let (mut sum, mut count) = (0.0, 0u32);
        for ((keys, incomes), at) in years.iter().zip(next.iter_mut()) {
            while *at < keys.len() && keys[*at] < key {
                *at += 1;
            }
            while *at < keys.len() && keys[*at] == key {
                sum += incomes[*at];
                count += 1;
                *at += 1;
            }
        }
        if count > 0 {
            placed.push(Placed {
                row: first,
                cell,
                income: sum / f64::from(count),
            });
        }
    }
    placed
}

/// The shares of a cell below its four cut points.
const CUTS: [f64; 4] = [0.2, 0.4, 0.6, 0.8];

/// The 20/40/60/80% quantiles of `values` (not empty) by linear interpolation between order
/// statistics, Hyndman and Fan's type 7 (R's default): at h = (n - 1) p from the 0-based
/// order statistics x, the cut is x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h]).
/// Written as Polars' `quantile(.., Linear)` writes it, which the quintiles used before, so
/// that the same incomes give the same cut to the last bit. `values` is reordered.
pub fn cut_points(values: &mut [f64]) -> [f64; 4] {
    CUTS.map(|share| {
        let h = (values.len() - 1) as f64 * share;
        let below = h as usize;
        let (_, lower, above) = values.select_nth_unstable_by(below, f64::total_cmp);
        let lower = *lower;
        if h.ceil() as usize == below {
            return lower;
        }
        let upper = above
            .iter()
            .copied()
            .min_by(f64::total_cmp)
            .expect("a value above a fractional position");
        if lower == upper {
            lower
        } else {
            (h - below as f64) * (upper - lower) + lower
        }
    })
}

/// The income quintile (1-5) of each of `placed`, cut within its cell by [`cut_points`] of the
/// cell's incomes: one more than the number of its cell's cut points its income lies above, so
/// an income equal to a cut point falls in the lower quintile.
///
/// The incomes are laid out cell by cell in one array (a count, then a scatter) and the cells
/// cut side by side, where a growing list per cell copied each of them again as it grew.
pub fn quintiles(placed: &[Placed]) -> Vec<i32> {
    let mut ids: PlHashMap<i32, usize> = PlHashMap::default();
    let cell_of: Vec<usize> = placed
        .iter()
        .map(|p| {
            let next = ids.len();
            *ids.entry(p.cell).or_insert(next)
        })
        .collect();
    let mut starts = vec![0usize; ids.len() + 1];
    for &cell in &cell_of {
        starts[cell + 1] += 1;
    }
    for cell in 0..ids.len() {
        starts[cell + 1] += starts[cell];
    }
    let mut by_cell = vec![0.0; placed.len()];
    let mut next = starts.clone();
    for (p, &cell) in placed.iter().zip(&cell_of) {
        by_cell[next[cell]] = p.income;
        next[cell] += 1;
    }
    let mut cells = Vec::with_capacity(ids.len());
    let mut rest = by_cell.as_mut_slice();
    for cell in 0..ids.len() {
        let (incomes, after) = rest.split_at_mut(starts[cell + 1] - starts[cell]);
        cells.push(incomes);
        rest = after;
    }
    let cuts: Vec<[f64; 4]> = cells.into_par_iter().map(cut_points).collect();
    placed
        .iter()
        .zip(&cell_of)
        .map(|(p, &cell)| 1 + cuts[cell].iter().filter(|&&cut| p.income > cut).count() as i32)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// R 4.x, `quantile(x, c(.2, .4, .6, .8))` (type 7), worked by hand from its definition:
    /// for 1..10, h = 9p gives 1.8, 3.6, 5.4, 7.2 from 0: 2.8, 4.6, 6.4, 8.2; for a single
    /// value every cut is that value; for two, h = p: 10 + 10p.
    #[test]
    fn cut_points_are_type_7_quantiles() {
        let mut one_to_ten: Vec<f64> = (1..=10).rev().map(f64::from).collect();
        let cuts = cut_points(&mut one_to_ten);
        for (cut, expected) in cuts.iter().zip([2.8, 4.6, 6.4, 8.2]) {
            assert!((cut - expected).abs() < 1e-12, "{cut} against {expected}");
        }
        assert_eq!(cut_points(&mut [7.0]), [7.0; 4]);
        let two = cut_points(&mut [20.0, 10.0]);
        for (cut, expected) in two.iter().zip([12.0, 14.0, 16.0, 18.0]) {
            assert!((cut - expected).abs() < 1e-12, "{cut} against {expected}");
        }
        // Ties: 0, 0, 0, 0, 5 gives h = 0.8, 1.6, 2.4, 3.2: 0, 0, 0, 1.
        let ties = cut_points(&mut [0.0, 5.0, 0.0, 0.0, 0.0]);
        assert_eq!(&ties[..3], &[0.0; 3]);
        assert!((ties[3] - 1.0).abs() < 1e-12);
    }

    /// Polars' own `quantile(.., Linear)` over many cells of random incomes gives the same cut
    /// points to the last bit: the quintiles before this module were cut by it.
    #[test]
    fn cut_points_are_polars_linear_quantiles_to_the_bit() {
        use polars::prelude::*;
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut random = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for n in [1usize, 2, 3, 4, 5, 7, 11, 100, 1001] {
            let mut values: Vec<f64> = (0..n)
                .map(|_| (random() % 1_000_000) as f64 / 7.0 - 20_000.0)
                .collect();
            let series = Series::new("v".into(), values.clone());
            let polars: Vec<f64> = CUTS
                .iter()
                .map(|&p| {
                    series
                        .quantile_reduce(p, QuantileMethod::Linear)
                        .expect("quantile")
                        .value()
                        .extract::<f64>()
                        .expect("a value")
                })
                .collect();
            assert_eq!(cut_points(&mut values).to_vec(), polars, "{n} values");
        }
    }

    #[test]
    fn means_walk_every_year_and_skip_persons_without_income() {
        // Persons 1-5; 2 has two population rows (cells 3 and 4), 4 has no income, 6 has an
        // income but no population row, 5 has two income rows in one year.
        let population = [1, 2, 2, 3, 4, 5];
        let cells = [1, 3, 4, 1, 2, 2];
        let year_a: (&[i64], &[f64]) = (&[1, 2, 6], &[10.0, 20.0, 99.0]);
        let year_b: (&[i64], &[f64]) = (&[1, 3, 5, 5], &[30.0, 40.0, 1.0, 2.0]);
        let placed = mean_incomes(&population, &cells, &[year_a, year_b]);
        let expected = [(0, 1, 20.0), (1, 4, 20.0), (3, 1, 40.0), (5, 2, 1.5)]
            .map(|(row, cell, income)| Placed { row, cell, income });
        assert_eq!(placed, expected);
    }

    #[test]
    fn text_keys_walk_like_integer_keys() {
        let population = ["a", "b", "c"];
        let incomes: (&[&str], &[f64]) = (&["b", "c", "d"], &[1.0, 2.0, 3.0]);
        let placed = mean_incomes(&population, &[1, 1, 1], &[incomes]);
        let rows: Vec<usize> = placed.iter().map(|p| p.row).collect();
        assert_eq!(rows, [1, 2]);
    }

    /// Ten persons of one cell with incomes 1..10 (cuts 2.8, 4.6, 6.4, 8.2): two in each
    /// quintile; a second cell of one person is in quintile 1 (its income is every cut).
    #[test]
    fn quintiles_are_cut_within_each_cell() {
        let mut placed: Vec<Placed> = (1..=10)
            .map(|i| Placed {
                row: i,
                cell: 101,
                income: f64::from(i as i32),
            })
            .collect();
        placed.push(Placed {
            row: 11,
            cell: 205,
            income: 1e6,
        });
        assert_eq!(quintiles(&placed), [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 1]);
    }
}
