//! The analysts' text beside a spec (`<id>.md`, `<id>.en.md`): printed in its chapter in the
//! report's language only, in the PDF as on the page, part of the run key, and refused with
//! its file and line when a heading names no part.

use std::path::Path;

use crate::common::{small_registers, stderr, ulighed};
use crate::reports::annual;

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

/// The chapter of `id` in a report page.
fn chapter<'a>(page: &'a str, id: &str) -> &'a str {
    let start = page
        .find(&format!("id=\"kapitel-{id}\""))
        .unwrap_or_else(|| panic!("no chapter {id}"));
    let end = page[start..].find("</section>").expect("chapter end") + start;
    &page[start..end]
}

#[test]
fn the_shipped_text_frames_its_chapter_and_no_other() {
    let page = read(&annual().join("report.html"));
    let ami = chapter(&page, "ami_pci_rehab_death");
    let at = |text: &str| {
        ami.find(text)
            .unwrap_or_else(|| panic!("{text:?} not in the AMI chapter"))
    };
    // Introduction and background before the results, limitations after the last table.
    assert!(at("<h3>Indledning</h3>") < at("<h3>Baggrund</h3>"));
    assert!(at("<h3>Baggrund</h3>") < at("<div class=\"key-results\">"));
    let last_table = ami.rfind("<table").expect("tables");
    assert!(at("<h3>Forbehold</h3>") > last_table);
    assert!(ami.contains("<li>Rehabilitering, der alene foregår i kommunen"));
    for id in ["hip_fracture_surgery", "t2d_sglt2_glp1"] {
        let other = chapter(&page, id);
        assert!(!other.contains("<h3>Indledning</h3>"), "{id}");
        assert!(!other.contains("<h3>Forbehold</h3>"), "{id}");
    }
}

#[test]
fn a_text_is_printed_in_its_language_only_reruns_when_changed_and_a_bad_heading_is_refused() {
    let dir = tempfile::tempdir().expect("temp");
    let specs = dir.path().join("pipelines");
    std::fs::create_dir_all(&specs).expect("folder");
    let spec = specs.join("youth_depression_anxiety_wait.toml");
    let text = crate::common::shipped_spec("youth_depression_anxiety_wait.toml");
    let registers = small_registers().to_str().expect("utf-8").to_string();
    std::fs::write(&spec, text).expect("spec");
    let frame = specs.join("youth_depression_anxiety_wait.md");
    std::fs::write(
        &frame,
        "## Indledning\n\nVentetiden er *første* skridt.\n\n## Forbehold\n\nPrivate psykiatere tælles ikke.\n",
    )
    .expect("frame");
    let out = dir.path().join("out");
    let run = |lang: &str| {
        ulighed(&[
            "run",
            spec.to_str().expect("utf-8"),
            "--registers",
            &registers,
            "--out",
            out.to_str().expect("utf-8"),
            "--as-of",
            "2025-06-30",
            "--lang",
            lang,
        ])
    };
    let report = out.join("youth_depression_anxiety_wait/report.html");

    let result = run("da");
    assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
    let page = read(&report);
    assert!(page.contains(
        "<h3>Indledning</h3>\n<div class=\"written\">\n<p>Ventetiden er <em>første</em> skridt.</p>"
    ));
    assert!(page.contains("<h3>Forbehold</h3>"));
    let pdf = std::fs::read(out.join("youth_depression_anxiety_wait/report.pdf")).expect("pdf");
    let pdf_text = pdf_extract::extract_text_from_mem(&pdf).expect("pdf text");
    assert!(
        pdf_text.contains("Private psykiatere tælles ikke."),
        "{pdf_text:.400}"
    );

    // No English text: an English report prints no part, and no Danish.
    let result = run("en");
    assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
    let page = read(&report);
    assert!(!page.contains("Ventetiden er"));
    assert!(!page.contains("<h3>Introduction</h3>"));

    // A changed text is a new report, without --force.
    let result = run("da");
    assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
    std::fs::write(&frame, "## Indledning\n\nNy tekst.\n").expect("frame");
    let result = run("da");
    assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
    let page = read(&report);
    assert!(
        page.contains("<p>Ny tekst.</p>"),
        "the changed text was not printed"
    );
    assert!(!page.contains("Ventetiden er"));

    // A heading that names no part: refused with the file and line, the report untouched.
    std::fs::write(&frame, "## Indledning\n\nx\n\n## Resultater\n\ny\n").expect("frame");
    let result = run("da");
    assert_eq!(result.status.code(), Some(78), "{}", stderr(&result));
    let message = stderr(&result);
    assert!(
        message.contains("youth_depression_anxiety_wait.md (line 5)")
            && message.contains("\"Resultater\"")
            && message.contains("## Indledning"),
        "{message}"
    );
    assert_eq!(read(&report), page, "the previous report was changed");
}

#[test]
fn the_shipped_document_text_gives_a_foreword_and_marks_a_draft() {
    let page = read(&annual().join("report.html"));
    let title = &page[page.find("data-section=\"title\"").expect("title page")..];
    let title = &title[..title.find("</section>").expect("end")];
    assert!(title.contains(
        "<p class=\"status\"><strong>Udkast: endnu ikke godkendt af Styregruppen for årsanalysen.</strong></p>"
    ));
    let contents = page
        .find("<a href=\"#forord\">Forord</a>")
        .expect("in the contents");
    let foreword = page
        .find("<section id=\"forord\" data-section=\"foreword\">\n<h2>Forord</h2>")
        .expect("foreword");
    let summary = page.find("data-section=\"summary\"").expect("summary");
    assert!(contents < foreword && foreword < summary);
    assert!(page.contains("Årsanalysen beskriver; den indeholder ingen anbefalinger."));
}

#[test]
fn an_approved_document_names_its_authors_and_approval() {
    let dir = tempfile::tempdir().expect("temp");
    let specs = dir.path().join("pipelines");
    crate::common::copy_specs(&specs, &["youth_depression_anxiety_wait"]);
    std::fs::write(
        specs.join("aarsanalyse.md"),
        "+++\nauthors = [\"Anna Holm\", \"Bo Lund\", \"Carl <Ib> Berg\"]\napproved_by = \"Styregruppen\"\napproved = 2026-12-15\n+++\n\n## Forord\n\nTak.\n",
    )
    .expect("text");
    let out = dir.path().join("out");
    crate::common::run_all(&specs, small_registers(), &out, "2025-06-30", &[]);
    let page = read(&out.join("aarsanalyse/report.html"));
    assert!(page.contains(
        "<p class=\"authors\">Udarbejdet af Anna Holm, Bo Lund og Carl &lt;Ib&gt; Berg.</p>\n<p class=\"approval\">Godkendt af Styregruppen den 15. december 2026.</p>"
    ));
    assert!(!page.contains("Udkast"));
    let pdf = std::fs::read(out.join("aarsanalyse/report.pdf")).expect("pdf");
    let text = pdf_extract::extract_text_from_mem(&pdf).expect("pdf text");
    assert!(
        text.contains("Godkendt af Styregruppen den 15. december 2026."),
        "{text:.600}"
    );

    // A key the front matter does not have: refused with file and line, before anything is
    // written over the report.
    std::fs::write(
        specs.join("aarsanalyse.md"),
        "+++\napproved_by = \"Styregruppen\"\nreviewers = [\"x\"]\n+++\n",
    )
    .expect("text");
    let result = ulighed(&[
        "run",
        "--all",
        "--pipelines",
        specs.to_str().expect("utf-8"),
        "--registers",
        small_registers().to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
        "--as-of",
        "2025-06-30",
        "--force",
    ]);
    let message = stderr(&result);
    assert_eq!(result.status.code(), Some(78), "{message}");
    assert!(
        message.contains("aarsanalyse.md (line 3)") && message.contains("reviewers"),
        "{message}"
    );
    assert_eq!(read(&out.join("aarsanalyse/report.html")), page);
}
