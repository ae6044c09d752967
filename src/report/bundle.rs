//! The files of a document: the page and its PDF, each figure as SVG (and PNG on request), and each table
//! as CSV, Parquet and a sheet of one Excel workbook.

use super::deliverable::Deliverable;
use super::document::Document;
use super::export::{table_csv, table_parquet, workbook};
use super::labels::Lang;
use crate::csv_file::CsvDialect;
use crate::error::Result;

/// How a document's files are written.
#[derive(Debug, Clone, Copy)]
pub struct BundleOptions {
    pub lang: Lang,
    pub dialect: CsvDialect,
    /// Also write each figure as PNG.
    pub png: bool,
    /// The NOT FOR RELEASE mark of an internal run, heading every CSV.
    pub internal: Option<&'static str>,
    /// The data's as-of date (day number), the workbook's creation date.
    pub as_of: i32,
}

impl From<&Deliverable> for BundleOptions {
    fn from(d: &Deliverable) -> BundleOptions {
        BundleOptions {
            lang: d.lang,
            dialect: d.csv_dialect,
            png: d.png,
            internal: d.internal_mark(),
            as_of: d.as_of,
        }
    }
}

/// (relative path, bytes) of every file of the document; `about` heads the workbook.
pub fn files(
    doc: &Document,
    options: BundleOptions,
    about: &[String],
) -> Result<Vec<(String, Vec<u8>)>> {
    let mut files = vec![
        ("report.html".to_string(), doc.html.clone().into_bytes()),
        (
            "report.pdf".to_string(),
            super::pdf::render(&doc.html, options.lang)?,
        ),
    ];
    for figure in &doc.figures {
        files.push((
            format!("figures/{}.svg", figure.slug),
            figure.svg.clone().into_bytes(),
        ));
        if options.png {
            files.push((
                format!("figures/{}.png", figure.slug),
                super::png::render(&figure.svg, &figure.slug)?,
            ));
        }
    }
    for table in &doc.tables {
        let stem = format!("tables/tabel-{:02}", table.number);
        let mut csv = table_csv(table, options.lang, options.dialect);
        if let Some(mark) = options.internal {
            csv = format!("# {mark}\n{csv}");
        }
        files.push((format!("{stem}.csv"), csv.into_bytes()));
        files.push((
            format!("{stem}.parquet"),
            table_parquet(table, options.lang)?,
        ));
    }
    if !doc.tables.is_empty() {
        files.push((
            "tables/tabeller.xlsx".to_string(),
            workbook(
                &doc.tables,
                options.lang,
                about,
                crate::dates::civil_from_days(options.as_of),
            )?,
        ));
    }
    Ok(files)
}
