//! Figures as SVG (plotters): proportions with 95% CI whiskers by group. Suppressed groups are
//! not drawn; they are listed under the plot as suppressed.

use plotters::prelude::*;

use super::labels::{Lang, group};
use crate::error::{Error, Result};
use crate::pipeline::results::ResultRow;

/// Okabe-Ito blue: colour-blind safe; the whiskers, not the colour, carry the meaning.
const BLUE: RGBColor = RGBColor(0, 114, 178);

/// An SVG of the crude proportions of one dimension (the total excluded) with CI whiskers.
pub fn proportions_svg(
    rows: &[ResultRow],
    dimension: &str,
    title: &str,
    lang: Lang,
) -> Result<String> {
    let points: Vec<&ResultRow> = rows
        .iter()
        .filter(|r| r.dimension == dimension && r.measure == "proportion" && r.group != "i alt")
        .collect();
    let drawn: Vec<(usize, &ResultRow)> = points
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, r)| r.value.is_some())
        .collect();
    let top = drawn
        .iter()
        .filter_map(|(_, r)| r.upper)
        .fold(10.0f64, f64::max)
        .min(100.0);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (720, 420)).into_drawing_area();
        let draw = |e: &dyn std::fmt::Display| Error::Internal(format!("drawing a figure: {e}"));
        root.fill(&WHITE).map_err(|e| draw(&e))?;
        let labels: Vec<String> = points
            .iter()
            .map(|r| {
                let name = group(dimension, &r.group, lang);
                if r.value.is_none() {
                    format!("{name} ({})", lang.pick("undertrykt", "suppressed"))
                } else {
                    name
                }
            })
            .collect();
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(60)
            .y_label_area_size(56)
            .build_cartesian_2d(-0.5f64..(points.len() as f64 - 0.5), 0f64..(top * 1.1))
            .map_err(|e| draw(&e))?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(points.len().max(1))
            .x_label_formatter(&|x| {
                let i = x.round();
                if (x - i).abs() < 1e-9 && i >= 0.0 {
                    labels.get(i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .y_desc(lang.pick(
                "Andel (%), 95% sikkerhedsinterval",
                "Proportion (%), 95% confidence interval",
            ))
            .draw()
            .map_err(|e| draw(&e))?;
        chart
            .draw_series(drawn.iter().filter_map(|(i, r)| {
                Some(ErrorBar::new_vertical(
                    *i as f64,
                    r.lower?,
                    r.value?,
                    r.upper?,
                    BLUE.filled(),
                    12,
                ))
            }))
            .map_err(|e| draw(&e))?;
        chart
            .draw_series(
                drawn.iter().filter_map(|(i, r)| {
                    Some(Circle::new((*i as f64, r.value?), 5, BLUE.filled()))
                }),
            )
            .map_err(|e| draw(&e))?;
        root.present().map_err(|e| draw(&e))?;
    }
    Ok(svg)
}
