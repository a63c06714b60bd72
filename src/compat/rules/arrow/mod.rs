//! The Arrow rules, one module each, and what several of them share.

use std::collections::HashMap;

use arrow_schema::{DataType, TimeUnit};

pub mod decimal_precision_changed;
pub mod dictionary_encoding_changed;
pub mod extension_type_changed;
pub mod field_metadata_changed;
pub mod field_order_changed;
pub mod field_renamed_by_id;
pub mod fixed_width_changed;
pub mod map_key_changed;
pub mod nullability_relaxed;
pub mod nullability_tightened;
pub mod nullable_field_added;
pub mod nullable_field_removed;
pub mod physical_type_changed;
pub mod range_narrowed;
pub mod required_field_added;
pub mod required_field_removed;
pub mod schema_metadata_changed;
pub mod table_format_refused;
pub mod temporal_unit_changed;
pub mod timezone_changed;
pub mod type_replaced;
pub mod type_widened;
pub mod type_widened_lossy;
pub mod union_member_added;
pub mod union_member_removed;
pub mod union_mode_changed;

/// The unit of a timestamp, time or duration, ordered from coarse to fine.
fn unit(t: &DataType) -> Option<TimeUnit> {
    match t {
        DataType::Timestamp(u, _)
        | DataType::Time32(u)
        | DataType::Time64(u)
        | DataType::Duration(u) => Some(*u),
        _ => None,
    }
}

/// A timestamp's timezone, for messages.
fn zone(t: &DataType) -> &str {
    match crate::compat::arrow_walk::decoded(t) {
        DataType::Timestamp(_, Some(tz)) => tz,
        _ => "none",
    }
}

/// Metadata keys readers resolve by: field ids and extension types.
fn semantic(key: &str) -> bool {
    key == crate::compat::FIELD_ID_KEY || key.starts_with("ARROW:extension:")
}

/// Each key added, removed or changed, sorted, with what happened to it.
fn metadata_changes<'a>(
    old: &'a HashMap<String, String>,
    new: &'a HashMap<String, String>,
) -> Vec<(&'a str, String)> {
    let mut keys: Vec<&str> = old.keys().chain(new.keys()).map(String::as_str).collect();
    keys.sort_unstable();
    keys.dedup();
    keys.into_iter()
        .filter_map(|key| match (old.get(key), new.get(key)) {
            (None, Some(v)) => Some((key, format!("added: {v:?}"))),
            (Some(v), None) => Some((key, format!("removed (was {v:?})"))),
            (Some(a), Some(b)) if a != b => Some((key, format!("changed from {a:?} to {b:?}"))),
            _ => None,
        })
        .collect()
}
