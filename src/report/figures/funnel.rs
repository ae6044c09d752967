//! A funnel plot of units (hospitals, municipalities) against their volume: each unit's
//! proportion at its number of patients, with the 95% and 99.8% control limits around the
//! national proportion (Spiegelhalter 2005; the limits are PHEindicatormethods'
//! `phe_funnels`, computed by `measures::funnel::proportion_limits_at`). The 95% limits are
//! dashed and the 99.8% limits solid, each drawn in the legend as in the plot; every unit shown
//! is named beside its point, and a unit outside the 99.8% limits is a triangle.

use plotters::prelude::*;

use super::{BLACK, BLUE, GREY, ORANGE, VERMILLION, drawing, legend, short, ticks};
use crate::error::Result;
use crate::measures::funnel::proportion_limits_at;
use crate::report::labels::Lang;

/// One unit: its name, patients and proportion (%).
#[derive(Debug, Clone)]
pub struct Unit {
    pub label: String,
    pub patients: f64,
    pub percent: f64,
}

/// The labels of the plot's parts, in the reader's language.
pub struct FunnelText<'a> {
    pub title: &'a str,
    pub x_desc: &'a str,
    pub y_desc: &'a str,
    pub target: &'a str,
    pub limit_95: &'a str,
    pub limit_998: &'a str,
    pub standard: &'a str,
    /// The notation of the axes' numbers.
    pub lang: Lang,
}

/// The width (pixels) of a character of an 11-pixel label, and a label's height, for placing
/// the units' names apart.
const LABEL_CHAR_WIDTH: f64 = 6.4;
const LABEL_HEIGHT: i32 = 12;

/// The limits (lower 95, upper 95, lower 99.8, upper 99.8) in % at `n` patients.
pub fn limits(target_percent: f64, n: f64) -> Option<[f64; 4]> {
    let row = proportion_limits_at(target_percent / 100.0, n, 100.0).ok()?;
    Some([
        row.lower_2s.value,
        row.upper_2s.value,
        row.lower_3s.value,
        row.upper_3s.value,
    ])
}

/// The plot; `standard` (%) is drawn as a horizontal line when the analysis sets one.
pub fn funnel_plot(
    units: &[Unit],
    target_percent: f64,
    standard: Option<f64>,
    text: &FunnelText,
) -> Result<String> {
    let largest = units.iter().map(|u| u.patients).fold(10.0, f64::max) * 1.1;
    let smallest = units.iter().map(|u| u.patients).fold(largest, f64::min);
    let start = (smallest * 0.6).max(5.0);
    let grid: Vec<(f64, [f64; 4])> = (0..=200)
        .map(|i| start + (largest - start) * i as f64 / 200.0)
        .filter_map(|n| Some((n, limits(target_percent, n)?)))
        .collect();
    let bottom = grid
        .iter()
        .map(|(_, l)| l[2])
        .chain(units.iter().map(|u| u.percent))
        .fold(target_percent, f64::min);
    let bottom = ((bottom - 5.0) / 10.0).floor().max(0.0) * 10.0;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (720, 460)).into_drawing_area();
        root.fill(&WHITE).map_err(drawing)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(text.title, ("sans-serif", 17))
            .margin(12)
            .x_label_area_size(48)
            .y_label_area_size(56)
            .build_cartesian_2d(0f64..largest, bottom..100f64)
            .map_err(drawing)?;
        chart
            .configure_mesh()
            .x_label_formatter(&ticks(text.lang, largest))
            .y_label_formatter(&ticks(text.lang, 100.0 - bottom))
            .x_desc(text.x_desc)
            .y_desc(text.y_desc)
            .label_style(("sans-serif", 12))
            .draw()
            .map_err(drawing)?;
        chart
            .draw_series(LineSeries::new(
                [(0.0, target_percent), (largest, target_percent)],
                BLACK.stroke_width(1),
            ))
            .map_err(drawing)?
            .label(text.target)
            .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], BLACK.stroke_width(1)));
        for (index, label, style) in [
            (0, text.limit_95, ORANGE.stroke_width(2)),
            (2, text.limit_998, BLACK.stroke_width(2)),
        ] {
            let lower = grid.iter().map(|(n, l)| (*n, l[index]));
            let upper = grid.iter().map(|(n, l)| (*n, l[index + 1]));
            if index == 0 {
                chart
                    .draw_series(DashedLineSeries::new(lower, 6, 4, style))
                    .map_err(drawing)?
                    .label(label)
                    // The swatch dashed as the line is (6 on, 4 off).
                    .legend(move |(x, y)| {
                        EmptyElement::at((x, y))
                            + PathElement::new([(0, 0), (6, 0)], style)
                            + PathElement::new([(10, 0), (16, 0)], style)
                    });
                chart
                    .draw_series(DashedLineSeries::new(upper, 6, 4, style))
                    .map_err(drawing)?;
            } else {
                chart
                    .draw_series(LineSeries::new(lower, style))
                    .map_err(drawing)?
                    .label(label)
                    .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], style));
                chart
                    .draw_series(LineSeries::new(upper, style))
                    .map_err(drawing)?;
            }
        }
        if let Some(standard) = standard {
            chart
                .draw_series(DashedLineSeries::new(
                    [(0.0, standard), (largest, standard)],
                    2,
                    3,
                    VERMILLION.stroke_width(2),
                ))
                .map_err(drawing)?
                .label(text.standard)
                // The swatch dotted as the line is (2 on, 3 off).
                .legend(|(x, y)| {
                    let style = VERMILLION.stroke_width(2);
                    EmptyElement::at((x, y))
                        + PathElement::new([(0, 0), (2, 0)], style)
                        + PathElement::new([(5, 0), (7, 0)], style)
                        + PathElement::new([(10, 0), (12, 0)], style)
                        + PathElement::new([(15, 0), (17, 0)], style)
                });
        }
        for unit in units {
            let outside = limits(target_percent, unit.patients)
                .is_some_and(|l| unit.percent < l[2] || unit.percent > l[3]);
            let at = (unit.patients, unit.percent);
            if outside {
                chart
                    .draw_series(std::iter::once(TriangleMarker::new(
                        at,
                        7,
                        VERMILLION.filled(),
                    )))
                    .map_err(drawing)?;
            } else {
                chart
                    .draw_series(std::iter::once(Circle::new(at, 5, BLUE.filled())))
                    .map_err(drawing)?;
            }
        }
        // Each unit's name beside its point, placed where it overlaps no other name and stays
        // inside the plot (left of the point near the right edge).
        let (right_edge, _) = chart.backend_coord(&(largest, bottom));
        let mut placed: Vec<(i32, i32, i32, i32)> = Vec::new();
        let mut by_height: Vec<&Unit> = units.iter().collect();
        by_height.sort_by(|a, b| b.percent.total_cmp(&a.percent));
        for unit in by_height {
            let label = short(&unit.label, 28);
            let (px, py) = chart.backend_coord(&(unit.patients, unit.percent));
            let width = (label.chars().count() as f64 * LABEL_CHAR_WIDTH).ceil() as i32;
            let x = if px + 8 + width > right_edge {
                px - 8 - width
            } else {
                px + 8
            };
            let free = |y: i32| {
                placed
                    .iter()
                    .all(|&(l, t, r, b)| x + width < l || x > r || y + LABEL_HEIGHT < t || y > b)
            };
            let y = [-14, 4, -28, 18, -42, 32, -56, 46]
                .into_iter()
                .map(|dy| py + dy)
                .find(|&y| free(y))
                .unwrap_or(py - 14);
            placed.push((x, y, x + width, y + LABEL_HEIGHT));
            root.draw(&Text::new(label, (x, y), ("sans-serif", 11).into_font()))
                .map_err(drawing)?;
        }
        legend(&mut chart, SeriesLabelPosition::LowerRight, GREY)?;
        root.present().map_err(drawing)?;
    }
    Ok(svg)
}
