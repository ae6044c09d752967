//! A funnel plot of units (hospitals, municipalities) against their volume: each unit's
//! proportion at its number of patients, with the 95% and 99.8% control limits around the
//! national proportion (Spiegelhalter 2005; the limits are PHEindicatormethods'
//! `phe_funnels`, computed by `measures::funnel::proportion_limits_at`). The 95% limits are
//! dashed and the 99.8% limits solid; a unit outside the 99.8% limits is a triangle and named.

use plotters::prelude::*;

use super::{BLACK, BLUE, GREY, ORANGE, VERMILLION, drawing, legend, ticks};
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
                    .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], style));
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
                .legend(|(x, y)| {
                    PathElement::new([(x, y), (x + 20, y)], VERMILLION.stroke_width(2))
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
                chart
                    .draw_series(std::iter::once(Text::new(
                        unit.label.clone(),
                        (unit.patients, unit.percent),
                        ("sans-serif", 11).into_font(),
                    )))
                    .map_err(drawing)?;
            } else {
                chart
                    .draw_series(std::iter::once(Circle::new(at, 5, BLUE.filled())))
                    .map_err(drawing)?;
            }
        }
        legend(&mut chart, SeriesLabelPosition::LowerRight, GREY)?;
        root.present().map_err(drawing)?;
    }
    Ok(svg)
}
