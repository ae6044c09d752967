//! Settings of a run from three layers, in this order (later wins): the project file
//! `ulighed.toml` (in the working folder, or `--config FILE`), `ULIGHED_*` environment variables,
//! and command-line flags. Every bad value names where it came from.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::dates;
use crate::error::{Error, Result};
use crate::registers::classification::Classifications;
use crate::registers::severity::Severities;
use crate::report::labels::Lang;
use crate::spec::ValidationSettings;

/// The project file's keys, all optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectConfig {
    /// Registers folder, overriding each spec's.
    pub registers: Option<PathBuf>,
    /// Output root.
    pub out: Option<PathBuf>,
    /// `da` or `en`.
    pub lang: Option<String>,
    /// Suppression threshold (at least 3).
    pub threshold: Option<u64>,
    /// As-of date `YYYY-MM-DD`.
    pub as_of: Option<String>,
    /// Classification tables (`[classifications]`: education, origin, family_type, sor),
    /// relative to this file; a spec's own tables win.
    pub classifications: Option<Classifications>,
    /// Validation severities (`[validation] severities`: rule -> `error` or `warning`) for every
    /// pipeline; a pipeline's own win, rule by rule.
    pub validation: Option<ValidationSettings>,
}

/// What the command line gave (`None` where a flag was not given).
#[derive(Debug, Clone, Default)]
pub struct Flags {
    pub registers: Option<PathBuf>,
    pub out: Option<PathBuf>,
    pub lang: Option<Lang>,
    pub threshold: Option<u64>,
    pub as_of: Option<i32>,
}

/// The resolved settings.
#[derive(Debug, Clone)]
pub struct Settings {
    pub registers: Option<PathBuf>,
    pub out: PathBuf,
    pub lang: Lang,
    pub threshold: Option<u64>,
    pub as_of: i32,
    pub classifications: Classifications,
    pub severities: Severities,
}

/// Reads the project file: `path` when given (it must exist), else `ulighed.toml` in the
/// working folder if there is one.
pub fn load(path: Option<&Path>) -> Result<ProjectConfig> {
    let (path, required) = match path {
        Some(p) => (p.to_path_buf(), true),
        None => (PathBuf::from("ulighed.toml"), false),
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => {
            return Ok(ProjectConfig::default());
        }
        Err(e) => {
            return Err(Error::MissingInput(format!(
                "{}: the project configuration cannot be read: {e}",
                path.display()
            )));
        }
    };
    let mut config: ProjectConfig = toml::from_str(&text).map_err(|e| {
        Error::BadSpec(format!(
            "{}: {} (expected keys: registers, out, lang, threshold, as_of, [classifications] with education, origin, family_type, sor, [validation] with severities)",
            path.display(),
            e.message()
        ))
    })?;
    let base = path.parent().unwrap_or(Path::new("."));
    config.classifications = config.classifications.map(|c| c.resolved(base));
    if let Some(v) = &config.validation {
        Severities::checked(&v.severities).map_err(|e| {
            Error::BadSpec(format!(
                "{}: key `validation.severities`: {e}",
                path.display()
            ))
        })?;
    }
    Ok(config)
}

fn parse_lang(text: &str, source: &str) -> Result<Lang> {
    match text {
        "da" => Ok(Lang::Da),
        "en" => Ok(Lang::En),
        other => Err(Error::BadSpec(format!(
            "{source}: {other:?}: expected da or en"
        ))),
    }
}

fn parse_as_of(text: &str, source: &str) -> Result<i32> {
    dates::parse_iso(text)
        .ok_or_else(|| Error::BadSpec(format!("{source}: {text:?}: expected a date YYYY-MM-DD")))
}

/// Resolves flags over environment over the project file over the defaults (output root
/// `reports`, Danish, as of today). `env` reads one variable (injected so tests need not
/// change the process environment).
pub fn resolve(
    flags: Flags,
    env: impl Fn(&str) -> Option<String>,
    file: &ProjectConfig,
) -> Result<Settings> {
    let registers = flags
        .registers
        .or_else(|| env("ULIGHED_REGISTERS").map(PathBuf::from))
        .or_else(|| file.registers.clone());
    let out = flags
        .out
        .or_else(|| env("ULIGHED_OUT").map(PathBuf::from))
        .or_else(|| file.out.clone())
        .unwrap_or_else(|| PathBuf::from("reports"));
    let lang = match (flags.lang, env("ULIGHED_LANG"), &file.lang) {
        (Some(lang), _, _) => lang,
        (None, Some(text), _) => parse_lang(&text, "ULIGHED_LANG")?,
        (None, None, Some(text)) => parse_lang(text, "ulighed.toml: key `lang`")?,
        (None, None, None) => Lang::Da,
    };
    let threshold = match (flags.threshold, env("ULIGHED_THRESHOLD")) {
        (Some(t), _) => Some(t),
        (None, Some(text)) => Some(text.trim().parse().map_err(|_| {
            Error::BadSpec(format!(
                "ULIGHED_THRESHOLD: {text:?}: expected a whole number of persons"
            ))
        })?),
        (None, None) => file.threshold,
    };
    let as_of = match (flags.as_of, env("ULIGHED_AS_OF"), &file.as_of) {
        (Some(d), _, _) => d,
        (None, Some(text), _) => parse_as_of(&text, "ULIGHED_AS_OF")?,
        (None, None, Some(text)) => parse_as_of(text, "ulighed.toml: key `as_of`")?,
        (None, None, None) => dates::today(),
    };
    Ok(Settings {
        registers,
        out,
        lang,
        threshold,
        as_of,
        classifications: file.classifications.clone().unwrap_or_default(),
        severities: Severities {
            overrides: file
                .validation
                .as_ref()
                .map(|v| v.severities.clone())
                .unwrap_or_default(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file() -> ProjectConfig {
        toml::from_str("out = \"from-file\"\nlang = \"en\"\nthreshold = 10\nas_of = \"2025-01-31\"")
            .unwrap()
    }

    #[test]
    fn flags_win_over_environment_over_the_file() {
        let none = |_: &str| None;
        let s = resolve(Flags::default(), none, &file()).unwrap();
        assert_eq!(
            (s.out, s.lang, s.threshold),
            (PathBuf::from("from-file"), Lang::En, Some(10))
        );
        assert_eq!(dates::format_iso(s.as_of), "2025-01-31");
        let env = |k: &str| match k {
            "ULIGHED_OUT" => Some("from-env".to_string()),
            "ULIGHED_THRESHOLD" => Some("7".to_string()),
            _ => None,
        };
        let s = resolve(Flags::default(), env, &file()).unwrap();
        assert_eq!((s.out, s.threshold), (PathBuf::from("from-env"), Some(7)));
        let flags = Flags {
            out: Some("from-flag".into()),
            threshold: Some(5),
            ..Flags::default()
        };
        let s = resolve(flags, env, &file()).unwrap();
        assert_eq!((s.out, s.threshold), (PathBuf::from("from-flag"), Some(5)));
        let s = resolve(Flags::default(), none, &ProjectConfig::default()).unwrap();
        assert_eq!((s.out, s.lang), (PathBuf::from("reports"), Lang::Da));
    }

    #[test]
    fn bad_values_name_their_source() {
        let env = |k: &str| (k == "ULIGHED_LANG").then(|| "fr".to_string());
        let err = resolve(Flags::default(), env, &ProjectConfig::default()).unwrap_err();
        assert!(err.to_string().contains("ULIGHED_LANG") && err.to_string().contains("da or en"));
        let bad: ProjectConfig = toml::from_str("as_of = \"soon\"").unwrap();
        let err = resolve(Flags::default(), |_| None, &bad).unwrap_err();
        assert!(err.to_string().contains("ulighed.toml: key `as_of`"));
        assert!(toml::from_str::<ProjectConfig>("colour = 1").is_err());
    }

    /// The project file's validation severities reach the settings; a reading rule made a
    /// warning is refused naming the file and the key.
    #[test]
    fn the_project_files_severities_are_checked_and_kept() {
        let dir = tempfile::tempdir().expect("temp");
        let path = dir.path().join("ulighed.toml");
        std::fs::write(
            &path,
            "[validation]\nseverities = { key_pnr = \"error\" }\n",
        )
        .expect("written");
        let file = load(Some(&path)).expect("valid");
        let settings = resolve(Flags::default(), |_: &str| None, &file).expect("resolved");
        assert_eq!(
            settings.severities.of("key_pnr"),
            crate::registers::severity::Severity::Error
        );
        std::fs::write(
            &path,
            "[validation]\nseverities = { types = \"warning\" }\n",
        )
        .expect("written");
        let err = load(Some(&path)).expect_err("refused").to_string();
        assert!(
            err.contains("ulighed.toml") && err.contains("validation.severities"),
            "{err}"
        );
    }
}
