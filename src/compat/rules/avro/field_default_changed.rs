//! AV108 `field-default-changed`: a field's default changed: readers fill in a different value for data that lacks the field.

use serde_json::Value;

use crate::avro::Field;
use crate::compat::catalog::declare_rule;
use crate::compat::walk::{Check, Cx};
use crate::compat::{Bump, Directions};

declare_rule! {
    code: "AV108",
    name: "field-default-changed",
    summary: "A field's default changed: readers fill in a different value for data that lacks the field.",
    may_break: Directions::NONE,
    bump: Bump::Patch,
    checks: [
        Check::FieldPair(check),
    ],
}

fn check(cx: &mut Cx, old: &Field, new: &Field) {
    if let (Some(before), Some(after)) = (&old.default, &new.default)
        && !same_value(before, after)
    {
        cx.emit(
            &RULE,
            format!(
                "default of field `{}` changed from {before} to {after}",
                new.name
            ),
            Directions::NONE,
        );
    }
}

/// JSON equality where numbers compare by value: `1` and `1.0` are the same default.
fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => x == y,
            _ => x.as_f64() == y.as_f64(),
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_value(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_value(v, w)))
        }
        _ => a == b,
    }
}
