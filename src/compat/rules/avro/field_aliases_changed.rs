//! AV111 `field-aliases-changed`: a field's aliases changed; they matter when reading data written under another name.

use crate::avro::Field;
use crate::compat::catalog::declare_rule;
use crate::compat::walk::{Check, Cx};
use crate::compat::{Bump, Directions};

declare_rule! {
    code: "AV111",
    name: "field-aliases-changed",
    summary: "A field's aliases changed; they matter when reading data written under another name.",
    may_break: Directions::NONE,
    bump: Bump::Patch,
    checks: [
        Check::FieldPair(check),
    ],
}

fn check(cx: &mut Cx, old: &Field, new: &Field) {
    let added: Vec<&String> = new
        .aliases
        .iter()
        .filter(|a| !old.aliases.contains(a))
        .collect();
    let removed: Vec<&String> = old
        .aliases
        .iter()
        .filter(|a| !new.aliases.contains(a))
        .collect();
    if let Some(what) = super::describe_set_change(&added, &removed) {
        cx.emit(
            &RULE,
            format!("aliases of field `{}` changed: {what}", new.name),
            Directions::NONE,
        );
    }
}
