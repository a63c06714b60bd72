//! AR406 `constraint-relaxed`: A column's pattern, length, range or list of values was relaxed or dropped; old readers relying on it may see values outside it.

use super::{Moved, constraint_moves};
use crate::compat::arrow_walk::{ArrowCheck, ArrowCx};
use crate::compat::catalog::declare_rule;
use crate::compat::{Bump, Directions};
use arrow_schema::Field;

declare_rule! {
    format: arrow,
    code: "AR406",
    name: "constraint-relaxed",
    summary: "A column's pattern, length, range or list of values was relaxed or dropped; old readers relying on it may see values outside it.",
    may_break: Directions::FORWARD,
    bump: Bump::Minor,
    checks: [
        ArrowCheck::FieldPair(check),
    ],
}

fn check(cx: &mut ArrowCx, old: &Field, new: &Field) {
    for (moved, message) in constraint_moves(old, new) {
        if moved == Moved::Relaxed {
            cx.emit(&RULE, message, Directions::FORWARD);
        }
    }
}
