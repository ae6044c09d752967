//! `ulighed measures`: the statistical core applied directly to aggregated tables that analysts
//! already hold (for example exported from a secure environment), without registers.
//!
//! Each command reads one CSV, checks every cell (a bad cell is an error naming the file, row and
//! column; a group with zero population is a row with an empty value and a note), computes its
//! measure with the functions in [`crate::measures`], carries the input's extra columns through,
//! and writes one CSV atomically.

pub mod crude;
pub mod standardised;
pub mod summary;

use crate::error::{Error, Result};
use crate::measures::interval::check_confidence;

/// The confidence levels asked for, e.g. `0.95` or `0.95,0.998` (PHE's two funnel levels), with
/// their output column names: `lower`/`upper` for one level, `lower_95_0`/`upper_99_8` (PHE's
/// naming) for several.
pub struct Levels {
    pub levels: Vec<f64>,
}

impl Levels {
    /// Parses a comma-separated list of fractions; percentages such as 95 are refused.
    pub fn parse(text: &str) -> Result<Levels> {
        let mut levels = Vec::new();
        for part in text.split(',') {
            let level: f64 = part.trim().parse().map_err(|_| {
                Error::Usage(format!(
                    "--confidence {text:?}: expected fractions such as 0.95 or 0.95,0.998"
                ))
            })?;
            check_confidence(level).map_err(|e| Error::Usage(format!("--confidence: {e}")))?;
            levels.push(level);
        }
        Ok(Levels { levels })
    }

    /// Output column names `(lower, upper)` for each level.
    pub fn columns(&self) -> Vec<(String, String)> {
        if self.levels.len() == 1 {
            return vec![("lower".into(), "upper".into())];
        }
        self.levels
            .iter()
            .map(|l| {
                let tag = format!("{:.1}", l * 100.0).replace('.', "_");
                (format!("lower_{tag}"), format!("upper_{tag}"))
            })
            .collect()
    }

    /// The header cells for the limits, in level order.
    pub fn headers(&self) -> Vec<String> {
        self.columns()
            .into_iter()
            .flat_map(|(l, u)| [l, u])
            .collect()
    }
}

/// Checks `--multiplier`: the scale of every value and limit, so it must be a finite positive
/// number (a NaN, an infinity, 0 or a negative scale would write NaN or inverted limits).
pub fn check_multiplier(multiplier: f64) -> Result<()> {
    if multiplier.is_finite() && multiplier > 0.0 {
        Ok(())
    } else {
        Err(Error::Usage(format!(
            "--multiplier {multiplier}: expected a positive number (100 for a percentage, 100000 for a rate per 100,000)"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_columns_follow_phe_naming() {
        let two = Levels::parse("0.95,0.998").unwrap();
        assert_eq!(
            two.headers(),
            ["lower_95_0", "upper_95_0", "lower_99_8", "upper_99_8"]
        );
        assert_eq!(Levels::parse("0.9").unwrap().headers(), ["lower", "upper"]);
        assert!(Levels::parse("95").is_err());
        assert!(Levels::parse("x").is_err());
    }
}
