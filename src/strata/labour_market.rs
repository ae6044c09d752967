//! Labour-market attachment: the AKM register's `SOCIO13` (Statistics Denmark's socio-economic
//! status of the year, the main activity the labour-market accounts find) grouped into the
//! main groups of [`LABOUR_MARKET_LEVELS`]. A patient's status is that of the latest `akm` year
//! before the index year (the year behind them, not the one the index may have ended), or of the
//! index year when the registers begin with it, as the income quintile's years are chosen.

use polars::prelude::*;

use crate::error::Result;
use crate::registers::scan::RegisterSet;
use crate::spec::LABOUR_MARKET_LEVELS;

/// The `akm` year that describes a patient indexed in `year`, when the folder has one.
fn source_year(registers: &RegisterSet, year: i32) -> Option<i32> {
    let years = registers.discovered.years("akm");
    years
        .iter()
        .copied()
        .filter(|&y| y < year)
        .max()
        .or_else(|| years.contains(&year).then_some(year))
}

/// The group of a `SOCIO13` code (null for children under 15, 420, for 0 and for codes of no
/// group; the validation refuses codes outside the list).
fn group(code: Expr) -> Expr {
    let is = |codes: &[&str]| {
        code.clone().is_in(
            lit(Series::new("codes".into(), codes.to_vec())).implode(false),
            false,
        )
    };
    let employed = [
        "110", "111", "112", "113", "114", "120", "131", "132", "133", "134", "135", "139",
    ];
    let groups: [&[&str]; 7] = [
        &employed,
        &["210"],
        &["220", "330"],
        &["310"],
        &["321"],
        &["322", "323"],
        &["410"],
    ];
    groups
        .iter()
        .zip(LABOUR_MARKET_LEVELS)
        .rev()
        .fold(lit(NULL).cast(DataType::String), |rest, (codes, level)| {
            when(is(codes)).then(lit(level)).otherwise(rest)
        })
}

/// `frame` (with `PNR` and `INDEX_YEAR`) with `labour_market` (null where unknown).
pub(super) fn with_labour_market(
    registers: &RegisterSet,
    years: &[i32],
    frame: LazyFrame,
) -> Result<LazyFrame> {
    let mut records = Vec::new();
    for &year in years {
        if let Some(source) = source_year(registers, year)
            && let Some(akm) = registers.scan_year("akm", source)?
        {
            records.push(akm.select([col("PNR"), col("SOCIO13"), lit(year).alias("INDEX_YEAR")]));
        }
    }
    if records.is_empty() {
        return Ok(frame.with_column(lit(NULL).cast(DataType::String).alias("labour_market")));
    }
    Ok(frame
        .join(
            concat(records, UnionArgs::default())?,
            [col("PNR"), col("INDEX_YEAR")],
            [col("PNR"), col("INDEX_YEAR")],
            JoinArgs::new(JoinType::Left),
        )
        .with_column(group(col("SOCIO13")).alias("labour_market"))
        .drop(cols(["SOCIO13"])))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Statuses known by hand: `akm2022` and `akm2023`; patients indexed in 2023 take 2022's
    /// status, so p8, who has a row of 2023 only, is unknown; one code of each group, and a
    /// child under 15 (420).
    #[test]
    fn each_code_falls_in_its_group_from_the_year_before_the_index() {
        let dir = tempfile::tempdir().expect("temp");
        std::fs::write(
            dir.path().join("akm2022.csv"),
            "PNR,SOCIO13\np1,134\np2,210\np3,330\np4,310\np5,321\np6,323\np7,420\np9,410\np10,114\n",
        )
        .expect("akm2022");
        std::fs::write(
            dir.path().join("akm2023.csv"),
            "PNR,SOCIO13\np1,210\np8,131\n",
        )
        .expect("akm2023");
        let registers = RegisterSet::open(dir.path()).expect("opened");
        let persons = ["p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9", "p10"];
        let frame = df!("PNR" => persons, "INDEX_YEAR" => [2023; 10])
            .expect("patients")
            .lazy();
        let grouped = with_labour_market(&registers, &[2023], frame)
            .expect("grouped")
            .collect()
            .expect("collected");
        let groups: Vec<Option<&str>> = grouped
            .column("labour_market")
            .expect("labour_market")
            .str()
            .expect("text")
            .iter()
            .collect();
        assert_eq!(
            groups,
            [
                Some("beskæftiget"),
                Some("arbejdsløs"),
                Some("midlertidigt uden for"),
                Some("under uddannelse"),
                Some("førtidspension"),
                Some("pension"),
                None,
                None,
                Some("øvrige"),
                Some("beskæftiget"),
            ]
        );
        // An analysis of the registers' first year takes that year's status.
        let first = with_labour_market(
            &registers,
            &[2022],
            df!("PNR" => ["p2"], "INDEX_YEAR" => [2022])
                .expect("p2")
                .lazy(),
        )
        .expect("grouped")
        .collect()
        .expect("collected");
        assert_eq!(
            first
                .column("labour_market")
                .expect("column")
                .str()
                .expect("text")
                .get(0),
            Some("arbejdsløs")
        );
    }
}
