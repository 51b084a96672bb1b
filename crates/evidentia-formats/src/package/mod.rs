//! Evidence package formats: the ASiC-E container (ETSI EN 319 162-1) read defensively by
//! [`container`], the ASiC manifest ([`manifest`]) and anyone's ASiC manifests ([`asic`]), the evidence document ([`evidence`]) and the
//! instructions for re-checking with open tools ([`instructions`]).

pub mod asic;
pub mod container;
pub mod evidence;
pub mod instructions;
pub mod manifest;

use std::path::PathBuf;

/// The `mimetype` entry's content.
pub const MIMETYPE: &str = "application/vnd.etsi.asic-e+zip";
/// The ASiC manifest.
pub const MANIFEST_PATH: &str = "META-INF/ASiCManifest.xml";
/// The manifest's time-stamp token (an ASiC-E time assertion), when no identity signs it.
pub const MANIFEST_TIMESTAMP_PATH: &str = "META-INF/timestamp.tst";
/// The manifest's CAdES signature, when an identity signs it.
pub const MANIFEST_SIGNATURE_PATH: &str = "META-INF/signature.p7s";
/// Evidentia's folder in the container.
pub const EVIDENTIA_DIR: &str = "META-INF/evidentia";
/// The evidence document.
pub const EVIDENCE_PATH: &str = "META-INF/evidentia/evidence.json";
/// The verification report at export time.
pub const REPORT_PATH: &str = "META-INF/evidentia/report.pdf";
/// The instructions for re-checking with open tools.
pub const VERIFY_MD_PATH: &str = "META-INF/evidentia/VERIFY.md";
/// The independent evidence-record checker (`docs/tools/check_evidence_record.py`), in packages
/// whose records carry evidence records.
pub const ERS_CHECKER_PATH: &str = "META-INF/evidentia/check_evidence_record.py";

/// The independent SM2/SM3 CMS checker (`docs/tools/sm2_cms.py`, GmSSL's `gmssl` and `asn1crypto`),
/// in packages holding SM2 signatures: OpenSSL 3.0 cannot check SM2 inside CMS.
pub const SM2_CHECKER_PATH: &str = "META-INF/evidentia/sm2_cms.py";

/// Whether a record signature is SM2 (its content digest SM3): checked by [`SM2_CHECKER_PATH`].
pub fn is_sm2_signature(s: &crate::record::EvidenceSignature) -> bool {
    s.digest_algorithm == "sm3"
}

/// Why a container cannot be read. Every message names the package or entry and says what to do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ContainerError {
    /// The package file cannot be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Not a ZIP container, or a damaged one.
    #[error("{}: not a readable ZIP container ({detail}); ask the sender for the package again", path.display())]
    NotAContainer {
        /// The file.
        path: PathBuf,
        /// What the ZIP reader said.
        detail: String,
    },
    /// An entry that no honest package has: refused before anything is read or written.
    #[error("{}: refused: entry `{entry}` {why}; the package is not safe to open", path.display())]
    Hostile {
        /// The file.
        path: PathBuf,
        /// The entry's name as stored.
        entry: String,
        /// What is wrong with it.
        why: String,
    },
}

impl ContainerError {
    /// A short stable code.
    pub fn code(&self) -> &'static str {
        match self {
            ContainerError::Io { .. } => "PACKAGE_IO",
            ContainerError::NotAContainer { .. } => "PACKAGE_NOT_A_CONTAINER",
            ContainerError::Hostile { .. } => "PACKAGE_HOSTILE",
        }
    }
}
