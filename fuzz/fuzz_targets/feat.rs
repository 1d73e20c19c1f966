//! Fuzzes the FEAT reply reader, `Features::parse`, and its queries.
//!
//! Input: one header byte `c`, then the reply's lines separated by LF (a CR before the LF stays
//! in the line, as the decoder never leaves one but `Features::parse` must cope). The reply code
//! is 211 unless `c` is `0xff`, when it is 500 (a refused FEAT).
//!
//! Asserts, for every input:
//! - `Features::parse`, `has`, `params`, `auth_tls` and `rest_stream` never panic;
//! - a reply that is not 211 gives no features at all;
//! - for a 211 reply, every inner line (not the first or last) that is not blank after trimming
//!   announces its first word: `has(word)` is true and `params(word)` is `Some`, in any case;
//! - `auth_tls()` implies `has("AUTH")` and `rest_stream()` implies `has("REST")`.

#![no_main]

use libfuzzer_sys::fuzz_target;
use skiff::protocol::{Features, Reply};

fuzz_target!(|data: &[u8]| {
    let Some((&c, text)) = data.split_first() else {
        return;
    };
    let code = if c == 0xff { 500 } else { 211 };
    let lines: Vec<Vec<u8>> = text.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
    let reply = Reply { code, lines };
    let features = Features::parse(&reply);

    if code != 211 {
        assert_eq!(
            features,
            Features::default(),
            "features from a non-211 reply"
        );
        return;
    }
    if reply.lines.len() > 2 {
        for line in &reply.lines[1..reply.lines.len() - 1] {
            let text = String::from_utf8_lossy(line);
            let Some(word) = text.split_whitespace().next() else {
                continue;
            };
            // The parser splits at the first ASCII space after trimming; other whitespace
            // (tabs, Unicode spaces) may stay inside the name, so only ASCII-space-free words
            // are checked.
            let name = text.trim().split(' ').next().unwrap_or_default();
            if name != word {
                continue;
            }
            for query in [word.to_string(), word.to_ascii_lowercase()] {
                assert!(features.has(&query), "announced {query:?} is missing");
                assert!(
                    features.params(&query).is_some(),
                    "announced {query:?} has no params"
                );
            }
        }
    }
    if features.auth_tls() {
        assert!(features.has("AUTH"));
    }
    if features.rest_stream() {
        assert!(features.has("REST"));
    }
    let _ = features.params("MLST");
});
