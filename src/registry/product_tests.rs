//! A data product's life on a fake clock, through the registry: publications, notices, lines
//! and the audit history.

use std::sync::Arc;

use semver::Version as Semver;

use super::*;
use crate::compat::Level;
use crate::store::RocksStore;

const DAY: i64 = 86_400_000;
/// 2026-11-02T00:00:00Z
const START: i64 = 1_793_577_600_000;

fn transaction(fields: &str) -> NewSchema {
    NewSchema {
        schema: format!(
            r#"{{"type":"record","name":"Transaction","namespace":"payments","fields":[{{"name":"id","type":"string"}},{{"name":"amount","type":"long"}}{fields}]}}"#
        ),
        ..NewSchema::default()
    }
}

fn product(name: &str, subjects: &[&str]) -> DataProduct {
    DataProduct {
        name: name.into(),
        domain: "payments".into(),
        owner: "payments-engineering".into(),
        notice_days: 14,
        overlap_days: 30,
        compatibility: Level::Backward,
        subjects: subjects.iter().map(|s| s.to_string()).collect(),
        sunset_waits_for_consumers: false,
        manifest: None,
    }
}

fn v(text: &str) -> Semver {
    Semver::parse(text).unwrap()
}

struct World {
    registry: Registry,
    clock: Arc<FixedClock>,
    _dir: tempfile::TempDir,
}

impl World {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(FixedClock::new(START));
        let store = Arc::new(RocksStore::open(dir.path()).unwrap());
        let registry = Registry::open(store, clock.clone()).unwrap();
        World {
            registry,
            clock,
            _dir: dir,
        }
    }

    /// A world holding `payments.transactions`, carried by `transactions-value`.
    fn with_transactions() -> Self {
        let w = World::new();
        w.registry
            .define_product(
                product("payments.transactions", &["transactions-value"]),
                "alice",
            )
            .unwrap();
        w
    }

    fn day(&self, day: i64) {
        self.clock.set(START + day * DAY);
    }

    fn publish(
        &self,
        name: &str,
        version: &str,
        schema: NewSchema,
    ) -> Result<Publication, RegistryError> {
        self.registry
            .publish(
                name,
                &v(version),
                &[("transactions-value".into(), schema)],
                Submission::default(),
                "ci",
            )
            .map(|(_, publication)| publication)
    }

    fn refusal(&self, name: &str, version: &str, schema: NewSchema) -> (&'static str, String) {
        match self.publish(name, version, schema) {
            Err(RegistryError::Product(p)) => (p.code(), p.to_string()),
            other => panic!("{version} was not refused by the product rules: {other:?}"),
        }
    }
}

#[test]
fn a_product_lives_through_a_major_change() {
    let w = World::with_transactions();
    let r = &w.registry;

    // 1.0.0, then 1.1.0 with an additive change.
    let v1 = w
        .publish("payments.transactions", "1.0.0", transaction(""))
        .unwrap();
    assert_eq!(
        v1.schemas["transactions-value"],
        PublishedSchema {
            version: Version(1),
            id: SchemaId(1)
        }
    );
    let currency = r#",{"name":"currency","type":"string","default":"EUR"}"#;
    w.publish("payments.transactions", "1.1.0", transaction(currency))
        .unwrap();

    // Adding a field needs a minor bump.
    let with_note =
        format!(r#"{currency},{{"name":"note","type":["null","string"],"default":null}}"#);
    let (code, message) = w.refusal("payments.transactions", "1.1.1", transaction(&with_note));
    assert_eq!(code, "version_under_bumped");
    assert!(
        message.starts_with("version 1.1.1 is under-bumped: field `note` added with default null in `transactions-value` (AV101 at Transaction.note, $.fields[3]) needs at least a minor bump; publish 1.2.0 or later"),
        "{message}"
    );

    // Removing `amount` without a default breaks consumers: a new major, after a notice.
    let breaking = NewSchema {
        schema: r#"{"type":"record","name":"Transaction","namespace":"payments","fields":[{"name":"id","type":"string"},{"name":"currency","type":"string","default":"EUR"},{"name":"amount_cents","type":"long"}]}"#.into(),
        ..NewSchema::default()
    };
    let (code, message) = w.refusal("payments.transactions", "1.2.0", breaking.clone());
    assert_eq!(code, "breaking_change_requires_major");
    assert!(
        message.contains(
            "AV102 field-added-without-default at Transaction.amount_cents ($.fields[2])"
        ),
        "{message}"
    );
    assert!(message.contains("against version 1.1.0"), "{message}");
    assert!(
        message.ends_with("publish 2.0.0 after a notice: announce one (`accord notice announce payments.transactions --major 2`), then wait 14 days"),
        "{message}"
    );
    let (code, _) = w.refusal("payments.transactions", "2.0.0", breaking.clone());
    assert_eq!(code, "notice_required");

    // The notice, on day 1; 2.0.0 on day 14 is one day early, on day 15 it is accepted.
    w.day(1);
    let notice = r
        .announce_notice(
            "payments.transactions",
            2,
            "amount becomes amount_cents",
            "alice",
        )
        .unwrap();
    assert_eq!(date(notice.effective_ts), "2026-11-17");
    w.day(14);
    let (code, message) = w.refusal("payments.transactions", "2.0.0", breaking.clone());
    assert_eq!(code, "notice_window_open");
    assert_eq!(
        message,
        "notice for 2.0.0 announced 2026-11-03; allowed from 2026-11-17, 1 days from now"
    );
    w.day(15);
    let v2 = w
        .publish("payments.transactions", "2.0.0", breaking.clone())
        .unwrap();
    assert_eq!(v2.schemas["transactions-value"].version, Version(3));

    // The 1.x line is deprecated: it takes a doc-only fix as a patch, checked against 1.x.
    let documented = NewSchema {
        schema: transaction(currency).schema.replace(
            r#""name":"Transaction","#,
            r#""name":"Transaction","doc":"One payment attempt.","#,
        ),
        ..NewSchema::default()
    };
    w.day(40);
    let fix = w
        .publish("payments.transactions", "1.1.1", documented.clone())
        .unwrap();
    assert_eq!(fix.schemas["transactions-value"].version, Version(4));
    let lines = r.product_lines("payments.transactions").unwrap();
    assert_eq!(lines[0].state.name(), "deprecated");
    assert_eq!(date(lines[0].state.sunset_ts().unwrap()), "2026-12-17");
    assert_eq!(lines[1].state, LineState::Active);

    // After the sunset (day 15 + 30), the 1.x line is retired but still readable.
    w.day(45);
    let (code, message) = w.refusal("payments.transactions", "1.1.2", documented);
    assert_eq!(code, "line_retired");
    assert_eq!(
        message,
        "line 1 was retired on 2026-12-17: it stays readable but takes no new versions"
    );
    let (published, entry) = r
        .published_schema("payments.transactions", &v("1.1.1"), "transactions-value")
        .unwrap();
    assert_eq!(published.version, Version(4));
    assert!(entry.stored.schema.contains("One payment attempt."));

    // A skipped major is refused.
    let (code, message) = w.refusal("payments.transactions", "4.0.0", breaking);
    assert_eq!(code, "major_skipped");
    assert_eq!(
        message,
        "version 4.0.0 skips a major: the latest version is 2.0.0, so the next major is 3.0.0"
    );

    // Published versions are never deleted.
    assert!(matches!(
        r.delete_version("transactions-value", VersionSpec::Number(Version(1)), false),
        Err(RegistryError::OperationNotPermitted(_))
    ));

    // Every decision is in the audit history, in order.
    let audit: Vec<AuditEntry> = r
        .audit("payments.transactions", None, 100)
        .unwrap()
        .into_iter()
        .map(|(_, e)| e)
        .collect();
    let decisions: Vec<(&str, Option<&str>, &str)> = audit
        .iter()
        .map(|e| {
            (
                e.action.as_str(),
                e.version.as_deref(),
                e.decided_by.as_str(),
            )
        })
        .collect();
    assert_eq!(
        decisions,
        [
            ("define", None, "accepted"),
            ("publish", Some("1.0.0"), "accepted"),
            ("publish", Some("1.1.0"), "accepted"),
            ("publish", Some("1.1.1"), "version_under_bumped"),
            ("publish", Some("1.2.0"), "breaking_change_requires_major"),
            ("publish", Some("2.0.0"), "notice_required"),
            ("announce", None, "accepted"),
            ("publish", Some("2.0.0"), "notice_window_open"),
            ("publish", Some("2.0.0"), "accepted"),
            ("publish", Some("1.1.1"), "accepted"),
            ("publish", Some("1.1.2"), "line_retired"),
            ("publish", Some("4.0.0"), "major_skipped"),
        ]
    );
    assert_eq!(audit[4].actor, "ci");
    assert!(
        audit[4].findings[0].starts_with("AV102"),
        "{:?}",
        audit[4].findings
    );
    assert_eq!(audit[8].ts.as_millisecond(), START + 15 * DAY);
}

#[test]
fn before_1_0_0_breaking_changes_need_only_a_minor_bump() {
    let w = World::new();
    w.registry
        .define_product(product("payments.drafts", &["transactions-value"]), "bob")
        .unwrap();
    w.publish("payments.drafts", "0.1.0", transaction(""))
        .unwrap();
    let breaking = transaction(r#",{"name":"coupon","type":"string"}"#);
    let (code, message) = w.refusal("payments.drafts", "0.1.1", breaking.clone());
    assert_eq!(code, "breaking_change_requires_major");
    assert!(message.ends_with("publish 0.2.0"), "{message}");
    w.publish("payments.drafts", "0.2.0", breaking).unwrap();
    // Additive changes take a patch bump before 1.0.0.
    let additive =
        transaction(r#",{"name":"coupon","type":"string"},{"name":"x","type":"int","default":0}"#);
    w.publish("payments.drafts", "0.2.1", additive).unwrap();
    // 1.0.0 needs no notice.
    w.publish("payments.drafts", "1.0.0", transaction(""))
        .unwrap();
}

#[test]
fn a_publication_is_atomic_across_subjects() {
    let w = World::new();
    let r = &w.registry;
    r.define_product(
        product("payments.ledger", &["transactions-value", "refunds-value"]),
        "alice",
    )
    .unwrap();
    let refund = |fields: &str| NewSchema {
        schema: format!(
            r#"{{"type":"record","name":"Refund","fields":[{{"name":"id","type":"string"}}{fields}]}}"#
        ),
        ..NewSchema::default()
    };
    let first = [
        ("transactions-value".to_string(), transaction("")),
        ("refunds-value".to_string(), refund("")),
    ];
    r.publish(
        "payments.ledger",
        &v("1.0.0"),
        &first,
        Submission::default(),
        "ci",
    )
    .unwrap();
    // The transaction change is fine, the refund change breaks: nothing is published.
    let second = [
        (
            "transactions-value".to_string(),
            transaction(r#",{"name":"note","type":"string","default":""}"#),
        ),
        (
            "refunds-value".to_string(),
            refund(r#",{"name":"reason","type":"string"}"#),
        ),
    ];
    let err = r
        .publish(
            "payments.ledger",
            &v("1.1.0"),
            &second,
            Submission::default(),
            "ci",
        )
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("breaking change in refunds-value:"),
        "{err}"
    );
    assert_eq!(
        r.versions("transactions-value", true).unwrap(),
        [Version(1)]
    );
    assert_eq!(r.versions("refunds-value", true).unwrap(), [Version(1)]);
    assert_eq!(r.product("payments.ledger").unwrap().publications.len(), 1);
    // One subject alone: the other keeps its version.
    let (_, publication) = r
        .publish(
            "payments.ledger",
            &v("1.1.0"),
            &second[..1],
            Submission::default(),
            "ci",
        )
        .unwrap();
    assert_eq!(publication.schemas["refunds-value"].version, Version(1));
    assert_eq!(
        publication.schemas["transactions-value"].version,
        Version(2)
    );
    // A subject belongs to one product only.
    let err = r
        .define_product(product("other", &["refunds-value"]), "eve")
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "subject `refunds-value` already belongs to data product `payments.ledger`"
    );
}

#[test]
fn confluent_registrations_follow_the_product_rules() {
    let w = World::with_transactions();
    let r = &w.registry;
    let subject = SubjectName::new("transactions-value").unwrap();
    // Without a version: the first is 1.0.0, a compatible change the next minor, docs a patch.
    assert_eq!(
        r.register(&subject, &transaction(""), Import::default())
            .unwrap(),
        Registered {
            id: SchemaId(1),
            version: Version(1)
        }
    );
    let currency = r#",{"name":"currency","type":"string","default":"EUR"}"#;
    r.register(&subject, &transaction(currency), Import::default())
        .unwrap();
    let latest = |r: &Registry| {
        r.product("payments.transactions")
            .unwrap()
            .latest()
            .unwrap()
            .version
            .to_string()
    };
    assert_eq!(latest(r), "1.1.0");
    // Re-registering is idempotent: no new product version.
    r.register(&subject, &transaction(currency), Import::default())
        .unwrap();
    assert_eq!(latest(r), "1.1.0");
    let breaking = transaction(r#",{"name":"coupon","type":"string"}"#);
    let err = r
        .register(&subject, &breaking, Import::default())
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("announce one (`accord notice announce payments.transactions --major 2`)"),
        "{err}"
    );
    assert!(
        err.to_string()
            .ends_with("set metadata property `accord.product.version`"),
        "{err}"
    );

    // With the full version in the metadata, after a notice, the break is published as 2.0.0.
    r.announce_notice(
        "payments.transactions",
        2,
        "coupon becomes required",
        "alice",
    )
    .unwrap();
    w.day(14);
    let versioned = NewSchema {
        metadata: Some(serde_json::json!({"properties": {"accord.product.version": "2.0.0"}})),
        ..breaking
    };
    r.register(&subject, &versioned, Import::default()).unwrap();
    assert_eq!(latest(r), "2.0.0");
    // `application.major.version` picks the line: a fix to 1.x.
    let fix = NewSchema {
        metadata: Some(serde_json::json!({"properties": {"application.major.version": "1"}})),
        ..transaction(&format!(
            r#"{currency},{{"name":"memo","type":"string","default":""}}"#
        ))
    };
    r.register(&subject, &fix, Import::default()).unwrap();
    let versions: Vec<String> = r
        .product("payments.transactions")
        .unwrap()
        .publications
        .iter()
        .map(|p| p.version.to_string())
        .collect();
    assert_eq!(versions, ["1.0.0", "1.1.0", "2.0.0", "1.2.0"]);
}

#[test]
fn products_and_notices_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(START));
    {
        let r = Registry::open(
            Arc::new(RocksStore::open(dir.path()).unwrap()),
            clock.clone(),
        )
        .unwrap();
        r.define_product(
            product("payments.transactions", &["transactions-value"]),
            "alice",
        )
        .unwrap();
        r.publish(
            "payments.transactions",
            &v("1.0.0"),
            &[("transactions-value".into(), transaction(""))],
            Submission::default(),
            "ci",
        )
        .unwrap();
        r.announce_notice("payments.transactions", 2, "breaking", "alice")
            .unwrap();
    }
    let r = Registry::open(Arc::new(RocksStore::open(dir.path()).unwrap()), clock).unwrap();
    let ps = r.product("payments.transactions").unwrap();
    assert_eq!(ps.publications.len(), 1);
    assert!(ps.open_notice(2).is_some());
    assert_eq!(
        r.audit("payments.transactions", None, 100).unwrap().len(),
        3
    );
    // Pages follow one another by sequence number.
    let first = r.audit("payments.transactions", None, 2).unwrap();
    assert_eq!(
        first.iter().map(|(seq, _)| *seq).collect::<Vec<_>>(),
        [0, 1]
    );
    let rest = r.audit("payments.transactions", Some(1), 2).unwrap();
    assert_eq!(rest.iter().map(|(seq, _)| *seq).collect::<Vec<_>>(), [2]);
    assert_eq!(
        r.product_of("transactions-value").as_deref(),
        Some("payments.transactions")
    );
    let at = |millis| jiff::Timestamp::from_millisecond(millis).unwrap();
    assert_eq!(r.notices(None, Some(at(START)), false).unwrap().len(), 1);
    assert!(
        r.notices(None, Some(at(START + 1)), false)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn a_notice_can_be_withdrawn_until_its_major_is_published() {
    let w = World::with_transactions();
    let r = &w.registry;
    w.publish("payments.transactions", "1.0.0", transaction(""))
        .unwrap();
    let err = r
        .announce_notice("payments.transactions", 3, "too far", "alice")
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid notice: a notice announces the next major, 2, not 3 (latest published: 1.0.0)"
    );
    r.announce_notice("payments.transactions", 2, "first plan", "alice")
        .unwrap();
    assert!(matches!(
        r.announce_notice("payments.transactions", 2, "again", "alice"),
        Err(RegistryError::Product(p)) if p.code() == "notice_exists"
    ));
    let withdrawn = r
        .withdraw_notice("payments.transactions", 2, "bob")
        .unwrap();
    assert!(withdrawn.withdrawn_ts.is_some());
    assert!(
        r.notices(Some("payments.transactions"), None, false)
            .unwrap()
            .is_empty()
    );
    assert_eq!(r.notices(None, None, true).unwrap().len(), 1);
    // Withdrawn, it no longer opens the major, even after the window.
    w.day(20);
    let breaking = transaction(r#",{"name":"coupon","type":"string"}"#);
    assert_eq!(
        w.refusal("payments.transactions", "2.0.0", breaking.clone())
            .0,
        "notice_required"
    );
    // A new notice starts a new window; once the major is out, it cannot be withdrawn.
    r.announce_notice("payments.transactions", 2, "second plan", "alice")
        .unwrap();
    w.day(34);
    w.publish("payments.transactions", "2.0.0", breaking)
        .unwrap();
    assert!(matches!(
        r.withdraw_notice("payments.transactions", 2, "bob"),
        Err(RegistryError::Product(p)) if p.code() == "invalid_notice"
    ));
    assert!(matches!(
        r.withdraw_notice("payments.transactions", 3, "bob"),
        Err(RegistryError::Product(p)) if p.code() == "notice_not_found"
    ));
}

#[test]
fn concurrent_confluent_registrations_each_get_the_next_version() {
    let w = World::with_transactions();
    let r = &w.registry;
    let subject = SubjectName::new("transactions-value").unwrap();
    r.register(&subject, &transaction(""), Import::default())
        .unwrap();
    std::thread::scope(|scope| {
        for t in 0..8 {
            let subject = &subject;
            scope.spawn(move || {
                for n in 0..3 {
                    let field = format!(r#",{{"name":"f{t}_{n}","type":"long","default":0}}"#);
                    r.register(subject, &transaction(&field), Import::default())
                        .unwrap();
                }
            });
        }
    });
    let mut versions: Vec<Semver> = r
        .product("payments.transactions")
        .unwrap()
        .publications
        .iter()
        .map(|p| p.version.clone())
        .collect();
    versions.sort();
    let expected: Vec<Semver> = (0..=24).map(|minor| Semver::new(1, minor, 0)).collect();
    assert_eq!(versions, expected);
    assert_eq!(r.versions("transactions-value", false).unwrap().len(), 25);
}

#[test]
fn arrow_subjects_follow_the_same_product_rules() {
    let w = World::new();
    let r = &w.registry;
    r.define_product(product("payments.ledger", &["ledger-columns"]), "alice")
        .unwrap();
    let arrow = |fields: &str| NewSchema {
        schema: format!(
            r#"{{"fields": [{{"name": "id", "nullable": false, "type": {{"name": "int", "bitWidth": 64, "isSigned": true}}}}{fields}]}}"#
        ),
        schema_type: Some("ARROW".into()),
        ..NewSchema::default()
    };
    let publish = |version: &str, schema: NewSchema| {
        r.publish(
            "payments.ledger",
            &v(version),
            &[("ledger-columns".into(), schema)],
            Submission::default(),
            "ci",
        )
    };
    publish("1.0.0", arrow("")).unwrap();
    let note = r#", {"name": "note", "nullable": true, "type": {"name": "utf8"}}"#;
    let err = publish("1.0.1", arrow(note)).unwrap_err().to_string();
    assert!(
        err.contains("nullable field `note` added in `ledger-columns` (AR101"),
        "{err}"
    );
    publish("1.1.0", arrow(note)).unwrap();
    let required = r#", {"name": "note", "nullable": false, "type": {"name": "utf8"}}"#;
    let err = publish("1.2.0", arrow(required)).unwrap_err().to_string();
    assert!(err.contains("AR111 nullability-tightened at note"), "{err}");
    assert_eq!(r.schema(SchemaId(2)).unwrap().stored.schema_type, "ARROW");
}

#[test]
fn compatibility_checks_of_a_product_subject_follow_its_latest_line() {
    let w = World::with_transactions();
    let r = &w.registry;
    w.publish("payments.transactions", "1.0.0", transaction(""))
        .unwrap();
    w.day(20);
    r.announce_notice("payments.transactions", 2, "coupon", "alice")
        .unwrap();
    w.day(40);
    let v2 = transaction(r#",{"name":"coupon","type":"string"}"#);
    w.publish("payments.transactions", "2.0.0", v2.clone())
        .unwrap();
    // The subject's own config would check against 1.0.0 too; the product checks line 2 only.
    r.set_config(
        Some(&SubjectName::new("transactions-value").unwrap()),
        Config::level(Level::FullTransitive),
    )
    .unwrap();
    let verdict = r
        .check_compatibility(
            "transactions-value",
            None,
            &transaction(
                r#",{"name":"coupon","type":"string"},{"name":"x","type":"int","default":0}"#,
            ),
        )
        .unwrap();
    assert!(verdict.compatible, "{:?}", verdict.messages());
    let breaking = transaction(r#",{"name":"coupon","type":"string"},{"name":"y","type":"int"}"#);
    let verdict = r
        .check_compatibility("transactions-value", None, &breaking)
        .unwrap();
    assert!(!verdict.compatible);
    assert!(
        verdict.messages()[0].contains("against version 2.0.0"),
        "{:?}",
        verdict.messages()
    );
}

/// Issue 11, item 11: every announce stored the whole summary (a 15 MiB one included).
#[test]
fn a_notice_summary_is_bounded() {
    let w = World::with_transactions();
    let r = &w.registry;
    w.publish("payments.transactions", "1.0.0", transaction(""))
        .unwrap();
    let long = "x".repeat(Notice::MAX_SUMMARY_BYTES + 1);
    for summary in ["", "  ", long.as_str()] {
        let err = r
            .announce_notice("payments.transactions", 2, summary, "alice")
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("summary says what breaks in 1 to 4096 bytes"),
            "{err}"
        );
    }
    r.announce_notice(
        "payments.transactions",
        2,
        "amount becomes amount_usd",
        "alice",
    )
    .unwrap();
}

/// Issue 11, item 11: a refusal of a large break named every finding in its message (5.4 MB
/// for a thousand subjects), and its audit entry kept that message.
#[test]
fn a_refusal_names_its_first_findings_and_points_to_the_dry_run_for_the_rest() {
    let w = World::with_transactions();
    let fields = |ty: &str| -> String {
        (0..120)
            .map(|i| format!(r#",{{"name":"f{i}","type":"{ty}"}}"#))
            .collect()
    };
    w.publish(
        "payments.transactions",
        "1.0.0",
        transaction(&fields("int")),
    )
    .unwrap();
    let (code, message) = w.refusal(
        "payments.transactions",
        "1.1.0",
        transaction(&fields("string")),
    );
    assert_eq!(code, "breaking_change_requires_major");
    assert!(
        message.contains("... and 70 more findings (all of them: `accord product check`, or POST /v1/products/payments.transactions/check)"),
        "{message}"
    );
    assert!(message.len() < 20_000, "{} bytes", message.len());
    let audit = w
        .registry
        .audit("payments.transactions", None, 100)
        .unwrap();
    let (_, refused) = audit.last().unwrap();
    assert!(
        refused.message.len() < 20_000,
        "{} bytes",
        refused.message.len()
    );
}

/// Issue 11, item 15: `.` and `..` were accepted as product names.
#[test]
fn a_product_name_is_not_a_path_segment_and_its_texts_hold_no_control_characters() {
    let w = World::new();
    let r = &w.registry;
    for name in [".", "..", "..."] {
        let err = r
            .define_product(product(name, &["orders-value"]), "bob")
            .unwrap_err();
        assert!(err.to_string().contains("not only dots"), "{name}: {err}");
    }
    let mut escaping = product("payments.orders", &["orders-value"]);
    escaping.owner = "team\u{1b}]52;c;aGk=\u{7}".to_string();
    let err = r.define_product(escaping, "bob").unwrap_err();
    assert!(
        err.to_string()
            .contains("`owner` must not contain control characters"),
        "{err}"
    );
    r.define_product(product("payments.orders", &["orders-value"]), "bob")
        .unwrap();
}

/// A consumer of `payments.transactions` on `major`.
fn reader(name: &str, major: u64) -> Consumer {
    Consumer {
        name: name.into(),
        product: "payments.transactions".into(),
        major,
        domain: "finance".into(),
        contact: "#finance-data".into(),
        webhook: None,
        secret: None,
        as_product: None,
        since: jiff::Timestamp::UNIX_EPOCH,
    }
}

#[test]
fn a_product_that_waits_for_its_consumers_retires_a_line_only_when_the_last_one_has_moved() {
    for waits in [false, true] {
        let w = World::new();
        let r = &w.registry;
        let mut definition = product("payments.transactions", &["transactions-value"]);
        definition.sunset_waits_for_consumers = waits;
        r.define_product(definition, "alice").unwrap();
        w.publish("payments.transactions", "1.0.0", transaction(""))
            .unwrap();
        r.set_consumer(reader("finance.report", 1), "bob").unwrap();
        r.set_consumer(reader("ml.features", 1), "carol").unwrap();
        r.announce_notice("payments.transactions", 2, "amount in cents", "alice")
            .unwrap();
        w.day(15);
        let breaking = NewSchema {
            schema: transaction("")
                .schema
                .replace(r#""type":"long""#, r#""type":"string""#),
            ..NewSchema::default()
        };
        w.publish("payments.transactions", "2.0.0", breaking)
            .unwrap();
        // Past the 30 days of overlap: retired, unless the product waits for its consumers.
        w.day(50);
        let state = |r: &Registry| {
            let ps = r.product("payments.transactions").unwrap();
            ps.line_state(Line::of(&v("1.0.0")), r.now()).name()
        };
        let line_one = Line::of(&v("1.0.0"));
        assert_eq!(
            r.product("payments.transactions")
                .unwrap()
                .consumers_on(line_one),
            ["finance.report", "ml.features"]
        );
        assert_eq!(state(r), if waits { "deprecated" } else { "retired" });
        r.set_consumer(reader("finance.report", 2), "bob").unwrap();
        assert_eq!(state(r), if waits { "deprecated" } else { "retired" });
        r.remove_consumer("payments.transactions", "ml.features", "carol")
            .unwrap();
        assert_eq!(state(r), "retired");
    }
}

#[test]
fn consumers_survive_a_restart_and_changes_are_audited() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(START));
    {
        let store = Arc::new(RocksStore::open(dir.path()).unwrap());
        let r = Registry::open(store, clock.clone()).unwrap();
        r.define_product(
            product("payments.transactions", &["transactions-value"]),
            "alice",
        )
        .unwrap();
        r.publish(
            "payments.transactions",
            &v("1.0.0"),
            &[("transactions-value".into(), transaction(""))],
            Submission::default(),
            "ci",
        )
        .unwrap();
        r.set_consumer(reader("finance.report", 1), "bob").unwrap();
        let refused = r.set_consumer(
            Consumer {
                contact: " ".into(),
                ..reader("x", 1)
            },
            "bob",
        );
        assert!(
            refused
                .unwrap_err()
                .to_string()
                .contains("`contact` is empty")
        );
    }
    let store = Arc::new(RocksStore::open(dir.path()).unwrap());
    let r = Registry::open(store, clock).unwrap();
    let consumers = r.consumers("payments.transactions").unwrap();
    assert_eq!(consumers.len(), 1);
    assert_eq!(consumers[0].name, "finance.report");
    let audit = r.audit("payments.transactions", None, 100).unwrap();
    assert!(
        audit.iter().any(|(_, e)| e.action == "consumer"
            && e.message
                .contains("`finance.report` (finance) registered on major 1")),
        "{audit:?}"
    );
}

/// A refusal wrote the audit counter; a publication after it did not move it, so after a
/// restart the next entry overwrote the publication's. Every entry moves the counter now.
#[test]
fn audit_entries_are_never_overwritten_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(START));
    let open = || {
        Registry::open(
            Arc::new(RocksStore::open(dir.path()).unwrap()),
            clock.clone(),
        )
        .unwrap()
    };
    {
        let r = open();
        r.define_product(
            product("payments.transactions", &["transactions-value"]),
            "alice",
        )
        .unwrap();
        let publish = |version: &str, schema: NewSchema| {
            r.publish(
                "payments.transactions",
                &v(version),
                &[("transactions-value".into(), schema)],
                Submission::default(),
                "ci",
            )
        };
        publish("1.0.0", transaction("")).unwrap();
        // Refused (not increasing), then accepted, then a notice.
        assert!(publish("1.0.0", transaction("")).is_err());
        publish(
            "1.1.0",
            transaction(r#",{"name":"note","type":"string","default":""}"#),
        )
        .unwrap();
        r.announce_notice("payments.transactions", 2, "amount in cents", "alice")
            .unwrap();
    }
    let r = open();
    r.set_consumer(reader("finance.report", 1), "bob").unwrap();
    let actions: Vec<(u64, String)> = r
        .audit("payments.transactions", None, 100)
        .unwrap()
        .into_iter()
        .map(|(seq, e)| (seq, e.action))
        .collect();
    let expected = [
        "define", "publish", "publish", "publish", "announce", "consumer",
    ];
    assert_eq!(
        actions.iter().map(|(_, a)| a.as_str()).collect::<Vec<_>>(),
        expected,
        "{actions:?}"
    );
    assert_eq!(
        actions.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
        [0, 1, 2, 3, 4, 5]
    );
}

#[test]
fn decisions_and_time_send_their_events_to_the_consumers_they_concern_once() {
    let w = World::with_transactions();
    let r = &w.registry;
    w.publish("payments.transactions", "1.0.0", transaction(""))
        .unwrap();
    r.set_consumer(
        Consumer {
            webhook: Some("http://127.0.0.1:9/hook".into()),
            secret: Some("s3cret".into()),
            ..reader("finance.report", 1)
        },
        "bob",
    )
    .unwrap();
    r.set_consumer(reader("ml.features", 1), "carol").unwrap();
    r.announce_notice("payments.transactions", 2, "amount in cents", "alice")
        .unwrap();
    // Both consumers hear of it; only the one with a webhook gets a delivery.
    let feed = r.consumer_events("ml.features").unwrap();
    assert_eq!(feed.len(), 1);
    assert_eq!(feed[0].kind, EventKind::NoticeAnnounced);
    assert_eq!(feed[0].consumers, ["finance.report", "ml.features"]);
    let due = r.due_deliveries(r.now()).unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].webhook, "http://127.0.0.1:9/hook");
    assert_eq!(due[0].secret.as_deref(), Some("s3cret"));
    // A failed attempt waits a second before the next; a success ends it.
    let failed = r
        .record_attempt(&due[0].delivery, Err("HTTP 500".into()), r.now())
        .unwrap();
    assert_eq!(failed.state(), "pending");
    assert!(r.due_deliveries(r.now()).unwrap().is_empty());
    w.clock.set(START + 1_000);
    let due = r.due_deliveries(r.now()).unwrap();
    assert_eq!(due.len(), 1);
    let delivered = r.record_attempt(&due[0].delivery, Ok(()), r.now()).unwrap();
    assert_eq!(delivered.state(), "delivered");
    assert_eq!(delivered.attempts, 2);
    assert!(r.due_deliveries(r.now()).unwrap().is_empty());

    // The major, after its notice: its consumers' line is deprecated.
    w.day(15);
    let breaking = NewSchema {
        schema: transaction("")
            .schema
            .replace(r#""type":"long""#, r#""type":"string""#),
        ..NewSchema::default()
    };
    w.publish("payments.transactions", "2.0.0", breaking)
        .unwrap();
    let feed = r.consumer_events("finance.report").unwrap();
    assert_eq!(feed.last().unwrap().kind, EventKind::MajorPublished);
    assert_eq!(feed.last().unwrap().version.as_deref(), Some("2.0.0"));
    assert!(!feed.last().unwrap().findings.is_empty());

    // Seven days before the sunset (day 45), and at it: each event once.
    w.day(37);
    assert_eq!(r.fire_scheduled_events(r.now(), 7).unwrap(), 0);
    w.day(38);
    assert_eq!(r.fire_scheduled_events(r.now(), 7).unwrap(), 1);
    assert_eq!(r.fire_scheduled_events(r.now(), 7).unwrap(), 0);
    w.day(45);
    assert_eq!(r.fire_scheduled_events(r.now(), 7).unwrap(), 1);
    assert_eq!(r.fire_scheduled_events(r.now(), 7).unwrap(), 0);
    let kinds: Vec<EventKind> = r
        .consumer_events("ml.features")
        .unwrap()
        .iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            EventKind::NoticeAnnounced,
            EventKind::MajorPublished,
            EventKind::SunsetApproaching,
            EventKind::LineRetired
        ]
    );
    // A delivery whose consumer is gone gives up.
    r.remove_consumer("payments.transactions", "finance.report", "bob")
        .unwrap();
    assert!(r.due_deliveries(r.now()).unwrap().is_empty());
    assert!(
        r.deliveries()
            .unwrap()
            .iter()
            .all(|d| d.state() != "pending")
    );
}
