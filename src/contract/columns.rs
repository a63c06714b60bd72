//! Column types as contracts spell them, to Arrow types: SQL and warehouse spellings,
//! case-insensitive. The column type table of the README ("Manifests that list columns") is
//! this module's, case by case in the tests below; where warehouses disagree on a spelling, the
//! SQL standard or PostgreSQL decides, except `TIMESTAMP`, an instant as in BigQuery and Spark.

use std::sync::Arc;

use arrow_schema::{DataType, Field, Fields, TimeUnit};

/// A column type accord cannot map, with what it accepts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{problem} in column type `{text}`; accepted: {ACCEPTED}")]
pub struct TypeError {
    text: String,
    problem: String,
}

/// What the error lists, in the README table's order.
const ACCEPTED: &str = "STRING, TEXT, VARCHAR(n), CHAR(n), UUID, JSON, BOOLEAN, TINYINT, SMALLINT, INT, INTEGER, BIGINT, INT2, INT4, INT8, INT16, INT32, INT64, UINT8..UINT64, REAL, FLOAT, DOUBLE, FLOAT32, FLOAT64, NUMERIC(p, s), DECIMAL(p, s), NUMBER(p, s), BIGNUMERIC, DATE, TIME, TIMESTAMP, TIMESTAMP_TZ, TIMESTAMP_LTZ, TIMESTAMP_NTZ, DATETIME, BYTES, BINARY, VARBINARY, ARRAY<T>, STRUCT<name T, ...>, MAP<K, V>";

/// A column's type as Arrow sees it, and what the type text says beyond it.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnType {
    pub data_type: DataType,
    /// `n` of `VARCHAR(n)` or `CHAR(n)`: a contract's limit that Arrow does not keep.
    pub max_length: Option<u32>,
}

/// Maps a type's text to Arrow.
pub fn parse_type(text: &str) -> Result<ColumnType, TypeError> {
    let fail = |problem: String| TypeError {
        text: text.trim().to_string(),
        problem,
    };
    let mut parser = Parser {
        tokens: tokenize(text).map_err(fail)?,
        at: 0,
    };
    let parsed = parser.column_type().map_err(fail)?;
    match parser.tokens.get(parser.at) {
        None => Ok(parsed),
        Some(extra) => Err(fail(format!("unexpected `{extra}`"))),
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Number(u64),
    Punct(char),
}

impl std::fmt::Display for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Token::Word(w) => f.write_str(w),
            Token::Number(n) => write!(f, "{n}"),
            Token::Punct(c) => write!(f, "{c}"),
        }
    }
}

fn tokenize(text: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if c.is_whitespace() {
            continue;
        }
        if "(),<>:".contains(c) {
            tokens.push(Token::Punct(c));
            continue;
        }
        let mut end = start + c.len_utf8();
        while let Some(&(i, next)) = chars.peek() {
            if next.is_whitespace() || "(),<>:".contains(next) {
                break;
            }
            end = i + next.len_utf8();
            chars.next();
        }
        let word = &text[start..end];
        tokens.push(match word.parse::<u64>() {
            Ok(n) => Token::Number(n),
            Err(_) if c.is_ascii_alphabetic() || c == '_' || c == '`' || c == '"' => {
                Token::Word(word.to_string())
            }
            Err(_) => return Err(format!("unexpected `{word}`")),
        });
    }
    if tokens.is_empty() {
        return Err("no type".into());
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn eat(&mut self, punct: char) -> bool {
        if self.peek() == Some(&Token::Punct(punct)) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, punct: char) -> Result<(), String> {
        if self.eat(punct) {
            return Ok(());
        }
        Err(match self.peek() {
            Some(found) => format!("expected `{punct}`, found `{found}`"),
            None => format!("expected `{punct}` at the end"),
        })
    }

    fn word(&mut self) -> Result<String, String> {
        match self.peek() {
            Some(Token::Word(w)) => {
                let w = w.clone();
                self.at += 1;
                Ok(w)
            }
            Some(other) => Err(format!("expected a name, found `{other}`")),
            None => Err("expected a name at the end".into()),
        }
    }

    /// The next words if they are these (case-insensitive), as in `DOUBLE PRECISION`.
    fn eat_words(&mut self, words: &[&str]) -> bool {
        let matches = words.iter().enumerate().all(|(i, want)| {
            matches!(self.tokens.get(self.at + i), Some(Token::Word(w)) if w.eq_ignore_ascii_case(want))
        });
        if matches {
            self.at += words.len();
        }
        matches
    }

    /// `(n)` or `(n, m)` after a type name, if there.
    fn arguments(&mut self) -> Result<Vec<u64>, String> {
        let mut args = Vec::new();
        if !self.eat('(') {
            return Ok(args);
        }
        loop {
            match self.peek() {
                Some(Token::Number(n)) => {
                    args.push(*n);
                    self.at += 1;
                }
                Some(other) => return Err(format!("expected a number, found `{other}`")),
                None => return Err("expected a number at the end".into()),
            }
            if !self.eat(',') {
                break;
            }
        }
        self.expect(')')?;
        Ok(args)
    }

    fn column_type(&mut self) -> Result<ColumnType, String> {
        let name = self.word()?.to_ascii_uppercase();
        let plain = |data_type| {
            Ok(ColumnType {
                data_type,
                max_length: None,
            })
        };
        let data_type = match name.as_str() {
            "STRING" | "TEXT" | "VARCHAR" | "CHAR" | "NVARCHAR" | "NCHAR" | "CHARACTER" => {
                self.eat_words(&["VARYING"]);
                let args = self.arguments()?;
                let max_length = match args.as_slice() {
                    [] => None,
                    [n] => Some(u32::try_from(*n).map_err(|_| format!("length {n} is too large"))?),
                    _ => return Err(format!("{name} takes one length")),
                };
                return Ok(ColumnType {
                    data_type: DataType::Utf8,
                    max_length,
                });
            }
            "UUID" | "JSON" => DataType::Utf8,
            "BOOLEAN" | "BOOL" => DataType::Boolean,
            "TINYINT" => DataType::Int8,
            "SMALLINT" | "INT2" => DataType::Int16,
            "INT" | "INTEGER" | "INT4" => DataType::Int32,
            "BIGINT" | "LONG" => DataType::Int64,
            // INT2, INT4 and INT8 count bytes (PostgreSQL, DuckDB); INT16..INT64 count bits.
            "INT8" => DataType::Int64,
            "INT16" => DataType::Int16,
            "INT32" => DataType::Int32,
            "INT64" => DataType::Int64,
            "UINT8" => DataType::UInt8,
            "UINT16" => DataType::UInt16,
            "UINT32" => DataType::UInt32,
            "UINT64" => DataType::UInt64,
            "REAL" | "FLOAT32" | "FLOAT4" => DataType::Float32,
            "DOUBLE" => {
                self.eat_words(&["PRECISION"]);
                DataType::Float64
            }
            "FLOAT" | "FLOAT64" | "FLOAT8" => DataType::Float64,
            "NUMERIC" | "DECIMAL" | "NUMBER" => decimal(&name, &self.arguments()?)?,
            "BIGNUMERIC" | "BIGDECIMAL" => DataType::Decimal256(76, 38),
            "DATE" => DataType::Date32,
            "TIME" => DataType::Time64(TimeUnit::Microsecond),
            "TIMESTAMP" => {
                // TIMESTAMP WITH TIME ZONE / WITHOUT TIME ZONE, as SQL writes them.
                let _ = self.arguments()?;
                if self.eat_words(&["WITHOUT", "TIME", "ZONE"]) {
                    DataType::Timestamp(TimeUnit::Microsecond, None)
                } else {
                    self.eat_words(&["WITH", "TIME", "ZONE"]);
                    DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
                }
            }
            "TIMESTAMPTZ" | "TIMESTAMP_TZ" | "TIMESTAMP_LTZ" => {
                DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
            }
            "TIMESTAMP_NTZ" | "DATETIME" => DataType::Timestamp(TimeUnit::Microsecond, None),
            "BYTES" | "BINARY" | "VARBINARY" | "BLOB" | "BYTEA" => {
                let _ = self.arguments()?;
                DataType::Binary
            }
            "ARRAY" | "LIST" => {
                self.expect('<')?;
                let item = self.column_type()?;
                self.expect('>')?;
                DataType::List(Arc::new(Field::new("item", item.data_type, true)))
            }
            "STRUCT" | "RECORD" => {
                self.expect('<')?;
                let mut fields = Vec::new();
                loop {
                    let name = self.word()?;
                    self.eat(':');
                    let child = self.column_type()?;
                    fields.push(Field::new(unquote(&name), child.data_type, true));
                    if !self.eat(',') {
                        break;
                    }
                }
                self.expect('>')?;
                DataType::Struct(Fields::from(fields))
            }
            "MAP" => {
                self.expect('<')?;
                let key = self.column_type()?;
                self.expect(',')?;
                let value = self.column_type()?;
                self.expect('>')?;
                let entries = Field::new(
                    "entries",
                    DataType::Struct(Fields::from(vec![
                        Field::new("key", key.data_type, false),
                        Field::new("value", value.data_type, true),
                    ])),
                    false,
                );
                DataType::Map(Arc::new(entries), false)
            }
            _ => return Err(format!("unknown type `{name}`")),
        };
        plain(data_type)
    }
}

/// `NUMERIC(p, s)`: Decimal128 up to 38 digits, Decimal256 beyond; without arguments,
/// BigQuery's NUMERIC, (38, 9); with one, scale 0.
fn decimal(name: &str, args: &[u64]) -> Result<DataType, String> {
    let (precision, scale) = match args {
        [] => (38, 9),
        [p] => (*p, 0),
        [p, s] => (*p, *s),
        _ => return Err(format!("{name} takes a precision and a scale")),
    };
    if precision == 0 || precision > 76 {
        return Err(format!("precision {precision} is outside 1..=76"));
    }
    if scale > precision {
        return Err(format!(
            "scale {scale} is larger than precision {precision}"
        ));
    }
    // Both fit: precision ≤ 76, scale ≤ precision.
    let (p, s) = (precision as u8, scale as i8);
    Ok(if precision <= 38 {
        DataType::Decimal128(p, s)
    } else {
        DataType::Decimal256(p, s)
    })
}

/// A struct field's name without SQL's quotes.
fn unquote(name: &str) -> &str {
    name.trim_matches(|c| c == '`' || c == '"')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arrow(text: &str) -> DataType {
        parse_type(text)
            .unwrap_or_else(|e| panic!("{text}: {e}"))
            .data_type
    }

    #[test]
    fn every_spelling_of_the_readme_table_maps_to_its_arrow_type() {
        let utc = || DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()));
        let ntz = DataType::Timestamp(TimeUnit::Microsecond, None);
        let cases: Vec<(&str, DataType)> = vec![
            ("STRING", DataType::Utf8),
            ("text", DataType::Utf8),
            ("VARCHAR(36)", DataType::Utf8),
            ("character varying(10)", DataType::Utf8),
            ("CHAR(4)", DataType::Utf8),
            ("UUID", DataType::Utf8),
            ("JSON", DataType::Utf8),
            ("BOOLEAN", DataType::Boolean),
            ("bool", DataType::Boolean),
            ("TINYINT", DataType::Int8),
            ("SMALLINT", DataType::Int16),
            ("INT", DataType::Int32),
            ("INTEGER", DataType::Int32),
            ("BIGINT", DataType::Int64),
            ("INT8", DataType::Int64),
            ("INT16", DataType::Int16),
            ("INT32", DataType::Int32),
            ("INT64", DataType::Int64),
            ("UINT8", DataType::UInt8),
            ("UINT64", DataType::UInt64),
            ("REAL", DataType::Float32),
            ("FLOAT32", DataType::Float32),
            ("FLOAT", DataType::Float64),
            ("FLOAT64", DataType::Float64),
            ("DOUBLE", DataType::Float64),
            ("DOUBLE PRECISION", DataType::Float64),
            ("NUMERIC(18, 4)", DataType::Decimal128(18, 4)),
            ("DECIMAL(10,2)", DataType::Decimal128(10, 2)),
            ("NUMBER(38, 0)", DataType::Decimal128(38, 0)),
            ("NUMERIC(12)", DataType::Decimal128(12, 0)),
            ("NUMERIC", DataType::Decimal128(38, 9)),
            ("DECIMAL(50, 10)", DataType::Decimal256(50, 10)),
            ("BIGNUMERIC", DataType::Decimal256(76, 38)),
            ("DATE", DataType::Date32),
            ("TIME", DataType::Time64(TimeUnit::Microsecond)),
            ("TIMESTAMP", utc()),
            ("TIMESTAMP WITH TIME ZONE", utc()),
            ("TIMESTAMPTZ", utc()),
            ("TIMESTAMP_TZ", utc()),
            ("TIMESTAMP_LTZ", utc()),
            ("TIMESTAMP WITHOUT TIME ZONE", ntz.clone()),
            ("TIMESTAMP_NTZ", ntz.clone()),
            ("DATETIME", ntz),
            ("BYTES", DataType::Binary),
            ("BINARY", DataType::Binary),
            ("VARBINARY(16)", DataType::Binary),
        ];
        for (text, expected) in cases {
            assert_eq!(arrow(text), expected, "{text}");
        }
        assert_eq!(parse_type("VARCHAR(36)").unwrap().max_length, Some(36));
        assert_eq!(parse_type("STRING").unwrap().max_length, None);
    }

    #[test]
    fn nested_types_map_to_lists_structs_and_maps() {
        assert_eq!(
            arrow("ARRAY<STRING>"),
            DataType::List(Arc::new(Field::new("item", DataType::Utf8, true)))
        );
        let address = arrow("STRUCT<city STRING, zip: VARCHAR(5), `geo` STRUCT<lat FLOAT64>>");
        let DataType::Struct(fields) = address else {
            panic!("{address}")
        };
        let names: Vec<&str> = fields.iter().map(|f| f.name().as_str()).collect();
        assert_eq!(names, ["city", "zip", "geo"]);
        let map = arrow("MAP<STRING, ARRAY<INT64>>");
        let DataType::Map(entries, false) = map else {
            panic!("{map}")
        };
        let DataType::Struct(kv) = entries.data_type() else {
            panic!()
        };
        assert!(!kv[0].is_nullable(), "a map's key is never null");
        assert!(matches!(kv[1].data_type(), DataType::List(_)));
    }

    #[test]
    fn a_type_accord_cannot_map_is_refused_naming_it_and_listing_the_accepted() {
        for (text, problem) in [
            ("VARCHAR2", "unknown type `VARCHAR2`"),
            ("NUMERIC(18, 4", "expected `)` at the end"),
            ("NUMERIC(0)", "precision 0 is outside 1..=76"),
            ("DECIMAL(4, 6)", "scale 6 is larger than precision 4"),
            ("ARRAY<>", "expected a name, found `>`"),
            ("MAP<STRING>", "expected `,`, found `>`"),
            ("INT INT", "unexpected `INT`"),
            ("", "no type"),
            ("12", "expected a name, found `12`"),
        ] {
            let message = parse_type(text).unwrap_err().to_string();
            assert!(message.starts_with(problem), "{text}: {message}");
            assert!(message.contains("accepted: STRING"), "{message}");
        }
    }
}
