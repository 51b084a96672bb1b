//! Anchor batches and the anchors that fix their roots: what the vault keeps and packages carry.

use serde::{Deserialize, Serialize};

/// A Merkle batch. Its canonical JSON is the payload of its `batched` custody event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnchorBatch {
    /// Batch id (UUIDv7).
    pub id: String,
    /// Merkle root (RFC 6962), hex: what an anchor fixes in a ledger.
    pub root: String,
    /// Number of leaves: the records, then the custody-log head.
    pub size: u64,
    /// Sequence number of the custody event that was the log's head.
    pub head_seq: u64,
    /// That event's hash, hex.
    pub head_hash: String,
    /// When the batch was made.
    pub created_at: String,
}

/// A batch root confirmed on a chain. Its canonical JSON is the payload of an `anchored` event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredChainAnchor {
    /// Id (UUIDv7).
    pub id: String,
    /// The batch.
    pub batch_id: String,
    /// Confirmations when it was recorded (counting its own block).
    pub confirmations: u64,
    /// When it was recorded.
    pub recorded_at: String,
    /// The anchor and its offline proof.
    pub anchor: crate::evm_proof::ChainAnchor,
}
