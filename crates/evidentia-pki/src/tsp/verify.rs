//! Verifying a time-stamp token under a policy: every check a careful verifier makes, each
//! failure its own [`TspError`]. Order: imprint, nonce, content binding, signature, certificate
//! binding (ESSCertID/v2), the TSA certificate's key usage, the chain to a trust anchor, validity
//! at genTime, policy.

use chrono::{DateTime, Utc};
use cms::signed_data::{SignerIdentifier, SignerInfo};
use der::asn1::{ObjectIdentifier, OctetString};
use der::{Decode, Encode};
use serde::Serialize;
use x509_cert::Certificate;
use x509_cert::ext::pkix::{BasicConstraints, ExtendedKeyUsage, SubjectKeyIdentifier};

use super::asn1::{SigningCertificate, SigningCertificateV2, oid};
use super::signature::{SigDigest, verify_signature};
use super::token::TimestampToken;
use super::trust::TrustAnchors;
use super::{TspError, digest_from_oid};
use crate::digest::DigestAlgorithm;

/// What the token must time-stamp.
#[derive(Debug, Clone)]
pub struct Expectation {
    /// Hash algorithm of the imprint.
    pub algorithm: DigestAlgorithm,
    /// The digest.
    pub imprint: Vec<u8>,
    /// The request's nonce, when checking a fresh answer.
    pub nonce: Option<Vec<u8>>,
}

/// The rules a token is judged by.
#[derive(Debug, Clone, Default)]
pub struct TimestampPolicy {
    /// Roots the TSA certificate must chain to.
    pub trust: TrustAnchors,
    /// Certificates to use besides those embedded (the TSA's, intermediates).
    pub extra_certificates: Vec<Certificate>,
    /// The TSA policy OID that is required, if any.
    pub required_policy: Option<ObjectIdentifier>,
    /// Revocation data for signer certificates besides what a signature carries (a PDF's DSS,
    /// what was fetched).
    pub revocation: crate::revocation_data::RevocationSources,
    /// Whether that data was fetched (`--online`), for the wording of what is missing.
    pub revocation_fetched: bool,
    /// Signer certificates' revocation is not checked (reading out who signed an untrusted signature).
    pub skip_revocation: bool,
}

/// A token that passed every check.
#[derive(Debug, Clone, Serialize)]
pub struct VerifiedTimestamp {
    /// The time the TSA vouches for (RFC 3339).
    pub gen_time: DateTime<Utc>,
    /// The raw genTime text.
    pub gen_time_raw: String,
    /// Accuracy in microseconds, if stated.
    pub accuracy_micros: Option<u64>,
    /// Serial number, hex.
    pub serial: String,
    /// TSA policy OID.
    pub policy: String,
    /// Hash algorithm of the imprint.
    pub algorithm: DigestAlgorithm,
    /// The TSA certificate's subject.
    pub tsa_subject: String,
    /// Subjects from the TSA certificate up to the trust anchor.
    pub chain: Vec<String>,
}

/// Checks `token` against what it must time-stamp and the policy.
pub fn verify(
    token: &TimestampToken,
    expected: &Expectation,
    policy: &TimestampPolicy,
) -> Result<VerifiedTimestamp, TspError> {
    let tst = &token.tst_info;

    // 1. What is time-stamped.
    let imprint_oid = tst.message_imprint.hash_algorithm.oid;
    let found_algo = digest_from_oid(&imprint_oid);
    if found_algo != Some(expected.algorithm) {
        return Err(TspError::AlgorithmMismatch {
            expected: expected.algorithm.to_string(),
            found: found_algo.map(|a| a.to_string()).unwrap_or_else(|| imprint_oid.to_string()),
        });
    }
    if token.imprint() != expected.imprint.as_slice() {
        return Err(TspError::ImprintMismatch {
            expected: hex::encode(&expected.imprint),
            found: hex::encode(token.imprint()),
        });
    }
    if let Some(nonce) = &expected.nonce
        && token.nonce().map(strip_leading_zeros) != Some(strip_leading_zeros(nonce))
    {
        return Err(TspError::NonceMismatch);
    }

    // 2. The signed attributes bind the TSTInfo, and the signature covers them.
    let signer = token.signer_info().ok_or_else(|| TspError::Malformed("no signer".into()))?;
    let digest = super::digest_from_oid(&signer.digest_alg.oid)
        .ok_or_else(|| TspError::UnsupportedAlgorithm(format!("digest {}", signer.digest_alg.oid)))?;
    let attrs = signer.signed_attrs.as_ref().ok_or_else(|| TspError::ContentMismatch("no signed attributes".into()))?;
    let content_type = single_attr(signer, oid::CONTENT_TYPE)
        .and_then(|a| a.decode_as::<ObjectIdentifier>().ok())
        .ok_or_else(|| TspError::ContentMismatch("no content-type attribute".into()))?;
    if content_type != oid::TST_INFO {
        return Err(TspError::ContentMismatch(format!("content-type attribute is {content_type}")));
    }
    let message_digest = single_attr(signer, oid::MESSAGE_DIGEST)
        .and_then(|a| a.decode_as::<OctetString>().ok())
        .ok_or_else(|| TspError::ContentMismatch("no message-digest attribute".into()))?;
    if message_digest.as_bytes() != digest.digest(&token.tst_der).as_bytes() {
        return Err(TspError::ContentMismatch("message-digest differs from the TSTInfo's digest".into()));
    }
    let mut pool = token.certificates();
    pool.extend(policy.extra_certificates.iter().cloned());
    let signer_cert = find_signer(&signer.sid, &pool).ok_or(TspError::SignerCertificateMissing)?;
    let signed_bytes = attrs.to_der().map_err(|e| TspError::Malformed(format!("signed attributes: {e}")))?;
    let check = |bytes: &[u8]| {
        verify_signature(
            &signer_cert.tbs_certificate.subject_public_key_info,
            &signer.signature_algorithm,
            Some(digest),
            bytes,
            signer.signature.as_bytes(),
        )
    };
    if let Err(e) = check(&signed_bytes) {
        // Some TSAs sign their attributes in the order they wrote them rather than in DER order.
        let as_written = crate::ber::signed_attributes_as_written(token.to_der()).filter(|w| *w != signed_bytes);
        let spki = &signer_cert.tbs_certificate.subject_public_key_info;
        let weak = |bytes: &[u8]| {
            super::signature::verify_weak_rsa(
                spki,
                &signer.signature_algorithm,
                Some(digest),
                bytes,
                signer.signature.as_bytes(),
            )
            .is_ok()
        };
        match as_written {
            Some(written) if !matches!(e, TspError::UnsupportedAlgorithm(_)) && check(&written).is_ok() => {}
            // An RSA key under 2048 bits: the mathematics holds, the key is not trusted (nothing
            // later proves the token older than the key's sunset).
            written if weak(&signed_bytes) || written.as_deref().is_some_and(weak) => {
                let bits = super::signature::rsa_bits(spki).unwrap_or(0);
                return Err(TspError::CryptoConstraints {
                    algorithm: format!("an RSA {bits}-bit key"),
                    since: super::signature::key_sunset(spki).unwrap_or("2019-10-01"),
                });
            }
            // The signer identifier and the signing-certificate attribute name different
            // certificates, and the one identified does not verify: which key signed cannot be
            // told (EU DSS: NO_SIGNING_CERTIFICATE_FOUND), which is not to say the token is forged.
            _ if !matches!(e, TspError::UnsupportedAlgorithm(_))
                && check_cert_binding(signer, &signer_cert).is_err() =>
            {
                return Err(TspError::SignerNotIdentified);
            }
            _ => return Err(e),
        }
    }

    // 3. ESSCertID / ESSCertIDv2 names this very certificate.
    check_cert_binding(signer, &signer_cert)?;

    // 4. It is a time-stamping certificate (RFC 3161 §2.3).
    check_timestamping_eku(&signer_cert)?;

    // 5. It chains to a trust anchor, and 6. every certificate on the way was valid at genTime.
    let chain = build_chain(&signer_cert, &pool, &policy.trust)?;
    let gen_time = token.gen_time();
    for cert in &chain {
        let validity = &cert.tbs_certificate.validity;
        let not_before = DateTime::<Utc>::from(validity.not_before.to_system_time());
        let not_after = DateTime::<Utc>::from(validity.not_after.to_system_time());
        if gen_time < not_before || gen_time > not_after {
            return Err(TspError::CertificateNotValidAtTime {
                subject: cert.tbs_certificate.subject.to_string(),
                not_before: not_before.to_rfc3339(),
                not_after: not_after.to_rfc3339(),
                gen_time: gen_time.to_rfc3339(),
            });
        }
    }

    // 7. The policy.
    if let Some(required) = policy.required_policy
        && super::asn1::oid_text(&tst.policy).as_deref() != Some(required.to_string().as_str())
    {
        return Err(TspError::PolicyMismatch {
            expected: required.to_string(),
            found: super::asn1::oid_text(&tst.policy).unwrap_or_else(|| "(unreadable)".into()),
        });
    }

    Ok(VerifiedTimestamp {
        gen_time,
        gen_time_raw: String::from_utf8_lossy(tst.gen_time.value()).into_owned(),
        accuracy_micros: token.accuracy_micros(),
        serial: token.serial_hex(),
        policy: super::asn1::oid_text(&tst.policy).unwrap_or_default(),
        algorithm: expected.algorithm,
        tsa_subject: signer_cert.tbs_certificate.subject.to_string(),
        chain: chain.iter().map(|c| c.tbs_certificate.subject.to_string()).collect(),
    })
}

fn strip_leading_zeros(b: &[u8]) -> &[u8] {
    let start = b.iter().position(|x| *x != 0).unwrap_or(b.len());
    &b[start..]
}

/// The single value of a signed attribute.
pub fn single_attr(signer: &SignerInfo, wanted: ObjectIdentifier) -> Option<&der::Any> {
    let attrs = signer.signed_attrs.as_ref()?;
    let mut matching = attrs.iter().filter(|a| a.oid == wanted);
    let attr = matching.next()?;
    if matching.next().is_some() || attr.values.len() != 1 {
        return None;
    }
    attr.values.iter().next()
}

/// The certificate in `pool` a SignerIdentifier names.
pub fn find_signer(sid: &SignerIdentifier, pool: &[Certificate]) -> Option<Certificate> {
    pool.iter()
        .find(|c| match sid {
            SignerIdentifier::IssuerAndSerialNumber(is) => {
                c.tbs_certificate.issuer == is.issuer && c.tbs_certificate.serial_number == is.serial_number
            }
            SignerIdentifier::SubjectKeyIdentifier(ski) => c
                .tbs_certificate
                .get::<SubjectKeyIdentifier>()
                .ok()
                .flatten()
                .map(|(_, k)| k.0 == ski.0)
                .unwrap_or(false),
        })
        .cloned()
}

/// Whether the signing-certificate(-v2) attribute binds `cert`.
pub fn check_cert_binding(signer: &SignerInfo, cert: &Certificate) -> Result<(), TspError> {
    let der = cert.to_der().map_err(|e| TspError::Malformed(format!("certificate: {e}")))?;
    let bad = |why: &str| TspError::CertificateBindingInvalid(why.to_owned());
    let serial_ok = |is: &Option<super::asn1::IssuerSerial>| match is {
        Some(is) => is.serial_number == cert.tbs_certificate.serial_number,
        None => true,
    };
    if let Some(v2) = single_attr(signer, oid::SIGNING_CERTIFICATE_V2) {
        let sc: SigningCertificateV2 = v2.decode_as().map_err(|_| bad("v2 cannot be read"))?;
        let first = sc.certs.first().ok_or_else(|| bad("v2 lists no certificate"))?;
        let hash_oid = first.hash_algorithm.as_ref().map(|a| a.oid).unwrap_or(oid::SHA256);
        let digest = super::digest_from_oid(&hash_oid)
            .ok_or_else(|| TspError::UnsupportedAlgorithm(format!("ESSCertIDv2 hash {hash_oid}")))?;
        if first.cert_hash.as_bytes() != digest.digest(&der).as_bytes() || !serial_ok(&first.issuer_serial) {
            return Err(bad("v2 names another certificate"));
        }
        return Ok(());
    }
    if let Some(v1) = single_attr(signer, oid::SIGNING_CERTIFICATE) {
        let sc: SigningCertificate = v1.decode_as().map_err(|_| bad("cannot be read"))?;
        let first = sc.certs.first().ok_or_else(|| bad("lists no certificate"))?;
        if first.cert_hash.as_bytes() != SigDigest::Sha1.digest(&der).as_bytes() || !serial_ok(&first.issuer_serial) {
            return Err(bad("names another certificate"));
        }
        return Ok(());
    }
    Err(bad("missing"))
}

fn check_timestamping_eku(cert: &Certificate) -> Result<(), TspError> {
    let subject = cert.tbs_certificate.subject.to_string();
    let not_ts = |problem| TspError::NotATimestampingCertificate { subject: subject.clone(), problem };
    let ext = cert
        .tbs_certificate
        .extensions
        .as_ref()
        .and_then(|exts| exts.iter().find(|e| e.extn_id == oid::EXT_KEY_USAGE))
        .ok_or_else(|| not_ts("no extended key usage"))?;
    // RFC 3161 §2.3 wants it critical; qualified TSAs (D-Trust) mark it non-critical, and pyHanko
    // and EU DSS accept that, as we do: what matters is that it names timeStamping.
    let eku =
        ExtendedKeyUsage::from_der(ext.extn_value.as_bytes()).map_err(|_| not_ts("unreadable extended key usage"))?;
    if !eku.0.contains(&oid::KP_TIME_STAMPING) {
        return Err(not_ts("timeStamping is not among its extended key usages"));
    }
    Ok(())
}

/// Why a certificate that is not a trust anchor may not issue the one below it, with `below`
/// intermediates already under it (RFC 5280 §6.1.4: cA, keyCertSign, pathLenConstraint).
fn may_not_issue(cert: &Certificate, below: usize) -> Option<String> {
    let name = &cert.tbs_certificate.subject;
    let Some((_, bc)) = cert.tbs_certificate.get::<BasicConstraints>().ok().flatten() else {
        return Some(format!("{name} is not a CA (no basic constraints)"));
    };
    if !bc.ca {
        return Some(format!("{name} is not a CA (basic constraints cA = FALSE)"));
    }
    if let Some(limit) = bc.path_len_constraint
        && below > usize::from(limit)
    {
        return Some(format!("{name} allows {limit} intermediate certificates below it, and has {below}"));
    }
    if let Ok(Some((_, ku))) = cert.tbs_certificate.get::<x509_cert::ext::pkix::KeyUsage>()
        && !ku.key_cert_sign()
    {
        return Some(format!("{name} may not sign certificates (key usage without keyCertSign)"));
    }
    None
}

/// From the TSA certificate up to a trust anchor, each link's signature checked.
pub fn build_chain(
    leaf: &Certificate,
    pool: &[Certificate],
    trust: &TrustAnchors,
) -> Result<Vec<Certificate>, TspError> {
    let mut chain = vec![leaf.clone()];
    let mut current = leaf.clone();
    for _ in 0..8 {
        if trust.contains(&current) {
            return Ok(chain);
        }
        let issuer_name = &current.tbs_certificate.issuer;
        let candidates = trust.roots().iter().chain(pool.iter()).filter(|c| &c.tbs_certificate.subject == issuer_name);
        let mut next = None;
        let mut refused = None;
        for candidate in candidates {
            // Only a CA may issue: anchors are trusted as configured, others must be CAs that may
            // sign certificates, with room for the intermediates below them.
            if !trust.contains(candidate)
                && let Some(why) = may_not_issue(candidate, chain.len() - 1)
            {
                refused = Some(why);
                continue;
            }
            let tbs = current.tbs_certificate.to_der().map_err(|e| TspError::Malformed(format!("certificate: {e}")))?;
            let sig_bytes = current.signature.as_bytes().unwrap_or_default();
            if verify_signature(
                &candidate.tbs_certificate.subject_public_key_info,
                &current.signature_algorithm,
                None,
                &tbs,
                sig_bytes,
            )
            .is_ok()
            {
                next = Some(candidate.clone());
                break;
            }
        }
        match next {
            Some(n) if n == current => {
                return Err(TspError::UntrustedRoot(format!(
                    "it ends at the self-signed {} which is not a trust anchor",
                    n.tbs_certificate.subject
                )));
            }
            Some(n) => {
                chain.push(n.clone());
                current = n;
            }
            None => {
                return Err(TspError::UntrustedRoot(match refused {
                    Some(why) => format!("{why}, so it cannot issue {}", current.tbs_certificate.subject),
                    None => format!("no trusted issuer {} found for {}", issuer_name, current.tbs_certificate.subject),
                }));
            }
        }
    }
    Err(TspError::UntrustedRoot("the chain is longer than 8 certificates".into()))
}

#[cfg(test)]
mod tests {
    //! Test vectors made by OpenSSL's `ts -reply` (see `testdata/README.md`), judged as `openssl ts
    //! -verify` judges them, and hostile variants of them.
    use super::*;

    const DATA: &[u8] = include_bytes!("testdata/data.txt");
    const RESPONSE: &[u8] = include_bytes!("testdata/response.tsr");
    const TOKEN_EC: &[u8] = include_bytes!("testdata/token-ec.tst");
    const ROOT: &[u8] = include_bytes!("testdata/root.pem");
    const OTHER_ROOT: &[u8] = include_bytes!("testdata/other-root.pem");

    fn trusting(pem: &[u8]) -> TimestampPolicy {
        let roots = Certificate::load_pem_chain(pem).unwrap();
        TimestampPolicy { trust: TrustAnchors::new(roots), ..Default::default() }
    }

    fn over(data: &[u8]) -> Expectation {
        let imprint = DigestAlgorithm::Sha256.digest(data).as_bytes().to_vec();
        Expectation { algorithm: DigestAlgorithm::Sha256, imprint, nonce: None }
    }

    fn judge(bytes: &[u8], expected: &Expectation, policy: &TimestampPolicy) -> Result<VerifiedTimestamp, TspError> {
        verify(&TimestampToken::from_any_der(bytes)?, expected, policy)
    }

    fn code(r: Result<VerifiedTimestamp, TspError>) -> &'static str {
        r.err().map(|e| e.code()).unwrap_or("PASSED")
    }

    #[test]
    fn openssl_tokens_rsa_and_ec_pass_over_their_data() {
        for bytes in [RESPONSE, TOKEN_EC] {
            let v = judge(bytes, &over(DATA), &trusting(ROOT)).unwrap();
            assert!(v.tsa_subject.contains("Evidentia Sandbox TSA"), "{}", v.tsa_subject);
            assert_eq!(v.chain.len(), 2, "TSA and root: {:?}", v.chain);
            assert_eq!(v.policy, "1.3.6.1.4.1.99999.1.1");
            assert_eq!(v.accuracy_micros, Some(1_000_000));
        }
    }

    #[test]
    fn a_token_by_an_rsa_1024_tsa_holds_but_is_not_trusted() {
        // openssl ts -reply with a self-signed 1024-bit TSA (testdata/README.md); OpenSSL says OK.
        const WEAK: &[u8] = include_bytes!("testdata/token-rsa1024.tst");
        const WEAK_TSA: &[u8] = include_bytes!("testdata/tsa-rsa1024.pem");
        let e = judge(WEAK, &over(DATA), &trusting(WEAK_TSA)).unwrap_err();
        assert_eq!(e.code(), "CRYPTO_CONSTRAINTS", "{e}");
        assert!(e.to_string().contains("RSA 1024-bit key") && e.to_string().contains("2019-10-01"), "{e}");
        let mut broken = WEAK.to_vec();
        let last = broken.len() - 1;
        broken[last] ^= 1;
        assert_eq!(code(judge(&broken, &over(DATA), &trusting(WEAK_TSA))), "SIG_CRYPTO_FAILURE");
    }

    #[test]
    fn other_data_is_an_imprint_mismatch() {
        assert_eq!(code(judge(RESPONSE, &over(b"other data"), &trusting(ROOT))), "IMPRINT_MISMATCH");
    }

    #[test]
    fn another_hash_algorithm_is_named() {
        let mut e = over(DATA);
        e.algorithm = DigestAlgorithm::Sha512;
        assert_eq!(code(judge(RESPONSE, &e, &trusting(ROOT))), "HASH_ALGORITHM_MISMATCH");
    }

    #[test]
    fn a_nonce_not_asked_for_is_a_nonce_mismatch() {
        let mut e = over(DATA);
        e.nonce = Some(vec![1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(code(judge(RESPONSE, &e, &trusting(ROOT))), "NONCE_MISMATCH");
    }

    #[test]
    fn an_unrelated_root_is_no_trusted_root() {
        assert_eq!(code(judge(RESPONSE, &over(DATA), &trusting(OTHER_ROOT))), "NO_TRUSTED_ROOT");
        assert_eq!(code(judge(RESPONSE, &over(DATA), &TimestampPolicy::default())), "NO_TRUSTED_ROOT");
    }

    #[test]
    fn a_flipped_signature_byte_is_a_crypto_failure() {
        // The SignerInfo's signature value is the last field of the token, so the last byte is in it.
        for bytes in [RESPONSE, TOKEN_EC] {
            let mut bad = bytes.to_vec();
            let last = bad.len() - 1;
            bad[last] ^= 0x01;
            let r = judge(&bad, &over(DATA), &trusting(ROOT));
            assert!(matches!(code(r), "SIG_CRYPTO_FAILURE" | "TSP_MALFORMED"), "must not pass");
        }
        let mut bad = RESPONSE.to_vec();
        let last = bad.len() - 1;
        bad[last] ^= 0x01;
        assert_eq!(code(judge(&bad, &over(DATA), &trusting(ROOT))), "SIG_CRYPTO_FAILURE");
    }

    #[test]
    fn an_altered_gen_time_breaks_the_content_binding() {
        let year = b"20";
        let at = RESPONSE
            .windows(15)
            .position(|w| w.starts_with(year) && w.ends_with(b"Z") && w[..14].iter().all(u8::is_ascii_digit));
        let at = at.expect("a GeneralizedTime in the token");
        let mut bad = RESPONSE.to_vec();
        bad[at + 3] = if bad[at + 3] == b'9' { b'8' } else { b'9' };
        assert_eq!(code(judge(&bad, &over(DATA), &trusting(ROOT))), "TST_CONTENT_MISMATCH");
    }

    #[test]
    fn the_policy_required_must_be_the_tokens() {
        let mut p = trusting(ROOT);
        p.required_policy = Some(ObjectIdentifier::new_unwrap("1.3.6.1.4.1.99999.1.2"));
        assert_eq!(code(judge(RESPONSE, &over(DATA), &p)), "POLICY_MISMATCH");
    }

    #[test]
    fn hostile_bytes_are_malformed_never_a_panic() {
        let mut inputs: Vec<Vec<u8>> =
            vec![Vec::new(), b"not DER at all".to_vec(), vec![0x30, 0x80, 0, 0], vec![0x30; 64]];
        for cut in [1, 10, RESPONSE.len() / 2, RESPONSE.len() - 1] {
            inputs.push(RESPONSE[..cut].to_vec());
        }
        for input in inputs {
            assert!(TimestampToken::from_any_der(&input).is_err(), "{} bytes taken for a token", input.len());
        }
        // Every single-byte corruption of the header and the signed TSTInfo (bytes 0..245 of this
        // response) fails cleanly. Byte 50 is skipped: it is the NULL parameter of an entry in
        // SignedData.digestAlgorithms, which nothing signs and `openssl ts -verify` accepts changed.
        for i in (0..245).filter(|i| *i != 50) {
            let mut bad = RESPONSE.to_vec();
            bad[i] ^= 0xff;
            assert_ne!(code(judge(&bad, &over(DATA), &trusting(ROOT))), "PASSED", "byte {i} flipped");
        }
    }

    mod path {
        //! RFC 5280 path rules for the certificates above a signer, with CAs made by rcgen.
        use rcgen::{BasicConstraints as Bc, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose as Ku};

        use super::*;

        fn issuer(
            name: &str,
            ca: IsCa,
            usages: Vec<Ku>,
            by: Option<&Issuer<'static, KeyPair>>,
        ) -> (Certificate, Issuer<'static, KeyPair>) {
            let key = KeyPair::generate_for(&rcgen::PKCS_ED25519).unwrap();
            let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
            params.distinguished_name.push(DnType::CommonName, name);
            params.is_ca = ca;
            params.key_usages = usages;
            let cert = match by {
                Some(by) => params.signed_by(&key, by).unwrap(),
                None => params.self_signed(&key).unwrap(),
            };
            (Certificate::from_der(cert.der()).unwrap(), Issuer::new(params, key))
        }

        fn ca(
            name: &str,
            by: Option<&Issuer<'static, KeyPair>>,
            limit: Option<u8>,
        ) -> (Certificate, Issuer<'static, KeyPair>) {
            let bc = limit.map_or(Bc::Unconstrained, Bc::Constrained);
            issuer(name, IsCa::Ca(bc), vec![Ku::KeyCertSign, Ku::CrlSign], by)
        }

        fn chain_of(
            leaf: &Certificate,
            pool: &[Certificate],
            root: &Certificate,
        ) -> Result<Vec<Certificate>, TspError> {
            build_chain(leaf, pool, &TrustAnchors::new(vec![root.clone()]))
        }

        #[test]
        fn an_intermediate_must_be_a_ca_that_may_sign_certificates_with_room_below_it() {
            let (root, root_issuer) = ca("Root", None, None);
            let (good, good_issuer) = ca("Good Intermediate", Some(&root_issuer), None);
            let (leaf, _) = issuer("Signer", IsCa::NoCa, vec![Ku::DigitalSignature], Some(&good_issuer));
            assert_eq!(chain_of(&leaf, std::slice::from_ref(&good), &root).unwrap().len(), 3);

            let (no_sign, no_sign_issuer) =
                issuer("Sealing Only", IsCa::Ca(Bc::Unconstrained), vec![Ku::DigitalSignature], Some(&root_issuer));
            let (leaf, _) = issuer("Signer", IsCa::NoCa, vec![Ku::DigitalSignature], Some(&no_sign_issuer));
            let e = chain_of(&leaf, &[no_sign], &root).unwrap_err();
            assert!(e.to_string().contains("keyCertSign"), "{e}");

            let (not_ca, not_ca_issuer) =
                issuer("End Entity", IsCa::ExplicitNoCa, vec![Ku::KeyCertSign], Some(&root_issuer));
            let (leaf, _) = issuer("Signer", IsCa::NoCa, vec![Ku::DigitalSignature], Some(&not_ca_issuer));
            let e = chain_of(&leaf, &[not_ca], &root).unwrap_err();
            assert!(e.to_string().contains("not a CA"), "{e}");

            let (zero, zero_issuer) = ca("No Sub-CAs", Some(&root_issuer), Some(0));
            let (sub, sub_issuer) = ca("Sub-CA", Some(&zero_issuer), None);
            let (leaf, _) = issuer("Signer", IsCa::NoCa, vec![Ku::DigitalSignature], Some(&sub_issuer));
            let e = chain_of(&leaf, &[zero.clone(), sub], &root).unwrap_err();
            assert!(e.to_string().contains("allows 0 intermediate"), "{e}");
            let (leaf, _) = issuer("Signer", IsCa::NoCa, vec![Ku::DigitalSignature], Some(&zero_issuer));
            assert_eq!(chain_of(&leaf, &[zero], &root).unwrap().len(), 3);
        }
    }
}
