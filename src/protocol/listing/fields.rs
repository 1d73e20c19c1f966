//! The small readers every listing format shares: line ends and blanks,
//! numbers and sizes, dates and clocks, permission bits, whitespace tokens.
//!
//! Pure and byte-based like the rest of [`super`]: no allocation beyond what
//! a parsed value needs, nothing that can panic on any input.

use std::ops::RangeInclusive;

use chrono::{NaiveDate, NaiveTime};

use super::{ListTime, TimePrecision};

/// Drops the line ending; several CRs are tolerated because some servers double them.
pub(super) fn trim_line_end(line: &[u8]) -> &[u8] {
    let end = line
        .iter()
        .rposition(|&b| b != b'\r' && b != b'\n')
        .map_or(0, |last| last + 1);
    line.get(..end).unwrap_or_default()
}

pub(super) fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

pub(super) fn trim_start_blanks(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|&b| !is_blank(b))
        .unwrap_or(bytes.len());
    bytes.get(start..).unwrap_or_default()
}

pub(super) fn trim_end_blanks(bytes: &[u8]) -> &[u8] {
    let end = bytes
        .iter()
        .rposition(|&b| !is_blank(b))
        .map_or(0, |last| last + 1);
    bytes.get(..end).unwrap_or_default()
}

/// Whether a name is one of the directory's links to itself or its parent.
pub(super) fn is_dot_name(name: &[u8]) -> bool {
    name == b"." || name == b".."
}

pub(super) fn is_digits(bytes: &[u8]) -> bool {
    !bytes.is_empty() && bytes.iter().all(u8::is_ascii_digit)
}

/// A decimal size; `None` if it is not all digits or does not fit in 64 bits.
pub(super) fn parse_u64(digits: &[u8]) -> Option<u64> {
    if !is_digits(digits) {
        return None;
    }
    digits.iter().try_fold(0u64, |total, &b| {
        total.checked_mul(10)?.checked_add(u64::from(b - b'0'))
    })
}

/// A size column: `Some(Some(n))` for a size, `Some(None)` for a number that
/// fits no byte count (past 2^64 - 1, or negative), `None` for no number at all.
/// An out-of-range size makes the size unknown, never the entry unlisted.
pub(super) fn parse_size_field(field: &[u8]) -> Option<Option<u64>> {
    if let Some(n) = parse_u64(field) {
        return Some(Some(n));
    }
    let digits = field.strip_prefix(b"-").unwrap_or(field);
    is_digits(digits).then_some(None)
}

/// A small decimal field of a date or time, with a digit count in `len`.
pub(super) fn small_number(digits: &[u8], len: RangeInclusive<usize>) -> Option<u32> {
    // Nine digits always fit in a u32, so the fold below cannot overflow.
    if !len.contains(&digits.len()) || !is_digits(digits) || digits.len() > 9 {
        return None;
    }
    Some(
        digits
            .iter()
            .fold(0, |total, &b| total * 10 + u32::from(b - b'0')),
    )
}

/// A year written with two digits, pivoting at 1970 as Windows does; four digits are taken as
/// they are, and three (`103`) count from 1900, as OS/2 servers that missed Y2K print them.
pub(super) fn parse_year(digits: &[u8]) -> Option<i32> {
    let year = small_number(digits, 2..=4)?;
    let year = match digits.len() {
        2 if year < 70 => 2000 + year,
        2 | 3 => 1900 + year,
        _ => year,
    };
    i32::try_from(year).ok()
}

/// Reads `H:MM`, `HH:MM` or `HH:MM:SS`, as both `ls` and DOS print them.
pub(super) fn parse_clock(bytes: &[u8]) -> Option<(NaiveTime, TimePrecision)> {
    let mut parts = bytes.split(|&b| b == b':');
    let hour = small_number(parts.next()?, 1..=2)?;
    let minute = small_number(parts.next()?, 2..=2)?;
    let (second, precision) = match parts.next() {
        Some(second) => (small_number(second, 2..=2)?, TimePrecision::Second),
        None => (0, TimePrecision::Minute),
    };
    if parts.next().is_some() {
        return None;
    }
    Some((NaiveTime::from_hms_opt(hour, minute, second)?, precision))
}

/// A date at a time of day, or at midnight when the listing gave no time.
pub(super) fn list_time(date: NaiveDate, clock: Option<(NaiveTime, TimePrecision)>) -> ListTime {
    let (time, precision) = clock.unwrap_or((NaiveTime::MIN, TimePrecision::Day));
    ListTime {
        at: date.and_time(time),
        precision,
    }
}

/// The number of a three-letter English month name, in any case.
pub(super) fn month_number(bytes: &[u8]) -> Option<u32> {
    const MONTHS: [&[u8]; 12] = [
        b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov",
        b"dec",
    ];
    let index = MONTHS.iter().position(|m| bytes.eq_ignore_ascii_case(m))?;
    u32::try_from(index + 1).ok()
}

/// Text from the server that the client only shows (owner, group, permissions): invalid UTF-8
/// is replaced rather than refused.
pub(super) fn text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(valid) => valid.to_owned(),
        Err(_) => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// Renders permission bits the way `ls -l` does, so entries from every format look alike.
pub(super) fn render_mode(mode: u32) -> String {
    let mut out = String::with_capacity(9);
    for (shift, special, letter) in [(6, 0o4000, 's'), (3, 0o2000, 's'), (0, 0o1000, 't')] {
        let bits = mode >> shift;
        out.push(if bits & 4 != 0 { 'r' } else { '-' });
        out.push(if bits & 2 != 0 { 'w' } else { '-' });
        out.push(match (mode & special != 0, bits & 1 != 0) {
            (true, true) => letter,
            (true, false) => letter.to_ascii_uppercase(),
            (false, true) => 'x',
            (false, false) => '-',
        });
    }
    out
}

/// Reads an octal mode such as `0644` or `100755`.
pub(super) fn parse_octal_mode(value: &[u8]) -> Option<u32> {
    if value.is_empty() || value.len() > 7 {
        return None;
    }
    value.iter().try_fold(0u32, |mode, &b| match b {
        b'0'..=b'7' => Some(mode * 8 + u32::from(b - b'0')),
        _ => None,
    })
}

/// Iterates over the blank-separated tokens of a line, remembering where each ends so that a
/// caller can take the untouched rest of the line as a name.
#[derive(Debug, Clone)]
pub(super) struct Tokens<'a> {
    pub(super) line: &'a [u8],
    pub(super) pos: usize,
}

/// One run of non-blank bytes and the offset just past it.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Token<'a> {
    pub(super) bytes: &'a [u8],
    pub(super) end: usize,
}

impl<'a> Tokens<'a> {
    pub(super) fn new(line: &'a [u8]) -> Self {
        Self { line, pos: 0 }
    }

    /// The rest of the line after the blanks that follow the last token taken.
    pub(super) fn rest(&self) -> &'a [u8] {
        trim_start_blanks(self.line.get(self.pos..).unwrap_or_default())
    }
}

impl<'a> Iterator for Tokens<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        let rest = self.line.get(self.pos..)?;
        let skip = rest.iter().position(|&b| !is_blank(b))?;
        let word = rest.get(skip..)?;
        // Most bytes are printable, so one comparison rules them out.
        let len = word
            .iter()
            .position(|&b| b <= b' ' && is_blank(b))
            .unwrap_or(word.len());
        self.pos += skip + len;
        Some(Token {
            bytes: word.get(..len)?,
            end: self.pos,
        })
    }
}

/// The first `N` tokens of a line, held on the stack so that splitting a line allocates nothing,
/// and read only as far as a parser asks.
#[derive(Debug, Clone)]
pub(super) struct Head<'a, const N: usize> {
    pub(super) unread: Tokens<'a>,
    pub(super) tokens: [Token<'a>; N],
    pub(super) len: usize,
}

impl<'a, const N: usize> Head<'a, N> {
    /// A head that reads the line as far as [`Head::get`] asks.
    pub(super) fn lazy(line: &'a [u8]) -> Self {
        Self {
            unread: Tokens::new(line),
            tokens: [Token::default(); N],
            len: 0,
        }
    }

    /// A head that has read all its tokens, for [`Head::as_slice`].
    pub(super) fn new(line: &'a [u8]) -> Self {
        let mut head = Self::lazy(line);
        head.get(N);
        head
    }

    /// Token number `index`, reading up to it; `None` past the end of the line or of the head.
    pub(super) fn get(&mut self, index: usize) -> Option<Token<'a>> {
        while self.len <= index {
            let slot = self.tokens.get_mut(self.len)?;
            *slot = self.unread.next()?;
            self.len += 1;
        }
        self.tokens.get(index).copied()
    }

    /// The tokens read so far.
    pub(super) fn as_slice(&self) -> &[Token<'a>] {
        self.tokens.get(..self.len).unwrap_or_default()
    }
}

/// Finds the first `needle`, eight bytes at a time: the line splitter runs over every byte of a
/// listing, and `iter().position` looks at one.
pub(super) fn find_byte(needle: u8, haystack: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let pattern = ONES * u64::from(needle);
    let mut words = haystack.chunks_exact(8);
    let mut skipped = 0;
    for word in &mut words {
        let mut bytes = [0; 8];
        bytes.copy_from_slice(word);
        // A byte of `x` is zero where the word holds the needle; this sets its high bit (and
        // maybe others after it, which the byte-wise search below sorts out).
        let x = u64::from_le_bytes(bytes) ^ pattern;
        if x.wrapping_sub(ONES) & !x & HIGHS != 0 {
            break;
        }
        skipped += 8;
    }
    let rest = haystack.get(skipped..)?;
    rest.iter()
        .position(|&b| b == needle)
        .map(|at| skipped + at)
}
