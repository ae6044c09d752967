//! The parents' social position, for children and young people, whose own education and income
//! are not yet theirs (a 17-year-old's own education is primary school; a 20-year-old who moved
//! out has a student's income): the higher of the two parents' education groups, and the higher
//! of their income quintiles, each parent placed as the patient would be (the latest `udda` up to
//! the index year; the quintile of the index year's population). The parents are the population
//! register's `MOR_ID` and `FAR_ID` of the patient's register year. Taking the higher of the two
//! follows the dominance principle of household social position (Erikson 1984, "Social class of
//! men, women and families", Sociology 18:500-514), which Danish register studies of children
//! use for parental education. A parent who is unknown, or not in the registers that year, leaves
//! the other's; without either the level is `uoplyst`.

use std::path::Path;

use polars::prelude::*;

use super::{income, with_education};
use crate::error::Result;
use crate::registers::scan::RegisterSet;
use crate::spec::{EDUCATION_LEVELS, LoadedSpec};

/// The parents' key columns of the population register.
const PARENTS: [&str; 2] = ["MOR_ID", "FAR_ID"];

/// The higher of two columns' values, either where the other is null.
fn higher(a: Expr, b: Expr) -> Expr {
    when(a.clone().is_null())
        .then(b.clone())
        .when(b.clone().is_null().or(a.clone().gt_eq(b.clone())))
        .then(a)
        .otherwise(b)
}

/// `frame` with `parental_education`: the higher of the parents' education groups (null where
/// neither is known; filled as unknown by the caller).
pub(super) fn with_parental_education(
    registers: &RegisterSet,
    years: &[i32],
    table: Option<&Path>,
    mut frame: LazyFrame,
) -> Result<LazyFrame> {
    let groups = ["MOTHER_EDUCATION", "FATHER_EDUCATION"];
    for (parent, group) in PARENTS.iter().zip(groups) {
        frame = with_education(registers, years, table, frame, (parent, group))?;
    }
    // Ranked from short (0) up; the unknown group ranks nowhere.
    let rank = |c: &str| {
        EDUCATION_LEVELS.iter().enumerate().rev().fold(
            lit(NULL).cast(DataType::Int32),
            |rest, (i, level)| {
                when(col(c).eq(lit(*level)))
                    .then(lit(i as i32))
                    .otherwise(rest)
            },
        )
    };
    let best = higher(rank(groups[0]), rank(groups[1]));
    let level = EDUCATION_LEVELS.iter().enumerate().rev().fold(
        lit(NULL).cast(DataType::String),
        |rest, (i, name)| {
            when(best.clone().eq(lit(i as i32)))
                .then(lit(*name))
                .otherwise(rest)
        },
    );
    Ok(frame
        .with_column(level.alias("parental_education"))
        .drop(cols(groups)))
}

/// `frame` with `parental_income`: the higher of the parents' income quintiles in the
/// population of the index year (null where neither has one).
pub(super) fn with_parental_income(
    registers: &RegisterSet,
    spec: &LoadedSpec,
    years: &[i32],
    mut frame: LazyFrame,
) -> Result<LazyFrame> {
    let Some(placed) = income::placed(registers, spec, years)? else {
        return Ok(frame.with_column(lit(NULL).cast(DataType::String).alias("parental_income")));
    };
    let quintiles = ["MOTHER_QUINTILE", "FATHER_QUINTILE"];
    for (parent, quintile) in PARENTS.iter().zip(quintiles) {
        frame = frame.join(
            placed.clone().select([
                col("PNR"),
                col("INDEX_YEAR"),
                col("income_quintile").alias(quintile),
            ]),
            [col(*parent), col("INDEX_YEAR")],
            [col("PNR"), col("INDEX_YEAR")],
            JoinArgs::new(JoinType::Left),
        );
    }
    Ok(frame
        .with_column(
            higher(col(quintiles[0]), col(quintiles[1]))
                .cast(DataType::String)
                .alias("parental_income"),
        )
        .drop(cols(quintiles)))
}
