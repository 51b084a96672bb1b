//! `vault verify`'s read of the big tables as streams: the custody log in sequence order, and the
//! records with their digests, each on its own thread (SQLite, through its own library, so no
//! per-row cost of the generic driver is paid) or connection (PostgreSQL, `COPY … TO STDOUT`),
//! a chunk at a time through a bounded channel, so memory holds a few chunks however large the
//! vault grows.

use std::borrow::Cow;
use std::path::Path;

use futures_util::StreamExt;
use sqlx::Connection;
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
/// PostgreSQL, the first pass: each table by its key (its own index, in the server's collation),
/// merged here; the server's heap order does not follow the order of writing.
const PG_RECORDS_STORED_SQL: &str = "COPY (SELECT id, kind, name, size, file_count, media_type, sha256, stored, \
     source_path, profile, created_at, timestamp_requested FROM records ORDER BY id) TO STDOUT";
const PG_DIGESTS_STORED_SQL: &str =
    "COPY (SELECT record_id, algorithm, value FROM record_digests ORDER BY record_id, algorithm) TO STDOUT";
/// PostgreSQL, by key: each record with its digests as `algorithm=value,…`; digests whose record
/// is gone come with an empty id and their record id last.
const PG_RECORDS_SQL: &str = "COPY (SELECT r.id, r.kind, r.name, r.size, r.file_count, r.media_type, r.sha256, \
     r.stored, r.source_path, r.profile, r.created_at, r.timestamp_requested, d.digests, d.record_id \
     FROM records r FULL JOIN (SELECT record_id, string_agg(algorithm || '=' || value, ',') AS digests \
     FROM record_digests GROUP BY record_id) d ON d.record_id = r.id) TO STDOUT";

/// A record row as stored: its columns, its digests from their own table, and its SHA-256 column
/// (which must agree with them).
pub(super) struct StoredRecord {
    pub record: EvidenceRecord,
    pub sha256_column: String,
}

impl StoredRecord {
    /// An empty one, whose fields are then refilled row after row.
    fn blank() -> StoredRecord {
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
    /// they come in the records' order (on PostgreSQL, each table by its key, merged here). Any other
    /// arrangement (a record without its rows next, rows left over) ends the stream at once, marked
    /// [`RecordChunk::irregular`].
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
    /// `order` on SQLite); the caller drains both.
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
            VaultLocation::Postgres { url, shown, .. } => {
                let (url2, shown2) = (url.clone(), shown.clone());
                let (url, shown) = (url.clone(), shown.clone());
                tokio::spawn(async move {
                    let sql = format!("COPY ({EVENTS_SQL}) TO STDOUT");
                    let mut chain = Box::new(chain);
                    let sent =
                        pg_copy(&url, Path::new(&shown), &sql, &events_tx, |fields| pg_event(&mut chain, fields)).await;
                    let sent = match sent {
                        Ok(()) => {
                            let rest = chain.take();
                            let _ = events_tx.send(Ok(rest)).await;
                            events_tx.send(Ok(LogMessage::End(chain))).await.map_err(|_| ()).ok();
                            Ok(())
                        }
                        Err(e) => Err(e),
                    };
                    if let Err(e) = sent {
                        let _ = events_tx.send(Err(e)).await;
                    }
                });
                tokio::spawn(async move {
                    let sent = match order {
                        RecordOrder::Stored => pg_records_stored(&url2, Path::new(&shown2), &records_tx).await,
                        RecordOrder::Keyed => pg_records_keyed(&url2, Path::new(&shown2), &records_tx).await,
                    };
                    if let Err(e) = sent {
                        let _ = records_tx.send(Err(e)).await;
                    }
                });
            }
        }
        Scan { events, records }
    }
}

// --- SQLite -------------------------------------------------------------------------------------

fn open_sqlite(db: &Path) -> Result<rusqlite::Connection, VaultError> {
    use rusqlite::OpenFlags;
    let conn =
        rusqlite::Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .map_err(|e| corrupt(db, &e))?;
    // A larger page cache keeps the index pages the ordered reads walk.
    conn.execute_batch("PRAGMA cache_size = -16384;").map_err(|e| corrupt(db, &e))?;
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
    let conn = open_sqlite(db)?;
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
    let conn = open_sqlite(db)?;
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

// --- PostgreSQL ---------------------------------------------------------------------------------

async fn pg_connect(url: &str, shown: &Path) -> Result<sqlx::postgres::PgConnection, VaultError> {
    sqlx::postgres::PgConnection::connect(url)
        .await
        .map_err(|e| VaultError::Unreachable { shown: shown.to_owned(), detail: e.to_string() })
}

/// The rows of a `COPY … TO STDOUT` in text format, one at a time.
struct CopyRows<S> {
    stream: S,
    pending: Vec<u8>,
    start: usize,
}

impl<S, B> CopyRows<S>
where
    S: futures_util::Stream<Item = sqlx::Result<B>> + Unpin,
    B: AsRef<[u8]>,
{
    fn new(stream: S) -> CopyRows<S> {
        CopyRows { stream, pending: Vec::new(), start: 0 }
    }

    /// The next row's fields (borrowed where they hold no escapes); `None` once the table has
    /// been read.
    async fn next(&mut self) -> Result<Option<Vec<Option<Cow<'_, str>>>>, VaultError> {
        loop {
            if let Some(end) = memchr::memchr(b'\n', &self.pending[self.start..]) {
                let line = self.start..self.start + end;
                self.start += end + 1;
                return copy_fields(&self.pending[line]).map(Some);
            }
            self.pending.drain(..self.start);
            self.start = 0;
            match self.stream.next().await {
                Some(bytes) => self.pending.extend_from_slice(bytes?.as_ref()),
                None => return Ok(None),
            }
        }
    }
}

/// Runs `copy` and hands each row's fields to `row`, which answers a message to send when one is
/// ready.
async fn pg_copy<T: Send + 'static>(
    url: &str,
    shown: &Path,
    copy: &str,
    tx: &Sender<Result<T, VaultError>>,
    mut row: impl for<'a> FnMut(Vec<Option<Cow<'a, str>>>) -> Result<Option<T>, VaultError>,
) -> Result<(), VaultError> {
    let mut conn = pg_connect(url, shown).await?;
    let mut rows = CopyRows::new(conn.copy_out_raw(copy).await?);
    while let Some(fields) = rows.next().await? {
        if let Some(message) = row(fields)?
            && tx.send(Ok(message)).await.is_err()
        {
            return Ok(());
        }
    }
    drop(rows);
    let _ = conn.close().await;
    Ok(())
}

/// The records and their digest rows, each table on its own connection in the same order, merged
/// as on SQLite in storage order: a record without its digest rows next, or rows left over, ends
/// the stream as irregular (the check then runs again with the join made by the server).
async fn pg_records_stored(
    url: &str,
    shown: &Path,
    tx: &Sender<Result<RecordChunk, VaultError>>,
) -> Result<(), VaultError> {
    let mut records_conn = pg_connect(url, shown).await?;
    let mut digests_conn = pg_connect(url, shown).await?;
    let irregular = || RecordChunk { irregular: true, ..RecordChunk::default() };
    let mut records = CopyRows::new(records_conn.copy_out_raw(PG_RECORDS_STORED_SQL).await?);
    let mut digests = CopyRows::new(digests_conn.copy_out_raw(PG_DIGESTS_STORED_SQL).await?);
    let mut digest = digests.next().await?;
    let mut chunk = RecordChunk::default();
    let mut stored = StoredRecord::blank();
    while let Some(fields) = records.next().await? {
        fill_record(&mut stored, &fields)?;
        let mut found = false;
        while let Some(row) = &digest
            && row.first().and_then(|id| id.as_deref()) == Some(stored.record.id.as_str())
        {
            let [_, Some(algorithm), Some(value)] = row.as_slice() else {
                return Err(VaultError::BadRow(format!("a digest row of record {} is incomplete", stored.record.id)));
            };
            add_digest(&mut stored.record.digests, &stored.record.id, algorithm, value)?;
            found = true;
            digest = digests.next().await?;
        }
        if !found {
            let _ = tx.send(Ok(irregular())).await;
            return Ok(());
        }
        chunk.rows.push(RowFact::of(&stored.record, &stored.sha256_column, &mut chunk.json));
        if chunk.rows.len() >= CHUNK && tx.send(Ok(chunk.take())).await.is_err() {
            return Ok(());
        }
    }
    if digest.is_some() {
        let _ = tx.send(Ok(irregular())).await;
        return Ok(());
    }
    let _ = tx.send(Ok(chunk)).await;
    drop((records, digests));
    let _ = records_conn.close().await;
    let _ = digests_conn.close().await;
    Ok(())
}

/// The records with their digests by key, joined by the server: exact however the rows lie.
async fn pg_records_keyed(
    url: &str,
    shown: &Path,
    tx: &Sender<Result<RecordChunk, VaultError>>,
) -> Result<(), VaultError> {
    let mut chunk = RecordChunk::default();
    let mut stored = StoredRecord::blank();
    pg_copy(url, shown, PG_RECORDS_SQL, tx, |fields| pg_record(&mut chunk, &mut stored, fields)).await?;
    let _ = tx.send(Ok(chunk)).await;
    Ok(())
}

fn pg_event(chain: &mut ChainCheck, fields: Vec<Option<Cow<'_, str>>>) -> Result<Option<LogMessage>, VaultError> {
    let [seq, kind, recorded_at, record_id, payload, prev_hash, hash]: [Option<Cow<'_, str>>; 7] =
        fields.try_into().map_err(|f: Vec<_>| {
            VaultError::BadRow(format!("a custody event has {} columns where 7 were asked for", f.len()))
        })?;
    let seq_text = seq.unwrap_or_default();
    let seq: u64 = seq_text.parse().map_err(|_| {
        VaultError::BadRow(format!(
            "a custody event has the sequence number `{seq_text}`: rows without a valid one were inserted"
        ))
    })?;
    fn text<'a>(v: &'a Option<Cow<'_, str>>, seq: u64, col: &str) -> Result<&'a str, VaultError> {
        v.as_deref().ok_or_else(|| VaultError::BadRow(format!("custody event #{seq} has no {col}")))
    }
    let fields = EventFields {
        seq,
        kind: text(&kind, seq, "kind")?,
        recorded_at: text(&recorded_at, seq, "recorded_at")?,
        record_id: record_id.as_deref(),
        payload: text(&payload, seq, "payload")?,
        prev_hash: text(&prev_hash, seq, "prev_hash")?,
    };
    Ok(chain.event(fields, text(&hash, seq, "hash")?).then(|| chain.take()))
}

fn pg_record(
    chunk: &mut RecordChunk,
    stored: &mut StoredRecord,
    fields: Vec<Option<Cow<'_, str>>>,
) -> Result<Option<RecordChunk>, VaultError> {
    let [record @ .., digests, digest_owner]: &[Option<Cow<'_, str>>; 14] =
        fields.as_slice().try_into().map_err(|_| {
            VaultError::BadRow(format!("a record row has {} columns where 14 were asked for", fields.len()))
        })?;
    if record[0].is_none() {
        chunk.stray_digests.push(digest_owner.as_deref().unwrap_or_default().to_owned());
    } else {
        fill_record(stored, record)?;
        for pair in digests.iter().flat_map(|d| d.split(',')) {
            let (algorithm, value) = pair.split_once('=').unwrap_or((pair, ""));
            add_digest(&mut stored.record.digests, &stored.record.id, algorithm, value)?;
        }
        chunk.rows.push(RowFact::of(&stored.record, &stored.sha256_column, &mut chunk.json));
    }
    Ok((chunk.rows.len() >= CHUNK).then(|| chunk.take()))
}

/// The fields of one line of COPY's text format: tab-separated, `\N` for NULL, backslash escapes.
fn copy_fields(line: &[u8]) -> Result<Vec<Option<Cow<'_, str>>>, VaultError> {
    let line = std::str::from_utf8(line).map_err(|_| VaultError::BadRow("a row is not valid UTF-8".into()))?;
    let mut out = Vec::with_capacity(14);
    let mut start = 0;
    // Tabs are ASCII: each one is a boundary between characters.
    let ends = memchr::memchr_iter(b'\t', line.as_bytes()).chain(std::iter::once(line.len()));
    for end in ends {
        let raw = &line[start..end];
        start = end + 1;
        if raw == "\\N" {
            out.push(None);
        } else if memchr::memchr(b'\\', raw.as_bytes()).is_none() {
            out.push(Some(Cow::Borrowed(raw)));
        } else {
            let mut field = String::with_capacity(raw.len());
            let mut chars = raw.chars();
            while let Some(c) = chars.next() {
                if c != '\\' {
                    field.push(c);
                    continue;
                }
                match chars.next() {
                    Some('n') => field.push('\n'),
                    Some('t') => field.push('\t'),
                    Some('r') => field.push('\r'),
                    Some('b') => field.push('\u{8}'),
                    Some('f') => field.push('\u{c}'),
                    Some('v') => field.push('\u{b}'),
                    Some(other) => field.push(other),
                    None => {}
                }
            }
            out.push(Some(Cow::Owned(field)));
        }
    }
    Ok(out)
}

// --- rows from their fields ------------------------------------------------------------------------

/// Refills `stored` from the 12 fields of a record row (its digests are cleared).
fn fill_record(stored: &mut StoredRecord, fields: &[Option<Cow<'_, str>>]) -> Result<(), VaultError> {
    let [id, kind, name, size, file_count, media_type, sha256, flag, source_path, profile, created_at, requested] =
        fields
    else {
        return Err(VaultError::BadRow(format!("a record row has {} columns", fields.len())));
    };
    let id = id.as_deref().ok_or_else(|| VaultError::BadRow("a record row has no id".into()))?;
    let text = |v: &Option<Cow<'_, str>>, col: &str, into: &mut String| -> Result<(), VaultError> {
        let v = v.as_deref().ok_or_else(|| VaultError::BadRow(format!("record {id} has no {col}")))?;
        into.clear();
        into.push_str(v);
        Ok(())
    };
    let number = |v: &Option<Cow<'_, str>>, col: &str| -> Result<u64, VaultError> {
        let v = v.as_deref().unwrap_or_default();
        v.parse().map_err(|_| VaultError::BadRow(format!("record {id}: {col} is `{v}`")))
    };
    let kind_text = kind.as_deref().ok_or_else(|| VaultError::BadRow(format!("record {id} has no kind")))?;
    let record = &mut stored.record;
    record.kind = SubjectKind::parse(kind_text).ok_or_else(|| VaultError::BadRow(format!("kind `{kind_text}`")))?;
    text(name, "name", &mut record.name)?;
    record.size = number(size, "size")?;
    record.file_count = number(file_count, "file_count")?;
    text(media_type, "media_type", &mut record.media_type)?;
    record.digests = Digests::default();
    record.stored = number(flag, "stored")? != 0;
    text(source_path, "source_path", &mut record.source_path)?;
    text(profile, "profile", &mut record.profile)?;
    text(created_at, "created_at", &mut record.created_at)?;
    record.timestamp_requested = number(requested, "timestamp_requested")? != 0;
    record.id.clear();
    record.id.push_str(id);
    text(sha256, "sha256", &mut stored.sha256_column)
}

fn add_digest(digests: &mut Digests, id: &str, algorithm: &str, value: &str) -> Result<(), VaultError> {
    let algo: DigestAlgorithm =
        algorithm.parse().map_err(|e: crate::digest::UnknownAlgorithm| VaultError::BadRow(e.to_string()))?;
    let value = DigestValue::from_hex(value).map_err(|e| VaultError::BadRow(format!("digest of record {id}: {e}")))?;
    digests.insert(algo, value);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_fields_reads_nulls_escapes_and_text_beyond_ascii() {
        let fields = copy_fields("a\t\\N\t\tx\\ty\\\\z\\nw\t证据".as_bytes()).unwrap();
        let fields: Vec<Option<&str>> = fields.iter().map(|f| f.as_deref()).collect();
        assert_eq!(fields, [Some("a"), None, Some(""), Some("x\ty\\z\nw"), Some("证据")]);
        assert!(matches!(copy_fields(&[b'a', 0xff]), Err(VaultError::BadRow(_))));
    }
}
