//! UTC epochs: the ISO 8601 calendar form OMMs and OEMs carry, read and
//! written without a date library (no leap seconds, as SGP4 and the
//! element sets themselves ignore them).

use alloc::string::String;
use core::fmt::Write as _;

/// Nanoseconds in a day.
const NANOS_PER_DAY: i64 = 86_400_000_000_000;

/// The years an epoch may name: every element set since Sputnik, and a
/// margin that keeps nanosecond arithmetic far from `i64`'s limits.
const YEARS: core::ops::RangeInclusive<i64> = 1957..=2200;

/// A UTC instant, in nanoseconds since 1970-01-01T00:00:00.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Epoch {
    unix_nanos: i64,
}

impl Epoch {
    /// Reads `YYYY-MM-DDTHH:MM:SS`, optionally followed by `.` and one to
    /// nine fraction digits, and optionally by `Z`. `None` for anything else,
    /// including an impossible date or time (`2023-02-29`, `24:00:00`).
    pub fn parse(text: &str) -> Option<Epoch> {
        let b = text.as_bytes();
        if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' {
            return None;
        }
        if b[13] != b':' || b[16] != b':' {
            return None;
        }
        let year = digits(&b[0..4])?;
        let month = digits(&b[5..7])?;
        let day = digits(&b[8..10])?;
        let hour = digits(&b[11..13])?;
        let minute = digits(&b[14..16])?;
        let second = digits(&b[17..19])?;
        if !YEARS.contains(&year) || !(1..=12).contains(&month) {
            return None;
        }
        if day < 1 || day > days_in_month(year, month) || hour > 23 || minute > 59 || second > 59 {
            return None;
        }
        let mut rest = &b[19..];
        let mut fraction_nanos = 0i64;
        if let [b'.', tail @ ..] = rest {
            let count = tail.iter().take_while(|c| c.is_ascii_digit()).count();
            if count == 0 || count > 9 {
                return None;
            }
            fraction_nanos = digits(&tail[..count])? * 10i64.pow(9 - count as u32);
            rest = &tail[count..];
        }
        if !(rest.is_empty() || rest == b"Z") {
            return None;
        }
        let days = days_from_civil(year, month, day);
        let seconds = hour * 3600 + minute * 60 + second;
        Some(Epoch {
            unix_nanos: days * NANOS_PER_DAY + seconds * 1_000_000_000 + fraction_nanos,
        })
    }

    /// This epoch moved by `nanos` nanoseconds (saturating; the window's
    /// bounds keep real offsets to days).
    pub fn plus_nanos(self, nanos: i64) -> Epoch {
        Epoch {
            unix_nanos: self.unix_nanos.saturating_add(nanos),
        }
    }

    /// Years since J2000 (2000-01-01T12:00 UTC) in the AFSPC reckoning
    /// (Julian date minus 2451545, over 365.25), the epoch SGP4's WGS-72
    /// AFSPC mode takes.
    pub fn afspc_years_since_j2000(self) -> f64 {
        let days = self.unix_nanos.div_euclid(NANOS_PER_DAY);
        let day_nanos = self.unix_nanos.rem_euclid(NANOS_PER_DAY);
        // 2440587.5 is the Julian date of 1970-01-01T00:00.
        let julian_days_since_j2000 =
            (days as f64 + (2_440_587.5 - 2_451_545.0)) + day_nanos as f64 / NANOS_PER_DAY as f64;
        julian_days_since_j2000 / 365.25
    }

    /// `YYYY-MM-DDTHH:MM:SS.ffffff`: UTC to the microsecond (rounded half
    /// up), the form every epoch of an emitted OEM takes.
    pub fn to_iso(self) -> String {
        let micros =
            self.unix_nanos.div_euclid(1000) + i64::from(self.unix_nanos.rem_euclid(1000) >= 500);
        let days = micros.div_euclid(86_400_000_000);
        let day_micros = micros.rem_euclid(86_400_000_000);
        let (year, month, day) = civil_from_days(days);
        let seconds = day_micros / 1_000_000;
        let mut out = String::with_capacity(26);
        // Writing to a String cannot fail.
        let _ = write!(
            out,
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:06}",
            seconds / 3600,
            seconds / 60 % 60,
            seconds % 60,
            day_micros % 1_000_000
        );
        out
    }
}

/// The value of a run of ASCII digits; `None` if any byte is not one.
fn digits(bytes: &[u8]) -> Option<i64> {
    bytes.iter().try_fold(0i64, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
    })
}

/// Days in `month` of `year` (proleptic Gregorian).
fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
/// `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The proleptic Gregorian date `days` after 1970-01-01 (the inverse of
/// [`days_from_civil`]).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats_round_trip() {
        let e = Epoch::parse("2024-01-01T00:00:00").unwrap();
        assert_eq!(e.unix_nanos, 1_704_067_200 * 1_000_000_000);
        assert_eq!(e.to_iso(), "2024-01-01T00:00:00.000000");
        let e = Epoch::parse("2000-02-29T23:59:59.1234567Z").unwrap();
        assert_eq!(e.to_iso(), "2000-02-29T23:59:59.123457");
        assert_eq!(
            e.plus_nanos(877_000_000).to_iso(),
            "2000-03-01T00:00:00.000457"
        );
    }

    #[test]
    fn rejects_impossible_or_malformed_epochs() {
        for bad in [
            "",
            "2024-01-01",
            "2023-02-29T00:00:00",
            "2024-13-01T00:00:00",
            "2024-01-01T24:00:00",
            "2024-01-01T00:60:00",
            "2024-01-01 00:00:00",
            "2024-01-01T00:00:00.",
            "2024-01-01T00:00:00.1234567890",
            "2024-01-01T00:00:00+01:00",
            "1900-01-01T00:00:00",
            "+024-01-01T00:00:00",
        ] {
            assert_eq!(Epoch::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn j2000_is_year_zero() {
        let e = Epoch::parse("2000-01-01T12:00:00").unwrap();
        assert_eq!(e.afspc_years_since_j2000(), 0.0);
        let e = Epoch::parse("2000-12-31T18:00:00").unwrap();
        assert!((e.afspc_years_since_j2000() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn civil_days_agree_both_ways() {
        for days in (-5000..80_000).step_by(37) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}
