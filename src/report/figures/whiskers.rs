//! Estimates with 95% CI whiskers by group, one panel per stratifier (small multiples), with
//! the total as a dashed reference line. Groups read top to bottom; a suppressed group keeps its
//! place, with the word for suppressed in its empty row and nothing drawn.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{BLUE, GREY, drawing, short, ticks};
use crate::error::Result;
use crate::report::labels::Lang;

/// One group's estimate; `value: None` is suppressed or not computed.
#[derive(Debug, Clone)]
pub struct Point {
    pub label: String,
    pub value: Option<f64>,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
}

/// One panel: a stratifier's groups and its total.
#[derive(Debug, Clone)]
pub struct Panel {
    pub title: String,
    pub points: Vec<Point>,
    pub total: Option<f64>,
}

const PANEL_WIDTH: u32 = 380;

fn panel_height(points: usize) -> u32 {
    90 + 30 * points.max(1) as u32
}

/// The panels side by side, two per row; the value axis is shared so that panels compare.
pub fn small_multiples(
    panels: &[Panel],
    title: &str,
    axis: &str,
    hidden: &str,
    lang: Lang,
) -> Result<String> {
    let columns = if panels.len() > 1 { 2 } else { 1 };
    let rows: Vec<&[Panel]> = panels.chunks(columns).collect();
    let heights: Vec<u32> = rows
        .iter()
        .map(|r| {
            r.iter()
                .map(|p| panel_height(p.points.len()))
                .max()
                .unwrap_or(120)
        })
        .collect();
    let width = PANEL_WIDTH * columns as u32;
    let height = 40 + heights.iter().sum::<u32>();
    let top = panels
        .iter()
        .flat_map(|p| p.points.iter().filter_map(|q| q.upper.or(q.value)))
        .fold(10.0f64, f64::max);
    let top = ((top * 1.1) / 10.0).ceil() * 10.0;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(drawing)?;
        let body = root.titled(title, ("sans-serif", 17)).map_err(drawing)?;
        let mut y = 0i32;
        for (row, height) in rows.iter().zip(&heights) {
            let (strip, _) = body.split_vertically(y + *height as i32);
            let (_, strip) = strip.split_vertically(y);
            y += *height as i32;
            let cells = strip.split_evenly((1, columns));
            for (panel, area) in row.iter().zip(cells) {
                draw_panel(&area, panel, top, axis, hidden, lang)?;
            }
        }
        root.present().map_err(drawing)?;
    }
    Ok(svg)
}

fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    panel: &Panel,
    top: f64,
    axis: &str,
    hidden: &str,
    lang: Lang,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let n = panel.points.len();
    let labels: Vec<String> = panel.points.iter().map(|p| short(&p.label, 22)).collect();
    let mut chart = ChartBuilder::on(area)
        .caption(&panel.title, ("sans-serif", 14))
        .margin(8)
        .x_label_area_size(34)
        .y_label_area_size(150)
        .build_cartesian_2d(0f64..top, -0.5f64..(n as f64 - 0.5))
        .map_err(drawing)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(n.max(1))
        .y_label_formatter(&|v| {
            let i = v.round();
            if (v - i).abs() < 1e-9 && i >= 0.0 && (i as usize) < n {
                // Row 0 is drawn at the top.
                labels[n - 1 - i as usize].clone()
            } else {
                String::new()
            }
        })
        .x_label_formatter(&ticks(lang, top))
        .x_desc(axis)
        .label_style(("sans-serif", 11))
        .axis_desc_style(("sans-serif", 11))
        .draw()
        .map_err(drawing)?;
    let at = |i: usize| (n - 1 - i) as f64;
    if let Some(total) = panel.total {
        chart
            .draw_series(DashedLineSeries::new(
                [(total, -0.5), (total, n as f64 - 0.5)],
                4,
                3,
                GREY.stroke_width(1),
            ))
            .map_err(drawing)?;
    }
    chart
        .draw_series(panel.points.iter().enumerate().filter_map(|(i, p)| {
            Some(ErrorBar::new_horizontal(
                at(i),
                p.lower?,
                p.value?,
                p.upper?,
                BLUE.stroke_width(2),
                8,
            ))
        }))
        .map_err(drawing)?;
    chart
        .draw_series(
            panel
                .points
                .iter()
                .enumerate()
                .filter_map(|(i, p)| Some(Circle::new((p.value?, at(i)), 4, BLUE.filled()))),
        )
        .map_err(drawing)?;
    // A hidden group's row is empty: the word goes there, where the axis label beside it would
    // not fit in the label area.
    chart
        .draw_series(
            panel
                .points
                .iter()
                .enumerate()
                .filter(|(_, p)| p.value.is_none())
                .map(|(i, _)| {
                    Text::new(
                        format!("({hidden})"),
                        (top * 0.02, at(i)),
                        ("sans-serif", 11)
                            .into_font()
                            .color(&GREY)
                            .pos(Pos::new(HPos::Left, VPos::Center)),
                    )
                }),
        )
        .map_err(drawing)?;
    Ok(())
}
