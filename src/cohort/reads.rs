//! The register reads the cohort is made of, and the speed-ups that make them cheap at national
//! volume: contacts filtered on their days and joined to the diagnoses or procedures of a code
//! list (by key filter, hash join or radix partitions, whichever the keys' number favours), and
//! code-prefix tests done as set lookups. Each speed-up is tested against the plain query it
//! replaces in `cohort::tests` and in the module of the speed-up.

use polars::prelude::*;

use super::partitioned_join;
use crate::error::Result;
use crate::registers::scan::{RegisterSet, collect_streaming};
use crate::registers::scope::Days;

/// A date column as a day number.
pub(super) fn day(column: &str) -> Expr {
    col(column).cast(DataType::Int32)
}

/// True where `column` starts with any of `prefixes` (with `lead` put before each prefix, e.g.
/// the SKS `D` before an ICD-10 code).
///
/// Many prefixes of one length ([`SET_MIN`] or more) are tested together, as the value's first
/// characters looked up in a set: one pass over a register's codes per length instead of one
/// comparison (and one boolean column) per prefix. Codes are ASCII, so the first `n` characters
/// equal a prefix of `n` characters exactly when the value starts with it. Fewer are compared
/// one by one, since Polars 0.55 takes the first characters of a value by counting characters
/// (`str.slice`), which costs several comparisons: at national volume eight codes of one length
/// were faster as a set, four of one length faster one by one (bench/HISTORY.md).
pub fn starts_with_any(column: &str, lead: &str, prefixes: &[String]) -> Expr {
    let mut by_length: std::collections::BTreeMap<usize, Vec<String>> = Default::default();
    for p in prefixes {
        let prefix = format!("{lead}{p}");
        by_length
            .entry(prefix.chars().count())
            .or_default()
            .push(prefix);
    }
    by_length
        .into_iter()
        .map(|(length, prefixes)| {
            if prefixes.len() < SET_MIN {
                return prefixes
                    .into_iter()
                    .map(|p| col(column).str().starts_with(lit(p)))
                    .reduce(|a, b| a.or(b))
                    .unwrap_or(lit(false));
            }
            let set = Series::new("prefixes".into(), prefixes);
            col(column)
                .str()
                .slice(lit(0i64), lit(length as u64))
                .is_in(lit(set).implode(false), false)
        })
        .reduce(|a, b| a.or(b))
        .unwrap_or(lit(false))
}

/// The fewest prefixes of one length that [`starts_with_any`] looks up in a set: between the
/// four measured faster one by one and the eight measured faster as a set.
pub(super) const SET_MIN: usize = 6;

/// True where the contact's SOR unit is one of `unit_codes` (the SOR table's units of the
/// spec's `units` and `specialty`, [`crate::spec::units::resolve`]); all units when `None`.
pub(super) fn at_units(unit_codes: &Option<Vec<String>>) -> Expr {
    match unit_codes {
        None => lit(true),
        Some(codes) => {
            let codes = Series::new("units".into(), codes.as_slice());
            col("SORENHED_ANS").is_in(lit(codes).implode(false), false)
        }
    }
}

/// Hospital contacts starting within `days` as events: `PNR`, `DAY` (start), `END` (end),
/// `SORENHED_ANS` (SOR unit), `AKTIONSDIAGNOSE`, `KEY`.
pub(super) fn contacts(registers: &RegisterSet, days: Days) -> Result<LazyFrame> {
    Ok(shaped_contacts(
        registers.require("lpr_kontakter")?,
        days.contains("DATO_START"),
    ))
}

/// The contacts (shaped as [`contacts`]) starting within `days` joined to the rows of `keyed` (a
/// frame with a `KEY` column and any others: diagnoses or procedures already narrowed to their
/// codes), one row per contact and matching row of `keyed`.
///
/// `keyed` is collected first. When its keys are few (a procedure's, a rare diagnosis'), the
/// contacts are filtered on them as they are read, so the Parquet reader tests the key column
/// alone and decodes the other columns only for the rows that match, where a join alone would
/// decode every column of every contact in the span. Many keys (common chronic diseases: tens
/// of millions at national volume) are joined straight away, since a membership test against a
/// set that large costs more than the join. The contacts' `PNR` becomes a person key after the
/// join, for the rows it keeps only ([`RegisterSet::require_with_text_persons`]).
pub(super) fn contacts_joined(
    registers: &RegisterSet,
    days: Days,
    keyed: LazyFrame,
) -> Result<LazyFrame> {
    let keyed = collect_streaming(keyed)?;
    let mut keep = days.contains("DATO_START");
    if keyed.height() <= FILTERED_KEYS_MAX {
        let keys = keyed.column("KEY")?.as_materialized_series().unique()?;
        keep = keep.and(col("DW_EK_KONTAKT").is_in(lit(keys).implode(false), false));
    }
    let contacts = shaped_contacts(registers.require_with_text_persons("lpr_kontakter")?, keep);
    // The keyed rows are in memory and fewer than the contacts of the span: the hash table is
    // built on them and the contacts stream past it.
    Ok(contacts
        .join(
            keyed.lazy(),
            [col("KEY")],
            [col("KEY")],
            JoinArgs::new(JoinType::Inner).with_build_side(Some(JoinBuildSide::ForceRight)),
        )
        .with_column(registers.person_key(col("PNR"))))
}

/// The most keys [`contacts_joined`] tests as the contacts are read (above it, it joins).
pub(super) const FILTERED_KEYS_MAX: usize = 1 << 20;

/// The contacts starting within `days` joined to the rows of `keyed` as [`contacts_joined`]
/// joins them, for many integer keys: `keyed` has an `Int64` `KEY` column and an unsigned
/// integer column `label`; the result has `contact_columns` of the contacts (of those
/// [`contacts`] gives, `PNR` among them) and `label`, collected.
///
/// The contacts are read a year at a time and each year joined by [`partitioned_join`], whose
/// tables fit the processor's cache where one hash table of tens of millions of keys does not.
/// A year's contacts, about 15 million at national volume, are the most held at once.
pub(super) fn contacts_joined_by_partitions(
    registers: &RegisterSet,
    days: Days,
    keyed: DataFrame,
    label: &str,
    contact_columns: &[&str],
) -> Result<DataFrame> {
    let label_type = keyed.column(label)?.dtype().clone();
    let build = {
        let labels = keyed.column(label)?.cast(&DataType::UInt64)?;
        let labels = labels.u64()?.rechunk();
        let labels = labels.cont_slice()?;
        partitioned_join::Partitioned::of(keyed.column("KEY")?.i64()?, |row| labels[row])
    };
    // The keys and labels are in `build` now: their frame is not held while the contacts are read.
    drop(keyed);
    let mut pieces = Vec::new();
    for span in days.years() {
        let read = contact_columns
            .iter()
            .copied()
            .chain((!contact_columns.contains(&"KEY")).then_some("KEY"));
        let contacts = collect_streaming(
            shaped_contacts(
                registers.require_with_text_persons("lpr_kontakter")?,
                span.contains("DATO_START"),
            )
            .select(read.map(col).collect::<Vec<_>>()),
        )?;
        let probe =
            partitioned_join::Partitioned::of(contacts.column("KEY")?.i64()?, |row| row as u64);
        let (rows, labels): (Vec<u64>, Vec<u64>) = build.matches(&probe).into_iter().unzip();
        let rows = rows.into_iter().map(|r| r as IdxSize).collect();
        let mut piece = contacts
            .select(contact_columns.iter().copied())?
            .take(&IdxCa::from_vec("rows".into(), rows))?;
        piece.with_column(Column::new(label.into(), labels).cast(&label_type)?)?;
        pieces.push(piece.lazy());
    }
    Ok(collect_streaming(
        concat(pieces, UnionArgs::default())?.with_column(registers.person_key(col("PNR"))),
    )?)
}

/// The rows of the contact register `register` passing `keep` (a predicate on the register's
/// own columns, tested as the rows are read), shaped as [`contacts`].
pub(super) fn shaped_contacts(register: LazyFrame, keep: Expr) -> LazyFrame {
    register.filter(keep).select([
        col("PNR"),
        day("DATO_START").alias("DAY"),
        day("DATO_SLUT").alias("END"),
        col("SORENHED_ANS"),
        col("AKTIONSDIAGNOSE"),
        col("DW_EK_KONTAKT").alias("KEY"),
    ])
}

/// The diagnoses (action or secondary, not retracted) with one of the ICD-10 `codes`, as
/// `columns`: expressions over `KEY` (the contact) and `DIAGNOSEKODE`, computed for the kept
/// diagnoses as they are read.
///
/// The register is filtered on the codes alone as it is read, and the kept rows' retraction
/// mark is tested after they are collected, where the optimiser cannot fold the two tests into
/// one again. With both in the reader's predicate, every row's mark was decoded and tested,
/// though the codes keep one row in eight (the read was about a third slower at national volume:
/// bench/HISTORY.md). The mark is kept as a boolean until it is tested,
/// and only `columns` beside it, so the collected rows hold no more than their users read.
pub(super) fn diagnoses_of(
    registers: &RegisterSet,
    codes: &[String],
    columns: &[Expr],
) -> Result<LazyFrame> {
    let kept: Vec<Expr> = columns.iter().cloned().chain([col("RETRACTED")]).collect();
    let read = collect_streaming(
        registers
            .require("lpr_diagnoser")?
            .filter(starts_with_any("DIAGNOSEKODE", "D", codes))
            .select([
                col("DW_EK_KONTAKT").alias("KEY"),
                col("DIAGNOSEKODE"),
                col("SENERE_AFKRAEFTET")
                    .eq_missing(lit("Ja"))
                    .alias("RETRACTED"),
            ])
            .select(kept),
    )?;
    Ok(read
        .lazy()
        .filter(col("RETRACTED").not())
        .drop(cols(["RETRACTED"])))
}
