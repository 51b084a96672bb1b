//! OpenTimestamps stamps of batch roots in the vault: each calendar answer, and each upgrade of
//! it, is a new row with its `ots_submitted` or `ots_upgraded` custody event.

use serde::{Deserialize, Serialize};

use super::custody::CustodyEventKind;
use super::store::get_text;
use super::{Vault, VaultError};
use crate::clock::now;
use evidentia_formats::ots::{OtsFormatError, Timestamp};
use evidentia_formats::ots_record::tree_from_hex;

/// A batch root's timestamp tree from one calendar. Its canonical JSON is the payload of its
/// custody event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OtsStamp {
    /// Id (UUIDv7).
    pub id: String,
    /// The batch whose root it timestamps.
    pub batch_id: String,
    /// The calendar it was submitted to.
    pub calendar: String,
    /// The serialized OpenTimestamps tree from the batch root, hex.
    pub tree: String,
    /// The lowest Bitcoin block attesting it, once one does.
    pub bitcoin_height: Option<u64>,
    /// When it was recorded.
    pub recorded_at: String,
}

/// Whether a stamp is a calendar's first answer or an upgrade.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OtsStampKind {
    /// The answer to the submission.
    Submitted,
    /// A later, more complete tree.
    Upgraded,
}

impl OtsStamp {
    /// A new stamp of `tree` for `batch_id` from `calendar`.
    pub fn new(batch_id: &str, calendar: &str, tree: &Timestamp, bitcoin_height: Option<u64>) -> OtsStamp {
        OtsStamp {
            id: uuid::Uuid::now_v7().to_string(),
            batch_id: batch_id.to_owned(),
            calendar: calendar.to_owned(),
            tree: hex::encode(tree.to_bytes()),
            bitcoin_height,
            recorded_at: now(),
        }
    }

    /// The tree.
    pub fn tree(&self) -> Result<Timestamp, OtsFormatError> {
        tree_from_hex(&self.tree)
    }
}

impl Vault {
    /// Records a stamp with its custody event.
    pub async fn record_ots_stamp(&self, s: &OtsStamp, kind: OtsStampKind) -> Result<(), VaultError> {
        let kind = match kind {
            OtsStampKind::Submitted => CustodyEventKind::OtsSubmitted,
            OtsStampKind::Upgraded => CustodyEventKind::OtsUpgraded,
        };
        self.append_anchor_row(
            "INSERT INTO ots_stamps (id, batch_id, calendar, tree, bitcoin_height, recorded_at) \
             VALUES ($1, $2, $3, $4, CAST($5 AS BIGINT), $6)",
            vec![
                Some(s.id.clone()),
                Some(s.batch_id.clone()),
                Some(s.calendar.clone()),
                Some(s.tree.clone()),
                s.bitcoin_height.map(|h| h.to_string()),
                Some(s.recorded_at.clone()),
            ],
            kind,
            &s.recorded_at,
            serde_json::to_string(s).unwrap_or_default(),
        )
        .await
    }

    /// Every stamp, oldest first.
    pub async fn ots_stamps(&self) -> Result<Vec<OtsStamp>, VaultError> {
        self.query_ots_stamps(None).await
    }

    /// The newest stamp of each calendar for one batch.
    pub async fn latest_ots_stamps(&self, batch_id: &str) -> Result<Vec<OtsStamp>, VaultError> {
        let mut latest: Vec<OtsStamp> = Vec::new();
        for s in self.query_ots_stamps(Some(batch_id)).await? {
            match latest.iter_mut().find(|l| l.calendar == s.calendar) {
                Some(l) => *l = s,
                None => latest.push(s),
            }
        }
        Ok(latest)
    }

    async fn query_ots_stamps(&self, batch_id: Option<&str>) -> Result<Vec<OtsStamp>, VaultError> {
        let sql = "SELECT id, batch_id, calendar, tree, bitcoin_height, recorded_at FROM ots_stamps \
                   WHERE ($1 IS NULL OR batch_id = $1) ORDER BY recorded_at, id";
        let rows = sqlx::query(sql).bind(batch_id.map(str::to_owned)).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                let height: Option<i64> = sqlx::Row::try_get(r, "bitcoin_height")
                    .map_err(|e| VaultError::BadRow(format!("bitcoin_height: {e}")))?;
                Ok(OtsStamp {
                    id: get_text(r, "id")?,
                    batch_id: get_text(r, "batch_id")?,
                    calendar: get_text(r, "calendar")?,
                    tree: get_text(r, "tree")?,
                    bitcoin_height: height.and_then(|h| u64::try_from(h).ok()),
                    recorded_at: get_text(r, "recorded_at")?,
                })
            })
            .collect()
    }
}
