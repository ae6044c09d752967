//! Atomic output folders: a run writes into a staging folder beside the target and swaps it into
//! place only when every file is written, so a failed or killed run never leaves a half-written
//! report and never damages the previous one.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A staging folder that becomes `target` on [`Staging::commit`] and is removed if dropped first.
pub struct Staging {
    dir: PathBuf,
    target: PathBuf,
    committed: bool,
}

impl Staging {
    /// Creates `<parent>/.<name>.tmp-<pid>` for `target`.
    pub fn new(target: &Path) -> Result<Staging> {
        let parent = target.parent().unwrap_or(Path::new("."));
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| "run".into());
        std::fs::create_dir_all(parent).map_err(|e| Error::writing(parent, e))?;
        // An output folder's place held by something else (a file of the user's) is refused
        // before anything is written: swapping the new folder in would move the user's file
        // aside under a staging name.
        if let Ok(meta) = std::fs::metadata(target)
            && !meta.is_dir()
        {
            return Err(Error::Output(format!(
                "{}: exists and is not a folder; expected the output folder of this run there (move or remove the file, or choose another --out)",
                target.display()
            )));
        }
        // Staging folders of earlier runs are left only by runs that were killed: the caller
        // holds the output root's lock (see `crate::ops::lock`), so none is in use. One of them
        // may be the previous output itself: `commit` renames the old folder aside
        // (`.<name>.tmp-<pid>.old`) before it renames the new one into place, and a kill between
        // the two renames leaves no target. That folder is put back rather than removed, or the
        // previous outputs would be lost.
        let prefix = format!(".{name}.tmp-");
        if let Ok(entries) = std::fs::read_dir(parent) {
            for entry in entries.flatten() {
                let file_name = entry.file_name().to_string_lossy().to_string();
                if !file_name.starts_with(&prefix) {
                    continue;
                }
                let stale = entry.path();
                if file_name.ends_with(".old") && stale.is_dir() && !target.exists() {
                    std::fs::rename(&stale, target).map_err(|e| Error::writing(target, e))?;
                } else {
                    std::fs::remove_dir_all(&stale).map_err(|e| Error::writing(&stale, e))?;
                }
            }
        }
        let dir = parent.join(format!("{prefix}{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| Error::writing(&dir, e))?;
        Ok(Staging {
            dir,
            target: target.to_path_buf(),
            committed: false,
        })
    }

    /// Writes a file at a path relative to the staging folder.
    pub fn write(&self, relative: &str, contents: &[u8]) -> Result<()> {
        let path = self.dir.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::writing(parent, e))?;
        }
        std::fs::write(&path, contents).map_err(|e| Error::writing(&path, e))
    }

    /// Moves the staging folder into place, replacing a previous output only after the new one
    /// is complete.
    ///
    /// Where the system can swap two folders in one step ([`exchange`]), it does: a reader sees
    /// the old output or the new, never neither, and the staging path is left holding the old
    /// one, which is then removed (a kill before that leaves it as a stale staging folder, which
    /// the next run removes). Elsewhere the old folder is renamed aside first and the new one
    /// renamed into place, and [`Staging::new`] puts the old one back if a kill fell between.
    pub fn commit(mut self) -> Result<PathBuf> {
        let exchanged = self.target.exists()
            && exchange(&self.dir, &self.target).map_err(|e| Error::writing(&self.target, e))?;
        if exchanged {
            self.committed = true;
            std::fs::remove_dir_all(&self.dir).map_err(|e| Error::writing(&self.dir, e))?;
            return Ok(self.target.clone());
        }
        let aside = self.dir.with_extension("old");
        if self.target.exists() {
            std::fs::rename(&self.target, &aside).map_err(|e| Error::writing(&self.target, e))?;
        }
        std::fs::rename(&self.dir, &self.target).map_err(|e| Error::writing(&self.target, e))?;
        self.committed = true;
        if aside.exists() {
            std::fs::remove_dir_all(&aside).map_err(|e| Error::writing(&aside, e))?;
        }
        Ok(self.target.clone())
    }
}

/// Swaps two existing paths atomically with Linux's `renameat2(RENAME_EXCHANGE)` (rename(2),
/// Linux 3.15; supported by ext4, xfs, btrfs, tmpfs and overlayfs among others). `Ok(false)`
/// where the kernel or file system cannot, and the caller falls back to two renames.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<bool> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let a = CString::new(a.as_os_str().as_bytes())?;
    let b = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both pointers are to NUL-terminated strings that live until the call returns, and
    // `renameat2` only reads them.
    let status = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if status == 0 {
        return Ok(true);
    }
    let error = std::io::Error::last_os_error();
    match error.raw_os_error() {
        Some(libc::EINVAL | libc::ENOSYS | libc::EOPNOTSUPP) => Ok(false),
        _ => Err(error),
    }
}

/// No atomic exchange outside Linux: the caller renames twice.
#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<bool> {
    Ok(false)
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Writes one file through a temporary file beside it, so a failure never leaves a partial file.
pub fn write_file(path: &Path, contents: &[u8]) -> Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "out".into());
    let temporary = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    std::fs::write(&temporary, contents).map_err(|e| {
        // A full disk leaves a partial temporary file: never leave it behind.
        let _ = std::fs::remove_file(&temporary);
        Error::writing(path, e)
    })?;
    std::fs::rename(&temporary, path).map_err(|e| {
        let _ = std::fs::remove_file(&temporary);
        Error::writing(path, e)
    })
}

/// Lower-case hex SHA-256 of bytes (spec hashes and fingerprints in the provenance).
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    crate::ops::fingerprint::hex(&sha2::Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Creates the folder `path` holding one file `name` with `contents`.
    fn folder_with(path: &Path, name: &str, contents: &[u8]) {
        std::fs::create_dir_all(path).expect("folder");
        std::fs::write(path.join(name), contents).expect("file");
    }

    #[test]
    fn a_run_killed_between_the_two_renames_loses_no_previous_output() {
        let dir = tempfile::tempdir().expect("temp");
        let target = dir.path().join("analysis");
        // What a kill after `commit`'s first rename leaves: the old output set aside, no target,
        // and the killed run's staging folder half-renamed or still there.
        let aside = dir.path().join(".analysis.tmp-4242.old");
        folder_with(&aside, "tabel.csv", b"previous");
        std::fs::create_dir_all(dir.path().join(".analysis.tmp-4242")).expect("staging");

        let staging = Staging::new(&target).expect("staging");
        assert_eq!(
            std::fs::read(target.join("tabel.csv")).expect("restored"),
            b"previous"
        );
        assert!(!aside.exists() && !dir.path().join(".analysis.tmp-4242").exists());
        staging.write("tabel.csv", b"next").expect("write");
        staging.commit().expect("commit");
        assert_eq!(
            std::fs::read(target.join("tabel.csv")).expect("new"),
            b"next"
        );
    }

    #[test]
    fn an_existing_output_is_kept_and_stale_folders_beside_it_are_removed() {
        let dir = tempfile::tempdir().expect("temp");
        let target = dir.path().join("analysis");
        folder_with(&target, "tabel.csv", b"current");
        let stale = dir.path().join(".analysis.tmp-7.old");
        folder_with(&stale, "tabel.csv", b"older");

        let staging = Staging::new(&target).expect("staging");
        assert_eq!(
            std::fs::read(target.join("tabel.csv")).expect("kept"),
            b"current"
        );
        assert!(!stale.exists());
        drop(staging);
    }

    #[test]
    fn a_commit_replaces_the_previous_output_whole_and_leaves_nothing_beside_it() {
        let dir = tempfile::tempdir().expect("temp");
        let target = dir.path().join("analysis");
        folder_with(&target, "old.csv", b"previous");

        let staging = Staging::new(&target).expect("staging");
        staging.write("new.csv", b"next").expect("write");
        staging.commit().expect("commit");
        let names = |path: &Path| {
            let mut names: Vec<String> = std::fs::read_dir(path)
                .expect("list")
                .map(|e| e.expect("entry").file_name().to_string_lossy().to_string())
                .collect();
            names.sort();
            names
        };
        assert_eq!(names(&target), ["new.csv"]);
        assert_eq!(names(dir.path()), ["analysis"]);
    }

    /// On Linux the commit swaps the folders in one step, so a reader never finds no output:
    /// checked here on the test's own file system (ext4, tmpfs and overlayfs all support it).
    #[cfg(target_os = "linux")]
    #[test]
    fn two_folders_are_exchanged_in_one_step() {
        let dir = tempfile::tempdir().expect("temp");
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        folder_with(&a, "f", b"from a");
        folder_with(&b, "f", b"from b");
        assert!(exchange(&a, &b).expect("exchange"));
        assert_eq!(std::fs::read(a.join("f")).expect("a"), b"from b");
        assert_eq!(std::fs::read(b.join("f")).expect("b"), b"from a");
        assert!(exchange(&a, &dir.path().join("missing")).is_err());
    }
}
