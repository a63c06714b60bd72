//! AV204 `logical-type-changed`: a logical type was added, removed or replaced; values resolve by their underlying type but are interpreted differently.

use crate::avro::{Logical, Node};
use crate::compat::catalog::declare_rule;
use crate::compat::walk::{Check, Cx};
use crate::compat::{Bump, Directions};

declare_rule! {
    code: "AV204",
    name: "logical-type-changed",
    summary: "A logical type was added, removed or replaced; values resolve by their underlying type but are interpreted differently.",
    may_break: Directions::NONE,
    bump: Bump::Minor,
    checks: [
        Check::TypePair(check),
    ],
}

fn check(cx: &mut Cx, old: &Node, new: &Node) {
    let (before, after) = (cx.old.logical(old), cx.new.logical(new));
    let message = match (before, after) {
        (Some(Logical::Decimal { .. }), Some(Logical::Decimal { .. })) => return,
        (Some(b), Some(a)) if b != a => format!("logical type changed from {b} to {a}"),
        (None, Some(a)) => format!("logical type {a} added"),
        (Some(b), None) => format!("logical type {b} removed"),
        _ => return,
    };
    cx.emit(&RULE, message, Directions::NONE);
}
