//! Anchor batches in the vault: gathers the records that are in no batch yet, plus the custody
//! log's head, into a Merkle tree of salted leaves, and writes the batch, its leaves and a
//! `batched` custody event in one transaction. Gives each record its inclusion proof.

use serde::{Deserialize, Serialize};
use sqlx::AssertSqlSafe;

use super::custody::CustodyEventKind;
use super::store::{ROWS_PER_INSERT, get_text, get_u64, insert_events, rows_placeholders};
use super::{Vault, VaultError};
use crate::hash_hex::unhex32;
pub use evidentia_formats::batch::{AnchorBatch, StoredChainAnchor};
use evidentia_formats::merkle::{Hash, MerkleProof, MerkleTree, head_leaf_data, leaf_hash, record_leaf_data};

/// One leaf of a batch: a record's (with its salt), or the custody-log head's (no record).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchLeaf {
    /// Its position.
    pub leaf_index: u64,
    /// The record, or `None` for the head leaf.
    pub record_id: Option<String>,
    /// The record's salt, hex (empty for the head leaf).
    pub salt: String,
    /// RFC 6962 leaf hash, hex.
    pub leaf_hash: String,
}

/// A record's place in its batch: the batch, its salt and its inclusion proof.
#[derive(Debug, Clone, Serialize)]
pub struct RecordInclusion {
    /// The batch.
    pub batch: AnchorBatch,
    /// The record's salt, hex.
    pub salt: String,
    /// The record's leaf hash, hex.
    pub leaf_hash: String,
    /// From the leaf to the batch root.
    pub proof: MerkleProof,
    /// The batch's confirmed anchor on a chain, with its offline proof, once there is one.
    pub anchor: Option<StoredChainAnchor>,
}

const BATCH_COLUMNS: &str = "id, root, size, head_seq, head_hash, created_at";

impl Vault {
    /// Makes a batch of every record that is in no batch yet, plus the log's head. `None` when
    /// no record waits.
    pub async fn make_batch(&self) -> Result<Option<AnchorBatch>, VaultError> {
        let mut tx = self.begin_append().await?;
        let rows = sqlx::query(
            "SELECT id, sha256 FROM records WHERE id NOT IN \
             (SELECT record_id FROM anchor_leaves WHERE record_id IS NOT NULL) ORDER BY created_at, id",
        )
        .fetch_all(&mut *tx)
        .await?;
        if rows.is_empty() {
            return Ok(None);
        }
        let head =
            sqlx::query("SELECT seq, hash FROM custody_events ORDER BY seq DESC LIMIT 1").fetch_one(&mut *tx).await?;
        let (head_seq, head_hash) = (get_u64(&head, "seq")?, get_text(&head, "hash")?);
        let head_bytes = unhex32(&head_hash).ok_or_else(|| VaultError::BadRow(format!("event #{head_seq} hash")))?;

        let rng = ring::rand::SystemRandom::new();
        let mut leaves = Vec::with_capacity(rows.len() + 1);
        for (i, row) in rows.iter().enumerate() {
            let id = get_text(row, "id")?;
            let sha = get_text(row, "sha256")?;
            let sha = unhex32(&sha).ok_or_else(|| VaultError::BadRow(format!("sha256 of record {id}")))?;
            let salt: Hash = ring::rand::generate(&rng)
                .map_err(|_| VaultError::BadRow("no random source for salts".into()))?
                .expose();
            let hash = leaf_hash(&record_leaf_data(&salt, &sha));
            leaves.push(BatchLeaf {
                leaf_index: i as u64,
                record_id: Some(id),
                salt: hex::encode(salt),
                leaf_hash: hex::encode(hash),
            });
        }
        leaves.push(BatchLeaf {
            leaf_index: rows.len() as u64,
            record_id: None,
            salt: String::new(),
            leaf_hash: hex::encode(leaf_hash(&head_leaf_data(head_seq, &head_bytes))),
        });
        let tree = MerkleTree::new(leaves.iter().filter_map(|l| unhex32(&l.leaf_hash)).collect());
        let batch = AnchorBatch {
            id: uuid::Uuid::now_v7().to_string(),
            root: hex::encode(tree.root()),
            size: leaves.len() as u64,
            head_seq,
            head_hash,
            created_at: crate::clock::now(),
        };
        let sql = format!("INSERT INTO anchor_batches ({BATCH_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)");
        sqlx::query(AssertSqlSafe(sql))
            .bind(batch.id.clone())
            .bind(batch.root.clone())
            .bind(batch.size as i64)
            .bind(batch.head_seq as i64)
            .bind(batch.head_hash.clone())
            .bind(batch.created_at.clone())
            .execute(&mut *tx)
            .await?;
        for chunk in leaves.chunks(ROWS_PER_INSERT) {
            let sql = format!(
                "INSERT INTO anchor_leaves (batch_id, leaf_index, record_id, salt, leaf_hash) VALUES {}",
                rows_placeholders(chunk.len(), 5)
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for l in chunk {
                q = q
                    .bind(batch.id.clone())
                    .bind(l.leaf_index as i64)
                    .bind(l.record_id.clone())
                    .bind(l.salt.clone())
                    .bind(l.leaf_hash.clone());
            }
            q.execute(&mut *tx).await?;
        }
        let payload = serde_json::to_string(&batch).unwrap_or_default();
        let events =
            insert_events(&mut tx, vec![(CustodyEventKind::Batched, batch.created_at.clone(), None, payload)]).await?;
        tx.commit().await?;
        self.advance_head(&events)?;
        Ok(Some(batch))
    }

    /// How many records are in no batch yet.
    pub async fn unbatched_count(&self) -> Result<u64, VaultError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM records WHERE id NOT IN \
             (SELECT record_id FROM anchor_leaves WHERE record_id IS NOT NULL)",
        )
        .fetch_one(&self.pool)
        .await?;
        get_u64(&row, "n")
    }

    /// Every batch, oldest first.
    pub async fn batches(&self) -> Result<Vec<AnchorBatch>, VaultError> {
        let sql = format!("SELECT {BATCH_COLUMNS} FROM anchor_batches ORDER BY created_at, id");
        let rows = sqlx::query(AssertSqlSafe(sql)).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                Ok(AnchorBatch {
                    id: get_text(r, "id")?,
                    root: get_text(r, "root")?,
                    size: get_u64(r, "size")?,
                    head_seq: get_u64(r, "head_seq")?,
                    head_hash: get_text(r, "head_hash")?,
                    created_at: get_text(r, "created_at")?,
                })
            })
            .collect()
    }

    /// The leaves of a batch, in order.
    pub async fn batch_leaves(&self, batch_id: &str) -> Result<Vec<BatchLeaf>, VaultError> {
        let rows = sqlx::query(
            "SELECT leaf_index, record_id, salt, leaf_hash FROM anchor_leaves WHERE batch_id = $1 ORDER BY leaf_index",
        )
        .bind(batch_id.to_owned())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(BatchLeaf {
                    leaf_index: get_u64(r, "leaf_index")?,
                    record_id: sqlx::Row::try_get::<Option<String>, _>(r, "record_id")
                        .map_err(|e| VaultError::BadRow(format!("record_id: {e}")))?,
                    salt: get_text(r, "salt")?,
                    leaf_hash: get_text(r, "leaf_hash")?,
                })
            })
            .collect()
    }

    /// Where a record is anchored from: its batch, salt and inclusion proof; `None` while it is
    /// in no batch.
    pub async fn inclusion(&self, record_id: &str) -> Result<Option<RecordInclusion>, VaultError> {
        let row = sqlx::query("SELECT batch_id FROM anchor_leaves WHERE record_id = $1")
            .bind(record_id.to_owned())
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let batch_id = get_text(&row, "batch_id")?;
        let Some(batch) = self.batches().await?.into_iter().find(|b| b.id == batch_id) else {
            return Err(VaultError::BadRow(format!("anchor batch {batch_id} of record {record_id} is gone")));
        };
        let leaves = self.batch_leaves(&batch_id).await?;
        let tree = MerkleTree::new(leaves.iter().filter_map(|l| unhex32(&l.leaf_hash)).collect());
        let Some(leaf) = leaves.iter().find(|l| l.record_id.as_deref() == Some(record_id)) else {
            return Ok(None);
        };
        let proof = tree
            .proof(leaf.leaf_index)
            .ok_or_else(|| VaultError::BadRow(format!("leaf {} of batch {batch_id}", leaf.leaf_index)))?;
        let anchor =
            self.anchoring().await?.into_iter().find(|a| a.batch.id == batch_id).and_then(|a| a.live_anchor().cloned());
        Ok(Some(RecordInclusion { batch, salt: leaf.salt.clone(), leaf_hash: leaf.leaf_hash.clone(), proof, anchor }))
    }
}

/// A batch root sent to a chain. Its canonical JSON is the payload of an `anchor_sent` event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnchorSend {
    /// Id (UUIDv7).
    pub id: String,
    /// The batch.
    pub batch_id: String,
    /// The transaction, hex with 0x.
    pub tx_hash: String,
    /// The node it was sent through.
    pub rpc_url: String,
    /// When.
    pub sent_at: String,
}

/// A confirmed anchor that left the canonical chain. Payload of an `anchor_dropped` event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnchorDrop {
    /// Id (UUIDv7).
    pub id: String,
    /// The anchor that is gone.
    pub chain_anchor_id: String,
    /// When it was found gone.
    pub detected_at: String,
}

/// Everything the vault holds about anchoring one batch.
#[derive(Debug, Clone, Serialize)]
pub struct BatchAnchoring {
    /// The batch.
    pub batch: AnchorBatch,
    /// Sends, oldest first.
    pub sends: Vec<AnchorSend>,
    /// Confirmed anchors, oldest first, with whether each was later dropped.
    pub anchors: Vec<(StoredChainAnchor, bool)>,
}

impl BatchAnchoring {
    /// The newest confirmed anchor that was not dropped.
    pub fn live_anchor(&self) -> Option<&StoredChainAnchor> {
        self.anchors.iter().rev().find(|(_, dropped)| !dropped).map(|(a, _)| a)
    }
}

impl Vault {
    pub(super) async fn append_anchor_row(
        &self,
        sql: &str,
        binds: Vec<Option<String>>,
        kind: CustodyEventKind,
        at: &str,
        payload: String,
    ) -> Result<(), VaultError> {
        let mut tx = self.begin_append().await?;
        let mut q = sqlx::query(AssertSqlSafe(sql.to_owned()));
        for b in binds {
            q = q.bind(b);
        }
        q.execute(&mut *tx).await?;
        let events = insert_events(&mut tx, vec![(kind, at.to_owned(), None, payload)]).await?;
        tx.commit().await?;
        self.advance_head(&events)
    }

    /// Records that a batch root was sent, with its `anchor_sent` event.
    pub async fn record_anchor_send(&self, send: &AnchorSend) -> Result<(), VaultError> {
        self.append_anchor_row(
            "INSERT INTO anchor_sends (id, batch_id, tx_hash, rpc_url, sent_at) VALUES ($1, $2, $3, $4, $5)",
            vec![
                Some(send.id.clone()),
                Some(send.batch_id.clone()),
                Some(send.tx_hash.clone()),
                Some(send.rpc_url.clone()),
                Some(send.sent_at.clone()),
            ],
            CustodyEventKind::AnchorSent,
            &send.sent_at,
            serde_json::to_string(send).unwrap_or_default(),
        )
        .await
    }

    /// Records a confirmed anchor, with its `anchored` event.
    pub async fn record_chain_anchor(&self, a: &StoredChainAnchor) -> Result<(), VaultError> {
        let proof = serde_json::to_string(&a.anchor).unwrap_or_default();
        self.append_anchor_row(
            "INSERT INTO chain_anchors (id, batch_id, chain_id, tx_hash, block_number, block_hash, block_time, \
             confirmations, proof, recorded_at) VALUES ($1, $2, CAST($3 AS BIGINT), $4, CAST($5 AS BIGINT), $6, \
             CAST($7 AS BIGINT), CAST($8 AS BIGINT), $9, $10)",
            vec![
                Some(a.id.clone()),
                Some(a.batch_id.clone()),
                Some(a.anchor.chain_id.to_string()),
                Some(a.anchor.tx_hash.clone()),
                Some(a.anchor.block_number.to_string()),
                Some(a.anchor.block_hash.clone()),
                Some(a.anchor.block_time.to_string()),
                Some(a.confirmations.to_string()),
                Some(proof),
                Some(a.recorded_at.clone()),
            ],
            CustodyEventKind::Anchored,
            &a.recorded_at,
            serde_json::to_string(a).unwrap_or_default(),
        )
        .await
    }

    /// Records that a confirmed anchor left the canonical chain, with its `anchor_dropped` event.
    pub async fn record_anchor_drop(&self, d: &AnchorDrop) -> Result<(), VaultError> {
        self.append_anchor_row(
            "INSERT INTO anchor_drops (id, chain_anchor_id, detected_at) VALUES ($1, $2, $3)",
            vec![Some(d.id.clone()), Some(d.chain_anchor_id.clone()), Some(d.detected_at.clone())],
            CustodyEventKind::AnchorDropped,
            &d.detected_at,
            serde_json::to_string(d).unwrap_or_default(),
        )
        .await
    }

    /// The anchoring of every batch, oldest batch first.
    pub async fn anchoring(&self) -> Result<Vec<BatchAnchoring>, VaultError> {
        let sends =
            sqlx::query("SELECT id, batch_id, tx_hash, rpc_url, sent_at FROM anchor_sends ORDER BY sent_at, id")
                .fetch_all(&self.pool)
                .await?;
        let anchors = sqlx::query(
            "SELECT id, batch_id, confirmations, proof, recorded_at FROM chain_anchors ORDER BY recorded_at, id",
        )
        .fetch_all(&self.pool)
        .await?;
        let drops = sqlx::query("SELECT chain_anchor_id FROM anchor_drops").fetch_all(&self.pool).await?;
        let dropped: std::collections::HashSet<String> =
            drops.iter().map(|r| get_text(r, "chain_anchor_id")).collect::<Result<_, _>>()?;
        let mut out: Vec<BatchAnchoring> = self
            .batches()
            .await?
            .into_iter()
            .map(|batch| BatchAnchoring { batch, sends: Vec::new(), anchors: Vec::new() })
            .collect();
        for r in &sends {
            let send = AnchorSend {
                id: get_text(r, "id")?,
                batch_id: get_text(r, "batch_id")?,
                tx_hash: get_text(r, "tx_hash")?,
                rpc_url: get_text(r, "rpc_url")?,
                sent_at: get_text(r, "sent_at")?,
            };
            if let Some(b) = out.iter_mut().find(|b| b.batch.id == send.batch_id) {
                b.sends.push(send);
            }
        }
        for r in &anchors {
            let id = get_text(r, "id")?;
            let anchor = serde_json::from_str(&get_text(r, "proof")?)
                .map_err(|e| VaultError::BadRow(format!("proof of chain anchor {id}: {e}")))?;
            let stored = StoredChainAnchor {
                batch_id: get_text(r, "batch_id")?,
                confirmations: get_u64(r, "confirmations")?,
                recorded_at: get_text(r, "recorded_at")?,
                anchor,
                id: id.clone(),
            };
            if let Some(b) = out.iter_mut().find(|b| b.batch.id == stored.batch_id) {
                b.anchors.push((stored, dropped.contains(&id)));
            }
        }
        Ok(out)
    }
}
