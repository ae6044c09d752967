//! The figures of a document (plotters, SVG): estimates with CI whiskers in small multiples, the
//! slope index of inequality, funnel plots, choropleth maps and trends with CI bands. Every
//! figure uses the Okabe-Ito palette (Okabe & Ito 2008, "Color Universal Design"), never lets
//! colour alone carry meaning (shapes, labels and line styles do too), carries its text
//! alternative inside the SVG (`<title>`, `<desc>`) and beside it in the page, and never draws a
//! suppressed value: a suppressed group is named as suppressed instead.

pub mod forest;
pub mod funnel;
pub mod geo;
pub mod map;
pub mod sii;
pub mod trend;
pub mod whiskers;

use super::labels::Lang;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::format::escape;
use crate::error::Error;

/// Okabe-Ito blue, the colour of estimates.
pub const BLUE: RGBColor = RGBColor(0, 114, 178);
/// Okabe-Ito vermillion, the colour of fitted lines and standards.
pub const VERMILLION: RGBColor = RGBColor(213, 94, 0);
/// Okabe-Ito orange, the colour of the 95% limits.
pub const ORANGE: RGBColor = RGBColor(230, 159, 0);
/// Okabe-Ito black, the colour of the 99.8% limits and of text.
pub const BLACK: RGBColor = RGBColor(0, 0, 0);
/// Okabe-Ito sky blue, the colour of CI bands and bars.
pub const SKY_BLUE: RGBColor = RGBColor(86, 180, 233);
/// A neutral grey for reference lines and suppressed areas.
pub const GREY: RGBColor = RGBColor(150, 150, 150);

/// One figure of a document, before it is numbered.
#[derive(Debug, Clone)]
pub struct Figure {
    /// A file-name stem, unique in the document.
    pub slug: String,
    /// The caption after "Figur N.".
    pub caption: String,
    /// The SVG, with its title and description inside.
    pub svg: String,
    /// A sentence that says what the figure shows, for screen readers and the text alternative.
    pub alt: String,
    /// The figure's numbers as (label, value) pairs, the text alternative's table.
    pub data: Vec<(String, String)>,
}

/// A chart with numbers on both axes, drawn as SVG.
pub type Chart<'a, 'b> =
    ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Draws the labels of a chart's series in one corner, in the figures' one legend style.
pub fn legend<'a, 'b: 'a>(
    chart: &mut Chart<'a, 'b>,
    corner: SeriesLabelPosition,
    border: RGBColor,
) -> crate::error::Result<()> {
    chart
        .configure_series_labels()
        .position(corner)
        .border_style(border)
        .background_style(WHITE.mix(0.9))
        .label_font(("sans-serif", 12))
        .draw()
        .map_err(drawing)
}

/// The error of a drawing call.
pub fn drawing(e: impl std::fmt::Display) -> Error {
    Error::Internal(format!("drawing a figure: {e}"))
}

/// Marks an SVG as an image with its title and description, so that the file on its own is
/// accessible (WAI-ARIA Graphics: `role="img"` with `<title>` and `<desc>`).
pub fn accessible(svg: &str, title: &str, description: &str) -> String {
    let Some(start) = svg.find("<svg") else {
        return svg.to_string();
    };
    let Some(end) = svg[start..].find('>').map(|e| start + e) else {
        return svg.to_string();
    };
    format!(
        "{}<svg role=\"img\" aria-label=\"{}\"{}>\n<title>{}</title>\n<desc>{}</desc>{}",
        &svg[..start],
        escape(title),
        &svg[start + 4..end],
        escape(title),
        escape(description),
        &svg[end + 1..]
    )
}

/// Shortens a label to `max` characters with an ellipsis.
/// Tick labels for a value axis spanning `span`, in the reader's notation (Danish "0,5" and
/// "1.000", not "0.5" and "1000"), with as many decimals as the ticks need: none from a span
/// of 10 up, one from 1, two below.
pub fn ticks(lang: Lang, span: f64) -> impl Fn(&f64) -> String {
    let decimals = if span >= 10.0 {
        0
    } else if span >= 1.0 {
        1
    } else {
        2
    };
    move |v: &f64| super::format::number(Some(*v), decimals, lang)
}

pub fn short(label: &str, max: usize) -> String {
    if label.chars().count() <= max {
        label.to_string()
    } else {
        let mut s: String = label.chars().take(max - 1).collect();
        s.push('…');
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accessible_svg_has_title_and_description_first() {
        let svg = accessible(
            "<svg width=\"10\" height=\"10\" xmlns=\"http://www.w3.org/2000/svg\">\n<rect/></svg>",
            "A & B",
            "What it shows",
        );
        let doc = roxmltree_free_check(&svg);
        assert!(doc, "{svg}");
        assert!(svg.contains("role=\"img\" aria-label=\"A &amp; B\" width=\"10\""));
        assert!(svg.contains("<title>A &amp; B</title>\n<desc>What it shows</desc>"));
    }

    /// The opening tag is still one well-formed tag followed by the title.
    fn roxmltree_free_check(svg: &str) -> bool {
        svg.starts_with("<svg ") && svg.matches("<svg").count() == 1 && svg.ends_with("</svg>")
    }

    #[test]
    fn short_labels_keep_their_start() {
        assert_eq!(short("Mellem (gymnasial)", 8), "Mellem …");
        assert_eq!(short("Kort", 8), "Kort");
    }
}
