//! The patients of an analysis in one year, collected once: the cohort with its outcomes and
//! strata, and the sub-populations of its sub-analyses. Every table is a GROUP BY over it.

use polars::prelude::*;

use crate::error::{Error, Result};
use crate::registers::scan::RegisterSet;
use crate::spec::{LoadedSpec, SubAnalysis};
use crate::{cohort, strata};

/// The spec of the results of `year` ([`LoadedSpec::design_in_year`]).
pub fn in_year(loaded: &LoadedSpec, year: i32) -> LoadedSpec {
    LoadedSpec {
        design: loaded.design_in_year(year),
        ..loaded.clone()
    }
}

/// The collected patient frame of one year: patients with outcomes and strata.
pub fn patient_frame(registers: &RegisterSet, loaded: &LoadedSpec) -> Result<DataFrame> {
    let computed = |frame: LazyFrame| {
        crate::registers::scan::collect_streaming(frame).map_err(|e| {
            Error::BadInput(format!(
                "{}: the analysis could not be computed from the registers: {e}",
                loaded.path.display()
            ))
        })
    };
    // Collected between stages: each outcome and stratifier joins the patients again, and a
    // collected frame is not recomputed for each join.
    let patients = computed(cohort::patients(registers, loaded)?)?.lazy();
    let patients = computed(cohort::with_outcomes(registers, loaded, patients)?)?.lazy();
    let mut frame = strata::attach(registers, loaded, patients)?;
    let regions = &loaded.spec.population.regions;
    if !regions.is_empty() {
        frame = frame.filter(col("region").is_in(
            lit(Series::new("r".into(), regions.clone())).implode(false),
            false,
        ));
    }
    computed(frame)
}

/// The rows of a sub-analysis's sub-population.
pub fn restrict(frame: &DataFrame, sub: &SubAnalysis) -> Result<DataFrame> {
    let mut keep = lit(true);
    if let Some(sex) = &sub.sex {
        keep = keep.and(col("KOEN").eq(lit(sex.clone())));
    }
    if let Some(min) = sub.age_min {
        keep = keep.and(col("AGE").gt_eq(lit(min)));
    }
    if let Some(max) = sub.age_max {
        keep = keep.and(col("AGE").lt_eq(lit(max)));
    }
    if !sub.regions.is_empty() {
        keep = keep.and(col("region").is_in(
            lit(Series::new("r".into(), sub.regions.clone())).implode(false),
            false,
        ));
    }
    Ok(frame.clone().lazy().filter(keep).collect()?)
}
