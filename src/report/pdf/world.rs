//! What the Typst compiler may see when it typesets a report: one source file, the figures as
//! SVG files beside it, and the fonts compiled into the binary. Nothing is read from disk or the
//! network, so a report typesets the same on every machine, including a research server with
//! no fonts installed (Typst's `World` trait: <https://docs.rs/typst/latest/typst/trait.World.html>).

use std::collections::HashMap;
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

/// DejaVu Sans, the typeface of the HTML page and the figures (Bitstream Vera licence,
/// `fonts/LICENSE`): regular, bold and oblique cover every character the reports print,
/// Danish letters, the minus sign and the non-breaking space among them.
const FONTS: [&[u8]; 3] = [
    include_bytes!("fonts/DejaVuSans.ttf"),
    include_bytes!("fonts/DejaVuSans-Bold.ttf"),
    include_bytes!("fonts/DejaVuSans-Oblique.ttf"),
];

/// The report's Typst source and its figures.
pub struct ReportWorld {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    main: Source,
    files: HashMap<FileId, Bytes>,
}

/// The file id of a path in the report's virtual folder.
pub fn file_id(path: &str) -> FileId {
    let path = VirtualPath::new(path).expect("the report's own file names are valid paths");
    RootedPath::new(VirtualRoot::Project, path).intern()
}

impl ReportWorld {
    /// `source` is the Typst markup; `files` are (path, bytes) the markup refers to.
    pub fn new(source: String, files: Vec<(String, Vec<u8>)>) -> ReportWorld {
        let fonts: Vec<Font> = FONTS
            .iter()
            .flat_map(|data| Font::iter(Bytes::new(*data)))
            .collect();
        ReportWorld {
            library: LazyHash::new(Library::default()),
            book: LazyHash::new(FontBook::from_fonts(&fonts)),
            fonts,
            main: Source::new(file_id("/report.typ"), source),
            files: files
                .into_iter()
                .map(|(path, bytes)| (file_id(&path), Bytes::new(bytes)))
                .collect(),
        }
    }
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::NotSource)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main.id() {
            return Ok(Bytes::from_string(self.main.clone()));
        }
        self.files.get(&id).cloned().ok_or_else(|| {
            FileError::Other(Some(format!("{id:?} is not part of the report").into()))
        })
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.get(index).cloned()
    }

    /// The reports print their own dates; Typst's `datetime.today()` is never called.
    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}
