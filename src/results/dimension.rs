//! From aggregated counts to the released result rows of one dimension: crude and
//! age-and-sex-standardised proportions per level, the difference and ratio to the reference
//! level, HEAT's summary measures, waiting times and funnel limits. Everything passes the
//! disclosure gate before it is returned: a level's derived values go with its suppressed
//! counts, and a summary measure is withheld when any level it rests on was suppressed.

use std::collections::BTreeMap;

use super::context::{CONFIDENCE, DimensionContext, GatedLevel, percent_subgroup};
use super::levels::{level_rank, reference_level};
use super::standardisation::{self, standardised};
use super::summary::summary_measures;
use crate::aggregate::{LevelCounts, ValueSummary};
use crate::disclosure::gate::Decision;
use crate::disclosure::{Rounding, RoundingBase, RoundingMethod};
use crate::error::{Error, Result};
use crate::measures::mean::{MeanSummary, mean_from_summary};
use crate::measures::proportion::wilson;
use crate::measures::simple::{difference, ratio};
use crate::measures::subgroup::{Polarity, Subgroup};
use crate::spec::{Measure, OutcomeKind, RequestedMeasure};
use crate::tidy::{EMPTY_GROUP, Row, TOTAL};

/// The note of a value shown without what would need the exact counts under rounding.
pub(crate) const ROUNDED: &str = "tallene er afrundet: vist uden det, der kræver de præcise tal";

/// The rows of one dimension of one table, from its counts and the gate's decisions
/// ([`crate::disclosure::gate::gate`], which saw every linked table of the stratifier).
pub fn dimension_rows(
    ctx: &DimensionContext<'_>,
    levels: BTreeMap<String, LevelCounts>,
    values: LevelValues<'_>,
    decision: &Decision,
) -> Result<Vec<Row>> {
    if levels.is_empty() {
        let mut row = ctx.row(Measure::Proportion, TOTAL, "wilson");
        row.note = "ingen patienter i patientgruppen".into();
        return Ok(vec![row]);
    }
    let mut total = LevelCounts::default();
    for counts in levels.values() {
        total.add(counts);
    }
    let mut ordered: Vec<(String, LevelCounts)> = levels.into_iter().collect();
    ordered.sort_by_key(|(l, _)| level_rank(ctx.stratifier, l));
    let mut rows = Vec::new();
    let mut gated = Vec::new();
    // Numbers of events are withheld from every level when one is hidden ([`event_count_rows`]).
    let events_withheld = decision.values().any(|shown| !shown.both());
    for (level, counts) in ordered
        .into_iter()
        .chain([(TOTAL.to_string(), total.clone())])
    {
        let shown = decision.get(&level).copied().ok_or_else(|| {
            Error::Internal(format!("level {level} missing from the disclosure gate"))
        })?;
        let released = shown.both();
        let mut base = ctx.row(Measure::Proportion, &level, "wilson");
        let (events, persons) = match ctx.rounding {
            Some(base) => rounded(ctx, &level, base, counts.events(), counts.persons()),
            None => (counts.events(), counts.persons()),
        };
        base.numerator = shown.numerator.then_some(events);
        base.denominator = shown.denominator.then_some(persons);
        base.suppressed = !released;
        if !released {
            base.note = "undertrykt: færre end tærsklen eller beskytter en anden celle".into();
        }
        rows.extend(level_rows(
            ctx,
            &base,
            &counts,
            &total,
            released,
            OneLevel {
                events_withheld,
                ..values.of(&level)
            },
        ));
        // With rounding, everything computed over the levels (differences, ratios, summary
        // measures, funnel limits) rests on the rounded counts, so none gives an exact count.
        let counts = match ctx.rounding {
            Some(_) => LevelCounts::from_totals(events, persons),
            None => counts,
        };
        gated.push(GatedLevel {
            level,
            counts,
            released,
        });
    }
    if ctx.wants(RequestedMeasure::Difference) || ctx.wants(RequestedMeasure::Ratio) {
        rows.extend(comparisons(ctx, &gated));
    }
    rows.extend(summary_measures(ctx, &gated)?);
    if let Some(standard) = ctx.quality_standard {
        rows.extend(super::quality::quality_rows(ctx, &gated, standard)?);
    }
    Ok(rows)
}

/// Unbiased random rounding (Hundepool et al. 2012, ch. 5) of a level's two counts, from a seed
/// fixed by the cell's identity so that a rerun gives the same numbers and cells are rounded
/// independently; the numerator is kept at or below the denominator.
fn rounded(
    ctx: &DimensionContext<'_>,
    level: &str,
    base: RoundingBase,
    n: u64,
    d: u64,
) -> (u64, u64) {
    let rounding = Rounding {
        base,
        method: RoundingMethod::Random {
            seed: ctx.seed(level),
        },
    };
    let values = rounding.round_all(&[n, d]);
    (values[0].min(values[1]), values[1])
}

/// The summaries of values of an outcome by level, when it asks for them: its waiting time and
/// its number of events per patient.
#[derive(Debug, Clone, Copy, Default)]
pub struct LevelValues<'a> {
    pub waiting: Option<&'a BTreeMap<String, ValueSummary>>,
    pub event_counts: Option<&'a BTreeMap<String, ValueSummary>>,
}

impl<'a> LevelValues<'a> {
    fn of(&self, level: &str) -> OneLevel<'a> {
        OneLevel {
            waiting: self.waiting.and_then(|w| w.get(level)),
            event_counts: self.event_counts.and_then(|c| c.get(level)),
            events_withheld: false,
        }
    }
}

/// One level's value summaries ([`LevelValues`]).
struct OneLevel<'a> {
    waiting: Option<&'a ValueSummary>,
    event_counts: Option<&'a ValueSummary>,
    /// Another level of the table is hidden ([`event_count_rows`]).
    events_withheld: bool,
}

/// The proportion, standardised proportion, waiting-time and event-count rows of one level.
fn level_rows(
    ctx: &DimensionContext<'_>,
    base: &Row,
    counts: &LevelCounts,
    total: &LevelCounts,
    released: bool,
    values: OneLevel<'_>,
) -> Vec<Row> {
    let waiting = values.waiting;
    let mut rows = Vec::new();
    let percent = |v: f64| Some(v * 100.0);
    let mut crude = base.clone();
    // A level listed so that its absence tells nothing, with nobody in it.
    if counts.persons() == 0 {
        crude.note = EMPTY_GROUP.into();
        let mut rows = vec![crude];
        if ctx.standardise && ctx.wants(RequestedMeasure::AgeStandardised) {
            rows.push(Row {
                measure: Measure::ProportionAgeSexStd,
                method: standardisation::METHOD.into(),
                note: EMPTY_GROUP.into(),
                ..base.clone()
            });
        }
        if ctx.outcome.waiting_time && ctx.wants(RequestedMeasure::WaitingTime) {
            rows.extend(waiting_rows(ctx, base, waiting));
        }
        if ctx.outcome.kind == OutcomeKind::LengthOfStay && ctx.wants(RequestedMeasure::StayDays) {
            rows.extend(stay_rows(ctx, base, waiting));
        }
        if ctx.outcome.count && ctx.wants(RequestedMeasure::EventCount) {
            rows.extend(event_count_rows(ctx, base, &values));
        }
        return rows;
    }
    // With rounding, the share is computed from the rounded counts, so it reveals no exact count.
    let (events, persons) = match (ctx.rounding, base.numerator, base.denominator) {
        (Some(_), Some(n), Some(d)) => (n, d),
        _ => (counts.events(), counts.persons()),
    };
    if released {
        match wilson(events as f64, persons as f64, CONFIDENCE) {
            Ok(e) => {
                crude.value = percent(e.value);
                crude.lower = percent(e.lower);
                crude.upper = percent(e.upper);
            }
            Err(e) => crude.note = e.to_string(),
        }
    }
    rows.push(crude);
    if ctx.standardise && ctx.wants(RequestedMeasure::AgeStandardised) {
        let mut row = Row {
            measure: Measure::ProportionAgeSexStd,
            method: standardisation::METHOD.into(),
            ..base.clone()
        };
        if released && ctx.rounding.is_some() {
            // Standardisation needs the exact counts by age and sex.
            row.note = ROUNDED.into();
        } else if released {
            match standardised(counts, total, ctx.stratifier, CONFIDENCE) {
                Ok((v, l, u, note)) => {
                    row.value = percent(v);
                    row.lower = percent(l);
                    row.upper = percent(u);
                    row.note = note.into();
                }
                Err(e) => row.note = e,
            }
        }
        rows.push(row);
    }
    if ctx.outcome.waiting_time && ctx.wants(RequestedMeasure::WaitingTime) {
        rows.extend(waiting_rows(ctx, base, waiting));
    }
    if ctx.outcome.kind == OutcomeKind::LengthOfStay && ctx.wants(RequestedMeasure::StayDays) {
        rows.extend(stay_rows(ctx, base, waiting));
    }
    if ctx.outcome.count && ctx.wants(RequestedMeasure::EventCount) {
        rows.extend(event_count_rows(ctx, base, &values));
    }
    rows
}

/// Mean (Student's t CI, PHE `phe_mean`) and median days to the outcome among those who had it,
/// released with the level's share when at least the threshold had the outcome.
fn waiting_rows(
    ctx: &DimensionContext<'_>,
    base: &Row,
    waiting: Option<&ValueSummary>,
) -> Vec<Row> {
    value_rows(
        ctx,
        base,
        waiting,
        [Measure::WaitingDaysMean, Measure::WaitingDaysMedian],
        base.numerator,
        "ingen med udfaldet",
    )
}

/// Mean (Student's t CI, PHE `phe_mean`) and median length of the index stay in days among those
/// discharged in the window, released with the level's share when at least the threshold were.
fn stay_rows(ctx: &DimensionContext<'_>, base: &Row, days: Option<&ValueSummary>) -> Vec<Row> {
    value_rows(
        ctx,
        base,
        days,
        [Measure::StayDaysMean, Measure::StayDaysMedian],
        base.numerator,
        "ingen udskrevne",
    )
}

/// Mean (Student's t CI, PHE `phe_mean`) and median number of events in the window per patient
/// at risk, those without any included, released with the level's share when at least the
/// threshold were at risk, and only in a table that hides no level ([`dimension_rows`]): mean
/// times patients is a level's number of events, and the total's less the shown levels' would
/// give the hidden levels' together, which bounds their hidden numbers of patients with an
/// event from above (a 0 would tell that none had one).
fn event_count_rows(ctx: &DimensionContext<'_>, base: &Row, level: &OneLevel<'_>) -> Vec<Row> {
    let mut rows = value_rows(
        ctx,
        base,
        level.event_counts,
        [Measure::EventsMean, Measure::EventsMedian],
        base.denominator,
        "ingen i risiko",
    );
    if level.events_withheld {
        for row in &mut rows {
            *row = Row {
                value: None,
                lower: None,
                upper: None,
                denominator: None,
                suppressed: true,
                note: EVENTS_WITHHELD.into(),
                ..row.clone()
            };
        }
    }
    rows
}

/// The note of a number of events withheld because another level of its table is hidden.
const EVENTS_WITHHELD: &str =
    "tilbageholdt: tabellen skjuler en gruppe, hvis antal hændelser ellers kunne udledes";

/// The mean and median rows of a value summary of a level's patients (`measures`: the mean's,
/// the median's). Released only with the level's share, since a value shown or not would
/// otherwise tell whether a hidden count is below the threshold; and only when the summary
/// counts at least the threshold. With rounding, the count beside them is `rounded` (the level's
/// rounded count of the same patients) and neither value is shown: a mean of whole numbers over
/// the exact count tells that count (a mean of 2.4167 days over "about 10" patients can only be
/// 29/12), and a median ending in .5 tells that it is even.
fn value_rows(
    ctx: &DimensionContext<'_>,
    base: &Row,
    summary: Option<&ValueSummary>,
    measures: [Measure; 2],
    rounded: Option<u64>,
    nobody: &str,
) -> Vec<Row> {
    let template = Row {
        numerator: None,
        denominator: None,
        suppressed: false,
        note: String::new(),
        ..base.clone()
    };
    let mut mean = Row {
        measure: measures[0],
        method: "student-t".into(),
        ..template.clone()
    };
    let mut median = Row {
        measure: measures[1],
        method: "median".into(),
        ..template
    };
    let released = base.numerator.is_some() && base.denominator.is_some() && !base.suppressed;
    match summary {
        Some(w) if released && w.count >= ctx.threshold.value() => {
            let count = match ctx.rounding {
                Some(_) => rounded,
                None => Some(w.count),
            };
            mean.denominator = count;
            median.denominator = count;
            let summary = MeanSummary {
                sum: w.mean * w.count as f64,
                count: w.count as usize,
                stdev: w.sd,
            };
            if ctx.rounding.is_some() {
                mean.note = ROUNDED.into();
                median.note = ROUNDED.into();
                return vec![mean, median];
            }
            match mean_from_summary(&summary, CONFIDENCE) {
                Ok(e) => {
                    mean.value = Some(e.value);
                    mean.lower = Some(e.lower);
                    mean.upper = Some(e.upper);
                }
                Err(e) => mean.note = e.to_string(),
            }
            median.value = Some(w.median);
        }
        None if released => {
            for row in [&mut mean, &mut median] {
                row.note = nobody.into();
            }
        }
        _ => {
            for row in [&mut mean, &mut median] {
                row.suppressed = true;
                row.note = "undertrykt".into();
            }
        }
    }
    vec![mean, median]
}

/// Difference (percentage points) and ratio of each level's proportion to the reference level's,
/// with delta-method CIs from the binomial standard errors (healthequal `d()`/`r()`). Withheld
/// when either proportion was withheld by the gate.
fn comparisons(ctx: &DimensionContext<'_>, groups: &[GatedLevel]) -> Vec<Row> {
    let sizes: BTreeMap<String, f64> = groups
        .iter()
        .filter(|g| g.released && g.level != TOTAL && g.counts.persons() > 0)
        .map(|g| (g.level.clone(), g.counts.persons() as f64))
        .collect();
    let Some(reference) = reference_level(ctx.stratifier, &sizes) else {
        return Vec::new();
    };
    let Some(reference_group) = groups.iter().find(|g| g.level == reference) else {
        return Vec::new();
    };
    let mut rows = Vec::new();
    for g in groups {
        if g.level == reference || g.level == TOTAL {
            continue;
        }
        // With two subgroups and a user reference, HEAT's adverse-indicator rule puts the level
        // first and the reference second: D = level - reference, R = level / reference.
        let pair = [
            percent_subgroup(&g.counts),
            Subgroup {
                reference: true,
                ..percent_subgroup(&reference_group.counts)
            },
        ];
        for (measure, method, wanted) in [
            (
                Measure::Difference,
                "delta-method",
                ctx.wants(RequestedMeasure::Difference),
            ),
            (
                Measure::Ratio,
                "delta-method-log",
                ctx.wants(RequestedMeasure::Ratio),
            ),
        ] {
            if !wanted {
                continue;
            }
            let mut row = ctx.row(measure, &g.level, method);
            row.suppressed = !g.released;
            row.note = format!("reference: {reference}");
            if g.counts.persons() == 0 {
                row.note = EMPTY_GROUP.into();
            } else if g.released {
                let result = if measure == Measure::Difference {
                    difference(&pair, Polarity::Adverse, CONFIDENCE)
                } else {
                    ratio(&pair, Polarity::Adverse, CONFIDENCE)
                };
                match result {
                    Ok(m) => {
                        row.value = Some(m.value);
                        row.lower = m.lower;
                        row.upper = m.upper;
                    }
                    Err(e) => row.note = format!("reference: {reference}; {e}"),
                }
            } else {
                row.note = format!("reference: {reference}; undertrykt");
            }
            rows.push(row);
        }
    }
    rows
}
