//! AV311 `union-branch-added`: a union gained a branch (or a type became a union): old readers cannot read values of the new branch unless it promotes to one they have.

use crate::avro::Node;
use crate::compat::catalog::declare_rule;
use crate::compat::walk::{Check, Cx, union_reads};
use crate::compat::{Bump, Directions};

declare_rule! {
    code: "AV311",
    name: "union-branch-added",
    summary: "A union gained a branch (or a type became a union): old readers cannot read values of the new branch unless it promotes to one they have.",
    may_break: Directions::FORWARD,
    bump: Bump::Minor,
    checks: [
        Check::BranchAdded(check),
    ],
}

fn check(cx: &mut Cx, branch: &Node, old_branches: &[Node]) {
    // The old schema reads the new branch if the first of its branches that matches it
    // resolves it completely.
    let readable = union_reads(cx, old_branches, branch, true);
    cx.emit(
        &RULE,
        format!("union branch `{}` added", cx.new.describe(branch)),
        Directions::new(false, !readable),
    );
}
