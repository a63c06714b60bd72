//! AV107 `field-default-removed`: a field lost its default; later removing or re-adding it becomes a breaking change.

use crate::avro::Field;
use crate::compat::catalog::declare_rule;
use crate::compat::walk::{Check, Cx};
use crate::compat::{Bump, Directions};

declare_rule! {
    code: "AV107",
    name: "field-default-removed",
    summary: "A field lost its default; later removing or re-adding it becomes a breaking change.",
    may_break: Directions::NONE,
    bump: Bump::Patch,
    checks: [
        Check::FieldPair(check),
    ],
}

fn check(cx: &mut Cx, old: &Field, new: &Field) {
    if let (Some(default), None) = (&old.default, &new.default) {
        cx.emit(
            &RULE,
            format!("field `{}` lost its default {default}", new.name),
            Directions::NONE,
        );
    }
}
