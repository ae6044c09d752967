//! The standard population of an analysis's age-and-sex standardisation: ESP2013, or the Danish
//! population of a year counted from the population register.

use polars::prelude::*;

use crate::cohort;
use crate::error::{Error, Result};
use crate::measures::dsr::esp2013_weights;
use crate::registers::scan::RegisterSet;
use crate::results::StandardWeights;
use crate::spec::{LoadedSpec, Standard};

/// The standard population weights by sex and 5-year age band.
pub fn standard_weights(
    registers: &RegisterSet,
    loaded: &LoadedSpec,
) -> Result<Option<StandardWeights>> {
    let Some(s) = &loaded.spec.standardisation else {
        return Ok(None);
    };
    match s.standard {
        Standard::Esp2013 => {
            let esp = esp2013_weights().map(|w| w / 2.0);
            Ok(Some(StandardWeights {
                name: "ESP2013",
                weights: [esp, esp],
            }))
        }
        Standard::Danish(year) => {
            // The same for every analysis standardised to this year: counted once per run. One
            // integer per sex and age band (sex * 100 + band) is grouped, where a text and an
            // integer key are encoded together for every person first.
            let table = registers.shared(&format!("standard_population/{year}"), || {
                let band = when(col("AGE").gt_eq(lit(90)))
                    .then(lit(18))
                    .when(col("AGE").lt(lit(0)))
                    .then(lit(0))
                    .otherwise((col("AGE") / lit(5)).cast(DataType::Int32))
                    .cast(DataType::Int32)
                    .fill_null(lit(0));
                let female = col("KOEN").eq(lit("2")).fill_null(lit(false));
                cohort::register_population(registers, year, loaded)?
                    .select([(female.cast(DataType::Int32) * lit(100) + band).alias("CELL")])
                    .group_by([col("CELL")])
                    .agg([len().cast(DataType::Float64).alias("n")])
                    .collect()
                    .map_err(|e| Error::BadInput(format!("the standard population dk{year}: {e}")))
            })?;
            let mut weights = [[0.0; 19]; 2];
            let cell = table.column("CELL")?.i32()?;
            let n = table.column("n")?.f64()?;
            for (cell, n) in cell.iter().zip(n.iter()) {
                let cell = cell.unwrap_or(0);
                let (sex, band) = ((cell / 100).clamp(0, 1), (cell % 100).clamp(0, 18));
                weights[sex as usize][band as usize] += n.unwrap_or(0.0);
            }
            Ok(Some(StandardWeights {
                name: "dk",
                weights,
            }))
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::spec;

    /// The Danish standard population of 2023 counted by hand from six residents' ages on
    /// 1 January 2023: three men of 32-34 (band 6, one of them 33 on his birthday, one a day
    /// short of 35), a woman of 92 (band 18, 90+), one of 89 (band 17, a day short of 90) and a
    /// girl of 0 (band 0).
    #[test]
    fn the_danish_standard_population_counts_residents_by_sex_and_age_band() {
        let dir = tempfile::tempdir().expect("temp");
        std::fs::write(
            dir.path().join("bef2023.csv"),
            "PNR,FOED_DAG,KOEN,KOM,IE_TYPE\n\
             1,1990-06-01,1,101,1\n2,1990-01-01,1,101,1\n3,1988-01-02,1,101,1\n\
             4,1930-05-05,2,101,1\n5,1933-01-02,2,101,1\n6,2022-12-31,2,101,1\n",
        )
        .expect("bef");
        let registers = RegisterSet::open(dir.path()).expect("opened");
        let loaded = spec::load(Path::new("pipelines/multimorbidity_contacts.toml")).expect("spec");
        let standard = standard_weights(&registers, &loaded)
            .expect("counted")
            .expect("the spec standardises");
        let mut expected = [[0.0; 19]; 2];
        expected[0][6] = 3.0;
        expected[1][18] = 1.0;
        expected[1][17] = 1.0;
        expected[1][0] = 1.0;
        assert_eq!(standard.name, "dk");
        assert_eq!(standard.weights, expected);
    }
}
