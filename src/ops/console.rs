//! Text for standard output and standard error that never panics.
//!
//! `print!` panics when its stream is closed ("failed printing to stdout: Broken pipe"), as when a
//! reader stops early: `ulighed validate DIR --format json | head -1`, a scheduler that closes
//! the log pipe. A reader that has gone wants no more: text to a closed pipe is dropped and the
//! command goes on to its own end and exit code (a run still writes its reports; validate still
//! exits 65 on an error). Any other failure to write standard output (a full disk behind a
//! redirection) is an output error (exit 73), since what the user asked for was not written.

use std::io::Write;

use crate::error::{Error, Result};

/// Writes `text` to standard output; a closed pipe drops it.
pub fn out(text: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::Output(format!("standard output: {e}"))),
    }
}

/// Writes `text` to standard error, as far as it can: a message nobody can read is no reason to
/// stop.
pub fn err(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = stderr
        .write_all(text.as_bytes())
        .and_then(|()| stderr.flush());
}

/// Writes a log line to standard output, as far as it can: the log of a run is not what the run
/// is for, so a closed or full log stream does not stop it.
pub fn log_line(line: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{line}").and_then(|()| stdout.flush());
}
