//! Operating the tool unattended: input fingerprints for incremental runs, a lock on the output
//! folder, logs for people and schedulers, and the project configuration.

pub mod config;
pub mod console;
pub mod fingerprint;
pub mod lock;
pub mod log;
pub mod validated;
