//! Reading a spec file: its TOML parsed into the spec's types, then checked before any data is
//! read, with paths resolved against the spec file's folder.

use std::path::Path;

use super::check::check;
use super::types::{LoadedSpec, Spec};
use crate::error::{Error, Result};

/// Reads and checks a spec file.
pub fn load(path: &Path) -> Result<LoadedSpec> {
    let bytes = std::fs::read(path).map_err(|e| {
        Error::MissingInput(format!(
            "{}: pipeline spec cannot be read: {e}",
            path.display()
        ))
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let line = e.as_bytes()[..e.utf8_error().valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        Error::BadSpec(format!(
            "{} (line {line}): not UTF-8 text; expected the spec saved as UTF-8 (a Latin-1 or Windows-1252 file must be converted, e.g. with iconv -f latin1 -t utf-8)",
            path.display()
        ))
    })?;
    let spec: Spec = toml::from_str(&text).map_err(|e| {
        let message = e.message().to_string();
        let place = e
            .span()
            .map(|s| format!(" (line {})", text[..s.start].lines().count().max(1)))
            .unwrap_or_default();
        Error::BadSpec(format!("{}{place}: {message}", path.display()))
    })?;
    let design = check(&spec, path)?;
    let base = path.parent().unwrap_or(Path::new("."));
    Ok(LoadedSpec {
        path: path.to_path_buf(),
        registers: base.join(&spec.registers),
        classifications: spec
            .classifications
            .clone()
            .unwrap_or_default()
            .resolved(base),
        design,
        frame: super::frame::load(path)?,
        text,
        spec,
    })
}
