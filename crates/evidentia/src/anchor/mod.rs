//! Anchoring: Merkle batches of records (and the vault's custody-log head) whose root is fixed
//! on an EVM chain and in OpenTimestamps calendars, with an inclusion proof per record and an
//! offline proof per anchor.
//! [`sync`] moves every batch forward: sends its root, records it once confirmed, and re-anchors a
//! batch whose confirmed transaction a reorg dropped. A node that is down leaves batches pending.

pub mod check;
pub use evidentia_formats::merkle;
pub use evidentia_net::evm;
pub mod ots;
pub mod proofs;

use serde::Serialize;

pub use merkle::{MerkleError, MerkleProof, MerkleTree};

use crate::clock::now;
use crate::vault::{AnchorDrop, AnchorSend, BatchAnchoring, StoredChainAnchor, Vault, VaultError};
use evm::{ChainStatus, EvmError, EvmSettings};

/// Where a batch stands after [`sync`].
#[derive(Debug, Clone, Serialize)]
pub struct AnchorOutcome {
    /// The batch.
    pub batch_id: String,
    /// Its root, hex.
    pub root: String,
    /// `anchored`, or why not yet: `ANCHOR_PENDING`, `NOT_ENOUGH_CONFIRMATIONS`,
    /// `CHAIN_UNREACHABLE`, ...
    pub state: String,
    /// In words.
    pub detail: String,
    /// The live anchor, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub anchor: Option<StoredChainAnchor>,
    /// A reorg dropped an earlier anchor of this batch during this sync.
    pub reorg_detected: bool,
}

/// The ledgers batch roots are anchored in: an EVM chain, OpenTimestamps calendars, or both.
#[derive(Debug, Clone, Default)]
pub struct Ledgers {
    /// The chain, with the key that sends.
    pub evm: Option<EvmSettings>,
    /// The calendars.
    pub ots: Option<ots::OtsSettings>,
}

impl Ledgers {
    /// Whether any ledger is configured.
    pub fn any(&self) -> bool {
        self.evm.is_some() || self.ots.is_some()
    }
}

/// What [`sync_ledgers`] did in each ledger.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LedgerOutcomes {
    /// Per batch, on the chain.
    pub chain: Vec<AnchorOutcome>,
    /// Per batch and calendar.
    pub ots: Vec<ots::OtsOutcome>,
}

impl LedgerOutcomes {
    /// Whether nothing is left to retry: every batch anchored on the chain, and every calendar
    /// holding its root (a Bitcoin attestation that is merely not there yet is not a failure).
    pub fn complete(&self) -> bool {
        self.chain.iter().all(|o| o.state == "anchored")
            && self.ots.iter().all(|o| o.state == "attested" || o.state == "OTS_PENDING")
    }
}

/// Moves every batch forward in every configured ledger.
pub async fn sync_ledgers(vault: &Vault, ledgers: &Ledgers) -> Result<LedgerOutcomes, VaultError> {
    let mut out = LedgerOutcomes::default();
    if let Some(settings) = &ledgers.evm {
        out.chain = sync(vault, settings).await?;
    }
    if let Some(settings) = &ledgers.ots {
        out.ots = ots::sync(vault, settings).await?;
    }
    Ok(out)
}

/// The batch policy after a seal: once `threshold` records wait for a batch, makes one and
/// anchors it in `ledgers` at once. `None` when fewer wait.
pub async fn after_seal(
    vault: &Vault,
    threshold: u64,
    ledgers: &Ledgers,
) -> Result<Option<LedgerOutcomes>, VaultError> {
    if threshold == 0 || vault.unbatched_count().await? < threshold {
        return Ok(None);
    }
    vault.make_batch().await?;
    Ok(Some(sync_ledgers(vault, ledgers).await?))
}

/// Moves every batch forward on the chain; see the module documentation.
pub async fn sync(vault: &Vault, settings: &EvmSettings) -> Result<Vec<AnchorOutcome>, VaultError> {
    let mut out = Vec::new();
    for b in vault.anchoring().await? {
        let outcome = match advance(vault, settings, &b).await {
            Ok(o) => o,
            Err(Step::Chain(e)) => pending(&b, e.code(), e.to_string(), false),
            Err(Step::Vault(e)) => return Err(e),
        };
        out.push(outcome);
    }
    Ok(out)
}

enum Step {
    Chain(EvmError),
    Vault(VaultError),
}

impl From<EvmError> for Step {
    fn from(e: EvmError) -> Self {
        Step::Chain(e)
    }
}

impl From<VaultError> for Step {
    fn from(e: VaultError) -> Self {
        Step::Vault(e)
    }
}

/// How long a just-sent anchoring transaction is watched for its block before it is left pending.
const FRESH_SEND_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

fn pending(b: &BatchAnchoring, code: &str, detail: String, reorg_detected: bool) -> AnchorOutcome {
    AnchorOutcome {
        batch_id: b.batch.id.clone(),
        root: b.batch.root.clone(),
        state: code.to_owned(),
        detail,
        anchor: None,
        reorg_detected,
    }
}

async fn advance(vault: &Vault, settings: &EvmSettings, b: &BatchAnchoring) -> Result<AnchorOutcome, Step> {
    let mut reorg = false;
    // A confirmed anchor must still be where it was.
    if let Some(live) = b.live_anchor() {
        match evm::status(settings, &live.anchor.tx_hash).await? {
            ChainStatus::Mined { anchor, .. } if anchor.block_hash == live.anchor.block_hash => {
                return Ok(AnchorOutcome {
                    batch_id: b.batch.id.clone(),
                    root: b.batch.root.clone(),
                    state: "anchored".into(),
                    detail: format!("in block {} of chain {}", live.anchor.block_number, live.anchor.chain_id),
                    anchor: Some(live.clone()),
                    reorg_detected: false,
                });
            }
            _ => {
                let drop = AnchorDrop {
                    id: uuid::Uuid::now_v7().to_string(),
                    chain_anchor_id: live.id.clone(),
                    detected_at: now(),
                };
                vault.record_anchor_drop(&drop).await?;
                reorg = true;
            }
        }
    }
    // The newest send, unless the chain dropped it: then send again.
    let mut tx_hash = b.sends.last().map(|s| s.tx_hash.clone());
    if let Some(hash) = &tx_hash
        && evm::status(settings, hash).await? == ChainStatus::Dropped
    {
        tx_hash = None;
    }
    let mut fresh = false;
    let tx_hash = match tx_hash {
        Some(h) => h,
        None => {
            fresh = true;
            let root = merkle_root(b)?;
            let hash = evm::send_root(settings, &root).await?;
            let send = AnchorSend {
                id: uuid::Uuid::now_v7().to_string(),
                batch_id: b.batch.id.clone(),
                tx_hash: hash.clone(),
                rpc_url: settings.rpc_url.clone(),
                sent_at: now(),
            };
            vault.record_anchor_send(&send).await?;
            hash
        }
    };
    let mut status = evm::status(settings, &tx_hash).await?;
    // A node that mines on arrival may answer the send before the block is readable: a just-sent
    // transaction gets a short wait before it is called pending.
    if fresh {
        let deadline = std::time::Instant::now() + FRESH_SEND_WAIT;
        while matches!(status, ChainStatus::Pending | ChainStatus::Dropped) && std::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            status = evm::status(settings, &tx_hash).await?;
        }
    }
    match status {
        ChainStatus::Mined { anchor, confirmations } if confirmations >= settings.confirmations => {
            // What is recorded must prove itself offline, as any later verifier will check it.
            evm::verify_offline(&anchor, &merkle_root(b)?, &anchor.block_hash).map_err(EvmError::from)?;
            let stored = StoredChainAnchor {
                id: uuid::Uuid::now_v7().to_string(),
                batch_id: b.batch.id.clone(),
                confirmations,
                recorded_at: now(),
                anchor: *anchor,
            };
            vault.record_chain_anchor(&stored).await?;
            Ok(AnchorOutcome {
                batch_id: b.batch.id.clone(),
                root: b.batch.root.clone(),
                state: "anchored".into(),
                detail: format!("in block {} of chain {}", stored.anchor.block_number, stored.anchor.chain_id),
                anchor: Some(stored),
                reorg_detected: reorg,
            })
        }
        ChainStatus::Mined { confirmations, .. } => Ok(pending(
            b,
            "NOT_ENOUGH_CONFIRMATIONS",
            format!("{confirmations} of {} confirmations; `evidentia sync` checks again", settings.confirmations),
            reorg,
        )),
        _ => Ok(pending(b, "ANCHOR_PENDING", format!("transaction {tx_hash} is not mined yet"), reorg)),
    }
}

fn merkle_root(b: &BatchAnchoring) -> Result<merkle::Hash, Step> {
    hex::decode(&b.batch.root)
        .ok()
        .and_then(|v| v.try_into().ok())
        .ok_or_else(|| Step::Vault(VaultError::BadRow(format!("root of batch {}", b.batch.id))))
}
