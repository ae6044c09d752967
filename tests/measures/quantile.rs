//! Quantile assignment against PHEindicatormethods v2.1.0
//! (`tests/testthat/testQuantiles.R` with testdata_Quantiles.xlsx, sheet
//! testdata_Quantiles) and known truth. Quantiles are whole numbers and are
//! compared exactly (the peer's `expect_equal` on them is exact in effect).
//!
//! The peer's loader keeps rows whose `Test` starts with "Good" (Gooddata,
//! GooddataDups), maps the polarity "RAG - High is good" to `invert = FALSE`
//! and "RAG - Low is good" to `TRUE` (the GooddataDups rows carry logical
//! TRUE/FALSE, exported here as "True"/"False"), and groups by `IndSexRef`.

use proptest::prelude::*;
use ulighed::measures::MeasureError;
use ulighed::measures::quantile::{
    self, GroupQuantiles, QuantileOrder, income_quantiles, phe_quantile, phe_quantile_by_group,
};

use crate::common::Table;

fn load() -> Table {
    Table::load("testdata_Quantiles__testdata_Quantiles.csv")
}

/// The `invert` field as the peer's loader sets it.
fn order(t: &Table, r: usize) -> QuantileOrder {
    match t.str(r, "Polarity") {
        "True" | "TRUE" => QuantileOrder::HighestFirst,
        "False" | "FALSE" => QuantileOrder::LowestFirst,
        polarity => QuantileOrder::from_polarity(polarity).unwrap(),
    }
}

fn value(t: &Table, r: usize) -> f64 {
    t.opt(r, "Value").unwrap_or(f64::NAN)
}

fn expected(t: &Table, rows: &[usize]) -> Vec<Option<u32>> {
    rows.iter()
        .map(|&r| t.opt(r, "QuantileInGrp").map(|q| q as u32))
        .collect()
}

/// Rows of the peer's `test_quantiles_ug` in one `GroupSet`.
fn good_rows(t: &Table, group_set: &str) -> Vec<usize> {
    (0..t.len())
        .filter(|&r| t.str(r, "Test").starts_with("Good") && t.str(r, "GroupSet") == group_set)
        .collect()
}

/// Runs `phe_quantile_by_group` over `rows` with the given grouping columns.
fn by_group(
    t: &Table,
    rows: &[usize],
    group_columns: &[&str],
    orders: impl Fn(usize) -> QuantileOrder,
    nquantiles: u32,
) -> Result<quantile::GroupedQuantiles<Vec<String>>, MeasureError> {
    let groups: Vec<Vec<String>> = rows
        .iter()
        .map(|&r| {
            group_columns
                .iter()
                .map(|c| t.str(r, c).to_string())
                .collect()
        })
        .collect();
    let values: Vec<f64> = rows.iter().map(|&r| value(t, r)).collect();
    let orders: Vec<QuantileOrder> = rows.iter().map(|&r| orders(r)).collect();
    phe_quantile_by_group(&groups, &values, &orders, nquantiles)
}

/// "test grouped df field": deciles within (IndSexRef, ParentCode), the
/// order from each row's polarity. Regions with fewer than 10 areas get no
/// deciles (blank QuantileInGrp) and are reported.
#[test]
fn within_region_deciles_match_phe() {
    let t = load();
    let rows = good_rows(&t, "IndSexReg");
    assert_eq!(rows.len(), 339);
    let result = by_group(
        &t,
        &rows,
        &["IndSexRef", "ParentCode"],
        |r| order(&t, r),
        10,
    )
    .unwrap();
    assert_eq!(result.quantiles, expected(&t, &rows));
    // Every group reported as too small is all blank in the peer's file.
    assert!(!result.too_few_values.is_empty());
    for (i, &r) in rows.iter().enumerate() {
        let key = vec![
            t.str(r, "IndSexRef").to_string(),
            t.str(r, "ParentCode").to_string(),
        ];
        if result.too_few_values.contains(&key) {
            assert_eq!(result.quantiles[i], None);
        }
    }
}

/// "test grouped df logical": indicator 90366 (female) by region with
/// `invert = FALSE` for all.
#[test]
fn within_region_deciles_lowest_first_match_phe() {
    let t = load();
    let rows: Vec<usize> = good_rows(&t, "IndSexReg")
        .into_iter()
        .filter(|&r| t.str(r, "IndSexRef") == "90366Female")
        .collect();
    let result = by_group(
        &t,
        &rows,
        &["IndSexRef", "ParentCode"],
        |_| QuantileOrder::LowestFirst,
        10,
    )
    .unwrap();
    assert_eq!(result.quantiles, expected(&t, &rows));
    // The peer warns here: some regions have too few areas.
    assert!(!result.too_few_values.is_empty());
}

/// "test ungrouped df field": 7 quantiles within each indicator (the data
/// frame is still grouped by IndSexRef), order from the polarity.
#[test]
fn septiles_by_indicator_match_phe() {
    let t = load();
    let rows = good_rows(&t, "IndSex");
    let result = by_group(&t, &rows, &["IndSexRef"], |r| order(&t, r), 7).unwrap();
    assert_eq!(result.quantiles, expected(&t, &rows));
    assert!(result.too_few_values.is_empty());
}

/// "test nquantiles" / "test ungrouped df logical nohighergeog": quartiles
/// over all 491 rows of GroupSet "None" together (four indicators, with the
/// duplicated values of GooddataDups), default `invert = TRUE`; the six
/// blank values get none.
#[test]
fn ungrouped_quartiles_with_ties_match_phe() {
    let t = load();
    let rows = good_rows(&t, "None");
    assert_eq!(rows.len(), 491);
    let values: Vec<f64> = rows.iter().map(|&r| value(&t, r)).collect();
    let result = phe_quantile(&values, 4, QuantileOrder::HighestFirst).unwrap();
    assert!(!result.too_few_values);
    assert_eq!(result.quantiles, expected(&t, &rows));
    assert_eq!(result.quantiles.iter().filter(|q| q.is_none()).count(), 6);
    // The same as one group (the peer's df5).
    let grouped = by_group(&t, &rows, &["GroupSet"], |_| QuantileOrder::HighestFirst, 4).unwrap();
    assert_eq!(grouped.quantiles, expected(&t, &rows));
}

/// "invert field values must take the same logical value for each data
/// grouping set": the BadPolarity rows mix TRUE and FALSE within 11111Female.
#[test]
fn mixed_order_within_a_group_is_an_error() {
    let t = load();
    let rows: Vec<usize> = (0..t.len())
        .filter(|&r| t.str(r, "Test") == "BadPolarity")
        .collect();
    assert_eq!(rows.len(), 35);
    let result = by_group(&t, &rows, &["IndSexRef"], |r| order(&t, r), 10);
    assert!(matches!(result, Err(MeasureError::Invalid(_))));
}

/// The peer's df6: the 90366Female regional data without two areas and with
/// every value of region E12000006 missing: that region gets no quantiles
/// and is reported as too small (the peer warns).
#[test]
fn a_group_of_missing_values_gets_no_quantiles() {
    let t = load();
    let rows: Vec<usize> = good_rows(&t, "IndSexReg")
        .into_iter()
        .filter(|&r| t.str(r, "IndSexRef") == "90366Female")
        .filter(|&r| !["E06000053", "E09000001"].contains(&t.str(r, "AreaCode")))
        .collect();
    let groups: Vec<String> = rows
        .iter()
        .map(|&r| t.str(r, "ParentCode").to_string())
        .collect();
    let values: Vec<f64> = rows
        .iter()
        .map(|&r| {
            if t.str(r, "ParentCode") == "E12000006" {
                f64::NAN
            } else {
                value(&t, r)
            }
        })
        .collect();
    let orders = vec![QuantileOrder::LowestFirst; rows.len()];
    let result = phe_quantile_by_group(&groups, &values, &orders, 10).unwrap();
    assert!(result.too_few_values.contains(&"E12000006".to_string()));
    for (g, q) in groups.iter().zip(&result.quantiles) {
        if g == "E12000006" {
            assert_eq!(*q, None);
        }
    }
}

#[test]
fn polarity_labels() {
    assert_eq!(
        QuantileOrder::from_polarity("RAG - High is good").unwrap(),
        QuantileOrder::LowestFirst
    );
    assert_eq!(
        QuantileOrder::from_polarity("RAG - Low is good").unwrap(),
        QuantileOrder::HighestFirst
    );
    assert!(QuantileOrder::from_polarity("BOB - Blue orange blue").is_err());
    assert!(QuantileOrder::from_polarity("RAG - Middle is good").is_err());
    assert_eq!(
        QuantileOrder::from_invert(true),
        QuantileOrder::HighestFirst
    );
    assert_eq!(
        QuantileOrder::from_invert(false),
        QuantileOrder::LowestFirst
    );
}

fn assigned(result: GroupQuantiles) -> Vec<u32> {
    assert!(!result.too_few_values);
    result.quantiles.into_iter().map(|q| q.unwrap()).collect()
}

/// Known truth: 10 distinct values in 5 quintiles are two per quintile; 100
/// quantiles of 100 values are the ranks, of 200 values two per percentile.
#[test]
fn five_and_one_hundred_quantiles() {
    let ten: Vec<f64> = (1..=10).map(f64::from).collect();
    assert_eq!(
        assigned(phe_quantile(&ten, 5, QuantileOrder::LowestFirst).unwrap()),
        vec![1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    );
    assert_eq!(
        assigned(phe_quantile(&ten, 5, QuantileOrder::HighestFirst).unwrap()),
        vec![5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
    );
    assert_eq!(
        income_quantiles(&ten, 5).unwrap(),
        vec![1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    );
    // Order of the input does not matter.
    let shuffled = [7.0, 2.0, 10.0, 1.0, 5.0, 9.0, 3.0, 8.0, 4.0, 6.0];
    assert_eq!(
        income_quantiles(&shuffled, 5).unwrap(),
        vec![4, 1, 5, 1, 3, 5, 2, 4, 2, 3]
    );

    let hundred: Vec<f64> = (1..=100).map(f64::from).collect();
    let ranks: Vec<u32> = (1..=100).collect();
    assert_eq!(
        assigned(phe_quantile(&hundred, 100, QuantileOrder::LowestFirst).unwrap()),
        ranks
    );
    assert_eq!(income_quantiles(&hundred, 100).unwrap(), ranks);
    let two_hundred: Vec<f64> = (1..=200).map(f64::from).collect();
    let halves: Vec<u32> = (1..=200u32).map(|i| i.div_ceil(2)).collect();
    assert_eq!(income_quantiles(&two_hundred, 100).unwrap(), halves);
    assert_eq!(
        assigned(phe_quantile(&two_hundred, 100, QuantileOrder::LowestFirst).unwrap()),
        halves
    );
}

/// Known truth for ties: equal values share the quantile where their run
/// starts (R's `rank(ties.method = "min")`); all-equal values are all in
/// quantile 1; a large tie can leave the quantile above it empty.
#[test]
fn ties_share_a_quantile() {
    // Ranks 1, 2, 2, 2, 5 of 5 values in 5 quantiles.
    let v = [1.0, 2.0, 2.0, 2.0, 3.0];
    assert_eq!(
        assigned(phe_quantile(&v, 5, QuantileOrder::LowestFirst).unwrap()),
        vec![1, 2, 2, 2, 5]
    );
    // From the top: 3 is rank 1, the 2s rank 2, the 1 rank 5.
    assert_eq!(
        assigned(phe_quantile(&v, 5, QuantileOrder::HighestFirst).unwrap()),
        vec![5, 2, 2, 2, 1]
    );
    assert_eq!(income_quantiles(&v, 5).unwrap(), vec![1, 2, 2, 2, 5]);

    let equal = [42.0; 7];
    assert_eq!(
        assigned(phe_quantile(&equal, 5, QuantileOrder::LowestFirst).unwrap()),
        vec![1; 7]
    );
    assert_eq!(
        assigned(phe_quantile(&equal, 5, QuantileOrder::HighestFirst).unwrap()),
        vec![1; 7]
    );
    assert_eq!(income_quantiles(&equal, 5).unwrap(), vec![1; 7]);

    // Four zero incomes of ten: 0 below them, quintile 1; income 1 has 4
    // below, floor(4 x 5 / 10) + 1 = 3, so quintile 2 is empty.
    let incomes = [0.0, 0.0, 0.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    assert_eq!(
        income_quantiles(&incomes, 5).unwrap(),
        vec![1, 1, 1, 1, 3, 3, 4, 4, 5, 5]
    );
}

/// Fewer values than quantiles: PHE assigns none and warns; person-level
/// quantiles are an error.
#[test]
fn fewer_values_than_quantiles() {
    let result = phe_quantile(&[3.0, 1.0, 2.0], 5, QuantileOrder::LowestFirst).unwrap();
    assert!(result.too_few_values);
    assert_eq!(result.quantiles, vec![None, None, None]);
    // Missing values do not count: 5 values but 4 present.
    let result = phe_quantile(
        &[3.0, f64::NAN, 1.0, 2.0, 4.0],
        5,
        QuantileOrder::LowestFirst,
    )
    .unwrap();
    assert!(result.too_few_values);
    let empty = phe_quantile(&[], 5, QuantileOrder::LowestFirst).unwrap();
    assert!(empty.too_few_values && empty.quantiles.is_empty());
    assert!(matches!(
        income_quantiles(&[3.0, 1.0, 2.0], 5),
        Err(MeasureError::Undefined { .. })
    ));
    assert!(income_quantiles(&[], 5).is_err());
}

/// NaN is a missing value for `phe_quantile` (no quantile, not counted) and
/// an error for person-level quantiles; 0 quantiles is an error.
#[test]
fn missing_values_and_invalid_arguments() {
    let v = [f64::NAN, 3.0, 1.0, 2.0, f64::NAN, 4.0, 5.0];
    let result = phe_quantile(&v, 5, QuantileOrder::LowestFirst).unwrap();
    assert_eq!(
        result.quantiles,
        vec![None, Some(3), Some(1), Some(2), None, Some(4), Some(5)]
    );
    assert!(matches!(
        income_quantiles(&v, 5),
        Err(MeasureError::NotFinite { .. })
    ));
    assert!(income_quantiles(&[1.0, f64::INFINITY], 1).is_err());
    assert!(phe_quantile(&[1.0, 2.0], 0, QuantileOrder::LowestFirst).is_err());
    assert!(income_quantiles(&[1.0, 2.0], 0).is_err());
    assert!(matches!(
        phe_quantile_by_group(&[1, 1], &[1.0], &[QuantileOrder::LowestFirst; 2], 1),
        Err(MeasureError::LengthMismatch { .. })
    ));
}

/// PHE evaluates `floor(q + 1 - ceiling((n + 1 - r) / (n / q)))` in double
/// precision. For 100 quantiles of 114 values, rank 58 gives
/// `(114 + 1 - 58) / 1.14 = 50.000000000000007`, ceiling 51, quantile 50;
/// exactly, 57 / 1.14 = 50 and the quantile is 51 (floor(57 x 100 / 114) +
/// 1). (Computed in R 4.2.2: `floor(101 - ceiling(57 / (114 / 100)))` is
/// 50.) `phe_quantile` reproduces the peer, `income_quantiles` is exact.
#[test]
fn phe_rounding_at_a_boundary_is_reproduced() {
    let v: Vec<f64> = (1..=114).map(f64::from).collect();
    let phe = assigned(phe_quantile(&v, 100, QuantileOrder::LowestFirst).unwrap());
    assert_eq!(phe[57], 50);
    assert_eq!(income_quantiles(&v, 100).unwrap()[57], 51);
}

/// Known truth by brute force: a value's quantile is `floor(b q / n) + 1`,
/// `b` the number of values strictly below it.
fn brute_force(values: &[f64], q: u32) -> Vec<u32> {
    let n = values.len() as u64;
    values
        .iter()
        .map(|v| {
            let below = values.iter().filter(|x| *x < v).count() as u64;
            (below * u64::from(q) / n + 1) as u32
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Person-level quantiles: the brute-force rule, in 1..=q, monotone in
    /// the value, and without ties the quantile sizes differ by at most 1.
    #[test]
    fn income_quantiles_follow_the_rule(
        values in prop::collection::vec(0u32..50, 1..300),
        q in 1u32..12,
        scale in 1.0f64..1e5,
    ) {
        prop_assume!(values.len() >= q as usize);
        let values: Vec<f64> = values.into_iter().map(|v| f64::from(v) * scale).collect();
        let got = income_quantiles(&values, q).unwrap();
        prop_assert_eq!(&got, &brute_force(&values, q));
        for (i, a) in values.iter().enumerate() {
            prop_assert!((1..=q).contains(&got[i]));
            for (j, b) in values.iter().enumerate() {
                if a < b { prop_assert!(got[i] <= got[j]); }
                if a == b { prop_assert_eq!(got[i], got[j]); }
            }
        }
    }

    #[test]
    fn distinct_values_fill_quantiles_evenly(n in 1usize..400, q in 1u32..11) {
        prop_assume!(n >= q as usize);
        let values: Vec<f64> = (0..n).map(|i| ((i * 7919) % n) as f64).collect();
        let got = income_quantiles(&values, q).unwrap();
        let sizes: Vec<usize> = (1..=q).map(|k| got.iter().filter(|&&g| g == k).count()).collect();
        let (lo, hi) = (sizes.iter().min().unwrap(), sizes.iter().max().unwrap());
        prop_assert!(hi - lo <= 1, "sizes {:?}", sizes);
    }

    /// For 4, 5 and 10 quantiles PHE's floating-point formula equals the
    /// exact rule (checked exhaustively for n <= 3000 when writing this), so
    /// `phe_quantile` must agree with the brute force; from the top it is the
    /// brute force on the negated values.
    #[test]
    fn phe_quantile_follows_the_rule_for_common_q(
        values in prop::collection::vec(-100i32..100, 1..400),
        q in prop::sample::select(vec![4u32, 5, 10]),
    ) {
        prop_assume!(values.len() >= q as usize);
        let values: Vec<f64> = values.into_iter().map(f64::from).collect();
        let low = phe_quantile(&values, q, QuantileOrder::LowestFirst).unwrap();
        prop_assert_eq!(assigned(low), brute_force(&values, q));
        let negated: Vec<f64> = values.iter().map(|v| -v).collect();
        let high = phe_quantile(&values, q, QuantileOrder::HighestFirst).unwrap();
        prop_assert_eq!(assigned(high), brute_force(&negated, q));
    }
}
