//! The format's one home: which format a schema is in, and everything that depends on it —
//! parsing (with the one rule that tells Arrow's JSON form from its binary forms), the
//! normalized form identity is decided on, and the dispatch of compatibility checks. The
//! registry, the API and the CLI use this module and never name `avro` or `arrow` themselves.

use std::fmt;

use crate::compat::{self, Level, Profile, Profiled, Report};
use crate::{arrow, avro};

pub use crate::compat::Format;
pub use crate::schema_json::{MAX_DEPTH, ParseError, Position, position_of, positions};
/// JSON text helpers the registry and the API share with the parsers.
pub(crate) use crate::schema_json::{compact, json_kind};

impl Format {
    /// Every format, in the order `/schemas/types` lists them.
    pub const ALL: [Format; 2] = [Format::Avro, Format::Arrow];

    /// Confluent's `schemaType`: `AVRO`, `ARROW`.
    pub fn schema_type(self) -> &'static str {
        match self {
            Format::Avro => "AVRO",
            Format::Arrow => "ARROW",
        }
    }

    /// The format a `schemaType` names exactly (Confluent's names are upper case); none is
    /// AVRO, as in Confluent.
    pub fn from_schema_type(schema_type: Option<&str>) -> Result<Format, UnknownFormat> {
        match schema_type {
            None => Ok(Format::Avro),
            Some(name) => Format::ALL
                .into_iter()
                .find(|f| f.schema_type() == name)
                .ok_or_else(|| UnknownFormat(name.to_string())),
        }
    }

    /// The format of a file by its name: Arrow for Arrow's extensions (its JSON form, IPC files
    /// and streams, Feather, Parquet), else Avro.
    pub fn of_path(path: &str) -> Format {
        const ARROW_EXTENSIONS: &[&str] = &[
            ".arrow.json",
            ".arrow",
            ".arrows",
            ".ipc",
            ".feather",
            ".parquet",
        ];
        if ARROW_EXTENSIONS.iter().any(|ext| path.ends_with(ext)) {
            Format::Arrow
        } else {
            Format::Avro
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.schema_type())
    }
}

/// A `schemaType` accord does not register.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("schema type `{0}` is not supported; accord registers AVRO and ARROW")]
pub struct UnknownFormat(pub String);

/// Why schemas cannot be checked against each other.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckError {
    #[error("schema type {new} differs from {old} of an earlier version")]
    FormatsDiffer { new: Format, old: Format },
    #[error("a table format profile judges Arrow schemas; these are {0} schemas")]
    ProfileNeedsArrow(Format),
}

/// The 64-bit Rabin fingerprint (CRC-64-AVRO, the Avro specification's) of any bytes: the
/// registry keys schema identity by it, whatever the format.
pub fn fingerprint64(bytes: &[u8]) -> u64 {
    avro::rabin(bytes)
}

/// Whether bytes are a schema's JSON text rather than a binary form: the first byte that is not
/// whitespace opens a JSON object. Arrow's binary forms (IPC messages, files, streams, Parquet,
/// and their base64) never start with `{`.
pub fn is_json(bytes: &[u8]) -> bool {
    bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
}

/// A schema parsed in its format.
#[derive(Debug, Clone)]
pub enum Schema {
    Avro(avro::Schema),
    Arrow(arrow_schema::Schema),
}

impl Schema {
    /// Parses a schema text: Avro's JSON, or for Arrow its JSON form or the base64 of a binary
    /// form.
    pub fn parse(format: Format, text: &str) -> Result<Schema, ParseError> {
        Schema::parse_with_references(format, text, &[])
    }

    /// Parses a schema that uses the named types of others (Confluent's references): `(label,
    /// text)` pairs in dependency order, each labelled in errors. Only Avro has references.
    pub fn parse_with_references(
        format: Format,
        text: &str,
        references: &[(&str, &str)],
    ) -> Result<Schema, ParseError> {
        match format {
            Format::Avro => avro::parse_with_references(text, references).map(Schema::Avro),
            Format::Arrow if !references.is_empty() => {
                Err(ParseError::at("$", "ARROW schemas take no references"))
            }
            Format::Arrow => Schema::from_bytes(Format::Arrow, text.as_bytes()),
        }
    }

    /// Parses an Avro schema whose one reference is `imported`, already parsed: it shares that
    /// schema's types instead of parsing their texts again.
    pub fn parse_importing(text: &str, imported: &avro::Schema) -> Result<Schema, ParseError> {
        avro::parse_importing(text, imported).map(Schema::Avro)
    }

    /// Parses a file's bytes: Avro's JSON, or any of Arrow's forms (JSON, IPC message, file or
    /// stream, Feather, Parquet footer, or the base64 of one).
    pub fn from_bytes(format: Format, bytes: &[u8]) -> Result<Schema, ParseError> {
        let text = || {
            std::str::from_utf8(bytes)
                .map_err(|e| ParseError::at("$", format!("the schema is not UTF-8 text: {e}")))
        };
        match format {
            Format::Avro => avro::parse(text()?).map(Schema::Avro),
            Format::Arrow if is_json(bytes) => arrow::parse(text()?).map(Schema::Arrow),
            Format::Arrow => arrow::parse_binary(bytes.trim_ascii()).map(Schema::Arrow),
        }
    }

    pub fn format(&self) -> Format {
        match self {
            Schema::Avro(_) => Format::Avro,
            Schema::Arrow(_) => Format::Arrow,
        }
    }

    /// The Avro schema, if this is one.
    pub fn as_avro(&self) -> Option<&avro::Schema> {
        match self {
            Schema::Avro(schema) => Some(schema),
            Schema::Arrow(_) => None,
        }
    }

    /// The names of the top-level fields: a table's columns, or an Avro record's fields.
    pub fn top_level_fields(&self) -> Vec<String> {
        match self {
            Schema::Avro(schema) => match &schema.root().kind {
                avro::Kind::Named(id) => match &schema.named(*id).kind {
                    avro::NamedKind::Record { fields, .. } => {
                        fields.iter().map(|f| f.name.clone()).collect()
                    }
                    _ => Vec::new(),
                },
                _ => Vec::new(),
            },
            Schema::Arrow(schema) => schema.fields().iter().map(|f| f.name().clone()).collect(),
        }
    }

    /// Everything the schema says, written one way: what identity is decided on.
    pub fn normalized_form(&self) -> String {
        match self {
            Schema::Avro(schema) => schema.normalized_form(),
            Schema::Arrow(schema) => arrow::normalized_form(schema),
        }
    }

    /// Checks this schema against a history (oldest first) at `level`, and for Arrow against a
    /// table format's `profile`. Every schema must be of this schema's format.
    pub fn check_history(
        &self,
        history: &[&Schema],
        level: Level,
        profile: Option<Profile>,
    ) -> Result<Report, CheckError> {
        let mismatch = |old: &Schema| CheckError::FormatsDiffer {
            new: self.format(),
            old: old.format(),
        };
        match self {
            Schema::Avro(_) if profile.is_some() => {
                Err(CheckError::ProfileNeedsArrow(Format::Avro))
            }
            Schema::Avro(new) => {
                let history = history
                    .iter()
                    .map(|s| s.as_avro().ok_or_else(|| mismatch(s)))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(compat::check_history(&history, new, level))
            }
            Schema::Arrow(new) => {
                let history = history
                    .iter()
                    .map(|s| match s {
                        Schema::Arrow(old) => Ok(old),
                        Schema::Avro(_) => Err(mismatch(s)),
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(match profile {
                    None => compat::check_history(&history, new, level),
                    Some(profile) => {
                        let profiled = |schema| Profiled { schema, profile };
                        let history: Vec<Profiled> = history.into_iter().map(profiled).collect();
                        let history: Vec<&Profiled> = history.iter().collect();
                        compat::check_history(&history, &profiled(new), level)
                    }
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_types_are_exact_names() {
        assert_eq!(Format::from_schema_type(None), Ok(Format::Avro));
        assert_eq!(Format::from_schema_type(Some("ARROW")), Ok(Format::Arrow));
        for bad in ["avro", "PROTOBUF", "AVRO ", ""] {
            assert!(Format::from_schema_type(Some(bad)).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn files_are_arrow_by_extension() {
        assert_eq!(Format::of_path("a/orders.arrow.json"), Format::Arrow);
        assert_eq!(Format::of_path("x.parquet"), Format::Arrow);
        assert_eq!(Format::of_path("x.avsc"), Format::Avro);
        assert_eq!(Format::of_path("x.json"), Format::Avro);
    }

    #[test]
    fn json_is_told_from_binary_by_its_first_byte() {
        assert!(is_json(b"  \n{\"fields\": []}"));
        assert!(!is_json(b"/////w=="));
        assert!(!is_json(b"ARROW1"));
        assert!(!is_json(b""));
    }

    #[test]
    fn formats_do_not_mix_in_a_history() {
        let avro = Schema::parse(Format::Avro, "\"long\"").unwrap();
        let arrow = Schema::parse(Format::Arrow, r#"{"fields": []}"#).unwrap();
        assert_eq!(
            arrow
                .check_history(&[&avro], Level::Backward, None)
                .unwrap_err(),
            CheckError::FormatsDiffer {
                new: Format::Arrow,
                old: Format::Avro
            }
        );
        assert!(
            avro.check_history(&[&avro], Level::Full, None)
                .unwrap()
                .compatible
        );
    }
}
