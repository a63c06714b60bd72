//! Access control: who a request comes from (`principals`: the principals file, HTTP Basic and
//! Bearer credentials; `oidc`: JWTs of an identity provider), what each route needs (`access`: one table, deny by default), and the
//! layer every routed request passes through (`layer`), which slows repeated failed logins
//! down (`throttle`).

mod access;
mod layer;
mod oidc;
mod principals;
mod throttle;

use std::sync::Arc;

pub use access::{Need, need_of};
pub use layer::{Gate, authorize};
pub use principals::{
    Anonymous, AuthError, Identity, Principals, Rejected, Role, hash_password, new_token,
};
pub use throttle::ClientAddr;

#[cfg(test)]
pub(crate) use oidc::testing;

/// An authenticated principal, as the handlers see it (a request extension): the audit's actor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub name: Arc<str>,
}

/// Whether access control is on, and with which principals.
#[derive(Clone, Default)]
pub enum Auth {
    /// Anyone who reaches the server may do anything (the default, as Confluent's community
    /// edition).
    #[default]
    Open,
    On(Arc<Principals>),
}
