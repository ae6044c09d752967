//! `report.pdf`: the report page typeset for print by Typst, linked into the binary, so a PDF
//! needs no browser, TeX or other program on the machine that runs the analysis. Typst is the
//! Rust typesetter with a maintained library interface (`typst`, `typst-pdf`), page numbers,
//! running headers and a contents list with page numbers, SVG figures and Danish hyphenation;
//! the alternatives in Rust (printpdf, genpdf) lay out neither tables over pages nor a contents
//! list. The page's HTML is the one source of both renderings ([`markup`]).

mod markup;
mod world;

use super::labels::Lang;
use crate::error::{Error, Result};

/// The PDF of the page `html` (a whole report page as [`super::document`] writes it).
pub fn render(html: &str, lang: Lang) -> Result<Vec<u8>> {
    let frame = markup::Frame {
        lang: lang.pick("da", "en"),
        page: lang.pick("Side", "Page"),
        of: lang.pick("af", "of"),
    };
    let typeset =
        markup::typeset(html, &frame).map_err(|e| Error::Internal(format!("report.pdf: {e}")))?;
    let world = world::ReportWorld::new(typeset.source, typeset.figures);
    let compiled = typst::compile::<typst_layout::PagedDocument>(&world);
    let document = compiled.output.map_err(|errors| {
        let messages: Vec<String> = errors.iter().map(|e| e.message.to_string()).collect();
        Error::Internal(format!(
            "report.pdf could not be typeset: {}",
            messages.join("; ")
        ))
    })?;
    typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default()).map_err(|errors| {
        let messages: Vec<String> = errors.iter().map(|e| e.message.to_string()).collect();
        Error::Internal(format!(
            "report.pdf could not be written: {}",
            messages.join("; ")
        ))
    })
}
