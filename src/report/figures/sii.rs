//! The slope index of inequality drawn as it is defined (Mackenbach & Kunst 1997; PHE's
//! `phe_sii`): each ordered group's estimate at the midpoint of its cumulative population rank
//! (0 = most disadvantaged end, 1 = most advantaged), and the weighted least-squares line whose
//! slope is the SII. The weighted mean rank is exactly ½ and the line passes through the
//! weighted mean estimate there, so the line is `mean + SII·(x − ½)`.

use plotters::prelude::*;

use super::whiskers::Point;
use super::{BLUE, SKY_BLUE, VERMILLION, drawing, short, ticks};
use crate::error::Result;
use crate::report::labels::Lang;

/// The midpoints of each group's cumulative rank, from its population share.
pub fn rank_midpoints(populations: &[f64]) -> Vec<(f64, f64, f64)> {
    let total: f64 = populations.iter().sum();
    let mut start = 0.0;
    populations
        .iter()
        .map(|n| {
            let end = start + n / total;
            let out = (start, (start + end) / 2.0, end);
            start = end;
            out
        })
        .collect()
}

/// The chart; `groups` in order from most disadvantaged, each with its population.
pub fn sii_chart(
    groups: &[(Point, f64)],
    sii: f64,
    legend: &str,
    title: &str,
    x_desc: &str,
    y_desc: &str,
    lang: Lang,
) -> Result<String> {
    let populations: Vec<f64> = groups.iter().map(|(_, n)| *n).collect();
    let total: f64 = populations.iter().sum();
    let mean = groups
        .iter()
        .map(|(p, n)| p.value.unwrap_or(0.0) * n)
        .sum::<f64>()
        / total;
    let ranks = rank_midpoints(&populations);
    let line = |x: f64| mean + sii * (x - 0.5);
    let top = groups
        .iter()
        .filter_map(|(p, _)| p.upper)
        .chain([line(0.0), line(1.0)])
        .fold(10.0f64, f64::max);
    let top = ((top * 1.15) / 10.0).ceil() * 10.0;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (720, 440)).into_drawing_area();
        root.fill(&WHITE).map_err(drawing)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 17))
            .margin(12)
            .x_label_area_size(48)
            .y_label_area_size(56)
            .build_cartesian_2d(0f64..1f64, 0f64..top)
            .map_err(drawing)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_label_formatter(&ticks(lang, 1.0))
            .y_label_formatter(&ticks(lang, top))
            .x_desc(x_desc)
            .y_desc(y_desc)
            .label_style(("sans-serif", 12))
            .draw()
            .map_err(drawing)?;
        // Each group as a band over its rank interval, named inside the band.
        for ((point, _), (start, middle, end)) in groups.iter().zip(&ranks) {
            let Some(value) = point.value else { continue };
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(*start, 0.0), (*end, value)],
                    SKY_BLUE.mix(0.35).filled(),
                )))
                .map_err(drawing)?;
            chart
                .draw_series(std::iter::once(Text::new(
                    short(&point.label, 14),
                    (*middle - (end - start) * 0.4, top * 0.04),
                    ("sans-serif", 11).into_font(),
                )))
                .map_err(drawing)?;
            if let (Some(lower), Some(upper)) = (point.lower, point.upper) {
                chart
                    .draw_series(std::iter::once(ErrorBar::new_vertical(
                        *middle,
                        lower,
                        value,
                        upper,
                        BLUE.stroke_width(2),
                        10,
                    )))
                    .map_err(drawing)?;
            }
            chart
                .draw_series(std::iter::once(Circle::new(
                    (*middle, value),
                    5,
                    BLUE.filled(),
                )))
                .map_err(drawing)?;
        }
        chart
            .draw_series(LineSeries::new(
                [(0.0, line(0.0)), (1.0, line(1.0))],
                VERMILLION.stroke_width(3),
            ))
            .map_err(drawing)?
            .label(legend)
            .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], VERMILLION.stroke_width(3)));
        super::legend(&mut chart, SeriesLabelPosition::UpperLeft, BLACK)?;
        root.present().map_err(drawing)?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rank_midpoints_follow_population_shares() {
        let r = rank_midpoints(&[1.0, 3.0]);
        assert_eq!(r, vec![(0.0, 0.125, 0.25), (0.25, 0.625, 1.0)]);
    }

    /// The weighted least-squares line through the midpoints passes through (½, weighted mean):
    /// a property of the ridit scale that the drawn line relies on.
    #[test]
    fn weighted_mean_rank_is_one_half() {
        let populations = [100.0, 250.0, 80.0, 300.0, 270.0];
        let ranks = rank_midpoints(&populations);
        let total: f64 = populations.iter().sum();
        let mean_rank: f64 = ranks
            .iter()
            .zip(&populations)
            .map(|((_, m, _), n)| m * n)
            .sum::<f64>()
            / total;
        assert!((mean_rank - 0.5).abs() < 1e-12);
    }
}
