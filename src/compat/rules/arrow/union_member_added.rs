//! AR311 `union-member-added`: a union gained a member; old readers meet a type id they do not know.

use crate::compat::arrow_walk::{ArrowCheck, ArrowCx};
use crate::compat::catalog::declare_rule;
use crate::compat::{Bump, Directions};
use arrow_schema::Field;

declare_rule! {
    format: arrow,
    code: "AR311",
    name: "union-member-added",
    summary: "A union gained a member; old readers meet a type id they do not know.",
    may_break: Directions::FORWARD,
    bump: Bump::Minor,
    checks: [
        ArrowCheck::MemberAdded(check),
    ],
}

fn check(cx: &mut ArrowCx, member: &Field) {
    cx.emit(
        &RULE,
        format!(
            "union member `{}` ({}) added",
            member.name(),
            member.data_type()
        ),
        Directions::FORWARD,
    );
}
