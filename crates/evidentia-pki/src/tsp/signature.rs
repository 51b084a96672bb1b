//! Signature checks with ring: RSA (PKCS #1 v1.5 and PSS), ECDSA P-256/P-384 and Ed25519, as
//! named by CMS and X.509 algorithm identifiers.

use der::Decode;
use der::asn1::ObjectIdentifier;
use ring::signature::{self as sig, VerificationAlgorithm};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

use super::TspError;
use super::asn1::oid;

/// Which digest a signature covers, for algorithm identifiers that do not say it themselves
/// (`rsaEncryption` and `id-ecPublicKey` in CMS SignerInfos).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigDigest {
    /// SHA-1 (legacy, for reading others' signatures).
    Sha1,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl SigDigest {
    /// The digest an object identifier names, if it is one of these.
    pub fn from_oid(o: &ObjectIdentifier) -> Option<Self> {
        match *o {
            oid::SHA1 => Some(Self::Sha1),
            oid::SHA256 => Some(Self::Sha256),
            oid::SHA384 => Some(Self::Sha384),
            oid::SHA512 => Some(Self::Sha512),
            _ => None,
        }
    }

    /// The digest of `data`.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        let algo = match self {
            Self::Sha1 => &ring::digest::SHA1_FOR_LEGACY_USE_ONLY,
            Self::Sha256 => &ring::digest::SHA256,
            Self::Sha384 => &ring::digest::SHA384,
            Self::Sha512 => &ring::digest::SHA512,
        };
        ring::digest::digest(algo, data).as_ref().to_vec()
    }
}

/// RSASSA-PSS-params, reading only the hash (RFC 4055 §3.1).
#[derive(Clone, Debug, Eq, PartialEq, der::Sequence)]
struct PssParams {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    hash: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    mask_gen: Option<der::Any>,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    salt_length: Option<u32>,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    trailer: Option<u32>,
}

/// Verifies `signature` over `message` with the key in `spki`, using the signature algorithm
/// `algorithm`; `digest_hint` is the digest for identifiers that only name the key type.
pub fn verify_signature(
    spki: &SubjectPublicKeyInfoOwned,
    algorithm: &AlgorithmIdentifierOwned,
    digest_hint: Option<SigDigest>,
    message: &[u8],
    signature: &[u8],
) -> Result<(), TspError> {
    let unsupported = || TspError::UnsupportedAlgorithm(format!("{} (key {})", algorithm.oid, spki.algorithm.oid));
    let key = spki.subject_public_key.as_bytes().ok_or_else(unsupported)?;
    let rsa = |d: Option<SigDigest>| -> Option<&'static dyn VerificationAlgorithm> {
        Some(match d? {
            SigDigest::Sha1 => &sig::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY,
            SigDigest::Sha256 => &sig::RSA_PKCS1_2048_8192_SHA256,
            SigDigest::Sha384 => &sig::RSA_PKCS1_2048_8192_SHA384,
            SigDigest::Sha512 => &sig::RSA_PKCS1_2048_8192_SHA512,
        })
    };
    let curve = spki.algorithm.parameters.as_ref().and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
    let ecdsa = |d: Option<SigDigest>| -> Option<&'static dyn VerificationAlgorithm> {
        Some(match (curve?, d?) {
            (oid::P256, SigDigest::Sha256) => &sig::ECDSA_P256_SHA256_ASN1,
            (oid::P256, SigDigest::Sha384) => &sig::ECDSA_P256_SHA384_ASN1,
            (oid::P384, SigDigest::Sha256) => &sig::ECDSA_P384_SHA256_ASN1,
            (oid::P384, SigDigest::Sha384) => &sig::ECDSA_P384_SHA384_ASN1,
            _ => return None,
        })
    };
    let chosen: Option<&'static dyn VerificationAlgorithm> = match algorithm.oid {
        oid::RSA_ENCRYPTION => rsa(digest_hint),
        oid::SHA1_WITH_RSA => rsa(Some(SigDigest::Sha1)),
        oid::SHA256_WITH_RSA => rsa(Some(SigDigest::Sha256)),
        oid::SHA384_WITH_RSA => rsa(Some(SigDigest::Sha384)),
        oid::SHA512_WITH_RSA => rsa(Some(SigDigest::Sha512)),
        oid::RSA_PSS => {
            let params =
                algorithm.parameters.as_ref().and_then(|p| PssParams::from_der(&der::Encode::to_der(p).ok()?).ok());
            let hash =
                params.and_then(|p| p.hash).map(|h| SigDigest::from_oid(&h.oid)).unwrap_or(Some(SigDigest::Sha1));
            match hash {
                Some(SigDigest::Sha256) => Some(&sig::RSA_PSS_2048_8192_SHA256),
                Some(SigDigest::Sha384) => Some(&sig::RSA_PSS_2048_8192_SHA384),
                Some(SigDigest::Sha512) => Some(&sig::RSA_PSS_2048_8192_SHA512),
                _ => None,
            }
        }
        oid::EC_PUBLIC_KEY => ecdsa(digest_hint),
        oid::ECDSA_SHA256 => ecdsa(Some(SigDigest::Sha256)),
        oid::ECDSA_SHA384 => ecdsa(Some(SigDigest::Sha384)),
        oid::ED25519 => Some(&sig::ED25519),
        _ => None,
    };
    let chosen = chosen.ok_or_else(unsupported)?;
    sig::UnparsedPublicKey::new(chosen, key).verify(message, signature).map_err(|_| TspError::SignatureInvalid)
}

/// An RSA key's modulus length in bits, for an `rsaEncryption` key.
pub fn rsa_bits(spki: &SubjectPublicKeyInfoOwned) -> Option<u32> {
    if spki.algorithm.oid != oid::RSA_ENCRYPTION {
        return None;
    }
    let key = crate::ber::parse(spki.subject_public_key.as_bytes()?).ok()?;
    let crate::ber::Body::Primitive(n) = &key.children()?.first()?.body else { return None };
    let n: &[u8] = n;
    let n = &n[n.iter().take_while(|b| **b == 0).count()..];
    let first = *n.first()?;
    Some((n.len() as u32 - 1) * 8 + (8 - first.leading_zeros()))
}

/// The date from which a key of this kind and size is no longer trusted for signatures, per ETSI
/// TS 119 312 v1.5.1 as EU DSS's default policy applies it; `None` when it is trusted today.
pub fn key_sunset(spki: &SubjectPublicKeyInfoOwned) -> Option<&'static str> {
    match rsa_bits(spki)? {
        0..786 => Some("2010-08-01"),
        786..1900 => Some("2019-10-01"),
        _ => None,
    }
}

/// Verifies an RSA PKCS #1 v1.5 signature by a key shorter than 2048 bits (at least 1024), which
/// [`verify_signature`] refuses: the mathematics only. Whether such a key is still trusted is
/// [`key_sunset`]'s answer, judged against the proven time of signing.
pub fn verify_weak_rsa(
    spki: &SubjectPublicKeyInfoOwned,
    algorithm: &AlgorithmIdentifierOwned,
    digest_hint: Option<SigDigest>,
    message: &[u8],
    signature: &[u8],
) -> Result<(), TspError> {
    let unsupported = || TspError::UnsupportedAlgorithm(format!("{} (key {})", algorithm.oid, spki.algorithm.oid));
    let digest = match algorithm.oid {
        oid::RSA_ENCRYPTION => digest_hint,
        oid::SHA1_WITH_RSA => Some(SigDigest::Sha1),
        oid::SHA256_WITH_RSA => Some(SigDigest::Sha256),
        oid::SHA512_WITH_RSA => Some(SigDigest::Sha512),
        _ => None,
    };
    let chosen: &'static dyn VerificationAlgorithm = match digest.ok_or_else(unsupported)? {
        SigDigest::Sha1 => &sig::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY,
        SigDigest::Sha256 => &sig::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
        SigDigest::Sha512 => &sig::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY,
        SigDigest::Sha384 => return Err(unsupported()),
    };
    if rsa_bits(spki).is_none_or(|bits| bits >= 2048) {
        return Err(TspError::SignatureInvalid);
    }
    let key = spki.subject_public_key.as_bytes().ok_or_else(unsupported)?;
    sig::UnparsedPublicKey::new(chosen, key).verify(message, signature).map_err(|_| TspError::SignatureInvalid)
}
