//! The principals file and the credentials requests carry: HTTP Basic (what Confluent's clients
//! send) and Bearer tokens (what CI sends). Passwords are kept as argon2id hashes, tokens as
//! SHA-256 digests; neither is ever logged, echoed or recorded.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use base64::Engine as _;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::oidc::{Oidc, OidcConfig, is_jwt};

/// A principals file that cannot be used, and where.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("cannot read the principals file `{path}`: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("the principals file `{path}` is not valid: {message}")]
    Invalid { path: String, message: String },
}

/// What a caller may do with the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Global configuration and mode, IMPORT, permanent deletes, any domain.
    Admin,
    /// Writes to the subjects and products of the principal's domains.
    Publisher,
    /// Every read.
    Reader,
}

/// What a request without credentials may do.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Anonymous {
    #[default]
    None,
    Read,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    anonymous: Anonymous,
    #[serde(default)]
    principals: Vec<Entry>,
    #[serde(default)]
    subject_domains: Vec<SubjectDomain>,
    oidc: Option<OidcConfig>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    name: String,
    password: Option<String>,
    token: Option<String>,
    #[serde(default)]
    roles: Vec<Role>,
    #[serde(default)]
    domains: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubjectDomain {
    pub prefix: String,
    pub domain: String,
}

/// Who a request comes from, once its credentials are checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub name: std::sync::Arc<str>,
    pub roles: Vec<Role>,
    pub domains: Vec<String>,
}

impl Identity {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Whether the principal publishes for the domain.
    pub fn publishes_for(&self, domain: &str) -> bool {
        self.has(Role::Publisher) && self.domains.iter().any(|d| d == domain)
    }
}

/// One principal of the file, with what its credentials are checked against.
#[derive(Debug)]
struct Principal {
    identity: Identity,
    password: Option<String>,
    token: Option<[u8; 32]>,
}

/// Passwords checked recently: argon2 costs tens of milliseconds by design, and a Confluent
/// client sends its password with every request. Keyed by a digest of the name and the
/// password, never the password itself; cleared when full.
const VERIFIED_CAPACITY: usize = 4096;

/// The loaded principals file.
#[derive(Debug)]
pub struct Principals {
    pub anonymous: Anonymous,
    principals: Vec<Principal>,
    /// Longest prefix first.
    subject_domains: Vec<SubjectDomain>,
    verified: Mutex<HashMap<[u8; 32], usize>>,
    /// JWTs from an identity provider, when the file configures one.
    oidc: Option<Oidc>,
}

/// Why a request's credentials were not accepted. The message names the problem, never the
/// secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected(pub Cow<'static, str>);

impl Rejected {
    pub fn because(message: impl Into<Cow<'static, str>>) -> Rejected {
        Rejected(message.into())
    }
}

impl Principals {
    pub fn load(path: &Path) -> Result<Self, AuthError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| AuthError::Read {
            path: shown.clone(),
            source,
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        Self::parse(&text, base).map_err(|message| AuthError::Invalid {
            path: shown,
            message,
        })
    }

    /// A principals file's text; the paths it names are relative to `base`.
    pub fn parse(text: &str, base: &Path) -> Result<Self, String> {
        let file: File = yaml_serde::from_str(text).map_err(|e| e.to_string())?;
        let mut principals = Vec::new();
        for (i, entry) in file.principals.into_iter().enumerate() {
            let at = |message: String| format!("principals[{i}] (`{}`): {message}", entry.name);
            let principal = check(&entry).map_err(at)?;
            if principals
                .iter()
                .any(|p: &Principal| p.identity.name == principal.identity.name)
            {
                return Err(at("a second principal with this name".into()));
            }
            principals.push(principal);
        }
        let mut subject_domains = file.subject_domains;
        for (i, rule) in subject_domains.iter().enumerate() {
            if rule.prefix.is_empty() || rule.domain.trim().is_empty() {
                return Err(format!(
                    "subject_domains[{i}]: a rule needs a non-empty `prefix` and `domain`"
                ));
            }
        }
        subject_domains.sort_by_key(|r| std::cmp::Reverse(r.prefix.len()));
        let oidc = file.oidc.map(|c| Oidc::load(c, base)).transpose()?;
        Ok(Principals {
            anonymous: file.anonymous,
            principals,
            subject_domains,
            verified: Mutex::new(HashMap::new()),
            oidc,
        })
    }

    /// How many principals the file names.
    pub fn len(&self) -> usize {
        self.principals.len()
    }

    /// Whether the file names no principal (then only anonymous reads and tokens of the
    /// identity provider, if configured, get in).
    pub fn is_empty(&self) -> bool {
        self.principals.is_empty()
    }

    /// Whether JWTs of an identity provider are accepted.
    pub fn has_oidc(&self) -> bool {
        self.oidc.is_some()
    }

    /// The domain the subject-domain rules give a subject that no product claims.
    pub fn domain_by_prefix(&self, subject: &str) -> Option<&str> {
        self.subject_domains
            .iter()
            .find(|r| subject.starts_with(&r.prefix))
            .map(|r| r.domain.as_str())
    }

    /// Who an `Authorization` header names, at `now` (a JWT's lifetime); `Ok(None)` without
    /// one. A password check costs tens of milliseconds of CPU: call it off the async workers.
    pub fn authenticate(
        &self,
        authorization: Option<&[u8]>,
        now: jiff::Timestamp,
    ) -> Result<Option<Identity>, Rejected> {
        let Some(header) = authorization else {
            return Ok(None);
        };
        let header =
            std::str::from_utf8(header).map_err(|_| Rejected::because("unreadable credentials"))?;
        let (scheme, credentials) = header.trim().split_once(' ').ok_or(Rejected::because(
            "credentials need a scheme: `Basic` or `Bearer`",
        ))?;
        let credentials = credentials.trim();
        if scheme.eq_ignore_ascii_case("bearer") {
            return match &self.oidc {
                Some(oidc) if is_jwt(credentials) => oidc.authenticate(credentials, now),
                _ => self.by_token(credentials).map(|p| p.identity.clone()),
            }
            .map(Some);
        }
        if !scheme.eq_ignore_ascii_case("basic") {
            return Err(Rejected::because("unknown scheme: use `Basic` or `Bearer`"));
        }
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(credentials)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .ok_or(Rejected::because(
                "Basic credentials are not base64 of `user:password`",
            ))?;
        let (name, secret) = decoded.split_once(':').ok_or(Rejected::because(
            "Basic credentials are not `user:password`",
        ))?;
        self.by_password(name, secret)
            .map(|p| Some(p.identity.clone()))
    }

    /// A token, sent as a Bearer token or as a Basic password: every token is compared, in
    /// constant time, so the time taken says nothing about which one nearly matched.
    fn by_token(&self, token: &str) -> Result<&Principal, Rejected> {
        let digest: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let mut found = None;
        for (i, p) in self.principals.iter().enumerate() {
            if let Some(expected) = &p.token
                && bool::from(expected.ct_eq(&digest))
            {
                found = Some(i);
            }
        }
        found
            .map(|i| &self.principals[i])
            .ok_or(Rejected::because("unknown token"))
    }

    fn by_password(&self, name: &str, secret: &str) -> Result<&Principal, Rejected> {
        let wrong = Rejected::because("wrong user name or password");
        let Some(index) = self
            .principals
            .iter()
            .position(|p| *p.identity.name == *name)
        else {
            // As long as a wrong password, so that the time taken does not tell which names exist.
            let _ = verify(DUMMY_HASH, secret);
            return Err(wrong);
        };
        let principal = &self.principals[index];
        // A token sent as a Basic password, as clients that only speak Basic send it.
        if principal.token.is_some()
            && self
                .by_token(secret)
                .is_ok_and(|p| p.identity.name == principal.identity.name)
        {
            return Ok(principal);
        }
        let Some(hash) = &principal.password else {
            return Err(wrong);
        };
        let key: [u8; 32] = Sha256::new()
            .chain_update(name.as_bytes())
            .chain_update([0])
            .chain_update(secret.as_bytes())
            .finalize()
            .into();
        let mut verified = self.verified.lock().unwrap_or_else(|e| e.into_inner());
        if verified.get(&key) == Some(&index) {
            return Ok(principal);
        }
        drop(verified);
        if !verify(hash, secret) {
            return Err(wrong);
        }
        verified = self.verified.lock().unwrap_or_else(|e| e.into_inner());
        if verified.len() >= VERIFIED_CAPACITY {
            verified.clear();
        }
        verified.insert(key, index);
        Ok(principal)
    }
}

/// Checks one entry of the file.
fn check(entry: &Entry) -> Result<Principal, String> {
    let name = entry.name.trim();
    if name.is_empty() || name.contains(':') || name.chars().any(char::is_control) {
        return Err("a name is non-empty, without `:` or control characters".into());
    }
    if entry.password.is_none() && entry.token.is_none() {
        return Err("needs a `password` (argon2id, from `accord auth hash`) or a `token` (`sha256:<hex>`, from `accord auth hash --token`)".into());
    }
    if let Some(password) = &entry.password
        && PasswordHash::new(password).map_or(true, |h| !h.algorithm.as_str().starts_with("argon2"))
    {
        return Err("`password` is not an argon2 hash (`$argon2id$v=19$...`, from `accord auth hash`); a plain password is never stored".into());
    }
    let token = entry
        .token
        .as_deref()
        .map(|token| {
            token.strip_prefix("sha256:").and_then(hex32).ok_or(
                "`token` is not `sha256:` and 64 hex digits (from `accord auth hash --token`)",
            )
        })
        .transpose()?;
    if entry.roles.is_empty() {
        return Err("needs `roles`: admin, publisher or reader".into());
    }
    let publisher = entry.roles.contains(&Role::Publisher);
    if publisher && entry.domains.is_empty() {
        return Err("a publisher needs the `domains` it publishes for".into());
    }
    if !publisher && !entry.domains.is_empty() {
        return Err("`domains` are a publisher's; this principal has no publisher role".into());
    }
    Ok(Principal {
        identity: Identity {
            name: name.into(),
            roles: entry.roles.clone(),
            domains: entry.domains.clone(),
        },
        password: entry.password.clone(),
        token,
    })
}

fn hex32(text: &str) -> Option<[u8; 32]> {
    if text.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// The hash a password is checked against when its user does not exist.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$J9aT0QBvv7V7Ftm/aqlsQx0vLD0sYdCfTMZ0nXnAQ7Q";

fn verify(hash: &str, secret: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(secret.as_bytes(), &h)
            .is_ok()
    })
}

/// The argon2id PHC string of a password (argon2's recommended parameters: 19 MiB, 2 passes).
pub fn hash_password(password: &str) -> Result<String, String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// A new random token (256 bits, base64url) and the `sha256:<hex>` form the principals file
/// keeps of it.
pub fn new_token() -> Result<(String, String), String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| e.to_string())?;
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let digest = Sha256::digest(token.as_bytes());
    Ok((token, format!("sha256:{}", crate::registry::hex(&digest))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_principals_file_with_a_mistake_is_refused_naming_the_principal() {
        let hash = hash_password("pw").unwrap();
        let (_, digest) = new_token().unwrap();
        let cases = [
            (
                "principals: [{name: a, roles: [reader]}]",
                "`a`): needs a `password`",
            ),
            (
                "principals: [{name: a, password: hunter2, roles: [reader]}]",
                "not an argon2 hash",
            ),
            (
                "principals: [{name: a, token: abc, roles: [reader]}]",
                "`token` is not `sha256:`",
            ),
            (
                &format!("principals: [{{name: a, token: \"{digest}\"}}]"),
                "needs `roles`",
            ),
            (
                &format!("principals: [{{name: a, token: \"{digest}\", roles: [publisher]}}]"),
                "needs the `domains`",
            ),
            (
                &format!(
                    "principals: [{{name: a, token: \"{digest}\", roles: [reader], domains: [x]}}]"
                ),
                "no publisher role",
            ),
            (
                &format!("principals: [{{name: \"a:b\", token: \"{digest}\", roles: [reader]}}]"),
                "without `:`",
            ),
            (
                &format!(
                    "principals: [{{name: a, password: \"{hash}\", roles: [reader]}}, {{name: a, password: \"{hash}\", roles: [admin]}}]"
                ),
                "principals[1] (`a`): a second principal",
            ),
            (
                "principals: [{name: a, roles: [root]}]",
                "unknown variant `root`",
            ),
            ("anonymous: sometimes", "unknown variant `sometimes`"),
            (
                "subject_domains: [{prefix: \"\", domain: d}]",
                "subject_domains[0]",
            ),
            ("principal: []", "unknown field `principal`"),
        ];
        for (text, expected) in cases {
            let error = Principals::parse(text, std::path::Path::new(".")).unwrap_err();
            assert!(error.contains(expected), "{text}: {error}");
        }
    }

    #[test]
    fn passwords_and_tokens_are_checked_and_never_echoed() {
        let (token, digest) = new_token().unwrap();
        let file = format!(
            "principals:\n  - {{name: alice, password: \"{}\", roles: [reader]}}\n  - {{name: ci, token: \"{digest}\", roles: [publisher], domains: [payments]}}\nsubject_domains:\n  - {{prefix: pay, domain: other}}\n  - {{prefix: payments., domain: payments}}\n",
            hash_password("correct horse").unwrap()
        );
        let p = Principals::parse(&file, std::path::Path::new(".")).unwrap();
        let basic = |text: &str| {
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(text)
            )
        };
        let who = |header: &str| {
            p.authenticate(Some(header.as_bytes()), jiff::Timestamp::UNIX_EPOCH)
                .map(|i| i.map(|i| i.name.to_string()))
        };
        assert_eq!(who(&basic("alice:correct horse")), Ok(Some("alice".into())));
        // Again, from the cache of verified passwords.
        assert_eq!(who(&basic("alice:correct horse")), Ok(Some("alice".into())));
        assert_eq!(who(&format!("Bearer {token}")), Ok(Some("ci".into())));
        assert_eq!(who(&format!("bearer  {token} ")), Ok(Some("ci".into())));
        assert_eq!(who(&basic(&format!("ci:{token}"))), Ok(Some("ci".into())));
        for wrong in [
            basic("alice:wrong"),
            basic("nobody:correct horse"),
            basic(&format!("alice:{token}")),
            "Bearer nope".into(),
            "Basic".into(),
            "Negotiate x".into(),
        ] {
            let rejected = who(&wrong).unwrap_err();
            assert!(
                !rejected.0.contains("correct horse") && !rejected.0.contains(&token),
                "{rejected:?}"
            );
        }
        assert_eq!(p.authenticate(None, jiff::Timestamp::UNIX_EPOCH), Ok(None));
        // The longest prefix decides.
        assert_eq!(p.domain_by_prefix("payments.tx-value"), Some("payments"));
        assert_eq!(p.domain_by_prefix("payroll-value"), Some("other"));
        assert_eq!(p.domain_by_prefix("orders-value"), None);
    }

    #[test]
    fn the_hash_an_unknown_user_is_checked_against_costs_what_a_real_one_does() {
        let dummy = PasswordHash::new(DUMMY_HASH).unwrap();
        let real = hash_password("x").unwrap();
        let real = PasswordHash::new(&real).unwrap();
        assert_eq!(dummy.algorithm, real.algorithm);
        assert_eq!(dummy.params, real.params);
    }
}
