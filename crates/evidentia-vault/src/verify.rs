//! `vault verify`: recomputes the custody chain, compares every record row with the event that
//! created it, and re-hashes every blob. Names each broken item, the first broken link first.

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;
use serde::Serialize;

use super::anchors::{AnchorBatch, StoredChainAnchor};
use super::blobs::BlobState;
use super::custody::{CustodyEventKind, GENESIS_HASH};
use super::ots::OtsStamp;
use super::record::{EvidenceRecord, EvidenceSignature, EvidenceTimestamp, SubjectKind};
use super::{Vault, VaultError};
use crate::digest::DigestAlgorithm;
use crate::hash_hex::unhex32;
use crate::work::WorkManifest;
use evidentia_formats::merkle::{MerkleTree, head_leaf_data, leaf_hash, record_leaf_data};

/// One thing found wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VaultProblem {
    /// Stable code, e.g. `EVENT_ALTERED`, `BLOB_MISSING`.
    pub code: &'static str,
    /// The broken item: `event #12`, `record 0193…`, `blob 9f86…`.
    pub item: String,
    /// What is wrong, in words.
    pub detail: String,
}

/// The result of checking a whole vault.
#[derive(Debug, Clone, Serialize)]
pub struct VaultCheck {
    /// Events in the log.
    pub events: u64,
    /// Record rows.
    pub records: u64,
    /// Blobs re-hashed.
    pub blobs: u64,
    /// Sequence number and hash of the newest event.
    pub head: Option<(u64, String)>,
    /// What is wrong, most fundamental first: the chain, then records, then blobs.
    pub problems: Vec<VaultProblem>,
}

impl VaultCheck {
    /// Whether nothing is wrong.
    pub fn intact(&self) -> bool {
        self.problems.is_empty()
    }
}

fn problem(code: &'static str, item: String, detail: String) -> VaultProblem {
    VaultProblem { code, item, detail }
}

impl Vault {
    /// Checks the whole vault; `progress` is told each blob byte count as it is re-hashed.
    pub async fn verify(&self, progress: &(dyn Fn(u64) + Sync)) -> Result<VaultCheck, VaultError> {
        // The three big tables at once, each on its own connection.
        let (events, record_rows, mut digest_rows) =
            tokio::try_join!(self.events(), self.record_rows(), self.digest_rows())?;
        let mut problems = Vec::new();
        // Hashes and the records the log holds are recomputed and read on every core.
        let hashes_match: Vec<bool> = events.par_iter().map(|e| e.compute_hash() == e.hash).collect();
        let created_payloads: Vec<(usize, Result<EvidenceRecord, String>)> = events
            .par_iter()
            .enumerate()
            .filter(|(_, e)| e.kind == CustodyEventKind::Created.as_str())
            .map(|(i, e)| (i, serde_json::from_str(&e.payload).map_err(|err| err.to_string())))
            .collect();

        // 1. The chain: sequence without gaps, each hash recomputed, each link to the one before.
        let mut expected_seq = 1u64;
        let mut prev_hash = GENESIS_HASH.to_owned();
        for (e, hash_matches) in events.iter().zip(&hashes_match) {
            if e.seq != expected_seq {
                problems.push(problem(
                    "EVENT_MISSING",
                    format!("event #{expected_seq}"),
                    format!(
                        "the log jumps from #{} to #{}: events were removed",
                        expected_seq.saturating_sub(1),
                        e.seq
                    ),
                ));
            }
            if !hash_matches {
                problems.push(problem(
                    "EVENT_ALTERED",
                    format!("event #{}", e.seq),
                    "its content does not match its hash: the event was edited".into(),
                ));
            }
            if e.prev_hash != prev_hash {
                problems.push(problem(
                    "CHAIN_BROKEN",
                    format!("event #{}", e.seq),
                    "its previous-event hash does not match the event before it: an event was edited, \
                     removed, inserted or moved"
                        .into(),
                ));
            }
            prev_hash = e.hash.clone();
            expected_seq = e.seq + 1;
        }
        let head = events.last().map(|e| (e.seq, e.hash.clone()));
        if let Some(witness) = self.head_witness()? {
            match events.iter().find(|e| e.seq == witness.seq) {
                None => problems.push(problem(
                    "EVENTS_TRUNCATED",
                    format!("event #{}", witness.seq),
                    format!(
                        "the vault's head witness records event #{} but the log ends at #{}: events were removed",
                        witness.seq,
                        head.as_ref().map(|h| h.0).unwrap_or(0)
                    ),
                )),
                Some(e) if e.hash != witness.hash => problems.push(problem(
                    "HEAD_MISMATCH",
                    format!("event #{}", witness.seq),
                    "its hash differs from the one in the vault's head witness: the log was rewritten".into(),
                )),
                Some(_) => {}
            }
        }

        // 2. Records: each row must equal what its creation event recorded, and vice versa.
        let mut rows: HashMap<String, EvidenceRecord> = record_rows.into_iter().map(|r| (r.id.clone(), r)).collect();
        let record_count = rows.len() as u64;
        let mut logged: BTreeMap<String, (u64, EvidenceRecord)> = BTreeMap::new();
        for (i, parsed) in created_payloads {
            let e = &events[i];
            let item = format!("event #{}", e.seq);
            let recorded: EvidenceRecord = match parsed {
                Ok(r) => r,
                Err(err) => {
                    problems.push(problem("EVENT_UNREADABLE", item, format!("its record cannot be read: {err}")));
                    continue;
                }
            };
            if e.record_id.as_deref() != Some(recorded.id.as_str()) {
                problems.push(problem(
                    "EVENT_ALTERED",
                    item,
                    "it names another record than the one it recorded".into(),
                ));
            }
            if let Some((first, _)) = logged.get(&recorded.id) {
                problems.push(problem(
                    "RECORD_DUPLICATED",
                    format!("record {}", recorded.id),
                    format!("created twice, by events #{first} and #{}", e.seq),
                ));
                continue;
            }
            logged.insert(recorded.id.clone(), (e.seq, recorded));
        }
        for (id, (seq, recorded)) in &logged {
            let item = format!("record {id}");
            match rows.remove(id) {
                None => problems.push(problem(
                    "RECORD_MISSING",
                    item,
                    format!("sealed by event #{seq} but its row is gone: the record was deleted"),
                )),
                Some(mut row) => {
                    let column_sha = row.sha256_hex();
                    row.digests = digest_rows.remove(id).unwrap_or_default();
                    let mut diffs = differences(recorded, &row);
                    if column_sha != recorded.sha256_hex() {
                        diffs.push("sha256");
                    }
                    if !diffs.is_empty() {
                        diffs.dedup();
                        problems.push(problem(
                            "RECORD_ALTERED",
                            item,
                            format!("differs from what event #{seq} recorded in: {}", diffs.join(", ")),
                        ));
                    }
                }
            }
        }
        let mut unlogged: Vec<&String> = rows.keys().collect();
        unlogged.sort();
        for id in unlogged {
            problems.push(problem(
                "RECORD_UNLOGGED",
                format!("record {id}"),
                "no custody event created it: the row was inserted outside Evidentia".into(),
            ));
        }
        for id in digest_rows.keys() {
            problems.push(problem(
                "RECORD_UNLOGGED",
                format!("record {id}"),
                "digest rows exist for a record that the custody log does not know: inserted outside Evidentia".into(),
            ));
        }

        // 3. Signatures: each row as its event recorded it, its .p7s the one the event bound,
        //    signing its record's digest.
        let mut signature_imprints: HashMap<String, String> = HashMap::new();
        let mut sig_rows: HashMap<String, (EvidenceSignature, Vec<u8>)> =
            self.signatures(None).await?.into_iter().map(|(g, p7s)| (g.id.clone(), (g, p7s))).collect();
        for e in events.iter().filter(|e| e.kind == CustodyEventKind::Signed.as_str()) {
            let item = format!("event #{}", e.seq);
            let recorded: EvidenceSignature = match serde_json::from_str(&e.payload) {
                Ok(g) => g,
                Err(err) => {
                    problems.push(problem("EVENT_UNREADABLE", item, format!("its signature cannot be read: {err}")));
                    continue;
                }
            };
            let item = format!("signature {}", recorded.id);
            let Some((row, p7s)) = sig_rows.remove(&recorded.id) else {
                problems.push(problem(
                    "SIGNATURE_MISSING",
                    item,
                    format!("recorded by event #{} but its row is gone: it was deleted", e.seq),
                ));
                continue;
            };
            if row != recorded || DigestAlgorithm::Sha256.digest(&p7s).to_hex() != recorded.p7s_sha256 {
                problems.push(problem(
                    "SIGNATURE_ALTERED",
                    item,
                    format!("differs from what event #{} recorded", e.seq),
                ));
                continue;
            }
            let record = logged.get(&recorded.record_id).map(|(_, r)| r);
            match (record, crate::cades::signed_digest(&p7s)) {
                (None, _) => problems.push(problem(
                    "SIGNATURE_MISMATCH",
                    item,
                    format!("it names record {}, which the log does not know", recorded.record_id),
                )),
                (_, Err(err)) => {
                    problems.push(problem("SIGNATURE_MISMATCH", item, format!("its .p7s cannot be read: {err}")))
                }
                (Some(r), Ok((algo, digest, value))) => {
                    let expected = r.digests.get(algo).map(|d| d.as_bytes().to_vec());
                    if expected.as_deref() != Some(digest.as_slice())
                        || DigestAlgorithm::Sha256.digest(&value).to_hex() != recorded.signature_value_sha256
                    {
                        problems.push(problem(
                            "SIGNATURE_MISMATCH",
                            item,
                            format!("it does not sign record {}'s digest", recorded.record_id),
                        ));
                    } else {
                        signature_imprints.insert(recorded.record_id.clone(), recorded.signature_value_sha256.clone());
                    }
                }
            }
        }
        let mut unlogged: Vec<&String> = sig_rows.keys().collect();
        unlogged.sort();
        for id in unlogged {
            problems.push(problem(
                "SIGNATURE_UNLOGGED",
                format!("signature {id}"),
                "no custody event recorded it: the row was inserted outside Evidentia".into(),
            ));
        }

        // 4. Time-stamps: each row as its event recorded it, its token the one the event bound,
        //    time-stamping its record's signature value when it was signed, else its digest.
        let mut ts_rows: HashMap<String, (EvidenceTimestamp, Vec<u8>)> =
            self.timestamps(None).await?.into_iter().map(|(t, token)| (t.id.clone(), (t, token))).collect();
        for e in events.iter().filter(|e| e.kind == CustodyEventKind::Timestamped.as_str()) {
            let item = format!("event #{}", e.seq);
            let recorded: EvidenceTimestamp = match serde_json::from_str(&e.payload) {
                Ok(t) => t,
                Err(err) => {
                    problems.push(problem("EVENT_UNREADABLE", item, format!("its time-stamp cannot be read: {err}")));
                    continue;
                }
            };
            let item = format!("time-stamp {}", recorded.id);
            let Some((row, token)) = ts_rows.remove(&recorded.id) else {
                problems.push(problem(
                    "TIMESTAMP_MISSING",
                    item,
                    format!("recorded by event #{} but its row is gone: it was deleted", e.seq),
                ));
                continue;
            };
            if row != recorded {
                problems.push(problem(
                    "TIMESTAMP_ALTERED",
                    item,
                    format!("differs from what event #{} recorded", e.seq),
                ));
                continue;
            }
            if DigestAlgorithm::Sha256.digest(&token).to_hex() != recorded.token_sha256 {
                problems.push(problem("TIMESTAMP_ALTERED", item, "its token is not the one its event recorded".into()));
                continue;
            }
            let record_sha = logged
                .get(&recorded.record_id)
                .map(|(_, r)| signature_imprints.get(&r.id).cloned().unwrap_or_else(|| r.sha256_hex()));
            let token_imprint = crate::tsp::TimestampToken::from_any_der(&token).map(|t| hex::encode(t.imprint()));
            match (record_sha, token_imprint) {
                (Some(sha), Ok(imprint)) if sha == imprint && sha == recorded.imprint => {}
                (None, _) => problems.push(problem(
                    "TIMESTAMP_MISMATCH",
                    item,
                    format!("it names record {}, which the log does not know", recorded.record_id),
                )),
                (_, Err(err)) => {
                    problems.push(problem("TIMESTAMP_MISMATCH", item, format!("its token cannot be read: {err}")))
                }
                (Some(_), Ok(_)) => problems.push(problem(
                    "TIMESTAMP_MISMATCH",
                    item,
                    format!("its token does not time-stamp record {}'s digest or signature", recorded.record_id),
                )),
            }
        }
        let mut unlogged: Vec<&String> = ts_rows.keys().collect();
        unlogged.sort();
        for id in unlogged {
            problems.push(problem(
                "TIMESTAMP_UNLOGGED",
                format!("time-stamp {id}"),
                "no custody event recorded it: the row was inserted outside Evidentia".into(),
            ));
        }

        // 5. Anchor batches: each as its event recorded it, every record leaf recomputed from the
        //    record and its salt, the head leaf from the event it names, the root from the leaves.
        let mut batch_rows: HashMap<String, AnchorBatch> =
            self.batches().await?.into_iter().map(|b| (b.id.clone(), b)).collect();
        let event_hashes: HashMap<u64, &str> = events.iter().map(|e| (e.seq, e.hash.as_str())).collect();
        for e in events.iter().filter(|e| e.kind == CustodyEventKind::Batched.as_str()) {
            let recorded: AnchorBatch = match serde_json::from_str(&e.payload) {
                Ok(b) => b,
                Err(err) => {
                    problems.push(problem(
                        "EVENT_UNREADABLE",
                        format!("event #{}", e.seq),
                        format!("its batch cannot be read: {err}"),
                    ));
                    continue;
                }
            };
            let item = format!("anchor batch {}", recorded.id);
            let Some(row) = batch_rows.remove(&recorded.id) else {
                problems.push(problem(
                    "ANCHOR_BATCH_MISSING",
                    item,
                    format!("recorded by event #{} but its row is gone", e.seq),
                ));
                continue;
            };
            if row != recorded {
                problems.push(problem(
                    "ANCHOR_BATCH_ALTERED",
                    item,
                    format!("differs from what event #{} recorded", e.seq),
                ));
                continue;
            }
            let leaves = self.batch_leaves(&recorded.id).await?;
            let mut bad = Vec::new();
            if leaves.len() as u64 != recorded.size || leaves.iter().enumerate().any(|(i, l)| l.leaf_index != i as u64)
            {
                bad.push(format!("it has {} leaves where {} were recorded", leaves.len(), recorded.size));
            }
            for l in &leaves {
                let expected = match &l.record_id {
                    Some(id) => match (logged.get(id), unhex32(&l.salt)) {
                        (Some((_, r)), Some(salt)) => {
                            unhex32(&r.sha256_hex()).map(|sha| hex::encode(leaf_hash(&record_leaf_data(&salt, &sha))))
                        }
                        _ => None,
                    },
                    None => unhex32(&recorded.head_hash)
                        .map(|h| hex::encode(leaf_hash(&head_leaf_data(recorded.head_seq, &h)))),
                };
                if expected.as_deref() != Some(l.leaf_hash.as_str()) {
                    bad.push(format!(
                        "leaf {} does not commit to {}",
                        l.leaf_index,
                        l.record_id.as_deref().unwrap_or("the log's head")
                    ));
                }
            }
            if event_hashes.get(&recorded.head_seq).copied() != Some(recorded.head_hash.as_str())
                || recorded.head_seq >= e.seq
            {
                bad.push(format!("its head names event #{} with another hash than the log has", recorded.head_seq));
            }
            let root = MerkleTree::new(leaves.iter().filter_map(|l| unhex32(&l.leaf_hash)).collect()).root();
            if hex::encode(root) != recorded.root {
                bad.push("its leaves do not give its root".into());
            }
            if !bad.is_empty() {
                problems.push(problem("ANCHOR_BATCH_MISMATCH", item, bad.join("; ")));
            }
        }
        let mut unlogged: Vec<&String> = batch_rows.keys().collect();
        unlogged.sort();
        for id in unlogged {
            problems.push(problem(
                "ANCHOR_BATCH_UNLOGGED",
                format!("anchor batch {id}"),
                "no custody event recorded it: the row was inserted outside Evidentia".into(),
            ));
        }

        // 6. Chain anchors: each as its event recorded it, its offline proof holding for its
        //    batch's root against its own block hash.
        let roots: HashMap<String, String> = self.batches().await?.into_iter().map(|b| (b.id, b.root)).collect();
        let stored: HashMap<String, StoredChainAnchor> = self
            .anchoring()
            .await?
            .into_iter()
            .flat_map(|b| b.anchors.into_iter().map(|(a, _)| (a.id.clone(), a)))
            .collect();
        let chain_logged = LoggedRows {
            kinds: &[CustodyEventKind::Anchored.as_str()],
            what: "chain anchor",
            codes: ["ANCHOR_MISSING", "ANCHOR_ALTERED", "ANCHOR_PROOF_INVALID", "ANCHOR_UNLOGGED"],
        };
        chain_logged.check(&events, stored, &mut problems, |row: &StoredChainAnchor| {
            match roots.get(&row.batch_id).and_then(|r| unhex32(r)) {
                Some(root) => evidentia_formats::evm_proof::verify_offline(&row.anchor, &root, &row.anchor.block_hash)
                    .map_err(|err| err.to_string()),
                None => Err(format!("its batch {} is unknown", row.batch_id)),
            }
        });

        // 7. OpenTimestamps stamps: each as its event recorded it, its tree readable from its
        //    batch's root.
        let ots_rows: HashMap<String, OtsStamp> =
            self.ots_stamps().await?.into_iter().map(|s| (s.id.clone(), s)).collect();
        let ots_logged = LoggedRows {
            kinds: &[CustodyEventKind::OtsSubmitted.as_str(), CustodyEventKind::OtsUpgraded.as_str()],
            what: "OpenTimestamps stamp",
            codes: ["OTS_MISSING", "OTS_ALTERED", "OTS_PROOF_INVALID", "OTS_UNLOGGED"],
        };
        ots_logged.check(&events, ots_rows, &mut problems, |row: &OtsStamp| {
            let root = roots.get(&row.batch_id).and_then(|r| unhex32(r));
            match (root, row.tree()) {
                (None, _) => Err(format!("its batch {} is unknown", row.batch_id)),
                (_, Err(err)) => Err(err.to_string()),
                (Some(root), Ok(tree)) => match evidentia_formats::ots_record::bitcoin_height(&tree, &root) {
                    Err(err) => Err(err.to_string()),
                    Ok(h) if h != row.bitcoin_height => {
                        Err(format!("it says Bitcoin block {:?}, its tree {h:?}", row.bitcoin_height))
                    }
                    Ok(_) => Ok(()),
                },
            }
        });

        // 8. Archive stamps (evidence records): each as its event recorded it, its leaves bound by
        //    their digest, each leaf's reduced tree giving the root its token time-stamps.
        let mut leaves_of: HashMap<String, Vec<crate::ArchiveLeaf>> = HashMap::new();
        for (stamp_id, leaf) in self.archive_leaves(None).await? {
            leaves_of.entry(stamp_id).or_default().push(leaf);
        }
        let stamp_rows: HashMap<String, crate::ArchiveStamp> =
            self.archive_stamps().await?.into_iter().map(|s| (s.id.clone(), s)).collect();
        for stamp_id in leaves_of.keys().filter(|id| !stamp_rows.contains_key(*id)) {
            problems.push(problem(
                "ARCHIVE_UNLOGGED",
                format!("archive leaves of {stamp_id}"),
                "they name an archive stamp the vault does not have".into(),
            ));
        }
        let archive_logged = LoggedRows {
            kinds: &[CustodyEventKind::Archived.as_str()],
            what: "archive stamp",
            codes: ["ARCHIVE_MISSING", "ARCHIVE_ALTERED", "ARCHIVE_INVALID", "ARCHIVE_UNLOGGED"],
        };
        archive_logged.check(&events, stamp_rows, &mut problems, |row: &crate::ArchiveStamp| {
            let leaves = leaves_of.get(&row.id).map(Vec::as_slice).unwrap_or_default();
            if crate::leaves_sha256(leaves) != row.leaves_sha256 {
                return Err("its leaves are not those it was written with".into());
            }
            let algorithm = row.digest_algorithm().ok_or_else(|| format!("unknown algorithm {}", row.algorithm))?;
            for l in leaves {
                let root = evidentia_pki::evidence_record::verify::root_hash(algorithm, &l.reduced_bytes());
                if hex::encode(root) != row.root {
                    return Err(format!("the hash tree of {} does not give its root", l.record_id));
                }
            }
            let token = hex::decode(&row.token)
                .ok()
                .and_then(|t| evidentia_pki::tsp::TimestampToken::from_token_der(&t).ok())
                .ok_or("its token cannot be read")?;
            if hex::encode(token.imprint()) != row.root {
                return Err("its token time-stamps another root".into());
            }
            Ok(())
        });

        // 9. Cases: opened and changed as the log says, members as its changes leave them.
        problems.extend(self.check_cases(&events).await?);

        // 10. Blobs, as the log says they should be.
        let mut wanted: Vec<(String, String)> = Vec::new(); // (sha256, what it is)
        for (id, (_, r)) in &logged {
            let sha = r.sha256_hex();
            match r.kind {
                SubjectKind::File if r.stored => wanted.push((sha, format!("content of record {id} ({})", r.name))),
                SubjectKind::File => {}
                SubjectKind::Work => {
                    wanted.push((sha.clone(), format!("manifest of work record {id} ({})", r.name)));
                    if r.stored {
                        // A missing or altered manifest blob is reported with the other blobs below.
                        if let Some(m) = self.read_manifest(&sha) {
                            for f in m.files {
                                if let Some(d) = f.digests.get(DigestAlgorithm::Sha256) {
                                    wanted.push((d.to_hex(), format!("{} in work record {id}", f.path)));
                                }
                            }
                        }
                    }
                }
            }
        }
        wanted.sort();
        wanted.dedup_by(|a, b| a.0 == b.0);
        let store = self.blobs().clone();
        let states: Vec<(String, String, BlobState)> = wanted
            .into_par_iter()
            .map(|(sha, what)| {
                let state = store.check(&sha);
                if let Ok(m) = std::fs::metadata(store.path_for(&sha)) {
                    progress(m.len());
                }
                (sha, what, state)
            })
            .collect();
        let blob_count = states.len() as u64;
        for (sha, what, state) in states {
            let item = format!("blob {sha}");
            match state {
                BlobState::Intact => {}
                BlobState::Missing => {
                    problems.push(problem("BLOB_MISSING", item, format!("{what}: the file is missing")))
                }
                BlobState::Changed(actual) => problems.push(problem(
                    "BLOB_ALTERED",
                    item,
                    format!("{what}: the content changed (its SHA-256 is now {actual})"),
                )),
                BlobState::Unreadable(err) => {
                    problems.push(problem("BLOB_UNREADABLE", item, format!("{what}: cannot be read ({err})")))
                }
            }
        }

        Ok(VaultCheck { events: events.len() as u64, records: record_count, blobs: blob_count, head, problems })
    }

    /// Reads a work manifest from the blob store, if present and well-formed.
    pub fn read_manifest(&self, sha256_hex: &str) -> Option<WorkManifest> {
        let bytes = std::fs::read(self.blobs().path_for(sha256_hex)).ok()?;
        serde_json::from_slice(&bytes).ok()
    }
}

/// Names of the fields in which a stored row differs from the record its event carries.
fn differences(recorded: &EvidenceRecord, row: &EvidenceRecord) -> Vec<&'static str> {
    let mut d = Vec::new();
    let checks: [(&'static str, bool); 12] = [
        ("id", recorded.id == row.id),
        ("kind", recorded.kind == row.kind),
        ("name", recorded.name == row.name),
        ("size", recorded.size == row.size),
        ("file_count", recorded.file_count == row.file_count),
        ("media_type", recorded.media_type == row.media_type),
        ("digests", recorded.digests == row.digests),
        ("stored", recorded.stored == row.stored),
        ("source_path", recorded.source_path == row.source_path),
        ("profile", recorded.profile == row.profile),
        ("created_at", recorded.created_at == row.created_at),
        ("timestamp_requested", recorded.timestamp_requested == row.timestamp_requested),
    ];
    for (name, same) in checks {
        if !same {
            d.push(name);
        }
    }
    d
}

/// Rows that custody events record in their payload: every event's row must exist and equal it,
/// hold by `valid`, and every row must have an event.
struct LoggedRows<'a> {
    kinds: &'a [&'a str],
    what: &'static str,
    /// Codes for a row that is missing, altered, invalid, unlogged.
    codes: [&'static str; 4],
}

trait Identified {
    fn identity(&self) -> &str;
}

impl Identified for StoredChainAnchor {
    fn identity(&self) -> &str {
        &self.id
    }
}

impl Identified for crate::ArchiveStamp {
    fn identity(&self) -> &str {
        &self.id
    }
}

impl Identified for OtsStamp {
    fn identity(&self) -> &str {
        &self.id
    }
}

impl LoggedRows<'_> {
    fn check<T: serde::de::DeserializeOwned + PartialEq + Identified>(
        &self,
        events: &[super::CustodyEvent],
        mut rows: HashMap<String, T>,
        problems: &mut Vec<VaultProblem>,
        valid: impl Fn(&T) -> Result<(), String>,
    ) {
        let [missing, altered, invalid, unlogged] = self.codes;
        for e in events.iter().filter(|e| self.kinds.contains(&e.kind.as_str())) {
            let Ok(recorded) = serde_json::from_str::<T>(&e.payload) else {
                problems.push(problem(
                    "EVENT_UNREADABLE",
                    format!("event #{}", e.seq),
                    format!("its {} cannot be read", self.what),
                ));
                continue;
            };
            let item = format!("{} {}", self.what, recorded.identity());
            match rows.remove(recorded.identity()) {
                None => {
                    problems.push(problem(missing, item, format!("recorded by event #{} but its row is gone", e.seq)))
                }
                Some(row) if row != recorded => {
                    problems.push(problem(altered, item, format!("differs from what event #{} recorded", e.seq)))
                }
                Some(row) => {
                    if let Err(why) = valid(&row) {
                        problems.push(problem(invalid, item, why));
                    }
                }
            }
        }
        let mut left: Vec<&String> = rows.keys().collect();
        left.sort();
        for id in left {
            problems.push(problem(
                unlogged,
                format!("{} {id}", self.what),
                "no custody event recorded it: the row was inserted outside Evidentia".into(),
            ));
        }
    }
}
