//! Revocation of a signer's certificates judged at the time the signature is proven to exist:
//! CRLs (RFC 5280) and OCSP responses (RFC 6960) carried by the signature, the document or
//! fetched, each believed only once its signature verifies with the issuer's key (or a responder
//! the issuer delegated, id-kp-OCSPSigning).

use chrono::{DateTime, Utc};
use der::asn1::ObjectIdentifier;
use der::{Decode, Encode};
use x509_cert::Certificate;
use x509_cert::crl::CertificateList;
use x509_cert::ext::pkix::{CrlReason, ExtendedKeyUsage};
use x509_ocsp::{BasicOcspResponse, CertStatus};

use crate::tsp::signature::verify_signature;

const KP_OCSP_SIGNING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.9");
pub use crate::revocation_data::{ADBE_REVOCATION_INFO_ARCHIVAL, REVOCATION_VALUES, RevocationSources};

/// What the revocation data says of one certificate at a time.
#[derive(Debug, Clone, PartialEq)]
enum Status {
    /// Not revoked at that time (revoked later, or not at all), with where that was read.
    Good(String),
    /// Revoked at `at` (on or before the time asked).
    Revoked { at: DateTime<Utc>, reason: String, source: String },
}

/// Why revocation does not let a signature pass.
#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum RevocationProblem {
    /// A certificate of the chain was revoked before the time checked.
    #[error("the certificate of {subject} was revoked at {at} ({reason}; {read_in}), before {checked}")]
    Revoked {
        /// The revoked certificate's subject.
        subject: String,
        /// When it was revoked.
        at: String,
        /// The reason given.
        reason: String,
        /// Where that was read.
        read_in: String,
        /// The time the signature is checked at.
        checked: String,
        /// Whether a trusted time-stamp proves that time (else it is the validation time).
        proven: bool,
    },
    /// No CRL or OCSP response speaks of a certificate.
    #[error(
        "no revocation data (CRL or OCSP response) for the certificate of {subject}: none came with the signature{}",
        if *online { " and none could be fetched" } else { "; verify with --online to fetch it from the addresses the certificate names" }
    )]
    Missing {
        /// The certificate's subject.
        subject: String,
        /// Whether fetching was tried.
        online: bool,
    },
}

impl RevocationProblem {
    /// The ETSI EN 319 102-1 sub-indication: REVOKED (FAILED) when a time-stamp proves the
    /// signature was made after the revocation, REVOKED_NO_POE or REVOCATION_MISSING
    /// (INDETERMINATE) otherwise.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Revoked { proven: true, .. } => "REVOKED",
            Self::Revoked { proven: false, .. } => "REVOKED_NO_POE",
            Self::Missing { .. } => "REVOCATION_MISSING",
        }
    }
}

fn time(t: &x509_cert::time::Time) -> DateTime<Utc> {
    DateTime::<Utc>::from(t.to_system_time())
}

fn reason_words(r: CrlReason) -> &'static str {
    match r {
        CrlReason::Unspecified => "unspecified",
        CrlReason::KeyCompromise => "key compromise",
        CrlReason::CaCompromise => "CA compromise",
        CrlReason::AffiliationChanged => "affiliation changed",
        CrlReason::Superseded => "superseded",
        CrlReason::CessationOfOperation => "cessation of operation",
        CrlReason::CertificateHold => "certificate hold",
        CrlReason::RemoveFromCRL => "removed from CRL",
        CrlReason::PrivilegeWithdrawn => "privilege withdrawn",
        CrlReason::AaCompromise => "AA compromise",
    }
}

/// Whether `signed` (DER of the signed part) verifies with `by`'s key.
fn signed_by(by: &Certificate, algorithm: &spki::AlgorithmIdentifierOwned, signed: &[u8], signature: &[u8]) -> bool {
    verify_signature(&by.tbs_certificate.subject_public_key_info, algorithm, None, signed, signature).is_ok()
}

fn crl_status(cert: &Certificate, issuer: &Certificate, der: &[u8]) -> Option<Status> {
    let crl = CertificateList::from_der(der).ok()?;
    if crl.tbs_cert_list.issuer != issuer.tbs_certificate.subject {
        return None;
    }
    let tbs = crl.tbs_cert_list.to_der().ok()?;
    if !signed_by(issuer, &crl.signature_algorithm, &tbs, crl.signature.as_bytes()?) {
        return None;
    }
    let source =
        format!("CRL of {} by {}", time(&crl.tbs_cert_list.this_update).to_rfc3339(), issuer.tbs_certificate.subject);
    let entry = crl
        .tbs_cert_list
        .revoked_certificates
        .iter()
        .flatten()
        .find(|r| r.serial_number == cert.tbs_certificate.serial_number);
    Some(match entry {
        None => Status::Good(source),
        Some(r) => {
            let reason = r
                .crl_entry_extensions
                .iter()
                .flatten()
                .find(|e| e.extn_id == const_oid::db::rfc5280::ID_CE_CRL_REASONS)
                .and_then(|e| CrlReason::from_der(e.extn_value.as_bytes()).ok())
                .map_or("no reason given", reason_words);
            Status::Revoked { at: time(&r.revocation_date), reason: reason.into(), source }
        }
    })
}

/// The responder of a basic OCSP response: the issuer itself, or a certificate it carries that
/// the issuer signed with id-kp-OCSPSigning.
fn ocsp_signed(basic: &BasicOcspResponse, issuer: &Certificate) -> Option<String> {
    let tbs = basic.tbs_response_data.to_der().ok()?;
    let signature = basic.signature.as_bytes()?;
    if signed_by(issuer, &basic.signature_algorithm, &tbs, signature) {
        return Some(issuer.tbs_certificate.subject.to_string());
    }
    basic.certs.iter().flatten().find_map(|responder| {
        let delegated = responder.tbs_certificate.issuer == issuer.tbs_certificate.subject
            && responder
                .tbs_certificate
                .get::<ExtendedKeyUsage>()
                .ok()
                .flatten()
                .is_some_and(|(_, eku)| eku.0.contains(&KP_OCSP_SIGNING))
            && responder.tbs_certificate.to_der().ok().is_some_and(|t| {
                signed_by(
                    issuer,
                    &responder.signature_algorithm,
                    &t,
                    responder.signature.as_bytes().unwrap_or_default(),
                )
            });
        (delegated && signed_by(responder, &basic.signature_algorithm, &tbs, signature))
            .then(|| responder.tbs_certificate.subject.to_string())
    })
}

fn ocsp_status(cert: &Certificate, issuer: &Certificate, der: &[u8]) -> Option<Status> {
    let basic = BasicOcspResponse::from_der(der).ok()?;
    let name = issuer.tbs_certificate.subject.to_der().ok()?;
    let key = issuer.tbs_certificate.subject_public_key_info.subject_public_key.raw_bytes();
    let single = basic.tbs_response_data.responses.iter().find(|r| {
        let id = &r.cert_id;
        id.serial_number == cert.tbs_certificate.serial_number
            && crate::tsp::digest_from_oid(&id.hash_algorithm.oid).is_some_and(|d| {
                d.digest(&name).as_bytes() == id.issuer_name_hash.as_bytes()
                    && d.digest(key).as_bytes() == id.issuer_key_hash.as_bytes()
            })
    })?;
    let responder = ocsp_signed(&basic, issuer)?;
    let produced = DateTime::<Utc>::from(basic.tbs_response_data.produced_at.0.to_system_time());
    let source = format!("OCSP response of {} by {responder}", produced.to_rfc3339());
    match &single.cert_status {
        CertStatus::Good(_) => Some(Status::Good(source)),
        CertStatus::Revoked(info) => Some(Status::Revoked {
            at: DateTime::<Utc>::from(info.revocation_time.0.to_system_time()),
            reason: info.revocation_reason.map_or("no reason given", reason_words).into(),
            source,
        }),
        CertStatus::Unknown(_) => None,
    }
}

/// Checks every certificate of `chain` (the signer first, the trust anchor last; the anchor and
/// self-signed certificates are not checked) against `sources` at `at`. `proven`: a trusted
/// time-stamp proves `at`. Returns, per certificate checked, what the data said, in words.
pub fn check_chain(
    chain: &[Certificate],
    sources: &RevocationSources,
    at: DateTime<Utc>,
    proven: bool,
    online: bool,
) -> Result<Vec<String>, RevocationProblem> {
    let mut said = Vec::new();
    for pair in chain.windows(2) {
        let (cert, issuer) = (&pair[0], &pair[1]);
        if cert.tbs_certificate.subject == cert.tbs_certificate.issuer {
            continue;
        }
        let subject = cert.tbs_certificate.subject.to_string();
        let statuses: Vec<Status> = sources
            .ocsps
            .iter()
            .filter_map(|d| ocsp_status(cert, issuer, d))
            .chain(sources.crls.iter().filter_map(|d| crl_status(cert, issuer, d)))
            .collect();
        // A revocation on or before the time checked outweighs any "good" of another source.
        if let Some(Status::Revoked { at: revoked, reason, source }) =
            statuses.iter().find(|s| matches!(s, Status::Revoked { at: r, .. } if *r <= at))
        {
            return Err(RevocationProblem::Revoked {
                subject,
                at: revoked.to_rfc3339(),
                reason: reason.clone(),
                read_in: source.clone(),
                checked: at.to_rfc3339(),
                proven,
            });
        }
        match statuses.first() {
            None => return Err(RevocationProblem::Missing { subject, online }),
            Some(Status::Good(source)) => said.push(format!("{subject} not revoked ({source})")),
            Some(Status::Revoked { at: revoked, source, .. }) => said.push(format!(
                "{subject} revoked only at {}, after the signature was made ({source})",
                revoked.to_rfc3339()
            )),
        }
    }
    Ok(said)
}

#[cfg(test)]
mod tests {
    //! A CA, its signer and its CRLs made in the test with rcgen (an implementation other than
    //! ours), judged at chosen times.
    use chrono::TimeZone;
    use rcgen::{
        BasicConstraints, CertificateParams, CertificateRevocationListParams, DnType, IsCa, Issuer, KeyIdMethod,
        KeyPair, KeyUsagePurpose, RevocationReason, RevokedCertParams, SerialNumber, date_time_ymd,
    };

    use super::*;

    struct Ca {
        issuer: Issuer<'static, KeyPair>,
        cert: Certificate,
    }

    fn ca(name: &str) -> Ca {
        let key = KeyPair::generate_for(&rcgen::PKCS_ED25519).unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let cert = params.self_signed(&key).unwrap();
        Ca { cert: Certificate::from_der(cert.der()).unwrap(), issuer: Issuer::new(params, key) }
    }

    fn signer(ca: &Ca, serial: u64) -> Certificate {
        let key = KeyPair::generate_for(&rcgen::PKCS_ED25519).unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name.push(DnType::CommonName, "Revocable Signer");
        params.serial_number = Some(SerialNumber::from(serial));
        Certificate::from_der(params.signed_by(&key, &ca.issuer).unwrap().der()).unwrap()
    }

    /// A CRL of 2020-03-01 by `by`, listing `revoked` serials as revoked on 2020-02-01.
    fn crl(by: &Ca, revoked: &[u64]) -> Vec<u8> {
        let params = CertificateRevocationListParams {
            this_update: date_time_ymd(2020, 3, 1),
            next_update: date_time_ymd(2030, 3, 1),
            crl_number: SerialNumber::from(1u64),
            issuing_distribution_point: None,
            revoked_certs: revoked
                .iter()
                .map(|s| RevokedCertParams {
                    serial_number: SerialNumber::from(*s),
                    revocation_time: date_time_ymd(2020, 2, 1),
                    reason_code: Some(RevocationReason::KeyCompromise),
                    invalidity_date: None,
                })
                .collect(),
            key_identifier_method: KeyIdMethod::Sha256,
        };
        params.signed_by(&by.issuer).unwrap().der().to_vec()
    }

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 0, 0, 0).unwrap()
    }

    fn sources(crls: Vec<Vec<u8>>) -> RevocationSources {
        RevocationSources { crls, ocsps: Vec::new() }
    }

    #[test]
    fn a_certificate_revoked_before_the_proven_time_is_revoked_and_after_it_is_not() {
        let ca = ca("Revoking CA");
        let cert = signer(&ca, 42);
        let chain = [cert, ca.cert.clone()];
        let data = sources(vec![crl(&ca, &[7, 42])]);
        // Time-stamped after the revocation: REVOKED, with the date and reason.
        let e = check_chain(&chain, &data, at(2020, 2, 15), true, false).unwrap_err();
        assert_eq!(e.code(), "REVOKED", "{e}");
        assert!(e.to_string().contains("2020-02-01") && e.to_string().contains("key compromise"), "{e}");
        // The same time, not proven by a time-stamp: cannot be decided.
        assert_eq!(check_chain(&chain, &data, at(2020, 2, 15), false, false).unwrap_err().code(), "REVOKED_NO_POE");
        // Time-stamped before the revocation: valid, and the report says it was revoked later.
        let said = check_chain(&chain, &data, at(2020, 1, 15), true, false).unwrap();
        assert!(said[0].contains("revoked only at 2020-02-01"), "{said:?}");
    }

    #[test]
    fn a_certificate_not_on_its_issuers_crl_is_not_revoked() {
        let ca = ca("Revoking CA");
        let chain = [signer(&ca, 42), ca.cert.clone()];
        let said = check_chain(&chain, &sources(vec![crl(&ca, &[7])]), at(2025, 1, 1), false, false).unwrap();
        assert_eq!(said.len(), 1);
        assert!(said[0].contains("Revocable Signer") && said[0].contains("not revoked"), "{said:?}");
    }

    #[test]
    fn without_revocation_data_nothing_passes_silently() {
        let ca = ca("Revoking CA");
        let chain = [signer(&ca, 42), ca.cert.clone()];
        let e = check_chain(&chain, &RevocationSources::default(), at(2025, 1, 1), true, false).unwrap_err();
        assert_eq!(e.code(), "REVOCATION_MISSING");
        assert!(e.to_string().contains("Revocable Signer") && e.to_string().contains("--online"), "{e}");
        let e = check_chain(&chain, &RevocationSources::default(), at(2025, 1, 1), true, true).unwrap_err();
        assert!(e.to_string().contains("none could be fetched"), "{e}");
    }

    #[test]
    fn a_crl_not_signed_by_the_issuer_is_not_believed() {
        let ca = ca("Revoking CA");
        let chain = [signer(&ca, 42), ca.cert.clone()];
        // Another CA's CRL under the same name, listing nothing revoked: proves nothing.
        let impostor = self::ca("Revoking CA");
        let forged = sources(vec![crl(&impostor, &[])]);
        assert_eq!(check_chain(&chain, &forged, at(2025, 1, 1), true, false).unwrap_err().code(), "REVOCATION_MISSING");
        // Nor does a forged revocation count.
        let forged = sources(vec![crl(&impostor, &[42]), crl(&ca, &[])]);
        assert!(check_chain(&chain, &forged, at(2025, 1, 1), true, false).is_ok());
        // Bytes that are no CRL are skipped, never a panic.
        let junk = sources(vec![vec![0x30, 0x03, 0x02, 0x01], b"not a CRL".to_vec()]);
        assert_eq!(check_chain(&chain, &junk, at(2025, 1, 1), true, false).unwrap_err().code(), "REVOCATION_MISSING");
    }

    #[test]
    fn a_self_signed_signer_has_nothing_to_revoke_it() {
        let root = ca("Own Root");
        assert!(
            check_chain(std::slice::from_ref(&root.cert), &RevocationSources::default(), at(2025, 1, 1), true, false)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn adobe_revocation_archival_and_hostile_ocsp_bytes_are_read_or_skipped() {
        let ca = ca("Revoking CA");
        let crl = crl(&ca, &[42]);
        // RevocationInfoArchival ::= SEQUENCE { crl [0] EXPLICIT SEQUENCE OF CertificateList }
        let mut list = vec![0x30];
        push_len(&mut list, crl.len());
        list.extend_from_slice(&crl);
        let mut tagged = vec![0xA0];
        push_len(&mut tagged, list.len());
        tagged.extend_from_slice(&list);
        let mut archival = vec![0x30];
        push_len(&mut archival, tagged.len());
        archival.extend_from_slice(&tagged);
        let mut found = RevocationSources::default();
        found.add_archival(&archival, false);
        assert_eq!(found.crls, vec![crl]);
        for junk in [&b""[..], b"\x30\x80", b"\x30\x02\xA1\x00", b"\xA0\x05\x30\x03\x01\x01\xff"] {
            let mut s = RevocationSources::default();
            s.add_archival(junk, false);
            s.add_ocsp_response(junk);
            assert!(s.is_empty());
        }
    }

    fn push_len(out: &mut Vec<u8>, n: usize) {
        if n < 0x80 {
            out.push(n as u8);
        } else {
            let bytes: Vec<u8> = n.to_be_bytes().into_iter().skip_while(|b| *b == 0).collect();
            out.push(0x80 | bytes.len() as u8);
            out.extend(bytes);
        }
    }
}
