//! A clinical quality indicator by unit (e.g. hospital): funnel-plot control limits at each
//! unit's own number of patients around the national share (PHEindicatormethods'
//! `calculate_funnel_limits` for proportions: normal approximation with 95% and 99.8% limits;
//! Spiegelhalter 2005), each unit's significance, and whether it meets the standard.
//!
//! Suppressed units get no limits, significance or flag: a limit at a unit's denominator would
//! reveal the denominator.

use super::context::{DimensionContext, GatedLevel};
use crate::error::{Error, Result};
use crate::measures::funnel::{Significance, proportion_limits_at};
use crate::spec::Measure;
use crate::tidy::UNKNOWN;
use crate::tidy::{Row, TOTAL};

/// The funnel and standard rows of the units of one dimension.
pub fn quality_rows(
    ctx: &DimensionContext<'_>,
    gated: &[GatedLevel],
    standard_percent: f64,
) -> Result<Vec<Row>> {
    let Some(total) = gated.iter().find(|g| g.level == TOTAL) else {
        return Ok(Vec::new());
    };
    // The limits are centred on the national share: without it released, no limits.
    if total.counts.persons() == 0 || !total.released {
        return Ok(Vec::new());
    }
    let average = total.counts.events() as f64 / total.counts.persons() as f64;
    let mut rows = Vec::new();
    for unit in gated
        .iter()
        .filter(|g| g.level != TOTAL && g.level != UNKNOWN)
    {
        let n = unit.counts.persons() as f64;
        let mut r95 = ctx.row(Measure::Funnel95, &unit.level, "phe-funnel-proportion");
        let mut r998 = ctx.row(Measure::Funnel998, &unit.level, "phe-funnel-proportion");
        let mut met = ctx.row(Measure::StandardMet, &unit.level, "quality-standard");
        if !unit.released || n == 0.0 {
            for r in [&mut r95, &mut r998, &mut met] {
                r.suppressed = !unit.released;
                r.note = if unit.released {
                    "ingen patienter"
                } else {
                    "undertrykt"
                }
                .into();
            }
            rows.extend([r95, r998, met]);
            continue;
        }
        let value = 100.0 * unit.counts.events() as f64 / n;
        let limits = proportion_limits_at(average, n, 100.0)
            .map_err(|e| Error::Internal(format!("funnel limits for {}: {e}", unit.level)))?;
        let significance = if value > limits.upper_3s.value {
            Significance::High001
        } else if value > limits.upper_2s.value {
            Significance::High025
        } else if value < limits.lower_3s.value {
            Significance::Low001
        } else if value < limits.lower_2s.value {
            Significance::Low025
        } else {
            Significance::NotSignificant
        };
        for (row, lower, upper) in [
            (&mut r95, limits.lower_2s.value, limits.upper_2s.value),
            (&mut r998, limits.lower_3s.value, limits.upper_3s.value),
        ] {
            row.value = Some(value);
            row.lower = Some(lower);
            row.upper = Some(upper);
            row.note = format!("{}; baseline {:.1}%", significance.label(), average * 100.0);
        }
        let meets = value >= standard_percent;
        met.value = Some(if meets { 1.0 } else { 0.0 });
        met.note = format!(
            "standard {standard_percent}%: {}",
            if meets { "opfyldt" } else { "ikke opfyldt" }
        );
        rows.extend([r95, r998, met]);
    }
    Ok(rows)
}
