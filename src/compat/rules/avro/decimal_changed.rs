//! AV205 `decimal-changed`: a decimal's precision or scale changed; the specification resolves decimals only when both match.

use crate::avro::{Logical, Node};
use crate::compat::catalog::declare_rule;
use crate::compat::walk::{Check, Cx};
use crate::compat::{Bump, Directions};

declare_rule! {
    code: "AV205",
    name: "decimal-changed",
    summary: "A decimal's precision or scale changed; the specification resolves decimals only when both match.",
    may_break: Directions::BOTH,
    bump: Bump::Minor,
    checks: [
        Check::TypePair(check),
    ],
}

fn check(cx: &mut Cx, old: &Node, new: &Node) {
    if let (Some(before @ Logical::Decimal { .. }), Some(after @ Logical::Decimal { .. })) =
        (cx.old.logical(old), cx.new.logical(new))
        && before != after
    {
        cx.emit(
            &RULE,
            format!("decimal changed from {before} to {after}"),
            Directions::BOTH,
        );
    }
}
