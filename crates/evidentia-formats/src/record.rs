//! The evidence record: what was sealed, as it was when sealed. Immutable once written.

use serde::{Deserialize, Serialize};

use crate::digest::{DigestAlgorithm, Digests};

/// What a record seals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SubjectKind {
    /// One file.
    File,
    /// A folder sealed as one work, through its manifest.
    Work,
}

impl SubjectKind {
    /// The stored and serialised name.
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::File => "file",
            SubjectKind::Work => "work",
        }
    }

    /// Parses the stored name.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "file" => Some(SubjectKind::File),
            "work" => Some(SubjectKind::Work),
            _ => None,
        }
    }
}

/// One sealed subject. Its canonical JSON is the payload of its `created` custody event, so any
/// later change to the stored row is detectable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceRecord {
    /// Record id (a UUIDv7: sortable by creation).
    pub id: String,
    /// File or work.
    pub kind: SubjectKind,
    /// The subject's name: a file name, a work's folder name, or a path within a folder.
    pub name: String,
    /// Bytes sealed (for a work, the sum of its files).
    pub size: u64,
    /// Number of files (1 for a file).
    pub file_count: u64,
    /// Media type of the file, or of a work manifest.
    pub media_type: String,
    /// Digest per algorithm; for a work, of its manifest. SHA-256 is always present.
    pub digests: Digests,
    /// Whether the vault keeps a copy of the content.
    pub stored: bool,
    /// Where the subject was on disk when sealed.
    pub source_path: String,
    /// Configuration profile it was sealed under (`sandbox` is not legal evidence).
    pub profile: String,
    /// When it was sealed (RFC 3339, UTC, microseconds).
    pub created_at: String,
    /// Whether an RFC 3161 time-stamp was asked for (it may still be pending).
    #[serde(default)]
    pub timestamp_requested: bool,
}

impl EvidenceRecord {
    /// SHA-256 of the subject (of the manifest for a work), hex.
    pub fn sha256_hex(&self) -> String {
        self.digests.get(DigestAlgorithm::Sha256).map(|d| d.to_hex()).unwrap_or_default()
    }

    /// Canonical JSON, as carried by the `created` custody event.
    pub fn canonical_json(&self) -> String {
        // Plain strings, integers and maps: serialising cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Where a record stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordStatus {
    /// Digests recorded and custody event written; no further proof was asked for.
    Sealed,
    /// A time-stamp was asked for and has not arrived yet (`evidentia sync` retries).
    TimestampPending,
    /// A verified RFC 3161 time-stamp is kept with the record.
    Timestamped,
}

impl RecordStatus {
    /// The status of a record, given whether it has a time-stamp.
    pub fn of(record: &EvidenceRecord, has_timestamp: bool) -> Self {
        match (has_timestamp, record.timestamp_requested) {
            (true, _) => RecordStatus::Timestamped,
            (false, true) => RecordStatus::TimestampPending,
            (false, false) => RecordStatus::Sealed,
        }
    }

    /// The stored and printed name.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordStatus::Sealed => "sealed",
            RecordStatus::TimestampPending => "timestamp_pending",
            RecordStatus::Timestamped => "timestamped",
        }
    }
}

/// An RFC 3161 time-stamp kept for a record. Its canonical JSON is the payload of the record's
/// `timestamped` custody event; the token itself is stored beside it and bound by `token_sha256`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceTimestamp {
    /// Id of this time-stamp (UUIDv7).
    pub id: String,
    /// The record it time-stamps.
    pub record_id: String,
    /// The TSA that issued it.
    pub tsa_url: String,
    /// Hash algorithm of the imprint.
    pub algorithm: String,
    /// The time-stamped digest, hex (the record's digest).
    pub imprint: String,
    /// The TSA's time (RFC 3339).
    pub gen_time: String,
    /// Token serial number, hex.
    pub serial: String,
    /// TSA policy OID.
    pub policy: String,
    /// SHA-256 of the stored TimeStampResp, hex.
    pub token_sha256: String,
    /// What verification established when the token arrived (TSA subject, chain, accuracy), as JSON.
    pub verification: String,
    /// When it was stored.
    pub created_at: String,
}

/// A detached CAdES signature over a record, made when it was sealed with an identity. Its
/// canonical JSON is the payload of the record's `signed` custody event; the `.p7s` itself is
/// stored beside it and bound by `p7s_sha256`. The vault keeps it as signed (CAdES-B-B); its
/// signature time-stamp is kept as the record's time-stamp and joined to it on export (B-T).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceSignature {
    /// Id of this signature (UUIDv7).
    pub id: String,
    /// The record it signs.
    pub record_id: String,
    /// The identity's name in the store.
    pub identity: String,
    /// The signer's certificate: subject DN.
    pub signer_subject: String,
    /// Its issuer DN.
    pub signer_issuer: String,
    /// Its serial, hex.
    pub signer_serial: String,
    /// SHA-256 of the signer's certificate, hex.
    pub signer_sha256: String,
    /// Self-signed: no CA vouches for the signer's identity.
    pub self_signed: bool,
    /// The digest algorithm the signature covers the record with.
    pub digest_algorithm: String,
    /// The signing-time attribute (claimed by the signer, RFC 3339).
    pub signed_at: String,
    /// SHA-256 of the stored `.p7s`, hex.
    pub p7s_sha256: String,
    /// SHA-256 of the signature value, hex: the imprint its time-stamp carries.
    pub signature_value_sha256: String,
}
