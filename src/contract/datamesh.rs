//! The seeds' `apiVersion: datamesh/v1` manifest, whose `spec.schema` names a registry subject
//! (`format`, `subject`, `compatibility`) rather than listing columns. A publication binds the
//! subject's current schema, registered by a Kafka producer, or the schema file `spec.schema.file`
//! beside the manifest when it names one. The manifest has no version of its own in the seeds:
//! `metadata.version` or `spec.version` gives one, else `--product-version` when publishing.

use super::document::Reader;
use super::forms::Form;
use super::{Contract, ContractSchema, Source, accord};
use crate::compat::Level;
use crate::registry::DataProduct;

pub(crate) fn read(reader: &mut Reader) -> Contract {
    let name = reader.text(&[&["metadata", "name"]]);
    let domain = reader.text(&[&["metadata", "domain"]]);
    let owner = reader.text(&[&["metadata", "owner"]]);
    let version = reader.version(&[&["metadata", "version"], &["spec", "version"]]);
    let subject = reader.text(&[&["spec", "schema", "subject"]]);
    let format = reader
        .optional_text(&["spec", "schema", "format"])
        .map(|text| accord::format(Some(&text)))
        .transpose()
        .unwrap_or_else(|e| {
            reader.problem(format!("`spec.schema.format`: {e}"));
            None
        })
        .unwrap_or(crate::schema::Format::Avro);
    let compatibility = match reader.optional_text(&["spec", "schema", "compatibility"]) {
        None => Level::Backward,
        Some(text) => text.parse().unwrap_or_else(|e| {
            reader.problem(format!("`spec.schema.compatibility`: {e}"));
            Level::Backward
        }),
    };
    let notice_days = reader
        .days(&["spec", "breaking_change_notice_days"])
        .unwrap_or(DataProduct::DEFAULT_NOTICE_DAYS);
    let source = match reader.optional_text(&["spec", "schema", "file"]) {
        Some(path) => Source::File {
            format,
            path,
            key: "`spec.schema.file`".to_string(),
        },
        None => Source::Registered { format },
    };
    Contract {
        form: Form::Datamesh,
        product: DataProduct {
            notice_days,
            compatibility,
            ..DataProduct::new(name, domain, owner, vec![subject.clone()])
        },
        version,
        schemas: vec![ContractSchema {
            subject,
            source,
            field_keys: Vec::new(),
        }],
        document: reader.root.clone(),
        upstream: None,
    }
}
