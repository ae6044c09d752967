//! Patient-group event rows held by calendar year until the year is written.
//!
//! Life courses are generated person by person, so a chunk of persons gives rows of every year;
//! the files are written a year at a time in date order. At national scale these rows (tens of
//! millions) would not fit beside a year of background rows in the memory `synth` may use, so
//! they are kept in memory up to a bound and beyond it in uncompressed Arrow IPC files under the
//! output folder, which are removed when their year has been written.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::error::{Error, Result};

/// Rows of one register and year held in memory before they are written to a spill file.
const FLUSH_ROWS: usize = 1 << 18;

/// The registers held: contacts, diagnoses, procedures, prescriptions.
pub const KINDS: usize = 4;

#[derive(Default)]
struct Held {
    frames: Vec<DataFrame>,
    rows: usize,
    files: Vec<PathBuf>,
}

/// Rows by register and year, in memory and in spill files.
pub struct Spill {
    dir: PathBuf,
    held: BTreeMap<(usize, i32), Held>,
}

impl Spill {
    /// A spill in `out/.synth-spill` (emptied first).
    pub fn new(out: &Path) -> Result<Spill> {
        let dir = out.join(".synth-spill");
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(|e| Error::writing(&dir, e))?;
        }
        Ok(Spill {
            dir,
            held: BTreeMap::new(),
        })
    }

    /// Holds the rows of one chunk's four event frames by the year of the contact's start
    /// (diagnoses and procedures go with their contact, so that a year's files are whole) and of
    /// the prescription's redemption.
    pub fn add(&mut self, frames: [DataFrame; KINDS]) -> Result<()> {
        let [contacts, diagnoses, procedures, prescriptions] = frames;
        let year_of = |day: &str| col(day).dt().year().alias("YEAR");
        let contact_years = contacts
            .clone()
            .lazy()
            .select([col("DW_EK_KONTAKT"), year_of("DATO_START")]);
        let by_contact = |frame: DataFrame| {
            frame.lazy().join(
                contact_years.clone(),
                [col("DW_EK_KONTAKT")],
                [col("DW_EK_KONTAKT")],
                JoinArgs::new(JoinType::Left),
            )
        };
        let with_years = [
            contacts.lazy().with_column(year_of("DATO_START")),
            by_contact(diagnoses),
            by_contact(procedures),
            prescriptions.lazy().with_column(year_of("EKSD")),
        ];
        for (kind, frame) in with_years.into_iter().enumerate() {
            let frame = frame.collect()?;
            for part in frame.partition_by_stable(["YEAR"], true)? {
                let year = part.column("YEAR")?.i32()?.get(0).unwrap_or_default();
                let part = part.drop("YEAR")?;
                self.hold(kind, year, part)?;
            }
        }
        Ok(())
    }

    fn hold(&mut self, kind: usize, year: i32, frame: DataFrame) -> Result<()> {
        let held = self.held.entry((kind, year)).or_default();
        held.rows += frame.height();
        held.frames.push(frame);
        if held.rows >= FLUSH_ROWS {
            std::fs::create_dir_all(&self.dir).map_err(|e| Error::writing(&self.dir, e))?;
            let path = self
                .dir
                .join(format!("{kind}-{year}-{}.arrow", held.files.len()));
            let mut frame = concat_frames(std::mem::take(&mut held.frames))?;
            held.rows = 0;
            let file = File::create(&path).map_err(|e| Error::writing(&path, e))?;
            IpcWriter::new(file)
                .finish(&mut frame)
                .map_err(|e| Error::writing(&path, e))?;
            held.files.push(path);
        }
        Ok(())
    }

    /// Every row held of register `kind` in `year`, in the order they were added (`None` when
    /// there are none); the spill files read are removed.
    pub fn take(&mut self, kind: usize, year: i32) -> Result<Option<DataFrame>> {
        let Some(held) = self.held.remove(&(kind, year)) else {
            return Ok(None);
        };
        let mut frames = Vec::new();
        for path in &held.files {
            let file = File::open(path).map_err(|e| Error::writing(path, e))?;
            frames.push(IpcReader::new(file).finish()?);
            std::fs::remove_file(path).map_err(|e| Error::writing(path, e))?;
        }
        frames.extend(held.frames);
        Ok(Some(concat_frames(frames)?))
    }

    /// Removes the spill folder (every year has been taken).
    pub fn finish(self) -> Result<()> {
        if self.dir.exists() {
            std::fs::remove_dir_all(&self.dir).map_err(|e| Error::writing(&self.dir, e))?;
        }
        Ok(())
    }
}

/// Frames of one schema stacked into one.
pub fn concat_frames(frames: Vec<DataFrame>) -> Result<DataFrame> {
    let mut frames = frames.into_iter();
    let Some(mut first) = frames.next() else {
        return Err(crate::error::Error::Internal(
            "no frames to stack".to_string(),
        ));
    };
    for frame in frames {
        first.vstack_mut_owned(frame)?;
    }
    first.rechunk_mut();
    Ok(first)
}
