//! The whole registry as a portable, versioned NDJSON stream: `accord export` and
//! `accord import`. The first line names the format and its version; each other line is one
//! stored record: its keyspace, its key in hex, and its value (the stored JSON itself, or the
//! bytes in hex for the few binary ones, such as counters), keyspace by keyspace in key order.
//! Everything a registry holds travels: schemas with their ids, subjects' versions (soft-deleted
//! ones too), references, metadata, configuration, modes, products, publications, notices,
//! audit, consumers, events and deliveries. Exporting what an import loaded gives the same
//! bytes.
//!
//! ```text
//! {"format":"accord-export","version":1}
//! {"keyspace":"schemas","key":"00000001","value":{"schema":"\"string\"","schemaType":"AVRO"}}
//! {"keyspace":"counters","key":"6c6173745f736368656d615f6964","hex":"00000001"}
//! ```

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::registry::{Registry, RegistryError, load};
use crate::store::{Keyspace, WriteBatch};

/// The stream's version; a reader refuses others.
pub const EXPORT_VERSION: u32 = 1;
const FORMAT: &str = "accord-export";

#[derive(Serialize, Deserialize)]
struct Header {
    format: String,
    version: u32,
}

#[derive(Serialize, Deserialize)]
struct Record<'a> {
    keyspace: String,
    key: String,
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    value: Option<&'a RawValue>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    hex: Option<String>,
}

/// The keyspaces that travel: everything but the data dir's own facts.
fn portable() -> impl Iterator<Item = Keyspace> {
    Keyspace::ALL.into_iter().filter(|k| *k != Keyspace::Meta)
}

/// Bytes as lowercase hex: keys here, digests and signatures elsewhere.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// How many records an export or import carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Carried {
    pub records: usize,
}

impl Registry {
    /// The registry as the NDJSON stream, one consistent point: taken while no write of this
    /// process commits, from one snapshot of a store other processes share.
    pub fn export(&self) -> Result<(String, Carried), RegistryError> {
        let _products = self.product_guard()?;
        let _commit = self.commit.lock().unwrap_or_else(|e| e.into_inner());
        let header = Header {
            format: FORMAT.to_string(),
            version: EXPORT_VERSION,
        };
        let mut out = serde_json::to_string(&header).expect("a header serializes");
        out.push('\n');
        let mut records = 0;
        let keyspaces: Vec<Keyspace> = portable().collect();
        for (keyspace, entries) in keyspaces.iter().zip(self.store.snapshot(&keyspaces)?) {
            for (key, value) in entries {
                let text = std::str::from_utf8(&value).ok();
                let raw = text.and_then(|t| serde_json::from_str::<&RawValue>(t).ok());
                // Stored JSON is compact: one line. Anything else travels as hex.
                let raw = raw.filter(|r| !r.get().contains('\n'));
                let record = Record {
                    keyspace: keyspace.name().to_string(),
                    key: hex(&key),
                    hex: raw.is_none().then(|| hex(&value)),
                    value: raw,
                };
                out.push_str(&serde_json::to_string(&record).expect("a record serializes"));
                out.push('\n');
                records += 1;
            }
        }
        Ok((out, Carried { records }))
    }

    /// Loads an export into this registry, which must be empty, keeping every id and version;
    /// nothing is written unless the whole stream reads.
    pub fn import(&self, stream: &str) -> Result<Carried, RegistryError> {
        let invalid = |line: usize, why: String| {
            RegistryError::InvalidSchema(format!("the export's line {line}: {why}"))
        };
        let mut lines = stream
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty());
        let (_, first) = lines
            .next()
            .ok_or_else(|| invalid(1, "the stream is empty".into()))?;
        let header: Header = serde_json::from_str(first)
            .map_err(|e| invalid(1, format!("not an accord export header ({e})")))?;
        if header.format != FORMAT || header.version != EXPORT_VERSION {
            return Err(invalid(
                1,
                format!(
                    "format `{}` version {}; this build reads `{FORMAT}` version {EXPORT_VERSION}",
                    header.format, header.version
                ),
            ));
        }
        let mut writes = Vec::new();
        for (n, line) in lines {
            let record: Record = serde_json::from_str(line)
                .map_err(|e| invalid(n + 1, format!("not a record ({e})")))?;
            let keyspace = portable()
                .find(|k| k.name() == record.keyspace)
                .ok_or_else(|| invalid(n + 1, format!("unknown keyspace `{}`", record.keyspace)))?;
            let key = unhex(&record.key)
                .ok_or_else(|| invalid(n + 1, format!("key `{}` is not hex", record.key)))?;
            let value = match (record.value, &record.hex) {
                (Some(raw), None) => raw.get().as_bytes().to_vec(),
                (None, Some(text)) => {
                    unhex(text).ok_or_else(|| invalid(n + 1, "`hex` is not hex".into()))?
                }
                _ => {
                    return Err(invalid(
                        n + 1,
                        "a record has one of `value` and `hex`".into(),
                    ));
                }
            };
            writes.push((keyspace, key, value));
        }
        let _products = self.product_guard()?;
        let _commit = self.commit.lock().unwrap_or_else(|e| e.into_inner());
        for keyspace in portable() {
            if !self.store.scan_page(keyspace, b"", b"", 1)?.is_empty() {
                return Err(RegistryError::OperationNotPermitted(format!(
                    "an import goes into an empty registry; this one holds {} records",
                    keyspace.name()
                )));
            }
        }
        let records = writes.len();
        for chunk in writes.chunks(1000) {
            let mut batch = WriteBatch::new();
            for (keyspace, key, value) in chunk {
                batch.put(*keyspace, key.clone(), value.clone());
            }
            self.store.write(batch)?;
        }
        // What the registry serves comes from what it now holds.
        let state = load(self.store.as_ref())?;
        if let Some(shared) = self.store.shared() {
            // The ids came with the export: the sequence goes past them.
            shared.schema_ids_past(state.subjects.last_id().0)?;
        }
        *self.write_state() = state;
        Ok(Carried { records })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_and_refuses_what_is_not_hex() {
        assert_eq!(unhex(&hex(&[0, 1, 254, 255])), Some(vec![0, 1, 254, 255]));
        assert_eq!(unhex("0"), None);
        assert_eq!(unhex("zz"), None);
    }
}
