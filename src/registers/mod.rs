//! The register contract (`REGISTERS.md`): code lists, file discovery, readers and validation.

pub mod codes;
