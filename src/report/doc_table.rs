//! A numbered table of a document, held as typed cells so that the HTML, the CSV, the Excel
//! sheet and the Parquet file of the same table are written from the same numbers, rounded the
//! same way.

use super::format::{count, escape, with_interval};
use super::labels::Lang;

/// One cell.
#[derive(Debug, Clone)]
pub enum Cell {
    Text(String),
    Count(Option<u64>),
    /// An estimate with an optional interval, shown with `decimals` decimals; `why_empty` is
    /// shown when there is no value (suppressed, or not computed and why).
    Estimate {
        value: Option<f64>,
        lower: Option<f64>,
        upper: Option<f64>,
        decimals: usize,
        why_empty: String,
    },
}

impl Cell {
    /// Rounds to the decimals shown by the same formatting the page uses, so exports carry
    /// exactly the printed numbers.
    pub fn rounded(value: Option<f64>, decimals: usize) -> Option<f64> {
        value.and_then(|v| format!("{v:.decimals$}").parse().ok())
    }

    fn html(&self, lang: Lang) -> String {
        match self {
            Cell::Text(t) => format!("<td>{}</td>", escape(t)),
            Cell::Count(c) => format!("<td class=\"n\">{}</td>", count(*c, lang)),
            Cell::Estimate {
                value,
                lower,
                upper,
                decimals,
                why_empty,
            } => {
                if value.is_none() {
                    format!("<td class=\"n empty\">{}</td>", escape(why_empty))
                } else {
                    format!(
                        "<td class=\"n\">{}</td>",
                        with_interval(*value, *lower, *upper, *decimals, lang)
                    )
                }
            }
        }
    }
}

/// A column: its heading, and whether its estimates carry an interval (exports then get lower
/// and upper columns).
#[derive(Debug, Clone)]
pub struct Column {
    pub heading: String,
    pub interval: bool,
}

/// A numbered table.
#[derive(Debug, Clone)]
pub struct DocTable {
    pub number: usize,
    pub caption: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
    /// Notes printed under the table (and written beside it in the exports).
    pub notes: Vec<String>,
}

impl DocTable {
    /// The table's label, "Tabel 3" / "Table 3".
    pub fn label(&self, lang: Lang) -> String {
        format!("{} {}", lang.pick("Tabel", "Table"), self.number)
    }

    /// The HTML table with its numbered caption and notes.
    pub fn html(&self, lang: Lang) -> String {
        let mut html = format!(
            "<table id=\"tabel-{n}\">\n<caption>{label}. {caption}</caption>\n<thead><tr>",
            n = self.number,
            label = self.label(lang),
            caption = escape(&self.caption)
        );
        for c in &self.columns {
            let heading = if c.interval {
                format!("{} {}", c.heading, lang.pick("(95\u{a0}% CI)", "(95% CI)"))
            } else {
                c.heading.clone()
            };
            html.push_str(&format!("<th scope=\"col\">{}</th>", escape(&heading)));
        }
        html.push_str("</tr></thead>\n<tbody>\n");
        for row in &self.rows {
            html.push_str("<tr>");
            for cell in row {
                html.push_str(&cell.html(lang));
            }
            html.push_str("</tr>\n");
        }
        html.push_str("</tbody>\n</table>\n");
        for note in &self.notes {
            html.push_str(&format!("<p class=\"note\">{}</p>\n", escape(note)));
        }
        html
    }

    /// The export headings: an interval column becomes value, lower and upper.
    pub fn export_headings(&self, lang: Lang) -> Vec<String> {
        let mut out = Vec::new();
        for c in &self.columns {
            out.push(c.heading.clone());
            if c.interval {
                out.push(format!("{} {}", c.heading, lang.pick("nedre", "lower")));
                out.push(format!("{} {}", c.heading, lang.pick("øvre", "upper")));
            }
        }
        out
    }

    /// The export values of each row, in the order of [`DocTable::export_headings`].
    pub fn export_rows(&self) -> Vec<Vec<ExportValue>> {
        self.rows
            .iter()
            .map(|row| {
                let mut out = Vec::new();
                for (cell, column) in row.iter().zip(&self.columns) {
                    match cell {
                        Cell::Text(t) => out.push(ExportValue::Text(t.clone())),
                        Cell::Count(c) => out.push(ExportValue::Number(c.map(|c| c as f64), 0)),
                        Cell::Estimate {
                            value,
                            lower,
                            upper,
                            decimals,
                            ..
                        } => {
                            out.push(ExportValue::Number(
                                Cell::rounded(*value, *decimals),
                                *decimals,
                            ));
                            if column.interval {
                                let shown = value.is_some();
                                for bound in [lower, upper] {
                                    let v = if shown { *bound } else { None };
                                    out.push(ExportValue::Number(
                                        Cell::rounded(v, *decimals),
                                        *decimals,
                                    ));
                                }
                            }
                        }
                    }
                }
                out
            })
            .collect()
    }
}

/// One exported value.
#[derive(Debug, Clone, PartialEq)]
pub enum ExportValue {
    Text(String),
    /// A number already rounded to the given decimals; `None` is an empty cell.
    Number(Option<f64>, usize),
}

impl ExportValue {
    /// The value as CSV text, in the notation given (`decimal_comma` for Danish Excel).
    pub fn csv_text(&self, decimal_comma: bool) -> String {
        match self {
            ExportValue::Text(t) => t.clone(),
            ExportValue::Number(None, _) => String::new(),
            ExportValue::Number(Some(v), decimals) => {
                let text = format!("{v:.decimals$}");
                if decimal_comma {
                    text.replace('.', ",")
                } else {
                    text
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> DocTable {
        DocTable {
            number: 2,
            caption: "Andel".into(),
            columns: vec![
                Column {
                    heading: "Gruppe".into(),
                    interval: false,
                },
                Column {
                    heading: "Patienter".into(),
                    interval: false,
                },
                Column {
                    heading: "Andel (%)".into(),
                    interval: true,
                },
            ],
            rows: vec![
                vec![
                    Cell::Text("Kort".into()),
                    Cell::Count(Some(120)),
                    Cell::Estimate {
                        value: Some(41.26),
                        lower: Some(38.04),
                        upper: Some(44.55),
                        decimals: 1,
                        why_empty: String::new(),
                    },
                ],
                vec![
                    Cell::Text("Lang".into()),
                    Cell::Count(None),
                    Cell::Estimate {
                        value: None,
                        lower: Some(1.0),
                        upper: Some(2.0),
                        decimals: 1,
                        why_empty: "undertrykt".into(),
                    },
                ],
            ],
            notes: vec![],
        }
    }

    #[test]
    fn exports_carry_the_printed_numbers_and_nothing_of_a_hidden_cell() {
        let t = table();
        let html = t.html(Lang::Da);
        assert!(html.contains("41,3 (38,0–44,5)"), "{html}");
        assert!(html.contains("undertrykt"));
        assert_eq!(t.export_headings(Lang::Da).len(), 5);
        let rows = t.export_rows();
        assert_eq!(rows[0][2], ExportValue::Number(Some(41.3), 1));
        assert_eq!(rows[0][3].csv_text(true), "38,0");
        // A hidden estimate leaks neither its value nor its bounds.
        assert!(
            rows[1][2..]
                .iter()
                .all(|v| *v == ExportValue::Number(None, 1))
        );
    }
}
