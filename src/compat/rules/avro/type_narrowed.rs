//! AV203 `type-narrowed`: a type was narrowed (long to int, double to float, ...): new readers cannot read the wider old values.

use crate::avro::Node;
use crate::compat::catalog::declare_rule;
use crate::compat::walk::{Check, Cx};
use crate::compat::{Bump, Directions};

declare_rule! {
    code: "AV203",
    name: "type-narrowed",
    summary: "A type was narrowed (long to int, double to float, ...): new readers cannot read the wider old values.",
    may_break: Directions::BACKWARD,
    bump: Bump::Minor,
    checks: [
        Check::TypePair(check),
    ],
}

fn check(cx: &mut Cx, old: &Node, new: &Node) {
    if let Some((before, after)) = super::primitive_pair(old, new)
        && !after.reads(before)
        && before.reads(after)
    {
        cx.emit(
            &RULE,
            format!(
                "type narrowed from `{}` to `{}`",
                before.name(),
                after.name()
            ),
            Directions::BACKWARD,
        );
    }
}
