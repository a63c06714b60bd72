//! AV303 `enum-default-changed`: an enum's default symbol was added, removed or changed; it decides how unknown symbols are read.

use crate::avro::NamedType;
use crate::compat::catalog::declare_rule;
use crate::compat::walk::{Check, Cx};
use crate::compat::{Bump, Directions};

declare_rule! {
    code: "AV303",
    name: "enum-default-changed",
    summary: "An enum's default symbol was added, removed or changed; it decides how unknown symbols are read.",
    may_break: Directions::NONE,
    bump: Bump::Patch,
    checks: [
        Check::NamedBody(check),
    ],
}

fn check(cx: &mut Cx, old: &NamedType, new: &NamedType) {
    let (Some((_, before)), Some((_, after))) = (old.as_enum(), new.as_enum()) else {
        return;
    };
    let name = new.name.name();
    let message = match (before, after) {
        (None, Some(a)) => format!("enum `{name}` gained default `{a}`"),
        (Some(b), None) => format!("enum `{name}` lost its default `{b}`"),
        (Some(b), Some(a)) if a != b => {
            format!("default of enum `{name}` changed from `{b}` to `{a}`")
        }
        _ => return,
    };
    cx.emit(&RULE, message, Directions::NONE);
}
