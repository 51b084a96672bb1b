//! `vault verify`'s read of the big tables as streams: the custody log in sequence order, and the
//! records with their digests, each on its own thread (SQLite, through its own library, so no
//! per-row cost of the generic driver is paid) or connection (PostgreSQL, see `pg_scan`), a
//! chunk at a time through a bounded channel, so memory holds a few chunks however large the
//! vault grows.

use std::path::Path;

use tokio::sync::mpsc::{Receiver, Sender, channel};

use super::custody::EventFields;
use super::log_pass::{CHUNK, ChainCheck, LogMessage, RecordChunk, RowFact};
use super::record::{EvidenceRecord, SubjectKind};
use super::{DB_FILE, Vault, VaultError, VaultLocation};
use crate::digest::{DigestAlgorithm, DigestValue, Digests};

/// Chunks read ahead of the check, per stream.
const AHEAD: usize = 8;

const EVENTS_SQL: &str =
    "SELECT seq, kind, recorded_at, record_id, payload, prev_hash, hash FROM custody_events ORDER BY seq";
const RECORDS_SQL: &str = "SELECT id, kind, name, size, file_count, media_type, sha256, stored, source_path, profile, \
                           created_at, timestamp_requested FROM records";
const DIGESTS_SQL: &str = "SELECT record_id, algorithm, value FROM record_digests";
/// A record row as stored: its columns, its digests from their own table, and its SHA-256 column
/// (which must agree with them).
#[derive(Clone)]
pub(super) struct StoredRecord {
    pub record: EvidenceRecord,
    pub sha256_column: String,
}

impl StoredRecord {
    /// An empty one, whose fields are then refilled row after row.
    pub(super) fn blank() -> StoredRecord {
        StoredRecord {
            record: EvidenceRecord {
                id: String::new(),
                kind: SubjectKind::File,
                name: String::new(),
                size: 0,
                file_count: 0,
                media_type: String::new(),
                digests: Digests::default(),
                stored: false,
                source_path: String::new(),
                profile: String::new(),
                created_at: String::new(),
                timestamp_requested: false,
            },
            sha256_column: String::new(),
        }
    }
}

/// The order the records and their digest rows are read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum RecordOrder {
    /// As stored, each table straight through: Evidentia writes a record's digest rows with it, so
    /// they come in the records' order. Any other arrangement (a record without its rows next, rows
    /// left over) ends the stream at once, marked [`RecordChunk::irregular`]. On PostgreSQL, where
    /// writers working at the same time interleave their rows, partners a little apart are paired
    /// all the same, and the custody log too is read as laid out; either ends as irregular when it
    /// lies too far from the order of writing (see `pg_scan`).
    Stored,
    /// Both tables by record id, through their keys (on PostgreSQL, joined by the server): exact
    /// however the rows lie, and slower.
    Keyed,
}

impl RecordOrder {
    fn sql(self) -> (String, String) {
        match self {
            RecordOrder::Stored => (format!("{RECORDS_SQL} ORDER BY rowid"), format!("{DIGESTS_SQL} ORDER BY rowid")),
            RecordOrder::Keyed => {
                (format!("{RECORDS_SQL} ORDER BY id"), format!("{DIGESTS_SQL} ORDER BY record_id, algorithm"))
            }
        }
    }
}

/// The two streams.
pub(super) struct Scan {
    pub events: Receiver<Result<LogMessage, VaultError>>,
    pub records: Receiver<Result<RecordChunk, VaultError>>,
}

impl Vault {
    /// Starts reading the custody log (checked by `chain` as it passes) and the records (in
    /// `order`); the caller drains both.
    pub(super) fn scan(&self, chain: ChainCheck, order: RecordOrder) -> Scan {
        let (events_tx, events) = channel(AHEAD);
        let (records_tx, records) = channel(AHEAD);
        match &self.location {
            VaultLocation::Folder(dir) => {
                let db = dir.join(DB_FILE);
                let db2 = db.clone();
                std::thread::spawn(move || {
                    if let Err(e) = sqlite_events(&db, chain, &events_tx) {
                        let _ = events_tx.blocking_send(Err(e));
                    }
                });
                std::thread::spawn(move || {
                    if let Err(e) = sqlite_records(&db2, order, &records_tx) {
                        let _ = records_tx.blocking_send(Err(e));
                    }
                });
            }
            location @ VaultLocation::Postgres { .. } => {
                super::pg_scan::start(location, chain, order, events_tx, records_tx);
            }
        }
        Scan { events, records }
    }
}

// --- SQLite -------------------------------------------------------------------------------------

/// A read-only connection; `by_index`: its reads walk an index, whose pages a larger cache keeps
/// (reads in storage order visit each page once, and their cache would only fill memory).
fn open_sqlite(db: &Path, by_index: bool) -> Result<rusqlite::Connection, VaultError> {
    use rusqlite::OpenFlags;
    let conn =
        rusqlite::Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .map_err(|e| corrupt(db, &e))?;
    if by_index {
        conn.execute_batch("PRAGMA cache_size = -16384;").map_err(|e| corrupt(db, &e))?;
    }
    Ok(conn)
}

fn corrupt(db: &Path, e: &rusqlite::Error) -> VaultError {
    VaultError::Corrupt { path: db.to_owned(), detail: e.to_string() }
}

fn bad_row(table: &str, e: &rusqlite::Error) -> VaultError {
    VaultError::BadRow(format!("a row of {table} cannot be read ({e})"))
}

fn sqlite_events(
    db: &Path,
    mut chain: ChainCheck,
    tx: &Sender<Result<LogMessage, VaultError>>,
) -> Result<(), VaultError> {
    // The log's table is kept in sequence order (its key is the row id).
    let conn = open_sqlite(db, false)?;
    let mut stmt = conn.prepare(EVENTS_SQL).map_err(|e| corrupt(db, &e))?;
    let mut rows = stmt.query([]).map_err(|e| corrupt(db, &e))?;
    let table = "custody_events";
    while let Some(row) = rows.next().map_err(|e| corrupt(db, &e))? {
        // The columns are read where SQLite holds them, not copied.
        let text = |i: usize| -> Result<&str, VaultError> {
            row.get_ref(i).and_then(|v| v.as_str().map_err(rusqlite::Error::from)).map_err(|e| bad_row(table, &e))
        };
        let seq = row.get::<_, Option<i64>>(0).map_err(|e| bad_row(table, &e))?;
        let seq = seq.and_then(|s| u64::try_from(s).ok()).ok_or_else(|| {
            VaultError::BadRow(format!(
                "a custody event has the sequence number {seq:?}: rows without a valid one were inserted"
            ))
        })?;
        let record_id = match row.get_ref(3).map_err(|e| bad_row(table, &e))? {
            rusqlite::types::ValueRef::Null => None,
            v => Some(v.as_str().map_err(|e| bad_row(table, &rusqlite::Error::from(e)))?),
        };
        let fields = EventFields {
            seq,
            kind: text(1)?,
            recorded_at: text(2)?,
            record_id,
            payload: text(4)?,
            prev_hash: text(5)?,
        };
        if chain.event(fields, text(6)?) && tx.blocking_send(Ok(chain.take())).is_err() {
            return Ok(());
        }
    }
    let _ = tx.blocking_send(Ok(chain.take()));
    let _ = tx.blocking_send(Ok(LogMessage::End(Box::new(chain))));
    Ok(())
}

fn sqlite_records(
    db: &Path,
    order: RecordOrder,
    tx: &Sender<Result<RecordChunk, VaultError>>,
) -> Result<(), VaultError> {
    let conn = open_sqlite(db, order == RecordOrder::Keyed)?;
    let (records_sql, digests_sql) = order.sql();
    let mut records_stmt = conn.prepare(&records_sql).map_err(|e| corrupt(db, &e))?;
    let mut digests_stmt = conn.prepare(&digests_sql).map_err(|e| corrupt(db, &e))?;
    let mut records = records_stmt.query([]).map_err(|e| corrupt(db, &e))?;
    let mut digests = digests_stmt.query([]).map_err(|e| corrupt(db, &e))?;
    // The digest row under the cursor, copied into buffers reused from row to row.
    let mut digest = DigestRow::default();
    digest.next(db, &mut digests)?;
    // One record and its SHA-256 column, refilled for each row.
    let StoredRecord { mut record, mut sha256_column } = StoredRecord::blank();
    let mut chunk = RecordChunk::default();
    let table = "records";
    while let Some(row) = records.next().map_err(|e| corrupt(db, &e))? {
        let fill = |i: usize, into: &mut String| -> Result<(), VaultError> {
            let text = row
                .get_ref(i)
                .and_then(|v| v.as_str().map_err(rusqlite::Error::from))
                .map_err(|e| bad_row(table, &e))?;
            into.clear();
            into.push_str(text);
            Ok(())
        };
        let number = |i: usize| -> Result<u64, VaultError> {
            let v: i64 = row.get(i).map_err(|e| bad_row(table, &e))?;
            u64::try_from(v).map_err(|_| VaultError::BadRow(format!("a record has the negative value {v}")))
        };
        fill(0, &mut record.id)?;
        let kind =
            row.get_ref(1).and_then(|v| v.as_str().map_err(rusqlite::Error::from)).map_err(|e| bad_row(table, &e))?;
        record.kind = SubjectKind::parse(kind).ok_or_else(|| VaultError::BadRow(format!("kind `{kind}`")))?;
        fill(2, &mut record.name)?;
        record.size = number(3)?;
        record.file_count = number(4)?;
        fill(5, &mut record.media_type)?;
        fill(6, &mut sha256_column)?;
        record.stored = number(7)? != 0;
        fill(8, &mut record.source_path)?;
        fill(9, &mut record.profile)?;
        fill(10, &mut record.created_at)?;
        record.timestamp_requested = number(11)? != 0;
        record.digests = Digests::default();
        if order == RecordOrder::Stored {
            // This record's digest rows come next, or the rows lie otherwise than Evidentia writes them.
            let mut found = false;
            while digest.present && digest.record_id == record.id {
                add_digest(&mut record.digests, &record.id, &digest.algorithm, &digest.value)?;
                found = true;
                digest.next(db, &mut digests)?;
            }
            if !found {
                let _ = tx.blocking_send(Ok(RecordChunk { irregular: true, ..RecordChunk::default() }));
                return Ok(());
            }
        }
        // Keyed: digest rows come in the same (byte) order of ids: those before this record's are strays.
        while order == RecordOrder::Keyed && digest.present {
            match digest.record_id.as_str().cmp(record.id.as_str()) {
                std::cmp::Ordering::Greater => break,
                std::cmp::Ordering::Less => {
                    if chunk.stray_digests.last() != Some(&digest.record_id) {
                        chunk.stray_digests.push(digest.record_id.clone());
                    }
                }
                std::cmp::Ordering::Equal => {
                    add_digest(&mut record.digests, &record.id, &digest.algorithm, &digest.value)?
                }
            }
            digest.next(db, &mut digests)?;
        }
        chunk.rows.push(RowFact::of(&record, &sha256_column, &mut chunk.json));
        if chunk.rows.len() == CHUNK && tx.blocking_send(Ok(chunk.take())).is_err() {
            return Ok(());
        }
    }
    if order == RecordOrder::Stored && digest.present {
        let _ = tx.blocking_send(Ok(RecordChunk { irregular: true, ..RecordChunk::default() }));
        return Ok(());
    }
    while digest.present {
        if chunk.stray_digests.last() != Some(&digest.record_id) {
            chunk.stray_digests.push(digest.record_id.clone());
        }
        digest.next(db, &mut digests)?;
    }
    if !chunk.rows.is_empty() || !chunk.stray_digests.is_empty() {
        let _ = tx.blocking_send(Ok(chunk));
    }
    Ok(())
}

/// The digest row under a cursor.
#[derive(Default)]
struct DigestRow {
    present: bool,
    record_id: String,
    algorithm: String,
    value: String,
}

impl DigestRow {
    fn next(&mut self, db: &Path, rows: &mut rusqlite::Rows<'_>) -> Result<(), VaultError> {
        self.present = false;
        if let Some(row) = rows.next().map_err(|e| corrupt(db, &e))? {
            for (i, into) in [&mut self.record_id, &mut self.algorithm, &mut self.value].into_iter().enumerate() {
                let text = row
                    .get_ref(i)
                    .and_then(|v| v.as_str().map_err(rusqlite::Error::from))
                    .map_err(|e| bad_row("record_digests", &e))?;
                into.clear();
                into.push_str(text);
            }
            self.present = true;
        }
        Ok(())
    }
}

// --- rows from their fields ------------------------------------------------------------------------

pub(super) fn add_digest(digests: &mut Digests, id: &str, algorithm: &str, value: &str) -> Result<(), VaultError> {
    let algo: DigestAlgorithm =
        algorithm.parse().map_err(|e: crate::digest::UnknownAlgorithm| VaultError::BadRow(e.to_string()))?;
    let value = DigestValue::from_hex(value).map_err(|e| VaultError::BadRow(format!("digest of record {id}: {e}")))?;
    digests.insert(algo, value);
    Ok(())
}
