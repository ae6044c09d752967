//! Every summary measure of one inequality dimension in one call, as WHO's
//! HEAT / HEAT Plus computes them: HEAT's applicability table and validation
//! ("suppression") tests decide which measures get a value, the measures
//! themselves are this crate's healthequal-based functions, and the
//! measures HEAT gives simulated intervals get them here too. For an
//! ordered dimension PHE's SII and RII (`phe-linear`) are reported beside
//! HEAT's (`heat-logistic`).
//!
//! References: WHO HEAT-Measures (github.com/WHOequity/HEAT-Measures
//! @f4777e65, HEAT 6.0): `R/validation-tests.R` (the tests),
//! `R/which_inequality_measures.R` and `data/HEAT_summary_measures` (which
//! measure each test suppresses), `R/utils.R` (`HEAT_create_input_list`,
//! `get_weighted_mean`, `do_simulation`, `HEAT_measures_outlier2NA`) and
//! `R/calc-*.R`; WHO healthequal 1.0.1 (@3e7e0406) `R/*.R`; the HEAT and
//! HEAT Plus technical notes, version 6.0 (WHO 2024), section 3.
//!
//! How a dimension is processed, following HEAT:
//!
//! 1. every validation test is evaluated on all subgroups, including those
//!    without an estimate ([`failing_tests`]); a measure listing a test
//!    that is true is *suppressed*: its row has no value and its note
//!    names each such test, e.g. `suppressed: fewer than 85% of subgroups
//!    have an estimate (test_under85_pct)`. Applicability to the kind of
//!    dimension is part of these tests (`test_is_ordered`,
//!    `test_two_subgroups`, ...), so an inapplicable measure is a
//!    suppressed row too and every call returns the same 23 rows;
//! 2. the remaining measures are computed from the subgroups that have an
//!    estimate (`HEAT_create_input_list` drops the others); an error of one
//!    measure (a zero population under a rank-based measure, a ratio over a
//!    zero estimate, ...) empties that row only, with the reason in its note;
//! 3. a value outside the measure's valid range in HEAT's table (only RII
//!    has one: 0-700) is removed, as `HEAT_measures_outlier2NA`.
//!
//! Where this module differs from HEAT-Measures on purpose:
//!
//! * simulated intervals recompute the measure itself on each simulated
//!   data set (the weighted mean included), as healthequal does, where HEAT
//!   keeps the setting average fixed in BGSD, COV and IDISU and measures
//!   MDRU/MDRW from the best instead of the reference subgroup;
//! * the simulated `se` is the standard deviation of the simulated values
//!   (HEAT reports none), and the percentiles follow `confidence` (HEAT
//!   fixes 2.5 and 97.5);
//! * point values are those of healthequal 1.0.1 as the rest of `measures`
//!   (PAF/PAR take the best or most advantaged subgroup, not a user
//!   reference, and need more than two subgroups);
//! * HEAT never derives a standard error from confidence limits (its
//!   template's `lower_95ci`/`upper_95ci` are only shown); here a missing
//!   `se` is derived from 95% limits as `(upper - lower) / (2 · 1.959964)`,
//!   the symmetric-interval inversion PHEindicatormethods' `phe_sii` uses.

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Normal};

use super::applicability::{self, SuppressionTest};
use super::concentration::{self, RciCorrection};
use super::dispersion::{self, MeanDifferenceFrom};
use super::interval::{EstimateSe, MeasureError, check_confidence, finite, non_negative};
use super::paf;
use super::sii::{self, OrderedGroup, PheSii, PheSiiOptions, SiiMethod, SiiQuantile, ValueType};
use super::simple;
use super::subgroup::{Measure, Polarity, Subgroup};
use crate::rng::Rng;

/// The number of simulated data sets HEAT uses for its intervals
/// (`HEAT_create_input_list(simulation_n = 100)`; technical notes 3.4-3.5:
/// "the dataset is simulated 100 times"). More only reduce Monte Carlo
/// noise; PHE's `phe_sii` needs at least 1 000 and defaults to 100 000.
pub const HEAT_REPETITIONS: usize = 100;

/// PHEindicatormethods' `phe_sii(reps = 100000)`: with fewer draws the
/// simulated limits wander from PHE's (with 2 000, the lower limit differed
/// by up to 7 % of the interval's width on random inputs).
pub const PHE_REPETITIONS: usize = 100_000;

/// The largest `reps` accepted: each simulated measure keeps every
/// simulated value (8 bytes each) to take its percentiles, so this bounds
/// the memory of a call at well under 1 GB.
pub const MAX_REPETITIONS: usize = 10_000_000;

/// One subgroup of a dimension: a row of HEAT's data template.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SubgroupInput {
    /// The subgroup's estimate; `None` when it is missing (HEAT's NA).
    pub estimate: Option<f64>,
    /// Its standard error.
    pub se: Option<f64>,
    /// Lower and upper 95% confidence limits, used only to derive a missing
    /// `se`; give both or neither.
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    pub population: Option<f64>,
    /// Position in an ordered dimension, 1 = most disadvantaged (HEAT's
    /// `subgroup_order`). Every subgroup has one (ordered dimension, the
    /// integers 1..n) or none has (non-ordered).
    pub order: Option<u32>,
    /// The user's reference subgroup (HEAT's `reference_subgroup = 1`);
    /// honoured only when exactly one subgroup is the reference.
    pub reference: bool,
}

/// One inequality dimension and the options of the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DimensionInput {
    /// One entry per subgroup; HEAT counts subgroups by name, so each entry
    /// must be a different subgroup.
    pub groups: Vec<SubgroupInput>,
    /// HEAT's `favourable_indicator`.
    pub polarity: Polarity,
    /// HEAT's `indicator_scale` (100 for a percentage, 1 000 for a rate per
    /// 1 000). It enters PAF/PAR's standard error, the HEAT SII/RII and the
    /// simulation (draws are kept within 0-100 when it is 100, above 0
    /// otherwise). When `None` it is inferred from the estimates by
    /// healthequal's rule ([`sii::infer_scale`]) and the rows it affects say
    /// so.
    pub scale: Option<f64>,
    /// HEAT's `setting_average`: the indicator over the whole setting. HEAT
    /// uses the population-weighted mean of the estimates when every
    /// population is known, and this otherwise.
    pub setting_average: Option<f64>,
    /// Confidence level in (0, 1) for every interval.
    pub confidence: f64,
    /// Number of simulated data sets for HEAT's simulated intervals; from 1
    /// to [`MAX_REPETITIONS`]. See [`HEAT_REPETITIONS`].
    pub reps: usize,
    /// Number of draws for the `phe-linear` SII/RII's interval: at least
    /// 1 000, at most [`MAX_REPETITIONS`]; PHE's default is
    /// [`PHE_REPETITIONS`].
    pub phe_reps: usize,
    /// Seed of the simulations: the same seed gives the same numbers.
    pub seed: u64,
}

/// One measure of the dimension: an output row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SummaryRow {
    /// Lower-case measure code: d, r, sii, rii, aci, rci, paf, par, bgv,
    /// bgsd, cov, mdbu, mdbw, mdmu, mdmw, mdru, mdrw, idisu, idisw, ti, mld.
    pub measure: &'static str,
    /// `heat` (HEAT's measure as healthequal computes it, with its analytic
    /// interval if any), `heat-simulated` (the same, with HEAT's simulated
    /// interval), `heat-logistic` or `phe-linear` (SII and RII, see [`sii`]).
    pub method: &'static str,
    /// `None` when suppressed or not computable; `note` says why.
    pub value: Option<f64>,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    /// Standard error, on the scale the measure's function documents (log
    /// R and log RII; the 0-1 scale for the `heat-logistic` SII); for
    /// `heat-simulated` rows the standard deviation of the simulated values.
    pub se: Option<f64>,
    /// Why the value or the interval is absent, or a caveat; empty otherwise.
    pub note: String,
}

/// The measures whose intervals HEAT simulates (`simulation_se = 1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Simulated {
    Bgsd,
    Cov,
    Mdbu,
    Mdbw,
    Mdmu,
    Mdmw,
    Mdru,
    Mdrw,
    Idisu,
    Idisw,
}

/// One output row's measure and method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Code {
    D,
    R,
    Sii(SiiMethod),
    Rii(SiiMethod),
    Aci,
    Rci,
    Paf,
    Par,
    Bgv,
    Sim(Simulated),
    Ti,
    Mld,
}

/// The rows of every result, in this order.
const ROWS: [Code; 23] = [
    Code::D,
    Code::R,
    Code::Sii(SiiMethod::HeatLogistic),
    Code::Sii(SiiMethod::PheLinear),
    Code::Rii(SiiMethod::HeatLogistic),
    Code::Rii(SiiMethod::PheLinear),
    Code::Aci,
    Code::Rci,
    Code::Paf,
    Code::Par,
    Code::Bgv,
    Code::Sim(Simulated::Bgsd),
    Code::Sim(Simulated::Cov),
    Code::Sim(Simulated::Mdbu),
    Code::Sim(Simulated::Mdbw),
    Code::Sim(Simulated::Mdmu),
    Code::Sim(Simulated::Mdmw),
    Code::Sim(Simulated::Mdru),
    Code::Sim(Simulated::Mdrw),
    Code::Sim(Simulated::Idisu),
    Code::Sim(Simulated::Idisw),
    Code::Ti,
    Code::Mld,
];

impl Code {
    /// The lower-case code of the output and HEAT's abbreviation.
    fn names(self) -> (&'static str, &'static str) {
        match self {
            Code::D => ("d", "D"),
            Code::R => ("r", "R"),
            Code::Sii(_) => ("sii", "SII"),
            Code::Rii(_) => ("rii", "RII"),
            Code::Aci => ("aci", "ACI"),
            Code::Rci => ("rci", "RCI"),
            Code::Paf => ("paf", "PAF"),
            Code::Par => ("par", "PAR"),
            Code::Bgv => ("bgv", "BGV"),
            Code::Sim(Simulated::Bgsd) => ("bgsd", "BGSD"),
            Code::Sim(Simulated::Cov) => ("cov", "COV"),
            Code::Sim(Simulated::Mdbu) => ("mdbu", "MDBU"),
            Code::Sim(Simulated::Mdbw) => ("mdbw", "MDBW"),
            Code::Sim(Simulated::Mdmu) => ("mdmu", "MDMU"),
            Code::Sim(Simulated::Mdmw) => ("mdmw", "MDMW"),
            Code::Sim(Simulated::Mdru) => ("mdru", "MDRU"),
            Code::Sim(Simulated::Mdrw) => ("mdrw", "MDRW"),
            Code::Sim(Simulated::Idisu) => ("idisu", "IDISU"),
            Code::Sim(Simulated::Idisw) => ("idisw", "IDISW"),
            Code::Ti => ("ti", "TI"),
            Code::Mld => ("mld", "MLD"),
        }
    }

    fn method(self) -> &'static str {
        match self {
            Code::Sii(m) | Code::Rii(m) => m.name(),
            Code::Sim(_) => "heat-simulated",
            _ => "heat",
        }
    }

    /// Whether the row's value or interval depends on the indicator scale.
    fn uses_scale(self) -> bool {
        matches!(
            self,
            Code::Sii(SiiMethod::HeatLogistic)
                | Code::Rii(SiiMethod::HeatLogistic)
                | Code::Paf
                | Code::Par
                | Code::Sim(_)
        )
    }
}

/// The methods [`summarise`] computes `abbr` (HEAT's abbreviation, any case) by, in its row
/// order: `heat-logistic` and `phe-linear` for SII and RII, one method for the others; none for
/// an unknown abbreviation.
pub fn methods_of(abbr: &str) -> Vec<&'static str> {
    ROWS.iter()
        .filter(|c| c.names().1.eq_ignore_ascii_case(abbr))
        .map(|c| c.method())
        .collect()
}

/// Why the shape of a dimension alone (ordered or not, how many subgroups with data) keeps
/// [`summarise`] from giving `abbr` by `method` a value, in the words of its note; `None` when
/// the shape allows it. The rules: HEAT's structural validation tests (`test_two_subgroups`,
/// `test_less_than2_subgroups`, `test_not_ordered`, `test_is_ordered`) for the measures that list
/// them, healthequal 1.0.1's rule that PAF and PAR need more than two subgroups, and PHE's that
/// its SII and RII (`phe-linear`) need 5 to 100 quantiles (`phe_sii`). The shape is public
/// (every level is listed in every table), so what it rules out can be called "not computed"
/// even when a level's numbers are hidden.
pub fn not_for_shape(abbr: &str, method: &str, ordered: bool, subgroups: usize) -> Option<String> {
    let code = ROWS
        .iter()
        .find(|c| c.names().1.eq_ignore_ascii_case(abbr) && c.method() == method)?;
    let structural = |t: SuppressionTest| match t {
        SuppressionTest::TwoSubgroups => subgroups == 2,
        SuppressionTest::LessThan2Subgroups => subgroups < 2,
        SuppressionTest::NotOrdered => !ordered,
        SuppressionTest::IsOrdered => ordered,
        _ => false,
    };
    let failing: Vec<String> = applicability::measure(code.names().1)
        .map_or(&[][..], |m| m.suppressed_by)
        .iter()
        .filter(|t| structural(**t))
        .map(|t| format!("{} ({})", t.description(), t.heat_name()))
        .collect();
    if !failing.is_empty() {
        return Some(format!("suppressed: {}", failing.join("; ")));
    }
    let needs = match code {
        Code::Paf | Code::Par if subgroups <= 2 => Some(("PAF/PAR", "more than two subgroups")),
        Code::Sii(SiiMethod::PheLinear) | Code::Rii(SiiMethod::PheLinear)
            if !(5..=100).contains(&subgroups) =>
        {
            Some(("phe-linear SII", "between 5 and 100 quantiles"))
        }
        _ => None,
    };
    needs.map(|(measure, needed)| {
        format!(
            "not computed: {}",
            MeasureError::WrongGroupCount {
                measure,
                needed,
                found: subgroups
            }
        )
    })
}

/// HEAT's validation tests that are true for this dimension's data (HEAT's
/// "bad test result"), in the order of [`SuppressionTest::ALL`]. Each is
/// evaluated as HEAT-Measures' `R/validation-tests.R` does, on every
/// subgroup including those without an estimate; `se` is the given one or,
/// failing that, derived from the limits. Two readings where R has none:
/// an empty dimension has under 85% estimated (R computes 0/0), and
/// subgroups are counted by entry (`test_two_subgroups` counts distinct
/// names).
pub fn failing_tests(input: &DimensionInput) -> Vec<SuppressionTest> {
    let data = TestData::of(input);
    SuppressionTest::ALL
        .into_iter()
        .filter(|&t| data.fails(t))
        .collect()
}

/// The columns the validation tests read.
struct TestData {
    estimate: Vec<Option<f64>>,
    population: Vec<Option<f64>>,
    se: Vec<Option<f64>>,
    order: Vec<Option<u32>>,
    reference: Vec<bool>,
    setting_average: Option<f64>,
}

impl TestData {
    fn of(input: &DimensionInput) -> TestData {
        let g = &input.groups;
        TestData {
            estimate: g.iter().map(|s| s.estimate).collect(),
            population: g.iter().map(|s| s.population).collect(),
            se: g.iter().map(|s| standard_error(s).ok().flatten()).collect(),
            order: g.iter().map(|s| s.order).collect(),
            reference: g.iter().map(|s| s.reference).collect(),
            setting_average: input.setting_average,
        }
    }

    fn n(&self) -> usize {
        self.estimate.len()
    }

    fn missing_estimates(&self) -> usize {
        self.estimate.iter().filter(|e| e.is_none()).count()
    }

    /// `(1 - na / n) < 0.85`, in the same floating-point arithmetic as R.
    fn under85(&self) -> bool {
        let n = self.n();
        n == 0 || (1.0 - self.missing_estimates() as f64 / n as f64) < 0.85
    }

    /// Subgroups with an estimate but no population (`napop`).
    fn estimated_without_population(&self) -> usize {
        self.estimate
            .iter()
            .zip(&self.population)
            .filter(|(e, p)| e.is_some() && p.is_none())
            .count()
    }

    /// `all(ordered_dimension == 1)`.
    fn ordered(&self) -> bool {
        self.order.iter().all(Option::is_some)
    }

    /// `sum(population, na.rm = TRUE)`.
    fn population_total(&self) -> f64 {
        self.population.iter().flatten().sum()
    }

    /// The index of the single reference subgroup (`reference_group_exists`).
    fn reference(&self) -> Option<usize> {
        let mut refs = (0..self.n()).filter(|&i| self.reference[i]);
        match (refs.next(), refs.next()) {
            (Some(i), None) => Some(i),
            _ => None,
        }
    }

    fn setting_average_missing_or_zero(&self) -> bool {
        self.setting_average.is_none_or(|a| a == 0.0)
    }

    fn fails(&self, test: SuppressionTest) -> bool {
        let n = self.n();
        match test {
            SuppressionTest::MissingEstimates => self.missing_estimates() > 0,
            SuppressionTest::Under85Pct => self.under85(),
            SuppressionTest::Under85PctMissingPop => {
                self.under85() || self.estimated_without_population() > 0
            }
            SuppressionTest::Under85PctMissingPopNatlAvg => {
                self.under85()
                    || (self.estimated_without_population() > 0 && self.setting_average.is_none())
            }
            SuppressionTest::EstimatesAllZero => self.estimate.iter().flatten().all(|&e| e == 0.0),
            SuppressionTest::TwoSubgroups => n == 2,
            SuppressionTest::LessThan2Subgroups => n < 2,
            SuppressionTest::NotOrdered => !self.ordered(),
            SuppressionTest::IsOrdered => self.ordered(),
            SuppressionTest::TwoSubgroupsAndMissing => n == 2 && self.missing_estimates() > 0,
            SuppressionTest::MissingPopulation => {
                self.population.iter().any(Option::is_none) || self.population_total() == 0.0
            }
            SuppressionTest::MissingNatlAvg => {
                // The later (git990) definition in validation-tests.R:
                // `sum(estimate * popsh, na.rm = TRUE)` is never NA, so the
                // test is "that sum is 0 and the setting average is NA or 0".
                let total = self.population_total();
                let mean = if total == 0.0 {
                    0.0 // every share is NaN or NA and removed
                } else {
                    self.estimate
                        .iter()
                        .zip(&self.population)
                        .filter_map(|(e, p)| Some(e.as_ref()? * p.as_ref()? / total))
                        .sum()
                };
                mean == 0.0 && self.setting_average_missing_or_zero()
            }
            SuppressionTest::NatlAllZero => self.setting_average_missing_or_zero(),
            // R first returns FALSE when every SE is NA, which the `any`
            // over the known ones gives anyway.
            SuppressionTest::HasZeroSe => self.se.contains(&Some(0.0)),
            SuppressionTest::SeAllMissing => self.se.iter().all(Option::is_none),
            SuppressionTest::DRFail => {
                let missing = self.missing_estimates() > 0;
                let ends_missing = || {
                    let by_order = |pick: fn(u32, u32) -> bool| {
                        let mut best: Option<(u32, usize)> = None;
                        for (i, o) in self.order.iter().enumerate() {
                            if let Some(o) = *o
                                && best.is_none_or(|(b, _)| pick(o, b))
                            {
                                best = Some((o, i));
                            }
                        }
                        best.is_some_and(|(_, i)| self.estimate[i].is_none())
                    };
                    by_order(|a, b| a < b) || by_order(|a, b| a > b)
                };
                (n == 2 && missing) || (self.ordered() && n > 2 && ends_missing())
            }
            SuppressionTest::ParPafFail => {
                // `get_weighted_mean`: with every share known, R's
                // `weighted.mean(estimate, popsh)`, which is NA when an
                // estimate with a non-zero weight is NA; otherwise the
                // setting average.
                let shares_known =
                    self.population.iter().all(Option::is_some) && self.population_total() != 0.0;
                let mean_missing = if shares_known {
                    self.estimate
                        .iter()
                        .zip(&self.population)
                        .any(|(e, p)| e.is_none() && *p != Some(0.0))
                } else {
                    self.setting_average.is_none()
                };
                mean_missing || self.reference().is_some_and(|i| self.estimate[i].is_none())
            }
            SuppressionTest::Norefgroup => {
                self.reference().is_none_or(|i| self.estimate[i].is_none())
            }
        }
    }
}

/// The given standard error, or one derived from 95% limits when both are
/// given (see the module documentation); errors for a negative or
/// non-finite one, or a lone limit.
fn standard_error(g: &SubgroupInput) -> Result<Option<f64>, MeasureError> {
    match (g.se, g.lower, g.upper) {
        (Some(se), _, _) => non_negative("standard error", se).map(Some),
        (None, Some(lower), Some(upper)) => {
            let se = sii::se_from_limits(ValueType::Other, lower, upper)?;
            if se < 0.0 {
                return Err(MeasureError::Invalid(format!(
                    "upper confidence limit {upper} is below the lower one {lower}"
                )));
            }
            Ok(Some(se))
        }
        (None, None, None) => Ok(None),
        (None, _, _) => Err(MeasureError::Invalid(
            "a confidence limit is given without the other one".into(),
        )),
    }
}

/// The subgroups with an estimate, ready for the measure functions.
struct Prepared {
    /// Populations of 1: for measures that do not use them (D, R, MDBU,
    /// MDRU, and MDMU/IDISU around a setting average), whose functions still
    /// validate populations.
    plain: Vec<Subgroup>,
    /// The real populations, or why there are none usable: a missing one,
    /// or all zero (HEAT's population shares are then NA or NaN).
    weighted: Result<Vec<Subgroup>, MeasureError>,
    /// Every subgroup's standard error, if all are known (HEAT's `usefulSE`).
    se: Option<Vec<f64>>,
    scale: f64,
    scale_inferred: bool,
}

/// Validates the input and keeps the subgroups with an estimate, as
/// `HEAT_create_input_list`. An ordered dimension's orders are renumbered
/// 1..m over these, keeping their ranking, so the most (dis)advantaged
/// remaining subgroups stay at the ends. The reference is kept only when
/// exactly one remaining subgroup has it (`reference_group_exists`).
fn prepare(input: &DimensionInput) -> Result<Prepared, MeasureError> {
    check_confidence(input.confidence)?;
    if !(1..=MAX_REPETITIONS).contains(&input.reps) {
        return Err(MeasureError::Invalid(format!(
            "the number of simulated data sets must be from 1 to {MAX_REPETITIONS}, got {}",
            input.reps
        )));
    }
    if input.phe_reps > MAX_REPETITIONS {
        return Err(MeasureError::Invalid(format!(
            "the number of the phe-linear SII's draws must be at most {MAX_REPETITIONS}, got {}",
            input.phe_reps
        )));
    }
    if let Some(a) = input.setting_average {
        finite("setting average", a)?;
    }
    if let Some(s) = input.scale
        && !(s.is_finite() && s > 0.0)
    {
        return Err(MeasureError::Invalid(format!(
            "the indicator scale must be a positive number, got {s}"
        )));
    }
    let ordered = check_orders(&input.groups)?;
    let mut kept = Vec::new();
    for g in &input.groups {
        let se = standard_error(g)?;
        if let Some(p) = g.population {
            non_negative("population", p)?;
        }
        if let Some(e) = g.estimate {
            kept.push((finite("estimate", e)?, se, g));
        }
    }
    let mut orders: Vec<u32> = kept.iter().filter_map(|(_, _, g)| g.order).collect();
    orders.sort_unstable();
    let rank = |o: Option<u32>| {
        o.and_then(|o| orders.binary_search(&o).ok())
            .and_then(|i| u32::try_from(i + 1).ok())
    };
    let one_reference = kept.iter().filter(|(_, _, g)| g.reference).count() == 1;
    let plain: Vec<Subgroup> = kept
        .iter()
        .map(|&(estimate, se, g)| Subgroup {
            estimate,
            se,
            population: 1.0,
            order: if ordered { rank(g.order) } else { None },
            reference: one_reference && g.reference,
        })
        .collect();
    let weighted = kept
        .iter()
        .zip(&plain)
        .map(|((_, _, g), s)| {
            g.population
                .map(|population| Subgroup { population, ..*s })
                .ok_or_else(|| {
                    MeasureError::Invalid("a subgroup with an estimate has no population".into())
                })
        })
        .collect::<Result<Vec<Subgroup>, MeasureError>>()
        .and_then(|w| {
            if w.iter().map(|s| s.population).sum::<f64>() == 0.0 {
                Err(MeasureError::ZeroDenominator {
                    what: "population of all subgroups",
                })
            } else {
                Ok(w)
            }
        });
    let estimates: Vec<f64> = plain.iter().map(|s| s.estimate).collect();
    Ok(Prepared {
        se: plain.iter().map(|s| s.se).collect(),
        weighted,
        plain,
        scale: input.scale.unwrap_or_else(|| sii::infer_scale(&estimates)),
        scale_inferred: input.scale.is_none(),
    })
}

/// True for an ordered dimension; errors unless every subgroup or none has
/// an order, and an ordered one's orders are 1, 2, ..., n.
fn check_orders(groups: &[SubgroupInput]) -> Result<bool, MeasureError> {
    let mut orders: Vec<u32> = groups.iter().filter_map(|g| g.order).collect();
    if orders.is_empty() {
        return Ok(false);
    }
    if orders.len() != groups.len() {
        return Err(MeasureError::Invalid(
            "either every subgroup or none has an order".into(),
        ));
    }
    orders.sort_unstable();
    if orders.iter().zip(1u32..).any(|(&o, i)| o != i) {
        return Err(MeasureError::Invalid(
            "subgroup order must be the integers 1, 2, ..., n".into(),
        ));
    }
    Ok(true)
}

/// Computes every measure of one dimension: one [`SummaryRow`] per measure
/// and method, always the same 23 rows in the same order (see the module
/// documentation for the steps). A measure that a validation test
/// suppresses, or that cannot be computed on these data, has an empty value
/// and a note; only invalid input fails the whole call: a confidence level
/// outside (0, 1), `reps` outside 1..=[`MAX_REPETITIONS`], a non-finite
/// estimate or setting average, a negative or non-finite population or
/// standard error, a lone or reversed confidence limit, a non-positive
/// scale, or orders that are mixed or not 1..n.
pub fn summarise(input: &DimensionInput) -> Result<Vec<SummaryRow>, MeasureError> {
    let prepared = prepare(input)?;
    let failing = failing_tests(input);
    let mut phe: Option<Result<PheSii, MeasureError>> = None;
    let mut rows = Vec::with_capacity(ROWS.len());
    let mut to_simulate = Vec::new();
    for code in ROWS {
        let (measure, abbr) = code.names();
        let info = applicability::measure(abbr);
        let mut row = SummaryRow {
            measure,
            method: code.method(),
            value: None,
            lower: None,
            upper: None,
            se: None,
            note: String::new(),
        };
        let suppressed: Vec<String> = info
            .map_or(&[][..], |m| m.suppressed_by)
            .iter()
            .filter(|t| failing.contains(t))
            .map(|t| format!("{} ({})", t.description(), t.heat_name()))
            .collect();
        if !suppressed.is_empty() {
            row.note = format!("suppressed: {}", suppressed.join("; "));
            rows.push(row);
            continue;
        }
        match compute(code, &prepared, input, &mut phe) {
            Err(e) => row.note = format!("not computed: {e}"),
            Ok(m) => {
                let (lo, hi) = info.map_or((f64::NEG_INFINITY, f64::INFINITY), |i| i.valid_range);
                if !m.value.is_finite() {
                    row.note = format!("not computed: the value is {}", m.value);
                } else if m.value < lo || m.value > hi {
                    row.note = format!(
                        "suppressed: value {} outside HEAT's valid range {lo} to {hi} (HEAT_measures_outlier2NA)",
                        m.value
                    );
                } else {
                    row.value = Some(m.value);
                    row.se = m.se;
                    row.lower = m.lower;
                    row.upper = m.upper;
                    if let Code::Sim(s) = code {
                        to_simulate.push((rows.len(), s));
                    }
                    if code.uses_scale() && prepared.scale_inferred {
                        row.note = format!(
                            "indicator scale not given: {} inferred from the estimates (healthequal's rule)",
                            prepared.scale
                        );
                    }
                }
            }
        }
        rows.push(row);
    }
    simulate_intervals(&prepared, input, &to_simulate, &mut rows);
    Ok(rows)
}

/// PAF and PAR of the dimension before HEAT's truncation at 0 ([`paf::Untruncated`]), on the
/// subgroups [`summarise`] computes them from: what `measures::delta` differentiates.
pub fn attributable_untruncated(input: &DimensionInput) -> Result<paf::Untruncated, MeasureError> {
    let prepared = prepare(input)?;
    let groups = prepared.weighted.as_deref().map_err(Clone::clone)?;
    paf::untruncated(groups, input.polarity, prepared.scale)
}

/// One measure's value and analytic interval (simulated ones come later).
fn compute(
    code: Code,
    p: &Prepared,
    input: &DimensionInput,
    phe: &mut Option<Result<PheSii, MeasureError>>,
) -> Result<Measure, MeasureError> {
    let c = input.confidence;
    let pol = input.polarity;
    let weighted = || p.weighted.as_deref().map_err(Clone::clone);
    Ok(match code {
        Code::D => simple::difference(&p.plain, pol, c)?,
        Code::R => simple::ratio(&p.plain, pol, c)?,
        Code::Sii(SiiMethod::HeatLogistic) => with_se(heat_sii(weighted()?, p.scale, c)?.sii),
        Code::Rii(SiiMethod::HeatLogistic) => with_se(heat_sii(weighted()?, p.scale, c)?.rii),
        Code::Sii(SiiMethod::PheLinear) | Code::Rii(SiiMethod::PheLinear) => {
            let res = phe
                .get_or_insert_with(|| phe_sii(weighted()?, input))
                .as_ref()
                .map_err(Clone::clone)?;
            let limits = res.limits.first();
            let (value, lower, upper) = if matches!(code, Code::Sii(_)) {
                (
                    res.sii,
                    limits.map(|l| l.sii_lower),
                    limits.map(|l| l.sii_upper),
                )
            } else {
                (
                    res.rii,
                    limits.map(|l| l.rii_lower),
                    limits.map(|l| l.rii_upper),
                )
            };
            Measure {
                value,
                se: None,
                lower,
                upper,
            }
        }
        Code::Aci => concentration::aci(weighted()?, c)?,
        Code::Rci => concentration::rci(weighted()?, RciCorrection::None, None, c)?,
        Code::Paf => paf::paf(weighted()?, pol, p.scale, c)?,
        Code::Par => paf::par(weighted()?, pol, p.scale, c)?,
        Code::Bgv => dispersion::bgv(weighted()?, c)?,
        Code::Ti => dispersion::theil(weighted()?, c)?,
        Code::Mld => dispersion::mean_log_deviation(weighted()?, c)?,
        Code::Sim(s) => Measure {
            value: simulated_value(s, &p.plain, &p.weighted, input)?,
            se: None,
            lower: None,
            upper: None,
        },
    })
}

fn with_se(e: EstimateSe) -> Measure {
    Measure {
        value: e.value,
        se: Some(e.se),
        lower: Some(e.lower),
        upper: Some(e.upper),
    }
}

fn heat_sii(groups: &[Subgroup], scale: f64, c: f64) -> Result<sii::HeatSii, MeasureError> {
    let ordered = ordered_groups(groups)?;
    sii::heat_sii_on_scale(&ordered, scale, c)
}

fn ordered_groups(groups: &[Subgroup]) -> Result<Vec<OrderedGroup>, MeasureError> {
    groups
        .iter()
        .map(|g| {
            Ok(OrderedGroup {
                order: g.order.ok_or_else(|| {
                    MeasureError::Invalid("the SII needs an ordered dimension".into())
                })?,
                population: g.population,
                estimate: g.estimate,
            })
        })
        .collect()
}

/// PHE's SII/RII of the subgroups in rank order, simulated on the
/// indicator's own scale (`value_type = 0`: HEAT's indicators may be
/// percentages, rates or means, and HEAT's own simulations are normal on
/// that scale), untransformed, multiplier 1, with the run's `reps`, level
/// and seed.
fn phe_sii(groups: &[Subgroup], input: &DimensionInput) -> Result<PheSii, MeasureError> {
    let mut sorted = groups.to_vec();
    sorted.sort_by_key(|g| g.order);
    let quantiles = sorted
        .iter()
        .map(|g| {
            let se = g.se.ok_or_else(|| {
                MeasureError::Invalid(
                    "the phe-linear SII needs every subgroup's standard error (its interval is simulated from them)".into(),
                )
            })?;
            Ok(SiiQuantile {
                population: g.population,
                value: g.estimate,
                se,
            })
        })
        .collect::<Result<Vec<SiiQuantile>, MeasureError>>()?;
    let options = PheSiiOptions {
        repetitions: input.phe_reps,
        confidence: vec![input.confidence],
        ..PheSiiOptions::new(ValueType::Other, input.seed)
    };
    sii::phe_sii(&quantiles, &options)
}

/// A simulated measure of the subgroups as they are (`plain` with
/// populations of 1, `weighted` with the real ones): the point value, and
/// the same function of each simulated data set. MDMU and IDISU measure
/// from HEAT's `est_natl`: the weighted mean when populations are usable,
/// otherwise the setting average (HEAT `get_weighted_mean`; the setting
/// average stays fixed across simulations, as healthequal `mdmu()` and
/// `idisu()`).
fn simulated_value(
    s: Simulated,
    plain: &[Subgroup],
    weighted: &Result<Vec<Subgroup>, MeasureError>,
    input: &DimensionInput,
) -> Result<f64, MeasureError> {
    let w = || weighted.as_deref().map_err(Clone::clone);
    let best = MeanDifferenceFrom::Best(input.polarity);
    let m = match s {
        Simulated::Bgsd => dispersion::bgsd(w()?)?,
        Simulated::Cov => dispersion::cov(w()?)?,
        Simulated::Mdbu => dispersion::mean_difference(plain, best, false)?,
        Simulated::Mdbw => dispersion::mean_difference(w()?, best, true)?,
        Simulated::Mdmu | Simulated::Idisu => {
            let relative = s == Simulated::Idisu;
            match (w(), input.setting_average) {
                (Ok(g), _) if relative => dispersion::index_of_disparity(g, false)?,
                (Ok(g), _) => dispersion::mean_difference(g, MeanDifferenceFrom::Mean, false)?,
                (Err(_), Some(average)) => return around(plain, average, relative),
                (Err(e), None) => return Err(e),
            }
        }
        Simulated::Mdmw => dispersion::mean_difference(w()?, MeanDifferenceFrom::Mean, true)?,
        Simulated::Mdru => {
            dispersion::mean_difference(plain, MeanDifferenceFrom::Reference, false)?
        }
        Simulated::Mdrw => dispersion::mean_difference(w()?, MeanDifferenceFrom::Reference, true)?,
        Simulated::Idisw => dispersion::index_of_disparity(w()?, true)?,
    };
    Ok(m.value)
}

/// MDMU `Σ|y_j - a| / n`, or IDISU `100 · MDMU / a`, around a setting
/// average `a` (HEAT `calc_idisu`, healthequal `mdmu()`/`idisu()`).
fn around(groups: &[Subgroup], average: f64, relative: bool) -> Result<f64, MeasureError> {
    if groups.is_empty() {
        return Err(MeasureError::WrongGroupCount {
            measure: "MDMU/IDISU",
            needed: "at least one subgroup with an estimate",
            found: 0,
        });
    }
    let md = groups
        .iter()
        .map(|g| (g.estimate - average).abs())
        .sum::<f64>()
        / groups.len() as f64;
    if !relative {
        Ok(md)
    } else if average == 0.0 {
        Err(MeasureError::ZeroDenominator {
            what: "setting average",
        })
    } else {
        Ok(100.0 * md / average)
    }
}

/// The smallest probability of a draw landing in HEAT's range that the
/// simulation accepts: HEAT redraws until it does (`do_simulation`'s
/// `repeat`), which for an estimate far outside the range would take
/// forever; at this bound a draw takes 1 000 tries on average.
const MIN_ACCEPTANCE: f64 = 1e-3;

/// Fills in the simulated intervals of the rows at `targets`, as HEAT's
/// `do_simulation` and healthequal: each of `reps` data sets draws every
/// subgroup's estimate from a normal distribution with its estimate and
/// standard error, redrawn until it lies in [0, 100] for an indicator on
/// scale 100 and in [0, ∞) otherwise (a truncated normal), and every
/// measure is recomputed on it. The interval is the `(1 - c)/2` and
/// `(1 + c)/2` quantiles of the simulated values (R's default type 7
/// quantile; HEAT: 2.5th and 97.5th), `se` their standard deviation. Data
/// sets on which a measure is undefined are left out, as R's `na.rm`. All
/// measures share the same data sets, drawn from stream 1 of
/// [`Rng::new`]`(seed, 1)`; the order of the draws is fixed, so the same
/// seed gives the same numbers.
fn simulate_intervals(
    p: &Prepared,
    input: &DimensionInput,
    targets: &[(usize, Simulated)],
    rows: &mut [SummaryRow],
) {
    if targets.is_empty() {
        return;
    }
    let upper = if p.scale == 100.0 {
        100.0
    } else {
        f64::INFINITY
    };
    let no_interval = match &p.se {
        None => Some(
            "no interval: a subgroup has no standard error (HEAT simulates only when every subgroup has one)"
                .to_string(),
        ),
        Some(se) => p
            .plain
            .iter()
            .zip(se)
            .find(|(g, s)| acceptance(g.estimate, **s, upper) < MIN_ACCEPTANCE)
            .map(|(g, s)| {
                format!(
                    "no interval: estimate {} with standard error {s} lies too far outside 0 to {upper}, the range HEAT's simulation draws in",
                    g.estimate
                )
            }),
    };
    let (Some(se), None) = (&p.se, &no_interval) else {
        for &(i, _) in targets {
            add_note(&mut rows[i], no_interval.as_deref().unwrap_or_default());
        }
        return;
    };
    let mut rng = Rng::new(input.seed, 1);
    let mut plain = p.plain.clone();
    let mut weighted = p.weighted.clone();
    let mut values = vec![Vec::with_capacity(input.reps); targets.len()];
    for _ in 0..input.reps {
        for (i, s) in se.iter().enumerate() {
            let x = truncated_normal(&mut rng, p.plain[i].estimate, *s, upper);
            plain[i].estimate = x;
            if let Ok(w) = &mut weighted {
                w[i].estimate = x;
            }
        }
        for (v, &(_, s)) in values.iter_mut().zip(targets) {
            if let Ok(x) = simulated_value(s, &plain, &weighted, input)
                && x.is_finite()
            {
                v.push(x);
            }
        }
    }
    for (v, &(i, _)) in values.iter_mut().zip(targets) {
        let row = &mut rows[i];
        v.sort_by(f64::total_cmp);
        let c = input.confidence;
        match (quantile(v, (1.0 - c) / 2.0), quantile(v, (1.0 + c) / 2.0)) {
            (Some(lo), Some(hi)) => {
                row.lower = Some(lo);
                row.upper = Some(hi);
                row.se = standard_deviation(v);
            }
            _ => add_note(
                row,
                "no interval: the measure is undefined on every simulated data set",
            ),
        }
        if !v.is_empty() && v.len() < input.reps {
            add_note(
                row,
                &format!(
                    "{} of {} simulated data sets left out: the measure is undefined on them",
                    input.reps - v.len(),
                    input.reps
                ),
            );
        }
    }
}

fn add_note(row: &mut SummaryRow, note: &str) {
    if !row.note.is_empty() {
        row.note.push_str("; ");
    }
    row.note.push_str(note);
}

/// P(0 <= X <= upper) for X ~ N(mean, sd²).
fn acceptance(mean: f64, sd: f64, upper: f64) -> f64 {
    if sd == 0.0 {
        return if (0.0..=upper).contains(&mean) {
            1.0
        } else {
            0.0
        };
    }
    let phi = |x: f64| Normal::standard().cdf(x);
    let top = if upper.is_finite() {
        phi((upper - mean) / sd)
    } else {
        1.0
    };
    top - phi(-mean / sd)
}

/// A draw of N(mean, sd²) redrawn until it lies in [0, upper], as HEAT's
/// `repeat { rnorm(...) }`; callers ensure that the probability of landing
/// there is at least [`MIN_ACCEPTANCE`].
fn truncated_normal(rng: &mut Rng, mean: f64, sd: f64, upper: f64) -> f64 {
    loop {
        let x = mean + sd * rng.normal();
        if (0.0..=upper).contains(&x) {
            return x;
        }
    }
}

/// R's `quantile(x, prob)` of type 7 (the default) on sorted values.
fn quantile(sorted: &[f64], prob: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let h = last as f64 * prob;
    let below = h.floor();
    let i = below as usize;
    let lo = *sorted.get(i)?;
    Some(match sorted.get(i + 1) {
        Some(&hi) => lo + (h - below) * (hi - lo),
        None => lo,
    })
}

/// Sample standard deviation (denominator n - 1); `None` below two values.
fn standard_deviation(values: &[f64]) -> Option<f64> {
    let n = values.len();
    if n < 2 {
        return None;
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    let ss: f64 = values.iter().map(|v| (v - mean).powi(2)).sum();
    Some((ss / (n - 1) as f64).sqrt())
}
