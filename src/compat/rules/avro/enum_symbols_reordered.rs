//! AV304 `enum-symbols-reordered`: enum symbols changed order; resolution matches symbols by name, but the encoding and sort order change.

use crate::avro::NamedType;
use crate::compat::catalog::declare_rule;
use crate::compat::walk::{Check, Cx};
use crate::compat::{Bump, Directions};

declare_rule! {
    code: "AV304",
    name: "enum-symbols-reordered",
    summary: "Enum symbols changed order; resolution matches symbols by name, but the encoding and sort order change.",
    may_break: Directions::NONE,
    bump: Bump::Patch,
    checks: [
        Check::NamedBody(check),
    ],
}

fn check(cx: &mut Cx, old: &NamedType, new: &NamedType) {
    let (Some((before, _)), Some((after, _))) = (old.as_enum(), new.as_enum()) else {
        return;
    };
    let kept_before: Vec<&String> = before.iter().filter(|s| after.contains(s)).collect();
    let kept_after: Vec<&String> = after.iter().filter(|s| before.contains(s)).collect();
    if kept_before != kept_after {
        cx.emit(
            &RULE,
            format!("symbols of enum `{}` reordered", new.name.name()),
            Directions::NONE,
        );
    }
}
