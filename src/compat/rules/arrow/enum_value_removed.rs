//! AR403 `enum-value-removed`: a column's list of allowed values lost some; old data may hold them.

use crate::compat::arrow_walk::{ArrowCheck, ArrowCx};
use crate::compat::catalog::declare_rule;
use crate::compat::constraints::enum_values;
use crate::compat::{Bump, Directions};
use arrow_schema::Field;

declare_rule! {
    format: arrow,
    code: "AR403",
    name: "enum-value-removed",
    summary: "A column's list of allowed values lost some; old data may hold them.",
    may_break: Directions::BACKWARD,
    bump: Bump::Major,
    checks: [
        ArrowCheck::FieldPair(check),
    ],
}

fn check(cx: &mut ArrowCx, old: &Field, new: &Field) {
    if let (Some(before), Some(after)) = (enum_values(old), enum_values(new)) {
        let removed: Vec<&str> = before
            .iter()
            .filter(|v| !after.contains(v))
            .map(String::as_str)
            .collect();
        if !removed.is_empty() {
            cx.emit(
                &RULE,
                format!(
                    "`{}` no longer allows {}; old data may hold them",
                    new.name(),
                    removed.join(", ")
                ),
                Directions::BACKWARD,
            );
        }
    }
}
