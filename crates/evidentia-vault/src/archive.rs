//! Archive time-stamps of records' evidence (RFC 4998) in the vault: each time-stamped hash tree
//! is a row with its `archived` custody event, and each record it covers a row holding that
//! record's reduced hash tree and its place (chain, position) in the record's evidence record —
//! written together, in one transaction.

use serde::{Deserialize, Serialize};
use sqlx::query::Query;

use super::custody::CustodyEventKind;
use super::store::{get_text, get_u64, insert_events};
use super::{Vault, VaultError};
use evidentia_formats::digest::DigestAlgorithm;
use evidentia_pki::evidence_record::build::PlacedStamp;

/// The id under which an archive tree covers the vault's custody-log head (no record has it).
pub const CUSTODY_HEAD: &str = "custody-head";

/// What an archive time-stamp renews.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArchiveKind {
    /// The first: over records' data, time-stamps and signatures.
    Initial,
    /// Over the previous archive time-stamps' tokens (their TSA certificates near expiry).
    TimestampRenewal,
    /// Over the data again and all chains before, with a new hash algorithm.
    HashTreeRenewal,
}

/// One time-stamped hash tree. Its canonical JSON is the payload of its `archived` event; the
/// leaves it covers are bound by `leaves_sha256`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchiveStamp {
    /// Id (UUIDv7).
    pub id: String,
    /// What it renews.
    pub kind: ArchiveKind,
    /// The tree's hash algorithm (`SHA-256`).
    pub algorithm: String,
    /// The tree's root, hex: what the token time-stamps.
    pub root: String,
    /// The TSA that issued the token.
    pub tsa_url: String,
    /// The token's time (RFC 3339).
    pub gen_time: String,
    /// When the TSA's certificate expires (RFC 3339): the proof weakens from then on.
    pub tsa_not_after: String,
    /// The RFC 3161 token (a DER ContentInfo), hex.
    pub token: String,
    /// SHA-256 of the leaves' canonical JSON, hex.
    pub leaves_sha256: String,
    /// When it was stored.
    pub recorded_at: String,
}

/// One record's place under an archive stamp.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchiveLeaf {
    /// The record ([`CUSTODY_HEAD`] for the custody log's head).
    pub record_id: String,
    /// Which chain of the record's evidence record, from 1.
    pub chain: u64,
    /// Its position in that chain, from 1.
    pub position: u64,
    /// The record's reduced hash tree (its values first, then a sibling per level), hex.
    pub reduced: Vec<Vec<String>>,
}

impl ArchiveLeaf {
    /// The reduced tree as bytes.
    pub fn reduced_bytes(&self) -> Vec<Vec<Vec<u8>>> {
        self.reduced.iter().map(|l| l.iter().filter_map(|v| hex::decode(v).ok()).collect()).collect()
    }
}

/// The SHA-256 that binds leaves to their stamp.
pub fn leaves_sha256(leaves: &[ArchiveLeaf]) -> String {
    let mut sorted: Vec<&ArchiveLeaf> = leaves.iter().collect();
    sorted.sort_by(|a, b| a.record_id.cmp(&b.record_id));
    let json = serde_json::to_vec(&sorted).unwrap_or_default();
    DigestAlgorithm::Sha256.digest(&json).to_hex()
}

impl ArchiveStamp {
    /// The stamp's algorithm.
    pub fn digest_algorithm(&self) -> Option<DigestAlgorithm> {
        DigestAlgorithm::READ.into_iter().find(|a| a.name() == self.algorithm)
    }
}

/// Leaves written per INSERT statement (5 parameters each).
const LEAVES_PER_INSERT: usize = 150;

impl Vault {
    /// Records an archive stamp and the leaves it covers, with its `archived` event, in one
    /// transaction: a killed process leaves all of it or none.
    pub async fn record_archive_stamp(&self, stamp: &ArchiveStamp, leaves: &[ArchiveLeaf]) -> Result<(), VaultError> {
        let mut tx = self.begin_append().await?;
        sqlx::query(
            "INSERT INTO archive_stamps (id, kind, algorithm, root, tsa_url, gen_time, tsa_not_after, token, \
             leaves_sha256, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(stamp.id.clone())
        .bind(kind_name(stamp.kind).to_owned())
        .bind(stamp.algorithm.clone())
        .bind(stamp.root.clone())
        .bind(stamp.tsa_url.clone())
        .bind(stamp.gen_time.clone())
        .bind(stamp.tsa_not_after.clone())
        .bind(stamp.token.clone())
        .bind(stamp.leaves_sha256.clone())
        .bind(stamp.recorded_at.clone())
        .execute(&mut *tx)
        .await?;
        for chunk in leaves.chunks(LEAVES_PER_INSERT) {
            let rows: Vec<String> = (0..chunk.len())
                .map(|i| {
                    let b = i * 5;
                    format!(
                        "(${}, ${}, CAST(${} AS BIGINT), CAST(${} AS BIGINT), ${})",
                        b + 1,
                        b + 2,
                        b + 3,
                        b + 4,
                        b + 5
                    )
                })
                .collect();
            let sql = format!(
                "INSERT INTO archive_leaves (stamp_id, record_id, chain, position, reduced) VALUES {}",
                rows.join(", ")
            );
            let mut q: Query<'_, sqlx::Any, _> = sqlx::query(sqlx::AssertSqlSafe(sql));
            for l in chunk {
                q = q
                    .bind(stamp.id.clone())
                    .bind(l.record_id.clone())
                    .bind(l.chain.to_string())
                    .bind(l.position.to_string())
                    .bind(serde_json::to_string(&l.reduced).unwrap_or_default());
            }
            q.execute(&mut *tx).await?;
        }
        let payload = serde_json::to_string(stamp).unwrap_or_default();
        let events =
            insert_events(&mut tx, vec![(CustodyEventKind::Archived, stamp.recorded_at.clone(), None, payload)])
                .await?;
        tx.commit().await?;
        self.advance_head(&events)
    }

    /// Every archive stamp, oldest first.
    pub async fn archive_stamps(&self) -> Result<Vec<ArchiveStamp>, VaultError> {
        self.query_archive_stamps(None).await
    }

    /// One archive stamp (`Some(id)`), or every one.
    async fn query_archive_stamps(&self, id: Option<&str>) -> Result<Vec<ArchiveStamp>, VaultError> {
        let rows = sqlx::query(
            "SELECT id, kind, algorithm, root, tsa_url, gen_time, tsa_not_after, token, leaves_sha256, recorded_at \
             FROM archive_stamps WHERE ($1 IS NULL OR id = $1) ORDER BY recorded_at, id",
        )
        .bind(id.map(str::to_owned))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let kind = get_text(r, "kind")?;
                Ok(ArchiveStamp {
                    id: get_text(r, "id")?,
                    kind: kind_from_name(&kind).ok_or_else(|| VaultError::BadRow(format!("archive kind {kind}")))?,
                    algorithm: get_text(r, "algorithm")?,
                    root: get_text(r, "root")?,
                    tsa_url: get_text(r, "tsa_url")?,
                    gen_time: get_text(r, "gen_time")?,
                    tsa_not_after: get_text(r, "tsa_not_after")?,
                    token: get_text(r, "token")?,
                    leaves_sha256: get_text(r, "leaves_sha256")?,
                    recorded_at: get_text(r, "recorded_at")?,
                })
            })
            .collect()
    }

    /// The leaves of one stamp, or of all (`None`), with their stamp's id.
    pub async fn archive_leaves(&self, stamp_id: Option<&str>) -> Result<Vec<(String, ArchiveLeaf)>, VaultError> {
        let rows = sqlx::query(
            "SELECT stamp_id, record_id, chain, position, reduced FROM archive_leaves \
             WHERE ($1 IS NULL OR stamp_id = $1) ORDER BY record_id, chain, position",
        )
        .bind(stamp_id.map(str::to_owned))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(leaf_from_row).collect()
    }

    /// One record's evidence record so far: its chains of archive time-stamps, oldest first
    /// (empty when it has none).
    pub async fn evidence_record_chains(
        &self,
        record_id: &str,
    ) -> Result<Vec<Vec<(ArchiveStamp, ArchiveLeaf)>>, VaultError> {
        let rows = sqlx::query(
            "SELECT stamp_id, record_id, chain, position, reduced FROM archive_leaves WHERE record_id = $1 \
             ORDER BY chain, position",
        )
        .bind(record_id.to_owned())
        .fetch_all(&self.pool)
        .await?;
        let leaves: Vec<(String, ArchiveLeaf)> = rows.iter().map(leaf_from_row).collect::<Result<_, _>>()?;
        if leaves.is_empty() {
            return Ok(Vec::new());
        }
        // Only the stamps this record's leaves name (a vault may hold many).
        let mut ids: Vec<String> = leaves.iter().map(|(s, _)| s.clone()).collect();
        ids.sort();
        ids.dedup();
        let mut stamps = Vec::with_capacity(ids.len());
        for id in &ids {
            stamps.extend(self.query_archive_stamps(Some(id)).await?);
        }
        let mut chains: Vec<Vec<(ArchiveStamp, ArchiveLeaf)>> = Vec::new();
        for (stamp_id, leaf) in leaves {
            let Some(stamp) = stamps.iter().find(|s| s.id == stamp_id).cloned() else {
                return Err(VaultError::BadRow(format!(
                    "archive leaf of {record_id} names an unknown stamp {stamp_id}"
                )));
            };
            let chain = usize::try_from(leaf.chain).unwrap_or(usize::MAX);
            if chain == 0 || chain > chains.len() + 1 {
                return Err(VaultError::BadRow(format!("archive leaf of {record_id} is in chain {chain}")));
            }
            if chain > chains.len() {
                chains.push(Vec::new());
            }
            chains[chain - 1].push((stamp, leaf));
        }
        Ok(chains)
    }
}

/// A record's chains as the encoder takes them.
pub fn placed_chains(chains: &[Vec<(ArchiveStamp, ArchiveLeaf)>]) -> Vec<Vec<PlacedStamp>> {
    chains
        .iter()
        .map(|c| {
            c.iter()
                .filter_map(|(s, l)| {
                    Some(PlacedStamp {
                        algorithm: s.digest_algorithm()?,
                        reduced: l.reduced_bytes(),
                        token: hex::decode(&s.token).ok()?,
                    })
                })
                .collect()
        })
        .collect()
}

fn kind_name(k: ArchiveKind) -> &'static str {
    match k {
        ArchiveKind::Initial => "initial",
        ArchiveKind::TimestampRenewal => "timestamp_renewal",
        ArchiveKind::HashTreeRenewal => "hash_tree_renewal",
    }
}

fn kind_from_name(name: &str) -> Option<ArchiveKind> {
    [ArchiveKind::Initial, ArchiveKind::TimestampRenewal, ArchiveKind::HashTreeRenewal]
        .into_iter()
        .find(|k| kind_name(*k) == name)
}

fn leaf_from_row(r: &sqlx::any::AnyRow) -> Result<(String, ArchiveLeaf), VaultError> {
    let reduced = get_text(r, "reduced")?;
    Ok((
        get_text(r, "stamp_id")?,
        ArchiveLeaf {
            record_id: get_text(r, "record_id")?,
            chain: get_u64(r, "chain")?,
            position: get_u64(r, "position")?,
            reduced: serde_json::from_str(&reduced)
                .map_err(|e| VaultError::BadRow(format!("archive leaf tree: {e}")))?,
        },
    ))
}
