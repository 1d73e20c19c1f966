//! Property tests: MLSD, Unix and DOS lines built from random valid fields parse back to those
//! fields, and streaming a listing in random chunks finds what parsing it line by line finds.
//!
//! Test-only. The generators stay inside what each format can express (a DOS name cannot start
//! with a blank, a symlink's name cannot hold ` -> `, an owner cannot look like a month); the
//! hand-written tables beside each parser cover the ambiguous corners.

use chrono::{Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use proptest::prelude::*;
use proptest::sample::select;

use super::testkit::describe;
use super::{
    EntryKind, ListContext, ListEntry, ListFormat, ListTime, ListingParser, TimePrecision,
    parse_list_line, parse_mlsd_line, render_mode,
};

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Bytes a name may hold: anything but the line ending and NUL, with the troublesome ones
/// (blanks, `;`, `=`, `-`, `>`, bytes of other charsets) made likely.
fn name_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        4 => b'a'..=b'z',
        2 => select(b" \t;=-.>,:[]()*/".to_vec()),
        1 => b'0'..=b'9',
        1 => 0x80u8..=0xff,
        1 => (0x01u8..=0x7f).prop_filter("line ending", |b| !matches!(b, b'\r' | b'\n')),
    ]
}

fn name() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(name_byte(), 1..40)
        .prop_filter("dot names are dropped", |n| n != b"." && n != b"..")
}

/// A string of `len` characters from `set`; regex strategies would be recompiled for every
/// value, which makes the suite slow.
fn chars_from(set: &'static [u8], len: std::ops::Range<usize>) -> impl Strategy<Value = String> {
    proptest::collection::vec(select(set), len)
        .prop_map(|bytes| bytes.into_iter().map(char::from).collect())
}

/// A user or group: a name that cannot be read as a month, or a number.
fn account() -> impl Strategy<Value = String> {
    let word = (
        chars_from(b"abcdefghijklmnopqrstuvwxyz", 1..2),
        chars_from(b"abcdefghijklmnopqrstuvwxyz0123456789_.-", 0..12),
    )
        .prop_map(|(first, rest)| first + &rest)
        .prop_filter("month names shift the date column", |s| {
            !MONTHS.iter().any(|m| m.eq_ignore_ascii_case(s))
        });
    prop_oneof![word, (0u32..100_000).prop_map(|n| n.to_string())]
}

fn date() -> impl Strategy<Value = NaiveDate> {
    (1970i32..=2100, 1u32..=12, 1u32..=31)
        .prop_filter_map("no such day", |(y, m, d)| NaiveDate::from_ymd_opt(y, m, d))
}

fn clock() -> impl Strategy<Value = NaiveTime> {
    (0u32..24, 0u32..60, 0u32..60)
        .prop_filter_map("no such time", |(h, m, s)| NaiveTime::from_hms_opt(h, m, s))
}

fn spaces() -> impl Strategy<Value = String> {
    (1usize..=4).prop_map(|n| " ".repeat(n))
}

fn at(date: NaiveDate, time: NaiveTime, precision: TimePrecision) -> Option<ListTime> {
    Some(ListTime {
        at: NaiveDateTime::new(date, time),
        precision,
    })
}

/// The date column of `ls -l` and the time it stands for.
#[derive(Debug, Clone)]
enum UnixDate {
    /// `Mon DD  YYYY`.
    Year(NaiveDate),
    /// `Mon DD HH:MM`, today or within the 300 days before.
    Recent { days_back: u64, time: NaiveTime },
    /// `YYYY-MM-DD HH:MM[:SS]`.
    Iso(NaiveDate, NaiveTime, bool),
}

fn unix_date() -> impl Strategy<Value = UnixDate> {
    prop_oneof![
        date().prop_map(UnixDate::Year),
        (1u64..=301, clock()).prop_map(|(days_back, time)| UnixDate::Recent { days_back, time }),
        (date(), clock(), any::<bool>()).prop_map(|(d, t, s)| UnixDate::Iso(d, t, s)),
    ]
}

impl UnixDate {
    fn render(&self, today: NaiveDate, pad: &str) -> (String, Option<ListTime>) {
        match *self {
            Self::Year(date) => (
                format!("{} {:>2}{pad}{}", month(date), date.day(), date.year()),
                at(date, NaiveTime::MIN, TimePrecision::Day),
            ),
            Self::Recent { days_back, time } => {
                let date = (today + Days::new(1)) - Days::new(days_back);
                let time = time.with_second(0).unwrap_or(time);
                let text = format!(
                    "{} {:>2} {:02}:{:02}",
                    month(date),
                    date.day(),
                    time.hour(),
                    time.minute()
                );
                (text, at(date, time, TimePrecision::Minute))
            }
            Self::Iso(date, time, seconds) => {
                let (text, time, precision) = if seconds {
                    let text = time.format("%H:%M:%S").to_string();
                    (text, time, TimePrecision::Second)
                } else {
                    let time = time.with_second(0).unwrap_or(time);
                    (
                        time.format("%H:%M").to_string(),
                        time,
                        TimePrecision::Minute,
                    )
                };
                (
                    format!("{} {text}", date.format("%Y-%m-%d")),
                    at(date, time, precision),
                )
            }
        }
    }
}

fn month(date: NaiveDate) -> &'static str {
    MONTHS.get(date.month0() as usize).copied().unwrap_or("Jan")
}

#[derive(Debug, Clone)]
struct UnixLine {
    today: NaiveDate,
    type_letter: u8,
    permissions: String,
    links: u32,
    owner: String,
    group: Option<String>,
    size: u64,
    date: UnixDate,
    name: Vec<u8>,
    target: Vec<u8>,
    pads: Vec<String>,
}

fn unix_line() -> impl Strategy<Value = UnixLine> {
    (
        (
            date(),
            select(b"-dlps".to_vec()),
            chars_from(b"rwxsStT-", 9..10),
            1u32..5000,
        ),
        (
            account(),
            proptest::option::of(account()),
            prop_oneof![any::<u64>(), 0u64..100_000],
        ),
        (unix_date(), name(), name()),
        proptest::collection::vec(spaces(), 6),
    )
        .prop_map(
            |(
                (today, type_letter, permissions, links),
                (owner, group, size),
                (date, name, target),
                pads,
            )| {
                UnixLine {
                    today,
                    type_letter,
                    permissions,
                    links,
                    owner,
                    group,
                    size,
                    date,
                    name,
                    target,
                    pads,
                }
            },
        )
        // Without a group, a numeric owner would read as NetPresenz fork sizes if the numbers
        // happened to add up; ls never omits the group and keeps a numeric owner anyway.
        .prop_filter("owner without group", |l| {
            l.group.is_some() || !l.owner.bytes().all(|b| b.is_ascii_digit())
        })
        // A link's name ends at its first ` -> `.
        .prop_filter("arrow in a link's name", |l| {
            let mut shown = l.name.clone();
            shown.extend_from_slice(b" -> ");
            let arrow = shown.windows(4).position(|w| w == b" -> ");
            l.type_letter != b'l' || arrow == Some(l.name.len())
        })
}

impl UnixLine {
    fn render(&self) -> (Vec<u8>, ListEntry) {
        let pad = |i: usize| self.pads.get(i).map_or(" ", String::as_str);
        let (date_text, modified) = self.date.render(self.today, pad(5));
        let mut line = format!(
            "{}{}{}{}{}{}",
            char::from(self.type_letter),
            self.permissions,
            pad(0),
            self.links,
            pad(1),
            self.owner
        );
        if let Some(group) = &self.group {
            line += &format!("{}{group}", pad(2));
        }
        line += &format!("{}{}{}{date_text} ", pad(3), self.size, pad(4));
        let mut line = line.into_bytes();
        line.extend_from_slice(&self.name);
        let kind = match self.type_letter {
            b'-' => EntryKind::File,
            b'd' => EntryKind::Dir,
            b'l' => EntryKind::Symlink,
            _ => EntryKind::Other,
        };
        let target = (kind == EntryKind::Symlink).then(|| {
            line.extend_from_slice(b" -> ");
            line.extend_from_slice(&self.target);
            self.target.clone()
        });
        let entry = ListEntry {
            name: self.name.clone(),
            kind,
            size: Some(self.size),
            modified,
            permissions: Some(self.permissions.clone()),
            owner: Some(self.owner.clone()),
            group: self.group.clone(),
            target,
        };
        (line, entry)
    }
}

#[derive(Debug, Clone)]
struct MlsdLine {
    facts: Vec<(String, String)>,
    name: Vec<u8>,
    entry: ListEntry,
}

/// A fact name in the case some server might use.
fn fact_name(name: &'static str) -> impl Strategy<Value = String> {
    select(vec![
        name.to_string(),
        name.to_ascii_uppercase(),
        name.to_ascii_lowercase(),
    ])
}

fn mlsd_line() -> impl Strategy<Value = MlsdLine> {
    let kind = prop_oneof![
        Just((EntryKind::File, "file".to_string(), None)),
        Just((EntryKind::Dir, "dir".to_string(), None)),
        chars_from(b"abcXYZ0189/._-", 1..20).prop_map(|t| (
            EntryKind::Symlink,
            format!("OS.unix=slink:{t}"),
            Some(t.into_bytes())
        )),
    ];
    let modify = (date(), clock(), proptest::option::of(0u32..1000));
    (
        (
            kind,
            fact_name("type"),
            fact_name("size"),
            fact_name("modify"),
        ),
        proptest::option::of(any::<u64>()),
        proptest::option::of(modify),
        proptest::option::of(chars_from(b"adfrwcelmp", 1..10)),
        proptest::option::of(0u32..0o10000),
        proptest::option::of(account()),
        proptest::option::of(account()),
        (name(), any::<prop::sample::Index>()),
    )
        .prop_map(
            |(
                (kind, type_fact, size_fact, modify_fact),
                size,
                modify,
                perm,
                mode,
                owner,
                group,
                (name, shuffle),
            )| {
                let (kind, type_value, target) = kind;
                let mut facts = vec![(type_fact, type_value)];
                if let Some(size) = size {
                    facts.push((size_fact, size.to_string()));
                }
                let modified = modify.map(|(date, time, millis)| {
                    let text = date.and_time(time).format("%Y%m%d%H%M%S").to_string();
                    let (text, time) = match millis {
                        Some(ms) => (
                            format!("{text}.{ms:03}"),
                            time.with_nanosecond(ms * 1_000_000).unwrap_or(time),
                        ),
                        None => (text, time),
                    };
                    facts.push((modify_fact, text));
                    ListTime {
                        at: date.and_time(time),
                        precision: TimePrecision::Second,
                    }
                });
                if let Some(perm) = &perm {
                    facts.push(("perm".into(), perm.clone()));
                }
                if let Some(mode) = mode {
                    facts.push(("UNIX.mode".into(), format!("{mode:04o}")));
                }
                if let Some(owner) = &owner {
                    facts.push(("UNIX.owner".into(), owner.clone()));
                }
                if let Some(group) = &group {
                    facts.push(("UNIX.group".into(), group.clone()));
                }
                // The order of facts is the server's choice.
                let turn = shuffle.index(facts.len());
                facts.rotate_left(turn);
                let entry = ListEntry {
                    name: name.clone(),
                    kind,
                    size,
                    modified,
                    permissions: mode.map(render_mode).or(perm),
                    owner,
                    group,
                    target,
                };
                MlsdLine { facts, name, entry }
            },
        )
}

impl MlsdLine {
    fn render(&self) -> Vec<u8> {
        let mut line = String::new();
        for (key, value) in &self.facts {
            line += &format!("{key}={value};");
        }
        line.push(' ');
        let mut line = line.into_bytes();
        line.extend_from_slice(&self.name);
        line
    }
}

#[derive(Debug, Clone)]
struct DosLine {
    date: NaiveDate,
    date_style: u8,
    separator: char,
    time: NaiveTime,
    time_style: u8,
    size: Option<u64>,
    commas: bool,
    name: Vec<u8>,
    pads: Vec<String>,
}

fn dos_line() -> impl Strategy<Value = DosLine> {
    let dos_date = (1970i32..=2069, 1u32..=12, 1u32..=31)
        .prop_filter_map("no such day", |(y, m, d)| NaiveDate::from_ymd_opt(y, m, d));
    (
        (dos_date, 0u8..3, select(vec!['-', '/'])),
        (clock(), 0u8..3),
        (proptest::option::of(any::<u64>()), any::<bool>()),
        name().prop_filter("DOS names lose leading blanks", |n| {
            !matches!(n.first(), Some(b' ' | b'\t'))
        }),
        proptest::collection::vec((1usize..=12).prop_map(|n| " ".repeat(n)), 3),
    )
        .prop_map(
            |((date, date_style, separator), (time, time_style), (size, commas), name, pads)| {
                DosLine {
                    date,
                    date_style,
                    separator,
                    time: time.with_second(0).unwrap_or(time),
                    time_style,
                    size,
                    commas,
                    name,
                    pads,
                }
            },
        )
}

/// `1234567` as `1,234,567`.
fn with_commas(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl DosLine {
    fn render(&self) -> (Vec<u8>, ListEntry) {
        let pad = |i: usize| self.pads.get(i).map_or(" ", String::as_str);
        let s = self.separator;
        let d = self.date;
        let date = match self.date_style {
            0 => format!("{:02}{s}{:02}{s}{:02}", d.month(), d.day(), d.year() % 100),
            1 => format!("{:02}{s}{:02}{s}{}", d.month(), d.day(), d.year()),
            _ => format!("{}{s}{:02}{s}{:02}", d.year(), d.month(), d.day()),
        };
        let (hour, minute) = (self.time.hour(), self.time.minute());
        let twelve = match hour % 12 {
            0 => 12,
            h => h,
        };
        let meridiem = if hour < 12 { "AM" } else { "PM" };
        let time = match self.time_style {
            0 => format!("{hour:02}:{minute:02}"),
            1 => format!("{twelve:02}:{minute:02}{meridiem}"),
            _ => format!("{twelve}:{minute:02} {}", meridiem.to_ascii_lowercase()),
        };
        let column = match self.size {
            None => "<DIR>".to_string(),
            Some(size) if self.commas => with_commas(size),
            Some(size) => size.to_string(),
        };
        let mut line = format!("{date}{}{time}{}{column}{}", pad(0), pad(1), pad(2)).into_bytes();
        line.extend_from_slice(&self.name);
        let kind = if self.size.is_some() {
            EntryKind::File
        } else {
            EntryKind::Dir
        };
        let entry = ListEntry {
            name: self.name.clone(),
            kind,
            size: self.size,
            modified: at(self.date, self.time, TimePrecision::Minute),
            permissions: None,
            owner: None,
            group: None,
            target: None,
        };
        (line, entry)
    }
}

proptest! {
    // The default ChaCha generator dominates the run time of an unoptimized test build.
    #![proptest_config(ProptestConfig {
        rng_algorithm: proptest::test_runner::RngAlgorithm::XorShift,
        ..ProptestConfig::default()
    })]

    #[test]
    fn unix_lines_parse_back(line in unix_line()) {
        let (text, want) = line.render();
        let ctx = ListContext { today: line.today };
        let got = parse_list_line(&text, &ctx);
        prop_assert_eq!(got.as_ref().map(describe), Some(describe(&want)), "{}", text.escape_ascii());
        prop_assert_eq!(got, Some(want));
    }

    #[test]
    fn mlsd_lines_parse_back(line in mlsd_line()) {
        let text = line.render();
        let got = parse_mlsd_line(&text);
        prop_assert_eq!(got.as_ref().map(describe), Some(describe(&line.entry)), "{}", text.escape_ascii());
        prop_assert_eq!(got, Some(line.entry));
    }

    #[test]
    fn dos_lines_parse_back(line in dos_line()) {
        let (text, want) = line.render();
        let ctx = ListContext { today: line.date };
        let got = parse_list_line(&text, &ctx);
        prop_assert_eq!(got.as_ref().map(describe), Some(describe(&want)), "{}", text.escape_ascii());
        prop_assert_eq!(got, Some(want));
    }

    #[test]
    fn streamed_listings_match_their_lines(
        unix in proptest::collection::vec(unix_line(), 0..12),
        dos in proptest::collection::vec(dos_line(), 0..12),
        cuts in proptest::collection::vec(1usize..300, 1..20),
        crlf in any::<bool>(),
    ) {
        let today = NaiveDate::from_ymd_opt(2024, 6, 15).unwrap_or_default();
        let ctx = ListContext { today };
        let mut stream = Vec::new();
        let mut want = Vec::new();
        let lines = unix
            .iter()
            .map(|l| UnixLine { today, ..l.clone() }.render().0)
            .chain(dos.iter().map(|l| l.render().0));
        for line in lines {
            want.extend(parse_list_line(&line, &ctx));
            stream.extend_from_slice(&line);
            stream.extend_from_slice(if crlf { b"\r\n" } else { b"\n" });
        }
        let mut parser = ListingParser::new(ListFormat::List, ctx);
        let mut rest = stream.as_slice();
        for cut in cuts.iter().cycle() {
            if rest.is_empty() {
                break;
            }
            let (chunk, tail) = rest.split_at((*cut).min(rest.len()));
            parser.feed(chunk).map_err(|e| TestCaseError::fail(e.to_string()))?;
            rest = tail;
        }
        let listing = parser.finish().map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(listing.entries, want);
    }
}
