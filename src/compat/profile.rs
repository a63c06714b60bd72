//! Target profiles: what a table format (Iceberg, Delta Lake, BigQuery) refuses as a schema
//! change even when readers could cope. Sources: `shared/reference/arrow-evolution.md` (the
//! Iceberg spec's promotion table, Delta's type widening in 4.0, BigQuery's schema changes).

use std::borrow::Cow;

use arrow_schema::{DataType, Schema};

use super::arrow_walk::{TypeChange, decimal, decoded};
use super::{Change, Comparable, Directions};

/// A table format the schema's data lands in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Profile {
    IcebergV2,
    IcebergV3,
    /// Delta Lake with type widening (Delta 4.0) and column mapping.
    Delta,
    BigQuery,
}

impl Profile {
    pub const ALL: [Profile; 4] = [
        Profile::IcebergV2,
        Profile::IcebergV3,
        Profile::Delta,
        Profile::BigQuery,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Profile::IcebergV2 => "iceberg-v2",
            Profile::IcebergV3 => "iceberg-v3",
            Profile::Delta => "delta",
            Profile::BigQuery => "bigquery",
        }
    }

    /// Why the format refuses a type change readers could cope with, if it does.
    pub(crate) fn refuses_type(
        self,
        old: &DataType,
        new: &DataType,
        change: TypeChange,
    ) -> Option<&'static str> {
        use DataType::*;
        let (old, new) = (decoded(old), decoded(new));
        let int_rank = |t: &DataType| match t {
            Int8 => Some(1),
            Int16 => Some(2),
            Int32 => Some(3),
            Int64 => Some(4),
            _ => None,
        };
        let allowed = match change {
            TypeChange::Widened { .. } | TypeChange::Narrowed => match self {
                Profile::IcebergV2 | Profile::IcebergV3 => {
                    let iceberg_v3_only = matches!(
                        (old, new),
                        (Null, _) | (Date32 | Date64, Timestamp(_, None))
                    );
                    matches!((int_rank(old), int_rank(new)), (Some(a), Some(b)) if a < b)
                        || matches!(
                            (old, new),
                            (Float16 | Float32, Float64) | (Float16, Float32)
                        )
                        || (self == Profile::IcebergV3 && iceberg_v3_only)
                }
                Profile::Delta => {
                    matches!((int_rank(old), int_rank(new)), (Some(a), Some(b)) if a < b)
                        || matches!(
                            (old, new),
                            (Float16 | Float32, Float64)
                                | (Null, _)
                                | (Date32 | Date64, Timestamp(_, None))
                                | (Int8 | Int16 | Int32, Float64)
                        )
                        || (int_rank(old).is_some() && decimal(new).is_some())
                }
                // BigQuery has one integer (INT64) and one float (FLOAT64) type: these widen
                // within a type, or are its documented coercions.
                Profile::BigQuery => {
                    int_rank(old).is_some()
                        && (int_rank(new).is_some()
                            || matches!(new, Float64)
                            || decimal(new).is_some())
                        || matches!(
                            (old, new),
                            (Float16 | Float32, Float64) | (Date32 | Date64, Timestamp(_, None))
                        )
                }
            },
            TypeChange::Decimal => {
                let (Some((p1, s1)), Some((p2, s2))) = (decimal(old), decimal(new)) else {
                    return None;
                };
                match self {
                    Profile::IcebergV2 | Profile::IcebergV3 => p2 > p1 && s2 == s1 && p2 <= 38,
                    Profile::Delta | Profile::BigQuery => p2 - s2 >= p1 - s1 && s2 >= s1,
                }
            }
            // Iceberg treats another unit as another type; Delta and BigQuery store microseconds.
            TypeChange::TemporalUnit => false,
            // Breaking both ways already, or only physical: nothing to add.
            _ => return None,
        };
        (!allowed).then_some(match self {
            Profile::IcebergV2 => "Iceberg v2 allows only int to long, float to double and a wider decimal precision",
            Profile::IcebergV3 => "Iceberg v3 allows only int to long, float to double, a wider decimal precision, date to timestamp and unknown to any type",
            Profile::Delta => "Delta type widening does not cover this change",
            Profile::BigQuery => "BigQuery cannot convert a column this way",
        })
    }
}

impl std::str::FromStr for Profile {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        Profile::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| {
                format!(
                    "unknown profile `{text}` (expected one of {})",
                    Profile::ALL.map(Profile::name).join(", ")
                )
            })
    }
}

/// An Arrow schema judged for a table format as well as for its readers.
#[derive(Debug, Clone, Copy)]
pub struct Profiled<'a> {
    pub schema: &'a Schema,
    pub profile: Profile,
}

impl Comparable for Profiled<'_> {
    fn changes(old: &Self, new: &Self) -> Vec<Change> {
        super::arrow_walk::walk(old.schema, new.schema, None, Some(new.profile))
    }

    fn breaking_changes(old: &Self, new: &Self, wanted: Directions) -> Vec<Change> {
        super::arrow_walk::walk(old.schema, new.schema, Some(wanted), Some(new.profile))
    }

    fn resolution_key(&self) -> Cow<'_, str> {
        self.schema.resolution_key()
    }
}
