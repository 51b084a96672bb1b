//! The offline proof of an EVM anchor: the block header hashes to the block hash, a
//! Merkle-Patricia proof puts the raw transaction under the header's transactionsRoot, and the
//! transaction's calldata is the batch root. Anyone can check it given only the block hash.

use alloy_consensus::{Header, Transaction as _, TxEnvelope};
use alloy_eips::eip2718::Decodable2718;
use alloy_primitives::{B256, Bytes, keccak256};
use alloy_trie::proof::{ProofRetainer, verify_proof};
use alloy_trie::{HashBuilder, Nibbles};
use serde::{Deserialize, Serialize};

use crate::merkle::Hash;

/// Why an offline chain proof does not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {detail}")]
pub struct ChainProofError {
    /// Stable reason code (`CHAIN_HEADER_MISMATCH`, `CHAIN_TX_NOT_IN_BLOCK`, ...).
    pub code: &'static str,
    /// What does not hold.
    pub detail: String,
}

fn failed(code: &'static str, detail: impl Into<String>) -> ChainProofError {
    ChainProofError { code, detail: detail.into() }
}

/// A batch root in a mined transaction, with everything an offline check needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainAnchor {
    /// EIP-155 chain id.
    pub chain_id: u64,
    /// Transaction hash, hex with 0x.
    pub tx_hash: String,
    /// The block's number.
    pub block_number: u64,
    /// The block's hash, hex with 0x: the one value to look up on an explorer or node.
    pub block_hash: String,
    /// The block's timestamp (seconds since 1970).
    pub block_time: u64,
    /// Position of the transaction in the block.
    pub tx_index: u64,
    /// The transaction, EIP-2718 encoded, hex.
    pub raw_tx: String,
    /// The block header, RLP, hex (its Keccak-256 is the block hash).
    pub header_rlp: String,
    /// Merkle-Patricia proof nodes from transactionsRoot to the transaction, RLP, hex.
    pub tx_proof: Vec<String>,
}

/// The trie key of transaction `index`: RLP of the index.
fn tx_key(index: u64) -> Nibbles {
    Nibbles::unpack(alloy_rlp::encode(index))
}

/// The transactions root of a block and the proof nodes for transaction `index`.
pub fn transactions_proof(encoded: &[Vec<u8>], index: u64) -> (B256, Vec<Bytes>) {
    let target = tx_key(index);
    let mut hb = HashBuilder::default().with_proof_retainer(ProofRetainer::new(vec![target]));
    let mut keyed: Vec<(Nibbles, &Vec<u8>)> =
        encoded.iter().enumerate().map(|(i, tx)| (tx_key(i as u64), tx)).collect();
    keyed.sort_by_key(|k| k.0);
    for (key, tx) in keyed {
        hb.add_leaf(key, tx);
    }
    let root = hb.root();
    let proof = hb.take_proof_nodes().matching_nodes_sorted(&target).into_iter().map(|(_, node)| node).collect();
    (root, proof)
}

/// Checks an anchor offline: the header hashes to `block_hash`, the proof puts the raw transaction
/// at its index under the header's transactionsRoot, and the transaction's calldata is `root`.
pub fn verify_offline(anchor: &ChainAnchor, root: &Hash, block_hash: &str) -> Result<(), ChainProofError> {
    let unhex = |what: &'static str, text: &str| {
        hex::decode(text.trim_start_matches("0x"))
            .map_err(|_| failed("CHAIN_PROOF_UNREADABLE", format!("{what} is not hex")))
    };
    let header_rlp = unhex("the header", &anchor.header_rlp)?;
    let wanted = unhex("the block hash", block_hash)?;
    if keccak256(&header_rlp).as_slice() != wanted.as_slice() {
        return Err(failed("CHAIN_HEADER_MISMATCH", "the header does not hash to the block hash"));
    }
    let header: Header = alloy_rlp::Decodable::decode(&mut header_rlp.as_slice())
        .map_err(|e| failed("CHAIN_PROOF_UNREADABLE", format!("the header: {e}")))?;
    if header.number != anchor.block_number || header.timestamp != anchor.block_time {
        return Err(failed("CHAIN_HEADER_MISMATCH", "the header's number or time differs from the anchor's"));
    }
    let raw = unhex("the transaction", &anchor.raw_tx)?;
    let proof: Vec<Bytes> =
        anchor.tx_proof.iter().map(|n| unhex("a proof node", n).map(Bytes::from)).collect::<Result<_, _>>()?;
    verify_proof(header.transactions_root, tx_key(anchor.tx_index), Some(raw.clone()), proof.iter())
        .map_err(|e| failed("CHAIN_TX_NOT_IN_BLOCK", format!("the transaction is not proven in the block: {e}")))?;
    let tx = TxEnvelope::decode_2718(&mut raw.as_slice())
        .map_err(|e| failed("CHAIN_PROOF_UNREADABLE", format!("the transaction: {e}")))?;
    if format!("{:#x}", tx.tx_hash()) != anchor.tx_hash.to_lowercase() {
        return Err(failed("CHAIN_TX_MISMATCH", "the transaction's hash differs from the anchor's"));
    }
    if tx.input().as_ref() != root.as_slice() {
        return Err(failed("CHAIN_ROOT_MISMATCH", "the transaction does not carry the batch root"));
    }
    Ok(())
}

impl ChainProofError {
    /// Stable reason code.
    pub fn code(&self) -> &'static str {
        self.code
    }
}
