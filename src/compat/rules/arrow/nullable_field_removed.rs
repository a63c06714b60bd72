//! AR103 `nullable-field-removed`: a nullable field was removed; old readers see nulls in its place.

use crate::compat::arrow_walk::{ArrowCheck, ArrowCx};
use crate::compat::catalog::declare_rule;
use crate::compat::{Bump, Directions};
use arrow_schema::Field;

declare_rule! {
    format: arrow,
    code: "AR103",
    name: "nullable-field-removed",
    summary: "A nullable field was removed; old readers see nulls in its place.",
    may_break: Directions::NONE,
    bump: Bump::Minor,
    checks: [
        ArrowCheck::FieldRemoved(check),
    ],
}

fn check(cx: &mut ArrowCx, field: &Field) {
    if field.is_nullable() {
        cx.emit(
            &RULE,
            format!(
                "nullable field `{}` removed (old readers see nulls)",
                field.name()
            ),
            Directions::NONE,
        );
    }
}
