//! AR401 `unique-added`: a column must now be unique; old data may hold duplicates.

use crate::compat::arrow_walk::{ArrowCheck, ArrowCx};
use crate::compat::catalog::declare_rule;
use crate::compat::constraints::{UNIQUE, flag};
use crate::compat::{Bump, Directions};
use arrow_schema::Field;

declare_rule! {
    format: arrow,
    code: "AR401",
    name: "unique-added",
    summary: "A column must now be unique; old data may hold duplicates.",
    may_break: Directions::BACKWARD,
    bump: Bump::Major,
    checks: [
        ArrowCheck::FieldPair(check),
    ],
}

fn check(cx: &mut ArrowCx, old: &Field, new: &Field) {
    if !flag(old, UNIQUE) && flag(new, UNIQUE) {
        cx.emit(
            &RULE,
            format!(
                "`{}` must now be unique; old data may hold duplicates",
                new.name()
            ),
            Directions::BACKWARD,
        );
    }
}
