//! Calendar dates as days since 1970-01-01, the physical representation of Polars' `Date`.
//!
//! The conversions are Howard Hinnant's `days_from_civil` / `civil_from_days` algorithms
//! (<https://howardhinnant.github.io/date_algorithms.html>), exact for the proleptic Gregorian
//! calendar, so the synthetic registers and the pipeline agree on every date without a date crate.

/// Days since 1970-01-01 of a calendar date.
pub fn days_from_civil(year: i32, month: u32, day: u32) -> i32 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = month as i32;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i32 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

/// The calendar date (year, month, day) of days since 1970-01-01.
pub fn civil_from_days(days: i32) -> (i32, u32, u32) {
    let z = days + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Days since 1970-01-01 of 1 January of `year`.
pub fn jan1(year: i32) -> i32 {
    days_from_civil(year, 1, 1)
}

/// The calendar year of a day number.
pub fn year_of(days: i32) -> i32 {
    civil_from_days(days).0
}

/// Completed years of age on `on` for a person born on `born` (both day numbers).
pub fn age_on(born: i32, on: i32) -> i32 {
    let (by, bm, bd) = civil_from_days(born);
    let (y, m, d) = civil_from_days(on);
    let had_birthday = (m, d) >= (bm, bd);
    y - by - if had_birthday { 0 } else { 1 }
}

/// The year from which a person born on `born` counts completed years on 1 January: the age on
/// 1 January of `year` is `year - jan1_age_base(born)`. `synth` computes it once per person for
/// the yearly hazards (millions of persons times decades) instead of two civil-date conversions
/// per year in [`age_on`], with the same result.
pub fn jan1_age_base(born: i32) -> i32 {
    let (by, bm, bd) = civil_from_days(born);
    by + i32::from((bm, bd) != (1, 1))
}

/// Parses `YYYY-MM-DD` into a day number, checking that the date exists.
pub fn parse_iso(text: &str) -> Option<i32> {
    let mut parts = text.trim().splitn(3, '-');
    let year: i32 = parts.next()?.parse().ok()?;
    let month: u32 = parts.next()?.parse().ok()?;
    let day: u32 = parts.next()?.parse().ok()?;
    if !(1..=12).contains(&month) || day == 0 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    (civil_from_days(days) == (year, month, day)).then_some(days)
}

/// Formats a day number as `YYYY-MM-DD`.
pub fn format_iso(days: i32) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Today's date (UTC) as a day number.
pub fn today() -> i32 {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    (seconds / 86_400) as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_on_1_january_from_the_base_is_the_completed_years() {
        for born in (jan1(1900)..jan1(1904)).chain([jan1(2000) - 1, jan1(2000)]) {
            for year in 1904..1910 {
                assert_eq!(
                    year - jan1_age_base(born),
                    age_on(born, jan1(year)),
                    "{born} {year}"
                );
            }
        }
    }

    #[test]
    fn known_day_numbers() {
        // Unix epoch and two dates checked against `date -d ... +%s` / 86400.
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11017);
        assert_eq!(days_from_civil(2024, 2, 29), 19782);
        assert_eq!(civil_from_days(19782), (2024, 2, 29));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
    }

    #[test]
    fn ages_count_completed_years() {
        let born = days_from_civil(2000, 6, 15);
        assert_eq!(age_on(born, days_from_civil(2024, 6, 14)), 23);
        assert_eq!(age_on(born, days_from_civil(2024, 6, 15)), 24);
    }

    #[test]
    fn parse_rejects_impossible_dates() {
        assert_eq!(parse_iso("2023-02-29"), None);
        assert_eq!(parse_iso("2024-13-01"), None);
        assert_eq!(parse_iso("2024-02-29"), Some(19782));
    }
}
