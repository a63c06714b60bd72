//! Walks an old and a new schema side by side, pairs what corresponds, and asks each rule about
//! every pair. Rules decide what changed and which directions it breaks; the walker decides what
//! corresponds to what, and in which directions: resolution is driven by the reader, so a field
//! the new schema matches through its alias corresponds backward only.

use rustc_hash::FxHashMap;

use crate::avro::{Field, Kind, NamedId, NamedKind, NamedType, Node, Schema};

use super::branches::{BranchIndex, INDEX_FROM};
use super::catalog::{Checks, RULES};
use super::{Change, Directions, Rule};

/// Matched positions `(old index, new index)`, in new order.
pub(crate) type IndexPairs = [(usize, usize)];

/// Matched fields `(old index, new index, directions in which the readers pair them)`, in new
/// order.
pub(crate) type FieldPairs = [(usize, usize, Directions)];

type RecordPairCheck = fn(&mut Cx, &[Field], &[Field], &FieldPairs);

/// The hook a rule's check attaches to.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Check {
    /// A field of the new record that the new schema, reading old data, finds no counterpart for.
    FieldAdded(fn(&mut Cx, &Field)),
    /// A field of the old record that the old schema, reading new data, finds no counterpart for.
    FieldRemoved(fn(&mut Cx, &Field)),
    /// A field matched in at least one direction (by the reader's name or aliases).
    FieldPair(fn(&mut Cx, &Field, &Field)),
    /// Two records' fields, with the pairs `(old index, new index, directions)` in new order.
    RecordPair(RecordPairCheck),
    /// Two positions that are not unions (a union is walked branch by branch).
    TypePair(fn(&mut Cx, &Node, &Node)),
    /// Two named types of the same kind met at the same position: their names, aliases, docs.
    NamedPair(fn(&mut Cx, &NamedType, &NamedType)),
    /// What two named types hold (symbols, size), in the directions where their names match.
    NamedBody(fn(&mut Cx, &NamedType, &NamedType)),
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
    /// Only changes breaking one of these directions are kept (`None`: every change).
    wanted: Option<Directions>,
    /// Where each change is in `changes`, so that a change met again (a named type walked for a
    /// second direction) adds its directions to the first report instead of repeating it.
    reported: FxHashMap<(&'static str, String, String, String), usize>,
    /// Unions' branch indexes, by the address and length of their branches.
    branch_indexes: FxHashMap<(usize, usize), BranchIndex>,
}

impl Cx<'_> {
    /// Reports a change at the current position; `breaks` is limited to the directions in which
    /// this position is reached.
    pub fn emit(&mut self, rule: &'static Rule, message: String, breaks: Directions) {
        rule.debug_check_breaks(breaks);
        let breaks = breaks.and(self.mask);
        if self.wanted.is_some_and(|wanted| !breaks.intersects(wanted)) {
            return;
        }
        let (old_path, new_path) = (render(&self.old_path), render(&self.new_path));
        let key = (rule.code, old_path, new_path, message);
        if let Some(&i) = self.reported.get(&key) {
            self.changes[i].breaks = self.changes[i].breaks.or(breaks);
            return;
        }
        let (_, old_path, new_path, message) = key.clone();
        let location = render(&self.location);
        self.reported.insert(key, self.changes.len());
        self.changes.push(Change::at(
            rule,
            self.focus_old,
            old_path,
            new_path,
            location.strip_prefix('.').unwrap_or(&location).to_string(),
            message,
            breaks,
        ));
    }
}

/// Every Avro rule's checks, in catalog order, sorted by hook once so a visit calls only the
/// checks that attach to it.
#[derive(Default)]
struct Hooks {
    field_added: Vec<fn(&mut Cx, &Field)>,
    field_removed: Vec<fn(&mut Cx, &Field)>,
    field_pair: Vec<fn(&mut Cx, &Field, &Field)>,
    record_pair: Vec<RecordPairCheck>,
    type_pair: Vec<fn(&mut Cx, &Node, &Node)>,
    named_pair: Vec<fn(&mut Cx, &NamedType, &NamedType)>,
    named_body: Vec<fn(&mut Cx, &NamedType, &NamedType)>,
    branch_added: Vec<fn(&mut Cx, &Node, &[Node])>,
    branch_removed: Vec<fn(&mut Cx, &Node, &[Node])>,
    union_pair: Vec<fn(&mut Cx, &IndexPairs)>,
}

fn hooks() -> &'static Hooks {
    static HOOKS: std::sync::OnceLock<Hooks> = std::sync::OnceLock::new();
    HOOKS.get_or_init(|| {
        let mut hooks = Hooks::default();
        for rule in RULES {
            let Checks::Avro(checks) = rule.checks else {
                continue;
            };
            for check in checks {
                match *check {
                    Check::FieldAdded(f) => hooks.field_added.push(f),
                    Check::FieldRemoved(f) => hooks.field_removed.push(f),
                    Check::FieldPair(f) => hooks.field_pair.push(f),
                    Check::RecordPair(f) => hooks.record_pair.push(f),
                    Check::TypePair(f) => hooks.type_pair.push(f),
                    Check::NamedPair(f) => hooks.named_pair.push(f),
                    Check::NamedBody(f) => hooks.named_body.push(f),
                    Check::BranchAdded(f) => hooks.branch_added.push(f),
                    Check::BranchRemoved(f) => hooks.branch_removed.push(f),
                    Check::UnionPair(f) => hooks.union_pair.push(f),
                }
            }
        }
        hooks
    })
}

pub(crate) fn walk(old: &Schema, new: &Schema) -> Vec<Change> {
    walk_from(old, old.root(), new, new.root(), None)
}

/// Only the changes that break one of the `wanted` directions: what a check against an older
/// version needs, without building a record for every safe change.
pub(crate) fn walk_breaking(old: &Schema, new: &Schema, wanted: Directions) -> Vec<Change> {
    walk_from(old, old.root(), new, new.root(), Some(wanted))
}

fn walk_from(
    old: &Schema,
    old_node: &Node,
    new: &Schema,
    new_node: &Node,
    wanted: Option<Directions>,
) -> Vec<Change> {
    let mut cx = Cx {
        old,
        new,
        old_path: vec![Seg::Root("$")],
        new_path: vec![Seg::Root("$")],
        location: vec![root_location(new, new_node)],
        focus_old: false,
        mask: Directions::BOTH,
        visited: FxHashMap::default(),
        changes: Vec::new(),
        wanted,
        reported: FxHashMap::default(),
        branch_indexes: FxHashMap::default(),
    };
    walk_node(&mut cx, old_node, new_node);
    cx.changes
}

fn root_location<'a>(schema: &'a Schema, node: &Node) -> Seg<'a> {
    match &node.kind {
        Kind::Named(id) => Seg::Text(schema.named(*id).name.name()),
        _ => Seg::None,
    }
}

/// Renders steps from the last absolute one.
fn render(segs: &[Seg]) -> String {
    let start = segs
        .iter()
        .rposition(|s| matches!(s, Seg::Root(_)))
        .unwrap_or(0);
    let mut out = String::new();
    for seg in &segs[start..] {
        seg.push(&mut out);
    }
    out
}

/// One step of a path or location.
#[derive(Clone, Copy)]
enum Seg<'a> {
    None,
    /// An absolute path (`$`, or where a named type is defined): earlier steps no longer count.
    Root(&'a str),
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
            Seg::Root(text) | Seg::Text(text) => out.push_str(text),
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
    let (old_schema, new_schema) = (cx.old, cx.new);
    let (old_branches, new_branches) = (old.branches(), new.branches());
    let old_is_union = matches!(old.kind, Kind::Union(_));
    let new_is_union = matches!(new.kind, Kind::Union(_));
    let index_suffix = |is_union: bool, i: usize| {
        if is_union { Seg::Index(i) } else { Seg::None }
    };

    // The closest counterpart first: the same type or full name, then the same unqualified name,
    // then an alias, so that an alias never takes a branch whose namesake is still there.
    let mut used = vec![false; old_branches.len()];
    let mut partner: Vec<Option<usize>> = vec![None; new_branches.len()];
    // Large unions look their candidates up; small ones scan (the same first match either way).
    let index = (old_branches.len() >= INDEX_FROM && new_branches.len() >= INDEX_FROM)
        .then(|| BranchIndex::new(old_schema, old_branches));
    for closeness in [Closeness::Same, Closeness::SameName, Closeness::Alias] {
        for (j, nb) in new_branches.iter().enumerate() {
            if partner[j].is_some() {
                continue;
            }
            let fits = |&i: &usize| {
                !used[i] && correspond(old_schema, &old_branches[i], new_schema, nb, closeness)
            };
            let found = match &index {
                Some(index) => index.counterparts(new_schema, nb).into_iter().find(fits),
                None => (0..old_branches.len()).find(fits),
            };
            if let Some(i) = found {
                used[i] = true;
                partner[j] = Some(i);
            }
        }
    }
    let pairs: Vec<(usize, usize)> = partner
        .iter()
        .enumerate()
        .filter_map(|(j, i)| i.map(|i| (i, j)))
        .collect();
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
        if partner[j].is_some() {
            continue;
        }
        nested(
            cx,
            Seg::None,
            index_suffix(new_is_union, j),
            Seg::None,
            |cx| {
                for check in &hooks().branch_added {
                    check(cx, nb, old_branches);
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
                    for check in &hooks().branch_removed {
                        check(cx, ob, new_branches);
                    }
                })
            },
        );
    }
    if old_is_union && new_is_union {
        for check in &hooks().union_pair {
            check(cx, &pairs);
        }
    }
}

fn branch_location<'a>(schema: &'a Schema, branch: &Node, in_union: bool) -> Seg<'a> {
    match (&branch.kind, in_union) {
        (Kind::Named(id), true) => Seg::Branch(schema.named(*id).name.name()),
        _ => Seg::None,
    }
}

/// How closely two union branches must correspond to be paired.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Closeness {
    /// The same primitive, both arrays, both maps, or named types with the same full name.
    Same,
    /// Named types of the same kind with the same unqualified name.
    SameName,
    /// Named types of the same kind where one lists the other's name as an alias.
    Alias,
}

fn correspond(
    old_schema: &Schema,
    old: &Node,
    new_schema: &Schema,
    new: &Node,
    closeness: Closeness,
) -> bool {
    match (&old.kind, &new.kind) {
        (Kind::Primitive(a), Kind::Primitive(b)) => closeness == Closeness::Same && a == b,
        (Kind::Array(_), Kind::Array(_)) | (Kind::Map(_), Kind::Map(_)) => {
            closeness == Closeness::Same
        }
        (Kind::Named(a), Kind::Named(b)) => {
            let (a, b) = (old_schema.named(*a), new_schema.named(*b));
            same_named_kind(a, b)
                && match closeness {
                    Closeness::Same => a.name.full == b.name.full,
                    Closeness::SameName => a.name.name() == b.name.name(),
                    Closeness::Alias => b.accepts_name(&a.name) || a.accepts_name(&b.name),
                }
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

/// The specification's "match" between a reader and a writer schema, which picks the union
/// branch a value is resolved against: the same primitive or a promotion, both arrays, both
/// maps, or named types of the same kind whose names match (and, for fixed, whose sizes do).
fn matches(reader_schema: &Schema, reader: &Node, writer_schema: &Schema, writer: &Node) -> bool {
    match (&reader.kind, &writer.kind) {
        (Kind::Primitive(r), Kind::Primitive(w)) => r.reads(*w),
        (Kind::Array(_), Kind::Array(_)) | (Kind::Map(_), Kind::Map(_)) => true,
        (Kind::Named(r), Kind::Named(w)) => {
            let (r, w) = (reader_schema.named(*r), writer_schema.named(*w));
            let sizes_match = match (&r.kind, &w.kind) {
                (NamedKind::Fixed { size: a }, NamedKind::Fixed { size: b }) => a == b,
                _ => true,
            };
            same_named_kind(r, w) && r.accepts_name(&w.name) && sizes_match
        }
        _ => false,
    }
}

/// Whether a reader whose type has these `readers` branches reads a value written as `writer`:
/// the first branch that matches it must resolve it completely.
pub(crate) fn union_reads(
    cx: &mut Cx,
    readers: &[Node],
    writer: &Node,
    reader_is_old: bool,
) -> bool {
    let (reader_schema, writer_schema) = if reader_is_old {
        (cx.old, cx.new)
    } else {
        (cx.new, cx.old)
    };
    let is_match = |r: &&Node| matches(reader_schema, r, writer_schema, writer);
    let reader = if readers.len() >= INDEX_FROM {
        // Each unpaired branch asks about the same union: index it once.
        let index = cx
            .branch_indexes
            .entry((readers.as_ptr() as usize, readers.len()))
            .or_insert_with(|| BranchIndex::new(reader_schema, readers));
        index
            .readers_of(writer_schema, writer)
            .into_iter()
            .map(|i| &readers[i])
            .find(is_match)
    } else {
        readers.iter().find(is_match)
    };
    let Some(reader) = reader else {
        return false;
    };
    // Resolve the pair on its own: old -> new, in the direction the reader stands for.
    if reader_is_old {
        walk_from(
            reader_schema,
            reader,
            writer_schema,
            writer,
            Some(Directions::FORWARD),
        )
        .is_empty()
    } else {
        walk_from(
            writer_schema,
            writer,
            reader_schema,
            reader,
            Some(Directions::BACKWARD),
        )
        .is_empty()
    }
}

fn walk_pair<'a>(cx: &mut Cx<'a>, old: &'a Node, new: &'a Node) {
    for check in &hooks().type_pair {
        check(cx, old, new);
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

fn walk_named<'a>(cx: &mut Cx<'a>, old_id: NamedId, new_id: NamedId) {
    let (old_schema, new_schema) = (cx.old, cx.new);
    let (old, new) = (old_schema.named(old_id), new_schema.named(new_id));
    if !same_named_kind(old, new) {
        return;
    }
    // A pair is walked once per direction, however often it is referenced.
    let walked = cx
        .visited
        .entry((old_id, new_id))
        .or_insert(Directions::NONE);
    let fresh = Directions::new(
        cx.mask.backward && !walked.backward,
        cx.mask.forward && !walked.forward,
    );
    if !fresh.any() {
        return;
    }
    *walked = walked.or(fresh);
    // A name that does not match in a direction stops resolution there (the rename is reported
    // by its rule); what lies inside is only compared for the directions that do match.
    let reached = Directions::new(new.accepts_name(&old.name), old.accepts_name(&new.name));
    // Inside a named type, paths start again where it is defined, in each document.
    nested(
        cx,
        Seg::Root(&old.path),
        Seg::Root(&new.path),
        Seg::None,
        |cx| {
            with_mask(cx, fresh, |cx| {
                for check in &hooks().named_pair {
                    check(cx, old, new);
                }
                with_mask(cx, reached, |cx| {
                    for check in &hooks().named_body {
                        check(cx, old, new);
                    }
                    if let (
                        NamedKind::Record { fields: of, .. },
                        NamedKind::Record { fields: nf, .. },
                    ) = (&old.kind, &new.kind)
                    {
                        walk_record(cx, of, nf);
                    }
                })
            })
        },
    );
}

/// Finds a field by name: directly in small records (most of them), by hash in large ones.
struct FieldIndex<'a> {
    fields: &'a [Field],
    by_name: Option<FxHashMap<&'a str, usize>>,
}

impl<'a> FieldIndex<'a> {
    fn new(fields: &'a [Field]) -> Self {
        let by_name = (fields.len() > 8).then(|| {
            fields
                .iter()
                .enumerate()
                .map(|(i, f)| (f.name.as_str(), i))
                .collect()
        });
        FieldIndex { fields, by_name }
    }

    fn get(&self, name: &str) -> Option<usize> {
        match &self.by_name {
            Some(map) => map.get(name).copied(),
            None => self.fields.iter().position(|f| f.name == name),
        }
    }

    /// The writer field a reader field reads: the one of its name, else of one of its aliases.
    fn read_by(&self, reader: &Field) -> Option<usize> {
        self.get(&reader.name)
            .or_else(|| reader.aliases.iter().find_map(|alias| self.get(alias)))
    }
}

fn walk_record<'a>(cx: &mut Cx<'a>, old_fields: &'a [Field], new_fields: &'a [Field]) {
    // Each direction pairs fields the way its reader does: by name, then by the reader's aliases.
    let old_index = FieldIndex::new(old_fields);
    let backward: Vec<Option<usize>> = new_fields.iter().map(|f| old_index.read_by(f)).collect();
    // A pair by name holds both ways, so forward only has to look up the old fields' aliases.
    let mut forward: Vec<Option<usize>> = vec![None; old_fields.len()];
    for (j, i) in backward.iter().enumerate() {
        if let Some(i) = *i
            && old_fields[i].name == new_fields[j].name
        {
            forward[i] = Some(j);
        }
    }
    let mut new_index = None;
    for (i, of) in old_fields.iter().enumerate() {
        if forward[i].is_none() && !of.aliases.is_empty() {
            let index = new_index.get_or_insert_with(|| FieldIndex::new(new_fields));
            forward[i] = of.aliases.iter().find_map(|alias| index.get(alias));
        }
    }
    // One entry per new field matched backward (in new order), then forward-only pairs.
    let mut pairs: Vec<(usize, usize, Directions)> = backward
        .iter()
        .enumerate()
        .filter_map(|(j, i)| i.map(|i| (i, j, Directions::BACKWARD)))
        .collect();
    let backward_pairs = pairs.len();
    for (i, j) in forward.iter().enumerate() {
        let Some(j) = *j else { continue };
        let existing = pairs[..backward_pairs]
            .binary_search_by_key(&j, |p| p.1)
            .ok()
            .filter(|&p| pairs[p].0 == i);
        match existing {
            Some(p) => pairs[p].2.forward = true,
            None => pairs.push((i, j, Directions::FORWARD)),
        }
    }
    if pairs.len() > backward_pairs {
        pairs.sort_by_key(|&(i, j, _)| (j, i));
    }

    for &(i, j, directions) in &pairs {
        let (of, nf) = (&old_fields[i], &new_fields[j]);
        nested(cx, Seg::Field(i), Seg::Field(j), Seg::Dot(&nf.name), |cx| {
            with_mask(cx, directions, |cx| {
                for check in &hooks().field_pair {
                    check(cx, of, nf);
                }
                nested(
                    cx,
                    Seg::Text(".type"),
                    Seg::Text(".type"),
                    Seg::None,
                    |cx| walk_node(cx, &of.schema, &nf.schema),
                );
            })
        });
    }
    for (j, nf) in new_fields.iter().enumerate() {
        if backward[j].is_some() {
            continue;
        }
        nested(cx, Seg::None, Seg::Field(j), Seg::Dot(&nf.name), |cx| {
            for check in &hooks().field_added {
                check(cx, nf);
            }
        });
    }
    for (i, of) in old_fields.iter().enumerate() {
        if forward[i].is_some() {
            continue;
        }
        nested(cx, Seg::Field(i), Seg::None, Seg::Dot(&of.name), |cx| {
            with_focus_old(cx, |cx| {
                for check in &hooks().field_removed {
                    check(cx, of);
                }
            })
        });
    }
    for check in &hooks().record_pair {
        check(cx, old_fields, new_fields, &pairs);
    }
}
