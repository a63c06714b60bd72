//! AV401 `named-type-renamed`: a record, enum or fixed was renamed; only a reader that lists the other name as an alias still resolves it.

use crate::avro::NamedType;
use crate::compat::catalog::declare_rule;
use crate::compat::walk::{Check, Cx};
use crate::compat::{Bump, Directions};

declare_rule! {
    code: "AV401",
    name: "named-type-renamed",
    summary: "A record, enum or fixed was renamed; only a reader that lists the other name as an alias still resolves it.",
    may_break: Directions::BOTH,
    bump: Bump::Minor,
    checks: [
        Check::NamedPair(check),
    ],
}

fn check(cx: &mut Cx, old: &NamedType, new: &NamedType) {
    if old.name.name() == new.name.name() {
        return;
    }
    cx.emit(
        &RULE,
        format!(
            "{} `{}` renamed to `{}`",
            new.kind_name(),
            old.name.full,
            new.name.full
        ),
        Directions::new(!new.accepts_name(&old.name), !old.accepts_name(&new.name)),
    );
}
