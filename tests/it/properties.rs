//! Invariants over generated schemas.

use accord::avro;
use accord::compat::{self, Level};
use proptest::prelude::*;
use serde_json::{Value, json};

/// A type without named types (names are assigned afterwards to keep them unique).
fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!("null")),
        Just(json!("boolean")),
        Just(json!("int")),
        Just(json!("long")),
        Just(json!("float")),
        Just(json!("double")),
        Just(json!("bytes")),
        Just(json!("string")),
        Just(json!({"type": "long", "logicalType": "timestamp-millis"})),
        Just(json!({"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2})),
        prop::sample::subsequence(vec!["A", "B", "C", "D"], 1..4)
            .prop_map(|s| json!({"type": "enum", "name": "?", "symbols": s})),
        (1u64..20).prop_map(|size| json!({"type": "fixed", "name": "?", "size": size})),
    ]
}

fn field_names() -> impl Strategy<Value = Vec<&'static str>> {
    prop::sample::subsequence(vec!["a", "b", "c", "d", "e", "f"], 0..6)
}

fn type_tree() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 24, 5, |inner| {
        prop_oneof![
            inner
                .clone()
                .prop_map(|t| json!({"type": "array", "items": t})),
            inner
                .clone()
                .prop_map(|t| json!({"type": "map", "values": t})),
            (
                prop::sample::subsequence(vec!["null", "int", "string", "double"], 1..4),
                inner.clone()
            )
                .prop_map(|(prims, t)| {
                    let mut branches: Vec<Value> = prims.into_iter().map(|p| json!(p)).collect();
                    if !t.is_array() && !branches.contains(&t) && t.as_str().is_none() {
                        branches.push(t);
                    }
                    Value::Array(branches)
                }),
            (
                field_names(),
                prop::collection::vec((inner, any::<bool>()), 6)
            )
                .prop_map(|(names, types)| {
                    let fields: Vec<Value> = names
                        .iter()
                        .zip(types)
                        .map(|(name, (t, nullable_default))| {
                            if nullable_default && !t.is_array() {
                                json!({"name": name, "type": ["null", t], "default": null})
                            } else {
                                json!({"name": name, "type": t})
                            }
                        })
                        .collect();
                    json!({"type": "record", "name": "?", "fields": fields})
                }),
        ]
    })
}

/// A record schema; named types get unique names in document order.
fn schema_json() -> impl Strategy<Value = Value> {
    (field_names(), prop::collection::vec(type_tree(), 6)).prop_map(|(names, types)| {
        let fields: Vec<Value> = names
            .iter()
            .zip(types)
            .map(|(n, t)| json!({"name": n, "type": t}))
            .collect();
        let mut root = json!({"type": "record", "name": "?", "fields": fields});
        let mut counter = 0;
        name_types(&mut root, &mut counter);
        root
    })
}

fn name_types(value: &mut Value, counter: &mut usize) {
    match value {
        Value::Object(map) => {
            if map.get("name") == Some(&json!("?")) {
                map.insert("name".into(), json!(format!("T{counter}")));
                *counter += 1;
            }
            for v in map.values_mut() {
                name_types(v, counter);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| name_types(v, counter)),
        _ => {}
    }
}

/// Adds a doc and an extra attribute to every named type and field.
fn decorate(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if map.contains_key("name") {
                map.insert("doc".into(), json!("documented"));
                map.insert("x-owner".into(), json!({"team": "payments"}));
            }
            map.values_mut().for_each(decorate);
        }
        Value::Array(items) => items.iter_mut().for_each(decorate),
        _ => {}
    }
}

fn parse(value: &Value) -> Option<avro::Schema> {
    // Generated unions may still be invalid (e.g. two enums); those are simply skipped.
    avro::parse(&value.to_string()).ok()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn a_schema_is_compatible_with_itself(value in schema_json()) {
        if let Some(s) = parse(&value) {
            let diff = compat::diff(&s, &s);
            prop_assert!(diff.changes.is_empty(), "{:?}", diff.changes);
            for level in Level::ALL {
                prop_assert!(compat::check_history(&[&s], &s, level).compatible);
            }
        }
    }

    #[test]
    fn backward_of_a_b_is_forward_of_b_a(a in schema_json(), b in schema_json()) {
        if let (Some(a), Some(b)) = (parse(&a), parse(&b)) {
            let ab = compat::diff(&a, &b).breaks();
            let ba = compat::diff(&b, &a).breaks();
            prop_assert_eq!(ab.backward, ba.forward);
            prop_assert_eq!(ab.forward, ba.backward);
            prop_assert_eq!(
                compat::check_history(&[&a], &b, Level::Backward).compatible,
                compat::check_history(&[&b], &a, Level::Forward).compatible
            );
            // `check(reader, writer)` is the backward direction of writer -> reader.
            prop_assert_eq!(compat::check(&a, &b).is_empty(), !ab.backward);
        }
    }

    #[test]
    fn different_normalized_forms_mean_some_change_is_reported(a in schema_json(), b in schema_json()) {
        if let (Some(a), Some(b)) = (parse(&a), parse(&b)) {
            let changed = a.normalized_form() != b.normalized_form();
            prop_assert_eq!(changed, !compat::diff(&a, &b).changes.is_empty());
        }
    }

    #[test]
    fn docs_and_attributes_change_nothing_resolution_reads(a in schema_json(), b in schema_json()) {
        let mut decorated = a.clone();
        decorate(&mut decorated);
        if let (Some(a), Some(decorated), Some(b)) = (parse(&a), parse(&decorated), parse(&b)) {
            prop_assert_eq!(a.resolution_form(), decorated.resolution_form());
            let breaks = |old: &avro::Schema| {
                compat::check_history(&[old, &b], &b, Level::FullTransitive)
                    .findings
                    .into_iter()
                    .map(|f| (f.rule.code, f.path, f.message, f.against))
                    .collect::<Vec<_>>()
            };
            prop_assert_eq!(breaks(&a), breaks(&decorated));
        }
    }

    #[test]
    fn normalized_form_is_idempotent(value in schema_json()) {
        if let Some(s) = parse(&value) {
            let once = s.normalized_form();
            let again = avro::parse(&once).expect("the normalized form parses");
            prop_assert_eq!(&again.normalized_form(), &once);
            prop_assert_eq!(again.canonical_form(), s.canonical_form());
            prop_assert_eq!(again.fingerprint(), s.fingerprint());
        }
    }

    #[test]
    fn parsing_arbitrary_bytes_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = avro::parse(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn parsing_arbitrary_json_never_panics(value in arbitrary_json()) {
        let _ = avro::parse(&value.to_string());
    }
}

fn arbitrary_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        prop::sample::select(vec![
            "record", "enum", "fixed", "array", "map", "int", "string", "name", "type", "fields",
            "symbols", "items", "R", "a.b"
        ])
        .prop_map(|s| json!(s)),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop::sample::select(vec![
                        "type",
                        "name",
                        "fields",
                        "symbols",
                        "items",
                        "values",
                        "size",
                        "default",
                        "namespace",
                        "aliases",
                        "logicalType"
                    ]),
                    inner
                ),
                0..6
            )
            .prop_map(|entries| Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect()
            )),
        ]
    })
}
