//! A private signing key held in memory for a session: RSA, ECDSA P-256 or P-384, signing with ring.

use der::asn1::ObjectIdentifier;
use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, KeyPair, RsaKeyPair};
use spki::AlgorithmIdentifierOwned;
use zeroize::Zeroizing;

use crate::digest::DigestAlgorithm;

/// A signing key. Built from PKCS #8; the PKCS #8 bytes are wiped once parsed.
pub enum SigningKey {
    /// RSA, signing with PKCS #1 v1.5 and SHA-256.
    Rsa(RsaKeyPair),
    /// ECDSA on P-256 with SHA-256.
    EcP256(EcdsaKeyPair),
    /// ECDSA on P-384 with SHA-384.
    EcP384(EcdsaKeyPair),
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.kind())
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
        Err("the private key is not RSA (2048–8192 bits), ECDSA P-256 or ECDSA P-384".into())
    }

    /// The public key as it appears in a certificate's subjectPublicKey.
    pub fn public_key(&self) -> &[u8] {
        match self {
            Self::Rsa(k) => k.public().as_ref(),
            Self::EcP256(k) | Self::EcP384(k) => k.public_key().as_ref(),
        }
    }

    /// The digest this key's signatures use (and so the CMS digest algorithm).
    pub fn digest(&self) -> DigestAlgorithm {
        match self {
            Self::Rsa(_) | Self::EcP256(_) => DigestAlgorithm::Sha256,
            Self::EcP384(_) => DigestAlgorithm::Sha384,
        }
    }

    /// The signature algorithm identifier for CMS and X.509.
    pub fn signature_algorithm(&self) -> AlgorithmIdentifierOwned {
        match self {
            Self::Rsa(_) => AlgorithmIdentifierOwned { oid: SHA256_WITH_RSA, parameters: Some(der::Any::null()) },
            Self::EcP256(_) => AlgorithmIdentifierOwned { oid: ECDSA_SHA256, parameters: None },
            Self::EcP384(_) => AlgorithmIdentifierOwned { oid: ECDSA_SHA384, parameters: None },
        }
    }

    /// A short name of the key type.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Rsa(k) if k.public().modulus_len() >= 512 => "RSA 4096",
            Self::Rsa(k) if k.public().modulus_len() >= 384 => "RSA 3072",
            Self::Rsa(_) => "RSA 2048",
            Self::EcP256(_) => "ECDSA P-256",
            Self::EcP384(_) => "ECDSA P-384",
        }
    }

    /// Signs `message`.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, String> {
        let rng = SystemRandom::new();
        match self {
            Self::Rsa(k) => {
                let mut sig = vec![0u8; k.public().modulus_len()];
                k.sign(&signature::RSA_PKCS1_SHA256, &rng, message, &mut sig).map_err(|_| "RSA signing failed")?;
                Ok(sig)
            }
            Self::EcP256(k) | Self::EcP384(k) => {
                Ok(k.sign(&rng, message).map_err(|_| "ECDSA signing failed")?.as_ref().to_vec())
            }
        }
    }
}
