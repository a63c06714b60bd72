//! AV402 `namespace-changed`: a named type moved to another namespace; resolution compares unqualified names, so data still reads, but generated code changes.

use crate::avro::NamedType;
use crate::compat::catalog::declare_rule;
use crate::compat::walk::{Check, Cx};
use crate::compat::{Bump, Directions};

declare_rule! {
    code: "AV402",
    name: "namespace-changed",
    summary: "A named type moved to another namespace; resolution compares unqualified names, so data still reads, but generated code changes.",
    may_break: Directions::NONE,
    bump: Bump::Minor,
    checks: [
        Check::NamedPair(check),
    ],
}

fn check(cx: &mut Cx, old: &NamedType, new: &NamedType) {
    if old.name.name() == new.name.name() && old.name.namespace() != new.name.namespace() {
        cx.emit(
            &RULE,
            format!(
                "namespace of {} `{}` changed from {} to {}",
                new.kind_name(),
                new.name.name(),
                old.name
                    .namespace()
                    .map_or("(none)".into(), |n| format!("`{n}`")),
                new.name
                    .namespace()
                    .map_or("(none)".into(), |n| format!("`{n}`")),
            ),
            Directions::NONE,
        );
    }
}
