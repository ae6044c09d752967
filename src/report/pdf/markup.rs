//! The report page (HTML) written again as Typst markup, so the PDF holds exactly the text,
//! tables and figures of the page: one document, two renderings. The page is the project's own
//! HTML, a small and well-formed subset (sections, headings, paragraphs, lists, definition
//! lists, tables with a caption, figures with inline SVG), parsed as XML; anything else is
//! refused by name, so a new element cannot silently vanish from the PDF.
//!
//! Every run of text becomes a Typst string (`#"…"`), never markup, so no character of a
//! label or a number can be read as Typst syntax (Typst reference, "Syntax":
//! <https://typst.app/docs/reference/syntax/>).

use roxmltree::{Document, Node};

/// More body rows than this, and a table may run over pages.
const LONG_TABLE: usize = 30;

/// The page's words for the print frame.
pub struct Frame<'a> {
    /// `da` or `en`: hyphenation, quotation marks and number formats.
    pub lang: &'a str,
    /// "Side" / "Page" and "af" / "of" in the footer.
    pub page: &'a str,
    pub of: &'a str,
}

/// The Typst source and the figures it includes, (virtual path, SVG).
pub struct Typeset {
    pub source: String,
    pub figures: Vec<(String, Vec<u8>)>,
}

/// Why the page could not be written as Typst.
#[derive(Debug)]
pub enum MarkupError {
    /// The page is not well-formed (the element and its position).
    Parse(String),
    /// An element the typesetter does not know.
    Unknown(String),
}

impl std::fmt::Display for MarkupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MarkupError::Parse(e) => write!(f, "the page is not well-formed: {e}"),
            MarkupError::Unknown(e) => write!(f, "the page has an element PDF does not know: {e}"),
        }
    }
}

/// The page's look in print: A4, DejaVu Sans as on screen, a running header with the page's
/// title (and the synthetic-data or internal-run mark), page numbers in the footer.
fn preamble(frame: &Frame, title: &str, marks: &[String]) -> String {
    let mark = marks
        .iter()
        .map(|m| {
            format!(
                "text(fill: rgb(\"#a05a00\"), weight: \"bold\", {})",
                string(m)
            )
        })
        .collect::<Vec<_>>()
        .join(" + h(1em) + ");
    let mark = if mark.is_empty() {
        "[]".to_string()
    } else {
        mark
    };
    format!(
        r##"#set document(title: {title})
#set text(font: "DejaVu Sans", size: 9.5pt, lang: "{lang}", hyphenate: true)
#set par(justify: false, leading: 0.6em, spacing: 0.9em)
#set page(paper: "a4", margin: (x: 18mm, top: 22mm, bottom: 20mm),
  header: context if counter(page).get().first() > 1 {{
    set text(size: 7.5pt, fill: luma(90))
    grid(columns: (1fr, auto), gutter: 1em, {title}, {mark})
    v(-0.4em)
    line(length: 100%, stroke: 0.4pt + luma(160))
  }},
  footer: context if counter(page).get().first() > 1 {{
    set text(size: 8pt, fill: luma(60))
    align(center, [{page} #counter(page).display() {of} #counter(page).final().first()])
  }})
#set heading(numbering: none)
#show heading: set text(fill: rgb("#003c5f"), hyphenate: false)
#show heading.where(level: 1): it => block(below: 1em, {{ it; v(-0.5em); line(length: 100%, stroke: 1.2pt + rgb("#0072b2")) }})
#show heading.where(level: 1): set text(size: 15pt)
#show heading.where(level: 2): set text(size: 12pt)
#show heading.where(level: 3): set text(size: 10.5pt)
#show figure.caption: set text(size: 8.5pt)
#show figure.caption: set align(left)
#show figure.where(kind: table): set figure.caption(position: top)
#show table.cell.where(y: 0): set text(weight: "bold")
#set table(stroke: (x, y) => (bottom: if y == 0 {{ 0.8pt + luma(40) }} else {{ 0.3pt + luma(190) }}), inset: (x: 4pt, y: 3pt))
#show table: set text(size: 7.5pt)
#set outline(depth: 2, indent: auto)
"##,
        title = string(title),
        lang = frame.lang,
        page = frame.page,
        of = frame.of,
    )
}

/// The page as Typst markup. `html` is a whole page as [`super::super::document`] writes it.
pub fn typeset(html: &str, frame: &Frame) -> Result<Typeset, MarkupError> {
    let start = html
        .find("<body>")
        .ok_or_else(|| MarkupError::Parse("no <body>".into()))?;
    let end = html
        .rfind("</body>")
        .ok_or_else(|| MarkupError::Parse("no </body>".into()))?;
    let body = &html[start..end + "</body>".len()];
    // The running header names the document by the part of its title before the colon
    // ("Årsanalyse 2026"), which fits on one line.
    let title = match (html.find("<title>"), html.find("</title>")) {
        (Some(from), Some(to)) if from < to => Document::parse(&html[from..to + "</title>".len()])
            .map(|d| {
                let title = text_of(d.root_element());
                title.split(": ").next().unwrap_or_default().to_string()
            })
            .map_err(|e| MarkupError::Parse(format!("<title>: {e}")))?,
        _ => String::new(),
    };
    let doc = Document::parse(body).map_err(|e| MarkupError::Parse(e.to_string()))?;
    let mut writer = Writer {
        source: body,
        out: String::new(),
        figures: Vec::new(),
        marks: Vec::new(),
    };
    for child in doc.root_element().children() {
        writer.top(child)?;
    }
    let source = preamble(frame, &title, &writer.marks) + &writer.out;
    Ok(Typeset {
        source,
        figures: writer.figures,
    })
}

/// A Typst string literal of `text`, whitespace collapsed as HTML does.
fn string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 4);
    out.push('"');
    let mut space = false;
    for c in text.chars() {
        if c.is_ascii_whitespace() {
            space = true;
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            _ => out.push(c),
        }
    }
    if space {
        out.push(' ');
    }
    out.push('"');
    out
}

/// A Typst string literal of `text` with its line breaks kept (preformatted text).
fn string_keeping_lines(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n");
    format!("\"{escaped}\"")
}

fn class<'a>(node: Node<'a, '_>) -> &'a str {
    node.attribute("class").unwrap_or("")
}

fn has_class(node: Node, name: &str) -> bool {
    class(node).split_whitespace().any(|c| c == name)
}

/// All the text under `node`, as one string.
fn text_of(node: Node) -> String {
    node.descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect()
}

struct Writer<'s> {
    source: &'s str,
    out: String,
    figures: Vec<(String, Vec<u8>)>,
    /// The synthetic-data and internal-run marks, repeated in every page's header.
    marks: Vec<String>,
}

impl Writer<'_> {
    /// A child of `<body>`: the frame's parts, then the sections.
    fn top(&mut self, node: Node) -> Result<(), MarkupError> {
        if !node.is_element() {
            return Ok(());
        }
        match node.tag_name().name() {
            "style" => Ok(()),
            "div" if has_class(node, "synthetic") => {
                self.marks.push(text_of(node));
                Ok(())
            }
            "section" if has_class(node, "title-page") => self.title_page(node),
            "p" if has_class(node, "internal") => {
                if let Some(strong) = node.children().find(|n| n.has_tag_name("strong")) {
                    self.marks.push(text_of(strong));
                }
                self.block(node)
            }
            "nav" => {
                let title = node
                    .children()
                    .find(|n| n.has_tag_name("h2"))
                    .map(text_of)
                    .unwrap_or_default();
                self.out.push_str(&format!(
                    "#outline(title: {})\n#pagebreak(weak: true)\n",
                    string(&title)
                ));
                Ok(())
            }
            "section" => {
                if has_class(node, "chapter") || has_class(node, "appendix") {
                    self.out.push_str("#pagebreak(weak: true)\n");
                }
                self.blocks(node)
            }
            _ => self.block(node),
        }
    }

    fn title_page(&mut self, node: Node) -> Result<(), MarkupError> {
        // The title page is not hyphenated; it is closed by the page break below.
        self.out.push_str("#set text(hyphenate: false)\n#v(22%)\n");
        for child in node.children().filter(|n| n.is_element()) {
            match child.tag_name().name() {
                "h1" => self.out.push_str(&format!(
                    "#block(below: 1.2em, text(size: 22pt, weight: \"bold\", fill: rgb(\"#003c5f\"), {}))\n",
                    string(&text_of(child))
                )),
                "p" if has_class(child, "kind") => self.out.push_str(&format!(
                    "#text(size: 14pt, weight: \"bold\", fill: rgb(\"#0072b2\"), {})\n\n",
                    string(&text_of(child))
                )),
                "p" if has_class(child, "subtitle") => self.out.push_str(&format!(
                    "#text(size: 12.5pt, {})\n\n",
                    string(&text_of(child))
                )),
                _ => self.block(child)?,
            }
        }
        self.out
            .push_str("#pagebreak()\n#set text(hyphenate: true)\n");
        Ok(())
    }

    fn blocks(&mut self, node: Node) -> Result<(), MarkupError> {
        for child in node.children() {
            if child.is_element() {
                self.block(child)?;
            } else if child.text().is_some_and(|t| !t.trim().is_empty()) {
                let text = child.text().unwrap_or_default();
                self.out.push_str(&format!("#{}\n\n", string(text)));
            }
        }
        Ok(())
    }

    fn block(&mut self, node: Node) -> Result<(), MarkupError> {
        let name = node.tag_name().name();
        match name {
            "h2" | "h3" | "h4" | "h5" | "h6" => {
                // The page's <h2> is a chapter: Typst's first level.
                let level = usize::from(name.as_bytes()[1] - b'1');
                self.out.push_str(&format!(
                    "#heading(level: {level})[{}]\n",
                    self.inline(node)?
                ));
            }
            "h1" => self
                .out
                .push_str(&format!("#heading(level: 1)[{}]\n", self.inline(node)?)),
            "p" => {
                let content = self.inline(node)?;
                let styled = if has_class(node, "note") {
                    format!("#block(above: 0.4em, text(size: 8pt, fill: luma(50))[{content}])")
                } else if has_class(node, "lead") {
                    format!("#text(size: 10.5pt)[{content}]")
                } else if has_class(node, "internal") {
                    format!(
                        "#block(fill: rgb(\"#cc0000\"), inset: 7pt, width: 100%, text(fill: white)[{content}])"
                    )
                } else if has_class(node, "status") {
                    format!(
                        "#block(fill: rgb(\"#fff3cd\"), stroke: (left: 4pt + rgb(\"#e69f00\")), inset: 7pt, width: 100%)[{content}]"
                    )
                } else {
                    content
                };
                self.out.push_str(&styled);
                self.out.push_str("\n\n");
            }
            "div" if has_class(node, "key-results") => {
                let inner = self.nested(node)?;
                self.out.push_str(&format!(
                    "#block(fill: rgb(\"#f3f8fb\"), stroke: (left: 3pt + rgb(\"#0072b2\")), inset: (x: 8pt, y: 6pt), width: 100%, breakable: true)[\n{inner}]\n"
                ));
            }
            "div" | "section" => self.blocks(node)?,
            "blockquote" => {
                let inner = self.nested(node)?;
                self.out
                    .push_str(&format!("#quote(block: true)[\n{inner}]\n"));
            }
            "pre" => self.out.push_str(&format!(
                "#raw(block: true, {})\n\n",
                string_keeping_lines(&text_of(node))
            )),
            "hr" => self.out.push_str("#line(length: 100%, stroke: 0.4pt)\n\n"),
            "ul" | "ol" => {
                let function = if name == "ul" { "list" } else { "enum" };
                let mut items = Vec::new();
                for li in node.children().filter(|n| n.has_tag_name("li")) {
                    // An item of a loose list holds paragraphs (Markdown): blocks, not text.
                    let blocks = li.children().any(|c| {
                        ["p", "ul", "ol", "blockquote", "pre"].contains(&c.tag_name().name())
                    });
                    let item = if blocks {
                        self.nested(li)?
                    } else {
                        self.inline(li)?
                    };
                    items.push(format!("[{item}]"));
                }
                self.out
                    .push_str(&format!("#{function}({})\n\n", items.join(", ")));
            }
            "dl" => {
                let mut items = Vec::new();
                let mut term = None;
                for child in node.children().filter(|n| n.is_element()) {
                    match child.tag_name().name() {
                        "dt" => term = Some(self.inline(child)?),
                        "dd" => items.push(format!(
                            "terms.item(strong[{}], [{}])",
                            term.take().unwrap_or_default(),
                            self.inline(child)?
                        )),
                        other => return Err(MarkupError::Unknown(format!("<{other}> in <dl>"))),
                    }
                }
                self.out.push_str(&format!(
                    "#terms(separator: linebreak(), indent: 0pt, hanging-indent: 1.2em, {})\n\n",
                    items.join(", ")
                ));
            }
            "table" => self.table(node)?,
            "figure" => self.figure(node)?,
            // The figure's data as a table for screen readers; the PDF gives the figure's
            // title as its alternative text.
            "details" => {}
            "style" => {}
            other => return Err(MarkupError::Unknown(format!("<{other}>"))),
        }
        Ok(())
    }

    /// The blocks under `node`, written to a separate buffer (a box's content).
    fn nested(&mut self, node: Node) -> Result<String, MarkupError> {
        let outer = std::mem::take(&mut self.out);
        let result = self.blocks(node);
        let inner = std::mem::replace(&mut self.out, outer);
        result.map(|()| inner)
    }

    /// Text with its inline elements, as Typst content (without the brackets).
    fn inline(&self, node: Node) -> Result<String, MarkupError> {
        let mut out = String::new();
        for child in node.children() {
            if let Some(text) = child.is_text().then(|| child.text()).flatten() {
                out.push('#');
                out.push_str(&string(text));
                continue;
            }
            if !child.is_element() {
                continue;
            }
            match child.tag_name().name() {
                "strong" | "b" => out.push_str(&format!("#strong[{}]", self.inline(child)?)),
                "em" | "i" => out.push_str(&format!("#emph[{}]", self.inline(child)?)),
                "a" | "span" | "abbr" => out.push_str(&self.inline(child)?),
                "br" => out.push_str("#linebreak()"),
                "code" => out.push_str(&format!("#raw({})", string(&text_of(child)))),
                other => return Err(MarkupError::Unknown(format!("<{other}> in text"))),
            }
        }
        Ok(out)
    }

    fn table(&mut self, node: Node) -> Result<(), MarkupError> {
        let caption = node
            .children()
            .find(|n| n.has_tag_name("caption"))
            .map(|c| self.inline(c))
            .transpose()?;
        let rows: Vec<(bool, Node)> = node
            .descendants()
            .filter(|n| n.has_tag_name("tr"))
            .map(|tr| (tr.parent().is_some_and(|p| p.has_tag_name("thead")), tr))
            .collect();
        let columns = rows
            .iter()
            .map(|(_, tr)| tr.children().filter(|c| c.is_element()).count())
            .max()
            .unwrap_or(1)
            .max(1);
        let mut header = Vec::new();
        let mut body = Vec::new();
        let mut body_rows = 0;
        for (in_head, tr) in rows {
            body_rows += usize::from(!in_head);
            for cell in tr.children().filter(|c| c.is_element()) {
                let content = self.inline(cell)?;
                let written = if has_class(cell, "empty") {
                    format!(
                        "table.cell(align: right, text(fill: luma(90), style: \"oblique\")[{content}])"
                    )
                } else if has_class(cell, "n") {
                    // A number breaks from its interval only before the parenthesis, and the
                    // interval not at all ("72,7" over "(50,1–97,9)"), so the columns of numbers
                    // stay as narrow as their intervals and nothing is cut mid-number.
                    let unbroken = content
                        .replace(' ', "\u{a0}")
                        .replace("\u{a0}(", " (")
                        .replace('–', "–\u{2060}");
                    format!("table.cell(align: right)[{unbroken}]")
                } else {
                    format!("[{content}]")
                };
                if in_head { &mut header } else { &mut body }.push(written);
            }
        }
        let header = if header.is_empty() {
            String::new()
        } else {
            format!("table.header({}),\n", header.join(", "))
        };
        let table = format!(
            "table(columns: {columns}, align: left,\n{header}{})",
            body.join(", ")
        );
        // A table is kept on one page with its caption, unless it is too long for one: then it
        // runs over pages with its header repeated.
        let breakable = body_rows > LONG_TABLE;
        match caption {
            Some(caption) => self.out.push_str(&format!(
                "#{{ show figure: set block(breakable: {breakable}); figure(kind: table, numbering: none, caption: [{caption}],\n{table}) }}\n\n"
            )),
            None => self.out.push_str(&format!("#{table}\n\n")),
        }
        Ok(())
    }

    fn figure(&mut self, node: Node) -> Result<(), MarkupError> {
        let svg = node
            .descendants()
            .find(|n| n.has_tag_name("svg"))
            .ok_or_else(|| MarkupError::Unknown("<figure> without <svg>".into()))?;
        let path = format!("/figures/{}.svg", self.figures.len() + 1);
        let source = &self.source[svg.range()];
        self.figures
            .push((path.clone(), source.as_bytes().to_vec()));
        let size = |name: &str| svg.attribute(name).and_then(|v| v.parse::<f64>().ok());
        // A tall figure (small multiples of many groups) is fitted to the page's height.
        let fit = match (size("width"), size("height")) {
            (Some(w), Some(h)) if h / w > 1.25 => "height: 21cm",
            _ => "width: 100%",
        };
        let alt = svg
            .children()
            .find(|n| n.has_tag_name("title"))
            .map(text_of)
            .unwrap_or_default();
        let caption = node
            .children()
            .find(|n| n.has_tag_name("figcaption"))
            .map(|c| self.inline(c))
            .transpose()?
            .unwrap_or_default();
        self.out.push_str(&format!(
            "#figure(image({}, {fit}, alt: {}), numbering: none, caption: [{caption}])\n\n",
            string(&path),
            string(&alt)
        ));
        Ok(())
    }
}
