//! Verifying every signature and document time-stamp in a PDF, ours or another producer's: the
//! byte range covers the file up to the signature's revision, the CMS or token verifies over it,
//! and what later revisions changed is classified; results go through the verification engine.

use std::path::{Path, PathBuf};

use der::Decode;
use lopdf::{Document, Object};
use serde::Serialize;
use x509_cert::Certificate;

use super::changes::{Change, ChangeClass, changes};
use super::update::{self, decode_text, resolve};
use crate::certificate::CertificateSummary;
use crate::check::{Check, CheckName, Indication, Verdict, aggregate};
use crate::digest::DigestAlgorithm;
use crate::policy::{PolicyUsed, SignaturePolicy as Policy, signature_check_with, timestamp_verdict, tsp_policy};
use crate::tsp::{Expectation, TimestampToken, VerifiedTimestamp};

/// One signature or document time-stamp in a PDF, and what was found.
#[derive(Debug, Clone, Serialize)]
pub struct PdfSignature {
    /// The field's name.
    pub field: String,
    /// `signature` or `document-timestamp`.
    pub kind: &'static str,
    /// The /SubFilter.
    pub sub_filter: String,
    /// The signer (signatures that verified).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signer: Option<CertificateSummary>,
    /// The claimed signing time (/M), not proof of time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claimed_time: Option<String>,
    /// The signature's time-stamp, or the document time-stamp itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<VerifiedTimestamp>,
    /// PAdES level: B-B, B-T, B-LT, B-LTA (signatures that verified).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<&'static str>,
    /// The revision it signs (1 = the first).
    pub revision: usize,
    /// Bytes of the file it covers.
    pub covered: u64,
    /// What a certification signature permits later revisions (`None`: an approval signature).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certification: Option<String>,
    /// The fields it locks against later changes (FieldMDP), in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locked_fields: Option<String>,
    /// What the revocation data says of each certificate of its chain, in words (and where the
    /// data came from); empty when not checked.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub revocation: Vec<String>,
    /// What later revisions changed.
    pub changes: Vec<Change>,
    /// The checks.
    pub checks: Vec<Check>,
    /// TOTAL-PASSED, TOTAL-FAILED or INDETERMINATE.
    pub result: Indication,
}

/// Every signature of a PDF, checked.
#[derive(Debug, Clone, Serialize)]
pub struct PdfReport {
    /// The file.
    pub file: PathBuf,
    /// Its size.
    pub size: u64,
    /// Its SHA-256.
    pub sha256: String,
    /// Revisions (incremental updates + 1).
    pub revisions: usize,
    /// Signatures and document time-stamps, in file order.
    pub signatures: Vec<PdfSignature>,
    /// The policy used.
    pub policy: PolicyUsed,
    /// TOTAL-PASSED, TOTAL-FAILED or INDETERMINATE (INDETERMINATE when there is no signature).
    pub result: Indication,
}

/// A signature dictionary found through the form.
struct Found {
    field: String,
    sub_filter: String,
    range: Vec<i64>,
    contents: Vec<u8>,
    claimed_time: Option<String>,
    /// A certification signature's DocMDP permission (1, 2 or 3).
    docmdp: Option<i64>,
    /// The fields it locks (FieldMDP).
    lock: Option<super::FieldLock>,
}

fn signatures_in(doc: &Document) -> Vec<Found> {
    let mut out = Vec::new();
    let Ok(catalog) = doc.catalog() else { return out };
    let Some(Object::Dictionary(form)) = resolve(doc, catalog, b"AcroForm") else { return out };
    let Some(Object::Array(fields)) = resolve(doc, form, b"Fields") else { return out };
    let mut stack: Vec<(Object, String, usize)> = fields.iter().rev().map(|f| (f.clone(), String::new(), 0)).collect();
    while let Some((field, parent, depth)) = stack.pop() {
        let Object::Reference(id) = field else { continue };
        let Ok(dict) = doc.get_dictionary(id) else { continue };
        let own = dict.get(b"T").ok().and_then(|t| t.as_str().ok()).map(decode_text);
        let name = match (&own, parent.is_empty()) {
            (Some(t), true) => t.clone(),
            (Some(t), false) => format!("{parent}.{t}"),
            (None, _) => parent.clone(),
        };
        if let Some(Object::Dictionary(v)) = resolve(doc, dict, b"V")
            && let (Ok(range), Ok(contents)) = (v.get(b"ByteRange"), v.get(b"Contents"))
        {
            let range: Vec<i64> = match range {
                Object::Array(a) => a.iter().filter_map(|o| o.as_i64().ok()).collect(),
                Object::Reference(r) => doc
                    .get_object(*r)
                    .and_then(Object::as_array)
                    .map(|a| a.iter().filter_map(|o| o.as_i64().ok()).collect())
                    .unwrap_or_default(),
                _ => Vec::new(),
            };
            out.push(Found {
                field: name.clone(),
                sub_filter: v
                    .get(b"SubFilter")
                    .and_then(Object::as_name)
                    .map(|n| String::from_utf8_lossy(n).into_owned())
                    .unwrap_or_default(),
                range,
                contents: contents.as_str().map(<[u8]>::to_vec).unwrap_or_default(),
                claimed_time: v.get(b"M").ok().and_then(|m| m.as_str().ok()).map(decode_text),
                docmdp: docmdp_of(doc, v),
                lock: field_lock_of(doc, v).or_else(|| resolve(doc, dict, b"Lock").and_then(|l| lock_of(doc, l))),
            });
        }
        if depth < 16
            && let Some(Object::Array(kids)) = resolve(doc, dict, b"Kids")
        {
            stack.extend(kids.iter().rev().map(|k| (k.clone(), name.clone(), depth + 1)));
        }
    }
    out
}

/// The signature reference of a signature dictionary with this /TransformMethod (`DocMDP`,
/// `FieldMDP`), if it has one.
fn reference_of<'a>(doc: &'a Document, sig: &'a lopdf::Dictionary, method: &[u8]) -> Option<&'a lopdf::Dictionary> {
    let Some(Object::Array(references)) = resolve(doc, sig, b"Reference") else { return None };
    references.iter().find_map(|r| {
        let r = match r {
            Object::Reference(id) => doc.get_dictionary(*id).ok()?,
            Object::Dictionary(d) => d,
            _ => return None,
        };
        (r.get(b"TransformMethod").and_then(Object::as_name).ok()? == method).then_some(r)
    })
}

/// The DocMDP permission a signature dictionary certifies with (its /Reference's DocMDP transform,
/// /P defaulting to 2); `None` for an approval signature.
fn docmdp_of(doc: &Document, sig: &lopdf::Dictionary) -> Option<i64> {
    let r = reference_of(doc, sig, b"DocMDP")?;
    Some(match resolve(doc, r, b"TransformParams") {
        Some(Object::Dictionary(params)) => params.get(b"P").and_then(Object::as_i64).unwrap_or(2),
        _ => 2,
    })
}

/// The fields a signature dictionary locks: its /Reference's FieldMDP transform parameters.
fn field_lock_of(doc: &Document, sig: &lopdf::Dictionary) -> Option<super::FieldLock> {
    lock_of(doc, resolve(doc, reference_of(doc, sig, b"FieldMDP")?, b"TransformParams")?)
}

/// A FieldMDP /Action with its /Fields (the transform parameters or a field's /Lock).
fn lock_of(doc: &Document, params: &Object) -> Option<super::FieldLock> {
    use super::FieldLock;
    let Object::Dictionary(params) = params else { return None };
    let names = || -> Vec<String> {
        match resolve(doc, params, b"Fields") {
            Some(Object::Array(a)) => a.iter().filter_map(|n| n.as_str().ok()).map(decode_text).collect(),
            _ => Vec::new(),
        }
    };
    match params.get(b"Action").and_then(Object::as_name).ok()? {
        b"All" => Some(FieldLock::All),
        b"Include" => Some(FieldLock::Include(names())),
        b"Exclude" => Some(FieldLock::Exclude(names())),
        _ => None,
    }
}

/// Every form field of `doc` by fully qualified name, with the objects that are it (the field and
/// its widgets).
fn fields_by_name(doc: &Document) -> Vec<(String, Vec<lopdf::ObjectId>)> {
    let mut out = Vec::new();
    let Ok(catalog) = doc.catalog() else { return out };
    let Some(Object::Dictionary(form)) = resolve(doc, catalog, b"AcroForm") else { return out };
    let Some(Object::Array(fields)) = resolve(doc, form, b"Fields") else { return out };
    let mut stack: Vec<(Object, String, usize)> = fields.iter().map(|f| (f.clone(), String::new(), 0)).collect();
    while let Some((field, parent, depth)) = stack.pop() {
        let Object::Reference(id) = field else { continue };
        let Ok(dict) = doc.get_dictionary(id) else { continue };
        let own = dict.get(b"T").ok().and_then(|t| t.as_str().ok()).map(decode_text);
        let Some(own) = own else { continue };
        let name = if parent.is_empty() { own } else { format!("{parent}.{own}") };
        let mut ids = vec![id];
        if let Some(Object::Array(kids)) = resolve(doc, dict, b"Kids") {
            for kid in kids {
                let Object::Reference(kid) = kid else { continue };
                // A kid with a name is a field of its own; without one, a widget of this one.
                match doc.get_dictionary(*kid) {
                    Ok(k) if k.has(b"T") => {
                        if depth < 16 {
                            stack.push((Object::Reference(*kid), name.clone(), depth + 1));
                        }
                    }
                    Ok(_) => ids.push(*kid),
                    Err(_) => {}
                }
            }
        }
        out.push((name, ids));
    }
    out
}

/// Where a signature's byte range ends (a hostile /ByteRange saturates rather than overflows).
fn range_end(range: &[i64]) -> i64 {
    range.get(2).copied().unwrap_or(0).saturating_add(range.get(3).copied().unwrap_or(0))
}

/// What a certification permits, in words.
fn permits(p: i64) -> &'static str {
    match p {
        1 => "no changes (DocMDP P=1)",
        3 => "form filling, signing and annotations only (DocMDP P=3)",
        _ => "form filling and signing only (DocMDP P=2)",
    }
}

/// Verifies every signature and document time-stamp in the PDF at `path`.
pub fn verify_pdf(path: &Path, policy: &Policy) -> Result<PdfReport, super::PadesError> {
    let bytes =
        std::fs::read(path).map_err(|e| super::PadesError::Unreadable { path: path.to_owned(), why: e.to_string() })?;
    verify_pdf_bytes(path, &bytes, policy)
}

/// Verifies every signature and document time-stamp in a PDF held in memory (`path` names it in
/// the report and in messages).
pub fn verify_pdf_bytes(path: &Path, bytes: &[u8], policy: &Policy) -> Result<PdfReport, super::PadesError> {
    let latest = update::parse(path, bytes)?;
    let size = bytes.len() as u64;
    let sha256 = DigestAlgorithm::Sha256.digest(bytes).to_hex();
    let revisions = bytes.windows(5).filter(|w| w == b"%%EOF").count().max(1);
    let mut found = signatures_in(&latest);
    // A hostile /ByteRange may hold any integers: its sums saturate rather than overflow.
    found.sort_by_key(|f| range_end(&f.range));

    // Where each revision ends (just past a %%EOF and its line end).
    let eofs: Vec<u64> = bytes
        .windows(5)
        .enumerate()
        .filter(|(_, w)| w == b"%%EOF")
        .map(|(i, _)| {
            let mut end = i + 5;
            while bytes.get(end).is_some_and(|b| *b == b'\r' || *b == b'\n') {
                end += 1;
            }
            end as u64
        })
        .collect();

    // Validation data the document carries (its DSS) serves every signature's revocation check.
    let mut with_dss = policy.clone();
    with_dss.revocation.crls.extend(dss_streams(&latest, b"CRLs"));
    // Its certificates are intermediates any chain may be built through.
    with_dss.extra_certificates.extend(dss_certificates(&latest).iter().filter_map(|d| Certificate::from_der(d).ok()));
    for ocsp in dss_streams(&latest, b"OCSPs") {
        with_dss.revocation.add_ocsp_response(&ocsp);
    }
    let mut signatures = Vec::new();
    for f in &found {
        signatures.push(check_one(f, bytes, path, &latest, &eofs, &found, &with_dss));
    }
    let result = if signatures.is_empty() {
        Indication::Indeterminate
    } else {
        aggregate(signatures.iter().flat_map(|s| s.checks.iter()))
    };
    Ok(PdfReport { file: path.to_owned(), size, sha256, revisions, signatures, policy: policy.used(), result })
}

/// How many signatures a document has, and the DocMDP permission of its certification, if any.
pub fn existing_signatures(doc: &Document) -> (usize, Option<i64>) {
    let found = signatures_in(doc);
    (found.len(), found.iter().find_map(|f| f.docmdp))
}

/// Every certificate the signatures of a PDF carry, and those of its DSS: what revocation data
/// is fetched for with `--online`. Empty when the file is no readable PDF.
pub fn signature_certificates(path: &Path, bytes: &[u8]) -> Vec<Certificate> {
    let Ok(doc) = update::parse(path, bytes) else { return Vec::new() };
    let mut certs: Vec<Certificate> =
        dss_certificates(&doc).iter().filter_map(|d| Certificate::from_der(d).ok()).collect();
    for f in signatures_in(&doc) {
        if let Ok(der) = crate::ber::to_der(&f.contents) {
            certs.extend(crate::cades_verify::embedded_certificates(&der));
        }
    }
    certs.dedup();
    certs
}

/// The certificates (DER) in a document's DSS.
fn dss_certificates(doc: &Document) -> Vec<Vec<u8>> {
    dss_streams(doc, b"Certs")
}

/// The streams (DER) of one array of a document's DSS: /Certs, /CRLs or /OCSPs.
fn dss_streams(doc: &Document, key: &[u8]) -> Vec<Vec<u8>> {
    let Ok(catalog) = doc.catalog() else { return Vec::new() };
    let Some(Object::Dictionary(dss)) = resolve(doc, catalog, b"DSS") else { return Vec::new() };
    let Some(Object::Array(certs)) = resolve(doc, dss, key) else { return Vec::new() };
    certs
        .iter()
        .filter_map(|c| c.as_reference().ok())
        .filter_map(|id| doc.get_object(id).ok())
        .filter_map(|o| o.as_stream().ok())
        .filter_map(|s| s.decompressed_content().ok().or_else(|| Some(s.content.clone())))
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn check_one(
    f: &Found,
    bytes: &[u8],
    path: &Path,
    latest: &Document,
    eofs: &[u64],
    all: &[Found],
    policy: &Policy,
) -> PdfSignature {
    let subject = f.field.clone();
    let is_doc_ts = f.sub_filter == "ETSI.RFC3161";
    let mut sig = PdfSignature {
        field: f.field.clone(),
        kind: if is_doc_ts { "document-timestamp" } else { "signature" },
        sub_filter: f.sub_filter.clone(),
        signer: None,
        claimed_time: f.claimed_time.clone(),
        timestamp: None,
        level: None,
        revision: 0,
        covered: 0,
        certification: f.docmdp.map(|p| permits(p).to_owned()),
        locked_fields: f.lock.as_ref().map(|l| match l {
            super::FieldLock::All => "all fields".to_owned(),
            super::FieldLock::Include(n) => n.join(", "),
            super::FieldLock::Exclude(n) => format!("all fields except {}", n.join(", ")),
        }),
        revocation: Vec::new(),
        changes: Vec::new(),
        checks: Vec::new(),
        result: Indication::Indeterminate,
    };
    let size = bytes.len() as u64;

    // The byte range: [0, a, b, c] with the hex /Contents exactly in the gap.
    let range_ok = match f.range.as_slice() {
        [0, a, b, c] if *a > 0 && b > a && *c >= 0 && b.checked_add(*c).is_some_and(|end| end as u64 <= size) => {
            let (a, b) = (*a as usize, *b as usize);
            bytes[a] == b'<' && bytes[b - 1] == b'>' && bytes[a + 1..b - 1].iter().all(u8::is_ascii_hexdigit)
        }
        _ => false,
    };
    if !range_ok {
        sig.checks.push(Check::failed(
            CheckName::ByteRange,
            &subject,
            "FORMAT_FAILURE",
            format!("/ByteRange {:?} does not cover the file around the signature's /Contents", f.range),
        ));
        sig.result = aggregate(&sig.checks);
        return sig;
    }
    let covered = (f.range[2] + f.range[3]) as u64;
    sig.covered = covered;
    sig.revision = eofs.iter().position(|&e| e >= covered).map(|p| p + 1).unwrap_or(eofs.len());
    sig.checks.push(Check::passed(
        CheckName::ByteRange,
        &subject,
        format!(
            "covers bytes 0–{covered} of {size} except the signature's own /Contents{}",
            if covered == size { ": the whole file" } else { "" }
        ),
    ));
    let range: Vec<u64> = f.range.iter().map(|&v| v as u64).collect();
    let digest_of = |algo: DigestAlgorithm| -> Result<Vec<u8>, crate::subject::InputError> {
        let mut hasher = crate::digest::MultiHasher::new(&[algo]);
        for pair in range.chunks(2) {
            let start = usize::try_from(pair[0]).unwrap_or(usize::MAX);
            let len = usize::try_from(pair.get(1).copied().unwrap_or(0)).unwrap_or(usize::MAX);
            hasher.update(bytes.get(start..start.saturating_add(len)).unwrap_or_default());
        }
        Ok(hasher.finish().get(algo).map(|d| d.as_bytes().to_vec()).unwrap_or_default())
    };
    let der = match crate::ber::to_der(&f.contents) {
        Ok(der) => der,
        Err(e) => {
            sig.checks.push(Check::failed(
                CheckName::Signature,
                &subject,
                "FORMAT_FAILURE",
                format!("/Contents holds no DER or BER object: {e}"),
            ));
            sig.result = aggregate(&sig.checks);
            return sig;
        }
    };
    let der: &[u8] = &der;

    if is_doc_ts {
        match TimestampToken::from_token_der(der) {
            Err(e) => sig.checks.push(Check::failed(CheckName::DocumentTimestamp, &subject, e.code(), e.to_string())),
            Ok(token) => {
                let algorithm = crate::tsp::digest_from_oid(&token.imprint_algorithm());
                match algorithm.map(|a| (a, digest_of(a))) {
                    Some((algorithm, Ok(imprint))) => {
                        let expected = Expectation { algorithm, imprint, nonce: None };
                        match crate::tsp::verify(&token, &expected, &tsp_policy(policy)) {
                            Ok(v) => {
                                sig.checks.push(Check::passed(
                                    CheckName::DocumentTimestamp,
                                    &subject,
                                    format!(
                                        "the first {covered} bytes existed at {} ({}, serial {})",
                                        v.gen_time.to_rfc3339(),
                                        v.tsa_subject,
                                        v.serial
                                    ),
                                ));
                                sig.timestamp = Some(v);
                            }
                            Err(e) => sig.checks.push(timestamp_verdict(CheckName::DocumentTimestamp, &subject, &e)),
                        }
                    }
                    Some((_, Err(e))) => {
                        sig.checks.push(Check::failed(CheckName::DocumentTimestamp, &subject, e.code(), e.to_string()))
                    }
                    None => sig.checks.push(Check::indeterminate(
                        CheckName::DocumentTimestamp,
                        &subject,
                        "UNSUPPORTED_ALGORITHM",
                        format!("imprint algorithm {}", token.imprint_algorithm()),
                    )),
                }
            }
        }
    } else if super::electronic_seal::is_electronic_seal(der) {
        sig.checks.push(Check::indeterminate(
            CheckName::Signature,
            &subject,
            "UNSUPPORTED_FORMAT",
            format!("/SubFilter /{}: {}", f.sub_filter, super::electronic_seal::ELECTRONIC_SEAL_NOT_CHECKED),
        ));
    } else if matches!(f.sub_filter.as_str(), "ETSI.CAdES.detached" | "adbe.pkcs7.detached" | "adbe.pkcs7.sha1") {
        let (mut check, verified) = signature_check_with(CheckName::Signature, &subject, der, &digest_of, policy);
        // An untrusted root leaves the verdict INDETERMINATE, but who signed, when the TSA says,
        // and the level are still read out, as if the embedded certificates were trusted.
        let verified = verified.or_else(|| {
            let readable = ["NO_TRUSTED_ROOT", "REVOKED", "REVOKED_NO_POE", "REVOCATION_MISSING"];
            if !check.reason.as_deref().is_some_and(|r| readable.contains(&r)) {
                return None;
            }
            let mut relaxed = tsp_policy(policy);
            relaxed.skip_revocation = true;
            relaxed.trust.extend(crate::cades_verify::embedded_certificates(der));
            if let Ok(Some(token)) = crate::cades::signature_timestamp_token(der) {
                relaxed.trust.extend(crate::cades_verify::embedded_certificates(&token));
            }
            crate::cades_verify::verify_detached(der, &digest_of, &relaxed).ok()
        });
        if let Some(v) = verified {
            let later_doc_ts = all.iter().any(|o| {
                o.sub_filter == "ETSI.RFC3161"
                    && o.range.get(2).zip(o.range.get(3)).is_some_and(|(b, c)| b.saturating_add(*c) > covered as i64)
            });
            // B-LT: a later revision put the signer's certificate into the DSS.
            let signer_der = crate::cades_verify::embedded_certificates(der)
                .into_iter()
                .find(|c| CertificateSummary::of(c) == v.signer)
                .and_then(|c| der::Encode::to_der(&c).ok());
            let has_dss_after = covered < size
                && signer_der.is_some_and(|d| {
                    let before = update::parse(path, &bytes[..covered as usize]).map(|d| dss_certificates(&d));
                    dss_certificates(latest).contains(&d) && !before.is_ok_and(|b| b.contains(&d))
                });
            let pades = f.sub_filter == "ETSI.CAdES.detached";
            let level = match (v.timestamp.is_some(), has_dss_after, later_doc_ts) {
                _ if !pades => "PKCS#7",
                (false, _, _) => "B-B",
                (true, false, _) => "B-T",
                (true, true, false) => "B-LT",
                (true, true, true) => "B-LTA",
            };
            if check.verdict == Verdict::Passed {
                check.detail = check.detail.replacen(v.level, &format!("PAdES-{level}"), 1);
            }
            if !pades {
                check.detail = check.detail.replacen("PAdES-PKCS#7", &format!("PKCS#7 ({})", f.sub_filter), 1);
            }
            sig.level = pades.then_some(level);
            sig.signer = Some(v.signer.clone());
            sig.timestamp = v.timestamp.clone();
            sig.revocation = v.revocation.clone();
        }
        // What it permits later and which fields it locks, for every report that shows the check.
        if let Some(c) = &sig.certification {
            check.detail.push_str(&format!("; a certification signature: it permits {c}"));
        }
        if let Some(l) = &sig.locked_fields {
            check.detail.push_str(&format!("; it locks {l} against later changes (FieldMDP)"));
        }
        sig.checks.push(check);
    } else {
        sig.checks.push(Check::indeterminate(
            CheckName::Signature,
            &subject,
            "UNSUPPORTED_FORMAT",
            format!(
                "/SubFilter /{} is not checked (only ETSI.CAdES.detached, adbe.pkcs7.detached, adbe.pkcs7.sha1, ETSI.RFC3161)",
                f.sub_filter
            ),
        ));
    }

    // What changed after this signature.
    if covered == size || eofs.last().is_some_and(|&last| covered >= last) {
        sig.checks.push(Check::passed(
            CheckName::Modifications,
            &subject,
            "nothing was added after it: it covers the whole file",
        ));
    } else {
        match update::parse(path, &bytes[..covered as usize]) {
            Err(e) => sig.checks.push(Check::failed(
                CheckName::Modifications,
                &subject,
                "FORMAT_FAILURE",
                format!("the revision it signs cannot be read: {e}"),
            )),
            Ok(signed) => {
                // What later revisions may do: what an approval signature permits, or less when a
                // certification signature (this one or an earlier one) says so.
                let certification = all
                    .iter()
                    .filter(|o| o.docmdp.is_some() && range_end(&o.range) <= covered as i64)
                    .filter_map(|o| o.docmdp)
                    .min_by_key(|p| ChangeClass::permitted_by(*p));
                let limit = certification.map_or(ChangeClass::FormFilling, ChangeClass::permitted_by);
                sig.changes = changes(&signed, latest);
                for c in &mut sig.changes {
                    c.allowed = c.class <= limit;
                }
                // Fields locked by this signature or an earlier one (FieldMDP) may not change.
                let locks: Vec<(&str, &super::FieldLock)> = all
                    .iter()
                    .filter(|o| range_end(&o.range) <= covered as i64)
                    .filter_map(|o| o.lock.as_ref().map(|l| (o.field.as_str(), l)))
                    .collect();
                if !locks.is_empty() {
                    for (name, ids) in fields_by_name(&signed) {
                        let Some((by, _)) = locks.iter().find(|(_, l)| l.locks(&name)) else { continue };
                        for c in sig.changes.iter_mut() {
                            if ids.iter().any(|id| c.object == format!("{} {}", id.0, id.1)) {
                                c.allowed = false;
                                c.what = format!(
                                    "{} — form field `{name}` is locked by signature `{by}` (FieldMDP)",
                                    c.what
                                );
                            }
                        }
                    }
                }
                let bad: Vec<&Change> = sig.changes.iter().filter(|c| !c.allowed).collect();
                if bad.is_empty() {
                    sig.checks.push(Check::passed(
                        CheckName::Modifications,
                        &subject,
                        format!(
                            "later revisions only add signatures, time-stamps or validation data ({} object(s))",
                            sig.changes.len()
                        ),
                    ));
                } else {
                    let list: Vec<String> = bad.iter().take(5).map(|c| c.what.clone()).collect();
                    sig.checks.push(Check::failed(
                        CheckName::Modifications,
                        &subject,
                        "MODIFIED_AFTER_SIGNING",
                        format!(
                            "the document was changed after this signature{}: {}{}",
                            certification
                                .map(|p| format!(" beyond what its certification permits, {}", permits(p)))
                                .unwrap_or_default(),
                            list.join("; "),
                            if bad.len() > 5 { format!(" (and {} more)", bad.len() - 5) } else { String::new() }
                        ),
                    ));
                }
            }
        }
    }
    sig.result = aggregate(&sig.checks);
    if sig.checks.iter().all(|c| c.verdict == Verdict::Passed) {
        sig.result = Indication::TotalPassed;
    }
    sig
}

#[cfg(test)]
mod tests {
    //! PDFs signed by pyHanko (PAdES-B-B), and updated after signing with pyHanko's incremental
    //! writer (see `testdata/README.md`), judged as `pyhanko sign validate` and `pdfsig` judge
    //! them; and hostile variants of them, which must never pass nor panic.
    use x509_cert::Certificate;

    use super::*;
    use crate::tsp::TrustAnchors;

    const SIGNED: &[u8] = include_bytes!("testdata/signed.pdf");
    const TAMPERED: &[u8] = include_bytes!("testdata/signed-then-tampered.pdf");
    const ANNOTATED: &[u8] = include_bytes!("testdata/signed-then-annotated.pdf");
    const ROOT: &[u8] = include_bytes!("testdata/root.pem");
    const OTHER_ROOT: &[u8] = include_bytes!("testdata/other-root.pem");

    fn trusting(pem: &[u8]) -> Policy {
        Policy {
            trust: TrustAnchors::new(Certificate::load_pem_chain(pem).unwrap()),
            trust_sources: vec!["testdata".into()],
            accept_self_signed: false,
            // These vectors carry no revocation data; revocation has tests of its own.
            skip_revocation: true,
            ..Default::default()
        }
    }

    /// `verify_pdf` over `bytes`, written to a temporary file of their own.
    fn judge(bytes: &[u8], policy: &Policy) -> Result<PdfReport, super::super::PadesError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("document.pdf");
        std::fs::write(&path, bytes).unwrap();
        verify_pdf(&path, policy)
    }

    /// The one signature of a report.
    fn only(report: &PdfReport) -> &PdfSignature {
        assert_eq!(report.signatures.len(), 1, "{:#?}", report.signatures);
        &report.signatures[0]
    }

    fn check(sig: &PdfSignature, name: CheckName) -> &Check {
        sig.checks.iter().find(|c| c.check == name).unwrap_or_else(|| panic!("no {name} check: {:#?}", sig.checks))
    }

    /// The byte range of the pyHanko signature: [0, a, b, c].
    fn signed_range() -> [usize; 4] {
        let at = SIGNED.windows(11).position(|w| w == b"/ByteRange ").unwrap() + 11;
        let end = at + SIGNED[at..].iter().position(|&b| b == b']').unwrap();
        let n: Vec<usize> =
            std::str::from_utf8(&SIGNED[at + 1..end]).unwrap().split_whitespace().map(|v| v.parse().unwrap()).collect();
        [n[0], n[1], n[2], n[3]]
    }

    #[test]
    fn a_pyhanko_signature_passes_when_its_root_is_trusted() {
        // pyHanko: intact, valid, trusted, "covers the entire file", VALID; pdfsig: valid, trusted.
        let report = judge(SIGNED, &trusting(ROOT)).unwrap();
        assert_eq!(report.result, Indication::TotalPassed, "{:#?}", report.signatures);
        assert_eq!(report.revisions, 2, "the unsigned PDF and pyHanko's signing update");
        assert_eq!(report.size, SIGNED.len() as u64);
        let sig = only(&report);
        assert_eq!(sig.result, Indication::TotalPassed);
        assert_eq!(sig.field, "Signature1");
        assert_eq!(sig.kind, "signature");
        assert_eq!(sig.sub_filter, "ETSI.CAdES.detached");
        assert_eq!(sig.level, Some("B-B"));
        assert_eq!((sig.revision, sig.covered), (2, SIGNED.len() as u64));
        assert!(sig.changes.is_empty());
        assert!(sig.timestamp.is_none());
        assert!(sig.claimed_time.as_deref().is_some_and(|t| t.starts_with("D:2026")), "{:?}", sig.claimed_time);
        // Checking revocation, as by default: the PDF carries no CRL or OCSP response for the
        // signer, so nothing proves it was not revoked.
        let strict = Policy { skip_revocation: false, ..trusting(ROOT) };
        let report = judge(SIGNED, &strict).unwrap();
        let c = check(only(&report), CheckName::Signature);
        assert_eq!((c.verdict, c.reason.as_deref()), (Verdict::Indeterminate, Some("REVOCATION_MISSING")), "{c:?}");
        assert!(c.detail.contains("Bob PDF Signer") && c.detail.contains("--online"), "{}", c.detail);
        assert_eq!(only(&report).signer.as_ref().map(|s| s.subject.contains("Bob PDF Signer")), Some(true));
        for name in [CheckName::ByteRange, CheckName::Signature, CheckName::Modifications] {
            assert_eq!(check(sig, name).verdict, Verdict::Passed, "{:#?}", sig.checks);
        }
        assert!(check(sig, CheckName::Signature).detail.starts_with("PAdES-B-B by "), "{:#?}", sig.checks);
    }

    #[test]
    fn the_signer_is_reported() {
        let report = judge(SIGNED, &trusting(ROOT)).unwrap();
        let signer = only(&report).signer.as_ref().expect("the signer");
        assert!(signer.subject.contains("CN=Bob PDF Signer"), "{}", signer.subject);
        assert!(signer.subject.contains("O=Evidentia Test"), "{}", signer.subject);
        assert!(signer.issuer.contains("CN=Evidentia PAdES Test Root"), "{}", signer.issuer);
        assert!(!signer.serial.is_empty() && signer.sha256.len() == 64, "{signer:?}");
    }

    #[test]
    fn an_unrelated_root_is_indeterminate_no_trusted_root_not_failed() {
        // pyHanko: intact and valid but untrusted ("No path to trust anchor found"); pdfsig:
        // "Signature is Valid", "Certificate issuer isn't Trusted". Cannot be decided, not false.
        for policy in [trusting(OTHER_ROOT), Policy::default()] {
            let report = judge(SIGNED, &policy).unwrap();
            assert_eq!(report.result, Indication::Indeterminate, "{:#?}", report.signatures);
            let sig = only(&report);
            assert_eq!(sig.result, Indication::Indeterminate);
            assert!(sig.checks.iter().all(|c| c.verdict != Verdict::Failed), "{:#?}", sig.checks);
            let signature = check(sig, CheckName::Signature);
            assert_eq!(signature.verdict, Verdict::Indeterminate);
            assert_eq!(signature.reason.as_deref(), Some("NO_TRUSTED_ROOT"));
            // Who signed is still read out, and the level.
            assert!(sig.signer.as_ref().is_some_and(|s| s.subject.contains("CN=Bob PDF Signer")), "{:?}", sig.signer);
            assert_eq!(sig.level, Some("B-B"));
        }
    }

    #[test]
    fn accepting_self_signed_signers_does_not_trust_an_embedded_root() {
        // pyHanko embeds the root next to the signer (as most signers do); the signer itself is
        // not self-signed, so accepting self-signed signers must not make its chain trusted.
        let policy = Policy { accept_self_signed: true, ..trusting(OTHER_ROOT) };
        let report = judge(SIGNED, &policy).unwrap();
        let signature = check(only(&report), CheckName::Signature);
        assert_eq!(signature.reason.as_deref(), Some("NO_TRUSTED_ROOT"), "{signature:?}");
        assert_eq!(report.result, Indication::Indeterminate);
    }

    #[test]
    fn a_page_changed_after_signing_fails_as_modified_after_signing() {
        // pyHanko: intact, valid, trusted, but "Some modifications may be illegitimate"
        // (SuspiciousModification, modification level OTHER): INVALID. pdfsig: "Not total document signed".
        let report = judge(TAMPERED, &trusting(ROOT)).unwrap();
        assert_eq!(report.result, Indication::TotalFailed, "{:#?}", report.signatures);
        assert_eq!(report.revisions, 3);
        let sig = only(&report);
        assert_eq!(sig.result, Indication::TotalFailed);
        assert_eq!(sig.covered, SIGNED.len() as u64, "it still covers exactly the revision pyHanko signed");
        // The signature itself is intact: what it covers was not touched.
        assert_eq!(check(sig, CheckName::Signature).verdict, Verdict::Passed, "{:#?}", sig.checks);
        let modifications = check(sig, CheckName::Modifications);
        assert_eq!(modifications.verdict, Verdict::Failed);
        assert_eq!(modifications.reason.as_deref(), Some("MODIFIED_AFTER_SIGNING"));
        assert!(
            sig.changes.iter().any(|c| !c.allowed && c.page == Some(1) && c.what.contains("page 1")),
            "the change to page 1 is named: {:#?}",
            sig.changes
        );
    }

    #[test]
    fn an_annotation_added_after_signing_is_judged_as_pyhanko_judges_it() {
        // pyHanko's standard diff policy explains only signature fields, their widgets and
        // validation data: a /FreeText annotation added later is an "unexplained xref"
        // (SuspiciousModification, modification level OTHER, docmdp_ok False): INVALID, though
        // intact, valid and trusted. So here: the signature passes, the modifications fail.
        let report = judge(ANNOTATED, &trusting(ROOT)).unwrap();
        assert_eq!(report.result, Indication::TotalFailed, "{:#?}", report.signatures);
        let sig = only(&report);
        assert_eq!(check(sig, CheckName::Signature).verdict, Verdict::Passed, "{:#?}", sig.checks);
        let modifications = check(sig, CheckName::Modifications);
        assert_eq!(modifications.reason.as_deref(), Some("MODIFIED_AFTER_SIGNING"), "{modifications:?}");
        assert!(
            sig.changes.iter().any(|c| !c.allowed && c.what.contains("(/Annot)")),
            "the annotation is named: {:#?}",
            sig.changes
        );
        assert!(
            sig.changes.iter().any(|c| !c.allowed && c.page == Some(1) && c.what.contains("Annots")),
            "page 1's /Annots: {:#?}",
            sig.changes
        );
    }

    #[test]
    fn a_truncated_copy_is_an_error_or_fails_and_never_panics() {
        let middle = &SIGNED[..SIGNED.len() / 2];
        let e = judge(middle, &trusting(ROOT)).unwrap_err();
        assert_eq!(e.code(), "PDF_UNREADABLE", "{e}");
        // Every cut: an error, or a report that does not pass (a cut just after the first
        // revision is a complete unsigned PDF: INDETERMINATE, nothing is signed).
        for len in (0..SIGNED.len()).step_by(61).chain(SIGNED.len() - 8..SIGNED.len()) {
            match judge(&SIGNED[..len], &trusting(ROOT)) {
                Err(e) => assert!(matches!(e.code(), "NOT_PDF" | "PDF_UNREADABLE"), "cut at {len}: {e}"),
                Ok(r) => assert_ne!(r.result, Indication::TotalPassed, "cut at {len}: {:#?}", r.signatures),
            }
        }
    }

    #[test]
    fn a_byte_flipped_inside_the_signed_range_never_passes() {
        let [_, a, b, c] = signed_range();
        let covered: Vec<usize> = (0..a).chain(b..b + c).collect();
        assert_eq!(b + c, SIGNED.len());
        let policy = trusting(ROOT);
        let mut hash_mismatches = 0;
        for i in 0..50 {
            let at = covered[i * (covered.len() - 1) / 49];
            for mask in [0x01, 0xFF] {
                let mut bad = SIGNED.to_vec();
                bad[at] ^= mask;
                match judge(&bad, &policy) {
                    Err(e) => assert!(matches!(e.code(), "NOT_PDF" | "PDF_UNREADABLE"), "byte {at} ^ {mask:#x}: {e}"),
                    Ok(r) => {
                        assert_ne!(r.result, Indication::TotalPassed, "byte {at} ^ {mask:#x}: {:#?}", r.signatures);
                        let reasons = r.signatures.iter().flat_map(|s| &s.checks).filter_map(|c| c.reason.as_deref());
                        hash_mismatches += reasons.filter(|&r| r == "HASH_MISMATCH").count();
                    }
                }
            }
        }
        // Most flips leave a readable PDF whose digest no longer matches: the check really ran.
        assert!(hash_mismatches >= 10, "only {hash_mismatches} hash mismatches");
    }

    #[test]
    fn a_byte_flipped_inside_the_signature_value_fails() {
        // /Contents is outside the digest, but the CMS inside it is signed: flipping its last
        // DER byte (inside the ECDSA signature value) must fail, not pass.
        let [_, a, b, _] = signed_range();
        let contents = hex::decode(&SIGNED[a + 1..b - 1]).unwrap();
        let der_len = crate::ber::parse(&contents).unwrap().raw.len();
        let mut bad = SIGNED.to_vec();
        let last = a + 1 + 2 * der_len - 1;
        bad[last] = if bad[last] == b'0' { b'1' } else { b'0' };
        let report = judge(&bad, &trusting(ROOT)).unwrap();
        assert_eq!(report.result, Indication::TotalFailed, "{:#?}", report.signatures);
        let signature = check(only(&report), CheckName::Signature);
        assert_eq!(signature.verdict, Verdict::Failed);
        assert_eq!(signature.reason.as_deref(), Some("SIG_CRYPTO_FAILURE"), "{signature:?}");
    }

    #[test]
    fn a_byte_range_whose_sum_overflows_is_a_format_failure_not_a_panic() {
        // /ByteRange is followed by padding in pyHanko's output: room for hostile numbers
        // without moving any other byte.
        let at = SIGNED.windows(11).position(|w| w == b"/ByteRange ").unwrap() + 11;
        for hostile in [
            "[0 1326 9223372036854775807 9223372036854775807]",
            "[0 1326 -9223372036854775807 -9223372036854775807]",
            "[0 -1 1 9223372036854775807]",
        ] {
            let mut bad = SIGNED.to_vec();
            let old_end = at + SIGNED[at..].iter().position(|&b| b == b']').unwrap() + 1;
            let padding = SIGNED[old_end..].iter().take_while(|&&b| b == b' ').count();
            assert!(hostile.len() <= old_end - at + padding);
            bad[at..at + hostile.len()].copy_from_slice(hostile.as_bytes());
            bad[at + hostile.len()..old_end + padding].fill(b' ');
            let report = judge(&bad, &trusting(ROOT)).unwrap();
            let sig = only(&report);
            assert_eq!(report.result, Indication::TotalFailed, "{hostile}: {:#?}", sig.checks);
            assert_eq!(check(sig, CheckName::ByteRange).reason.as_deref(), Some("FORMAT_FAILURE"), "{hostile}");
        }
    }

    #[test]
    fn a_non_pdf_is_not_pdf_and_a_missing_file_unreadable() {
        for bytes in [&b""[..], b"hello, this is not a PDF\n", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", &SIGNED[1..]] {
            let e = judge(bytes, &trusting(ROOT)).unwrap_err();
            assert_eq!(e.code(), "NOT_PDF", "{e}");
        }
        let dir = tempfile::tempdir().unwrap();
        let e = verify_pdf(&dir.path().join("missing.pdf"), &trusting(ROOT)).unwrap_err();
        assert_eq!(e.code(), "PDF_UNREADABLE", "{e}");
        // A PDF header on garbage: unreadable, not a pass.
        let e = judge(b"%PDF-1.7\ngarbage\nstartxref\n9\n%%EOF\n", &trusting(ROOT)).unwrap_err();
        assert_eq!(e.code(), "PDF_UNREADABLE", "{e}");
    }

    /// BER-encoded CMS from other producers (EU DSS's corpus, `tests/fixtures/third-party/`): DSS,
    /// pyHanko and pdfsig find each intact; with no root trusted, ours is INDETERMINATE with the
    /// signer's key checked, never a format failure.
    #[test]
    fn ber_signatures_from_other_producers_are_read_and_check_out() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/third-party/dss");
        for name in ["Signature-P-PK7-2.pdf", "DSS-2025.pdf", "doc-firmado-T.pdf"] {
            let bytes = std::fs::read(dir.join(name)).unwrap();
            let report = verify_pdf(&dir.join(name), &Policy::default()).unwrap();
            assert_eq!(report.signatures.len(), 1, "{name}");
            let s = &report.signatures[0];
            let sig = s.checks.iter().find(|c| c.check == CheckName::Signature).unwrap();
            assert_eq!(
                (sig.verdict, sig.reason.as_deref()),
                (Verdict::Indeterminate, Some("NO_TRUSTED_ROOT")),
                "{name}: {}",
                sig.detail
            );
            assert!(s.signer.is_some(), "{name}: the signature does not verify over the signer's key");
            assert!(!s.checks.iter().any(|c| c.verdict == Verdict::Failed), "{name}: {:?}", s.checks);
            // One flipped byte inside the signed range is caught.
            let mut flipped = bytes.clone();
            flipped[200] ^= 0x01;
            let report = verify_pdf_bytes(Path::new(name), &flipped, &Policy::default()).unwrap();
            assert_eq!(report.result, Indication::TotalFailed, "{name} with a flipped byte");
        }
    }

    #[test]
    fn a_certification_that_permits_no_changes_fails_when_a_signature_follows() {
        let report = judge(include_bytes!("testdata/certified-p1-then-signed.pdf"), &trusting(ROOT)).unwrap();
        assert_eq!(report.signatures.len(), 2);
        let (certification, approval) = (&report.signatures[0], &report.signatures[1]);
        assert_eq!(certification.field, "Certification");
        assert_eq!(certification.certification.as_deref(), Some("no changes (DocMDP P=1)"));
        assert_eq!(certification.result, Indication::TotalFailed);
        let m = check(certification, CheckName::Modifications);
        assert_eq!(m.reason.as_deref(), Some("MODIFIED_AFTER_SIGNING"));
        assert!(m.detail.contains("DocMDP P=1") && m.detail.contains("signature"), "{}", m.detail);
        assert_eq!(
            (approval.field.as_str(), approval.result),
            ("Approval", Indication::TotalPassed),
            "{:?}",
            approval.checks
        );
        assert_eq!(report.result, Indication::TotalFailed);
    }

    #[test]
    fn a_certification_that_permits_signing_passes_when_a_signature_follows() {
        let report = judge(include_bytes!("testdata/certified-p2-then-signed.pdf"), &trusting(ROOT)).unwrap();
        assert_eq!(report.signatures.len(), 2);
        assert_eq!(report.signatures[0].certification.as_deref(), Some("form filling and signing only (DocMDP P=2)"));
        for s in &report.signatures {
            assert_eq!(s.result, Indication::TotalPassed, "{}: {:?}", s.field, s.checks);
        }
        let annotated = judge(include_bytes!("testdata/certified-p3-then-annotated.pdf"), &trusting(ROOT)).unwrap();
        let m = check(only(&annotated), CheckName::Modifications);
        assert_eq!(m.reason.as_deref(), Some("MODIFIED_AFTER_SIGNING"), "as pyHanko judges it: {}", m.detail);
    }

    #[test]
    fn a_signature_field_whose_appearance_is_the_page_content_cannot_rewrite_it() {
        let report = judge(include_bytes!("testdata/signed-then-shared-appearance.pdf"), &trusting(ROOT)).unwrap();
        let first = &report.signatures[0];
        assert_eq!(first.field, "Signature1");
        let m = check(first, CheckName::Modifications);
        assert_eq!(m.reason.as_deref(), Some("MODIFIED_AFTER_SIGNING"), "{}", m.detail);
        assert!(m.detail.contains("page 1 draws"), "{}", m.detail);
        let drawn = first.changes.iter().find(|c| !c.allowed).unwrap();
        assert_eq!(drawn.class, ChangeClass::Document);
        assert_eq!(report.result, Indication::TotalFailed);
    }

    #[test]
    fn an_object_nothing_refers_to_changes_nothing() {
        let report = judge(include_bytes!("testdata/signed-then-orphan.pdf"), &trusting(ROOT)).unwrap();
        let sig = only(&report);
        assert_eq!(sig.result, Indication::TotalPassed, "as pyHanko: {:#?}", sig.checks);
        assert!(sig.changes.iter().any(|c| c.allowed && c.what.contains("no effect")), "{:#?}", sig.changes);
    }

    #[test]
    fn a_signature_dictionary_rewritten_later_is_a_spoofing_attack() {
        let report = judge(include_bytes!("testdata/signed-then-spoofed-reason.pdf"), &trusting(ROOT)).unwrap();
        let sig = only(&report);
        assert_eq!(check(sig, CheckName::Signature).verdict, Verdict::Passed, "the /Contents are the signed ones");
        let m = check(sig, CheckName::Modifications);
        assert_eq!(m.reason.as_deref(), Some("MODIFIED_AFTER_SIGNING"), "as pyHanko: {}", m.detail);
        assert!(m.detail.contains("(/Sig)") && m.detail.contains("Reason"), "{}", m.detail);
        assert_eq!(report.result, Indication::TotalFailed);
    }

    /// EU DSS corpus files (`tests/fixtures/third-party/README.md`) judged as pyHanko judges their
    /// signatures' mathematics and their later changes (no root trusted: untrusted, not broken).
    #[test]
    fn dss_corpus_files_get_the_reference_verdicts_on_integrity_and_changes() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/third-party/dss");
        // (file, per signature in file order: does the later-changes check pass?)
        let cases: [(&str, &[bool]); 5] = [
            ("DSS1376-rev_n-1.pdf", &[true]),
            ("pades-spoofing-replaced-reason.pdf", &[false]),
            ("hello_signed_INCSAVE_signed.pdf", &[true, true]),
            ("pades-ocsp-sign-cert.pdf", &[true, true]),
            ("Signature-P-HU_MIC-3.pdf", &[true, true]),
        ];
        for (name, modifications) in cases {
            let report = verify_pdf(&dir.join(name), &Policy::default()).unwrap();
            assert_eq!(report.signatures.len(), modifications.len(), "{name}");
            for (s, &ok) in report.signatures.iter().zip(modifications) {
                let integrity =
                    s.checks.iter().find(|c| matches!(c.check, CheckName::Signature | CheckName::DocumentTimestamp));
                let integrity = integrity.unwrap_or_else(|| panic!("{name} {}: {:?}", s.field, s.checks));
                assert_ne!(integrity.verdict, Verdict::Failed, "{name} {}: {}", s.field, integrity.detail);
                let m = check(s, CheckName::Modifications);
                assert_eq!(m.verdict == Verdict::Passed, ok, "{name} {}: {}", s.field, m.detail);
            }
        }
    }

    /// EU DSS corpus files whose algorithms decide the verdict, judged as DSS's tests expect
    /// (`tests/fixtures/third-party/README.md`): (file, verdict, reason, signer read out).
    #[test]
    fn dss_corpus_algorithm_files_get_dss_verdicts() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/third-party/dss");
        let cases = [
            // Plain-ECDSA on brainpoolP256r1: intact, untrusted here.
            ("TeleSec_PKS_eIDAS_QES_CA_1-baseline-b.pdf", Verdict::Indeterminate, "NO_TRUSTED_ROOT", true),
            // A signature time-stamp by an RSA-1024 TSA: it holds, the key is not trusted.
            ("DSS-2155.pdf", Verdict::Indeterminate, "CRYPTO_CONSTRAINTS", false),
            // DSS: not technically valid at B-level.
            ("PAdES-BpB-att-SHA256-SHA3_256withRSA.pdf", Verdict::Failed, "SIG_CRYPTO_FAILURE", false),
            // The same signature time-stamp written twice in the unsigned attributes: both intact.
            ("pades-t-duplicated-sigtst.pdf", Verdict::Indeterminate, "NO_TRUSTED_ROOT", true),
        ];
        for (name, verdict, reason, read_out) in cases {
            let report = verify_pdf(&dir.join(name), &Policy::default()).unwrap();
            let s = report.signatures.iter().find(|s| s.kind == "signature").unwrap();
            let c = check(s, CheckName::Signature);
            assert_eq!((c.verdict, c.reason.as_deref()), (verdict, Some(reason)), "{name}: {}", c.detail);
            assert_eq!(s.signer.is_some(), read_out, "{name}");
        }
    }

    /// What judging a corpus beside pyHanko's recorded verdicts found.
    struct CorpusOutcome {
        files: usize,
        compared: usize,
        false_rejects: usize,
        unexplained: Vec<String>,
        slowest: (std::time::Duration, String),
    }

    impl CorpusOutcome {
        /// All `files` were read, every disagreement is explained, false rejects stay under 5 %.
        fn assert_agrees(&self, corpus: &str, files: usize) {
            eprintln!(
                "{corpus}: {} files, {} signatures compared, {} false rejects, slowest {} ({:?})",
                self.files, self.compared, self.false_rejects, self.slowest.1, self.slowest.0
            );
            assert!(self.files >= files, "the corpus is all there: {}", self.files);
            assert!(
                self.unexplained.is_empty(),
                "disagreements docs/validation.md does not explain:\n{}",
                self.unexplained.join("\n")
            );
            assert!(
                self.false_rejects * 20 <= self.compared,
                "{} false rejects of {}: over 5 %",
                self.false_rejects,
                self.compared
            );
        }
    }

    /// Judges every file of `dir` signature by signature beside pyHanko's recorded verdicts
    /// (`pyhanko-verdicts.json`, written by `scripts/corpus_compare.py --record`): the signature's
    /// mathematics ("sound"/"unsound") and the changes after it ("ok"/"bad"). A change pyHanko's
    /// analysis refused with an error counts as a finding only when `diff_errors_are_findings`
    /// (pyHanko's own corpus, whose tests expect those refusals). `explained` lists the
    /// disagreements `docs/validation.md` explains as (file, field, what).
    fn judge_corpus(dir: &Path, explained: &[(&str, &str, &str)], diff_errors_are_findings: bool) -> CorpusOutcome {
        let reference: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.join("pyhanko-verdicts.json")).unwrap()).unwrap();
        let files = reference.as_object().unwrap();
        let mut out = CorpusOutcome {
            files: files.len(),
            compared: 0,
            false_rejects: 0,
            unexplained: Vec::new(),
            slowest: (std::time::Duration::ZERO, String::new()),
        };
        for (name, expected) in files {
            let bytes = std::fs::read(dir.join(name)).unwrap();
            let started = std::time::Instant::now();
            let outcome = std::panic::catch_unwind(|| verify_pdf_bytes(Path::new(name), &bytes, &Policy::default()));
            let took = started.elapsed();
            if took > out.slowest.0 {
                out.slowest = (took, name.clone());
            }
            let signatures = expected["signatures"].as_object().unwrap();
            let report = match outcome {
                Err(_) => {
                    out.unexplained.push(format!("{name}: the verifier panicked"));
                    continue;
                }
                Ok(Err(e)) => {
                    let read = signatures.values().filter(|s| s["integrity"].is_string()).count();
                    if read > 0 && !explained.contains(&(name.as_str(), "", "refused")) {
                        out.unexplained.push(format!("{name}: refused ({e}), pyHanko read {read} signature(s)"));
                    }
                    continue;
                }
                Ok(Ok(report)) => report,
            };
            let diff_error = expected["diff_error"].as_bool().unwrap_or(false);
            for s in &report.signatures {
                let Some(theirs) = signatures.get(&s.field) else { continue };
                out.compared += 1;
                let known = |what: &str| explained.contains(&(name.as_str(), s.field.as_str(), what));
                let integrity = [CheckName::Signature, CheckName::DocumentTimestamp, CheckName::ByteRange]
                    .into_iter()
                    .find_map(|name| s.checks.iter().find(|c| c.check == name));
                let broken =
                    s.result == Indication::TotalFailed && integrity.is_some_and(|c| c.verdict == Verdict::Failed);
                let changes_bad = theirs["changes"] == "bad" && (diff_errors_are_findings || !diff_error);
                match theirs["integrity"].as_str() {
                    // pyHanko's bottom line is false for changes it finds bad (coverage gaps among
                    // them): FAILED agrees with it.
                    Some("sound") if broken && !changes_bad => {
                        out.false_rejects += 1;
                        if !known("false reject") {
                            out.unexplained.push(format!("{name} {}: FAILED, pyHanko sound: {integrity:?}", s.field));
                        }
                    }
                    Some("unsound") if s.result != Indication::TotalFailed && !known("unsound") => {
                        out.unexplained.push(format!("{name} {}: {:?}, pyHanko unsound", s.field, s.result));
                    }
                    _ => {}
                }
                let modifications = s.checks.iter().find(|c| c.check == CheckName::Modifications);
                match (theirs["changes"].as_str(), modifications) {
                    (Some("ok"), Some(m)) if m.verdict == Verdict::Failed => {
                        out.false_rejects += 1;
                        out.unexplained
                            .push(format!("{name} {}: changes FAILED, pyHanko compatible: {}", s.field, m.detail));
                    }
                    (Some("bad"), _) if changes_bad && s.result != Indication::TotalFailed && !known("changes") => {
                        out.unexplained.push(format!(
                            "{name} {}: {:?} (changes {:?}), pyHanko incompatible",
                            s.field,
                            s.result,
                            modifications.map(|m| m.verdict)
                        ));
                    }
                    _ => {}
                }
            }
        }
        out
    }

    /// Every PDF of EU DSS's PAdES validation corpus (`tests/fixtures/third-party/dss/`), judged
    /// beside pyHanko's verdicts. Changes pyHanko's own analysis stopped on with an error are not
    /// findings here. Every disagreement must be one `docs/validation.md` explains; no file may
    /// crash the verifier; false rejects stay under 5 %.
    #[test]
    fn the_whole_dss_pades_corpus_agrees_with_pyhanko_file_by_file() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/third-party/dss");
        let explained = [
            ("pades-two-sig-copied-tst.pdf", "Signature2", "false reject"), // DSS fails the time-stamp too
            ("pdf-eof.pdf", "Signature1", "false reject"),                  // /ByteRange wider than /Contents
            ("siwa.pdf", "Signature1", "false reject"),                     // the same
            ("TeleSec_PKS_eIDAS_QES_CA_1-baseline-b.pdf", "Signature3", "unsound"), // plain-ECDSA: DSS valid
            ("pades-unsupported-signature-algorithm.pdf", "Signature1", "unsound"), // INDETERMINATE
            ("hello_signed_INCSAVE_signed_EDITED.pdf", "Signature2", "changes"), // its signature FAILED
            // pyHanko: "Nonstandard signature coverage level" (a linearized file), no change found;
            // DSS's test: no modification (it fails the OCSP archive cut-off instead).
            ("pades-ocsp-archiveCutOff-invalid.pdf", "Signature2", "changes"),
            ("encrypted.pdf", "", "refused"), // encrypted PDFs are refused
        ];
        let out = judge_corpus(&dir, &explained, false);
        out.assert_agrees("DSS PAdES corpus", 131);
    }

    /// pyHanko's own signed test PDFs (`tests/fixtures/third-party/pyhanko/`), beside its recorded
    /// verdicts; here a change its analysis refuses (the "sneaky" form updates, an extension
    /// dictionary rewritten on one path only) is a finding its tests expect, so it must not pass.
    #[test]
    fn pyhankos_own_test_pdfs_are_judged_as_pyhanko_judges_them() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/third-party/pyhanko");
        let explained = [
            // Encrypted with a public key (pyHanko's CLI refuses it too): encrypted PDFs are refused.
            ("signed-encrypted-pubkey-with-catalog-ref.pdf", "", "refused"),
        ];
        let out = judge_corpus(&dir, &explained, true);
        out.assert_agrees("pyHanko corpus", 34);
    }
}
