//! Long-term validation data: the document security store (DSS) with the certificates and CRLs
//! of a signature's chains (B-LT), and a document time-stamp over the whole file (B-LTA).

use std::path::Path;

use der::{Decode, Encode};
use lopdf::{Object, Stream, dictionary};
use serde::Serialize;
use x509_cert::Certificate;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::ext::pkix::{AuthorityInfoAccessSyntax, CrlDistributionPoints};

use super::PadesError;
use super::update::{self, FieldValue, NewField};
use crate::digest::DigestAlgorithm;
use crate::tsp::{TsaClient, VerifiedTimestamp};

/// Largest CRL fetched.
const MAX_CRL: usize = 20 << 20;
/// Bytes reserved for a document time-stamp token.
const TOKEN_RESERVE: usize = 16384;

/// What validation data went into the document.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ValidationData {
    /// Certificates in the DSS.
    pub certificates: usize,
    /// CRLs fetched and put in the DSS.
    pub crls: usize,
    /// Where revocation data could not be had, and why (the signature then verifies after the
    /// certificate expires only for verifiers who accept it without).
    pub missing: Vec<String>,
}

/// The CRL addresses (http/https) a certificate names.
fn crl_urls(cert: &Certificate) -> Vec<String> {
    let Ok(Some((_, points))) = cert.tbs_certificate.get::<CrlDistributionPoints>() else { return Vec::new() };
    let mut urls = Vec::new();
    for point in points.0 {
        if let Some(DistributionPointName::FullName(names)) = point.distribution_point {
            for name in names {
                if let GeneralName::UniformResourceIdentifier(uri) = name
                    && (uri.as_str().starts_with("http://") || uri.as_str().starts_with("https://"))
                {
                    urls.push(uri.as_str().to_owned());
                }
            }
        }
    }
    urls
}

/// Whether the certificate names an OCSP responder.
fn has_ocsp(cert: &Certificate) -> bool {
    let ocsp = const_oid::db::rfc5280::ID_AD_OCSP;
    matches!(cert.tbs_certificate.get::<AuthorityInfoAccessSyntax>(), Ok(Some((_, aia))) if aia.0.iter().any(|a| a.access_method == ocsp))
}

async fn fetch_crl(client: &reqwest::Client, url: &str) -> Result<Vec<u8>, String> {
    let response = client.get(url).send().await.map_err(|e| crate::error::with_causes(&e))?;
    if !response.status().is_success() {
        return Err(format!("HTTP {}", response.status()));
    }
    if response.content_length().is_some_and(|n| n as usize > MAX_CRL) {
        return Err("larger than 20 MiB".into());
    }
    let body = response.bytes().await.map_err(|e| e.to_string())?;
    if body.len() > MAX_CRL {
        return Err("larger than 20 MiB".into());
    }
    let der = if body.starts_with(b"-----BEGIN") {
        let text = String::from_utf8_lossy(&body);
        let b64: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.decode(b64.trim()).map_err(|e| e.to_string())?
    } else {
        body.to_vec()
    };
    x509_cert::crl::CertificateList::from_der(&der).map_err(|e| format!("not a CRL: {e}"))?;
    Ok(der)
}

/// Adds a DSS with `certificates` (deduplicated) and the CRLs their certificates name to the
/// signed PDF at `path`, as a new incremental update.
pub async fn add_validation_data(path: &Path, certificates: &[Certificate]) -> Result<ValidationData, crate::Error> {
    let mut ders: Vec<Vec<u8>> = Vec::new();
    let mut unique: Vec<&Certificate> = Vec::new();
    for cert in certificates {
        let der = cert.to_der().map_err(|e| PadesError::Structure(e.to_string()))?;
        if !ders.contains(&der) {
            ders.push(der);
            unique.push(cert);
        }
    }
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(15))
        .build()
        .map_err(|e| PadesError::Structure(e.to_string()))?;
    let mut crls: Vec<Vec<u8>> = Vec::new();
    let mut missing = Vec::new();
    for cert in &unique {
        if cert.tbs_certificate.subject == cert.tbs_certificate.issuer {
            continue; // a root: trusted as itself, nothing revokes it
        }
        let who = cert.tbs_certificate.subject.to_string();
        let urls = crl_urls(cert);
        if urls.is_empty() {
            missing.push(if has_ocsp(cert) {
                format!("{who}: its certificate names only an OCSP responder, which Evidentia does not query yet")
            } else {
                format!("{who}: its certificate names no CRL or OCSP address, so there is no revocation data to add")
            });
            continue;
        }
        let mut got = false;
        for url in &urls {
            match fetch_crl(&client, url).await {
                Ok(der) => {
                    if !crls.contains(&der) {
                        crls.push(der);
                    }
                    got = true;
                    break;
                }
                Err(why) => missing.push(format!("{who}: the CRL at {url} could not be fetched ({why})")),
            }
        }
        if got {
            missing.retain(|m| !m.starts_with(&format!("{who}: the CRL at")));
        }
    }

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
    for (key, items) in [("Certs", &ders), ("CRLs", &crls)] {
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
    Ok(ValidationData { certificates: ders.len(), crls: crls.len(), missing })
}

/// Adds a document time-stamp (/SubFilter /ETSI.RFC3161) over the whole PDF at `path`, DSS
/// included, as a new incremental update.
pub async fn add_document_timestamp(path: &Path, tsa: &TsaClient) -> Result<VerifiedTimestamp, crate::Error> {
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
        Ok::<_, crate::Error>(obtained.verified)
    }
    .await;
    if result.is_err() {
        let _ = std::fs::remove_file(&next);
    }
    result
}
