//! AV901 `doc-changed`: documentation of a type or field was added, removed or changed.

use crate::avro::{Field, NamedType};
use crate::compat::catalog::declare_rule;
use crate::compat::walk::{Check, Cx};
use crate::compat::{Bump, Directions};

declare_rule! {
    code: "AV901",
    name: "doc-changed",
    summary: "Documentation of a type or field was added, removed or changed.",
    may_break: Directions::NONE,
    bump: Bump::Patch,
    checks: [
        Check::NamedPair(named),
        Check::FieldPair(field),
    ],
}

fn named(cx: &mut Cx, old: &NamedType, new: &NamedType) {
    if old.doc != new.doc {
        let what = format!("{} `{}`", new.kind_name(), new.name.name());
        cx.emit(&RULE, message(&what, &old.doc, &new.doc), Directions::NONE);
    }
}

fn field(cx: &mut Cx, old: &Field, new: &Field) {
    if old.doc != new.doc {
        let what = format!("field `{}`", new.name);
        cx.emit(&RULE, message(&what, &old.doc, &new.doc), Directions::NONE);
    }
}

fn message(what: &str, before: &Option<String>, after: &Option<String>) -> String {
    match (before, after) {
        (None, _) => format!("doc of {what} added"),
        (_, None) => format!("doc of {what} removed"),
        _ => format!("doc of {what} changed"),
    }
}
