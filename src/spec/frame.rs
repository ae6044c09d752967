//! The text the analysts write around an analysis's numbers: its introduction, background and
//! limitations, in a Markdown file beside the spec (`<id>.md` in Danish, `<id>.en.md` in
//! English). Each part is a level-2 heading with its fixed name ("## Indledning",
//! "## Baggrund", "## Forbehold"; in English "## Introduction", "## Background",
//! "## Limitations"); the chapter prints them in that order around the results.
//!
//! The document has its own text in the same folder: `aarsanalyse.md` or `midtvejsstatus.md`
//! (`.en.md` in English), with TOML front matter between `+++` lines (the authors, the
//! approving body and the date it approved the document) and a foreword ("## Forord").
//!
//! Markdown is CommonMark (pulldown-cmark). Raw HTML in the file is printed as text, not
//! passed into the report: the page must stay the well-formed page the PDF is typeset from,
//! and an analyst's text cannot add scripts or hide content.

use std::path::{Path, PathBuf};

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde::Deserialize;

use crate::error::{Error, Result};

/// The parts of an analysis's text, each as HTML (empty when the file has no such part).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Parts {
    pub introduction: String,
    pub background: String,
    pub limitations: String,
}

/// An analysis's text in each language it was written in.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Frame {
    pub da: Option<Parts>,
    pub en: Option<Parts>,
    /// The files' text, for the run key: a changed text is a new report.
    pub source: String,
}

/// The document's own text: who wrote it, who approved it and when, and its foreword.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DocumentText {
    pub authors: Vec<String>,
    pub approved_by: Option<String>,
    /// The day the approving body approved the document (day number); none while a draft.
    pub approved: Option<i32>,
    /// The foreword as HTML (empty when there is none).
    pub foreword: String,
}

/// The front matter of a document's text.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    #[serde(default)]
    authors: Vec<String>,
    approved_by: Option<String>,
    approved: Option<toml::Value>,
}

/// The text of the document `name` (`aarsanalyse`, `midtvejsstatus`) in `folder`, in Danish or
/// (`english`) English; none when the analysts wrote none.
pub fn load_document(folder: &Path, name: &str, english: bool) -> Result<Option<DocumentText>> {
    let path = folder.join(if english {
        format!("{name}.en.md")
    } else {
        format!("{name}.md")
    });
    if !path.exists() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&path).map_err(|e| {
        Error::BadSpec(format!(
            "{}: the document's text cannot be read: {e}; expected UTF-8 Markdown",
            path.display()
        ))
    })?;
    document_text(&text, &path).map(Some)
}

/// A document's text from its file's content.
pub fn document_text(text: &str, path: &Path) -> Result<DocumentText> {
    let (front, body, body_line) = match text.strip_prefix("+++\n") {
        Some(rest) => {
            let end = rest.find("\n+++\n").ok_or_else(|| {
                Error::BadSpec(format!(
                    "{} (line 1): the front matter is not closed; expected a line \"+++\" after it",
                    path.display()
                ))
            })?;
            let front = &rest[..end + 1];
            (front, &rest[end + 5..], front.matches('\n').count() + 3)
        }
        None => ("", text, 0),
    };
    let matter: FrontMatter = toml::from_str(front).map_err(|e| {
        let line = e.span().map(|s| line_of(front, s.start) + 1).unwrap_or(1);
        Error::BadSpec(format!(
            "{} (line {line}): {}; expected the keys authors (a list of names), approved_by and approved (a date, YYYY-MM-DD)",
            path.display(),
            e.message().trim()
        ))
    })?;
    let approved = match &matter.approved {
        None => None,
        Some(value) => {
            let written = match value {
                toml::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            Some(crate::dates::parse_iso(&written).ok_or_else(|| {
                Error::BadSpec(format!(
                    "{}: approved = {written} is not a date; expected YYYY-MM-DD",
                    path.display()
                ))
            })?)
        }
    };
    let [foreword] = sections::<1>(body, path, &DOCUMENT_PARTS).map_err(|e| match e {
        // The body's lines are counted from the end of the front matter.
        Error::BadSpec(m) if body_line > 0 => Error::BadSpec(shift_line(&m, body_line - 1)),
        other => other,
    })?;
    Ok(DocumentText {
        authors: matter.authors,
        approved_by: matter.approved_by,
        approved,
        foreword,
    })
}

/// `message`'s "(line N)" moved down by `by` lines.
fn shift_line(message: &str, by: usize) -> String {
    let Some(start) = message.find("(line ") else {
        return message.to_string();
    };
    let digits: String = message[start + 6..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    match digits.parse::<usize>() {
        Ok(n) => message.replacen(
            &format!("(line {digits})"),
            &format!("(line {})", n + by),
            1,
        ),
        Err(_) => message.to_string(),
    }
}

/// The parts of an analysis's text: each part's heading in Danish and in English.
const ANALYSIS_PARTS: [[&str; 2]; 3] = [
    ["Indledning", "Introduction"],
    ["Baggrund", "Background"],
    ["Forbehold", "Limitations"],
];

/// The part of a document's text (`aarsanalyse.md`, `midtvejsstatus.md`).
const DOCUMENT_PARTS: [[&str; 2]; 1] = [["Forord", "Foreword"]];

/// Which of `known` a level-2 heading names, in either language.
fn part_index(known: &[[&str; 2]], heading: &str) -> Option<usize> {
    let heading = heading.trim().to_lowercase();
    known
        .iter()
        .position(|names| names.iter().any(|n| n.to_lowercase() == heading))
}

/// The headings of `known`, as the error message lists them.
fn expected(known: &[[&str; 2]]) -> String {
    let list = |lang: usize| {
        known
            .iter()
            .map(|names| format!("\"## {}\"", names[lang]))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!("{} (in English {})", list(0), list(1))
}

/// The frame files of the spec at `spec_path`: `<stem>.md` and `<stem>.en.md` beside it.
pub fn paths(spec_path: &Path) -> [PathBuf; 2] {
    let stem = spec_path
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    let folder = spec_path.parent().unwrap_or(Path::new("."));
    [
        folder.join(format!("{stem}.md")),
        folder.join(format!("{stem}.en.md")),
    ]
}

/// The analysts' text of the spec at `spec_path`; an analysis without files has none.
pub fn load(spec_path: &Path) -> Result<Frame> {
    let [da, en] = paths(spec_path);
    let mut frame = Frame::default();
    for (path, slot) in [(da, &mut frame.da), (en, &mut frame.en)] {
        if !path.exists() {
            continue;
        }
        let text = std::fs::read_to_string(&path).map_err(|e| {
            Error::BadSpec(format!(
                "{}: the analysis's text cannot be read: {e}; expected UTF-8 Markdown",
                path.display()
            ))
        })?;
        *slot = Some(parts(&text, &path)?);
        frame.source.push_str(&text);
        frame.source.push('\0');
    }
    Ok(frame)
}

/// The parts of one Markdown file of an analysis, each rendered to HTML.
pub fn parts(text: &str, path: &Path) -> Result<Parts> {
    let [introduction, background, limitations] = sections::<3>(text, path, &ANALYSIS_PARTS)?;
    Ok(Parts {
        introduction,
        background,
        limitations,
    })
}

/// The HTML of each of the `known` parts of a Markdown file (empty when the file lacks it).
fn sections<const N: usize>(
    text: &str,
    path: &Path,
    known: &[[&str; 2]; N],
) -> Result<[String; N]> {
    let mut parts: [String; N] = std::array::from_fn(|_| String::new());
    let mut events: Vec<Event> = Vec::new();
    let mut current: Option<usize> = None;
    let mut in_part_heading = false;
    let mut heading = String::new();
    let flush = |parts: &mut [String; N], current: Option<usize>, events: &mut Vec<Event>| {
        if let Some(index) = current {
            pulldown_cmark::html::push_html(&mut parts[index], events.drain(..));
        }
        events.clear();
    };
    for (event, range) in Parser::new_ext(text, Options::empty()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading {
                level: HeadingLevel::H1 | HeadingLevel::H2,
                ..
            }) => {
                flush(&mut parts, current, &mut events);
                in_part_heading = true;
                heading.clear();
            }
            Event::End(TagEnd::Heading(HeadingLevel::H1 | HeadingLevel::H2)) => {
                in_part_heading = false;
                let Some(index) = part_index(known, &heading) else {
                    let line = line_of(text, range.start);
                    return Err(Error::BadSpec(format!(
                        "{} (line {line}): the heading \"{heading}\" names no part of the text; expected {}",
                        path.display(),
                        expected(known)
                    )));
                };
                current = Some(index);
            }
            Event::Text(t) | Event::Code(t) if in_part_heading => heading.push_str(&t),
            _ if in_part_heading => {}
            Event::Html(raw) | Event::InlineHtml(raw) => {
                if current.is_some() {
                    events.push(Event::Text(raw));
                }
            }
            // Headings inside a part sit below the chapter's own (h3): level 4 and lower.
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => events.push(Event::Start(Tag::Heading {
                level: lower(level),
                id,
                classes,
                attrs,
            })),
            Event::End(TagEnd::Heading(level)) => {
                events.push(Event::End(TagEnd::Heading(lower(level))))
            }
            other => {
                if current.is_some() {
                    events.push(other);
                } else if !matches!(other, Event::SoftBreak | Event::HardBreak) {
                    let line = line_of(text, range.start);
                    return Err(Error::BadSpec(format!(
                        "{} (line {line}): text before the first part; expected the text to begin with one of {}",
                        path.display(),
                        expected(known)
                    )));
                }
            }
        }
    }
    flush(&mut parts, current, &mut events);
    Ok(parts)
}

/// The line (from 1) of byte `offset` of `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset].matches('\n').count() + 1
}

/// A heading inside a part, two levels down and at least level 4.
fn lower(level: HeadingLevel) -> HeadingLevel {
    match level {
        HeadingLevel::H1 | HeadingLevel::H2 | HeadingLevel::H3 => HeadingLevel::H4,
        HeadingLevel::H4 => HeadingLevel::H5,
        _ => HeadingLevel::H6,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_split_at_their_headings_and_rendered() {
        let text = "## Indledning\n\nPCI er *standard*.\n\n## Forbehold\n\n- LPR3 fra 2019\n- uoplyst uddannelse\n";
        let p = parts(text, Path::new("x.md")).unwrap();
        assert_eq!(p.introduction, "<p>PCI er <em>standard</em>.</p>\n");
        assert_eq!(p.background, "");
        assert_eq!(
            p.limitations,
            "<ul>\n<li>LPR3 fra 2019</li>\n<li>uoplyst uddannelse</li>\n</ul>\n"
        );
    }

    #[test]
    fn raw_html_is_printed_as_text() {
        let text = "## Background\n\nSee <script>alert(1)</script> & <b>this</b>.\n";
        let p = parts(text, Path::new("x.en.md")).unwrap();
        assert!(!p.background.contains("<script>"), "{}", p.background);
        assert!(p.background.contains("&lt;script&gt;"), "{}", p.background);
        assert!(p.background.contains("&amp;"), "{}", p.background);
    }

    #[test]
    fn an_unknown_heading_or_text_before_the_first_part_is_refused_with_its_line() {
        let e = parts(
            "## Indledning\n\nx\n\n## Resultater\n\ny\n",
            Path::new("a.md"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("a.md (line 5)") && e.contains("\"Resultater\""),
            "{e}"
        );
        let e = parts("Indledning uden overskrift\n", Path::new("b.md"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("b.md (line 1)") && e.contains("text before the first part"),
            "{e}"
        );
    }

    #[test]
    fn a_document_text_has_its_front_matter_and_foreword() {
        let text = "+++\nauthors = [\"Anna Holm\", \"Bo Lund\"]\napproved_by = \"Styregruppen\"\napproved = 2026-12-15\n+++\n\n## Forord\n\nTak til *alle*.\n";
        let d = document_text(text, Path::new("aarsanalyse.md")).unwrap();
        assert_eq!(d.authors, ["Anna Holm", "Bo Lund"]);
        assert_eq!(d.approved_by.as_deref(), Some("Styregruppen"));
        assert_eq!(d.approved, crate::dates::parse_iso("2026-12-15"));
        assert_eq!(d.foreword, "<p>Tak til <em>alle</em>.</p>\n");
        let quoted =
            document_text("+++\napproved = \"2026-12-15\"\n+++\n", Path::new("x.md")).unwrap();
        assert_eq!(quoted.approved, crate::dates::parse_iso("2026-12-15"));
        assert_eq!(quoted.foreword, "");
    }

    #[test]
    fn a_bad_document_text_is_refused_with_its_line() {
        let e = document_text("+++\nauthor = \"x\"\n+++\n", Path::new("d.md"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("d.md (line 2)") && e.contains("author"), "{e}");
        let e = document_text("+++\napproved = \"15-12-2026\"\n+++\n", Path::new("d.md"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("not a date"), "{e}");
        let e = document_text(
            "+++\nauthors = []\n+++\n\n## Indledning\n",
            Path::new("d.md"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("d.md (line 5)") && e.contains("## Forord"),
            "{e}"
        );
        let e = document_text("+++\nauthors = []\n", Path::new("d.md"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("not closed"), "{e}");
    }

    #[test]
    fn headings_inside_a_part_sit_below_the_chapter() {
        let p = parts("## Baggrund\n\n### Data\n\ntekst\n", Path::new("c.md")).unwrap();
        assert!(
            p.background.starts_with("<h4>Data</h4>"),
            "{}",
            p.background
        );
    }
}
