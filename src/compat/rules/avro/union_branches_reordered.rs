//! AV313 `union-branches-reordered`: union branches changed order; resolution matches branches by type, but the encoding and (before Avro 1.12) the branch a default must match change.

use crate::compat::catalog::declare_rule;
use crate::compat::walk::{Check, Cx};
use crate::compat::{Bump, Directions};

declare_rule! {
    code: "AV313",
    name: "union-branches-reordered",
    summary: "Union branches changed order; resolution matches branches by type, but the encoding and (before Avro 1.12) the branch a default must match change.",
    may_break: Directions::NONE,
    bump: Bump::Patch,
    checks: [
        Check::UnionPair(check),
    ],
}

fn check(cx: &mut Cx, pairs: &[(usize, usize)]) {
    if pairs.windows(2).any(|w| w[1].0 < w[0].0) {
        cx.emit(
            &RULE,
            "union branches reordered".to_string(),
            Directions::NONE,
        );
    }
}
