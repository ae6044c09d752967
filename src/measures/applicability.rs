//! HEAT's table of which summary measure applies to which kind of
//! dimension, and which validation tests suppress it (WHO HEAT-Measures
//! `HEAT_summary_measures`, commit f4777e65), kept as data in code so that
//! a run can decide per dimension which measures to compute and report why
//! others are absent.

use serde::{Deserialize, Serialize};

/// A HEAT validation test; when it is true for a dimension's data the
/// measure is suppressed (HEAT-Measures `R/validation-tests.R`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SuppressionTest {
    /// Some subgroup has no estimate. (`test_missing_estimates`)
    MissingEstimates,
    /// Fewer than 85% of subgroups have an estimate. (`test_under85_pct`)
    Under85Pct,
    /// Fewer than 85% have an estimate, or an estimated subgroup lacks its population. (`test_under85_pct_missing_pop`)
    Under85PctMissingPop,
    /// Fewer than 85% have an estimate, or populations are missing and there is no setting average. (`test_under85_pct_missing_pop_natl_avg`)
    Under85PctMissingPopNatlAvg,
    /// All estimates are zero. (`test_estimates_all_zero`)
    EstimatesAllZero,
    /// The dimension has exactly two subgroups. (`test_two_subgroups`)
    TwoSubgroups,
    /// The dimension has fewer than two subgroups. (`test_less_than2_subgroups`)
    LessThan2Subgroups,
    /// The dimension is not ordered. (`test_not_ordered`)
    NotOrdered,
    /// The dimension is ordered. (`test_is_ordered`)
    IsOrdered,
    /// Two subgroups and a missing estimate. (`test_two_subgroups_and_missing`)
    TwoSubgroupsAndMissing,
    /// A population is missing, or all are zero. (`test_missing_population`)
    MissingPopulation,
    /// Neither a weighted mean nor a setting average is available (or both are zero). (`test_missing_natl_avg`)
    MissingNatlAvg,
    /// The setting average is zero or missing. (`test_natl_all_zero`)
    NatlAllZero,
    /// Some standard error is zero. (`test_has_zero_se`)
    HasZeroSe,
    /// All standard errors are missing. (`test_se_all_missing`)
    SeAllMissing,
    /// The two subgroups D and R need lack an estimate. (`test_d_r_fail`)
    DRFail,
    /// No weighted mean, or the reference subgroup lacks an estimate. (`test_par_paf_fail`)
    ParPafFail,
    /// There is not exactly one reference subgroup with an estimate. (`test_norefgroup`)
    Norefgroup,
}

impl SuppressionTest {
    /// Every test, in the column order of HEAT's `HEAT_summary_measures`.
    pub const ALL: [SuppressionTest; 18] = [
        SuppressionTest::MissingEstimates,
        SuppressionTest::Under85Pct,
        SuppressionTest::Under85PctMissingPop,
        SuppressionTest::Under85PctMissingPopNatlAvg,
        SuppressionTest::EstimatesAllZero,
        SuppressionTest::TwoSubgroups,
        SuppressionTest::LessThan2Subgroups,
        SuppressionTest::NotOrdered,
        SuppressionTest::IsOrdered,
        SuppressionTest::TwoSubgroupsAndMissing,
        SuppressionTest::MissingPopulation,
        SuppressionTest::MissingNatlAvg,
        SuppressionTest::NatlAllZero,
        SuppressionTest::HasZeroSe,
        SuppressionTest::SeAllMissing,
        SuppressionTest::DRFail,
        SuppressionTest::ParPafFail,
        SuppressionTest::Norefgroup,
    ];

    /// The name of HEAT-Measures' R function (and of the table's column),
    /// so that a note can point at the exact rule.
    pub fn heat_name(self) -> &'static str {
        match self {
            SuppressionTest::MissingEstimates => "test_missing_estimates",
            SuppressionTest::Under85Pct => "test_under85_pct",
            SuppressionTest::Under85PctMissingPop => "test_under85_pct_missing_pop",
            SuppressionTest::Under85PctMissingPopNatlAvg => "test_under85_pct_missing_pop_natl_avg",
            SuppressionTest::EstimatesAllZero => "test_estimates_all_zero",
            SuppressionTest::TwoSubgroups => "test_two_subgroups",
            SuppressionTest::LessThan2Subgroups => "test_less_than2_subgroups",
            SuppressionTest::NotOrdered => "test_not_ordered",
            SuppressionTest::IsOrdered => "test_is_ordered",
            SuppressionTest::TwoSubgroupsAndMissing => "test_two_subgroups_and_missing",
            SuppressionTest::MissingPopulation => "test_missing_population",
            SuppressionTest::MissingNatlAvg => "test_missing_natl_avg",
            SuppressionTest::NatlAllZero => "test_natl_all_zero",
            SuppressionTest::HasZeroSe => "test_has_zero_se",
            SuppressionTest::SeAllMissing => "test_se_all_missing",
            SuppressionTest::DRFail => "test_d_r_fail",
            SuppressionTest::ParPafFail => "test_par_paf_fail",
            SuppressionTest::Norefgroup => "test_norefgroup",
        }
    }

    /// [`Self::description`] in Danish, for the tidy table of a Danish run.
    pub fn description_da(self) -> &'static str {
        match self {
            SuppressionTest::MissingEstimates => "en gruppe mangler et estimat",
            SuppressionTest::Under85Pct => "færre end 85 % af grupperne har et estimat",
            SuppressionTest::Under85PctMissingPop => {
                "færre end 85 % af grupperne har et estimat, eller en gruppe med et estimat mangler sin befolkning"
            }
            SuppressionTest::Under85PctMissingPopNatlAvg => {
                "færre end 85 % af grupperne har et estimat, eller en gruppe med et estimat mangler sin befolkning, og der er intet gennemsnit for hele området"
            }
            SuppressionTest::EstimatesAllZero => "alle estimater er nul",
            SuppressionTest::TwoSubgroups => "opdelingen har præcis to grupper",
            SuppressionTest::LessThan2Subgroups => "opdelingen har færre end to grupper",
            SuppressionTest::NotOrdered => "opdelingen har ingen rækkefølge",
            SuppressionTest::IsOrdered => "opdelingen har en rækkefølge",
            SuppressionTest::TwoSubgroupsAndMissing => {
                "opdelingen har to grupper, og et estimat mangler"
            }
            SuppressionTest::MissingPopulation => "en befolkning mangler, eller alle er nul",
            SuppressionTest::MissingNatlAvg => {
                "hverken et befolkningsvægtet gennemsnit eller et gennemsnit for hele området foreligger (eller begge er nul)"
            }
            SuppressionTest::NatlAllZero => "gennemsnittet for hele området mangler eller er nul",
            SuppressionTest::HasZeroSe => "en standardfejl er nul",
            SuppressionTest::SeAllMissing => "alle standardfejl mangler",
            SuppressionTest::DRFail => "en gruppe, som D og R sammenligner, mangler et estimat",
            SuppressionTest::ParPafFail => {
                "gennemsnittet for hele området kan ikke dannes, eller referencegruppen mangler et estimat"
            }
            SuppressionTest::Norefgroup => "der er ikke præcis én referencegruppe med et estimat",
        }
    }

    /// What the test found in the data, in words for a user.
    pub fn description(self) -> &'static str {
        match self {
            SuppressionTest::MissingEstimates => "some subgroup has no estimate",
            SuppressionTest::Under85Pct => "fewer than 85% of subgroups have an estimate",
            SuppressionTest::Under85PctMissingPop => {
                "fewer than 85% of subgroups have an estimate, or a subgroup with an estimate lacks its population"
            }
            SuppressionTest::Under85PctMissingPopNatlAvg => {
                "fewer than 85% of subgroups have an estimate, or a subgroup with an estimate lacks its population and there is no setting average"
            }
            SuppressionTest::EstimatesAllZero => "all estimates are zero",
            SuppressionTest::TwoSubgroups => "the dimension has exactly two subgroups",
            SuppressionTest::LessThan2Subgroups => "the dimension has fewer than two subgroups",
            SuppressionTest::NotOrdered => "the dimension is not ordered",
            SuppressionTest::IsOrdered => "the dimension is ordered",
            SuppressionTest::TwoSubgroupsAndMissing => {
                "the dimension has two subgroups and an estimate is missing"
            }
            SuppressionTest::MissingPopulation => "a population is missing, or all are zero",
            SuppressionTest::MissingNatlAvg => {
                "neither a population-weighted mean nor a setting average is available (or both are zero)"
            }
            SuppressionTest::NatlAllZero => "the setting average is missing or zero",
            SuppressionTest::HasZeroSe => "some standard error is zero",
            SuppressionTest::SeAllMissing => "all standard errors are missing",
            SuppressionTest::DRFail => "a subgroup that D and R compare has no estimate",
            SuppressionTest::ParPafFail => {
                "the setting average cannot be formed, or the reference subgroup has no estimate"
            }
            SuppressionTest::Norefgroup => {
                "there is not exactly one reference subgroup with an estimate"
            }
        }
    }
}

/// One row of HEAT's summary-measure table.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MeasureInfo {
    pub abbr: &'static str,
    pub name: &'static str,
    pub ordered: bool,
    pub non_ordered: bool,
    pub two_subgroups: bool,
    pub more_than_two_subgroups: bool,
    /// Shown on a log scale (RII).
    pub log_scale: bool,
    /// HEAT computes its interval by simulation.
    pub simulation_se: bool,
    /// HEAT computes an analytic standard error.
    pub analytic_se: bool,
    /// Values outside this range are treated as outliers (RII: 0-700).
    pub valid_range: (f64, f64),
    pub suppressed_by: &'static [SuppressionTest],
}

/// HEAT's 21 summary measures.
pub const MEASURES: [MeasureInfo; 21] = [
    MeasureInfo {
        abbr: "ACI",
        name: "Absolute concentration index",
        ordered: true,
        non_ordered: false,
        two_subgroups: false,
        more_than_two_subgroups: true,
        log_scale: false,
        simulation_se: false,
        analytic_se: true,
        valid_range: (-99999.0, 99999.0),
        suppressed_by: &[
            SuppressionTest::MissingEstimates,
            SuppressionTest::EstimatesAllZero,
            SuppressionTest::TwoSubgroups,
            SuppressionTest::LessThan2Subgroups,
            SuppressionTest::NotOrdered,
            SuppressionTest::MissingPopulation,
        ],
    },
    MeasureInfo {
        abbr: "BGSD",
        name: "Between-group standard deviation",
        ordered: false,
        non_ordered: true,
        two_subgroups: false,
        more_than_two_subgroups: true,
        log_scale: false,
        simulation_se: true,
        analytic_se: false,
        valid_range: (-99999.0, 99999.0),
        suppressed_by: &[
            SuppressionTest::Under85PctMissingPop,
            SuppressionTest::EstimatesAllZero,
            SuppressionTest::TwoSubgroups,
            SuppressionTest::LessThan2Subgroups,
            SuppressionTest::IsOrdered,
        ],
    },
    MeasureInfo {
        abbr: "BGV",
        name: "Between-group variance",
        ordered: false,
        non_ordered: true,
        two_subgroups: false,
        more_than_two_subgroups: true,
        log_scale: false,
        simulation_se: false,
        analytic_se: true,
        valid_range: (-99999.0, 99999.0),
        suppressed_by: &[
            SuppressionTest::Under85PctMissingPop,
            SuppressionTest::EstimatesAllZero,
            SuppressionTest::TwoSubgroups,
            SuppressionTest::LessThan2Subgroups,
            SuppressionTest::IsOrdered,
        ],
    },
    MeasureInfo {
        abbr: "COV",
        name: "Coefficient of variation",
        ordered: false,
        non_ordered: true,
        two_subgroups: false,
        more_than_two_subgroups: true,
        log_scale: false,
        simulation_se: true,
        analytic_se: false,
        valid_range: (-99999.0, 99999.0),
        suppressed_by: &[
            SuppressionTest::Under85PctMissingPop,
            SuppressionTest::EstimatesAllZero,
            SuppressionTest::TwoSubgroups,
            SuppressionTest::LessThan2Subgroups,
            SuppressionTest::IsOrdered,
            SuppressionTest::MissingNatlAvg,
        ],
    },
    MeasureInfo {
        abbr: "D",
        name: "Difference",
        ordered: true,
        non_ordered: true,
        two_subgroups: true,
        more_than_two_subgroups: true,
        log_scale: false,
        simulation_se: false,
        analytic_se: true,
        valid_range: (-99999.0, 99999.0),
        suppressed_by: &[
            SuppressionTest::EstimatesAllZero,
            SuppressionTest::LessThan2Subgroups,
            SuppressionTest::DRFail,
        ],
    },
    MeasureInfo {
        abbr: "MLD",
        name: "Mean log deviation",
        ordered: false,
        non_ordered: true,
        two_subgroups: false,
        more_than_two_subgroups: true,
        log_scale: false,
        simulation_se: false,
        analytic_se: true,
        valid_range: (-99999.0, 99999.0),
        suppressed_by: &[
            SuppressionTest::Under85PctMissingPop,
            SuppressionTest::EstimatesAllZero,
            SuppressionTest::TwoSubgroups,
            SuppressionTest::LessThan2Subgroups,
            SuppressionTest::IsOrdered,
            SuppressionTest::MissingNatlAvg,
        ],
    },
    MeasureInfo {
        abbr: "PAF",
        name: "Population attributable fraction",
        ordered: true,
        non_ordered: true,
        two_subgroups: true,
        more_than_two_subgroups: true,
        log_scale: false,
        simulation_se: false,
        analytic_se: true,
        valid_range: (-99999.0, 99999.0),
        suppressed_by: &[
            SuppressionTest::Under85Pct,
            SuppressionTest::EstimatesAllZero,
            SuppressionTest::LessThan2Subgroups,
            SuppressionTest::MissingNatlAvg,
            SuppressionTest::ParPafFail,
        ],
    },
    MeasureInfo {
        abbr: "PAR",
        name: "Population attributable risk",
        ordered: true,
        non_ordered: true,
        two_subgroups: true,
        more_than_two_subgroups: true,
        log_scale: false,
        simulation_se: false,
        analytic_se: true,
        valid_range: (-99999.0, 99999.0),
        suppressed_by: &[
            SuppressionTest::Under85Pct,
            SuppressionTest::EstimatesAllZero,
            SuppressionTest::LessThan2Subgroups,
            SuppressionTest::ParPafFail,
        ],
    },
    MeasureInfo {
        abbr: "R",
        name: "Ratio",
        ordered: true,
        non_ordered: true,
        two_subgroups: true,
        more_than_two_subgroups: true,
        log_scale: true,
        simulation_se: false,
        analytic_se: true,
        valid_range: (-99999.0, 99999.0),
        suppressed_by: &[
            SuppressionTest::EstimatesAllZero,
            SuppressionTest::LessThan2Subgroups,
            SuppressionTest::DRFail,
        ],
    },
    MeasureInfo {
        abbr: "RCI",
        name: "Relative concentration index",
        ordered: true,
        non_ordered: false,
        two_subgroups: false,
        more_than_two_subgroups: true,
        log_scale: false,
        simulation_se: false,
        analytic_se: true,
        valid_range: (-99999.0, 99999.0),
        suppressed_by: &[
            SuppressionTest::MissingEstimates,
            SuppressionTest::EstimatesAllZero,
            SuppressionTest::TwoSubgroups,
            SuppressionTest::LessThan2Subgroups,
            SuppressionTest::NotOrdered,
            SuppressionTest::MissingPopulation,
        ],
    },
    MeasureInfo {
        abbr: "RII",
        name: "Relative index of inequality",
        ordered: true,
        non_ordered: false,
        two_subgroups: false,
        more_than_two_subgroups: true,
        log_scale: true,
        simulation_se: false,
        analytic_se: true,
        valid_range: (0.0, 700.0),
        suppressed_by: &[
            SuppressionTest::MissingEstimates,
            SuppressionTest::EstimatesAllZero,
            SuppressionTest::TwoSubgroups,
            SuppressionTest::LessThan2Subgroups,
            SuppressionTest::NotOrdered,
            SuppressionTest::MissingPopulation,
        ],
    },
    MeasureInfo {
        abbr: "SII",
        name: "Slope index of inequality",
        ordered: true,
        non_ordered: false,
        two_subgroups: false,
        more_than_two_subgroups: true,
        log_scale: false,
        simulation_se: false,
        analytic_se: true,
        valid_range: (-99999.0, 99999.0),
        suppressed_by: &[
            SuppressionTest::MissingEstimates,
            SuppressionTest::EstimatesAllZero,
            SuppressionTest::TwoSubgroups,
            SuppressionTest::LessThan2Subgroups,
            SuppressionTest::NotOrdered,
            SuppressionTest::MissingPopulation,
        ],
    },
    MeasureInfo {
        abbr: "TI",
        name: "Theil index",
        ordered: false,
        non_ordered: true,
        two_subgroups: false,
        more_than_two_subgroups: true,
        log_scale: false,
        simulation_se: false,
        analytic_se: true,
        valid_range: (-99999.0, 99999.0),
        suppressed_by: &[
            SuppressionTest::Under85PctMissingPop,
            SuppressionTest::EstimatesAllZero,
            SuppressionTest::TwoSubgroups,
            SuppressionTest::LessThan2Subgroups,
            SuppressionTest::IsOrdered,
        ],
    },
    MeasureInfo {
        abbr: "IDISU",
        name: "Unweighted index of disparity",
        ordered: false,
        non_ordered: true,
        two_subgroups: false,
        more_than_two_subgroups: true,
        log_scale: false,
        simulation_se: true,
        analytic_se: false,
        valid_range: (-99999.0, 99999.0),
        suppressed_by: &[
            SuppressionTest::Under85PctMissingPopNatlAvg,
            SuppressionTest::EstimatesAllZero,
            SuppressionTest::TwoSubgroups,
            SuppressionTest::LessThan2Subgroups,
            SuppressionTest::IsOrdered,
            SuppressionTest::MissingNatlAvg,
        ],
    },
    MeasureInfo {
        abbr: "MDBU",
        name: "Unweighted mean difference from best performing subgroup",
        ordered: false,
        non_ordered: true,
        two_subgroups: false,
        more_than_two_subgroups: true,
        log_scale: false,
        simulation_se: true,
        analytic_se: false,
        valid_range: (-99999.0, 99999.0),
        suppressed_by: &[
            SuppressionTest::Under85Pct,
            SuppressionTest::EstimatesAllZero,
            SuppressionTest::TwoSubgroups,
            SuppressionTest::LessThan2Subgroups,
            SuppressionTest::IsOrdered,
        ],
    },
    MeasureInfo {
        abbr: "MDMU",
        name: "Unweighted mean difference from mean",
        ordered: false,
        non_ordered: true,
        two_subgroups: false,
        more_than_two_subgroups: true,
        log_scale: false,
        simulation_se: true,
        analytic_se: false,
        valid_range: (-99999.0, 99999.0),
        suppressed_by: &[
            SuppressionTest::Under85PctMissingPopNatlAvg,
            SuppressionTest::EstimatesAllZero,
            SuppressionTest::TwoSubgroups,
            SuppressionTest::LessThan2Subgroups,
            SuppressionTest::IsOrdered,
        ],
    },
    MeasureInfo {
        abbr: "MDRU",
        name: "Unweighted mean difference from reference subgroup",
        ordered: false,
        non_ordered: true,
        two_subgroups: false,
        more_than_two_subgroups: true,
        log_scale: false,
        simulation_se: true,
        analytic_se: false,
        valid_range: (-99999.0, 99999.0),
        suppressed_by: &[
            SuppressionTest::Under85Pct,
            SuppressionTest::EstimatesAllZero,
            SuppressionTest::TwoSubgroups,
            SuppressionTest::LessThan2Subgroups,
            SuppressionTest::IsOrdered,
            SuppressionTest::Norefgroup,
        ],
    },
    MeasureInfo {
        abbr: "IDISW",
        name: "Weighted index of disparity",
        ordered: false,
        non_ordered: true,
        two_subgroups: false,
        more_than_two_subgroups: true,
        log_scale: false,
        simulation_se: true,
        analytic_se: false,
        valid_range: (-99999.0, 99999.0),
        suppressed_by: &[
            SuppressionTest::Under85PctMissingPop,
            SuppressionTest::EstimatesAllZero,
            SuppressionTest::TwoSubgroups,
            SuppressionTest::LessThan2Subgroups,
            SuppressionTest::IsOrdered,
            SuppressionTest::MissingNatlAvg,
        ],
    },
    MeasureInfo {
        abbr: "MDBW",
        name: "Weighted mean difference from best performing subgroup",
        ordered: false,
        non_ordered: true,
        two_subgroups: false,
        more_than_two_subgroups: true,
        log_scale: false,
        simulation_se: true,
        analytic_se: false,
        valid_range: (-99999.0, 99999.0),
        suppressed_by: &[
            SuppressionTest::Under85PctMissingPop,
            SuppressionTest::EstimatesAllZero,
            SuppressionTest::TwoSubgroups,
            SuppressionTest::LessThan2Subgroups,
            SuppressionTest::IsOrdered,
        ],
    },
    MeasureInfo {
        abbr: "MDMW",
        name: "Weighted mean difference from mean",
        ordered: false,
        non_ordered: true,
        two_subgroups: false,
        more_than_two_subgroups: true,
        log_scale: false,
        simulation_se: true,
        analytic_se: false,
        valid_range: (-99999.0, 99999.0),
        suppressed_by: &[
            SuppressionTest::Under85PctMissingPop,
            SuppressionTest::EstimatesAllZero,
            SuppressionTest::TwoSubgroups,
            SuppressionTest::LessThan2Subgroups,
            SuppressionTest::IsOrdered,
        ],
    },
    MeasureInfo {
        abbr: "MDRW",
        name: "Weighted mean difference from reference subgroup",
        ordered: false,
        non_ordered: true,
        two_subgroups: false,
        more_than_two_subgroups: true,
        log_scale: false,
        simulation_se: true,
        analytic_se: false,
        valid_range: (-99999.0, 99999.0),
        suppressed_by: &[
            SuppressionTest::Under85PctMissingPop,
            SuppressionTest::EstimatesAllZero,
            SuppressionTest::TwoSubgroups,
            SuppressionTest::LessThan2Subgroups,
            SuppressionTest::IsOrdered,
            SuppressionTest::Norefgroup,
        ],
    },
];

/// The row for a measure abbreviation (case-insensitive), e.g. "SII".
pub fn measure(abbr: &str) -> Option<&'static MeasureInfo> {
    MEASURES.iter().find(|m| m.abbr.eq_ignore_ascii_case(abbr))
}

/// Whether HEAT computes `abbr` for a dimension that is (or is not) ordered
/// and has `subgroups` subgroups; unknown measures and fewer than two
/// subgroups never apply.
pub fn applies(abbr: &str, ordered: bool, subgroups: usize) -> bool {
    let Some(m) = measure(abbr) else {
        return false;
    };
    let kind = if ordered { m.ordered } else { m.non_ordered };
    let size = match subgroups {
        0 | 1 => false,
        2 => m.two_subgroups,
        _ => m.more_than_two_subgroups,
    };
    kind && size
}
