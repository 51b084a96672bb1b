//! Signing PDFs as PAdES at levels B-B, B-T, B-LT and B-LTA with the user's identity and a TSA,
//! visible or invisible, countersigning; the PDF machinery itself is `evidentia-pki`'s.

pub mod dss;

use std::path::{Path, PathBuf};

use chrono::Utc;
use serde::Serialize;

pub use evidentia_pki::pades::*;

use crate::digest::DigestAlgorithm;
use crate::identity::{CertificateSummary, Identity};
use crate::tsp::{TsaClient, VerifiedTimestamp};

/// A PDF signed, and how.
#[derive(Debug, Clone, Serialize)]
pub struct SignedPdf {
    /// The signed file.
    pub output: PathBuf,
    /// The signature field's name.
    pub field: String,
    /// The level reached.
    pub level: PadesLevel,
    /// The signer.
    pub signer: CertificateSummary,
    /// The signature time-stamp (B-T and above).
    pub timestamp: Option<VerifiedTimestamp>,
    /// The document time-stamp (B-LTA).
    pub document_timestamp: Option<VerifiedTimestamp>,
    /// Validation data put into the document (B-LT and above).
    pub validation: Option<dss::ValidationData>,
    /// The signed file's SHA-256.
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
    /// Signatures the PDF already held (a received PDF countersigned: they stay valid).
    pub earlier_signatures: usize,
    /// The PDF as received, when it held signatures: its name and SHA-256.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub received: Option<(String, String)>,
}

/// Bytes to reserve for a CMS signature by `identity` (with a time-stamp when `stamped`).
fn reserve_for(identity: &Identity, stamped: bool) -> usize {
    use der::Encode;
    let chain: usize = identity.chain.iter().map(|c| c.to_der().map(|d| d.len()).unwrap_or(2048)).sum();
    chain + 4096 + if stamped { 16384 } else { 0 }
}

/// Signs `input` into `output` (which may be the same file: it is replaced only when complete) at
/// the level `options` asks for. A TSA that fails leaves nothing written.
pub async fn sign_pdf(
    identity: &Identity,
    input: &Path,
    output: &Path,
    options: &SignOptions,
    tsa: Option<&TsaClient>,
) -> Result<SignedPdf, crate::Error> {
    crate::cades::check_signer(identity)?;
    let level = options.level;
    if level >= PadesLevel::BT && tsa.is_none() {
        return Err(PadesError::NeedsTsa(level.name()).into());
    }
    let loaded = update::load(input)?;
    let earlier_signatures = signature_count(&loaded.doc);
    let partial = update::partial_path(output);
    let result = sign_into(identity, loaded, input, &partial, options, tsa).await;
    let (field, timestamp, document_timestamp, validation) = match result {
        Ok(done) => done,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };
    std::fs::rename(&partial, output)
        .map_err(|e| PadesError::Unwritable { path: output.to_owned(), why: e.to_string() })?;
    let hashed = crate::digest::hash_file(output, &[DigestAlgorithm::Sha256], None, &|_| {})
        .map_err(|e| crate::subject::InputError::from_io(output, e))?;
    let received = if earlier_signatures > 0 {
        let before = crate::digest::hash_file(input, &[DigestAlgorithm::Sha256], None, &|_| {})
            .map_err(|e| crate::subject::InputError::from_io(input, e))?;
        let name = input.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        before.digests.get(DigestAlgorithm::Sha256).map(|d| (name, d.to_hex()))
    } else {
        None
    };
    Ok(SignedPdf {
        output: output.to_owned(),
        field,
        level,
        signer: CertificateSummary::of(identity.certificate()),
        timestamp,
        document_timestamp,
        validation,
        sha256: hashed.digests.get(DigestAlgorithm::Sha256).map(|d| d.to_hex()).unwrap_or_default(),
        size: hashed.size,
        earlier_signatures,
        received,
    })
}

/// How many signature dictionaries (with a /ByteRange) a PDF holds, indirect or inside a field.
fn signature_count(doc: &lopdf::Document) -> usize {
    fn count(o: &lopdf::Object, depth: usize) -> usize {
        match o {
            lopdf::Object::Dictionary(d) if d.has(b"ByteRange") => 1,
            lopdf::Object::Dictionary(d) if depth < 3 => d.iter().map(|(_, v)| count(v, depth + 1)).sum(),
            _ => 0,
        }
    }
    doc.objects.values().map(|o| count(o, 0)).sum()
}

type Signed = (String, Option<VerifiedTimestamp>, Option<VerifiedTimestamp>, Option<dss::ValidationData>);

async fn sign_into(
    identity: &Identity,
    loaded: update::LoadedPdf,
    input: &Path,
    partial: &Path,
    options: &SignOptions,
    tsa: Option<&TsaClient>,
) -> Result<Signed, crate::Error> {
    let level = options.level;
    let pages = loaded.doc.get_pages();
    let page_number = options.placement.map(|p| p.page_in(pages.len())).unwrap_or(1);
    let page = *pages.get(&page_number).ok_or(PadesError::PageOutOfRange { page: page_number, pages: pages.len() })?;
    if let (Some(p), Some([x0, y0, x1, y1])) = (options.placement, update::media_box(&loaded.doc, page)) {
        let inside = p.x >= x0 - 0.5 && p.y >= y0 - 0.5 && p.x + p.w <= x1 + 0.5 && p.y + p.h <= y1 + 0.5;
        if !inside {
            return Err(PadesError::Placement(format!(
                "{},{},{},{},{}: the rectangle does not fit on page {} ({} × {} points from {},{})",
                page_number,
                p.x,
                p.y,
                p.w,
                p.h,
                page_number,
                x1 - x0,
                y1 - y0,
                x0,
                y0
            ))
            .into());
        }
    }
    // As Adobe and pyHanko do: a certification comes first, and no signature is added where a
    // certification forbids any change.
    let (signatures, certified) = evidentia_pki::pades::verify::existing_signatures(&loaded.doc);
    if options.certify.is_some() && signatures > 0 {
        return Err(PadesError::Certification(format!(
            "{}: a certification signature must be the document's first, and it has {signatures} signature(s) already; sign it without --certify",
            input.display()
        ))
        .into());
    }
    if certified == Some(1) {
        return Err(PadesError::Certification(format!(
            "{}: its certification permits no changes (DocMDP P=1); a new signature would break it, so nothing was written",
            input.display()
        ))
        .into());
    }
    let field_name = update::unique_field_name(&loaded.doc, "Signature");
    let now = Utc::now();
    let name = common_name(identity.certificate());
    let mut reserve = reserve_for(identity, level >= PadesLevel::BT);
    let mut signature_timestamp = None;
    // The document is moved into the update, not copied (large PDFs); a second attempt reads it again.
    let mut first = Some(loaded);
    for attempt in 0..2 {
        let pdf = match first.take() {
            Some(pdf) => pdf,
            None => update::load(input)?,
        };
        let mut inc = lopdf::IncrementalDocument::create_from(pdf.bytes, pdf.doc);
        let (rect, appearance) = match options.placement {
            Some(p) => {
                let text = AppearanceText {
                    name: name.clone(),
                    time: now.format("%Y-%m-%d %H:%M UTC").to_string(),
                    reason: options.reason.clone(),
                    location: options.location.clone(),
                };
                // Drawn as the page is seen: on a page turned a quarter, width and height swap.
                let rotation = update::page_rotation(inc.get_prev_documents(), page);
                let (seen_w, seen_h) = if rotation.is_multiple_of(180) { (p.w, p.h) } else { (p.h, p.w) };
                let drawn = appearance::render(seen_w, seen_h, &text, options.image.as_deref(), options.seal.as_ref())?;
                let form = appearance::import_as_form(&mut inc, &drawn, seen_w, seen_h, rotation)?;
                ([p.x, p.y, p.x + p.w, p.y + p.h], Some(form))
            }
            None => ([0.0; 4], None),
        };
        let field = update::NewField {
            value: update::FieldValue::Signature {
                name: name.clone(),
                reason: options.reason.clone(),
                location: options.location.clone(),
                signing_time: pdf_date(now),
                certify: options.certify.map(|c| c.permission()),
                lock: options.lock_fields.clone(),
            },
            page,
            rect,
            appearance,
            contents_len: reserve,
        };
        update::add_field(&mut inc, &field, &field_name)?;
        let placeholder = update::write(&mut inc, partial)?;
        let algorithm = crate::cades::content_digest_algorithm(identity);
        let digest = update::digest_byte_range(partial, &placeholder.byte_range(), algorithm)
            .map_err(|e| PadesError::Unwritable { path: partial.to_owned(), why: e.to_string() })?;
        let mut cms = crate::cades::sign_detached_pades(identity, digest.as_bytes())?;
        if level >= PadesLevel::BT
            && let Some(client) = tsa
        {
            let imprint = DigestAlgorithm::Sha256.digest(&crate::cades::signature_value(&cms)?);
            let obtained = client
                .timestamp(DigestAlgorithm::Sha256, imprint.as_bytes())
                .await
                .map_err(|source| PadesError::TimestampFailed { level: level.name(), source })?;
            cms = crate::cades::add_signature_timestamp(&cms, obtained.token.to_der())?;
            signature_timestamp = Some((obtained.verified, obtained.token.to_der().to_vec()));
        }
        match update::fill(partial, &placeholder, &cms) {
            Ok(()) => break,
            Err(PadesError::PlaceholderTooSmall { needed, .. }) if attempt == 0 => reserve = needed + 4096,
            Err(e) => return Err(e.into()),
        }
    }
    let mut validation = None;
    let mut document_timestamp = None;
    if level >= PadesLevel::BLT {
        let mut certificates = identity.chain.clone();
        if let Some((_, token)) = &signature_timestamp {
            certificates.extend(crate::cades_verify::embedded_certificates(token));
        }
        validation = Some(dss::add_validation_data(partial, &certificates).await?);
    }
    if level >= PadesLevel::BLTA
        && let Some(client) = tsa
    {
        document_timestamp = Some(dss::add_document_timestamp(partial, client).await?);
    }
    Ok((field_name, signature_timestamp.map(|(v, _)| v), document_timestamp, validation))
}

/// Where the signed copy of `input` goes: `NAME-signed.pdf` beside it (`NAME-signed-2.pdf`, …
/// when that exists).
fn signed_copy_path(input: &Path) -> PathBuf {
    let stem = input.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "document".into());
    (1..)
        .map(|n| {
            let suffix = if n == 1 { String::new() } else { format!("-{n}") };
            input.with_file_name(format!("{stem}-signed{suffix}.pdf"))
        })
        .find(|p| !p.exists())
        .unwrap_or_else(|| input.with_file_name(format!("{stem}-signed.pdf")))
}

/// Whether the file starts like a PDF.
fn is_pdf(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 5];
    std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut head)).is_ok() && &head == b"%PDF-"
}

/// Signs each PDF file among `subjects` inside the file (PAdES) before sealing: the signed copy
/// is written beside the original as `NAME-signed.pdf` and takes the original's place, so the
/// vault keeps the signed contract. Other subjects pass through unchanged.
pub async fn sign_pdf_subjects(
    identity: &Identity,
    subjects: Vec<crate::subject::Subject>,
    options: &SignOptions,
    tsa: Option<&TsaClient>,
) -> Result<(Vec<crate::subject::Subject>, Vec<SignedPdf>), crate::Error> {
    use crate::subject::Subject;
    let mut out = Vec::with_capacity(subjects.len());
    let mut signed = Vec::new();
    for subject in subjects {
        match subject {
            Subject::File { name: received_name, file } if is_pdf(&file.path) => {
                let target = signed_copy_path(&file.path);
                let done = sign_pdf(identity, &file.path, &target, options, tsa).await?;
                let planned = crate::subject::plan_file(&target)?;
                let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                // A received PDF others signed is evidence too: sealed as received, then the copy.
                if done.received.is_some() {
                    out.push(Subject::File { name: received_name, file });
                }
                out.push(Subject::File { name, file: planned });
                signed.push(done);
            }
            other => out.push(other),
        }
    }
    Ok((out, signed))
}

/// Signs each `(input, output)` pair with one unlocked identity; a PDF that cannot be signed does
/// not stop the others, and the results come in the order given. With a TSA, several PDFs are
/// signed at once (the TSA settings' `concurrency`), so that their time-stamp requests overlap;
/// every token is verified on its own. Missing output folders are made (a folder that cannot be
/// made is named in each of its files' errors); an output named twice is written once, the other
/// PDFs that would overwrite it failing. `done` is told how many are finished after each.
pub async fn sign_batch(
    identity: &Identity,
    targets: &[(PathBuf, PathBuf)],
    options: &SignOptions,
    tsa: Option<&TsaClient>,
    done: &(dyn Fn(usize) + Sync),
) -> Vec<Result<SignedPdf, crate::Error>> {
    use futures_util::stream::{self, StreamExt};
    let concurrency = tsa.map_or(1, |c| c.settings().concurrency.max(1));
    let mut outputs = std::collections::HashSet::new();
    let repeated: Vec<bool> = targets.iter().map(|(_, output)| !outputs.insert(output.clone())).collect();
    let finished = std::sync::atomic::AtomicUsize::new(0);
    stream::iter(targets.iter().zip(repeated))
        .map(|((input, output), repeated)| {
            let finished = &finished;
            async move {
                let result = if repeated {
                    let why = "another PDF of this batch is written there; give the PDFs different names".to_owned();
                    Err(PadesError::Unwritable { path: output.clone(), why }.into())
                } else if let Some(folder) = output.parent().filter(|f| !f.as_os_str().is_empty())
                    && let Err(e) = std::fs::create_dir_all(folder)
                {
                    let why = format!("cannot make the folder {}: {e}", folder.display());
                    Err(PadesError::Unwritable { path: output.clone(), why }.into())
                } else {
                    sign_pdf(identity, input, output, options, tsa).await
                };
                done(finished.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1);
                result
            }
        })
        .buffered(concurrency)
        .collect()
        .await
}

/// What `pdf extend` added to a signed PDF.
#[derive(Debug, Clone, Serialize)]
pub struct ExtendedPdf {
    /// The extended PDF.
    pub output: PathBuf,
    /// Signatures and document time-stamps it held before.
    pub signatures: usize,
    /// The validation data added (DSS).
    pub validation: dss::ValidationData,
    /// The new document time-stamp.
    pub document_timestamp: VerifiedTimestamp,
    /// SHA-256 of the extended PDF, hex.
    pub sha256: String,
}

/// Extends a signed PDF to PAdES B-LTA, or renews a B-LTA one before its last document
/// time-stamp weakens: the current validation data (certificates, OCSP responses, CRLs) of every
/// signature and document time-stamp it holds into its DSS, then a new document time-stamp over
/// the whole — two incremental updates, so every earlier signature stays intact. `output` (which
/// may be `input`) is replaced only when both are written.
pub async fn extend_pdf(input: &Path, output: &Path, tsa: &TsaClient) -> Result<ExtendedPdf, crate::Error> {
    let loaded = update::load(input)?;
    let (signatures, _) = evidentia_pki::pades::verify::existing_signatures(&loaded.doc);
    if signatures == 0 {
        return Err(PadesError::Structure(format!(
            "{} holds no signature or document time-stamp: there is nothing to extend; sign it (`pdf sign`)",
            input.display()
        ))
        .into());
    }
    let certificates = evidentia_pki::pades::signature_certificates(input, &loaded.bytes);
    drop(loaded);
    let partial = update::partial_path(output);
    std::fs::copy(input, &partial).map_err(|e| PadesError::Unwritable { path: partial.clone(), why: e.to_string() })?;
    let result = async {
        let validation = dss::add_validation_data(&partial, &certificates).await?;
        let document_timestamp = dss::add_document_timestamp(&partial, tsa).await?;
        Ok::<_, PadesError>((validation, document_timestamp))
    }
    .await;
    let (validation, document_timestamp) = match result {
        Ok(done) => done,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e.into());
        }
    };
    std::fs::rename(&partial, output)
        .map_err(|e| PadesError::Unwritable { path: output.to_owned(), why: e.to_string() })?;
    let hashed = crate::digest::hash_file(output, &[DigestAlgorithm::Sha256], None, &|_| {})
        .map_err(|e| crate::subject::InputError::from_io(output, e))?;
    Ok(ExtendedPdf {
        output: output.to_owned(),
        signatures,
        validation,
        document_timestamp,
        sha256: hashed.digests.get(DigestAlgorithm::Sha256).map(|d| d.to_hex()).unwrap_or_default(),
    })
}
