//! `ulighed measures dsr`: directly standardised rates by group from rows of `group`,
//! `age_band`, `events`, `population`, with Dobson limits, as PHEindicatormethods'
//! `calculate_dsr`. The standard population is ESP2013 (19 bands `0-4` ... `90+`) or a CSV of
//! `age_band`, `population` supplied by the user; every group must have exactly one row for each
//! of the standard's bands, so a missing band is never silently read as zero. A blank event count
//! in a present row is read as 0, as PHE does, and the row's note says so.

use std::collections::BTreeMap;
use std::path::Path;

use super::Levels;
use crate::csv_file::{CsvOutput, CsvTable, number};
use crate::error::{Error, Result};
use crate::measures::dsr::{DSR_MIN_EVENTS, ESP2013, dsr};
use crate::measures::interval::MeasureError;

/// A standard population: band labels with their weights, in order.
pub struct StandardPopulation {
    pub name: String,
    pub bands: Vec<(String, f64)>,
}

impl StandardPopulation {
    /// `esp2013` or a CSV file with columns `age_band` and `population`.
    pub fn load(choice: &str) -> Result<StandardPopulation> {
        if choice.eq_ignore_ascii_case("esp2013") {
            return Ok(StandardPopulation {
                name: "ESP2013".into(),
                bands: ESP2013.iter().map(|(b, w)| (b.to_string(), *w)).collect(),
            });
        }
        let path = Path::new(choice);
        let table = CsvTable::read(path)?;
        let band_col = table.require("age_band")?;
        let weight_col = table.require("population")?;
        let mut bands: Vec<(String, f64)> = Vec::new();
        for row in 0..table.rows.len() {
            let band = table.text(row, band_col).to_string();
            if bands.iter().any(|(b, _)| *b == band) {
                return Err(table.cell_error(
                    row,
                    band_col,
                    format!("age band {band:?} appears twice"),
                ));
            }
            bands.push((band, table.count(row, weight_col)?));
        }
        if bands.is_empty() || bands.iter().all(|(_, w)| *w == 0.0) {
            return Err(Error::BadInput(format!(
                "{}: the standard population has no weight; expected rows of age_band, population",
                path.display()
            )));
        }
        Ok(StandardPopulation {
            name: path.display().to_string(),
            bands,
        })
    }
}

/// One group's rows gathered by band, with its first row for carried-through columns.
struct Group {
    first_row: usize,
    events: Vec<Option<f64>>,
    population: Vec<Option<f64>>,
    /// Some band's events were blank and were read as 0, as PHE's `calculate_dsr` does.
    blank_events: bool,
}

/// Reads `input`, computes one DSR per group and writes `output`.
pub fn run(
    input: &Path,
    output: &Path,
    standard: &StandardPopulation,
    multiplier: f64,
    levels: &Levels,
) -> Result<()> {
    super::check_multiplier(multiplier)?;
    let table = CsvTable::read(input)?;
    let group_col = table.require("group")?;
    let band_col = table.require("age_band")?;
    let events_col = table.require("events")?;
    let population_col = table.require("population")?;
    let measured = [group_col, band_col, events_col, population_col];
    let extra: Vec<usize> = (0..table.headers.len())
        .filter(|c| !measured.contains(c))
        .collect();
    let bands = standard.bands.len();
    let mut groups: BTreeMap<String, Group> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    for row in 0..table.rows.len() {
        let name = table.text(row, group_col).to_string();
        let label = table.text(row, band_col);
        let band = standard
            .bands
            .iter()
            .position(|(b, _)| b == label)
            .ok_or_else(|| {
                table.cell_error(
                    row,
                    band_col,
                    format!(
                        "unknown age band {label:?}; expected one of the {} bands: {}",
                        standard.name,
                        standard
                            .bands
                            .iter()
                            .map(|(b, _)| b.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
            })?;
        let group = groups.entry(name.clone()).or_insert_with(|| {
            order.push(name.clone());
            Group {
                first_row: row,
                events: vec![None; bands],
                population: vec![None; bands],
                blank_events: false,
            }
        });
        if group.events[band].is_some() {
            return Err(table.cell_error(
                row,
                band_col,
                format!("group {name:?} has a second row for age band {label:?}"),
            ));
        }
        for &c in &extra {
            if table.text(row, c) != table.text(group.first_row, c) {
                return Err(table.cell_error(
                    row,
                    c,
                    format!("differs within group {name:?}; a carried-through column must be constant within each group"),
                ));
            }
        }
        let events = table.optional_count(row, events_col)?;
        group.blank_events |= events.is_none();
        group.events[band] = Some(events.unwrap_or(0.0));
        group.population[band] = Some(table.count(row, population_col)?);
    }
    let weights: Vec<f64> = standard.bands.iter().map(|(_, w)| *w).collect();
    let mut headers = vec![table.headers[group_col].clone()];
    headers.extend(extra.iter().map(|&c| table.headers[c].clone()));
    headers.extend([
        "events".to_string(),
        "population".to_string(),
        "value".to_string(),
    ]);
    headers.extend(levels.headers());
    headers.extend(["method".to_string(), "note".to_string()]);
    let mut out = CsvOutput::new(headers);
    for name in &order {
        let group = &groups[name];
        if let Some(missing) = group.events.iter().position(Option::is_none) {
            return Err(Error::BadInput(format!(
                "{}: group {name:?} has no row for age band {:?}; every group needs one row for each of the {} {} bands",
                table.path.display(),
                standard.bands[missing].0,
                bands,
                standard.name
            )));
        }
        let events: Vec<f64> = group.events.iter().map(|v| v.unwrap_or(0.0)).collect();
        let population: Vec<f64> = group.population.iter().map(|v| v.unwrap_or(0.0)).collect();
        let mut record = vec![name.clone()];
        record.extend(
            extra
                .iter()
                .map(|&c| table.text(group.first_row, c).to_string()),
        );
        record.push(number(Some(events.iter().sum())));
        record.push(number(Some(population.iter().sum())));
        let mut value = None;
        let mut limits = Vec::new();
        let mut note = String::new();
        for &level in &levels.levels {
            match dsr(&events, &population, &weights, level) {
                Ok(d) => {
                    let e = d.estimate.scaled(multiplier);
                    value = Some(e.value);
                    limits.extend([Some(e.lower), Some(e.upper)]);
                }
                Err(MeasureError::TooFewEvents { .. }) => {
                    note = format!("fewer than {DSR_MIN_EVENTS} events: no value (as PHE)");
                    limits.extend([None, None]);
                }
                Err(MeasureError::ZeroDenominator { .. }) => {
                    note = "an age band has zero population: no value".into();
                    limits.extend([None, None]);
                }
                Err(e) => {
                    return Err(Error::BadInput(format!(
                        "{}: group {name:?}: {e}",
                        table.path.display()
                    )));
                }
            }
        }
        if group.blank_events {
            let blank = "blank event counts read as 0 (as PHE)";
            note = if note.is_empty() {
                blank.into()
            } else {
                format!("{note}; {blank}")
            };
        }
        record.push(number(value));
        record.extend(limits.into_iter().map(number));
        record.push("Dobson".into());
        record.push(note);
        out.rows.push(record);
    }
    out.write(output)
}
