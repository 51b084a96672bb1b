//! `vault verify`'s reads on PostgreSQL: each big table through `COPY … TO STDOUT (FORMAT binary)`
//! on its own connection. Binary rows save the server escaping each text and this side unescaping
//! it and parsing numbers. The custody log is read as the server lays it out (its cheapest read):
//! that is the order of writing, but for newer events placed in older pages' free space, which
//! wait here for their turn. The records and their digest rows are read as laid out too, and
//! paired here by record id.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::Path;

use bytes::Bytes;
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use sqlx::Connection;
use sqlx::postgres::PgConnection;
use tokio::sync::mpsc::Sender;

use super::cases::CaseRows;
use super::custody::EventFields;
use super::log_pass::{CHUNK, ChainCheck, LogMessage, RecordChunk, RowFact};
use super::pg_copy;
use super::record::SubjectKind;
use super::scan::{RecordOrder, StoredRecord, add_digest};
use super::{VaultError, VaultLocation};
use crate::digest::Digests;

/// Names of the record columns, as read by both record statements (for messages).
const RECORD_COLUMNS: [&str; 12] = [
    "id",
    "kind",
    "name",
    "size",
    "file_count",
    "media_type",
    "sha256",
    "stored",
    "source_path",
    "profile",
    "created_at",
    "timestamp_requested",
];
// Text comes in the connection's encoding (UTF-8) in binary copies too: the server converts it as
// it sends each value.
const EVENTS_COPY: &str = "COPY (SELECT seq, kind, recorded_at, record_id, payload, prev_hash, hash \
     FROM custody_events ORDER BY seq) TO STDOUT (FORMAT binary)";
// A table's own copy (not a query's) reads it as laid out without the executor's work per row.
const EVENTS_LAID_OUT_COPY: &str =
    "COPY custody_events (seq, kind, recorded_at, record_id, payload, prev_hash, hash) TO STDOUT (FORMAT binary)";
/// Bytes of the events read before their turn that may wait; beyond, the pass is made again with
/// the log read by sequence number.
const EARLY_EVENTS_BYTES: usize = 32 << 20;
const EVENT_FIELDS: usize = 7;
const RECORDS_LAID_OUT_COPY: &str = "COPY records (id, kind, name, size, file_count, media_type, sha256, stored, \
     source_path, profile, created_at, timestamp_requested) TO STDOUT (FORMAT binary)";
const DIGESTS_LAID_OUT_COPY: &str = "COPY record_digests (record_id, algorithm, value) TO STDOUT (FORMAT binary)";
/// Records and runs of digest rows that may wait for their partner (see [`records_stored`]).
const UNPAIRED_LIMIT: usize = 65_536;
const DIGEST_FIELDS: usize = 3;
/// By key: each record with its digests as `algorithm=value,…`; digest rows whose record is gone
/// come with an empty id and their record id last.
const KEYED_RECORDS_COPY: &str = "COPY (SELECT r.id, r.kind, r.name, r.size, r.file_count, r.media_type, \
     r.sha256, r.stored, r.source_path, r.profile, r.created_at, r.timestamp_requested, d.digests, d.record_id \
     FROM records r FULL JOIN (SELECT record_id, string_agg(algorithm || '=' || value, ',') AS digests \
     FROM record_digests GROUP BY record_id) d ON d.record_id = r.id) TO STDOUT (FORMAT binary)";
const KEYED_RECORD_FIELDS: usize = 14;

/// The case tables (see `Vault::case_rows`): read whole, and in binary, on a connection of their
/// own, which costs the server far less than building them as JSON.
const CASES_COPY: &str = "COPY cases (name, opened_seq) TO STDOUT (FORMAT binary)";
const CASE_CHANGES_COPY: &str = "COPY case_changes (seq, case_name, record_id, added) TO STDOUT (FORMAT binary)";
const CASE_MEMBERS_COPY: &str = "COPY case_members (case_name, record_id) TO STDOUT (FORMAT binary)";

/// A connection for one table's read. Its scans start at the table's first page: by default the
/// server starts a scan of a large table where another scan of it is (or where the last one
/// stopped), which would lay out the rows from the middle of the table and part every record from
/// its digest rows.
async fn connect(url: &str, shown: &Path) -> Result<PgConnection, VaultError> {
    let unreachable = |e: sqlx::Error| VaultError::Unreachable { shown: shown.to_owned(), detail: e.to_string() };
    let mut conn = PgConnection::connect(url).await.map_err(unreachable)?;
    sqlx::query("SET synchronize_seqscans = off").execute(&mut conn).await.map_err(unreachable)?;
    Ok(conn)
}

/// The rows of a table copy: read on a connection of its own in large blocks (see [`pg_copy`]),
/// or, where that cannot log in as the general client does, through a connection of the general
/// client put in `conn`.
async fn open_copy<'c>(
    url: &str,
    shown: &Path,
    conn: &'c mut Option<PgConnection>,
    sql: &str,
) -> Result<CopyRows<BoxStream<'c, Result<Bytes, VaultError>>, Bytes>, VaultError> {
    if let Ok(copy) = pg_copy::open(url, shown, sql).await {
        return Ok(CopyRows::new(copy.into_stream().boxed()));
    }
    let conn = conn.insert(connect(url, shown).await?);
    Ok(CopyRows::new(messages(conn.copy_out_raw(sql).await?)))
}

/// A copy's messages from the general client, with its errors as the vault's.
fn messages<'c>(stream: BoxStream<'c, sqlx::Result<Bytes>>) -> BoxStream<'c, Result<Bytes, VaultError>> {
    stream.map(|message| message.map_err(VaultError::from)).boxed()
}

async fn close(conn: Option<PgConnection>) {
    if let Some(conn) = conn {
        let _ = conn.close().await;
    }
}

/// Starts the PostgreSQL streams of a scan (see [`super::scan`]).
pub(super) fn start(
    location: &VaultLocation,
    chain: ChainCheck,
    order: RecordOrder,
    events_tx: Sender<Result<LogMessage, VaultError>>,
    records_tx: Sender<Result<RecordChunk, VaultError>>,
) {
    let VaultLocation::Postgres { url, shown, .. } = location else { return };
    let (url2, shown2) = (url.clone(), shown.clone());
    let (url, shown) = (url.clone(), shown.clone());
    tokio::spawn(async move {
        if let Err(e) = events(&url, Path::new(&shown), chain, order, &events_tx).await {
            let _ = events_tx.send(Err(e)).await;
        }
    });
    tokio::spawn(async move {
        let sent = match order {
            RecordOrder::Stored => records_stored(&url2, Path::new(&shown2), &records_tx).await,
            RecordOrder::Keyed => records_keyed(&url2, Path::new(&shown2), &records_tx).await,
        };
        if let Err(e) = sent {
            let _ = records_tx.send(Err(e)).await;
        }
    });
}

/// The case tables as `vault verify` checks them.
pub(super) async fn case_rows(url: &str, shown: &Path) -> Result<CaseRows, VaultError> {
    let mut conn = connect(url, shown).await?;
    let mut rows = CaseRows { cases: Vec::new(), changes: Vec::new(), members: Vec::new() };
    let text = |row: &CopyRow<'_>, i: usize, table: &str| -> Result<String, VaultError> {
        let value = row.text(i)?.ok_or_else(|| VaultError::BadRow(format!("a row of {table} is incomplete")))?;
        Ok(value.to_owned())
    };
    let number = |row: &CopyRow<'_>, i: usize, table: &str| -> Result<i64, VaultError> {
        row.int(i).ok_or_else(|| VaultError::BadRow(format!("a row of {table} is incomplete")))
    };
    let mut copy = CopyRows::new(messages(conn.copy_out_raw(CASES_COPY).await?));
    while let Some(row) = copy.next().await? {
        let row = row.expect_fields(2, "cases")?;
        let seq = number(&row, 1, "cases")?;
        let seq = u64::try_from(seq).map_err(|_| VaultError::BadRow(format!("a case was opened by event #{seq}")))?;
        rows.cases.push((text(&row, 0, "cases")?, seq));
    }
    copy.finish().await?;
    let mut copy = CopyRows::new(messages(conn.copy_out_raw(CASE_CHANGES_COPY).await?));
    while let Some(row) = copy.next().await? {
        let (row, table) = (row.expect_fields(4, "case_changes")?, "case_changes");
        rows.changes.push((
            number(&row, 0, table)?,
            text(&row, 1, table)?,
            text(&row, 2, table)?,
            number(&row, 3, table)?,
        ));
    }
    copy.finish().await?;
    let mut copy = CopyRows::new(messages(conn.copy_out_raw(CASE_MEMBERS_COPY).await?));
    while let Some(row) = copy.next().await? {
        let row = row.expect_fields(2, "case_members")?;
        rows.members.push((text(&row, 0, "case_members")?, text(&row, 1, "case_members")?));
    }
    copy.finish().await?;
    let _ = conn.close().await;
    Ok(rows)
}

/// The custody log, checked by `chain` in sequence order as it passes: read as laid out
/// (`Stored`, see the module's comment), or by sequence number.
async fn events(
    url: &str,
    shown: &Path,
    mut chain: ChainCheck,
    order: RecordOrder,
    tx: &Sender<Result<LogMessage, VaultError>>,
) -> Result<(), VaultError> {
    let laid_out = order == RecordOrder::Stored;
    let mut conn = None;
    let mut rows = open_copy(url, shown, &mut conn, if laid_out { EVENTS_LAID_OUT_COPY } else { EVENTS_COPY }).await?;
    // Events read before their turn, by sequence number, and the one whose turn it is.
    let mut early: BTreeMap<u64, HeldRow> = BTreeMap::new();
    let mut early_bytes = 0;
    let mut held_fields = Vec::new();
    let mut turn = 1;
    while let Some(row) = rows.next().await? {
        let row = row.expect_fields(EVENT_FIELDS, "custody event")?;
        let seq = event_seq(&row)?;
        if laid_out && seq != turn {
            let held = HeldRow::of(&row)?;
            early_bytes += held.0.len();
            if seq < turn || early_bytes > EARLY_EVENTS_BYTES || early.insert(seq, held).is_some() {
                // Read twice, or too far from the order of writing.
                let _ = tx.send(Ok(LogMessage::Irregular)).await;
                return Ok(());
            }
            continue;
        }
        if event(&mut chain, seq, &row)? && tx.send(Ok(chain.take())).await.is_err() {
            return Ok(());
        }
        turn = seq + 1;
        while let Some(entry) = early.first_entry().filter(|e| *e.key() == turn) {
            let held = entry.remove();
            early_bytes -= held.0.len();
            if event(&mut chain, turn, &held.row(&mut held_fields)?)? && tx.send(Ok(chain.take())).await.is_err() {
                return Ok(());
            }
            turn += 1;
        }
    }
    // Events after a gap in the sequence (the check names it), in order.
    for (seq, held) in early {
        if event(&mut chain, seq, &held.row(&mut held_fields)?)? && tx.send(Ok(chain.take())).await.is_err() {
            return Ok(());
        }
    }
    drop(rows);
    close(conn).await;
    let _ = tx.send(Ok(chain.take())).await;
    let _ = tx.send(Ok(LogMessage::End(Box::new(chain)))).await;
    Ok(())
}

fn event_seq(row: &CopyRow<'_>) -> Result<u64, VaultError> {
    row.int(0).and_then(|s| u64::try_from(s).ok()).ok_or_else(|| {
        VaultError::BadRow("a custody event has no valid sequence number: rows without one were inserted".into())
    })
}

/// Passes event `seq` to the chain's check; `true` when a message is ready to send.
fn event(chain: &mut ChainCheck, seq: u64, row: &CopyRow<'_>) -> Result<bool, VaultError> {
    let text = |i: usize, col: &str| -> Result<&str, VaultError> {
        row.text(i)?.ok_or_else(|| VaultError::BadRow(format!("custody event #{seq} has no {col}")))
    };
    let fields = EventFields {
        seq,
        kind: text(1, "kind")?,
        recorded_at: text(2, "recorded_at")?,
        record_id: row.text(3)?,
        payload: text(4, "payload")?,
        prev_hash: text(5, "prev_hash")?,
    };
    Ok(chain.event(fields, text(6, "hash")?))
}

/// The records and their digest rows, each table as laid out on its own connection, paired by
/// record id. Evidentia writes a record's digest rows with it, so partners mostly meet at once; a
/// record, or a record's run of digest rows, whose partner has not come yet waits for it (writers
/// working at the same time, or a row moved by an update, part them). Anything left unpaired at the
/// end, a run met twice, or more than [`UNPAIRED_LIMIT`] waiting ends the stream as irregular (the
/// pass is then made by key, which names what is wrong).
async fn records_stored(
    url: &str,
    shown: &Path,
    tx: &Sender<Result<RecordChunk, VaultError>>,
) -> Result<(), VaultError> {
    let (mut records_conn, mut digests_conn) = (None, None);
    let irregular = || RecordChunk { irregular: true, ..RecordChunk::default() };
    let mut records = open_copy(url, shown, &mut records_conn, RECORDS_LAID_OUT_COPY).await?;
    let mut digests = open_copy(url, shown, &mut digests_conn, DIGESTS_LAID_OUT_COPY).await?;
    let mut chunk = RecordChunk::default();
    let mut stored = StoredRecord::blank();
    let mut run = DigestRun::default();
    let mut waiting_records: HashMap<String, StoredRecord> = HashMap::new();
    // Records that waited and were paired: their buffers serve the rows to come.
    let mut spare: Vec<StoredRecord> = Vec::new();
    let mut waiting_runs: HashMap<String, Digests> = HashMap::new();
    let (mut records_left, mut runs_left) = (true, digests.advance().await?);
    while records_left || runs_left {
        // A record and a run, side by side.
        let record_read = records_left
            && match records.next().await? {
                Some(row) => {
                    fill_record(&mut stored, &row.expect_fields(RECORD_COLUMNS.len(), "record")?)?;
                    true
                }
                None => false,
            };
        records_left = record_read;
        let run_read = runs_left;
        if run_read {
            runs_left = run.read(&mut digests).await?;
        }
        if record_read && run_read && run.id == stored.record.id {
            stored.record.digests = std::mem::take(&mut run.digests);
            chunk.rows.push(RowFact::of(&stored.record, &stored.sha256_column, &mut chunk.json));
        } else {
            if record_read {
                match waiting_runs.remove(&stored.record.id) {
                    Some(digests) => {
                        stored.record.digests = digests;
                        chunk.rows.push(RowFact::of(&stored.record, &stored.sha256_column, &mut chunk.json));
                    }
                    None => {
                        // The record waits; its buffers are taken, not copied.
                        let record = std::mem::replace(&mut stored, spare.pop().unwrap_or_else(StoredRecord::blank));
                        if waiting_records.insert(record.record.id.clone(), record).is_some() {
                            let _ = tx.send(Ok(irregular())).await;
                            return Ok(());
                        }
                    }
                }
            }
            if run_read {
                match waiting_records.remove(&run.id) {
                    Some(mut record) => {
                        record.record.digests = std::mem::take(&mut run.digests);
                        chunk.rows.push(RowFact::of(&record.record, &record.sha256_column, &mut chunk.json));
                        spare.push(record);
                    }
                    None => {
                        if waiting_runs.insert(run.id.clone(), std::mem::take(&mut run.digests)).is_some() {
                            let _ = tx.send(Ok(irregular())).await;
                            return Ok(());
                        }
                    }
                }
            }
            if waiting_records.len() + waiting_runs.len() > UNPAIRED_LIMIT {
                let _ = tx.send(Ok(irregular())).await;
                return Ok(());
            }
        }
        if chunk.rows.len() >= CHUNK && tx.send(Ok(chunk.take())).await.is_err() {
            return Ok(());
        }
    }
    if !waiting_records.is_empty() || !waiting_runs.is_empty() {
        let _ = tx.send(Ok(irregular())).await;
        return Ok(());
    }
    let _ = tx.send(Ok(chunk)).await;
    drop((records, digests));
    close(records_conn).await;
    close(digests_conn).await;
    Ok(())
}

/// The digest rows of one record that lie one after another.
#[derive(Default)]
struct DigestRun {
    /// The record's id (empty when the rows name none).
    id: String,
    digests: Digests,
}

impl DigestRun {
    /// Reads the run under the cursor of `rows`; whether a row of the next run is under it.
    async fn read<S, B>(&mut self, rows: &mut CopyRows<S, B>) -> Result<bool, VaultError>
    where
        S: futures_util::Stream<Item = Result<B, VaultError>> + Unpin,
        B: AsRef<[u8]>,
    {
        self.id.clear();
        self.digests = Digests::default();
        let mut first = true;
        loop {
            let row = rows.current().expect_fields(DIGEST_FIELDS, "record digest")?;
            let id = row.text(0)?.unwrap_or_default();
            if first {
                self.id.push_str(id);
                first = false;
            } else if id != self.id {
                return Ok(true);
            }
            let (Some(algorithm), Some(value)) = (row.text(1)?, row.text(2)?) else {
                return Err(VaultError::BadRow(format!("a digest row of record {id} is incomplete")));
            };
            add_digest(&mut self.digests, &self.id, algorithm, value)?;
            if !rows.advance().await? {
                return Ok(false);
            }
        }
    }
}

/// The records with their digests by key, joined by the server: exact however the rows lie.
async fn records_keyed(
    url: &str,
    shown: &Path,
    tx: &Sender<Result<RecordChunk, VaultError>>,
) -> Result<(), VaultError> {
    let mut conn = None;
    let mut rows = open_copy(url, shown, &mut conn, KEYED_RECORDS_COPY).await?;
    let mut chunk = RecordChunk::default();
    let mut stored = StoredRecord::blank();
    while let Some(row) = rows.next().await? {
        let row = row.expect_fields(KEYED_RECORD_FIELDS, "record")?;
        if row.bytes(0).is_none() {
            chunk.stray_digests.push(row.text(13)?.unwrap_or_default().to_owned());
        } else {
            fill_record(&mut stored, &row)?;
            for pair in row.text(12)?.iter().flat_map(|d| d.split(',')) {
                let (algorithm, value) = pair.split_once('=').unwrap_or((pair, ""));
                add_digest(&mut stored.record.digests, &stored.record.id, algorithm, value)?;
            }
            chunk.rows.push(RowFact::of(&stored.record, &stored.sha256_column, &mut chunk.json));
        }
        if chunk.rows.len() >= CHUNK && tx.send(Ok(chunk.take())).await.is_err() {
            return Ok(());
        }
    }
    drop(rows);
    close(conn).await;
    let _ = tx.send(Ok(chunk)).await;
    Ok(())
}

/// Refills `stored` from the first 12 fields of a record row (its digests are cleared).
fn fill_record(stored: &mut StoredRecord, row: &CopyRow<'_>) -> Result<(), VaultError> {
    let id = row.text(0)?.ok_or_else(|| VaultError::BadRow("a record row has no id".into()))?;
    let text = |i: usize, into: &mut String| -> Result<(), VaultError> {
        let col = RECORD_COLUMNS[i];
        let v = row.text(i)?.ok_or_else(|| VaultError::BadRow(format!("record {id} has no {col}")))?;
        into.clear();
        into.push_str(v);
        Ok(())
    };
    let number = |i: usize| -> Result<u64, VaultError> {
        let col = RECORD_COLUMNS[i];
        let v = row.int(i).ok_or_else(|| VaultError::BadRow(format!("record {id} has no {col}")))?;
        u64::try_from(v).map_err(|_| VaultError::BadRow(format!("record {id}: {col} is {v}")))
    };
    let kind = row.text(1)?.ok_or_else(|| VaultError::BadRow(format!("record {id} has no kind")))?;
    let record = &mut stored.record;
    record.kind = SubjectKind::parse(kind).ok_or_else(|| VaultError::BadRow(format!("kind `{kind}`")))?;
    text(2, &mut record.name)?;
    record.size = number(3)?;
    record.file_count = number(4)?;
    text(5, &mut record.media_type)?;
    record.digests = Digests::default();
    record.stored = number(7)? != 0;
    text(8, &mut record.source_path)?;
    text(9, &mut record.profile)?;
    text(10, &mut record.created_at)?;
    record.timestamp_requested = number(11)? != 0;
    record.id.clear();
    record.id.push_str(id);
    text(6, &mut stored.sha256_column)
}

// --- the binary COPY format ------------------------------------------------------------------------

/// The signature that opens a binary COPY, before its flags and header extension.
const SIGNATURE: &[u8; 11] = b"PGCOPY\n\xff\r\n\0";

/// The rows of a `COPY … TO STDOUT (FORMAT binary)`, one at a time, from the stream of the
/// server's messages: read where each message lies (the server sends a row per message), and
/// gathered into a buffer of their own only when a row spans messages.
struct CopyRows<S, B> {
    stream: S,
    /// The message being read, and where its unread bytes start.
    message: Option<B>,
    at: usize,
    /// Bytes gathered from several messages, and where their unread ones start.
    carry: Vec<u8>,
    carry_at: usize,
    /// Whether the current row lies in `carry` (else in `message`), where it starts there, and its
    /// fields (from that start).
    in_carry: bool,
    row_start: usize,
    fields: Vec<Option<Range<usize>>>,
    header_read: bool,
    ended: bool,
}

impl<S, B> CopyRows<S, B>
where
    S: futures_util::Stream<Item = Result<B, VaultError>> + Unpin,
    B: AsRef<[u8]>,
{
    fn new(stream: S) -> CopyRows<S, B> {
        CopyRows {
            stream,
            message: None,
            at: 0,
            carry: Vec::new(),
            carry_at: 0,
            in_carry: false,
            row_start: 0,
            fields: Vec::new(),
            header_read: false,
            ended: false,
        }
    }

    /// The next row; `None` once the table has been read.
    async fn next(&mut self) -> Result<Option<CopyRow<'_>>, VaultError> {
        Ok(self.advance().await?.then(|| self.current()))
    }

    /// Moves to the next row (then [`Self::current`]); `false` once the table has been read.
    async fn advance(&mut self) -> Result<bool, VaultError> {
        loop {
            if self.ended {
                return Ok(false);
            }
            if self.carry.is_empty() {
                let bytes = self.message.as_ref().map_or(&[][..], |m| &m.as_ref()[self.at..]);
                if let Some((used, row)) = parse_row(bytes, &mut self.header_read, &mut self.fields)? {
                    (self.row_start, self.in_carry, self.ended) = (self.at, false, !row);
                    self.at += used;
                    return Ok(row);
                }
                // A row continues in the next message: what there is of it is kept.
                self.carry.extend_from_slice(bytes);
                self.carry_at = 0;
                self.message = None;
            } else if let Some((used, row)) =
                parse_row(&self.carry[self.carry_at..], &mut self.header_read, &mut self.fields)?
            {
                (self.row_start, self.in_carry, self.ended) = (self.carry_at, true, !row);
                self.carry_at += used;
                return Ok(row);
            }
            if self.carry_at > 0 && self.carry_at == self.carry.len() {
                (self.carry_at, self.in_carry) = (0, false);
                self.carry.clear();
            }
            match self.stream.next().await {
                Some(message) => {
                    let message = message?;
                    if self.carry.is_empty() {
                        (self.message, self.at) = (Some(message), 0);
                    } else {
                        self.carry.drain(..self.carry_at);
                        self.carry_at = 0;
                        self.carry.extend_from_slice(message.as_ref());
                    }
                }
                None if self.carry.is_empty() && self.message.is_none() && !self.header_read => {
                    return Err(VaultError::BadRow("the server's copy of a table is empty".into()));
                }
                None => {
                    return Err(VaultError::BadRow("the server's copy of a table ended in the middle of a row".into()));
                }
            }
        }
    }

    /// Reads the copy to its end (the server's messages after the table's last row), so that the
    /// connection can serve another statement.
    async fn finish(mut self) -> Result<(), VaultError> {
        while let Some(message) = self.stream.next().await {
            message?;
        }
        Ok(())
    }

    /// The row [`Self::advance`] moved to.
    fn current(&self) -> CopyRow<'_> {
        let bytes = match (&self.message, self.in_carry) {
            (Some(message), false) => message.as_ref(),
            _ => &self.carry,
        };
        CopyRow { bytes: &bytes[self.row_start..], fields: &self.fields }
    }
}

/// Reads one row (after the header, if it has not been read) from the start of `bytes` into
/// `fields` (ranges in `bytes`): the bytes used, and `true` for a row or `false` for the end of
/// the table; `None` when `bytes` ends before the row does.
fn parse_row(
    bytes: &[u8],
    header_read: &mut bool,
    fields: &mut Vec<Option<Range<usize>>>,
) -> Result<Option<(usize, bool)>, VaultError> {
    let bad = |what: &str| VaultError::BadRow(format!("the server's binary copy of a table is malformed: {what}"));
    let mut at = 0;
    if !*header_read {
        let Some(fixed) = bytes.get(..SIGNATURE.len() + 8) else { return Ok(None) };
        if &fixed[..SIGNATURE.len()] != SIGNATURE {
            return Err(bad("it does not begin with PGCOPY"));
        }
        let extension = u32::from_be_bytes([fixed[15], fixed[16], fixed[17], fixed[18]]) as usize;
        at = 19usize.checked_add(extension).ok_or_else(|| bad("its header"))?;
    }
    let Some(count) = bytes.get(at..at + 2) else { return Ok(None) };
    let count = i16::from_be_bytes([count[0], count[1]]);
    at += 2;
    if count == -1 {
        *header_read = true;
        return Ok(Some((at, false)));
    }
    let count = usize::try_from(count).map_err(|_| bad("a negative field count"))?;
    fields.clear();
    for _ in 0..count {
        let Some(len) = bytes.get(at..at + 4) else { return Ok(None) };
        let len = i32::from_be_bytes([len[0], len[1], len[2], len[3]]);
        at += 4;
        if len == -1 {
            fields.push(None);
            continue;
        }
        let len = usize::try_from(len).map_err(|_| bad("a negative field length"))?;
        if bytes.len() < at + len {
            return Ok(None);
        }
        fields.push(Some(at..at + len));
        at += len;
    }
    *header_read = true;
    Ok(Some((at, true)))
}

/// One row of a binary COPY: its fields, borrowed.
struct CopyRow<'a> {
    bytes: &'a [u8],
    fields: &'a [Option<Range<usize>>],
}

impl<'a> CopyRow<'a> {
    /// This row, if it has `count` fields.
    fn expect_fields(&self, count: usize, what: &str) -> Result<CopyRow<'a>, VaultError> {
        if self.fields.len() != count {
            return Err(VaultError::BadRow(format!(
                "a {what} row has {} columns where {count} were asked for",
                self.fields.len()
            )));
        }
        Ok(CopyRow { bytes: self.bytes, fields: self.fields })
    }

    /// Field `i`'s bytes; `None` for NULL.
    fn bytes(&self, i: usize) -> Option<&'a [u8]> {
        self.fields.get(i)?.clone().and_then(|r| self.bytes.get(r))
    }

    /// Field `i` as text; `None` for NULL.
    fn text(&self, i: usize) -> Result<Option<&'a str>, VaultError> {
        self.bytes(i)
            .map(std::str::from_utf8)
            .transpose()
            .map_err(|_| VaultError::BadRow("a row holds text that is not valid UTF-8".into()))
    }

    /// Field `i` as a 64-bit integer; `None` for NULL or a field of another size.
    fn int(&self, i: usize) -> Option<i64> {
        self.bytes(i).and_then(|b| b.try_into().ok()).map(i64::from_be_bytes)
    }
}

/// A row kept beyond its message: its bytes from its field count on (where its fields lie is
/// found again when its turn comes, so that rows waiting take no more than their bytes).
struct HeldRow(Box<[u8]>);

impl HeldRow {
    /// Keeps `row`, whose first field (an event's sequence number) is present.
    fn of(row: &CopyRow<'_>) -> Result<HeldRow, VaultError> {
        // The field count and the first field's length come before the first field.
        let start = row.fields.first().cloned().flatten().map_or(0, |f| f.start.saturating_sub(6));
        let bytes = row.bytes.get(start..).unwrap_or_default();
        match parse_row(bytes, &mut true, &mut Vec::new())? {
            Some((used, true)) => Ok(HeldRow(bytes[..used].into())),
            _ => Err(VaultError::BadRow("a row read before its turn could not be kept".into())),
        }
    }

    /// The row, its fields found into `fields`.
    fn row<'a>(&'a self, fields: &'a mut Vec<Option<Range<usize>>>) -> Result<CopyRow<'a>, VaultError> {
        parse_row(&self.0, &mut true, fields)?;
        Ok(CopyRow { bytes: &self.0, fields })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A binary COPY of `rows` (fields as bytes, `None` for NULL), header and trailer included.
    fn binary(rows: &[Vec<Option<&[u8]>>]) -> Vec<u8> {
        let mut out = SIGNATURE.to_vec();
        out.extend_from_slice(&0u32.to_be_bytes());
        out.extend_from_slice(&4u32.to_be_bytes());
        out.extend_from_slice(b"xxxx");
        for row in rows {
            out.extend_from_slice(&(row.len() as i16).to_be_bytes());
            for field in row {
                match field {
                    None => out.extend_from_slice(&(-1i32).to_be_bytes()),
                    Some(b) => {
                        out.extend_from_slice(&(b.len() as i32).to_be_bytes());
                        out.extend_from_slice(b);
                    }
                }
            }
        }
        out.extend_from_slice(&(-1i16).to_be_bytes());
        out
    }

    /// A test row's text, integer and text.
    type Read = (Option<String>, Option<i64>, Option<String>);

    fn read_all(messages: Vec<Vec<u8>>) -> Result<Vec<Read>, VaultError> {
        let stream = futures_util::stream::iter(messages.into_iter().map(Ok::<_, VaultError>));
        let mut rows = CopyRows::new(stream);
        let mut out = Vec::new();
        block_on(async {
            while let Some(row) = rows.next().await? {
                let row = row.expect_fields(3, "test")?;
                out.push((row.text(0)?.map(str::to_owned), row.int(1), row.text(2)?.map(str::to_owned)));
            }
            Ok::<_, VaultError>(())
        })?;
        Ok(out)
    }

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
    }

    #[test]
    fn rows_are_read_however_the_messages_split_them() {
        let seven = 7i64.to_be_bytes();
        let big = (-2i64).to_be_bytes();
        let bytes = binary(&[
            vec![Some("证据".as_bytes()), Some(&seven), None],
            vec![None, None, Some(b"")],
            vec![Some(b"a\tb\\N"), Some(&big), Some(b"x")],
        ]);
        let expected = vec![
            (Some("证据".to_owned()), Some(7), None),
            (None, None, Some(String::new())),
            (Some("a\tb\\N".to_owned()), Some(-2), Some("x".to_owned())),
        ];
        assert_eq!(read_all(vec![bytes.clone()]).unwrap(), expected);
        for size in [1, 2, 3, 5, 19, 20, 21] {
            let messages: Vec<Vec<u8>> = bytes.chunks(size).map(<[u8]>::to_vec).collect();
            assert_eq!(read_all(messages).unwrap(), expected, "messages of {size} bytes");
        }
    }

    #[test]
    fn a_row_held_for_its_turn_reads_back_as_it_came() {
        let (one, two) = (1i64.to_be_bytes(), 2i64.to_be_bytes());
        // The first row comes after the header; the second ends in NULLs.
        let bytes = binary(&[vec![Some(&one), Some(b"first"), Some(b"")], vec![Some(&two), None, None]]);
        for size in [bytes.len(), 7] {
            let messages: Vec<Vec<u8>> = bytes.chunks(size).map(<[u8]>::to_vec).collect();
            let mut rows = CopyRows::new(futures_util::stream::iter(messages.into_iter().map(Ok::<_, VaultError>)));
            let held: Vec<HeldRow> = block_on(async {
                let mut held = Vec::new();
                while let Some(row) = rows.next().await.unwrap() {
                    held.push(HeldRow::of(&row).unwrap());
                }
                held
            });
            let mut fields = Vec::new();
            let read: Vec<Read> = held
                .iter()
                .map(|h| {
                    let row = h.row(&mut fields).unwrap();
                    (row.text(1).unwrap().map(str::to_owned), row.int(0), row.text(2).unwrap().map(str::to_owned))
                })
                .collect();
            assert_eq!(read, vec![(Some("first".into()), Some(1), Some(String::new())), (None, Some(2), None)]);
            assert_eq!(held[1].0.len(), 2 + 4 + 8 + 4 + 4, "only the row's own bytes are kept");
        }
    }

    #[test]
    fn a_copy_cut_short_or_malformed_is_an_error() {
        let bytes = binary(&[vec![Some(b"a"), None, None]]);
        let cut = bytes[..bytes.len() - 3].to_vec();
        assert!(matches!(read_all(vec![cut]), Err(VaultError::BadRow(_))));
        let mut wrong = bytes.clone();
        wrong[0] = b'X';
        assert!(matches!(read_all(vec![wrong]), Err(VaultError::BadRow(_))));
        let mut not_utf8 = bytes;
        let at = not_utf8.iter().position(|&b| b == b'a').unwrap();
        not_utf8[at] = 0xff;
        assert!(matches!(read_all(vec![not_utf8]), Err(VaultError::BadRow(_))));
        assert!(matches!(
            read_all(vec![binary(&[vec![Some(b"a"), None]])]),
            Err(VaultError::BadRow(m)) if m.contains("2 columns")
        ));
    }
}
