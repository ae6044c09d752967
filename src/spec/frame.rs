//! The text the analysts write around an analysis's numbers: its introduction, background and
//! limitations, in a Markdown file beside the spec (`<id>.md` in Danish, `<id>.en.md` in
//! English). Each part is a level-2 heading with its fixed name ("## Indledning",
//! "## Baggrund", "## Forbehold"; in English "## Introduction", "## Background",
//! "## Limitations"); the chapter prints them in that order around the results.
//!
//! Markdown is CommonMark (pulldown-cmark). Raw HTML in the file is printed as text, not
//! passed into the report: the page must stay the well-formed page the PDF is typeset from,
//! and an analyst's text cannot add scripts or hide content.

use std::path::{Path, PathBuf};

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

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

/// The part a level-2 heading names, in either language.
fn part_of<'a>(parts: &'a mut Parts, heading: &str) -> Option<&'a mut String> {
    match heading.trim().to_lowercase().as_str() {
        "indledning" | "introduction" => Some(&mut parts.introduction),
        "baggrund" | "background" => Some(&mut parts.background),
        "forbehold" | "limitations" => Some(&mut parts.limitations),
        _ => None,
    }
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

/// The parts of one Markdown file, each rendered to HTML.
pub fn parts(text: &str, path: &Path) -> Result<Parts> {
    let mut parts = Parts::default();
    let mut events: Vec<Event> = Vec::new();
    let mut current: Option<String> = None;
    let mut in_part_heading = false;
    let mut heading = String::new();
    let flush = |parts: &mut Parts, current: &Option<String>, events: &mut Vec<Event>| {
        if let Some(name) = current
            && let Some(slot) = part_of(parts, name)
        {
            pulldown_cmark::html::push_html(slot, events.drain(..));
        }
        events.clear();
    };
    for (event, range) in Parser::new_ext(text, Options::empty()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading {
                level: HeadingLevel::H1 | HeadingLevel::H2,
                ..
            }) => {
                flush(&mut parts, &current, &mut events);
                in_part_heading = true;
                heading.clear();
            }
            Event::End(TagEnd::Heading(HeadingLevel::H1 | HeadingLevel::H2)) => {
                in_part_heading = false;
                if part_of(&mut Parts::default(), &heading).is_none() {
                    let line = line_of(text, range.start);
                    return Err(Error::BadSpec(format!(
                        "{} (line {line}): the heading \"{heading}\" names no part of the analysis's text; expected \"## Indledning\", \"## Baggrund\" or \"## Forbehold\" (in English \"## Introduction\", \"## Background\", \"## Limitations\")",
                        path.display()
                    )));
                }
                current = Some(heading.clone());
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
                        "{} (line {line}): text before the first part; expected the file to begin with \"## Indledning\", \"## Baggrund\" or \"## Forbehold\"",
                        path.display()
                    )));
                }
            }
        }
    }
    flush(&mut parts, &current, &mut events);
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
    fn headings_inside_a_part_sit_below_the_chapter() {
        let p = parts("## Baggrund\n\n### Data\n\ntekst\n", Path::new("c.md")).unwrap();
        assert!(
            p.background.starts_with("<h4>Data</h4>"),
            "{}",
            p.background
        );
    }
}
