//! AV105 `field-renamed`: a field was renamed; only a reader that lists the other name as an alias (or has a default) still reads it.

use crate::avro::Field;
use crate::compat::catalog::declare_rule;
use crate::compat::walk::{Check, Cx};
use crate::compat::{Bump, Directions};

declare_rule! {
    code: "AV105",
    name: "field-renamed",
    summary: "A field was renamed; only a reader that lists the other name as an alias (or has a default) still reads it.",
    may_break: Directions::BOTH,
    bump: Bump::Minor,
    checks: [
        Check::FieldPair(check),
    ],
}

fn check(cx: &mut Cx, old: &Field, new: &Field) {
    if old.name == new.name {
        return;
    }
    // The reader's aliases name the writer's field; failing that, its default fills it in.
    let backward_ok = new.aliases.contains(&old.name) || new.default.is_some();
    let forward_ok = old.aliases.contains(&new.name) || old.default.is_some();
    let how = if new.aliases.contains(&old.name) {
        format!(" (the new field lists `{}` as an alias)", old.name)
    } else {
        format!(" (the old field lists `{}` as an alias)", new.name)
    };
    cx.emit(
        &RULE,
        format!("field `{}` renamed to `{}`{how}", old.name, new.name),
        Directions::new(!backward_ok, !forward_ok),
    );
}
