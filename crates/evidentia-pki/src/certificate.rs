//! Certificates as reports and listings show them.

use chrono::{DateTime, Utc};
use der::Encode;
use serde::Serialize;
use x509_cert::Certificate;

/// A summary of a certificate for listings and reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct CertificateSummary {
    /// Subject DN.
    pub subject: String,
    /// Issuer DN.
    pub issuer: String,
    /// Serial, hex.
    pub serial: String,
    /// notBefore (RFC 3339).
    pub not_before: String,
    /// notAfter (RFC 3339).
    pub not_after: String,
    /// SHA-256 of the DER certificate, hex.
    pub sha256: String,
}

impl CertificateSummary {
    /// Summarises a certificate.
    pub fn of(cert: &Certificate) -> Self {
        let v = &cert.tbs_certificate.validity;
        Self {
            subject: cert.tbs_certificate.subject.to_string(),
            issuer: cert.tbs_certificate.issuer.to_string(),
            serial: hex::encode(cert.tbs_certificate.serial_number.as_bytes()),
            not_before: DateTime::<Utc>::from(v.not_before.to_system_time()).to_rfc3339(),
            not_after: DateTime::<Utc>::from(v.not_after.to_system_time()).to_rfc3339(),
            sha256: crate::digest::DigestAlgorithm::Sha256.digest(&cert.to_der().unwrap_or_default()).to_hex(),
        }
    }
}
