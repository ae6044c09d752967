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
/// Labour-market attachment by the AKM register's `SOCIO13` (Statistics Denmark's
/// socio-economic status, main groups): employed or self-employed (110-139), unemployed (210),
/// temporarily outside work on sickness or leave benefits or social assistance (220, 330),
/// in education (310), on disability pension (321), on old-age pension or early retirement
/// (322, 323), and others outside the labour force (410); children under 15 (420) and persons
/// outside the register are unknown.
pub const LABOUR_MARKET_LEVELS: [&str; 7] = [
    "beskæftiget",
    "arbejdsløs",
    "midlertidigt uden for",
    "under uddannelse",
    "førtidspension",
    "pension",
    "øvrige",
];
/// Living in a couple (married, registered partners, cohabiting) or single, by the family type.
pub const COHABITATION_LEVELS: [&str; 2] = ["par", "enlig"];
