//! One error type for the whole tool, each variant tied to a documented exit code.
//!
//! The exit codes follow BSD `sysexits.h`, which schedulers and shell scripts already understand:
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success |
//! | 2 | usage error (bad command line) |
//! | 65 | bad input data (a register file fails validation, a wrong type, an unknown code) |
//! | 66 | missing input (a file or folder that does not exist) |
//! | 70 | internal error (a bug: please report it) |
//! | 73 | cannot write output |
//! | 75 | temporary failure: another run holds the output folder's lock (try again later) |
//! | 78 | bad configuration (a pipeline spec or project configuration that does not validate) |

use std::path::Path;

/// Every failure the tool reports. The message is one readable paragraph that names the file,
/// the row or key, and what was expected; `main` prints it and exits with [`Error::exit_code`].
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}", shortened(.0))]
    Usage(String),
    #[error("{}", shortened(.0))]
    BadInput(String),
    #[error("{}", shortened(.0))]
    MissingInput(String),
    #[error("{}", shortened(.0))]
    BadSpec(String),
    #[error("{}", shortened(.0))]
    Output(String),
    #[error("{}", shortened(.0))]
    Busy(String),
    /// Some analyses of `run --all` failed (each was reported as it failed); the exit code is
    /// that of the first failure.
    #[error("{message}")]
    Partial { code: i32, message: String },
    #[error("internal error (please report this): {}", shortened(.0))]
    Internal(String),
}

/// The longest word of a message shown whole: a longer one (a value of a megabyte echoed by a
/// parser, a 10,000-character id) is cut to its start and its length.
const WORD_SHOWN: usize = 200;

/// The longest message shown whole.
const MESSAGE_SHOWN: usize = 4_000;

/// `message` with every word longer than [`WORD_SHOWN`] characters cut to its first 60 and its
/// length, and the whole cut at [`MESSAGE_SHOWN`], so an error is always a paragraph a person can
/// read, whatever value it quotes.
pub fn shortened(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(MESSAGE_SHOWN));
    for (i, word) in message.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let length = word.chars().count();
        if length > WORD_SHOWN {
            out.extend(word.chars().take(60));
            out.push_str(&format!("... ({length} characters)"));
        } else {
            out.push_str(word);
        }
    }
    let length = out.chars().count();
    if length > MESSAGE_SHOWN {
        let start: String = out.chars().take(MESSAGE_SHOWN).collect();
        return format!("{start}... (a message of {length} characters, cut)");
    }
    out
}

impl Error {
    /// The process exit code for this error (see the module documentation).
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Usage(_) => 2,
            Error::BadInput(_) => 65,
            Error::MissingInput(_) => 66,
            Error::Internal(_) => 70,
            Error::Output(_) => 73,
            Error::Busy(_) => 75,
            Error::Partial { code, .. } => *code,
            Error::BadSpec(_) => 78,
        }
    }

    /// An input file could not be read or parsed.
    pub fn reading(path: &Path, err: impl std::fmt::Display) -> Self {
        Error::BadInput(format!(
            "{}: cannot be read: {}",
            path.display(),
            one_paragraph(&err.to_string())
        ))
    }

    /// An output file or folder could not be written.
    pub fn writing(path: &Path, err: impl std::fmt::Display) -> Self {
        Error::Output(format!(
            "{}: cannot be written: {}",
            path.display(),
            one_paragraph(&err.to_string())
        ))
    }
}

/// Joins a library's multi-line message into one paragraph.
fn one_paragraph(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl From<polars::prelude::PolarsError> for Error {
    /// Polars errors that were not given a file context at the call site are internal: every
    /// read of user data wraps its own errors with [`Error::reading`].
    fn from(err: polars::prelude::PolarsError) -> Self {
        Error::Internal(err.to_string())
    }
}

pub type Result<T> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_word_is_cut_and_a_short_message_kept() {
        let value = "x".repeat(1_000_000);
        let message =
            Error::BadSpec(format!("spec.toml (line 3): unknown variant `{value}`")).to_string();
        assert!(message.len() < 200, "{message}");
        assert!(message.starts_with("spec.toml (line 3): unknown variant `xxx"));
        assert!(message.ends_with("... (1000002 characters)"), "{message}");
        let short = "bef2024.csv: row 2, column KOEN: expected 1 or 2";
        assert_eq!(Error::BadInput(short.into()).to_string(), short);
        let many = "word ".repeat(2_000);
        assert!(shortened(&many).ends_with("(a message of 10000 characters, cut)"));
    }
}
