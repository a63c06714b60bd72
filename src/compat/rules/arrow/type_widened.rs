//! AR201 `type-widened`: a field's type was widened without loss; old readers cannot hold the new values.

use crate::compat::arrow_walk::{ArrowCheck, ArrowCx, TypeChange, describe};
use crate::compat::catalog::declare_rule;
use crate::compat::{Bump, Directions};
use arrow_schema::DataType;

declare_rule! {
    format: arrow,
    code: "AR201",
    name: "type-widened",
    summary: "A field's type was widened without loss; old readers cannot hold the new values.",
    may_break: Directions::FORWARD,
    bump: Bump::Minor,
    checks: [
        ArrowCheck::TypePair(check),
    ],
}

fn check(cx: &mut ArrowCx, old: &DataType, new: &DataType, change: TypeChange) {
    if change == (TypeChange::Widened { lossy: false }) {
        cx.emit(
            &RULE,
            format!("type widened from {} to {}", describe(old), describe(new)),
            Directions::FORWARD,
        );
    }
}
