//! AV301 `enum-symbol-added`: an enum gained a symbol: an old reader without an enum default cannot read it.

use crate::avro::NamedType;
use crate::compat::catalog::declare_rule;
use crate::compat::walk::{Check, Cx};
use crate::compat::{Bump, Directions};

declare_rule! {
    code: "AV301",
    name: "enum-symbol-added",
    summary: "An enum gained a symbol: an old reader without an enum default cannot read it.",
    may_break: Directions::FORWARD,
    bump: Bump::Minor,
    checks: [
        Check::NamedBody(check),
    ],
}

fn check(cx: &mut Cx, old: &NamedType, new: &NamedType) {
    let (Some((before, old_default)), Some((after, _))) = (old.as_enum(), new.as_enum()) else {
        return;
    };
    for symbol in after.iter().filter(|s| !before.contains(s)) {
        let fallback = match old_default {
            Some(d) => format!(" (old readers read it as `{d}`)"),
            None => " and the old enum has no default".to_string(),
        };
        cx.emit(
            &RULE,
            format!(
                "enum `{}` gained symbol `{symbol}`{fallback}",
                new.name.name()
            ),
            Directions::new(false, old_default.is_none()),
        );
    }
}
