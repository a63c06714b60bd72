//! AV312 `union-branch-removed`: a union lost a branch (or stopped being a union): new readers cannot read old values of that branch unless it promotes to a remaining one.

use crate::avro::Node;
use crate::compat::catalog::declare_rule;
use crate::compat::walk::{Check, Cx, union_reads};
use crate::compat::{Bump, Directions};

declare_rule! {
    code: "AV312",
    name: "union-branch-removed",
    summary: "A union lost a branch (or stopped being a union): new readers cannot read old values of that branch unless it promotes to a remaining one.",
    may_break: Directions::BACKWARD,
    bump: Bump::Minor,
    checks: [
        Check::BranchRemoved(check),
    ],
}

fn check(cx: &mut Cx, branch: &Node, new_branches: &[Node]) {
    let readable = union_reads(cx, new_branches, branch, false);
    cx.emit(
        &RULE,
        format!("union branch `{}` removed", cx.old.describe(branch)),
        Directions::new(!readable, false),
    );
}
