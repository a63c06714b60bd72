//! Reading everything the registry serves from the store at start, and the stored forms.

use crate::registry::{RegistryError, State, SubjectState, load_products};
use crate::store::{Store, StoreError};

pub(in crate::registry) fn json<T: serde::Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).expect("registry records serialize")
}

pub(in crate::registry) fn corrupt(what: &str, detail: impl std::fmt::Display) -> RegistryError {
    RegistryError::Store(StoreError::Backend(
        format!("stored {what} is unreadable: {detail}").into(),
    ))
}

/// Reads everything the registry serves from the store.
pub(in crate::registry) fn load(store: &dyn Store) -> Result<State, RegistryError> {
    let mut state = State {
        subjects: SubjectState::load(store)?,
        ..State::default()
    };
    load_products(store, &mut state)?;
    Ok(state)
}
