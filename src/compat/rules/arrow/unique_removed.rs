//! AR402 `unique-removed`: a column need not be unique any more; readers relying on it may see duplicates.

use crate::compat::arrow_walk::{ArrowCheck, ArrowCx};
use crate::compat::catalog::declare_rule;
use crate::compat::constraints::{UNIQUE, flag};
use crate::compat::{Bump, Directions};
use arrow_schema::Field;

declare_rule! {
    format: arrow,
    code: "AR402",
    name: "unique-removed",
    summary: "A column need not be unique any more; old readers relying on it may see duplicates.",
    may_break: Directions::FORWARD,
    bump: Bump::Minor,
    checks: [
        ArrowCheck::FieldPair(check),
    ],
}

fn check(cx: &mut ArrowCx, old: &Field, new: &Field) {
    if flag(old, UNIQUE) && !flag(new, UNIQUE) {
        cx.emit(
            &RULE,
            format!("`{}` need not be unique any more", new.name()),
            Directions::FORWARD,
        );
    }
}
