//! AV106 `field-default-added`: a field gained a default.

use crate::avro::Field;
use crate::compat::catalog::declare_rule;
use crate::compat::walk::{Check, Cx};
use crate::compat::{Bump, Directions};

declare_rule! {
    code: "AV106",
    name: "field-default-added",
    summary: "A field gained a default.",
    may_break: Directions::NONE,
    bump: Bump::Patch,
    checks: [
        Check::FieldPair(check),
    ],
}

fn check(cx: &mut Cx, old: &Field, new: &Field) {
    if let (None, Some(default)) = (&old.default, &new.default) {
        cx.emit(
            &RULE,
            format!("field `{}` gained default {default}", new.name),
            Directions::NONE,
        );
    }
}
