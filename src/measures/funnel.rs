//! Funnel plots: control limits around a baseline, each unit's significance
//! against it, and the widening of the limits for over-dispersion.
//!
//! A funnel plot shows an indicator for many units (areas, hospitals) against
//! a measure of their precision, with control limits that narrow as the
//! denominator grows (Spiegelhalter DJ. Funnel plots for comparing
//! institutional performance. *Stat Med* 2005;24:1185-1202). Units outside
//! the 95% ("2s", two-sided tail 0.025) or 99.8% ("3s", tail 0.001) limits are
//! flagged instead of ranked, because most of the spread between small units
//! is chance.
//!
//! The limits, the plotting axis and the significance rules follow
//! PHEindicatormethods v2.1.0 (`calculate_funnel_limits`,
//! `assign_funnel_significance`, `calculate_funnel_points`; OHID Fingertips
//! technical guidance) so that the tables agree with Fingertips:
//!
//! * proportions: Wilson score limits around the pooled proportion;
//! * ratios (standardised ratios such as the SMR): exact Poisson limits for
//!   `observed / expected` around 1;
//! * rates (directly standardised or crude): exact Poisson limits around the
//!   weighted average rate, with person-time derived from each unit's events
//!   and rate.
//!
//! The over-dispersion adjustment is not part of PHE's package; it follows
//! Spiegelhalter DJ. Handling over-dispersion of performance indicators.
//! *Qual Saf Health Care* 2005;14:347-351 (see [`Dispersion`]).

use serde::{Deserialize, Serialize};

use super::interval::{MeasureError, finite, non_negative, positive_denominator, z_value};
use super::rate::count_limits;

/// One unit of a proportion or ratio funnel: events and population for a
/// proportion, observed and expected events for a ratio.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Unit {
    pub numerator: f64,
    pub denominator: f64,
}

/// One unit of a rate funnel, as PHE takes it: the events, the published rate
/// (per `multiplier` person-years) and, optionally, the population.
///
/// The person-time behind a rate is recovered from the events and the rate
/// (`multiplier * events / rate`) because for a directly standardised rate
/// that "effective" denominator, not the census population, carries the
/// rate's Poisson precision. A unit with no events has no such person-time,
/// so its `denominator` is required then (PHE's rule); it is used for crude
/// rates and ignored for DSRs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RateUnit {
    pub events: f64,
    pub rate: Option<f64>,
    pub denominator: Option<f64>,
}

/// How a standardised ratio is expressed on the funnel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RatioType {
    /// `observed / expected - 1`: the relative excess of counts, baseline 0.
    Count,
    /// Indirectly standardised ratio `100 * observed / expected`, baseline 100.
    Isr,
}

/// Which rate a [`RateUnit`] carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RateType {
    /// Directly standardised rate. PHE does not judge DSRs built on fewer
    /// than 10 events, where the Poisson approximation to the weighted sum is
    /// poor (Fingertips technical guidance).
    Dsr,
    /// Crude rate: events per person-time.
    Crude,
}

/// The statistic a funnel table was built for, with its presentation settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Statistic {
    Proportion {
        multiplier: f64,
    },
    Ratio(RatioType),
    Rate {
        rate_type: RateType,
        multiplier: f64,
        years_of_data: f64,
    },
}

/// Which interval method the limits invert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LimitMethod {
    /// Wilson score interval (Wilson 1927).
    Wilson,
    /// Exact Poisson interval (Garwood 1936).
    Poisson,
}

impl LimitMethod {
    /// PHE's `method` column: "Wilson" or "Poisson".
    pub fn label(self) -> &'static str {
        match self {
            LimitMethod::Wilson => "Wilson",
            LimitMethod::Poisson => "Poisson",
        }
    }
}

impl Statistic {
    /// PHE's `statistic` column: "proportion", "ratio (count)", "ratio (isr)"
    /// or e.g. "rate (dsr per 100,000)".
    pub fn label(&self) -> String {
        match self {
            Statistic::Proportion { .. } => "proportion".to_string(),
            Statistic::Ratio(RatioType::Count) => "ratio (count)".to_string(),
            Statistic::Ratio(RatioType::Isr) => "ratio (isr)".to_string(),
            Statistic::Rate {
                rate_type,
                multiplier,
                ..
            } => {
                let kind = match rate_type {
                    RateType::Dsr => "dsr",
                    RateType::Crude => "crude",
                };
                format!("rate ({kind} per {})", thousands(*multiplier))
            }
        }
    }

    /// The interval method behind the limits.
    pub fn method(&self) -> LimitMethod {
        match self {
            Statistic::Proportion { .. } => LimitMethod::Wilson,
            Statistic::Ratio(_) | Statistic::Rate { .. } => LimitMethod::Poisson,
        }
    }

    /// What [`FunnelRow::x`] holds, PHE's first column name: "Population",
    /// "Observed_events" or "Events".
    pub fn x_label(&self) -> &'static str {
        match self {
            Statistic::Proportion { .. } => "Population",
            Statistic::Ratio(_) => "Observed_events",
            Statistic::Rate { .. } => "Events",
        }
    }
}

/// One control limit and the denominator at which the indicator reaches it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FunnelLimit {
    /// The limit on the indicator's scale (after the multiplier).
    pub value: f64,
    /// Where the limit is plotted: the population for a proportion, the
    /// expected events for a ratio (PHE's `*_exp_events`) and the population
    /// per year for a rate (PHE's `*_population_1_year`).
    pub denominator: f64,
}

/// One of the 100 points PHE computes along the funnel.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FunnelRow {
    /// Population (proportion), observed events (ratio) or events (rate); see
    /// [`Statistic::x_label`].
    pub x: f64,
    /// 95% limits (two-sided tail 0.025, "2s").
    pub lower_2s: FunnelLimit,
    pub upper_2s: FunnelLimit,
    /// 99.8% limits (two-sided tail 0.001, "3s").
    pub lower_3s: FunnelLimit,
    pub upper_3s: FunnelLimit,
}

/// Control limits for a funnel plot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunnelTable {
    pub statistic: Statistic,
    /// The target on the unscaled indicator scale: pooled proportion, events
    /// per unit of person-time, or 1 for a ratio. Standard errors and
    /// [`Dispersion::tau2`] are on this scale.
    pub average: f64,
    /// The target on the plotted scale: `average * multiplier`, 0 for
    /// [`RatioType::Count`] and 100 for [`RatioType::Isr`]. (PHE has no
    /// baseline column for ratios.)
    pub baseline: f64,
    pub rows: Vec<FunnelRow>,
}

/// A unit's position relative to the funnel, PHE's significance labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Significance {
    /// Above the 99.8% limit.
    High001,
    /// Above the 95% limit only.
    High025,
    /// Below the 99.8% limit.
    Low001,
    /// Below the 95% limit only.
    Low025,
    NotSignificant,
    /// A DSR based on fewer than 10 events (not judged).
    NotApplicableDsr,
}

impl Significance {
    /// PHE's label, e.g. "High (0.001)".
    pub fn label(self) -> &'static str {
        match self {
            Significance::High001 => "High (0.001)",
            Significance::High025 => "High (0.025)",
            Significance::Low001 => "Low (0.001)",
            Significance::Low025 => "Low (0.025)",
            Significance::NotSignificant => "Not significant",
            Significance::NotApplicableDsr => "Not applicable for events less than 10 for dsrs",
        }
    }

    /// Classifies a (possibly over-dispersion-adjusted) z-score against the
    /// normal 95% and 99.8% critical values, as Spiegelhalter (2005) does for
    /// the adjusted z-scores of [`Dispersion::adjusted_z`].
    pub fn from_z(z: f64) -> Result<Significance, MeasureError> {
        let z = finite("z-score", z)?;
        let (z2, z3) = (
            z_value(Level::TwoSigma.confidence())?,
            z_value(Level::ThreeSigma.confidence())?,
        );
        Ok(if z > z3 {
            Significance::High001
        } else if z > z2 {
            Significance::High025
        } else if z < -z3 {
            Significance::Low001
        } else if z < -z2 {
            Significance::Low025
        } else {
            Significance::NotSignificant
        })
    }
}

/// A DSR on fewer events than this is not assessed (PHE).
pub const DSR_MIN_EVENTS: f64 = 10.0;

/// For one rate unit, what PHE's `calculate_funnel_points` plots.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FunnelPoint {
    /// The rate to plot (`None` for a DSR on fewer than 10 events).
    pub rate: Option<f64>,
    /// Person-time per year, the x coordinate (`None` for a DSR on fewer than
    /// 10 events).
    pub annual_denominator: Option<f64>,
}

/// The two limit levels of a funnel plot.
#[derive(Debug, Clone, Copy)]
enum Level {
    TwoSigma,
    ThreeSigma,
}

impl Level {
    fn confidence(self) -> f64 {
        match self {
            Level::TwoSigma => 0.95,
            Level::ThreeSigma => 0.998,
        }
    }

    /// The one-sided tail probability PHE passes to its Poisson search.
    fn tail(self) -> f64 {
        match self {
            Level::TwoSigma => 0.025,
            Level::ThreeSigma => 0.001,
        }
    }
}

// ---------------------------------------------------------------------------
// Proportions
// ---------------------------------------------------------------------------

/// Funnel limits for proportions (PHE `calculate_funnel_limits`,
/// `statistic = "proportion"`), on the scale `multiplier` gives (100 for a
/// percentage, 1 for a fraction).
///
/// The baseline is the pooled proportion `θ = Σ numerator / Σ denominator`.
/// At population `n` the limits are the observed proportions whose Wilson
/// score interval just reaches θ. The Wilson interval is the set of π with
/// `|p − π| ≤ z √(π(1 − π)/n)`, so those proportions are
/// `θ ± z √(θ(1 − θ)/n)` (PHE solves the same quadratic in a longer form),
/// with z = 1.96 and 3.09. Limits are cut to `[0, multiplier]`.
///
/// The populations are PHE's 100 plotting points: from 1 (or, when the
/// largest denominator is at most twice the smallest, the smallest less 5%
/// rounded down to one significant figure) to the largest plus 5% rounded up
/// to two significant figures, spaced geometrically.
///
/// Differs from PHE: PHE cuts the upper limit at the literal 100 whatever the
/// multiplier, so with `multiplier = 1` its upper limits can exceed 1; here
/// they are cut at 1.
///
/// Errors: no units, negative or non-finite counts, a zero denominator, a
/// numerator above its denominator, or a non-positive multiplier.
pub fn proportion_funnel_limits(
    units: &[Unit],
    multiplier: f64,
) -> Result<FunnelTable, MeasureError> {
    let multiplier = positive_denominator("multiplier", multiplier)?;
    let average = pooled_proportion(units)?;
    let (min, max) = min_max(units.iter().map(|u| u.denominator))?;
    let populations = funnel_axis(AxisKind::Proportion, min, max)?;
    let statistic = Statistic::Proportion { multiplier };
    let rows = populations
        .into_iter()
        .map(|n| proportion_row(average, n, multiplier, 0.0, 1.0))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(FunnelTable {
        statistic,
        average,
        baseline: average * multiplier,
        rows,
    })
}

/// Significance of each unit's proportion against the funnel (PHE
/// `assign_funnel_significance`, `statistic = "proportion"`): below
/// `θ − 3.09 s` is "Low (0.001)", below `θ − 1.96 s` "Low (0.025)", and
/// likewise above, with `s = √(θ(1 − θ)/n)` at the unit's own denominator and θ
/// the pooled proportion. Strict inequalities, as PHE.
///
/// Errors as [`proportion_funnel_limits`].
pub fn proportion_significance(units: &[Unit]) -> Result<Vec<Significance>, MeasureError> {
    let average = pooled_proportion(units)?;
    let (z2, z3) = (
        z_value(Level::TwoSigma.confidence())?,
        z_value(Level::ThreeSigma.confidence())?,
    );
    Ok(units
        .iter()
        .map(|u| {
            let p = u.numerator / u.denominator;
            let s = (average * (1.0 - average) / u.denominator).sqrt();
            if p < average - z3 * s {
                Significance::Low001
            } else if p < average - z2 * s {
                Significance::Low025
            } else if p > average + z3 * s {
                Significance::High001
            } else if p > average + z2 * s {
                Significance::High025
            } else {
                Significance::NotSignificant
            }
        })
        .collect())
}

/// Validates proportion units and returns the pooled proportion.
fn pooled_proportion(units: &[Unit]) -> Result<f64, MeasureError> {
    if units.is_empty() {
        return Err(MeasureError::Invalid(
            "a funnel needs at least one unit".into(),
        ));
    }
    let (mut num, mut den) = (0.0, 0.0);
    for u in units {
        let x = non_negative("numerator", u.numerator)?;
        let n = positive_denominator("denominator", u.denominator)?;
        if x > n {
            return Err(MeasureError::NumeratorExceedsDenominator {
                numerator: x,
                denominator: n,
            });
        }
        num += x;
        den += n;
    }
    Ok(num / den)
}

/// The four proportion limits at population `n`, `θ ± z · scale ·
/// √(θ(1 − θ)/n + tau2)`: `tau2 = 0, scale = 1` gives PHE's limits, other
/// values the over-dispersed ones.
fn proportion_row(
    average: f64,
    n: f64,
    multiplier: f64,
    tau2: f64,
    scale: f64,
) -> Result<FunnelRow, MeasureError> {
    let se = (average * (1.0 - average) / n + tau2).sqrt() * scale;
    let limit = |level: Level, sign: f64| -> Result<FunnelLimit, MeasureError> {
        let z = z_value(level.confidence())?;
        let value = ((average + sign * z * se) * multiplier).clamp(0.0, multiplier);
        Ok(FunnelLimit {
            value,
            denominator: n,
        })
    };
    Ok(FunnelRow {
        x: n,
        lower_2s: limit(Level::TwoSigma, -1.0)?,
        upper_2s: limit(Level::TwoSigma, 1.0)?,
        lower_3s: limit(Level::ThreeSigma, -1.0)?,
        upper_3s: limit(Level::ThreeSigma, 1.0)?,
    })
}

// ---------------------------------------------------------------------------
// Ratios
// ---------------------------------------------------------------------------

/// Funnel limits for standardised ratios `observed / expected` (PHE
/// `calculate_funnel_limits`, `statistic = "ratio"`).
///
/// For `O` observed events (PHE's `Observed_events` column, 100 values
/// spread between the axis limits of the *expected* counts) the limits are
/// the expected counts at which `O` sits exactly on the exact Poisson bound:
/// the lower limit is `O / U(O)` with `U` the upper exact limit of the mean,
/// the upper limit `O / L(O)` with `L` the lower one. Like PHE, the limits
/// of the mean are found by the bisection of the Fingertips Excel tool,
/// which is within about 1e-7 of the exact chi-square limits.
/// [`RatioType::Count`] shows `O/E − 1`, [`RatioType::Isr`] `100 O/E`.
/// PHE's `multiplier` argument has no effect for ratios and is not taken.
///
/// Errors: no units, negative or non-finite observed counts, or expected
/// counts that are not positive.
pub fn ratio_funnel_limits(
    units: &[Unit],
    ratio_type: RatioType,
) -> Result<FunnelTable, MeasureError> {
    validate_ratio_units(units)?;
    let (min, max) = min_max(units.iter().map(|u| u.denominator))?;
    let observed = funnel_axis(AxisKind::Ratio, min, max)?;
    let (shift, scale, baseline) = match ratio_type {
        RatioType::Count => (-1.0, 1.0, 0.0),
        RatioType::Isr => (0.0, 100.0, 100.0),
    };
    let rows = observed
        .into_iter()
        .map(|o| {
            let limit = |level: Level, side: Side| {
                let expected = poisson_funnel(o, level.tail(), side);
                FunnelLimit {
                    value: (o / expected + shift) * scale,
                    denominator: expected,
                }
            };
            FunnelRow {
                x: o,
                lower_2s: limit(Level::TwoSigma, Side::Upper),
                upper_2s: limit(Level::TwoSigma, Side::Lower),
                lower_3s: limit(Level::ThreeSigma, Side::Upper),
                upper_3s: limit(Level::ThreeSigma, Side::Lower),
            }
        })
        .collect();
    Ok(FunnelTable {
        statistic: Statistic::Ratio(ratio_type),
        average: 1.0,
        baseline,
        rows,
    })
}

/// Significance of each unit's ratio `O/E` against 1 (PHE
/// `assign_funnel_significance`, `statistic = "ratio"`): "High (0.001)" when
/// the lower 99.8% limit of `O/E` is above 1, "High (0.025)" when the lower
/// 95% limit is, and "Low" likewise with the upper limits below 1. The limits
/// are [`count_limits`]: exact Poisson below 10 events, Byar's at or above,
/// divided by `E`.
///
/// Errors as [`ratio_funnel_limits`].
pub fn ratio_significance(units: &[Unit]) -> Result<Vec<Significance>, MeasureError> {
    validate_ratio_units(units)?;
    units
        .iter()
        .map(|u| classify_count(u.numerator, u.denominator, 1.0))
        .collect()
}

fn validate_ratio_units(units: &[Unit]) -> Result<(), MeasureError> {
    if units.is_empty() {
        return Err(MeasureError::Invalid(
            "a funnel needs at least one unit".into(),
        ));
    }
    for u in units {
        non_negative("observed", u.numerator)?;
        positive_denominator("expected", u.denominator)?;
    }
    Ok(())
}

/// Compares the Poisson confidence limits of `events / denominator` with
/// `target`.
fn classify_count(
    events: f64,
    denominator: f64,
    target: f64,
) -> Result<Significance, MeasureError> {
    let l3 = count_limits(events, Level::ThreeSigma.confidence())?;
    let l2 = count_limits(events, Level::TwoSigma.confidence())?;
    Ok(if target < l3.lower / denominator {
        Significance::High001
    } else if target < l2.lower / denominator {
        Significance::High025
    } else if target > l3.upper / denominator {
        Significance::Low001
    } else if target > l2.upper / denominator {
        Significance::Low025
    } else {
        Significance::NotSignificant
    })
}

// ---------------------------------------------------------------------------
// Rates
// ---------------------------------------------------------------------------

/// Funnel limits for rates (PHE `calculate_funnel_limits`,
/// `statistic = "rate"`), per `multiplier` person-years, for data pooled over
/// `years_of_data` years.
///
/// The baseline is the weighted average `θ = Σ events / Σ person-time`, with
/// each unit's person-time `multiplier * events / rate` (for crude rates with
/// no events, the given denominator; DSRs with no events drop out of the
/// person-time). For `E` events (PHE's `Events` column: 100 values between
/// the axis limits converted to events at θ) the lower limit lies at the
/// person-time `U(E)/θ` whose expected count equals the upper exact Poisson
/// limit of `E`, where the rate is `E θ / U(E)`; the upper limit likewise
/// with the lower Poisson limit `L(E)`. Each limit's
/// [`FunnelLimit::denominator`] is that person-time per year.
///
/// Errors: no units, negative or non-finite inputs, a unit with events but
/// no positive rate, a unit with no events and no positive denominator, no
/// events at all (θ = 0 gives no funnel), or a non-positive multiplier or
/// number of years.
pub fn rate_funnel_limits(
    units: &[RateUnit],
    rate_type: RateType,
    multiplier: f64,
    years_of_data: f64,
) -> Result<FunnelTable, MeasureError> {
    let years = positive_denominator("years of data", years_of_data)?;
    let derived = derived_person_time(units, rate_type, multiplier)?;
    let average = weighted_average(units, &derived)?;
    let (min, max) = min_max(derived.iter().flatten().copied())?;
    let events = funnel_axis(AxisKind::Rate { years, average }, min, max)?;
    let rows = events
        .into_iter()
        .map(|e| {
            let limit = |level: Level, side: Side| {
                let person_time = poisson_funnel(e, level.tail(), side) / average;
                FunnelLimit {
                    value: e / person_time * multiplier,
                    denominator: person_time / years,
                }
            };
            FunnelRow {
                x: e,
                lower_2s: limit(Level::TwoSigma, Side::Upper),
                upper_2s: limit(Level::TwoSigma, Side::Lower),
                lower_3s: limit(Level::ThreeSigma, Side::Upper),
                upper_3s: limit(Level::ThreeSigma, Side::Lower),
            }
        })
        .collect();
    Ok(FunnelTable {
        statistic: Statistic::Rate {
            rate_type,
            multiplier,
            years_of_data: years,
        },
        average,
        baseline: average * multiplier,
        rows,
    })
}

/// Significance of each unit's rate against the weighted average θ (PHE
/// `assign_funnel_significance`, `statistic = "rate"`): the unit's events
/// get Poisson limits ([`count_limits`]: exact below 10 events, Byar's
/// above), divided by its person-time; "High (0.001)" when θ lies below the
/// 99.8% lower limit, and so on as for ratios. A DSR on fewer than 10 events
/// is [`Significance::NotApplicableDsr`].
///
/// Errors as [`rate_funnel_limits`].
pub fn rate_significance(
    units: &[RateUnit],
    rate_type: RateType,
    multiplier: f64,
) -> Result<Vec<Significance>, MeasureError> {
    let derived = derived_person_time(units, rate_type, multiplier)?;
    let average = weighted_average(units, &derived)?;
    units
        .iter()
        .zip(&derived)
        .map(|(u, d)| {
            if rate_type == RateType::Dsr && u.events < DSR_MIN_EVENTS {
                return Ok(Significance::NotApplicableDsr);
            }
            match d {
                Some(person_time) => classify_count(u.events, *person_time, average),
                None => Ok(Significance::NotSignificant),
            }
        })
        .collect()
}

/// The points to plot for rate units (PHE `calculate_funnel_points`): the
/// rate as given and the person-time per year, `multiplier * events / rate /
/// years_of_data` (for a crude rate with no events, `denominator /
/// years_of_data`). DSRs on fewer than 10 events are not plotted.
///
/// Errors as [`rate_funnel_limits`], except that no events at all is allowed.
pub fn rate_funnel_points(
    units: &[RateUnit],
    rate_type: RateType,
    multiplier: f64,
    years_of_data: f64,
) -> Result<Vec<FunnelPoint>, MeasureError> {
    let years = positive_denominator("years of data", years_of_data)?;
    let derived = derived_person_time(units, rate_type, multiplier)?;
    Ok(units
        .iter()
        .zip(derived)
        .map(|(u, d)| {
            if rate_type == RateType::Dsr && u.events < DSR_MIN_EVENTS {
                FunnelPoint {
                    rate: None,
                    annual_denominator: None,
                }
            } else {
                FunnelPoint {
                    rate: u.rate,
                    annual_denominator: d.map(|pt| pt / years),
                }
            }
        })
        .collect())
}

/// Validates rate units and derives each unit's person-time (over all years).
fn derived_person_time(
    units: &[RateUnit],
    rate_type: RateType,
    multiplier: f64,
) -> Result<Vec<Option<f64>>, MeasureError> {
    let multiplier = positive_denominator("multiplier", multiplier)?;
    if units.is_empty() {
        return Err(MeasureError::Invalid(
            "a funnel needs at least one unit".into(),
        ));
    }
    units
        .iter()
        .map(|u| {
            let events = non_negative("events", u.events)?;
            if let Some(rate) = u.rate {
                non_negative("rate", rate)?;
            }
            if events == 0.0 {
                let denominator = u.denominator.ok_or_else(|| {
                    MeasureError::Invalid(
                        "a unit with 0 events needs its denominator to be given".into(),
                    )
                })?;
                let denominator = positive_denominator("denominator", denominator)?;
                Ok(match rate_type {
                    RateType::Dsr => None,
                    RateType::Crude => Some(denominator),
                })
            } else {
                let rate = u.rate.ok_or_else(|| {
                    MeasureError::Invalid("a unit with events needs its rate to be given".into())
                })?;
                let rate = positive_denominator("rate", rate)?;
                Ok(Some(multiplier * events / rate))
            }
        })
        .collect()
}

/// `Σ events / Σ person-time` over the units with a person-time.
fn weighted_average(units: &[RateUnit], derived: &[Option<f64>]) -> Result<f64, MeasureError> {
    let events: f64 = units.iter().map(|u| u.events).sum();
    let person_time: f64 = derived.iter().flatten().sum();
    if events == 0.0 || person_time == 0.0 {
        return Err(MeasureError::Undefined {
            measure: "rate funnel",
            reason: "no events in any unit, so the average rate is 0".into(),
        });
    }
    Ok(events / person_time)
}

// ---------------------------------------------------------------------------
// Exact Poisson limits for the funnel
// ---------------------------------------------------------------------------

/// Which exact Poisson limit of the mean to find.
#[derive(Debug, Clone, Copy)]
enum Side {
    /// The mean μ with `P(X ≥ obs | μ) = tail`.
    Lower,
    /// The mean μ with `P(X ≤ obs | μ) = tail`.
    Upper,
}

/// The exact (Garwood 1936) Poisson limit of the mean for `obs` events, found
/// as PHE does: bisection on `v = μ / (μ + obs + 1)` in (0, 1), halving the
/// step from 0.25 until it is at most 1e-7 (23 steps), with the tail
/// probabilities from [`poisson_series`]. This is PHE's port of the
/// Fingertips funnel-plot Excel macro. It agrees with the chi-square quantile
/// `qchisq(·, 2 obs (+ 2)) / 2` to about 1e-7 relative, and is kept (rather
/// than the quantile) so that the limits are the published ones: the peer's
/// test vectors are this search's output and differ from the exact
/// quantiles by more than their tolerance.
fn poisson_funnel(obs: f64, tail: f64, side: Side) -> f64 {
    let mean = |v: f64| (1.0 + obs) * v / (1.0 - v);
    let (mut v, mut dv) = (0.5_f64, 0.5_f64);
    while dv > 1e-7 {
        dv /= 2.0;
        let mu = mean(v);
        // Move towards the mean at which the tail probability equals `tail`.
        let decrease = match side {
            Side::Lower => poisson_series(mu, obs, f64::INFINITY) > tail,
            Side::Upper => poisson_series(mu, 0.0, obs) < tail,
        };
        if decrease {
            v -= dv;
        } else {
            v += dv;
        }
    }
    mean(v)
}

/// `P(from ≤ X ≤ to)` for `X ~ Poisson(mu)`, summed as the Excel macro behind
/// PHE's funnels does: terms `mu^k / k!` in increasing `k` (rescaled by 1e30
/// when the running total passes 1e30), until `k` is past `mu` and the term is
/// at most 1e-10 of the total, then the share of the terms in the range.
///
/// Stopping there leaves out a tail worth a few 1e-10 of the total, so a
/// small upper tail such as `P(X ≥ 328 | μ ≈ 275) ≈ 0.001` comes out about
/// 3e-7 too small (relative). That is enough to flip the last bisection
/// step of [`poisson_funnel`] for some counts (for 328 observed events PHE's
/// lower 99.8% mean is 274.870081, exact tails give 274.869950), so the
/// series is reproduced rather than replaced by the incomplete gamma
/// function: the published limits are the series' ones.
///
/// The macro starts at `k = 0`; here the sum starts at `μ − 12√μ`, below
/// which the terms add up to less than `exp(−72) ≈ 5e-32` of the total
/// (Chernoff bound for the Poisson lower tail) and cannot change it in
/// double precision. This makes a tail O(√μ) instead of O(μ), which matters
/// for national counts (1e5 events).
fn poisson_series(mu: f64, from: f64, to: f64) -> f64 {
    let mut k = (mu - 12.0 * mu.sqrt()).floor().max(0.0);
    let (mut term, mut total, mut in_range) = (1.0_f64, 0.0_f64, 0.0_f64);
    while k <= mu || term > total * 1e-10 {
        total += term;
        if k >= from && k <= to {
            in_range += term;
        }
        if total > 1e30 {
            in_range /= 1e30;
            total /= 1e30;
            term /= 1e30;
        }
        k += 1.0;
        term = term * mu / k;
    }
    in_range / total
}

// ---------------------------------------------------------------------------
// Axis: where PHE evaluates the funnel
// ---------------------------------------------------------------------------

/// What the funnel's x values count.
#[derive(Debug, Clone, Copy)]
enum AxisKind {
    Proportion,
    Ratio,
    /// Events, converted from person-time per year at the average rate.
    Rate {
        years: f64,
        average: f64,
    },
}

/// The 100 x values at which PHE evaluates the limits, from the smallest and
/// largest unit denominators (populations, expected counts or person-time).
///
/// The axis starts at 0 when the largest denominator is more than twice the
/// smallest, otherwise at the smallest rounded down (after a 5% margin) to
/// one significant figure; it ends at the largest rounded up (after a 5%
/// margin) to two significant figures. For rates this is done on person-time
/// per year and then converted to events at the average rate (floor and
/// ceiling). The points then grow geometrically from `max(1, minimum)`, each
/// rounded (half to even, as R's `round`) and at least one above the last,
/// so they are dense where the funnel is steep. Ratios use a slightly
/// different exponent (`1/(101 − j + 1)` instead of `1/(101 − j)`), as PHE.
fn funnel_axis(kind: AxisKind, min: f64, max: f64) -> Result<Vec<f64>, MeasureError> {
    let per_year = match kind {
        AxisKind::Rate { years, .. } => years,
        _ => 1.0,
    };
    let mut axis_min = if max > 2.0 * min {
        0.0
    } else {
        floor_1_significant(min / per_year) * per_year
    };
    let mut axis_max = ceiling_2_significant(max / per_year) * per_year;
    if let AxisKind::Rate { average, .. } = kind {
        axis_min = (axis_min * average).floor();
        axis_max = (axis_max * average).ceil();
    }
    if !axis_max.is_finite() || axis_max <= 0.0 {
        return Err(MeasureError::Undefined {
            measure: "funnel axis",
            reason: format!("the axis maximum is {axis_max}"),
        });
    }
    let offset = match kind {
        AxisKind::Ratio => 1.0,
        _ => 0.0,
    };
    let mut points = Vec::with_capacity(100);
    let mut previous = axis_min.max(1.0);
    points.push(previous);
    for j in 2..=100 {
        let exponent = 1.0 / (101.0 - (j as f64 - offset));
        let next = ((axis_max / previous).powf(exponent) * previous)
            .round_ties_even()
            .max(previous + 1.0);
        points.push(next);
        previous = next;
    }
    Ok(points)
}

/// PHE's `signif.floor`: `x * 0.95` rounded down to its leading digit.
fn floor_1_significant(x: f64) -> f64 {
    if x == 0.0 {
        return 0.0;
    }
    let y = x * 0.95;
    let n = r_nchar(y.floor()) - 1;
    (y / 10f64.powi(n)).floor() * 10f64.powi(n)
}

/// PHE's `signif.ceiling`: `x * 1.05` rounded up to two significant digits.
fn ceiling_2_significant(x: f64) -> f64 {
    if x == 0.0 {
        return 0.0;
    }
    let y = x * 1.05;
    let n = r_nchar(y.ceil()) - 2;
    (y / 10f64.powi(n)).ceil() * 10f64.powi(n)
}

/// The number of characters R prints for a whole number `v >= 0`, which is
/// how PHE counts its digits (`nchar(v)`). R switches to scientific notation
/// when that is shorter, e.g. 100000 prints as "1e+05" (5 characters) and
/// 123000000 as "1.23e+08" (8); the count then differs from the number of
/// digits, which moves the rounding of the axis. Kept so that the axis, and so
/// the points of the table, are PHE's.
fn r_nchar(v: f64) -> i32 {
    let text = format!("{v:.0}");
    let digits = text.len() as i32;
    let significant = text.trim_end_matches('0').len().max(1) as i32;
    let exponent_width = if digits > 100 { 5 } else { 4 };
    let scientific = significant + i32::from(significant > 1) + exponent_width;
    digits.min(scientific)
}

fn min_max(values: impl Iterator<Item = f64>) -> Result<(f64, f64), MeasureError> {
    values
        .fold(None, |acc: Option<(f64, f64)>, v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        })
        .ok_or_else(|| MeasureError::Invalid("no unit has a usable denominator".into()))
}

/// `format(x, big.mark = ",", scientific = FALSE)` for the labels.
fn thousands(x: f64) -> String {
    if x.fract() != 0.0 || x.abs() >= 1e15 {
        return x.to_string();
    }
    let digits = format!("{}", x.abs() as u64);
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

// ---------------------------------------------------------------------------
// Over-dispersion (Spiegelhalter 2005)
// ---------------------------------------------------------------------------

/// A unit's z-score under the funnel's null hypothesis, `(y − θ) / s`, with
/// the null standard error `s` on the unscaled indicator scale.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ZScore {
    pub z: f64,
    pub se: f64,
}

/// How to widen the limits for over-dispersion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OverdispersionMethod {
    /// Multiplicative: the null variance times φ (only when φ > 1).
    Multiplicative,
    /// Additive random effects: the null variance plus τ².
    RandomEffects,
}

/// Z-scores for proportions: `s = √(θ(1 − θ)/n)` around the pooled
/// proportion θ (the normal approximation whose inversion gives the funnel,
/// see [`proportion_funnel_limits`]).
///
/// Errors as [`proportion_funnel_limits`], and [`MeasureError::Undefined`]
/// when θ is 0 or 1 (no variation to scale by).
pub fn proportion_z_scores(units: &[Unit]) -> Result<Vec<ZScore>, MeasureError> {
    let average = pooled_proportion(units)?;
    if average <= 0.0 || average >= 1.0 {
        return Err(MeasureError::Undefined {
            measure: "proportion z-scores",
            reason: format!("the pooled proportion is {average}"),
        });
    }
    Ok(units
        .iter()
        .map(|u| {
            let se = (average * (1.0 - average) / u.denominator).sqrt();
            ZScore {
                z: (u.numerator / u.denominator - average) / se,
                se,
            }
        })
        .collect())
}

/// Z-scores for ratios `O/E` around 1 with the Poisson standard error
/// `s = √(1/E)`, i.e. `z = (O − E)/√E`.
///
/// Errors as [`ratio_funnel_limits`].
pub fn ratio_z_scores(units: &[Unit]) -> Result<Vec<ZScore>, MeasureError> {
    validate_ratio_units(units)?;
    Ok(units
        .iter()
        .map(|u| {
            let se = (1.0 / u.denominator).sqrt();
            ZScore {
                z: (u.numerator / u.denominator - 1.0) / se,
                se,
            }
        })
        .collect())
}

/// Z-scores for rates around the weighted average θ (per unit of
/// person-time) with the Poisson standard error `s = √(θ/T)` at the unit's
/// person-time `T` (derived as in [`rate_funnel_limits`]). A DSR with no
/// events has no person-time and gets `None`; the result is aligned with
/// `units`.
///
/// Errors as [`rate_funnel_limits`].
pub fn rate_z_scores(
    units: &[RateUnit],
    rate_type: RateType,
    multiplier: f64,
) -> Result<Vec<Option<ZScore>>, MeasureError> {
    let derived = derived_person_time(units, rate_type, multiplier)?;
    let average = weighted_average(units, &derived)?;
    Ok(units
        .iter()
        .zip(derived)
        .map(|(u, d)| {
            d.map(|person_time| {
                let se = (average / person_time).sqrt();
                ZScore {
                    z: (u.events / person_time - average) / se,
                    se,
                }
            })
        })
        .collect())
}

/// Over-dispersion estimated from the units' z-scores, after Spiegelhalter
/// DJ. Handling over-dispersion of performance indicators. *Qual Saf Health
/// Care* 2005;14:347-351.
///
/// Real units vary more than chance alone allows (case mix, coding), and
/// limits built on the Poisson or binomial variance then flag too many. The
/// z-scores are Winsorised at their 10th and 90th percentiles (so that the
/// outliers being sought do not inflate the estimate), and
///
/// * `φ = (1/I) Σ z_w²`, the multiplicative over-dispersion factor;
/// * `τ² = (I φ − (I − 1)) / (Σ w − Σ w² / Σ w)`, `w = 1/s²`, or 0 when
///   `I φ ≤ I − 1`: the between-unit variance of the additive random-effects
///   model (DerSimonian & Laird 1986 with `I φ` as the heterogeneity
///   statistic).
///
/// The percentiles are R's default (Hyndman & Fan 1996 type 7, linear
/// interpolation), as used by the NHS-R FunnelPlotR package. Winsorising
/// shrinks φ: for z-scores that really are N(0, 1) it is about 0.68, not 1,
/// so φ ≤ 1 is read as no over-dispersion and the multiplicative limits are
/// then left alone.
///
/// Worked example (checked by the integration tests): z-scores −3, −1,
/// −0.5, 0, 0.5, 1, 1.5, 2, 2.5, 4, all with `s = 0.1`. The 10th percentile
/// is `−3 + 0.9 × 2 = −1.2`, the 90th `2.5 + 0.1 × 1.5 = 2.65`; the
/// Winsorised squares sum to `1.44 + 1 + 0.25 + 0 + 0.25 + 1 + 2.25 + 4 +
/// 6.25 + 7.0225 = 23.4625`, so `φ = 2.34625`. With `w = 100` for each unit,
/// `Σw − Σw²/Σw = 1000 − 100 = 900` and `τ² = (23.4625 − 9)/900 =
/// 0.016069…`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Dispersion {
    /// The over-dispersion factor φ (1 means none).
    pub phi: f64,
    /// The between-unit variance τ², on the unscaled indicator scale.
    pub tau2: f64,
    /// The number of units I.
    pub units: usize,
    /// The Winsorising bounds (10th and 90th percentiles of the z-scores).
    pub winsor_lower: f64,
    pub winsor_upper: f64,
}

impl Dispersion {
    /// Estimates φ and τ² from the units' z-scores (see [`Dispersion`]).
    ///
    /// Errors: fewer than two units, or a non-finite z-score or a standard
    /// error that is not positive and finite.
    pub fn estimate(scores: &[ZScore]) -> Result<Dispersion, MeasureError> {
        if scores.len() < 2 {
            return Err(MeasureError::Undefined {
                measure: "over-dispersion",
                reason: format!("needs at least 2 units, got {}", scores.len()),
            });
        }
        let mut sorted = Vec::with_capacity(scores.len());
        for s in scores {
            sorted.push(finite("z-score", s.z)?);
            positive_denominator("standard error", s.se)?;
        }
        sorted.sort_by(f64::total_cmp);
        let lower = type7_quantile(&sorted, 0.1);
        let upper = type7_quantile(&sorted, 0.9);
        let count = scores.len() as f64;
        let phi = scores
            .iter()
            .map(|s| s.z.clamp(lower, upper).powi(2))
            .sum::<f64>()
            / count;
        let weights: Vec<f64> = scores.iter().map(|s| 1.0 / (s.se * s.se)).collect();
        let sum_w: f64 = weights.iter().sum();
        let sum_w2: f64 = weights.iter().map(|w| w * w).sum();
        let excess = count * phi - (count - 1.0);
        let tau2 = if excess > 0.0 {
            excess / (sum_w - sum_w2 / sum_w)
        } else {
            0.0
        };
        Ok(Dispersion {
            phi,
            tau2,
            units: scores.len(),
            winsor_lower: lower,
            winsor_upper: upper,
        })
    }

    /// A unit's z-score allowing for over-dispersion (Spiegelhalter 2005):
    /// `z / √φ` (with φ taken as at least 1) or `(y − θ)/√(s² + τ²)`.
    /// Classify it with [`Significance::from_z`].
    pub fn adjusted_z(&self, score: ZScore, method: OverdispersionMethod) -> f64 {
        match method {
            OverdispersionMethod::Multiplicative => score.z / self.phi.max(1.0).sqrt(),
            OverdispersionMethod::RandomEffects => {
                score.z * score.se / (score.se * score.se + self.tau2).sqrt()
            }
        }
    }
}

/// Sample quantile of sorted data, R's default `quantile(type = 7)`.
fn type7_quantile(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

impl FunnelTable {
    /// The limits widened for over-dispersion (Spiegelhalter 2005).
    ///
    /// At a limit plotted at denominator `d`, the null standard error is
    /// `s(d)`: `√(θ(1 − θ)/d)` for a proportion, `√(θ/T)` with `T` the
    /// person-time for a rate, `√(1/E)` for a ratio. Spiegelhalter's limits
    /// are `θ ± z √φ s` (multiplicative, φ taken as at least 1) and
    /// `θ ± z √(s² + τ²)` (random effects). Proportion limits are exactly
    /// that. The exact Poisson limits of rates and ratios are not symmetric,
    /// so their distance from the baseline is multiplied by the same factor
    /// `√φ` or `√(1 + τ²/s²)`; this is Spiegelhalter's formula under the
    /// normal approximation and leaves PHE's limits unchanged when φ ≤ 1 or
    /// τ² = 0. Limits are kept within the indicator's range (0 to the
    /// multiplier for proportions, at least 0 for rates and ISRs, −1 for
    /// count ratios).
    pub fn widened(
        &self,
        dispersion: &Dispersion,
        method: OverdispersionMethod,
    ) -> Result<FunnelTable, MeasureError> {
        let phi = dispersion.phi.max(1.0);
        let tau2 = dispersion.tau2;
        let rows = match self.statistic {
            Statistic::Proportion { multiplier } => {
                let (tau2, scale) = match method {
                    OverdispersionMethod::Multiplicative => (0.0, phi.sqrt()),
                    OverdispersionMethod::RandomEffects => (tau2, 1.0),
                };
                self.rows
                    .iter()
                    .map(|row| proportion_row(self.average, row.x, multiplier, tau2, scale))
                    .collect::<Result<Vec<_>, _>>()?
            }
            Statistic::Ratio(ratio_type) => {
                let floor = match ratio_type {
                    RatioType::Count => -1.0,
                    RatioType::Isr => 0.0,
                };
                self.widen_poisson(floor, |expected| 1.0 / expected, phi, tau2, method)
            }
            Statistic::Rate { years_of_data, .. } => {
                let average = self.average;
                let variance = |per_year: f64| average / (per_year * years_of_data);
                self.widen_poisson(0.0, variance, phi, tau2, method)
            }
        };
        Ok(FunnelTable {
            statistic: self.statistic,
            average: self.average,
            baseline: self.baseline,
            rows,
        })
    }

    /// Poisson limits moved away from the baseline by `√φ` or `√(1 + τ²/s²)`,
    /// with `s² = variance(denominator)`, and kept at or above `floor`.
    fn widen_poisson(
        &self,
        floor: f64,
        variance: impl Fn(f64) -> f64,
        phi: f64,
        tau2: f64,
        method: OverdispersionMethod,
    ) -> Vec<FunnelRow> {
        let widen = |limit: FunnelLimit| {
            let factor = match method {
                OverdispersionMethod::Multiplicative => phi.sqrt(),
                OverdispersionMethod::RandomEffects => {
                    (1.0 + tau2 / variance(limit.denominator)).sqrt()
                }
            };
            if factor == 1.0 {
                // No over-dispersion: PHE's limit, not a rounded copy of it.
                return limit;
            }
            FunnelLimit {
                value: (self.baseline + (limit.value - self.baseline) * factor).max(floor),
                denominator: limit.denominator,
            }
        };
        self.rows
            .iter()
            .map(|row| FunnelRow {
                x: row.x,
                lower_2s: widen(row.lower_2s),
                upper_2s: widen(row.upper_2s),
                lower_3s: widen(row.lower_3s),
                upper_3s: widen(row.upper_3s),
            })
            .collect()
    }
}

/// The 95% and 99.8% limits of a proportion funnel at one denominator `n` around the target
/// proportion `average` (0-1), on the scale of `multiplier` (100 for percent): the limits a unit
/// with `n` patients is judged against (PHE `calculate_funnel_limits`, evaluated at `n`).
///
/// Errors: a target outside [0, 1], a non-positive `n` or multiplier.
pub fn proportion_limits_at(
    average: f64,
    n: f64,
    multiplier: f64,
) -> Result<FunnelRow, MeasureError> {
    let average = non_negative("target proportion", average)?;
    if average > 1.0 {
        return Err(MeasureError::Invalid(format!(
            "the target proportion {average} is above 1"
        )));
    }
    let n = positive_denominator("denominator", n)?;
    let multiplier = positive_denominator("multiplier", multiplier)?;
    proportion_row(average, n, multiplier, 0.0, 1.0)
}
