//! AV101 `field-added`: a field was added with a default; both directions still read.

use crate::avro::Field;
use crate::compat::catalog::declare_rule;
use crate::compat::walk::{Check, Cx};
use crate::compat::{Bump, Directions};

declare_rule! {
    code: "AV101",
    name: "field-added",
    summary: "A field was added with a default; both directions still read.",
    may_break: Directions::NONE,
    bump: Bump::Minor,
    checks: [
        Check::FieldAdded(check),
    ],
}

fn check(cx: &mut Cx, field: &Field) {
    if let Some(default) = &field.default {
        cx.emit(
            &RULE,
            format!("field `{}` added with default {default}", field.name),
            Directions::NONE,
        );
    }
}
