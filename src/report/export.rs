//! Every document table also as CSV, as one Excel workbook and as Parquet, written from the same
//! rounded numbers the page prints (see [`DocTable::export_rows`]).

use polars::prelude::*;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, XlsxError};

use super::doc_table::{DocTable, ExportValue};
use super::labels::Lang;
use crate::csv_file::CsvDialect;
use crate::error::{Error, Result};

/// One table as CSV text in the dialect given.
pub fn table_csv(table: &DocTable, lang: Lang, dialect: CsvDialect) -> String {
    let decimal_comma = dialect.decimal_comma();
    let join = |fields: Vec<String>| dialect.join(fields.iter().map(String::as_str));
    let mut out = String::from(dialect.bom());
    out.push_str(&join(table.export_headings(lang)));
    out.push('\n');
    for row in table.export_rows() {
        out.push_str(&join(
            row.iter().map(|v| v.csv_text(decimal_comma)).collect(),
        ));
        out.push('\n');
    }
    out
}

fn xlsx(e: XlsxError) -> Error {
    Error::Internal(format!("writing the Excel workbook: {e}"))
}

/// An Excel sheet name: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(table: &DocTable, lang: Lang) -> String {
    table.label(lang).chars().take(31).collect()
}

/// One workbook: a first sheet with the document's notes (title, disclosure rule, provenance),
/// then a sheet per table with its caption, headings, rows and notes. The workbook's creation
/// date is the data's as-of date (`(year, month, day)`), so the same run gives the same bytes.
pub fn workbook(
    tables: &[DocTable],
    lang: Lang,
    about: &[String],
    as_of: (i32, u32, u32),
) -> Result<Vec<u8>> {
    let mut book = Workbook::new();
    let created =
        ExcelDateTime::from_ymd(as_of.0 as u16, as_of.1 as u8, as_of.2 as u8).map_err(xlsx)?;
    book.set_properties(&DocProperties::new().set_creation_datetime(&created));
    let bold = Format::new().set_bold();
    let sheet = book.add_worksheet();
    sheet
        .set_name(lang.pick("Om tabellerne", "About the tables"))
        .map_err(xlsx)?;
    sheet.set_column_width(0, 120).map_err(xlsx)?;
    for (i, line) in about.iter().enumerate() {
        if i == 0 {
            sheet
                .write_string_with_format(0, 0, line, &bold)
                .map_err(xlsx)?;
        } else {
            sheet.write_string(i as u32, 0, line).map_err(xlsx)?;
        }
    }
    for table in tables {
        let sheet = book.add_worksheet();
        sheet.set_name(sheet_name(table, lang)).map_err(xlsx)?;
        sheet
            .write_string_with_format(
                0,
                0,
                format!("{}. {}", table.label(lang), table.caption),
                &bold,
            )
            .map_err(xlsx)?;
        for (c, heading) in table.export_headings(lang).iter().enumerate() {
            sheet
                .write_string_with_format(2, c as u16, heading, &bold)
                .map_err(xlsx)?;
            sheet
                .set_column_width(c as u16, if c == 0 { 34 } else { 14 })
                .map_err(xlsx)?;
        }
        let rows = table.export_rows();
        for (r, row) in rows.iter().enumerate() {
            let r = 3 + r as u32;
            for (c, value) in row.iter().enumerate() {
                let c = c as u16;
                match value {
                    ExportValue::Text(t) => {
                        sheet.write_string(r, c, t).map_err(xlsx)?;
                    }
                    ExportValue::Number(Some(v), decimals) => {
                        let pattern = if *decimals == 0 {
                            "0".to_string()
                        } else {
                            format!("0.{}", "0".repeat(*decimals))
                        };
                        sheet
                            .write_number_with_format(
                                r,
                                c,
                                *v,
                                &Format::new().set_num_format(pattern),
                            )
                            .map_err(xlsx)?;
                    }
                    ExportValue::Number(None, _) => {}
                }
            }
        }
        let below = 4 + rows.len() as u32;
        for (i, note) in table.notes.iter().enumerate() {
            sheet
                .write_string(below + i as u32, 0, note)
                .map_err(xlsx)?;
        }
    }
    book.save_to_buffer().map_err(xlsx)
}

/// One table as a Parquet file: text columns as strings, numbers as 64-bit floats (empty for a
/// hidden or missing value), with the caption and notes in the file's key-value metadata.
pub fn table_parquet(table: &DocTable, lang: Lang) -> Result<Vec<u8>> {
    let headings = table.export_headings(lang);
    let rows = table.export_rows();
    let columns: Vec<Column> = headings
        .iter()
        .enumerate()
        .map(|(c, name)| {
            let text = rows
                .first()
                .is_some_and(|r| matches!(r[c], ExportValue::Text(_)));
            if text {
                let values: Vec<Option<String>> = rows
                    .iter()
                    .map(|r| match &r[c] {
                        ExportValue::Text(t) => Some(t.clone()),
                        ExportValue::Number(..) => None,
                    })
                    .collect();
                Column::new(name.as_str().into(), values)
            } else {
                let values: Vec<Option<f64>> = rows
                    .iter()
                    .map(|r| match &r[c] {
                        ExportValue::Number(v, _) => *v,
                        ExportValue::Text(_) => None,
                    })
                    .collect();
                Column::new(name.as_str().into(), values)
            }
        })
        .collect();
    let polars = |e: PolarsError| Error::Internal(format!("writing {}: {e}", table.label(lang)));
    let mut frame = DataFrame::new_infer_height(columns).map_err(polars)?;
    let mut bytes = Vec::new();
    let mut metadata = vec![(
        "caption".to_string(),
        format!("{}. {}", table.label(lang), table.caption),
    )];
    if !table.notes.is_empty() {
        metadata.push(("notes".to_string(), table.notes.join(" ")));
    }
    ParquetWriter::new(&mut bytes)
        .with_key_value_metadata(Some(KeyValueMetadata::from_static(metadata)))
        .finish(&mut frame)
        .map_err(polars)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::doc_table::{Cell, Column as DocColumn};

    fn table() -> DocTable {
        DocTable {
            number: 1,
            caption: "Andel; efter køn".into(),
            columns: vec![
                DocColumn {
                    heading: "Køn".into(),
                    interval: false,
                },
                DocColumn {
                    heading: "Andel (%)".into(),
                    interval: true,
                },
            ],
            rows: vec![vec![
                Cell::Text("Kvinder; i alt".into()),
                Cell::Estimate {
                    value: Some(12.34),
                    lower: Some(10.0),
                    upper: Some(15.0),
                    decimals: 1,
                    why_empty: String::new(),
                },
            ]],
            notes: vec!["note".into()],
        }
    }

    #[test]
    fn danish_excel_dialect_uses_semicolons_decimal_commas_and_a_bom() {
        let text = table_csv(&table(), Lang::Da, CsvDialect::ExcelDa);
        assert!(text.starts_with('\u{feff}'));
        assert_eq!(
            text.trim_start_matches('\u{feff}'),
            "Køn;Andel (%);Andel (%) nedre;Andel (%) øvre\n\"Kvinder; i alt\";12,3;10,0;15,0\n"
        );
        let standard = table_csv(&table(), Lang::Da, CsvDialect::Standard);
        assert_eq!(
            standard,
            "Køn,Andel (%),Andel (%) nedre,Andel (%) øvre\nKvinder; i alt,12.3,10.0,15.0\n"
        );
    }

    #[test]
    fn workbook_and_parquet_are_written() {
        let book = workbook(&[table()], Lang::Da, &["Om".into()], (2025, 6, 30)).unwrap();
        let again = workbook(&[table()], Lang::Da, &["Om".into()], (2025, 6, 30)).unwrap();
        assert!(
            book == again,
            "the same workbook twice gives the same bytes"
        );
        // An .xlsx file is a zip archive.
        assert_eq!(&book[..2], b"PK");
        let parquet = table_parquet(&table(), Lang::Da).unwrap();
        let frame = ParquetReader::new(std::io::Cursor::new(parquet))
            .finish()
            .unwrap();
        assert_eq!(frame.shape(), (1, 4));
        let value = frame.column("Andel (%)").unwrap().f64().unwrap().get(0);
        assert_eq!(value, Some(12.3));
    }
}
