//! The rule catalog: every rule the engine can report, in documentation order.
//!
//! A rule is declared once, in its own file under `rules/`, with [`declare_rule!`]; this list is
//! the only other place it is named. The CLI's `accord rules`, the `rule` field of findings and
//! `compat-rules/README.md` all come from here.

use super::Directions;
use super::arrow_walk::ArrowCheck;
use super::rules::{arrow, avro};
use super::walk::Check;

/// A compatibility rule: its identity and documentation, and the check that reports it.
#[derive(Debug)]
pub struct Rule {
    /// Stable code, never reused: format prefix and three digits, e.g. `AV102`.
    pub code: &'static str,
    /// Kebab-case name of the change it reports, e.g. `field-added-without-default`.
    pub name: &'static str,
    /// One line: what the rule reports.
    pub summary: &'static str,
    pub format: Format,
    /// The directions this kind of change can break (whether a given change does depends on it).
    pub may_break: Directions,
    /// The bump the change needs when it breaks nothing the level asks for.
    pub bump: Bump,
    /// The prose from `compat-rules/<format>/<CODE>-<name>.md`.
    pub doc: &'static str,
    /// The source file that declares the rule, `src/compat/rules/<format>/<name>.rs`.
    pub source: &'static str,
    pub(crate) checks: Checks,
}

/// A rule's checks, on the hooks of its format's walker.
#[derive(Debug)]
pub(crate) enum Checks {
    Avro(&'static [Check]),
    Arrow(&'static [ArrowCheck]),
}

impl PartialEq for Rule {
    fn eq(&self, other: &Self) -> bool {
        self.code == other.code
    }
}

impl Eq for Rule {}

impl Rule {
    /// "never", or the directions it may break joined by `separator`.
    pub fn may_break_label(&self, separator: &str) -> String {
        match self.may_break.names().as_slice() {
            [] => "never".to_string(),
            names => names.join(separator),
        }
    }

    /// Debug builds check that a check reports no direction its rule does not declare.
    pub(crate) fn debug_check_breaks(&self, breaks: Directions) {
        debug_assert!(
            self.may_break.or(breaks) == self.may_break,
            "{} reported breaking {:?} beyond its declared {:?}",
            self.code,
            breaks,
            self.may_break
        );
    }

    /// Where the prose lives, relative to the repository root.
    pub fn doc_path(&self) -> String {
        format!(
            "compat-rules/{}/{}-{}.md",
            self.format.dir(),
            self.code,
            self.name
        )
    }
}

/// The schema format a rule applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Avro,
    Arrow,
}

impl Format {
    pub fn dir(self) -> &'static str {
        match self {
            Format::Avro => "avro",
            Format::Arrow => "arrow",
        }
    }
}

/// A semantic-version bump, ordered from none to major.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Bump {
    None,
    Patch,
    Minor,
    Major,
}

impl Bump {
    pub fn name(self) -> &'static str {
        match self {
            Bump::None => "none",
            Bump::Patch => "patch",
            Bump::Minor => "minor",
            Bump::Major => "major",
        }
    }
}

/// Declares a rule in its own module as `pub static RULE`, with its prose pulled in from
/// `compat-rules/<format>/<CODE>-<name>.md` (a missing file fails the build). Without a
/// `format:`, the rule is an Avro rule.
macro_rules! declare_rule {
    (format: arrow, $($rest:tt)*) => {
        $crate::compat::catalog::declare_rule!(@rule Arrow, "arrow", $($rest)*);
    };
    (code: $($rest:tt)*) => {
        $crate::compat::catalog::declare_rule!(@rule Avro, "avro", code: $($rest)*);
    };
    (
        @rule $format:ident, $dir:literal,
        code: $code:literal,
        name: $name:literal,
        summary: $summary:literal,
        may_break: $may_break:expr,
        bump: $bump:expr,
        checks: [$($check:expr),+ $(,)?] $(,)?
    ) => {
        pub static RULE: $crate::compat::Rule = $crate::compat::Rule {
            code: $code,
            name: $name,
            summary: $summary,
            format: $crate::compat::Format::$format,
            may_break: $may_break,
            bump: $bump,
            source: file!(),
            doc: include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/compat-rules/",
                $dir,
                "/",
                $code,
                "-",
                $name,
                ".md"
            )),
            checks: $crate::compat::catalog::Checks::$format(&[$($check),+]),
        };
    };
}
pub(crate) use declare_rule;

/// Every rule, in documentation order.
pub static RULES: &[&Rule] = &[
    &avro::field_added::RULE,
    &avro::field_added_without_default::RULE,
    &avro::field_removed::RULE,
    &avro::field_removed_without_default::RULE,
    &avro::field_renamed::RULE,
    &avro::field_default_added::RULE,
    &avro::field_default_removed::RULE,
    &avro::field_default_changed::RULE,
    &avro::fields_reordered::RULE,
    &avro::field_sort_order_changed::RULE,
    &avro::field_aliases_changed::RULE,
    &avro::type_changed::RULE,
    &avro::type_promoted::RULE,
    &avro::type_narrowed::RULE,
    &avro::logical_type_changed::RULE,
    &avro::decimal_changed::RULE,
    &avro::fixed_size_changed::RULE,
    &avro::enum_symbol_added::RULE,
    &avro::enum_symbol_removed::RULE,
    &avro::enum_default_changed::RULE,
    &avro::enum_symbols_reordered::RULE,
    &avro::union_branch_added::RULE,
    &avro::union_branch_removed::RULE,
    &avro::union_branches_reordered::RULE,
    &avro::named_type_renamed::RULE,
    &avro::namespace_changed::RULE,
    &avro::type_aliases_changed::RULE,
    &avro::doc_changed::RULE,
    &avro::property_changed::RULE,
    &arrow::nullable_field_added::RULE,
    &arrow::required_field_added::RULE,
    &arrow::nullable_field_removed::RULE,
    &arrow::required_field_removed::RULE,
    &arrow::field_renamed_by_id::RULE,
    &arrow::field_order_changed::RULE,
    &arrow::nullability_tightened::RULE,
    &arrow::nullability_relaxed::RULE,
    &arrow::type_replaced::RULE,
    &arrow::type_widened::RULE,
    &arrow::range_narrowed::RULE,
    &arrow::type_widened_lossy::RULE,
    &arrow::decimal_precision_changed::RULE,
    &arrow::temporal_unit_changed::RULE,
    &arrow::timezone_changed::RULE,
    &arrow::fixed_width_changed::RULE,
    &arrow::map_key_changed::RULE,
    &arrow::physical_type_changed::RULE,
    &arrow::dictionary_encoding_changed::RULE,
    &arrow::union_member_added::RULE,
    &arrow::union_member_removed::RULE,
    &arrow::union_mode_changed::RULE,
    &arrow::unique_added::RULE,
    &arrow::unique_removed::RULE,
    &arrow::enum_value_removed::RULE,
    &arrow::enum_value_added::RULE,
    &arrow::constraint_tightened::RULE,
    &arrow::constraint_relaxed::RULE,
    &arrow::primary_key_changed::RULE,
    &arrow::protection_lowered::RULE,
    &arrow::protection_raised::RULE,
    &arrow::field_metadata_changed::RULE,
    &arrow::extension_type_changed::RULE,
    &arrow::schema_metadata_changed::RULE,
    &arrow::table_format_refused::RULE,
];

/// The rule with this code (`AV102`, any case) or name (`field-added-without-default`).
pub fn find(code_or_name: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(code_or_name) || r.name == code_or_name)
}

/// `compat-rules/README.md`, generated from the catalog (a test fails when the file is stale).
pub fn render_index() -> String {
    let mut out = String::from(
        "# Compatibility rules\n\n\
         <!-- Generated from src/compat/catalog.rs by `accord rules --markdown`; do not edit. -->\n\n\
         Every change accord reports carries one of these rule codes. *May break* says which reading\n\
         direction the change can break (backward: the new schema reads old data; forward: the old\n\
         schema reads new data); whether a given change does depends on its details (a default, an\n\
         alias, a promotion). *Bump* is the semver bump the change needs when it breaks nothing the\n\
         compatibility level asks for; a change that does break the level needs a major bump.\n\n\
         | Code | Name | May break | Bump | Summary |\n\
         |---|---|---|---|---|\n",
    );
    for rule in RULES {
        let may_break = rule.may_break_label(", ");
        out.push_str(&format!(
            "| {} | [{}]({}/{}-{}.md) | {} | {} | {} |\n",
            rule.code,
            rule.name,
            rule.format.dir(),
            rule.code,
            rule.name,
            may_break,
            rule.bump.name(),
            rule.summary
        ));
    }
    out
}
