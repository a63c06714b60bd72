//! Compatibility levels, normalization and modes: global and per subject.

use std::collections::HashMap;

use crate::compat::Level;
use crate::registry::{Mode, Registry, RegistryError, SubjectName, SubjectState, keys};
use crate::store::{Keyspace, WriteBatch};

pub(in crate::registry) fn stage_setting<S: Setting>(
    batch: &mut WriteBatch,
    subject: Option<&str>,
    value: S,
) {
    batch.put(S::KEYSPACE, S::key(subject), value.name());
}

/// A scope's compatibility configuration, as Confluent's `/config` shows it: the fields set.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Config {
    pub level: Option<Level>,
    /// Store the normalized form as the served text (Confluent's `normalize`).
    pub normalize: Option<bool>,
}

impl Config {
    /// A configuration of a level alone.
    pub fn level(level: Level) -> Self {
        Config {
            level: Some(level),
            normalize: None,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.level.is_none() && self.normalize.is_none()
    }
}

/// Whether registrations store the normalized form as the text they serve.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(in crate::registry) struct Normalize(pub(in crate::registry) bool);

/// A per-subject setting with a global fallback: the compatibility level or the mode.
pub(in crate::registry) trait Setting: Copy + Default {
    const KEYSPACE: Keyspace;
    /// Before the scope in the setting's key: settings sharing a keyspace differ by it.
    const KEY_PREFIX: &'static [u8] = b"";
    fn name(self) -> &'static str;
    fn key(subject: Option<&str>) -> Vec<u8> {
        [Self::KEY_PREFIX, &keys::scope(subject)].concat()
    }
    fn map(state: &SubjectState) -> &HashMap<Option<String>, Self>;
    fn map_mut(state: &mut SubjectState) -> &mut HashMap<Option<String>, Self>;
    /// The error for a subject without its own setting (40408 or 40409).
    fn not_configured(subject: &str) -> RegistryError;
}

impl Setting for Level {
    const KEYSPACE: Keyspace = Keyspace::Config;
    fn name(self) -> &'static str {
        Level::name(self)
    }
    fn map(state: &SubjectState) -> &HashMap<Option<String>, Self> {
        &state.config
    }
    fn map_mut(state: &mut SubjectState) -> &mut HashMap<Option<String>, Self> {
        &mut state.config
    }
    fn not_configured(subject: &str) -> RegistryError {
        RegistryError::SubjectConfigNotFound(subject.to_string())
    }
}

impl Setting for Normalize {
    const KEYSPACE: Keyspace = Keyspace::Config;
    /// Subjects hold no control characters, so no level key starts with it.
    const KEY_PREFIX: &'static [u8] = keys::NORMALIZE;
    fn name(self) -> &'static str {
        if self.0 { "true" } else { "false" }
    }
    fn map(state: &SubjectState) -> &HashMap<Option<String>, Self> {
        &state.normalize
    }
    fn map_mut(state: &mut SubjectState) -> &mut HashMap<Option<String>, Self> {
        &mut state.normalize
    }
    fn not_configured(subject: &str) -> RegistryError {
        RegistryError::SubjectConfigNotFound(subject.to_string())
    }
}

impl Setting for Mode {
    const KEYSPACE: Keyspace = Keyspace::Mode;
    fn name(self) -> &'static str {
        Mode::name(self)
    }
    fn map(state: &SubjectState) -> &HashMap<Option<String>, Self> {
        &state.modes
    }
    fn map_mut(state: &mut SubjectState) -> &mut HashMap<Option<String>, Self> {
        &mut state.modes
    }
    fn not_configured(subject: &str) -> RegistryError {
        RegistryError::SubjectModeNotFound(subject.to_string())
    }
}

impl Registry {
    /// The configuration of a subject (an error when it has none, unless `default_to_global`,
    /// which merges it over the global one), or with `None` the global one.
    pub fn config(
        &self,
        subject: Option<&str>,
        default_to_global: bool,
    ) -> Result<Config, RegistryError> {
        let state = self.read();
        let own = Config {
            level: Level::map(&state.subjects)
                .get(&subject.map(str::to_string))
                .copied(),
            normalize: Normalize::map(&state.subjects)
                .get(&subject.map(str::to_string))
                .map(|n| n.0),
        };
        match subject {
            None => Ok(Config {
                level: Some(own.level.unwrap_or_default()),
                ..own
            }),
            Some(s) if default_to_global => Ok(Config {
                level: Some(state.subjects.effective::<Level>(s)),
                normalize: own
                    .normalize
                    .or_else(|| Normalize::map(&state.subjects).get(&None).map(|n| n.0)),
            }),
            Some(s) if own.is_empty() => Err(Level::not_configured(s)),
            Some(_) => Ok(own),
        }
    }

    /// Sets what `config` gives of a subject's configuration or, with `None`, the global one.
    pub fn set_config(
        &self,
        subject: Option<&SubjectName>,
        config: Config,
    ) -> Result<(), RegistryError> {
        let subject = subject.map(SubjectName::as_str);
        let mut batch = WriteBatch::new();
        if let Some(level) = config.level {
            stage_setting(&mut batch, subject, level);
        }
        if let Some(normalize) = config.normalize {
            stage_setting(&mut batch, subject, Normalize(normalize));
        }
        self.store.write(batch)?;
        let mut state = self.write_state();
        let scope = subject.map(str::to_string);
        if let Some(level) = config.level {
            Level::map_mut(&mut state.subjects).insert(scope.clone(), level);
        }
        if let Some(normalize) = config.normalize {
            Normalize::map_mut(&mut state.subjects).insert(scope, Normalize(normalize));
        }
        Ok(())
    }

    /// Removes a configuration and returns it; the global level reverts to BACKWARD. A subject
    /// without one is 40401, as in Confluent.
    pub fn delete_config(&self, subject: Option<&str>) -> Result<Config, RegistryError> {
        let previous = match subject {
            Some(s) => self
                .config(Some(s), false)
                .map_err(|_| RegistryError::SubjectNotFound(s.to_string()))?,
            None => self.config(None, false)?,
        };
        let mut batch = WriteBatch::new();
        batch.delete(Keyspace::Config, Level::key(subject));
        batch.delete(Keyspace::Config, Normalize::key(subject));
        self.store.write(batch)?;
        let mut state = self.write_state();
        Level::map_mut(&mut state.subjects).remove(&subject.map(str::to_string));
        Normalize::map_mut(&mut state.subjects).remove(&subject.map(str::to_string));
        Ok(previous)
    }

    /// Whether a registration under `subject` stores the normalized form as the served text:
    /// asked for by the request, or configured for the subject or globally.
    pub(in crate::registry) fn normalizes(&self, subject: &str, requested: bool) -> bool {
        requested || self.read().subjects.effective::<Normalize>(subject).0
    }

    /// The mode of a subject, or the global one.
    pub fn mode(
        &self,
        subject: Option<&str>,
        default_to_global: bool,
    ) -> Result<Mode, RegistryError> {
        self.setting(subject, default_to_global)
    }

    /// Sets a mode. IMPORT is refused while the scope holds live versions, unless forced.
    pub fn set_mode(
        &self,
        subject: Option<&SubjectName>,
        mode: Mode,
        force: bool,
    ) -> Result<(), RegistryError> {
        let subject = subject.map(SubjectName::as_str);
        if mode == Mode::Import && !force {
            let state = self.read();
            let occupied = match subject {
                None => state
                    .subjects
                    .by_subject
                    .keys()
                    .any(|s| state.subjects.live_versions(s).next().is_some()),
                Some(s) => state.subjects.live_versions(s).next().is_some(),
            };
            if occupied {
                return Err(RegistryError::OperationNotPermitted(
                    "Cannot import since found existing subjects".into(),
                ));
            }
        }
        self.set_setting(subject, mode)
    }

    /// Removes a mode and returns it; the global mode reverts to READWRITE.
    pub fn delete_mode(&self, subject: Option<&str>) -> Result<Mode, RegistryError> {
        self.delete_setting(subject)
    }

    /// A subject's own setting (an error when it has none, unless `default_to_global`), or
    /// with `None` the global one (the default when none is stored).
    pub(in crate::registry) fn setting<S: Setting>(
        &self,
        subject: Option<&str>,
        default_to_global: bool,
    ) -> Result<S, RegistryError> {
        let state = self.read();
        match subject {
            None => Ok(S::map(&state.subjects)
                .get(&None)
                .copied()
                .unwrap_or_default()),
            Some(s) => match S::map(&state.subjects).get(&Some(s.to_string())) {
                Some(value) => Ok(*value),
                None if default_to_global => Ok(state.subjects.effective(s)),
                None => Err(S::not_configured(s)),
            },
        }
    }

    pub(in crate::registry) fn set_setting<S: Setting>(
        &self,
        subject: Option<&str>,
        value: S,
    ) -> Result<(), RegistryError> {
        let mut batch = WriteBatch::new();
        stage_setting(&mut batch, subject, value);
        self.store.write(batch)?;
        S::map_mut(&mut self.write_state().subjects).insert(subject.map(str::to_string), value);
        Ok(())
    }

    /// Removes a setting and returns it; a subject without one is 40401, as in Confluent.
    pub(in crate::registry) fn delete_setting<S: Setting>(
        &self,
        subject: Option<&str>,
    ) -> Result<S, RegistryError> {
        let previous = match subject {
            Some(s) => S::map(&self.read().subjects)
                .get(&Some(s.to_string()))
                .copied()
                .ok_or_else(|| RegistryError::SubjectNotFound(s.to_string()))?,
            None => self.setting(None, false)?,
        };
        let mut batch = WriteBatch::new();
        batch.delete(S::KEYSPACE, S::key(subject));
        self.store.write(batch)?;
        S::map_mut(&mut self.write_state().subjects).remove(&subject.map(str::to_string));
        Ok(previous)
    }
}
