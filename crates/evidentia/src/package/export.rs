//! Writing a package: the records' content streamed from the vault's copies, their proofs, the
//! evidence document, VERIFY.md and the ASiC manifest sealed by a signature or a time-stamp —
//! into a temporary file renamed into place, then an `exported` custody event; or, unsealed, into
//! memory (spilling to an unnamed file past a bound) as a draft to verify.

use std::collections::HashSet;
use std::fs::File;
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use chrono::Utc;
use serde::Serialize;
use zip::write::SimpleFileOptions;

use super::container::{Container, Limits};
use super::evidence::{
    EvidenceDocument, FORMAT, PackagedAnchor, PackagedRecord, PackagedSignature, PackagedTimestamp, PackagedWork,
    PackagedWorkFile, VERSION,
};
use super::manifest::{AsicManifest, DataObject};
use super::*;
use crate::anchor::MerkleTree;
use crate::clock::now;
use crate::digest::{DigestAlgorithm, MultiHasher};
use crate::hash_hex::unhex32;
use crate::identity::Identity;
use crate::profile::ProfileName;
use crate::vault::{RecordDetail, SubjectKind, Vault};
use evidentia_net::tsa::TsaClient;
use evidentia_pki::cades;

/// How to seal the package's manifest.
pub struct ExportOptions<'a> {
    /// The profile (marks sandbox evidence).
    pub profile: ProfileName,
    /// Time-stamps the manifest, or the manifest signature.
    pub tsa: Option<&'a TsaClient>,
    /// Signs the manifest (CAdES).
    pub identity: Option<&'a Identity>,
    /// Where the content is when the vault keeps no copy (a file being verified).
    pub content_from: Option<&'a Path>,
    /// Whether to write the `exported` custody event (not for a package made only to verify).
    pub log_event: bool,
    /// The verification report (`report.pdf`) to put in the package, already rendered (from a
    /// [`draft`] of the same records).
    pub report_pdf: Option<&'a [u8]>,
    /// The case the records are exported as (named in `evidence.json` and so in the report).
    pub case: Option<&'a str>,
}

/// What was written.
#[derive(Debug, Clone, Serialize)]
pub struct ExportReport {
    /// The package.
    pub path: PathBuf,
    /// Its SHA-256, hex (also in the `exported` custody event).
    pub sha256: String,
    /// Records in it.
    pub records: Vec<String>,
    /// Entries in it.
    pub entries: usize,
    /// How its manifest is sealed, in words.
    pub sealed_by: String,
    /// Sandbox evidence is not legal evidence.
    pub profile: ProfileName,
}

struct Writer<W: Write + Seek> {
    zip: zip::ZipWriter<W>,
    listed: Vec<DataObject>,
}

impl<W: Write + Seek> Writer<W> {
    fn put(&mut self, name: &str, mime: &str, bytes: &[u8]) -> std::io::Result<()> {
        self.zip.start_file(name, deflated()).map_err(std::io::Error::other)?;
        self.zip.write_all(bytes)?;
        self.listed.push(DataObject {
            uri: name.to_owned(),
            mime_type: mime.to_owned(),
            sha256: DigestAlgorithm::Sha256.digest(bytes).as_bytes().to_vec(),
        });
        Ok(())
    }

    /// Streams a file in; returns its SHA-256.
    fn put_file(&mut self, name: &str, mime: &str, source: &Path) -> std::io::Result<Vec<u8>> {
        let mut input = File::open(source)?;
        self.zip
            .start_file(name, deflated().large_file(input.metadata()?.len() >= u32::MAX as u64))
            .map_err(std::io::Error::other)?;
        let mut hasher = MultiHasher::new(&[DigestAlgorithm::Sha256]);
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let n = input.read(&mut buf)?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            self.zip.write_all(&buf[..n])?;
        }
        let sha = hasher.finish().get(DigestAlgorithm::Sha256).map(|d| d.as_bytes().to_vec()).unwrap_or_default();
        self.listed.push(DataObject { uri: name.to_owned(), mime_type: mime.to_owned(), sha256: sha.clone() });
        Ok(sha)
    }
}

fn deflated() -> SimpleFileOptions {
    SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated).unix_permissions(0o644)
}

/// Writes the records `ids` (ids or unique prefixes) into the package `out`.
pub async fn export(
    vault: &Vault,
    ids: &[String],
    out: &Path,
    options: &ExportOptions<'_>,
) -> Result<ExportReport, PackageError> {
    let io = |path: &Path, source| PackageError::Io { path: path.to_owned(), source };
    let details = exportable(vault, ids, options.content_from).await?;
    let partial = out.with_file_name(format!(
        ".{}.partial",
        out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "package".into())
    ));
    let file = File::create(&partial).map_err(|e| io(&partial, e))?;
    let result = match write_package(vault, &details, file, options).await {
        Ok((r, file)) => file.sync_all().map_err(|e| io(&partial, e)).map(|()| r),
        Err(e) => Err(e),
    };
    let (doc_records, entries, sealed_by) = match result {
        Ok(r) => r,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };
    std::fs::rename(&partial, out).map_err(|e| io(out, e))?;
    let bytes_sha = crate::digest::hash_file(out, &[DigestAlgorithm::Sha256], None, &|_| {})
        .map_err(|e| io(out, e))?
        .digests
        .get(DigestAlgorithm::Sha256)
        .map(|d| d.to_hex())
        .unwrap_or_default();
    let report = ExportReport {
        path: std::path::absolute(out).unwrap_or_else(|_| out.to_owned()),
        sha256: bytes_sha,
        records: doc_records,
        entries,
        sealed_by,
        profile: options.profile,
    };
    if options.log_event {
        vault.record_export(&report.path.to_string_lossy(), &report.sha256, &report.records).await?;
    }
    Ok(report)
}

/// The records `ids` (ids or unique prefixes), each checked to be exportable: its content is
/// kept in the vault, or (a file) given in `content_from`.
async fn exportable(
    vault: &Vault,
    ids: &[String],
    content_from: Option<&Path>,
) -> Result<Vec<RecordDetail>, PackageError> {
    let mut details = Vec::new();
    for id in ids {
        let d = vault.record(id).await?;
        if details.iter().any(|x: &RecordDetail| x.record.id == d.record.id) {
            continue;
        }
        let from_file = d.record.kind == SubjectKind::File && content_from.is_some();
        if !d.record.stored && !from_file {
            return Err(PackageError::Unexportable {
                record: d.record.id.clone(),
                why: "its content is not kept in the vault (sealed without a copy), so no package can carry it".into(),
            });
        }
        details.push(d);
    }
    Ok(details)
}

/// Most bytes of a draft kept in memory; past it the draft continues in an unnamed file the
/// system removes when it is closed.
const DRAFT_IN_MEMORY: usize = 64 << 20;

/// The records `ids` as an unsealed package without a report, in memory, opened for checking
/// (no custody event): what [`export()`] would write, for the verification engine. The content comes
/// from `content_from` when given (a file being verified), else from the vault's copies.
pub async fn draft(
    vault: &Vault,
    ids: &[String],
    content_from: Option<&Path>,
    profile: ProfileName,
    case: Option<&str>,
) -> Result<Container, PackageError> {
    let details = exportable(vault, ids, content_from).await?;
    let options =
        ExportOptions { profile, tsa: None, identity: None, content_from, log_event: false, report_pdf: None, case };
    let spool = tempfile::SpooledTempFile::new(DRAFT_IN_MEMORY);
    let (_, mut spool) = write_package(vault, &details, spool, &options).await?;
    spool.rewind().map_err(|e| PackageError::Io { path: PathBuf::from("(draft package)"), source: e })?;
    Ok(Container::from_reader(Path::new("(draft package)"), Box::new(spool), Limits::default())?)
}

/// The independent evidence-record checker, carried by packages whose records have evidence records.
const ERS_CHECKER: &str = include_str!("../../../../docs/tools/check_evidence_record.py");
const SM2_CHECKER: &str = include_str!("../../../../docs/tools/sm2_cms.py");

async fn write_package<W: Write + Seek>(
    vault: &Vault,
    details: &[RecordDetail],
    file: W,
    options: &ExportOptions<'_>,
) -> Result<((Vec<String>, usize, String), W), PackageError> {
    let pkg_err = |e: std::io::Error| PackageError::Io { path: PathBuf::from("(package)"), source: e };
    let zip_err = |e: zip::result::ZipError| pkg_err(std::io::Error::other(e));
    let mut w = Writer { zip: zip::ZipWriter::new(file), listed: Vec::new() };
    let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    w.zip.start_file("mimetype", stored).map_err(zip_err)?;
    w.zip.write_all(MIMETYPE.as_bytes()).map_err(pkg_err)?;

    // The sealed content, under names that do not collide.
    let mut taken: HashSet<String> = HashSet::new();
    let mut records = Vec::new();
    for d in details {
        let r = &d.record;
        let short = &r.id[r.id.len().saturating_sub(8)..];
        let mut base = plain_name(&r.name, short);
        if taken.contains(&base.to_lowercase()) || base.starts_with("META-INF") || base == "mimetype" {
            base = format!("{short}-{base}");
        }
        taken.insert(base.to_lowercase());
        let dir = format!("{EVIDENTIA_DIR}/records/{}", r.id);
        let (content, work) = match r.kind {
            SubjectKind::File => {
                let sha =
                    w.put_file(&base, &r.media_type, &vault.blobs().path_for(&r.sha256_hex())).map_err(pkg_err)?;
                if hex::encode(&sha) != r.sha256_hex() {
                    return Err(unexportable(
                        r,
                        "the vault's copy of its content no longer matches; run `evidentia vault verify`",
                    ));
                }
                (Some(base), None)
            }
            SubjectKind::Work => {
                let manifest_path = vault.blobs().path_for(&r.sha256_hex());
                let manifest = vault.read_manifest(&r.sha256_hex()).ok_or_else(|| {
                    unexportable(r, "its work manifest is missing from the vault; run `evidentia vault verify`")
                })?;
                let manifest_entry = format!("{dir}/work-manifest.json");
                w.put_file(&manifest_entry, "application/json", &manifest_path).map_err(pkg_err)?;
                let mut files = Vec::new();
                for f in &manifest.files {
                    let sha = f.digests.get(DigestAlgorithm::Sha256).map(|d| d.to_hex()).unwrap_or_default();
                    let parts: Vec<String> = f.path.split('/').map(|p| plain_name(p, "file")).collect();
                    let entry = format!("{base}/{}", parts.join("/"));
                    let mime = mime_guess::from_path(&f.path).first_or_octet_stream().to_string();
                    w.put_file(&entry, &mime, &vault.blobs().path_for(&sha)).map_err(pkg_err)?;
                    files.push(PackagedWorkFile { path: f.path.clone(), entry });
                }
                (None, Some(PackagedWork { manifest: manifest_entry, files }))
            }
        };
        let mut signatures = Vec::new();
        if let Some((sig, _)) = vault.signatures(Some(&r.id)).await?.into_iter().next()
            && let Some(p7s) = vault.record_signature(&r.id).await?
        {
            let entry = format!("{dir}/signature.p7s");
            w.put(&entry, "application/pkcs7-signature", &p7s).map_err(pkg_err)?;
            signatures.push(PackagedSignature { entry, signature: sig });
        }
        let mut timestamps = Vec::new();
        for (i, (t, response)) in vault.timestamps(Some(&r.id)).await?.into_iter().enumerate() {
            let entry = format!("{dir}/timestamp-{}.tsr", i + 1);
            w.put(&entry, "application/timestamp-reply", &response).map_err(pkg_err)?;
            timestamps.push(PackagedTimestamp { entry, timestamp: t });
        }
        let anchor = match &d.inclusion {
            None => None,
            Some(inc) => {
                let leaves = vault.batch_leaves(&inc.batch.id).await?;
                let tree = MerkleTree::new(leaves.iter().filter_map(|l| unhex32(&l.leaf_hash)).collect());
                let head_proof = tree
                    .proof(tree.size().saturating_sub(1))
                    .ok_or_else(|| unexportable(r, "its batch has no custody-head leaf"))?;
                let ots = match crate::anchor::ots::record_file(vault, &r.id).await {
                    Ok(proof) => {
                        let entry = format!("{dir}/proof.ots");
                        w.put(&entry, "application/vnd.opentimestamps", &proof.to_bytes()).map_err(pkg_err)?;
                        Some(entry)
                    }
                    Err(crate::vault::VaultError::ProofPending(_)) => None,
                    Err(e) => return Err(e.into()),
                };
                Some(PackagedAnchor {
                    batch: inc.batch.clone(),
                    salt: inc.salt.clone(),
                    proof: inc.proof.clone(),
                    head_proof,
                    chain: inc.anchor.clone(),
                    ots,
                })
            }
        };
        // Its evidence record, beside a manifest naming what it covers (ETSI TS 119 162-2).
        let chains = crate::vault::placed_chains(&vault.evidence_record_chains(&r.id).await?);
        let evidence_record = if chains.is_empty() {
            None
        } else {
            let entry = format!("META-INF/evidencerecord-{}.ers", r.id);
            w.put(&entry, "application/vnd.etsi.ers", &evidentia_pki::evidence_record::build::encode(&chains))
                .map_err(pkg_err)?;
            let mut objects = Vec::new();
            let covered = content.clone().or_else(|| work.as_ref().map(|w| w.manifest.clone()));
            for name in covered.iter().chain(timestamps.iter().map(|t| &t.entry)) {
                if let Some(listed) = w.listed.iter().find(|o| o.uri == *name) {
                    objects.push(listed.clone());
                }
            }
            let manifest =
                AsicManifest { sig_reference: Some((entry.clone(), "application/vnd.etsi.ers".into())), objects };
            let manifest_entry = format!("META-INF/ASiCEvidenceRecordManifest-{}.xml", r.id);
            w.put(&manifest_entry, "text/xml", manifest.to_xml().as_bytes()).map_err(pkg_err)?;
            Some(entry)
        };
        records.push(PackagedRecord {
            record: r.clone(),
            content,
            work,
            signatures,
            timestamps,
            anchor,
            custody: d.events.clone(),
            evidence_record,
        });
    }

    let doc = EvidenceDocument {
        format: FORMAT.into(),
        version: VERSION.into(),
        producer: concat!("Evidentia ", env!("CARGO_PKG_VERSION")).into(),
        exported_at: now(),
        profile: options.profile.as_str().into(),
        case: options.case.map(str::to_owned),
        records,
    };
    let json = serde_json::to_vec_pretty(&doc).map_err(|e| pkg_err(std::io::Error::other(e)))?;
    w.put(EVIDENCE_PATH, "application/json", &json).map_err(pkg_err)?;
    if let Some(pdf) = options.report_pdf {
        w.put(REPORT_PATH, "application/pdf", pdf).map_err(pkg_err)?;
    }
    if doc.records.iter().any(|r| r.evidence_record.is_some()) {
        w.put(ERS_CHECKER_PATH, "text/x-python", ERS_CHECKER.as_bytes()).map_err(pkg_err)?;
    }
    if doc.records.iter().flat_map(|r| &r.signatures).any(|s| is_sm2_signature(&s.signature)) {
        w.put(SM2_CHECKER_PATH, "text/x-python", SM2_CHECKER.as_bytes()).map_err(pkg_err)?;
    }
    let guide = super::instructions::verify_md(&doc, &w.listed);
    w.put(VERIFY_MD_PATH, "text/markdown", guide.as_bytes()).map_err(pkg_err)?;

    // The manifest, and what seals it.
    if let Some(identity) = options.identity {
        cades::check_signer(identity)?;
    }
    let (seal, sealed_by) = seal_plan(options);
    let manifest = AsicManifest {
        sig_reference: seal.map(|(path, mime)| (path.to_owned(), mime.to_owned())),
        objects: w.listed.clone(),
    };
    let xml = manifest.to_xml();
    w.zip.start_file(MANIFEST_PATH, deflated()).map_err(zip_err)?;
    w.zip.write_all(xml.as_bytes()).map_err(pkg_err)?;
    let mut entries = 2 + w.listed.len();
    if let Some((path, _)) = seal {
        let bytes = make_seal(xml.as_bytes(), options).await?;
        w.zip.start_file(path, deflated()).map_err(zip_err)?;
        w.zip.write_all(&bytes).map_err(pkg_err)?;
        entries += 1;
    }
    let file = w.zip.finish().map_err(zip_err)?;
    Ok(((doc.records.iter().map(|r| r.record.id.clone()).collect(), entries, sealed_by), file))
}

/// Where the manifest's seal goes and what it is, or why there is none.
fn seal_plan(options: &ExportOptions<'_>) -> (Option<(&'static str, &'static str)>, String) {
    match (options.identity, options.tsa) {
        (Some(identity), tsa) => {
            let who = format!("CAdES signature of {}", identity.certificate().tbs_certificate.subject);
            let words = if tsa.is_some() { format!("{who}, time-stamped") } else { who };
            (Some((MANIFEST_SIGNATURE_PATH, "application/pkcs7-signature")), words)
        }
        (None, Some(_)) => {
            (Some((MANIFEST_TIMESTAMP_PATH, "application/vnd.etsi.timestamp-token")), "RFC 3161 time-stamp".into())
        }
        (None, None) => (
            None,
            "not sealed: no identity and no TSA; the manifest binds the entries but nothing binds the manifest".into(),
        ),
    }
}

/// The seal over the manifest's bytes: a CAdES signature (time-stamped when a TSA is given), or
/// a time-stamp token.
async fn make_seal(xml: &[u8], options: &ExportOptions<'_>) -> Result<Vec<u8>, PackageError> {
    if let Some(identity) = options.identity {
        let algo = cades::content_digest_algorithm(identity);
        let mut p7s = cades::sign_detached(identity, algo.digest(xml).as_bytes(), Utc::now())?;
        if let Some(client) = options.tsa {
            let imprint = DigestAlgorithm::Sha256.digest(&cades::signature_value(&p7s)?);
            let obtained = client.timestamp(DigestAlgorithm::Sha256, imprint.as_bytes()).await?;
            p7s = cades::add_signature_timestamp(&p7s, obtained.token.to_der())?;
        }
        return Ok(p7s);
    }
    let Some(client) = options.tsa else { return Ok(Vec::new()) };
    let obtained = client.timestamp(DigestAlgorithm::Sha256, DigestAlgorithm::Sha256.digest(xml).as_bytes()).await?;
    Ok(obtained.token.to_der().to_vec())
}

fn unexportable(r: &crate::vault::EvidenceRecord, why: &str) -> PackageError {
    PackageError::Unexportable { record: r.id.clone(), why: why.into() }
}

/// A name safe as one path component: no separators, control characters or dot names.
fn plain_name(name: &str, fallback: &str) -> String {
    let cleaned: String =
        name.chars().map(|c| if c == '/' || c == '\\' || c.is_control() || c == ':' { '_' } else { c }).collect();
    match cleaned.trim() {
        "" | "." | ".." => format!("record-{fallback}"),
        t => t.to_owned(),
    }
}
