//! Verifying an ASiC container from any producer (ETSI EN 319 162-1): ASiC-E with CAdES
//! signatures or time-stamps over `ASiCManifest` files, archive manifests with their time-stamps,
//! ASiC-S with one data object, evidence records (RFC 4998, RFC 6283) over the entries their
//! manifest lists; each referenced entry's digest, each seal over its manifest, and every file no
//! seal covers named. XAdES signatures are named as not checked, never passed.

use std::collections::BTreeSet;

use super::{Check, CheckName, Indication, Policy, Verdict, aggregate};
use crate::digest::DigestAlgorithm;
use crate::package::asic::{Manifest, ManifestKind, decode_uri, parse_manifest};
use crate::package::container::Container;
use crate::verify::package::{ForeignEvidence, PackageReport};
use evidentia_formats::xml_c14n::Canonicalization;
use evidentia_pki::evidence_record::{
    self, Coverage, DataObject, EvidenceRecord, ObjectOutcome, Syntax, xml_aware_digest,
};
use evidentia_pki::policy::{signature_check_with, timestamp_verdict, tsp_policy};
use evidentia_pki::tsp::{Expectation, TimestampToken};

const ASIC_E: &str = "application/vnd.etsi.asic-e+zip";
const ASIC_S: &str = "application/vnd.etsi.asic-s+zip";

/// Which ASiC a container is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    Extended,
    Simple,
}

fn lower_name(name: &str) -> String {
    name.rsplit('/').next().unwrap_or(name).to_ascii_lowercase()
}

fn in_meta_inf(name: &str) -> bool {
    name.starts_with("META-INF/")
}

/// Verifies an ASiC container that carries no Evidentia evidence document: the plain ASiC verdict.
pub fn verify_asic(mut c: Container, policy: &Policy) -> PackageReport {
    let path = c.path().display().to_string();
    let names: Vec<String> = c.entries().iter().filter(|e| !e.is_dir).map(|e| e.name.clone()).collect();
    let mut checks = Vec::new();
    let mut notes = Vec::new();

    // The mimetype: as DSS, trailing white space (a newline) is tolerated.
    let declared = match c.read("mimetype") {
        Ok(Some(bytes)) => Some(String::from_utf8_lossy(&bytes).trim().to_owned()),
        Ok(None) => None,
        Err(why) => {
            checks.push(Check::failed(CheckName::Container, "mimetype", "ENTRY_CORRUPT", format!("`mimetype` {why}")));
            None
        }
    };
    let data: Vec<&String> = names.iter().filter(|n| !in_meta_inf(n) && *n != "mimetype").collect();
    let has_manifest = names.iter().any(|n| in_meta_inf(n) && lower_name(n).starts_with("asicmanifest"));
    let extension = c.path().extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    let form = match (declared.as_deref(), extension.as_deref()) {
        (Some(ASIC_S), _) => Form::Simple,
        (Some(ASIC_E), _) => Form::Extended,
        // No mimetype: the name says which, as for DSS.
        (None, Some("asics" | "scs")) => Form::Simple,
        (None, Some("asice" | "sce")) => Form::Extended,
        _ if !has_manifest && data.len() == 1 => Form::Simple,
        _ => Form::Extended,
    };
    let form_name = if form == Form::Simple { "ASiC-S" } else { "ASiC-E" };
    match declared.as_deref() {
        Some(m) if m == ASIC_E || m == ASIC_S => {
            let first = c.entries().first().is_some_and(|e| e.name == "mimetype" && e.stored);
            let how = if first { "" } else { " (not the first stored entry, as EN 319 162-1 asks)" };
            checks.push(Check::passed(CheckName::Container, "mimetype", format!("{form_name} container ({m}){how}")));
        }
        Some(other) => notes.push(Check::indeterminate(
            CheckName::Container,
            "mimetype",
            "MIMETYPE_INVALID",
            format!("`mimetype` says `{other}`; read as an {form_name} container"),
        )),
        None => notes.push(Check::indeterminate(
            CheckName::Container,
            "mimetype",
            "MIMETYPE_MISSING",
            format!("no `mimetype` entry; read as an {form_name} container"),
        )),
    }

    let signatures: Vec<&String> =
        names.iter().filter(|n| in_meta_inf(n) && lower_name(n).contains("signature") && n.ends_with(".p7s")).collect();
    let timestamps: Vec<&String> =
        names.iter().filter(|n| in_meta_inf(n) && lower_name(n).contains("timestamp") && n.ends_with(".tst")).collect();
    let xades: Vec<&String> = names
        .iter()
        .filter(|n| in_meta_inf(n) && lower_name(n).contains("signatures") && n.ends_with(".xml"))
        .collect();
    let records: Vec<&String> = names
        .iter()
        .filter(|n| {
            let l = lower_name(n);
            in_meta_inf(n)
                && l.contains("evidencerecord")
                && !l.contains("manifest")
                && (l.ends_with(".ers") || l.ends_with(".xml"))
        })
        .collect();
    for x in &xades {
        checks.push(Check::indeterminate(
            CheckName::Signature,
            x.as_str(),
            "XADES_NOT_CHECKED",
            "XAdES signatures are not checked by this version; what else the container holds is checked below",
        ));
    }
    let mut covered: BTreeSet<String> = BTreeSet::new();
    for r in &records {
        evidence_record(&mut c, &names, form, r, policy, &mut checks, &mut covered);
    }
    match form {
        Form::Simple => {
            let [data] = data.as_slice() else {
                checks.push(Check::indeterminate(
                    CheckName::Container,
                    path.clone(),
                    "UNSUPPORTED_FORMAT",
                    format!("an ASiC-S container holds one data object; this one holds {}", data.len()),
                ));
                return foreign_report(ForeignEvidence::AsicContainer, path, checks, notes, policy);
            };
            let data = (*data).clone();
            for sig in &signatures {
                let bytes = read(&mut c, sig, &mut checks);
                if let Some(p7s) = bytes {
                    checks.push(signature_over_entry(&mut c, sig, &p7s, &data, policy));
                    covered.insert(data.clone());
                }
            }
            for tst in &timestamps {
                if let Some(token) = read(&mut c, tst, &mut checks) {
                    checks.push(token_over_entry(&mut c, tst, &token, &data, policy));
                    covered.insert(data.clone());
                }
            }
        }
        Form::Extended => {
            for seal in signatures.iter().chain(&timestamps) {
                let Some(manifest_name) = manifest_naming(&mut c, &names, seal) else {
                    checks.push(Check::failed(
                        CheckName::Manifest,
                        seal.as_str(),
                        "MANIFEST_MISSING",
                        "no ASiCManifest names this signature or time-stamp in its SigReference: what it seals cannot be told",
                    ));
                    continue;
                };
                let Some(seal_bytes) = read(&mut c, seal, &mut checks) else { continue };
                let Some(xml) = read(&mut c, &manifest_name, &mut checks) else { continue };
                let manifest = match parse_manifest(&xml) {
                    Ok(m) => m,
                    Err(why) => {
                        checks.push(Check::failed(
                            CheckName::Manifest,
                            manifest_name.clone(),
                            "MANIFEST_MALFORMED",
                            why,
                        ));
                        continue;
                    }
                };
                let sealed = if seal.ends_with(".p7s") {
                    let digest_of = |algo: DigestAlgorithm| -> Result<Vec<u8>, crate::subject::InputError> {
                        Ok(algo.digest(&xml).as_bytes().to_vec())
                    };
                    let (mut check, _) = signature_check_with(
                        CheckName::ManifestSeal,
                        &manifest_name,
                        &seal_bytes,
                        &digest_of,
                        &policy.signatures,
                    );
                    check.detail = format!("`{seal}`: {}", check.detail);
                    check
                } else {
                    token_check(&manifest_name, seal, &seal_bytes, &|a| Ok(a.digest(&xml).as_bytes().to_vec()), policy)
                };
                let seal_passed = sealed.verdict != Verdict::Failed;
                checks.push(sealed);
                covered.insert(manifest_name.clone());
                covered.insert((*seal).clone());
                if seal_passed {
                    reference_checks(&mut c, &names, &manifest_name, &manifest, &mut checks, &mut covered);
                }
            }
        }
    }
    if signatures.is_empty() && timestamps.is_empty() && xades.is_empty() && records.is_empty() {
        checks.push(Check::indeterminate(
            CheckName::Signature,
            path.clone(),
            "NO_SIGNATURE",
            "the container holds no signature, time-stamp or evidence record: nothing proves its content",
        ));
    }
    // Files no checked seal covers (in an ASiC-E, the data objects outside every manifest).
    if xades.is_empty() {
        for name in data.iter().filter(|n| !covered.contains(n.as_str())) {
            notes.push(Check::indeterminate(
                CheckName::Manifest,
                name.as_str(),
                "NOT_COVERED",
                "no signature, time-stamp or evidence record of the container covers this file",
            ));
        }
    }
    foreign_report(ForeignEvidence::AsicContainer, path, checks, notes, policy)
}

/// The report of evidence made elsewhere (no profile, producer or records of ours).
pub(super) fn foreign_report(
    form: ForeignEvidence,
    path: String,
    checks: Vec<Check>,
    notes: Vec<Check>,
    policy: &Policy,
) -> PackageReport {
    let result = if checks.is_empty() { Indication::Indeterminate } else { aggregate(&checks) };
    PackageReport {
        package: path,
        result,
        profile: String::new(),
        exported_at: String::new(),
        producer: String::new(),
        case: None,
        policy: policy.used(),
        checks,
        notes,
        records: Vec::new(),
        evidence: None,
        made_elsewhere: Some(form),
    }
}

/// The archive manifests of a container (`ASiCArchiveManifest*.xml`), each with its archive
/// time-stamp over it and the entries it lists: the checks, and every entry they cover (the
/// archive manifests and time-stamps included).
pub(super) fn archive_chain(c: &mut Container, names: &[String], policy: &Policy) -> (Vec<Check>, BTreeSet<String>) {
    let mut checks = Vec::new();
    let mut covered = BTreeSet::new();
    for manifest_name in crate::package::archive::archive_manifests(names) {
        let Some(xml) = read(c, &manifest_name, &mut checks) else { continue };
        let manifest = match parse_manifest(&xml) {
            Ok(m) => m,
            Err(why) => {
                checks.push(Check::failed(CheckName::Manifest, manifest_name, "MANIFEST_MALFORMED", why));
                continue;
            }
        };
        let Some((uri, _)) = &manifest.sig_reference else {
            checks.push(Check::failed(
                CheckName::ManifestSeal,
                manifest_name,
                "MANIFEST_NOT_SEALED",
                "an archive manifest without its archive time-stamp proves nothing",
            ));
            continue;
        };
        let seal = if names.contains(uri) { uri.clone() } else { decode_uri(uri) };
        let Some(token) = read(c, &seal, &mut checks) else { continue };
        let sealed = token_check(&manifest_name, &seal, &token, &|a| Ok(a.digest(&xml).as_bytes().to_vec()), policy);
        let sealed_ok = sealed.verdict != Verdict::Failed;
        checks.push(Check { check: CheckName::ManifestSeal, ..sealed });
        covered.insert(manifest_name.clone());
        covered.insert(seal);
        if sealed_ok {
            reference_checks(c, names, &manifest_name, &manifest, &mut checks, &mut covered);
        }
    }
    (checks, covered)
}

/// Largest XML entry read whole to be canonicalized for an XML evidence record.
const MAX_XML_DATA: u64 = 64 << 20;

/// An evidence record of the container (ETSI TS 119 162-2 as DSS reads it): in an ASiC-S over
/// its one data object; in an ASiC-E over the entries of the `ASiCEvidenceRecordManifest` that
/// names it, each listed entry's digest checked as well.
fn evidence_record(
    c: &mut Container,
    names: &[String],
    form: Form,
    entry: &str,
    policy: &Policy,
    checks: &mut Vec<Check>,
    covered: &mut BTreeSet<String>,
) {
    let Some(bytes) = read(c, entry, checks) else { return };
    let record = match EvidenceRecord::parse(&bytes) {
        Ok(r) => r,
        Err(e) => {
            checks.push(Check::failed(CheckName::EvidenceRecord, entry, "FORMAT_FAILURE", e.to_string()));
            return;
        }
    };
    let xml_name = entry.to_ascii_lowercase().ends_with(".xml");
    if xml_name != (record.syntax == Syntax::Xml) {
        checks.push(Check::indeterminate(
            CheckName::EvidenceRecord,
            entry,
            "FORMAT_FAILURE",
            format!(
                "an {} evidence record under a `.{}` name, which ETSI TS 119 162-2 does not allow",
                record.syntax.name(),
                if xml_name { "xml" } else { "ers" }
            ),
        ));
        return;
    }
    // What it must cover, and what else it may.
    let mut listed: Vec<(String, Option<DigestAlgorithm>)> = Vec::new();
    let candidates: Vec<String> = match form {
        Form::Simple => names.iter().filter(|n| !n.contains('/') && *n != "mimetype").cloned().collect(),
        Form::Extended => {
            let Some(manifest_name) = manifest_naming(c, names, entry) else {
                checks.push(Check::indeterminate(
                    CheckName::EvidenceRecord,
                    entry,
                    "SIGNED_DATA_NOT_FOUND",
                    "no ASiCEvidenceRecordManifest names this evidence record: what it covers cannot be told",
                ));
                return;
            };
            let Some(xml) = read(c, &manifest_name, checks) else { return };
            let manifest = match parse_manifest(&xml) {
                Ok(m) => m,
                Err(why) => {
                    checks.push(Check::failed(CheckName::Manifest, manifest_name, "MANIFEST_MALFORMED", why));
                    return;
                }
            };
            covered.insert(manifest_name.clone());
            reference_checks(c, names, &manifest_name, &manifest, checks, covered);
            for r in &manifest.references {
                let decoded = decode_uri(&r.uri);
                let name = if names.contains(&r.uri) { r.uri.clone() } else { decoded };
                listed.push((name, r.algorithm));
            }
            names.to_vec()
        }
    };
    if form == Form::Simple && candidates.len() != 1 {
        checks.push(Check::indeterminate(
            CheckName::EvidenceRecord,
            entry,
            "SIGNED_DATA_NOT_FOUND",
            format!("an ASiC-S evidence record covers the one data object; this container holds {}", candidates.len()),
        ));
        return;
    }
    // A listed entry whose manifest digest is by another algorithm than the record's.
    let record_algorithm = record.chains.first().and_then(|ch| ch.digest_algorithm.clone().ok());
    for (name, algorithm) in &listed {
        if let (Some(a), Some(r)) = (algorithm, record_algorithm)
            && *a != r
        {
            checks.push(Check::failed(
                CheckName::EvidenceRecord,
                entry,
                "HASH_FAILURE",
                format!(
                    "its manifest gives `{name}` a {} digest; the evidence record hashes with {}",
                    a.name(),
                    r.name()
                ),
            ));
        }
    }
    let container = std::cell::RefCell::new(c);
    let digest_of = |name: String| {
        let container = &container;
        move |a: DigestAlgorithm, c14n: Option<Canonicalization>| -> Result<Vec<u8>, String> {
            let mut c = container.borrow_mut();
            let size = c.entry(&name).map(|e| e.size).ok_or_else(|| "the container does not hold it".to_owned())?;
            if c14n.is_some() && size <= MAX_XML_DATA {
                let bytes = c.read(&name)?.ok_or_else(|| "the container does not hold it".to_owned())?;
                return Ok(xml_aware_digest(&bytes, a, c14n));
            }
            c.hash(&name, &[a])?
                .and_then(|d| d.get(a).map(|v| v.as_bytes().to_vec()))
                .ok_or_else(|| "the container does not hold it".to_owned())
        }
    };
    let mut objects: Vec<DataObject<'_>> = Vec::new();
    for (name, _) in &listed {
        objects.push(DataObject {
            name: name.clone(),
            digest: Box::new(digest_of(name.clone())),
            coverage: Coverage::Listed,
        });
    }
    for name in candidates.iter().filter(|n| !listed.iter().any(|(l, _)| l == *n) && n.as_str() != entry) {
        let coverage = if form == Form::Simple { Coverage::Expected } else { Coverage::Optional };
        objects.push(DataObject { name: name.clone(), digest: Box::new(digest_of(name.clone())), coverage });
    }
    let report = evidence_record::verify(&record, &objects, &tsp_policy(&policy.signatures));
    drop(objects);
    for (name, _, outcome) in &report.objects {
        if *outcome == ObjectOutcome::Covered {
            covered.insert(name.clone());
        }
    }
    covered.insert(entry.to_owned());
    checks.extend(report.checks(entry));
}

/// An entry's bytes; a corrupt one is a failed check.
fn read(c: &mut Container, name: &str, checks: &mut Vec<Check>) -> Option<Vec<u8>> {
    match c.read(name) {
        Ok(Some(b)) => Some(b),
        Ok(None) => {
            checks.push(Check::failed(CheckName::Container, name, "ENTRY_MISSING", "the entry is absent"));
            None
        }
        Err(why) => {
            checks.push(Check::failed(CheckName::Container, name, "ENTRY_CORRUPT", format!("the entry {why}")));
            None
        }
    }
}

/// The manifest (ASiCManifest* or ASiCArchiveManifest*) whose SigReference names `seal`.
fn manifest_naming(c: &mut Container, names: &[String], seal: &str) -> Option<String> {
    names
        .iter()
        .filter(|n| in_meta_inf(n) && lower_name(n).starts_with("asic") && lower_name(n).contains("manifest"))
        .find(|n| {
            c.read(n).ok().flatten().and_then(|x| parse_manifest(&x).ok()).is_some_and(|m| {
                m.sig_reference.as_ref().is_some_and(|(uri, _)| uri == seal || decode_uri(uri) == seal)
            })
        })
        .cloned()
}

/// Each reference of a sealed manifest: the entry is there and has the digest the manifest gives.
fn reference_checks(
    c: &mut Container,
    names: &[String],
    manifest_name: &str,
    m: &Manifest,
    checks: &mut Vec<Check>,
    covered: &mut BTreeSet<String>,
) {
    let what = if m.kind == ManifestKind::Archive { "archive manifest" } else { "manifest" };
    for r in &m.references {
        let decoded = decode_uri(&r.uri);
        let Some(entry) = [&r.uri, &decoded].into_iter().find(|n| names.contains(n)).cloned() else {
            checks.push(Check::indeterminate(
                CheckName::Manifest,
                r.uri.clone(),
                "SIGNED_DATA_NOT_FOUND",
                format!("the {what} `{manifest_name}` lists it; the container does not hold it"),
            ));
            continue;
        };
        covered.insert(entry.clone());
        let Some(algorithm) = r.algorithm else {
            checks.push(Check::indeterminate(
                CheckName::Manifest,
                entry,
                "UNSUPPORTED_ALGORITHM",
                format!("digest method {} is not one this version computes", r.method),
            ));
            continue;
        };
        match c.hash(&entry, &[algorithm]) {
            Ok(Some(d)) if d.get(algorithm).is_some_and(|v| v.as_bytes() == r.digest.as_slice()) => {
                checks.push(Check::passed(
                    CheckName::Manifest,
                    entry,
                    format!("its {} is the one the {what} `{manifest_name}` gives", algorithm.name()),
                ))
            }
            Ok(_) => checks.push(Check::failed(
                CheckName::Manifest,
                entry,
                "HASH_MISMATCH",
                format!("its {} is not the one the {what} `{manifest_name}` gives: it changed", algorithm.name()),
            )),
            Err(why) => {
                checks.push(Check::failed(CheckName::Container, entry, "ENTRY_CORRUPT", format!("the entry {why}")))
            }
        }
    }
}

/// An ASiC-S signature over its data object, hashed once per algorithm the signature asks for.
fn signature_over_entry(c: &mut Container, sig: &str, p7s: &[u8], data: &str, policy: &Policy) -> Check {
    let container = std::cell::RefCell::new(c);
    let cache = std::cell::RefCell::new(std::collections::HashMap::new());
    let digest_of = |algo: DigestAlgorithm| -> Result<Vec<u8>, crate::subject::InputError> {
        if let Some(v) = cache.borrow().get(&algo) {
            return Ok(Vec::clone(v));
        }
        let v = container
            .borrow_mut()
            .hash(data, &[algo])
            .ok()
            .flatten()
            .and_then(|d| d.get(algo).map(|v| v.as_bytes().to_vec()))
            .unwrap_or_default();
        cache.borrow_mut().insert(algo, v.clone());
        Ok(v)
    };
    let (mut check, _) = signature_check_with(CheckName::Signature, data, p7s, &digest_of, &policy.signatures);
    check.detail = format!("`{sig}`: {}", check.detail);
    check
}

/// An ASiC-S time-stamp over its data object.
fn token_over_entry(c: &mut Container, tst: &str, token: &[u8], data: &str, policy: &Policy) -> Check {
    let mut digest_of = |algo: DigestAlgorithm| -> Result<Vec<u8>, String> {
        c.hash(data, &[algo])?.and_then(|d| d.get(algo).map(|v| v.as_bytes().to_vec())).ok_or_else(|| "absent".into())
    };
    let hashed = TimestampToken::from_any_der(token)
        .ok()
        .and_then(|t| evidentia_pki::tsp::digest_from_oid(&t.imprint_algorithm()))
        .map(|a| (a, digest_of(a)));
    let fixed = move |a: DigestAlgorithm| match &hashed {
        Some((b, Ok(v))) if *b == a => Ok(v.clone()),
        _ => Err("not computed".to_owned()),
    };
    token_check(data, tst, token, &fixed, policy)
}

/// A time-stamp token over the content whose digest `digest_of` gives, by the token's own algorithm.
fn token_check(
    subject: &str,
    tst: &str,
    bytes: &[u8],
    digest_of: &dyn Fn(DigestAlgorithm) -> Result<Vec<u8>, String>,
    policy: &Policy,
) -> Check {
    let token = match TimestampToken::from_any_der(bytes) {
        Ok(t) => t,
        Err(e) => return Check::failed(CheckName::Timestamp, subject, e.code(), format!("`{tst}`: {e}")),
    };
    let Some(algorithm) = evidentia_pki::tsp::digest_from_oid(&token.imprint_algorithm()) else {
        return Check::indeterminate(
            CheckName::Timestamp,
            subject,
            "UNSUPPORTED_ALGORITHM",
            format!("`{tst}`: imprint algorithm {}", token.imprint_algorithm()),
        );
    };
    let imprint = match digest_of(algorithm) {
        Ok(v) => v,
        Err(why) => return Check::failed(CheckName::Timestamp, subject, "ENTRY_CORRUPT", format!("`{tst}`: {why}")),
    };
    let expected = Expectation { algorithm, imprint, nonce: None };
    match evidentia_pki::tsp::verify(&token, &expected, &tsp_policy(&policy.signatures)) {
        Ok(v) => Check::passed(
            CheckName::Timestamp,
            subject,
            format!("`{tst}`: time-stamped by {} at {} (serial {})", v.tsa_subject, v.gen_time.to_rfc3339(), v.serial),
        ),
        Err(e) => {
            let mut c = timestamp_verdict(CheckName::Timestamp, subject, &e);
            c.detail = format!("`{tst}`: {}", c.detail);
            c
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::verify::package::verify_package;

    /// What cannot be decided without trusting the signers' roots: the question here is the rest.
    const TRUST: [&str; 4] = ["NO_TRUSTED_ROOT", "REVOCATION_MISSING", "REVOKED_NO_POE", "CRYPTO_CONSTRAINTS"];

    /// EU DSS's ASiC with CAdES corpus (`tests/fixtures/third-party/dss-asic-cades/`), each file
    /// beside the verdict DSS's own test asserts (`expected.json`): a valid container's
    /// signatures, seals and data digests hold; a broken one would not pass even with its root
    /// trusted; a damaged one is refused; one DSS finds undecidable is not passed.
    #[tokio::test]
    async fn the_dss_asic_cades_corpus_is_judged_as_dss_judges_it() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/third-party/dss-asic-cades");
        let expected: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.join("expected.json")).unwrap()).unwrap();
        // (file, why) — docs/validation.md, "ASiC".
        let explained = [(
            "dss1421-archive-not-cover.asice",
            "its container time-stamp is over another archive manifest (IMPRINT_MISMATCH); DSS's test asserts only the signature",
        )];
        let (mut judged, mut false_rejects) = (0, 0);
        let mut unexplained = Vec::new();
        for (name, e) in expected.as_object().unwrap() {
            let is_container =
                ["asice", "asics", "sce", "scs", "zip", "odt", "odp"].iter().any(|x| name.ends_with(&format!(".{x}")))
                    || !name.contains('.');
            if !is_container {
                continue; // evidence records and data files kept as inputs of DSS's tests
            }
            let expect = e["expect"].as_str().unwrap_or("unknown");
            let outcome = verify_package(&dir.join(name), &Policy::default()).await;
            judged += 1;
            let known = explained.iter().any(|(f, _)| f == name);
            let Ok(report) = outcome else {
                if expect == "valid" && !known {
                    false_rejects += 1;
                    unexplained.push(format!("{name}: refused, DSS valid"));
                }
                continue;
            };
            let undecided_beyond_trust = report.checks.iter().any(|c| {
                c.verdict == Verdict::Failed
                    || (c.verdict == Verdict::Indeterminate && !c.reason.as_deref().is_some_and(|r| TRUST.contains(&r)))
            });
            let broken_proof = report.checks.iter().find(|c| {
                c.verdict == Verdict::Failed
                    && matches!(
                        c.check,
                        CheckName::Signature
                            | CheckName::ManifestSeal
                            | CheckName::Manifest
                            | CheckName::Timestamp
                            | CheckName::EvidenceRecord
                    )
            });
            // Valid: INDETERMINATE only for the untrusted test roots, every other check PASSED.
            if expect == "valid"
                && !known
                && let Some(c) = report
                    .checks
                    .iter()
                    .find(|c| c.verdict != Verdict::Passed && !c.reason.as_deref().is_some_and(|r| TRUST.contains(&r)))
            {
                unexplained.push(format!("{name}: {:?} {:?} on {}, DSS valid", c.verdict, c.reason, c.subject));
            }
            match expect {
                "valid" => {
                    if let Some(c) = broken_proof {
                        false_rejects += 1;
                        if !known {
                            unexplained.push(format!("{name}: {c:?}, DSS valid"));
                        }
                    }
                }
                "broken" | "indeterminate" | "refused" | "no-signature"
                    if report.result == Indication::TotalPassed || (expect != "refused" && !undecided_beyond_trust) =>
                {
                    unexplained.push(format!("{name}: {:?} with only trust undecided, DSS {expect}", report.result));
                }
                _ => {}
            }
        }
        eprintln!("DSS ASiC-CAdES corpus: {judged} containers judged, {false_rejects} false rejects");
        assert!(judged >= 90, "{judged}");
        assert!(
            unexplained.is_empty(),
            "disagreements docs/validation.md does not explain:\n{}",
            unexplained.join("\n")
        );
        assert!(false_rejects * 20 <= judged, "{false_rejects} false rejects of {judged}");
    }

    /// EU DSS's ASiC-with-XAdES containers carrying evidence records
    /// (`tests/fixtures/third-party/dss-asic-xades-er/`): the XAdES signatures are not checked
    /// here (INDETERMINATE), the evidence records are — those DSS finds intact hold (only the test
    /// TSAs' roots undecided), those it finds broken do not pass.
    #[tokio::test]
    async fn the_dss_asic_xades_evidence_record_containers_are_judged_as_dss_judges_them() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/third-party/dss-asic-xades-er");
        let expected: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.join("expected.json")).unwrap()).unwrap();
        let mut judged = 0;
        let mut disagreements = Vec::new();
        for (name, e) in expected.as_object().unwrap() {
            let expect = e["expect"].as_str().unwrap_or("unknown");
            // Detached inputs of DSS's incorporation tests, files no test validates, and records
            // inside a XAdES signature (XAdES-ERS: XAdES is not checked here).
            if e["kind"] == "detached evidence record"
                || expect == "unknown"
                || e["er_origin"] == "embedded in the XAdES signature"
            {
                continue;
            }
            judged += 1;
            let report = match verify_package(&dir.join(name), &Policy::default()).await {
                Ok(r) => r,
                Err(err) => {
                    disagreements.push(format!("{name}: refused ({err}), DSS {expect}"));
                    continue;
                }
            };
            let records: Vec<&Check> = report.checks.iter().filter(|c| c.check == CheckName::EvidenceRecord).collect();
            if records.is_empty() {
                disagreements.push(format!("{name}: no evidence record checked"));
                continue;
            }
            let beyond_trust =
                |c: &Check| c.verdict != Verdict::Passed && !c.reason.as_deref().is_some_and(|r| TRUST.contains(&r));
            let broken = report.checks.iter().find(|c| {
                c.verdict == Verdict::Failed
                    && matches!(c.check, CheckName::EvidenceRecord | CheckName::Manifest | CheckName::Timestamp)
            });
            match expect {
                "valid" => {
                    if let Some(c) = records.iter().copied().find(|c| beyond_trust(c)).or(broken) {
                        disagreements.push(format!("{name}: {:?} {:?} {}, DSS intact", c.verdict, c.reason, c.detail));
                    }
                }
                _ => {
                    if records.iter().all(|c| !beyond_trust(c)) && broken.is_none() {
                        disagreements.push(format!("{name}: its evidence records hold, DSS {expect}"));
                    }
                }
            }
        }
        eprintln!("DSS ASiC-XAdES evidence-record containers: {judged} judged, {} disagreements", disagreements.len());
        assert!(judged >= 13, "{judged}");
        assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
    }
}
