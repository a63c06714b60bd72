//! AR208 `map-key-changed`: a map's key type changed.

use crate::compat::arrow_walk::{ArrowCheck, ArrowCx, TypeChange, describe};
use crate::compat::catalog::declare_rule;
use crate::compat::{Bump, Directions};
use arrow_schema::DataType;

declare_rule! {
    format: arrow,
    code: "AR208",
    name: "map-key-changed",
    summary: "A map's key type changed.",
    may_break: Directions::BOTH,
    bump: Bump::Major,
    checks: [
        ArrowCheck::TypePair(check),
    ],
}

fn check(cx: &mut ArrowCx, old: &DataType, new: &DataType, change: TypeChange) {
    if change == TypeChange::MapKey {
        cx.emit(
            &RULE,
            format!(
                "map key type changed: {} to {}",
                describe(old),
                describe(new)
            ),
            Directions::BOTH,
        );
    }
}
