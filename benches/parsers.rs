//! Criterion benchmarks of the pure protocol parsers: what a 100,000-entry
//! listing and a burst of replies cost, with no network in the way.

use bytes::BytesMut;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use skiff::protocol::listing::{ListContext, ListFormat, ListingParser};
use skiff::protocol::{ReplyDecoder, parse_pasv};
use std::hint::black_box;

const ENTRIES: usize = 100_000;

fn unix_listing() -> Vec<u8> {
    let mut out = Vec::new();
    for i in 0..ENTRIES {
        out.extend_from_slice(
            format!(
                "-rw-r--r--    1 1000     1000     {:>10} Mar 14  2024 file-{i:06} with spaces.dat\r\n",
                i * 37
            )
            .as_bytes(),
        );
    }
    out
}

fn mlsd_listing() -> Vec<u8> {
    let mut out = Vec::new();
    for i in 0..ENTRIES {
        out.extend_from_slice(
            format!(
                "type=file;size={};modify=20240314101112;UNIX.mode=0644;UNIX.owner=1000; file-{i:06}.dat\r\n",
                i * 37
            )
            .as_bytes(),
        );
    }
    out
}

fn parse(format: ListFormat, data: &[u8]) -> usize {
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 21).unwrap_or_default();
    let mut parser = ListingParser::new(format, ListContext { today });
    for chunk in data.chunks(512 * 1024) {
        let _ = parser.feed(chunk);
    }
    parser.finish().map(|l| l.entries.len()).unwrap_or(0)
}

fn listings(c: &mut Criterion) {
    let mut group = c.benchmark_group("listing_100k");
    group.sample_size(20);
    let unix = unix_listing();
    group.throughput(Throughput::Elements(ENTRIES as u64));
    group.bench_function("unix", |b| {
        b.iter(|| parse(ListFormat::List, black_box(&unix)))
    });
    let mlsd = mlsd_listing();
    group.bench_function("mlsd", |b| {
        b.iter(|| parse(ListFormat::Mlsd, black_box(&mlsd)))
    });
    group.finish();
}

fn replies(c: &mut Criterion) {
    let mut burst = Vec::new();
    for _ in 0..1000 {
        burst.extend_from_slice(
            b"211-Features:\r\n EPSV\r\n MLST type*;size*;\r\n SIZE\r\n211 End\r\n",
        );
        burst.extend_from_slice(b"227 Entering Passive Mode (127,0,0,1,250,10).\r\n");
    }
    c.bench_function("decode_2000_replies", |b| {
        b.iter(|| {
            let mut decoder = ReplyDecoder::default();
            let mut buf = BytesMut::from(&burst[..]);
            let mut n = 0;
            while let Ok(Some(_)) = decoder.decode(&mut buf) {
                n += 1;
            }
            n
        })
    });
    c.bench_function("parse_pasv", |b| {
        b.iter(|| parse_pasv(black_box(b"Entering Passive Mode (127,0,0,1,250,10).")))
    });
}

criterion_group!(benches, listings, replies);
criterion_main!(benches);
