//! AR405 `constraint-tightened`: A column's pattern, length, range or list of values was introduced or tightened; old data may not meet it.

use super::{Moved, constraint_moves};
use crate::compat::arrow_walk::{ArrowCheck, ArrowCx};
use crate::compat::catalog::declare_rule;
use crate::compat::{Bump, Directions};
use arrow_schema::Field;

declare_rule! {
    format: arrow,
    code: "AR405",
    name: "constraint-tightened",
    summary: "A column's pattern, length, range or list of values was introduced or tightened; old data may not meet it.",
    may_break: Directions::BACKWARD,
    bump: Bump::Major,
    checks: [
        ArrowCheck::FieldPair(check),
    ],
}

fn check(cx: &mut ArrowCx, old: &Field, new: &Field) {
    for (moved, message) in constraint_moves(old, new) {
        if moved == Moved::Tightened {
            cx.emit(&RULE, message, Directions::BACKWARD);
        }
    }
}
