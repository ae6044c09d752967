//! The patients' own windows before their index day: the events of each patient in the days
//! before it, which the patient group's look-back criteria, multimorbidity's conditions and the
//! Charlson index read alike.

use polars::prelude::*;

/// The events (with `PNR` and `DAY`) of the patients in the `lookback` days before their index
/// day, the index day itself included when `with_index_day`; each keeps its patient's
/// `INDEX_DAY`.
pub(super) fn events_before(
    events: LazyFrame,
    patients: &LazyFrame,
    lookback: i32,
    with_index_day: bool,
) -> LazyFrame {
    let before_end = if with_index_day {
        col("DAY").lt_eq(col("INDEX_DAY"))
    } else {
        col("DAY").lt(col("INDEX_DAY"))
    };
    events
        .join(
            patients.clone().select([col("PNR"), col("INDEX_DAY")]),
            [col("PNR")],
            [col("PNR")],
            JoinArgs::new(JoinType::Inner),
        )
        .filter(
            col("DAY")
                .gt_eq(col("INDEX_DAY") - lit(lookback))
                .and(before_end),
        )
}
