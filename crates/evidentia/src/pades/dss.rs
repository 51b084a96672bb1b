//! Long-term validation data: the document security store (DSS) with the certificates of a
//! signature's chains and the OCSP responses and CRLs their certificates point to (B-LT), and a
//! document time-stamp over the whole file (B-LTA).

use std::path::Path;

use der::Encode;
use evidentia_net::revocation::RevocationData;
use lopdf::{Object, Stream, dictionary};
use serde::Serialize;
use x509_cert::Certificate;

use super::PadesError;
use super::update::{self, FieldValue, NewField};
use crate::digest::DigestAlgorithm;
use crate::tsp::{TsaClient, VerifiedTimestamp};

/// Bytes reserved for a document time-stamp token.
const TOKEN_RESERVE: usize = 16384;

/// What validation data went into the document.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ValidationData {
    /// Certificates in the DSS.
    pub certificates: usize,
    /// CRLs fetched and put in the DSS.
    pub crls: usize,
    /// OCSP responses fetched and put in the DSS.
    pub ocsps: usize,
    /// Where revocation data could not be had, and why (the signature then verifies after the
    /// certificate expires only for verifiers who accept it without).
    pub missing: Vec<String>,
}

/// Adds a DSS with `certificates` (deduplicated) and the CRLs their certificates name to the
/// signed PDF at `path`, as a new incremental update.
pub async fn add_validation_data(path: &Path, certificates: &[Certificate]) -> Result<ValidationData, PadesError> {
    let mut ders: Vec<Vec<u8>> = Vec::new();
    let mut unique: Vec<&Certificate> = Vec::new();
    for cert in certificates {
        let der = cert.to_der().map_err(|e| PadesError::Structure(e.to_string()))?;
        if !ders.contains(&der) {
            ders.push(der);
            unique.push(cert);
        }
    }
    let RevocationData { crls, ocsps, missing } =
        evidentia_net::revocation::fetch(&unique).await.map_err(|e| PadesError::Structure(e.to_string()))?;

    let loaded = update::load(path)?;
    let root = update::catalog_id(&loaded.doc)?;
    let existing = loaded
        .doc
        .catalog()
        .ok()
        .and_then(|c| update::resolve(&loaded.doc, c, b"DSS"))
        .and_then(|o| o.as_dict().ok())
        .cloned();
    let mut inc = lopdf::IncrementalDocument::create_from(loaded.bytes, loaded.doc);
    let pdf_error = |e: lopdf::Error| PadesError::Structure(e.to_string());
    let mut dss = existing.unwrap_or_else(|| dictionary! { "Type" => "DSS" });
    for (key, items) in [("Certs", &ders), ("CRLs", &crls), ("OCSPs", &ocsps)] {
        let mut array = match dss.get(key.as_bytes()) {
            Ok(Object::Array(a)) => a.clone(),
            Ok(Object::Reference(id)) => inc
                .get_prev_documents()
                .get_object(*id)
                .ok()
                .and_then(|o| o.as_array().ok())
                .cloned()
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        for der in items.iter() {
            let id = inc.new_document.add_object(Stream::new(lopdf::Dictionary::new(), der.clone()));
            array.push(Object::Reference(id));
        }
        if !array.is_empty() {
            dss.set(key, array);
        }
    }
    let dss_id = inc.new_document.add_object(dss);
    inc.opt_clone_object_to_new_document(root).map_err(pdf_error)?;
    inc.new_document.get_dictionary_mut(root).map_err(pdf_error)?.set("DSS", dss_id);
    let next = update::partial_path(path);
    update::save(&mut inc, &next)?;
    std::fs::rename(&next, path).map_err(|e| PadesError::Unwritable { path: path.to_owned(), why: e.to_string() })?;
    Ok(ValidationData { certificates: ders.len(), crls: crls.len(), ocsps: ocsps.len(), missing })
}

/// Adds a document time-stamp (/SubFilter /ETSI.RFC3161) over the whole PDF at `path`, DSS
/// included, as a new incremental update.
pub async fn add_document_timestamp(path: &Path, tsa: &TsaClient) -> Result<VerifiedTimestamp, PadesError> {
    let loaded = update::load(path)?;
    let page = *loaded
        .doc
        .get_pages()
        .get(&1)
        .ok_or_else(|| PadesError::Structure("the document has no page for the time-stamp's field".into()))?;
    let name = update::unique_field_name(&loaded.doc, "DocTimeStamp");
    let mut inc = lopdf::IncrementalDocument::create_from(loaded.bytes, loaded.doc);
    let field = NewField {
        value: FieldValue::DocTimeStamp,
        page,
        rect: [0.0; 4],
        appearance: None,
        contents_len: TOKEN_RESERVE,
    };
    update::add_field(&mut inc, &field, &name)?;
    let next = update::partial_path(path);
    let result = async {
        let placeholder = update::write(&mut inc, &next)?;
        let digest = update::digest_byte_range(&next, &placeholder.byte_range(), DigestAlgorithm::Sha256)
            .map_err(|e| PadesError::Unwritable { path: next.clone(), why: e.to_string() })?;
        let obtained = tsa
            .timestamp(DigestAlgorithm::Sha256, digest.as_bytes())
            .await
            .map_err(|source| PadesError::TimestampFailed { level: super::PadesLevel::BLTA.name(), source })?;
        update::fill(&next, &placeholder, obtained.token.to_der())?;
        std::fs::rename(&next, path)
            .map_err(|e| PadesError::Unwritable { path: path.to_owned(), why: e.to_string() })?;
        Ok::<_, PadesError>(obtained.verified)
    }
    .await;
    if result.is_err() {
        let _ = std::fs::remove_file(&next);
    }
    result
}
