//! Signing identities, on `evidentia-formats` and `evidentia-pki` only; never on the network, the
//! vault or the use cases. A certificate chain and its private key, from PKCS #12 files, PKCS #11
//! tokens or made here for people without a CA certificate. Keys rest only inside
//! password-protected PKCS #12 files in the identity store (or on the token); they are unlocked
//! for a session and wiped from memory when dropped.

mod key;
mod seals;
mod self_made;
mod sm2;
mod store;
mod token;

use std::path::{Path, PathBuf};

use der::Decode;

use x509_cert::Certificate;
use zeroize::Zeroizing;

pub use evidentia_pki::certificate::CertificateSummary;
pub use key::SigningKey;
pub use seals::{CompanySeal, IdentitySeal};
pub use self_made::KeyAlgorithm;
pub use sm2::{SM2_CURVE_OID, SM2_WITH_SM3_OID, Sm2Key, verify_sm2};
pub use store::{IdentityInfo, IdentityStore, name_for};
pub use token::{
    DEFAULT_TOKEN_TIMEOUT, TokenDescription, TokenError, TokenKeyKind, TokenKeyRef, TokenObject, TokenSigner,
    TokenSlot, list_tokens,
};

/// Why an identity cannot be used. Messages name the file or identity and never contain secrets.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IdentityError {
    /// The PKCS #12 password is wrong (or the file's integrity check fails).
    #[error("{}: wrong password for this PKCS #12 file (or the file is damaged); try again", .0.display())]
    WrongPassword(PathBuf),
    /// The file is not a usable PKCS #12.
    #[error("{}: not a usable PKCS #12 file ({detail}); export it again from where the certificate lives", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// No private key with a certificate inside.
    #[error("{}: holds no private key with its certificate; export the key together with the certificate", .0.display())]
    NoPrivateKey(PathBuf),
    /// The key is of a kind Evidentia cannot sign with.
    #[error("{}: {detail}", path.display())]
    UnsupportedKey {
        /// The file.
        path: PathBuf,
        /// What kind it is.
        detail: String,
    },
    /// A seal image or seal text that cannot be used.
    #[error("{0}")]
    BadSeal(String),
    /// The private key does not belong to the certificate.
    #[error("{}: the private key does not belong to the certificate; export the matching pair", .0.display())]
    KeyMismatch(PathBuf),
    /// The certificate is not valid now.
    #[error(
        "the certificate of identity `{name}` is valid only from {not_before} to {not_after}; renew it or use another identity"
    )]
    NotValidNow {
        /// The identity.
        name: String,
        /// notBefore.
        not_before: String,
        /// notAfter.
        not_after: String,
    },
    /// No identity of that name.
    #[error("no identity named `{0}`; `evidentia identity list` shows them")]
    Unknown(String),
    /// An identity of that name exists already.
    #[error("an identity named `{0}` exists already; choose another name")]
    Exists(String),
    /// A name that cannot be a file name.
    #[error("`{0}` cannot be an identity name: use letters, digits, `-`, `_` and `.`")]
    BadName(String),
    /// The password is too weak to protect a new key.
    #[error("the password must have at least 8 characters to protect the new key")]
    WeakPassword,
    /// Making a self-made identity failed.
    #[error("cannot make the identity: {0}")]
    Create(String),
    /// A PKCS #11 token refused or failed.
    #[error(transparent)]
    Token(#[from] TokenError),
    /// A file operation failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
}

impl IdentityError {
    /// A short stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::WrongPassword(_) => "IDENTITY_WRONG_PASSWORD",
            Self::Corrupt { .. } => "IDENTITY_CORRUPT",
            Self::NoPrivateKey(_) => "IDENTITY_NO_KEY",
            Self::UnsupportedKey { .. } => "IDENTITY_UNSUPPORTED_KEY",
            Self::KeyMismatch(_) => "IDENTITY_KEY_MISMATCH",
            Self::NotValidNow { .. } => "IDENTITY_CERT_NOT_VALID_NOW",
            Self::Unknown(_) => "IDENTITY_UNKNOWN",
            Self::Exists(_) => "IDENTITY_EXISTS",
            Self::BadName(_) => "IDENTITY_BAD_NAME",
            Self::WeakPassword => "IDENTITY_WEAK_PASSWORD",
            Self::BadSeal(_) => "BAD_SEAL",
            Self::Create(_) => "IDENTITY_CREATE_FAILED",
            Self::Token(e) => e.code(),
            Self::Io { .. } => "IDENTITY_IO",
        }
    }
}

/// An unlocked identity: the certificate chain (signer first) and the key.
#[derive(Debug)]
pub struct Identity {
    /// Its name in the store.
    pub name: String,
    /// The signer's certificate first, then the rest of the chain as the file gave it.
    pub chain: Vec<Certificate>,
    /// The key.
    pub key: SigningKey,
    /// Made here, self-signed: no CA vouches for it.
    pub self_made: bool,
}

impl Identity {
    /// Unlocks a PKCS #12 file (modern AES/PBKDF2 or legacy 3DES/RC2) with its password.
    pub fn from_pkcs12(path: &Path, bytes: &[u8], password: &str, name: &str) -> Result<Identity, IdentityError> {
        let store = p12_keystore::KeyStore::from_pkcs12(bytes, password, p12_keystore::Pkcs12ImportPolicy::Relaxed)
            .map_err(|e| classify_p12_error(path, &e.to_string()))?;
        let (_, chain) = store.private_key_chain().ok_or_else(|| IdentityError::NoPrivateKey(path.to_owned()))?;
        let key = SigningKey::from_pkcs8(Zeroizing::new(chain.key().as_der().to_vec()))
            .map_err(|detail| IdentityError::UnsupportedKey { path: path.to_owned(), detail })?;
        let mut certs = Vec::new();
        for c in chain.certs() {
            certs.push(
                Certificate::from_der(c.as_der()).map_err(|e| IdentityError::Corrupt {
                    path: path.to_owned(),
                    detail: format!("certificate: {e}"),
                })?,
            );
        }
        // The signer's certificate is the one whose public key is the key's.
        let position = certs
            .iter()
            .position(|c| {
                Some(c.tbs_certificate.subject_public_key_info.subject_public_key.raw_bytes())
                    == key.public_key().as_deref()
            })
            .ok_or_else(|| IdentityError::KeyMismatch(path.to_owned()))?;
        let signer = certs.remove(position);
        let self_made = signer.tbs_certificate.subject == signer.tbs_certificate.issuer;
        certs.insert(0, signer);
        Ok(Identity { name: name.to_owned(), chain: certs, key, self_made })
    }

    /// Logs in to a PKCS #11 token key with its PIN. The certificate chain is `chain` when given
    /// (kept in the identity store), else the certificates on the token. The key is matched to its
    /// certificate by a test signature, so a wrong key or certificate is found before any real use.
    pub fn from_token(
        name: &str,
        reference: &TokenKeyRef,
        pin: Zeroizing<String>,
        chain: Vec<Certificate>,
        timeout: std::time::Duration,
    ) -> Result<Identity, IdentityError> {
        let signer = TokenSigner::open(reference, pin, timeout)?;
        let mut certs = if chain.is_empty() { signer.certificates().to_vec() } else { chain };
        let key = SigningKey::Token(signer);
        let probe = b"Evidentia: does this key belong to this certificate?";
        let signature = key.sign(probe)?;
        let algorithm = key.signature_algorithm();
        let position = certs
            .iter()
            .position(|c| {
                evidentia_pki::tsp::signature::verify_signature(
                    &c.tbs_certificate.subject_public_key_info,
                    &algorithm,
                    None,
                    probe,
                    &signature,
                )
                .is_ok()
            })
            .ok_or_else(|| IdentityError::KeyMismatch(PathBuf::from(format!("token `{}`", reference.token))))?;
        let signer_cert = certs.remove(position);
        let self_made = signer_cert.tbs_certificate.subject == signer_cert.tbs_certificate.issuer;
        certs.insert(0, signer_cert);
        Ok(Identity { name: name.to_owned(), chain: certs, key, self_made })
    }

    /// The signer's certificate.
    pub fn certificate(&self) -> &Certificate {
        &self.chain[0]
    }

    /// Refuses to sign with a certificate that is not valid now.
    pub fn check_valid_now(&self) -> Result<(), IdentityError> {
        let v = &self.certificate().tbs_certificate.validity;
        let now = std::time::SystemTime::now();
        if now < v.not_before.to_system_time() || now > v.not_after.to_system_time() {
            let s = CertificateSummary::of(self.certificate());
            return Err(IdentityError::NotValidNow {
                name: self.name.clone(),
                not_before: s.not_before,
                not_after: s.not_after,
            });
        }
        Ok(())
    }
}

fn classify_p12_error(path: &Path, text: &str) -> IdentityError {
    let lower = text.to_ascii_lowercase();
    if lower.contains("mac") || lower.contains("password") || lower.contains("decrypt") || lower.contains("padding") {
        IdentityError::WrongPassword(path.to_owned())
    } else {
        IdentityError::Corrupt { path: path.to_owned(), detail: text.to_owned() }
    }
}

impl evidentia_pki::signer::Signer for Identity {
    fn name(&self) -> &str {
        &self.name
    }
    fn chain(&self) -> &[Certificate] {
        &self.chain
    }
    fn digest(&self) -> evidentia_formats::digest::DigestAlgorithm {
        self.key.digest()
    }
    fn signature_algorithm(&self) -> spki::AlgorithmIdentifierOwned {
        self.key.signature_algorithm()
    }
    fn check_valid_now(&self) -> Result<(), evidentia_pki::signer::SignerError> {
        Identity::check_valid_now(self).map_err(signer_error)
    }
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, evidentia_pki::signer::SignerError> {
        self.key.sign(message).map_err(signer_error)
    }
}

fn signer_error(e: IdentityError) -> evidentia_pki::signer::SignerError {
    evidentia_pki::signer::SignerError { code: e.code(), message: e.to_string() }
}
