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
/// the SKS `D` before an ICD-10 code); null where the value is.
///
/// Every row of a register is tested (197 million diagnoses at national volume), and most match
/// none: a value is first looked up by its first three bytes in a bit set of the prefixes'
/// first three bytes, and only a value passing that is looked up among the prefixes of each
/// length ([`PrefixMatcher`]). Polars' own tests cost a comparison per prefix, or a new string
/// per value and length for a set lookup (`str.slice`).
pub fn starts_with_any(column: &str, lead: &str, prefixes: &[String]) -> Expr {
    let matcher = std::sync::Arc::new(PrefixMatcher::new(lead, prefixes));
    col(column).map(
        move |values| {
            let matched: BooleanChunked = values
                .str()?
                .apply_nonnull_values_generic(DataType::Boolean, |v: &str| matcher.matches(v));
            Ok(matched.into_column())
        },
        |_, field| Ok(Field::new(field.name().clone(), DataType::Boolean)),
    )
}

/// Byte prefixes looked up by length, behind a bit set of their first three bytes when every
/// prefix has three ([`starts_with_any`]). Prefixes compare as bytes, as `str::starts_with` does.
pub(super) struct PrefixMatcher {
    by_length: Vec<(usize, std::collections::HashSet<Vec<u8>>)>,
    /// Bit `b0 << 16 | b1 << 8 | b2` for each prefix's first three bytes.
    first_three: Option<Vec<u64>>,
}

impl PrefixMatcher {
    pub(super) fn new(lead: &str, prefixes: &[String]) -> PrefixMatcher {
        let mut by_length: std::collections::BTreeMap<usize, std::collections::HashSet<Vec<u8>>> =
            Default::default();
        for p in prefixes {
            let prefix = format!("{lead}{p}").into_bytes();
            by_length.entry(prefix.len()).or_default().insert(prefix);
        }
        let first_three = by_length.keys().all(|&n| n >= 3).then(|| {
            let mut bits = vec![0u64; (1 << 24) / 64];
            for prefix in by_length.values().flatten() {
                let at = Self::first_three_of(prefix);
                bits[at / 64] |= 1 << (at % 64);
            }
            bits
        });
        PrefixMatcher {
            by_length: by_length.into_iter().collect(),
            first_three,
        }
    }

    fn first_three_of(bytes: &[u8]) -> usize {
        (bytes[0] as usize) << 16 | (bytes[1] as usize) << 8 | bytes[2] as usize
    }

    pub(super) fn matches(&self, value: &str) -> bool {
        let bytes = value.as_bytes();
        if let Some(bits) = &self.first_three {
            if bytes.len() < 3 {
                return false;
            }
            let at = Self::first_three_of(bytes);
            if bits[at / 64] & (1 << (at % 64)) == 0 {
                return false;
            }
        }
        self.by_length
            .iter()
            .take_while(|(n, _)| *n <= bytes.len())
            .any(|(n, set)| set.contains(&bytes[..*n]))
    }
}

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
