//! Outputs: the tidy CSV tables, the documents (reports) with their figures and table exports,
//! the analysis plan, and the atomic output folder.

pub mod bundle;
pub mod chapter;
pub mod definitions;
pub mod deliverable;
pub mod doc_table;
pub mod document;
pub mod export;
pub mod figures;
pub mod format;
pub mod labels;
pub mod manifest;
pub mod method_chapter;
pub mod methods;
pub mod notes;
pub mod output;
pub mod pdf;
pub mod plan_doc;
pub mod png;
pub mod style;
pub mod text;
pub mod write;
