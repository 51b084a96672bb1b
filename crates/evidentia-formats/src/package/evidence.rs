//! `evidence.json`: the versioned description of what a package proves — its records, their
//! digests, signatures, time-stamps, anchors with Merkle and offline chain proofs, salts, and
//! custody events — with the package entries that hold the binary proofs. Schema: docs/package.md.

use serde::{Deserialize, Serialize};

use crate::batch::{AnchorBatch, StoredChainAnchor};
use crate::custody::CustodyEvent;
use crate::merkle::MerkleProof;
use crate::record::{EvidenceRecord, EvidenceSignature, EvidenceTimestamp};

/// The `format` value.
pub const FORMAT: &str = "evidentia-evidence";
/// The schema version this build writes; readers accept the same major version.
pub const VERSION: &str = "1.1";

/// The whole document.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EvidenceDocument {
    /// Always [`FORMAT`].
    pub format: String,
    /// `MAJOR.MINOR`.
    pub version: String,
    /// The program that wrote it.
    pub producer: String,
    /// When the package was written.
    pub exported_at: String,
    /// The profile it was written under; `sandbox` evidence is not legal evidence.
    pub profile: String,
    /// The case the records were exported as, when a whole case was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case: Option<String>,
    /// The records.
    pub records: Vec<PackagedRecord>,
}

/// One record and its proofs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PackagedRecord {
    /// The record, exactly as its `created` custody event carries it.
    pub record: EvidenceRecord,
    /// The entry holding a file record's content.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// For a work: the entry holding its canonical manifest, and each file's entry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub work: Option<PackagedWork>,
    /// Detached CAdES signatures over the content.
    pub signatures: Vec<PackagedSignature>,
    /// RFC 3161 time-stamps (TimeStampResp files).
    pub timestamps: Vec<PackagedTimestamp>,
    /// Where the record is anchored, once it is in a batch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub anchor: Option<PackagedAnchor>,
    /// The record's custody events, as in the vault's log.
    pub custody: Vec<CustodyEvent>,
    /// Its evidence record (RFC 4998 `.ers`, with its `ASiCEvidenceRecordManifest` beside it),
    /// once its proofs were archived or renewed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence_record: Option<String>,
}

/// A work's entries.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PackagedWork {
    /// The canonical manifest (its SHA-256 is the record's).
    pub manifest: String,
    /// Each file: its path in the manifest and its entry in the package.
    pub files: Vec<PackagedWorkFile>,
}

/// One file of a work.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PackagedWorkFile {
    /// Path in the work's manifest.
    pub path: String,
    /// Entry in the package.
    pub entry: String,
}

/// A signature and where its `.p7s` is.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PackagedSignature {
    /// The `.p7s` entry (CAdES-B-T when its time-stamp was obtained).
    pub entry: String,
    /// What the vault recorded.
    pub signature: EvidenceSignature,
}

/// A time-stamp and where its token is.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PackagedTimestamp {
    /// The TimeStampResp entry (`openssl ts -verify -in` reads it).
    pub entry: String,
    /// What the vault recorded.
    pub timestamp: EvidenceTimestamp,
}

/// A record's anchoring.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PackagedAnchor {
    /// The batch (its root, and the custody-log head it fixed).
    pub batch: AnchorBatch,
    /// The record's salt, hex.
    pub salt: String,
    /// From the record's leaf to the root.
    pub proof: MerkleProof,
    /// From the custody-head leaf to the root.
    pub head_proof: MerkleProof,
    /// The batch's confirmed chain anchor with its offline proof.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chain: Option<StoredChainAnchor>,
    /// The record's OpenTimestamps proof entry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ots: Option<String>,
}

/// Why an evidence document cannot be used.
pub fn check_version(doc_format: &str, version: &str) -> Result<(), String> {
    if doc_format != FORMAT {
        return Err(format!("its format is `{doc_format}`, not `{FORMAT}`"));
    }
    let major = |v: &str| v.split('.').next().unwrap_or_default().to_owned();
    if major(version) != major(VERSION) {
        return Err(format!(
            "it is schema version {version}; this Evidentia reads {}.x — use an Evidentia that knows version {version}",
            major(VERSION)
        ));
    }
    Ok(())
}
