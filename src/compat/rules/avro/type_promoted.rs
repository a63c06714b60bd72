//! AV202 `type-promoted`: a type was widened by a promotion the specification allows (int to long, float to double, string to bytes, ...): old readers cannot read the wider type.

use crate::avro::Node;
use crate::compat::catalog::declare_rule;
use crate::compat::walk::{Check, Cx};
use crate::compat::{Bump, Directions};

declare_rule! {
    code: "AV202",
    name: "type-promoted",
    summary: "A type was widened by a promotion the specification allows (int to long, float to double, string to bytes, ...): old readers cannot read the wider type.",
    may_break: Directions::FORWARD,
    bump: Bump::Minor,
    checks: [
        Check::TypePair(check),
    ],
}

fn check(cx: &mut Cx, old: &Node, new: &Node) {
    if let Some((before, after)) = super::primitive_pair(old, new)
        && before != after
        && after.reads(before)
    {
        cx.emit(
            &RULE,
            format!(
                "type promoted from `{}` to `{}`",
                before.name(),
                after.name()
            ),
            Directions::new(false, !before.reads(after)),
        );
    }
}
