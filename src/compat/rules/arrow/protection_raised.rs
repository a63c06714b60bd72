//! AR409 `protection-raised`: a column was marked PII or given a higher classification.

use super::{Moved, protection_moves};
use crate::compat::arrow_walk::{ArrowCheck, ArrowCx};
use crate::compat::catalog::declare_rule;
use crate::compat::{Bump, Directions};
use arrow_schema::Field;

declare_rule! {
    format: arrow,
    code: "AR409",
    name: "protection-raised",
    summary: "A column was marked PII or given a higher classification; readers may need an access grant.",
    may_break: Directions::NONE,
    bump: Bump::Minor,
    checks: [
        ArrowCheck::FieldPair(check),
    ],
}

fn check(cx: &mut ArrowCx, old: &Field, new: &Field) {
    for (moved, message) in protection_moves(old, new) {
        if moved == Moved::Tightened {
            cx.emit(&RULE, message, Directions::NONE);
        }
    }
}
