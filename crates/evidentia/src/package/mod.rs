//! Evidence packages: ASiC-E containers (ETSI EN 319 162-1) carrying sealed files with everything
//! needed to verify them without Evidentia — written by [`export`]; their formats (container,
//! manifest, evidence document, instructions) are `evidentia_formats::package`, re-exported here.

pub mod archive;
pub mod export;
pub use evidentia_formats::package::*;

use std::path::PathBuf;

/// Why a package cannot be written or read. Every message names the package or entry and says
/// what to do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PackageError {
    /// The package file cannot be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The container cannot be read, or is refused.
    #[error(transparent)]
    Container(#[from] ContainerError),
    /// The vault the records come from cannot be read.
    #[error(transparent)]
    Vault(#[from] crate::vault::VaultError),
    /// A file named as the content cannot be read.
    #[error(transparent)]
    Input(#[from] crate::subject::InputError),
    /// The manifest's time-stamp could not be obtained.
    #[error(transparent)]
    Timestamp(#[from] evidentia_pki::tsp::TspError),
    /// The manifest's signature could not be made.
    #[error(transparent)]
    Signature(#[from] evidentia_pki::cades::CadesError),
    /// A record cannot go into a package.
    #[error("record {record}: {why}")]
    Unexportable {
        /// The record.
        record: String,
        /// Why.
        why: String,
    },
}

impl PackageError {
    /// A short stable code.
    pub fn code(&self) -> &'static str {
        match self {
            PackageError::Io { .. } => "PACKAGE_IO",
            PackageError::Container(e) => e.code(),
            PackageError::Unexportable { .. } => "RECORD_UNEXPORTABLE",
            PackageError::Vault(e) => e.code(),
            PackageError::Input(e) => e.code(),
            PackageError::Timestamp(e) => e.code(),
            PackageError::Signature(_) => "SIGNATURE_FAILED",
        }
    }
}
