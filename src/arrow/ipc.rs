//! Arrow schemas in binary form: the IPC encoding of a schema message (what
//! `pyarrow.Schema.serialize()` writes), raw or base64; the schema of an Arrow IPC file
//! (`.arrow`, `.feather`) or stream; and the Arrow schema of a Parquet file (its footer).

use std::io::Cursor;

use arrow_schema::Schema;
use base64::Engine;
use parquet::file::reader::{FileReader, SerializedFileReader};

use super::ParseError;

/// The schema held in bytes of any binary form, told apart by content: an IPC file starts
/// with `ARROW1`, a Parquet file with `PAR1`, an IPC stream or schema message with a
/// continuation marker; anything else is tried as base64 text.
pub fn parse_binary(bytes: &[u8]) -> Result<Schema, ParseError> {
    if bytes.starts_with(b"ARROW1") {
        return arrow_ipc::reader::FileReader::try_new(Cursor::new(bytes), None)
            .map(|reader| reader.schema().as_ref().clone())
            .map_err(|e| problem("Arrow IPC file", e));
    }
    if bytes.starts_with(b"PAR1") {
        return parquet_schema(bytes);
    }
    if bytes.starts_with(&[0xFF, 0xFF, 0xFF, 0xFF]) {
        // A schema message on its own, or the first message of a stream.
        if let Ok(schema) = arrow_ipc::convert::try_schema_from_ipc_buffer(bytes) {
            return Ok(schema);
        }
        return arrow_ipc::reader::StreamReader::try_new(Cursor::new(bytes), None)
            .map(|reader| reader.schema().as_ref().clone())
            .map_err(|e| problem("Arrow IPC stream", e));
    }
    let text: Vec<u8> = bytes
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(&text)
        .map_err(|e| ParseError {
            message: format!(
                "not an Arrow schema: neither an IPC file, stream or schema message, a Parquet file, nor base64 ({e})"
            ),
            location: "byte 0".into(),
        })?;
    if decoded.starts_with(&[0xFF, 0xFF, 0xFF, 0xFF]) || decoded.starts_with(b"ARROW1") {
        return parse_binary(&decoded).map_err(|e| ParseError {
            message: format!("{} (in base64)", e.message),
            ..e
        });
    }
    Err(ParseError {
        message: "base64 that does not hold an Arrow IPC schema message".into(),
        location: "byte 0".into(),
    })
}

fn problem(what: &str, e: impl std::fmt::Display) -> ParseError {
    ParseError {
        message: format!("unreadable {what}: {e}"),
        location: "byte 0".into(),
    }
}

fn parquet_schema(bytes: &[u8]) -> Result<Schema, ParseError> {
    let reader = SerializedFileReader::new(bytes::Bytes::copy_from_slice(bytes))
        .map_err(|e| problem("Parquet file", e))?;
    let metadata = reader.metadata().file_metadata();
    parquet::arrow::parquet_to_arrow_schema(metadata.schema_descr(), metadata.key_value_metadata())
        .map(|schema| {
            // pyarrow (and arrow-rs) store the Arrow schema under this key; it is restored above.
            let mut metadata = schema.metadata().clone();
            metadata.remove("ARROW:schema");
            schema.with_metadata(metadata)
        })
        .map_err(|e| problem("Parquet schema", e))
}
