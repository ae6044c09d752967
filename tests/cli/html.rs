//! Just enough reading of the reports' HTML for the tests: the tool writes it, so its shape is
//! known (one element per tag, attributes in double quotes).

/// The text between `open` and the next `close`, for every occurrence.
pub fn between<'a>(text: &'a str, open: &str, close: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(open) {
        let after = &rest[start + open.len()..];
        let Some(end) = after.find(close) else { break };
        out.push(&after[..end]);
        rest = &after[end + close.len()..];
    }
    out
}

/// Text without tags, with the entities the tool writes decoded.
pub fn text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

/// One cell of a table body: whether it is numeric (`class="n"`), whether it holds no number
/// (`class="n empty"`: suppressed or not computed) and its text.
pub struct CellText {
    pub numeric: bool,
    pub empty: bool,
    pub text: String,
}

/// A table of the report: caption, headings and body cells.
pub struct HtmlTable {
    pub id: String,
    pub caption: String,
    pub headings: Vec<String>,
    pub rows: Vec<Vec<CellText>>,
}

/// Every `<table id="tabel-N">` of a page.
pub fn tables(page: &str) -> Vec<HtmlTable> {
    between(page, "<table id=\"", "</table>")
        .into_iter()
        .map(|t| {
            let id = t[..t.find('"').expect("id")].to_string();
            let caption = text(between(t, "<caption>", "</caption>")[0]);
            let headings = between(t, "<th scope=\"col\">", "</th>")
                .into_iter()
                .map(text)
                .collect();
            let body = between(t, "<tbody>", "</tbody>")[0];
            let rows = between(body, "<tr>", "</tr>")
                .into_iter()
                .map(|row| {
                    between(row, "<td", "</td>")
                        .into_iter()
                        .map(|cell| {
                            let close = cell.find('>').expect("cell tag");
                            CellText {
                                numeric: cell[..close].contains("class=\"n"),
                                empty: cell[..close].contains("empty"),
                                text: text(&cell[close + 1..]),
                            }
                        })
                        .collect()
                })
                .collect();
            HtmlTable {
                id,
                caption,
                headings,
                rows,
            }
        })
        .collect()
}

/// The numbers printed in a cell ("41,2 (38,0–44,5)" gives 41.2, 38.0, 44.5; "−1,2 til 3,4"
/// gives -1.2, 3.4; "27.102" gives 27102), reading Danish numbers.
pub fn numbers(cell: &str) -> Vec<f64> {
    // Danish text: a point between thousands, a decimal comma, a real minus, "til" in ranges.
    cell.replace(['(', ')', '–'], " ")
        .replace(" til ", " ")
        .replace('−', "-")
        .split_whitespace()
        .filter_map(|t| t.replace('.', "").replace(',', ".").parse::<f64>().ok())
        .collect()
}
