//! Life courses of synthetic persons: deaths, disease onsets, hospital contacts, procedures and
//! prescriptions, written as the register rows of one chunk of persons.
//!
//! Onsets come from yearly hazards that rise with age (Gompertz-like) and are higher with shorter
//! education, so patient groups have a realistic social composition. Rates are enriched relative
//! to Denmark so that a sample of tens of thousands of persons has hundreds of patients per group;
//! the background volume of contacts and prescriptions is generated a year at a time by
//! [`super::background`].

use super::clock::{self, Arrival};
use super::hospitals::{UNITS, shak_code};
use super::model::{PatientStrata, TruthAccumulator, offer};
use super::population::Person;
use crate::dates;
use crate::registers::codes::EducationGroup;
use crate::rng::Rng;

/// The departments ([`super::hospitals::UNITS`]) whose SHAK codes, after the hospital's, form a
/// contact's unit.
const UNIT_MEDICINE: &str = UNITS[0].0;
const UNIT_CARDIOLOGY: &str = UNITS[1].0;
const UNIT_ORTHOPAEDICS: &str = UNITS[2].0;
const UNIT_CHILD_PSYCHIATRY_OUTPATIENT: &str = UNITS[3].0;
const UNIT_PSYCHIATRIC_ASSESSMENT: &str = UNITS[4].0;
const UNIT_EMERGENCY: &str = UNITS[5].0;

/// A chronic condition for the multimorbidity count: id, yearly hazard at 60, rise per year of
/// age, social gradient (log hazard per step of education disadvantage), action diagnosis.
pub struct ChronicCondition {
    pub id: &'static str,
    pub hazard_at_60: f64,
    pub age_slope: f64,
    pub social_gradient: f64,
    pub diagnosis: &'static str,
}

/// The conditions; type 2 diabetes is the first (its patients are also the diabetes group).
pub const CHRONIC_CONDITIONS: [ChronicCondition; 8] = [
    ChronicCondition {
        id: "t2d",
        hazard_at_60: 0.012,
        age_slope: 0.04,
        social_gradient: 0.6,
        diagnosis: "DE119",
    },
    ChronicCondition {
        id: "copd",
        hazard_at_60: 0.006,
        age_slope: 0.06,
        social_gradient: 0.8,
        diagnosis: "DJ449",
    },
    ChronicCondition {
        id: "heart_failure",
        hazard_at_60: 0.003,
        age_slope: 0.08,
        social_gradient: 0.4,
        diagnosis: "DI509",
    },
    ChronicCondition {
        id: "ischaemic_heart",
        hazard_at_60: 0.005,
        age_slope: 0.06,
        social_gradient: 0.4,
        diagnosis: "DI259",
    },
    ChronicCondition {
        id: "asthma",
        hazard_at_60: 0.003,
        age_slope: 0.0,
        social_gradient: 0.3,
        diagnosis: "DJ459",
    },
    ChronicCondition {
        id: "kidney",
        hazard_at_60: 0.002,
        age_slope: 0.07,
        social_gradient: 0.3,
        diagnosis: "DN189",
    },
    ChronicCondition {
        id: "osteoporosis",
        hazard_at_60: 0.004,
        age_slope: 0.07,
        social_gradient: 0.2,
        diagnosis: "DM819",
    },
    ChronicCondition {
        id: "depression",
        hazard_at_60: 0.003,
        age_slope: 0.0,
        social_gradient: 0.5,
        diagnosis: "DF331",
    },
];

/// Column buffers for the rows of one chunk, in register order.
#[derive(Default)]
pub struct ChunkRows {
    pub bef: Vec<BefRows>,
    pub udda: Vec<UddaRows>,
    pub akm: Vec<AkmRows>,
    pub ind: Vec<IndRows>,
    pub contacts: ContactRows,
    pub diagnoses: DiagnosisRows,
    pub procedures: ProcedureRows,
    pub prescriptions: PrescriptionRows,
    pub deaths: DeathRows,
    pub migrations: MigrationRows,
    pub truth: TruthAccumulator,
}

#[derive(Default)]
pub struct BefRows {
    pub pnr: Vec<String>,
    pub born: Vec<i32>,
    pub sex: Vec<&'static str>,
    pub municipality: Vec<String>,
    pub origin: Vec<&'static str>,
    pub civil: Vec<&'static str>,
    pub mother: Vec<Option<String>>,
    pub father: Vec<Option<String>>,
    pub family: Vec<&'static str>,
}
#[derive(Default)]
pub struct UddaRows {
    pub pnr: Vec<String>,
    pub hfaudd: Vec<String>,
}
/// The labour-market register's rows of a year (`PNR`, `SOCIO13`).
#[derive(Default)]
pub struct AkmRows {
    pub pnr: Vec<String>,
    pub socio13: Vec<&'static str>,
}
#[derive(Default)]
pub struct IndRows {
    pub pnr: Vec<String>,
    pub family: Vec<f64>,
    pub personal: Vec<f64>,
}
#[derive(Default)]
pub struct ContactRows {
    pub key: Vec<i64>,
    pub pnr: Vec<String>,
    pub start: Vec<i32>,
    pub end: Vec<i32>,
    pub kind: Vec<&'static str>,
    pub unit: Vec<String>,
    pub action: Vec<&'static str>,
    pub priority: Vec<&'static str>,
    /// Seconds since midnight.
    pub start_time: Vec<i32>,
    pub end_time: Vec<i32>,
}
#[derive(Default)]
pub struct DiagnosisRows {
    pub key: Vec<i64>,
    pub code: Vec<&'static str>,
    pub kind: Vec<&'static str>,
    pub retracted: Vec<Option<&'static str>>,
}
#[derive(Default)]
pub struct ProcedureRows {
    pub key: Vec<i64>,
    pub code: Vec<&'static str>,
    pub date: Vec<i32>,
    /// Seconds since midnight.
    pub time: Vec<i32>,
}
#[derive(Default)]
pub struct PrescriptionRows {
    pub pnr: Vec<String>,
    pub date: Vec<i32>,
    pub atc: Vec<&'static str>,
    pub packages: Vec<i32>,
}
#[derive(Default)]
pub struct DeathRows {
    pub pnr: Vec<String>,
    pub date: Vec<i32>,
}
/// The migration register's rows: `I` immigration, `U` emigration.
#[derive(Default)]
pub struct MigrationRows {
    pub pnr: Vec<String>,
    pub code: Vec<&'static str>,
    pub date: Vec<i32>,
}

/// The span of years being generated.
#[derive(Debug, Clone, Copy)]
pub struct Span {
    pub first_year: i32,
    pub last_year: i32,
}

impl Span {
    fn start(&self) -> i32 {
        dates::jan1(self.first_year)
    }
    fn end(&self) -> i32 {
        dates::jan1(self.last_year + 1) - 1
    }
}

/// Step of education disadvantage used by the onset hazards (0 long ... 1 short).
fn disadvantage(person: &Person) -> f64 {
    match EducationGroup::from_h_group(person.education_h) {
        EducationGroup::Short => 1.0,
        EducationGroup::Medium => 0.5,
        EducationGroup::Long => 0.0,
        EducationGroup::Unknown => 0.7,
    }
}

/// A day drawn uniformly in a calendar year.
fn day_in_year(rng: &mut Rng, year: i32) -> i32 {
    rng.between(dates::jan1(year), dates::jan1(year + 1) - 1)
}

/// Writes contacts for one person, numbering their keys from the person's index so that keys are
/// unique and independent of chunking.
struct ContactWriter<'a> {
    rows: &'a mut ChunkRows,
    person: &'a Person,
    next: i64,
    /// The last day of the span: contacts still open then end on it, as in an extract.
    last_day: i32,
}

impl ContactWriter<'_> {
    /// A contact starting on `start` as `arrival` and lasting `length` days, its times of day
    /// drawn by [`clock::times`]. Returns its key and its start's seconds since midnight.
    fn contact(
        &mut self,
        arrival: Arrival,
        start: i32,
        length: i32,
        unit: &str,
        action: &'static str,
    ) -> (i64, i32) {
        let key = self.next_key();
        let end = (start + length).min(self.last_day);
        let (start_time, end_time) = clock::times(key, arrival, end - start);
        self.contact_at(
            key,
            arrival,
            (start, start_time),
            (end, end_time),
            unit,
            action,
        );
        (key, start_time)
    }

    fn next_key(&mut self) -> i64 {
        let key = self.person.index as i64 * 1000 + self.next;
        self.next += 1;
        key
    }

    /// The contact `key` from `start` to `end` (day, seconds since midnight); an end after the
    /// span's last day is cut to it, as in an extract.
    fn contact_at(
        &mut self,
        key: i64,
        arrival: Arrival,
        start: (i32, i32),
        end: (i32, i32),
        unit: &str,
        action: &'static str,
    ) {
        let c = &mut self.rows.contacts;
        c.key.push(key);
        c.pnr.push(self.person.pnr.clone());
        c.start.push(start.0);
        c.start_time.push(start.1);
        c.end.push(end.0.min(self.last_day));
        c.end_time.push(end.1);
        c.kind.push("ALCA00");
        c.priority.push(arrival.code());
        c.unit
            .push(shak_code(self.person.residence_on(start.0).hospital, unit));
        c.action.push(action);
        let d = &mut self.rows.diagnoses;
        d.key.push(key);
        d.code.push(action);
        d.kind.push("A");
        d.retracted.push(None);
    }

    fn procedure(&mut self, key: i64, code: &'static str, date: i32, time: i32) {
        let p = &mut self.rows.procedures;
        p.key.push(key);
        p.code.push(code);
        p.date.push(date);
        p.time.push(time);
    }

    fn prescription(&mut self, date: i32, atc: &'static str) {
        let p = &mut self.rows.prescriptions;
        p.pnr.push(self.person.pnr.clone());
        p.date.push(date);
        p.atc.push(atc);
        p.packages.push(1);
    }
}

/// Generates every patient-group row of one person into `rows` (the background volume is
/// [`super::background`]'s) and returns the day the person's events end: death or emigration (a
/// day after the span if neither). Only a death in Denmark is in the death register.
pub fn generate_person(rng: &mut Rng, person: &Person, span: Span, rows: &mut ChunkRows) -> i32 {
    let (start, end) = (span.start(), span.end());
    // From here `death` is the end of the person's time in Denmark, death or emigration.
    let mut death = natural_death(rng, person, span).min(person.left);
    let social = disadvantage(person);

    // Chronic conditions may begin up to 15 years before the span (prevalent patients).
    let onsets: Vec<Option<i32>> = CHRONIC_CONDITIONS
        .iter()
        .map(|c| {
            (span.first_year - 15..=span.last_year).find_map(|year| {
                let age = person.age_at_jan1(year);
                let hazard = c.hazard_at_60
                    * (c.age_slope * (age - 60) as f64).exp()
                    * (c.social_gradient * social).exp();
                (age >= 25 && rng.bernoulli(hazard.min(0.5))).then(|| day_in_year(rng, year))
            })
        })
        .collect();

    let ami = first_event(rng, person, span, |age| {
        (age >= 30).then(|| 0.004 * (0.06 * (age - 65) as f64).exp() * (0.4 * social).exp())
    });
    let hip = first_event(rng, person, span, |age| {
        (age >= 65).then(|| 0.006 * (0.1 * (age - 80) as f64).exp())
    });
    let youth = first_event(rng, person, span, |age| {
        (10..=24).contains(&age).then(|| {
            let sex = if person.female { 1.8 } else { 1.0 };
            0.008 * sex * (0.3 * (5 - person.income_quintile()) as f64 / 4.0).exp()
        })
    });

    // Deaths caused by the acute events come before any later event is written.
    let ami_strata = ami.map(|day| PatientStrata::of(person, day));
    let ami_dies = match (ami, ami_strata) {
        (Some(day), Some(s)) if day < death => {
            let p = offer("ami_death30").probability(&s);
            let dies = rng.bernoulli(p);
            if dies {
                // Deaths fall after the first day, so that an offered PCI (days 0-2) is seen
                // unless the patient dies before it: the observed PCI share is then the offer's.
                death = death.min(day + rng.between(1, 29));
            }
            Some((day, s, dies))
        }
        _ => None,
    };
    let hip = hip.filter(|&d| d < death);
    if let Some(day) = hip
        && rng.bernoulli(0.015 * (0.08 * (person.age_on(day) - 80) as f64).exp())
    {
        death = death.min(day + rng.between(5, 29));
    }

    let mut out = ContactWriter {
        rows,
        person,
        next: 0,
        last_day: end,
    };
    write_population_rows(&mut out, span, death);

    // Chronic conditions: a yearly control contact with the condition as action diagnosis.
    for (condition, onset) in CHRONIC_CONDITIONS.iter().zip(&onsets) {
        let Some(onset) = *onset else { continue };
        for year in span.first_year.max(dates::year_of(onset))..=span.last_year {
            let day = if dates::year_of(onset) == year {
                onset
            } else {
                day_in_year(rng, year)
            };
            if day < death && day >= start.max(person.arrived) {
                let (key, _) =
                    out.contact(Arrival::Planned, day, 0, UNIT_MEDICINE, condition.diagnosis);
                avoidable_admission(&mut out, key, day, condition.diagnosis, social, death);
            }
        }
    }

    if let Some(onset) = onsets[0] {
        diabetes_treatment(rng, &mut out, onset, span, death);
    }
    multimorbidity_offer(rng, &mut out, &onsets, span, death);

    if let Some((day, strata, dies)) = ami_dies {
        let (key, arrived) = out.contact(
            Arrival::Acute,
            day,
            rng.between(2, 7),
            UNIT_CARDIOLOGY,
            "DI219",
        );
        let pci = offer("ami_pci");
        let p = pci.probability(&strata);
        out.rows.truth.record(pci.id, &strata, p);
        out.rows.truth.record(
            "ami_death30",
            &strata,
            offer("ami_death30").probability(&strata),
        );
        let pci_day = day + rng.between(0, 2);
        if rng.bernoulli(p) && pci_day <= death {
            // An acute PCI follows the arrival within hours; a later one is in the daytime.
            let time = if pci_day == day {
                (arrived + clock::between(key, 7, 30, 180) * 60).min(86_399)
            } else {
                clock::working_hours(key)
            };
            out.procedure(key, "KFNG05", pci_day, time);
        }
        if !dies && death > day + 30 {
            let rehab = offer("ami_rehab");
            let p = rehab.probability(&strata);
            out.rows.truth.record(rehab.id, &strata, p);
            let rehab_day = day + rng.between(30, 90);
            if rng.bernoulli(p) && rehab_day < death && rehab_day <= end {
                let (key, time) =
                    out.contact(Arrival::Planned, rehab_day, 0, UNIT_CARDIOLOGY, "DI219");
                out.procedure(key, "BFCA0", rehab_day, time);
            }
        }
    }

    if let Some(day) = hip {
        hip_fracture(rng, &mut out, day);
    }

    if let Some(day) = youth.filter(|&d| d < death) {
        let strata = PatientStrata::of(person, day);
        let model = offer("youth_psych_30d");
        let p = model.probability(&strata);
        out.rows.truth.record(model.id, &strata, p);
        let diagnosis = if rng.bernoulli(0.5) { "DF321" } else { "DF411" };
        out.contact(
            Arrival::Planned,
            day,
            0,
            UNIT_PSYCHIATRIC_ASSESSMENT,
            diagnosis,
        );
        let wait = if rng.bernoulli(p) {
            rng.between(3, 30)
        } else {
            rng.between(31, 180)
        };
        if day + wait < death && day + wait <= end {
            out.contact(
                Arrival::Planned,
                day + wait,
                0,
                UNIT_CHILD_PSYCHIATRY_OUTPATIENT,
                diagnosis,
            );
        }
    }

    if death <= end && death < person.left {
        out.rows.deaths.pnr.push(person.pnr.clone());
        out.rows.deaths.date.push(death);
    }
    // An arrival in the span that is no birth is an immigration; a departure, an emigration
    // (unless the person died first).
    let migrations = &mut out.rows.migrations;
    if person.arrived >= start && person.arrived != person.born {
        migrations.pnr.push(person.pnr.clone());
        migrations.code.push("I");
        migrations.date.push(person.arrived);
    }
    if person.left <= end && death == person.left {
        migrations.pnr.push(person.pnr.clone());
        migrations.code.push("U");
        migrations.date.push(person.left);
    }
    death
}

/// A hip fracture on `day`: the arrival at the emergency department at any hour, the
/// orthopaedic ward from an hour or less after it, and surgery within 24 hours of the arrival
/// with the patient's offer probability (6-24 hours), else 24-96 hours after it. The truth is
/// the probability of surgery within 24 hours of the arrival, which is what the hip-fracture
/// analysis measures (in hours, from the start of the stay).
fn hip_fracture(rng: &mut Rng, out: &mut ContactWriter, day: i32) {
    const DAY: i32 = 86_400;
    let strata = PatientStrata::of(out.person, day);
    let model = offer("hip_surgery_24h");
    let p = model.probability(&strata);
    out.rows.truth.record(model.id, &strata, p);
    let minutes = if rng.bernoulli(p) {
        rng.between(6 * 60, 24 * 60)
    } else {
        rng.between(24 * 60 + 1, 96 * 60)
    };
    let ward_days = rng.between(3, 10);
    let emergency = out.next_key();
    // On the extract's last day the ward's contact must begin the same day.
    let latest = if day >= out.last_day {
        16 * 60
    } else {
        24 * 60 - 1
    };
    let arrival = clock::between(emergency, 11, 0, latest) * 60;
    let at = |seconds: i32| (day + seconds.div_euclid(DAY), seconds.rem_euclid(DAY));
    let triage_end = arrival + clock::between(emergency, 12, 2 * 60, 5 * 60) * 60;
    out.contact_at(
        emergency,
        Arrival::Acute,
        (day, arrival),
        at(triage_end),
        UNIT_EMERGENCY,
        "DS720",
    );
    let ward = out.next_key();
    let ward_start = triage_end + clock::between(ward, 13, 10, 60) * 60;
    let surgery = at(arrival + minutes * 60);
    let discharge = (
        surgery.0 + ward_days,
        clock::between(ward, 14, 9 * 60, 16 * 60) * 60,
    );
    out.contact_at(
        ward,
        Arrival::Acute,
        at(ward_start),
        discharge,
        UNIT_ORTHOPAEDICS,
        "DS720",
    );
    let code = if rng.bernoulli(0.5) {
        "KNFB20"
    } else {
        "KNFJ51"
    };
    out.procedure(ward, code, surgery.0, surgery.1);
}

/// An acute admission of a patient with a chronic condition after the control visit `key` on
/// `day`, with the condition as action diagnosis: an avoidable admission (ambulatory care
/// sensitive condition) for some, more often with shorter education. Drawn from the visit's key
/// ([`clock`]), so the persons' random streams are as they were.
fn avoidable_admission(
    out: &mut ContactWriter,
    key: i64,
    day: i32,
    diagnosis: &'static str,
    social: f64,
    death: i32,
) {
    if !clock::chance(key, 4, 0.03 + 0.04 * social) {
        return;
    }
    let admitted = day + clock::between(key, 5, 1, 180);
    if admitted < death && admitted <= out.last_day {
        out.contact(
            Arrival::Acute,
            admitted,
            clock::between(key, 6, 1, 6),
            UNIT_MEDICINE,
            diagnosis,
        );
    }
}

/// Death from all other causes: a Gompertz yearly hazard (about 0.4% at 50 and 7% at 80).
/// Returns a day after the span when the person survives it.
fn natural_death(rng: &mut Rng, person: &Person, span: Span) -> i32 {
    (present_from(person, span)..=span.last_year)
        .find_map(|year| {
            let age = person.age_at_jan1(year);
            let q = (-10.3 + 0.095 * age as f64).exp().min(0.6);
            rng.bernoulli(q).then(|| day_present(rng, person, year))
        })
        .unwrap_or(span.end() + 1)
}

/// The first year of the span the person is in Denmark.
fn present_from(person: &Person, span: Span) -> i32 {
    span.first_year.max(dates::year_of(person.arrived))
}

/// A day drawn uniformly in a calendar year, on or after the person's arrival.
fn day_present(rng: &mut Rng, person: &Person, year: i32) -> i32 {
    rng.between(
        dates::jan1(year).max(person.arrived),
        dates::jan1(year + 1) - 1,
    )
}

/// The first event in the span of a yearly hazard given by age (`None` = not at risk).
fn first_event(
    rng: &mut Rng,
    person: &Person,
    span: Span,
    hazard: impl Fn(i32) -> Option<f64>,
) -> Option<i32> {
    (present_from(person, span)..=span.last_year).find_map(|year| {
        let age = person.age_at_jan1(year);
        let h = hazard(age)?;
        rng.bernoulli(h.min(0.5))
            .then(|| day_present(rng, person, year))
    })
}

/// `bef`, `udda` and `ind` rows for every year the person lives in Denmark on 1 January, alive,
/// with the municipality they live in that day.
fn write_population_rows(out: &mut ContactWriter, span: Span, death: i32) {
    let person = out.person;
    for (i, year) in (span.first_year..=span.last_year).enumerate() {
        let jan1 = dates::jan1(year);
        if jan1 > death || !person.present_on(jan1) {
            continue;
        }
        let bef = &mut out.rows.bef[i];
        bef.pnr.push(person.pnr.clone());
        bef.born.push(person.born);
        bef.sex.push(if person.female { "2" } else { "1" });
        bef.municipality
            .push(format!("{:03}", person.residence_on(jan1).municipality));
        bef.origin
            .push(["1", "2", "3"][(person.origin - 1) as usize]);
        bef.civil.push(person.civil_status(year));
        bef.mother
            .push(person.mother.as_ref().map(|p| p.person.pnr.clone()));
        bef.father
            .push(person.father.as_ref().map(|p| p.person.pnr.clone()));
        bef.family.push(person.family_type_in(year));
        if let Some(h) = person.education_h_in(year) {
            let code = if h == person.education_h {
                person.hfaudd
            } else {
                h as u16 * 100 + 10
            };
            out.rows.udda[i].pnr.push(person.pnr.clone());
            out.rows.udda[i].hfaudd.push(code.to_string());
        }
        let akm = &mut out.rows.akm[i];
        akm.pnr.push(person.pnr.clone());
        akm.socio13.push(person.socio13_in(year));
        let ind = &mut out.rows.ind[i];
        let income = person.family_income(year);
        ind.pnr.push(person.pnr.clone());
        ind.family.push(income);
        let adult = person.age_at_jan1(year) >= 18;
        ind.personal
            .push(if adult { (income * 1.4).round() } else { 0.0 });
    }
}

/// Type 2 diabetes: metformin for every patient, and an SGLT2 inhibitor or GLP-1 analogue with the
/// patient's offer probability, every 90 days from within 180 days of onset.
fn diabetes_treatment(rng: &mut Rng, out: &mut ContactWriter, onset: i32, span: Span, death: i32) {
    let (start, end) = (span.start(), span.end());
    if onset >= death || death <= start || onset > end {
        return;
    }
    let strata = PatientStrata::of(out.person, onset.max(start));
    let model = offer("t2d_sglt2_glp1");
    let p = model.probability(&strata);
    out.rows.truth.record(model.id, &strata, p);
    let treated = rng.bernoulli(p);
    let drug = if rng.bernoulli(0.5) {
        "A10BK01"
    } else {
        "A10BJ06"
    };
    let first = onset + rng.between(0, 180);
    let phase = rng.between(0, 89);
    let mut day = onset + phase;
    while day <= end && day < death {
        if day >= start.max(out.person.arrived) {
            out.prescription(day, "A10BA02");
            if treated && day >= first {
                out.prescription(day, drug);
            }
        }
        day += 90;
    }
}

/// Multimorbidity: a coordinated-care procedure within a year of the second chronic diagnosis,
/// with the offer probability.
fn multimorbidity_offer(
    rng: &mut Rng,
    out: &mut ContactWriter,
    onsets: &[Option<i32>],
    span: Span,
    death: i32,
) {
    let mut days: Vec<i32> = onsets.iter().flatten().copied().collect();
    days.sort_unstable();
    let Some(&second) = days.get(1) else { return };
    if second < span.start() || second > span.end() || second >= death {
        return;
    }
    let strata = PatientStrata::of(out.person, second);
    let model = offer("multimorbidity_coordinated");
    let p = model.probability(&strata);
    out.rows.truth.record(model.id, &strata, p);
    let day = second + rng.between(14, 365);
    if rng.bernoulli(p) && day < death && day <= span.end() && day >= out.person.arrived {
        let (key, time) = out.contact(Arrival::Planned, day, 0, UNIT_MEDICINE, "DZ718");
        out.procedure(key, "BVAA1", day, time);
    }
}
