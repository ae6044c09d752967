//! The background volume of the event registers: hospital contacts with their diagnoses and
//! procedures, and redeemed prescriptions, of every person in one calendar year.
//!
//! These rows are most of a register set (at national scale about 15 million contacts and 36
//! million prescriptions a year) and belong to no patient group, so they are generated a year at a
//! time from a random stream of their own (the seed, the year and the chunk of persons): a year's
//! rows can then be sorted by date and written before the next year is generated, which keeps
//! memory to one year and puts the files in date order (so date filters skip row groups).

use polars::prelude::*;

use super::catalogue::{self, row_hash};
use super::hospitals::HOSPITALS;
use crate::dates;
use crate::error::Result;
use crate::rng::Rng;

/// What a background diagnosis was drawn from, one in ten each: a urinary tract infection
/// (`DN390`, which multimorbidity's avoidable admissions count, [`URINARY_TRACT_INFECTION`]) or
/// one of nine slots for a code of the [`catalogue`], read by no analysis.
const DIAGNOSIS_SLOTS: u64 = 10;
/// The slot of the urinary tract infection among [`DIAGNOSIS_SLOTS`].
const URINARY_TRACT_INFECTION_SLOT: u64 = 7;
/// The one background diagnosis an analysis reads.
const URINARY_TRACT_INFECTION: &str = "DN390";
/// How many procedure codes and ATC codes a draw was spread over when the background had a
/// handful of each; the draw is kept, as one value of the random stream, and its code now comes
/// from the [`catalogue`].
const PROCEDURE_DRAWS: u64 = 5;
const DRUG_DRAWS: u64 = 11;
/// The department of background contacts (the emergency department, [`super::hospitals::UNITS`]).
const UNIT_GENERAL: &str = super::hospitals::UNITS[5].0;
/// Share of diagnoses marked as later retracted (`SENERE_AFKRAEFTET = "Ja"`).
const RETRACTED: f64 = 0.01;

/// Register volumes per person-year (contacts, prescriptions) and per contact (diagnoses,
/// procedures) of the background rows. Persons of 20 have about half the mean rate and persons of
/// 80 about one and a half times it.
#[derive(Debug, Clone, Copy)]
pub struct Volumes {
    pub contacts_per_person_year: f64,
    pub diagnoses_per_contact: f64,
    pub procedures_per_contact: f64,
    pub prescriptions_per_person_year: f64,
}

/// What the background generator needs of a person, kept for everyone between the passes.
#[derive(Debug, Clone, Copy)]
pub struct Life {
    /// See [`dates::jan1_age_base`].
    pub jan1_age_base: i32,
    /// The first day in Denmark (birth or immigration during the span, or before it).
    pub arrived: i32,
    /// The day of death or emigration, or a day after the span.
    pub death: i32,
    /// Index into [`HOSPITALS`].
    pub hospital: u8,
}

/// Background rows of one year for a run of persons, with persons by index and codes by
/// reference; [`YearRows::frames`] turns them into the register's columns.
#[derive(Default)]
pub struct YearRows {
    contact_person: Vec<u32>,
    contact_key: Vec<i64>,
    contact_start: Vec<i32>,
    contact_end: Vec<i32>,
    contact_hospital: Vec<u8>,
    contact_action: Vec<&'static str>,
    diagnosis_key: Vec<i64>,
    diagnosis_code: Vec<&'static str>,
    diagnosis_kind: Vec<&'static str>,
    diagnosis_retracted: Vec<bool>,
    procedure_key: Vec<i64>,
    procedure_code: Vec<&'static str>,
    procedure_day: Vec<i32>,
    prescription_person: Vec<u32>,
    prescription_day: Vec<i32>,
    prescription_atc: Vec<&'static str>,
}

/// The run's constants for generating background rows.
pub struct Generator<'a> {
    pub seed: u64,
    pub persons: u64,
    pub first_year: i32,
    pub last_day: i32,
    pub volumes: Volumes,
    pub lives: &'a [Life],
}

impl Generator<'_> {
    /// The rows of persons `first..last` in `year`, from the stream of (`year`, `chunk`).
    pub fn year_rows(&self, year: i32, chunk: u64, first: u64, last: u64) -> YearRows {
        let stream = 0x4241_434B_0000_0000 ^ ((year as u64) << 32) ^ chunk;
        let mut rng = Rng::new(self.seed, stream);
        let mut rows = YearRows::default();
        let (jan1, dec31) = (dates::jan1(year), dates::jan1(year + 1) - 1);
        let v = self.volumes;
        // Keys of background contacts come after every patient-group key (person * 1000 + n).
        let year_block = (year - self.first_year + 1) as u64 * self.persons;
        for index in first..last {
            let life = self.lives[index as usize];
            if life.death <= jan1 || life.arrived > dec31 {
                continue;
            }
            let age = (year - life.jan1_age_base).max(0) as f64;
            let contacts = rng.poisson(v.contacts_per_person_year * (0.5 + age / 60.0) / 1.15);
            for n in 0..contacts as i64 {
                let day = rng.between(jan1, dec31);
                let length = rng.between(0, 2);
                let action_slot = rng.below(DIAGNOSIS_SLOTS);
                if day >= life.death || day < life.arrived {
                    continue;
                }
                let key = ((year_block + index) * 1000) as i64 + n;
                let action = diagnosis(action_slot, key, 0);
                rows.contact_person.push(index as u32);
                rows.contact_key.push(key);
                rows.contact_start.push(day);
                rows.contact_end.push((day + length).min(self.last_day));
                rows.contact_hospital.push(life.hospital);
                rows.contact_action.push(action);
                rows.diagnosis_key.push(key);
                rows.diagnosis_code.push(action);
                rows.diagnosis_kind.push("A");
                rows.diagnosis_retracted.push(false);
                for other in 1..=rng.poisson((v.diagnoses_per_contact - 1.0).max(0.0)) {
                    rows.diagnosis_key.push(key);
                    rows.diagnosis_code.push(diagnosis(
                        rng.below(DIAGNOSIS_SLOTS),
                        key,
                        u64::from(other),
                    ));
                    rows.diagnosis_kind.push("B");
                    rows.diagnosis_retracted.push(rng.bernoulli(RETRACTED));
                }
                for nth in 0..rng.poisson(v.procedures_per_contact) {
                    rows.procedure_key.push(key);
                    let draw = rng.below(PROCEDURE_DRAWS);
                    rows.procedure_code
                        .push(catalogue::procedures().pick(row_hash(&[
                            key as u64,
                            draw,
                            u64::from(nth),
                        ])));
                    rows.procedure_day.push(day);
                }
            }
            let prescriptions =
                rng.poisson(v.prescriptions_per_person_year * (0.4 + age / 50.0) / 1.3);
            for nth in 0..prescriptions {
                let day = rng.between(jan1, dec31);
                let draw = rng.below(DRUG_DRAWS);
                let atc =
                    catalogue::drugs().pick(row_hash(&[index, day as u64, draw, u64::from(nth)]));
                if day < life.death && day >= life.arrived {
                    rows.prescription_person.push(index as u32);
                    rows.prescription_day.push(day);
                    rows.prescription_atc.push(atc);
                }
            }
        }
        rows
    }
}

impl YearRows {
    /// The rows of `parts` (runs of persons, in order) in one, each column allocated once at its
    /// full length: appending one run after another regrew every column several times over a
    /// national year's tens of millions of rows. A part's column is freed once it is copied.
    pub fn concat(mut parts: Vec<YearRows>) -> YearRows {
        macro_rules! concatenated {
            ($($column:ident),*) => {
                YearRows {
                    $($column: {
                        let mut all = Vec::with_capacity(parts.iter().map(|p| p.$column.len()).sum());
                        for part in parts.iter_mut() {
                            all.extend(std::mem::take(&mut part.$column));
                        }
                        all
                    },)*
                }
            };
        }
        concatenated!(
            contact_person,
            contact_key,
            contact_start,
            contact_end,
            contact_hospital,
            contact_action,
            diagnosis_key,
            diagnosis_code,
            diagnosis_kind,
            diagnosis_retracted,
            procedure_key,
            procedure_code,
            procedure_day,
            prescription_person,
            prescription_day,
            prescription_atc
        )
    }

    /// The contract's frames (contacts, diagnoses, procedures, prescriptions) of these rows;
    /// `pnrs` holds every person's `PNR` by index.
    pub fn frames(self, pnrs: &StringChunked) -> Result<[DataFrame; 4]> {
        let units: Vec<String> = (0..HOSPITALS.len())
            .map(|h| super::hospitals::shak_code(h, UNIT_GENERAL))
            .collect();
        let pnr_of = |persons: Vec<u32>| -> Result<Column> {
            let indices = IdxCa::from_vec("i".into(), persons);
            Ok(pnrs.take(&indices)?.with_name("PNR".into()).into_column())
        };
        let rows = self.contact_key.len();
        let arrivals: Vec<super::clock::Arrival> = self
            .contact_key
            .iter()
            .map(|&key| super::clock::background_arrival(key))
            .collect();
        let times: Vec<(i32, i32)> = self
            .contact_key
            .iter()
            .zip(&arrivals)
            .zip(self.contact_start.iter().zip(&self.contact_end))
            .map(|((&key, &arrival), (&start, &end))| {
                super::clock::times(key, arrival, end - start)
            })
            .collect();
        let procedure_times: Vec<i32> = self
            .procedure_key
            .iter()
            .map(|&key| super::clock::working_hours(key))
            .collect();
        let contacts = DataFrame::new_infer_height(vec![
            Column::new("DW_EK_KONTAKT".into(), self.contact_key),
            pnr_of(self.contact_person)?,
            super::writer::date("DATO_START", self.contact_start),
            super::writer::date("DATO_SLUT", self.contact_end),
            Column::new("KONTAKTTYPE".into(), vec!["ALCA00"; rows]),
            StringChunked::from_iter_values(
                "SORENHED_ANS".into(),
                self.contact_hospital
                    .iter()
                    .map(|&h| units[h as usize].as_str()),
            )
            .into_column(),
            Column::new("AKTIONSDIAGNOSE".into(), self.contact_action),
            Column::new(
                "PRIORITET".into(),
                arrivals.iter().map(|a| a.code()).collect::<Vec<_>>(),
            ),
            Column::new(
                "TIDSPUNKT_START".into(),
                times.iter().map(|t| t.0).collect::<Vec<_>>(),
            ),
            Column::new(
                "TIDSPUNKT_SLUT".into(),
                times.iter().map(|t| t.1).collect::<Vec<_>>(),
            ),
        ])?;
        let diagnoses = DataFrame::new_infer_height(vec![
            Column::new("DW_EK_KONTAKT".into(), self.diagnosis_key),
            Column::new("DIAGNOSEKODE".into(), self.diagnosis_code),
            Column::new("DIAGNOSETYPE".into(), self.diagnosis_kind),
            StringChunked::from_iter(self.diagnosis_retracted.iter().map(|&r| r.then_some("Ja")))
                .with_name("SENERE_AFKRAEFTET".into())
                .into_column(),
        ])?;
        let procedures = DataFrame::new_infer_height(vec![
            Column::new("DW_EK_KONTAKT".into(), self.procedure_key),
            Column::new("PROCEDUREKODE".into(), self.procedure_code),
            super::writer::date("DATO_START", self.procedure_day),
            Column::new("TIDSPUNKT_START".into(), procedure_times),
        ])?;
        let packages = self.prescription_day.len();
        let prescriptions = DataFrame::new_infer_height(vec![
            pnr_of(self.prescription_person)?,
            super::writer::date("EKSD", self.prescription_day),
            Column::new("ATC".into(), self.prescription_atc),
            Column::new("APK".into(), vec![1i32; packages]),
        ])?;
        Ok([contacts, diagnoses, procedures, prescriptions])
    }
}

/// The diagnosis of a background contact drawn in slot `slot` of [`DIAGNOSIS_SLOTS`]: the urinary
/// tract infection in its slot, else a code of the catalogue chosen by the contact's key and the
/// diagnosis's place on it (`nth`, 0 for the action diagnosis).
fn diagnosis(slot: u64, key: i64, nth: u64) -> &'static str {
    if slot == URINARY_TRACT_INFECTION_SLOT {
        URINARY_TRACT_INFECTION
    } else {
        catalogue::diagnoses().pick(row_hash(&[key as u64, nth]))
    }
}
