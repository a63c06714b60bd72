//! AV108 `field-default-changed`: a field's default changed: readers fill in a different value for data that lacks the field.

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
    if let (Some(before), Some(after)) = (&old.default, &new.default) {
        if before != after {
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
}
