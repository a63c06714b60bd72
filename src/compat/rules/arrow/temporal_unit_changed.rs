//! AR205 `temporal-unit-changed`: the unit of a timestamp, time or duration changed.

use super::unit;
use crate::compat::arrow_walk::{ArrowCheck, ArrowCx, TypeChange, decoded};
use crate::compat::catalog::declare_rule;
use crate::compat::{Bump, Directions};
use arrow_schema::DataType;

declare_rule! {
    format: arrow,
    code: "AR205",
    name: "temporal-unit-changed",
    summary: "The unit of a timestamp, time or duration changed.",
    may_break: Directions::BOTH,
    bump: Bump::Minor,
    checks: [
        ArrowCheck::TypePair(check),
    ],
}

fn check(cx: &mut ArrowCx, old: &DataType, new: &DataType, change: TypeChange) {
    if change != TypeChange::TemporalUnit {
        return;
    }
    let (Some(from), Some(to)) = (unit(decoded(old)), unit(decoded(new))) else {
        return;
    };
    if to > from {
        cx.emit(
            &RULE,
            format!("unit changed from {from:?} to the finer {to:?}"),
            Directions::FORWARD,
        );
    } else {
        cx.emit(
            &RULE,
            format!("unit changed from {from:?} to the coarser {to:?}, which truncates old values"),
            Directions::BOTH,
        );
    }
}
