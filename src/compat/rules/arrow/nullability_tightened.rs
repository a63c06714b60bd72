//! AR111 `nullability-tightened`: a nullable field became non-nullable; old data may hold nulls.

use crate::compat::arrow_walk::{ArrowCheck, ArrowCx};
use crate::compat::catalog::declare_rule;
use crate::compat::{Bump, Directions};
use arrow_schema::Field;

declare_rule! {
    format: arrow,
    code: "AR111",
    name: "nullability-tightened",
    summary: "A nullable field became non-nullable; old data may hold nulls.",
    may_break: Directions::BACKWARD,
    bump: Bump::Major,
    checks: [
        ArrowCheck::FieldPair(check),
    ],
}

fn check(cx: &mut ArrowCx, old: &Field, new: &Field) {
    if old.is_nullable() && !new.is_nullable() {
        cx.emit(
            &RULE,
            format!(
                "field `{}` became non-nullable; old data may hold nulls",
                new.name()
            ),
            Directions::BACKWARD,
        );
    }
}
