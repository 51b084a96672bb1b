//! Certificates as reports and listings show them, and as people hand them over: PEM with any
//! line length, CRLF, no final newline, text around the blocks, several in one file; or DER.

use base64::Engine as _;
use chrono::{DateTime, Utc};
use der::{Decode, Encode};
use serde::Serialize;
use x509_cert::Certificate;

/// A summary of a certificate for listings and reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct CertificateSummary {
    /// Subject DN.
    pub subject: String,
    /// Issuer DN.
    pub issuer: String,
    /// Serial, hex.
    pub serial: String,
    /// notBefore (RFC 3339).
    pub not_before: String,
    /// notAfter (RFC 3339).
    pub not_after: String,
    /// SHA-256 of the DER certificate, hex.
    pub sha256: String,
}

impl CertificateSummary {
    /// Summarises a certificate.
    pub fn of(cert: &Certificate) -> Self {
        let v = &cert.tbs_certificate.validity;
        Self {
            subject: cert.tbs_certificate.subject.to_string(),
            issuer: cert.tbs_certificate.issuer.to_string(),
            serial: hex::encode(cert.tbs_certificate.serial_number.as_bytes()),
            not_before: DateTime::<Utc>::from(v.not_before.to_system_time()).to_rfc3339(),
            not_after: DateTime::<Utc>::from(v.not_after.to_system_time()).to_rfc3339(),
            sha256: crate::digest::DigestAlgorithm::Sha256.digest(&cert.to_der().unwrap_or_default()).to_hex(),
        }
    }
}

/// Every certificate in `bytes`: each `BEGIN CERTIFICATE` (also `X509 CERTIFICATE` and OpenSSL's
/// `TRUSTED CERTIFICATE`) block of a PEM text, read leniently, or else DER certificates one after
/// the other. `Err` says what is wrong, for a message that names the file.
pub fn read_certificates(bytes: &[u8]) -> Result<Vec<Certificate>, String> {
    const LABELS: [&str; 3] = ["CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE"];
    let text = String::from_utf8_lossy(bytes);
    if text.contains("-----BEGIN ") {
        let mut out = Vec::new();
        let mut rest: &str = &text;
        let mut index = 0;
        while let Some(start) = rest.find("-----BEGIN ") {
            let after = &rest[start + 11..];
            let Some(label_end) = after.find("-----") else { break };
            let label = after[..label_end].trim();
            let body_and_rest = &after[label_end + 5..];
            let end_marker = format!("-----END {label}-----");
            let Some(body_end) = body_and_rest.find(&end_marker) else {
                return Err(format!("the PEM block `{label}` has no `{end_marker}` line"));
            };
            let body = &body_and_rest[..body_end];
            rest = &body_and_rest[body_end + end_marker.len()..];
            if !LABELS.contains(&label) {
                continue;
            }
            index += 1;
            // RFC 7468 §2 allows headers before the data in legacy PEM; none matter here.
            let data: String = body
                .lines()
                .filter(|l| !l.contains(':'))
                .flat_map(|l| l.chars())
                .filter(|c| !c.is_whitespace())
                .collect();
            let der = base64::engine::general_purpose::STANDARD
                .decode(data.trim_end_matches('='))
                .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(data.trim_end_matches('=')))
                .map_err(|e| format!("certificate {index}: its base64 is damaged ({e})"))?;
            out.push(first_certificate(&der).map_err(|e| format!("certificate {index}: {e}"))?);
        }
        if out.is_empty() {
            return Err("holds PEM, but no CERTIFICATE block".into());
        }
        return Ok(out);
    }
    let mut out = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let len = crate::ber::parse(rest).map(|e| e.raw.len()).map_err(|e| {
            if out.is_empty() {
                format!("neither PEM nor a DER certificate ({e})")
            } else {
                format!("certificate {}: not DER ({e})", out.len() + 1)
            }
        })?;
        out.push(first_certificate(&rest[..len]).map_err(|e| format!("certificate {}: {e}", out.len() + 1))?);
        rest = &rest[len..];
    }
    if out.is_empty() {
        return Err("is empty".into());
    }
    Ok(out)
}

/// The certificate at the start of `der` (OpenSSL's trusted form appends its trust settings).
fn first_certificate(der: &[u8]) -> Result<Certificate, String> {
    let len = crate::ber::parse(der).map(|e| e.raw.len()).map_err(|e| format!("not DER ({e})"))?;
    let own = crate::ber::to_der(&der[..len]).map_err(|e| format!("not DER ({e})"))?;
    Certificate::from_der(&own).map_err(|e| format!("not an X.509 certificate ({e})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROOT: &[u8] = include_bytes!("testdata/root.pem");
    const OTHER: &[u8] = include_bytes!("testdata/other-root.pem");

    fn wrapped(pem: &[u8], width: usize, newline: &str) -> String {
        let text = String::from_utf8_lossy(pem);
        let body: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
        let lines: Vec<String> =
            body.as_bytes().chunks(width).map(|c| String::from_utf8_lossy(c).into_owned()).collect();
        format!("-----BEGIN CERTIFICATE-----{newline}{}{newline}-----END CERTIFICATE-----", lines.join(newline))
    }

    #[test]
    fn pem_as_people_hand_it_over_is_read() {
        let want = Certificate::load_pem_chain(ROOT).unwrap();
        for text in [
            wrapped(ROOT, 76, "\n"),
            wrapped(ROOT, 16, "\r\n"),
            wrapped(ROOT, 100_000, "\n"),
            format!(
                "Bag Attributes\n    friendlyName: root\nsubject=/CN=x\n{}\ntrailing words\n",
                wrapped(ROOT, 64, "\n")
            ),
        ] {
            assert_eq!(read_certificates(text.as_bytes()).unwrap(), want, "{text}");
        }
        let both = [ROOT, OTHER].concat();
        assert_eq!(read_certificates(&both).unwrap().len(), 2);
        let der: Vec<u8> = want[0].to_der().unwrap();
        assert_eq!(read_certificates(&der).unwrap(), want);
        let two_der = [der.clone(), Certificate::load_pem_chain(OTHER).unwrap()[0].to_der().unwrap()].concat();
        assert_eq!(read_certificates(&two_der).unwrap().len(), 2);
        let trusted = wrapped(&[ROOT].concat(), 64, "\n").replace("CERTIFICATE", "TRUSTED CERTIFICATE");
        assert_eq!(read_certificates(trusted.as_bytes()).unwrap(), want);
    }

    #[test]
    fn damaged_certificates_are_named_not_guessed() {
        let text = String::from_utf8_lossy(ROOT).replace("-----END CERTIFICATE-----", "");
        assert!(read_certificates(text.as_bytes()).unwrap_err().contains("no `-----END CERTIFICATE-----`"));
        let mut der = Certificate::load_pem_chain(ROOT).unwrap()[0].to_der().unwrap();
        der.truncate(der.len() - 10);
        assert!(read_certificates(&der).is_err());
        let key = b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
        assert!(read_certificates(key).unwrap_err().contains("no CERTIFICATE block"));
        assert!(read_certificates(b"").is_err());
        let garbage = wrapped(ROOT, 64, "\n").replacen("MII", "M!I", 1);
        assert!(read_certificates(garbage.as_bytes()).unwrap_err().contains("certificate 1"));
    }
}
