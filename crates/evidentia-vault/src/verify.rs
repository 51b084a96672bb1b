//! `vault verify`: recomputes the custody chain, compares every record row with the event that
//! created it, and re-hashes every blob. Names each broken item, the first broken link first.

use std::collections::{HashMap, HashSet};

use rayon::prelude::*;
use serde::Serialize;

use super::anchors::{AnchorBatch, StoredChainAnchor};
use super::blobs::BlobState;
use super::custody::CustodyEventKind;
use super::log_pass::{ChainCheck, LogPass, LoggedEvent, log_pass};
use super::ots::OtsStamp;
use super::problem::{VaultProblem, differences, problem};
use super::record::{EvidenceRecord, EvidenceSignature, EvidenceTimestamp};
use super::scan::RecordOrder;
use super::store::{ROWS_PER_INSERT, get_text, get_u64, placeholders};
use super::{Vault, VaultError};
use crate::digest::DigestAlgorithm;
use crate::hash_hex::unhex32;
use crate::work::WorkManifest;
use evidentia_formats::merkle::{MerkleTree, head_leaf_data, leaf_hash, record_leaf_data};
use sqlx::AssertSqlSafe;

/// The record a signature or time-stamp names.
#[derive(serde::Deserialize)]
struct NamesRecord {
    record_id: String,
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

impl Vault {
    /// Checks the whole vault; `progress` is told each blob byte count as it is re-hashed.
    pub async fn verify(&self, progress: &(dyn Fn(u64) + Sync)) -> Result<VaultCheck, VaultError> {
        // Anchor batches name the log's head when they were made: those events' hashes are kept.
        let mut batch_rows: HashMap<String, AnchorBatch> =
            self.batches().await?.into_iter().map(|b| (b.id.clone(), b)).collect();
        let heads: HashSet<u64> = batch_rows.values().map(|b| b.head_seq).collect();
        // 1–2. The chain and the records, streamed (see `log_pass`).
        // Records as stored first; rows that lie otherwise than Evidentia writes them send the pass
        // round again in key order.
        let witness = self.head_witness()?;
        let passes = async {
            for order in [RecordOrder::Stored, RecordOrder::Keyed] {
                let scan = self.scan(ChainCheck::new(witness.clone(), heads.clone()), order);
                let passed = tokio::task::spawn_blocking(move || log_pass(scan.events, scan.records))
                    .await
                    .map_err(|e| VaultError::BadRow(format!("the check of the custody log stopped ({e})")))??;
                if passed.is_some() {
                    return Ok(passed);
                }
            }
            Ok::<_, VaultError>(None)
        };
        // The case tables are read meanwhile: after the pass, the two cores would idle for it.
        let (passed, case_rows) = tokio::join!(passes, self.case_rows());
        let mut pass =
            passed?.ok_or_else(|| VaultError::BadRow("the records could not be read in key order".into()))?;
        let mut problems = std::mem::take(&mut pass.chain_problems);
        problems.append(&mut pass.record_problems);
        self.check_mismatched(&mut pass).await?;
        problems.append(&mut pass.record_problems);
        self.check_rowless(&mut pass, &mut problems).await?;
        let events = std::mem::take(&mut pass.others);
        let record_count = pass.records;

        // 3. Signatures: each row as its event recorded it, its .p7s the one the event bound,
        //    signing its record's digest. The records they (and time-stamps) name, as logged.
        let named = events
            .iter()
            .filter(|e| {
                [CustodyEventKind::Signed.as_str(), CustodyEventKind::Timestamped.as_str()].contains(&e.kind.as_str())
            })
            .filter_map(|e| serde_json::from_str::<NamesRecord>(&e.payload).ok())
            .map(|n| n.record_id);
        let logged = self.logged_of(&pass, named).await?;
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
            let record = logged.get(&recorded.record_id);
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
                .map(|r| signature_imprints.get(&r.id).cloned().unwrap_or_else(|| r.sha256_hex()));
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
            let logged = self.logged_of(&pass, leaves.iter().filter_map(|l| l.record_id.clone())).await?;
            let mut bad = Vec::new();
            if leaves.len() as u64 != recorded.size || leaves.iter().enumerate().any(|(i, l)| l.leaf_index != i as u64)
            {
                bad.push(format!("it has {} leaves where {} were recorded", leaves.len(), recorded.size));
            }
            for l in &leaves {
                let expected = match &l.record_id {
                    Some(id) => match (logged.get(id), unhex32(&l.salt)) {
                        (Some(r), Some(salt)) => {
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
            if pass.hashes.get(&recorded.head_seq) != Some(&recorded.head_hash) || recorded.head_seq >= e.seq {
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
        problems.extend(Vault::check_cases(&events, case_rows?)?);

        // 10. Blobs, as the log says they should be.
        let mut wanted = std::mem::take(&mut pass.blobs); // (sha256, what it is)
        for (id, sha) in &pass.works {
            // A missing or altered manifest blob is reported with the other blobs below.
            if let Some(m) = self.read_manifest(sha) {
                for f in m.files {
                    if let Some(d) = f.digests.get(DigestAlgorithm::Sha256) {
                        wanted.push((d.to_hex(), format!("{} in work record {id}", f.path)));
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

        Ok(VaultCheck { events: pass.events, records: record_count, blobs: blob_count, head: pass.head, problems })
    }

    /// Rows whose canonical form differs from what their event recorded, compared field by field
    /// (a row altered, or an event written by an earlier version in another form).
    async fn check_mismatched(&self, pass: &mut LogPass) -> Result<(), VaultError> {
        let mismatched = std::mem::take(&mut pass.mismatched);
        for chunk in mismatched.chunks(500) {
            let payloads = self.payloads_of(chunk.iter().map(|(_, seq)| *seq)).await?;
            let ids: Vec<String> = chunk.iter().map(|(id, _)| id.clone()).collect();
            let rows: HashMap<String, EvidenceRecord> =
                self.records_in_order(&ids).await?.into_iter().map(|r| (r.id.clone(), r)).collect();
            let columns = self.sha256_columns(&ids).await?;
            for (id, seq) in chunk {
                let recorded = payloads.get(seq).map(|p| serde_json::from_str::<EvidenceRecord>(p));
                let recorded = match recorded {
                    Some(Ok(r)) => r,
                    Some(Err(err)) => {
                        pass.record_problems.push(problem(
                            "EVENT_UNREADABLE",
                            format!("event #{seq}"),
                            format!("its record cannot be read: {err}"),
                        ));
                        pass.unlogged(id.clone());
                        continue;
                    }
                    None => continue,
                };
                let Some(row) = rows.get(id) else { continue };
                if recorded.id != *id {
                    pass.record_problems.push(problem(
                        "EVENT_ALTERED",
                        format!("event #{seq}"),
                        "it names another record than the one it recorded".into(),
                    ));
                }
                let mut diffs = differences(&recorded, row);
                if columns.get(id) != Some(&recorded.sha256_hex()) {
                    diffs.push("sha256");
                }
                if !diffs.is_empty() {
                    diffs.dedup();
                    pass.record_problems.push(problem(
                        "RECORD_ALTERED",
                        format!("record {id}"),
                        format!("differs from what event #{seq} recorded in: {}", diffs.join(", ")),
                    ));
                    pass.logged_apart.insert(id.clone(), recorded.clone());
                }
                pass.note_blobs(&recorded);
            }
        }
        Ok(())
    }

    /// `created` events whose record has no row: a duplicate of one that has, or a deleted record.
    async fn check_rowless(&self, pass: &mut LogPass, problems: &mut Vec<VaultProblem>) -> Result<(), VaultError> {
        let rowless = std::mem::take(&mut pass.rowless);
        for chunk in rowless.chunks(500) {
            let ids: Vec<String> = chunk.iter().map(|(id, _)| id.clone()).collect();
            let present: HashSet<String> = self.records_in_order(&ids).await?.into_iter().map(|r| r.id).collect();
            let payloads = self.payloads_of(chunk.iter().map(|(_, seq)| *seq)).await?;
            for (id, seq) in chunk {
                if present.contains(id) {
                    let seqs: Vec<i64> = sqlx::query_scalar(
                        "SELECT seq FROM custody_events WHERE record_id = $1 AND kind = 'created' ORDER BY seq",
                    )
                    .bind(id.clone())
                    .fetch_all(&self.pool)
                    .await?;
                    let first = seqs.iter().map(|s| *s as u64).find(|s| s != seq).unwrap_or(*seq);
                    problems.push(problem(
                        "RECORD_DUPLICATED",
                        format!("record {id}"),
                        format!("created twice, by events #{first} and #{seq}"),
                    ));
                    continue;
                }
                match payloads.get(seq).map(|p| serde_json::from_str::<EvidenceRecord>(p)) {
                    None => {}
                    Some(Err(err)) => problems.push(problem(
                        "EVENT_UNREADABLE",
                        format!("event #{seq}"),
                        format!("its record cannot be read: {err}"),
                    )),
                    Some(Ok(recorded)) => {
                        problems.push(problem(
                            "RECORD_MISSING",
                            format!("record {id}"),
                            format!("sealed by event #{seq} but its row is gone: the record was deleted"),
                        ));
                        pass.note_blobs(&recorded);
                        pass.logged_apart.insert(id.clone(), recorded);
                    }
                }
            }
        }
        Ok(())
    }

    /// The payloads of the events `seqs`.
    async fn payloads_of(&self, seqs: impl Iterator<Item = u64>) -> Result<HashMap<u64, String>, VaultError> {
        let seqs: Vec<i64> = seqs.filter_map(|s| i64::try_from(s).ok()).collect();
        let mut out = HashMap::new();
        for chunk in seqs.chunks(ROWS_PER_INSERT) {
            let sql =
                format!("SELECT seq, payload FROM custody_events WHERE seq IN ({})", placeholders(1, chunk.len()));
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for seq in chunk {
                q = q.bind(*seq);
            }
            for row in q.fetch_all(&self.pool).await? {
                out.insert(get_u64(&row, "seq")?, get_text(&row, "payload")?);
            }
        }
        Ok(out)
    }

    /// The SHA-256 columns of the records `ids`.
    async fn sha256_columns(&self, ids: &[String]) -> Result<HashMap<String, String>, VaultError> {
        let mut out = HashMap::new();
        for chunk in ids.chunks(ROWS_PER_INSERT) {
            let sql = format!("SELECT id, sha256 FROM records WHERE id IN ({})", placeholders(1, chunk.len()));
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for id in chunk {
                q = q.bind(id.clone());
            }
            for row in q.fetch_all(&self.pool).await? {
                out.insert(get_text(&row, "id")?, get_text(&row, "sha256")?);
            }
        }
        Ok(out)
    }

    /// The records `ids` as the log recorded them: the row where it matched its event (checked by
    /// the streamed pass), else what the event carried; rows no event created are left out.
    async fn logged_of(
        &self,
        pass: &LogPass,
        ids: impl IntoIterator<Item = String>,
    ) -> Result<HashMap<String, EvidenceRecord>, VaultError> {
        let mut out = HashMap::new();
        let mut fetch = Vec::new();
        for id in ids {
            match pass.logged_apart.get(&id) {
                Some(r) => {
                    out.insert(id, r.clone());
                }
                None if !pass.unlogged.contains(&id) => fetch.push(id),
                None => {}
            }
        }
        fetch.sort();
        fetch.dedup();
        for r in self.records_in_order(&fetch).await? {
            out.insert(r.id.clone(), r);
        }
        Ok(out)
    }

    /// Reads a work manifest from the blob store, if present and well-formed.
    pub fn read_manifest(&self, sha256_hex: &str) -> Option<WorkManifest> {
        let bytes = std::fs::read(self.blobs().path_for(sha256_hex)).ok()?;
        serde_json::from_slice(&bytes).ok()
    }
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
        events: &[LoggedEvent],
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
