//! Times of day and priorities of synthetic contacts, as LPR3 reports them (`TIDSPUNKT_START`,
//! `TIDSPUNKT_SLUT`, `PRIORITET`).
//!
//! They are drawn from a hash of the contact's key rather than from a person's random stream,
//! so adding them left every other value of a seed's registers as it was. Planned visits fall
//! in opening hours; acute arrivals at any hour; a contact of several days ends in the daytime.
//! A stay of 12 hours or more counts as an admission (`cohort::stays`): most contacts spanning
//! a night are one, a late arrival discharged the next morning may not be, as in the register.

/// How a contact began.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrival {
    /// `ATA1`: at any hour.
    Acute,
    /// `ATA3`: in opening hours.
    Planned,
}

impl Arrival {
    /// The register's code.
    pub fn code(self) -> &'static str {
        match self {
            Arrival::Acute => "ATA1",
            Arrival::Planned => "ATA3",
        }
    }
}

/// A well-mixed 64-bit value of `key` and `salt` (SplitMix64's finaliser, Steele et al. 2014).
fn mix(key: i64, salt: u64) -> u64 {
    let mut z = (key as u64) ^ salt.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A whole number from `lo` to `hi` (both included) fixed by `key` and `salt`.
pub fn between(key: i64, salt: u64, lo: i32, hi: i32) -> i32 {
    lo + (mix(key, salt) % (hi - lo + 1) as u64) as i32
}

/// Whether an event of probability `p` happens for `key` and `salt`.
pub fn chance(key: i64, salt: u64, p: f64) -> bool {
    (mix(key, salt) >> 11) as f64 / (1u64 << 53) as f64 <= p
}

const MINUTE: i32 = 60;

/// The start and end (seconds since midnight) of contact `key` that begins as `arrival` and
/// lasts `days` days (0: it ends on its start day).
pub fn times(key: i64, arrival: Arrival, days: i32) -> (i32, i32) {
    match (arrival, days) {
        (Arrival::Planned, 0) => {
            let start = between(key, 1, 8 * 60, 15 * 60) * MINUTE;
            (start, start + between(key, 2, 15, 120) * MINUTE)
        }
        (Arrival::Acute, 0) => {
            let start = between(key, 1, 6 * 60, 18 * 60) * MINUTE;
            (start, start + between(key, 2, 60, 6 * 60 - 1) * MINUTE)
        }
        (Arrival::Planned, _) => (
            between(key, 1, 7 * 60, 11 * 60) * MINUTE,
            between(key, 2, 9 * 60, 16 * 60) * MINUTE,
        ),
        (Arrival::Acute, _) => (
            between(key, 1, 0, 24 * 60 - 1) * MINUTE,
            between(key, 2, 9 * 60, 17 * 60) * MINUTE,
        ),
    }
}

/// How a background contact (one of no patient group) began: a quarter are acute.
pub fn background_arrival(key: i64) -> Arrival {
    if chance(key, 8, 0.25) {
        Arrival::Acute
    } else {
        Arrival::Planned
    }
}

/// A time in the working day (a planned procedure's), fixed by `key`.
pub fn working_hours(key: i64) -> i32 {
    between(key, 3, 8 * 60, 15 * 60) * MINUTE
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i32 = 3_600;

    #[test]
    fn times_fall_in_their_hours_and_a_day_contact_ends_the_same_day() {
        for key in 0..10_000 {
            let (start, end) = times(key, Arrival::Planned, 0);
            assert!((8 * HOUR..=15 * HOUR).contains(&start) && end > start && end < 24 * HOUR);
            let (start, end) = times(key, Arrival::Acute, 0);
            assert!((6 * HOUR..=18 * HOUR).contains(&start) && end > start && end < 24 * HOUR);
            let (start, end) = times(key, Arrival::Acute, 3);
            assert!((0..24 * HOUR).contains(&start) && (9 * HOUR..=17 * HOUR).contains(&end));
        }
        let acute = (0..10_000).filter(|&k| chance(k, 9, 0.25)).count();
        assert!((2_300..2_700).contains(&acute), "{acute} of 10,000 at 0.25");
    }
}
