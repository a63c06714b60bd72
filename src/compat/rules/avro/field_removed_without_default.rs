//! AV104 `field-removed-without-default`: a field without a default was removed: the old schema cannot read new data.

use crate::avro::Field;
use crate::compat::catalog::declare_rule;
use crate::compat::walk::{Check, Cx};
use crate::compat::{Bump, Directions};

declare_rule! {
    code: "AV104",
    name: "field-removed-without-default",
    summary: "A field without a default was removed: the old schema cannot read new data.",
    may_break: Directions::FORWARD,
    bump: Bump::Minor,
    checks: [
        Check::FieldRemoved(check),
    ],
}

fn check(cx: &mut Cx, field: &Field) {
    if field.default.is_none() {
        cx.emit(
            &RULE,
            format!(
                "field `{}` is gone for old readers and has no default in the old schema",
                field.name
            ),
            Directions::FORWARD,
        );
    }
}
