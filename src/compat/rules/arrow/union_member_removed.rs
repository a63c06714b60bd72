//! AR312 `union-member-removed`: a union lost a member; old values of that member have nowhere to go.

use crate::compat::arrow_walk::{ArrowCheck, ArrowCx};
use crate::compat::catalog::declare_rule;
use crate::compat::{Bump, Directions};
use arrow_schema::Field;

declare_rule! {
    format: arrow,
    code: "AR312",
    name: "union-member-removed",
    summary: "A union lost a member; old values of that member have nowhere to go.",
    may_break: Directions::BACKWARD,
    bump: Bump::Major,
    checks: [
        ArrowCheck::MemberRemoved(check),
    ],
}

fn check(cx: &mut ArrowCx, member: &Field) {
    cx.emit(
        &RULE,
        format!(
            "union member `{}` ({}) removed",
            member.name(),
            member.data_type()
        ),
        Directions::BACKWARD,
    );
}
