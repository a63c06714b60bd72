//! AR903 `schema-metadata-changed`: the schema's own metadata changed; readers are unaffected.

use super::metadata_changes;
use crate::compat::arrow_walk::{ArrowCheck, ArrowCx};
use crate::compat::catalog::declare_rule;
use crate::compat::{Bump, Directions};
use arrow_schema::Schema;

declare_rule! {
    format: arrow,
    code: "AR903",
    name: "schema-metadata-changed",
    summary: "The schema's own metadata changed; readers are unaffected.",
    may_break: Directions::NONE,
    bump: Bump::Patch,
    checks: [
        ArrowCheck::SchemaPair(check),
    ],
}

fn check(cx: &mut ArrowCx, old: &Schema, new: &Schema) {
    for (key, what) in metadata_changes(old.metadata(), new.metadata()) {
        cx.emit(
            &RULE,
            format!("schema metadata `{key}` {what}"),
            Directions::NONE,
        );
    }
}
