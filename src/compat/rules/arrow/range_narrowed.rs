//! AR202 `range-narrowed`: a field's type was narrowed; some old values do not fit.

use crate::compat::arrow_walk::{ArrowCheck, ArrowCx, TypeChange, describe};
use crate::compat::catalog::declare_rule;
use crate::compat::{Bump, Directions};
use arrow_schema::DataType;

declare_rule! {
    format: arrow,
    code: "AR202",
    name: "range-narrowed",
    summary: "A field's type was narrowed; some old values do not fit.",
    may_break: Directions::BACKWARD,
    bump: Bump::Major,
    checks: [
        ArrowCheck::TypePair(check),
    ],
}

fn check(cx: &mut ArrowCx, old: &DataType, new: &DataType, change: TypeChange) {
    if change == TypeChange::Narrowed {
        cx.emit(
            &RULE,
            format!("type narrowed from {} to {}", describe(old), describe(new)),
            Directions::BACKWARD,
        );
    }
}
