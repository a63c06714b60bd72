//! AR404 `enum-value-added`: a column's list of allowed values gained some; old readers do not expect them.

use crate::compat::arrow_walk::{ArrowCheck, ArrowCx};
use crate::compat::catalog::declare_rule;
use crate::compat::constraints::enum_values;
use crate::compat::{Bump, Directions};
use arrow_schema::Field;

declare_rule! {
    format: arrow,
    code: "AR404",
    name: "enum-value-added",
    summary: "A column's list of allowed values gained some; old readers do not expect them.",
    may_break: Directions::FORWARD,
    bump: Bump::Minor,
    checks: [
        ArrowCheck::FieldPair(check),
    ],
}

fn check(cx: &mut ArrowCx, old: &Field, new: &Field) {
    if let (Some(before), Some(after)) = (enum_values(old), enum_values(new)) {
        let added: Vec<&str> = after
            .iter()
            .filter(|v| !before.contains(v))
            .map(String::as_str)
            .collect();
        if !added.is_empty() {
            cx.emit(
                &RULE,
                format!("`{}` now also allows {}", new.name(), added.join(", ")),
                Directions::FORWARD,
            );
        }
    }
}
