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
//! - streaming the input (with its line ends made all LF, and all CR LF: an MLSD listing ends
//!   every line one way, and in a CR LF listing a bare LF is part of a name) through
//!   `ListingParser` in random chunks gives exactly the entries that `parse_mlsd_line` gives
//!   line by line, no streamed name holds LF, and
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

    // MLSD lines all end one way: in CR LF (then a bare LF belongs to a
    // name) or in LF alone. Each way is checked on a listing that keeps to
    // it, against line-by-line parsing: LF alone (every CR before an LF
    // dropped), and CR LF (every bare LF made an `x`, every line end CR LF).
    let mut lf_only = listing.to_vec();
    // Until no CR stands before an LF (a run of CRs goes one per pass).
    while let Some(at) = lf_only.windows(2).position(|w| w == b"\r\n") {
        lf_only.remove(at);
    }
    let crlf_only: Vec<u8> = lf_only
        .iter()
        .flat_map(|&b| if b == b'\n' { vec![b'\r', b'\n'] } else { vec![b] })
        .collect();
    let ctx = ListContext {
        today: skiff_fuzz::today(0, 0),
    };
    for input in [&lf_only, &crlf_only] {
        let expected = expected_entries(input, &parse_mlsd_line, None);
        check_stream(
            ListingParser::new(ListFormat::Mlsd, ctx),
            input,
            h,
            &expected,
        );
    }
});
