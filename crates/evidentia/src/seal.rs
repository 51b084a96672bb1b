//! Sealing: hashes each subject (copying its content into the vault as it is read), then makes a
//! batch of copies durable with one sync, then writes the batch's records and custody events in one
//! transaction. A batch is all or nothing, so a killed process leaves only whole records.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;

use crate::Error;
use crate::cades;
use crate::clock::now;
use crate::config::ProfileName;
use crate::digest::{DigestAlgorithm, HashedFile, hash_bytes, hash_file, read_small};
use crate::identity::Identity;
use crate::media;
use crate::stamp::{self, StampOutcome};
use crate::subject::{InputError, PlannedFile, Skipped, Subject};
use crate::tsp::TsaClient;
use crate::vault::{
    CustodyEventKind, EvidenceRecord, EvidenceSignature, NewRecord, NewSignature, PendingBlob, RecordStatus,
    SubjectKind, Vault, VaultError,
};
use crate::work::{ManifestEntry, WorkManifest};

/// Most files in one batch (one sync, one transaction).
const BATCH_FILES: u64 = 1000;
/// Most bytes in one batch.
const BATCH_BYTES: u64 = 512 << 20;

/// How to seal.
#[derive(Debug, Clone)]
pub struct SealOptions {
    /// Digest algorithms; SHA-256 is always added (it names the vault's copies).
    pub algorithms: Vec<DigestAlgorithm>,
    /// Keep a copy of the content in the vault.
    pub copy: bool,
    /// The profile the records are made under.
    pub profile: ProfileName,
    /// Whether the records ask for an RFC 3161 time-stamp (given when a TSA client is).
    pub timestamp: bool,
    /// Sign each new record with this identity (unlocked once for the whole seal).
    pub identity: Option<Arc<Identity>>,
    /// With an identity: sign each PDF inside the file (PAdES) first, and seal the signed copy.
    pub pades: Option<crate::pades::SignOptions>,
}

impl SealOptions {
    fn algorithms(&self) -> Vec<DigestAlgorithm> {
        let mut algos = vec![DigestAlgorithm::Sha256];
        algos.extend(self.algorithms.iter().copied());
        // A signature covers the record with its key's digest.
        algos.extend(self.identity.iter().map(|i| i.key.digest()));
        algos.sort();
        algos.dedup();
        algos
    }
}

/// Receives progress while sealing. Every method has a default that ignores it.
pub trait SealProgress: Sync {
    /// The work ahead: number of files and bytes.
    fn planned(&self, _files: u64, _bytes: u64) {}
    /// A stage of the whole operation begins (`signing`, `anchoring`, `done`).
    fn phase(&self, _phase: &str) {}
    /// More bytes were hashed.
    fn hashed(&self, _bytes: u64) {}
    /// One more subject's record is written (or found already sealed).
    fn subject_done(&self, _name: &str) {}
    /// Whether the user asked to stop: checked between files and between chunks of a file.
    fn cancelled(&self) -> bool {
        false
    }
}

/// Passes writes through until the seal is cancelled, then fails them, which stops the hashing.
struct CancellableSink<'a, W> {
    inner: W,
    progress: &'a dyn SealProgress,
}

impl<W: std::io::Write> std::io::Write for CancellableSink<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.progress.cancelled() {
            return Err(std::io::Error::other("cancelled"));
        }
        self.inner.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Ignores progress.
pub struct NoProgress;
impl SealProgress for NoProgress {}

/// What sealing one subject gave.
#[derive(Debug, Clone, Serialize)]
pub struct SealOutcome {
    /// The record (the earlier one, when the subject was already sealed).
    #[serde(flatten)]
    pub record: EvidenceRecord,
    /// Where it stands.
    pub status: RecordStatus,
    /// The same content under the same name was sealed before: no new record was made.
    pub already_sealed: bool,
    /// What was left out of a work.
    pub skipped: Vec<Skipped>,
    /// The signature made for it, when sealed with an identity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature: Option<EvidenceSignature>,
    /// What happened to its time-stamp, when one was asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<StampOutcome>,
}

/// A copy written to a temporary file, with the SHA-256 that will name it.
type PendingCopy = (PendingBlob, String);

struct Prepared {
    record: EvidenceRecord,
    blobs: Vec<(PendingBlob, String)>,
    skipped: Vec<Skipped>,
}

/// What a seal did.
#[derive(Debug, Clone, Serialize)]
pub struct SealReport {
    /// One outcome per subject, in the order given.
    pub records: Vec<SealOutcome>,
    /// Records sealed earlier whose pending time-stamp this seal tried to complete.
    pub earlier_pending: Vec<StampOutcome>,
    /// PDFs signed inside the file before sealing (the records are of these signed copies).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub signed_pdfs: Vec<crate::pades::SignedPdf>,
}

/// Seals subjects (from [`crate::subject::plan`]) into the vault, in order. With a TSA client,
/// each new record asks for a time-stamp, and earlier records still waiting for one are retried.
pub async fn seal(
    vault: &Vault,
    subjects: Vec<Subject>,
    options: &SealOptions,
    tsa: Option<&TsaClient>,
    progress: &dyn SealProgress,
) -> Result<SealReport, Error> {
    if let Some(identity) = &options.identity {
        cades::check_signer(identity.as_ref())?;
    }
    let mut subjects = subjects;
    let mut signed_pdfs = Vec::new();
    if let (Some(identity), Some(pades)) = (&options.identity, &options.pades) {
        (subjects, signed_pdfs) = crate::pades::sign_pdf_subjects(identity, subjects, pades, tsa).await?;
    }
    let further_events = further_events(options, &signed_pdfs);
    progress.planned(subjects.iter().map(Subject::file_count).sum(), subjects.iter().map(Subject::size).sum());
    let algos = options.algorithms();
    let mut outcomes = Vec::with_capacity(subjects.len());
    let mut batch: Vec<Subject> = Vec::new();
    let (mut files, mut bytes) = (0u64, 0u64);
    let mut iter = subjects.into_iter().peekable();
    while let Some(subject) = iter.next() {
        if progress.cancelled() {
            return Err(Error::Cancelled);
        }
        files += subject.file_count();
        bytes += subject.size();
        batch.push(subject);
        let full = files >= BATCH_FILES || bytes >= BATCH_BYTES;
        if full || iter.peek().is_none() {
            let done =
                seal_batch(vault, std::mem::take(&mut batch), &algos, options, &further_events, tsa, progress).await?;
            outcomes.extend(done);
            files = 0;
            bytes = 0;
        }
    }
    let mut earlier_pending = Vec::new();
    if let Some(client) = tsa {
        let handled: HashSet<&str> = outcomes.iter().map(|o| o.record.id.as_str()).collect();
        let mut pending = vault.pending_timestamps().await?;
        pending.retain(|r| !handled.contains(r.id.as_str()));
        earlier_pending = stamp::stamp(vault, client, &pending).await?;
    }
    Ok(SealReport { records: outcomes, earlier_pending, signed_pdfs })
}

/// The events each signed PDF copy's record is written with, by the copy's SHA-256:
/// `countersigned` (the received PDF it was signed over, sealed beside it) and `seal_used` (who
/// used which seal where).
fn further_events(
    options: &SealOptions,
    signed: &[crate::pades::SignedPdf],
) -> HashMap<String, Vec<(CustodyEventKind, String)>> {
    let mut out: HashMap<String, Vec<(CustodyEventKind, String)>> = HashMap::new();
    for s in signed {
        if let Some((name, sha256)) = &s.received {
            let payload = serde_json::json!({
                "received": { "name": name, "sha256": sha256 },
                "earlier_signatures": s.earlier_signatures,
                "field": s.field,
                "signer": s.signer.subject,
                "countersigned_pdf_sha256": s.sha256,
            });
            out.entry(s.sha256.clone()).or_default().push((CustodyEventKind::Countersigned, payload.to_string()));
        }
    }
    for (sha256, payload) in seal_uses(options, signed) {
        out.entry(sha256).or_default().push((CustodyEventKind::SealUsed, payload));
    }
    out
}

/// For each PDF signed with the identity's seal stamped in it, by the signed copy's SHA-256: who
/// used which seal where, as the `seal_used` custody event of the copy's record says it.
fn seal_uses(options: &SealOptions, signed: &[crate::pades::SignedPdf]) -> HashMap<String, String> {
    let (Some(identity), Some(pades)) = (&options.identity, &options.pades) else { return HashMap::new() };
    let seal = match (&pades.seal, &pades.image) {
        (Some(seal), _) => crate::identity::IdentitySeal::Generated(seal.clone()).describe(),
        (None, Some(_)) => "image".to_owned(),
        (None, None) => return HashMap::new(),
    };
    let placement = pades.placement.map(|p| {
        let page = if p.page == 0 { "last".to_owned() } else { p.page.to_string() };
        format!("{page},{},{},{},{}", p.x, p.y, p.w, p.h)
    });
    signed
        .iter()
        .map(|s| {
            let payload = serde_json::json!({
                "identity": identity.name,
                "signer": s.signer.subject,
                "seal": seal,
                "placement": placement,
                "field": s.field,
                "signed_pdf_sha256": s.sha256,
            });
            (s.sha256.clone(), payload.to_string())
        })
        .collect()
}

async fn seal_batch(
    vault: &Vault,
    batch: Vec<Subject>,
    algos: &[DigestAlgorithm],
    options: &SealOptions,
    further_events: &HashMap<String, Vec<(CustodyEventKind, String)>>,
    tsa: Option<&TsaClient>,
    progress: &dyn SealProgress,
) -> Result<Vec<SealOutcome>, Error> {
    let prepared: Vec<Result<Prepared, Error>> =
        batch.par_iter().map(|s| prepare(vault, s, algos, options, progress)).collect();
    let mut ready = Vec::with_capacity(prepared.len());
    let mut failure = None;
    for p in prepared {
        match p {
            Ok(p) => ready.push(p),
            Err(e) => failure = failure.or(Some(e)),
        }
    }
    if let Some(e) = failure {
        for p in ready {
            discard(vault, p.blobs);
        }
        return Err(e);
    }

    // Same kind, name and content as a record already in the vault (or earlier in this batch)?
    let keys: Vec<(SubjectKind, String, String)> =
        ready.iter().map(|p| (p.record.kind, p.record.name.clone(), p.record.sha256_hex())).collect();
    let mut known = vault.find_sealed(&keys).await?;
    let mut outcomes = Vec::with_capacity(ready.len());
    let mut fresh: Vec<NewRecord> = Vec::new();
    let mut to_publish: Vec<(PendingBlob, String)> = Vec::new();
    let mut fresh_index: HashMap<(SubjectKind, String, String), usize> = HashMap::new();
    for (p, key) in ready.into_iter().zip(keys) {
        if let Some(existing) = known.get(&key) {
            discard(vault, p.blobs);
            outcomes.push(SealOutcome {
                record: existing.clone(),
                status: RecordStatus::Sealed,
                already_sealed: true,
                skipped: p.skipped,
                signature: None,
                timestamp: None,
            });
            continue;
        }
        if let Some(&i) = fresh_index.get(&key) {
            discard(vault, p.blobs);
            let record: EvidenceRecord = fresh[i].record.clone();
            outcomes.push(SealOutcome {
                record,
                status: RecordStatus::Sealed,
                already_sealed: true,
                skipped: p.skipped,
                signature: None,
                timestamp: None,
            });
            continue;
        }
        fresh_index.insert(key, fresh.len());
        to_publish.extend(p.blobs);
        let events = further_events.get(&p.record.sha256_hex()).cloned().unwrap_or_default();
        fresh.push(NewRecord { record: p.record.clone(), signature: None, events });
        outcomes.push(SealOutcome {
            record: p.record,
            status: RecordStatus::Sealed,
            already_sealed: false,
            skipped: p.skipped,
            signature: None,
            timestamp: None,
        });
    }
    known.clear();

    // Signatures before anything is published: a token that fails mid-batch leaves nothing behind.
    if let Some(identity) = &options.identity {
        let signed: Vec<Result<NewSignature, Error>> =
            fresh.par_iter().map(|n| sign_record(identity, &n.record)).collect();
        let mut failure = None;
        for (n, s) in fresh.iter_mut().zip(signed) {
            match s {
                Ok(s) => n.signature = Some(s),
                Err(e) => failure = failure.or(Some(e)),
            }
        }
        if let Some(e) = failure {
            discard(vault, to_publish);
            return Err(e);
        }
        let by_id: HashMap<&str, &EvidenceSignature> =
            fresh.iter().filter_map(|n| n.signature.as_ref().map(|s| (n.record.id.as_str(), &s.signature))).collect();
        for o in outcomes.iter_mut().filter(|o| !o.already_sealed) {
            o.signature = by_id.get(o.record.id.as_str()).map(|s| (*s).clone());
        }
    }

    // Copies first, durable, at their final names; then the records that refer to them.
    let blobs = vault.blobs();
    let io_err = |e| Error::Vault(VaultError::Io { path: blobs.root().to_owned(), source: e });
    if !to_publish.is_empty() {
        blobs.sync().map_err(io_err)?;
        for (pending, sha) in to_publish {
            blobs.publish(pending, &sha).map_err(io_err)?;
        }
        blobs.sync().map_err(io_err)?;
    }
    vault.append_records(&fresh).await?;

    // Time-stamps for the new records; without one a record stays pending, never unsealed.
    if let Some(client) = tsa {
        let new_records: Vec<EvidenceRecord> = fresh.iter().map(|n| n.record.clone()).collect();
        let mut by_id: HashMap<String, StampOutcome> =
            stamp::stamp(vault, client, &new_records).await?.into_iter().map(|s| (s.record_id.clone(), s)).collect();
        for o in outcomes.iter_mut().filter(|o| !o.already_sealed) {
            o.timestamp = by_id.remove(&o.record.id);
        }
    }
    let stamped = if outcomes.iter().any(|o| o.already_sealed || o.record.timestamp_requested) {
        let ids: Vec<String> = outcomes.iter().map(|o| o.record.id.clone()).collect();
        vault.timestamped_among(&ids).await?
    } else {
        HashSet::new()
    };
    for o in &mut outcomes {
        o.status = RecordStatus::of(&o.record, stamped.contains(&o.record.id));
        progress.subject_done(&o.record.name);
    }
    Ok(outcomes)
}

fn discard(vault: &Vault, blobs: Vec<(PendingBlob, String)>) {
    for (pending, _) in blobs {
        // A leftover temporary file is removed at the next write-open anyway.
        let _ = vault.blobs().discard(pending);
    }
}

/// Hashes one subject, writing copies as pending blobs. Nothing is visible in the vault yet.
fn prepare(
    vault: &Vault,
    subject: &Subject,
    algos: &[DigestAlgorithm],
    options: &SealOptions,
    progress: &dyn SealProgress,
) -> Result<Prepared, Error> {
    if progress.cancelled() {
        return Err(Error::Cancelled);
    }
    let created_at = now();
    let source_path = std::path::absolute(subject.path())
        .unwrap_or_else(|_| subject.path().to_owned())
        .to_string_lossy()
        .into_owned();
    match subject {
        Subject::File { name, file } => {
            let (hashed, blob) = hash_one(vault, file, algos, options.copy, progress)?;
            let record = EvidenceRecord {
                id: uuid::Uuid::now_v7().to_string(),
                kind: SubjectKind::File,
                name: name.clone(),
                size: file.size,
                file_count: 1,
                media_type: media::from_head_and_name(&hashed.head, &file.path),
                digests: hashed.digests,
                stored: options.copy,
                source_path,
                profile: options.profile.as_str().to_owned(),
                created_at,
                timestamp_requested: options.timestamp,
            };
            Ok(Prepared { record, blobs: blob.into_iter().collect(), skipped: Vec::new() })
        }
        Subject::Work { name, members, skipped, .. } => {
            let hashed: Vec<Result<(ManifestEntry, Option<PendingCopy>), Error>> = members
                .par_iter()
                .map(|m| {
                    let (hashed, blob) = hash_one(vault, &m.file, algos, options.copy, progress)?;
                    Ok((ManifestEntry { path: m.rel.clone(), size: m.file.size, digests: hashed.digests }, blob))
                })
                .collect();
            let mut entries = Vec::with_capacity(hashed.len());
            let mut blobs = Vec::new();
            let mut failure = None;
            for h in hashed {
                match h {
                    Ok((entry, blob)) => {
                        entries.push(entry);
                        blobs.extend(blob);
                    }
                    Err(e) => failure = failure.or(Some(e)),
                }
            }
            if let Some(e) = failure {
                discard(vault, blobs);
                return Err(e);
            }
            let manifest = WorkManifest::new(algos, entries);
            let digests = manifest.digests();
            let sha = digests.get(DigestAlgorithm::Sha256).map(|d| d.to_hex()).unwrap_or_default();
            let pending = vault
                .blobs()
                .begin_with(&manifest.to_canonical_bytes())
                .map_err(|e| Error::Vault(VaultError::Io { path: vault.blobs().root().to_owned(), source: e }))?;
            blobs.push((pending, sha));
            let record = EvidenceRecord {
                id: uuid::Uuid::now_v7().to_string(),
                kind: SubjectKind::Work,
                name: name.clone(),
                size: manifest.total_size(),
                file_count: manifest.files.len() as u64,
                media_type: media::WORK_MANIFEST.to_owned(),
                digests,
                stored: options.copy,
                source_path,
                profile: options.profile.as_str().to_owned(),
                created_at,
                timestamp_requested: options.timestamp,
            };
            Ok(Prepared { record, blobs, skipped: skipped.clone() })
        }
    }
}

/// Hashes one file, copying it into a pending blob when asked, and checks it did not change size.
fn hash_one(
    vault: &Vault,
    file: &PlannedFile,
    algos: &[DigestAlgorithm],
    copy: bool,
    progress: &dyn SealProgress,
) -> Result<(HashedFile, Option<(PendingBlob, String)>), Error> {
    let vault_io = |e| Error::Vault(VaultError::Io { path: vault.blobs().root().to_owned(), source: e });
    let input_err = |e| Error::from(InputError::from_io(&file.path, e));
    let mut pending = None;
    // Small files are read whole: their digest is known before any copy is written, and content
    // the vault already holds is not written again.
    let small = if copy { read_small(&file.path).map_err(input_err)? } else { None };
    let result = if let Some(bytes) = small {
        let hashed = hash_bytes(&bytes, algos, &|n| progress.hashed(n));
        let sha = hashed.digests.get(DigestAlgorithm::Sha256).map(|d| d.to_hex()).unwrap_or_default();
        if !vault.blobs().contains(&sha) {
            pending = Some(vault.blobs().begin_with(&bytes).map_err(vault_io)?);
        }
        Ok(hashed)
    } else if copy {
        let (blob, out) = vault.blobs().begin().map_err(vault_io)?;
        let mut out = CancellableSink { inner: std::io::BufWriter::with_capacity(1 << 16, out), progress };
        let r =
            hash_file(&file.path, algos, Some(&mut out), &|n| progress.hashed(n)).and_then(|r| out.flush().map(|_| r));
        pending = Some(blob);
        r
    } else {
        let mut out = CancellableSink { inner: std::io::sink(), progress };
        hash_file(&file.path, algos, Some(&mut out), &|n| progress.hashed(n))
    };
    let hashed = match result {
        Ok(r) => r,
        Err(e) => {
            if let Some(p) = pending {
                let _ = vault.blobs().discard(p);
            }
            if progress.cancelled() {
                return Err(Error::Cancelled);
            }
            return Err(InputError::from_io(&file.path, e).into());
        }
    };
    if hashed.size != file.size {
        if let Some(p) = pending {
            let _ = vault.blobs().discard(p);
        }
        return Err(InputError::ChangedWhileReading {
            path: file.path.clone(),
            expected: file.size,
            actual: hashed.size,
        }
        .into());
    }
    let sha = hashed.digests.get(DigestAlgorithm::Sha256).map(|d| d.to_hex()).unwrap_or_default();
    Ok((hashed, pending.map(|p| (p, sha))))
}

/// Signs a record's digest: a detached CAdES-B-B signature, ready to be stored with the record.
fn sign_record(identity: &Identity, record: &EvidenceRecord) -> Result<NewSignature, Error> {
    let algo = identity.key.digest();
    let digest = record.digests.get(algo).map(|d| d.as_bytes().to_vec()).unwrap_or_default();
    let signed_at = chrono::Utc::now();
    let p7s = cades::sign_detached(identity, &digest, signed_at)?;
    let value = cades::signature_value(&p7s)?;
    let cert = crate::identity::CertificateSummary::of(identity.certificate());
    let signature = EvidenceSignature {
        id: uuid::Uuid::now_v7().to_string(),
        record_id: record.id.clone(),
        identity: identity.name.clone(),
        signer_subject: cert.subject,
        signer_issuer: cert.issuer,
        signer_serial: cert.serial,
        signer_sha256: cert.sha256,
        self_signed: identity.self_made,
        digest_algorithm: algo.name().to_owned(),
        signed_at: signed_at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
        p7s_sha256: DigestAlgorithm::Sha256.digest(&p7s).to_hex(),
        signature_value_sha256: DigestAlgorithm::Sha256.digest(&value).to_hex(),
    };
    Ok(NewSignature { signature, p7s })
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU64, Ordering};

    use super::*;
    use crate::subject::{WalkPolicy, plan};
    use crate::vault::Access;

    /// Cancels once `after` bytes were hashed.
    struct CancelAfter {
        after: u64,
        hashed: AtomicU64,
    }

    impl SealProgress for CancelAfter {
        fn hashed(&self, bytes: u64) {
            self.hashed.fetch_add(bytes, Ordering::Relaxed);
        }
        fn cancelled(&self) -> bool {
            self.hashed.load(Ordering::Relaxed) >= self.after
        }
    }

    fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() { out.extend(files_under(&path)) } else { out.push(path) }
        }
        out
    }

    #[tokio::test]
    async fn cancelling_mid_file_keeps_nothing_of_it_and_a_later_seal_completes() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big.bin");
        let chunk: Vec<u8> = (0..1u32 << 20).map(|i| (i % 251) as u8).collect();
        let mut f = std::fs::File::create(&big).unwrap();
        for _ in 0..48 {
            f.write_all(&chunk).unwrap();
        }
        drop(f);
        let vault_dir = dir.path().join("vault");
        let vault =
            Vault::open(&vault_dir, Access::Write { lock_wait: std::time::Duration::from_secs(1) }).await.unwrap();
        let options = SealOptions {
            algorithms: vec![DigestAlgorithm::Sha256],
            copy: true,
            profile: ProfileName::Sandbox,
            timestamp: false,
            identity: None,
            pades: None,
        };
        let subjects = plan(std::slice::from_ref(&big), WalkPolicy { skip_special: false, each: false }).unwrap();
        let progress = CancelAfter { after: 8 << 20, hashed: AtomicU64::new(0) };
        let result = seal(&vault, subjects, &options, None, &progress).await;
        assert!(matches!(result, Err(Error::Cancelled)), "{result:?}");
        let hashed = progress.hashed.load(Ordering::Relaxed);
        assert!(hashed < 48 << 20, "hashing went on to the end ({hashed} bytes) after the cancel");
        assert!(vault.records().await.unwrap().is_empty(), "a cancelled seal left a record");
        let leftovers = files_under(vault.blobs().root());
        assert!(leftovers.is_empty(), "a cancelled seal left files in the blob store: {leftovers:?}");

        let subjects = plan(std::slice::from_ref(&big), WalkPolicy { skip_special: false, each: false }).unwrap();
        let report = seal(&vault, subjects, &options, None, &NoProgress).await.unwrap();
        assert_eq!(report.records.len(), 1);
        assert_eq!(report.records[0].record.size, 48 << 20);
        assert_eq!(vault.records().await.unwrap().len(), 1);
        vault.close().await;
    }
}
