//! The compatibility engine: pure functions, no I/O.
//!
//! [`diff`] walks an old and a new schema side by side and classifies every change with the rule
//! that describes it, and for each change whether it breaks **backward** (the new schema reading
//! data written with the old) and **forward** (the old schema reading data written with the new),
//! following the Avro specification's schema-resolution rules. [`check`] is the one-direction view
//! (a reader against a writer) and [`check_history`] applies a [`Level`] to a version history.
//!
//! Each rule is declared once, in its own file under `rules/`, with its check; the walker only
//! pairs up what corresponds (fields by name and alias, union branches by type, named types by
//! name and alias) and asks every rule about each pair.

mod arrow_walk;
mod branches;
pub mod catalog;
pub mod constraints;
mod finding;
mod level;
mod profile;
mod render;
pub mod rules;
mod walk;

pub use catalog::{Bump, Format, Rule};
pub use finding::{Breach, Finding, Report, Waiver};
pub use level::{Direction, Level, ParseLevelError};
pub use profile::{Profile, Profiled};
pub use render::{ChangeView, FindingView, ReportView};

use std::borrow::Cow;

use crate::avro::Schema;

pub use arrow_walk::FIELD_ID_KEY;

/// A schema the engine compares: Avro or Arrow.
pub trait Comparable {
    /// Every change from `old` to `new`.
    fn changes(old: &Self, new: &Self) -> Vec<Change>;
    /// Only the changes breaking one of `wanted`: what a check against an older version needs.
    fn breaking_changes(old: &Self, new: &Self, wanted: Directions) -> Vec<Change>;
    /// Everything resolution reads: two schemas with equal keys break a third the same way.
    fn resolution_key(&self) -> Cow<'_, str>;
}

impl Comparable for Schema {
    fn changes(old: &Self, new: &Self) -> Vec<Change> {
        walk::walk(old, new)
    }

    fn breaking_changes(old: &Self, new: &Self, wanted: Directions) -> Vec<Change> {
        walk::walk_breaking(old, new, wanted)
    }

    fn resolution_key(&self) -> Cow<'_, str> {
        Cow::Borrowed(self.resolution_form())
    }
}

impl Comparable for arrow_schema::Schema {
    fn changes(old: &Self, new: &Self) -> Vec<Change> {
        arrow_walk::walk(old, new, None, None)
    }

    fn breaking_changes(old: &Self, new: &Self, wanted: Directions) -> Vec<Change> {
        arrow_walk::walk(old, new, Some(wanted), None)
    }

    fn resolution_key(&self) -> Cow<'_, str> {
        Cow::Owned(crate::arrow::resolution_form(self))
    }
}

/// Which reading directions a change breaks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Directions {
    /// The new schema cannot read data written with the old one.
    pub backward: bool,
    /// The old schema cannot read data written with the new one.
    pub forward: bool,
}

impl Directions {
    pub const NONE: Directions = Directions {
        backward: false,
        forward: false,
    };
    pub const BACKWARD: Directions = Directions {
        backward: true,
        forward: false,
    };
    pub const FORWARD: Directions = Directions {
        backward: false,
        forward: true,
    };
    pub const BOTH: Directions = Directions {
        backward: true,
        forward: true,
    };

    /// Directions given as "does it break backward, does it break forward".
    pub const fn new(backward: bool, forward: bool) -> Self {
        Directions { backward, forward }
    }

    pub fn any(self) -> bool {
        self.backward || self.forward
    }

    pub fn has(self, direction: Direction) -> bool {
        match direction {
            Direction::Backward => self.backward,
            Direction::Forward => self.forward,
        }
    }

    pub fn intersects(self, other: Directions) -> bool {
        (self.backward && other.backward) || (self.forward && other.forward)
    }

    pub fn and(self, other: Directions) -> Directions {
        Directions::new(
            self.backward && other.backward,
            self.forward && other.forward,
        )
    }

    pub fn or(self, other: Directions) -> Directions {
        Directions::new(
            self.backward || other.backward,
            self.forward || other.forward,
        )
    }

    /// `["backward"]`, `["backward", "forward"]`, ... for output.
    pub fn names(self) -> Vec<&'static str> {
        let mut names = Vec::new();
        if self.backward {
            names.push("backward");
        }
        if self.forward {
            names.push("forward");
        }
        names
    }
}

/// One classified difference between an old and a new schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub rule: &'static Rule,
    /// JSON path of the element the change is about: in the new schema, or in the old one when
    /// the element was removed.
    pub path: String,
    /// JSON path of the corresponding position in the old schema.
    pub old_path: String,
    /// JSON path of the corresponding position in the new schema.
    pub new_path: String,
    /// Dotted location by names, e.g. `Order.customer.zip`.
    pub location: String,
    /// A lowercase past-tense fact naming the element: "new field `coupon` has no default".
    pub message: String,
    pub breaks: Directions,
    /// The table format that refuses the change, when checked with a profile (AR950): the
    /// change fails every level but `NONE` without breaking a reading direction.
    pub refused_by: Option<Profile>,
}

impl Change {
    /// A change about the element at `old_path` (a removal, `focus_old`) or `new_path`.
    pub(crate) fn at(
        rule: &'static Rule,
        focus_old: bool,
        old_path: String,
        new_path: String,
        location: String,
        message: String,
        breaks: Directions,
    ) -> Change {
        Change {
            rule,
            path: if focus_old {
                old_path.clone()
            } else {
                new_path.clone()
            },
            old_path,
            new_path,
            location,
            message,
            breaks,
            refused_by: None,
        }
    }

    /// Whether the change fails a check at `level`.
    pub fn fails(&self, level: Level) -> bool {
        self.breaks.intersects(level.directions())
            || (self.refused_by.is_some() && level != Level::None)
    }
}

/// Every change between two schemas.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diff {
    pub changes: Vec<Change>,
}

impl Diff {
    /// The directions broken by at least one change.
    pub fn breaks(&self) -> Directions {
        self.changes
            .iter()
            .fold(Directions::NONE, |acc, c| acc.or(c.breaks))
    }

    /// The semver bump these changes need when held to `level`: `major` if one breaks it,
    /// otherwise the largest bump the changes' rules ask for, `none` when nothing changed.
    pub fn bump(&self, level: Level) -> Bump {
        self.changes
            .iter()
            .map(|c| {
                if c.fails(level) {
                    Bump::Major
                } else {
                    c.rule.bump
                }
            })
            .max()
            .unwrap_or(Bump::None)
    }
}

/// Classifies every change from `old` to `new`.
pub fn diff<S: Comparable>(old: &S, new: &S) -> Diff {
    Diff {
        changes: S::changes(old, new),
    }
}

/// Whether data written with `writer` can be read with `reader`: every finding that stands in
/// the way, empty when it can. Like [`diff`] and [`check_history`], the earlier schema comes first.
pub fn check<S: Comparable>(writer: &S, reader: &S) -> Vec<Finding> {
    // Reading old data with a new schema is the backward direction of old -> new.
    diff(writer, reader)
        .changes
        .into_iter()
        .filter(|c| c.breaks.backward)
        .map(|c| Finding::new(c, Breach::Reads(Direction::Backward), Vec::new()))
        .collect()
}

/// Checks `new` against a history (oldest first) at `level`: the last version for the plain
/// levels, every version for the transitive ones.
pub fn check_history<S: Comparable>(history: &[&S], new: &S, level: Level) -> Report {
    finding::check_history(history, new, level)
}
