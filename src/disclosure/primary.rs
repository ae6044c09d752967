//! Primary suppression: which counts are too small to release.
//!
//! # The rule
//!
//! With threshold `t` (default 5, see [`super::threshold`]), a count `n` of
//! persons is *sensitive* when `0 < n < t`: it describes between one and
//! `t - 1` persons (the threshold rule for frequency tables, Hundepool et al. 2012, ch. 5).
//!
//! **Zeros.** Under the default [`ZeroRule::Release`] a count of exactly 0 is
//! released: it describes no person. This is the common practice the project
//! follows. [`ZeroRule::Suppress`] treats zeros as sensitive too, for outputs
//! where "nobody" or "everybody" in a group is itself a disclosure (group
//! attribute disclosure, Hundepool et al. 2012, ch. 5).
//!
//! **Rates.** For a rate shown as numerator `n` over denominator `d`, three
//! counts are checked: `n`, `d`, and the complement `c = d - n` (the persons
//! *without* the event, derivable whenever both are shown):
//! - `n` sensitive: the numerator is suppressed ([`CountKind::Numerator`]);
//! - `d` sensitive: the denominator is suppressed ([`CountKind::Denominator`]);
//! - `c` sensitive: the complement (an unpublished cell) must be protected;
//!   if the denominator is not already suppressed the numerator is suppressed
//!   with [`CountKind::Complement`] as its reason. If the denominator is
//!   suppressed, hiding it already hides the complement, and the audit checks
//!   that the complement's own feasible interval is wide enough.
//!
//! Hence `n == d` with `d < t` suppresses both (each is sensitive), while
//! `n == d >= t` gives a zero complement, released under `ZeroRule::Release`.

use serde::{Deserialize, Serialize};

use super::error::DisclosureError;
use super::pattern::{CountKind, Pattern, PrimaryReason};
use super::table::TableSet;
use super::threshold::Threshold;

/// How exact zeros are treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ZeroRule {
    /// A count of 0 describes no person and is released (default).
    #[default]
    Release,
    /// A count of 0 is sensitive like `0 < n < t`.
    Suppress,
}

/// The threshold rule with its zero policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PrimaryRule {
    /// Smallest releasable nonzero count.
    pub threshold: Threshold,
    /// Whether exact zeros are released.
    pub zeros: ZeroRule,
}

impl PrimaryRule {
    /// The rule with the given threshold and zeros released.
    pub fn new(threshold: Threshold) -> Self {
        Self {
            threshold,
            zeros: ZeroRule::Release,
        }
    }

    /// Why `value`, a count of kind `kind`, may not be released; `None` if it may.
    pub fn reason(&self, kind: CountKind, value: u64) -> Option<PrimaryReason> {
        let threshold = self.threshold.value();
        if value == 0 {
            return (self.zeros == ZeroRule::Suppress)
                .then_some(PrimaryReason::Zero { count: kind });
        }
        (value < threshold).then_some(PrimaryReason::BelowThreshold {
            count: kind,
            threshold,
        })
    }

    /// Whether a count may be released under this rule.
    pub fn permits(&self, value: u64) -> bool {
        self.reason(CountKind::Count, value).is_none()
    }

    /// The primary pattern of a frequency table: every cell (published or
    /// not) whose count is sensitive is marked with [`CountKind::Count`].
    pub fn mark_counts(&self, set: &TableSet) -> Result<Pattern, DisclosureError> {
        let mut pattern = Pattern::new(set);
        for id in set.ids() {
            if let Some(reason) = self.reason(CountKind::Count, set.cell(id)?.value()) {
                pattern.mark_primary(id, reason)?;
            }
        }
        Ok(pattern)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::disclosure::threshold::Audience;

    #[test]
    fn threshold_rule_and_zero_policy() -> Result<(), DisclosureError> {
        let rule = PrimaryRule::new(Threshold::new(5, Audience::External)?);
        assert!(rule.permits(0));
        assert!(!rule.permits(1));
        assert!(!rule.permits(4));
        assert!(rule.permits(5));
        let strict = PrimaryRule {
            zeros: ZeroRule::Suppress,
            ..rule
        };
        assert_eq!(
            strict.reason(CountKind::Numerator, 0),
            Some(PrimaryReason::Zero {
                count: CountKind::Numerator
            })
        );
        assert_eq!(
            rule.reason(CountKind::Denominator, 3),
            Some(PrimaryReason::BelowThreshold {
                count: CountKind::Denominator,
                threshold: 5
            })
        );
        Ok(())
    }
}
