//! AV102 `field-added-without-default`: a field was added without a default: the new schema cannot read old data.

use crate::avro::Field;
use crate::compat::catalog::declare_rule;
use crate::compat::walk::{Check, Cx};
use crate::compat::{Bump, Directions};

declare_rule! {
    code: "AV102",
    name: "field-added-without-default",
    summary: "A field was added without a default: the new schema cannot read old data.",
    may_break: Directions::BACKWARD,
    bump: Bump::Minor,
    checks: [
        Check::FieldAdded(check),
    ],
}

fn check(cx: &mut Cx, field: &Field) {
    if field.default.is_none() {
        cx.emit(
            &RULE,
            format!("new field `{}` has no default", field.name),
            Directions::BACKWARD,
        );
    }
}
