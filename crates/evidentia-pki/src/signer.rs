//! What signs: a certificate chain and a key behind one operation, whatever holds the key
//! (a PKCS #12 file, a PKCS #11 token, an SM2 key) — `evidentia-identity` provides them.

use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;

use crate::digest::DigestAlgorithm;

/// Why a signer could not sign, in its own stable code and words.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct SignerError {
    /// The signer's own code (for example `IDENTITY_EXPIRED`, `TOKEN_PIN_INCORRECT`).
    pub code: &'static str,
    /// What went wrong and what to do.
    pub message: String,
}

impl SignerError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        self.code
    }
}

/// A key with its certificate chain, able to sign bytes.
pub trait Signer {
    /// The signer's name, as the user knows it.
    fn name(&self) -> &str;
    /// The signer's certificate first, then the rest of its chain.
    fn chain(&self) -> &[Certificate];
    /// The digest algorithm its signatures cover content with.
    fn digest(&self) -> DigestAlgorithm;
    /// The signature algorithm identifier to put beside its signatures.
    fn signature_algorithm(&self) -> AlgorithmIdentifierOwned;
    /// Refuses when the certificate is not valid now.
    fn check_valid_now(&self) -> Result<(), SignerError>;
    /// Signs `message` (the DER of the signed attributes).
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignerError>;
}
