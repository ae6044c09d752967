//! A lock on an output root, so two runs writing the same reports cannot interleave.
//!
//! The lock is an advisory lock of the operating system (`flock`, through [`File::try_lock`]) on
//! the file `.ulighed.lock` in the root, which also holds the holder's process id, host and start
//! date for the message a second run prints. The kernel releases the lock when its process ends,
//! however it ends, so a lock file left by a killed run is never "held": there is no staleness to
//! judge, and no window between reading, judging and removing a stale lock in which two runs can
//! both think they hold it. The holder removes the file when it is done, while still holding the
//! lock; a run that opened the old file just before and locks it after checks that the path still
//! names the file it locked, and tries again if not.

use std::fs::{File, TryLockError};
use std::io::{Read, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A held lock; released on drop.
pub struct OutputLock {
    path: PathBuf,
    /// The locked file: the lock lasts as long as it is open.
    _file: File,
}

fn host() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "this host".into())
}

/// The (device, inode) a path names now, if it exists.
fn identity(path: &Path) -> Option<(u64, u64)> {
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

/// How often a run tries again when the file it locked was removed under it by the holder that
/// just finished (each retry needs another run to finish in between, so a few are plenty).
const ATTEMPTS: usize = 16;

impl OutputLock {
    /// Takes the lock of `root` (created if missing), or fails naming the holder (exit 75).
    pub fn acquire(root: &Path) -> Result<OutputLock> {
        std::fs::create_dir_all(root).map_err(|e| Error::writing(root, e))?;
        let path = root.join(".ulighed.lock");
        for _ in 0..ATTEMPTS {
            let mut file = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .map_err(|e| Error::writing(&path, e))?;
            match file.try_lock() {
                Ok(()) => {
                    let locked = file.metadata().map_err(|e| Error::writing(&path, e))?;
                    if identity(&path) != Some((locked.dev(), locked.ino())) {
                        // The previous holder removed the file after this run opened it.
                        continue;
                    }
                    let started = crate::dates::format_iso(crate::dates::today());
                    file.set_len(0)
                        .and_then(|()| {
                            writeln!(file, "{} {} {started}", std::process::id(), host())
                        })
                        .map_err(|e| Error::writing(&path, e))?;
                    return Ok(OutputLock { path, _file: file });
                }
                Err(TryLockError::WouldBlock) => {
                    let mut holder = String::new();
                    let _ = file.read_to_string(&mut holder);
                    let mut fields = holder.split_whitespace();
                    return Err(Error::Busy(format!(
                        "{}: another ulighed run (process {} on {}, started {}) is writing to {}; try again when it has finished",
                        path.display(),
                        fields.next().unwrap_or("?"),
                        fields.next().unwrap_or("?"),
                        fields.next().unwrap_or("?"),
                        root.display()
                    )));
                }
                Err(TryLockError::Error(e)) => {
                    return Err(Error::Output(format!(
                        "{}: the output root's lock could not be taken: {e}",
                        path.display()
                    )));
                }
            }
        }
        Err(Error::Busy(format!(
            "{}: the lock could not be taken (other runs kept finishing and starting); try again",
            path.display()
        )))
    }
}

impl Drop for OutputLock {
    fn drop(&mut self) {
        // Removed while still locked; the lock itself ends when the file is closed after this.
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Barrier};

    /// Eight takers at once on a root with a lock file left by a dead process: exactly one gets
    /// the lock, every other is told the root is busy, in each of 100 trials. Each taker opens
    /// the file itself, so the threads contend as processes do (a `flock` belongs to an open
    /// file, not to a process).
    #[test]
    fn of_eight_simultaneous_takers_with_a_stale_lock_exactly_one_wins() {
        let dir = tempfile::tempdir().expect("temp");
        for trial in 0..100 {
            let root = dir.path().join(format!("out{trial}"));
            std::fs::create_dir_all(&root).expect("root");
            std::fs::write(
                root.join(".ulighed.lock"),
                "999999999 this-host 2020-01-01\n",
            )
            .expect("stale lock");
            let barrier = Arc::new(Barrier::new(8));
            let takers: Vec<_> = (0..8)
                .map(|_| {
                    let (root, barrier) = (root.clone(), barrier.clone());
                    std::thread::spawn(move || {
                        barrier.wait();
                        let result = OutputLock::acquire(&root);
                        let won = result.is_ok();
                        if let Err(e) = &result {
                            assert_eq!(e.exit_code(), 75, "{e}");
                        }
                        // Hold it while the others try.
                        std::thread::sleep(std::time::Duration::from_millis(30));
                        drop(result);
                        won
                    })
                })
                .collect();
            let winners = takers
                .into_iter()
                .map(|t| t.join().expect("taker"))
                .filter(|&won| won)
                .count();
            assert_eq!(winners, 1, "trial {trial}");
            assert!(!root.join(".ulighed.lock").exists(), "released and removed");
        }
    }

    /// A lock released by its holder can be taken again, and the message of a busy root names
    /// the holder's process.
    #[test]
    fn a_held_lock_names_its_holder_and_a_released_one_is_taken_again() {
        let dir = tempfile::tempdir().expect("temp");
        let first = OutputLock::acquire(dir.path()).expect("first");
        let busy = OutputLock::acquire(dir.path()).err().expect("busy");
        assert!(
            busy.to_string()
                .contains(&format!("process {}", std::process::id())),
            "{busy}"
        );
        drop(first);
        OutputLock::acquire(dir.path()).expect("taken again");
    }
}
