//! `ulighed measures summary`: HEAT's summary measures of inequality (and PHE's SII/RII) for
//! each dimension of an aggregated table with one row per subgroup, via
//! [`crate::measures::summary::summarise`], which applies HEAT's applicability table and
//! suppression tests.
//!
//! Input columns: `dimension` (optional: one dimension when absent), `subgroup` and/or `order`
//! (1 = most disadvantaged, as HEAT's `subgroup_order`), `population`, `estimate`, and optionally
//! `se`, `lower`, `upper` (95% limits, used for a missing `se`), `scale` (HEAT's
//! `indicator_scale`), `favourable` (1/0), `reference` (1 marks the reference subgroup),
//! `setting_average`. Columns other than these (and `events`) are carried through when constant
//! within a dimension.

use std::path::Path;

use super::Levels;
use crate::csv_file::{CsvOutput, CsvTable, number};
use crate::error::{Error, Result};
use crate::measures::subgroup::Polarity;
use crate::measures::summary::{DimensionInput, SubgroupInput, summarise};

/// Options of the command.
pub struct SummaryOptions {
    pub confidence: f64,
    pub reps: usize,
    pub phe_reps: usize,
    pub seed: u64,
}

/// The per-subgroup and per-dimension columns the command reads.
const KNOWN: [&str; 12] = [
    "dimension",
    "subgroup",
    "order",
    "population",
    "estimate",
    "se",
    "lower",
    "upper",
    "scale",
    "favourable",
    "reference",
    "setting_average",
];

/// Reads a 0/1 (or true/false, ja/nej) flag.
fn flag(table: &CsvTable, row: usize, column: usize) -> Result<Option<bool>> {
    match table.text(row, column).to_lowercase().as_str() {
        "" | "na" => Ok(None),
        "1" | "true" | "ja" | "yes" => Ok(Some(true)),
        "0" | "false" | "nej" | "no" => Ok(Some(false)),
        other => Err(table.cell_error(row, column, format!("expected 1 or 0, got {other:?}"))),
    }
}

/// A value that must be the same on every row of a dimension.
fn constant<T: PartialEq + Copy + std::fmt::Debug>(
    table: &CsvTable,
    rows: &[usize],
    column: usize,
    read: impl Fn(usize) -> Result<Option<T>>,
) -> Result<Option<T>> {
    let mut value = None;
    for &row in rows {
        let v = read(row)?;
        if value.is_some() && v.is_some() && v != value {
            return Err(table.cell_error(
                row,
                column,
                "differs within the dimension; expected one value per dimension",
            ));
        }
        value = value.or(v);
    }
    Ok(value)
}

/// Reads `input`, computes every measure per dimension and writes `output`.
pub fn run(input: &Path, output: &Path, options: &SummaryOptions) -> Result<()> {
    Levels::parse(&options.confidence.to_string())?;
    if options.reps == 0 {
        return Err(Error::Usage(
            "--reps: expected at least 1 repetition".into(),
        ));
    }
    let table = CsvTable::read(input)?;
    let population = table.require("population")?;
    let estimate = table.require("estimate")?;
    let (subgroup, order) = (table.find("subgroup"), table.find("order"));
    if subgroup.is_none() && order.is_none() {
        return Err(Error::BadInput(format!(
            "{}: missing column `subgroup` or `order`; the header has: {}",
            table.path.display(),
            table.headers.join(", ")
        )));
    }
    let optional = |name: &str| table.find(name);
    let dimension = optional("dimension");
    let extra: Vec<usize> = (0..table.headers.len())
        .filter(|&c| {
            let h = table.headers[c].to_lowercase();
            !KNOWN.contains(&h.as_str()) && h != "events"
        })
        .collect();
    // Dimensions in order of first appearance.
    let mut dimensions: Vec<(String, Vec<usize>)> = Vec::new();
    for row in 0..table.rows.len() {
        let name = dimension
            .map(|c| table.text(row, c).to_string())
            .unwrap_or_default();
        match dimensions.iter_mut().find(|(n, _)| *n == name) {
            Some((_, rows)) => rows.push(row),
            None => dimensions.push((name, vec![row])),
        }
    }
    let mut headers = vec!["dimension".to_string()];
    headers.extend(extra.iter().map(|&c| table.headers[c].clone()));
    headers
        .extend(["measure", "method", "value", "lower", "upper", "se", "note"].map(String::from));
    let mut out = CsvOutput::new(headers);
    for (index, (name, rows)) in dimensions.iter().enumerate() {
        let mut groups = Vec::with_capacity(rows.len());
        for &row in rows {
            let order_value = match order {
                Some(c) => match table.number(row, c)? {
                    Some(o) if o >= 1.0 && o.fract() == 0.0 => Some(o as u32),
                    Some(o) => {
                        return Err(table.cell_error(
                            row,
                            c,
                            format!("expected a whole number from 1, got {o}"),
                        ));
                    }
                    None => None,
                },
                None => None,
            };
            let population_value = table.number(row, population)?;
            if let Some(p) = population_value
                && p < 0.0
            {
                return Err(table.cell_error(
                    row,
                    population,
                    format!("expected zero or more, got {p}"),
                ));
            }
            let read = |name: &str| {
                optional(name)
                    .map(|c| table.number(row, c))
                    .transpose()
                    .map(Option::flatten)
            };
            let se = read("se")?;
            if let (Some(c), Some(v)) = (optional("se"), se)
                && v < 0.0
            {
                return Err(table.cell_error(row, c, format!("expected zero or more, got {v}")));
            }
            groups.push(SubgroupInput {
                estimate: table.number(row, estimate)?,
                se,
                lower: read("lower")?,
                upper: read("upper")?,
                population: population_value,
                order: order_value,
                reference: match optional("reference") {
                    Some(c) => flag(&table, row, c)?.unwrap_or(false),
                    None => false,
                },
            });
        }
        let favourable = match optional("favourable") {
            Some(c) => constant(&table, rows, c, |r| flag(&table, r, c))?,
            None => None,
        };
        let per_dimension = |column: &str| -> Result<Option<f64>> {
            match optional(column) {
                Some(c) => constant(&table, rows, c, |r| table.number(r, c)),
                None => Ok(None),
            }
        };
        for &c in &extra {
            constant(&table, rows, c, |r| {
                Ok(Some(table.text(r, c).to_string())
                    .filter(|t| !t.is_empty())
                    .map(|t| t.len()))
            })?;
        }
        let input = DimensionInput {
            groups,
            polarity: if favourable.unwrap_or(true) {
                Polarity::Favourable
            } else {
                Polarity::Adverse
            },
            scale: per_dimension("scale")?,
            setting_average: per_dimension("setting_average")?,
            confidence: options.confidence,
            reps: options.reps,
            phe_reps: options.phe_reps,
            seed: options.seed.wrapping_add(index as u64),
        };
        let measures = summarise(&input).map_err(|e| {
            Error::BadInput(format!(
                "{}: dimension {name:?} (rows {}-{}): {e}",
                table.path.display(),
                rows[0] + 1,
                rows[rows.len() - 1] + 1
            ))
        })?;
        for m in measures {
            let mut record = vec![name.clone()];
            record.extend(extra.iter().map(|&c| table.text(rows[0], c).to_string()));
            record.extend([
                m.measure.to_string(),
                m.method.to_string(),
                number(m.value),
                number(m.lower),
                number(m.upper),
                number(m.se),
                m.note,
            ]);
            out.rows.push(record);
        }
    }
    out.write(output)
}
