//! AV105 `field-renamed`: a field was renamed and one side lists the other name as an alias.

use crate::avro::Field;
use crate::compat::catalog::declare_rule;
use crate::compat::walk::{Check, Cx};
use crate::compat::{Bump, Directions};

declare_rule! {
    code: "AV105",
    name: "field-renamed",
    summary: "A field was renamed and one side lists the other name as an alias; readers that do not know the other name report it as added or removed.",
    may_break: Directions::NONE,
    bump: Bump::Minor,
    checks: [
        Check::FieldPair(check),
    ],
}

fn check(cx: &mut Cx, old: &Field, new: &Field) {
    if old.name == new.name {
        return;
    }
    // The pair exists because a reader lists the other name as an alias. Where the other reader
    // does not, the field is unmatched there and AV102 or AV104 say whether that breaks.
    let how = if new.aliases.contains(&old.name) {
        format!(" (the new field lists `{}` as an alias)", old.name)
    } else {
        format!(" (the old field lists `{}` as an alias)", new.name)
    };
    cx.emit(
        &RULE,
        format!("field `{}` renamed to `{}`{how}", old.name, new.name),
        Directions::NONE,
    );
}
