//! The custody log: append-only events, each bound to the one before it by its hash.
//! The hash is specified in `docs/vault.md` so that anyone can recompute the chain.

use serde::{Deserialize, Serialize};

use crate::digest::DigestAlgorithm;

/// Domain separation tag that opens every event hash input.
const HASH_TAG: &[u8] = b"evidentia-custody-v1\0";
/// `prev_hash` of the first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CustodyEventKind {
    /// A record was sealed; the payload is the record's canonical JSON.
    Created,
    /// A time-stamp arrived for a record; the payload is the time-stamp's canonical JSON.
    Timestamped,
    /// A record was signed when sealed; the payload is the signature's canonical JSON.
    Signed,
    /// Records and the log's head were gathered into a Merkle batch; the payload is the batch.
    Batched,
    /// A batch root was sent to a chain; the payload is the send.
    AnchorSent,
    /// A batch root is confirmed on a chain; the payload is the anchor with its offline proof.
    Anchored,
    /// A confirmed anchor left the canonical chain (a reorg); the payload names it.
    AnchorDropped,
    /// A batch root was submitted to an OpenTimestamps calendar; the payload is its stamp.
    OtsSubmitted,
    /// A calendar's stamp of a batch root was upgraded; the payload is the upgraded stamp.
    OtsUpgraded,
    /// Records were written into an evidence package; the payload names it and its SHA-256.
    Exported,
    /// An archive time-stamp over records' evidence (RFC 4998: a new evidence record, a
    /// time-stamp renewal or a hash-tree renewal); the payload is the archive stamp.
    Archived,
    /// An identity's seal was stamped in a PDF that was then sealed; the payload says who used
    /// which seal where (identity, seal, placement, signature field, the signed PDF's SHA-256).
    SealUsed,
    /// A received PDF that others had signed was signed again (countersigned) and the copy sealed;
    /// the payload names the received PDF (name, SHA-256) and the copy.
    Countersigned,
    /// A case was opened; the payload names it (`{"case": NAME}`).
    CaseOpened,
    /// A record was added to a case; the payload names the case.
    CaseAdded,
    /// A record was removed from a case; the payload names the case.
    CaseRemoved,
}

impl CustodyEventKind {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            CustodyEventKind::Created => "created",
            CustodyEventKind::Timestamped => "timestamped",
            CustodyEventKind::Signed => "signed",
            CustodyEventKind::Batched => "batched",
            CustodyEventKind::AnchorSent => "anchor_sent",
            CustodyEventKind::Anchored => "anchored",
            CustodyEventKind::AnchorDropped => "anchor_dropped",
            CustodyEventKind::OtsSubmitted => "ots_submitted",
            CustodyEventKind::OtsUpgraded => "ots_upgraded",
            CustodyEventKind::Exported => "exported",
            CustodyEventKind::Archived => "archived",
            CustodyEventKind::SealUsed => "seal_used",
            CustodyEventKind::Countersigned => "countersigned",
            CustodyEventKind::CaseOpened => "case_opened",
            CustodyEventKind::CaseAdded => "case_added",
            CustodyEventKind::CaseRemoved => "case_removed",
        }
    }
}

/// One entry of the custody log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustodyEvent {
    /// Position in the log, from 1, without gaps.
    pub seq: u64,
    /// What happened (stored name, kept as text so unknown kinds from later versions still verify).
    pub kind: String,
    /// When it was recorded (RFC 3339, UTC, microseconds).
    pub recorded_at: String,
    /// The record it concerns, if any.
    pub record_id: Option<String>,
    /// Details, as JSON text.
    pub payload: String,
    /// Hash of the previous event (hex), or [`GENESIS_HASH`].
    pub prev_hash: String,
    /// This event's hash (hex).
    pub hash: String,
}

impl CustodyEvent {
    /// Builds the next event after `prev` (`None` for the first), computing its hash.
    pub fn next(
        prev: Option<(u64, &str)>,
        kind: CustodyEventKind,
        recorded_at: String,
        record_id: Option<String>,
        payload: String,
    ) -> Self {
        let (seq, prev_hash) = match prev {
            Some((seq, hash)) => (seq + 1, hash.to_owned()),
            None => (1, GENESIS_HASH.to_owned()),
        };
        let mut event = CustodyEvent {
            seq,
            kind: kind.as_str().to_owned(),
            recorded_at,
            record_id,
            payload,
            prev_hash,
            hash: String::new(),
        };
        event.hash = event.compute_hash();
        event
    }

    /// Recomputes the hash from the event's fields:
    /// SHA-256( tag ‖ u64be(seq) ‖ lp(kind) ‖ lp(recorded_at) ‖ lp(record_id or "") ‖ lp(payload) ‖ lp(prev_hash) ),
    /// where lp(x) is x's UTF-8 bytes preceded by their length as u32be.
    pub fn compute_hash(&self) -> String {
        let mut input = Vec::with_capacity(HASH_TAG.len() + 8 + self.payload.len() + 200);
        EventFields {
            seq: self.seq,
            kind: &self.kind,
            recorded_at: &self.recorded_at,
            record_id: self.record_id.as_deref(),
            payload: &self.payload,
            prev_hash: &self.prev_hash,
        }
        .hash_input(&mut input);
        DigestAlgorithm::Sha256.digest(&input).to_hex()
    }
}

/// An event's hashed fields, borrowed (for checking a log without copying it).
#[derive(Debug, Clone, Copy)]
pub struct EventFields<'a> {
    /// Position in the log.
    pub seq: u64,
    /// Stored kind.
    pub kind: &'a str,
    /// When it was recorded.
    pub recorded_at: &'a str,
    /// The record it concerns.
    pub record_id: Option<&'a str>,
    /// Details, as JSON text.
    pub payload: &'a str,
    /// Hash of the previous event (hex).
    pub prev_hash: &'a str,
}

impl EventFields<'_> {
    /// Replaces `input` with what the event's hash is the SHA-256 of (see
    /// [`CustodyEvent::compute_hash`]).
    pub fn hash_input(&self, input: &mut Vec<u8>) {
        input.clear();
        input.extend_from_slice(HASH_TAG);
        input.extend_from_slice(&self.seq.to_be_bytes());
        for field in [self.kind, self.recorded_at, self.record_id.unwrap_or(""), self.payload, self.prev_hash] {
            input.extend_from_slice(&(field.len() as u32).to_be_bytes());
            input.extend_from_slice(field.as_bytes());
        }
    }
}

/// The last event the vault knows it wrote, kept in a file beside the database. It can lag behind
/// the log after a crash, but never lead it: a log shorter than the witness, or with another hash
/// at the witness's position, has lost events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeadWitness {
    /// Sequence number of the newest event written.
    pub seq: u64,
    /// Its hash.
    pub hash: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_chain_and_any_field_change_breaks_the_hash() {
        let first = CustodyEvent::next(None, CustodyEventKind::Created, "t1".into(), Some("r1".into()), "{}".into());
        assert_eq!(first.seq, 1);
        assert_eq!(first.prev_hash, GENESIS_HASH);
        let second = CustodyEvent::next(
            Some((first.seq, &first.hash)),
            CustodyEventKind::Created,
            "t2".into(),
            None,
            "{\"a\":1}".into(),
        );
        assert_eq!(second.seq, 2);
        assert_eq!(second.prev_hash, first.hash);
        assert_eq!(second.compute_hash(), second.hash);
        let mut edited = second.clone();
        edited.payload = "{\"a\":2}".into();
        assert_ne!(edited.compute_hash(), second.hash);
        let mut moved = second.clone();
        moved.seq = 3;
        assert_ne!(moved.compute_hash(), second.hash);
        // Field boundaries are unambiguous: moving a byte between fields changes the hash.
        let a = CustodyEvent::next(None, CustodyEventKind::Created, "ab".into(), Some("c".into()), "".into());
        let b = CustodyEvent::next(None, CustodyEventKind::Created, "a".into(), Some("bc".into()), "".into());
        assert_ne!(a.hash, b.hash);
    }

    #[test]
    fn hash_matches_the_documented_construction() {
        let e = CustodyEvent::next(
            None,
            CustodyEventKind::Created,
            "2026-01-01T00:00:00.000000Z".into(),
            None,
            "{}".into(),
        );
        let mut input = b"evidentia-custody-v1\0".to_vec();
        input.extend_from_slice(&1u64.to_be_bytes());
        for f in ["created", "2026-01-01T00:00:00.000000Z", "", "{}", GENESIS_HASH] {
            input.extend_from_slice(&(f.len() as u32).to_be_bytes());
            input.extend_from_slice(f.as_bytes());
        }
        assert_eq!(e.hash, DigestAlgorithm::Sha256.digest(&input).to_hex());
    }
}
