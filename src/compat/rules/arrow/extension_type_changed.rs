//! AR902 `extension-type-changed`: a field's extension type (`ARROW:extension:name` or its metadata) changed.

use crate::compat::arrow_walk::{ArrowCheck, ArrowCx};
use crate::compat::catalog::declare_rule;
use crate::compat::{Bump, Directions};
use arrow_schema::Field;

declare_rule! {
    format: arrow,
    code: "AR902",
    name: "extension-type-changed",
    summary: "A field's extension type (`ARROW:extension:name` or its metadata) changed.",
    may_break: Directions::BOTH,
    bump: Bump::Major,
    checks: [
        ArrowCheck::FieldPair(check),
    ],
}

fn check(cx: &mut ArrowCx, old: &Field, new: &Field) {
    for key in ["ARROW:extension:name", "ARROW:extension:metadata"] {
        let (from, to) = (old.metadata().get(key), new.metadata().get(key));
        if from != to {
            cx.emit(
                &RULE,
                format!(
                    "`{key}` of field `{}` changed from {} to {}",
                    new.name(),
                    from.map_or("none", String::as_str),
                    to.map_or("none", String::as_str)
                ),
                Directions::BOTH,
            );
        }
    }
}
