//! PNG copies of the figures (`--png`), rendered from the same SVG with resvg, the Rust
//! ecosystem's SVG renderer, at twice the SVG's size for print. Text uses the system's fonts.

use std::sync::{Arc, OnceLock};

use resvg::{tiny_skia, usvg};

use crate::error::{Error, Result};

fn fonts() -> Arc<usvg::fontdb::Database> {
    static FONTS: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut db = usvg::fontdb::Database::new();
            db.load_system_fonts();
            db.set_sans_serif_family("DejaVu Sans");
            Arc::new(db)
        })
        .clone()
}

/// The figure `svg` as PNG bytes; `name` names it in an error.
pub fn render(svg: &str, name: &str) -> Result<Vec<u8>> {
    let failed = |what: String| Error::Internal(format!("rendering figure {name} as PNG: {what}"));
    let options = usvg::Options {
        fontdb: fonts(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| failed(e.to_string()))?;
    let size = tree.size().to_int_size();
    let scale = 2.0;
    let mut pixmap = tiny_skia::Pixmap::new(
        (size.width() as f32 * scale) as u32,
        (size.height() as f32 * scale) as u32,
    )
    .ok_or_else(|| failed("empty figure".into()))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap.encode_png().map_err(|e| failed(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_figure_renders_to_a_png_of_twice_its_size() {
        let svg = r#"<svg width="20" height="10" xmlns="http://www.w3.org/2000/svg"><rect width="10" height="10" fill="black"/></svg>"#;
        let png = render(svg, "test").unwrap();
        assert_eq!(&png[1..4], b"PNG");
        // IHDR: width and height as big-endian u32 at bytes 16..24.
        let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
        let height = u32::from_be_bytes(png[20..24].try_into().unwrap());
        assert_eq!((width, height), (40, 20));
    }
}
