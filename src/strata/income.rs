//! The income quintile stratifier: quintiles of mean equivalised disposable family income with
//! population-wide cut points within sex x 5-year age group (SEPLINE's definition).
//!
//! Every person of the population is placed, so each year needs the income register's three
//! years before it (15 million rows at national volume). The index years of one patient frame
//! are placed together ([`placed`]): each income file is read once, sorted by person, and kept
//! while a year still to be placed has it in its window, so AMI's period of four years reads
//! six income files once each instead of twelve times. (The years of a trend are patient frames
//! of their own, each placed apart.) A year's mean incomes are then read by walking the sorted
//! files beside the sorted population ([`placing`]), where grouping the stacked rows by person
//! hashed each of them (1.5-1.7 s a year at national volume: bench/HISTORY.md). The quintiles of
//! a year are kept for the run ([`RegisterSet::shared`]), as every analysis of the year places
//! the same persons.

mod placing;

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

use polars::prelude::*;

use crate::error::{Error, Result};
use crate::registers::scan::{RegisterSet, collect_streaming};
use crate::spec::LoadedSpec;

/// Each person's income quintile in the population of each of `years`: `PNR`, `INDEX_YEAR` and
/// `income_quintile` (1-5), or `None` when no year has an income year to take a mean of.
pub(super) fn placed(
    registers: &RegisterSet,
    spec: &LoadedSpec,
    years: &[i32],
) -> Result<Option<LazyFrame>> {
    let mut years = years.to_vec();
    years.sort_unstable();
    years.dedup();
    let mut incomes = IncomeFiles::default();
    let mut placed = Vec::new();
    for &year in &years {
        if let Some(quintiles) = quintiles(registers, spec, year, &mut incomes)? {
            placed.push(quintiles.lazy().with_column(lit(year).alias("INDEX_YEAR")));
        }
        // The next year's window begins two years after this one's.
        incomes.forget_before(year - 2);
    }
    if placed.is_empty() {
        return Ok(None);
    }
    Ok(Some(concat(placed, UnionArgs::default())?))
}

/// Each person's income quintile (`PNR`, `income_quintile`, 1-5) in the population of `year`, or
/// `None` when the registers have no income year to take a mean of; computed once per run.
fn quintiles(
    registers: &RegisterSet,
    spec: &LoadedSpec,
    year: i32,
    incomes: &mut IncomeFiles,
) -> Result<Option<DataFrame>> {
    let window = window(registers, year);
    if window.is_empty() {
        return Ok(None);
    }
    let frame = registers.shared(&format!("income_quintile/{year}"), || {
        let population = population_cells(registers, spec, year)?;
        let mut read = Vec::new();
        for &y in &window {
            read.push(incomes.sorted(registers, y)?.clone());
        }
        quintile(&population, &read)
    })?;
    Ok(Some(frame))
}

/// The income years whose mean places a person in `year`: the three before it (SEPLINE's
/// default), those of them the registers have, or `year` itself when the registers begin with
/// it, so an analysis of their first year still has income groups. Empty when there are none.
fn window(registers: &RegisterSet, year: i32) -> Vec<i32> {
    let has = |y: i32| {
        registers
            .discovered
            .of("ind")
            .iter()
            .any(|f| f.year == Some(y))
    };
    let before: Vec<i32> = (year - 3..year).filter(|&y| has(y)).collect();
    if before.is_empty() && has(year) {
        return vec![year];
    }
    before
}

/// The income files read for the years being placed, each `PNR` and `INCOME` (equivalised
/// disposable family income) sorted by `PNR`, rows without either left out.
#[derive(Default)]
struct IncomeFiles {
    read: BTreeMap<i32, DataFrame>,
}

impl IncomeFiles {
    /// The income file of `year` (which the folder has), read the first time it is asked for.
    fn sorted(&mut self, registers: &RegisterSet, year: i32) -> Result<&DataFrame> {
        Ok(match self.read.entry(year) {
            Entry::Occupied(read) => read.into_mut(),
            Entry::Vacant(unread) => {
                let ind = registers.scan_year("ind", year)?.ok_or_else(|| {
                    Error::Internal(format!("income year {year} placed without its ind file"))
                })?;
                unread.insert(collect_streaming(
                    ind.select([
                        col("PNR"),
                        col("FAMAEKVIVADISP")
                            .cast(DataType::Float64)
                            .alias("INCOME"),
                    ])
                    .filter(col("PNR").is_not_null().and(col("INCOME").is_not_null()))
                    .sort(["PNR"], SortMultipleOptions::default()),
                )?)
            }
        })
    }

    /// Lets go of the files of the years before `year`, which no later window reaches.
    fn forget_before(&mut self, year: i32) {
        self.read = self.read.split_off(&year);
    }
}

/// The population of `year` as `PNR` and `CELL` (sex x 5-year age group as one integer,
/// `KOEN * 100 + age / 5`; `KOEN` is validated to be 1 or 2) sorted by `PNR`, rows without
/// either left out. A cell rather than a text and an integer, so that a person's cell is one
/// number to compare.
fn population_cells(registers: &RegisterSet, spec: &LoadedSpec, year: i32) -> Result<DataFrame> {
    let cell = col("KOEN").strict_cast(DataType::Int32) * lit(100)
        + (col("AGE") / lit(5)).cast(DataType::Int32);
    Ok(collect_streaming(
        crate::cohort::register_population(registers, year, spec)?
            .select([col("PNR"), cell.alias("CELL")])
            .filter(col("PNR").is_not_null().and(col("CELL").is_not_null()))
            .sort(["PNR"], SortMultipleOptions::default()),
    )?)
}

/// Quintile of mean income over the `incomes` files for each person of `population` (both
/// sorted by `PNR`: [`population_cells`], [`IncomeFiles::sorted`]) with cut points within
/// their cell of sex x 5-year age group ([`placing::quintiles`]): `PNR` and `income_quintile`.
fn quintile(population: &DataFrame, incomes: &[DataFrame]) -> Result<DataFrame> {
    let cells = population.column("CELL")?.i32()?.rechunk();
    let cells = cells.cont_slice()?;
    let amounts = incomes
        .iter()
        .map(|f| Ok(f.column("INCOME")?.f64()?.rechunk()))
        .collect::<Result<Vec<_>>>()?;
    let amounts = amounts
        .iter()
        .map(|a| Ok(a.cont_slice()?))
        .collect::<Result<Vec<_>>>()?;
    let placed = match population.column("PNR")?.dtype() {
        DataType::Int64 => {
            let persons = integer_keys(population)?;
            let keys = incomes
                .iter()
                .map(integer_keys)
                .collect::<Result<Vec<_>>>()?;
            let keys = keys
                .iter()
                .map(|k| Ok(k.cont_slice()?))
                .collect::<Result<Vec<_>>>()?;
            let years: Vec<_> = keys.into_iter().zip(amounts.iter().copied()).collect();
            placing::mean_incomes(persons.cont_slice()?, cells, &years)
        }
        _ => {
            let persons = text_keys(population)?;
            let keys = incomes.iter().map(text_keys).collect::<Result<Vec<_>>>()?;
            let years: Vec<_> = keys
                .iter()
                .map(Vec::as_slice)
                .zip(amounts.iter().copied())
                .collect();
            placing::mean_incomes(&persons, cells, &years)
        }
    };
    let quintiles = placing::quintiles(&placed);
    let rows: Vec<IdxSize> = placed.iter().map(|p| p.row as IdxSize).collect();
    let persons = population
        .column("PNR")?
        .take(&IdxCa::from_vec("rows".into(), rows))?;
    Ok(DataFrame::new(
        persons.len(),
        vec![persons, Column::new("income_quintile".into(), quintiles)],
    )?)
}

/// The integer `PNR` of a frame read without null keys, in one piece.
fn integer_keys(frame: &DataFrame) -> Result<std::borrow::Cow<'_, Int64Chunked>> {
    Ok(frame.column("PNR")?.i64()?.rechunk())
}

/// The text `PNR` of a frame read without null keys.
fn text_keys(frame: &DataFrame) -> Result<Vec<&str>> {
    Ok(frame
        .column("PNR")?
        .str()?
        .iter()
        .map(Option::unwrap_or_default)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Five men born on 1 June 1980 (one cell of sex and age group in 2023 and 2024), and a sixth
    /// with no income, whose incomes of 2021-2023 give means and quintiles counted by hand:
    ///
    /// | person | 2021 | 2022 | 2023 | mean for 2024 (2021-23) | mean for 2023 (2021-22) |
    /// |---|---:|---:|---:|---:|---:|
    /// | p1 | 100 | 200 | 300 | 200 | 150 |
    /// | p2 | 400 | 400 | 400 | 400 | 400 |
    /// | p3 | 600 | | 0 | 300 | 600 |
    /// | p4 | 800 | 900 | 1000 | 900 | 850 |
    /// | p5 | | 1000 | 1200 | 1100 | 1000 |
    ///
    /// p6 has an income row of 2022 without an amount: no mean, so no quintile, and no share in
    /// the cut points.
    /// 2024's cut points (type 7 on 200, 300, 400, 900, 1100) are 280, 360, 600 and 940: p1 is
    /// in quintile 1, p3 in 2, p2 in 3, p4 in 4, p5 in 5. 2023's (150, 400, 600, 850, 1000) are
    /// 350, 520, 700 and 880: p1 1, p2 2, p3 3, p4 4, p5 5.
    ///
    /// The persons are written as `names` gives them: text keys, or digit keys that the folder
    /// reads as integers once told so.
    fn registers(dir: &std::path::Path, names: [&str; 6]) -> RegisterSet {
        let bef: String = names
            .iter()
            .map(|p| format!("{p},1980-06-01,1,101,1\n"))
            .collect();
        for year in [2023, 2024] {
            std::fs::write(
                dir.join(format!("bef{year}.csv")),
                format!("PNR,FOED_DAG,KOEN,KOM,IE_TYPE\n{bef}"),
            )
            .expect("bef");
        }
        let [p1, p2, p3, p4, p5, p6] = names;
        let incomes = [
            (2021, format!("{p1},100\n{p2},400\n{p3},600\n{p4},800\n")),
            (
                2022,
                format!("{p1},200\n{p2},400\n{p4},900\n{p5},1000\n{p6},\n"),
            ),
            (
                2023,
                format!("{p5},1200\n{p1},300\n{p2},400\n{p3},0\n{p4},1000\n"),
            ),
        ];
        for (year, rows) in incomes {
            std::fs::write(
                dir.join(format!("ind{year}.csv")),
                format!("PNR,FAMAEKVIVADISP\n{rows}"),
            )
            .expect("ind");
        }
        RegisterSet::open(dir).expect("opened")
    }

    const TEXT_KEYS: [&str; 6] = ["p1", "p2", "p3", "p4", "p5", "p6"];

    /// The same persons as [`TEXT_KEYS`] with ten-digit keys, out of order.
    const DIGIT_KEYS: [&str; 6] = [
        "0906801234",
        "0106801234",
        "2906805678",
        "1506800001",
        "0106800002",
        "3006809999",
    ];

    /// The quintile of each person placed in `year` (by its place in `names`, 1 for p1), sorted.
    fn placed_in(
        registers: &RegisterSet,
        names: [&str; 6],
        years: &[i32],
        year: i32,
    ) -> Vec<(usize, i32)> {
        let spec =
            crate::spec::load(std::path::Path::new("pipelines/t2d_sglt2_glp1.toml")).expect("spec");
        let frame = placed(registers, &spec, years)
            .expect("computed")
            .expect("income years")
            .filter(col("INDEX_YEAR").eq(lit(year)))
            .collect()
            .expect("collected");
        let keys = crate::registers::persons::person_texts(
            frame.column("PNR").expect("PNR").as_materialized_series(),
            &registers.keys().persons,
        )
        .expect("texts");
        let quintiles = frame
            .column("income_quintile")
            .expect("quintile")
            .i32()
            .expect("i32")
            .clone();
        let mut placed: Vec<(usize, i32)> = keys
            .str()
            .expect("text")
            .iter()
            .zip(quintiles.iter())
            .map(|(p, q)| {
                let p = p.expect("person");
                let person = names.iter().position(|n| *n == p).expect("known") + 1;
                (person, q.expect("quintile"))
            })
            .collect();
        placed.sort();
        placed
    }

    /// The hand-counted quintiles by person (1 for p1).
    fn expected(order: [usize; 5]) -> Vec<(usize, i32)> {
        let mut placed: Vec<(usize, i32)> = order
            .iter()
            .enumerate()
            .map(|(i, p)| (*p, i as i32 + 1))
            .collect();
        placed.sort();
        placed
    }

    #[test]
    fn quintiles_of_each_year_are_the_hand_counted_ones() {
        let in_2024 = expected([1, 3, 2, 4, 5]);
        let in_2023 = expected([1, 2, 3, 4, 5]);
        let dir = tempfile::tempdir().expect("temp");
        let registers = registers(dir.path(), TEXT_KEYS);
        assert_eq!(placed_in(&registers, TEXT_KEYS, &[2024], 2024), in_2024);
        assert_eq!(placed_in(&registers, TEXT_KEYS, &[2023], 2023), in_2023);
    }

    /// Both years placed together, so that 2021-2022's files are read once for both windows,
    /// with integer keys whose order differs from the text keys'.
    #[test]
    fn years_placed_together_with_integer_keys_are_the_hand_counted_ones() {
        let dir = tempfile::tempdir().expect("temp");
        let mut registers = registers(dir.path(), DIGIT_KEYS);
        registers.read_persons_as_integers();
        let both = [2024, 2023];
        assert_eq!(
            placed_in(&registers, DIGIT_KEYS, &both, 2024),
            expected([1, 3, 2, 4, 5])
        );
        assert_eq!(
            placed_in(&registers, DIGIT_KEYS, &both, 2023),
            expected([1, 2, 3, 4, 5])
        );
    }

    #[test]
    fn a_year_without_income_years_before_it_has_no_quintiles_unless_it_is_the_first() {
        let dir = tempfile::tempdir().expect("temp");
        let registers = registers(dir.path(), TEXT_KEYS);
        let spec =
            crate::spec::load(std::path::Path::new("pipelines/t2d_sglt2_glp1.toml")).expect("spec");
        let years = |year| window(&registers, year).len();
        assert_eq!(years(2024), 3);
        assert_eq!(years(2023), 2, "2020 is not in the registers");
        assert_eq!(
            years(2021),
            1,
            "the first year stands for the years before it"
        );
        assert_eq!(years(2020), 0);
        assert!(
            placed(&registers, &spec, &[2020])
                .expect("computed")
                .is_none()
        );
    }
}
