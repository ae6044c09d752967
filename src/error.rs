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
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    BadInput(String),
    #[error("{0}")]
    MissingInput(String),
    #[error("{0}")]
    BadSpec(String),
    #[error("{0}")]
    Output(String),
    #[error("{0}")]
    Busy(String),
    /// Some analyses of `run --all` failed (each was reported as it failed); the exit code is
    /// that of the first failure.
    #[error("{message}")]
    Partial { code: i32, message: String },
    #[error("internal error (please report this): {0}")]
    Internal(String),
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
