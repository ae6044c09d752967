//! Register readers against independent readings: SAS7BDAT files written by SAS itself, each
//! beside ReadStat 1.1.8's reading (`tests/data/sas/`), and fixtures written with ReadStat's
//! library from known values (`tests/data/sas-fixtures/`).

mod sas_fixtures;
mod sas_peer;
