//! Calendar dates without a time zone, as ISO 8601 `YYYY-MM-DD`.
//!
//! The domain needs dates for adoption decisions and for the day a data batch was
//! imported; a small type of our own keeps the core free of clock reads and of a date
//! crate.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A proleptic Gregorian date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

/// Why a text is not a date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not a date in the form YYYY-MM-DD")]
pub struct DateError {
    pub input: String,
}

impl Date {
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date { year, month, day })
    }

    pub fn parse(s: &str) -> Result<Date, DateError> {
        let err = || DateError {
            input: s.to_string(),
        };
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(err());
        }
        let y: i32 = s[0..4].parse().map_err(|_| err())?;
        let m: u8 = s[5..7].parse().map_err(|_| err())?;
        let d: u8 = s[8..10].parse().map_err(|_| err())?;
        Date::new(y, m, d).ok_or_else(err)
    }

    pub fn year(self) -> i32 {
        self.year
    }
    pub fn month(self) -> u8 {
        self.month
    }
    pub fn day(self) -> u8 {
        self.day
    }

    /// The date `days` days after 1970-01-01 (negative before), by Howard Hinnant's
    /// civil-from-days algorithm.
    pub fn from_unix_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let y = yoe + era * 400;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let y = if m <= 2 { y + 1 } else { y };
        Date {
            year: y as i32,
            month: m,
            day: d,
        }
    }

    /// Days since 1970-01-01.
    pub fn to_unix_days(self) -> i64 {
        let y = if self.month <= 2 {
            self.year as i64 - 1
        } else {
            self.year as i64
        };
        let era = y.div_euclid(400);
        let yoe = y.rem_euclid(400);
        let m = self.month as i64;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + self.day as i64 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl std::str::FromStr for Date {
    type Err = DateError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Date::parse(s)
    }
}

impl Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Date::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects() {
        assert_eq!(Date::parse("2016-05-10").unwrap().to_string(), "2016-05-10");
        assert!(Date::parse("2016-02-30").is_err());
        assert!(Date::parse("2016-5-10").is_err());
        assert!(Date::parse("2024-02-29").is_ok());
        assert!(Date::parse("2023-02-29").is_err());
    }

    proptest::proptest! {
        #[test]
        fn unix_days_round_trip(days in -700_000i64..2_000_000) {
            let d = Date::from_unix_days(days);
            proptest::prop_assert_eq!(d.to_unix_days(), days);
            proptest::prop_assert_eq!(Date::parse(&d.to_string()).ok(), Some(d));
        }
    }
}

/// Seconds since 1970-01-01 UTC of a time written `YYYY-MM-DDTHH:MM:SSZ` (the form stored
/// everywhere), or `None` for anything else.
///
/// ```
/// use etablera_domain::date::parse_utc;
/// assert_eq!(parse_utc("1970-01-02T00:00:01Z"), Some(86_401));
/// assert_eq!(parse_utc("2026-13-01T00:00:00Z"), None);
/// assert_eq!(parse_utc("2026-01-01 00:00:00"), None);
/// ```
pub fn parse_utc(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 20 || b[10] != b'T' || b[13] != b':' || b[16] != b':' || b[19] != b'Z' {
        return None;
    }
    let date = Date::parse(s.get(..10)?).ok()?;
    let part = |r: std::ops::Range<usize>, max: i64| {
        s.get(r)?
            .parse::<i64>()
            .ok()
            .filter(|v| (0..max).contains(v))
    };
    let (h, m, sec) = (part(11..13, 24)?, part(14..16, 60)?, part(17..19, 61)?);
    Some(date.to_unix_days() * 86_400 + h * 3600 + m * 60 + sec)
}

/// Swedish time (Europe/Stockholm) of a UTC instant, as a Swede reads it:
/// `2026-12-01 03:40`. Central European Time, and summer time (UTC+2) from 01:00 UTC on
/// the last Sunday of March to 01:00 UTC on the last Sunday of October, the EU's rule since
/// 1996 (directive 2000/84/EC).
///
/// ```
/// use etablera_domain::date::{parse_utc, swedish_time};
/// assert_eq!(swedish_time(parse_utc("2026-12-01T02:40:00Z").unwrap()), "2026-12-01 03:40");
/// assert_eq!(swedish_time(parse_utc("2026-07-01T22:30:00Z").unwrap()), "2026-07-02 00:30");
/// ```
pub fn swedish_time(utc_secs: i64) -> String {
    let offset = if summer_time(utc_secs) { 7200 } else { 3600 };
    let local = utc_secs + offset;
    let date = Date::from_unix_days(local.div_euclid(86_400));
    let s = local.rem_euclid(86_400);
    format!("{date} {:02}:{:02}", s / 3600, s % 3600 / 60)
}

/// [`swedish_time`] of a stored UTC time; any other text is returned as it is.
pub fn swedish_time_of(stored: &str) -> String {
    parse_utc(stored).map_or_else(|| stored.to_string(), swedish_time)
}

/// Whether Swedish summer time is in force at the UTC instant.
fn summer_time(utc_secs: i64) -> bool {
    let year = Date::from_unix_days(utc_secs.div_euclid(86_400)).year();
    let last_sunday = |month: u8| {
        let last = Date::new(year, month, 31).expect("March and October have 31 days");
        let days = last.to_unix_days();
        // 1970-01-01 was a Thursday: (days + 4) mod 7 is 0 on Sundays.
        days - (days + 4).rem_euclid(7)
    };
    let start = last_sunday(3) * 86_400 + 3600;
    let end = last_sunday(10) * 86_400 + 3600;
    (start..end).contains(&utc_secs)
}

#[cfg(test)]
mod time_tests {
    use super::*;

    #[test]
    fn summer_time_begins_and_ends_at_one_utc_on_the_last_sundays() {
        let t = |s: &str| swedish_time(parse_utc(s).unwrap());
        // 2026: summer time from 29 March to 25 October.
        assert_eq!(t("2026-03-29T00:59:59Z"), "2026-03-29 01:59");
        assert_eq!(t("2026-03-29T01:00:00Z"), "2026-03-29 03:00");
        assert_eq!(t("2026-10-25T00:59:59Z"), "2026-10-25 02:59");
        assert_eq!(t("2026-10-25T01:00:00Z"), "2026-10-25 02:00");
        // 2024: 31 March and 27 October (a leap year; the last day of March a Sunday).
        assert_eq!(t("2024-03-31T01:00:00Z"), "2024-03-31 03:00");
        assert_eq!(t("2024-10-27T00:30:00Z"), "2024-10-27 02:30");
        assert_eq!(t("2024-10-27T01:30:00Z"), "2024-10-27 02:30");
        // New Year's Eve in UTC is already New Year in Sweden.
        assert_eq!(t("2025-12-31T23:30:00Z"), "2026-01-01 00:30");
        assert_eq!(swedish_time_of("inte en tid"), "inte en tid");
    }
}
