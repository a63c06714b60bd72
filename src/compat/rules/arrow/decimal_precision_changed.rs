//! AR204 `decimal-precision-changed`: a decimal's precision or scale changed.

use crate::compat::arrow_walk::{ArrowCheck, ArrowCx, TypeChange, decimal, decoded};
use crate::compat::catalog::declare_rule;
use crate::compat::{Bump, Directions};
use arrow_schema::DataType;

declare_rule! {
    format: arrow,
    code: "AR204",
    name: "decimal-precision-changed",
    summary: "A decimal's precision or scale changed.",
    may_break: Directions::BOTH,
    bump: Bump::Minor,
    checks: [
        ArrowCheck::TypePair(check),
    ],
}

fn check(cx: &mut ArrowCx, old: &DataType, new: &DataType, change: TypeChange) {
    if change != TypeChange::Decimal {
        return;
    }
    let (Some((p1, s1)), Some((p2, s2))) = (decimal(decoded(old)), decimal(decoded(new))) else {
        return;
    };
    if p2 - s2 >= p1 - s1 && s2 >= s1 {
        cx.emit(
            &RULE,
            format!("decimal({p1}, {s1}) widened to decimal({p2}, {s2})"),
            Directions::FORWARD,
        );
    } else {
        cx.emit(
            &RULE,
            format!("decimal({p1}, {s1}) changed to decimal({p2}, {s2}), which cannot hold every old value"),
            Directions::BOTH,
        );
    }
}
