//! Issuer certificates a chain lacks, fetched from the CA-issuers addresses (RFC 5280 §4.2.2.1,
//! authority information access) that its certificates name, so that a path can be built when a
//! signature carries only its signer's certificate.

use std::time::Duration;

use x509_cert::Certificate;

use crate::revocation::HttpClientError;

/// Largest answer read from a CA-issuers address (a certificate, or a few in a PKCS #7 bundle).
const MAX_ANSWER: usize = 1 << 20;
/// Most addresses asked in one call, so that a hostile chain of addresses ends.
const MAX_FETCHES: usize = 8;

/// What [`fetch`] found: the issuer certificates, and why the others could not be had.
#[derive(Debug, Clone, Default)]
pub struct FetchedIssuers {
    /// Certificates fetched, each the issuer (by name) of a certificate that lacked one.
    pub certificates: Vec<Certificate>,
    /// Per address that gave nothing usable, why, in words.
    pub failures: Vec<String>,
}

/// The CA-issuers addresses (http/https) a certificate names.
pub fn ca_issuer_urls(cert: &Certificate) -> Vec<String> {
    crate::revocation::access_urls(cert, const_oid::db::rfc5280::ID_AD_CA_ISSUERS)
}

/// Certificates in an answer: one DER or PEM certificate (`application/pkix-cert`), or a
/// certs-only PKCS #7 bundle (`application/pkcs7-mime`, `.p7c`).
fn certificates_in(body: &[u8]) -> Result<Vec<Certificate>, String> {
    match evidentia_pki::certificate::read_certificates(body) {
        Ok(certs) => Ok(certs),
        Err(why) => {
            let bundled = evidentia_pki::cades_verify::embedded_certificates(body);
            if bundled.is_empty() { Err(why) } else { Ok(bundled) }
        }
    }
}

async fn fetch_one(client: &reqwest::Client, url: &str) -> Result<Vec<Certificate>, String> {
    certificates_in(&crate::revocation::get_bounded(client, url, MAX_ANSWER).await?)
}

/// For every certificate of `chain` (and of what is fetched, in turn) whose issuer is neither in
/// `chain` nor in `known` nor itself, fetches the issuer from the CA-issuers addresses it names.
/// Only certificates whose subject is the name asked for are kept; whether they really signed
/// is for path validation to judge. At most 8 addresses are asked.
pub async fn fetch(chain: &[Certificate], known: &[Certificate]) -> Result<FetchedIssuers, HttpClientError> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(15))
        .build()
        .map_err(|e| HttpClientError::new(e.to_string()))?;
    let mut have: Vec<Certificate> = chain.iter().chain(known).cloned().collect();
    let mut queue: Vec<Certificate> = chain.to_vec();
    let mut found = FetchedIssuers::default();
    let mut asked: Vec<String> = Vec::new();
    while let Some(cert) = queue.pop() {
        let issuer = &cert.tbs_certificate.issuer;
        if *issuer == cert.tbs_certificate.subject || have.iter().any(|c| c.tbs_certificate.subject == *issuer) {
            continue;
        }
        for url in ca_issuer_urls(&cert) {
            if asked.contains(&url) {
                continue;
            }
            if asked.len() >= MAX_FETCHES {
                found.failures.push(format!("{url}: not asked, {MAX_FETCHES} addresses were asked already"));
                break;
            }
            asked.push(url.clone());
            match fetch_one(&client, &url).await {
                Ok(certs) => {
                    let issuers: Vec<Certificate> =
                        certs.into_iter().filter(|c| c.tbs_certificate.subject == *issuer).collect();
                    if issuers.is_empty() {
                        found.failures.push(format!("{url}: the answer holds no certificate for {issuer}"));
                        continue;
                    }
                    for c in issuers {
                        have.push(c.clone());
                        queue.push(c.clone());
                        found.certificates.push(c);
                    }
                    break;
                }
                Err(why) => found.failures.push(format!("{url}: {why}")),
            }
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_is_read_as_a_certificate_or_a_bundle_and_garbage_is_named() {
        let root = include_bytes!("../../evidentia-pki/src/testdata/root.pem");
        assert_eq!(certificates_in(root).unwrap().len(), 1);
        let p7s = include_bytes!("../../evidentia-pki/src/testdata/contract.p7s");
        assert!(!certificates_in(p7s).unwrap().is_empty());
        assert!(certificates_in(b"<html>not found</html>").is_err());
    }
}
