//! `cargo bench --bench parse`: reading a 10,000-field Avro schema (the wide record of
//! `benches/wide`), as every CLI call and every registration of a large schema does.
//!
//! - parse: text to a validated [`avro::Schema`] (names, defaults, duplicates, ...), the
//!   target (< 8 ms);
//! - parse + validate: what `accord validate` computes, the parse plus the normalized form,
//!   the Parsing Canonical Form and its fingerprint;
//! - the normalized form alone (a registration's identity).

use accord::avro;
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use wide::wide_pair;

mod wide;

// Measured with the allocator the `accord` binary ships with.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn benches(c: &mut Criterion) {
    let (text, _) = wide_pair(10_000, true);
    eprintln!("10,000-field schema: {} bytes", text.len());
    let parsed = avro::parse(&text).unwrap();
    let mut group = c.benchmark_group("parse-10k");
    // The parsed schema lives on (a registry keeps it): freeing it is not timed.
    group.bench_function("parse", |b| {
        b.iter_with_large_drop(|| avro::parse(black_box(&text)).unwrap())
    });
    group.bench_function("parse + validate (accord validate)", |b| {
        b.iter_with_large_drop(|| {
            let schema = avro::parse(black_box(&text)).unwrap();
            let forms = (
                schema.normalized_form(),
                schema.canonical_form(),
                schema.fingerprint(),
            );
            (schema, forms)
        })
    });
    group.bench_function("normalized form", |b| {
        b.iter(|| black_box(&parsed).normalized_form())
    });
    group.finish();
}

criterion_group! {
    name = parse;
    config = Criterion::default().sample_size(30);
    targets = benches
}
criterion_main!(parse);
