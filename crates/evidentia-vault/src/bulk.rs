//! Reading whole tables quickly, for `vault verify` at a million records: rows come in key order
//! a chunk at a time, each chunk as one JSON text built by the database, so the driver's cost per
//! row is paid once per chunk; the three tables a check needs are read at once on separate
//! connections.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use sqlx::AssertSqlSafe;

use super::custody::CustodyEvent;
use super::record::{EvidenceRecord, SubjectKind};
use super::store::RECORD_COLUMNS;
use super::{Vault, VaultError};
use crate::digest::{DigestAlgorithm, DigestValue, Digests};

/// Rows per chunk.
const CHUNK: i64 = 20_000;

/// A custody event's columns, in [`EVENT_COLUMNS`] order.
type EventColumns = (i64, String, String, Option<String>, String, String, String);
const EVENT_COLUMNS: &str = "seq, kind, recorded_at, record_id, payload, prev_hash, hash";

/// A record's columns, in `RECORD_COLUMNS` order.
pub(super) type RecordColumns = (String, String, String, i64, i64, String, String, i64, String, String, String, i64);

impl Vault {
    /// One chunk: `inner` is a SELECT of `columns` whose keys are `$1`… (bound from `keys`) and
    /// whose LIMIT is the placeholder after them.
    async fn json_chunk<T: DeserializeOwned>(
        &self,
        columns: &str,
        inner: &str,
        keys: &[Key],
    ) -> Result<Vec<T>, VaultError> {
        let sql = self.engine.json_rows(columns, inner);
        let mut query = sqlx::query_scalar::<_, Option<String>>(AssertSqlSafe(sql));
        for key in keys {
            query = match key {
                Key::Int(v) => query.bind(*v),
                Key::Text(v) => query.bind(v.clone()),
            };
        }
        let text = query.bind(CHUNK).fetch_one(&self.pool).await?.unwrap_or_else(|| "[]".into());
        serde_json::from_str(&text)
            .map_err(|e| VaultError::BadRow(format!("a row of `{inner:.60}…` cannot be read ({e})")))
    }

    /// The whole custody log, in sequence order.
    pub async fn events(&self) -> Result<Vec<CustodyEvent>, VaultError> {
        let inner = format!("SELECT {EVENT_COLUMNS} FROM custody_events WHERE seq > $1 ORDER BY seq LIMIT $2");
        let mut out = Vec::new();
        let mut after = i64::MIN;
        loop {
            let chunk: Vec<EventColumns> = self.json_chunk(EVENT_COLUMNS, &inner, &[Key::Int(after)]).await?;
            let Some(last) = chunk.iter().map(|c| c.0).max() else { break };
            after = last;
            for (seq, kind, recorded_at, record_id, payload, prev_hash, hash) in chunk {
                let seq = u64::try_from(seq).map_err(|_| VaultError::BadRow(format!("seq: negative value {seq}")))?;
                out.push(CustodyEvent { seq, kind, recorded_at, record_id, payload, prev_hash, hash });
            }
        }
        out.sort_by_key(|e| e.seq);
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM custody_events").fetch_one(&self.pool).await?;
        if count != out.len() as i64 {
            return Err(VaultError::BadRow(format!(
                "the custody log has {count} rows but {} with a sequence number: rows without one were inserted",
                out.len()
            )));
        }
        Ok(out)
    }

    /// Record rows without their digests (for checks that compare rows with the log).
    pub(crate) async fn record_rows(&self) -> Result<Vec<EvidenceRecord>, VaultError> {
        let inner = format!("SELECT {RECORD_COLUMNS} FROM records WHERE id > $1 ORDER BY id LIMIT $2");
        let mut out = Vec::new();
        let mut after = String::new();
        loop {
            let chunk: Vec<RecordColumns> =
                self.json_chunk(RECORD_COLUMNS, &inner, &[Key::Text(Some(after.clone()))]).await?;
            let Some(last) = chunk.iter().map(|c| &c.0).max() else { break };
            after = last.clone();
            for columns in chunk {
                out.push(record_from_columns(columns)?);
            }
        }
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM records").fetch_one(&self.pool).await?;
        if count != out.len() as i64 {
            return Err(VaultError::BadRow(format!("the records table has {count} rows but {} with an id", out.len())));
        }
        Ok(out)
    }

    /// Digest rows of every record, by record id (including rows whose record is gone).
    pub(crate) async fn digest_rows(&self) -> Result<BTreeMap<String, Digests>, VaultError> {
        let inner = "SELECT record_id, algorithm, value FROM record_digests \
                     WHERE record_id > $1 OR (record_id = $1 AND algorithm > $2) ORDER BY record_id, algorithm LIMIT $3";
        let mut out: BTreeMap<String, Digests> = BTreeMap::new();
        let mut after = (String::new(), String::new());
        loop {
            let keys = [Key::Text(Some(after.0.clone())), Key::Text(Some(after.1.clone()))];
            let chunk: Vec<(String, String, String)> =
                self.json_chunk("record_id, algorithm, value", inner, &keys).await?;
            let Some(last) = chunk.iter().max_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1))) else { break };
            after = (last.0.clone(), last.1.clone());
            for (id, algorithm, value) in chunk {
                let algo: DigestAlgorithm = algorithm
                    .parse()
                    .map_err(|e: crate::digest::UnknownAlgorithm| VaultError::BadRow(e.to_string()))?;
                let value = DigestValue::from_hex(&value)
                    .map_err(|e| VaultError::BadRow(format!("digest of record {id}: {e}")))?;
                out.entry(id).or_default().insert(algo, value);
            }
        }
        Ok(out)
    }
}

/// A key bound to a chunk's query.
enum Key {
    Int(i64),
    Text(Option<String>),
}

/// A record from its columns; its SHA-256 column stands in for its digests until they are attached.
pub(super) fn record_from_columns(c: RecordColumns) -> Result<EvidenceRecord, VaultError> {
    let (id, kind, name, size, file_count, media_type, sha256, stored, source_path, profile, created_at, requested) = c;
    let kind = SubjectKind::parse(&kind).ok_or_else(|| VaultError::BadRow(format!("kind `{kind}`")))?;
    let unsigned =
        |col: &str, v: i64| u64::try_from(v).map_err(|_| VaultError::BadRow(format!("{col}: negative value {v}")));
    let mut digests = Digests::default();
    if let Ok(v) = DigestValue::from_hex(&sha256) {
        digests.insert(DigestAlgorithm::Sha256, v);
    }
    Ok(EvidenceRecord {
        size: unsigned("size", size)?,
        file_count: unsigned("file_count", file_count)?,
        stored: unsigned("stored", stored)? != 0,
        timestamp_requested: unsigned("timestamp_requested", requested)? != 0,
        id,
        kind,
        name,
        media_type,
        digests,
        source_path,
        profile,
        created_at,
    })
}
