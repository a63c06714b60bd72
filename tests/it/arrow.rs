//! Arrow's JSON schema form: every type read, problems located, the normalized form stable.

use accord::arrow;
use arrow_schema::DataType;

use crate::root;

fn all_types() -> String {
    std::fs::read_to_string(root().join("testdata/arrow/all-types.arrow.json")).unwrap()
}

#[test]
fn every_type_of_the_example_is_read() {
    let schema = arrow::parse(&all_types()).unwrap();
    assert_eq!(schema.fields().len(), 36);
    assert_eq!(schema.metadata()["owner"], "payments-engineering");
    let ty = |name: &str| schema.field_with_name(name).unwrap().data_type().clone();
    assert_eq!(ty("u64"), DataType::UInt64);
    assert_eq!(ty("amount"), DataType::Decimal128(18, 4));
    assert_eq!(ty("big_amount"), DataType::Decimal256(60, 10));
    assert_eq!(
        ty("created_at"),
        DataType::Timestamp(arrow_schema::TimeUnit::Microsecond, Some("UTC".into()))
    );
    assert!(
        matches!(ty("country"), DataType::Dictionary(index, values) if *index == DataType::Int16 && *values == DataType::Utf8)
    );
    assert!(matches!(ty("attributes"), DataType::Map(_, false)));
    assert!(matches!(ty("status"), DataType::RunEndEncoded(_, _)));
}

#[test]
fn the_normalized_form_reads_back_to_the_same_schema() {
    let schema = arrow::parse(&all_types()).unwrap();
    let once = arrow::normalized_form(&schema);
    let again = arrow::parse(&once).unwrap();
    assert_eq!(again, schema);
    assert_eq!(arrow::normalized_form(&again), once);
    // A whole integration file is read through its `schema` key.
    let file = format!(r#"{{"schema": {once}, "batches": []}}"#);
    assert_eq!(arrow::parse(&file).unwrap(), schema);
}

#[test]
fn problems_name_what_and_where() {
    let cases = [
        (
            r#"{"fields": 3}"#,
            "`fields` must be an array, found a number at $.fields",
        ),
        (
            r#"{"fields": [{"name": "a", "nullable": true, "type": {"name": "int", "bitWidth": 12, "isSigned": true}}]}"#,
            "`bitWidth` must be 8, 16, 32 or 64, found 12 at $.fields[0].type.bitWidth",
        ),
        (
            r#"{"fields": [{"name": "a", "nullable": true, "type": {"name": "text"}}]}"#,
            "unknown Arrow type `text` at $.fields[0].type.name",
        ),
        (
            r#"{"fields": [{"name": "a", "type": {"name": "utf8"}}]}"#,
            "field `a` needs `nullable` at $.fields[0]",
        ),
        (
            r#"{"fields": [{"name": "a", "nullable": true, "type": {"name": "utf8"}}, {"name": "a", "nullable": true, "type": {"name": "bool"}}]}"#,
            "duplicate field name `a` (also at $.fields[0]); fields are matched by name at $.fields[1].name",
        ),
        (
            r#"{"fields": [{"name": "l", "nullable": true, "type": {"name": "list"}, "children": []}]}"#,
            "type `list` needs exactly one child, found 0 at $.fields[0].children",
        ),
        (
            r#"{"fields": [{"name": "d", "nullable": true, "type": {"name": "decimal", "precision": 40, "scale": 2}}]}"#,
            "a 128-bit decimal's precision must be 1 to 38, found 40 at $.fields[0].type.precision",
        ),
        (
            r#"{"fields": [{"name": "t", "nullable": true, "type": {"name": "time", "unit": "SECOND", "bitWidth": 64}}]}"#,
            "a time in Second units has bitWidth 32, found 64 at $.fields[0].type.bitWidth",
        ),
        (
            r#"{"fields": [{"name": "c", "nullable": true, "type": {"name": "utf8"}, "dictionary": {"id": 0, "indexType": {"name": "utf8"}}}]}"#,
            "a dictionary index must be an integer type, found Utf8 at $.fields[0].dictionary.indexType",
        ),
        (
            "{\"fields\": [\n  {\"name\": }]}",
            "invalid JSON: expected value at line 2, column 12",
        ),
    ];
    for (text, expected) in cases {
        let err = arrow::parse(text).unwrap_err();
        assert_eq!(err.to_string(), expected, "{text}");
    }
}

#[test]
fn deep_nesting_is_refused_cleanly() {
    let nest = |levels: usize| {
        let mut field =
            r#"{"name": "leaf", "nullable": true, "type": {"name": "utf8"}}"#.to_string();
        for _ in 0..levels {
            field = format!(
                r#"{{"name": "s", "nullable": true, "type": {{"name": "struct"}}, "children": [{field}]}}"#
            );
        }
        format!(r#"{{"fields": [{field}]}}"#)
    };
    arrow::parse(&nest(30)).unwrap();
    let err = arrow::parse(&nest(100)).unwrap_err();
    assert_eq!(
        err.message,
        "invalid JSON: nested more than 128 levels deep"
    );
}

/// The files pyarrow wrote (`testdata/arrow/ipc/generate.py`) hold the schema written by hand in
/// `orders.arrow.json`.
#[test]
fn pyarrow_binary_forms_decode_to_the_same_schema() {
    let dir = root().join("testdata/arrow/ipc");
    let expected =
        arrow::parse(&std::fs::read_to_string(dir.join("orders.arrow.json")).unwrap()).unwrap();
    for file in [
        "orders.schema.arrow",
        "orders.schema.b64",
        "orders.arrow",
        "orders.arrows",
        "orders.feather",
        "orders.parquet",
    ] {
        let bytes = std::fs::read(dir.join(file)).unwrap();
        let schema = arrow::parse_binary(&bytes).unwrap_or_else(|e| panic!("{file}: {e}"));
        if file.ends_with(".parquet") {
            // Parquet names list items `element` and map entries `key_value`; readers never
            // address those names, so the schemas differ in nothing the contract holds.
            let diff = accord::compat::diff(&expected, &schema);
            assert!(diff.changes.is_empty(), "{file}: {:?}", diff.changes);
        } else {
            assert_eq!(
                arrow::normalized_form(&schema),
                arrow::normalized_form(&expected),
                "{file}"
            );
        }
    }
}

#[test]
fn unreadable_binary_is_refused_cleanly() {
    for bytes in [
        &b"ARROW1 but truncated"[..],
        &b"PAR1 truncated"[..],
        &[0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3][..],
        &b"not base64 at all!"[..],
        &b"aGVsbG8="[..],
    ] {
        let err = arrow::parse_binary(bytes).unwrap_err();
        assert!(!err.message.is_empty());
    }
}

#[test]
fn a_table_format_refusal_is_no_broken_direction_and_fails_every_level_but_none() {
    use accord::compat::{self, Breach, Level, Profile, Profiled};
    let case = root()
        .join("testdata/compat/arrow/AR950-table-format-refused/flags-iceberg-v2-int-to-double");
    let read =
        |name: &str| arrow::parse(&std::fs::read_to_string(case.join(name)).unwrap()).unwrap();
    let (old, new) = (read("before.arrow.json"), read("after.arrow.json"));
    let profiled = |schema| Profiled {
        schema,
        profile: Profile::IcebergV2,
    };
    let (old, new) = (profiled(&old), profiled(&new));
    for level in Level::ALL {
        let report = compat::check_history(&[&old], &new, level);
        let refusals: Vec<_> = report
            .findings
            .iter()
            .filter(|f| f.rule.code == "AR950")
            .collect();
        if level == Level::None {
            assert!(refusals.is_empty() && report.compatible, "{level}");
            continue;
        }
        assert_eq!(refusals.len(), 1, "{level}");
        assert_eq!(refusals[0].breach, Breach::RefusedBy(Profile::IcebergV2));
        let json = report.to_json();
        let change = json["changes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["rule"] == "AR950")
            .unwrap();
        assert_eq!(change["breaks"], serde_json::json!([]), "{level}");
        assert_eq!(change["refused_by"], "iceberg-v2", "{level}");
        assert_eq!(change["breaks_level"], true, "{level}");
    }
}
