//! Walks an old and a new Arrow schema side by side and asks each Arrow rule about every pair.
//! Fields correspond by stable field id (`PARQUET:field_id` in field metadata) when both sides
//! carry one, else by name; list items, map values and union members (by name) are walked
//! recursively, so a change deep inside reports a path like `order.items[].price`.

use arrow_schema::{DataType, Field, FieldRef, Fields, Schema};
use rustc_hash::FxHashMap;

use super::catalog::{Checks, RULES};
use super::{Change, Directions, Profile, Rule};

/// The metadata key Parquet (and Iceberg) use for a field's stable id.
pub const FIELD_ID_KEY: &str = "PARQUET:field_id";

type FieldCheck = fn(&mut ArrowCx, &Field);
type FieldPairCheck = fn(&mut ArrowCx, &Field, &Field);
type FieldsPairCheck = fn(&mut ArrowCx, &Fields, &Fields, &[(usize, usize)]);
type TypePairCheck = fn(&mut ArrowCx, &DataType, &DataType, TypeChange);
type SchemaPairCheck = fn(&mut ArrowCx, &Schema, &Schema);

/// The hook an Arrow rule's check attaches to.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ArrowCheck {
    /// A field of the new schema with no counterpart in the old.
    FieldAdded(FieldCheck),
    /// A field of the old schema with no counterpart in the new.
    FieldRemoved(FieldCheck),
    /// Two corresponding fields (also a list's items and a map's values).
    FieldPair(FieldPairCheck),
    /// Two sibling lists of fields, with the pairs `(old index, new index)` in new order.
    FieldsPair(FieldsPairCheck),
    /// The types at two corresponding positions, and how they differ (computed once).
    TypePair(TypePairCheck),
    /// A member of the new union with no counterpart (by name) in the old.
    MemberAdded(FieldCheck),
    /// A member of the old union with no counterpart in the new.
    MemberRemoved(FieldCheck),
    /// The two schemas as wholes (their metadata).
    SchemaPair(SchemaPairCheck),
}

/// One step of a JSON path or a location.
#[derive(Clone, Copy)]
enum Step<'a> {
    /// `.fields[i]`
    Top(usize),
    /// `.children[i]`
    Child(usize),
    /// `.name` (the first one without the dot)
    Name(&'a str),
    /// `[]`, `{key}`, ...
    Text(&'static str),
    /// `<member>`
    Member(&'a str),
}

fn render(steps: &[Step], json: bool) -> String {
    let mut out = String::from(if json { "$" } else { "" });
    for step in steps {
        match (step, json) {
            (Step::Top(i), true) => out.push_str(&format!(".fields[{i}]")),
            (Step::Child(i), true) => out.push_str(&format!(".children[{i}]")),
            (Step::Name(name), false) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(name);
            }
            (Step::Text(text), false) => out.push_str(text),
            (Step::Member(name), false) => {
                out.push('<');
                out.push_str(name);
                out.push('>');
            }
            _ => {}
        }
    }
    out
}

/// The walk's state, and what an Arrow rule's check sees.
pub(crate) struct ArrowCx<'a> {
    /// The table format the change is also judged for, if any.
    pub profile: Option<Profile>,
    old_path: Vec<Step<'a>>,
    new_path: Vec<Step<'a>>,
    location: Vec<Step<'a>>,
    focus_old: bool,
    /// At a list's items or a map's values, whose names (`item`, `element`, `value`) readers
    /// never address.
    in_container: bool,
    wanted: Option<Directions>,
    changes: Vec<Change>,
}

impl ArrowCx<'_> {
    /// Whether the current fields' names are part of the contract: not for a list's items or a
    /// map's values, which Parquet and Arrow libraries name differently.
    pub fn names_matter(&self) -> bool {
        !self.in_container
    }

    /// Reports a change at the current position.
    pub fn emit(&mut self, rule: &'static Rule, message: String, breaks: Directions) {
        rule.debug_check_breaks(breaks);
        if self.wanted.is_some_and(|wanted| !breaks.intersects(wanted)) {
            return;
        }
        self.push(rule, message, breaks, None);
    }

    /// Reports a change the profile's table format refuses, whatever readers could do: it fails
    /// a check at every level but `NONE`. Only the step from the latest version counts (the
    /// table holds that one), so a walk for an older version's breaking changes skips it.
    pub fn refuse(&mut self, rule: &'static Rule, message: String) {
        if let Some(profile) = self.profile
            && self.wanted.is_none()
        {
            self.push(rule, message, Directions::NONE, Some(profile));
        }
    }

    fn push(
        &mut self,
        rule: &'static Rule,
        message: String,
        breaks: Directions,
        refused_by: Option<Profile>,
    ) {
        let mut change = Change::at(
            rule,
            self.focus_old,
            render(&self.old_path, true),
            render(&self.new_path, true),
            render(&self.location, false),
            message,
            breaks,
        );
        change.refused_by = refused_by;
        self.changes.push(change);
    }
}

/// Every Arrow rule's checks, in catalog order, sorted by hook once so a visit calls only the
/// checks that attach to it.
#[derive(Default)]
struct Hooks {
    field_added: Vec<FieldCheck>,
    field_removed: Vec<FieldCheck>,
    field_pair: Vec<FieldPairCheck>,
    fields_pair: Vec<FieldsPairCheck>,
    type_pair: Vec<TypePairCheck>,
    member_added: Vec<FieldCheck>,
    member_removed: Vec<FieldCheck>,
    schema_pair: Vec<SchemaPairCheck>,
}

fn hooks() -> &'static Hooks {
    static HOOKS: std::sync::OnceLock<Hooks> = std::sync::OnceLock::new();
    HOOKS.get_or_init(|| {
        let mut hooks = Hooks::default();
        for rule in RULES {
            let Checks::Arrow(checks) = rule.checks else {
                continue;
            };
            for check in checks {
                match *check {
                    ArrowCheck::FieldAdded(f) => hooks.field_added.push(f),
                    ArrowCheck::FieldRemoved(f) => hooks.field_removed.push(f),
                    ArrowCheck::FieldPair(f) => hooks.field_pair.push(f),
                    ArrowCheck::FieldsPair(f) => hooks.fields_pair.push(f),
                    ArrowCheck::TypePair(f) => hooks.type_pair.push(f),
                    ArrowCheck::MemberAdded(f) => hooks.member_added.push(f),
                    ArrowCheck::MemberRemoved(f) => hooks.member_removed.push(f),
                    ArrowCheck::SchemaPair(f) => hooks.schema_pair.push(f),
                }
            }
        }
        hooks
    })
}

/// Every change from `old` to `new`, or with `wanted` only those breaking one of its directions.
pub(crate) fn walk(
    old: &Schema,
    new: &Schema,
    wanted: Option<Directions>,
    profile: Option<Profile>,
) -> Vec<Change> {
    let mut cx = ArrowCx {
        profile,
        old_path: Vec::new(),
        new_path: Vec::new(),
        location: Vec::new(),
        focus_old: false,
        in_container: false,
        wanted,
        changes: Vec::new(),
    };
    for f in &hooks().schema_pair {
        f(&mut cx, old, new);
    }
    walk_fields(&mut cx, old.fields(), new.fields(), true);
    cx.changes
}

/// A field's stable id, if its metadata carries one.
pub(crate) fn field_id(field: &Field) -> Option<&str> {
    field.metadata().get(FIELD_ID_KEY).map(String::as_str)
}

/// Pairs sibling fields: by id where both carry one, then the rest by name. In new order.
fn pair_fields(old: &Fields, new: &Fields) -> Vec<(usize, usize)> {
    let mut by_id: FxHashMap<&str, usize> = FxHashMap::default();
    let mut by_name: FxHashMap<&str, usize> = FxHashMap::default();
    for (i, f) in old.iter().enumerate() {
        if let Some(id) = field_id(f) {
            by_id.insert(id, i);
        }
        by_name.insert(f.name().as_str(), i);
    }
    let mut taken = vec![false; old.len()];
    let mut pairs: Vec<Option<usize>> = new
        .iter()
        .map(|f| {
            let i = *by_id.get(field_id(f)?)?;
            taken[i] = true;
            Some(i)
        })
        .collect();
    for (j, f) in new.iter().enumerate() {
        if pairs[j].is_some() {
            continue;
        }
        if let Some(&i) = by_name.get(f.name().as_str()) {
            // A field whose id says it is another one is not paired by name.
            let ids_differ =
                matches!((field_id(&old[i]), field_id(f)), (Some(a), Some(b)) if a != b);
            if !taken[i] && !ids_differ {
                taken[i] = true;
                pairs[j] = Some(i);
            }
        }
    }
    pairs
        .into_iter()
        .enumerate()
        .filter_map(|(j, i)| i.map(|i| (i, j)))
        .collect()
}

fn walk_fields<'a>(cx: &mut ArrowCx<'a>, old: &'a Fields, new: &'a Fields, top: bool) {
    let step = |i| if top { Step::Top(i) } else { Step::Child(i) };
    let pairs = pair_fields(old, new);
    for f in &hooks().fields_pair {
        f(cx, old, new, &pairs);
    }
    let mut new_paired = vec![false; new.len()];
    let mut old_paired = vec![false; old.len()];
    for &(i, j) in &pairs {
        old_paired[i] = true;
        new_paired[j] = true;
    }
    for (j, field) in new.iter().enumerate().filter(|(j, _)| !new_paired[*j]) {
        cx.new_path.push(step(j));
        cx.location.push(Step::Name(field.name()));
        for f in &hooks().field_added {
            f(cx, field);
        }
        cx.new_path.pop();
        cx.location.pop();
    }
    for (i, field) in old.iter().enumerate().filter(|(i, _)| !old_paired[*i]) {
        cx.old_path.push(step(i));
        cx.location.push(Step::Name(field.name()));
        cx.focus_old = true;
        for f in &hooks().field_removed {
            f(cx, field);
        }
        cx.focus_old = false;
        cx.old_path.pop();
        cx.location.pop();
    }
    for (i, j) in pairs {
        cx.old_path.push(step(i));
        cx.new_path.push(step(j));
        cx.location.push(Step::Name(new[j].name()));
        walk_field_pair(cx, &old[i], &new[j]);
        cx.old_path.pop();
        cx.new_path.pop();
        cx.location.pop();
    }
}

fn walk_field_pair<'a>(cx: &mut ArrowCx<'a>, old: &'a Field, new: &'a Field) {
    for f in &hooks().field_pair {
        f(cx, old, new);
    }
    walk_type(cx, old.data_type(), new.data_type());
}

/// A list's items or a map's values: checked like fields, but their names do not matter.
fn walk_item_pair<'a>(cx: &mut ArrowCx<'a>, old: &'a Field, new: &'a Field) {
    let outer = std::mem::replace(&mut cx.in_container, true);
    for f in &hooks().field_pair {
        f(cx, old, new);
    }
    cx.in_container = outer;
    walk_type(cx, old.data_type(), new.data_type());
}

/// The type with its encoding (dictionary, run-end encoding) taken off.
pub(crate) fn decoded(data_type: &DataType) -> &DataType {
    match data_type {
        DataType::Dictionary(_, values) => decoded(values),
        DataType::RunEndEncoded(_, values) => decoded(values.data_type()),
        other => other,
    }
}

/// A type for messages: nested types by their kind only (their children are walked and
/// reported on their own), others in full.
pub(crate) fn describe(data_type: &DataType) -> String {
    match decoded(data_type) {
        DataType::List(_) => "List".into(),
        DataType::LargeList(_) => "LargeList".into(),
        DataType::ListView(_) => "ListView".into(),
        DataType::LargeListView(_) => "LargeListView".into(),
        DataType::FixedSizeList(_, n) => format!("FixedSizeList({n})"),
        DataType::Struct(_) => "Struct".into(),
        DataType::Map(..) => "Map".into(),
        DataType::Union(_, mode) => format!("Union({mode:?})"),
        other => other.to_string(),
    }
}

/// The item field of any list type.
pub(crate) fn list_item(data_type: &DataType) -> Option<&FieldRef> {
    match data_type {
        DataType::List(f)
        | DataType::LargeList(f)
        | DataType::ListView(f)
        | DataType::LargeListView(f)
        | DataType::FixedSizeList(f, _) => Some(f),
        _ => None,
    }
}

fn walk_type<'a>(cx: &mut ArrowCx<'a>, old: &'a DataType, new: &'a DataType) {
    // Equal types hold nothing to report, inside either (and deep equality is cheap next to
    // walking them).
    if old == new {
        return;
    }
    let change = classify(old, new);
    for f in &hooks().type_pair {
        f(cx, old, new, change);
    }
    let (old, new) = (decoded(old), decoded(new));
    match (old, new) {
        (DataType::Struct(of), DataType::Struct(nf)) => walk_fields(cx, of, nf, false),
        (DataType::Map(oe, _), DataType::Map(ne, _)) => {
            if let (DataType::Struct(ok), DataType::Struct(nk)) = (oe.data_type(), ne.data_type())
                && ok.len() == 2
                && nk.len() == 2
            {
                // Keys are judged as a whole by the map rule; values are walked.
                cx.old_path.extend([Step::Child(0), Step::Child(1)]);
                cx.new_path.extend([Step::Child(0), Step::Child(1)]);
                cx.location.push(Step::Text("{}"));
                walk_item_pair(cx, &ok[1], &nk[1]);
                cx.old_path.truncate(cx.old_path.len() - 2);
                cx.new_path.truncate(cx.new_path.len() - 2);
                cx.location.pop();
            }
        }
        (DataType::Union(om, _), DataType::Union(nm, _)) => {
            let old_members: Vec<(usize, &Field)> = om
                .iter()
                .enumerate()
                .map(|(k, (_, f))| (k, f.as_ref()))
                .collect();
            for (j, (_, member)) in nm.iter().enumerate() {
                match old_members.iter().find(|(_, f)| f.name() == member.name()) {
                    Some(&(k, old_member)) => {
                        cx.old_path.push(Step::Child(k));
                        cx.new_path.push(Step::Child(j));
                        cx.location.push(Step::Member(member.name()));
                        walk_type(cx, old_member.data_type(), member.data_type());
                        cx.old_path.pop();
                        cx.new_path.pop();
                        cx.location.pop();
                    }
                    None => {
                        cx.new_path.push(Step::Child(j));
                        cx.location.push(Step::Member(member.name()));
                        for f in &hooks().member_added {
                            f(cx, member);
                        }
                        cx.new_path.pop();
                        cx.location.pop();
                    }
                }
            }
            for (k, member) in old_members {
                if !nm.iter().any(|(_, f)| f.name() == member.name()) {
                    cx.old_path.push(Step::Child(k));
                    cx.location.push(Step::Member(member.name()));
                    cx.focus_old = true;
                    for f in &hooks().member_removed {
                        f(cx, member);
                    }
                    cx.focus_old = false;
                    cx.old_path.pop();
                    cx.location.pop();
                }
            }
        }
        _ => {
            if let (Some(oi), Some(ni)) = (list_item(old), list_item(new)) {
                cx.old_path.push(Step::Child(0));
                cx.new_path.push(Step::Child(0));
                cx.location.push(Step::Text("[]"));
                walk_item_pair(cx, oi, ni);
                cx.old_path.pop();
                cx.new_path.pop();
                cx.location.pop();
            }
        }
    }
}

/// How the types at one position differ, once encodings are taken off. Each Arrow type rule
/// reports one of these, so every type change is reported once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TypeChange {
    /// Logically and physically the same (or nested: what is inside is walked).
    Same,
    /// Only the physical layout differs (`Utf8`/`LargeUtf8`/`Utf8View`, list variants, ...).
    Physical,
    /// The new type holds every value of the old: `lossy` when some lose precision.
    Widened { lossy: bool },
    /// The old type holds every value of the new, not the reverse.
    Narrowed,
    /// Decimal precision or scale.
    Decimal,
    /// The unit of a timestamp, time or duration.
    TemporalUnit,
    /// A timestamp's timezone.
    Timezone,
    /// The size of a fixed-size binary or list.
    FixedSize,
    /// A map's key type.
    MapKey,
    /// A union's mode (sparse or dense).
    UnionMode,
    /// Unrelated types.
    Changed,
}

/// Classifies the change between two types at one position.
pub(crate) fn classify(old: &DataType, new: &DataType) -> TypeChange {
    use DataType::*;
    let (old, new) = (decoded(old), decoded(new));
    if old == new {
        return TypeChange::Same;
    }
    let family = |t: &DataType| match t {
        Utf8 | LargeUtf8 | Utf8View => 1,
        Binary | LargeBinary | BinaryView => 2,
        List(_) | LargeList(_) | ListView(_) | LargeListView(_) => 3,
        Date32 | Date64 => 4,
        _ => 0,
    };
    match (old, new) {
        // Lists' items are walked on their own: only the variant counts here.
        _ if family(old) != 0 && family(old) == family(new) => {
            if std::mem::discriminant(old) != std::mem::discriminant(new) {
                TypeChange::Physical
            } else {
                TypeChange::Same
            }
        }
        (Struct(_), Struct(_)) => TypeChange::Same,
        (Map(oe, os), Map(ne, ns)) => match (oe.data_type(), ne.data_type()) {
            (Struct(ok), Struct(nk)) if ok.len() == 2 && nk.len() == 2 => {
                if decoded(ok[0].data_type()) != decoded(nk[0].data_type()) {
                    TypeChange::MapKey
                } else if os != ns {
                    TypeChange::Physical
                } else {
                    TypeChange::Same
                }
            }
            _ => TypeChange::Changed,
        },
        (Union(_, om), Union(_, nm)) if om != nm => TypeChange::UnionMode,
        (Union(..), Union(..)) => TypeChange::Same,
        (FixedSizeList(_, a), FixedSizeList(_, b)) | (FixedSizeBinary(a), FixedSizeBinary(b)) => {
            if a == b {
                TypeChange::Same
            } else {
                TypeChange::FixedSize
            }
        }
        (Timestamp(ou, otz), Timestamp(nu, ntz)) => {
            if otz != ntz {
                TypeChange::Timezone
            } else if ou != nu {
                TypeChange::TemporalUnit
            } else {
                TypeChange::Same
            }
        }
        (Time32(_) | Time64(_), Time32(_) | Time64(_)) | (Duration(_), Duration(_)) => {
            TypeChange::TemporalUnit
        }
        _ if is_decimal(old) && is_decimal(new) => TypeChange::Decimal,
        _ => match (widening(old, new), widening(new, old)) {
            (Some(lossy), _) => TypeChange::Widened { lossy },
            (None, Some(_)) => TypeChange::Narrowed,
            (None, None) => TypeChange::Changed,
        },
    }
}

pub(crate) fn is_decimal(t: &DataType) -> bool {
    matches!(
        t,
        DataType::Decimal32(..)
            | DataType::Decimal64(..)
            | DataType::Decimal128(..)
            | DataType::Decimal256(..)
    )
}

/// Decimal precision and scale.
pub(crate) fn decimal(t: &DataType) -> Option<(i16, i16)> {
    match t {
        DataType::Decimal32(p, s)
        | DataType::Decimal64(p, s)
        | DataType::Decimal128(p, s)
        | DataType::Decimal256(p, s) => Some((i16::from(*p), i16::from(*s))),
        _ => None,
    }
}

/// Bits and signedness of an integer type.
fn integer(t: &DataType) -> Option<(u8, bool)> {
    use DataType::*;
    Some(match t {
        Int8 => (8, true),
        Int16 => (16, true),
        Int32 => (32, true),
        Int64 => (64, true),
        UInt8 => (8, false),
        UInt16 => (16, false),
        UInt32 => (32, false),
        UInt64 => (64, false),
        _ => return None,
    })
}

/// Decimal digits every value of an integer type needs.
fn integer_digits(bits: u8, signed: bool) -> i16 {
    match (bits, signed) {
        (8, _) => 3,
        (16, _) => 5,
        (32, _) => 10,
        (64, true) => 19,
        _ => 20,
    }
}

/// Whether every value of `from` can be read as `to`: `Some(lossy)`, or `None`.
fn widening(from: &DataType, to: &DataType) -> Option<bool> {
    use DataType::*;
    if matches!(from, Null) {
        return Some(false);
    }
    if let (Some((fb, fs)), Some((tb, ts))) = (integer(from), integer(to)) {
        return ((fs == ts && tb > fb) || (!fs && ts && tb > fb)).then_some(false);
    }
    let mantissa = |t: &DataType| match t {
        Float16 => Some(11),
        Float32 => Some(24),
        Float64 => Some(53),
        _ => None,
    };
    if let (Some(fm), Some(tm)) = (mantissa(from), mantissa(to)) {
        return (tm > fm).then_some(false);
    }
    if let (Some((bits, signed)), Some(tm)) = (integer(from), mantissa(to)) {
        let needed = if signed { bits - 1 } else { bits };
        return Some(u32::from(needed) > tm);
    }
    if let (Some((bits, signed)), Some((p, s))) = (integer(from), decimal(to)) {
        return (p - s >= integer_digits(bits, signed)).then_some(false);
    }
    match (from, to) {
        (Date32 | Date64, Timestamp(_, None)) => Some(false),
        _ => None,
    }
}
