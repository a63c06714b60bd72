//! The Arrow rules, one module each, and what several of them share.

use std::collections::HashMap;

use arrow_schema::{DataType, TimeUnit};

pub mod constraint_relaxed;
pub mod constraint_tightened;
pub mod decimal_precision_changed;
pub mod dictionary_encoding_changed;
pub mod enum_value_added;
pub mod enum_value_removed;
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
pub mod primary_key_changed;
pub mod protection_lowered;
pub mod protection_raised;
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
pub mod unique_added;
pub mod unique_removed;

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

/// Metadata keys the contract rules (AR4xx) judge; AR901 leaves them to those.
fn constraint(key: &str) -> bool {
    crate::compat::constraints::KEYS.contains(&key)
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

/// Which way a constraint moved: tightened (old data may violate it) or relaxed (new data may
/// violate what old readers relied on).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Moved {
    Tightened,
    Relaxed,
}

/// Each change of a column's pattern, length, range or allowed values being introduced or
/// dropped, with which way it moved. Values added to or removed from an existing enum are AR403
/// and AR404's.
fn constraint_moves(old: &arrow_schema::Field, new: &arrow_schema::Field) -> Vec<(Moved, String)> {
    use crate::compat::constraints::{
        ENUM, MAX_LENGTH, MAXIMUM, MIN_LENGTH, MINIMUM, PATTERN, enum_values, number,
    };
    let mut moves = Vec::new();
    let name = new.name();
    let (old_meta, new_meta) = (old.metadata(), new.metadata());
    match (old_meta.get(PATTERN), new_meta.get(PATTERN)) {
        (None, Some(p)) => moves.push((Moved::Tightened, format!("`{name}` must now match `{p}`"))),
        (Some(p), None) => moves.push((
            Moved::Relaxed,
            format!("`{name}` no longer has to match `{p}`"),
        )),
        // Whether one regular expression accepts less than another is not decidable in
        // general: a changed pattern is taken as tightened.
        (Some(a), Some(b)) if a != b => moves.push((
            Moved::Tightened,
            format!(
                "the pattern of `{name}` changed from `{a}` to `{b}`; old values may not match it"
            ),
        )),
        _ => {}
    }
    // (key, what it bounds, whether a larger value is looser)
    for (key, what, larger_is_looser) in [
        (MAX_LENGTH, "maximum length", true),
        (MIN_LENGTH, "minimum length", false),
        (MAXIMUM, "maximum", true),
        (MINIMUM, "minimum", false),
    ] {
        let shown = |v: f64| v.to_string();
        match (number(old, key), number(new, key)) {
            (None, Some(b)) => moves.push((
                Moved::Tightened,
                format!("`{name}` gained a {what} of {}", shown(b)),
            )),
            (Some(a), None) => moves.push((
                Moved::Relaxed,
                format!("`{name}` lost its {what} of {}", shown(a)),
            )),
            (Some(a), Some(b)) if a != b => {
                let moved = if (b > a) == larger_is_looser {
                    Moved::Relaxed
                } else {
                    Moved::Tightened
                };
                moves.push((
                    moved,
                    format!(
                        "the {what} of `{name}` changed from {} to {}",
                        shown(a),
                        shown(b)
                    ),
                ));
            }
            _ => {}
        }
    }
    match (old_meta.contains_key(ENUM), new_meta.contains_key(ENUM)) {
        (false, true) => moves.push((
            Moved::Tightened,
            format!(
                "`{name}` is now limited to {}",
                enum_values(new).unwrap_or_default().join(", ")
            ),
        )),
        (true, false) => moves.push((
            Moved::Relaxed,
            format!("`{name}` is no longer limited to a list of values"),
        )),
        _ => {}
    }
    moves
}

/// Whether a column's protection (its PII flag, its classification) was lowered or raised,
/// each with what changed.
fn protection_moves(old: &arrow_schema::Field, new: &arrow_schema::Field) -> Vec<(Moved, String)> {
    use crate::compat::constraints::{CLASSIFICATION, PII, classification_rank, flag};
    let name = new.name();
    let mut moves = Vec::new();
    match (flag(old, PII), flag(new, PII)) {
        (true, false) => moves.push((Moved::Relaxed, format!("`{name}` is no longer marked PII"))),
        (false, true) => moves.push((Moved::Tightened, format!("`{name}` is now marked PII"))),
        _ => {}
    }
    let (a, b) = (
        old.metadata().get(CLASSIFICATION),
        new.metadata().get(CLASSIFICATION),
    );
    match (a, b) {
        (Some(a), None) => moves.push((
            Moved::Relaxed,
            format!("`{name}` lost its classification `{a}`"),
        )),
        (None, Some(b)) => moves.push((
            Moved::Tightened,
            format!("`{name}` is now classified `{b}`"),
        )),
        (Some(a), Some(b)) if !a.eq_ignore_ascii_case(b) => {
            // A classification accord cannot rank is taken as lowered: a governance break is
            // the safer guess.
            let moved = match (classification_rank(a), classification_rank(b)) {
                (Some(x), Some(y)) if y > x => Moved::Tightened,
                _ => Moved::Relaxed,
            };
            moves.push((
                moved,
                format!("the classification of `{name}` changed from `{a}` to `{b}`"),
            ));
        }
        _ => {}
    }
    moves
}
