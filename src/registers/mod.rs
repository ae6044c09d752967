//! The register contract (`docs/registers.md`): code lists, file discovery, readers and validation.

pub mod classification;
pub mod code_format;
pub mod codes;
pub mod completeness;
pub mod contract;
pub mod convert;
pub mod discover;
pub mod findings;
pub mod key_index;
pub mod key_rules;
pub mod keys;
pub mod models;
pub mod padding;
pub mod persons;
pub mod read;
pub mod sas;
pub mod scan;
pub mod scope;
pub mod severity;
pub mod validate;
