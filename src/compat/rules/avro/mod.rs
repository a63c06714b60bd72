//! The Avro rules, one module each, and what several of them share.

use crate::avro::{Kind, Node, Primitive};
use crate::compat::walk::{Cx, same_named_kind};

pub mod decimal_changed;
pub mod doc_changed;
pub mod enum_default_changed;
pub mod enum_symbol_added;
pub mod enum_symbol_removed;
pub mod enum_symbols_reordered;
pub mod field_added;
pub mod field_added_without_default;
pub mod field_aliases_changed;
pub mod field_default_added;
pub mod field_default_changed;
pub mod field_default_removed;
pub mod field_removed;
pub mod field_removed_without_default;
pub mod field_renamed;
pub mod field_sort_order_changed;
pub mod fields_reordered;
pub mod fixed_size_changed;
pub mod logical_type_changed;
pub mod named_type_renamed;
pub mod namespace_changed;
pub mod property_changed;
pub mod type_aliases_changed;
pub mod type_changed;
pub mod type_narrowed;
pub mod type_promoted;
pub mod union_branch_added;
pub mod union_branch_removed;
pub mod union_branches_reordered;

/// Both positions hold primitives: the pair, for the promotion rules.
fn primitive_pair(old: &Node, new: &Node) -> Option<(Primitive, Primitive)> {
    match (&old.kind, &new.kind) {
        (Kind::Primitive(a), Kind::Primitive(b)) => Some((*a, *b)),
        _ => None,
    }
}

/// Both positions have the same structure (array, map, or named type of the same kind), so
/// what differs is found further down, by other rules.
fn same_shape(cx: &Cx, old: &Node, new: &Node) -> bool {
    match (&old.kind, &new.kind) {
        (Kind::Array(_), Kind::Array(_)) | (Kind::Map(_), Kind::Map(_)) => true,
        (Kind::Named(a), Kind::Named(b)) => same_named_kind(cx.old.named(*a), cx.new.named(*b)),
        _ => false,
    }
}

/// "added `a`, `b`; removed `c`", or `None` when nothing changed.
fn describe_set_change(added: &[&String], removed: &[&String]) -> Option<String> {
    let list = |items: &[&String]| {
        items
            .iter()
            .map(|s| format!("`{s}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match (added.is_empty(), removed.is_empty()) {
        (true, true) => None,
        (false, true) => Some(format!("added {}", list(added))),
        (true, false) => Some(format!("removed {}", list(removed))),
        (false, false) => Some(format!("added {}; removed {}", list(added), list(removed))),
    }
}
