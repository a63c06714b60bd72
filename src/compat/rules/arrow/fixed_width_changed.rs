//! AR207 `fixed-width-changed`: the size of a fixed-size binary or list changed.

use crate::compat::arrow_walk::{ArrowCheck, ArrowCx, TypeChange, describe};
use crate::compat::catalog::declare_rule;
use crate::compat::{Bump, Directions};
use arrow_schema::DataType;

declare_rule! {
    format: arrow,
    code: "AR207",
    name: "fixed-width-changed",
    summary: "The size of a fixed-size binary or list changed.",
    may_break: Directions::BOTH,
    bump: Bump::Major,
    checks: [
        ArrowCheck::TypePair(check),
    ],
}

fn check(cx: &mut ArrowCx, old: &DataType, new: &DataType, change: TypeChange) {
    if change == TypeChange::FixedSize {
        cx.emit(
            &RULE,
            format!("fixed size changed: {} to {}", describe(old), describe(new)),
            Directions::BOTH,
        );
    }
}
