//! AV110 `field-sort-order-changed`: a field's `order` attribute changed, which changes how records sort.

use crate::avro::Field;
use crate::compat::catalog::declare_rule;
use crate::compat::walk::{Check, Cx};
use crate::compat::{Bump, Directions};

declare_rule! {
    code: "AV110",
    name: "field-sort-order-changed",
    summary: "A field's `order` attribute changed, which changes how records sort.",
    may_break: Directions::NONE,
    bump: Bump::Patch,
    checks: [
        Check::FieldPair(check),
    ],
}

fn check(cx: &mut Cx, old: &Field, new: &Field) {
    if old.order != new.order {
        cx.emit(
            &RULE,
            format!(
                "sort order of field `{}` changed from {} to {}",
                new.name,
                old.order.name(),
                new.order.name()
            ),
            Directions::NONE,
        );
    }
}
