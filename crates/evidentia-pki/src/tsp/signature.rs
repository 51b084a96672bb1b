//! Signature checks as named by CMS and X.509 algorithm identifiers: RSA PKCS #1 v1.5 and
//! RSASSA-PSS with SHA-1, SHA-2 and SHA-3; ECDSA (DER or BSI TR-03111 plain) on P-256, P-384,
//! P-521, brainpoolP256r1 and brainpoolP384r1; Ed25519 and Ed448; SM2 with SM3. ring does the
//! mathematics where it has the scheme, RustCrypto's crates where it does not.

use der::Decode;
use der::asn1::ObjectIdentifier;
use ring::signature::{self as sig, VerificationAlgorithm};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

use super::TspError;
use super::asn1::oid;
use crate::digest::DigestAlgorithm;

/// The digest a signature covers, for algorithm identifiers that do not say it themselves
/// (`rsaEncryption` and `id-ecPublicKey` in CMS SignerInfos): the SignerInfo's digest algorithm.
pub type SigDigest = DigestAlgorithm;

/// Object identifiers of signature schemes and curves that only this module needs.
mod ids {
    use der::asn1::ObjectIdentifier as Oid;

    pub const MD5: Oid = Oid::new_unwrap("1.2.840.113549.2.5");
    pub const MD5_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.4");
    pub const SHA224_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.14");
    pub const RSA_SHA3_224: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.3.13");
    pub const RSA_SHA3_256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.3.14");
    pub const RSA_SHA3_384: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.3.15");
    pub const RSA_SHA3_512: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.3.16");
    pub const ECDSA_SHA1: Oid = Oid::new_unwrap("1.2.840.10045.4.1");
    pub const ECDSA_SHA224: Oid = Oid::new_unwrap("1.2.840.10045.4.3.1");
    pub const ECDSA_SHA512: Oid = Oid::new_unwrap("1.2.840.10045.4.3.4");
    pub const ECDSA_SHA3_224: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.3.9");
    pub const ECDSA_SHA3_256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.3.10");
    pub const ECDSA_SHA3_384: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.3.11");
    pub const ECDSA_SHA3_512: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.3.12");
    /// BSI TR-03111 ecdsa-plain-signatures: the arc, then SHA1 .1, SHA224 .2, SHA256 .3, SHA384
    /// .4, SHA512 .5, RIPEMD160 .6, SHA3-224 .7, SHA3-256 .8, SHA3-384 .9, SHA3-512 .10.
    pub const PLAIN_ECDSA_ARC: &str = "0.4.0.127.0.7.1.1.4.1";
    pub const ED448: Oid = Oid::new_unwrap("1.3.101.113");
    pub const P521: Oid = Oid::new_unwrap("1.3.132.0.35");
    pub const BRAINPOOL_P256R1: Oid = Oid::new_unwrap("1.3.36.3.3.2.8.1.1.7");
    pub const BRAINPOOL_P384R1: Oid = Oid::new_unwrap("1.3.36.3.3.2.8.1.1.11");
    pub const BRAINPOOL_P512R1: Oid = Oid::new_unwrap("1.3.36.3.3.2.8.1.1.13");
    /// Curve sm2p256v1 (GM/T 0006), also written as an SM2 key's own algorithm.
    pub const SM2: Oid = Oid::new_unwrap("1.2.156.10197.1.301");
    /// SM2-with-SM3 (GM/T 0006).
    pub const SM2_WITH_SM3: Oid = Oid::new_unwrap("1.2.156.10197.1.501");
    /// sm2sign (GM/T 0006 1.2.156.10197.1.301.1), the SM2 signature scheme as some producers name it.
    pub const SM2_SIGN: Oid = Oid::new_unwrap("1.2.156.10197.1.301.1");
}

/// SM2 distinguishing IDs tried in turn: GM/T 0009's default, then the empty one some producers
/// (OpenSSL 3 by default) hash.
const SM2_DIST_IDS: [&str; 2] = ["1234567812345678", ""];

/// What a signature algorithm identifier (with the key's) names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scheme {
    /// RSA PKCS #1 v1.5 over a digest.
    RsaPkcs1(DigestAlgorithm),
    /// RSASSA-PSS (MGF1 with the same digest) with a salt length.
    RsaPss(DigestAlgorithm, usize),
    /// ECDSA over a digest; `plain` when the signature is r‖s (BSI TR-03111), not DER.
    Ecdsa { curve: ObjectIdentifier, digest: DigestAlgorithm, plain: bool },
    /// Ed25519 (RFC 8032, pure).
    Ed25519,
    /// Ed448 (RFC 8032, pure, empty context).
    Ed448,
    /// SM2 with SM3 over Z ‖ message (GM/T 0003, GM/T 0009).
    Sm2,
}

/// RSASSA-PSS-params, reading the hash and the salt length (RFC 4055 §3.1).
#[derive(Clone, Debug, Eq, PartialEq, der::Sequence)]
struct PssParams {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    hash: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    mask_gen: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    salt_length: Option<u32>,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    trailer: Option<u32>,
}

/// The digest algorithm an identifier names, as a scheme's digest.
fn digest_of(o: &ObjectIdentifier) -> Option<DigestAlgorithm> {
    super::digest_from_oid(o)
}

/// Resolves the scheme; `Err` carries what is not known here, in words.
fn scheme(
    spki: &SubjectPublicKeyInfoOwned,
    algorithm: &AlgorithmIdentifierOwned,
    digest_hint: Option<DigestAlgorithm>,
) -> Result<Scheme, String> {
    let unknown = || format!("{} (key {})", algorithm.oid, spki.algorithm.oid);
    let hint = || digest_hint.ok_or_else(unknown);
    let curve =
        || spki.algorithm.parameters.as_ref().and_then(|p| p.decode_as::<ObjectIdentifier>().ok()).ok_or_else(unknown);
    let ecdsa = |digest: DigestAlgorithm, plain: bool| Ok(Scheme::Ecdsa { curve: curve()?, digest, plain });
    use DigestAlgorithm as D;
    let o = algorithm.oid;
    if o == ids::MD5_WITH_RSA {
        return Err("md5WithRSAEncryption".into());
    }
    if let Some(n) = o.to_string().strip_prefix(ids::PLAIN_ECDSA_ARC).and_then(|r| r.strip_prefix('.')) {
        let digest = match n {
            "1" => D::Sha1,
            "2" => D::Sha224,
            "3" => D::Sha256,
            "4" => D::Sha384,
            "5" => D::Sha512,
            "7" => D::Sha3_224,
            "8" => D::Sha3_256,
            "9" => D::Sha3_384,
            "10" => D::Sha3_512,
            _ => return Err(unknown()),
        };
        return ecdsa(digest, true);
    }
    // An SM2 key (its own algorithm identifier, or id-ecPublicKey on sm2p256v1) signs with SM3,
    // whether the signer names SM2-with-SM3, the key or id-ecPublicKey.
    let sm2_key =
        spki.algorithm.oid == ids::SM2 || (spki.algorithm.oid == oid::EC_PUBLIC_KEY && curve().ok() == Some(ids::SM2));
    if o == ids::SM2_WITH_SM3 || o == ids::SM2_SIGN || (sm2_key && (o == ids::SM2 || o == oid::EC_PUBLIC_KEY)) {
        return if sm2_key { Ok(Scheme::Sm2) } else { Err(unknown()) };
    }
    match o {
        oid::RSA_ENCRYPTION => Ok(Scheme::RsaPkcs1(hint()?)),
        oid::SHA1_WITH_RSA => Ok(Scheme::RsaPkcs1(D::Sha1)),
        ids::SHA224_WITH_RSA => Ok(Scheme::RsaPkcs1(D::Sha224)),
        oid::SHA256_WITH_RSA => Ok(Scheme::RsaPkcs1(D::Sha256)),
        oid::SHA384_WITH_RSA => Ok(Scheme::RsaPkcs1(D::Sha384)),
        oid::SHA512_WITH_RSA => Ok(Scheme::RsaPkcs1(D::Sha512)),
        ids::RSA_SHA3_224 => Ok(Scheme::RsaPkcs1(D::Sha3_224)),
        ids::RSA_SHA3_256 => Ok(Scheme::RsaPkcs1(D::Sha3_256)),
        ids::RSA_SHA3_384 => Ok(Scheme::RsaPkcs1(D::Sha3_384)),
        ids::RSA_SHA3_512 => Ok(Scheme::RsaPkcs1(D::Sha3_512)),
        oid::RSA_PSS => {
            let params = match algorithm.parameters.as_ref() {
                Some(p) => {
                    Some(PssParams::from_der(&der::Encode::to_der(p).map_err(|_| unknown())?).map_err(|_| unknown())?)
                }
                None => None,
            };
            let hash = match params.as_ref().and_then(|p| p.hash.as_ref()) {
                Some(h) => digest_of(&h.oid).ok_or_else(unknown)?,
                None => D::Sha1,
            };
            // MGF1 with another digest than the message's is legal but unseen; not judged here.
            if let Some(mgf) = params.as_ref().and_then(|p| p.mask_gen.as_ref()) {
                let mgf_hash = mgf
                    .parameters
                    .as_ref()
                    .and_then(|p| p.decode_as::<AlgorithmIdentifierOwned>().ok())
                    .and_then(|a| digest_of(&a.oid));
                if mgf_hash != Some(hash) {
                    return Err(format!("RSASSA-PSS with a mask generation digest other than {hash}"));
                }
            }
            let salt = params.as_ref().and_then(|p| p.salt_length).unwrap_or(20);
            Ok(Scheme::RsaPss(hash, salt as usize))
        }
        oid::EC_PUBLIC_KEY => ecdsa(hint()?, false),
        ids::ECDSA_SHA1 => ecdsa(D::Sha1, false),
        ids::ECDSA_SHA224 => ecdsa(D::Sha224, false),
        oid::ECDSA_SHA256 => ecdsa(D::Sha256, false),
        oid::ECDSA_SHA384 => ecdsa(D::Sha384, false),
        ids::ECDSA_SHA512 => ecdsa(D::Sha512, false),
        ids::ECDSA_SHA3_224 => ecdsa(D::Sha3_224, false),
        ids::ECDSA_SHA3_256 => ecdsa(D::Sha3_256, false),
        ids::ECDSA_SHA3_384 => ecdsa(D::Sha3_384, false),
        ids::ECDSA_SHA3_512 => ecdsa(D::Sha3_512, false),
        oid::ED25519 => Ok(Scheme::Ed25519),
        ids::ED448 => Ok(Scheme::Ed448),
        _ => Err(unknown()),
    }
}

/// The digest algorithm a signature algorithm signs with (the hint for those that do not say),
/// `None` for pure EdDSA and unknown schemes.
pub fn signature_digest(
    spki: &SubjectPublicKeyInfoOwned,
    algorithm: &AlgorithmIdentifierOwned,
    digest_hint: Option<DigestAlgorithm>,
) -> Option<DigestAlgorithm> {
    match scheme(spki, algorithm, digest_hint).ok()? {
        Scheme::RsaPkcs1(d) | Scheme::RsaPss(d, _) | Scheme::Ecdsa { digest: d, .. } => Some(d),
        Scheme::Sm2 => Some(DigestAlgorithm::Sm3),
        Scheme::Ed25519 | Scheme::Ed448 => None,
    }
}

/// The signature algorithm in plain words (`SM2 with SM3`, `ECDSA P-256 with SHA-256`,
/// `RSA 3072 (PKCS #1 v1.5) with SHA-256`), `None` for what is not known here.
pub fn describe(
    spki: &SubjectPublicKeyInfoOwned,
    algorithm: &AlgorithmIdentifierOwned,
    digest_hint: Option<DigestAlgorithm>,
) -> Option<String> {
    let plain = |d: DigestAlgorithm| {
        let tag = d.tag();
        match tag.strip_prefix("SHA") {
            Some(bits) if bits.bytes().all(|c| c.is_ascii_digit()) => format!("SHA-{bits}"),
            _ => tag.to_owned(),
        }
    };
    let bits = rsa_bits(spki).map(|b| format!(" {b}")).unwrap_or_default();
    Some(match scheme(spki, algorithm, digest_hint).ok()? {
        Scheme::RsaPkcs1(d) => format!("RSA{bits} (PKCS #1 v1.5) with {}", plain(d)),
        Scheme::RsaPss(d, _) => format!("RSA{bits} (RSASSA-PSS) with {}", plain(d)),
        Scheme::Ecdsa { curve, digest, .. } => {
            let curve = match curve {
                oid::P256 => "P-256".to_owned(),
                oid::P384 => "P-384".to_owned(),
                ids::P521 => "P-521".to_owned(),
                ids::BRAINPOOL_P256R1 => "brainpoolP256r1".to_owned(),
                ids::BRAINPOOL_P384R1 => "brainpoolP384r1".to_owned(),
                other => format!("curve {other}"),
            };
            format!("ECDSA {curve} with {}", plain(digest))
        }
        Scheme::Ed25519 => "Ed25519".into(),
        Scheme::Ed448 => "Ed448".into(),
        Scheme::Sm2 => "SM2 with SM3".into(),
    })
}

/// Which distinguishing ID an SM2 signature over `message` verifies with: GM/T 0009's default
/// `1234567812345678` is tried first, then the empty ID some producers use; `None` when neither does.
pub fn sm2_distinguishing_id(
    spki: &SubjectPublicKeyInfoOwned,
    message: &[u8],
    signature: &[u8],
) -> Option<&'static str> {
    use sm2::dsa::signature::Verifier;
    let key = spki.subject_public_key.as_bytes()?;
    let s = sm2::dsa::Signature::from_der(signature).ok()?;
    SM2_DIST_IDS
        .into_iter()
        .find(|id| sm2::dsa::VerifyingKey::from_sec1_bytes(id, key).is_ok_and(|vk| vk.verify(message, &s).is_ok()))
}

/// Whether an identifier names MD5 (as digest or in md5WithRSAEncryption): refused by policy
/// whatever the mathematics says.
pub fn is_md5(o: &ObjectIdentifier) -> bool {
    *o == ids::MD5 || *o == ids::MD5_WITH_RSA
}

/// Verifies `signature` over `message` with the key in `spki`, using the signature algorithm
/// `algorithm`; `digest_hint` is the digest for identifiers that only name the key type. RSA keys
/// under 2048 bits are refused here ([`verify_weak_rsa`] checks them apart).
pub fn verify_signature(
    spki: &SubjectPublicKeyInfoOwned,
    algorithm: &AlgorithmIdentifierOwned,
    digest_hint: Option<SigDigest>,
    message: &[u8],
    signature: &[u8],
) -> Result<(), TspError> {
    let scheme = scheme(spki, algorithm, digest_hint).map_err(TspError::UnsupportedAlgorithm)?;
    if matches!(scheme, Scheme::RsaPkcs1(_) | Scheme::RsaPss(..)) && rsa_bits(spki).is_some_and(|b| b < 2048) {
        return Err(TspError::SignatureInvalid);
    }
    verify_scheme(spki, scheme, message, signature)
}

fn verify_scheme(
    spki: &SubjectPublicKeyInfoOwned,
    scheme: Scheme,
    message: &[u8],
    signature: &[u8],
) -> Result<(), TspError> {
    let key = spki
        .subject_public_key
        .as_bytes()
        .ok_or_else(|| TspError::UnsupportedAlgorithm(format!("key {} with unused bits", spki.algorithm.oid)))?;
    if let Some(ring_algorithm) = ring_scheme(scheme, rsa_bits(spki)) {
        return sig::UnparsedPublicKey::new(ring_algorithm, key)
            .verify(message, signature)
            .map_err(|_| TspError::SignatureInvalid);
    }
    let bad = |_| TspError::SignatureInvalid;
    match scheme {
        Scheme::RsaPkcs1(d) | Scheme::RsaPss(d, _) => {
            use rsa::pkcs1::DecodeRsaPublicKey;
            let public = rsa::PublicKey::from_pkcs1_der(key).map_err(|_| TspError::SignatureInvalid)?;
            let hashed = d.digest(message);
            let hashed = hashed.as_bytes();
            match scheme {
                Scheme::RsaPss(_, salt) => rsa_pss(&public, d, salt, hashed, signature),
                _ => rsa_pkcs1(&public, d, hashed, signature),
            }
        }
        Scheme::Ecdsa { curve, digest, plain } => {
            ecdsa_prehashed(curve, plain, key, digest.digest(message).as_bytes(), signature)
        }
        Scheme::Ed448 => {
            let key = key.try_into().map_err(|_| TspError::SignatureInvalid)?;
            let vk = ed448_goldilocks::VerifyingKey::from_bytes(&key).map_err(|_| TspError::SignatureInvalid)?;
            let s = ed448_goldilocks::Signature::from_slice(signature).map_err(bad)?;
            vk.verify_raw(&s, message).map_err(|_| TspError::SignatureInvalid)
        }
        Scheme::Ed25519 => Err(TspError::SignatureInvalid),
        Scheme::Sm2 => {
            sm2::dsa::Signature::from_der(signature).map_err(bad)?;
            match sm2_distinguishing_id(spki, message, signature) {
                Some(_) => Ok(()),
                None => Err(TspError::SignatureInvalid),
            }
        }
    }
}

/// Verifies `signature` over a message of which only the digest `prehash` (by the scheme's own
/// digest algorithm) is known, as a SignerInfo without signed attributes over detached content
/// requires: RSA and ECDSA of any key size (the caller judges the size); EdDSA, which signs the
/// message itself, cannot be checked this way.
pub fn verify_prehashed(
    spki: &SubjectPublicKeyInfoOwned,
    algorithm: &AlgorithmIdentifierOwned,
    digest_hint: Option<SigDigest>,
    prehash: &[u8],
    signature: &[u8],
) -> Result<(), TspError> {
    let scheme = scheme(spki, algorithm, digest_hint).map_err(TspError::UnsupportedAlgorithm)?;
    let key = spki
        .subject_public_key
        .as_bytes()
        .ok_or_else(|| TspError::UnsupportedAlgorithm(format!("key {} with unused bits", spki.algorithm.oid)))?;
    match scheme {
        Scheme::RsaPkcs1(d) | Scheme::RsaPss(d, _) => {
            use rsa::pkcs1::DecodeRsaPublicKey;
            let public = rsa::PublicKey::from_pkcs1_der(key).map_err(|_| TspError::SignatureInvalid)?;
            match scheme {
                Scheme::RsaPss(_, salt) => rsa_pss(&public, d, salt, prehash, signature),
                _ => rsa_pkcs1(&public, d, prehash, signature),
            }
        }
        Scheme::Ecdsa { curve, plain, .. } => ecdsa_prehashed(curve, plain, key, prehash, signature),
        Scheme::Ed25519 | Scheme::Ed448 => {
            Err(TspError::UnsupportedAlgorithm("EdDSA over detached content without signed attributes".into()))
        }
        Scheme::Sm2 => Err(TspError::UnsupportedAlgorithm(
            "SM2 over detached content without signed attributes (its Z value needs the message)".into(),
        )),
    }
}

/// ECDSA over a digest, on the curves RustCrypto has.
fn ecdsa_prehashed(
    curve: ObjectIdentifier,
    plain: bool,
    key: &[u8],
    prehash: &[u8],
    signature: &[u8],
) -> Result<(), TspError> {
    let bad = |_| TspError::SignatureInvalid;
    macro_rules! ecdsa_on {
        ($curve:ty) => {{
            use p256::ecdsa::signature::hazmat::PrehashVerifier;
            let vk = ecdsa::VerifyingKey::<$curve>::from_sec1_bytes(key).map_err(bad)?;
            let s = if plain {
                ecdsa::Signature::<$curve>::from_slice(signature)
            } else {
                ecdsa::Signature::<$curve>::from_der(signature)
            }
            .map_err(bad)?;
            vk.verify_prehash(prehash, &s).map_err(bad)
        }};
    }
    match curve {
        oid::P256 => ecdsa_on!(p256::NistP256),
        oid::P384 => ecdsa_on!(p384::NistP384),
        ids::P521 => ecdsa_on!(p521::NistP521),
        ids::BRAINPOOL_P256R1 => ecdsa_on!(bp256::BrainpoolP256r1),
        ids::BRAINPOOL_P384R1 => ecdsa_on!(bp384::BrainpoolP384r1),
        ids::BRAINPOOL_P512R1 => Err(TspError::UnsupportedAlgorithm("ECDSA on brainpoolP512r1".into())),
        other => Err(TspError::UnsupportedAlgorithm(format!("ECDSA on curve {other}"))),
    }
}

/// The ring algorithm for a scheme ring has (RSA keys of 2048 bits or more).
fn ring_scheme(scheme: Scheme, rsa_bits: Option<u32>) -> Option<&'static dyn VerificationAlgorithm> {
    use DigestAlgorithm as D;
    let big_rsa = rsa_bits.is_some_and(|b| b >= 2048);
    Some(match scheme {
        Scheme::RsaPkcs1(D::Sha1) if big_rsa => &sig::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY,
        Scheme::RsaPkcs1(D::Sha256) if big_rsa => &sig::RSA_PKCS1_2048_8192_SHA256,
        Scheme::RsaPkcs1(D::Sha384) if big_rsa => &sig::RSA_PKCS1_2048_8192_SHA384,
        Scheme::RsaPkcs1(D::Sha512) if big_rsa => &sig::RSA_PKCS1_2048_8192_SHA512,
        Scheme::RsaPss(D::Sha256, 32) if big_rsa => &sig::RSA_PSS_2048_8192_SHA256,
        Scheme::RsaPss(D::Sha384, 48) if big_rsa => &sig::RSA_PSS_2048_8192_SHA384,
        Scheme::RsaPss(D::Sha512, 64) if big_rsa => &sig::RSA_PSS_2048_8192_SHA512,
        Scheme::Ecdsa { curve: oid::P256, digest: D::Sha256, plain: false } => &sig::ECDSA_P256_SHA256_ASN1,
        Scheme::Ecdsa { curve: oid::P256, digest: D::Sha384, plain: false } => &sig::ECDSA_P256_SHA384_ASN1,
        Scheme::Ecdsa { curve: oid::P384, digest: D::Sha256, plain: false } => &sig::ECDSA_P384_SHA256_ASN1,
        Scheme::Ecdsa { curve: oid::P384, digest: D::Sha384, plain: false } => &sig::ECDSA_P384_SHA384_ASN1,
        Scheme::Ed25519 => &sig::ED25519,
        _ => return None,
    })
}

/// RSA PKCS #1 v1.5 over an already computed digest, with the DigestInfo of its algorithm.
fn rsa_pkcs1(public: &rsa::PublicKey, d: DigestAlgorithm, hashed: &[u8], signature: &[u8]) -> Result<(), TspError> {
    use DigestAlgorithm as D;
    let padding = match d {
        D::Sha1 => rsa::Pkcs1v15Sign::new::<sha1::Sha1>(),
        D::Sha224 => rsa::Pkcs1v15Sign::new::<sha2::Sha224>(),
        D::Sha256 => rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
        D::Sha384 => rsa::Pkcs1v15Sign::new::<sha2::Sha384>(),
        D::Sha512 => rsa::Pkcs1v15Sign::new::<sha2::Sha512>(),
        D::Sha3_224 => rsa::Pkcs1v15Sign::new::<sha3::Sha3_224>(),
        D::Sha3_256 => rsa::Pkcs1v15Sign::new::<sha3::Sha3_256>(),
        D::Sha3_384 => rsa::Pkcs1v15Sign::new::<sha3::Sha3_384>(),
        D::Sha3_512 => rsa::Pkcs1v15Sign::new::<sha3::Sha3_512>(),
        D::Sm3 | D::Shake256 => return Err(TspError::UnsupportedAlgorithm(format!("RSA PKCS #1 v1.5 with {d}"))),
    };
    public.verify(padding, hashed, signature).map_err(|_| TspError::SignatureInvalid)
}

/// RSASSA-PSS over an already computed digest, MGF1 with the same digest.
fn rsa_pss(
    public: &rsa::PublicKey,
    d: DigestAlgorithm,
    salt: usize,
    hashed: &[u8],
    signature: &[u8],
) -> Result<(), TspError> {
    use DigestAlgorithm as D;
    use rsa::Pss;
    let outcome = match d {
        D::Sha1 => public.verify(Pss::<sha1::Sha1>::new_with_salt(salt), hashed, signature),
        D::Sha224 => public.verify(Pss::<sha2::Sha224>::new_with_salt(salt), hashed, signature),
        D::Sha256 => public.verify(Pss::<sha2::Sha256>::new_with_salt(salt), hashed, signature),
        D::Sha384 => public.verify(Pss::<sha2::Sha384>::new_with_salt(salt), hashed, signature),
        D::Sha512 => public.verify(Pss::<sha2::Sha512>::new_with_salt(salt), hashed, signature),
        D::Sha3_224 => public.verify(Pss::<sha3::Sha3_224>::new_with_salt(salt), hashed, signature),
        D::Sha3_256 => public.verify(Pss::<sha3::Sha3_256>::new_with_salt(salt), hashed, signature),
        D::Sha3_384 => public.verify(Pss::<sha3::Sha3_384>::new_with_salt(salt), hashed, signature),
        D::Sha3_512 => public.verify(Pss::<sha3::Sha3_512>::new_with_salt(salt), hashed, signature),
        D::Sm3 | D::Shake256 => return Err(TspError::UnsupportedAlgorithm(format!("RSASSA-PSS with {d}"))),
    };
    outcome.map_err(|_| TspError::SignatureInvalid)
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

/// The date from which a digest is no longer trusted in signatures (EU DSS's default policy:
/// SHA-1 from 2009, MD5 from 2005); `None` when it is trusted today.
pub fn digest_sunset(d: DigestAlgorithm) -> Option<&'static str> {
    match d {
        DigestAlgorithm::Sha1 => Some("2009-01-01"),
        _ => None,
    }
}

/// Verifies an RSA signature by a key shorter than 2048 bits, which
/// [`verify_signature`] refuses: the mathematics only. Whether such a key is still trusted is
/// [`key_sunset`]'s answer, judged against the proven time of signing.
pub fn verify_weak_rsa(
    spki: &SubjectPublicKeyInfoOwned,
    algorithm: &AlgorithmIdentifierOwned,
    digest_hint: Option<SigDigest>,
    message: &[u8],
    signature: &[u8],
) -> Result<(), TspError> {
    let scheme = scheme(spki, algorithm, digest_hint).map_err(TspError::UnsupportedAlgorithm)?;
    if !matches!(scheme, Scheme::RsaPkcs1(_) | Scheme::RsaPss(..)) || rsa_bits(spki).is_none_or(|b| b >= 2048) {
        return Err(TspError::SignatureInvalid);
    }
    verify_scheme(spki, scheme, message, signature)
}

#[cfg(test)]
mod tests {
    use std::process::Command;

    use super::*;

    /// SM2 signatures made by OpenSSL (another implementation) with the GM/T 0009 default
    /// distinguishing ID and with the empty one OpenSSL uses by default, named as producers name
    /// them (SM2-with-SM3, the SM2 key's identifier, id-ecPublicKey): each verifies, over
    /// another message none does.
    #[test]
    fn sm2_signatures_made_by_openssl_verify_with_either_distinguishing_id() {
        let dir = tempfile::tempdir().unwrap();
        let run = |args: &[&str]| {
            let out = Command::new("openssl").args(args).current_dir(dir.path()).output().unwrap();
            assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        };
        run(&["genpkey", "-algorithm", "SM2", "-out", "k.pem"]);
        run(&["pkey", "-in", "k.pem", "-pubout", "-outform", "DER", "-out", "pub.der"]);
        std::fs::write(dir.path().join("m"), b"the agreed terms").unwrap();
        run(&["dgst", "-sm3", "-sign", "k.pem", "-sigopt", "distid:1234567812345678", "-out", "default-id.der", "m"]);
        run(&["dgst", "-sm3", "-sign", "k.pem", "-out", "empty-id.der", "m"]);
        let spki = SubjectPublicKeyInfoOwned::from_der(&std::fs::read(dir.path().join("pub.der")).unwrap()).unwrap();
        let named = |o: ObjectIdentifier| AlgorithmIdentifierOwned { oid: o, parameters: None };
        for (file, id) in [("default-id.der", "1234567812345678"), ("empty-id.der", "")] {
            let signature = std::fs::read(dir.path().join(file)).unwrap();
            assert_eq!(sm2_distinguishing_id(&spki, b"the agreed terms", &signature), Some(id), "{file}");
            assert_eq!(sm2_distinguishing_id(&spki, b"other terms", &signature), None, "{file}");
            assert_eq!(describe(&spki, &named(ids::SM2), None).as_deref(), Some("SM2 with SM3"));
            for algorithm in
                [named(ids::SM2_WITH_SM3), named(ids::SM2_SIGN), named(ids::SM2), named(oid::EC_PUBLIC_KEY)]
            {
                let hint = Some(DigestAlgorithm::Sm3);
                let good = verify_signature(&spki, &algorithm, hint, b"the agreed terms", &signature);
                assert!(good.is_ok(), "{file}: {good:?}");
                let other = verify_signature(&spki, &algorithm, hint, b"other terms", &signature);
                assert!(matches!(other, Err(TspError::SignatureInvalid)), "{file}: {other:?}");
            }
            assert_eq!(signature_digest(&spki, &named(ids::SM2_WITH_SM3), None), Some(DigestAlgorithm::Sm3));
        }
    }
}
