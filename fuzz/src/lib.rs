//! Helpers shared by Skiff's fuzz targets (see `fuzz_targets/`).
//!
//! Several targets read a small header from the front of the fuzz input and use it to choose how
//! the rest is cut into chunks, which limits apply, or what "today" is. The header is part of
//! the input, so libFuzzer mutates it like everything else and a crash file replays exactly.
//! The formats are described in each target's `//!` comment and in `README.md`.

use chrono::NaiveDate;
use skiff::protocol::listing::ListEntry;

/// A tiny deterministic generator (xorshift64), seeded from input bytes.
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed`; every seed, zero included, gives a usable sequence.
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number in `0..n`; `n` must not be 0.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// Cuts `data` into chunks as a network might deliver it, chosen by `seed`.
///
/// The seed's low two bits pick the style: single bytes, small chunks (1–8), medium chunks
/// (1–300), or everything in one chunk, so every byte boundary gets exercised.
pub fn chunks(data: &[u8], seed: u8) -> Vec<&[u8]> {
    let mut rng = Rng::new(u64::from(seed));
    let max = match seed & 3 {
        0 => 1,
        1 => 8,
        2 => 300,
        _ => usize::MAX,
    };
    let mut out = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        let len = if max == usize::MAX {
            rest.len()
        } else {
            1 + rng.below(max.min(rest.len()))
        };
        let (chunk, tail) = rest.split_at(len);
        out.push(chunk);
        rest = tail;
    }
    out
}

/// "Today" for `LIST` parsing, from two header bytes.
///
/// Mostly a realistic date between 1990 and about 2058; when the top bit of `hi` is set, one of
/// the awkward dates instead: chrono's first and last dates, leap days, year ends.
pub fn today(hi: u8, lo: u8) -> NaiveDate {
    let n = u16::from_be_bytes([hi, lo]);
    if n & 0x8000 != 0 {
        let odd = [
            NaiveDate::MIN,
            NaiveDate::MAX,
            ymd(1, 1, 1),
            ymd(9999, 12, 31),
            ymd(1970, 1, 1),
            ymd(2000, 2, 29),
            ymd(2024, 2, 29),
            ymd(2023, 12, 31),
            ymd(2024, 1, 1),
            ymd(2100, 3, 1),
        ];
        return odd[usize::from(n & 0x7fff) % odd.len()];
    }
    ymd(1990, 1, 1)
        .checked_add_days(chrono::Days::new(u64::from(n % 25_000)))
        .unwrap_or(NaiveDate::MIN)
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

/// Whether `needle` occurs in `haystack` (an empty needle always does). Linear time, so that
/// long runs of one byte, which libFuzzer likes, do not make the check itself quadratic.
pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(haystack, needle).is_some()
}

/// What every parsed listing entry must satisfy, whatever the input `line` was:
/// a non-empty name that is not `.` or `..`, holds no NUL, and was cut from the line itself (or,
/// for a dotted name such as z/VM's `NAME.TYPE`, each of its dot-separated parts was), as was a
/// symlink target.
pub fn assert_entry_sane(entry: &ListEntry, line: &[u8]) {
    assert!(
        !entry.name.is_empty(),
        "empty name from {:?}",
        line.escape_ascii().to_string()
    );
    assert!(
        entry.name != b"." && entry.name != b"..",
        "dot name {:?} from {:?}",
        entry.name.escape_ascii().to_string(),
        line.escape_ascii().to_string()
    );
    assert!(
        !entry.name.contains(&0),
        "NUL in name from {:?}",
        line.escape_ascii().to_string()
    );
    // z/VM builds `NAME.TYPE` from two columns, so a dotted name may come in pieces.
    let from_line = contains(line, &entry.name)
        || (entry.name.contains(&b'.')
            && entry
                .name
                .split(|&b| b == b'.')
                .all(|part| contains(line, part)));
    assert!(
        from_line,
        "name {:?} is not part of the line {:?}",
        entry.name.escape_ascii().to_string(),
        line.escape_ascii().to_string()
    );
    if let Some(target) = &entry.target {
        assert!(
            !target.is_empty(),
            "empty symlink target from {:?}",
            line.escape_ascii().to_string()
        );
        assert!(
            contains(line, target),
            "target {:?} is not part of the line {:?}",
            target.escape_ascii().to_string(),
            line.escape_ascii().to_string()
        );
    }
}

/// The bytes of `line` without trailing CRs and LFs, as the listing parsers trim it.
pub fn trim_line_end(line: &[u8]) -> &[u8] {
    let end = line
        .iter()
        .rposition(|&b| b != b'\r' && b != b'\n')
        .map_or(0, |last| last + 1);
    &line[..end]
}

/// Whether `line` holds exactly one blank-separated token (blanks: space and tab), the only
/// kind of line the streaming parser may hold back as the first half of a VMS entry.
pub fn is_single_token(line: &[u8]) -> bool {
    line.split(|&b| b == b' ' || b == b'\t')
        .filter(|t| !t.is_empty())
        .count()
        == 1
}

fn trim_start_blanks(line: &[u8]) -> &[u8] {
    let start = line
        .iter()
        .position(|&b| b != b' ' && b != b'\t')
        .unwrap_or(line.len());
    &line[start..]
}

/// The entries a [`ListingParser`] must give for `data`, computed from the single-line
/// functions as `ListingParser`'s documentation defines them: each LF-separated line parsed on
/// its own with `parse_one` (lines over `MAX_LINE_LEN` skipped), except that, when
/// `join_vms` is given (LIST with a server type that allows VMS, i.e. `Auto` or `Vms`), a line of
/// a single token that gives no entry, followed by a line such that
/// `join_vms(token + " " + next line without its leading blanks)` gives an entry, gives that one
/// entry for both lines. Every entry is checked with [`assert_entry_sane`] against its line.
pub fn expected_entries(
    data: &[u8],
    parse_one: &dyn Fn(&[u8]) -> Option<ListEntry>,
    join_vms: Option<&dyn Fn(&[u8]) -> Option<ListEntry>>,
) -> Vec<ListEntry> {
    use skiff::protocol::listing::MAX_LINE_LEN;

    let mut lines: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
    // The piece after a final LF is no line (`finish` only reads a non-empty rest).
    if lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    // The parser keeps a line of MAX_LINE_LEN bytes plus one CR; anything longer is skipped.
    let readable =
        |raw: &[u8]| raw.len() <= MAX_LINE_LEN + 1 && trim_line_end(raw).len() <= MAX_LINE_LEN;
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let raw = lines[i];
        i += 1;
        if !readable(raw) {
            continue;
        }
        let line = trim_line_end(raw);
        let entry = parse_one(line);
        if let Some(entry) = entry {
            assert_entry_sane(&entry, line);
            out.push(entry);
            continue;
        }
        let (Some(join), Some(&next_raw)) = (join_vms, lines.get(i)) else {
            continue;
        };
        let next = trim_line_end(next_raw);
        if !is_single_token(line) || !readable(next_raw) || next.contains(&0) {
            continue;
        }
        let mut joined = trim_start_blanks(line).to_vec();
        joined.push(b' ');
        joined.extend_from_slice(trim_start_blanks(next));
        if let Some(entry) = join(&joined) {
            assert_entry_sane(&entry, &joined);
            out.push(entry);
            i += 1;
        }
    }
    out
}

/// Streams `data` through `parser` in the chunks `chunk_seed` picks and checks that it gives
/// exactly `expected` (see [`expected_entries`]); that every streamed entry is sane (against the
/// whole input, as a joined VMS entry spans two lines) and holds no LF; and that
/// `Listing::skipped` keeps at most `MAX_SKIPPED_LINES` lines of at most `MAX_SKIPPED_LINE_LEN`
/// bytes.
pub fn check_stream(
    mut parser: skiff::protocol::listing::ListingParser,
    data: &[u8],
    chunk_seed: u8,
    expected: &[ListEntry],
) {
    use skiff::protocol::listing::{MAX_SKIPPED_LINE_LEN, MAX_SKIPPED_LINES};

    for chunk in chunks(data, chunk_seed) {
        parser.feed(chunk).expect("no entry cap is reachable here");
    }
    let listing = parser.finish().expect("no entry cap is reachable here");

    for entry in &listing.entries {
        assert_entry_sane(entry, data);
        assert!(!entry.name.contains(&b'\n'), "LF in a streamed name");
    }
    assert_eq!(
        listing.entries.len(),
        expected.len(),
        "streaming found a different number of entries than line-by-line parsing"
    );
    assert!(
        listing.entries == expected,
        "streaming and line-by-line parsing disagree"
    );
    assert!(
        listing.skipped.len() <= MAX_SKIPPED_LINES,
        "too many skipped lines kept"
    );
    assert!(
        listing
            .skipped
            .iter()
            .all(|l| l.len() <= MAX_SKIPPED_LINE_LEN),
        "a skipped line was kept longer than MAX_SKIPPED_LINE_LEN"
    );
}
