//! The engine's resolution semantics on cases that matter most, beyond the fixture catalog.

use accord::avro;
use accord::compat::{self, Bump, Directions, Level};

fn schema(text: &str) -> avro::Schema {
    avro::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn breaks(old: &str, new: &str) -> Directions {
    compat::diff(&schema(old), &schema(new)).breaks()
}

fn codes(old: &str, new: &str) -> Vec<&'static str> {
    compat::diff(&schema(old), &schema(new))
        .changes
        .iter()
        .map(|c| c.rule.code)
        .collect()
}

#[test]
fn primitive_promotions_follow_the_specification() {
    use avro::Primitive::*;
    let promotions = [
        (Int, Long),
        (Int, Float),
        (Int, Double),
        (Long, Float),
        (Long, Double),
        (Float, Double),
        (String, Bytes),
        (Bytes, String),
    ];
    for writer in avro::Primitive::ALL {
        for reader in avro::Primitive::ALL {
            let expected = writer == reader || promotions.contains(&(writer, reader));
            assert_eq!(
                reader.reads(writer),
                expected,
                "{reader:?} reading {writer:?}"
            );
            let got = breaks(
                &format!("\"{}\"", writer.name()),
                &format!("\"{}\"", reader.name()),
            );
            assert_eq!(!got.backward, expected, "backward {writer:?} -> {reader:?}");
        }
    }
}

#[test]
fn every_incompatibility_is_reported_not_only_the_first() {
    let old = r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"string"},{"name":"c","type":"long"}]}"#;
    let new = r#"{"type":"record","name":"R","fields":[{"name":"a","type":"string"},{"name":"b","type":"int"},{"name":"d","type":"long"}]}"#;
    let findings = compat::check(&schema(old), &schema(new));
    let found: Vec<_> = findings
        .iter()
        .map(|f| (f.rule.code, f.reader_path.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            ("AV201", "$.fields[0].type"),
            ("AV201", "$.fields[1].type"),
            ("AV102", "$.fields[2]")
        ]
    );
}

#[test]
fn reader_and_writer_paths_follow_the_direction() {
    let old = r#"{"type":"record","name":"R","fields":[{"name":"x","type":"int"},{"name":"a","type":"int"}]}"#;
    let new = r#"{"type":"record","name":"R","fields":[{"name":"a","type":"long"}]}"#;
    // Forward: the old schema reads new data; it is the reader.
    let findings = compat::check(&schema(new), &schema(old));
    // Seen from the reader, long -> int is a narrowing.
    let narrowing = findings
        .iter()
        .find(|f| f.rule.code == "AV203")
        .expect("int reader, long writer");
    assert_eq!(narrowing.reader_path, "$.fields[1].type");
    assert_eq!(narrowing.writer_path, "$.fields[0].type");
}

#[test]
fn field_renamed_with_alias_reads_backward_only() {
    let old = r#"{"type":"record","name":"R","fields":[{"name":"amount","type":"int"}]}"#;
    let new = r#"{"type":"record","name":"R","fields":[{"name":"total","type":"long","aliases":["amount"]}]}"#;
    assert_eq!(codes(old, new), ["AV105", "AV111", "AV202", "AV104"]);
    // Backward reads through the alias. Forward, the old reader finds no `amount` and it has no
    // default: that is what breaks, not the promotion inside, which forward never reaches.
    let diff = compat::diff(&schema(old), &schema(new));
    assert_eq!(diff.changes[0].breaks, Directions::NONE);
    assert_eq!(
        diff.changes[2].breaks,
        Directions::NONE,
        "masked: forward never reaches the type"
    );
    assert_eq!(diff.changes[3].breaks, Directions::FORWARD);
}

#[test]
fn named_types_match_by_unqualified_name_or_reader_alias() {
    let old = r#"{"type":"record","name":"a.Order","fields":[{"name":"id","type":"long"}]}"#;
    let moved = r#"{"type":"record","name":"b.Order","fields":[{"name":"id","type":"long"}]}"#;
    assert_eq!(breaks(old, moved), Directions::NONE);
    assert_eq!(codes(old, moved), ["AV402"]);
    let renamed = r#"{"type":"record","name":"a.Purchase","fields":[{"name":"id","type":"long"}]}"#;
    assert_eq!(breaks(old, renamed), Directions::BOTH);
    let relative_alias = r#"{"type":"record","name":"Purchase","namespace":"a","aliases":["Order"],"fields":[{"name":"id","type":"long"}]}"#;
    assert_eq!(breaks(old, relative_alias), Directions::FORWARD);
    let wrong_namespace_alias = r#"{"type":"record","name":"Purchase","namespace":"a","aliases":["c.Order"],"fields":[{"name":"id","type":"long"}]}"#;
    assert_eq!(breaks(old, wrong_namespace_alias), Directions::BOTH);
}

#[test]
fn recursive_types_terminate_and_compare() {
    let old = r#"{"type":"record","name":"Node","fields":[{"name":"v","type":"int"},{"name":"kids","type":{"type":"array","items":"Node"}}]}"#;
    let new = r#"{"type":"record","name":"Node","fields":[{"name":"v","type":"long"},{"name":"kids","type":{"type":"array","items":"Node"}},{"name":"tag","type":"string","default":""}]}"#;
    assert_eq!(codes(old, new), ["AV202", "AV101"]);
    assert_eq!(breaks(old, new), Directions::FORWARD);
}

#[test]
fn unions_resolve_in_every_combination() {
    // union -> wider union
    assert_eq!(
        breaks(r#"["null","int"]"#, r#"["null","int","string"]"#),
        Directions::FORWARD
    );
    // non-union -> union containing it
    assert_eq!(
        breaks(r#""string""#, r#"["null","string"]"#),
        Directions::FORWARD
    );
    // union -> non-union
    assert_eq!(
        breaks(r#"["null","string"]"#, r#""string""#),
        Directions::BACKWARD
    );
    // a removed branch that promotes to a remaining one
    assert_eq!(
        breaks(r#"["int","string"]"#, r#"["long","string"]"#),
        Directions::FORWARD
    );
    // single-branch union is the type itself
    assert_eq!(breaks(r#"["int"]"#, r#""int""#), Directions::NONE);
}

#[test]
fn decimal_resolves_only_with_equal_precision_and_scale() {
    let d =
        |p, s| format!(r#"{{"type":"bytes","logicalType":"decimal","precision":{p},"scale":{s}}}"#);
    assert_eq!(breaks(&d(10, 2), &d(10, 2)), Directions::NONE);
    assert_eq!(breaks(&d(10, 2), &d(12, 2)), Directions::BOTH);
    assert_eq!(breaks(&d(10, 2), &d(10, 3)), Directions::BOTH);
    // Other logical types resolve by their underlying type.
    assert_eq!(
        breaks(
            r#"{"type":"long","logicalType":"timestamp-millis"}"#,
            r#"{"type":"long","logicalType":"timestamp-micros"}"#
        ),
        Directions::NONE
    );
}

#[test]
fn bump_follows_the_level() {
    let old = schema(r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}"#);
    let doc_only =
        schema(r#"{"type":"record","name":"R","doc":"hi","fields":[{"name":"a","type":"int"}]}"#);
    let added = schema(
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"int","default":0}]}"#,
    );
    let promoted = schema(r#"{"type":"record","name":"R","fields":[{"name":"a","type":"long"}]}"#);
    let same = schema(
        r#"{ "fields": [ {"type": {"type": "int"}, "name": "a"} ], "name": "R", "type": "record" }"#,
    );
    let bump = |new: &avro::Schema, level| compat::check_history(&[&old], new, level).bump;
    assert_eq!(bump(&same, Level::Full), Bump::None);
    assert_eq!(bump(&doc_only, Level::Full), Bump::Patch);
    assert_eq!(bump(&added, Level::Full), Bump::Minor);
    assert_eq!(bump(&promoted, Level::Backward), Bump::Minor);
    assert_eq!(bump(&promoted, Level::Forward), Bump::Major);
}

#[test]
fn transitive_history_checks_identical_versions_once_and_names_all() {
    let v = schema(r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}"#);
    let new = schema(r#"{"type":"record","name":"R","fields":[{"name":"a","type":"string"}]}"#);
    let history = vec![&v, &v, &v];
    let report = compat::check_history(&history, &new, Level::FullTransitive);
    assert!(!report.compatible);
    // One finding per direction, each naming all three versions.
    assert_eq!(report.findings.len(), 2);
    assert_eq!(report.findings[0].against, [1, 2, 3]);
    let plain = compat::check_history(&history, &new, Level::Full);
    assert_eq!(plain.findings[0].against, [3]);
}

// Regressions: cases the first release got wrong.

#[test]
fn an_unpaired_branch_must_resolve_completely_not_only_by_name() {
    // A fixed of the same unqualified name but another size does not match.
    assert_eq!(
        breaks(
            r#"["null",{"type":"fixed","name":"a.F","size":4}]"#,
            r#"["null",{"type":"fixed","name":"a.F","size":4},{"type":"fixed","name":"b.F","size":8}]"#
        ),
        Directions::FORWARD
    );
    // A record of the same unqualified name is resolved field by field.
    assert_eq!(
        breaks(
            r#"["null",{"type":"record","name":"a.R","fields":[{"name":"x","type":"int"}]}]"#,
            r#"["null",{"type":"record","name":"a.R","fields":[{"name":"x","type":"int"}]},{"type":"record","name":"b.R","fields":[{"name":"y","type":"string"}]}]"#
        ),
        Directions::FORWARD
    );
    // An enum of the same unqualified name must know the symbol.
    assert_eq!(
        breaks(
            r#"["null",{"type":"enum","name":"a.E","symbols":["X"]},{"type":"enum","name":"b.E","symbols":["Y"]}]"#,
            r#"["null",{"type":"enum","name":"a.E","symbols":["X"]}]"#
        ),
        Directions::BACKWARD
    );
}

#[test]
fn union_branches_pair_by_exact_name_before_alias() {
    let old = r#"["null",{"type":"record","name":"A","aliases":["B"],"fields":[{"name":"x","type":"int"}]}]"#;
    let new = r#"["null",{"type":"record","name":"B","fields":[{"name":"x","type":"int"}]},{"type":"record","name":"A","fields":[{"name":"x","type":"int"}]}]"#;
    assert_eq!(breaks(old, new), Directions::NONE);
    let old = r#"["null",{"type":"record","name":"A","fields":[{"name":"x","type":"string"}]},{"type":"record","name":"B","fields":[{"name":"x","type":"int"}]}]"#;
    let new = r#"["null",{"type":"record","name":"B","aliases":["A"],"fields":[{"name":"x","type":"string"}]}]"#;
    // B is compared with B (int against string), not with A.
    assert_eq!(breaks(old, new), Directions::BOTH);
}

#[test]
fn each_direction_pairs_fields_through_its_own_readers_aliases() {
    // Backward, new `b` reads old `a` (its alias); forward, old `c` reads new `b` (its alias).
    let old = r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":0},{"name":"c","type":"int","aliases":["b"]}]}"#;
    let new =
        r#"{"type":"record","name":"R","fields":[{"name":"b","type":"int","aliases":["a"]}]}"#;
    assert_eq!(breaks(old, new), Directions::NONE);
    // The same pairing, with string -> int on the forward pair only.
    let old = r#"{"type":"record","name":"R","fields":[{"name":"a","type":"string","default":""},{"name":"c","type":"int","default":0,"aliases":["b"]}]}"#;
    let new =
        r#"{"type":"record","name":"R","fields":[{"name":"b","type":"string","aliases":["a"]}]}"#;
    assert_eq!(breaks(old, new), Directions::FORWARD);
}

#[test]
fn changes_inside_a_named_type_are_reported_once_at_its_definition() {
    let old = r#"{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"record","name":"S","fields":[{"name":"x","type":"int"}]}},{"name":"s2","type":"S"}]}"#;
    let new = r#"{"type":"record","name":"R","fields":[{"name":"b","aliases":["a"],"type":{"type":"record","name":"S","fields":[{"name":"x","type":"long"}]}},{"name":"s2","type":"S"}]}"#;
    let diff = compat::diff(&schema(old), &schema(new));
    let promotions: Vec<_> = diff
        .changes
        .iter()
        .filter(|c| c.rule.code == "AV202")
        .collect();
    assert_eq!(promotions.len(), 1, "{:?}", diff.changes);
    assert_eq!(
        promotions[0].breaks,
        Directions::FORWARD,
        "s2 reaches S forward"
    );
    assert_eq!(promotions[0].new_path, "$.fields[0].type.fields[0].type");

    // S is defined under `a` in the old schema and under `b` in the new one.
    let old = r#"{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"record","name":"S","fields":[{"name":"x","type":"int"}]}},{"name":"b","type":"S"}]}"#;
    let new = r#"{"type":"record","name":"R","fields":[{"name":"b","type":{"type":"record","name":"S","fields":[{"name":"x","type":"string"}]}},{"name":"a","type":"S"}]}"#;
    let diff = compat::diff(&schema(old), &schema(new));
    let changed = diff
        .changes
        .iter()
        .find(|c| c.rule.code == "AV201")
        .unwrap();
    assert_eq!(changed.old_path, "$.fields[0].type.fields[0].type");
    assert_eq!(changed.new_path, "$.fields[0].type.fields[0].type");
}

/// A union of `n` records `R0..`, each with one field, in the order `order` gives.
fn union_of_records(order: impl Iterator<Item = usize>, rename: Option<usize>) -> avro::Schema {
    let branches: Vec<serde_json::Value> = order
        .map(|i| {
            let name = if rename == Some(i) {
                serde_json::json!({"name": format!("Renamed{i}"), "aliases": [format!("ns.R{i}")]})
            } else {
                serde_json::json!({"name": format!("R{i}")})
            };
            let mut record = serde_json::json!({"type": "record", "namespace": "ns", "fields": [{"name": "f", "type": "int"}]});
            record["name"] = name["name"].clone();
            if let Some(aliases) = name.get("aliases") {
                record["aliases"] = aliases.clone();
            }
            record
        })
        .collect();
    avro::parse(&serde_json::Value::Array(branches).to_string()).unwrap()
}

#[test]
fn large_unions_pair_their_branches_by_name_and_alias_in_any_order() {
    // Above the size from which branches are looked up in an index rather than scanned.
    let n = 200;
    let old = union_of_records(0..n, None);
    let reversed = union_of_records((0..n).rev(), None);
    let codes: Vec<&str> = compat::diff(&old, &reversed)
        .changes
        .iter()
        .map(|c| c.rule.code)
        .collect();
    assert_eq!(codes, ["AV313"], "only the order changed");

    // One branch renamed with an alias, one removed: found as such, not as 200 changes.
    let mut edited: Vec<usize> = (0..n).rev().collect();
    edited.retain(|&i| i != 7);
    let edited = union_of_records(edited.into_iter(), Some(42));
    let diff = compat::diff(&old, &edited);
    let mut codes: Vec<&str> = diff.changes.iter().map(|c| c.rule.code).collect();
    codes.sort_unstable();
    codes.dedup();
    assert!(codes.contains(&"AV312"), "{codes:?}");
    assert!(codes.contains(&"AV401"), "{codes:?}");
    assert!(
        !codes.contains(&"AV311"),
        "the renamed branch pairs by its alias: {codes:?}"
    );
    assert!(
        compat::check(&old, &edited)
            .iter()
            .all(|f| f.rule.code != "AV311")
    );
}
