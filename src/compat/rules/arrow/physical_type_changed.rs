//! AR301 `physical-type-changed`: only the physical layout changed (`Utf8`/`LargeUtf8`/`Utf8View`, list variants, ...); the values are the same.

use crate::compat::arrow_walk::{ArrowCheck, ArrowCx, TypeChange, describe};
use crate::compat::catalog::declare_rule;
use crate::compat::{Bump, Directions};
use arrow_schema::DataType;

declare_rule! {
    format: arrow,
    code: "AR301",
    name: "physical-type-changed",
    summary: "Only the physical layout changed (`Utf8`/`LargeUtf8`/`Utf8View`, list variants, ...); the values are the same.",
    may_break: Directions::NONE,
    bump: Bump::Patch,
    checks: [
        ArrowCheck::TypePair(check),
    ],
}

fn check(cx: &mut ArrowCx, old: &DataType, new: &DataType, change: TypeChange) {
    if change == TypeChange::Physical {
        cx.emit(
            &RULE,
            format!(
                "physical type changed from {} to {}; the values are the same",
                describe(old),
                describe(new)
            ),
            Directions::NONE,
        );
    }
}
