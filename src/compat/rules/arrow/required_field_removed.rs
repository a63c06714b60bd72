//! AR104 `required-field-removed`: a non-nullable field was removed; old readers need its values.

use crate::compat::arrow_walk::{ArrowCheck, ArrowCx};
use crate::compat::catalog::declare_rule;
use crate::compat::{Bump, Directions};
use arrow_schema::Field;

declare_rule! {
    format: arrow,
    code: "AR104",
    name: "required-field-removed",
    summary: "A non-nullable field was removed; old readers need its values.",
    may_break: Directions::FORWARD,
    bump: Bump::Major,
    checks: [
        ArrowCheck::FieldRemoved(check),
    ],
}

fn check(cx: &mut ArrowCx, field: &Field) {
    if !field.is_nullable() {
        cx.emit(
            &RULE,
            format!(
                "non-nullable field `{}` removed; old readers need its values",
                field.name()
            ),
            Directions::FORWARD,
        );
    }
}
