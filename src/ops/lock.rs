//! A lock on an output root, so two runs writing the same reports cannot interleave. The lock
//! is a file `.ulighed.lock` holding the holder's process id, host and start time, created
//! exclusively; a lock whose process no longer exists on this host (a killed run) is stale and
//! is cleared. The lock is removed when the run ends.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A held lock; released on drop.
pub struct OutputLock {
    path: PathBuf,
}

fn host() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "this host".into())
}

/// Whether a process id is alive on this host (Linux `/proc`).
fn alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

impl OutputLock {
    /// Takes the lock of `root` (created if missing), or fails naming the holder.
    pub fn acquire(root: &Path) -> Result<OutputLock> {
        std::fs::create_dir_all(root).map_err(|e| Error::writing(root, e))?;
        let path = root.join(".ulighed.lock");
        for _ in 0..2 {
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(mut file) => {
                    let started = crate::dates::format_iso(crate::dates::today());
                    writeln!(file, "{} {} {started}", std::process::id(), host())
                        .map_err(|e| Error::writing(&path, e))?;
                    return Ok(OutputLock { path });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let holder = std::fs::read_to_string(&path).unwrap_or_default();
                    let mut fields = holder.split_whitespace();
                    let pid: Option<u32> = fields.next().and_then(|p| p.parse().ok());
                    let holder_host = fields.next().unwrap_or("");
                    let stale = match pid {
                        Some(pid) => holder_host == host() && !alive(pid),
                        None => true,
                    };
                    if stale {
                        std::fs::remove_file(&path).map_err(|e| Error::writing(&path, e))?;
                        continue;
                    }
                    return Err(Error::Busy(format!(
                        "{}: another ulighed run (process {} on {holder_host}, started {}) is writing to {}; try again when it has finished",
                        path.display(),
                        pid.map_or("?".into(), |p| p.to_string()),
                        fields.next().unwrap_or("?"),
                        root.display()
                    )));
                }
                Err(e) => return Err(Error::writing(&path, e)),
            }
        }
        Err(Error::Busy(format!(
            "{}: the lock could not be taken",
            path.display()
        )))
    }
}

impl Drop for OutputLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}
