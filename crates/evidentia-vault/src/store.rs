//! Reading and appending rows. SQL is kept to what SQLite and PostgreSQL both accept, with
//! `$n` placeholders; many rows go in one multi-row INSERT.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use super::custody::{CustodyEvent, CustodyEventKind, HeadWitness};
use super::record::{EvidenceRecord, EvidenceSignature, EvidenceTimestamp, RecordStatus, SubjectKind};
use super::{Vault, VaultError};
use crate::digest::{DigestAlgorithm, DigestValue, Digests};

/// Rows per multi-row INSERT. SQLite resolves `$n` placeholders by name, at a cost that grows
/// with the square of their number, so statements stay small.
pub(super) const ROWS_PER_INSERT: usize = 64;

/// A record about to be written, with what its custody event should say.
#[derive(Debug, Clone)]
pub struct NewRecord {
    /// The record.
    pub record: EvidenceRecord,
    /// Its signature, when it was sealed with an identity.
    pub signature: Option<NewSignature>,
    /// Further events about it written with it (kind, JSON payload): `seal_used` for a PDF an
    /// identity's seal was stamped in, `countersigned` for a received PDF signed again.
    pub events: Vec<(CustodyEventKind, String)>,
}

/// A signature about to be written, with the `.p7s` itself.
#[derive(Debug, Clone)]
pub struct NewSignature {
    /// The signature's facts.
    pub signature: EvidenceSignature,
    /// The detached CMS signature, DER.
    pub p7s: Vec<u8>,
}

/// A record as a list shows it: where it stands and which proofs it has.
#[derive(Debug, Clone, Serialize)]
pub struct RecordRow {
    /// The record.
    #[serde(flatten)]
    pub record: EvidenceRecord,
    /// Where its time-stamp stands.
    pub status: RecordStatus,
    /// It carries a signature.
    pub signed: bool,
    /// Its batch root is on a chain (an anchor that no reorganisation dropped).
    pub anchored: bool,
    /// Anchoring is configured and it is not anchored yet: a later batch or retry will do it.
    pub anchor_pending: bool,
}

/// The most records one page holds.
pub const MAX_PAGE: u64 = 1000;

/// Which page of the record list to read.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct RecordQuery {
    /// Part of a name (any case), or the start of an id or SHA-256; empty for every record.
    pub search: String,
    /// Records to skip.
    pub offset: u64,
    /// Records to read (1 to [`MAX_PAGE`]).
    pub limit: u64,
    /// Newest first (the app), rather than oldest first (the CLI).
    pub newest_first: bool,
    /// Only the records of this case.
    pub case: Option<String>,
    /// Only the records with these proofs (or lacking them).
    pub status: Option<ListFilter>,
}

/// Which records a filtered list shows, by the proofs they have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListFilter {
    /// Signed with an identity.
    Signed,
    /// Holding a verified time-stamp.
    Timestamped,
    /// Anchored on a chain (an anchor no reorganisation dropped).
    Anchored,
    /// Waiting for the time-stamp asked for.
    Pending,
    /// Without a time-stamp and none asked for.
    NoTimestamp,
}

impl ListFilter {
    /// Every filter, in the order lists offer them.
    pub const ALL: [ListFilter; 5] = [
        ListFilter::Signed,
        ListFilter::Timestamped,
        ListFilter::Anchored,
        ListFilter::Pending,
        ListFilter::NoTimestamp,
    ];

    /// The name the CLI and the app use.
    pub fn as_str(self) -> &'static str {
        match self {
            ListFilter::Signed => "signed",
            ListFilter::Timestamped => "timestamped",
            ListFilter::Anchored => "anchored",
            ListFilter::Pending => "pending",
            ListFilter::NoTimestamp => "no_timestamp",
        }
    }

    /// Its flag in `record_flags` and `case_members` (each has a partial index in both).
    fn column(self) -> &'static str {
        match self {
            ListFilter::Signed => "signed",
            ListFilter::Timestamped => "stamped",
            ListFilter::Anchored => "anchored",
            ListFilter::Pending => "pending",
            ListFilter::NoTimestamp => "unstamped",
        }
    }
}

impl std::str::FromStr for ListFilter {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let wanted = s.trim().to_ascii_lowercase().replace('-', "_");
        ListFilter::ALL.into_iter().find(|f| f.as_str() == wanted).ok_or_else(|| {
            let names: Vec<&str> = ListFilter::ALL.iter().map(|f| f.as_str()).collect();
            format!("unknown status `{s}`; choose one of {}", names.join(", "))
        })
    }
}

/// One page of the record list.
#[derive(Debug, Clone, Serialize)]
pub struct RecordPage {
    /// How many records match in all.
    pub total: u64,
    /// Where the page starts.
    pub offset: u64,
    /// The page.
    pub rows: Vec<RecordRow>,
}

/// A record with its custody history.
#[derive(Debug, Clone, Serialize)]
pub struct RecordDetail {
    /// The record.
    #[serde(flatten)]
    pub record: EvidenceRecord,
    /// Where it stands.
    pub status: RecordStatus,
    /// Its signatures.
    pub signatures: Vec<EvidenceSignature>,
    /// Its anchor batch and inclusion proof, once it is in a batch.
    pub inclusion: Option<super::RecordInclusion>,
    /// Its time-stamps.
    pub timestamps: Vec<EvidenceTimestamp>,
    /// Its custody events, oldest first.
    pub events: Vec<CustodyEvent>,
    /// The cases it is in, by name.
    pub cases: Vec<String>,
}

pub(super) const RECORD_COLUMNS: &str = "id, kind, name, size, file_count, media_type, sha256, stored, source_path, profile, created_at, timestamp_requested";

const SIGNATURE_COLUMNS: &str = "id, record_id, identity, signer_subject, signer_issuer, signer_serial, signer_sha256, self_signed, digest_algorithm, signed_at, p7s_sha256, signature_value_sha256";

const TIMESTAMP_COLUMNS: &str =
    "id, record_id, tsa_url, algorithm, imprint, gen_time, serial, policy, token_sha256, verification, created_at";

/// A time-stamp about to be written, with the TSA's whole answer.
#[derive(Debug, Clone)]
pub struct NewTimestamp {
    /// The time-stamp's facts.
    pub timestamp: EvidenceTimestamp,
    /// The TimeStampResp, DER.
    pub token: Vec<u8>,
}

impl Vault {
    /// The newest event of the custody log: its sequence number and hash.
    pub async fn head(&self) -> Result<Option<(u64, String)>, VaultError> {
        let row = sqlx::query("SELECT seq, hash FROM custody_events ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| Ok((get_u64(&r, "seq")?, get_text(&r, "hash")?))).transpose()
    }

    /// Ids of the records whose SHA-256 (of the file, or of a work's manifest) is `sha256_hex`.
    pub async fn records_with_digest(&self, sha256_hex: &str) -> Result<Vec<String>, VaultError> {
        let rows = sqlx::query("SELECT id FROM records WHERE sha256 = $1 ORDER BY id")
            .bind(sha256_hex.to_ascii_lowercase())
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| get_text(r, "id")).collect()
    }

    /// Records already sealed with the same kind, name and SHA-256 as one of `keys`.
    pub async fn find_sealed(
        &self,
        keys: &[(SubjectKind, String, String)],
    ) -> Result<HashMap<(SubjectKind, String, String), EvidenceRecord>, VaultError> {
        let mut found = HashMap::new();
        let mut hashes: Vec<&str> = keys.iter().map(|k| k.2.as_str()).collect();
        hashes.sort_unstable();
        hashes.dedup();
        for chunk in hashes.chunks(ROWS_PER_INSERT) {
            let sql =
                format!("SELECT {RECORD_COLUMNS} FROM records WHERE sha256 IN ({})", placeholders(1, chunk.len()));
            let mut query = sqlx::query(AssertSqlSafe(sql));
            for h in chunk {
                query = query.bind(h.to_string());
            }
            let rows = query.fetch_all(&self.pool).await?;
            let mut records = Vec::new();
            for row in rows {
                records.push(record_from_row(&row)?);
            }
            self.attach_digests(&mut records).await?;
            for r in records {
                found.insert((r.kind, r.name.clone(), r.sha256_hex()), r);
            }
        }
        found.retain(|k, _| keys.contains(k));
        Ok(found)
    }

    /// Appends records and their `created` events in one transaction, then moves the head
    /// witness forward. Either all of them are written or none.
    pub async fn append_records(&self, new: &[NewRecord]) -> Result<Vec<CustodyEvent>, VaultError> {
        if new.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.begin_append().await?;
        for chunk in new.chunks(ROWS_PER_INSERT) {
            let sql = format!("INSERT INTO records ({RECORD_COLUMNS}) VALUES {}", rows_placeholders(chunk.len(), 12));
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for n in chunk {
                let r = &n.record;
                q = q
                    .bind(r.id.clone())
                    .bind(r.kind.as_str())
                    .bind(r.name.clone())
                    .bind(r.size as i64)
                    .bind(r.file_count as i64)
                    .bind(r.media_type.clone())
                    .bind(r.sha256_hex())
                    .bind(i64::from(r.stored))
                    .bind(r.source_path.clone())
                    .bind(r.profile.clone())
                    .bind(r.created_at.clone())
                    .bind(i64::from(r.timestamp_requested));
            }
            q.execute(&mut *tx).await?;
        }
        let digest_rows: Vec<(String, DigestAlgorithm, String)> = new
            .iter()
            .flat_map(|n| n.record.digests.iter().map(|(a, v)| (n.record.id.clone(), a, v.to_hex())))
            .collect();
        for chunk in digest_rows.chunks(ROWS_PER_INSERT) {
            let sql = format!(
                "INSERT INTO record_digests (record_id, algorithm, value) VALUES {}",
                rows_placeholders(chunk.len(), 3)
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for (id, algo, value) in chunk {
                q = q.bind(id.clone()).bind(algo.name()).bind(value.clone());
            }
            q.execute(&mut *tx).await?;
        }
        let signatures: Vec<&NewSignature> = new.iter().filter_map(|n| n.signature.as_ref()).collect();
        for chunk in signatures.chunks(ROWS_PER_INSERT) {
            let sql = format!(
                "INSERT INTO signatures ({SIGNATURE_COLUMNS}, p7s) VALUES {}",
                rows_placeholders(chunk.len(), 13)
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for n in chunk {
                let g = &n.signature;
                q = q
                    .bind(g.id.clone())
                    .bind(g.record_id.clone())
                    .bind(g.identity.clone())
                    .bind(g.signer_subject.clone())
                    .bind(g.signer_issuer.clone())
                    .bind(g.signer_serial.clone())
                    .bind(g.signer_sha256.clone())
                    .bind(i64::from(g.self_signed))
                    .bind(g.digest_algorithm.clone())
                    .bind(g.signed_at.clone())
                    .bind(g.p7s_sha256.clone())
                    .bind(g.signature_value_sha256.clone())
                    .bind(hex::encode(&n.p7s));
            }
            q.execute(&mut *tx).await?;
        }
        let created = new.iter().map(|n| {
            (
                CustodyEventKind::Created,
                n.record.created_at.clone(),
                Some(n.record.id.clone()),
                n.record.canonical_json(),
            )
        });
        let signed = signatures.iter().map(|n| {
            let g = &n.signature;
            let payload = serde_json::to_string(g).unwrap_or_default();
            (CustodyEventKind::Signed, g.signed_at.clone(), Some(g.record_id.clone()), payload)
        });
        let further = new.iter().flat_map(|n| {
            n.events
                .iter()
                .map(|(kind, payload)| (*kind, n.record.created_at.clone(), Some(n.record.id.clone()), payload.clone()))
        });
        let specs = created.chain(signed).chain(further).collect();
        let events = insert_events(&mut tx, specs).await?;
        tx.commit().await?;
        self.advance_head(&events)?;
        Ok(events)
    }

    /// Appends time-stamps and their `timestamped` events in one transaction. Records that got
    /// a time-stamp meanwhile (another writer of a team vault completed them first) are left
    /// as they are: their new time-stamps are not written.
    pub async fn append_timestamps(&self, new: &[NewTimestamp]) -> Result<Vec<CustodyEvent>, VaultError> {
        if new.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.begin_append().await?;
        let mut ids: Vec<String> = new.iter().map(|n| n.timestamp.record_id.clone()).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut stamped = HashSet::new();
        for chunk in ids.chunks(ROWS_PER_INSERT) {
            let sql = format!(
                "SELECT DISTINCT record_id FROM timestamps WHERE record_id IN ({})",
                placeholders(1, chunk.len())
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for id in chunk {
                q = q.bind(id.clone());
            }
            for row in q.fetch_all(&mut *tx).await? {
                stamped.insert(get_text(&row, "record_id")?);
            }
        }
        let new: Vec<&NewTimestamp> = new.iter().filter(|n| !stamped.contains(&n.timestamp.record_id)).collect();
        if new.is_empty() {
            return Ok(Vec::new());
        }
        for chunk in new.chunks(ROWS_PER_INSERT) {
            let sql = format!(
                "INSERT INTO timestamps ({TIMESTAMP_COLUMNS}, token) VALUES {}",
                rows_placeholders(chunk.len(), 12)
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for n in chunk {
                let t = &n.timestamp;
                q = q
                    .bind(t.id.clone())
                    .bind(t.record_id.clone())
                    .bind(t.tsa_url.clone())
                    .bind(t.algorithm.clone())
                    .bind(t.imprint.clone())
                    .bind(t.gen_time.clone())
                    .bind(t.serial.clone())
                    .bind(t.policy.clone())
                    .bind(t.token_sha256.clone())
                    .bind(t.verification.clone())
                    .bind(t.created_at.clone())
                    .bind(hex::encode(&n.token));
            }
            q.execute(&mut *tx).await?;
        }
        let specs = new
            .iter()
            .map(|n| {
                let t = &n.timestamp;
                let payload = serde_json::to_string(t).unwrap_or_default();
                (CustodyEventKind::Timestamped, t.created_at.clone(), Some(t.record_id.clone()), payload)
            })
            .collect();
        let events = insert_events(&mut tx, specs).await?;
        tx.commit().await?;
        self.advance_head(&events)?;
        Ok(events)
    }

    pub(super) fn advance_head(&self, events: &[CustodyEvent]) -> Result<(), VaultError> {
        match events.last() {
            Some(last) => self.write_head_witness(&HeadWitness { seq: last.seq, hash: last.hash.clone() }),
            None => Ok(()),
        }
    }

    /// Records that asked for a time-stamp and have none yet, oldest first.
    pub async fn pending_timestamps(&self) -> Result<Vec<EvidenceRecord>, VaultError> {
        let sql = format!(
            "SELECT {RECORD_COLUMNS} FROM records WHERE timestamp_requested = 1 AND NOT EXISTS \
             (SELECT 1 FROM timestamps WHERE timestamps.record_id = records.id) ORDER BY created_at, id"
        );
        let rows = sqlx::query(AssertSqlSafe(sql)).fetch_all(&self.pool).await?;
        let mut records = rows.iter().map(record_from_row).collect::<Result<Vec<_>, _>>()?;
        self.attach_digests(&mut records).await?;
        Ok(records)
    }

    /// Ids of records that have a time-stamp.
    pub async fn timestamped_ids(&self) -> Result<std::collections::HashSet<String>, VaultError> {
        let rows = sqlx::query("SELECT DISTINCT record_id FROM timestamps").fetch_all(&self.pool).await?;
        rows.iter().map(|r| get_text(r, "record_id")).collect()
    }

    /// Which of `ids` have a time-stamp.
    pub async fn timestamped_among(&self, ids: &[String]) -> Result<HashSet<String>, VaultError> {
        self.ids_among("timestamps", ids).await
    }

    /// Time-stamps with their tokens (DER), for one record or, with `None`, all.
    pub async fn timestamps(&self, record_id: Option<&str>) -> Result<Vec<(EvidenceTimestamp, Vec<u8>)>, VaultError> {
        let sql = format!(
            "SELECT {TIMESTAMP_COLUMNS}, token FROM timestamps WHERE ($1 = '' OR record_id = $1) ORDER BY created_at, id"
        );
        let rows =
            sqlx::query(AssertSqlSafe(sql)).bind(record_id.unwrap_or("").to_owned()).fetch_all(&self.pool).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let t = EvidenceTimestamp {
                id: get_text(&row, "id")?,
                record_id: get_text(&row, "record_id")?,
                tsa_url: get_text(&row, "tsa_url")?,
                algorithm: get_text(&row, "algorithm")?,
                imprint: get_text(&row, "imprint")?,
                gen_time: get_text(&row, "gen_time")?,
                serial: get_text(&row, "serial")?,
                policy: get_text(&row, "policy")?,
                token_sha256: get_text(&row, "token_sha256")?,
                verification: get_text(&row, "verification")?,
                created_at: get_text(&row, "created_at")?,
            };
            let token = hex::decode(get_text(&row, "token")?)
                .map_err(|e| VaultError::BadRow(format!("token of time-stamp {}: {e}", t.id)))?;
            out.push((t, token));
        }
        Ok(out)
    }

    /// The signature the vault keeps for a record, as a `.p7s`: CAdES-B-T when the vault holds a
    /// time-stamp over its signature value (joined here as the signature-time-stamp attribute), else
    /// CAdES-B-B. `None` when the record was not signed.
    pub async fn record_signature(&self, record_id: &str) -> Result<Option<Vec<u8>>, VaultError> {
        let Some((signature, p7s)) = self.signatures(Some(record_id)).await?.into_iter().next() else {
            return Ok(None);
        };
        let timestamps = self.timestamps(Some(record_id)).await?;
        let Some((_, response)) = timestamps.iter().find(|(t, _)| t.imprint == signature.signature_value_sha256) else {
            return Ok(Some(p7s));
        };
        let bad =
            |e: &dyn std::fmt::Display| VaultError::BadRow(format!("signature time-stamp of record {record_id}: {e}"));
        let token = crate::tsp::TimestampToken::from_any_der(response).map_err(|e| bad(&e))?;
        Ok(Some(crate::cades::add_signature_timestamp(&p7s, token.to_der()).map_err(|e| bad(&e))?))
    }

    /// Signatures with their `.p7s` (DER), for one record or, with `None`, all.
    pub async fn signatures(&self, record_id: Option<&str>) -> Result<Vec<(EvidenceSignature, Vec<u8>)>, VaultError> {
        let sql = format!(
            "SELECT {SIGNATURE_COLUMNS}, p7s FROM signatures WHERE ($1 = '' OR record_id = $1) ORDER BY signed_at, id"
        );
        let rows =
            sqlx::query(AssertSqlSafe(sql)).bind(record_id.unwrap_or("").to_owned()).fetch_all(&self.pool).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let g = EvidenceSignature {
                id: get_text(&row, "id")?,
                record_id: get_text(&row, "record_id")?,
                identity: get_text(&row, "identity")?,
                signer_subject: get_text(&row, "signer_subject")?,
                signer_issuer: get_text(&row, "signer_issuer")?,
                signer_serial: get_text(&row, "signer_serial")?,
                signer_sha256: get_text(&row, "signer_sha256")?,
                self_signed: get_u64(&row, "self_signed")? != 0,
                digest_algorithm: get_text(&row, "digest_algorithm")?,
                signed_at: get_text(&row, "signed_at")?,
                p7s_sha256: get_text(&row, "p7s_sha256")?,
                signature_value_sha256: get_text(&row, "signature_value_sha256")?,
            };
            let p7s = hex::decode(get_text(&row, "p7s")?)
                .map_err(|e| VaultError::BadRow(format!("p7s of signature {}: {e}", g.id)))?;
            out.push((g, p7s));
        }
        Ok(out)
    }

    /// For each of `ids` that was signed: SHA-256 of its signature value, the imprint its
    /// time-stamp must carry.
    pub async fn signature_imprints(&self, ids: &[String]) -> Result<HashMap<String, String>, VaultError> {
        let rows = self
            .rows_for_keys("SELECT record_id, signature_value_sha256 FROM signatures WHERE record_id IN", ids)
            .await?;
        rows.iter().map(|row| Ok((get_text(row, "record_id")?, get_text(row, "signature_value_sha256")?))).collect()
    }

    /// Every record, oldest first.
    pub async fn records(&self) -> Result<Vec<EvidenceRecord>, VaultError> {
        let sql = format!("SELECT {RECORD_COLUMNS} FROM records ORDER BY created_at, id");
        let rows = sqlx::query(AssertSqlSafe(sql)).fetch_all(&self.pool).await?;
        let mut records = rows.iter().map(record_from_row).collect::<Result<Vec<_>, _>>()?;
        self.attach_digests(&mut records).await?;
        Ok(records)
    }

    /// One page of the record list: the records whose name contains `query.search` (any case)
    /// or whose id or SHA-256 starts with it (hex digits and `-` only, since ids and digests
    /// have no others), of `query.case` and with the proofs `query.status` names when given,
    /// `query.limit` of them from `query.offset`, with the proofs they have and how many match in
    /// all. Only the page is read, at any vault size: without a search, a case's member index or
    /// a filter's partial index is read in list order and the total is kept by the vault.
    pub async fn record_page(&self, query: &RecordQuery, anchoring: bool) -> Result<RecordPage, VaultError> {
        // In a name, `_` and `%` keep their LIKE meaning (any one character, any run).
        let search = query.search.trim().to_lowercase();
        let case = match &query.case {
            Some(name) => Some(self.existing_case(name).await?),
            None => None,
        };
        let dir = if query.newest_first { "DESC" } else { "ASC" };
        let limit = query.limit.clamp(1, MAX_PAGE) as i64;
        let offset = query.offset.min(i64::MAX as u64) as i64;
        let (records, total) = if search.is_empty() && (case.is_some() || query.status.is_some()) {
            let ids_sql = match (&case, query.status) {
                (Some(_), None) => format!(
                    "SELECT record_id FROM case_members WHERE case_name = $1 \
                     ORDER BY created_at {dir}, record_id {dir} LIMIT $2 OFFSET $3"
                ),
                (Some(_), Some(f)) => format!(
                    "SELECT record_id FROM case_members WHERE case_name = $1 AND {} = 1 \
                     ORDER BY created_at {dir}, record_id {dir} LIMIT $2 OFFSET $3",
                    f.column()
                ),
                (None, f) => format!(
                    "SELECT record_id FROM record_flags WHERE {} = 1 AND $1 = '' \
                     ORDER BY created_at {dir}, record_id {dir} LIMIT $2 OFFSET $3",
                    f.map_or("signed", ListFilter::column)
                ),
            };
            let rows = sqlx::query(AssertSqlSafe(ids_sql))
                .bind(case.clone().unwrap_or_default())
                .bind(limit)
                .bind(offset)
                .fetch_all(&self.pool)
                .await?;
            let ids: Vec<String> = rows.iter().map(|r| get_text(r, "record_id")).collect::<Result<_, _>>()?;
            let facet = query.status.map_or("all", ListFilter::as_str);
            let total = sqlx::query("SELECT n FROM list_counts WHERE case_name = $1 AND facet = $2")
                .bind(case.clone().unwrap_or_default())
                .bind(facet)
                .fetch_optional(&self.pool)
                .await?
                .map(|r| get_u64(&r, "n"))
                .transpose()?
                .unwrap_or(0);
            (self.records_in_order(&ids).await?, total)
        } else {
            let mut filter =
                if search.is_empty() { "($1 = '')".to_owned() } else { self.engine.record_search().to_owned() };
            if case.is_some() {
                filter.push_str(" AND id IN (SELECT record_id FROM case_members WHERE case_name = $4)");
            }
            if let Some(f) = query.status {
                filter.push_str(&format!(" AND id IN (SELECT record_id FROM record_flags WHERE {} = 1)", f.column()));
            }
            let order = format!("created_at {dir}, id {dir}");
            let sql =
                format!("SELECT {RECORD_COLUMNS} FROM records WHERE {filter} ORDER BY {order} LIMIT $2 OFFSET $3");
            let mut q = sqlx::query(AssertSqlSafe(sql)).bind(search.clone()).bind(limit).bind(offset);
            if let Some(c) = &case {
                q = q.bind(c.clone());
            }
            let rows = q.fetch_all(&self.pool).await?;
            let mut records = rows.iter().map(record_from_row).collect::<Result<Vec<_>, _>>()?;
            self.attach_digests(&mut records).await?;
            // The count keeps the page's placeholders ($2, $3 always true) so the case stays $4.
            let count_sql = format!("SELECT COUNT(*) AS n FROM records WHERE {filter} AND $2 > 0 AND $3 >= 0");
            let mut q = sqlx::query(AssertSqlSafe(count_sql)).bind(search).bind(limit).bind(offset);
            if let Some(c) = &case {
                q = q.bind(c.clone());
            }
            (records, get_u64(&q.fetch_one(&self.pool).await?, "n")?)
        };
        let rows = self.record_rows_of(records, anchoring).await?;
        Ok(RecordPage { total, offset: query.offset, rows })
    }

    /// The records `ids`, in that order, with their digests.
    pub(super) async fn records_in_order(&self, ids: &[String]) -> Result<Vec<EvidenceRecord>, VaultError> {
        let select = format!("SELECT {RECORD_COLUMNS} FROM records WHERE id IN");
        let mut by_id: HashMap<String, EvidenceRecord> = HashMap::new();
        for row in self.rows_for_keys(&select, ids).await? {
            let record = record_from_row(&row)?;
            by_id.insert(record.id.clone(), record);
        }
        let mut records: Vec<EvidenceRecord> = ids.iter().filter_map(|id| by_id.remove(id)).collect();
        self.attach_digests(&mut records).await?;
        Ok(records)
    }

    /// The list rows of `records`: their status, signature and anchor, read for them alone.
    async fn record_rows_of(
        &self,
        records: Vec<EvidenceRecord>,
        anchoring: bool,
    ) -> Result<Vec<RecordRow>, VaultError> {
        let ids: Vec<String> = records.iter().map(|r| r.id.clone()).collect();
        let stamped = self.timestamped_among(&ids).await?;
        let signed = self.ids_among("signatures", &ids).await?;
        let dropped: HashSet<String> = sqlx::query("SELECT chain_anchor_id FROM anchor_drops")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| get_text(r, "chain_anchor_id"))
            .collect::<Result<_, _>>()?;
        let mut live_batches = HashSet::new();
        for row in sqlx::query("SELECT id, batch_id FROM chain_anchors").fetch_all(&self.pool).await? {
            if !dropped.contains(&get_text(&row, "id")?) {
                live_batches.insert(get_text(&row, "batch_id")?);
            }
        }
        let mut anchored = HashSet::new();
        for row in self.rows_for_keys("SELECT record_id, batch_id FROM anchor_leaves WHERE record_id IN", &ids).await? {
            if live_batches.contains(&get_text(&row, "batch_id")?) {
                anchored.insert(get_text(&row, "record_id")?);
            }
        }
        Ok(records
            .into_iter()
            .map(|record| {
                let is_anchored = anchored.contains(&record.id);
                RecordRow {
                    status: RecordStatus::of(&record, stamped.contains(&record.id)),
                    signed: signed.contains(&record.id),
                    anchored: is_anchored,
                    anchor_pending: anchoring && !is_anchored,
                    record,
                }
            })
            .collect())
    }

    /// Which of `ids` have a row in `table` (a table with a `record_id` column).
    async fn ids_among(&self, table: &'static str, ids: &[String]) -> Result<HashSet<String>, VaultError> {
        let select = format!("SELECT DISTINCT record_id FROM {table} WHERE record_id IN");
        self.rows_for_keys(&select, ids).await?.iter().map(|row| get_text(row, "record_id")).collect()
    }

    /// The rows of `select` (which ends in `… IN`) for `keys`, a chunk of keys per query.
    async fn rows_for_keys(&self, select: &str, keys: &[String]) -> Result<Vec<AnyRow>, VaultError> {
        let mut out = Vec::new();
        for chunk in keys.chunks(ROWS_PER_INSERT) {
            let mut q = sqlx::query(AssertSqlSafe(format!("{select} ({})", placeholders(1, chunk.len()))));
            for key in chunk {
                q = q.bind(key.clone());
            }
            out.extend(q.fetch_all(&self.pool).await?);
        }
        Ok(out)
    }

    /// One record by id, or by a prefix of its id that only it has, with its custody events.
    pub async fn record(&self, id_or_prefix: &str) -> Result<RecordDetail, VaultError> {
        let id = self.record_id_of(id_or_prefix).await?;
        let mut records = self.records_in_order(std::slice::from_ref(&id)).await?;
        if records.is_empty() {
            return Err(VaultError::RecordNotFound(id_or_prefix.to_owned()));
        }
        let record = records.remove(0);
        let rows = sqlx::query(
            "SELECT seq, kind, recorded_at, record_id, payload, prev_hash, hash FROM custody_events \
             WHERE record_id = $1 ORDER BY seq",
        )
        .bind(record.id.clone())
        .fetch_all(&self.pool)
        .await?;
        let events = rows.iter().map(event_from_row).collect::<Result<Vec<_>, _>>()?;
        let timestamps: Vec<EvidenceTimestamp> =
            self.timestamps(Some(&record.id)).await?.into_iter().map(|(t, _)| t).collect();
        let signatures: Vec<EvidenceSignature> =
            self.signatures(Some(&record.id)).await?.into_iter().map(|(g, _)| g).collect();
        let status = RecordStatus::of(&record, !timestamps.is_empty());
        let inclusion = self.inclusion(&record.id).await?;
        let cases = self.cases_of(&record.id).await?;
        Ok(RecordDetail { record, status, signatures, inclusion, timestamps, events, cases })
    }

    async fn attach_digests(&self, records: &mut [EvidenceRecord]) -> Result<(), VaultError> {
        let ids: Vec<String> = records.iter().map(|r| r.id.clone()).collect();
        let select = "SELECT record_id, algorithm, value FROM record_digests WHERE record_id IN";
        let mut by_id: HashMap<String, Digests> = HashMap::new();
        for row in self.rows_for_keys(select, &ids).await? {
            let algo: DigestAlgorithm = get_text(&row, "algorithm")?
                .parse()
                .map_err(|e: crate::digest::UnknownAlgorithm| VaultError::BadRow(e.to_string()))?;
            let value =
                DigestValue::from_hex(&get_text(&row, "value")?).map_err(|e| VaultError::BadRow(e.to_string()))?;
            by_id.entry(get_text(&row, "record_id")?).or_default().insert(algo, value);
        }
        for r in records.iter_mut() {
            r.digests = by_id.remove(&r.id).unwrap_or_default();
        }
        Ok(())
    }
}

pub(super) fn placeholders(start: usize, count: usize) -> String {
    (start..start + count).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

pub(super) fn rows_placeholders(rows: usize, cols: usize) -> String {
    (0..rows).map(|r| format!("({})", placeholders(r * cols + 1, cols))).collect::<Vec<_>>().join(", ")
}

pub(super) fn get_text(row: &AnyRow, col: &str) -> Result<String, VaultError> {
    row.try_get::<String, _>(col).map_err(|e| VaultError::BadRow(format!("{col}: {e}")))
}

pub(super) fn get_u64(row: &AnyRow, col: &str) -> Result<u64, VaultError> {
    let v: i64 = row.try_get(col).map_err(|e| VaultError::BadRow(format!("{col}: {e}")))?;
    u64::try_from(v).map_err(|_| VaultError::BadRow(format!("{col}: negative value {v}")))
}

fn record_from_row(row: &AnyRow) -> Result<EvidenceRecord, VaultError> {
    let int = |col: &str| row.try_get::<i64, _>(col).map_err(|e| VaultError::BadRow(format!("{col}: {e}")));
    record_from_columns((
        get_text(row, "id")?,
        get_text(row, "kind")?,
        get_text(row, "name")?,
        int("size")?,
        int("file_count")?,
        get_text(row, "media_type")?,
        get_text(row, "sha256")?,
        int("stored")?,
        get_text(row, "source_path")?,
        get_text(row, "profile")?,
        get_text(row, "created_at")?,
        int("timestamp_requested")?,
    ))
}

/// Appends custody events after the current head, inside the caller's transaction.
pub(super) async fn insert_events(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    specs: Vec<(CustodyEventKind, String, Option<String>, String)>,
) -> Result<Vec<CustodyEvent>, VaultError> {
    let row =
        sqlx::query("SELECT seq, hash FROM custody_events ORDER BY seq DESC LIMIT 1").fetch_optional(&mut **tx).await?;
    let mut prev = row.map(|r| Ok::<_, VaultError>((get_u64(&r, "seq")?, get_text(&r, "hash")?))).transpose()?;
    let mut events = Vec::with_capacity(specs.len());
    for (kind, at, record_id, payload) in specs {
        let event = CustodyEvent::next(prev.as_ref().map(|(s, h)| (*s, h.as_str())), kind, at, record_id, payload);
        prev = Some((event.seq, event.hash.clone()));
        events.push(event);
    }
    for chunk in events.chunks(ROWS_PER_INSERT) {
        let sql = format!(
            "INSERT INTO custody_events (seq, kind, recorded_at, record_id, payload, prev_hash, hash) VALUES {}",
            rows_placeholders(chunk.len(), 7)
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for e in chunk {
            q = q
                .bind(e.seq as i64)
                .bind(e.kind.clone())
                .bind(e.recorded_at.clone())
                .bind(e.record_id.clone())
                .bind(e.payload.clone())
                .bind(e.prev_hash.clone())
                .bind(e.hash.clone());
        }
        q.execute(&mut **tx).await?;
    }
    Ok(events)
}

fn event_from_row(row: &AnyRow) -> Result<CustodyEvent, VaultError> {
    Ok(CustodyEvent {
        seq: get_u64(row, "seq")?,
        kind: get_text(row, "kind")?,
        recorded_at: get_text(row, "recorded_at")?,
        record_id: row
            .try_get::<Option<String>, _>("record_id")
            .map_err(|e| VaultError::BadRow(format!("record_id: {e}")))?,
        payload: get_text(row, "payload")?,
        prev_hash: get_text(row, "prev_hash")?,
        hash: get_text(row, "hash")?,
    })
}

/// A record's columns, in `RECORD_COLUMNS` order.
type RecordColumns = (String, String, String, i64, i64, String, String, i64, String, String, String, i64);

/// A record from its columns; its SHA-256 column stands in for its digests until they are attached.
fn record_from_columns(c: RecordColumns) -> Result<EvidenceRecord, VaultError> {
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
