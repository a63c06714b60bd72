//! AR101 `nullable-field-added`: a nullable field was added; readers of old data see nulls, old readers ignore it.

use crate::compat::arrow_walk::{ArrowCheck, ArrowCx};
use crate::compat::catalog::declare_rule;
use crate::compat::{Bump, Directions};
use arrow_schema::Field;

declare_rule! {
    format: arrow,
    code: "AR101",
    name: "nullable-field-added",
    summary: "A nullable field was added; readers of old data see nulls, old readers ignore it.",
    may_break: Directions::NONE,
    bump: Bump::Minor,
    checks: [
        ArrowCheck::FieldAdded(check),
    ],
}

fn check(cx: &mut ArrowCx, field: &Field) {
    if field.is_nullable() {
        cx.emit(
            &RULE,
            format!("nullable field `{}` added", field.name()),
            Directions::NONE,
        );
    }
}
