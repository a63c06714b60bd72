//! AV302 `enum-symbol-removed`: an enum lost a symbol: a new reader without an enum default cannot read old data holding it.

use crate::avro::NamedType;
use crate::compat::catalog::declare_rule;
use crate::compat::walk::{Check, Cx};
use crate::compat::{Bump, Directions};

declare_rule! {
    code: "AV302",
    name: "enum-symbol-removed",
    summary: "An enum lost a symbol: a new reader without an enum default cannot read old data holding it.",
    may_break: Directions::BACKWARD,
    bump: Bump::Minor,
    checks: [
        Check::NamedBody(check),
    ],
}

fn check(cx: &mut Cx, old: &NamedType, new: &NamedType) {
    let (Some((before, _)), Some((after, new_default))) = (old.as_enum(), new.as_enum()) else {
        return;
    };
    for symbol in before.iter().filter(|s| !after.contains(s)) {
        let fallback = match new_default {
            Some(d) => format!(" (new readers read it as `{d}`)"),
            None => " and the new enum has no default".to_string(),
        };
        cx.emit(
            &RULE,
            format!(
                "enum `{}` lost symbol `{symbol}`{fallback}",
                new.name.name()
            ),
            Directions::new(new_default.is_none(), false),
        );
    }
}
