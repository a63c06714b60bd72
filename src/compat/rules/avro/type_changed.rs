//! AV201 `type-changed`: a type changed to one that cannot read, or be read by, the old one.

use crate::avro::Node;
use crate::compat::catalog::declare_rule;
use crate::compat::walk::{Check, Cx};
use crate::compat::{Bump, Directions};

declare_rule! {
    code: "AV201",
    name: "type-changed",
    summary: "A type changed to one that cannot read, or be read by, the old one.",
    may_break: Directions::BOTH,
    bump: Bump::Minor,
    checks: [
        Check::TypePair(check),
    ],
}

fn check(cx: &mut Cx, old: &Node, new: &Node) {
    let changed = match super::primitive_pair(old, new) {
        Some((before, after)) => !after.reads(before) && !before.reads(after),
        None => !super::same_shape(cx, old, new),
    };
    if changed {
        cx.emit(
            &RULE,
            format!(
                "type changed from `{}` to `{}`",
                cx.old.describe(old),
                cx.new.describe(new)
            ),
            Directions::BOTH,
        );
    }
}
