//! Trust anchors and extra certificates, read from PEM (or DER) files.

use std::path::Path;

use der::Encode;
use x509_cert::Certificate;

use super::TspError;

/// The roots a TSA certificate must chain to.
#[derive(Debug, Clone, Default)]
pub struct TrustAnchors {
    roots: Vec<Certificate>,
}

impl TrustAnchors {
    /// Anchors from certificates.
    pub fn new(roots: Vec<Certificate>) -> Self {
        Self { roots }
    }

    /// Anchors from files (each PEM with one or more certificates, or one DER certificate).
    pub fn from_files(paths: &[impl AsRef<Path>]) -> Result<Self, TspError> {
        let mut roots = Vec::new();
        for p in paths {
            roots.extend(load_certificates(p.as_ref())?);
        }
        Ok(Self { roots })
    }

    /// The roots.
    pub fn roots(&self) -> &[Certificate] {
        &self.roots
    }

    /// Whether `cert` is one of the roots (byte for byte).
    pub fn contains(&self, cert: &Certificate) -> bool {
        let der = cert.to_der().unwrap_or_default();
        self.roots.iter().any(|r| r.to_der().map(|d| d == der).unwrap_or(false))
    }

    /// Adds roots.
    pub fn extend(&mut self, more: Vec<Certificate>) {
        self.roots.extend(more);
    }
}

/// Reads every certificate in a file: PEM (leniently, one or more) or DER (one or more).
pub fn load_certificates(path: &Path) -> Result<Vec<Certificate>, TspError> {
    let bad = |reason: String| TspError::CertificateFile { path: path.to_owned(), reason };
    let bytes = std::fs::read(path).map_err(|e| bad(format!("cannot be read ({e})")))?;
    crate::certificate::read_certificates(&bytes).map_err(bad)
}
