//! Verifying an evidence package on its own: the container, the manifest and its seal, then for
//! each record its content, signatures, time-stamps, Merkle path, chain and OpenTimestamps proofs
//! and custody events — from the package's bytes alone, offline unless a node is given.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde::Serialize;

use super::{Check, CheckName, Indication, Policy, PolicyUsed, Verdict, aggregate};
use crate::anchor::merkle::{head_leaf_data, leaf_hash};
use crate::anchor::ots::format::DetachedTimestamp;
use crate::anchor::proofs as shared;
use crate::digest::{DigestAlgorithm, Digests};
use crate::hash_hex::unhex32;
use crate::package::container::{Container, Limits};
use crate::package::evidence::{EvidenceDocument, PackagedRecord, check_version};
use crate::package::manifest::AsicManifest;
use crate::package::*;
use crate::profile::ProfileName;
use crate::vault::CustodyEventKind;
use evidentia_pki::policy::{signature_check_with, timestamp_verdict, tsp_policy};
use evidentia_pki::tsp::{Expectation, TimestampToken};

/// The verdict on a package.
#[derive(Debug, Clone, Serialize)]
pub struct PackageReport {
    /// The package file.
    pub package: String,
    /// `TOTAL-PASSED`, `TOTAL-FAILED` or `INDETERMINATE`, over every check below.
    pub result: Indication,
    /// The profile the evidence was made under (`sandbox` is not legal evidence).
    pub profile: String,
    /// When it was exported, by what.
    pub exported_at: String,
    /// The program that wrote it.
    pub producer: String,
    /// The case its records were exported as, when a whole case was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case: Option<String>,
    /// The policy the checks were made under.
    pub policy: PolicyUsed,
    /// Checks of the container, the manifest and its seal.
    pub checks: Vec<Check>,
    /// What the checks leave open without bearing on the result (a file no seal covers).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Check>,
    /// Each record.
    pub records: Vec<RecordReport>,
    /// The evidence document the records were read from (for the report PDF).
    #[serde(skip)]
    pub evidence: Option<EvidenceDocument>,
    /// What the evidence is when another tool made it (no evidence document of ours).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub made_elsewhere: Option<ForeignEvidence>,
}

/// Evidence another tool made, judged by its own rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ForeignEvidence {
    /// An ASiC container (ETSI EN 319 162) without an Evidentia evidence document.
    AsicContainer,
    /// A detached evidence record (RFC 4998 or RFC 6283) over a file.
    EvidenceRecord,
}

/// The verdict on one record.
#[derive(Debug, Clone, Serialize)]
pub struct RecordReport {
    /// Record id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its SHA-256, hex.
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
    /// The aggregate of its checks.
    pub result: Indication,
    /// Every check.
    pub checks: Vec<Check>,
    /// What the checks leave to confirm elsewhere, and checks that do not bear on the result.
    pub notes: Vec<Check>,
    /// The signers' certificates, as the signatures carry them.
    pub signers: Vec<crate::identity::CertificateSummary>,
}

/// Verifies a file through the vault: its records (found by SHA-256) are checked as
/// [`verify_records_in_vault`] checks them, against this file's content. `None` when no record
/// has its digest.
pub async fn verify_file_in_vault(
    vault: &crate::vault::Vault,
    file: &Path,
    policy: &Policy,
    profile: ProfileName,
) -> Result<Option<PackageReport>, PackageError> {
    let hashed = crate::digest::hash_file(file, &[DigestAlgorithm::Sha256], None, &|_| {})
        .map_err(|e| crate::subject::InputError::from_io(file, e))?;
    let sha = hashed.digests.get(DigestAlgorithm::Sha256).map(|d| d.to_hex()).unwrap_or_default();
    let ids = vault.records_with_digest(&sha).await?;
    if ids.is_empty() {
        return Ok(None);
    }
    let mut report = verify_records_in_vault(vault, &ids, Some(file), policy, profile).await?;
    report.package = file.display().to_string();
    Ok(Some(report))
}

/// Verifies records as the vault holds them: they are written into a draft package in memory
/// (with `content`, else the vault's copies), which is verified like any other; only what bears
/// on the records is kept.
pub async fn verify_records_in_vault(
    vault: &crate::vault::Vault,
    ids: &[String],
    content: Option<&Path>,
    policy: &Policy,
    profile: ProfileName,
) -> Result<PackageReport, PackageError> {
    let draft = crate::package::export::draft(vault, ids, content, profile, None).await?;
    let mut report = verify_container(draft, policy).await;
    report.package = format!("vault {}", vault.location().display());
    records_only(&mut report);
    Ok(report)
}

/// Whether `path` is an evidence package (a ZIP container with a `mimetype` or an evidence
/// document) rather than a sealed file to look up in the vault. Anything that is not a ZIP, or a
/// ZIP that is neither (a sealed archive), is a file.
pub fn looks_like_package(path: &Path) -> bool {
    let mut magic = [0u8; 4];
    let is_zip = std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut magic))
        .map(|()| magic == *b"PK\x03\x04")
        .unwrap_or(false);
    if !is_zip {
        // A damaged container is still one, to be refused as such, not looked up as a file.
        return path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| ["asice", "asics", "sce", "scs"].iter().any(|x| e.eq_ignore_ascii_case(x)));
    }
    match Container::open(path, Limits::default()) {
        Ok(c) => c.entries().iter().any(|e| e.name == "mimetype" || e.name == EVIDENCE_PATH || is_asic_entry(&e.name)),
        // A hostile container is refused by the package verifier, with its reason.
        Err(_) => true,
    }
}

/// An entry only an ASiC container has: a manifest, signature, time-stamp or evidence record in `META-INF/`.
fn is_asic_entry(name: &str) -> bool {
    let Some(file) = name.strip_prefix("META-INF/") else { return false };
    let file = file.to_ascii_lowercase();
    file.starts_with("asicmanifest")
        || file.starts_with("asicarchivemanifest")
        || file.starts_with("evidencerecord")
        || (file.contains("signature") && (file.ends_with(".p7s") || file.ends_with(".xml")))
        || (file.contains("timestamp") && file.ends_with(".tst"))
}

/// Keeps only what a package made for checking says about its records: its own container,
/// manifest and seal say nothing about them.
pub fn records_only(report: &mut PackageReport) {
    report.checks.retain(|c| c.check == CheckName::Evidence);
    report.result = aggregate(report.checks.iter().chain(report.records.iter().flat_map(|r| r.checks.iter())));
}

/// Verifies the package at `path` under `policy`. Hostile or unreadable containers are refused
/// with an error; everything else (a missing entry, an unknown evidence version) ends in a report.
pub async fn verify_package(path: &Path, policy: &Policy) -> Result<PackageReport, PackageError> {
    // A ZIP reader finds entries through the central directory at the end; a container whose
    // first local header is damaged would still list them. Refused, as EU DSS refuses it.
    let mut magic = [0u8; 4];
    let read = std::fs::File::open(path).and_then(|mut f| std::io::Read::read_exact(&mut f, &mut magic));
    if read.is_err() || magic != *b"PK\x03\x04" {
        return Err(ContainerError::NotAContainer {
            path: path.to_owned(),
            detail: "it does not start with a ZIP local file header: the file is damaged or not a container".into(),
        }
        .into());
    }
    let mut c = Container::open(path, Limits::default())?;
    // Evidentia's packages are judged with their evidence document (one removed from a package
    // whose manifest lists it is missing evidence); any other ASiC container as ASiC alone.
    let ours = c.entries().iter().any(|e| e.name.starts_with(EVIDENTIA_DIR))
        || c.read(MANIFEST_PATH).ok().flatten().is_some_and(|m| String::from_utf8_lossy(&m).contains(EVIDENCE_PATH));
    if !ours {
        return Ok(crate::verify::asic::verify_asic(c, policy));
    }
    Ok(verify_container(c, policy).await)
}

/// Verifies an opened container (from a file or from memory) under `policy`.
pub async fn verify_container(mut c: Container, policy: &Policy) -> PackageReport {
    let path = c.path().to_owned();
    let mut checks = Vec::new();

    // The container: `mimetype` first, stored, exact.
    let first = c.entries().first().cloned();
    let mimetype = c.read("mimetype");
    match (first, mimetype) {
        (Some(e), Ok(Some(bytes))) if e.name == "mimetype" && e.stored && bytes == MIMETYPE.as_bytes() => {
            checks.push(Check::passed(CheckName::Container, "mimetype", format!("ASiC-E container ({MIMETYPE})")))
        }
        (_, Ok(Some(bytes))) if bytes != MIMETYPE.as_bytes() => checks.push(Check::failed(
            CheckName::Container,
            "mimetype",
            "MIMETYPE_INVALID",
            format!("`mimetype` says `{}`, not `{MIMETYPE}`", String::from_utf8_lossy(&bytes)),
        )),
        (_, Ok(Some(_))) => checks.push(Check::failed(
            CheckName::Container,
            "mimetype",
            "MIMETYPE_MISPLACED",
            "`mimetype` must be the first entry, stored uncompressed",
        )),
        (_, Ok(None)) => checks.push(Check::failed(
            CheckName::Container,
            "mimetype",
            "MIMETYPE_MISSING",
            "the package has no `mimetype` entry",
        )),
        (_, Err(why)) => {
            checks.push(Check::failed(CheckName::Container, "mimetype", "ENTRY_CORRUPT", format!("`mimetype` {why}")))
        }
    }

    // The evidence document (its integrity is the manifest's business below).
    let mut doc: Option<EvidenceDocument> = None;
    match c.read(EVIDENCE_PATH) {
        Ok(Some(bytes)) => {
            let head: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
            let version = check_version(
                head["format"].as_str().unwrap_or_default(),
                head["version"].as_str().unwrap_or_default(),
            );
            match (version, serde_json::from_slice::<EvidenceDocument>(&bytes)) {
                (Err(why), _) if head.is_object() => checks.push(Check::indeterminate(
                    CheckName::Evidence,
                    EVIDENCE_PATH,
                    "EVIDENCE_VERSION_UNSUPPORTED",
                    format!("the evidence document cannot be read: {why}"),
                )),
                (Ok(()), Ok(d)) => doc = Some(d),
                _ => checks.push(Check::failed(
                    CheckName::Evidence,
                    EVIDENCE_PATH,
                    "EVIDENCE_MALFORMED",
                    "the evidence document is not valid JSON of its schema",
                )),
            }
        }
        Ok(None) => checks.push(Check::failed(
            CheckName::Evidence,
            EVIDENCE_PATH,
            "EVIDENCE_MISSING",
            "the package has no evidence document: it is not an Evidentia package, or it was removed",
        )),
        Err(why) => {
            checks.push(Check::failed(CheckName::Evidence, EVIDENCE_PATH, "ENTRY_CORRUPT", format!("the entry {why}")))
        }
    }

    // The manifest: every entry listed with its digest, nothing unlisted.
    let manifest = match c.read(MANIFEST_PATH) {
        Ok(Some(bytes)) => match AsicManifest::from_xml(&String::from_utf8_lossy(&bytes)) {
            Ok(m) => Some((m, bytes)),
            Err(why) => {
                checks.push(Check::failed(CheckName::Manifest, MANIFEST_PATH, "MANIFEST_MALFORMED", why));
                None
            }
        },
        Ok(None) => {
            checks.push(Check::failed(
                CheckName::Manifest,
                MANIFEST_PATH,
                "MANIFEST_MISSING",
                "the package has no ASiC manifest",
            ));
            None
        }
        Err(why) => {
            checks.push(Check::failed(
                CheckName::Manifest,
                MANIFEST_PATH,
                "ENTRY_CORRUPT",
                format!("the manifest {why}"),
            ));
            None
        }
    };
    let mut digests: HashMap<String, Digests> = HashMap::new();
    let mut notes = Vec::new();
    if let Some((m, xml)) = &manifest {
        let listed: HashSet<&str> = m.objects.iter().map(|o| o.uri.as_str()).collect();
        let seal = m.sig_reference.as_ref().map(|(u, _)| u.as_str());
        // The package's seal renewed (`renew --package`): archive manifests and their time-stamps.
        let names: Vec<String> = c.entries().iter().filter(|e| !e.is_dir).map(|e| e.name.clone()).collect();
        let (archive_checks, archived) = super::asic::archive_chain(&mut c, &names, policy);
        checks.extend(archive_checks);
        for e in c.entries().to_vec() {
            if e.is_dir || e.name == "mimetype" || e.name == MANIFEST_PATH || Some(e.name.as_str()) == seal {
                continue;
            }
            if !listed.contains(e.name.as_str()) && archived.contains(&e.name) {
                if !crate::package::archive::archive_manifests(&names).contains(&e.name)
                    && !e.name.contains("timestamp-archive")
                {
                    notes.push(Check::indeterminate(
                        CheckName::Manifest,
                        e.name.clone(),
                        "ADDED_AFTER_SEAL",
                        "added after the package was sealed; an archive time-stamp covers it, which proves when, not by whom",
                    ));
                }
                continue;
            }
            if !listed.contains(e.name.as_str()) {
                checks.push(Check::failed(
                    CheckName::Manifest,
                    e.name.clone(),
                    "ENTRY_UNLISTED",
                    "this entry is not in the manifest: it was added after the package was sealed",
                ));
            }
        }
        // Each entry is hashed once: SHA-256, and a record's other algorithms for its content.
        let mut needed: HashMap<&str, Vec<DigestAlgorithm>> = HashMap::new();
        for r in doc.iter().flat_map(|d| d.records.iter()) {
            let entries = r.content.iter().chain(r.work.iter().flat_map(|w| w.files.iter().map(|f| &f.entry)));
            for entry in entries {
                needed.entry(entry.as_str()).or_default().extend(r.record.digests.algorithms());
            }
        }
        let mut bad = 0;
        for o in &m.objects {
            let mut algos = vec![DigestAlgorithm::Sha256];
            algos.extend(needed.get(o.uri.as_str()).into_iter().flatten().filter(|a| **a != DigestAlgorithm::Sha256));
            algos.sort();
            algos.dedup();
            match c.hash(&o.uri, &algos) {
                Ok(Some(d)) => {
                    if d.get(DigestAlgorithm::Sha256).map(|v| v.as_bytes()) != Some(o.sha256.as_slice()) {
                        bad += 1;
                        checks.push(Check::failed(
                            CheckName::Manifest,
                            o.uri.clone(),
                            "ENTRY_ALTERED",
                            format!("its SHA-256 is not the {} the manifest lists", hex::encode(&o.sha256)),
                        ));
                    } else {
                        digests.insert(o.uri.clone(), d);
                    }
                }
                Ok(None) => {
                    bad += 1;
                    checks.push(Check::failed(
                        CheckName::Manifest,
                        o.uri.clone(),
                        "ENTRY_MISSING",
                        "listed in the manifest, absent",
                    ));
                }
                Err(why) => {
                    bad += 1;
                    checks.push(Check::failed(
                        CheckName::Manifest,
                        o.uri.clone(),
                        "ENTRY_CORRUPT",
                        format!("the entry {why}"),
                    ));
                }
            }
        }
        if bad == 0 {
            checks.push(Check::passed(
                CheckName::Manifest,
                MANIFEST_PATH,
                format!("all {} entries match the SHA-256 the manifest lists", m.objects.len()),
            ));
        }
        checks.push(check_seal(&mut c, m, xml, policy));
    }

    let Some(doc) = doc else {
        checks.push(Check::failed(
            CheckName::Evidence,
            EVIDENCE_PATH,
            "EVIDENCE_MALFORMED",
            "the evidence document cannot be read",
        ));
        return PackageReport {
            notes,
            package: path.display().to_string(),
            result: aggregate(&checks),
            profile: String::new(),
            exported_at: String::new(),
            producer: String::new(),
            case: None,
            policy: policy.used(),
            checks,
            records: Vec::new(),
            evidence: None,
            made_elsewhere: None,
        };
    };
    let mut records = Vec::new();
    for r in &doc.records {
        records.push(check_record(&mut c, r, &digests, policy).await);
    }
    let result = aggregate(checks.iter().chain(records.iter().flat_map(|r| r.checks.iter())));
    PackageReport {
        notes,
        package: path.display().to_string(),
        result,
        profile: doc.profile.clone(),
        exported_at: doc.exported_at.clone(),
        producer: doc.producer.clone(),
        case: doc.case.clone(),
        policy: policy.used(),
        checks,
        records,
        evidence: Some(doc),
        made_elsewhere: None,
    }
}

fn check_seal(c: &mut Container, m: &AsicManifest, xml: &[u8], policy: &Policy) -> Check {
    let Some((uri, _)) = &m.sig_reference else {
        return Check::indeterminate(
            CheckName::ManifestSeal,
            MANIFEST_PATH,
            "MANIFEST_NOT_SEALED",
            "no signature or time-stamp seals the manifest: nothing shows it is the one that was exported",
        );
    };
    let bytes = match c.read(uri) {
        Ok(Some(b)) => b,
        Ok(None) => {
            return Check::failed(
                CheckName::ManifestSeal,
                uri.clone(),
                "SEAL_MISSING",
                "the manifest names it; it is absent",
            );
        }
        Err(why) => {
            return Check::failed(CheckName::ManifestSeal, uri.clone(), "ENTRY_CORRUPT", format!("the entry {why}"));
        }
    };
    if uri == MANIFEST_TIMESTAMP_PATH {
        let token = match TimestampToken::from_any_der(&bytes) {
            Ok(t) => t,
            Err(e) => return Check::failed(CheckName::ManifestSeal, MANIFEST_PATH, e.code(), format!("`{uri}`: {e}")),
        };
        let expected = Expectation {
            algorithm: DigestAlgorithm::Sha256,
            imprint: DigestAlgorithm::Sha256.digest(xml).as_bytes().to_vec(),
            nonce: None,
        };
        return match evidentia_pki::tsp::verify(&token, &expected, &tsp_policy(&policy.signatures)) {
            Ok(v) => Check::passed(
                CheckName::ManifestSeal,
                MANIFEST_PATH,
                format!(
                    "time-stamped ({uri}) by {} at {} (serial {})",
                    v.tsa_subject,
                    v.gen_time.to_rfc3339(),
                    v.serial
                ),
            ),
            Err(e) => {
                let mut c = timestamp_verdict(CheckName::ManifestSeal, MANIFEST_PATH, &e);
                c.detail = format!("`{uri}`: {}", c.detail);
                c
            }
        };
    }
    let mut c = signature_check(CheckName::ManifestSeal, MANIFEST_PATH, &bytes, &digests_of(xml), policy);
    c.detail = format!("`{uri}`: {}", c.detail);
    c
}

fn digests_of(bytes: &[u8]) -> Digests {
    let mut d = Digests::default();
    for a in [DigestAlgorithm::Sha256, DigestAlgorithm::Sha384, DigestAlgorithm::Sha512, DigestAlgorithm::Sm3] {
        d.insert(a, a.digest(bytes));
    }
    d
}

/// A detached CAdES signature over content whose digests are `content`.
fn signature_check(check: CheckName, subject: &str, p7s: &[u8], content: &Digests, policy: &Policy) -> Check {
    let digest_of = |algo: DigestAlgorithm| -> Result<Vec<u8>, crate::subject::InputError> {
        Ok(content.get(algo).map(|d| d.as_bytes().to_vec()).unwrap_or_default())
    };
    signature_check_with(check, subject, p7s, &digest_of, &policy.signatures).0
}

async fn check_record(
    c: &mut Container,
    r: &PackagedRecord,
    digests: &HashMap<String, Digests>,
    policy: &Policy,
) -> RecordReport {
    let rec = &r.record;
    let sha = rec.sha256_hex();
    let mut checks = Vec::new();
    let mut notes = Vec::new();
    // The content: its entry's digests are the record's (the manifest check hashed each entry).
    let subject = r.content.clone().or_else(|| r.work.as_ref().map(|w| w.manifest.clone())).unwrap_or_default();
    let content_digests = match digests.get(&subject) {
        Some(d) => Some(d.clone()),
        None => c.hash(&subject, &rec.digests.algorithms()).ok().flatten(),
    };
    match &content_digests {
        None => checks.push(Check::failed(
            CheckName::Content,
            subject.clone(),
            "CONTENT_MISSING",
            "the sealed content is not in the package",
        )),
        Some(found) => {
            let wrong: Vec<String> = rec
                .digests
                .iter()
                .filter(|(a, v)| found.get(*a).map(|f| f.as_bytes()) != Some(v.as_bytes()))
                .map(|(a, _)| a.to_string())
                .collect();
            if wrong.is_empty() {
                checks.push(Check::passed(
                    CheckName::Content,
                    subject.clone(),
                    format!("{} bytes, SHA-256 {sha}", rec.size),
                ));
            } else {
                checks.push(Check::failed(
                    CheckName::Content,
                    subject.clone(),
                    "HASH_MISMATCH",
                    format!("its {} digest differs from the sealed record's", wrong.join(", ")),
                ));
            }
        }
    }
    if let Some(work) = &r.work {
        check_work_files(c, work, digests, &mut checks);
    }
    let mut content = content_digests.unwrap_or_default();
    let mut signature_values = Vec::new();
    let mut signers = Vec::new();
    for s in &r.signatures {
        match c.read(&s.entry) {
            Ok(Some(p7s)) => {
                // The content's digest with the signature's own algorithm, if the record lacks it.
                if let Ok((algo, _, _)) = evidentia_pki::cades::signed_digest(&p7s)
                    && content.get(algo).is_none()
                    && let Ok(Some(more)) = c.hash(&subject, &[algo])
                    && let Some(v) = more.get(algo)
                {
                    content.insert(algo, v.clone());
                }
                let certs = crate::cades_verify::embedded_certificates(&p7s);
                signers.extend(
                    certs
                        .iter()
                        .map(crate::identity::CertificateSummary::of)
                        .filter(|summary| summary.sha256 == s.signature.signer_sha256),
                );
                if let Ok(v) = evidentia_pki::cades::signature_value(&p7s) {
                    signature_values.push(hex::encode(DigestAlgorithm::Sha256.digest(&v).as_bytes()));
                }
                checks.push(signature_check(CheckName::Signature, &s.entry, &p7s, &content, policy));
            }
            _ => checks.push(Check::failed(
                CheckName::Signature,
                s.entry.clone(),
                "SIGNATURE_MISSING",
                "the signature is not in the package",
            )),
        }
    }
    let proven = match &r.evidence_record {
        Some(entry) => {
            let (found, proven) = evidence_record_checks(c, entry, &subject, r, policy);
            checks.extend(found);
            proven
        }
        None => None,
    };
    for t in &r.timestamps {
        let check = check_timestamp(c, &t.entry, &sha, &signature_values, policy);
        checks.push(outlived(c, check, &t.entry, proven.as_ref()));
    }
    if r.work.is_none() && rec.size <= MAX_PDF_CHECKED {
        checks.extend(pdf_signature_checks(c, &subject, policy));
    }
    if let Some(a) = &r.anchor {
        anchor_checks(c, r, a, policy, &mut checks, &mut notes).await;
    }
    checks.push(custody_check(r));
    RecordReport {
        id: rec.id.clone(),
        name: rec.name.clone(),
        sha256: sha,
        size: rec.size,
        result: aggregate(&checks),
        checks,
        notes,
        signers,
    }
}

/// What a passed evidence record proves: the time of its first archive time-stamp, and the
/// entries it covers.
type ProvenBy = (chrono::DateTime<chrono::Utc>, Vec<String>);

/// A record's evidence record over its content and time-stamps: its checks, and when it passed,
/// the time its first archive time-stamp proves them at and the entries it covers.
fn evidence_record_checks(
    c: &mut Container,
    entry: &str,
    subject: &str,
    r: &PackagedRecord,
    policy: &Policy,
) -> (Vec<Check>, Option<ProvenBy>) {
    use evidentia_pki::evidence_record::{Coverage, DataObject, EvidenceRecord, ObjectOutcome, verify};
    let bytes = match c.read(entry) {
        Ok(Some(b)) => b,
        _ => {
            let missing = Check::failed(
                CheckName::EvidenceRecord,
                entry,
                "ENTRY_MISSING",
                "the evidence record is not in the package",
            );
            return (vec![missing], None);
        }
    };
    let record = match EvidenceRecord::parse(&bytes) {
        Ok(r) => r,
        Err(e) => {
            return (vec![Check::failed(CheckName::EvidenceRecord, entry, "FORMAT_FAILURE", e.to_string())], None);
        }
    };
    let container = std::cell::RefCell::new(c);
    let digest_of = |name: String| {
        let container = &container;
        move |a: DigestAlgorithm, _| -> Result<Vec<u8>, String> {
            container
                .borrow_mut()
                .hash(&name, &[a])?
                .and_then(|d| d.get(a).map(|v| v.as_bytes().to_vec()))
                .ok_or_else(|| "the package does not hold it".to_owned())
        }
    };
    let mut objects = vec![DataObject {
        name: subject.to_owned(),
        digest: Box::new(digest_of(subject.to_owned())),
        coverage: Coverage::Expected,
    }];
    for t in &r.timestamps {
        objects.push(DataObject {
            name: t.entry.clone(),
            digest: Box::new(digest_of(t.entry.clone())),
            coverage: Coverage::Optional,
        });
    }
    let report = verify(&record, &objects, &tsp_policy(&policy.signatures));
    drop(objects);
    let found = report.checks(entry);
    let proven = (found.first().is_some_and(|c| c.verdict == Verdict::Passed))
        .then(|| report.stamps.first().and_then(|s| s.gen_time))
        .flatten()
        .map(|at| {
            let covered =
                report.objects.iter().filter(|o| o.2 == ObjectOutcome::Covered).map(|o| o.0.clone()).collect();
            (at, covered)
        });
    (found, proven)
}

/// A time-stamp that passed, whose TSA certificate has expired since: it stands only if an
/// evidence record proves it existed before the expiry; else INDETERMINATE, naming the date.
fn outlived(c: &mut Container, check: Check, entry: &str, proven: Option<&ProvenBy>) -> Check {
    if check.verdict != Verdict::Passed {
        return check;
    }
    let Some(expired) = c
        .read(entry)
        .ok()
        .flatten()
        .and_then(|b| TimestampToken::from_any_der(&b).ok())
        .and_then(|t| t.signer_not_after(&[]))
        .filter(|t| *t < chrono::Utc::now())
    else {
        return check;
    };
    match proven {
        Some((at, covered)) if *at < expired && covered.iter().any(|e| e == entry) => Check {
            detail: format!(
                "{}; its TSA certificate expired on {}, after the evidence record proved it at {}",
                check.detail,
                expired.to_rfc3339(),
                at.to_rfc3339()
            ),
            ..check
        },
        _ => Check::indeterminate(
            CheckName::Timestamp,
            entry,
            "OUT_OF_BOUNDS_NO_POE",
            format!(
                "{}; but its TSA certificate expired on {} and no evidence record proves the time-stamp existed before: renew proofs before they expire (`evidentia renew`)",
                check.detail,
                expired.to_rfc3339()
            ),
        ),
    }
}

/// Largest sealed PDF whose own signatures are checked in a package.
const MAX_PDF_CHECKED: u64 = 512 << 20;

/// A sealed PDF's own signatures (PAdES, signed inside the file), one check each; none when the
/// content is not a PDF or has no signature.
fn pdf_signature_checks(c: &mut Container, entry: &str, policy: &Policy) -> Vec<Check> {
    let Ok(Some(bytes)) = c.read(entry) else { return Vec::new() };
    if !bytes.starts_with(b"%PDF-") || !bytes.windows(10).any(|w| w == b"/ByteRange") {
        return Vec::new();
    }
    let report =
        evidentia_pki::pades::verify_pdf_bytes(Path::new(entry), &bytes, &policy.signatures).map_err(|e| e.to_string());
    let report = match report {
        Ok(r) => r,
        Err(why) => return vec![Check::failed(CheckName::PdfSignature, entry, "FORMAT_FAILURE", why)],
    };
    report
        .signatures
        .iter()
        .map(|s| {
            let subject = format!("{entry} › {}", s.field);
            let what = match (s.level, &s.signer) {
                (Some(level), Some(signer)) => format!("PAdES-{level} by {}", signer.subject),
                _ => s.kind.replace('-', " "),
            };
            match s.checks.iter().find(|c| c.verdict != Verdict::Passed) {
                None => Check::passed(
                    CheckName::PdfSignature,
                    subject,
                    format!("{what}: its byte range, signature and later revisions check out"),
                ),
                Some(c) if c.verdict == Verdict::Failed => Check::failed(
                    CheckName::PdfSignature,
                    subject,
                    c.reason.as_deref().unwrap_or(""),
                    format!("{}: {}", c.check, c.detail),
                ),
                Some(c) => Check::indeterminate(
                    CheckName::PdfSignature,
                    subject,
                    c.reason.as_deref().unwrap_or(""),
                    format!("{}: {}", c.check, c.detail),
                ),
            }
        })
        .collect()
}

fn check_work_files(
    c: &mut Container,
    work: &crate::package::evidence::PackagedWork,
    digests: &HashMap<String, Digests>,
    checks: &mut Vec<Check>,
) {
    let manifest: Option<crate::work::WorkManifest> =
        c.read(&work.manifest).ok().flatten().and_then(|b| serde_json::from_slice(&b).ok());
    let Some(manifest) = manifest else {
        checks.push(Check::failed(
            CheckName::WorkFiles,
            work.manifest.clone(),
            "WORK_MANIFEST_UNREADABLE",
            "the work's manifest cannot be read",
        ));
        return;
    };
    let mut bad = 0;
    for f in &manifest.files {
        let entry = work.files.iter().find(|p| p.path == f.path).map(|p| p.entry.clone());
        let found = entry.as_ref().and_then(|e| digests.get(e));
        let same =
            found.is_some_and(|d| f.digests.iter().all(|(a, v)| d.get(a).map(|x| x.as_bytes()) == Some(v.as_bytes())));
        if !same {
            bad += 1;
            checks.push(Check::failed(
                CheckName::WorkFiles,
                entry.unwrap_or_else(|| f.path.clone()),
                "HASH_MISMATCH",
                format!("file `{}` of the work is missing or differs from the work's manifest", f.path),
            ));
        }
    }
    if bad == 0 {
        checks.push(Check::passed(
            CheckName::WorkFiles,
            work.manifest.clone(),
            format!("all {} files match the work's manifest", manifest.files.len()),
        ));
    }
}

fn check_timestamp(c: &mut Container, entry: &str, sha: &str, signature_values: &[String], policy: &Policy) -> Check {
    let bytes = match c.read(entry) {
        Ok(Some(b)) => b,
        _ => {
            return Check::failed(
                CheckName::Timestamp,
                entry,
                "TIMESTAMP_MISSING",
                "the time-stamp is not in the package",
            );
        }
    };
    let token = match TimestampToken::from_any_der(&bytes) {
        Ok(t) => t,
        Err(e) => return Check::failed(CheckName::Timestamp, entry, e.code(), e.to_string()),
    };
    let imprint = hex::encode(token.imprint());
    let over = if imprint == sha {
        "the content"
    } else if signature_values.contains(&imprint) {
        "the signature value"
    } else {
        return Check::failed(
            CheckName::Timestamp,
            entry,
            "IMPRINT_MISMATCH",
            format!("it time-stamps {imprint}, which is neither the content's SHA-256 nor a signature value's"),
        );
    };
    let expected = Expectation {
        algorithm: DigestAlgorithm::Sha256,
        imprint: hex::decode(&imprint).unwrap_or_default(),
        nonce: None,
    };
    match evidentia_pki::tsp::verify(&token, &expected, &tsp_policy(&policy.signatures)) {
        Ok(v) => Check::passed(
            CheckName::Timestamp,
            entry,
            format!(
                "{over} existed at {} — TSA {}, policy {}, serial {}",
                v.gen_time.to_rfc3339(),
                v.tsa_subject,
                v.policy,
                v.serial
            ),
        ),
        Err(e) => timestamp_verdict(CheckName::Timestamp, entry, &e),
    }
}

async fn anchor_checks(
    c: &mut Container,
    r: &PackagedRecord,
    a: &crate::package::evidence::PackagedAnchor,
    policy: &Policy,
    checks: &mut Vec<Check>,
    notes: &mut Vec<Check>,
) {
    let subject = format!("batch {}", a.batch.id);
    let sha = r.record.sha256_hex();
    checks.push(shared::merkle_proof(&sha, &a.salt, &a.proof, &a.batch));
    // The custody-log head the batch fixed.
    let root = unhex32(&a.batch.root);
    let head = unhex32(&a.batch.head_hash).map(|h| leaf_hash(&head_leaf_data(a.batch.head_seq, &h)));
    match (head, root) {
        (Some(head), Some(root))
            if a.head_proof.leaf_index + 1 == a.batch.size && a.head_proof.verify(&head, &root).is_ok() =>
        {
            checks.push(Check::passed(
                CheckName::CustodyHead,
                subject.clone(),
                format!(
                    "the batch fixes the vault's custody log at event #{} ({})",
                    a.batch.head_seq, a.batch.head_hash
                ),
            ))
        }
        _ => checks.push(Check::failed(
            CheckName::CustodyHead,
            subject.clone(),
            "HEAD_PROOF_INVALID",
            "the custody-log head is not the batch's last leaf",
        )),
    }
    let mut chain_passed = false;
    if let Some(stored) = &a.chain {
        let proof = shared::chain_proof(&stored.anchor, &a.batch.root);
        chain_passed = proof.verdict == Verdict::Passed;
        checks.push(proof);
        if chain_passed {
            // Offline, the block hash is left to confirm elsewhere: a note, not a check.
            let block = shared::block(policy.node.as_ref(), &stored.anchor).await;
            if policy.node.is_some() { checks.push(block) } else { notes.push(block) }
        }
    }
    if let Some(entry) = &a.ots {
        let found = match c.read(entry) {
            Ok(Some(b)) => DetachedTimestamp::from_bytes(&b)
                .map(|p| shared::ots_proof(&p, &sha, &a.batch.root, entry))
                .unwrap_or_else(|e| vec![Check::failed(CheckName::OtsProof, entry.clone(), e.code(), e.to_string())]),
            _ => vec![Check::failed(
                CheckName::OtsProof,
                entry.clone(),
                "OTS_MISSING",
                "the OpenTimestamps proof is not in the package",
            )],
        };
        for check in found {
            // Confirming the Bitcoin block, and waiting while a chain anchor holds, are notes.
            if check.check == CheckName::BitcoinBlock || (check.verdict == Verdict::Indeterminate && chain_passed) {
                notes.push(check);
            } else {
                checks.push(check);
            }
        }
    }
    if a.chain.is_none() && a.ots.is_none() {
        checks.push(Check::indeterminate(
            CheckName::ChainProof,
            subject,
            "ANCHOR_PENDING",
            "the batch was not anchored when the package was exported",
        ));
    }
}

/// The record's custody events: each hash recomputes, and the `created` event carries the record.
fn custody_check(r: &PackagedRecord) -> Check {
    let subject = format!("record {}", r.record.id);
    for e in &r.custody {
        if e.compute_hash() != e.hash {
            return Check::failed(
                CheckName::Custody,
                format!("event #{}", e.seq),
                "CUSTODY_EVENT_ALTERED",
                "its content does not match its hash",
            );
        }
    }
    let created = r.custody.iter().find(|e| e.kind == CustodyEventKind::Created.as_str());
    match created {
        Some(e) if e.payload == r.record.canonical_json() => Check::passed(
            CheckName::Custody,
            subject,
            format!("{} custody events recompute; the record is as sealed at event #{}", r.custody.len(), e.seq),
        ),
        Some(e) => Check::failed(
            CheckName::Custody,
            format!("event #{}", e.seq),
            "RECORD_ALTERED",
            "the record differs from what its creation event carries",
        ),
        None => Check::failed(
            CheckName::Custody,
            subject,
            "CUSTODY_EVENT_MISSING",
            "the record's creation event is not in the package",
        ),
    }
}

#[cfg(test)]
mod tests {
    //! Hostile and malformed containers, judged without a vault: refused with the entry named, or
    //! reported with the check that failed.
    use std::io::Write;

    use zip::CompressionMethod;
    use zip::write::SimpleFileOptions;

    use super::*;

    fn package(dir: &Path, entries: &[(&str, &[u8], CompressionMethod)]) -> std::path::PathBuf {
        let path = dir.join("package.asice");
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
        for (name, bytes, method) in entries {
            zip.start_file(*name, SimpleFileOptions::default().compression_method(*method)).unwrap();
            zip.write_all(bytes).unwrap();
        }
        zip.finish().unwrap();
        path
    }

    fn container_check(report: &PackageReport) -> &Check {
        report.checks.iter().find(|c| c.check == CheckName::Container).expect("a container check")
    }

    #[tokio::test]
    async fn bytes_that_are_not_a_zip_are_not_a_container() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("package.asice");
        std::fs::write(&path, b"%PDF-1.7 not a package").unwrap();
        let e = verify_package(&path, &Policy::default()).await.unwrap_err();
        assert_eq!(e.code(), "PACKAGE_NOT_A_CONTAINER", "{e}");
        assert!(e.to_string().contains("package.asice"), "the error names the file: {e}");
    }

    #[tokio::test]
    async fn an_entry_escaping_the_package_is_refused_and_named() {
        let dir = tempfile::tempdir().unwrap();
        for evil in ["../evil.txt", "/etc/evil", "a/../../evil"] {
            let path = package(
                dir.path(),
                &[
                    ("mimetype", MIMETYPE.as_bytes(), CompressionMethod::Stored),
                    (evil, b"x", CompressionMethod::Deflated),
                ],
            );
            let e = verify_package(&path, &Policy::default()).await.unwrap_err();
            assert_eq!(e.code(), "PACKAGE_HOSTILE", "{evil}: {e}");
            assert!(e.to_string().contains(evil), "the entry is named: {e}");
        }
    }

    #[tokio::test]
    async fn a_container_with_only_its_mimetype_fails_not_passes() {
        let dir = tempfile::tempdir().unwrap();
        let path = package(dir.path(), &[("mimetype", MIMETYPE.as_bytes(), CompressionMethod::Stored)]);
        let report = verify_package(&path, &Policy::default()).await.unwrap();
        assert_eq!(container_check(&report).verdict, Verdict::Passed);
        assert_ne!(report.result, Indication::TotalPassed, "no evidence and no manifest cannot pass");
        assert!(report.records.is_empty());
    }

    #[tokio::test]
    async fn a_wrong_or_compressed_mimetype_fails_an_evidentia_package() {
        let dir = tempfile::tempdir().unwrap();
        let evidence = (EVIDENCE_PATH, &b"{}"[..], CompressionMethod::Deflated);
        let path = package(dir.path(), &[("mimetype", b"application/zip", CompressionMethod::Stored), evidence]);
        let report = verify_package(&path, &Policy::default()).await.unwrap();
        assert_eq!(container_check(&report).reason.as_deref(), Some("MIMETYPE_INVALID"));
        assert_eq!(report.result, Indication::TotalFailed);

        let path = package(dir.path(), &[("mimetype", MIMETYPE.as_bytes(), CompressionMethod::Deflated), evidence]);
        let report = verify_package(&path, &Policy::default()).await.unwrap();
        assert_eq!(container_check(&report).reason.as_deref(), Some("MIMETYPE_MISPLACED"));
        assert_eq!(report.result, Indication::TotalFailed);
    }

    #[tokio::test]
    async fn another_tools_container_is_judged_as_asic_and_an_unsealed_one_never_passes() {
        let dir = tempfile::tempdir().unwrap();
        for entries in [
            &[("mimetype", &b"application/zip"[..], CompressionMethod::Stored)][..],
            &[("other.txt", &b"x"[..], CompressionMethod::Stored)][..],
            &[
                ("mimetype", MIMETYPE.as_bytes(), CompressionMethod::Stored),
                ("a.txt", b"x", CompressionMethod::Deflated),
            ][..],
        ] {
            let path = package(dir.path(), entries);
            let report = verify_package(&path, &Policy::default()).await.unwrap();
            assert_eq!(report.result, Indication::Indeterminate, "{report:#?}");
            assert!(report.checks.iter().any(|c| c.reason.as_deref() == Some("NO_SIGNATURE")), "{report:#?}");
        }
        // A manifest whose digest of its one file does not match, sealed by garbage: failed, named.
        let manifest = br#"<ASiCManifest xmlns="http://uri.etsi.org/02918/v1.2.1#"><SigReference URI="META-INF/signature.p7s"/>
            <DataObjectReference URI="a.txt"><DigestMethod xmlns="http://www.w3.org/2000/09/xmldsig#" Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>
            <DigestValue xmlns="http://www.w3.org/2000/09/xmldsig#">AAAA</DigestValue></DataObjectReference></ASiCManifest>"#;
        let path = package(
            dir.path(),
            &[
                ("mimetype", MIMETYPE.as_bytes(), CompressionMethod::Stored),
                ("a.txt", b"x", CompressionMethod::Deflated),
                ("META-INF/ASiCManifest.xml", manifest, CompressionMethod::Deflated),
                ("META-INF/signature.p7s", b"not a signature", CompressionMethod::Deflated),
            ],
        );
        let report = verify_package(&path, &Policy::default()).await.unwrap();
        assert_eq!(report.result, Indication::TotalFailed);
        let seal = report.checks.iter().find(|c| c.check == CheckName::ManifestSeal).unwrap();
        assert_eq!(seal.verdict, Verdict::Failed, "{seal:?}");
    }
}
