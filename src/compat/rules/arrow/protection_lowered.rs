//! AR408 `protection-lowered`: a column's PII flag or classification was removed or lowered: a governance break.

use super::{Moved, protection_moves};
use crate::compat::arrow_walk::{ArrowCheck, ArrowCx};
use crate::compat::catalog::declare_rule;
use crate::compat::{Bump, Directions};
use arrow_schema::Field;

declare_rule! {
    format: arrow,
    code: "AR408",
    name: "protection-lowered",
    summary: "A column's PII flag or classification was removed or lowered: a governance break.",
    may_break: Directions::BOTH,
    bump: Bump::Major,
    checks: [
        ArrowCheck::FieldPair(check),
    ],
}

fn check(cx: &mut ArrowCx, old: &Field, new: &Field) {
    for (moved, message) in protection_moves(old, new) {
        if moved == Moved::Relaxed {
            cx.emit(
                &RULE,
                format!("{message}; data already shared under the stricter terms would lose them"),
                Directions::BOTH,
            );
        }
    }
}
