//! The reports in a real browser: headless Chromium (Debian's `chromium`) opens the annual
//! analysis and the midway status, must log nothing to the console (the pages have no script, so
//! any console message is an error: a broken resource, invalid markup that the browser reports),
//! and saves a PNG screenshot of the first A4 page (794 × 1123 CSS pixels) of each into the test
//! run's temporary folder.
//!
//! Without Chromium the test says so and passes, unless `ULIGHED_BROWSER_TEST=required` (set by
//! `.ci/run` once it has installed Chromium), when a missing browser fails it.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::reports::{annual, midway};

fn chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            let found = Command::new("which").arg(name).output().ok()?;
            found
                .status
                .success()
                .then(|| PathBuf::from(String::from_utf8_lossy(&found.stdout).trim()))
        })
}

/// Opens `page` in headless Chromium, saves page 1 to `png` and returns the console lines.
fn screenshot(browser: &Path, page: &Path, png: &Path) -> Vec<String> {
    let _ = std::fs::remove_file(png);
    let profile = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("chromium-profile");
    let output = Command::new(browser)
        .args([
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=794,1123",
            &format!("--user-data-dir={}", profile.display()),
            &format!("--screenshot={}", png.display()),
            &format!("file://{}", page.display()),
        ])
        .output()
        .expect("chromium runs");
    let log = String::from_utf8_lossy(&output.stderr).to_string();
    assert!(
        output.status.success(),
        "chromium failed on {page:?}: {log}"
    );
    log.lines()
        .filter(|l| l.contains("CONSOLE"))
        .map(str::to_string)
        .collect()
}

#[test]
fn reports_render_in_chromium_without_console_errors() {
    let Some(browser) = chromium() else {
        assert_ne!(
            std::env::var("ULIGHED_BROWSER_TEST").as_deref(),
            Ok("required"),
            "ULIGHED_BROWSER_TEST=required but no chromium is installed"
        );
        eprintln!("no chromium: the browser test did not run (apt-get install chromium)");
        return;
    };
    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    for (name, dir) in [
        ("aarsanalyse", annual()),
        ("midtvejsstatus", midway().to_path_buf()),
    ] {
        let page = dir.join("report.html").canonicalize().unwrap();
        let png = shots.join(format!("{name}-side-1.png"));
        let console = screenshot(&browser, &page, &png);
        assert!(console.is_empty(), "{name}: console messages {console:#?}");
        let bytes = std::fs::read(&png).unwrap_or_else(|e| panic!("{png:?}: {e}"));
        assert_eq!(&bytes[1..4], b"PNG");
        // Page 1 is the title page: the screenshot is the whole A4 page, not a blank.
        let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
        let height = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
        assert_eq!((width, height), (794, 1123), "{png:?}");
        assert!(bytes.len() > 20_000, "{png:?} is almost empty");
        eprintln!("screenshot of page 1: {}", png.display());
    }
}
