//! The anchor checks every entry point shares (a vault record's, a package's): a record's Merkle path to its batch root, the
//! offline proof that a transaction carries the root, the block on a node, and the record's
//! OpenTimestamps proof up to its Bitcoin attestation.

use crate::anchor::MerkleProof;
use crate::anchor::evm::{self, ChainAnchor, EvmSettings};
use crate::anchor::merkle::{leaf_hash, record_leaf_data};
use crate::anchor::ots::format::{Attestation, DetachedTimestamp};
use crate::hash_hex::unhex32;
use crate::vault::AnchorBatch;
use evidentia_formats::check::{Check, CheckName};

/// The record's salted leaf (from its SHA-256 and salt) and `proof` lead to the batch root.
pub fn merkle_proof(sha256_hex: &str, salt_hex: &str, proof: &MerkleProof, batch: &AnchorBatch) -> Check {
    let subject = format!("batch {}", batch.id);
    let leaf = match (unhex32(salt_hex), unhex32(sha256_hex)) {
        (Some(salt), Some(sha)) => Some(leaf_hash(&record_leaf_data(&salt, &sha))),
        _ => None,
    };
    match (leaf, unhex32(&batch.root)) {
        (Some(leaf), Some(root)) => match proof.verify(&leaf, &root) {
            Ok(()) => Check::passed(
                CheckName::MerkleProof,
                subject,
                format!("leaf {} of {} leads to batch root {}", proof.leaf_index, proof.tree_size, batch.root),
            ),
            Err(e) => Check::failed(CheckName::MerkleProof, subject, e.code(), e.to_string()),
        },
        _ => Check::failed(
            CheckName::MerkleProof,
            subject,
            "MERKLE_PROOF_UNREADABLE",
            "the salt, digest or root is not a 32-byte hex value",
        ),
    }
}

/// The anchoring transaction carries `root_hex` in the block its header proof names.
pub fn chain_proof(a: &ChainAnchor, root_hex: &str) -> Check {
    let Some(root) = unhex32(root_hex) else {
        return Check::failed(
            CheckName::ChainProof,
            a.tx_hash.clone(),
            "MERKLE_PROOF_UNREADABLE",
            "the root is not 32-byte hex",
        );
    };
    let when = chrono::DateTime::from_timestamp(a.block_time as i64, 0)
        .map(|t| t.to_rfc3339())
        .unwrap_or_else(|| a.block_time.to_string());
    match evm::verify_offline(a, &root, &a.block_hash) {
        Ok(()) => Check::passed(
            CheckName::ChainProof,
            a.tx_hash.clone(),
            format!(
                "the transaction carries the root, in block {} (hash {}) of chain {} at {when}",
                a.block_number, a.block_hash, a.chain_id
            ),
        ),
        Err(e) => Check::failed(CheckName::ChainProof, a.tx_hash.clone(), e.code(), e.to_string()),
    }
}

/// The anchor's block asked of `node`: canonical, with enough confirmations. Offline
/// (`node` is `None`) it names the block hash to confirm elsewhere.
pub async fn block(node: Option<&EvmSettings>, a: &ChainAnchor) -> Check {
    let subject = format!("block {} of chain {}", a.block_number, a.chain_id);
    let Some(node) = node else {
        return Check::indeterminate(
            CheckName::Block,
            subject,
            "BLOCK_NOT_CHECKED",
            format!("offline: confirm on any explorer or node that this block has hash {}", a.block_hash),
        );
    };
    match evm::canonical_block(node, a.block_number).await {
        Err(e) => Check::indeterminate(CheckName::Block, subject, "CHAIN_UNREACHABLE", e.to_string()),
        Ok((Some(hash), tip)) if hash == a.block_hash => {
            let n = tip.saturating_sub(a.block_number) + 1;
            if n >= node.confirmations {
                Check::passed(
                    CheckName::Block,
                    subject,
                    format!("canonical with {n} confirmations on {}", node.rpc_url),
                )
            } else {
                Check::indeterminate(
                    CheckName::Block,
                    subject,
                    "NOT_ENOUGH_CONFIRMATIONS",
                    format!("{n} of {} confirmations", node.confirmations),
                )
            }
        }
        Ok((other, _)) => Check::failed(
            CheckName::Block,
            subject,
            "ANCHOR_NOT_ON_CHAIN",
            format!(
                "the node's block {} is {}, not {}: the anchor left the chain; `evidentia sync` re-anchors",
                a.block_number,
                other.unwrap_or_else(|| "missing".into()),
                a.block_hash
            ),
        ),
    }
}

/// A record's OpenTimestamps proof: for its digest, through its batch root, to what attests it.
/// Once Bitcoin attests it, a second check names the block's Merkle root to confirm elsewhere.
pub fn ots_proof(proof: &DetachedTimestamp, sha256_hex: &str, root_hex: &str, subject: &str) -> Vec<Check> {
    let fail = |reason: &str, detail: String| vec![Check::failed(CheckName::OtsProof, subject, reason, detail)];
    if hex::encode(&proof.digest) != sha256_hex {
        return fail("OTS_DIGEST_MISMATCH", "the proof is for another digest".into());
    }
    let Some(root) = unhex32(root_hex) else {
        return fail("MERKLE_PROOF_UNREADABLE", "the batch root is not 32-byte hex".into());
    };
    match proof.timestamp.passes_through(&proof.digest, &root) {
        Ok(true) => {}
        Ok(false) => return fail("OTS_ROOT_MISMATCH", "the proof does not pass through the batch root".into()),
        Err(e) => return fail(e.code(), e.to_string()),
    }
    let found = match proof.timestamp.attestations(&proof.digest) {
        Ok(f) => f,
        Err(e) => return fail(e.code(), e.to_string()),
    };
    let bitcoin = found
        .iter()
        .filter_map(|(m, a)| if let Attestation::Bitcoin(h) = a { Some((*h, m)) } else { None })
        .min_by_key(|(h, _)| *h);
    let Some((height, commitment)) = bitcoin else {
        let calendars: Vec<String> = found
            .iter()
            .filter_map(|(_, a)| if let Attestation::Pending(uri) = a { Some(uri.clone()) } else { None })
            .collect();
        return vec![Check::indeterminate(
            CheckName::OtsProof,
            subject,
            "OTS_PENDING",
            format!(
                "the batch root is held by {}; the Bitcoin attestation comes hours later (`evidentia sync`, or `ots upgrade`)",
                calendars.join(", ")
            ),
        )];
    };
    // Explorers show a block's Merkle root byte-reversed.
    let shown: Vec<u8> = commitment.iter().rev().copied().collect();
    vec![
        Check::passed(
            CheckName::OtsProof,
            subject,
            format!("the proof leads through batch root {root_hex} to Bitcoin block {height}"),
        ),
        Check::indeterminate(
            CheckName::BitcoinBlock,
            subject,
            "BLOCK_NOT_CHECKED",
            format!(
                "confirm on any explorer or node that Bitcoin block {height} has Merkle root {} (`ots verify` does this with a Bitcoin node)",
                hex::encode(shown)
            ),
        ),
    ]
}
