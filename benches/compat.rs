//! `cargo bench --bench compat`: the speed targets of the compatibility engine.
//!
//! - a 10,000-field record (nested records, unions, enums, arrays, maps) diffed against a copy
//!   with 1% of its fields edited, next to `apache-avro`'s `SchemaCompatibility` on the same pair;
//! - one schema checked at `FULL_TRANSITIVE` against a history of 1,000 versions, once with 100
//!   distinct versions each registered ten times and once with 1,000 distinct versions;
//! - a 10,000-column Arrow schema (nested structs, lists of structs, maps, dictionaries)
//!   diffed against a copy with 1% of its columns edited.

use accord::avro;
use accord::compat::{self, Level};
use apache_avro::schema_compatibility::SchemaCompatibility;
use arrow_schema::{DataType, Field, Fields, Schema, TimeUnit};
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::{Value, json};
use std::hint::black_box;
use wide::{field, wide_pair};

mod wide;

/// Version `k` of an evolving 30-field record: `extra` optional fields added over time.
fn version(extra: usize, doc: &str) -> avro::Schema {
    let mut fields: Vec<Value> = (0..30).map(field).collect();
    fields
        .extend((0..extra).map(
            |k| json!({"name": format!("x{k}"), "type": ["null", "string"], "default": null}),
        ));
    avro::parse(
        &json!({"type": "record", "name": "Evolving", "doc": doc, "fields": fields}).to_string(),
    )
    .unwrap()
}

fn benches(c: &mut Criterion) {
    let (old_text, new_text) = wide_pair(10_000, true);
    let (old, new) = (
        avro::parse(&old_text).unwrap(),
        avro::parse(&new_text).unwrap(),
    );
    let diff = compat::diff(&old, &new);
    eprintln!(
        "10,000-field diff: {} changes, breaks {:?}",
        diff.changes.len(),
        diff.breaks()
    );
    let (their_old, their_new) = (
        apache_avro::Schema::parse_str(&old_text).unwrap(),
        apache_avro::Schema::parse_str(&new_text).unwrap(),
    );

    let mut group = c.benchmark_group("wide-10k");
    group.bench_function("accord diff (both directions, every change)", |b| {
        b.iter(|| compat::diff(black_box(&old), black_box(&new)))
    });
    group.bench_function("accord check (backward only)", |b| {
        b.iter(|| compat::check(black_box(&old), black_box(&new)))
    });
    group.bench_function("apache-avro can_read (backward only)", |b| {
        b.iter(|| SchemaCompatibility::can_read(black_box(&their_old), black_box(&their_new)))
    });
    group.bench_function("apache-avro mutual_read (both directions)", |b| {
        b.iter(|| SchemaCompatibility::mutual_read(black_box(&their_old), black_box(&their_new)))
    });
    let (ok_old_text, ok_new_text) = wide_pair(10_000, false);
    let (ok_old, ok_new) = (
        avro::parse(&ok_old_text).unwrap(),
        avro::parse(&ok_new_text).unwrap(),
    );
    assert!(!compat::diff(&ok_old, &ok_new).breaks().any());
    let (their_ok_old, their_ok_new) = (
        apache_avro::Schema::parse_str(&ok_old_text).unwrap(),
        apache_avro::Schema::parse_str(&ok_new_text).unwrap(),
    );
    group.bench_function("compatible pair: accord diff (both directions)", |b| {
        b.iter(|| compat::diff(black_box(&ok_old), black_box(&ok_new)))
    });
    group.bench_function(
        "compatible pair: apache-avro mutual_read (both directions)",
        |b| {
            b.iter(|| {
                SchemaCompatibility::mutual_read(black_box(&their_ok_old), black_box(&their_ok_new))
            })
        },
    );
    group.finish();

    let repeated: Vec<avro::Schema> = (0..1000).map(|v| version(v / 10, "")).collect();
    let distinct: Vec<avro::Schema> = (0..1000)
        .map(|v| version(v / 10, &format!("v{v}")))
        .collect();
    let latest = version(100, "");
    let (repeated, distinct): (Vec<&avro::Schema>, Vec<&avro::Schema>) =
        (repeated.iter().collect(), distinct.iter().collect());
    let mut group = c.benchmark_group("history-1000");
    group.bench_function("FULL_TRANSITIVE, 100 distinct versions x10", |b| {
        b.iter(|| {
            compat::check_history(
                black_box(&repeated),
                black_box(&latest),
                Level::FullTransitive,
            )
        })
    });
    group.bench_function("FULL_TRANSITIVE, 1000 distinct versions", |b| {
        b.iter(|| {
            compat::check_history(
                black_box(&distinct),
                black_box(&latest),
                Level::FullTransitive,
            )
        })
    });
    group.finish();
}

/// Column `i` of the wide Arrow schema: eight shapes, three of them nested.
fn arrow_column(i: usize) -> Field {
    let name = format!("c{i}");
    match i % 8 {
        0 => Field::new(name, DataType::Int64, false),
        1 => Field::new(name, DataType::Utf8, true),
        2 => Field::new(
            name,
            DataType::Struct(Fields::from(vec![
                Field::new("a", DataType::Int32, false),
                Field::new("b", DataType::Float64, true),
                Field::new(
                    "c",
                    DataType::Struct(Fields::from(vec![Field::new("d", DataType::Utf8, true)])),
                    true,
                ),
            ])),
            true,
        ),
        3 => Field::new_list(
            name,
            Field::new_struct(
                "item",
                vec![
                    Field::new("sku", DataType::Utf8, false),
                    Field::new("qty", DataType::Int32, false),
                ],
                true,
            ),
            true,
        ),
        4 => Field::new_map(
            name,
            "entries",
            Field::new("key", DataType::Utf8, false),
            Field::new("value", DataType::Int64, true),
            false,
            true,
        ),
        5 => Field::new(name, DataType::Decimal128(18, 4), false),
        6 => Field::new(
            name,
            DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
            false,
        ),
        _ => Field::new_dictionary(name, DataType::Int16, DataType::Utf8, true),
    }
}

/// The wide Arrow schema, and a copy with every hundredth column edited in one of five ways.
fn wide_arrow_pair(n: usize) -> (Schema, Schema) {
    let old: Vec<Field> = (0..n).map(arrow_column).collect();
    let mut new = Vec::with_capacity(n + n / 100);
    for (i, field) in old.iter().enumerate() {
        if i % 100 != 0 {
            new.push(field.clone());
            continue;
        }
        match (i / 100) % 5 {
            0 => new.push(field.clone().with_nullable(!field.is_nullable())),
            1 => {} // removed
            2 => {
                new.push(field.clone());
                new.push(Field::new(format!("added{i}"), DataType::Utf8, true));
            }
            3 => new.push(field.clone().with_name(format!("renamed{i}"))),
            _ => new.push(field.clone().with_data_type(DataType::LargeUtf8)),
        }
    }
    (Schema::new(old), Schema::new(new))
}

fn arrow_benches(c: &mut Criterion) {
    let (old, new) = wide_arrow_pair(10_000);
    let changes = compat::diff(&old, &new).changes.len();
    println!("10,000-column Arrow diff: {changes} changes");
    let mut group = c.benchmark_group("arrow-wide-10k");
    group.bench_function("accord diff (both directions, every change)", |b| {
        b.iter(|| compat::diff(black_box(&old), black_box(&new)))
    });
    group.bench_function("accord check at BACKWARD", |b| {
        b.iter(|| compat::check_history(&[black_box(&old)], black_box(&new), Level::Backward))
    });
    group.finish();
}

/// A union of `n` one-field records, in the given order.
fn union_of_records(order: impl Iterator<Item = usize>) -> avro::Schema {
    let branches: Vec<Value> = order
        .map(|i| json!({"type": "record", "name": format!("R{i}"), "fields": [{"name": "f", "type": "int"}]}))
        .collect();
    avro::parse(&Value::Array(branches).to_string()).unwrap()
}

/// A 100,000-branch union checked against its own reversal: every branch's counterpart is
/// found by lookup (it took 51 s of scanning before).
fn union_benches(c: &mut Criterion) {
    // `cargo test --benches` runs each benchmark once, unoptimized: a small union does.
    let n = if std::env::args().any(|a| a == "--bench") {
        100_000
    } else {
        1_000
    };
    let (old, reversed) = (union_of_records(0..n), union_of_records((0..n).rev()));
    let mut group = c.benchmark_group("union-100k");
    group.sample_size(10);
    group.bench_function("check against its reversal at FULL", |b| {
        b.iter(|| compat::check_history(&[black_box(&old)], black_box(&reversed), Level::Full))
    });
    group.finish();
}

criterion_group! {
    name = compat_benches;
    config = Criterion::default().sample_size(30);
    targets = benches, arrow_benches, union_benches
}
criterion_main!(compat_benches);
