//! What each route needs, in one table: a route missing from it needs an admin (deny by
//! default), and a test holds the table to the router.

use axum::http::Method;

/// What a request needs of its caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Need {
    /// Nothing: liveness and readiness probes, the root.
    Nothing,
    /// Any principal, or anyone when anonymous reads are allowed.
    Read,
    /// An admin.
    Admin,
    /// A publisher of the subject's domain (its product's, else the subject-domain rules'), or
    /// an admin.
    Subject(String),
    /// A publisher of the product's domain, or an admin.
    Product(String),
    /// Defining a product: a publisher of the domain the body names (and of the product's
    /// present domain, if it has one), who may claim each of its subjects; or an admin.
    DefineProduct(String),
    /// A registration: as [`Need::Subject`], but one carrying an id (IMPORT) needs an admin.
    Register(String),
    /// Registering a consumer: a publisher of the domain the body names (and of the
    /// consumer's present domain, if it is registered), or an admin.
    RegisterConsumer { product: String, consumer: String },
    /// Changing a registered consumer: a publisher of its domain, or an admin.
    Consumer { product: String, consumer: String },
    /// Consumers of these domains are changed: a publisher of each, or an admin (decided by
    /// the gate from the body or the registry).
    ConsumerDomains(Vec<String>),
    /// The platform registration API: a publisher of the domain in the path (and of the
    /// product's present domain, if it exists), or an admin.
    Registration { domain: String, product: String },
}

/// The need of a routed request: its method, its route pattern, a path parameter by name and
/// a query flag by name.
pub fn need_of(
    method: &Method,
    route: &str,
    param: impl Fn(&str) -> Option<String>,
    flag: impl Fn(&str) -> bool,
) -> Need {
    let subject = || Need::Subject(param("subject").unwrap_or_default());
    let product = || Need::Product(param("name").unwrap_or_default());
    let m = method.as_str();
    match (m, route) {
        ("GET" | "POST", "/") | ("GET", "/health" | "/ready") => Need::Nothing,
        // Lookups and compatibility checks, and a product's dry run, write nothing.
        ("POST", "/subjects/{subject}")
        | ("POST", "/compatibility/subjects/{subject}/versions")
        | ("POST", "/compatibility/subjects/{subject}/versions/")
        | ("POST", "/compatibility/subjects/{subject}/versions/{version}")
        | ("POST", "/v1/products/{name}/check")
        | ("POST", "/ui/subjects/{subject}/check") => Need::Read,
        // The whole registry, consumers' webhook secrets included, is the platform's.
        ("GET", "/v1/export") => Need::Admin,
        ("GET", _) => Need::Read,
        ("POST", "/subjects/{subject}/versions") => {
            Need::Register(param("subject").unwrap_or_default())
        }
        ("DELETE", "/subjects/{subject}" | "/subjects/{subject}/versions/{version}") => {
            if flag("permanent") {
                Need::Admin
            } else {
                subject()
            }
        }
        ("PUT" | "DELETE", "/config/{subject}") => subject(),
        ("PUT", "/v1/products/{name}") => Need::DefineProduct(param("name").unwrap_or_default()),
        ("PUT", "/v1/products/{name}/consumers/{consumer}") => Need::RegisterConsumer {
            product: param("name").unwrap_or_default(),
            consumer: param("consumer").unwrap_or_default(),
        },
        ("DELETE", "/v1/products/{name}/consumers/{consumer}")
        | ("POST", "/v1/products/{name}/consumers/{consumer}/migrate") => Need::Consumer {
            product: param("name").unwrap_or_default(),
            consumer: param("consumer").unwrap_or_default(),
        },
        ("PUT", "/v1/data-products/{domain}/{name}") => {
            let domain = param("domain").unwrap_or_default();
            let product = format!("{domain}.{}", param("name").unwrap_or_default());
            Need::Registration { domain, product }
        }
        ("POST", "/v1/products/{name}/versions")
        | ("POST", "/v1/products/{name}/notices")
        | ("DELETE", "/v1/products/{name}/notices/{major}") => product(),
        // The global configuration and every mode (IMPORT, READONLY) are the platform's; so
        // is anything not named above.
        _ => Need::Admin,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every route the router serves, with its methods, from the router's source: a route
    /// added there without a line in the table above fails here.
    #[test]
    fn every_route_of_the_router_is_in_the_table() {
        let api = include_str!("../mod.rs");
        let api = api.split(".fallback(").next().unwrap_or(api);
        // The web UI's routes are merged into the API's, behind the same gate.
        let ui = include_str!("../ui/mod.rs");
        let mut routes = Vec::new();
        for chunk in [api, ui]
            .into_iter()
            .flat_map(|source| source.split(".route(").skip(1))
        {
            let path = chunk.split('"').nth(1).expect("a route's path");
            let methods: Vec<&str> = ["get", "post", "put", "delete"]
                .into_iter()
                .filter(|m| {
                    let body = chunk.split(".route(").next().unwrap_or("");
                    body.contains(&format!("{m}(")) || body.contains(&format!(".{m}("))
                })
                .collect();
            assert!(!methods.is_empty(), "no method found for {path}");
            routes.push((path.to_string(), methods));
        }
        assert!(routes.len() > 30, "{routes:?}");
        let mut listed = String::new();
        for (path, methods) in &routes {
            for m in methods {
                let method = Method::from_bytes(m.to_uppercase().as_bytes()).unwrap();
                let need = need_of(&method, path, |_| Some("x".into()), |_| false);
                listed.push_str(&format!("{} {path} -> {need:?}\n", method.as_str()));
            }
        }
        // A route added, or a need changed, shows here for review.
        insta::assert_snapshot!(listed);
    }
}
