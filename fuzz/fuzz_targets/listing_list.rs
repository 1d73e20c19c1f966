//! Fuzzes the `LIST` line parsers (Unix `ls -l`, DOS/IIS, EPLF, VMS, OS/2, VxWorks, AS/400,
//! MVS, z/VM, HP NonStop: whatever `parse_list_line_with` tries for a server type) and the
//! streaming `ListingParser` with `ListFormat::List`.
//!
//! Input: four header bytes `h s t1 t2`, then listing bytes.
//! - `h` picks how the bytes are cut into chunks for the streaming parser
//!   (see `skiff_fuzz::chunks`);
//! - `s` picks the server type: below 0x80 `ServerType::Auto` (the default, every format),
//!   else `ServerType::from_filezilla_type((s & 0x7f) % 11)`;
//! - `t1 t2` pick "today" (`skiff_fuzz::today`): a date between 1990 and 2058, or, with the top
//!   bit of `t1` set, an awkward one (chrono's first and last dates, leap days).
//!
//! Lines over `MAX_LINE_LEN` (64 KiB) are out of reach under `-max_len=4096`; the unit tests in
//! `src/protocol/listing/mod.rs` cover them.
//!
//! Asserts, for every input:
//! - neither `parse_list_line_with` nor `ListingParser::feed`/`finish` panics (libFuzzer also
//!   catches overflow, out-of-bounds, OOM and timeouts);
//! - `parse_list_line_with` on the whole input, and on every LF-separated line, gives only
//!   entries whose name is non-empty, not `.` or `..`, free of NUL and cut from the line itself
//!   (z/VM's `NAME.TYPE` piece by piece), and likewise a symlink target;
//! - streaming the input through `ListingParser::with_server_type` in random chunks gives exactly
//!   the entries that `ListingParser`'s documentation promises: those `parse_list_line_with`
//!   gives line by line, except that for `Auto` and `Vms` a single-token line that gives no entry
//!   and the line after it give one entry when `parse_list_line_with(token + " " + next line
//!   without leading blanks, ServerType::Vms)` does (see `skiff_fuzz::expected_entries`);
//! - every streamed entry is sane as above and its name holds no LF, and `Listing::skipped`
//!   keeps at most `MAX_SKIPPED_LINES` lines of at most `MAX_SKIPPED_LINE_LEN` bytes.

#![no_main]

use libfuzzer_sys::fuzz_target;
use skiff::protocol::listing::{
    ListContext, ListEntry, ListFormat, ListingParser, ServerType, parse_list_line_with,
};
use skiff_fuzz::{assert_entry_sane, check_stream, expected_entries};

fuzz_target!(|data: &[u8]| {
    let [h, s, t1, t2, listing @ ..] = data else {
        return;
    };
    let server_type = if *s < 0x80 {
        ServerType::Auto
    } else {
        ServerType::from_filezilla_type(u32::from(s & 0x7f) % 11).unwrap_or_default()
    };
    let ctx = ListContext {
        today: skiff_fuzz::today(*t1, *t2),
    };

    // The whole input as one line: the single-line function must cope with inner LFs too.
    if let Some(entry) = parse_list_line_with(listing, &ctx, server_type) {
        assert_entry_sane(&entry, listing);
    }

    // Each line on its own (with the VMS two-line join where the server type allows VMS), then
    // the stream in chunks.
    let parse_one = |line: &[u8]| parse_list_line_with(line, &ctx, server_type);
    let join_vms = |line: &[u8]| parse_list_line_with(line, &ctx, ServerType::Vms);
    let joins = matches!(server_type, ServerType::Auto | ServerType::Vms);
    let join: Option<&dyn Fn(&[u8]) -> Option<ListEntry>> =
        if joins { Some(&join_vms) } else { None };
    let expected = expected_entries(listing, &parse_one, join);
    let parser = ListingParser::new(ListFormat::List, ctx).with_server_type(server_type);
    check_stream(parser, listing, *h, &expected);
});
