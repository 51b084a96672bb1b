//! The commands the page may call: thin calls into the core library, one module per screen.

pub mod checking;
pub mod files;
pub mod identities;
pub mod records;
pub mod sealing;
pub mod settings;

use evidentia::config::Config;
use evidentia::vault::{Access, Vault};

use crate::failure::Failure;

/// Opens the configured vault for writing, waiting for another writer as configured.
pub async fn vault_for_writing(config: &Config) -> Result<Vault, Failure> {
    let dir = config.vault_dir(None)?;
    Ok(Vault::open(&dir, Access::Write { lock_wait: config.lock_wait() }).await?)
}

/// Opens the configured vault for reading.
pub async fn vault_for_reading(config: &Config) -> Result<Vault, Failure> {
    let dir = config.vault_dir(None)?;
    Ok(Vault::open(&dir, Access::Read).await?)
}

/// A secret from the page, wiped from memory when dropped.
pub fn secret(text: Option<String>) -> zeroize::Zeroizing<String> {
    zeroize::Zeroizing::new(text.unwrap_or_default())
}
