//! A forest plot of odds ratios: one row per group, each adjustment set's odds ratio with its
//! 95% interval side by side within the row, on a log scale around the line of no difference
//! (1). Reference groups and groups without an estimate keep their row, with nothing drawn.

use plotters::prelude::*;

use super::{BLACK, BLUE, GREY, VERMILLION, drawing, short};
use crate::error::Result;
use crate::report::format::number;
use crate::report::labels::Lang;

/// One row: a group's label and, per adjustment set, its odds ratio (value, lower, upper).
#[derive(Debug, Clone)]
pub struct ForestRow {
    pub label: String,
    pub estimates: Vec<Option<(f64, f64, f64)>>,
}

/// The sets' colours and markers, in the order of their names.
const COLOURS: [RGBColor; 3] = [GREY, BLUE, VERMILLION];

/// The labelled ticks: 1 and its doublings and halvings (and the tenths and tens) inside the
/// range, so both sides of 1 are read alike.
fn key_points(reach: f64) -> Vec<f64> {
    [0.1, 0.2, 0.25, 0.5, 1.0, 2.0, 4.0, 5.0, 10.0]
        .into_iter()
        .filter(|v| (1.0 / reach..=reach).contains(v))
        .collect()
}

/// The plot of `rows` for the adjustment sets named in `sets` (legend), as SVG.
pub fn forest(
    rows: &[ForestRow],
    sets: &[&str],
    title: &str,
    axis: &str,
    lang: Lang,
) -> Result<String> {
    let n = rows.len().max(1);
    let height = 160 + 26 * n as u32;
    let limits = rows
        .iter()
        .flat_map(|r| r.estimates.iter().flatten())
        .flat_map(|&(_, lo, hi)| [lo, hi])
        .filter(|v| v.is_finite() && *v > 0.0);
    let (low, high) = limits.fold((1.0f64, 1.0f64), |(a, b), v| (a.min(v), b.max(v)));
    // Symmetric on the log scale, so that 1 sits in the middle and 0.5 mirrors 2.
    let reach = (high.ln().abs().max(low.ln().abs()) * 1.1)
        .clamp(0.2, 3.0)
        .exp();
    let labels: Vec<String> = rows.iter().map(|r| short(&r.label, 34)).collect();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (760, height)).into_drawing_area();
        root.fill(&WHITE).map_err(drawing)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 16))
            .margin(10)
            .x_label_area_size(36)
            .y_label_area_size(230)
            // Room above the rows for the legend.
            .build_cartesian_2d(
                (1.0 / reach..reach)
                    .log_scale()
                    .with_key_points(key_points(reach)),
                -0.5f64..(n as f64 + 1.5),
            )
            .map_err(drawing)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(n + 2)
            .y_label_formatter(&|v| {
                let i = v.round();
                if (v - i).abs() < 1e-9 && i >= 0.0 && (i as usize) < n {
                    labels.get(n - 1 - i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .x_label_formatter(&|v| number(Some(*v), 2, lang))
            .x_desc(axis)
            .label_style(("sans-serif", 11))
            .axis_desc_style(("sans-serif", 11))
            .draw()
            .map_err(drawing)?;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(1.0, -0.5), (1.0, n as f64 - 0.5)],
                BLACK.stroke_width(1),
            )))
            .map_err(drawing)?;
        let at = |i: usize, set: usize| {
            let offset = (set as f64 - (sets.len() as f64 - 1.0) / 2.0) * 0.22;
            (n - 1 - i) as f64 - offset
        };
        for (set, name) in sets.iter().enumerate() {
            let colour = COLOURS[set % COLOURS.len()];
            let estimates = rows
                .iter()
                .enumerate()
                .filter_map(|(i, r)| r.estimates.get(set).copied().flatten().map(|e| (i, e)));
            chart
                .draw_series(estimates.clone().map(|(i, (_, lo, hi))| {
                    PathElement::new(
                        vec![(lo, at(i, set)), (hi, at(i, set))],
                        colour.stroke_width(2),
                    )
                }))
                .map_err(drawing)?;
            chart
                .draw_series(
                    estimates
                        .map(|(i, (v, _, _))| Circle::new((v, at(i, set)), 4, colour.filled())),
                )
                .map_err(drawing)?
                .label(*name)
                .legend(move |(x, y)| Circle::new((x + 6, y), 4, colour.filled()));
        }
        // The figures' legend style (`super::legend`, for linear axes).
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .border_style(GREY)
            .background_style(WHITE.mix(0.9))
            .label_font(("sans-serif", 12))
            .draw()
            .map_err(drawing)?;
        root.present().map_err(drawing)?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every estimate is drawn as a point with its interval, a missing one leaves its row empty,
    /// and the legend names each set; the ticks straddle 1 alike on both sides.
    #[test]
    fn each_estimate_is_a_point_and_each_set_is_named() {
        let rows = [
            ForestRow {
                label: "Uddannelse: Kort".into(),
                estimates: vec![Some((0.65, 0.48, 0.89)), Some((0.66, 0.47, 0.93)), None],
            },
            ForestRow {
                label: "Herkomst: Ikke-dansk".into(),
                estimates: vec![
                    Some((1.99, 1.21, 3.28)),
                    Some((1.56, 0.92, 2.66)),
                    Some((1.41, 0.74, 2.71)),
                ],
            },
        ];
        let sets = ["ujusteret", "alder og køn", "gensidigt"];
        let svg = forest(&rows, &sets, "titel", "Oddsratio", Lang::Da).unwrap();
        assert_eq!(svg.matches("<circle").count(), 5 + sets.len(), "{svg}");
        for name in sets {
            assert!(svg.contains(name), "{name}");
        }
        assert!(svg.contains("0,50") && svg.contains("2,00"));
        assert_eq!(key_points(2.5), [0.5, 1.0, 2.0]);
    }
}
