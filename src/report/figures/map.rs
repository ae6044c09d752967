//! Choropleth maps of the regions or municipalities: the estimate of each area in five
//! equal-width classes of one Okabe-Ito blue from light to dark (a single-hue sequential scale,
//! readable with every colour-vision deficiency). Colour never works alone: region maps print
//! each value on its area, suppressed areas are grey with a cross, areas without patients are
//! white, and the text alternative lists every area's value.

use plotters::prelude::*;

use super::geo::{Areas, centroid, project, same_code};
use super::{BLACK, BLUE, drawing};
use crate::error::Result;
use crate::report::format::number;
use crate::report::labels::Lang;

/// The five class colours: Okabe-Ito blue mixed with white from 20% to 100%.
fn class_colour(class: usize) -> RGBColor {
    let t = 0.2 + 0.2 * class as f64;
    let mix = |c: u8| (255.0 + (c as f64 - 255.0) * t).round() as u8;
    RGBColor(mix(BLUE.0), mix(BLUE.1), mix(BLUE.2))
}

const SUPPRESSED: RGBColor = RGBColor(215, 215, 215);
const BORDER: RGBColor = RGBColor(80, 80, 80);

/// Class bounds: five equal-width classes between the smallest and largest shown value.
fn bounds(values: &[f64]) -> Option<(f64, f64)> {
    let low = values.iter().copied().fold(f64::INFINITY, f64::min);
    let high = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    low.is_finite().then_some((low, high))
}

fn class_of(value: f64, (low, high): (f64, f64)) -> usize {
    if high <= low {
        return 2;
    }
    (((value - low) / (high - low) * 5.0).floor() as usize).min(4)
}

/// A map of `areas` coloured by `values` (area code, estimate; `None` = suppressed). Areas not
/// in `values` had no patients. `label_values` prints each value on its area (regions).
pub fn choropleth(
    areas: &Areas,
    values: &[(String, Option<f64>)],
    title: &str,
    unit: &str,
    lang: Lang,
    label_values: bool,
) -> Result<String> {
    let shown: Vec<f64> = values.iter().filter_map(|(_, v)| *v).collect();
    let range = bounds(&shown);
    let value_of = |code: &str| {
        values
            .iter()
            .find(|(c, _)| same_code(c, code))
            .map(|(_, v)| *v)
    };
    let (x0, x1, y0, y1) = areas
        .features
        .iter()
        .flat_map(|a| a.rings.iter().flatten())
        .fold(
            (f64::MAX, f64::MIN, f64::MAX, f64::MIN),
            |(a, b, c, d), p| {
                let (x, y) = project(*p);
                (a.min(x), b.max(x), c.min(y), d.max(y))
            },
        );
    let map_width = 520u32;
    let map_height = (map_width as f64 * (y1 - y0) / (x1 - x0)).round() as u32;
    let (width, height) = (map_width + 190, map_height + 60);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(drawing)?;
        let body = root.titled(title, ("sans-serif", 17)).map_err(drawing)?;
        let (map_area, legend) = body.split_horizontally(map_width);
        let mut chart = ChartBuilder::on(&map_area)
            .margin(6)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(drawing)?;
        for area in &areas.features {
            let fill = match (value_of(&area.code), range) {
                (Some(Some(v)), Some(r)) => class_colour(class_of(v, r)),
                (Some(None), _) => SUPPRESSED,
                _ => WHITE,
            };
            for ring in &area.rings {
                let points: Vec<(f64, f64)> = ring.iter().copied().map(project).collect();
                chart
                    .draw_series(std::iter::once(Polygon::new(points.clone(), fill.filled())))
                    .map_err(drawing)?;
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        points,
                        BORDER.stroke_width(1),
                    )))
                    .map_err(drawing)?;
            }
            let Some(largest) = area.rings.first() else {
                continue;
            };
            let at = centroid(largest);
            match value_of(&area.code) {
                Some(None) => {
                    chart
                        .draw_series(std::iter::once(Cross::new(at, 4, BLACK.stroke_width(2))))
                        .map_err(drawing)?;
                }
                Some(Some(v)) if label_values => {
                    let name = area.name.trim_start_matches("Region ");
                    let text = format!("{name} {}", number(Some(v), 1, lang));
                    chart
                        .draw_series(std::iter::once(Text::new(
                            text,
                            at,
                            ("sans-serif", 13).into_font().color(&BLACK),
                        )))
                        .map_err(drawing)?;
                }
                _ => {}
            }
        }
        // The legend: five classes, then suppressed and no patients.
        let mut entries: Vec<(RGBColor, String, bool)> = Vec::new();
        if let Some((low, high)) = range {
            let step = (high - low) / 5.0;
            for class in 0..5 {
                let a = low + step * class as f64;
                let b = low + step * (class + 1) as f64;
                entries.push((
                    class_colour(class),
                    format!("{}–{}", number(Some(a), 1, lang), number(Some(b), 1, lang)),
                    false,
                ));
            }
        }
        entries.push((
            SUPPRESSED,
            lang.pick("Undertrykt (×)", "Suppressed (×)").into(),
            true,
        ));
        entries.push((
            WHITE,
            lang.pick("Ingen patienter", "No patients").into(),
            false,
        ));
        legend
            .draw(&Text::new(
                unit.to_string(),
                (8, 16),
                ("sans-serif", 13).into_font(),
            ))
            .map_err(drawing)?;
        for (i, (colour, label, cross)) in entries.iter().enumerate() {
            let y = 34 + 24 * i as i32;
            legend
                .draw(&Rectangle::new([(8, y), (30, y + 16)], colour.filled()))
                .map_err(drawing)?;
            legend
                .draw(&Rectangle::new(
                    [(8, y), (30, y + 16)],
                    BORDER.stroke_width(1),
                ))
                .map_err(drawing)?;
            if *cross {
                legend
                    .draw(&Cross::new((19, y + 8), 4, BLACK.stroke_width(2)))
                    .map_err(drawing)?;
            }
            legend
                .draw(&Text::new(
                    label.clone(),
                    (38, y + 2),
                    ("sans-serif", 12).into_font(),
                ))
                .map_err(drawing)?;
        }
        root.present().map_err(drawing)?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::figures::geo;

    /// A map of all 98 municipalities: every area is drawn, each suppressed one carries a cross
    /// and its colour is the suppressed grey, and a municipality without patients is white.
    #[test]
    fn municipality_map_draws_every_area_and_marks_suppressed_ones() {
        let codes: Vec<String> = crate::registers::codes::municipalities()
            .iter()
            .map(|m| m.code.to_string())
            .collect();
        let values: Vec<(String, Option<f64>)> = codes
            .iter()
            .enumerate()
            .skip(1)
            .map(|(i, c)| (c.clone(), (i % 10 != 0).then_some(40.0 + (i % 7) as f64)))
            .collect();
        let hidden = values.iter().filter(|(_, v)| v.is_none()).count();
        let svg = choropleth(
            geo::municipalities(),
            &values,
            "Kort",
            "Andel (%)",
            Lang::Da,
            false,
        )
        .unwrap();
        let rings: usize = geo::municipalities()
            .features
            .iter()
            .map(|a| a.rings.len())
            .sum();
        assert_eq!(svg.matches("<polygon").count(), rings, "every ring filled");
        let grey = format!(
            "fill=\"#{:02X}{:02X}{:02X}\"",
            SUPPRESSED.0, SUPPRESSED.1, SUPPRESSED.2
        );
        let grey_rings: usize = geo::municipalities()
            .features
            .iter()
            .filter(|a| {
                values
                    .iter()
                    .any(|(c, v)| v.is_none() && same_code(c, &a.code))
            })
            .map(|a| a.rings.len())
            .sum();
        // The suppressed areas and the legend's box.
        assert_eq!(
            svg.matches(&grey).count(),
            grey_rings + 1,
            "suppressed areas are grey"
        );
        assert!(hidden >= 9);
        // The first municipality has no row: it is white, not a class colour.
        assert!(svg.contains("fill=\"#FFFFFF\""));
        for class in 0..5 {
            let c = class_colour(class);
            assert!(
                svg.contains(&format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)),
                "class {class} in the legend"
            );
        }
    }

    #[test]
    fn classes_split_the_range_in_five_and_colours_darken() {
        let r = (10.0, 20.0);
        assert_eq!(class_of(10.0, r), 0);
        assert_eq!(class_of(11.99, r), 0);
        assert_eq!(class_of(12.0, r), 1);
        assert_eq!(class_of(20.0, r), 4);
        let lightness = |c: RGBColor| c.0 as u32 + c.1 as u32 + c.2 as u32;
        for k in 0..4 {
            assert!(lightness(class_colour(k)) > lightness(class_colour(k + 1)));
        }
        assert_eq!(class_colour(4), BLUE);
    }
}
