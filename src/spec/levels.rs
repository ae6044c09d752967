//! The levels a derived stratifier writes where they are fixed, as the tables show them (Danish
//! codes): the one list the strata write, the results order, the plan counts and the register
//! code lists use.

/// The level of a person whose value is missing from a register, in every dimension.
pub const UNKNOWN: &str = "uoplyst";

/// The education groups (SEPLINE's default: short, medium, long), from the most disadvantaged up.
pub const EDUCATION_LEVELS: [&str; 3] = ["kort", "mellem", "lang"];
/// Income quintiles, the lowest first.
pub const INCOME_QUINTILES: [&str; 5] = ["1", "2", "3", "4", "5"];
/// Origin by `IE_TYPE` 1, 2 and 3: Danish origin, immigrant, descendant.
pub const ORIGIN_LEVELS: [&str; 3] = ["dansk", "indvandrer", "efterkommer"];
/// Danish origin, or a western or non-western country of origin.
pub const ORIGIN_WESTERN_LEVELS: [&str; 3] = ["dansk", "vestlig", "ikke-vestlig"];
/// The number of chronic conditions, three or more together.
pub const MULTIMORBIDITY_LEVELS: [&str; 4] = ["0", "1", "2", "3+"];
/// The Charlson comorbidity index: none, moderate (1-2) and high (3 or more).
pub const CHARLSON_LEVELS: [&str; 3] = ["0", "1-2", "3+"];
