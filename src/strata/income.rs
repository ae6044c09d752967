//! The income quintile stratifier: quintiles of mean equivalised disposable family income with
//! population-wide cut points within sex x 5-year age group (SEPLINE's definition).
//!
//! Every person of the population is placed, so each year costs a pass over the income
//! register's three years before it (18 million rows at national volume) grouped by person; the
//! quintiles of a year are kept for the run ([`RegisterSet::shared`]), as every analysis of the
//! year places the same persons. (Grouping the overlapping years of a run in one pass, with a
//! sum and a count per year, was slower in Polars 0.55 than one grouping per year; the figures
//! are in bench/HISTORY.md, "Choices in the code".)

use polars::prelude::*;

use crate::error::Result;
use crate::registers::scan::{RegisterSet, collect_streaming};
use crate::spec::LoadedSpec;

/// Each person's income quintile (`PNR`, `income_quintile`, 1-5) in the population of `year`, or
/// `None` when the registers have no income year to take a mean of; computed once per run.
pub(super) fn quintiles(
    registers: &RegisterSet,
    spec: &LoadedSpec,
    year: i32,
) -> Result<Option<DataFrame>> {
    let Some(reference) = reference(registers, spec, year)? else {
        return Ok(None);
    };
    let frame = registers.shared(&format!("income_quintile/{year}"), || quintile(reference))?;
    Ok(Some(frame))
}

/// The income years whose mean places a person in `year`: the three before it (SEPLINE's
/// default), those of them the registers have, or `year` itself when the registers begin with
/// it, so an analysis of their first year still has income groups. Empty when there are none.
fn window(registers: &RegisterSet, year: i32) -> Result<Vec<LazyFrame>> {
    let mut frames = Vec::new();
    for y in year - 3..year {
        if let Some(ind) = registers.scan_year("ind", y)? {
            frames.push(ind);
        }
    }
    if frames.is_empty()
        && let Some(ind) = registers.scan_year("ind", year)?
    {
        frames.push(ind);
    }
    Ok(frames)
}

/// The reference population of `year`: `PNR`, `CELL` (sex x 5-year age group as one integer,
/// `KOEN * 100 + age / 5`; `KOEN` is validated to be 1 or 2) and `INCOME` (the mean equivalised
/// disposable family income over `year`'s [`window`]) of every person of the population register
/// with an income in the window; `None` when the window is empty.
///
/// The income rows and the population rows are stacked and grouped by person once, each
/// person's cell the one population row's and the mean over their income rows, where a grouping
/// of the incomes by person followed by a join to the population passes over six million
/// persons twice (measured faster at national volume: bench/HISTORY.md). A cell rather
/// than a text and an integer key, since grouping and joining on a pair of keys encodes every
/// row's pair first.
fn reference(registers: &RegisterSet, spec: &LoadedSpec, year: i32) -> Result<Option<LazyFrame>> {
    let incomes = window(registers, year)?;
    if incomes.is_empty() {
        return Ok(None);
    }
    let no_cell = || lit(NULL).cast(DataType::Int32).alias("CELL");
    let mut rows: Vec<LazyFrame> = incomes
        .into_iter()
        .map(|ind| {
            ind.select([
                col("PNR"),
                col("FAMAEKVIVADISP")
                    .cast(DataType::Float64)
                    .alias("INCOME"),
                no_cell(),
            ])
        })
        .collect();
    let cell = col("KOEN").strict_cast(DataType::Int32) * lit(100)
        + (col("AGE") / lit(5)).cast(DataType::Int32);
    rows.push(
        crate::cohort::register_population(registers, year, spec)?.select([
            col("PNR"),
            lit(NULL).cast(DataType::Float64).alias("INCOME"),
            cell.alias("CELL"),
        ]),
    );
    Ok(Some(
        concat(rows, UnionArgs::default())?
            .group_by([col("PNR")])
            .agg([col("INCOME").mean(), col("CELL").max()])
            .filter(col("CELL").is_not_null().and(col("INCOME").is_not_null())),
    ))
}

/// Quintile of mean income in the [`reference`] population (`PNR`, `CELL`, `INCOME`) with cut
/// points within its cells of sex x 5-year age group: the 20/40/60/80% quantiles (linear
/// interpolation, R's type 7); a person whose income equals a cut point falls in the lower
/// quintile.
///
/// The reference population (6 million persons at national volume) is collected once and read
/// twice, for the cut points and for each person's quintile.
fn quintile(reference: LazyFrame) -> Result<DataFrame> {
    let reference = collect_streaming(reference)?.lazy();
    let cuts = reference.clone().group_by([col("CELL")]).agg(
        [0.2, 0.4, 0.6, 0.8]
            .iter()
            .enumerate()
            .map(|(i, q)| {
                col("INCOME")
                    .quantile(lit(*q), QuantileMethod::Linear)
                    .alias(format!("Q{i}"))
            })
            .collect::<Vec<_>>(),
    );
    let above = (0..4)
        .map(|i| col("INCOME").gt(col(format!("Q{i}"))).cast(DataType::Int32))
        .reduce(|a, b| a + b)
        .expect("four cut points");
    Ok(reference
        .join(
            cuts,
            [col("CELL")],
            [col("CELL")],
            JoinArgs::new(JoinType::Left),
        )
        .select([
            col("PNR"),
            (above + lit(1))
                .cast(DataType::Int32)
                .alias("income_quintile"),
        ])
        .collect()?)
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
    fn registers(dir: &std::path::Path) -> RegisterSet {
        let persons = ["p1", "p2", "p3", "p4", "p5", "p6"];
        let bef: String = persons
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
        let incomes = [
            (2021, "p1,100\np2,400\np3,600\np4,800\n"),
            (2022, "p1,200\np2,400\np4,900\np5,1000\np6,\n"),
            (2023, "p1,300\np2,400\np3,0\np4,1000\np5,1200\n"),
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

    /// The quintile of each person with one, sorted by person.
    fn placed(frame: &DataFrame) -> Vec<(String, i32)> {
        let frame = frame
            .clone()
            .lazy()
            .sort(["PNR"], Default::default())
            .collect()
            .expect("sorted");
        let persons = frame
            .column("PNR")
            .expect("PNR")
            .str()
            .expect("text")
            .clone();
        let quintiles = frame
            .column("income_quintile")
            .expect("quintile")
            .i32()
            .expect("i32")
            .clone();
        persons
            .iter()
            .zip(quintiles.iter())
            .map(|(p, q)| (p.expect("person").to_string(), q.expect("quintile")))
            .collect()
    }

    #[test]
    fn quintiles_of_each_year_are_the_hand_counted_ones() {
        let spec =
            crate::spec::load(std::path::Path::new("pipelines/t2d_sglt2_glp1.toml")).expect("spec");
        let expected = |order: [&str; 5]| -> Vec<(String, i32)> {
            let mut placed: Vec<(String, i32)> = order
                .iter()
                .enumerate()
                .map(|(i, p)| (p.to_string(), i as i32 + 1))
                .collect();
            placed.sort();
            placed
        };
        let in_2024 = expected(["p1", "p3", "p2", "p4", "p5"]);
        let in_2023 = expected(["p1", "p2", "p3", "p4", "p5"]);
        let dir = tempfile::tempdir().expect("temp");
        let registers = registers(dir.path());
        let of = |year| {
            let frame = quintiles(&registers, &spec, year)
                .expect("computed")
                .expect("income years");
            placed(&frame)
        };
        assert_eq!(of(2024), in_2024);
        assert_eq!(of(2023), in_2023);
    }

    #[test]
    fn a_year_without_income_years_before_it_has_no_quintiles_unless_it_is_the_first() {
        let dir = tempfile::tempdir().expect("temp");
        let registers = registers(dir.path());
        let spec =
            crate::spec::load(std::path::Path::new("pipelines/t2d_sglt2_glp1.toml")).expect("spec");
        let years = |year| window(&registers, year).expect("window").len();
        assert_eq!(years(2024), 3);
        assert_eq!(years(2023), 2, "2020 is not in the registers");
        assert_eq!(
            years(2021),
            1,
            "the first year stands for the years before it"
        );
        assert_eq!(years(2020), 0);
        assert!(
            quintiles(&registers, &spec, 2020)
                .expect("computed")
                .is_none()
        );
    }
}
