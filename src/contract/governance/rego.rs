//! Policies in OPA's Rego, evaluated with `regorus` against the manifest as `input`: each
//! message of a `deny` rule is a finding that blocks a publication (or the severity the policy
//! file gives the file), each of a `warn` rule a warning. Rego v1 is read first, then the v0
//! syntax the seeds' policy is written in (`deny[msg] { ... }`).

use std::path::Path;

use serde_json::Value;

use crate::registry::{PolicyFinding, Severity};

/// One `.rego` file, parsed, with its package.
#[derive(Clone)]
pub(crate) struct RegoPolicy {
    pub file: String,
    package: String,
    severity: Severity,
    engine: regorus::Engine,
}

impl std::fmt::Debug for RegoPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RegoPolicy({})", self.file)
    }
}

impl RegoPolicy {
    /// Reads `base.join(file)`; findings name the file as the policy wrote it.
    pub fn load(base: &Path, file: &str, severity: Severity) -> Result<RegoPolicy, String> {
        let path = base.join(file);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
        let name = file.to_string();
        let mut v1_error = String::new();
        for v0 in [false, true] {
            let mut engine = regorus::Engine::new();
            engine.set_rego_v0(v0);
            match engine.add_policy(name.clone(), text.clone()) {
                Ok(package) => {
                    return Ok(RegoPolicy {
                        file: file.to_string(),
                        package,
                        severity,
                        engine,
                    });
                }
                Err(e) if !v0 => v1_error = e.to_string(),
                Err(e) => {
                    return Err(format!(
                        "`{name}` is not Rego: as Rego v1: {v1_error}; as Rego v0: {e}"
                    ));
                }
            }
        }
        unreachable!("the loop returns on its second pass")
    }

    /// The messages of the policy's `deny` and `warn` rules for this manifest.
    pub fn judge(&self, document: &Value) -> Vec<PolicyFinding> {
        let mut engine = self.engine.clone();
        let mut findings = Vec::new();
        let input = document.to_string();
        let failed = |e: &dyn std::fmt::Display| PolicyFinding {
            code: "REGO".into(),
            name: self.package.clone(),
            severity: Severity::Error,
            path: self.file.clone(),
            message: format!("the policy could not be evaluated: {e}"),
        };
        if let Err(e) = engine.set_input_json(&input) {
            return vec![failed(&e)];
        }
        for (rule, severity) in [("deny", self.severity), ("warn", Severity::Warning)] {
            let query = format!("{}.{rule}", self.package);
            let results = match engine.eval_query(query.clone(), false) {
                Ok(results) => results,
                Err(e) => {
                    findings.push(failed(&e));
                    continue;
                }
            };
            for result in results.result {
                for expression in result.expressions {
                    let messages = serde_json::to_value(&expression.value).unwrap_or(Value::Null);
                    let messages = match messages {
                        Value::Array(messages) => messages,
                        Value::Null => Vec::new(),
                        other => vec![other],
                    };
                    for message in messages {
                        findings.push(PolicyFinding {
                            code: "REGO".into(),
                            name: query.clone(),
                            severity,
                            path: self.file.clone(),
                            message: match message {
                                Value::String(text) => text,
                                other => other.to_string(),
                            },
                        });
                    }
                }
            }
        }
        findings
    }
}
