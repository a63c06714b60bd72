//! Parsing and validation: what the specification rejects is rejected with the problem and its
//! JSON path; what it says to ignore is accepted; nothing panics or overflows the stack.

use accord::avro::{self, Kind, Logical, MAX_DEPTH};

fn error(text: &str) -> (String, String) {
    let e = avro::parse(text).expect_err(text);
    (e.message, e.location)
}

#[test]
fn rejects_invalid_schemas_with_problem_and_path() {
    let cases: &[(&str, &str, &str)] = &[
        // (schema, message fragment, location)
        (
            r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},]}"#,
            "invalid JSON: trailing comma",
            "line 1, column 65",
        ),
        (
            r#"{"type":"record","name":"R","fields":[{"name":"a","type":"strin"}]}"#,
            "unknown type `strin`",
            "$.fields[0].type",
        ),
        (r#"{"type":"wat"}"#, "unknown type `wat`", "$.type"),
        (r#"{"type":"record","fields":[]}"#, "needs a `name`", "$"),
        (r#"{"type":"enum","symbols":["A"]}"#, "needs a `name`", "$"),
        (
            r#"{"type":"record","name":"9lives","fields":[]}"#,
            "invalid name `9lives`",
            "$.name",
        ),
        (
            r#"{"type":"record","name":"R","namespace":"a..b","fields":[]}"#,
            "invalid namespace",
            "$.namespace",
        ),
        (
            r#"{"type":"record","name":"R","fields":[{"name":"a-b","type":"int"}]}"#,
            "invalid field name `a-b`",
            "$.fields[0].name",
        ),
        (
            r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"a","type":"long"}]}"#,
            "duplicate field name `a`",
            "$.fields[1].name",
        ),
        (
            r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"long","aliases":["a"]}]}"#,
            "duplicate field alias `a`",
            "$.fields[1].aliases",
        ),
        (
            r#"{"type":"enum","name":"E","symbols":["A","B","A"]}"#,
            "duplicate enum symbol `A`",
            "$.symbols[2]",
        ),
        (
            r#"{"type":"enum","name":"E","symbols":["A","no-dash"]}"#,
            "invalid enum symbol",
            "$.symbols[1]",
        ),
        (
            r#"{"type":"enum","name":"E","symbols":["A"],"default":"B"}"#,
            "not one of the enum's symbols",
            "$.default",
        ),
        (
            r#"["int","string","int"]"#,
            "duplicate type `int` in union",
            "$[2]",
        ),
        (
            r#"[{"type":"array","items":"int"},{"type":"array","items":"long"}]"#,
            "duplicate type `array`",
            "$[1]",
        ),
        (
            r#"["null",["int","long"]]"#,
            "must not directly contain another union",
            "$[1]",
        ),
        (r#"{"type":"fixed","name":"F"}"#, "needs a `size`", "$"),
        (
            r#"{"type":"fixed","name":"F","size":-1}"#,
            "non-negative integer",
            "$.size",
        ),
        (r#"{"type":"array"}"#, "needs `items`", "$"),
        (r#"{"type":"map"}"#, "needs `values`", "$"),
        (
            r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":"x"}]}"#,
            "default of field `a` does not fit",
            "$.fields[0].default",
        ),
        (
            r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":3000000000}]}"#,
            "an int",
            "$.fields[0].default",
        ),
        (
            r#"{"type":"record","name":"R","fields":[{"name":"a","type":["null","int"],"default":"x"}]}"#,
            "matches no branch",
            "$.fields[0].default",
        ),
        (
            r#"{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"record","name":"S","fields":[{"name":"x","type":"int"}]},"default":{"x":"no"}}]}"#,
            "(at `.x`)",
            "$.fields[0].default",
        ),
        (
            r#"{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"record","name":"S","fields":[{"name":"x","type":"int"}]},"default":{}}]}"#,
            "field `x` is missing and has no default",
            "$.fields[0].default",
        ),
        (
            r#"{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"fixed","name":"F","size":2},"default":"abc"}]}"#,
            "exactly 2 characters",
            "$.fields[0].default",
        ),
        (
            r#"{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"enum","name":"E","symbols":["A"]},"default":"B"}]}"#,
            "a symbol of enum E",
            "$.fields[0].default",
        ),
        (
            r#"{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"array","items":"int"},"default":[1,"2"]}]}"#,
            "(at `[1]`)",
            "$.fields[0].default",
        ),
        (
            r#"{"type":"record","name":"R","fields":[{"name":"a","type":"bytes","default":"\u0100"}]}"#,
            "bytes string",
            "$.fields[0].default",
        ),
        (
            r#"{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"enum","name":"R","symbols":["A"]}}]}"#,
            "redefined named type `R`",
            "$.fields[0].type.name",
        ),
        (
            r#"{"type":"record","name":"int","fields":[]}"#,
            "primitive type name",
            "$.name",
        ),
        (
            r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int","order":"up"}]}"#,
            "`order` must be",
            "$.fields[0].order",
        ),
        (
            r#"{"type":"record","name":"R","fields":{}}"#,
            "`fields` must be an array",
            "$.fields",
        ),
        (
            r#"{"type":"record","name":"R","fields":[{"type":"int"}]}"#,
            "needs a `name`",
            "$.fields[0]",
        ),
        (
            r#"{"type":"record","name":"R","fields":[{"name":"a"}]}"#,
            "needs a `type`",
            "$.fields[0]",
        ),
        (r#"{"name":"R"}"#, "missing `type`", "$"),
        (r#"42"#, "expected a schema", "$"),
        (r#""record""#, "must be declared as an object", "$"),
    ];
    for (schema, fragment, location) in cases {
        let (message, at) = error(schema);
        assert!(
            message.contains(fragment),
            "{schema}\n  message `{message}` lacks `{fragment}`"
        );
        assert_eq!(&at, location, "{schema}\n  message: {message}");
    }
}

#[test]
fn accepts_what_the_specification_says_to_ignore_or_allow() {
    // An invalid logical type falls back to its underlying type.
    let s =
        avro::parse(r#"{"type":"bytes","logicalType":"decimal","precision":2,"scale":5}"#).unwrap();
    assert_eq!(s.root().logical, None);
    assert!(
        s.normalized_form().contains("logicalType"),
        "kept as an attribute"
    );
    let s = avro::parse(r#"{"type":"string","logicalType":"date"}"#).unwrap();
    assert_eq!(s.root().logical, None);
    let s = avro::parse(r#"{"type":"long","logicalType":"made-up"}"#).unwrap();
    assert_eq!(s.root().logical, None);
    // Valid ones are recognised.
    let s = avro::parse(r#"{"type":"bytes","logicalType":"decimal","precision":10,"scale":2}"#)
        .unwrap();
    assert_eq!(
        s.root().logical,
        Some(Logical::Decimal {
            precision: 10,
            scale: 2
        })
    );
    // Avro 1.12: a union default may match any branch.
    avro::parse(
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":["null","int"],"default":3}]}"#,
    )
    .unwrap();
    // A recursive type, and a nested record default that leans on a field's own default.
    avro::parse(r#"{"type":"record","name":"Node","fields":[{"name":"v","type":"int"},{"name":"next","type":["null","Node"],"default":null}]}"#).unwrap();
    avro::parse(r#"{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"record","name":"S","fields":[{"name":"x","type":"int","default":1},{"name":"y","type":"string"}]},"default":{"y":"z"}}]}"#).unwrap();
    // Unknown attributes are metadata.
    avro::parse(r#"{"type":"record","name":"R","x-owner":"payments","fields":[{"name":"a","type":"int","x-pii":true}]}"#).unwrap();
}

#[test]
fn resolves_names_through_namespaces_and_aliases() {
    let s = avro::parse(
        r#"{"type":"record","name":"Order","namespace":"shop","aliases":["Purchase","legacy.Order"],"fields":[
            {"name":"a","type":{"type":"enum","name":"Status","symbols":["A"]}},
            {"name":"b","type":"Status"},
            {"name":"c","type":"shop.Status"},
            {"name":"d","type":{"type":"fixed","name":"Id","namespace":"","size":16}},
            {"name":"e","type":"Id"}
        ]}"#,
    )
    .unwrap();
    let order = s.lookup("shop.Order").unwrap();
    let aliases: Vec<&str> = order.aliases.iter().map(|a| a.full.as_str()).collect();
    assert_eq!(aliases, ["shop.Purchase", "legacy.Order"]);
    assert!(s.lookup("shop.Status").is_some());
    assert!(
        s.lookup("Id").is_some(),
        "an empty namespace is the null namespace"
    );
}

#[test]
fn deeply_nested_schemas_are_rejected_cleanly() {
    let depth = 10_000;
    let arrays = format!(
        "{}\"int\"{}",
        r#"{"type":"array","items":"#.repeat(depth),
        "}".repeat(depth)
    );
    let (message, _) = error(&arrays);
    assert!(
        message.contains(&format!("nested more than {MAX_DEPTH} levels")),
        "{message}"
    );

    let records = format!(
        "{}\"int\"{}",
        r#"{"type":"record","name":"R","fields":[{"name":"f","type":"#.repeat(depth),
        "}]}".repeat(depth)
    );
    assert!(avro::parse(&records).is_err());
    let unions = format!("{}\"int\"{}", "[".repeat(depth), "]".repeat(depth));
    assert!(avro::parse(&unions).is_err());
}

#[test]
fn nesting_within_the_limit_parses() {
    let depth = MAX_DEPTH - 2;
    let arrays = format!(
        "{}\"int\"{}",
        r#"{"type":"array","items":"#.repeat(depth),
        "}".repeat(depth)
    );
    let s = avro::parse(&arrays).unwrap();
    assert!(matches!(s.root().kind, Kind::Array(_)));
    assert_eq!(
        avro::parse(&s.normalized_form()).unwrap().normalized_form(),
        s.normalized_form()
    );
}

#[test]
fn five_megabyte_schema_parses() {
    let mut fields = Vec::new();
    let mut i = 0;
    let mut size = 0;
    while size < 5 * 1024 * 1024 {
        let field = format!(
            r#"{{"name":"field_{i}","type":["null","string",{{"type":"record","name":"Nested{i}","fields":[{{"name":"x","type":"long","default":0}}]}}],"default":null,"doc":"field number {i}"}}"#
        );
        size += field.len();
        fields.push(field);
        i += 1;
    }
    let text = format!(
        r#"{{"type":"record","name":"Big","fields":[{}]}}"#,
        fields.join(",")
    );
    assert!(text.len() >= 5 * 1024 * 1024);
    let s = avro::parse(&text).unwrap();
    assert_eq!(s.named_types().len(), i + 1);
    // The diff of something that large against itself finds nothing.
    assert!(accord::compat::diff(&s, &s).changes.is_empty());
}

#[test]
fn a_long_chain_of_named_references_does_not_overflow_the_stack() {
    // Each record refers to the previous one by name, so the walk follows references far deeper
    // than the JSON nesting.
    let n = 5_000;
    let mut fields = vec![r#"{"name":"f0","type":{"type":"record","name":"T0","fields":[{"name":"v","type":"int"}]}}"#.to_string()];
    for i in 1..n {
        fields.push(format!(
            r#"{{"name":"f{i}","type":{{"type":"record","name":"T{i}","fields":[{{"name":"prev","type":"T{}"}}]}}}}"#,
            i - 1
        ));
    }
    let mut text = format!(
        r#"{{"type":"record","name":"Root","fields":[{}]}}"#,
        fields.join(",")
    );
    let old = avro::parse(&text).unwrap();
    text = text.replace(
        r#"{"name":"v","type":"int"}"#,
        r#"{"name":"v","type":"string"}"#,
    );
    let new = avro::parse(&text).unwrap();
    // Run on a small stack, as test threads and server workers have.
    let changes = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || accord::compat::diff(&old, &new).changes.len())
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(changes, 1);
}

// Regressions: cases the first release got wrong.

#[test]
fn a_huge_fixed_decimal_size_does_not_overflow() {
    let s = avro::parse(r#"{"type":"fixed","name":"F","size":2305843009213693952,"logicalType":"decimal","precision":10}"#).unwrap();
    assert!(s.named_types()[0].logical.is_some());
}

#[test]
fn type_aliases_share_the_uniqueness_of_names() {
    let (message, at) = error(
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"record","name":"A","fields":[]}},{"name":"b","type":{"type":"record","name":"B","aliases":["A"],"fields":[]}}]}"#,
    );
    assert!(
        message.contains("alias `A` is already the name of a type"),
        "{message}"
    );
    assert_eq!(at, "$.fields[1].type.aliases[0]");
    let (message, _) = error(
        r#"{"type":"record","name":"R","aliases":["X"],"fields":[{"name":"b","type":{"type":"record","name":"B","aliases":["X"],"fields":[]}}]}"#,
    );
    assert!(message.contains("already an alias of `R`"), "{message}");
    let (message, _) = error(
        r#"{"type":"record","name":"R","aliases":["B"],"fields":[{"name":"b","type":{"type":"record","name":"B","fields":[]}}]}"#,
    );
    assert!(message.contains("already an alias of `R`"), "{message}");
    // Repeating one's own name or alias is harmless.
    avro::parse(r#"{"type":"record","name":"R","aliases":["R","X","X"],"fields":[{"name":"a","type":"int","aliases":["a","b","b"]}]}"#).unwrap();
}

#[test]
fn a_dotted_name_ignores_the_namespace_attribute() {
    let s =
        avro::parse(r#"{"type":"record","name":"a.B","namespace":"1bad","fields":[]}"#).unwrap();
    assert!(s.lookup("a.B").is_some());
}

#[test]
fn error_types_canonicalize_as_records_like_java() {
    let s =
        avro::parse(r#"{"type":"error","name":"Oops","fields":[{"name":"m","type":"string"}]}"#)
            .unwrap();
    assert_eq!(
        s.canonical_form(),
        r#"{"name":"Oops","type":"record","fields":[{"name":"m","type":"string"}]}"#
    );
    assert!(s.normalized_form().contains(r#""type":"error""#));
}

/// Parsing on top of a parsed reference (what the registry does along a chain of references)
/// gives the schema that parsing every text gives, and refuses what that refuses.
#[test]
fn parsing_on_a_parsed_reference_equals_parsing_the_texts() {
    let country = r#"{"type":"enum","name":"Country","namespace":"geo","symbols":["FR","DE"],"aliases":["Land"]}"#;
    let address = r#"{"type":"record","name":"Address","namespace":"geo","fields":[{"name":"country","type":"Country","default":"FR"}]}"#;
    let customer = r#"{"type":"record","name":"Customer","fields":[{"name":"home","type":"geo.Address"},{"name":"tags","type":{"type":"map","values":"geo.Country"}}]}"#;
    let base = avro::parse_with_references(address, &[("country", country)]).unwrap();
    let shared = avro::parse_importing(customer, &base).unwrap();
    let from_texts =
        avro::parse_with_references(customer, &[("country", country), ("address", address)])
            .unwrap();
    assert_eq!(shared, from_texts);
    assert_eq!(shared.normalized_form(), from_texts.normalized_form());
    assert_eq!(shared.named_types().len(), 3);

    for clash in [
        r#"{"type":"record","name":"Country","namespace":"geo","fields":[]}"#,
        r#"{"type":"record","name":"R","aliases":["geo.Land"],"fields":[]}"#,
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"Unknown"}]}"#,
    ] {
        let shared = avro::parse_importing(clash, &base).unwrap_err();
        let texts =
            avro::parse_with_references(clash, &[("country", country), ("address", address)])
                .unwrap_err();
        assert_eq!(shared.message, texts.message, "{clash}");
    }
}
