//! The minimum number of persons a released count may describe.
//!
//! Statistics Denmark and the Danish Health Data Authority let output leave
//! the secure environment only if no cell describes fewer than a threshold
//! number of persons; the project's default is 5. Thresholds below 3 are
//! refused for external output: a count of 1 or 2 is the textbook case of
//! identity disclosure (Hundepool et al., *Statistical Disclosure Control*,
//! Wiley 2012, ch. 5 on threshold rules for frequency tables). Internal work (e.g. checking a
//! pipeline on tiny test data) can opt out explicitly with
//! [`Audience::Internal`].

use serde::{Deserialize, Serialize};

use super::error::DisclosureError;

/// The project's default threshold.
pub const DEFAULT_THRESHOLD: u64 = 5;

/// The smallest threshold accepted for output leaving the secure environment.
pub const MIN_EXTERNAL_THRESHOLD: u64 = 3;

/// Who will see the output; decides which thresholds are acceptable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// Output leaves the secure environment: threshold at least 3.
    External,
    /// Output stays inside the secure environment: any threshold >= 1.
    Internal,
}

/// A validated threshold. The only ways to obtain one are [`Threshold::new`],
/// [`Default`] and deserialisation, which runs the same validation, so a
/// manifest cannot smuggle in a threshold of 2 for external output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "ThresholdSpec", into = "ThresholdSpec")]
pub struct Threshold {
    value: u64,
    audience: Audience,
}

/// Unvalidated serialised form of [`Threshold`].
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct ThresholdSpec {
    value: u64,
    audience: Audience,
}

impl Threshold {
    /// Validates `value` for `audience`: 0 is always refused, values below
    /// [`MIN_EXTERNAL_THRESHOLD`] only for [`Audience::Internal`].
    pub fn new(value: u64, audience: Audience) -> Result<Self, DisclosureError> {
        if value == 0 {
            return Err(DisclosureError::ZeroThreshold);
        }
        if value < MIN_EXTERNAL_THRESHOLD && audience == Audience::External {
            return Err(DisclosureError::ThresholdTooLow {
                value,
                minimum: MIN_EXTERNAL_THRESHOLD,
            });
        }
        Ok(Self { value, audience })
    }

    /// The minimum number of persons a released nonzero count may describe;
    /// also the minimum width of every suppressed cell's feasible interval.
    pub fn value(self) -> u64 {
        self.value
    }

    /// The audience this threshold was validated for.
    pub fn audience(self) -> Audience {
        self.audience
    }
}

impl Default for Threshold {
    fn default() -> Self {
        Self {
            value: DEFAULT_THRESHOLD,
            audience: Audience::External,
        }
    }
}

impl TryFrom<ThresholdSpec> for Threshold {
    type Error = DisclosureError;

    fn try_from(spec: ThresholdSpec) -> Result<Self, Self::Error> {
        Self::new(spec.value, spec.audience)
    }
}

impl From<Threshold> for ThresholdSpec {
    fn from(threshold: Threshold) -> Self {
        Self {
            value: threshold.value,
            audience: threshold.audience,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_low_external_thresholds_but_allows_them_internally() {
        assert_eq!(
            Threshold::new(2, Audience::External),
            Err(DisclosureError::ThresholdTooLow {
                value: 2,
                minimum: 3
            })
        );
        assert_eq!(
            Threshold::new(2, Audience::Internal).map(Threshold::value),
            Ok(2)
        );
        assert_eq!(
            Threshold::new(3, Audience::External).map(Threshold::value),
            Ok(3)
        );
        assert_eq!(
            Threshold::new(0, Audience::Internal),
            Err(DisclosureError::ZeroThreshold)
        );
        assert_eq!(Threshold::default().value(), 5);
    }

    #[test]
    fn deserialisation_validates() {
        let spec = ThresholdSpec {
            value: 1,
            audience: Audience::External,
        };
        assert!(Threshold::try_from(spec).is_err());
    }
}
