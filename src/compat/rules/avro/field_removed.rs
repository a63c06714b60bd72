//! AV103 `field-removed`: a field that had a default was removed; old readers fill in the default.

use crate::avro::Field;
use crate::compat::catalog::declare_rule;
use crate::compat::walk::{Check, Cx};
use crate::compat::{Bump, Directions};

declare_rule! {
    code: "AV103",
    name: "field-removed",
    summary: "A field that had a default was removed; old readers fill in the default.",
    may_break: Directions::NONE,
    bump: Bump::Minor,
    checks: [
        Check::FieldRemoved(check),
    ],
}

fn check(cx: &mut Cx, field: &Field) {
    if let Some(default) = &field.default {
        cx.emit(
            &RULE,
            format!(
                "field `{}` removed (old readers use its default {default})",
                field.name
            ),
            Directions::NONE,
        );
    }
}
