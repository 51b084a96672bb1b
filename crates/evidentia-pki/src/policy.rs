//! The validation policy signatures and time-stamps are judged by, and the checks that apply it:
//! an untrusted root cannot be decided (INDETERMINATE), anything else wrong fails.

use serde::Serialize;

use crate::cades_verify::{self, SignatureError, VerifyError};
use crate::check::{Check, CheckName};
use crate::digest::DigestAlgorithm;
use crate::subject::InputError;
use crate::tsp::{TimestampPolicy, TrustAnchors, TspError};

/// The rules signatures and time-stamps are judged by. Reports state the policy they used.
#[derive(Debug, Clone, Default)]
pub struct SignaturePolicy {
    /// Roots TSA and signer certificates must chain to.
    pub trust: TrustAnchors,
    /// Where those roots came from, in words.
    pub trust_sources: Vec<String>,
    /// Whether a self-signed signer passes (its certificate trusted as its own root).
    pub accept_self_signed: bool,
    /// Certificates besides those each signature carries, to build chains with (a PDF's DSS,
    /// `--cert` files).
    pub extra_certificates: Vec<x509_cert::Certificate>,
    /// Revocation data besides what each signature carries (fetched with `--online`).
    pub revocation: crate::revocation_data::RevocationSources,
    /// Whether revocation data was fetched.
    pub revocation_fetched: bool,
    /// Signer certificates' revocation is not checked (the report says so).
    pub skip_revocation: bool,
}

/// A policy as a report states it.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyUsed {
    /// Where the trusted roots came from.
    pub trust: Vec<String>,
    /// Whether self-signed signers pass.
    pub accept_self_signed: bool,
    /// Where revocation data came from.
    pub revocation: String,
    /// When the validation ran (the time a signature without a trusted time-stamp is checked at).
    pub validation_time: String,
    /// `offline`, or the node anchor blocks were confirmed with.
    pub chain: String,
    /// Confirmations required when online.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirmations: Option<u64>,
}

impl SignaturePolicy {
    /// What a report says about this policy, with no chain node asked.
    pub fn used(&self) -> PolicyUsed {
        PolicyUsed {
            trust: self.trust_sources.clone(),
            accept_self_signed: self.accept_self_signed,
            revocation: if self.skip_revocation {
                "not checked"
            } else if self.revocation_fetched {
                "carried by the signatures and the document, and fetched from the addresses the certificates name"
            } else {
                "carried by the signatures and the document only (offline)"
            }
            .into(),
            validation_time: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            chain: "offline".into(),
            confirmations: None,
        }
    }
}

/// The time-stamp policy of a signature policy: its trusted roots.
pub fn tsp_policy(policy: &SignaturePolicy) -> TimestampPolicy {
    TimestampPolicy {
        trust: policy.trust.clone(),
        revocation: policy.revocation.clone(),
        extra_certificates: policy.extra_certificates.clone(),
        revocation_fetched: policy.revocation_fetched,
        skip_revocation: policy.skip_revocation,
        ..TimestampPolicy::default()
    }
}

/// A time-stamp's verdict: an untrusted root cannot be decided, anything else wrong fails.
pub fn timestamp_verdict(check: CheckName, subject: &str, e: &TspError) -> Check {
    match e {
        TspError::UntrustedRoot(_)
        | TspError::UnsupportedAlgorithm(_)
        | TspError::CryptoConstraints { .. }
        | TspError::SignerCertificateMissing
        | TspError::SignerNotIdentified => Check::indeterminate(check, subject, e.code(), e.to_string()),
        _ => Check::failed(check, subject, e.code(), e.to_string()),
    }
}

/// A detached CAdES signature over content whose digest by algorithm `digest_of` gives: the check,
/// and what the signature established when it passed.
pub fn signature_check_with(
    check: CheckName,
    subject: &str,
    p7s: &[u8],
    digest_of: &dyn Fn(DigestAlgorithm) -> Result<Vec<u8>, InputError>,
    policy: &SignaturePolicy,
) -> (Check, Option<cades_verify::VerifiedSignature>) {
    let mut ts_policy = tsp_policy(policy);
    let mut outcome = cades_verify::verify_detached(p7s, digest_of, &ts_policy);
    let self_signed_note;
    if let Err(VerifyError::Signature(SignatureError::UntrustedRoot(_))) = &outcome
        && policy.accept_self_signed
    {
        let own: Vec<_> = cades_verify::embedded_certificates(p7s)
            .into_iter()
            .filter(|c| c.tbs_certificate.subject == c.tbs_certificate.issuer)
            .collect();
        ts_policy.trust.extend(own);
        // Only the signer's own certificate may be accepted as its root: a CA root that merely
        // travels inside the signature vouches for nothing.
        if let Ok(v) = cades_verify::verify_detached(p7s, digest_of, &ts_policy)
            && v.self_signed
        {
            outcome = Ok(v);
        }
        self_signed_note = "; self-signed, accepted by the policy";
    } else {
        self_signed_note = "";
    }
    match outcome {
        Ok(v) => {
            let s = &v.signer;
            let time = v
                .timestamp
                .as_ref()
                .map(|t| format!(", time-stamped {} by {}", t.gen_time.to_rfc3339(), t.tsa_subject))
                .unwrap_or_default();
            let self_signed =
                if v.self_signed && self_signed_note.is_empty() { "; self-signed" } else { self_signed_note };
            let warnings: String = v.warnings.iter().map(|w| format!("; {w}")).collect();
            let revocation: String = v.revocation.iter().map(|r| format!("; {r}")).collect();
            let algorithm = v.signature_algorithm.as_ref().map(|a| format!("{a}; ")).unwrap_or_default();
            let c = Check::passed(
                check,
                subject,
                format!(
                    "{} by {} ({algorithm}issuer {}, serial {}, valid {} to {}){self_signed}{time}{revocation}{warnings}",
                    v.level, s.subject, s.issuer, s.serial, s.not_before, s.not_after
                ),
            );
            (c, Some(v))
        }
        Err(e) => {
            let code = e.code();
            let c = if code == "NO_TRUSTED_ROOT" {
                Check::indeterminate(
                    check,
                    subject,
                    code,
                    format!(
                        "{e} (add the signer's root with --trust, or accept self-signed signers){}",
                        // The chain is judged after the signature's mathematics, which passed.
                        cades_verify::signer_algorithm(p7s)
                            .map(|a| format!("; the signature itself verifies: {a}"))
                            .unwrap_or_default()
                    ),
                )
            } else if code == "UNSUPPORTED_ALGORITHM"
                || code == "UNSUPPORTED_FORMAT"
                || code == "CRYPTO_CONSTRAINTS"
                || code == "REVOKED_NO_POE"
                || code == "REVOCATION_MISSING"
                // The signature names a certificate no one supplied: it cannot be checked (EU DSS's
                // NO_SIGNING_CERTIFICATE_FOUND), which is not to say it is broken.
                || code == "SIGNER_CERT_NOT_FOUND"
                // A signer's key usage outside what the policy accepts: ETSI EN 319 102-1's
                // INDETERMINATE SIG_CONSTRAINTS_FAILURE, as EU DSS reports it.
                || code == "SIG_CONSTRAINTS_FAILURE"
                || matches!(&e, VerifyError::Signature(SignatureError::CertificateNotValidAtTime { proven: false, .. }))
            {
                // Not judged here is not broken: as EU DSS says, INDETERMINATE, naming the algorithm.
                Check::indeterminate(check, subject, code, e.to_string())
            } else {
                Check::failed(check, subject, code, e.to_string())
            };
            (c, None)
        }
    }
}
