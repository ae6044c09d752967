//! Disclosure control: primary and secondary suppression, the audit, and the sdcTable peer.
//! One test binary (the crate links Polars, so each binary is costly to link).

mod gate_examples;
mod linked_gate;
mod primary_rules;
mod properties;
mod sdctable_example;
mod shapes;
