//! Trends over the years: one small panel per group (the total first) on a shared scale, each a
//! line through the yearly estimates with its 95% CI as a shaded band. A suppressed year breaks
//! the line and is labelled; it is never interpolated.

use plotters::prelude::*;

use super::{BLUE, SKY_BLUE, drawing, short, ticks};
use crate::error::Result;
use crate::report::labels::Lang;

/// One year's estimate; `value: None` is suppressed or not computed.
#[derive(Debug, Clone, Copy)]
pub struct YearPoint {
    pub year: i32,
    pub value: Option<f64>,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
}

/// One group's series.
#[derive(Debug, Clone)]
pub struct Series {
    pub label: String,
    pub points: Vec<YearPoint>,
}

const PANEL: (u32, u32) = (240, 200);

/// The panels, three per row.
pub fn trend_panels(
    series: &[Series],
    title: &str,
    y_desc: &str,
    hidden: &str,
    lang: Lang,
) -> Result<String> {
    let columns = series.len().clamp(1, 3);
    let rows = series.len().div_ceil(columns).max(1);
    let years: Vec<i32> = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.year))
        .collect();
    let (first, last) = (
        years.iter().copied().min().unwrap_or(0),
        years.iter().copied().max().unwrap_or(0),
    );
    let top = series
        .iter()
        .flat_map(|s| s.points.iter().filter_map(|p| p.upper.or(p.value)))
        .fold(10.0f64, f64::max);
    let top = ((top * 1.1) / 10.0).ceil() * 10.0;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(
            &mut svg,
            (PANEL.0 * columns as u32, 40 + PANEL.1 * rows as u32),
        )
        .into_drawing_area();
        root.fill(&WHITE).map_err(drawing)?;
        let body = root.titled(title, ("sans-serif", 17)).map_err(drawing)?;
        for (s, area) in series.iter().zip(body.split_evenly((rows, columns))) {
            let mut chart = ChartBuilder::on(&area)
                .caption(short(&s.label, 30), ("sans-serif", 13))
                .margin(8)
                .x_label_area_size(26)
                .y_label_area_size(44)
                .build_cartesian_2d((first as f64 - 0.3)..(last as f64 + 0.3), 0f64..top)
                .map_err(drawing)?;
            chart
                .configure_mesh()
                .disable_x_mesh()
                .x_labels((last - first + 1) as usize)
                .x_label_formatter(&|x| {
                    let y = x.round();
                    if (x - y).abs() < 1e-9 {
                        format!("{y:.0}")
                    } else {
                        String::new()
                    }
                })
                .y_label_formatter(&ticks(lang, top))
                .y_desc(y_desc)
                .label_style(("sans-serif", 10))
                .axis_desc_style(("sans-serif", 10))
                .draw()
                .map_err(drawing)?;
            // Runs of consecutive shown years: a suppressed year breaks line and band.
            let mut runs: Vec<Vec<YearPoint>> = vec![Vec::new()];
            for p in &s.points {
                if p.value.is_some() {
                    runs.last_mut().expect("one run").push(*p);
                } else {
                    runs.push(Vec::new());
                    chart
                        .draw_series(std::iter::once(Text::new(
                            hidden.to_string(),
                            (p.year as f64 - 0.25, top * 0.08),
                            ("sans-serif", 10).into_font(),
                        )))
                        .map_err(drawing)?;
                }
            }
            for run in runs.iter().filter(|r| !r.is_empty()) {
                let band: Vec<(f64, f64)> = run
                    .iter()
                    .filter_map(|p| Some((p.year as f64, p.upper?)))
                    .chain(
                        run.iter()
                            .rev()
                            .filter_map(|p| Some((p.year as f64, p.lower?))),
                    )
                    .collect();
                if band.len() >= 4 {
                    chart
                        .draw_series(std::iter::once(Polygon::new(
                            band,
                            SKY_BLUE.mix(0.35).filled(),
                        )))
                        .map_err(drawing)?;
                }
                chart
                    .draw_series(LineSeries::new(
                        run.iter().filter_map(|p| Some((p.year as f64, p.value?))),
                        BLUE.stroke_width(2),
                    ))
                    .map_err(drawing)?;
                chart
                    .draw_series(run.iter().filter_map(|p| {
                        Some(Circle::new((p.year as f64, p.value?), 4, BLUE.filled()))
                    }))
                    .map_err(drawing)?;
            }
        }
        root.present().map_err(drawing)?;
    }
    Ok(svg)
}
