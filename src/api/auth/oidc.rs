//! OIDC/JWT bearer tokens: a company's identity provider signs them, and accord checks them
//! offline, against the provider's public keys (a JWKS file), its issuer and accord's audience,
//! and the token's lifetime on the registry's clock. The principal, its roles and its domains
//! come from claims, so no password of theirs is kept.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use jsonwebtoken::jwk::{AlgorithmParameters, JwkSet, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::principals::{Identity, Rejected, Role};

/// The `oidc` part of the principals file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct OidcConfig {
    /// The identity provider's public keys (its `jwks_uri` document, saved), relative to the
    /// principals file.
    jwks_file: PathBuf,
    /// The `iss` every token must carry.
    issuer: String,
    /// An `aud` every token must carry.
    audience: String,
    #[serde(default = "principal_claim")]
    principal_claim: String,
    #[serde(default = "roles_claim")]
    roles_claim: String,
    #[serde(default = "domains_claim")]
    domains_claim: String,
    /// How far the provider's clock and the registry's may disagree.
    #[serde(default = "leeway_seconds")]
    leeway_seconds: u32,
}

fn principal_claim() -> String {
    "sub".into()
}

fn roles_claim() -> String {
    "accord_roles".into()
}

fn domains_claim() -> String {
    "accord_domains".into()
}

fn leeway_seconds() -> u32 {
    60
}

/// One key of the set, ready to verify with.
struct Key {
    id: Option<String>,
    /// The one algorithm the key is for, when the set says.
    algorithm: Option<Algorithm>,
    decoding: DecodingKey,
}

/// Checks tokens against the configured provider.
pub(super) struct Oidc {
    keys: Vec<Key>,
    validation: Validation,
    principal_claim: String,
    roles_claim: String,
    domains_claim: String,
    leeway_seconds: i64,
}

impl std::fmt::Debug for Oidc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Oidc")
            .field("keys", &self.keys.len())
            .field("issuer", &self.validation.iss)
            .field("audience", &self.validation.aud)
            .finish_non_exhaustive()
    }
}

/// Whether a bearer token is a JWT rather than one of the principals file's tokens (which have
/// no dots).
pub(super) fn is_jwt(token: &str) -> bool {
    token.bytes().filter(|b| *b == b'.').count() == 2
}

impl Oidc {
    /// Reads the key set; `base` is the principals file's directory.
    pub(super) fn load(config: OidcConfig, base: &Path) -> Result<Oidc, String> {
        let path = base.join(&config.jwks_file);
        let shown = path.display();
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("oidc: cannot read the JWKS file `{shown}`: {e}"))?;
        let set: JwkSet = serde_json::from_str(&text)
            .map_err(|e| format!("oidc: the JWKS file `{shown}` is not a JWK set: {e}"))?;
        let mut keys = Vec::new();
        for (i, jwk) in set.keys.iter().enumerate() {
            let at = |message: &str| {
                let id = jwk.common.key_id.as_deref().unwrap_or("no kid");
                format!("oidc: `{shown}` keys[{i}] ({id}): {message}")
            };
            // A provider publishes its encryption keys beside its signing keys.
            if jwk.common.public_key_use == Some(PublicKeyUse::Encryption) {
                continue;
            }
            // A JWKS file is public: a shared secret in it would let anyone sign.
            if matches!(jwk.algorithm, AlgorithmParameters::OctetKey(_)) {
                return Err(at(
                    "a symmetric (`oct`) key is not accepted: tokens must be signed with the provider's private key",
                ));
            }
            let algorithm = jwk
                .common
                .key_algorithm
                .map(Algorithm::try_from)
                .transpose()
                .map_err(|_| at("its `alg` is not one accord verifies"))?;
            let decoding = DecodingKey::from_jwk(jwk).map_err(|e| at(&e.to_string()))?;
            keys.push(Key {
                id: jwk.common.key_id.clone(),
                algorithm,
                decoding,
            });
        }
        if keys.is_empty() {
            return Err(format!(
                "oidc: the JWKS file `{shown}` holds no signing key"
            ));
        }
        if config.issuer.trim().is_empty() || config.audience.trim().is_empty() {
            return Err("oidc: `issuer` and `audience` must not be empty".into());
        }
        // The lifetime is checked on the registry's clock, below; the library checks the
        // signature, the issuer and the audience, and that the claims are there.
        let mut validation = Validation::new(Algorithm::RS256);
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.set_issuer(&[&config.issuer]);
        validation.set_audience(&[&config.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        Ok(Oidc {
            keys,
            validation,
            principal_claim: config.principal_claim,
            roles_claim: config.roles_claim,
            domains_claim: config.domains_claim,
            leeway_seconds: i64::from(config.leeway_seconds),
        })
    }

    /// Who a token names, if the provider signed it for accord and it is valid at `now`.
    pub(super) fn authenticate(
        &self,
        token: &str,
        now: jiff::Timestamp,
    ) -> Result<Identity, Rejected> {
        let header = jsonwebtoken::decode_header(token)
            .map_err(|_| Rejected::because("the bearer token is not a valid JWT"))?;
        let key = self.key_for(header.kid.as_deref(), header.alg)?;
        let mut validation = self.validation.clone();
        validation.algorithms = vec![header.alg];
        let claims = jsonwebtoken::decode::<Map<String, Value>>(token, &key.decoding, &validation)
            .map_err(|e| rejected(&e))?
            .claims;
        let now = now.as_second();
        let seconds = |name: &str| claims.get(name).and_then(Value::as_i64);
        match seconds("exp") {
            Some(exp) if exp + self.leeway_seconds < now => {
                return Err(Rejected::because("the token has expired"));
            }
            Some(_) => {}
            None => return Err(Rejected::because("the token's `exp` is not a number")),
        }
        if seconds("nbf").is_some_and(|nbf| nbf - self.leeway_seconds > now) {
            return Err(Rejected::because("the token is not valid yet (`nbf`)"));
        }
        let name = claim(&claims, &self.principal_claim)
            .and_then(Value::as_str)
            .filter(|name| !name.trim().is_empty())
            .ok_or_else(|| {
                Rejected::because(format!(
                    "the token has no principal claim `{}`",
                    self.principal_claim
                ))
            })?;
        // Roles accord does not know (an identity provider's own, say) are not accord's.
        let roles = strings(claim(&claims, &self.roles_claim))
            .filter_map(|role| match role {
                "admin" => Some(Role::Admin),
                "publisher" => Some(Role::Publisher),
                "reader" => Some(Role::Reader),
                _ => None,
            })
            .collect();
        let domains = strings(claim(&claims, &self.domains_claim))
            .map(str::to_string)
            .collect();
        Ok(Identity {
            name: name.trim().into(),
            roles,
            domains,
        })
    }

    fn key_for(&self, id: Option<&str>, algorithm: Algorithm) -> Result<&Key, Rejected> {
        if matches!(
            algorithm,
            Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512
        ) {
            return Err(Rejected::because(
                "the token is signed with a shared secret (HS*): accord accepts the provider's asymmetric signatures only",
            ));
        }
        let key = match id {
            Some(id) => self
                .keys
                .iter()
                .find(|k| k.id.as_deref() == Some(id))
                .ok_or_else(|| {
                    Rejected::because("the token's key (`kid`) is not in the JWKS file")
                })?,
            None => match self.keys.as_slice() {
                [only] => only,
                _ => {
                    return Err(Rejected::because(
                        "the token names no key (`kid`) and the JWKS file holds several",
                    ));
                }
            },
        };
        if key.algorithm.is_some_and(|a| a != algorithm) {
            return Err(Rejected::because(
                "the token's algorithm is not its key's (`alg`)",
            ));
        }
        Ok(key)
    }
}

/// A claim by its name, or, for a name with dots that is not itself a claim, by its path
/// (`realm_access.roles`).
fn claim<'a>(claims: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    claims.get(name).or_else(|| {
        let mut parts = name.split('.');
        let first = claims.get(parts.next()?)?;
        parts.try_fold(first, |value, part| value.get(part))
    })
}

/// A claim's strings: a JSON array of them, or one string of them separated by spaces or
/// commas (as `scope` is).
fn strings(value: Option<&Value>) -> impl Iterator<Item = &str> {
    let (list, text): (&[Value], &str) = match value {
        Some(Value::Array(list)) => (list, ""),
        Some(Value::String(text)) => (&[], text),
        _ => (&[], ""),
    };
    list.iter()
        .filter_map(Value::as_str)
        .chain(text.split([' ', ',']))
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// What the library found wrong, in words that name the claim and never the token.
fn rejected(error: &jsonwebtoken::errors::Error) -> Rejected {
    use jsonwebtoken::errors::ErrorKind;
    let message: Cow<'static, str> = match error.kind() {
        ErrorKind::InvalidSignature => "the token's signature is not valid".into(),
        ErrorKind::InvalidIssuer => "the token's issuer (`iss`) is not the one configured".into(),
        ErrorKind::InvalidAudience => {
            "the token's audience (`aud`) does not name this registry".into()
        }
        ErrorKind::MissingRequiredClaim(claim) => {
            format!("the token has no `{claim}` claim").into()
        }
        ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => {
            "the token's algorithm does not fit its key".into()
        }
        _ => "the bearer token is not a valid JWT".into(),
    };
    Rejected(message)
}

/// An identity provider for tests: an ES256 key made at run time, its JWKS, and tokens it signs.
#[cfg(test)]
pub(crate) mod testing {
    use base64::Engine as _;
    use serde_json::{Value, json};

    pub struct Provider {
        key: rcgen::KeyPair,
        pub kid: &'static str,
    }

    impl Provider {
        pub fn new(kid: &'static str) -> Provider {
            Provider {
                key: rcgen::KeyPair::generate().unwrap(),
                kid,
            }
        }

        /// The provider's key set, as its `jwks_uri` serves it.
        pub fn jwks(&self) -> String {
            // An uncompressed P-256 point: 0x04, x, y.
            let point = self.key.public_key_raw();
            let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
            json!({"keys": [{
                "kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256", "kid": self.kid,
                "x": b64(&point[1..33]), "y": b64(&point[33..65]),
            }]})
            .to_string()
        }

        /// A token with these claims, signed by the provider.
        pub fn sign(&self, claims: &Value) -> String {
            let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
            header.kid = Some(self.kid.into());
            let key = jsonwebtoken::EncodingKey::from_ec_der(&self.key.serialize_der());
            jsonwebtoken::encode(&header, claims, &key).unwrap()
        }
    }

    /// A principals file's `oidc` part for `provider`, with its JWKS written into `dir`.
    pub fn config(provider: &Provider, dir: &std::path::Path) -> String {
        std::fs::write(dir.join("jwks.json"), provider.jwks()).unwrap();
        "oidc:\n  jwks_file: jwks.json\n  issuer: https://idp.example.com\n  audience: accord\n"
            .into()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::testing::{Provider, config};
    use super::*;
    use crate::api::auth::Principals;

    fn at(seconds: i64) -> jiff::Timestamp {
        jiff::Timestamp::from_second(seconds).unwrap()
    }

    fn bearer(token: &str) -> Vec<u8> {
        format!("Bearer {token}").into_bytes()
    }

    fn claims() -> serde_json::Value {
        json!({
            "iss": "https://idp.example.com", "aud": ["accord", "other"], "sub": "payments-pipeline",
            "exp": 2_000, "nbf": 1_000,
            "accord_roles": ["publisher", "offline_access"], "accord_domains": "payments, cards",
        })
    }

    fn principals(provider: &Provider, extra: &str) -> Principals {
        let dir = tempfile::tempdir().unwrap();
        let file = format!("{}{extra}", config(provider, dir.path()));
        Principals::parse(&file, dir.path()).unwrap()
    }

    #[test]
    fn a_token_of_the_provider_names_its_principal_roles_and_domains() {
        let provider = Provider::new("k1");
        let p = principals(&provider, "");
        let identity = p
            .authenticate(Some(&bearer(&provider.sign(&claims()))), at(1_500))
            .unwrap()
            .unwrap();
        assert_eq!(&*identity.name, "payments-pipeline");
        assert_eq!(
            identity.roles,
            [Role::Publisher],
            "roles accord does not know are dropped"
        );
        assert_eq!(identity.domains, ["payments", "cards"]);
    }

    #[test]
    fn claims_are_read_by_the_names_configured_and_by_paths() {
        let provider = Provider::new("k1");
        let p = principals(
            &provider,
            "  principal_claim: preferred_username\n  roles_claim: realm_access.roles\n  domains_claim: https://example.com/domains\n",
        );
        let mut c = claims();
        c["preferred_username"] = json!("alice");
        c["realm_access"] = json!({"roles": ["admin", "uma_authorization"]});
        c["https://example.com/domains"] = json!(["orders"]);
        let identity = p
            .authenticate(Some(&bearer(&provider.sign(&c))), at(1_500))
            .unwrap()
            .unwrap();
        assert_eq!(&*identity.name, "alice");
        assert_eq!(identity.roles, [Role::Admin]);
        assert_eq!(identity.domains, ["orders"]);
    }

    #[test]
    fn a_token_is_refused_for_its_lifetime_issuer_audience_signature_key_or_algorithm() {
        let provider = Provider::new("k1");
        let p = principals(&provider, "");
        let refused = |token: &str, now: i64| {
            p.authenticate(Some(&bearer(token)), at(now))
                .unwrap_err()
                .0
                .into_owned()
        };
        let with = |key: &str, value: serde_json::Value| {
            let mut c = claims();
            c[key] = value;
            provider.sign(&c)
        };
        let good = provider.sign(&claims());
        // Within the minute's leeway, then past it.
        assert!(p.authenticate(Some(&bearer(&good)), at(2_059)).is_ok());
        assert_eq!(refused(&good, 2_061), "the token has expired");
        assert!(p.authenticate(Some(&bearer(&good)), at(941)).is_ok());
        assert_eq!(refused(&good, 939), "the token is not valid yet (`nbf`)");
        let wrong_issuer = with("iss", json!("https://evil.example.com"));
        assert!(refused(&wrong_issuer, 1_500).contains("issuer"));
        let wrong_audience = with("aud", json!("someone-else"));
        assert!(refused(&wrong_audience, 1_500).contains("audience"));
        let mut c = claims();
        c.as_object_mut().unwrap().remove("exp");
        assert_eq!(
            refused(&provider.sign(&c), 1_500),
            "the token has no `exp` claim"
        );
        let nameless = with("sub", json!(""));
        assert_eq!(
            refused(&nameless, 1_500),
            "the token has no principal claim `sub`"
        );

        // Signed by another key under the same kid; a kid the set lacks.
        let impostor = Provider::new("k1");
        assert_eq!(
            refused(&impostor.sign(&claims()), 1_500),
            "the token's signature is not valid"
        );
        let unknown = Provider::new("k2");
        assert!(refused(&unknown.sign(&claims()), 1_500).contains("`kid`"));
        // A shared-secret signature, whatever the secret.
        let mut header = jsonwebtoken::Header::new(Algorithm::HS256);
        header.kid = Some("k1".into());
        let hs = jsonwebtoken::encode(
            &header,
            &claims(),
            &jsonwebtoken::EncodingKey::from_secret(provider.jwks().as_bytes()).unwrap(),
        )
        .unwrap();
        assert!(refused(&hs, 1_500).contains("shared secret"));
        assert_eq!(
            refused("a.b.c", 1_500),
            "the bearer token is not a valid JWT"
        );
        // The secret never appears in a refusal.
        assert!(!refused(&good, 3_000).contains(&good));
    }

    #[test]
    fn a_key_set_accord_cannot_use_is_refused_at_start_naming_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let file = "oidc:\n  jwks_file: jwks.json\n  issuer: https://idp.example.com\n  audience: accord\n";
        let error = |jwks: &str| {
            std::fs::write(dir.path().join("jwks.json"), jwks).unwrap();
            Principals::parse(file, dir.path()).unwrap_err()
        };
        assert!(
            error(r#"{"keys": [{"kty": "oct", "kid": "s", "k": "c2VjcmV0"}]}"#)
                .contains("keys[0] (s): a symmetric (`oct`) key is not accepted"),
        );
        assert!(error(r#"{"keys": []}"#).contains("holds no signing key"));
        assert!(error("not json").contains("is not a JWK set"));
        std::fs::remove_file(dir.path().join("jwks.json")).unwrap();
        assert!(
            Principals::parse(file, dir.path())
                .unwrap_err()
                .contains("cannot read the JWKS file")
        );
        let typo = "oidc:\n  jwks_file: jwks.json\n  issuer: x\n  audiences: accord\n";
        assert!(
            Principals::parse(typo, dir.path())
                .unwrap_err()
                .contains("audiences")
        );
    }
}
