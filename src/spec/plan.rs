//! `ulighed plan <spec>`: what a run of the spec would compute, read from the spec alone (no
//! data is read), so an analyst or reviewer can check an analysis before it runs.

use std::fmt::Write;

use crate::dates;
use crate::spec::{
    Criterion, Design, LoadedSpec, Match, OutcomeKind, Priority, RequestedMeasure, Setting,
    SummaryMeasure,
};
use crate::spec::{measures_for, shape};

/// "in an acute inpatient stay": the stays a criterion or outcome keeps (`cohort::stays`).
/// The unit types and specialties asked for, as the plan prints them.
fn unit_words(units: &[String], specialty: &[String]) -> Option<String> {
    let mut words = Vec::new();
    if !units.is_empty() {
        words.push(format!("at unit type {}", units.join(" or ")));
    }
    if !specialty.is_empty() {
        words.push(format!("in specialty {}", specialty.join(" or ")));
    }
    (!words.is_empty()).then(|| words.join(" "))
}

fn stay(priority: Option<Priority>, setting: Option<Setting>) -> Option<String> {
    if priority.is_none() && setting.is_none() {
        return None;
    }
    let priority = match priority {
        Some(Priority::Acute) => "acute ",
        Some(Priority::Planned) => "planned ",
        None => "",
    };
    let setting = match setting {
        Some(Setting::Inpatient) => "inpatient (12 hours or more) ",
        Some(Setting::Outpatient) => "outpatient (under 12 hours) ",
        None => "",
    };
    Some(format!("in an {priority}{setting}stay").replace("an planned", "a planned"))
}

fn criterion(c: &Criterion) -> String {
    let mut parts = Vec::new();
    if !c.diagnoses.is_empty() {
        parts.push(format!(
            "ICD-10 {} ({} diagnosis)",
            c.diagnoses.join(", "),
            match c.diagnosis_type {
                crate::spec::DiagnosisType::Action => "action",
                crate::spec::DiagnosisType::Any => "any",
            }
        ));
    }
    if !c.procedures.is_empty() {
        parts.push(format!("procedure {}", c.procedures.join(", ")));
    }
    if !c.atc.is_empty() {
        parts.push(format!("prescription ATC {}", c.atc.join(", ")));
    }
    parts.extend(unit_words(&c.units, &c.specialty));
    parts.extend(stay(c.priority, c.setting));
    if c.events_needed() > 1 {
        parts.push(format!(
            "at least {} times on different days within {} days",
            c.events_needed(),
            c.within_days.unwrap_or(0)
        ));
    }
    if let Some(days) = c.lookback_days {
        parts.push(format!("in the {days} days before the index"));
    }
    parts.join(" ")
}

/// The plan as text.
pub fn describe(loaded: &LoadedSpec) -> String {
    let spec = &loaded.spec;
    let mut out = String::new();
    let _ = writeln!(out, "{} ({})", spec.title_en, spec.id);
    let _ = writeln!(out, "  spec: {}", loaded.path.display());
    let _ = writeln!(out, "  registers: {}", loaded.registers.display());
    let design = match loaded.design {
        Design::IndexDate(d) => format!("prevalent: residents on {}", dates::format_iso(d)),
        Design::Period(a, b) => format!(
            "incident: each patient's first qualifying event from {} to {}",
            dates::format_iso(a),
            dates::format_iso(b)
        ),
    };
    let _ = writeln!(out, "  design: {design}");
    let p = &spec.population;
    let _ = writeln!(
        out,
        "  population: aged {}-{} at the index{}{}",
        p.age_min.unwrap_or(0),
        p.age_max.unwrap_or(120),
        if p.regions.is_empty() {
            String::new()
        } else {
            format!(", living in region {}", p.regions.join(", "))
        },
        if p.municipalities.is_empty() {
            String::new()
        } else {
            format!(
                ", living in municipality {}",
                p.municipalities
                    .iter()
                    .map(u16::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    );
    let joiner = match spec.patient_group.combine {
        Match::Any => "\n      or ",
        Match::All => "\n      and ",
    };
    let include: Vec<String> = spec.patient_group.include.iter().map(criterion).collect();
    let _ = writeln!(out, "  patient group: {}", include.join(joiner));
    for c in &spec.patient_group.exclude {
        let _ = writeln!(out, "    excluding: {}", criterion(c));
    }
    if let Some(n) = spec.patient_group.min_conditions {
        let _ = writeln!(out, "    with at least {n} chronic conditions");
    }
    if let Some(mm) = &spec.multimorbidity {
        let names: Vec<&str> = mm.conditions.keys().map(String::as_str).collect();
        let _ = writeln!(
            out,
            "  chronic conditions ({} days before the index): {}",
            mm.lookback_days,
            names.join(", ")
        );
    }
    for o in &spec.outcomes {
        let what = match o.kind {
            OutcomeKind::Prescription => format!("prescription ATC {}", o.codes.join(", ")),
            OutcomeKind::Procedure => format!("procedure {}", o.codes.join(", ")),
            OutcomeKind::Contact => {
                format!(
                    "contact{}{}",
                    match unit_words(&o.units, &o.specialty) {
                        Some(words) => format!(" {words}"),
                        None => String::new(),
                    },
                    if o.codes.is_empty() {
                        String::new()
                    } else {
                        format!(" with action diagnosis {}", o.codes.join(", "))
                    }
                ) + &stay(o.priority, o.setting)
                    .map(|s| format!(" {s}"))
                    .unwrap_or_default()
            }
            OutcomeKind::Death => "death".into(),
            OutcomeKind::Readmission => {
                "an acute inpatient stay (12 hours or more) after discharge from the index stay"
                    .into()
            }
            OutcomeKind::LengthOfStay => {
                "discharge from the index stay, with its length in days".into()
            }
        };
        let window = match o.window_hours {
            Some([from, to]) => format!("{from}-{to} hours after the arrival at hospital"),
            None => format!(
                "{}-{} days after the {}",
                o.window_days[0],
                o.window_days[1],
                if o.kind == OutcomeKind::Readmission {
                    "discharge"
                } else {
                    "index"
                }
            ),
        };
        let _ = writeln!(
            out,
            "  outcome {}: {what}, {window}{}{}{}{}",
            o.id,
            if o.favourable {
                ""
            } else {
                " (adverse: lower is better)"
            },
            if o.waiting_time { "; waiting time" } else { "" },
            if o.count { "; number per patient" } else { "" },
            o.alive_days
                .map(|d| format!("; at risk if alive {d} days after the index"))
                .unwrap_or_default(),
        );
    }
    for s in &spec.stratifiers {
        let code = s.code();
        let summary = shape::summary_plan(loaded, s);
        let codes = |list: &[(SummaryMeasure, &str)]| {
            list.iter()
                .map(|(m, method)| format!("{} ({method})", RequestedMeasure::Summary(*m).code()))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let basic: Vec<&str> = measures_for(loaded, s)
            .iter()
            .filter(|m| !matches!(m, RequestedMeasure::Summary(_)))
            .map(|m| m.code())
            .collect();
        let _ = writeln!(
            out,
            "  by {code}{}: {}{}{}",
            if s.ordered() { " (ordered)" } else { "" },
            basic.join(", "),
            if summary.computed.is_empty() {
                String::new()
            } else {
                format!("; summary {}", codes(&summary.computed))
            },
            if summary.not_for_shape.is_empty() {
                String::new()
            } else {
                format!(
                    " (not computed for {}: {})",
                    match summary.subgroups {
                        Some(n) => format!("{n} subgroups"),
                        None => "this dimension".to_string(),
                    },
                    codes(&summary.not_for_shape)
                )
            }
        );
    }
    if spec.standardisation.is_some() {
        let _ = writeln!(
            out,
            "  standardisation: direct, to the analysis's own patients by age group and sex (by age alone across sexes, by sex alone across age groups)"
        );
    }
    if let Some(adjustment) = &spec.adjustment {
        let compared: Vec<String> = spec
            .stratifiers
            .iter()
            .filter(|s| s.adjustable())
            .map(|s| s.code())
            .collect();
        let sets: Vec<&str> = adjustment.sets.iter().map(|&s| s.code()).collect();
        let _ = writeln!(
            out,
            "  adjusted comparisons (odds ratio, adjusted share and difference) of {}: {}",
            if compared.is_empty() {
                "no stratifier (none is social or geographic)".to_string()
            } else {
                compared.join(", ")
            },
            sets.join(", ")
        );
    }
    for sub in &spec.sub_analyses {
        let mut limits = Vec::new();
        if let Some(sex) = &sub.sex {
            limits.push(format!("sex {sex}"));
        }
        if sub.age_min.is_some() || sub.age_max.is_some() {
            limits.push(format!(
                "aged {}-{}",
                sub.age_min.unwrap_or(0),
                sub.age_max.unwrap_or(120)
            ));
        }
        if !sub.regions.is_empty() {
            limits.push(format!("region {}", sub.regions.join(", ")));
        }
        if !sub.outcomes.is_empty() {
            limits.push(format!("outcomes {}", sub.outcomes.join(", ")));
        }
        let _ = writeln!(out, "  sub-analysis {}: {}", sub.id, limits.join(", "));
    }
    match &spec.trend {
        Some(t) => {
            let _ = writeln!(out, "  trend: each year {}-{}", t.first_year, t.last_year);
        }
        None if spec.population.by_index_year => {
            let years = loaded.years();
            let _ = writeln!(
                out,
                "  results: each index year {}-{}",
                years[0],
                years[years.len() - 1]
            );
        }
        None => {
            let _ = writeln!(out, "  results: {}", loaded.period_label(loaded.year()));
        }
    }
    if let Some(q) = &spec.quality {
        let _ = writeln!(
            out,
            "  quality standard: {}% by {}{}, with funnel limits (95%, 99.8%)",
            q.standard_percent,
            q.unit.code(),
            q.outcome
                .as_ref()
                .map(|o| format!(" for {o}"))
                .unwrap_or_default()
        );
    }
    let _ = writeln!(
        out,
        "  disclosure: cells under {} persons suppressed, with secondary suppression",
        spec.disclosure.as_ref().map_or(5, |d| d.threshold)
    );
    let _ = writeln!(
        out,
        "  writes: reports/{0}/tables/{0}.csv, figures/, report.html, manifest.json",
        spec.id
    );
    out
}
