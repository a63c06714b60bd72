//! AR901 `field-metadata-changed`: a field's metadata (docs, tags) changed; readers are unaffected.

use super::{constraint, metadata_changes, semantic};
use crate::compat::arrow_walk::{ArrowCheck, ArrowCx};
use crate::compat::catalog::declare_rule;
use crate::compat::{Bump, Directions};
use arrow_schema::Field;

declare_rule! {
    format: arrow,
    code: "AR901",
    name: "field-metadata-changed",
    summary: "A field's metadata (docs, tags) changed; readers are unaffected.",
    may_break: Directions::NONE,
    bump: Bump::Patch,
    checks: [
        ArrowCheck::FieldPair(check),
    ],
}

fn check(cx: &mut ArrowCx, old: &Field, new: &Field) {
    for (key, what) in metadata_changes(old.metadata(), new.metadata()) {
        if !semantic(key) && !constraint(key) {
            cx.emit(
                &RULE,
                format!("metadata `{key}` of field `{}` {what}", new.name()),
                Directions::NONE,
            );
        }
    }
}
