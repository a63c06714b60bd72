//! AR102 `required-field-added`: a non-nullable field was added; old data has no values for it.

use crate::compat::arrow_walk::{ArrowCheck, ArrowCx};
use crate::compat::catalog::declare_rule;
use crate::compat::{Bump, Directions};
use arrow_schema::Field;

declare_rule! {
    format: arrow,
    code: "AR102",
    name: "required-field-added",
    summary: "A non-nullable field was added; old data has no values for it.",
    may_break: Directions::BACKWARD,
    bump: Bump::Major,
    checks: [
        ArrowCheck::FieldAdded(check),
    ],
}

fn check(cx: &mut ArrowCx, field: &Field) {
    if !field.is_nullable() {
        cx.emit(
            &RULE,
            format!(
                "non-nullable field `{}` added; old data has no values for it",
                field.name()
            ),
            Directions::BACKWARD,
        );
    }
}
