//! Checking one record's anchor: its leaf and Merkle proof up to the batch root, the batch root in
//! the anchoring transaction under the block hash (offline), and — online — that block on the
//! node's canonical chain with enough confirmations; and the record's OpenTimestamps proof up to
//! its Bitcoin attestation. Each check ends PASSED, FAILED or INDETERMINATE with a reason.

use serde::Serialize;

use super::evm::EvmSettings;
use super::ots;
use super::proofs as shared;
use crate::hash_hex::unhex32;
use crate::vault::{OtsStamp, RecordInclusion, Vault, VaultError};

pub use evidentia_formats::check::{Check as AnchorCheck, CheckName, Indication, Verdict};

/// The checks of one record's anchor and their overall result.
#[derive(Debug, Clone, Serialize)]
pub struct AnchorReport {
    /// The record.
    pub record_id: String,
    /// `TOTAL-PASSED`, `TOTAL-FAILED` or `INDETERMINATE`.
    pub result: Indication,
    /// Every check, in order.
    pub checks: Vec<AnchorCheck>,
    /// Checks that do not bear on the result (an OpenTimestamps proof still waiting for Bitcoin
    /// while the chain anchor holds).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<AnchorCheck>,
}

fn check(check: CheckName, verdict: Verdict, reason: Option<&'static str>, detail: String) -> AnchorCheck {
    AnchorCheck { check, subject: String::new(), verdict, reason: reason.map(str::to_owned), detail }
}

/// Checks a record's anchor; `node` (when given) is asked whether the block is canonical.
pub async fn check_record(
    vault: &Vault,
    record_id: &str,
    node: Option<&EvmSettings>,
) -> Result<AnchorReport, VaultError> {
    let detail = vault.record(record_id).await?;
    let record_id = detail.record.id.clone();
    let mut checks = Vec::new();
    let Some(inclusion) = detail.inclusion else {
        checks.push(check(
            CheckName::MerkleProof,
            Verdict::Indeterminate,
            Some("ANCHOR_PENDING"),
            "the record is in no batch yet; `evidentia anchor flush` makes one".into(),
        ));
        return Ok(report(record_id, checks));
    };
    let sha = detail.record.sha256_hex();
    checks.push(shared::merkle_proof(&sha, &inclusion.salt, &inclusion.proof, &inclusion.batch));
    let mut notes = Vec::new();
    let stamps = vault.latest_ots_stamps(&inclusion.batch.id).await?;
    if !stamps.is_empty() {
        for c in ots_checks(&sha, &inclusion, &stamps) {
            if c.verdict == Verdict::Indeterminate && inclusion.anchor.is_some() {
                notes.push(c);
            } else {
                checks.push(c);
            }
        }
        if inclusion.anchor.is_none() {
            return Ok(AnchorReport { notes, ..report(record_id, checks) });
        }
    }
    let Some(stored) = inclusion.anchor else {
        checks.push(check(
            CheckName::ChainProof,
            Verdict::Indeterminate,
            Some("ANCHOR_PENDING"),
            format!("batch {} is not anchored yet; `evidentia sync` completes it", inclusion.batch.id),
        ));
        return Ok(report(record_id, checks));
    };
    checks.push(shared::chain_proof(&stored.anchor, &inclusion.batch.root));
    checks.push(shared::block(node, &stored.anchor).await);
    Ok(AnchorReport { notes, ..report(record_id, checks) })
}

/// The record's OpenTimestamps proof as the vault would export it, checked.
fn ots_checks(sha256_hex: &str, inclusion: &RecordInclusion, stamps: &[OtsStamp]) -> Vec<AnchorCheck> {
    let subject = format!("batch {}", inclusion.batch.id);
    let trees: Result<Vec<_>, _> = stamps.iter().map(|s| s.tree()).collect();
    let proof = match (trees, unhex32(&inclusion.salt), unhex32(sha256_hex)) {
        (Err(e), _, _) => return vec![AnchorCheck::failed(CheckName::OtsProof, subject, e.code(), e.to_string())],
        (Ok(trees), Some(salt), Some(sha)) => ots::record_proof(&sha, &salt, &inclusion.proof, trees),
        _ => {
            return vec![AnchorCheck::failed(
                CheckName::OtsProof,
                subject,
                "MERKLE_PROOF_UNREADABLE",
                "the salt or digest is not a 32-byte hex value",
            )];
        }
    };
    match proof {
        Ok(p) => shared::ots_proof(&p, sha256_hex, &inclusion.batch.root, &subject),
        Err(e) => vec![AnchorCheck::failed(CheckName::OtsProof, subject, e.code(), e.to_string())],
    }
}

fn report(record_id: String, checks: Vec<AnchorCheck>) -> AnchorReport {
    AnchorReport { record_id, result: evidentia_formats::check::aggregate(&checks), checks, notes: Vec::new() }
}
