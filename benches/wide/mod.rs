//! The wide Avro record the benchmarks share: 10,000 fields in six shapes, and an edited copy.

use serde_json::{Value, json};

/// Field `i` of the wide record: a `long`, a nullable string with a default, an enum, an array
/// of records, a nested record with a nullable field, or a map with a doc.
pub fn field(i: usize) -> Value {
    match i % 6 {
        0 => json!({"name": format!("f{i}"), "type": "long"}),
        1 => json!({"name": format!("f{i}"), "type": ["null", "string"], "default": null}),
        2 => {
            json!({"name": format!("f{i}"), "type": {"type": "enum", "name": format!("E{i}"), "symbols": ["A", "B", "C"]}})
        }
        3 => {
            json!({"name": format!("f{i}"), "type": {"type": "array", "items": {"type": "record", "name": format!("Item{i}"), "fields": [
            {"name": "sku", "type": "string"}, {"name": "qty", "type": "int"}]}}})
        }
        4 => {
            json!({"name": format!("f{i}"), "type": {"type": "record", "name": format!("N{i}"), "fields": [
            {"name": "a", "type": "int"}, {"name": "b", "type": ["null", "double"], "default": null}]}})
        }
        _ => {
            json!({"name": format!("f{i}"), "type": {"type": "map", "values": "string"}, "doc": "attributes"})
        }
    }
}

/// The wide record, and a copy with every hundredth field edited in one of five ways; with
/// `breaking` false, only in ways that keep both directions readable (so no checker can stop
/// at a first incompatibility).
pub fn wide_pair(n: usize, breaking: bool) -> (String, String) {
    let old: Vec<Value> = (0..n).map(field).collect();
    let mut new = Vec::with_capacity(n + n / 100);
    for (i, f) in old.iter().enumerate() {
        let mut f = f.clone();
        if i % 100 == 7 {
            let edit = if breaking {
                (i / 100) % 5
            } else {
                [0, 3][(i / 100) % 2]
            };
            match edit {
                0 => f["doc"] = json!("edited"),
                1 => {
                    f["type"] = json!("string");
                    f.as_object_mut().unwrap().remove("default");
                }
                2 => continue, // removed
                3 => {
                    new.push(f);
                    f = if breaking {
                        json!({"name": format!("added{i}"), "type": "string"})
                    } else {
                        json!({"name": format!("added{i}"), "type": "string", "default": ""})
                    };
                }
                _ => {
                    f["aliases"] = json!([f["name"].clone()]);
                    f["name"] = json!(format!("renamed{i}"));
                }
            }
        }
        new.push(f);
    }
    let record = |fields: Vec<Value>| {
        json!({"type": "record", "name": "Wide", "namespace": "bench", "fields": fields})
            .to_string()
    };
    (record(old), record(new))
}
