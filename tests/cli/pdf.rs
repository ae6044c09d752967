//! `report.pdf`, read back with a PDF text extractor (pdf-extract, over lopdf): the pages are
//! numbered "Side N af M", the contents list sends the reader to the page where each chapter
//! starts, every table and figure of the page is in the PDF with its caption, the synthetic mark
//! heads every page after the title page, and an English report is English.

use std::path::Path;

use crate::html;
use crate::reports::annual;

/// The text of each page, with what the typesetter adds taken out: hyphens at line ends (the
/// extractor gives them as soft hyphens or as " - " inside a word), non-breaking spaces, and
/// runs of white space.
fn pages(pdf: &Path) -> Vec<String> {
    let bytes = std::fs::read(pdf).unwrap_or_else(|e| panic!("{pdf:?}: {e}"));
    assert!(bytes.starts_with(b"%PDF-"), "{pdf:?} is not a PDF");
    pdf_extract::extract_text_from_mem_by_pages(&bytes)
        .unwrap_or_else(|e| panic!("{pdf:?}: {e}"))
        .iter()
        .map(|page| normalise(page))
        .collect()
}

fn normalise(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{ad}' {
            while out.ends_with(' ') {
                out.pop();
            }
            while chars.peek().is_some_and(|c| c.is_whitespace()) {
                chars.next();
            }
            continue;
        }
        let c = if c.is_whitespace() { ' ' } else { c };
        if c == ' ' && (out.is_empty() || out.ends_with(' ')) {
            continue;
        }
        out.push(c);
    }
    joined(out.trim_end())
}

/// Whether `text` holds `part`, line breaks aside: white space is ignored on both sides, since
/// a line may also break after a hyphen of the text ("SGLT2-" / "hæmmer").
fn has(text: &str, part: &str) -> bool {
    squeezed(text).contains(&squeezed(part))
}

fn squeezed(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// `text` with every " - " between a letter and a lower-case letter (a word hyphenated at a
/// line's end) closed up: the report's own dashes are en dashes.
fn joined(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let broken = i > 0
            && i + 3 < chars.len()
            && chars[i..i + 3] == [' ', '-', ' ']
            && chars[i - 1].is_alphabetic()
            && chars[i + 3].is_lowercase();
        if broken {
            i += 3;
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// The texts of the page's `<tag>` elements, as a reader sees them.
fn texts(page: &str, tag: &str) -> Vec<String> {
    html::between(page, &format!("<{tag}>"), &format!("</{tag}>"))
        .into_iter()
        .map(|t| normalise(&html::text(t).replace('\u{a0}', " ")))
        .collect()
}

#[test]
fn the_annual_pdf_is_numbered_has_working_contents_and_every_table_and_figure() {
    let dir = annual();
    let page = std::fs::read_to_string(dir.join("report.html")).expect("report.html");
    let pages = pages(&dir.join("report.pdf"));
    let count = pages.len();
    assert!(count >= 20, "{count} pages");

    // Page numbers: none on the title page, then "Side N af M" on every page.
    assert!(!pages[0].contains("Side 1 af"), "title page: {}", pages[0]);
    for (i, text) in pages.iter().enumerate().skip(1) {
        let footer = format!("Side {} af {count}", i + 1);
        assert!(text.contains(&footer), "page {}: no {footer:?}", i + 1);
        assert!(
            text.contains("SYNTETISKE DATA"),
            "page {}: no synthetic mark",
            i + 1
        );
    }

    // The title page: the title, the period and the synthetic-data statement.
    let title = &texts(&page, "h1")[0];
    assert!(has(&pages[0], title), "{title:?} on {}", pages[0]);
    assert!(has(&pages[0], "Patienter indekseret fra 1. januar 2021"));

    // The contents list: each chapter's line ends in the page where that chapter begins.
    let contents = squeezed(&pages[1]);
    assert!(contents.starts_with("Årsanalyse2025") && contents.contains("Indhold"));
    let chapters = texts(&page, "h2");
    let chapters: Vec<&String> = chapters
        .iter()
        .filter(|h| h.starts_with("Kapitel "))
        .collect();
    assert_eq!(chapters.len(), 5, "{chapters:?}");
    for chapter in chapters {
        let title = squeezed(chapter);
        let from = contents
            .find(&title)
            .unwrap_or_else(|| panic!("{chapter:?} not in the contents: {contents}"));
        let after = &contents[from + title.len()..];
        let number: String = after
            .trim_start_matches('.')
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let number: usize = number
            .parse()
            .unwrap_or_else(|_| panic!("{chapter:?}: no page number in {after:.80}"));
        let on_page = &pages[number - 1];
        assert!(
            has(on_page, chapter),
            "{chapter:?} is listed on page {number}, which reads: {on_page:.300}"
        );
    }

    // Every table and figure of the page is in the PDF, with its caption, in order.
    let whole = pages.join(" ");
    let mut at = 0;
    for caption in texts(&page, "caption")
        .iter()
        .chain(texts(&page, "figcaption").iter())
        .filter(|c| c.starts_with("Tabel ") || c.starts_with("Figur "))
    {
        let label = caption.split(". ").next().unwrap_or_default();
        assert!(
            whole.contains(&format!("{label}. ")),
            "{label} is not in the PDF"
        );
        let start: String = caption.chars().take(60).collect();
        assert!(has(&whole, &start), "{start:?} is not in the PDF");
        if caption.starts_with("Tabel ") {
            let found = whole[at..]
                .find(&format!("{label}. "))
                .unwrap_or_else(|| panic!("{label} is out of order"));
            at += found;
        }
    }

    // The numbers of the text: every key-result sentence of the first chapter is in the PDF.
    let key = html::between(&page, "<div class=\"key-results\">", "</div>")[0];
    for sentence in texts(key, "p") {
        assert!(has(&whole, &sentence), "{sentence:?} is not in the PDF");
    }
}

#[test]
fn an_english_report_has_an_english_pdf() {
    let dir = crate::reports::english();
    let page = std::fs::read_to_string(dir.join("report.html")).expect("report.html");
    let pages = pages(&dir.join("report.pdf"));
    let count = pages.len();
    assert!(count >= 5, "{count} pages");
    for (i, text) in pages.iter().enumerate().skip(1) {
        let footer = format!("Page {} of {count}", i + 1);
        assert!(text.contains(&footer), "page {}: no {footer:?}", i + 1);
        assert!(!text.contains("Side "), "page {}: Danish footer", i + 1);
    }
    assert!(pages[1].contains("Contents"), "{}", pages[1]);
    let whole = pages.join(" ");
    for heading in texts(&page, "h3") {
        assert!(has(&whole, &heading), "{heading:?} is not in the PDF");
    }
    for danish in ["Indhold", "Tabel ", "Figur ", "Sammenfatning"] {
        assert!(!whole.contains(danish), "{danish:?} in the English PDF");
    }
}
