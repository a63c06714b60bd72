//! AR313 `union-mode-changed`: a union switched between sparse and dense; the values are the same.

use crate::compat::arrow_walk::{ArrowCheck, ArrowCx, TypeChange, describe};
use crate::compat::catalog::declare_rule;
use crate::compat::{Bump, Directions};
use arrow_schema::DataType;

declare_rule! {
    format: arrow,
    code: "AR313",
    name: "union-mode-changed",
    summary: "A union switched between sparse and dense; the values are the same.",
    may_break: Directions::NONE,
    bump: Bump::Patch,
    checks: [
        ArrowCheck::TypePair(check),
    ],
}

fn check(cx: &mut ArrowCx, old: &DataType, new: &DataType, change: TypeChange) {
    if change == TypeChange::UnionMode {
        cx.emit(
            &RULE,
            format!("union mode changed: {} to {}", describe(old), describe(new)),
            Directions::NONE,
        );
    }
}
