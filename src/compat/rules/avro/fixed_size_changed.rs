//! AV206 `fixed-size-changed`: a fixed type's size changed; fixed types resolve only when sizes are equal.

use crate::avro::{NamedKind, NamedType};
use crate::compat::catalog::declare_rule;
use crate::compat::walk::{Check, Cx};
use crate::compat::{Bump, Directions};

declare_rule! {
    code: "AV206",
    name: "fixed-size-changed",
    summary: "A fixed type's size changed; fixed types resolve only when sizes are equal.",
    may_break: Directions::BOTH,
    bump: Bump::Minor,
    checks: [
        Check::NamedBody(check),
    ],
}

fn check(cx: &mut Cx, old: &NamedType, new: &NamedType) {
    if let (NamedKind::Fixed { size: before }, NamedKind::Fixed { size: after }) =
        (&old.kind, &new.kind)
        && before != after
    {
        cx.emit(
            &RULE,
            format!(
                "size of fixed `{}` changed from {before} to {after}",
                new.name.name()
            ),
            Directions::BOTH,
        );
    }
}
