//! Where each value of a manifest is written: the line and column of every key path
//! (`spec.columns[2]`, `models.orders.fields.status`), read from the YAML's block structure
//! (indentation, `key:` and `- ` items), so that a finding about a column is placed at the
//! column's entry. A flow collection (`{...}`, `[...]`) is one value, placed where it starts.

use std::collections::HashMap;

use crate::schema::Position;

enum Frame {
    /// A key (or the document) whose block has not started: its entries' indentation is
    /// decided by the next line.
    Pending {
        key_indent: Option<usize>,
        path: String,
    },
    Map {
        indent: usize,
        path: String,
    },
    Seq {
        indent: usize,
        path: String,
        next: usize,
    },
}

impl Frame {
    fn indent(&self) -> Option<usize> {
        match self {
            Frame::Pending { .. } => None,
            Frame::Map { indent, .. } | Frame::Seq { indent, .. } => Some(*indent),
        }
    }
}

/// The position of every value in a block-style YAML document, by key path.
pub fn positions(text: &str) -> HashMap<String, Position> {
    let mut found = HashMap::new();
    let mut stack = vec![Frame::Pending {
        key_indent: None,
        path: String::new(),
    }];
    for (n, raw) in text.lines().enumerate() {
        let line = n + 1;
        let content = raw.split(" #").next().unwrap_or(raw).trim_end();
        let trimmed = content.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with("---") {
            continue;
        }
        let indent = content.len() - trimmed.len();
        let mut at = (indent, trimmed);
        loop {
            let (indent, rest) = at;
            // Leave the blocks this line is not inside.
            while stack.len() > 1 {
                match stack.last().expect("not empty") {
                    Frame::Pending { key_indent, .. } => {
                        let is_item = rest.starts_with("- ") || rest == "-";
                        let inside =
                            key_indent.is_none_or(|k| indent > k || (is_item && indent == k));
                        if inside {
                            break;
                        }
                    }
                    frame if frame.indent().is_some_and(|i| i > indent) => {}
                    _ => break,
                }
                stack.pop();
            }
            let is_item = rest.starts_with("- ") || rest == "-";
            if let Some(Frame::Pending { path, .. }) = stack.last() {
                let path = path.clone();
                stack.pop();
                stack.push(if is_item {
                    Frame::Seq {
                        indent,
                        path,
                        next: 0,
                    }
                } else {
                    Frame::Map { indent, path }
                });
            }
            if is_item {
                let Some(Frame::Seq {
                    indent: i,
                    path,
                    next,
                }) = stack.last_mut()
                else {
                    break;
                };
                if *i != indent {
                    break;
                }
                let item = format!("{path}[{next}]");
                *next += 1;
                found.entry(item.clone()).or_insert(Position {
                    line,
                    column: indent + 1,
                });
                let after = rest.strip_prefix('-').unwrap_or("");
                let inner = after.trim_start();
                if inner.is_empty() {
                    stack.push(Frame::Pending {
                        key_indent: Some(indent),
                        path: item,
                    });
                    break;
                }
                let inner_indent = indent + 1 + (after.len() - inner.len());
                // The item's own block starts on this line.
                stack.push(Frame::Pending {
                    key_indent: None,
                    path: item,
                });
                at = (inner_indent, inner);
                continue;
            }
            let Some((key, value)) = split_key(rest) else {
                break;
            };
            let Some(Frame::Map {
                indent: i,
                path: parent,
            }) = stack.last()
            else {
                break;
            };
            if *i != indent {
                break;
            }
            let path = if parent.is_empty() {
                key.to_string()
            } else {
                format!("{parent}.{key}")
            };
            found.entry(path.clone()).or_insert(Position {
                line,
                column: indent + 1,
            });
            if value.trim().is_empty() {
                stack.push(Frame::Pending {
                    key_indent: Some(indent),
                    path,
                });
            }
            break;
        }
    }
    found
}

/// `key: value` split at the first `: ` (or a trailing `:`) outside quotes; `None` for a
/// scalar or a flow collection.
fn split_key(text: &str) -> Option<(&str, &str)> {
    let mut quote = None;
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (None, '{' | '[') if i == 0 => return None,
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, ':') if text[i + 1..].is_empty() || text[i + 1..].starts_with(' ') => {
                let key = text[..i].trim().trim_matches(|c| c == '"' || c == '\'');
                return Some((key, &text[i + 1..]));
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_and_item_of_a_block_document_is_placed() {
        let text = "# a manifest\napiVersion: data-platform/v1\nmetadata:\n  name: payments.transactions\nspec:\n  columns:\n    - name: transaction_id\n      type: VARCHAR(36)\n    - {name: amount_usd, type: \"NUMERIC(18, 4)\"}\n  quality_checks:\n  - type: freshness\n  - type: not_null\n    columns: [a, b]\nmodels:\n  orders:\n    fields:\n      order_id:\n        type: string\n";
        let found = positions(text);
        let at = |path: &str| found.get(path).map(|p| (p.line, p.column));
        assert_eq!(at("apiVersion"), Some((2, 1)));
        assert_eq!(at("metadata.name"), Some((4, 3)));
        assert_eq!(at("spec.columns"), Some((6, 3)));
        assert_eq!(at("spec.columns[0]"), Some((7, 5)));
        assert_eq!(at("spec.columns[0].name"), Some((7, 7)));
        assert_eq!(at("spec.columns[0].type"), Some((8, 7)));
        assert_eq!(at("spec.columns[1]"), Some((9, 5)));
        assert_eq!(at("spec.quality_checks[1]"), Some((12, 3)));
        assert_eq!(at("spec.quality_checks[1].columns"), Some((13, 5)));
        assert_eq!(at("models.orders.fields.order_id"), Some((17, 7)));
        assert_eq!(at("models.orders.fields.order_id.type"), Some((18, 9)));
    }
}
