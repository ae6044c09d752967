//! Choropleth maps of the regions or municipalities, coloured by each area's difference from
//! the national value in five classes with fixed limits (2 and 5 percentage points either side),
//! on a diverging Okabe-Ito scale (readable with every colour-vision deficiency): blue where an
//! area does better than the country, vermillion where it does worse, as the outcome's polarity
//! says, near-white within 2 points. Equal-width classes between the smallest and largest value
//! gave a spread of a few points, noise among small regions, the whole colour range; fixed limits
//! around the national value do not, and a thick border marks the areas whose 95% interval
//! excludes the national value (the comparison with the national average RKKP's and the Danish
//! Health Authority's atlases make). Colour never works alone: region maps print each value on
//! its area (with "*" where it differs significantly), suppressed areas are grey with a cross,
//! areas without patients white, and the text alternative lists every area's value. The
//! municipality map has an inset of the capital area, whose municipalities are too small to see
//! at the country's scale.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::geo::{Areas, centroid, project, same_code};
use super::{BLACK, BLUE, VERMILLION, drawing};
use crate::error::Result;
use crate::report::format::number;
use crate::report::labels::Lang;

/// One area's released estimate and interval; `value: None` is suppressed.
#[derive(Debug, Clone)]
pub struct MapValue {
    pub code: String,
    pub value: Option<f64>,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
}

impl MapValue {
    /// Whether the area's 95% interval excludes the national value.
    fn differs(&self, national: f64) -> bool {
        matches!((self.lower, self.upper), (Some(l), Some(u)) if l > national || u < national)
    }
}

/// What the colours are relative to.
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    /// The national value (the total row), the centre of the classes.
    pub national: f64,
    /// Higher is better (an offer); false for an adverse outcome such as death.
    pub favourable: bool,
}

/// The class limits in percentage points from the national value.
const NEAR: f64 = 2.0;
const FAR: f64 = 5.0;

/// The class of a difference from the national value: 0 = more than 5 points below, 1 = 2-5
/// below, 2 = within 2, 3 = 2-5 above, 4 = more than 5 above.
fn class_of(difference: f64) -> usize {
    if difference <= -FAR {
        0
    } else if difference <= -NEAR {
        1
    } else if difference < NEAR {
        2
    } else if difference < FAR {
        3
    } else {
        4
    }
}

/// A colour mixed with white: `strength` 1 is the colour itself.
fn tint(c: RGBColor, strength: f64) -> RGBColor {
    let mix = |v: u8| (255.0 + (v as f64 - 255.0) * strength).round() as u8;
    RGBColor(mix(c.0), mix(c.1), mix(c.2))
}

/// The colour of a class: blue on the better side of the national value, vermillion on the
/// worse, strong beyond 5 points, light between 2 and 5, near-white within 2.
fn class_colour(class: usize, favourable: bool) -> RGBColor {
    let (below, above) = if favourable {
        (VERMILLION, BLUE)
    } else {
        (BLUE, VERMILLION)
    };
    match class {
        0 => below,
        1 => tint(below, 0.45),
        2 => NEUTRAL,
        3 => tint(above, 0.45),
        _ => above,
    }
}

const NEUTRAL: RGBColor = RGBColor(242, 242, 242);
const SUPPRESSED: RGBColor = RGBColor(200, 200, 200);
const BORDER: RGBColor = RGBColor(80, 80, 80);

/// The capital area of the municipality map's inset (longitude, latitude).
const CAPITAL: ([f64; 2], [f64; 2]) = ([12.22, 55.56], [12.68, 55.80]);

/// A map of `areas` coloured by `values` relative to `scale`. Areas not in `values` had no
/// patients. `label_values` prints each value on its area (regions); the municipality map
/// (`label_values` false) gets the capital inset.
pub fn choropleth(
    areas: &Areas,
    values: &[MapValue],
    scale: Scale,
    title: &str,
    lang: Lang,
    label_values: bool,
) -> Result<String> {
    let bounds = areas
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
    let map_height =
        (map_width as f64 * (bounds.3 - bounds.2) / (bounds.1 - bounds.0)).round() as u32;
    let (width, height) = (map_width + 230, map_height.max(470) + 60);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(drawing)?;
        let body = root.titled(title, ("sans-serif", 17)).map_err(drawing)?;
        let (map_area, side) = body.split_horizontally(map_width);
        draw_areas(&map_area, areas, values, scale, bounds, lang, label_values)?;
        let legend_height = legend(&side, scale, lang)?;
        if !label_values {
            let (.., inset) = side.split_vertically(legend_height + 8);
            let ([x0, y0], [x1, y1]) = CAPITAL;
            let ((px0, py0), (px1, py1)) = (project([x0, y0]), project([x1, y1]));
            let inset = inset.margin(4, 4, 4, 8);
            let caption = lang.pick("Hovedstadsområdet", "The capital area");
            let inset = inset.titled(caption, ("sans-serif", 12)).map_err(drawing)?;
            let (w, _) = inset.dim_in_pixel();
            let h = (w as f64 * (py1 - py0) / (px1 - px0)).round() as u32;
            let (inset, _) = inset.split_vertically(h);
            draw_areas(
                &inset,
                areas,
                values,
                scale,
                (px0, px1, py0, py1),
                lang,
                false,
            )?;
            inset
                .draw(&Rectangle::new(
                    [(0, 0), (w as i32 - 1, h as i32 - 1)],
                    BORDER.stroke_width(1),
                ))
                .map_err(drawing)?;
        }
        root.present().map_err(drawing)?;
    }
    Ok(svg)
}

/// The areas inside `bounds` (projected x0, x1, y0, y1), filled by class, with their marks.
fn draw_areas(
    on: &DrawingArea<SVGBackend<'_>, Shift>,
    areas: &Areas,
    values: &[MapValue],
    scale: Scale,
    (x0, x1, y0, y1): (f64, f64, f64, f64),
    lang: Lang,
    label_values: bool,
) -> Result<()> {
    let value_of = |code: &str| values.iter().find(|v| same_code(&v.code, code));
    let mut chart = ChartBuilder::on(on)
        .margin(6)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(drawing)?;
    let inside = |p: &(f64, f64)| (x0..=x1).contains(&p.0) && (y0..=y1).contains(&p.1);
    for area in &areas.features {
        let value = value_of(&area.code);
        let fill = match value {
            Some(MapValue { value: Some(v), .. }) => {
                class_colour(class_of(v - scale.national), scale.favourable)
            }
            Some(_) => SUPPRESSED,
            None => WHITE,
        };
        let differs = value.is_some_and(|v| v.differs(scale.national));
        for ring in &area.rings {
            let points: Vec<(f64, f64)> = ring.iter().copied().map(project).collect();
            if !points.iter().any(inside) {
                continue;
            }
            chart
                .draw_series(std::iter::once(Polygon::new(points.clone(), fill.filled())))
                .map_err(drawing)?;
            chart
                .draw_series(std::iter::once(PathElement::new(
                    points,
                    if differs {
                        BLACK.stroke_width(3)
                    } else {
                        BORDER.stroke_width(1)
                    },
                )))
                .map_err(drawing)?;
        }
    }
    // The marks after every area, so that no later border crosses a label.
    for area in &areas.features {
        let value = value_of(&area.code);
        let differs = value.is_some_and(|v| v.differs(scale.national));
        let Some(largest) = area.rings.first() else {
            continue;
        };
        let at = centroid(largest);
        if !inside(&at) {
            continue;
        }
        match value {
            Some(MapValue { value: None, .. }) => {
                chart
                    .draw_series(std::iter::once(Cross::new(at, 4, BLACK.stroke_width(2))))
                    .map_err(drawing)?;
            }
            Some(MapValue { value: Some(v), .. }) if label_values => {
                let name = area.name.trim_start_matches("Region ");
                let mark = if differs { "*" } else { "" };
                let text = format!("{name} {}{mark}", number(Some(*v), 1, lang));
                chart
                    .draw_series(std::iter::once(Text::new(
                        text,
                        at,
                        ("sans-serif", 13)
                            .into_font()
                            .color(&BLACK)
                            .pos(Pos::new(HPos::Center, VPos::Center)),
                    )))
                    .map_err(drawing)?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// The legend: the national value, the five classes, the significance border, suppressed and
/// no patients. Returns the height it takes.
fn legend(on: &DrawingArea<SVGBackend<'_>, Shift>, scale: Scale, lang: Lang) -> Result<u32> {
    let points = lang.pick("procentpoint", "percentage points");
    let (below, above) = (lang.pick("under", "below"), lang.pick("over", "above"));
    let class_labels = [
        format!("{} 5 {points} {below}", lang.pick("Mere end", "More than")),
        format!("2–5 {points} {below}"),
        format!("{} 2 {points}", lang.pick("Inden for", "Within")),
        format!("2–5 {points} {above}"),
        format!("{} 5 {points} {above}", lang.pick("Mere end", "More than")),
    ];
    let mut entries: Vec<(RGBColor, String, u32, bool)> = class_labels
        .into_iter()
        .enumerate()
        .map(|(class, label)| (class_colour(class, scale.favourable), label, 1, false))
        .collect();
    entries.push((
        WHITE,
        lang.pick(
            "Signifikant forskellig (95\u{a0}% CI)",
            "Significantly different (95% CI)",
        )
        .to_string(),
        3,
        false,
    ));
    entries.push((
        SUPPRESSED,
        lang.pick("Undertrykt (×)", "Suppressed (×)").into(),
        1,
        true,
    ));
    entries.push((
        WHITE,
        lang.pick("Ingen patienter", "No patients").into(),
        1,
        false,
    ));
    let heading = [
        format!(
            "{} {} %",
            lang.pick(
                "Forskel fra landsgennemsnittet,",
                "Difference from the national value,"
            ),
            number(Some(scale.national), 1, lang)
        ),
        lang.pick("blå: bedre, rød: dårligere", "blue: better, red: worse")
            .to_string(),
    ];
    for (i, line) in heading.iter().enumerate() {
        on.draw(&Text::new(
            line.clone(),
            (8, 14 + 16 * i as i32),
            ("sans-serif", 12).into_font(),
        ))
        .map_err(drawing)?;
    }
    let top = 14 + 16 * heading.len() as i32 + 6;
    for (i, (colour, label, border, cross)) in entries.iter().enumerate() {
        let y = top + 22 * i as i32;
        on.draw(&Rectangle::new([(8, y), (30, y + 16)], colour.filled()))
            .map_err(drawing)?;
        if *border > 1 {
            // The SVG backend draws a rectangle's outline one pixel wide whatever its style:
            // the thick border is a path, as on the map.
            on.draw(&PathElement::new(
                vec![(8, y), (30, y), (30, y + 16), (8, y + 16), (8, y)],
                BLACK.stroke_width(*border),
            ))
            .map_err(drawing)?;
        } else {
            on.draw(&Rectangle::new(
                [(8, y), (30, y + 16)],
                BORDER.stroke_width(1),
            ))
            .map_err(drawing)?;
        }
        if *cross {
            on.draw(&Cross::new((19, y + 8), 4, BLACK.stroke_width(2)))
                .map_err(drawing)?;
        }
        on.draw(&Text::new(
            label.clone(),
            (38, y + 2),
            ("sans-serif", 11).into_font(),
        ))
        .map_err(drawing)?;
    }
    Ok((top + 22 * entries.len() as i32) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::figures::geo;

    fn value(code: &str, v: Option<f64>, half_width: f64) -> MapValue {
        MapValue {
            code: code.to_string(),
            value: v,
            lower: v.map(|v| v - half_width),
            upper: v.map(|v| v + half_width),
        }
    }

    fn hex(c: RGBColor) -> String {
        format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
    }

    /// A map of all 98 municipalities: every area is drawn (those of the capital again in the
    /// inset), each suppressed one is grey with a cross, and a municipality without patients is
    /// white.
    #[test]
    fn municipality_map_draws_every_area_and_the_capital_again() {
        let codes: Vec<String> = crate::registers::codes::municipalities()
            .iter()
            .map(|m| m.code.to_string())
            .collect();
        let values: Vec<MapValue> = codes
            .iter()
            .enumerate()
            .skip(1)
            .map(|(i, c)| value(c, (i % 10 != 0).then_some(40.0 + (i % 13) as f64), 1.0))
            .collect();
        let scale = Scale {
            national: 46.0,
            favourable: true,
        };
        let svg = choropleth(
            geo::municipalities(),
            &values,
            scale,
            "Kort",
            Lang::Da,
            false,
        )
        .unwrap();
        let ([x0, y0], [x1, y1]) = CAPITAL;
        let in_capital = |ring: &Vec<[f64; 2]>| {
            ring.iter()
                .any(|[x, y]| (x0..=x1).contains(x) && (y0..=y1).contains(y))
        };
        let rings: usize = geo::municipalities()
            .features
            .iter()
            .map(|a| a.rings.len())
            .sum();
        let capital: usize = geo::municipalities()
            .features
            .iter()
            .map(|a| a.rings.iter().filter(|r| in_capital(r)).count())
            .sum();
        assert!(capital >= 10, "{capital} rings in the capital area");
        assert_eq!(svg.matches("<polygon").count(), rings + capital);
        assert!(svg.contains("Hovedstadsområdet"));
        let grey = format!("fill=\"{}\"", hex(SUPPRESSED));
        assert!(svg.matches(&grey).count() >= 9, "suppressed areas are grey");
        assert!(svg.contains("fill=\"#FFFFFF\""), "an area without patients");
        for class in 0..5 {
            assert!(
                svg.contains(&hex(class_colour(class, true))),
                "class {class}"
            );
        }
    }

    /// A region whose interval excludes the national value has a thick border and "*" after
    /// its value; one whose interval includes it has neither.
    #[test]
    fn regions_that_differ_significantly_are_marked() {
        let values = vec![
            value("1081", Some(52.0), 1.5),
            value("1082", Some(50.5), 1.5),
            value("1083", Some(49.0), 3.0),
            value("1084", None, 0.0),
            value("1085", Some(43.0), 4.0),
        ];
        let scale = Scale {
            national: 48.0,
            favourable: true,
        };
        let svg = choropleth(geo::regions(), &values, scale, "Kort", Lang::Da, true).unwrap();
        assert!(
            svg.contains("Nordjylland 52,0*"),
            "differs: 50,5-53,5 excludes 48"
        );
        assert!(svg.contains("Midtjylland 50,5*"));
        assert!(
            svg.contains("Syddanmark 49,0") && !svg.contains("Syddanmark 49,0*"),
            "46-52 includes 48"
        );
        assert!(svg.contains("Sjælland 43,0*"));
        assert!(svg.contains("stroke-width=\"3\""), "a thick border");
        assert!(
            !svg.contains("Hovedstadsområdet"),
            "no inset on the region map"
        );
    }

    /// Classes sit at fixed distances from the national value, and the better side is blue
    /// whichever way the outcome points.
    #[test]
    fn classes_centre_on_the_national_value_and_follow_the_polarity() {
        assert_eq!(class_of(-6.0), 0);
        assert_eq!(class_of(-5.0), 0);
        assert_eq!(class_of(-3.0), 1);
        assert_eq!(class_of(-1.9), 2);
        assert_eq!(class_of(1.9), 2);
        assert_eq!(class_of(2.0), 3);
        assert_eq!(class_of(5.0), 4);
        assert_eq!(class_colour(4, true), BLUE);
        assert_eq!(class_colour(0, true), VERMILLION);
        assert_eq!(class_colour(4, false), VERMILLION);
        assert_eq!(class_colour(0, false), BLUE);
        assert_eq!(class_colour(2, true), NEUTRAL);
    }
}
