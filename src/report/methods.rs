//! The formula and reference of every measure a document can show, for its methods appendix.

use super::labels::Lang;
use crate::spec::{Measure, SummaryMeasure};

/// A measure's (code, method) with its name, formula and reference in both languages.
pub struct MethodNote {
    pub measure: Measure,
    pub method: &'static str,
    pub name: [&'static str; 2],
    pub formula: [&'static str; 2],
    pub reference: &'static str,
}

impl MethodNote {
    pub fn name(&self, lang: Lang) -> &'static str {
        lang.pick(self.name[0], self.name[1])
    }

    pub fn formula(&self, lang: Lang) -> &'static str {
        lang.pick(self.formula[0], self.formula[1])
    }
}

const GLM: &str = "McCullagh & Nelder (1989); R glm";
const MARGINS: &str = "Graubard & Korn (1999); Muller & MacLehose (2014)";
const HEAT: &str =
    "WHO (2024) Health Equity Assessment Toolkit (HEAT), technical notes; R-pakken healthequal";

/// Every measure the pipelines write, in the order the appendix lists them.
pub const NOTES: &[MethodNote] = &[
    MethodNote {
        measure: Measure::OddsRatio,
        method: "logit-unadjusted",
        name: ["Oddsratio, ujusteret", "Odds ratio, unadjusted"],
        formula: [
            "exp(β) for gruppen mod referencegruppen i en logistisk model på de krydsklassificerede tal, ujusteret; Wald-interval",
            "exp(β) of the group against the reference group in a logistic model on the cross-classified counts, unadjusted; Wald interval",
        ],
        reference: GLM,
    },
    MethodNote {
        measure: Measure::AdjustedShare,
        method: "logit-unadjusted",
        name: [
            "Justeret andel, ujusteret",
            "Adjusted proportion, unadjusted",
        ],
        formula: [
            "Gennemsnittet af modellens forventede andel for alle patienter, sat i gruppen (marginal standardisering); delta-metoden på logit-skala",
            "The mean of the model's predicted proportion over all patients, set in the group (marginal standardisation); delta method on the logit scale",
        ],
        reference: MARGINS,
    },
    MethodNote {
        measure: Measure::AdjustedDifference,
        method: "logit-unadjusted",
        name: [
            "Justeret forskel, ujusteret",
            "Adjusted difference, unadjusted",
        ],
        formula: [
            "Gruppens justerede andel minus referencegruppens; delta-metoden",
            "The group's adjusted proportion less the reference group's; delta method",
        ],
        reference: MARGINS,
    },
    MethodNote {
        measure: Measure::OddsRatio,
        method: "logit-age-sex",
        name: [
            "Oddsratio, justeret for alder og køn",
            "Odds ratio, adjusted for age and sex",
        ],
        formula: [
            "exp(β) for gruppen mod referencegruppen i en logistisk model på de krydsklassificerede tal, justeret for alder og køn; Wald-interval",
            "exp(β) of the group against the reference group in a logistic model on the cross-classified counts, adjusted for age and sex; Wald interval",
        ],
        reference: GLM,
    },
    MethodNote {
        measure: Measure::AdjustedShare,
        method: "logit-age-sex",
        name: [
            "Justeret andel, justeret for alder og køn",
            "Adjusted proportion, adjusted for age and sex",
        ],
        formula: [
            "Gennemsnittet af modellens forventede andel for alle patienter, sat i gruppen (marginal standardisering); delta-metoden på logit-skala",
            "The mean of the model's predicted proportion over all patients, set in the group (marginal standardisation); delta method on the logit scale",
        ],
        reference: MARGINS,
    },
    MethodNote {
        measure: Measure::AdjustedDifference,
        method: "logit-age-sex",
        name: [
            "Justeret forskel, justeret for alder og køn",
            "Adjusted difference, adjusted for age and sex",
        ],
        formula: [
            "Gruppens justerede andel minus referencegruppens; delta-metoden",
            "The group's adjusted proportion less the reference group's; delta method",
        ],
        reference: MARGINS,
    },
    MethodNote {
        measure: Measure::OddsRatio,
        method: "logit-mutual",
        name: [
            "Oddsratio, gensidigt justeret",
            "Odds ratio, mutually adjusted",
        ],
        formula: [
            "exp(β) for gruppen mod referencegruppen i en logistisk model på de krydsklassificerede tal, gensidigt justeret (alder, køn, de øvrige sociale og geografiske opdelinger og komorbiditet, når analysen opdeler efter den); Wald-interval",
            "exp(β) of the group against the reference group in a logistic model on the cross-classified counts, mutually adjusted (age, sex, the other social and geographic stratifiers and comorbidity where the analysis is stratified by it); Wald interval",
        ],
        reference: GLM,
    },
    MethodNote {
        measure: Measure::AdjustedShare,
        method: "logit-mutual",
        name: [
            "Justeret andel, gensidigt justeret",
            "Adjusted proportion, mutually adjusted",
        ],
        formula: [
            "Gennemsnittet af modellens forventede andel for alle patienter, sat i gruppen (marginal standardisering); delta-metoden på logit-skala",
            "The mean of the model's predicted proportion over all patients, set in the group (marginal standardisation); delta method on the logit scale",
        ],
        reference: MARGINS,
    },
    MethodNote {
        measure: Measure::AdjustedDifference,
        method: "logit-mutual",
        name: [
            "Justeret forskel, gensidigt justeret",
            "Adjusted difference, mutually adjusted",
        ],
        formula: [
            "Gruppens justerede andel minus referencegruppens; delta-metoden",
            "The group's adjusted proportion less the reference group's; delta method",
        ],
        reference: MARGINS,
    },
    MethodNote {
        measure: Measure::Proportion,
        method: "wilson",
        name: ["Andel", "Proportion"],
        formula: [
            "p = d/n · 100 (d med udfaldet, n patienter); Wilsons scoreinterval",
            "p = d/n · 100 (d with the outcome, n patients); Wilson score interval",
        ],
        reference: "Wilson (1927); Newcombe (1998); PHEindicatormethods phe_proportion",
    },
    MethodNote {
        measure: Measure::ProportionAgeSexStd,
        method: crate::results::standardisation::METHOD,
        name: [
            "Alders- og kønsstandardiseret andel",
            "Age- and sex-standardised proportion",
        ],
        formula: [
            "Σ wₖ·dₖ/nₖ / Σ wₖ over alders- og kønsgrupper k, hvor wₖ er alle analysens patienter i gruppe k (for køn kun alder, for aldersgrupper kun køn; en aldersgruppe uden personer slås sammen med nabogruppen); Wilsons interval på den effektive stikprøvestørrelse n* = p(1 − p)/v, v = Σ (wₖ/Σw)²·p̃ₖ(1 − p̃ₖ)/nₖ med p̃ₖ = (dₖ + ½)/(nₖ + 1), så intervallet holder sig inden for 0-100 %",
            "Σ wₖ·dₖ/nₖ / Σ wₖ over age and sex groups k, wₖ being all the analysis's patients in group k (age alone by sex, sex alone by age group; an age group without persons is merged with its neighbour); Wilson interval on the effective sample size n* = p(1 − p)/v, v = Σ (wₖ/Σw)²·p̃ₖ(1 − p̃ₖ)/nₖ with p̃ₖ = (dₖ + ½)/(nₖ + 1), so the interval stays within 0-100%",
        ],
        reference: "Rothman, Greenland & Lash (2008) kap. 4; Korn & Graubard (1998); Parker m.fl. (2017, NCHS); Dean & Pagano (2015); Brown, Cai & DasGupta (2001)",
    },
    MethodNote {
        measure: Measure::Difference,
        method: "delta-method",
        name: [
            "Forskel til referencegruppen",
            "Difference from the reference group",
        ],
        formula: [
            "p_g − p_ref; SE = √(SE_g² + SE_ref²)",
            "p_g − p_ref; SE = √(SE_g² + SE_ref²)",
        ],
        reference: HEAT,
    },
    MethodNote {
        measure: Measure::Ratio,
        method: "delta-method-log",
        name: ["Ratio til referencegruppen", "Ratio to the reference group"],
        formula: [
            "p_g / p_ref; interval på log-skala med delta-metoden",
            "p_g / p_ref; interval on the log scale by the delta method",
        ],
        reference: HEAT,
    },
    MethodNote {
        measure: Measure::Summary(SummaryMeasure::Sii),
        method: "heat-logistic",
        name: [
            "Hældningsindeks for ulighed (SII)",
            "Slope index of inequality (SII)",
        ],
        formula: [
            "Forskellen i forventet værdi mellem rang 1 og 0 i en logistisk regression på gruppernes kumulerede rangmidtpunkt; interval ved delta-metoden (A.3)",
            "The difference in predicted value between rank 1 and 0 of a logistic regression on the groups' cumulative rank midpoints; interval by the delta method (A.3)",
        ],
        reference: HEAT,
    },
    MethodNote {
        measure: Measure::Summary(SummaryMeasure::Sii),
        method: "phe-linear",
        name: [
            "Hældningsindeks for ulighed (SII), lineær",
            "Slope index of inequality (SII), linear",
        ],
        formula: [
            "Hældningen i en vægtet lineær regression på rangmidtpunkterne; interval fra 100.000 simulerede datasæt, som PHE",
            "The slope of a weighted linear regression on the rank midpoints; interval from 100,000 simulated data sets, as PHE",
        ],
        reference: "Low & Low (2004); PHEindicatormethods phe_sii",
    },
    MethodNote {
        measure: Measure::Summary(SummaryMeasure::Rii),
        method: "heat-logistic",
        name: [
            "Relativt ulighedsindeks (RII)",
            "Relative index of inequality (RII)",
        ],
        formula: [
            "Forholdet mellem den forventede værdi ved rang 1 og 0 (logistisk regression); interval ved delta-metoden på log-skala (A.3)",
            "The ratio of the predicted values at rank 1 and 0 (logistic regression); interval by the delta method on the log scale (A.3)",
        ],
        reference: HEAT,
    },
    MethodNote {
        measure: Measure::Summary(SummaryMeasure::Rii),
        method: "phe-linear",
        name: [
            "Relativt ulighedsindeks (RII), lineær",
            "Relative index of inequality (RII), linear",
        ],
        formula: [
            "SII divideret med det vægtede gennemsnit",
            "SII divided by the weighted mean",
        ],
        reference: "PHEindicatormethods phe_sii",
    },
    MethodNote {
        measure: Measure::Summary(SummaryMeasure::Aci),
        method: "heat",
        name: [
            "Absolut koncentrationsindeks (ACI)",
            "Absolute concentration index (ACI)",
        ],
        formula: [
            "Σ pⱼ(2Xⱼ − 1)yⱼ med befolkningsandel pⱼ og rangmidtpunkt Xⱼ; interval ved delta-metoden (A.3)",
            "Σ pⱼ(2Xⱼ − 1)yⱼ with population share pⱼ and rank midpoint Xⱼ; interval by the delta method (A.3)",
        ],
        reference: "O'Donnell m.fl. (2008); WHO HEAT",
    },
    MethodNote {
        measure: Measure::Summary(SummaryMeasure::Rci),
        method: "heat",
        name: [
            "Relativt koncentrationsindeks (RCI)",
            "Relative concentration index (RCI)",
        ],
        formula: [
            "ACI / μ; interval ved delta-metoden (A.3)",
            "ACI / μ; interval by the delta method (A.3)",
        ],
        reference: "O'Donnell m.fl. (2008); WHO HEAT",
    },
    MethodNote {
        measure: Measure::Summary(SummaryMeasure::Par),
        method: "heat",
        name: [
            "Befolkningsattributabel risiko (PAR)",
            "Population attributable risk (PAR)",
        ],
        formula: [
            "y_ref − μ: hvor meget gennemsnittet μ ville ændre sig, hvis alle havde værdien i den bedst stillede gruppe (for opdelinger uden rækkefølge: gruppen med det bedste resultat); 0, hvis den gruppe ligger dårligere end gennemsnittet; interval ved delta-metoden, kun for ordnede opdelinger (A.3)",
            "y_ref − μ: how much the mean μ would change if everyone had the value of the most advantaged group (for dimensions without an order: the group with the best result); 0 if that group does worse than the mean; interval by the delta method, for ordered dimensions only (A.3)",
        ],
        reference: HEAT,
    },
    MethodNote {
        measure: Measure::Summary(SummaryMeasure::Paf),
        method: "heat",
        name: [
            "Befolkningsattributabel fraktion (PAF)",
            "Population attributable fraction (PAF)",
        ],
        formula: [
            "PAR / μ · 100; interval ved delta-metoden, kun for ordnede opdelinger (A.3)",
            "PAR / μ · 100; interval by the delta method, for ordered dimensions only (A.3)",
        ],
        reference: HEAT,
    },
    MethodNote {
        measure: Measure::Summary(SummaryMeasure::Bgv),
        method: "heat",
        name: [
            "Varians mellem grupper (BGV)",
            "Between-group variance (BGV)",
        ],
        formula: [
            "Σ pⱼ(yⱼ − μ)²; intet interval (A.3)",
            "Σ pⱼ(yⱼ − μ)²; no interval (A.3)",
        ],
        reference: HEAT,
    },
    MethodNote {
        measure: Measure::Summary(SummaryMeasure::Bgsd),
        method: "heat-simulated",
        name: [
            "Standardafvigelse mellem grupper (BGSD)",
            "Between-group standard deviation (BGSD)",
        ],
        formula: ["√BGV; intet interval (A.3)", "√BGV; no interval (A.3)"],
        reference: HEAT,
    },
    MethodNote {
        measure: Measure::Summary(SummaryMeasure::Cov),
        method: "heat-simulated",
        name: [
            "Variationskoefficient (COV)",
            "Coefficient of variation (COV)",
        ],
        formula: [
            "BGSD / μ · 100; intet interval (A.3)",
            "BGSD / μ · 100; no interval (A.3)",
        ],
        reference: HEAT,
    },
    MethodNote {
        measure: Measure::Summary(SummaryMeasure::Mld),
        method: "heat",
        name: [
            "Gennemsnitlig logaritmisk afvigelse (MLD)",
            "Mean log deviation (MLD)",
        ],
        formula: [
            "Σ pⱼ(−ln(yⱼ/μ)); intet interval (A.3)",
            "Σ pⱼ(−ln(yⱼ/μ)); no interval (A.3)",
        ],
        reference: HEAT,
    },
    MethodNote {
        measure: Measure::Summary(SummaryMeasure::Ti),
        method: "heat",
        name: ["Theils indeks (TI)", "Theil index (TI)"],
        formula: [
            "Σ pⱼ(yⱼ/μ)ln(yⱼ/μ); intet interval (A.3)",
            "Σ pⱼ(yⱼ/μ)ln(yⱼ/μ); no interval (A.3)",
        ],
        reference: HEAT,
    },
    MethodNote {
        measure: Measure::Summary(SummaryMeasure::Idisu),
        method: "heat-simulated",
        name: [
            "Uvægtet disparitetsindeks (IDISU)",
            "Index of disparity, unweighted (IDISU)",
        ],
        formula: [
            "Σ|yⱼ − μ| / n / μ · 100; intet interval (A.3)",
            "Σ|yⱼ − μ| / n / μ · 100; no interval (A.3)",
        ],
        reference: HEAT,
    },
    MethodNote {
        measure: Measure::Summary(SummaryMeasure::Idisw),
        method: "heat-simulated",
        name: [
            "Vægtet disparitetsindeks (IDISW)",
            "Index of disparity, weighted (IDISW)",
        ],
        formula: [
            "Σ pⱼ|yⱼ − μ| / μ · 100; intet interval (A.3)",
            "Σ pⱼ|yⱼ − μ| / μ · 100; no interval (A.3)",
        ],
        reference: HEAT,
    },
    MethodNote {
        measure: Measure::WaitingDaysMean,
        method: "student-t",
        name: ["Ventetid, gennemsnit", "Waiting time, mean"],
        formula: [
            "Gennemsnitligt antal dage fra indeks til udfaldet blandt dem med udfaldet; Students t-interval",
            "Mean days from the index to the outcome among those with it; Student's t interval",
        ],
        reference: "Student (1908)",
    },
    MethodNote {
        measure: Measure::WaitingDaysMedian,
        method: "median",
        name: ["Ventetid, median", "Waiting time, median"],
        formula: [
            "Median antal dage fra indeks til udfaldet",
            "Median days from the index to the outcome",
        ],
        reference: "",
    },
    MethodNote {
        measure: Measure::StayDaysMean,
        method: "student-t",
        name: ["Liggetid, gennemsnit", "Length of stay, mean"],
        formula: [
            "Gennemsnitligt antal dage fra ankomsten til udskrivelsen af indeksopholdet blandt de udskrevne i vinduet; Students t-interval",
            "Mean days from the arrival to the discharge of the index stay among those discharged in the window; Student's t interval",
        ],
        reference: "Student (1908)",
    },
    MethodNote {
        measure: Measure::StayDaysMedian,
        method: "median",
        name: ["Liggetid, median", "Length of stay, median"],
        formula: [
            "Median antal dage fra ankomsten til udskrivelsen af indeksopholdet",
            "Median days from the arrival to the discharge of the index stay",
        ],
        reference: "",
    },
    MethodNote {
        measure: Measure::EventsMean,
        method: "student-t",
        name: [
            "Antal hændelser pr. patient, gennemsnit",
            "Events per patient, mean",
        ],
        formula: [
            "Gennemsnitligt antal hændelser i vinduet pr. patient i risiko (også dem uden hændelser); Students t-interval",
            "Mean number of events in the window per patient at risk (those without any included); Student's t interval",
        ],
        reference: "Student (1908)",
    },
    MethodNote {
        measure: Measure::EventsMedian,
        method: "median",
        name: [
            "Antal hændelser pr. patient, median",
            "Events per patient, median",
        ],
        formula: [
            "Median antal hændelser i vinduet pr. patient i risiko",
            "Median number of events in the window per patient at risk",
        ],
        reference: "",
    },
    MethodNote {
        measure: Measure::Funnel95,
        method: "phe-funnel-proportion",
        name: ["Tragtgrænser 95\u{a0}%", "Funnel limits 95%"],
        formula: [
            "Kontrolgrænser om den nationale andel ved enhedens antal patienter (Wilson)",
            "Control limits around the national proportion at the unit's number of patients (Wilson)",
        ],
        reference: "Spiegelhalter (2005); PHEindicatormethods phe_funnels",
    },
    MethodNote {
        measure: Measure::Funnel998,
        method: "phe-funnel-proportion",
        name: ["Tragtgrænser 99,8\u{a0}%", "Funnel limits 99.8%"],
        formula: [
            "Som 95\u{a0}%-grænserne med 3 standardafvigelser",
            "As the 95% limits, at 3 standard deviations",
        ],
        reference: "Spiegelhalter (2005); PHEindicatormethods phe_funnels",
    },
    MethodNote {
        measure: Measure::StandardMet,
        method: "quality-standard",
        name: ["Standard opfyldt", "Standard met"],
        formula: [
            "1, når enhedens andel er mindst standarden, ellers 0",
            "1 when the unit's proportion is at least the standard, otherwise 0",
        ],
        reference: "",
    },
];

/// The note of a (measure, method), if the appendix has one.
pub fn note(measure: Measure, method: &str) -> Option<&'static MethodNote> {
    NOTES
        .iter()
        .find(|n| n.measure == measure && n.method == method)
}

/// The name of a summary measure for a table row.
pub fn measure_name(measure: Measure, method: &str, lang: Lang) -> String {
    note(measure, method)
        .map(|n| n.name(lang).to_string())
        .unwrap_or_else(|| measure.code().to_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every summary measure a pipeline can write has a note, so no appendix entry is missing.
    #[test]
    fn every_summary_measure_has_a_note() {
        for s in SummaryMeasure::DEFAULT {
            assert!(
                NOTES.iter().any(|n| n.measure == Measure::Summary(s)),
                "no method note for {s:?}"
            );
        }
    }
}
