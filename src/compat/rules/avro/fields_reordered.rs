//! AV109 `fields-reordered`: fields changed order; resolution matches fields by name, but the binary layout and sort order change.

use crate::avro::Field;
use crate::compat::catalog::declare_rule;
use crate::compat::walk::{Check, Cx, FieldPairs};
use crate::compat::{Bump, Directions};

declare_rule! {
    code: "AV109",
    name: "fields-reordered",
    summary: "Fields changed order; resolution matches fields by name, but the binary layout and sort order change.",
    may_break: Directions::NONE,
    bump: Bump::Patch,
    checks: [
        Check::RecordPair(check),
    ],
}

fn check(cx: &mut Cx, _old: &[Field], new: &[Field], pairs: &FieldPairs) {
    // `pairs` is in new order: the first old index smaller than its predecessor is out of place.
    if let Some(w) = pairs.windows(2).find(|w| w[1].0 < w[0].0) {
        cx.emit(
            &RULE,
            format!(
                "fields reordered: `{}` now comes after `{}`",
                new[w[1].1].name, new[w[0].1].name
            ),
            Directions::NONE,
        );
    }
}
