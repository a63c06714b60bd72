//! AR106 `field-order-changed`: sibling fields changed order; readers by name are unaffected, positional readers break.

use crate::compat::arrow_walk::{ArrowCheck, ArrowCx};
use crate::compat::catalog::declare_rule;
use crate::compat::{Bump, Directions};
use arrow_schema::Fields;

declare_rule! {
    format: arrow,
    code: "AR106",
    name: "field-order-changed",
    summary: "Sibling fields changed order; readers by name are unaffected, positional readers break.",
    may_break: Directions::NONE,
    bump: Bump::Patch,
    checks: [
        ArrowCheck::FieldsPair(check),
    ],
}

fn check(cx: &mut ArrowCx, _old: &Fields, _new: &Fields, pairs: &[(usize, usize)]) {
    if pairs.windows(2).any(|w| w[0].0 > w[1].0) {
        cx.emit(&RULE, "fields reordered".to_string(), Directions::NONE);
    }
}
