//! Trends over the years: one small panel per group (the total first) on a shared scale, each a
//! line through the yearly estimates with its 95% CI as a shaded band. A suppressed year breaks
//! the line and is labelled; it is never interpolated. A trend that crosses 2019 is marked
//! where the National Patient Register changed from LPR2 to LPR3 (February 2019), a break in how
//! contacts are recorded that can move a series by itself.

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

/// Where the break is drawn: between 2018 and 2019.
const LPR3_BREAK: f64 = 2018.5;

/// Whether years `first` to `last` span the change from LPR2 to LPR3 (February 2019; the
/// Danish Health Data Authority's documentation of LPR3): 2018 and 2019 both in the range.
pub fn crosses_lpr3(first: i32, last: i32) -> bool {
    first <= 2018 && last >= 2019
}

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
            if crosses_lpr3(first, last) {
                chart
                    .draw_series(DashedLineSeries::new(
                        [(LPR3_BREAK, 0.0), (LPR3_BREAK, top)],
                        4,
                        3,
                        BLACK.mix(0.6).stroke_width(1),
                    ))
                    .map_err(drawing)?;
                chart
                    .draw_series(std::iter::once(Text::new(
                        "LPR3",
                        (LPR3_BREAK + 0.04, top * 0.97),
                        ("sans-serif", 9).into_font(),
                    )))
                    .map_err(drawing)?;
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn series(years: std::ops::RangeInclusive<i32>) -> Vec<Series> {
        vec![Series {
            label: "I alt".into(),
            points: years
                .map(|year| YearPoint {
                    year,
                    value: Some(40.0),
                    lower: Some(35.0),
                    upper: Some(45.0),
                })
                .collect(),
        }]
    }

    /// The LPR2 -> LPR3 break is marked in a trend over 2017-2020 and not in one over
    /// 2021-2024 (nor one that ends in 2018).
    #[test]
    fn a_trend_across_2019_marks_the_change_to_lpr3() {
        let draw = |years| {
            trend_panels(
                &series(years),
                "Udvikling",
                "Andel (%)",
                "undertrykt",
                Lang::Da,
            )
            .expect("drawn")
        };
        assert!(draw(2017..=2020).contains("LPR3"));
        assert!(!draw(2021..=2024).contains("LPR3"));
        assert!(!draw(2015..=2018).contains("LPR3"));
    }
}
