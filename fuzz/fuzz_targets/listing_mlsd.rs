//! Fuzzes the MLSD/MLST fact-line parser: `parse_mlsd_line` and `ListingParser` with
//! `ListFormat::Mlsd`.
//!
//! Input: one header byte `h`, then listing bytes. `h` picks how the bytes are cut into chunks
//! for the streaming parser (see `skiff_fuzz::chunks`). Lines over `MAX_LINE_LEN` (64 KiB) are
//! out of reach under `-max_len=4096`; the unit tests in `src/protocol/listing/mod.rs` cover them.
//!
//! Asserts, for every input:
//! - neither `parse_mlsd_line` nor `ListingParser::feed`/`finish` panics (libFuzzer also catches
//!   overflow, out-of-bounds, OOM and timeouts);
//! - `parse_mlsd_line` on the whole input, and on every LF-separated line, gives only entries
//!   whose name is non-empty, not `.` or `..`, free of NUL and cut from the line itself (and
//!   likewise a symlink target);
//! - streaming the input through `ListingParser` in random chunks gives exactly the entries that
//!   `parse_mlsd_line` gives line by line, no streamed name holds LF, and
//!   `Listing::skipped` keeps at most `MAX_SKIPPED_LINES` lines of at most
//!   `MAX_SKIPPED_LINE_LEN` bytes.

#![no_main]

use libfuzzer_sys::fuzz_target;
use skiff::protocol::listing::{ListContext, ListFormat, ListingParser, parse_mlsd_line};
use skiff_fuzz::{assert_entry_sane, check_stream, expected_entries};

fuzz_target!(|data: &[u8]| {
    let Some((&h, listing)) = data.split_first() else {
        return;
    };

    // The whole input as one line: the single-line function must cope with inner LFs too.
    if let Some(entry) = parse_mlsd_line(listing) {
        assert_entry_sane(&entry, listing);
    }

    // Each line on its own, then the stream in chunks; MLSD ignores "today".
    let expected = expected_entries(listing, &parse_mlsd_line, None);
    let ctx = ListContext {
        today: skiff_fuzz::today(0, 0),
    };
    check_stream(
        ListingParser::new(ListFormat::Mlsd, ctx),
        listing,
        h,
        &expected,
    );
});
