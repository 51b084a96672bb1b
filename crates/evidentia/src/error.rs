//! The crate-wide error: one variant per concern, each with the concern's own detailed error.

use crate::config::ConfigError;
use crate::digest::UnknownAlgorithm;
use crate::subject::InputError;
use crate::vault::VaultError;

/// Anything that can stop an Evidentia operation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file or folder the user named cannot be used as given.
    #[error(transparent)]
    Input(#[from] InputError),
    /// The evidence vault cannot be opened, read or written.
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// The configuration file or an environment override is wrong.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A digest algorithm name is not known.
    #[error(transparent)]
    Algorithm(#[from] UnknownAlgorithm),
}

/// What kind of failure an [`Error`] is, for callers that map failures to exit codes or UI codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The user's input (a path, an argument) is at fault.
    Input,
    /// The vault is unusable (missing, locked, newer, corrupt) or a write to it failed.
    Vault,
    /// The configuration is at fault.
    Config,
}

impl Error {
    /// The kind of failure.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Input(_) | Error::Algorithm(_) => ErrorKind::Input,
            Error::Vault(_) => ErrorKind::Vault,
            Error::Config(_) => ErrorKind::Config,
        }
    }

    /// A short stable code for machine-readable output (`--json`, the desktop app).
    pub fn code(&self) -> &'static str {
        match self {
            Error::Input(e) => e.code(),
            Error::Algorithm(_) => "UNKNOWN_ALGORITHM",
            Error::Vault(e) => e.code(),
            Error::Config(_) => "CONFIG_INVALID",
        }
    }
}
