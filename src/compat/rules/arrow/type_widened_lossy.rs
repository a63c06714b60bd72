//! AR203 `type-widened-lossy`: a field's type was widened to one that loses precision for large values.

use crate::compat::arrow_walk::{ArrowCheck, ArrowCx, TypeChange, describe};
use crate::compat::catalog::declare_rule;
use crate::compat::{Bump, Directions};
use arrow_schema::DataType;

declare_rule! {
    format: arrow,
    code: "AR203",
    name: "type-widened-lossy",
    summary: "A field's type was widened to one that loses precision for large values.",
    may_break: Directions::BOTH,
    bump: Bump::Major,
    checks: [
        ArrowCheck::TypePair(check),
    ],
}

fn check(cx: &mut ArrowCx, old: &DataType, new: &DataType, change: TypeChange) {
    if change == (TypeChange::Widened { lossy: true }) {
        cx.emit(
            &RULE,
            format!(
                "type changed from {} to {}, which loses precision for large values",
                describe(old),
                describe(new)
            ),
            Directions::BOTH,
        );
    }
}
