//! Registry semantics, run against both backends.

use std::sync::Arc;

use super::*;
use crate::compat::Level;
use crate::store::{MemStore, RocksStore};

fn record(fields: &str) -> NewSchema {
    NewSchema {
        schema: format!(r#"{{"type":"record","name":"Order","fields":[{fields}]}}"#),
        ..NewSchema::default()
    }
}

fn v1() -> NewSchema {
    record(r#"{"name":"id","type":"long"}"#)
}

/// v1 plus a field with a default: compatible both ways.
fn v2() -> NewSchema {
    record(r#"{"name":"id","type":"long"},{"name":"note","type":"string","default":""}"#)
}

/// v1 plus a field without a default: breaks backward.
fn breaking() -> NewSchema {
    record(r#"{"name":"id","type":"long"},{"name":"coupon","type":"string"}"#)
}

fn subject(name: &str) -> SubjectName {
    SubjectName::new(name).unwrap()
}

fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock::new(1_700_000_000_000))
}

/// Runs `check` against a fresh registry on each backend.
fn on_each_backend(check: impl Fn(&Registry)) {
    check(&Registry::open(Arc::new(MemStore::new()), clock()).unwrap());
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(RocksStore::open(dir.path()).unwrap());
    check(&Registry::open(store, clock()).unwrap());
}

#[test]
fn ids_are_global_from_1_and_identity_ignores_presentation() {
    on_each_backend(|r| {
        let a = r.register(&subject("a"), &v1(), Import::default()).unwrap();
        assert_eq!(
            a,
            Registered {
                id: SchemaId(1),
                version: Version(1)
            }
        );
        let spaced = NewSchema {
            schema: r#"{ "fields": [ {"type": {"type":"long"}, "name": "id"} ], "name": "Order", "type": "record" }"#.into(),
            ..NewSchema::default()
        };
        // Same content under another subject: same id, that subject's first version.
        assert_eq!(
            r.register(&subject("b"), &spaced, Import::default())
                .unwrap(),
            Registered {
                id: SchemaId(1),
                version: Version(1)
            }
        );
        // Again under the same subject: no new version.
        assert_eq!(
            r.register(&subject("a"), &spaced, Import::default())
                .unwrap(),
            Registered {
                id: SchemaId(1),
                version: Version(1)
            }
        );
        assert_eq!(
            r.register(&subject("a"), &v2(), Import::default()).unwrap(),
            Registered {
                id: SchemaId(2),
                version: Version(2)
            }
        );
        assert_eq!(r.versions("a", false).unwrap(), [Version(1), Version(2)]);
        assert_eq!(r.subjects(false, false), ["a", "b"]);
        assert_eq!(r.max_id(), SchemaId(2));
    });
}

#[test]
fn register_rejects_an_incompatible_version_and_names_the_findings() {
    on_each_backend(|r| {
        r.register(&subject("s"), &v1(), Import::default()).unwrap();
        let err = r
            .register(&subject("s"), &breaking(), Import::default())
            .unwrap_err();
        let message = err.to_string();
        assert!(
            matches!(err, RegistryError::Incompatible { .. }),
            "{message}"
        );
        assert!(
            message.contains("AV102 field-added-without-default"),
            "{message}"
        );
        assert!(message.contains("against version 1"), "{message}");
        // Nothing changed, and no id was consumed.
        assert_eq!(r.versions("s", false).unwrap(), [Version(1)]);
        assert_eq!(r.max_id(), SchemaId(1));
        // NONE accepts it.
        r.set_config(
            Some(&SubjectName::new("s").unwrap()),
            Config::level(Level::None),
        )
        .unwrap();
        assert_eq!(
            r.register(&subject("s"), &breaking(), Import::default())
                .unwrap()
                .id,
            SchemaId(2)
        );
    });
}

#[test]
fn invalid_schemas_and_types_are_refused() {
    on_each_backend(|r| {
        for bad in [
            NewSchema {
                schema: r#"{"type":"record","name":"R","fields":[{"name":"a","type":"strin"}]}"#
                    .into(),
                ..NewSchema::default()
            },
            NewSchema {
                schema: "".into(),
                ..NewSchema::default()
            },
            NewSchema {
                schema: r#""int""#.into(),
                schema_type: Some("PROTOBUF".into()),
                ..NewSchema::default()
            },
            NewSchema {
                schema: r#""int""#.into(),
                schema_type: Some("avro".into()),
                ..NewSchema::default()
            },
        ] {
            let err = r
                .register(&subject("s"), &bad, Import::default())
                .unwrap_err();
            assert!(matches!(err, RegistryError::InvalidSchema(_)), "{err}");
        }
        assert!(r.subjects(true, false).is_empty());
    });
}

#[test]
fn version_numbers_are_not_reused_after_soft_delete() {
    on_each_backend(|r| {
        r.register(&subject("s"), &v1(), Import::default()).unwrap();
        r.register(&subject("s"), &v2(), Import::default()).unwrap();
        assert_eq!(
            r.delete_subject("s", false).unwrap(),
            [Version(1), Version(2)]
        );
        assert!(r.subjects(false, false).is_empty());
        assert_eq!(r.subjects(true, false), ["s"]);
        assert_eq!(r.subjects(false, true), ["s"]);
        assert!(matches!(
            r.versions("s", false),
            Err(RegistryError::SubjectNotFound(_))
        ));
        // Re-registering the same contents: new versions, same ids.
        assert_eq!(
            r.register(&subject("s"), &v1(), Import::default()).unwrap(),
            Registered {
                id: SchemaId(1),
                version: Version(3)
            }
        );
        assert_eq!(
            r.register(&subject("s"), &v2(), Import::default()).unwrap(),
            Registered {
                id: SchemaId(2),
                version: Version(4)
            }
        );
        assert_eq!(
            r.versions("s", true).unwrap(),
            [Version(1), Version(2), Version(3), Version(4)]
        );
        // Soft-deleted schemas stay readable by id.
        assert_eq!(r.schema(SchemaId(1)).unwrap().id, SchemaId(1));
    });
}

#[test]
fn deletes_go_soft_then_permanent() {
    on_each_backend(|r| {
        r.register(&subject("s"), &v1(), Import::default()).unwrap();
        r.register(&subject("s"), &v2(), Import::default()).unwrap();
        assert!(matches!(
            r.delete_version("s", VersionSpec::Number(Version(2)), true),
            Err(RegistryError::VersionNotSoftDeleted(_, Version(2)))
        ));
        assert_eq!(
            r.delete_version("s", VersionSpec::Latest, false).unwrap(),
            Version(2)
        );
        assert!(matches!(
            r.delete_version("s", VersionSpec::Number(Version(2)), false),
            Err(RegistryError::VersionSoftDeleted(_, Version(2)))
        ));
        assert!(matches!(
            r.version("s", VersionSpec::Number(Version(2)), false),
            Err(RegistryError::VersionNotFound(_))
        ));
        assert!(
            r.version("s", VersionSpec::Number(Version(2)), true)
                .unwrap()
                .deleted
        );
        assert_eq!(
            r.version("s", VersionSpec::Latest, true).unwrap().version,
            Version(1),
            "latest is the highest live version"
        );
        assert_eq!(
            r.delete_version("s", VersionSpec::Number(Version(2)), true)
                .unwrap(),
            Version(2)
        );
        assert!(matches!(
            r.delete_version("s", VersionSpec::Number(Version(9)), false),
            Err(RegistryError::VersionNotFound(_))
        ));
        assert!(matches!(
            r.delete_subject("s", true),
            Err(RegistryError::SubjectNotSoftDeleted(_))
        ));
        assert_eq!(r.delete_subject("s", false).unwrap(), [Version(1)]);
        assert!(matches!(
            r.delete_subject("s", false),
            Err(RegistryError::SubjectSoftDeleted(_))
        ));
        assert_eq!(r.delete_subject("s", true).unwrap(), [Version(1)]);
        assert!(matches!(
            r.delete_subject("s", true),
            Err(RegistryError::SubjectNotFound(_))
        ));
        assert!(matches!(
            r.delete_version("nobody", VersionSpec::Latest, false),
            Err(RegistryError::SubjectNotFound(_))
        ));
        // After a permanent delete, numbering starts over.
        assert_eq!(
            r.register(&subject("s"), &v2(), Import::default()).unwrap(),
            Registered {
                id: SchemaId(2),
                version: Version(1)
            }
        );
    });
}

#[test]
fn lookup_finds_the_version_holding_a_schema() {
    on_each_backend(|r| {
        assert!(matches!(
            r.lookup(&subject("s"), &v1(), false),
            Err(RegistryError::SubjectNotFound(_))
        ));
        r.register(&subject("s"), &v1(), Import::default()).unwrap();
        r.register(&subject("s"), &v2(), Import::default()).unwrap();
        let found = r.lookup(&subject("s"), &v1(), false).unwrap();
        assert_eq!((found.version, found.schema.id), (Version(1), SchemaId(1)));
        assert!(matches!(
            r.lookup(&subject("s"), &breaking(), false),
            Err(RegistryError::SchemaNotFoundUnderSubject)
        ));
        r.delete_version("s", VersionSpec::Number(Version(1)), false)
            .unwrap();
        assert!(matches!(
            r.lookup(&subject("s"), &v1(), false),
            Err(RegistryError::SchemaNotFoundUnderSubject)
        ));
        assert!(r.lookup(&subject("s"), &v1(), true).unwrap().deleted);
    });
}

#[test]
fn config_is_per_subject_with_a_global_fallback() {
    on_each_backend(|r| {
        assert_eq!(
            r.config(None, false).unwrap(),
            Config::level(Level::Backward)
        );
        assert!(matches!(
            r.config(Some("s"), false),
            Err(RegistryError::SubjectConfigNotFound(_))
        ));
        assert_eq!(
            r.config(Some("s"), true).unwrap(),
            Config::level(Level::Backward)
        );
        r.set_config(None, Config::level(Level::Full)).unwrap();
        assert_eq!(
            r.config(Some("s"), true).unwrap(),
            Config::level(Level::Full)
        );
        r.set_config(
            Some(&SubjectName::new("s").unwrap()),
            Config::level(Level::None),
        )
        .unwrap();
        assert_eq!(
            r.config(Some("s"), false).unwrap(),
            Config::level(Level::None)
        );
        assert_eq!(
            r.delete_config(Some("s")).unwrap(),
            Config::level(Level::None)
        );
        assert!(matches!(
            r.delete_config(Some("s")),
            Err(RegistryError::SubjectNotFound(_))
        ));
        assert_eq!(r.delete_config(None).unwrap(), Config::level(Level::Full));
        assert_eq!(
            r.config(None, false).unwrap(),
            Config::level(Level::Backward)
        );
    });
}

#[test]
fn read_only_mode_refuses_new_versions_but_answers_existing_ones() {
    on_each_backend(|r| {
        r.register(&subject("s"), &v1(), Import::default()).unwrap();
        r.set_mode(Some(&SubjectName::new("s").unwrap()), Mode::ReadOnly, false)
            .unwrap();
        assert_eq!(
            r.register(&subject("s"), &v1(), Import::default())
                .unwrap()
                .id,
            SchemaId(1)
        );
        assert!(matches!(
            r.register(&subject("s"), &v2(), Import::default()),
            Err(RegistryError::OperationNotPermitted(_))
        ));
        assert!(matches!(
            r.delete_version("s", VersionSpec::Latest, false),
            Err(RegistryError::OperationNotPermitted(_))
        ));
        assert!(matches!(
            r.mode(Some("t"), false),
            Err(RegistryError::SubjectModeNotFound(_))
        ));
        assert_eq!(r.mode(Some("t"), true).unwrap(), Mode::ReadWrite);
        assert_eq!(r.delete_mode(Some("s")).unwrap(), Mode::ReadOnly);
        r.register(&subject("s"), &v2(), Import::default()).unwrap();
    });
}

#[test]
fn import_mode_keeps_the_given_ids_and_versions() {
    on_each_backend(|r| {
        r.register(&subject("live"), &v1(), Import::default())
            .unwrap();
        assert!(matches!(
            r.set_mode(None, Mode::Import, false),
            Err(RegistryError::OperationNotPermitted(_))
        ));
        r.set_mode(None, Mode::Import, true).unwrap();
        let imported = r
            .register(
                &subject("old"),
                &v2(),
                Import {
                    id: Some(SchemaId(42)),
                    version: Some(Version(7)),
                },
            )
            .unwrap();
        assert_eq!(
            imported,
            Registered {
                id: SchemaId(42),
                version: Version(7)
            }
        );
        assert!(matches!(
            r.register(&subject("old"), &breaking(), Import::default()),
            Err(RegistryError::OperationNotPermitted(_))
        ));
        assert!(matches!(
            r.register(
                &subject("x"),
                &breaking(),
                Import {
                    id: Some(SchemaId(42)),
                    version: None
                }
            ),
            Err(RegistryError::IdConflict(SchemaId(42)))
        ));
        r.delete_mode(None).unwrap();
        assert!(matches!(
            r.register(
                &subject("y"),
                &breaking(),
                Import {
                    id: Some(SchemaId(50)),
                    version: None
                }
            ),
            Err(RegistryError::OperationNotPermitted(_))
        ));
        // New ids continue after the largest one imported.
        assert_eq!(
            r.register(&subject("y"), &breaking(), Import::default())
                .unwrap()
                .id,
            SchemaId(43)
        );
    });
}

#[test]
fn compatibility_checks_never_register() {
    on_each_backend(|r| {
        assert!(
            r.check_compatibility("s", Some(VersionSpec::Latest), &breaking())
                .unwrap()
                .compatible
        );
        assert!(matches!(
            r.check_compatibility("s", Some(VersionSpec::Number(Version(1))), &v1()),
            Err(RegistryError::VersionNotFound(_))
        ));
        r.register(&subject("s"), &v1(), Import::default()).unwrap();
        let verdict = r.check_compatibility("s", None, &breaking()).unwrap();
        assert!(!verdict.compatible);
        assert!(
            verdict.messages()[0].contains("AV102"),
            "{:?}",
            verdict.messages()
        );
        assert!(
            r.check_compatibility("s", Some(VersionSpec::Number(Version(1))), &v2())
                .unwrap()
                .compatible
        );
        assert_eq!(r.versions("s", true).unwrap(), [Version(1)]);
    });
}

#[test]
fn a_reopened_data_dir_serves_everything_it_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    {
        let r = Registry::open(Arc::new(RocksStore::open(dir.path()).unwrap()), clock()).unwrap();
        r.register(&subject("a"), &v1(), Import::default()).unwrap();
        r.register(&subject("a"), &v2(), Import::default()).unwrap();
        r.register(&subject("b"), &v2(), Import::default()).unwrap();
        r.delete_version("a", VersionSpec::Number(Version(1)), false)
            .unwrap();
        r.set_config(
            Some(&SubjectName::new("a").unwrap()),
            Config::level(Level::Full),
        )
        .unwrap();
        r.set_mode(Some(&SubjectName::new("b").unwrap()), Mode::ReadOnly, false)
            .unwrap();
    }
    let r = Registry::open(Arc::new(RocksStore::open(dir.path()).unwrap()), clock()).unwrap();
    assert_eq!(r.versions("a", true).unwrap(), [Version(1), Version(2)]);
    assert_eq!(r.versions("a", false).unwrap(), [Version(2)]);
    assert_eq!(
        r.version("b", VersionSpec::Latest, false)
            .unwrap()
            .schema
            .id,
        SchemaId(2)
    );
    assert_eq!(
        r.config(Some("a"), false).unwrap(),
        Config::level(Level::Full)
    );
    assert_eq!(r.mode(Some("b"), false).unwrap(), Mode::ReadOnly);
    // Identity survives the restart: no new id for known content.
    assert_eq!(
        r.register(&subject("c"), &v1(), Import::default())
            .unwrap()
            .id,
        SchemaId(1)
    );
    assert!(
        r.register(&subject("c"), &breaking(), Import::default())
            .unwrap_err()
            .to_string()
            .contains("AV102")
    );
    assert_eq!(r.max_id(), SchemaId(2));
}

#[test]
fn concurrent_registrations_keep_versions_gapless_and_ids_unique() {
    let dir = tempfile::tempdir().unwrap();
    let r = Registry::open(Arc::new(RocksStore::open(dir.path()).unwrap()), clock()).unwrap();
    let fields = |n: usize| {
        (0..n)
            .map(|i| format!(r#"{{"name":"f{i}","type":"long","default":0}}"#))
            .collect::<Vec<_>>()
            .join(",")
    };
    std::thread::scope(|scope| {
        for t in 0..8 {
            let r = &r;
            scope.spawn(move || {
                for n in 0..10 {
                    // Every thread writes the same growing schemas to one shared subject, and
                    // its own schemas to its own subject.
                    r.register(
                        &subject("shared"),
                        &record(&fields(n + 1)),
                        Import::default(),
                    )
                    .unwrap();
                    let own = record(&format!(
                        r#"{},{{"name":"t{t}","type":"int","default":{t}}}"#,
                        fields(n + 1)
                    ));
                    r.register(&subject(&format!("own-{t}")), &own, Import::default())
                        .unwrap();
                }
            });
        }
    });
    let shared = r.versions("shared", false).unwrap();
    assert_eq!(
        shared,
        (1..=shared.len() as u32).map(Version).collect::<Vec<_>>()
    );
    let mut ids = std::collections::HashSet::new();
    for s in r.subjects(false, false) {
        let versions = r.versions(&s, false).unwrap();
        assert_eq!(
            versions,
            (1..=versions.len() as u32).map(Version).collect::<Vec<_>>(),
            "{s}"
        );
        for v in versions {
            let entry = r.version(&s, VersionSpec::Number(v), false).unwrap();
            if s.starts_with("own") {
                assert!(
                    ids.insert(entry.schema.id),
                    "id {} used twice",
                    entry.schema.id
                );
            }
        }
    }
}

fn referencing(schema: &str, references: &[(&str, &str, Version)]) -> NewSchema {
    NewSchema {
        schema: schema.into(),
        references: references
            .iter()
            .map(|(name, subject, version)| Reference {
                name: name.to_string(),
                subject: subject.to_string(),
                version: *version,
            })
            .collect(),
        ..NewSchema::default()
    }
}

const COUNTRY: &str = r#"{"type":"enum","name":"Country","namespace":"geo","symbols":["DE","FR"]}"#;
const ADDRESS: &str = r#"{"type":"record","name":"Address","namespace":"geo","fields":[{"name":"city","type":"string"},{"name":"country","type":"geo.Country"}]}"#;
const ADDRESS_WITH_ZIP: &str = r#"{"type":"record","name":"Address","namespace":"geo","fields":[{"name":"city","type":"string"},{"name":"country","type":"geo.Country"},{"name":"zip","type":"string"}]}"#;
const CUSTOMER: &str =
    r#"{"type":"record","name":"Customer","fields":[{"name":"home","type":"geo.Address"}]}"#;

/// country <- address <- customer, each under its own subject.
fn register_reference_chain(r: &Registry) -> Registered {
    r.register(
        &subject("country"),
        &referencing(COUNTRY, &[]),
        Import::default(),
    )
    .unwrap();
    r.register(
        &subject("address"),
        &referencing(ADDRESS, &[("geo.Country", "country", Version(1))]),
        Import::default(),
    )
    .unwrap();
    r.register(
        &subject("customer"),
        &referencing(CUSTOMER, &[("geo.Address", "address", Version(1))]),
        Import::default(),
    )
    .unwrap()
}

#[test]
fn references_resolve_transitively_and_stay_names_in_the_stored_text() {
    on_each_backend(|r| {
        let customer = register_reference_chain(r);
        assert_eq!(
            customer,
            Registered {
                id: SchemaId(3),
                version: Version(1)
            }
        );
        let entry = r.schema(SchemaId(3)).unwrap();
        assert_eq!(
            entry.stored.schema,
            r#"{"fields":[{"name":"home","type":"geo.Address"}],"name":"Customer","type":"record"}"#
        );
        assert_eq!(entry.stored.references[0].subject, "address");
        // The parsed form holds the referenced types, so checks see through them.
        assert!(
            r.parsed(&entry)
                .as_avro()
                .unwrap()
                .lookup("geo.Country")
                .is_some()
        );

        // The same text with the same references is the same schema.
        let again = referencing(CUSTOMER, &[("geo.Address", "address", Version(1))]);
        assert_eq!(
            r.register(&subject("customer"), &again, Import::default())
                .unwrap(),
            customer
        );
        assert_eq!(
            r.lookup(&subject("customer"), &again, false)
                .unwrap()
                .version,
            Version(1)
        );
        // Without its references the text does not parse.
        let err = r
            .register(
                &subject("customer"),
                &referencing(CUSTOMER, &[]),
                Import::default(),
            )
            .unwrap_err();
        assert!(
            err.to_string().contains("unknown type `geo.Address`"),
            "{err}"
        );
        let err = r
            .register(
                &subject("customer"),
                &referencing(CUSTOMER, &[("geo.Address", "address", Version(9))]),
                Import::default(),
            )
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid schema: reference `geo.Address` points to subject `address` version 9, which does not exist"
        );
    });
}

#[test]
fn a_change_inside_a_referenced_type_is_checked() {
    on_each_backend(|r| {
        register_reference_chain(r);
        r.register(
            &subject("address"),
            &referencing(ADDRESS_WITH_ZIP, &[("geo.Country", "country", Version(1))]),
            Import::default(),
        )
        .map(|_| ())
        .unwrap_err();
        r.set_config(
            Some(&SubjectName::new("address").unwrap()),
            Config::level(Level::None),
        )
        .unwrap();
        r.register(
            &subject("address"),
            &referencing(ADDRESS_WITH_ZIP, &[("geo.Country", "country", Version(1))]),
            Import::default(),
        )
        .unwrap();
        // Customer moving to the new Address breaks its own readers: `zip` has no default.
        let err = r
            .register(
                &subject("customer"),
                &referencing(CUSTOMER, &[("geo.Address", "address", Version(2))]),
                Import::default(),
            )
            .unwrap_err()
            .to_string();
        assert!(err.contains("AV102"), "{err}");
        assert!(err.contains("against version 1"), "{err}");
    });
}

#[test]
fn referenced_versions_cannot_be_deleted_and_list_their_referrers() {
    on_each_backend(|r| {
        register_reference_chain(r);
        assert_eq!(
            r.referenced_by("address", VersionSpec::Latest, false)
                .unwrap(),
            [SchemaId(3)]
        );
        assert_eq!(
            r.referenced_by("country", VersionSpec::Number(Version(1)), false)
                .unwrap(),
            [SchemaId(2)]
        );
        assert!(
            r.referenced_by("customer", VersionSpec::Number(Version(1)), false)
                .unwrap()
                .is_empty()
        );
        let err = r
            .delete_version("address", VersionSpec::Number(Version(1)), false)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "version 1 of subject `address` is referenced by other schemas"
        );
        assert!(matches!(
            r.delete_subject("country", false),
            Err(RegistryError::ReferenceExists(..))
        ));

        // Once the referrer is soft-deleted, a soft delete is allowed but a permanent one is not:
        // the soft-deleted referrer must stay readable by id.
        r.delete_subject("customer", false).unwrap();
        assert_eq!(
            r.referenced_by("address", VersionSpec::Number(Version(1)), true)
                .unwrap(),
            [SchemaId(3)]
        );
        r.delete_version("address", VersionSpec::Number(Version(1)), false)
            .unwrap();
        assert!(matches!(
            r.delete_version("address", VersionSpec::Number(Version(1)), true),
            Err(RegistryError::ReferenceExists(..))
        ));
        r.delete_subject("customer", true).unwrap();
        r.delete_version("address", VersionSpec::Number(Version(1)), true)
            .unwrap();
    });
}

#[test]
fn references_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    {
        let r = Registry::open(Arc::new(RocksStore::open(dir.path()).unwrap()), clock()).unwrap();
        register_reference_chain(&r);
    }
    let r = Registry::open(Arc::new(RocksStore::open(dir.path()).unwrap()), clock()).unwrap();
    assert!(
        r.parsed(&r.schema(SchemaId(3)).unwrap())
            .as_avro()
            .unwrap()
            .lookup("geo.Address")
            .is_some()
    );
    let verdict = r
        .check_compatibility(
            "customer",
            None,
            &referencing(CUSTOMER, &[("geo.Address", "address", Version(1))]),
        )
        .unwrap();
    assert!(verdict.compatible);
}

#[test]
fn metadata_and_rule_sets_are_part_of_identity() {
    on_each_backend(|r| {
        let with = |metadata: serde_json::Value| NewSchema {
            metadata: Some(metadata),
            ..v1()
        };
        let owner_a = serde_json::json!({"properties": {"owner": "a", "tier": "1"}});
        let owner_a_reordered = serde_json::json!({"properties": {"tier": "1", "owner": "a"}});
        assert_eq!(
            r.register(&subject("s"), &v1(), Import::default())
                .unwrap()
                .id,
            SchemaId(1)
        );
        assert_eq!(
            r.register(&subject("s"), &with(owner_a.clone()), Import::default())
                .unwrap(),
            Registered {
                id: SchemaId(2),
                version: Version(2)
            }
        );
        assert_eq!(
            r.register(&subject("s"), &with(owner_a_reordered), Import::default())
                .unwrap(),
            Registered {
                id: SchemaId(2),
                version: Version(2)
            }
        );
        assert_eq!(
            r.schema(SchemaId(2)).unwrap().stored.metadata,
            Some(owner_a)
        );
        let ruled = NewSchema {
            rule_set: Some(serde_json::json!({"domainRules": []})),
            ..v1()
        };
        assert_eq!(
            r.register(&subject("s"), &ruled, Import::default())
                .unwrap()
                .id,
            SchemaId(3)
        );
    });
}

/// Issue 11, item 7: an IMPORT of a long chain of references, with ids descending along the
/// chain, was acknowledged and then refused to load ("a chain too deep").
#[test]
fn an_imported_chain_of_references_in_any_id_order_loads_again() {
    let dir = tempfile::tempdir().unwrap();
    let open = || Registry::open(Arc::new(RocksStore::open(dir.path()).unwrap()), clock()).unwrap();
    let length = 300u32;
    {
        let r = open();
        r.set_mode(None, Mode::Import, true).unwrap();
        for i in 0..length {
            let schema = match i {
                0 => r#"{"type":"record","name":"T0","fields":[]}"#.to_string(),
                _ => format!(
                    r#"{{"type":"record","name":"T{i}","fields":[{{"name":"previous","type":"T{}"}}]}}"#,
                    i - 1
                ),
            };
            let previous = format!("s{}", i.saturating_sub(1));
            let references = match i {
                0 => Vec::new(),
                _ => vec![(format!("T{}", i - 1), previous, Version(1))],
            };
            let references: Vec<(&str, &str, Version)> = references
                .iter()
                .map(|(name, subject, version)| (name.as_str(), subject.as_str(), *version))
                .collect();
            r.register(
                &subject(&format!("s{i}")),
                &referencing(&schema, &references),
                Import {
                    id: Some(SchemaId(10_000 - i)),
                    version: Some(Version(1)),
                },
            )
            .unwrap();
        }
    }
    let r = open();
    let last = r
        .version("s299", VersionSpec::Number(Version(1)), false)
        .unwrap();
    assert_eq!(last.schema.id, SchemaId(10_000 - (length - 1)));
    assert_eq!(r.versions("s0", false).unwrap(), [Version(1)]);
}

/// Issue 11, item 4: parsed forms are kept within their budget; one that was let go is parsed
/// again when a check needs it, and the check comes out the same.
#[test]
fn parsed_forms_stay_within_their_budget_and_are_parsed_again_when_needed() {
    let budget = 4096;
    let r = Registry::open(Arc::new(MemStore::new()), clock())
        .unwrap()
        .with_parsed_budget(budget);
    let s = subject("evolving");
    r.set_config(Some(&s), Config::level(Level::FullTransitive))
        .unwrap();
    let mut fields = vec![r#"{"name":"id","type":"long"}"#.to_string()];
    for n in 0..40 {
        fields.push(format!(r#"{{"name":"f{n}","type":"string","default":""}}"#));
        r.register(&s, &record(&fields.join(",")), Import::default())
            .unwrap();
        assert!(
            r.parsed.weight() <= budget,
            "{} > {budget}",
            r.parsed.weight()
        );
    }
    let refused = r.register(&s, &breaking(), Import::default()).unwrap_err();
    let RegistryError::Incompatible { verdict, .. } = refused else {
        panic!("expected a refusal, got {refused:?}");
    };
    assert_eq!(verdict.against.len(), 40, "checked against every version");
    assert!(!verdict.compatible);
}

/// Issue 11, item 3: a schema keeps only the schemas it names itself, so a chain of references
/// costs memory in proportion to its length, while the last link still sees every type.
#[test]
fn a_chain_of_references_keeps_direct_references_only() {
    let r = Registry::open(Arc::new(MemStore::new()), clock()).unwrap();
    let link = |n: usize| {
        format!(
            r#"{{"type":"record","name":"L{n}","fields":[{{"name":"next","type":["null","L{}"],"default":null}}]}}"#,
            n - 1
        )
    };
    r.register(
        &subject("l0"),
        &referencing(r#"{"type":"record","name":"L0","fields":[]}"#, &[]),
        Import::default(),
    )
    .unwrap();
    let length = 300;
    for n in 1..length {
        let previous = format!("l{}", n - 1);
        let name = format!("L{}", n - 1);
        r.register(
            &subject(&format!("l{n}")),
            &referencing(&link(n), &[(&name, &previous, Version(1))]),
            Import::default(),
        )
        .unwrap();
    }
    let last = r.schema(SchemaId(length as u32)).unwrap();
    assert_eq!(last.references.len(), 1);
    assert_eq!(state::imports(&last.references).len(), length - 1);
    let parsed = r.parsed(&last);
    let avro = parsed.as_avro().unwrap();
    assert_eq!(avro.named_types().len(), length);
    assert!(avro.lookup("L0").is_some());
}
