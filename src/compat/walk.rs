//! Walks an old and a new schema side by side, pairs what corresponds, and asks each rule about
//! every pair. Rules decide what changed and which directions it breaks; the walker decides what
//! corresponds to what.

use rustc_hash::FxHashMap;

use crate::avro::{Field, Kind, NamedId, NamedKind, NamedType, Node, Schema};

use super::catalog::RULES;
use super::{Change, Directions, Rule};

/// Matched positions `(old index, new index)`, in new order.
pub(crate) type IndexPairs = [(usize, usize)];

/// The hook a rule's check attaches to.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Check {
    /// A field of the new record with no counterpart in the old one.
    FieldAdded(fn(&mut Cx, &Field)),
    /// A field of the old record with no counterpart in the new one.
    FieldRemoved(fn(&mut Cx, &Field)),
    /// A field present in both (matched by name or alias).
    FieldPair(fn(&mut Cx, &Field, &Field)),
    /// Two records' fields, with the pairs `(old index, new index)` in new order.
    RecordPair(fn(&mut Cx, &[Field], &[Field], &IndexPairs)),
    /// Two positions that are not unions (a union is walked branch by branch).
    TypePair(fn(&mut Cx, &Node, &Node)),
    /// Two named types of the same kind met at the same position, visited once per pair.
    NamedPair(fn(&mut Cx, &NamedType, &NamedType)),
    /// A branch of the new union (or the new non-union type) with no counterpart in the old.
    BranchAdded(fn(&mut Cx, &Node, &[Node])),
    /// A branch of the old union (or the old non-union type) with no counterpart in the new.
    BranchRemoved(fn(&mut Cx, &Node, &[Node])),
    /// Two unions' branches, with the pairs `(old index, new index)` in new order.
    UnionPair(fn(&mut Cx, &IndexPairs)),
}

/// The walk's state, and what a rule's check sees.
pub(crate) struct Cx<'a> {
    pub old: &'a Schema,
    pub new: &'a Schema,
    /// The paths and the location as steps, rendered only when a change is emitted.
    old_path: Vec<Seg<'a>>,
    new_path: Vec<Seg<'a>>,
    location: Vec<Seg<'a>>,
    /// The element a change is about exists only in the old schema (a removal).
    focus_old: bool,
    /// Directions in which the current position is reached at all: a field matched through an
    /// alias only the new schema knows is read in the backward direction only.
    mask: Directions,
    /// Named pairs already walked, with the directions they were walked in.
    visited: FxHashMap<(NamedId, NamedId), Directions>,
    changes: Vec<Change>,
}

impl Cx<'_> {
    /// Reports a change at the current position; `breaks` is limited to the directions in which
    /// this position is reached.
    pub fn emit(&mut self, rule: &'static Rule, message: String, breaks: Directions) {
        debug_assert!(
            rule.may_break.or(breaks) == rule.may_break,
            "{} reported breaking {:?} beyond its declared {:?}",
            rule.code,
            breaks,
            rule.may_break
        );
        let (old_path, new_path) = (render("$", &self.old_path), render("$", &self.new_path));
        let path = if self.focus_old {
            old_path.clone()
        } else {
            new_path.clone()
        };
        let location = render("", &self.location);
        self.changes.push(Change {
            rule,
            path,
            old_path,
            new_path,
            location: location.strip_prefix('.').unwrap_or(&location).to_string(),
            message,
            breaks: breaks.and(self.mask),
        });
    }
}

/// Every rule's checks, in catalog order, collected once.
fn all_checks() -> impl Iterator<Item = &'static Check> {
    static CHECKS: std::sync::OnceLock<Vec<&'static Check>> = std::sync::OnceLock::new();
    CHECKS
        .get_or_init(|| RULES.iter().flat_map(|rule| rule.checks.iter()).collect())
        .iter()
        .copied()
}

pub(crate) fn walk(old: &Schema, new: &Schema) -> Vec<Change> {
    let mut cx = Cx {
        old,
        new,
        old_path: Vec::new(),
        new_path: Vec::new(),
        location: vec![root_location(new, new.root())],
        focus_old: false,
        mask: Directions::BOTH,
        visited: FxHashMap::default(),
        changes: Vec::new(),
    };
    walk_node(&mut cx, old.root(), new.root());
    cx.changes
}

fn root_location<'a>(schema: &'a Schema, node: &Node) -> Seg<'a> {
    match &node.kind {
        Kind::Named(id) => Seg::Text(schema.named(*id).name.name()),
        _ => Seg::None,
    }
}

fn render(start: &str, segs: &[Seg]) -> String {
    let mut out = String::from(start);
    for seg in segs {
        seg.push(&mut out);
    }
    out
}

/// One step of a path or location.
#[derive(Clone, Copy)]
enum Seg<'a> {
    None,
    /// `.items`, `[]`, ...
    Text(&'a str),
    /// `[3]`
    Index(usize),
    /// `.fields[3]`
    Field(usize),
    /// `.name`
    Dot(&'a str),
    /// `<Name>`
    Branch(&'a str),
}

impl Seg<'_> {
    fn push(self, out: &mut String) {
        match self {
            Seg::None => {}
            Seg::Text(text) => out.push_str(text),
            Seg::Index(i) => push_index(out, "[", i),
            Seg::Field(i) => push_index(out, ".fields[", i),
            Seg::Dot(name) => {
                out.push('.');
                out.push_str(name);
            }
            Seg::Branch(name) => {
                out.push('<');
                out.push_str(name);
                out.push('>');
            }
        }
    }
}

/// `{prefix}{i}]`.
fn push_index(out: &mut String, prefix: &str, mut i: usize) {
    out.push_str(prefix);
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (i % 10) as u8;
        i /= 10;
        if i == 0 {
            break;
        }
    }
    out.push_str(std::str::from_utf8(&digits[start..]).expect("ASCII digits"));
    out.push(']');
}

/// Appends to the paths and location, runs `f`, and restores them.
fn nested<'a, R>(
    cx: &mut Cx<'a>,
    old_suffix: Seg<'a>,
    new_suffix: Seg<'a>,
    location_suffix: Seg<'a>,
    f: impl FnOnce(&mut Cx<'a>) -> R,
) -> R {
    let lens = (cx.old_path.len(), cx.new_path.len(), cx.location.len());
    cx.old_path.push(old_suffix);
    cx.new_path.push(new_suffix);
    cx.location.push(location_suffix);
    let result = f(cx);
    cx.old_path.truncate(lens.0);
    cx.new_path.truncate(lens.1);
    cx.location.truncate(lens.2);
    result
}

fn with_mask<'a>(cx: &mut Cx<'a>, mask: Directions, f: impl FnOnce(&mut Cx<'a>)) {
    let saved = cx.mask;
    cx.mask = saved.and(mask);
    if cx.mask.any() {
        f(cx);
    }
    cx.mask = saved;
}

fn with_focus_old<'a>(cx: &mut Cx<'a>, f: impl FnOnce(&mut Cx<'a>)) {
    cx.focus_old = true;
    f(cx);
    cx.focus_old = false;
}

fn walk_node<'a>(cx: &mut Cx<'a>, old: &'a Node, new: &'a Node) {
    // Named references can chain deeper than the JSON nesting: grow the stack instead of
    // overflowing it.
    stacker::maybe_grow(64 * 1024, 1024 * 1024, || {
        if matches!(old.kind, Kind::Union(_)) || matches!(new.kind, Kind::Union(_)) {
            walk_union(cx, old, new);
        } else {
            walk_pair(cx, old, new);
        }
    });
}

fn walk_union<'a>(cx: &mut Cx<'a>, old: &'a Node, new: &'a Node) {
    let new_schema = cx.new;
    let (old_branches, new_branches) = (old.branches(), new.branches());
    let old_is_union = matches!(old.kind, Kind::Union(_));
    let new_is_union = matches!(new.kind, Kind::Union(_));
    let index_suffix = |is_union: bool, i: usize| if is_union { Seg::Index(i) } else { Seg::None };

    let mut used = vec![false; old_branches.len()];
    let mut pairs = Vec::new();
    for (j, nb) in new_branches.iter().enumerate() {
        let found = old_branches
            .iter()
            .enumerate()
            .find(|(i, ob)| !used[*i] && same_branch(cx.old, ob, cx.new, nb));
        if let Some((i, _)) = found {
            used[i] = true;
            pairs.push((i, j));
        }
    }
    for &(i, j) in &pairs {
        let location = branch_location(new_schema, &new_branches[j], new_is_union);
        nested(
            cx,
            index_suffix(old_is_union, i),
            index_suffix(new_is_union, j),
            location,
            |cx| walk_pair(cx, &old_branches[i], &new_branches[j]),
        );
    }
    for (j, nb) in new_branches.iter().enumerate() {
        if pairs.iter().any(|&(_, pj)| pj == j) {
            continue;
        }
        nested(
            cx,
            Seg::None,
            index_suffix(new_is_union, j),
            Seg::None,
            |cx| {
                for check in all_checks() {
                    if let Check::BranchAdded(check) = *check {
                        check(cx, nb, old_branches);
                    }
                }
            },
        );
    }
    for (i, ob) in old_branches.iter().enumerate() {
        if used[i] {
            continue;
        }
        nested(
            cx,
            index_suffix(old_is_union, i),
            Seg::None,
            Seg::None,
            |cx| {
                with_focus_old(cx, |cx| {
                    for check in all_checks() {
                        if let Check::BranchRemoved(check) = *check {
                            check(cx, ob, new_branches);
                        }
                    }
                })
            },
        );
    }
    if old_is_union && new_is_union {
        for check in all_checks() {
            if let Check::UnionPair(check) = *check {
                check(cx, &pairs);
            }
        }
    }
}

fn branch_location<'a>(schema: &'a Schema, branch: &Node, in_union: bool) -> Seg<'a> {
    match (&branch.kind, in_union) {
        (Kind::Named(id), true) => Seg::Branch(schema.named(*id).name.name()),
        _ => Seg::None,
    }
}

/// Whether two union branches are the same member: the same primitive, both arrays, both maps,
/// or named types of the same kind whose names match directly or through an alias.
pub(crate) fn same_branch(
    old_schema: &Schema,
    old: &Node,
    new_schema: &Schema,
    new: &Node,
) -> bool {
    match (&old.kind, &new.kind) {
        (Kind::Primitive(a), Kind::Primitive(b)) => a == b,
        (Kind::Array(_), Kind::Array(_)) | (Kind::Map(_), Kind::Map(_)) => true,
        (Kind::Named(a), Kind::Named(b)) => {
            let (a, b) = (old_schema.named(*a), new_schema.named(*b));
            same_named_kind(a, b) && (b.accepts_name(&a.name) || a.accepts_name(&b.name))
        }
        _ => false,
    }
}

/// Both are records, both enums, or both fixed.
pub(crate) fn same_named_kind(a: &NamedType, b: &NamedType) -> bool {
    matches!(
        (&a.kind, &b.kind),
        (NamedKind::Record { .. }, NamedKind::Record { .. })
            | (NamedKind::Enum { .. }, NamedKind::Enum { .. })
            | (NamedKind::Fixed { .. }, NamedKind::Fixed { .. })
    )
}

/// Whether the specification's resolution lets a `reader` branch read a `writer` branch without
/// looking deeper: the same primitive or a promotion, or a match by kind and name.
pub(crate) fn resolves(
    reader_schema: &Schema,
    reader: &Node,
    writer_schema: &Schema,
    writer: &Node,
) -> bool {
    match (&reader.kind, &writer.kind) {
        (Kind::Primitive(r), Kind::Primitive(w)) => r.reads(*w),
        (Kind::Array(_), Kind::Array(_)) | (Kind::Map(_), Kind::Map(_)) => true,
        (Kind::Named(r), Kind::Named(w)) => {
            let (r, w) = (reader_schema.named(*r), writer_schema.named(*w));
            same_named_kind(r, w) && r.accepts_name(&w.name)
        }
        _ => false,
    }
}

fn walk_pair<'a>(cx: &mut Cx<'a>, old: &'a Node, new: &'a Node) {
    for check in all_checks() {
        if let Check::TypePair(check) = *check {
            check(cx, old, new);
        }
    }
    match (&old.kind, &new.kind) {
        (Kind::Array(a), Kind::Array(b)) => nested(
            cx,
            Seg::Text(".items"),
            Seg::Text(".items"),
            Seg::Text("[]"),
            |cx| walk_node(cx, a, b),
        ),
        (Kind::Map(a), Kind::Map(b)) => nested(
            cx,
            Seg::Text(".values"),
            Seg::Text(".values"),
            Seg::Text("{}"),
            |cx| walk_node(cx, a, b),
        ),
        (Kind::Named(a), Kind::Named(b)) => walk_named(cx, *a, *b),
        _ => {}
    }
}

fn walk_named(cx: &mut Cx, old_id: NamedId, new_id: NamedId) {
    let (old_schema, new_schema) = (cx.old, cx.new);
    let (old, new) = (old_schema.named(old_id), new_schema.named(new_id));
    if !same_named_kind(old, new) {
        return;
    }
    // A pair is walked once, unless it is met again in directions not yet walked.
    let walked = cx
        .visited
        .entry((old_id, new_id))
        .or_insert(Directions::NONE);
    if walked.or(cx.mask) == *walked {
        return;
    }
    *walked = walked.or(cx.mask);
    for check in all_checks() {
        if let Check::NamedPair(check) = *check {
            check(cx, old, new);
        }
    }
    // A name that does not match in a direction stops resolution there (the rename is reported
    // by its rule); what lies inside is only compared for the directions that do match.
    let reached = Directions::new(new.accepts_name(&old.name), old.accepts_name(&new.name));
    if let (
        NamedKind::Record {
            fields: old_fields, ..
        },
        NamedKind::Record {
            fields: new_fields, ..
        },
    ) = (&old.kind, &new.kind)
    {
        with_mask(cx, reached, |cx| walk_record(cx, old_fields, new_fields));
    }
}

fn walk_record<'a>(cx: &mut Cx<'a>, old_fields: &'a [Field], new_fields: &'a [Field]) {
    // Small records (most of them) are searched directly; hashing costs more there.
    let old_by_name: Option<FxHashMap<&str, usize>> = (old_fields.len() > 8).then(|| {
        old_fields
            .iter()
            .enumerate()
            .map(|(i, f)| (f.name.as_str(), i))
            .collect()
    });
    let find_old = |name: &str| match &old_by_name {
        Some(map) => map.get(name).copied(),
        None => old_fields.iter().position(|f| f.name == name),
    };
    let mut used = vec![false; old_fields.len()];
    let mut pairs = Vec::new();
    // Exact names first, so an alias never steals a field that is still there by name.
    let mut unmatched_new = Vec::new();
    for (j, nf) in new_fields.iter().enumerate() {
        match find_old(&nf.name) {
            Some(i) => {
                used[i] = true;
                pairs.push((i, j));
            }
            None => unmatched_new.push(j),
        }
    }
    let mut added = Vec::new();
    for j in unmatched_new {
        let nf = &new_fields[j];
        let renamed_from = old_fields.iter().enumerate().find(|(i, of)| {
            !used[*i] && (nf.aliases.contains(&of.name) || of.aliases.contains(&nf.name))
        });
        match renamed_from {
            Some((i, _)) => {
                used[i] = true;
                pairs.push((i, j));
            }
            None => added.push(j),
        }
    }
    pairs.sort_by_key(|&(_, j)| j);

    for &(i, j) in &pairs {
        let (of, nf) = (&old_fields[i], &new_fields[j]);
        nested(cx, Seg::Field(i), Seg::Field(j), Seg::Dot(&nf.name), |cx| {
            for check in all_checks() {
                if let Check::FieldPair(check) = *check {
                    check(cx, of, nf);
                }
            }
            let reached = Directions::new(
                nf.name == of.name || nf.aliases.contains(&of.name),
                of.name == nf.name || of.aliases.contains(&nf.name),
            );
            with_mask(cx, reached, |cx| {
                nested(
                    cx,
                    Seg::Text(".type"),
                    Seg::Text(".type"),
                    Seg::None,
                    |cx| walk_node(cx, &of.schema, &nf.schema),
                )
            });
        });
    }
    for j in added {
        let nf = &new_fields[j];
        nested(cx, Seg::None, Seg::Field(j), Seg::Dot(&nf.name), |cx| {
            for check in all_checks() {
                if let Check::FieldAdded(check) = *check {
                    check(cx, nf);
                }
            }
        });
    }
    for (i, of) in old_fields.iter().enumerate() {
        if used[i] {
            continue;
        }
        nested(cx, Seg::Field(i), Seg::None, Seg::Dot(&of.name), |cx| {
            with_focus_old(cx, |cx| {
                for check in all_checks() {
                    if let Check::FieldRemoved(check) = *check {
                        check(cx, of);
                    }
                }
            })
        });
    }
    for check in all_checks() {
        if let Check::RecordPair(check) = *check {
            check(cx, old_fields, new_fields, &pairs);
        }
    }
}
