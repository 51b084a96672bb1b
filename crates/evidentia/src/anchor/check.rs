//! Checking one record's anchor: its leaf and Merkle proof up to the batch root, the batch root in
//! the anchoring transaction under the block hash (offline), and — online — that block on the
//! node's canonical chain with enough confirmations; and the record's OpenTimestamps proof up to
//! its Bitcoin attestation. Each check ends PASSED, FAILED or INDETERMINATE with a reason.

use serde::Serialize;

use super::evm::{self, EvmSettings};
use super::merkle::{leaf_hash, record_leaf_data};
use super::ots::{self, format::Attestation};
use crate::vault::{OtsStamp, RecordInclusion, Vault, VaultError, unhex32};

pub use crate::verify::{Check as AnchorCheck, Verdict};

/// The checks of one record's anchor and their overall result.
#[derive(Debug, Clone, Serialize)]
pub struct AnchorReport {
    /// The record.
    pub record_id: String,
    /// `TOTAL-PASSED`, `TOTAL-FAILED` or `INDETERMINATE`.
    pub result: &'static str,
    /// Every check, in order.
    pub checks: Vec<AnchorCheck>,
    /// Checks that do not bear on the result (an OpenTimestamps proof still waiting for Bitcoin
    /// while the chain anchor holds).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<AnchorCheck>,
}

fn check(check: &'static str, verdict: Verdict, reason: Option<&'static str>, detail: String) -> AnchorCheck {
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
            "merkle_proof",
            Verdict::Indeterminate,
            Some("ANCHOR_PENDING"),
            "the record is in no batch yet; `evidentia anchor flush` makes one".into(),
        ));
        return Ok(report(record_id, checks));
    };
    let unhex = |t: &str| -> Option<[u8; 32]> { hex::decode(t).ok()?.try_into().ok() };
    let root = unhex(&inclusion.batch.root);
    let leaf = match (unhex(&inclusion.salt), unhex(&detail.record.sha256_hex())) {
        (Some(salt), Some(sha)) => Some(leaf_hash(&record_leaf_data(&salt, &sha))),
        _ => None,
    };
    match (leaf, root) {
        (Some(leaf), Some(root)) => match inclusion.proof.verify(&leaf, &root) {
            Ok(()) => checks.push(check(
                "merkle_proof",
                Verdict::Passed,
                None,
                format!(
                    "leaf {} of {} leads to batch root {}",
                    inclusion.proof.leaf_index, inclusion.proof.tree_size, inclusion.batch.root
                ),
            )),
            Err(e) => checks.push(check("merkle_proof", Verdict::Failed, Some(e.code()), e.to_string())),
        },
        _ => checks.push(check(
            "merkle_proof",
            Verdict::Failed,
            Some("MERKLE_PROOF_UNREADABLE"),
            "the salt, digest or root is not a 32-byte hex value".into(),
        )),
    }
    let mut notes = Vec::new();
    let stamps = vault.latest_ots_stamps(&inclusion.batch.id).await?;
    if !stamps.is_empty() {
        for c in ots_checks(&detail.record.sha256_hex(), &inclusion, &stamps) {
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
            "chain_proof",
            Verdict::Indeterminate,
            Some("ANCHOR_PENDING"),
            format!("batch {} is not anchored yet; `evidentia sync` completes it", inclusion.batch.id),
        ));
        return Ok(report(record_id, checks));
    };
    let a = &stored.anchor;
    match root.map(|r| evm::verify_offline(a, &r, &a.block_hash)) {
        Some(Ok(())) => checks.push(check(
            "chain_proof",
            Verdict::Passed,
            None,
            format!(
                "transaction {} carries the root, in block {} (hash {}) of chain {} at {}",
                a.tx_hash, a.block_number, a.block_hash, a.chain_id, a.block_time
            ),
        )),
        Some(Err(e)) => checks.push(check("chain_proof", Verdict::Failed, Some(e.code()), e.to_string())),
        None => checks.push(check("chain_proof", Verdict::Failed, Some("MERKLE_PROOF_UNREADABLE"), "no root".into())),
    }
    let block = match node {
        None => check(
            "block",
            Verdict::Indeterminate,
            Some("BLOCK_NOT_CHECKED"),
            format!(
                "offline: confirm that block {} of chain {} has hash {} on any explorer or node",
                a.block_number, a.chain_id, a.block_hash
            ),
        ),
        Some(settings) => match evm::canonical_block(settings, a.block_number).await {
            Err(e) => check("block", Verdict::Indeterminate, Some("CHAIN_UNREACHABLE"), e.to_string()),
            Ok((Some(hash), head)) if hash == a.block_hash => {
                let confirmations = head.saturating_sub(a.block_number) + 1;
                if confirmations >= settings.confirmations {
                    check(
                        "block",
                        Verdict::Passed,
                        None,
                        format!("block {} is canonical with {confirmations} confirmations", a.block_number),
                    )
                } else {
                    check(
                        "block",
                        Verdict::Indeterminate,
                        Some("NOT_ENOUGH_CONFIRMATIONS"),
                        format!("{confirmations} of {} confirmations", settings.confirmations),
                    )
                }
            }
            Ok((other, _)) => check(
                "block",
                Verdict::Failed,
                Some("ANCHOR_NOT_ON_CHAIN"),
                format!(
                    "the node's block {} is {}, not {}: the anchor left the chain; `evidentia sync` re-anchors",
                    a.block_number,
                    other.unwrap_or_else(|| "missing".into()),
                    a.block_hash
                ),
            ),
        },
    };
    checks.push(block);
    Ok(AnchorReport { notes, ..report(record_id, checks) })
}

/// The record's OpenTimestamps proof, from its digest through its batch root to what the
/// calendars attest; and, once Bitcoin attests it, the block to confirm elsewhere.
fn ots_checks(sha256_hex: &str, inclusion: &RecordInclusion, stamps: &[OtsStamp]) -> Vec<AnchorCheck> {
    let fail = |reason, detail: String| vec![check("ots_proof", Verdict::Failed, Some(reason), detail)];
    let trees: Result<Vec<_>, _> = stamps.iter().map(|s| s.tree()).collect();
    let trees = match trees {
        Ok(t) => t,
        Err(e) => return fail(e.code(), e.to_string()),
    };
    let (Some(salt), Some(sha)) = (unhex32(&inclusion.salt), unhex32(sha256_hex)) else {
        return fail("MERKLE_PROOF_UNREADABLE", "the salt or digest is not a 32-byte hex value".into());
    };
    let proof = match ots::record_proof(&sha, &salt, &inclusion.proof, trees) {
        Ok(p) => p,
        Err(e) => return fail(e.code(), e.to_string()),
    };
    let found = match proof.timestamp.attestations(&proof.digest) {
        Ok(f) => f,
        Err(e) => return fail(e.code(), e.to_string()),
    };
    let calendars: Vec<&str> = stamps.iter().map(|s| s.calendar.as_str()).collect();
    let bitcoin = found.iter().filter_map(|(commitment, a)| match a {
        Attestation::Bitcoin(h) => Some((*h, commitment)),
        _ => None,
    });
    let Some((height, commitment)) = bitcoin.min_by_key(|(h, _)| *h) else {
        return vec![check(
            "ots_proof",
            Verdict::Indeterminate,
            Some("OTS_PENDING"),
            format!(
                "batch root submitted to {}; the Bitcoin attestation comes hours later and `evidentia sync` fetches it",
                calendars.join(", ")
            ),
        )];
    };
    // Explorers show a block's Merkle root byte-reversed.
    let shown: Vec<u8> = commitment.iter().rev().copied().collect();
    vec![
        check(
            "ots_proof",
            Verdict::Passed,
            None,
            format!(
                "the record's OpenTimestamps proof leads through batch root {} to Bitcoin block {height}",
                inclusion.batch.root
            ),
        ),
        check(
            "bitcoin_block",
            Verdict::Indeterminate,
            Some("BLOCK_NOT_CHECKED"),
            format!(
                "confirm on any explorer or node that Bitcoin block {height} has Merkle root {} (`ots verify` does this with a Bitcoin node)",
                hex::encode(shown)
            ),
        ),
    ]
}

fn report(record_id: String, checks: Vec<AnchorCheck>) -> AnchorReport {
    AnchorReport { record_id, result: crate::verify::aggregate(&checks), checks, notes: Vec::new() }
}
