//! The spec's `units` and `specialty` as the SOR codes they select.
//!
//! The patient register names a contact's unit by its code in Sundhedsvæsenets
//! Organisationsregister (SOR; `SORENHED_ANS`), an identifier that says nothing of the unit's
//! hospital, type or specialty. A criterion or contact outcome that asks for a unit type
//! (`units = ["ambulatorium"]`) or a specialty (`specialty = ["ortopædisk kirurgi"]`) is therefore
//! looked up in the user's SOR table (`[classifications] sor`), once, when a run reads its
//! classification tables; the cohort then keeps the contacts whose code is one of those found
//! ([`crate::registers::classification::sor_units`]).

use crate::error::{Error, Result};
use crate::registers::classification;
use crate::spec::LoadedSpec;

/// Fills every criterion's and outcome's `unit_codes` from the SOR table. A spec that asks for
/// units or specialties without a SOR table is refused, naming the key: without the table no
/// contact could be placed.
pub fn resolve(loaded: &mut LoadedSpec) -> Result<()> {
    let table = loaded.classifications.sor.clone();
    let path = loaded.path.clone();
    let lookup = |key: String,
                  units: &[String],
                  specialty: &[String]|
     -> Result<Option<Vec<String>>> {
        if units.is_empty() && specialty.is_empty() {
            return Ok(None);
        }
        let Some(table) = &table else {
            return Err(Error::BadSpec(format!(
                "{}: key `{key}`: unit types and specialties are read from the SOR table (expected [classifications] sor = \"FILE.csv\" in the spec or in ulighed.toml, with columns SOR,NAVN,REGION,SYGEHUS,ENHEDSTYPE,SPECIALE)",
                path.display()
            )));
        };
        classification::sor_units(table, units, specialty).map(Some)
    };
    let group = &mut loaded.spec.patient_group;
    for (list, criteria) in [
        ("include", &mut group.include),
        ("exclude", &mut group.exclude),
    ] {
        for (i, c) in criteria.iter_mut().enumerate() {
            let key = format!("patient_group.{list}[{i}]");
            c.unit_codes = lookup(key, &c.units, &c.specialty)?;
        }
    }
    for o in &mut loaded.spec.outcomes {
        o.unit_codes = lookup(format!("outcomes.{}", o.id), &o.units, &o.specialty)?;
    }
    Ok(())
}

/// Whether every criterion and outcome that asks for units has had them looked up: the cohort
/// refuses to run otherwise, rather than count contacts at every unit.
pub fn resolved(loaded: &LoadedSpec) -> bool {
    let group = &loaded.spec.patient_group;
    let criteria = group.include.iter().chain(&group.exclude);
    criteria
        .map(|c| (&c.units, &c.specialty, &c.unit_codes))
        .chain(
            loaded
                .spec
                .outcomes
                .iter()
                .map(|o| (&o.units, &o.specialty, &o.unit_codes)),
        )
        .all(|(units, specialty, codes)| {
            (units.is_empty() && specialty.is_empty()) || codes.is_some()
        })
}
