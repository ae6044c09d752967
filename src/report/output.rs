//! Atomic output folders: a run writes into a staging folder beside the target and swaps it into
//! place only when every file is written, so a failed or killed run never leaves a half-written
//! report and never damages the previous one.
//!
//! The folders of one run (every analysis of `run --all` and the document that describes them)
//! are committed as one unit ([`commit_together`]): a journal in the output root lists each
//! staged folder, its target and the staged folder's inode before the first is swapped in, and
//! the next run in that root finishes a commit a kill interrupted ([`recover`]), so a reader never
//! finds a document that disagrees with the analysis folders beside it once the root is used
//! again, and no kill leaves half of a run's outputs in place.

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

    /// Every file written: the folder is ready to be committed, alone ([`Staged::commit`]) or
    /// with the other folders of the run ([`commit_together`]).
    pub fn finish(mut self) -> Staged {
        // The staged folder is now the caller's to commit or to drop.
        self.committed = true;
        Staged {
            dir: self.dir.clone(),
            target: self.target.clone(),
            committed: false,
        }
    }

    /// Writes a file at a path relative to the staging folder.
    pub fn write(&self, relative: &str, contents: &[u8]) -> Result<()> {
        let path = self.dir.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::writing(parent, e))?;
        }
        std::fs::write(&path, contents).map_err(|e| Error::writing(&path, e))
    }
}

/// A complete staging folder waiting to replace its target; removed if dropped uncommitted.
#[derive(Debug)]
pub struct Staged {
    dir: PathBuf,
    target: PathBuf,
    committed: bool,
}

impl Staged {
    /// Where the staged files are now (what a document built before the commit reads).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where they go.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Moves this one folder into place, replacing a previous output only after the new one is
    /// complete.
    ///
    /// Where the system can swap two folders in one step ([`exchange`]), it does: a reader sees
    /// the old output or the new, never neither, and the staging path is left holding the old
    /// one, which is then removed (a kill before that leaves it as a stale staging folder, which
    /// the next run removes). Elsewhere the old folder is renamed aside first and the new one
    /// renamed into place, and [`Staging::new`] puts the old one back if a kill fell between.
    pub fn commit(mut self) -> Result<PathBuf> {
        self.committed = true;
        swap_in(&self.dir, &self.target)?;
        Ok(self.target.clone())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// The journal of a commit of several folders, in the output root.
const JOURNAL: &str = ".ulighed-commit.json";

/// One folder of a journalled commit.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct JournalEntry {
    staged: PathBuf,
    target: PathBuf,
    /// The staged folder's inode: it stays with the folder through the renames, so a recovery
    /// can tell whether the target already is the new folder.
    inode: u64,
}

fn inode(path: &Path) -> Option<u64> {
    use std::os::unix::fs::MetadataExt;
    std::fs::symlink_metadata(path).ok().map(|m| m.ino())
}

/// Commits the staged folders of one run under `root` as one unit: the journal is written
/// first, then every folder is swapped into place, then the journal is removed. A kill in
/// between leaves the journal, and [`recover`] in the next run finishes the commit.
pub fn commit_together(root: &Path, staged: Vec<Staged>) -> Result<Vec<PathBuf>> {
    let mut entries = Vec::new();
    for s in &staged {
        entries.push(JournalEntry {
            staged: s.dir.clone(),
            target: s.target.clone(),
            inode: inode(&s.dir).ok_or_else(|| {
                Error::Output(format!("{}: the staged output is gone", s.dir.display()))
            })?,
        });
    }
    let journal = root.join(JOURNAL);
    let text = serde_json::to_string_pretty(&entries)
        .map_err(|e| Error::Internal(format!("commit journal: {e}")))?;
    write_file(&journal, text.as_bytes())?;
    let mut staged = staged;
    for s in &mut staged {
        // From here the journal owns the staged folders: a failure leaves them for recovery.
        s.committed = true;
    }
    finish_journal(&journal, &entries)?;
    Ok(entries.into_iter().map(|e| e.target).collect())
}

/// Swaps every journalled folder that is not yet in place, removes what it replaced, then the
/// journal.
fn finish_journal(journal: &Path, entries: &[JournalEntry]) -> Result<()> {
    for e in entries {
        if inode(&e.target) == Some(e.inode) {
            // Already in place; what the staging path holds now is the old output.
            if e.staged.exists() {
                std::fs::remove_dir_all(&e.staged).map_err(|err| Error::writing(&e.staged, err))?;
            }
            continue;
        }
        if inode(&e.staged) != Some(e.inode) {
            return Err(Error::Output(format!(
                "{}: the journalled commit of {} cannot be finished: its staged folder {} is gone; remove {} and run again",
                journal.display(),
                e.target.display(),
                e.staged.display(),
                journal.display()
            )));
        }
        swap_in(&e.staged, &e.target)?;
    }
    std::fs::remove_file(journal).map_err(|e| Error::writing(journal, e))
}

/// Finishes a commit of several folders that a killed run left in `root` (see
/// [`commit_together`]); nothing to do without a journal. Called under the root's lock before
/// anything else is written there.
pub fn recover(root: &Path) -> Result<()> {
    let journal = root.join(JOURNAL);
    let Ok(text) = std::fs::read_to_string(&journal) else {
        return Ok(());
    };
    let entries: Vec<JournalEntry> = serde_json::from_str(&text).map_err(|e| {
        Error::Output(format!(
            "{}: not a commit journal ({e}); remove it and run again",
            journal.display()
        ))
    })?;
    finish_journal(&journal, &entries)
}

/// Moves `dir` into place at `target`, replacing a previous output only when the new one is
/// complete (see [`Staged::commit`]); the previous output is removed.
fn swap_in(dir: &Path, target: &Path) -> Result<()> {
    let exchanged =
        target.exists() && exchange(dir, target).map_err(|e| Error::writing(target, e))?;
    if exchanged {
        return std::fs::remove_dir_all(dir).map_err(|e| Error::writing(dir, e));
    }
    let aside = dir.with_extension("old");
    if target.exists() {
        std::fs::rename(target, &aside).map_err(|e| Error::writing(target, e))?;
    }
    std::fs::rename(dir, target).map_err(|e| Error::writing(target, e))?;
    if aside.exists() {
        std::fs::remove_dir_all(&aside).map_err(|e| Error::writing(&aside, e))?;
    }
    Ok(())
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
        staging.finish().commit().expect("commit");
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
        staging.finish().commit().expect("commit");
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

    /// Staged folders with one file each, for `targets` under `root`, each holding "next"; the
    /// targets hold "previous".
    fn staged_pair(root: &Path, targets: &[&str]) -> Vec<Staged> {
        targets
            .iter()
            .map(|name| {
                let target = root.join(name);
                folder_with(&target, "f", b"previous");
                let staging = Staging::new(&target).expect("staging");
                staging.write("f", b"next").expect("write");
                staging.finish()
            })
            .collect()
    }

    #[test]
    fn folders_committed_together_all_change_and_leave_no_journal() {
        let dir = tempfile::tempdir().expect("temp");
        let staged = staged_pair(dir.path(), &["analysis", "aarsanalyse"]);
        commit_together(dir.path(), staged).expect("committed");
        for name in ["analysis", "aarsanalyse"] {
            assert_eq!(
                std::fs::read(dir.path().join(name).join("f")).expect("f"),
                b"next"
            );
        }
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name().to_string_lossy().to_string())
            .collect();
        left.sort();
        assert_eq!(left, ["aarsanalyse", "analysis"]);
    }

    /// A kill after the journal and the first folder's swap, before the second's: the next run's
    /// recovery puts the second in place too, so the document and the analysis agree again.
    #[test]
    fn a_commit_killed_halfway_is_finished_by_the_next_run() {
        let dir = tempfile::tempdir().expect("temp");
        let staged = staged_pair(dir.path(), &["analysis", "aarsanalyse"]);
        let entries: Vec<JournalEntry> = staged
            .iter()
            .map(|s| JournalEntry {
                staged: s.dir.clone(),
                target: s.target.clone(),
                inode: inode(&s.dir).expect("inode"),
            })
            .collect();
        write_file(
            &dir.path().join(JOURNAL),
            serde_json::to_string(&entries).expect("json").as_bytes(),
        )
        .expect("journal");
        // What a killed run leaves: its folders are the journal's, not removed on exit.
        let mut staged = staged;
        for s in &mut staged {
            s.committed = true;
        }
        swap_in(&staged[0].dir, &staged[0].target).expect("first swapped");
        assert_eq!(
            std::fs::read(dir.path().join("aarsanalyse/f")).expect("f"),
            b"previous",
            "halfway: the two disagree"
        );
        recover(dir.path()).expect("recovered");
        for name in ["analysis", "aarsanalyse"] {
            assert_eq!(
                std::fs::read(dir.path().join(name).join("f")).expect("f"),
                b"next"
            );
        }
        assert!(!dir.path().join(JOURNAL).exists());
        // Nothing to do the second time.
        recover(dir.path()).expect("nothing to recover");
    }
}
