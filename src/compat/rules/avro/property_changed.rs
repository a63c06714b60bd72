//! AV902 `property-changed`: a custom attribute (one the specification does not define) was added, removed or changed.

use crate::avro::{Field, Kind, NamedType, Node};
use crate::compat::catalog::declare_rule;
use crate::compat::walk::{Check, Cx};
use crate::compat::{Bump, Directions};
use serde_json::{Map, Value};

declare_rule! {
    code: "AV902",
    name: "property-changed",
    summary: "A custom attribute (one the specification does not define) was added, removed or changed.",
    may_break: Directions::NONE,
    bump: Bump::Patch,
    checks: [
        Check::TypePair(node),
        Check::NamedPair(named),
        Check::FieldPair(field),
    ],
}

fn node(cx: &mut Cx, old: &Node, new: &Node) {
    // A named type's attributes live on its definition and are compared there.
    if !matches!(new.kind, Kind::Named(_)) {
        report(cx, || "type".to_string(), &old.props, &new.props);
    }
}

fn named(cx: &mut Cx, old: &NamedType, new: &NamedType) {
    let what = || format!("{} `{}`", new.kind_name(), new.name.name());
    report(cx, what, &old.props, &new.props);
}

fn field(cx: &mut Cx, old: &Field, new: &Field) {
    report(
        cx,
        || format!("field `{}`", new.name),
        &old.props,
        &new.props,
    );
}

/// `what` names the element, built only when something changed (this runs for every pair).
fn report(
    cx: &mut Cx,
    what: impl Fn() -> String,
    before: &Map<String, Value>,
    after: &Map<String, Value>,
) {
    if before == after {
        return;
    }
    let what = what();
    for (key, value) in after {
        match before.get(key) {
            None => cx.emit(
                &RULE,
                format!("attribute `{key}` of {what} added"),
                Directions::NONE,
            ),
            Some(old) if old != value => cx.emit(
                &RULE,
                format!("attribute `{key}` of {what} changed from {old} to {value}"),
                Directions::NONE,
            ),
            Some(_) => {}
        }
    }
    for key in before.keys().filter(|k| !after.contains_key(*k)) {
        cx.emit(
            &RULE,
            format!("attribute `{key}` of {what} removed"),
            Directions::NONE,
        );
    }
}
