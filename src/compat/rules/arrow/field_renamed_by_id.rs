//! AR105 `field-renamed-by-id`: a field kept its field id under a new name; readers resolving by id are unaffected.

use crate::compat::arrow_walk::{ArrowCheck, ArrowCx, field_id};
use crate::compat::catalog::declare_rule;
use crate::compat::{Bump, Directions};
use arrow_schema::Field;

declare_rule! {
    format: arrow,
    code: "AR105",
    name: "field-renamed-by-id",
    summary: "A field kept its field id under a new name; readers resolving by id are unaffected.",
    may_break: Directions::NONE,
    bump: Bump::Minor,
    checks: [
        ArrowCheck::FieldPair(check),
    ],
}

fn check(cx: &mut ArrowCx, old: &Field, new: &Field) {
    if old.name() != new.name() && cx.names_matter() {
        let id = field_id(new).unwrap_or("");
        cx.emit(
            &RULE,
            format!(
                "field `{}` renamed to `{}` (field id {id})",
                old.name(),
                new.name()
            ),
            Directions::NONE,
        );
    }
}
