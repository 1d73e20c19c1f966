//! Site passwords in the OS keyring, behind a trait so tests use memory.
//!
//! One keyring entry per site: service `skiff`, account = the [`SiteId`]. On
//! Linux that is the Secret Service (GNOME Keyring, KWallet, KeePassXC) over
//! D-Bus; on macOS the Keychain; on Windows the Credential Manager.
//!
//! Every [`SecretStore`] call blocks (D-Bus round trips, maybe an unlock
//! prompt): **never call it on the UI thread or on a tokio worker thread**;
//! use a plain thread or `tokio::task::spawn_blocking`. [`OsKeyring`] also
//! runs each call on a short-lived thread of its own, because the keyring
//! crate's Secret Service backend starts a runtime and panics inside one.
//!
//! Where no keyring answers (no D-Bus session, no Secret Service provider),
//! calls fail with [`KeyringError::Unavailable`]; the front end says so once
//! and asks for the password at connect time instead. There is deliberately
//! no file fallback: a password is never written to a plain or encoded file.

use std::collections::HashMap;
use std::sync::Mutex;

use super::model::SiteId;
use crate::secret::Secret;

/// The keyring service name every Skiff entry is stored under.
pub const SERVICE: &str = "skiff";

/// What a keyring call can fail with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyringError {
    /// No keyring answers here (no D-Bus session, no Secret Service, locked
    /// and no one to unlock it): ask for passwords instead.
    #[error("no keyring is available ({0})")]
    Unavailable(String),
    /// The keyring answered but the call failed.
    #[error("the keyring refused ({0})")]
    Failed(String),
}

/// Where site passwords are kept, by site id. Blocking: never call on the UI
/// thread or on a tokio worker thread.
pub trait SecretStore: Send + Sync {
    /// The password saved for a site, or `None` when there is none.
    fn get(&self, id: &SiteId) -> Result<Option<Secret>, KeyringError>;
    /// Saves (or replaces) a site's password.
    fn set(&self, id: &SiteId, secret: &Secret) -> Result<(), KeyringError>;
    /// Forgets a site's password; forgetting a missing one is not an error.
    fn delete(&self, id: &SiteId) -> Result<(), KeyringError>;
    /// Whether a keyring answers here: [`KeyringError::Unavailable`] when
    /// none does (passwords are then asked for at connect).
    fn probe(&self) -> Result<(), KeyringError>;
}

/// Saves what a site's logon type keeps: the password for normal and account
/// logons (an empty one deletes it), nothing for anonymous and ask (any old
/// entry is deleted, so a site switched to "ask" leaves no password behind).
pub fn store_password(
    secrets: &dyn SecretStore,
    site: &super::Site,
    password: Option<&Secret>,
) -> Result<(), KeyringError> {
    match password {
        Some(p) if site.logon.stores_password() && !p.is_empty() => secrets.set(&site.id, p),
        _ => secrets.delete(&site.id),
    }
}

/// The operating system's keyring.
#[derive(Debug, Clone)]
pub struct OsKeyring {
    service: String,
}

impl Default for OsKeyring {
    fn default() -> Self {
        Self::new()
    }
}

fn map_error(error: keyring::Error) -> KeyringError {
    match error {
        // No D-Bus session, no org.freedesktop.secrets, a locked collection
        // with no prompter: all mean "no usable keyring here".
        keyring::Error::PlatformFailure(e) | keyring::Error::NoStorageAccess(e) => {
            KeyringError::Unavailable(e.to_string())
        }
        other => KeyringError::Failed(other.to_string()),
    }
}

/// Runs `call` on a thread of its own: the Secret Service backend builds a
/// runtime, which panics on a thread that already runs one.
fn off_thread<T: Send>(
    call: impl FnOnce() -> Result<T, KeyringError> + Send,
) -> Result<T, KeyringError> {
    std::thread::scope(|scope| {
        scope
            .spawn(call)
            .join()
            .unwrap_or_else(|_| Err(KeyringError::Failed("the keyring call panicked".into())))
    })
}

impl OsKeyring {
    /// The keyring, with Skiff's service name.
    pub fn new() -> Self {
        Self::with_service(SERVICE)
    }

    /// The keyring with another service name (tests keep apart from real entries).
    pub fn with_service(service: impl Into<String>) -> Self {
        Self {
            service: service.into(),
        }
    }

    fn entry(&self, id: &SiteId) -> Result<keyring::Entry, KeyringError> {
        keyring::Entry::new(&self.service, id.as_str()).map_err(map_error)
    }
}

impl SecretStore for OsKeyring {
    /// `Ok` when a keyring answers (even with no Skiff entries yet).
    fn probe(&self) -> Result<(), KeyringError> {
        let probe = SiteId::from_text("skiff-availability-probe")
            .ok_or_else(|| KeyringError::Failed("bad probe id".into()))?;
        self.get(&probe).map(|_| ())
    }

    fn get(&self, id: &SiteId) -> Result<Option<Secret>, KeyringError> {
        off_thread(|| match self.entry(id)?.get_password() {
            Ok(password) => Ok(Some(Secret::new(password))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_error(e)),
        })
    }

    fn set(&self, id: &SiteId, secret: &Secret) -> Result<(), KeyringError> {
        off_thread(|| {
            self.entry(id)?
                .set_password(secret.expose())
                .map_err(map_error)
        })
    }

    fn delete(&self, id: &SiteId) -> Result<(), KeyringError> {
        off_thread(|| match self.entry(id)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_error(e)),
        })
    }
}

/// An in-memory store for tests, shared by every caller that holds it (the
/// keyring crate's own mock gives each entry its own store).
#[derive(Debug, Default)]
pub struct MemoryStore {
    secrets: Mutex<HashMap<SiteId, Secret>>,
    unavailable: bool,
}

impl MemoryStore {
    /// An empty, working store.
    pub fn new() -> Self {
        Self::default()
    }

    /// A store that answers every call with [`KeyringError::Unavailable`], as a
    /// machine without a keyring does.
    pub fn unavailable() -> Self {
        Self {
            unavailable: true,
            ..Self::default()
        }
    }

    /// How many secrets are held.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether no secret is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<SiteId, Secret>> {
        // A panic while holding this lock cannot leave the map half-changed
        // (every operation is one insert or remove), so a poisoned lock is usable.
        self.secrets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn check(&self) -> Result<(), KeyringError> {
        if self.unavailable {
            Err(KeyringError::Unavailable(
                "a test store without a keyring".into(),
            ))
        } else {
            Ok(())
        }
    }
}

impl SecretStore for MemoryStore {
    fn probe(&self) -> Result<(), KeyringError> {
        self.check()
    }

    fn get(&self, id: &SiteId) -> Result<Option<Secret>, KeyringError> {
        self.check()?;
        Ok(self.lock().get(id).cloned())
    }

    fn set(&self, id: &SiteId, secret: &Secret) -> Result<(), KeyringError> {
        self.check()?;
        self.lock().insert(id.clone(), secret.clone());
        Ok(())
    }

    fn delete(&self, id: &SiteId) -> Result<(), KeyringError> {
        self.check()?;
        self.lock().remove(id);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_store_is_shared_and_can_be_unavailable() {
        let store = MemoryStore::new();
        let id = SiteId::random();
        assert_eq!(store.get(&id), Ok(None));
        store.set(&id, &Secret::new("pw")).expect("set");
        let as_trait: &dyn SecretStore = &store;
        assert_eq!(
            as_trait.get(&id).expect("get").as_ref().map(Secret::expose),
            Some("pw")
        );
        store.delete(&id).expect("delete");
        store.delete(&id).expect("delete twice");
        assert!(store.is_empty());
        let none = MemoryStore::unavailable();
        assert!(matches!(none.get(&id), Err(KeyringError::Unavailable(_))));
        assert!(matches!(
            none.set(&id, &Secret::new("x")),
            Err(KeyringError::Unavailable(_))
        ));
    }

    #[test]
    fn store_password_keeps_only_what_the_logon_type_needs() {
        use crate::sites::{LogonType, Site};
        let store = MemoryStore::new();
        let mut site = Site::new("s", "h");
        let pw = Secret::new("pw");
        store_password(&store, &site, Some(&pw)).expect("normal");
        assert_eq!(store.get(&site.id).expect("get"), Some(pw.clone()));
        site.logon = LogonType::Ask;
        store_password(&store, &site, Some(&pw)).expect("ask");
        assert_eq!(store.get(&site.id).expect("get"), None);
        site.logon = LogonType::Account;
        store_password(&store, &site, Some(&pw)).expect("account");
        store_password(&store, &site, Some(&Secret::new(""))).expect("emptied");
        assert!(store.is_empty());
    }

    /// Without a D-Bus session the OS keyring is `Unavailable`, not a panic,
    /// not a hang, even when called from inside a tokio runtime.
    #[test]
    fn no_dbus_session_means_unavailable() {
        if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some() {
            // A session bus exists here; tests/keyring.rs covers the real service.
            return;
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let result = runtime.block_on(async {
            tokio::spawn(async { OsKeyring::with_service("skiff-test").probe() })
                .await
                .expect("join")
        });
        assert!(
            matches!(result, Err(KeyringError::Unavailable(_))),
            "{result:?}"
        );
    }
}
