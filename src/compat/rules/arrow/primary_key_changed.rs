//! AR407 `primary-key-changed`: the columns that make up the primary key changed.

use crate::compat::arrow_walk::{ArrowCheck, ArrowCx};
use crate::compat::catalog::declare_rule;
use crate::compat::constraints::{PRIMARY_KEY, flag};
use crate::compat::{Bump, Directions};
use arrow_schema::Fields;

declare_rule! {
    format: arrow,
    code: "AR407",
    name: "primary-key-changed",
    summary: "The columns that make up the primary key changed; joins and deduplication on it change meaning.",
    may_break: Directions::BOTH,
    bump: Bump::Major,
    checks: [
        ArrowCheck::FieldsPair(check),
    ],
}

/// The key's columns, sorted: a key is a set of columns.
fn key(fields: &Fields) -> Vec<&str> {
    let mut key: Vec<&str> = fields
        .iter()
        .filter(|f| flag(f, PRIMARY_KEY))
        .map(|f| f.name().as_str())
        .collect();
    key.sort_unstable();
    key
}

fn check(cx: &mut ArrowCx, old: &Fields, new: &Fields, _pairs: &[(usize, usize)]) {
    let (before, after) = (key(old), key(new));
    if before != after {
        let shown = |key: &[&str]| match key {
            [] => "none".to_string(),
            key => format!("({})", key.join(", ")),
        };
        cx.emit(
            &RULE,
            format!(
                "the primary key changed from {} to {}",
                shown(&before),
                shown(&after)
            ),
            Directions::BOTH,
        );
    }
}
