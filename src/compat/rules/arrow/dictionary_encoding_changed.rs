//! AR302 `dictionary-encoding-changed`: a field was dictionary-encoded or decoded, or its index type changed; the values are the same.

use crate::compat::arrow_walk::{ArrowCheck, ArrowCx, TypeChange};
use crate::compat::catalog::declare_rule;
use crate::compat::{Bump, Directions};
use arrow_schema::DataType;

declare_rule! {
    format: arrow,
    code: "AR302",
    name: "dictionary-encoding-changed",
    summary: "A field was dictionary-encoded or decoded, or its index type changed; the values are the same.",
    may_break: Directions::NONE,
    bump: Bump::Patch,
    checks: [
        ArrowCheck::TypePair(check),
    ],
}

fn check(cx: &mut ArrowCx, old: &DataType, new: &DataType, _change: TypeChange) {
    let index = |t: &DataType| match t {
        DataType::Dictionary(index, _) => Some(index.as_ref().clone()),
        _ => None,
    };
    let (from, to) = (index(old), index(new));
    if from != to {
        let describe = |index: &Option<DataType>| {
            index.as_ref().map_or_else(
                || "plain".to_string(),
                |i| format!("dictionary-encoded ({i} keys)"),
            )
        };
        cx.emit(
            &RULE,
            format!(
                "encoding changed from {} to {}; the values are the same",
                describe(&from),
                describe(&to)
            ),
            Directions::NONE,
        );
    }
}
