//! AR112 `nullability-relaxed`: a non-nullable field became nullable; old readers do not expect nulls.

use crate::compat::arrow_walk::{ArrowCheck, ArrowCx};
use crate::compat::catalog::declare_rule;
use crate::compat::{Bump, Directions};
use arrow_schema::Field;

declare_rule! {
    format: arrow,
    code: "AR112",
    name: "nullability-relaxed",
    summary: "A non-nullable field became nullable; old readers do not expect nulls.",
    may_break: Directions::FORWARD,
    bump: Bump::Minor,
    checks: [
        ArrowCheck::FieldPair(check),
    ],
}

fn check(cx: &mut ArrowCx, old: &Field, new: &Field) {
    if !old.is_nullable() && new.is_nullable() {
        cx.emit(
            &RULE,
            format!(
                "field `{}` became nullable; old readers do not expect nulls",
                new.name()
            ),
            Directions::FORWARD,
        );
    }
}
