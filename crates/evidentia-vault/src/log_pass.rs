//! The streamed part of `vault verify`: the custody chain event by event (on the thread that reads
//! the log, from the rows as the database hands them over), and every record row against the event
//! that created it, by merging the log (in sequence order) with the records (as stored, or in id
//! order) on each record's canonical JSON, compared byte for byte with the payload its event
//! recorded. Records are written in the order of their events and their ids are time-ordered, so
//! the two streams meet within a few chunks and only the rows or events waiting for their partner
//! are held, however large the vault: a few chunks' bytes, and a digest for any that waits longer.

use std::collections::{HashMap, HashSet, VecDeque};
use std::ops::Range;
use std::sync::Arc;

use ring::digest::{SHA256, digest};
use tokio::sync::mpsc::Receiver;

use super::VaultError;
use super::custody::{CustodyEventKind, EventFields, GENESIS_HASH, HeadWitness};
use super::problem::{VaultProblem, problem};
use super::record::{EvidenceRecord, SubjectKind};
use crate::digest::DigestAlgorithm;
use crate::hash_hex::is_lower_hex_of;

/// Events per message from the log's reader.
pub(super) const CHUNK: usize = 4096;

/// A record id as the merge holds it: inline up to 40 bytes (Evidentia's ids have 36), so that the
/// ids of a large vault are not each an allocation made on a reader's thread and freed on another.
/// Compared, ordered and hashed as the id's bytes.
#[derive(Clone)]
pub(super) enum RecordKey {
    Inline(u8, [u8; 40]),
    Long(Box<str>),
}

impl RecordKey {
    pub(super) fn new(id: &str) -> RecordKey {
        let mut bytes = [0u8; 40];
        match (bytes.get_mut(..id.len()), u8::try_from(id.len())) {
            (Some(head), Ok(len)) => {
                head.copy_from_slice(id.as_bytes());
                RecordKey::Inline(len, bytes)
            }
            _ => RecordKey::Long(id.into()),
        }
    }

    /// The id's bytes (UTF-8: it was made from a `str`).
    pub(super) fn as_bytes(&self) -> &[u8] {
        match self {
            RecordKey::Inline(len, bytes) => &bytes[..usize::from(*len)],
            RecordKey::Long(id) => id.as_bytes(),
        }
    }

    /// The id as text, for messages.
    pub(super) fn as_str(&self) -> &str {
        std::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }
}

impl PartialEq for RecordKey {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for RecordKey {}

impl Ord for RecordKey {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_bytes().cmp(other.as_bytes())
    }
}

impl PartialOrd for RecordKey {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl std::hash::Hash for RecordKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write(self.as_bytes());
    }
}

/// A `created` event, reduced to what the merge needs.
pub(super) struct Created {
    pub id: RecordKey,
    pub seq: u64,
    /// Where its payload (the record as sealed, in canonical JSON) lies in its chunk's bytes.
    pub payload: Range<usize>,
}

/// A record row, reduced to what the merge needs.
pub(super) struct RowFact {
    pub id: RecordKey,
    /// Where the row's record (digests from their own table) in canonical JSON lies in its chunk's
    /// bytes.
    pub json: Range<usize>,
    /// Whether the SHA-256 column agrees with the SHA-256 digest row.
    pub sha_column_ok: bool,
    /// The record, when the vault keeps a copy or a manifest of it (its blobs are checked); boxed,
    /// so that the rows moved through the merge stay small.
    pub kept: Option<Box<EvidenceRecord>>,
}

impl RowFact {
    /// Reduces a row, writing its canonical JSON at the end of `chunk_bytes`.
    pub(super) fn of(record: &EvidenceRecord, sha256_column: &str, chunk_bytes: &mut Vec<u8>) -> RowFact {
        let start = chunk_bytes.len();
        // Plain strings, integers and maps: serialising into memory cannot fail.
        let _ = serde_json::to_writer(&mut *chunk_bytes, record);
        let sha_column_ok =
            record.digests.get(DigestAlgorithm::Sha256).is_some_and(|d| is_lower_hex_of(sha256_column, d.as_bytes()));
        RowFact {
            id: RecordKey::new(&record.id),
            json: start..chunk_bytes.len(),
            sha_column_ok,
            kept: (record.stored || record.kind == SubjectKind::Work).then(|| Box::new(record.clone())),
        }
    }
}

/// An event other than `created`, as the checks after the pass read it: its hashes (checked in
/// the pass) and time are not kept.
#[derive(Debug, Clone)]
pub(super) struct LoggedEvent {
    pub seq: u64,
    pub kind: String,
    pub record_id: Option<String>,
    pub payload: String,
}

/// What the log's reader sends.
pub(super) enum LogMessage {
    /// The next events: `created` ones reduced (their payloads end to end in `payloads`), the
    /// others whole.
    Events { created: Vec<Created>, payloads: Vec<u8>, others: Vec<LoggedEvent> },
    /// The log has ended; the chain's verdict.
    End(Box<ChainCheck>),
    /// The rows lie too far from sequence order to be put back in it: the stream ends here, and
    /// the pass must be made again with the log read by sequence number.
    Irregular,
}

/// The chain's check, fed one event at a time from borrowed columns.
pub(super) struct ChainCheck {
    witness: Option<HeadWitness>,
    witness_seen: bool,
    wanted: HashSet<u64>,
    expected_seq: u64,
    prev_hash: String,
    input: Vec<u8>,
    events: u64,
    head_seq: u64,
    hashes: HashMap<u64, String>,
    problems: Vec<VaultProblem>,
    record_problems: Vec<VaultProblem>,
    created: Vec<Created>,
    payloads: Vec<u8>,
    others: Vec<LoggedEvent>,
}

impl ChainCheck {
    /// Checks against `witness` when its event passes, and keeps the hashes of the events in `wanted`.
    pub(super) fn new(witness: Option<HeadWitness>, wanted: HashSet<u64>) -> ChainCheck {
        ChainCheck {
            witness,
            witness_seen: false,
            wanted,
            expected_seq: 1,
            prev_hash: GENESIS_HASH.to_owned(),
            input: Vec::new(),
            events: 0,
            head_seq: 0,
            hashes: HashMap::new(),
            problems: Vec::new(),
            record_problems: Vec::new(),
            created: Vec::new(),
            payloads: Vec::new(),
            others: Vec::new(),
        }
    }

    /// The next event of the log; answers whether a chunk is ready to send.
    pub(super) fn event(&mut self, f: EventFields<'_>, hash: &str) -> bool {
        f.hash_input(&mut self.input);
        let hash_matches = is_lower_hex_of(hash, digest(&SHA256, &self.input).as_ref());
        if f.seq != self.expected_seq {
            self.problems.push(problem(
                "EVENT_MISSING",
                format!("event #{}", self.expected_seq),
                format!(
                    "the log jumps from #{} to #{}: events were removed",
                    self.expected_seq.saturating_sub(1),
                    f.seq
                ),
            ));
        }
        if !hash_matches {
            self.problems.push(problem(
                "EVENT_ALTERED",
                format!("event #{}", f.seq),
                "its content does not match its hash: the event was edited".into(),
            ));
        }
        if f.prev_hash != self.prev_hash {
            self.problems.push(problem(
                "CHAIN_BROKEN",
                format!("event #{}", f.seq),
                "its previous-event hash does not match the event before it: an event was edited, \
                 removed, inserted or moved"
                    .into(),
            ));
        }
        self.prev_hash.clear();
        self.prev_hash.push_str(hash);
        self.expected_seq = f.seq + 1;
        self.events += 1;
        self.head_seq = f.seq;
        if self.wanted.contains(&f.seq) {
            self.hashes.insert(f.seq, hash.to_owned());
        }
        if let Some(w) = self.witness.as_ref().filter(|w| w.seq == f.seq) {
            self.witness_seen = true;
            if w.hash != hash {
                self.problems.push(problem(
                    "HEAD_MISMATCH",
                    format!("event #{}", w.seq),
                    "its hash differs from the one in the vault's head witness: the log was rewritten".into(),
                ));
            }
        }
        if f.kind == CustodyEventKind::Created.as_str() {
            self.created(f);
        } else {
            self.others.push(LoggedEvent {
                seq: f.seq,
                kind: f.kind.to_owned(),
                record_id: f.record_id.map(str::to_owned),
                payload: f.payload.to_owned(),
            });
        }
        self.created.len() + self.others.len() >= CHUNK
    }

    fn created(&mut self, f: EventFields<'_>) {
        let id = match f.record_id {
            Some(id) => RecordKey::new(id),
            // A `created` event that names no record: the one its payload recorded.
            None => match serde_json::from_str::<EvidenceRecord>(f.payload) {
                Ok(recorded) => {
                    self.record_problems.push(problem(
                        "EVENT_ALTERED",
                        format!("event #{}", f.seq),
                        "it names another record than the one it recorded".into(),
                    ));
                    RecordKey::new(&recorded.id)
                }
                Err(err) => {
                    self.record_problems.push(problem(
                        "EVENT_UNREADABLE",
                        format!("event #{}", f.seq),
                        format!("its record cannot be read: {err}"),
                    ));
                    return;
                }
            },
        };
        let start = self.payloads.len();
        self.payloads.extend_from_slice(f.payload.as_bytes());
        self.created.push(Created { id, seq: f.seq, payload: start..self.payloads.len() });
    }

    /// The events gathered since the last call.
    pub(super) fn take(&mut self) -> LogMessage {
        // The next chunk's bytes sized as this one's, so that they are not copied as they grow.
        let size = self.payloads.len() + self.payloads.len() / 8;
        LogMessage::Events {
            created: std::mem::take(&mut self.created),
            payloads: std::mem::replace(&mut self.payloads, Vec::with_capacity(size)),
            others: std::mem::take(&mut self.others),
        }
    }
}

/// What the streamed pass found, and what the later checks need from it.
#[derive(Default)]
pub(super) struct LogPass {
    /// Events in the log.
    pub events: u64,
    /// Record rows.
    pub records: u64,
    /// Sequence number and hash of the newest event.
    pub head: Option<(u64, String)>,
    /// The chain's problems (gaps, edits, broken links, the head witness), in log order.
    pub chain_problems: Vec<VaultProblem>,
    /// Records that differ from their events, or that no event created.
    pub record_problems: Vec<VaultProblem>,
    /// Every event but `created`, for the checks of the rows they record.
    pub others: Vec<LoggedEvent>,
    /// Hashes of the events asked for by sequence number.
    pub hashes: HashMap<u64, String>,
    /// Rows whose digest differs from their event's: (record id, event), compared field by field later.
    pub mismatched: Vec<(String, u64)>,
    /// `created` events whose record has no row by the end: (record id, event).
    pub rowless: Vec<(String, u64)>,
    /// Records as their events logged them, where the row differs or is gone.
    pub logged_apart: HashMap<String, EvidenceRecord>,
    /// Rows no event created.
    pub unlogged: HashSet<String>,
    /// Blobs the log says the vault keeps: (SHA-256, what it is).
    pub blobs: Vec<(String, String)>,
    /// Work records whose manifest is kept: (id, manifest SHA-256).
    pub works: Vec<(String, String)>,
}

impl LogPass {
    /// Notes the blobs a logged record says the vault keeps.
    pub(super) fn note_blobs(&mut self, r: &EvidenceRecord) {
        let (id, sha) = (&r.id, r.sha256_hex());
        match r.kind {
            SubjectKind::File if r.stored => self.blobs.push((sha, format!("content of record {id} ({})", r.name))),
            SubjectKind::File => {}
            SubjectKind::Work => {
                self.blobs.push((sha.clone(), format!("manifest of work record {id} ({})", r.name)));
                if r.stored {
                    self.works.push((id.clone(), sha));
                }
            }
        }
    }

    /// A row no event created.
    pub(super) fn unlogged(&mut self, id: String) {
        self.record_problems.push(problem(
            "RECORD_UNLOGGED",
            format!("record {id}"),
            "no custody event created it: the row was inserted outside Evidentia".into(),
        ));
        self.unlogged.insert(id);
    }
}

/// Record rows (see `RecordOrder`), reduced, and the ids of digest rows whose record is not there.
#[derive(Default)]
pub(super) struct RecordChunk {
    pub rows: Vec<RowFact>,
    /// The rows' canonical JSON, end to end.
    pub json: Vec<u8>,
    pub stray_digests: Vec<String>,
    /// The rows do not lie as Evidentia writes them: the stream ends here, and the pass must be
    /// made again in key order.
    pub irregular: bool,
}

impl RecordChunk {
    /// Hands over this chunk, leaving an empty one whose bytes are sized as this one's (so that they
    /// are not copied as they grow).
    pub(super) fn take(&mut self) -> RecordChunk {
        let size = self.json.len() + self.json.len() / 8;
        std::mem::replace(self, RecordChunk { json: Vec::with_capacity(size), ..RecordChunk::default() })
    }
}

/// Drains both streams (the log's and the records'), merging them; `None` when either stream
/// ended as irregular.
pub(super) fn log_pass(
    mut events: Receiver<Result<LogMessage, VaultError>>,
    mut records: Receiver<Result<RecordChunk, VaultError>>,
) -> Result<Option<LogPass>, VaultError> {
    let mut merge = Merge::default();
    let mut chain: Option<Box<ChainCheck>> = None;
    let mut rows_done = false;
    let mut strays: Vec<String> = Vec::new();
    while chain.is_none() || !rows_done {
        // Pull from the stream that is behind, so that partners meet while both are held.
        if chain.is_none() && (rows_done || merge.event_front <= merge.row_front) {
            match events.blocking_recv() {
                None => return Err(VaultError::BadRow("the custody log's reading stopped early".into())),
                Some(message) => match message? {
                    LogMessage::Events { created, payloads, others } => {
                        merge.out.others.extend(others);
                        merge.created(created, Arc::new(payloads));
                    }
                    LogMessage::End(check) => chain = Some(check),
                    LogMessage::Irregular => return Ok(None),
                },
            }
        } else {
            match records.blocking_recv() {
                None => rows_done = true,
                Some(chunk) => {
                    let chunk = chunk?;
                    if chunk.irregular {
                        return Ok(None);
                    }
                    strays.extend(chunk.stray_digests);
                    merge.rows(chunk.rows, Arc::new(chunk.json));
                }
            }
        }
    }
    let Some(chain) = chain else {
        return Err(VaultError::BadRow("the custody log's reading stopped early".into()));
    };
    let mut out = merge.finish();
    let ChainCheck {
        witness, witness_seen, events, head_seq, prev_hash, hashes, mut problems, record_problems, ..
    } = *chain;
    if let Some(w) = witness.filter(|_| !witness_seen) {
        problems.push(problem(
            "EVENTS_TRUNCATED",
            format!("event #{}", w.seq),
            format!(
                "the vault's head witness records event #{} but the log ends at #{head_seq}: events were removed",
                w.seq
            ),
        ));
    }
    out.events = events;
    out.head = (events > 0).then_some((head_seq, prev_hash));
    out.hashes = hashes;
    out.chain_problems = problems;
    let mut merged = std::mem::take(&mut out.record_problems);
    out.record_problems = record_problems;
    out.record_problems.append(&mut merged);
    strays.sort();
    strays.dedup();
    for id in strays {
        out.record_problems.push(problem(
            "RECORD_UNLOGGED",
            format!("record {id}"),
            "digest rows exist for a record that the custody log does not know: inserted outside Evidentia".into(),
        ));
    }
    Ok(Some(out))
}

/// Chunks whose bytes waiting items may still point into, per stream; older ones are let go.
const HELD_CHUNKS: usize = 4;

/// What a waiting item keeps of its JSON: where it lies in its chunk's bytes, or, once it has
/// waited longer than [`HELD_CHUNKS`] chunks of its stream, its SHA-256.
enum Held {
    Bytes(Arc<Vec<u8>>, Range<usize>),
    Sha256([u8; 32]),
}

impl Held {
    fn matches(&self, other: &[u8]) -> bool {
        match self {
            Held::Bytes(chunk, range) => chunk.get(range.clone()) == Some(other),
            Held::Sha256(sha) => sha256(other) == *sha,
        }
    }

    /// Lets go of the chunk's bytes if they are `chunk`'s.
    fn release(&mut self, chunk: &Arc<Vec<u8>>) {
        if let Held::Bytes(own, range) = self
            && Arc::ptr_eq(own, chunk)
        {
            *self = Held::Sha256(sha256(own.get(range.clone()).unwrap_or_default()));
        }
    }
}

#[derive(Default)]
struct Merge {
    out: LogPass,
    /// The greatest record id seen on each side (ids order as their bytes do).
    event_front: Option<RecordKey>,
    row_front: Option<RecordKey>,
    waiting_events: HashMap<RecordKey, (u64, Held)>,
    waiting_rows: HashMap<RecordKey, (RowFact, Held)>,
    /// The chunks of each stream that waiting items point into, oldest first, with their ids.
    held_events: VecDeque<(Arc<Vec<u8>>, Vec<RecordKey>)>,
    held_rows: VecDeque<(Arc<Vec<u8>>, Vec<RecordKey>)>,
}

impl Merge {
    fn created(&mut self, created: Vec<Created>, payloads: Arc<Vec<u8>>) {
        let mut waiting = Vec::new();
        for c in created {
            advance(&mut self.event_front, &c.id);
            let payload = payloads.get(c.payload.clone()).unwrap_or_default();
            if let Some((row, held)) = self.waiting_rows.remove(&c.id) {
                self.compare(c.seq, held.matches(payload), row);
            } else if let Some((first, _)) = self.waiting_events.get(&c.id) {
                self.out.record_problems.push(problem(
                    "RECORD_DUPLICATED",
                    format!("record {}", c.id.as_str()),
                    format!("created twice, by events #{first} and #{}", c.seq),
                ));
            } else {
                waiting.push(c.id.clone());
                self.waiting_events.insert(c.id, (c.seq, Held::Bytes(payloads.clone(), c.payload)));
            }
        }
        hold(&mut self.held_events, payloads, waiting, |id, chunk| {
            if let Some((_, held)) = self.waiting_events.get_mut(id) {
                held.release(chunk);
            }
        });
    }

    fn rows(&mut self, rows: Vec<RowFact>, json: Arc<Vec<u8>>) {
        let mut waiting = Vec::new();
        for row in rows {
            self.out.records += 1;
            advance(&mut self.row_front, &row.id);
            let own = json.get(row.json.clone()).unwrap_or_default();
            match self.waiting_events.remove(&row.id) {
                Some((seq, payload)) => self.compare(seq, payload.matches(own), row),
                None => {
                    waiting.push(row.id.clone());
                    let range = row.json.clone();
                    self.waiting_rows.insert(row.id.clone(), (row, Held::Bytes(json.clone(), range)));
                }
            }
        }
        hold(&mut self.held_rows, json, waiting, |id, chunk| {
            if let Some((_, held)) = self.waiting_rows.get_mut(id) {
                held.release(chunk);
            }
        });
    }

    /// Nearly always a row serialises to exactly what its event recorded; where not, the two are
    /// compared field by field once the pass is over. `same`: the row's JSON is the payload.
    fn compare(&mut self, seq: u64, same: bool, row: RowFact) {
        if same && row.sha_column_ok {
            if let Some(r) = &row.kept {
                self.out.note_blobs(r);
            }
        } else {
            self.out.mismatched.push((row.id.as_str().to_owned(), seq));
        }
    }

    fn finish(mut self) -> LogPass {
        let mut left: Vec<String> = self.waiting_rows.drain().map(|(id, _)| id.as_str().to_owned()).collect();
        left.sort();
        for id in left {
            self.out.unlogged(id);
        }
        let mut rowless: Vec<(String, u64)> =
            self.waiting_events.drain().map(|(id, (seq, _))| (id.as_str().to_owned(), seq)).collect();
        rowless.sort_by_key(|(_, seq)| *seq);
        self.out.rowless = rowless;
        self.out
    }
}

/// Keeps a chunk whose items are `waiting`, and lets go of the oldest chunks beyond
/// [`HELD_CHUNKS`]: `release` turns each of their items that still waits into its digest.
fn hold(
    held: &mut VecDeque<(Arc<Vec<u8>>, Vec<RecordKey>)>,
    chunk: Arc<Vec<u8>>,
    waiting: Vec<RecordKey>,
    mut release: impl FnMut(&RecordKey, &Arc<Vec<u8>>),
) {
    if !waiting.is_empty() {
        held.push_back((chunk, waiting));
    }
    while held.len() > HELD_CHUNKS {
        if let Some((chunk, ids)) = held.pop_front() {
            for id in &ids {
                release(id, &chunk);
            }
        }
    }
}

/// Moves a stream's front to `id` if it is further.
fn advance(front: &mut Option<RecordKey>, id: &RecordKey) {
    match front {
        Some(f) if *f >= *id => {}
        _ => *front = Some(id.clone()),
    }
}

fn sha256(data: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(digest(&SHA256, data).as_ref());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One chunk of `created` events, one per id, each recording `payload(id)`.
    fn events(ids: &[&str], seq0: u64, payload: impl Fn(&str) -> String) -> (Vec<Created>, Arc<Vec<u8>>) {
        let mut bytes = Vec::new();
        let created = ids
            .iter()
            .enumerate()
            .map(|(i, id)| {
                let start = bytes.len();
                bytes.extend_from_slice(payload(id).as_bytes());
                Created { id: RecordKey::new(id), seq: seq0 + i as u64, payload: start..bytes.len() }
            })
            .collect();
        (created, Arc::new(bytes))
    }

    /// One chunk of record rows whose JSON is `json(id)`.
    fn rows(ids: &[&str], json: impl Fn(&str) -> String) -> (Vec<RowFact>, Arc<Vec<u8>>) {
        let mut bytes = Vec::new();
        let rows = ids
            .iter()
            .map(|id| {
                let start = bytes.len();
                bytes.extend_from_slice(json(id).as_bytes());
                RowFact { id: RecordKey::new(id), json: start..bytes.len(), sha_column_ok: true, kept: None }
            })
            .collect();
        (rows, Arc::new(bytes))
    }

    fn honest(id: &str) -> String {
        format!("{{\"id\":\"{id}\"}}")
    }

    /// Feeds `chunks` chunks of two events each, then the rows in chunks of two, in `order`.
    fn run(events_first: bool, chunks: usize, edited: &str) -> LogPass {
        let ids: Vec<String> = (0..chunks * 2).map(|i| format!("rec-{i:04}")).collect();
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        let mut merge = Merge::default();
        let row_json = |id: &str| if id == edited { format!("{{\"id\":\"{id}\",\"x\":1}}") } else { honest(id) };
        let feed_events = |merge: &mut Merge| {
            for (n, pair) in ids.chunks(2).enumerate() {
                let (created, bytes) = events(pair, 1 + 2 * n as u64, honest);
                merge.created(created, bytes);
            }
        };
        let feed_rows = |merge: &mut Merge| {
            for pair in ids.chunks(2) {
                let (facts, bytes) = rows(pair, row_json);
                merge.rows(facts, bytes);
            }
        };
        if events_first {
            feed_events(&mut merge);
            feed_rows(&mut merge);
        } else {
            feed_rows(&mut merge);
            feed_events(&mut merge);
        }
        merge.finish()
    }

    #[test]
    fn rows_match_their_events_byte_for_byte_however_long_either_side_waited() {
        for events_first in [true, false] {
            // Within the chunks held as bytes, and far beyond them (compared by digest).
            for chunks in [2, HELD_CHUNKS * 3] {
                let edited = format!("rec-{:04}", chunks * 2 - 1);
                let pass = run(events_first, chunks, &edited);
                assert_eq!(pass.records, chunks as u64 * 2);
                let mismatched: Vec<&str> = pass.mismatched.iter().map(|(id, _)| id.as_str()).collect();
                assert_eq!(mismatched, [edited.as_str()], "events first: {events_first}, {chunks} chunks");
                assert!(pass.rowless.is_empty());
                // The first record, which waited longest, matched too.
                let first = run(events_first, chunks, "rec-0000");
                assert_eq!(first.mismatched.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>(), ["rec-0000"]);
            }
        }
    }

    #[test]
    fn a_waiting_item_lets_go_of_its_chunk_after_the_held_chunks() {
        let mut merge = Merge::default();
        let (created, bytes) = events(&["old"], 1, honest);
        merge.created(created, bytes.clone());
        for n in 0..HELD_CHUNKS {
            let name = format!("later-{n}");
            let (created, later) = events(&[name.as_str()], 2 + n as u64, honest);
            merge.created(created, later);
        }
        // The first chunk is no longer referenced by the merge: only by this test.
        assert_eq!(Arc::strong_count(&bytes), 1);
        assert!(matches!(merge.waiting_events.get(&RecordKey::new("old")), Some((1, Held::Sha256(_)))));
        let (facts, json) = rows(&["old"], honest);
        merge.rows(facts, json);
        let pass = merge.finish();
        assert!(pass.mismatched.is_empty());
        assert_eq!(pass.rowless.len(), HELD_CHUNKS);
    }
}
