//! RFC 3161 time-stamps without a network: building requests, parsing responses and tokens, and
//! verifying any token under an explicit policy. The transport lives in `evidentia-net`.
//!
//! The order is fixed: request → (send) → parse into a [`TimestampToken`] → [`verify()`].

pub mod asn1;
mod request;
pub mod signature;
mod time;
mod token;
mod trust;
pub mod verify;

use std::path::PathBuf;

use serde::Serialize;

pub use request::TimestampRequest;
pub use time::parse_generalized_time;
pub use token::TimestampToken;
pub use trust::{TrustAnchors, load_certificates};
pub use verify::{Expectation, TimestampPolicy, VerifiedTimestamp, verify};

/// Why a time-stamp could not be obtained or is not accepted. Each verification failure has its
/// own variant and [`TspError::code`], so callers and reports can tell them apart.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum TspError {
    /// The TSA could not be reached at all.
    #[error("TSA {url}: cannot connect ({detail}); check the address and the network")]
    Unreachable {
        /// The TSA.
        url: String,
        /// What the transport said.
        detail: String,
    },
    /// The TSA did not answer in time.
    #[error("TSA {url}: no answer within {secs} s")]
    Timeout {
        /// The TSA.
        url: String,
        /// The timeout.
        secs: u64,
    },
    /// The TSA answered with an HTTP error.
    #[error("TSA {url}: HTTP status {status}")]
    HttpStatus {
        /// The TSA.
        url: String,
        /// The status code.
        status: u16,
    },
    /// The TSA was skipped because it failed earlier in this run.
    #[error("TSA {url}: skipped, it failed earlier in this run ({reason})")]
    SkippedDown {
        /// The TSA.
        url: String,
        /// The earlier failure.
        reason: String,
    },
    /// The bytes are not a DER time-stamp response or token.
    #[error("not a valid RFC 3161 time-stamp: {0}")]
    Malformed(String),
    /// The TSA refused to time-stamp.
    #[error("the TSA refused the request: status {status}{detail}")]
    Rejected {
        /// PKIStatus value.
        status: u8,
        /// statusString and failInfo, if any.
        detail: String,
    },
    /// The token time-stamps another digest than the one expected.
    #[error("the time-stamp is for another digest (expected {expected}, token has {found})")]
    ImprintMismatch {
        /// Expected digest, hex.
        expected: String,
        /// The token's, hex.
        found: String,
    },
    /// The token used another hash algorithm than the one requested.
    #[error("the time-stamp uses hash algorithm {found}, not the requested {expected}")]
    AlgorithmMismatch {
        /// Requested.
        expected: String,
        /// In the token.
        found: String,
    },
    /// The token's nonce is not the request's.
    #[error("the time-stamp's nonce does not match the request (a replayed or misdirected answer)")]
    NonceMismatch,
    /// A hash or signature algorithm that Evidentia cannot check.
    #[error("unsupported algorithm {0}")]
    UnsupportedAlgorithm(String),
    /// The TSA's signature holds, but by a key no longer trusted for signatures (ETSI TS 119 312).
    #[error("the TSA's signature holds, but {algorithm} is not trusted for signatures since {since} (ETSI TS 119 312)")]
    CryptoConstraints {
        /// The key, in words (`an RSA 1024-bit key`).
        algorithm: String,
        /// From when it is no longer trusted (`YYYY-MM-DD`).
        since: &'static str,
    },
    /// The signed attributes do not match the TSTInfo (content-type or message-digest).
    #[error("the token's signed attributes do not match its content ({0}): it was altered")]
    ContentMismatch(String),
    /// The CMS signature does not verify with the TSA certificate.
    #[error("the TSA's signature does not verify: the token was altered or signed by another key")]
    SignatureInvalid,
    /// The signer's certificate is neither embedded nor supplied.
    #[error("the TSA certificate is not in the token; supply it (for example --cert tsa.pem)")]
    SignerCertificateMissing,
    /// The signer identifier and the signing-certificate attribute name different certificates,
    /// and the one identified does not verify the signature.
    #[error(
        "the token's signer identifier and its signing-certificate attribute name different certificates, and the one identified does not verify it: which certificate signed cannot be told"
    )]
    SignerNotIdentified,
    /// ESSCertID/ESSCertIDv2 is missing or names another certificate.
    #[error("the token does not bind the TSA certificate (signing-certificate attribute {0})")]
    CertificateBindingInvalid(String),
    /// The TSA certificate lacks the critical timeStamping extended key usage.
    #[error("the TSA certificate {subject} is not a time-stamping certificate ({problem})")]
    NotATimestampingCertificate {
        /// Certificate subject.
        subject: String,
        /// What is wrong with its extended key usage.
        problem: &'static str,
    },
    /// No path from the TSA certificate to a trusted root.
    #[error(
        "the TSA certificate does not chain to a trusted root ({0}); add the TSA's root with --trust or EVIDENTIA_TSA_TRUST"
    )]
    UntrustedRoot(String),
    /// A certificate on the path was not valid at genTime.
    #[error(
        "certificate {subject} was not valid at the time-stamp's time {gen_time} (valid {not_before} to {not_after})"
    )]
    CertificateNotValidAtTime {
        /// Certificate subject.
        subject: String,
        /// Its notBefore.
        not_before: String,
        /// Its notAfter.
        not_after: String,
        /// The token's genTime.
        gen_time: String,
    },
    /// The TSA used another policy than the required one.
    #[error("the time-stamp was issued under policy {found}, not the required {expected}")]
    PolicyMismatch {
        /// Required.
        expected: String,
        /// In the token.
        found: String,
    },
    /// No TSA is configured.
    #[error("no TSA configured; set EVIDENTIA_TSA or the profile's [tsa] urls")]
    NoTsaConfigured,
    /// A trust or certificate file cannot be used.
    #[error("certificate file {}: {reason}", path.display())]
    CertificateFile {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// Every configured TSA failed; each failure is listed.
    #[error("no TSA gave a valid time-stamp: {}", summary(.0))]
    AllFailed(Vec<TsaAttempt>),
}

/// One TSA that failed, and why.
#[derive(Debug, Clone)]
pub struct TsaAttempt {
    /// The TSA.
    pub url: String,
    /// Why it failed.
    pub error: TspError,
}

impl Serialize for TsaAttempt {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("TsaAttempt", 3)?;
        st.serialize_field("url", &self.url)?;
        st.serialize_field("code", self.error.code())?;
        st.serialize_field("message", &self.error.to_string())?;
        st.end()
    }
}

fn summary(attempts: &[TsaAttempt]) -> String {
    attempts.iter().map(|a| a.error.to_string()).collect::<Vec<_>>().join("; ")
}

impl TspError {
    /// A short stable code, in the spirit of ETSI EN 319 102-1 sub-indications.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unreachable { .. } => "TSA_UNREACHABLE",
            Self::Timeout { .. } => "TSA_TIMEOUT",
            Self::HttpStatus { .. } => "TSA_HTTP_ERROR",
            Self::SkippedDown { .. } => "TSA_UNREACHABLE",
            Self::Malformed(_) => "TSP_MALFORMED",
            Self::Rejected { .. } => "TSA_REJECTED",
            Self::ImprintMismatch { .. } => "IMPRINT_MISMATCH",
            Self::AlgorithmMismatch { .. } => "HASH_ALGORITHM_MISMATCH",
            Self::NonceMismatch => "NONCE_MISMATCH",
            Self::UnsupportedAlgorithm(_) => "UNSUPPORTED_ALGORITHM",
            Self::CryptoConstraints { .. } => "CRYPTO_CONSTRAINTS",
            Self::ContentMismatch(_) => "TST_CONTENT_MISMATCH",
            Self::SignatureInvalid => "SIG_CRYPTO_FAILURE",
            Self::SignerCertificateMissing | Self::SignerNotIdentified => "SIGNER_CERT_NOT_FOUND",
            Self::CertificateBindingInvalid(_) => "SIGNER_CERT_BINDING",
            Self::NotATimestampingCertificate { .. } => "TSA_CERT_NOT_TIMESTAMPING",
            Self::UntrustedRoot(_) => "NO_TRUSTED_ROOT",
            Self::CertificateNotValidAtTime { .. } => "CERT_EXPIRED_AT_GENTIME",
            Self::PolicyMismatch { .. } => "POLICY_MISMATCH",
            Self::NoTsaConfigured => "NO_TSA_CONFIGURED",
            Self::CertificateFile { .. } => "CERT_FILE_INVALID",
            Self::AllFailed(_) => "TSA_ALL_FAILED",
        }
    }

    /// Whether the TSA could not be reached (as opposed to answering something unacceptable).
    pub fn is_transport(&self) -> bool {
        matches!(
            self,
            Self::Unreachable { .. } | Self::Timeout { .. } | Self::HttpStatus { .. } | Self::SkippedDown { .. }
        )
    }
}

/// Hash algorithms a time-stamp request may use, with their object identifiers.
pub fn digest_oid(algo: evidentia_formats::digest::DigestAlgorithm) -> der::asn1::ObjectIdentifier {
    use der::asn1::ObjectIdentifier as Oid;
    use evidentia_formats::digest::DigestAlgorithm::*;
    match algo {
        Sha256 => asn1::oid::SHA256,
        Sha384 => asn1::oid::SHA384,
        Sha512 => asn1::oid::SHA512,
        Sm3 => asn1::oid::SM3,
        Sha1 => asn1::oid::SHA1,
        Sha224 => Oid::new_unwrap("2.16.840.1.101.3.4.2.4"),
        Sha3_224 => Oid::new_unwrap("2.16.840.1.101.3.4.2.7"),
        Sha3_256 => Oid::new_unwrap("2.16.840.1.101.3.4.2.8"),
        Sha3_384 => Oid::new_unwrap("2.16.840.1.101.3.4.2.9"),
        Sha3_512 => Oid::new_unwrap("2.16.840.1.101.3.4.2.10"),
        Shake256 => Oid::new_unwrap("2.16.840.1.101.3.4.2.12"),
    }
}

/// The digest algorithm an object identifier names, if Evidentia has it (sealable or read only).
pub fn digest_from_oid(oid: &der::asn1::ObjectIdentifier) -> Option<evidentia_formats::digest::DigestAlgorithm> {
    evidentia_formats::digest::DigestAlgorithm::READ.into_iter().find(|a| digest_oid(*a) == *oid)
}

/// The digest algorithm an algorithm identifier names, reading id-shake256-len (RFC 8702, as
/// CMS signatures by Ed448 keys name their digest) as SHAKE256 only at 512 bits of output.
pub fn digest_from_identifier(
    a: &spki::AlgorithmIdentifierOwned,
) -> Option<evidentia_formats::digest::DigestAlgorithm> {
    const SHAKE256_LEN: der::asn1::ObjectIdentifier =
        der::asn1::ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.18");
    if a.oid == SHAKE256_LEN {
        let bits = a.parameters.as_ref()?.decode_as::<u32>().ok()?;
        return (bits == 512).then_some(evidentia_formats::digest::DigestAlgorithm::Shake256);
    }
    digest_from_oid(&a.oid)
}
