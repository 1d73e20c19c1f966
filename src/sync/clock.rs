//! Times as each side tells them, and how two of them compare.
//!
//! A local file's time is UTC to the second (or better); an MLSD `modify=`
//! is UTC to the second; a `LIST` time is the server's local time to the
//! minute, or only to the day for older files. Two times are compared at
//! the coarser of their two precisions, so a file uploaded at 09:15:42 and
//! listed as `09:15` is not "newer" on either side.
//!
//! Pure: no clock is read here, and nothing here does I/O.

use std::cmp::Ordering;

use chrono::{NaiveDateTime, Timelike};

use crate::protocol::listing::TimePrecision;

/// A modification time (UTC) and how much of it the side told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Stamp {
    /// The time, UTC; the fields below `precision` are zero.
    #[serde(with = "time_text")]
    pub at: NaiveDateTime,
    /// How much of `at` the side gave.
    #[serde(with = "precision_name")]
    pub precision: TimePrecision,
}

impl Stamp {
    /// A time to the second (a local file, an MLSD fact).
    pub fn seconds(at: NaiveDateTime) -> Self {
        Stamp {
            at: truncate(at, TimePrecision::Second),
            precision: TimePrecision::Second,
        }
    }

    /// `self` against `other`, at the coarser of the two precisions:
    /// `Equal` when they may be the same moment.
    pub fn compare(&self, other: &Stamp) -> Ordering {
        let precision = coarser(self.precision, other.precision);
        truncate(self.at, precision).cmp(&truncate(other.at, precision))
    }
}

/// The coarser of two precisions.
fn coarser(a: TimePrecision, b: TimePrecision) -> TimePrecision {
    let rank = |p: TimePrecision| match p {
        TimePrecision::Day => 0,
        TimePrecision::Minute => 1,
        TimePrecision::Second => 2,
    };
    if rank(a) <= rank(b) { a } else { b }
}

/// `at` with the fields below `precision` set to zero.
fn truncate(at: NaiveDateTime, precision: TimePrecision) -> NaiveDateTime {
    let cut = match precision {
        TimePrecision::Second => at.with_nanosecond(0),
        TimePrecision::Minute => at.with_nanosecond(0).and_then(|t| t.with_second(0)),
        TimePrecision::Day => Some(at.date().and_time(chrono::NaiveTime::MIN)),
    };
    cut.unwrap_or(at)
}

/// The largest offset a server's clock can honestly be from UTC (UTC+14 is
/// Kiribati's; UTC-12 the farthest west).
const MAX_OFFSET_MINUTES: i64 = 14 * 60;

/// The offset of a server's `LIST` times from UTC, found from one file:
/// `listed` is its `LIST` time (to the minute, as printed), `mdtm` its MDTM
/// answer (UTC, to the second). The answer, in minutes to add to a `LIST`
/// time to make it UTC, is rounded to a quarter hour (every time zone is a
/// whole number of quarter hours from UTC); `None` when the two cannot be
/// the same moment in any time zone, or the listed time has only a date.
pub fn list_offset(listed: Stamp, mdtm: NaiveDateTime) -> Option<i32> {
    if listed.precision == TimePrecision::Day {
        return None;
    }
    // LIST drops the seconds, so the true difference is up to a minute less.
    let seconds = (mdtm - listed.at).num_seconds() - 30;
    let quarters = (seconds as f64 / 900.0).round() as i64;
    let minutes = quarters * 15;
    let off_by = (minutes * 60 - seconds - 30).abs();
    if minutes.abs() > MAX_OFFSET_MINUTES || off_by > 60 {
        return None;
    }
    i32::try_from(minutes).ok()
}

/// A time in the state file, as `2026-12-06T09:15:42` (UTC).
mod time_text {
    use chrono::NaiveDateTime;

    const FORMAT: &str = "%Y-%m-%dT%H:%M:%S";

    pub fn serialize<S: serde::Serializer>(at: &NaiveDateTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&at.format(FORMAT).to_string())
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<NaiveDateTime, D::Error> {
        let text: String = serde::Deserialize::deserialize(d)?;
        NaiveDateTime::parse_from_str(&text, FORMAT).map_err(serde::de::Error::custom)
    }
}

/// `TimePrecision` in the state file, by name.
mod precision_name {
    use crate::protocol::listing::TimePrecision;

    pub fn serialize<S: serde::Serializer>(p: &TimePrecision, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(match p {
            TimePrecision::Day => "day",
            TimePrecision::Minute => "minute",
            TimePrecision::Second => "second",
        })
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<TimePrecision, D::Error> {
        let name: String = serde::Deserialize::deserialize(d)?;
        match name.as_str() {
            "day" => Ok(TimePrecision::Day),
            "minute" => Ok(TimePrecision::Minute),
            "second" => Ok(TimePrecision::Second),
            other => Err(serde::de::Error::custom(format!(
                "unknown precision: {other}"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").expect("time")
    }

    fn stamp(text: &str, precision: TimePrecision) -> Stamp {
        Stamp {
            at: truncate(at(text), precision),
            precision,
        }
    }

    #[test]
    fn times_compare_at_the_coarser_precision() {
        use TimePrecision::*;
        let cases = [
            // (a, its precision, b, its precision, a against b)
            (
                "2026-12-06 09:15:42",
                Second,
                "2026-12-06 09:15:00",
                Minute,
                Ordering::Equal,
            ),
            (
                "2026-12-06 09:16:01",
                Second,
                "2026-12-06 09:15:00",
                Minute,
                Ordering::Greater,
            ),
            (
                "2026-12-06 09:14:59",
                Second,
                "2026-12-06 09:15:00",
                Minute,
                Ordering::Less,
            ),
            (
                "2026-12-06 09:15:42",
                Second,
                "2026-12-06 09:15:41",
                Second,
                Ordering::Greater,
            ),
            (
                "2026-12-06 23:59:59",
                Second,
                "2026-12-06 00:00:00",
                Day,
                Ordering::Equal,
            ),
            (
                "2026-12-07 00:00:01",
                Second,
                "2026-12-06 00:00:00",
                Day,
                Ordering::Greater,
            ),
            (
                "2026-12-06 09:15:00",
                Minute,
                "2026-12-06 09:15:00",
                Minute,
                Ordering::Equal,
            ),
        ];
        for (a, pa, b, pb, want) in cases {
            let (a, b) = (stamp(a, pa), stamp(b, pb));
            assert_eq!(a.compare(&b), want, "{a:?} vs {b:?}");
            assert_eq!(b.compare(&a), want.reverse(), "{b:?} vs {a:?}");
        }
    }

    #[test]
    fn the_list_offset_is_found_from_one_mdtm() {
        use TimePrecision::*;
        let cases = [
            // (LIST time, MDTM, offset in minutes to add to LIST)
            ("2026-12-06 17:15:00", "2026-12-06 09:15:42", Some(-480)),
            ("2026-12-06 09:15:00", "2026-12-06 09:15:59", Some(0)),
            ("2026-12-06 09:15:00", "2026-12-06 09:15:00", Some(0)),
            ("2026-12-06 04:00:00", "2026-12-06 09:30:10", Some(330)),
            ("2026-12-06 09:15:00", "2026-12-06 09:22:10", None),
            ("2026-12-01 09:15:00", "2026-12-06 09:15:00", None),
        ];
        for (listed, mdtm, want) in cases {
            let listed = stamp(listed, Minute);
            assert_eq!(list_offset(listed, at(mdtm)), want, "{listed:?} {mdtm}");
        }
        let day = stamp("2026-12-06 00:00:00", Day);
        assert_eq!(list_offset(day, at("2026-12-06 09:15:00")), None);
    }
}
