//! CAdES signing with the user's identity and a TSA: files signed as CAdES-B-B or B-T, and the
//! signature the vault keeps for a record. The CMS itself is built in `evidentia-pki`.

use chrono::Utc;

pub use evidentia_pki::cades::*;

use crate::digest::DigestAlgorithm;
use crate::identity::Identity;

/// A file signed, and how.
#[derive(Debug, Clone)]
pub struct SignedFile {
    /// The detached signature (DER, `.p7s`).
    pub p7s: Vec<u8>,
    /// Digest of the file the signature covers.
    pub content_digest: crate::digest::Digests,
    /// The signature time-stamp, when a TSA gave one (CAdES-B-T).
    pub timestamp: Option<crate::tsp::VerifiedTimestamp>,
    /// Why there is no time-stamp, when one was asked for and none came.
    pub timestamp_error: Option<crate::tsp::TspError>,
}

/// Signs a file: CAdES-B-B, and CAdES-B-T when a TSA client is given and a TSA answers (a
/// failing TSA leaves the signature B-B and says why).
pub async fn sign_file(
    identity: &Identity,
    path: &std::path::Path,
    tsa: Option<&crate::tsp::TsaClient>,
) -> Result<SignedFile, crate::Error> {
    use crate::subject::InputError;
    crate::subject::plan_file(path)?;
    let algo = content_digest_algorithm(identity);
    let hashed = crate::digest::hash_file(path, &[algo], None, &|_| {}).map_err(|e| InputError::from_io(path, e))?;
    let digest = hashed.digests.get(algo).map(|d| d.as_bytes().to_vec()).unwrap_or_default();
    let mut p7s = sign_detached(identity, &digest, Utc::now())?;
    let (mut timestamp, mut timestamp_error) = (None, None);
    if let Some(client) = tsa {
        let imprint = DigestAlgorithm::Sha256.digest(&signature_value(&p7s)?);
        match client.timestamp(DigestAlgorithm::Sha256, imprint.as_bytes()).await {
            Ok(obtained) => {
                p7s = add_signature_timestamp(&p7s, obtained.token.to_der())?;
                timestamp = Some(obtained.verified);
            }
            Err(e) => timestamp_error = Some(e),
        }
    }
    Ok(SignedFile { p7s, content_digest: hashed.digests, timestamp, timestamp_error })
}
