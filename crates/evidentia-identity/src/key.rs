//! A private signing key for a session: RSA, ECDSA P-256 or P-384, held in memory and signing with
//! ring, or kept on a PKCS #11 token that signs for it.

use der::asn1::ObjectIdentifier;
use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, KeyPair, RsaKeyPair};
use spki::AlgorithmIdentifierOwned;
use zeroize::Zeroizing;

use super::IdentityError;
use super::sm2::{SM2_WITH_SM3_OID, Sm2Key};
use super::token::{TokenKeyKind, TokenSigner};
use evidentia_formats::digest::DigestAlgorithm;

/// A signing key. Software keys are built from PKCS #8 (the PKCS #8 bytes are wiped once parsed);
/// token keys never leave their token.
pub enum SigningKey {
    /// RSA, signing with PKCS #1 v1.5 and SHA-256.
    Rsa(RsaKeyPair),
    /// ECDSA on P-256 with SHA-256.
    EcP256(EcdsaKeyPair),
    /// ECDSA on P-384 with SHA-384.
    EcP384(EcdsaKeyPair),
    /// A key on a PKCS #11 token.
    Token(TokenSigner),
    /// SM2 with SM3 (GM/T 0003), with the default distinguishing ID.
    Sm2(Sm2Key),
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.kind())
    }
}

const SHA256_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
const ECDSA_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const ECDSA_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");

impl SigningKey {
    /// Parses a PKCS #8 private key (wiping the given bytes afterwards).
    pub fn from_pkcs8(pkcs8: Zeroizing<Vec<u8>>) -> Result<Self, String> {
        if let Ok(k) = RsaKeyPair::from_pkcs8(&pkcs8) {
            return Ok(Self::Rsa(k));
        }
        let rng = SystemRandom::new();
        if let Ok(k) = EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_ASN1_SIGNING, &pkcs8, &rng) {
            return Ok(Self::EcP256(k));
        }
        if let Ok(k) = EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P384_SHA384_ASN1_SIGNING, &pkcs8, &rng) {
            return Ok(Self::EcP384(k));
        }
        if let Ok(k) = Sm2Key::from_pkcs8(&pkcs8) {
            return Ok(Self::Sm2(k));
        }
        Err("the private key is not RSA (2048–8192 bits), ECDSA P-256, ECDSA P-384 or SM2".into())
    }

    /// The public key as it appears in a certificate's subjectPublicKey (software keys only: a
    /// token key is matched to its certificate by a test signature).
    pub fn public_key(&self) -> Option<Vec<u8>> {
        match self {
            Self::Rsa(k) => Some(k.public().as_ref().to_vec()),
            Self::EcP256(k) | Self::EcP384(k) => Some(k.public_key().as_ref().to_vec()),
            Self::Sm2(k) => Some(k.public_key()),
            Self::Token(_) => None,
        }
    }

    /// The digest this key's signatures use (and so the CMS digest algorithm).
    pub fn digest(&self) -> DigestAlgorithm {
        match self {
            Self::Rsa(_) | Self::EcP256(_) => DigestAlgorithm::Sha256,
            Self::EcP384(_) => DigestAlgorithm::Sha384,
            Self::Token(t) => t.kind().digest(),
            Self::Sm2(_) => DigestAlgorithm::Sm3,
        }
    }

    /// The signature algorithm identifier for CMS and X.509.
    pub fn signature_algorithm(&self) -> AlgorithmIdentifierOwned {
        let rsa = match self {
            Self::Rsa(_) => true,
            Self::Token(t) => matches!(t.kind(), TokenKeyKind::Rsa(_)),
            Self::Sm2(_) => return AlgorithmIdentifierOwned { oid: SM2_WITH_SM3_OID, parameters: None },
            Self::EcP256(_) | Self::EcP384(_) => false,
        };
        if rsa {
            AlgorithmIdentifierOwned { oid: SHA256_WITH_RSA, parameters: Some(der::Any::null()) }
        } else if self.digest() == DigestAlgorithm::Sha384 {
            AlgorithmIdentifierOwned { oid: ECDSA_SHA384, parameters: None }
        } else {
            AlgorithmIdentifierOwned { oid: ECDSA_SHA256, parameters: None }
        }
    }

    /// A short name of the key type.
    pub fn kind(&self) -> String {
        let rsa_name = |bytes: usize| match bytes {
            b if b >= 512 => "RSA 4096",
            b if b >= 384 => "RSA 3072",
            _ => "RSA 2048",
        };
        match self {
            Self::Rsa(k) => rsa_name(k.public().modulus_len()).into(),
            Self::EcP256(_) => "ECDSA P-256".into(),
            Self::EcP384(_) => "ECDSA P-384".into(),
            Self::Sm2(_) => "SM2".into(),
            Self::Token(t) => {
                let key = match t.kind() {
                    TokenKeyKind::Rsa(bits) => rsa_name(bits / 8),
                    TokenKeyKind::EcP256 => "ECDSA P-256",
                    TokenKeyKind::EcP384 => "ECDSA P-384",
                };
                format!("{key} on token `{}`", t.token())
            }
        }
    }

    /// Signs `message`.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, IdentityError> {
        let rng = SystemRandom::new();
        let failed = |what: &str| IdentityError::Create(format!("{what} signing failed"));
        match self {
            Self::Rsa(k) => {
                let mut sig = vec![0u8; k.public().modulus_len()];
                k.sign(&signature::RSA_PKCS1_SHA256, &rng, message, &mut sig).map_err(|_| failed("RSA"))?;
                Ok(sig)
            }
            Self::EcP256(k) | Self::EcP384(k) => {
                Ok(k.sign(&rng, message).map_err(|_| failed("ECDSA"))?.as_ref().to_vec())
            }
            Self::Token(t) => Ok(t.sign(message)?),
            Self::Sm2(k) => k.sign(message).map_err(IdentityError::Create),
        }
    }
}
