//! AR200 `type-replaced`: a field's type changed to an unrelated one; neither side reads the other.

use crate::compat::arrow_walk::{ArrowCheck, ArrowCx, TypeChange, describe};
use crate::compat::catalog::declare_rule;
use crate::compat::{Bump, Directions};
use arrow_schema::DataType;

declare_rule! {
    format: arrow,
    code: "AR200",
    name: "type-replaced",
    summary: "A field's type changed to an unrelated one; neither side reads the other.",
    may_break: Directions::BOTH,
    bump: Bump::Major,
    checks: [
        ArrowCheck::TypePair(check),
    ],
}

fn check(cx: &mut ArrowCx, old: &DataType, new: &DataType, change: TypeChange) {
    if change == TypeChange::Changed {
        cx.emit(
            &RULE,
            format!("type changed from {} to {}", describe(old), describe(new)),
            Directions::BOTH,
        );
    }
}
