//! AV403 `type-aliases-changed`: a named type's aliases changed; they matter when reading data written under another name.

use crate::avro::NamedType;
use crate::compat::catalog::declare_rule;
use crate::compat::walk::{Check, Cx};
use crate::compat::{Bump, Directions};

declare_rule! {
    code: "AV403",
    name: "type-aliases-changed",
    summary: "A named type's aliases changed; they matter when reading data written under another name.",
    may_break: Directions::NONE,
    bump: Bump::Patch,
    checks: [
        Check::NamedPair(check),
    ],
}

fn check(cx: &mut Cx, old: &NamedType, new: &NamedType) {
    if old.aliases == new.aliases {
        return;
    }
    let added: Vec<&String> = new
        .aliases
        .iter()
        .filter(|a| !old.aliases.contains(a))
        .map(|a| &a.full)
        .collect();
    let removed: Vec<&String> = old
        .aliases
        .iter()
        .filter(|a| !new.aliases.contains(a))
        .map(|a| &a.full)
        .collect();
    if let Some(what) = super::describe_set_change(&added, &removed) {
        cx.emit(
            &RULE,
            format!(
                "aliases of {} `{}` changed: {what}",
                new.kind_name(),
                new.name.name()
            ),
            Directions::NONE,
        );
    }
}
