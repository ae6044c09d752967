//! The deliberate inequalities `synth` injects, and the truth it writes about them.
//!
//! Each offer (a treatment or an outcome after a patient-group event) is given to a patient with
//! probability `p = logistic(intercept + education + parents' education + income quintile +
//! origin + region + sex + age)`, a main-effects logistic model whose parameters are written to `truth.json`. Beside the
//! parameters, `truth.json` holds the true marginal probability per patient group and stratum: the
//! mean of the patients' own `p` (so it is averaged over the age and sex mix of the patients as
//! generated), which is what a crude proportion by stratum estimates, and the same per sex and
//! broad age group of each level, from which the truth of a share standardised to the patients
//! follows.

use serde::Serialize;
use std::collections::BTreeMap;

use super::population::{Parent, Person};
use crate::registers::codes::{EducationGroup, ORIGINS, REGIONS};
use crate::results::standardisation::broad_age_group;

/// The parameters of one offer's logistic model (log-odds).
#[derive(Debug, Clone, Serialize)]
pub struct OfferModel {
    /// Identifier used in `truth.json` and in tests.
    pub id: &'static str,
    /// Who is at risk of receiving the offer.
    pub patient_group: &'static str,
    /// What the offer is, and how it shows in the registers.
    pub outcome: &'static str,
    pub intercept: f64,
    /// Short, medium, long, unknown education (SEPLINE groups).
    pub education: [f64; 4],
    /// The parents' education (the higher of the two): short, medium, long, unknown.
    pub parental_education: [f64; 4],
    /// Income quintiles 1 (lowest) ... 5.
    pub income_quintile: [f64; 5],
    /// Danish origin, immigrant, descendant.
    pub origin: [f64; 3],
    /// Regions 1081 ... 1085.
    pub region: [f64; 5],
    pub female: f64,
    /// Change in log-odds per 10 years of age above `age_centre`.
    pub age_per_decade: f64,
    pub age_centre: f64,
}

/// The values of the stratifiers for one patient at the time of the event.
#[derive(Debug, Clone, Copy)]
pub struct PatientStrata {
    pub education: EducationGroup,
    pub income_quintile: usize,
    /// The higher of the registered parents' education groups in the index year.
    pub parental_education: EducationGroup,
    /// The higher of the registered parents' income quintiles, `None` without a parent.
    pub parental_income: Option<usize>,
    /// The labour-market group of the year before the index.
    pub labour_market: &'static str,
    /// Living in a couple or single, by the family type of the register year.
    pub cohabitation: &'static str,
    pub origin: u8,
    pub region_index: usize,
    pub female: bool,
    pub age: i32,
}

impl PatientStrata {
    /// The strata of a person indexed on a day, as the registers show them at the index:
    /// education as registered in that year, the region of the population register's residence
    /// ([`Person::registered_residence_at_index`]).
    pub fn of(person: &Person, day: i32) -> PatientStrata {
        let year = crate::dates::year_of(day);
        let parents: Vec<&Parent> = [&person.mother, &person.father]
            .into_iter()
            .filter_map(|p| p.as_deref())
            .filter(|p| p.registered_in(year))
            .collect();
        let parental_education = parents
            .iter()
            .map(|p| p.person.education_group_in(year))
            .filter(|g| *g != EducationGroup::Unknown)
            .max_by_key(|g| education_index(*g))
            .unwrap_or(EducationGroup::Unknown);
        PatientStrata {
            education: person.education_group_in(year),
            income_quintile: person.income_quintile(),
            parental_education,
            parental_income: parents.iter().map(|p| p.person.income_quintile()).max(),
            labour_market: person.labour_market_at_index(year),
            cohabitation: person.cohabitation_at_index(day),
            origin: person.origin,
            region_index: person.registered_residence_at_index(day).region_index,
            female: person.female,
            age: person.age_on(day),
        }
    }
}

fn education_index(group: EducationGroup) -> usize {
    EducationGroup::ALL
        .iter()
        .position(|g| *g == group)
        .expect("all groups listed")
}

impl OfferModel {
    /// The patient's probability of receiving the offer.
    pub fn probability(&self, s: &PatientStrata) -> f64 {
        let eta = self.intercept
            + self.education[education_index(s.education)]
            + self.parental_education[education_index(s.parental_education)]
            + self.income_quintile[s.income_quintile - 1]
            + self.origin[(s.origin - 1) as usize]
            + self.region[s.region_index]
            + if s.female { self.female } else { 0.0 }
            + self.age_per_decade * (s.age as f64 - self.age_centre) / 10.0;
        1.0 / (1.0 + (-eta).exp())
    }
}

/// The offers of the synthetic registers. The gradients are deliberate and larger than real ones
/// are likely to be, so that a sample of tens of thousands of persons shows them.
pub const OFFERS: [OfferModel; 7] = [
    OfferModel {
        id: "t2d_sglt2_glp1",
        patient_group: "type 2 diabetes (action diagnosis DE11 at a hospital contact)",
        outcome: "SGLT2 inhibitor (A10BK) or GLP-1 analogue (A10BJ), redeemed every 90 days from within 180 days of onset",
        intercept: 0.3,
        education: [-0.6, -0.3, 0.0, -0.4],
        parental_education: [0.0, 0.0, 0.0, 0.0],
        income_quintile: [-0.5, -0.35, -0.2, -0.1, 0.0],
        origin: [0.0, -0.35, -0.2],
        region: [-0.25, 0.1, 0.0, 0.2, -0.3],
        female: -0.1,
        age_per_decade: -0.3,
        age_centre: 60.0,
    },
    OfferModel {
        id: "ami_pci",
        patient_group: "first acute myocardial infarction in the span (action diagnosis DI21)",
        outcome: "PCI (KFNG05) within 0-2 days of admission",
        intercept: 1.0,
        education: [-0.4, -0.2, 0.0, -0.3],
        parental_education: [0.0, 0.0, 0.0, 0.0],
        income_quintile: [-0.3, -0.2, -0.1, -0.05, 0.0],
        origin: [0.0, -0.2, -0.1],
        region: [-0.3, 0.2, 0.0, 0.3, -0.2],
        female: -0.4,
        age_per_decade: -0.5,
        age_centre: 70.0,
    },
    OfferModel {
        id: "ami_rehab",
        patient_group: "first acute myocardial infarction in the span, alive 30 days after",
        outcome: "cardiac rehabilitation (BFCA0) 30-90 days after admission",
        intercept: 0.2,
        education: [-0.7, -0.35, 0.0, -0.5],
        parental_education: [0.0, 0.0, 0.0, 0.0],
        income_quintile: [-0.5, -0.35, -0.2, -0.1, 0.0],
        origin: [0.0, -0.5, -0.25],
        region: [-0.2, 0.15, 0.0, 0.1, -0.25],
        female: -0.3,
        age_per_decade: -0.2,
        age_centre: 70.0,
    },
    OfferModel {
        id: "ami_death30",
        patient_group: "first acute myocardial infarction in the span",
        outcome: "death within 30 days of admission (adverse outcome)",
        intercept: -2.3,
        education: [0.3, 0.15, 0.0, 0.2],
        parental_education: [0.0, 0.0, 0.0, 0.0],
        income_quintile: [0.3, 0.2, 0.1, 0.05, 0.0],
        origin: [0.0, 0.1, 0.05],
        region: [0.1, 0.0, 0.0, -0.1, 0.1],
        female: 0.1,
        age_per_decade: 0.6,
        age_centre: 70.0,
    },
    OfferModel {
        id: "hip_surgery_24h",
        patient_group: "hip fracture at 65 or older (action diagnosis DS720-DS722, acute admission)",
        outcome: "surgery (KNFB/KNFJ) within 24 hours of the arrival at hospital",
        intercept: 1.6,
        education: [-0.3, -0.15, 0.0, -0.2],
        parental_education: [0.0, 0.0, 0.0, 0.0],
        income_quintile: [-0.25, -0.15, -0.1, -0.05, 0.0],
        origin: [0.0, -0.2, -0.1],
        region: [-0.4, 0.2, 0.1, 0.0, -0.5],
        female: 0.0,
        age_per_decade: -0.2,
        age_centre: 80.0,
    },
    OfferModel {
        id: "youth_psych_30d",
        patient_group: "depression or anxiety at 10-24 years (action diagnosis DF32 or DF41 at a psychiatric assessment)",
        outcome: "first psychiatric outpatient contact within 30 days of the assessment",
        intercept: 0.0,
        education: [0.0, 0.0, 0.0, 0.0],
        parental_education: [-0.5, -0.25, 0.0, -0.35],
        income_quintile: [-0.6, -0.4, -0.25, -0.1, 0.0],
        origin: [0.0, -0.4, -0.3],
        region: [-0.5, 0.1, -0.2, 0.4, -0.6],
        female: 0.2,
        age_per_decade: 0.0,
        age_centre: 17.0,
    },
    OfferModel {
        id: "multimorbidity_coordinated",
        patient_group: "multimorbidity: a second chronic condition diagnosed in the span",
        outcome: "coordinated care procedure (BVAA1, synthetic code) within 365 days",
        intercept: -0.2,
        education: [-0.5, -0.25, 0.0, -0.4],
        parental_education: [0.0, 0.0, 0.0, 0.0],
        income_quintile: [-0.4, -0.3, -0.2, -0.1, 0.0],
        origin: [0.0, -0.3, -0.2],
        region: [-0.2, 0.1, 0.05, 0.15, -0.2],
        female: 0.1,
        age_per_decade: -0.15,
        age_centre: 70.0,
    },
];

/// Index of an offer in [`OFFERS`] by id.
pub fn offer(id: &str) -> &'static OfferModel {
    OFFERS
        .iter()
        .find(|o| o.id == id)
        .expect("offer ids are fixed in code")
}

/// (offer id, stratifier, level).
type StratumKey = (&'static str, &'static str, String);

/// Sums of probabilities and patient counts per stratum, merged over chunks.
#[derive(Debug, Clone, Default)]
pub struct TruthAccumulator {
    /// (offer id, stratifier, level) -> (patients, sum of p)
    sums: BTreeMap<StratumKey, (u64, f64)>,
    /// (offer id, stratifier, level, sex, broad age group) -> (patients, sum of p): the strata a
    /// run standardises a level's share over (`results::standardisation`).
    cells: BTreeMap<(StratumKey, &'static str, usize), (u64, f64)>,
}

impl TruthAccumulator {
    /// Records one patient at risk of `offer` with probability `p`.
    pub fn record(&mut self, offer: &'static str, strata: &PatientStrata, p: f64) {
        let sex = if strata.female { "2" } else { "1" };
        let levels = [
            ("total", "i alt".to_string()),
            ("education", strata.education.code().to_string()),
            ("income_quintile", strata.income_quintile.to_string()),
            (
                "parental_education",
                strata.parental_education.code().to_string(),
            ),
            (
                "parental_income",
                strata
                    .parental_income
                    .map_or_else(|| "uoplyst".to_string(), |q| q.to_string()),
            ),
            ("labour_market", strata.labour_market.to_string()),
            ("cohabitation", strata.cohabitation.to_string()),
            (
                "origin",
                ORIGINS[(strata.origin - 1) as usize].1.to_string(),
            ),
            ("region", REGIONS[strata.region_index].0.to_string()),
            ("sex", sex.to_string()),
        ];
        let age_group = broad_age_group(strata.age.max(0) / 5);
        for (stratifier, level) in levels {
            let entry = self
                .sums
                .entry((offer, stratifier, level.clone()))
                .or_default();
            entry.0 += 1;
            entry.1 += p;
            let cell = self
                .cells
                .entry(((offer, stratifier, level), sex, age_group))
                .or_default();
            cell.0 += 1;
            cell.1 += p;
        }
    }

    /// Adds another chunk's sums (chunks are merged in order, so the sums are reproducible).
    pub fn merge(&mut self, other: TruthAccumulator) {
        for (key, (n, sum)) in other.sums {
            let entry = self.sums.entry(key).or_default();
            entry.0 += n;
            entry.1 += sum;
        }
        for (key, (n, sum)) in other.cells {
            let entry = self.cells.entry(key).or_default();
            entry.0 += n;
            entry.1 += sum;
        }
    }

    /// offer -> stratifier -> level -> the truth per sex and broad age group.
    pub fn finish_cells(&self) -> TruthTree<Vec<CellTruth>> {
        let mut out: TruthTree<Vec<CellTruth>> = BTreeMap::new();
        for (((offer, stratifier, level), sex, age_group), (n, sum)) in &self.cells {
            out.entry(*offer)
                .or_default()
                .entry(*stratifier)
                .or_default()
                .entry(level.clone())
                .or_default()
                .push(CellTruth {
                    sex,
                    age_group: *age_group,
                    patients: *n,
                    probability: sum / *n as f64,
                });
        }
        out
    }

    /// offer -> stratifier -> level -> truth.
    pub fn finish(
        &self,
    ) -> BTreeMap<&'static str, BTreeMap<&'static str, BTreeMap<String, StratumTruth>>> {
        let mut out: BTreeMap<_, BTreeMap<_, BTreeMap<_, _>>> = BTreeMap::new();
        for ((offer, stratifier, level), (n, sum)) in &self.sums {
            out.entry(*offer)
                .or_default()
                .entry(*stratifier)
                .or_default()
                .insert(
                    level.clone(),
                    StratumTruth {
                        patients: *n,
                        probability: sum / *n as f64,
                    },
                );
        }
        out
    }
}

/// offer -> stratifier -> level -> `T`.
pub type TruthTree<T> = BTreeMap<&'static str, BTreeMap<&'static str, BTreeMap<String, T>>>;

/// The true probability of an offer in one sex and broad age group of a stratum's level.
#[derive(Debug, Clone, Serialize)]
pub struct CellTruth {
    /// "1" man, "2" woman.
    pub sex: &'static str,
    /// The broad age group (0-7) of the age at the index day, as a run standardises by.
    pub age_group: usize,
    /// Patients in the cell (over the whole span).
    pub patients: u64,
    /// Mean of the patients' own probabilities.
    pub probability: f64,
}

/// The true marginal probability of an offer in one stratum.
#[derive(Debug, Clone, Serialize)]
pub struct StratumTruth {
    /// Patients in the stratum (over the whole span).
    pub patients: u64,
    /// Mean of the patients' own probabilities.
    pub probability: f64,
}
