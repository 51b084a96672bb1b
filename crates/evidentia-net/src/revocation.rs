//! Revocation data for long-term validation: the OCSP responses (RFC 6960) and CRLs that a
//! chain's certificates point to, fetched over HTTP(S) and checked before they are kept.

use der::{Decode, Encode};
use evidentia_pki::tsp::signature::{SigDigest, verify_signature};
use x509_cert::Certificate;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::ext::pkix::{AuthorityInfoAccessSyntax, CrlDistributionPoints};

/// Largest CRL or OCSP response fetched.
const MAX_CRL: usize = 20 << 20;

/// The HTTP client could not be made (TLS set-up).
#[derive(Debug, thiserror::Error)]
#[error("the HTTP client for revocation data cannot start: {0}")]
pub struct HttpClientError(String);

impl HttpClientError {
    pub(crate) fn new(why: String) -> Self {
        Self(why)
    }
}

/// What was fetched for a set of certificates, and where nothing could be had.
#[derive(Debug, Clone, Default)]
pub struct RevocationData {
    /// CRLs (DER), each once.
    pub crls: Vec<Vec<u8>>,
    /// OCSP responses (DER) whose signature verified.
    pub ocsps: Vec<Vec<u8>>,
    /// Per certificate without data (or with a status other than good), why, in words.
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

/// The http/https addresses a certificate's authority information access names for `method`
/// (OCSP responders, CA issuers).
pub(crate) fn access_urls(cert: &Certificate, method: const_oid::ObjectIdentifier) -> Vec<String> {
    let Ok(Some((_, aia))) = cert.tbs_certificate.get::<AuthorityInfoAccessSyntax>() else { return Vec::new() };
    aia.0
        .iter()
        .filter(|a| a.access_method == method)
        .filter_map(|a| match &a.access_location {
            GeneralName::UniformResourceIdentifier(uri)
                if uri.as_str().starts_with("http://") || uri.as_str().starts_with("https://") =>
            {
                Some(uri.as_str().to_owned())
            }
            _ => None,
        })
        .collect()
}

/// The OCSP responders (http/https) a certificate names.
fn ocsp_urls(cert: &Certificate) -> Vec<String> {
    access_urls(cert, const_oid::db::rfc5280::ID_AD_OCSP)
}

/// An OCSP request (RFC 6960) for `cert`, issued by `issuer`, with a SHA-1 CertID as responders expect.
fn ocsp_request(cert: &Certificate, issuer: &Certificate) -> Result<Vec<u8>, String> {
    use x509_ocsp::{CertId, OcspRequest, Request, TbsRequest};
    let sha1 = |bytes: &[u8]| SigDigest::Sha1.digest(bytes).as_bytes().to_vec();
    let name = issuer.tbs_certificate.subject.to_der().map_err(|e| e.to_string())?;
    let key = issuer.tbs_certificate.subject_public_key_info.subject_public_key.raw_bytes();
    let id = CertId {
        hash_algorithm: spki::AlgorithmIdentifierOwned {
            oid: evidentia_pki::tsp::asn1::oid::SHA1,
            parameters: Some(der::asn1::Null.into()),
        },
        issuer_name_hash: der::asn1::OctetString::new(sha1(&name)).map_err(|e| e.to_string())?,
        issuer_key_hash: der::asn1::OctetString::new(sha1(key)).map_err(|e| e.to_string())?,
        serial_number: cert.tbs_certificate.serial_number.clone(),
    };
    let request = OcspRequest {
        tbs_request: TbsRequest {
            request_list: vec![Request { req_cert: id, single_request_extensions: None }],
            ..Default::default()
        },
        optional_signature: None,
    };
    request.to_der().map_err(|e| e.to_string())
}

/// Asks `url` for `cert`'s status; the whole OCSPResponse (DER) and the status it gives, once its
/// signature verifies with the issuer's key or a responder certificate it carries.
async fn fetch_ocsp(
    client: &reqwest::Client,
    url: &str,
    cert: &Certificate,
    issuer: &Certificate,
) -> Result<(Vec<u8>, &'static str), String> {
    use x509_ocsp::{BasicOcspResponse, CertStatus, OcspResponse, OcspResponseStatus};
    let body = ocsp_request(cert, issuer)?;
    let response = client
        .post(url)
        .header("Content-Type", "application/ocsp-request")
        .body(body)
        .send()
        .await
        .map_err(|e| evidentia_formats::causes::with_causes(&e))?;
    if !response.status().is_success() {
        return Err(format!("HTTP {}", response.status()));
    }
    let der = response.bytes().await.map_err(|e| e.to_string())?.to_vec();
    if der.len() > MAX_CRL {
        return Err("larger than 20 MiB".into());
    }
    let parsed = OcspResponse::from_der(&der).map_err(|e| format!("not an OCSP response: {e}"))?;
    if parsed.response_status != OcspResponseStatus::Successful {
        return Err(format!("the responder answered {:?}", parsed.response_status));
    }
    let bytes = parsed.response_bytes.ok_or("the answer holds no response")?;
    let basic =
        BasicOcspResponse::from_der(bytes.response.as_bytes()).map_err(|e| format!("not a basic response: {e}"))?;
    let single = basic
        .tbs_response_data
        .responses
        .iter()
        .find(|r| r.cert_id.serial_number == cert.tbs_certificate.serial_number)
        .ok_or("the response is about another certificate")?;
    let tbs = basic.tbs_response_data.to_der().map_err(|e| e.to_string())?;
    let signature = basic.signature.as_bytes().ok_or("the response's signature is malformed")?;
    let signers = std::iter::once(issuer).chain(basic.certs.iter().flatten());
    let verified = signers.into_iter().any(|signer| {
        verify_signature(
            &signer.tbs_certificate.subject_public_key_info,
            &basic.signature_algorithm,
            None,
            &tbs,
            signature,
        )
        .is_ok()
    });
    if !verified {
        return Err("the response's signature does not verify".into());
    }
    let status = match single.cert_status {
        CertStatus::Good(_) => "good",
        CertStatus::Revoked(_) => "revoked",
        CertStatus::Unknown(_) => "unknown",
    };
    Ok((der, status))
}

/// The body of a GET of `url`, refused past `max` bytes (declared or read); why not, in words.
pub(crate) async fn get_bounded(client: &reqwest::Client, url: &str, max: usize) -> Result<Vec<u8>, String> {
    let too_large = || format!("larger than {} MiB", max >> 20);
    let response = client.get(url).send().await.map_err(|e| evidentia_formats::causes::with_causes(&e))?;
    if !response.status().is_success() {
        return Err(format!("HTTP {}", response.status()));
    }
    if response.content_length().is_some_and(|n| n as usize > max) {
        return Err(too_large());
    }
    let body = response.bytes().await.map_err(|e| e.to_string())?;
    if body.len() > max {
        return Err(too_large());
    }
    Ok(body.to_vec())
}

async fn fetch_crl(client: &reqwest::Client, url: &str) -> Result<Vec<u8>, String> {
    let body = get_bounded(client, url, MAX_CRL).await?;
    let der = if body.starts_with(b"-----BEGIN") {
        let text = String::from_utf8_lossy(&body);
        let b64: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.decode(b64.trim()).map_err(|e| e.to_string())?
    } else {
        body
    };
    x509_cert::crl::CertificateList::from_der(&der).map_err(|e| format!("not a CRL: {e}"))?;
    Ok(der)
}

/// Fetches, for every certificate of `unique` that is not a root, an OCSP response (when its
/// issuer is among `unique`) or else a CRL, trying each address the certificate names in turn.
pub async fn fetch(unique: &[&Certificate]) -> Result<RevocationData, HttpClientError> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(15))
        .build()
        .map_err(|e| HttpClientError(e.to_string()))?;
    let mut crls: Vec<Vec<u8>> = Vec::new();
    let mut ocsps: Vec<Vec<u8>> = Vec::new();
    let mut missing = Vec::new();
    for cert in unique {
        if cert.tbs_certificate.subject == cert.tbs_certificate.issuer {
            continue; // a root: trusted as itself, nothing revokes it
        }
        let who = cert.tbs_certificate.subject.to_string();
        let (ocsp, crl) = (ocsp_urls(cert), crl_urls(cert));
        if ocsp.is_empty() && crl.is_empty() {
            missing.push(format!(
                "{who}: its certificate names no OCSP or CRL address, so there is no revocation data to add"
            ));
            continue;
        }
        let mut why = Vec::new();
        let mut got = false;
        let issuer = unique.iter().find(|c| c.tbs_certificate.subject == cert.tbs_certificate.issuer);
        for url in &ocsp {
            let Some(issuer) = issuer else {
                why.push(format!("OCSP at {url}: the issuer's certificate is not in the chain"));
                break;
            };
            match fetch_ocsp(&client, url, cert, issuer).await {
                Ok((der, status)) => {
                    if status != "good" {
                        missing.push(format!("{who}: the OCSP responder at {url} says the certificate is {status}"));
                    }
                    ocsps.push(der);
                    got = true;
                    break;
                }
                Err(e) => why.push(format!("OCSP at {url}: {e}")),
            }
        }
        for url in &crl {
            match fetch_crl(&client, url).await {
                Ok(der) => {
                    if !crls.contains(&der) {
                        crls.push(der);
                    }
                    got = true;
                    break;
                }
                Err(e) => why.push(format!("CRL at {url}: {e}")),
            }
        }
        if !got {
            missing.push(format!("{who}: no revocation data could be fetched ({})", why.join("; ")));
        }
    }

    Ok(RevocationData { crls, ocsps, missing })
}
