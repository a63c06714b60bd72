//! AR206 `timezone-changed`: a timestamp's timezone was added, removed or changed.

use super::zone;
use crate::compat::arrow_walk::{ArrowCheck, ArrowCx, TypeChange};
use crate::compat::catalog::declare_rule;
use crate::compat::{Bump, Directions};
use arrow_schema::DataType;

declare_rule! {
    format: arrow,
    code: "AR206",
    name: "timezone-changed",
    summary: "A timestamp's timezone was added, removed or changed.",
    may_break: Directions::BOTH,
    bump: Bump::Major,
    checks: [
        ArrowCheck::TypePair(check),
    ],
}

fn check(cx: &mut ArrowCx, old: &DataType, new: &DataType, change: TypeChange) {
    if change == TypeChange::Timezone {
        cx.emit(
            &RULE,
            format!(
                "timestamp timezone changed from {} to {}",
                zone(old),
                zone(new)
            ),
            Directions::BOTH,
        );
    }
}
