//! Outputs: the tidy CSV tables, figures, the HTML report, and the atomic output folder.

pub mod figure;
pub mod html;
pub mod labels;
pub mod manifest;
pub mod output;
pub mod table;
