//! RFC 3161 time-stamps: the pure part (requests, tokens, verification) from `evidentia-pki`,
//! asking Time-Stamping Authorities (with failover and quorum) from `evidentia-net` ([`client`]).

pub use evidentia_net::tsa as client;

use std::path::PathBuf;

pub use client::{ObtainedTimestamp, QuorumFlag, TsaAuth, TsaClient, TsaEndpoint, TsaSettings};
pub use evidentia_pki::tsp::*;

/// What a token is checked against: a file (hashed here) or a digest given in hex.
#[derive(Debug, Clone)]
pub enum TokenSubject {
    /// The file that was time-stamped.
    File(PathBuf),
    /// Its digest, hex.
    Digest(String),
}

/// Reads a token file (a TimeStampResp or a bare token) and verifies it against `subject`.
pub fn check_token_file(
    token_path: &std::path::Path,
    subject: &TokenSubject,
    algorithm: Option<crate::digest::DigestAlgorithm>,
    policy: &TimestampPolicy,
) -> Result<VerifiedTimestamp, crate::Error> {
    use crate::subject::InputError;
    let bytes = std::fs::read(token_path).map_err(|e| InputError::from_io(token_path, e))?;
    let token = TimestampToken::from_any_der(&bytes)?;
    // Without a named algorithm, the token's own: what it says it time-stamped.
    let algorithm = match algorithm {
        Some(a) => a,
        None => evidentia_pki::tsp::digest_from_oid(&token.imprint_algorithm()).ok_or_else(|| {
            TspError::UnsupportedAlgorithm(format!("imprint algorithm {}", token.imprint_algorithm()))
        })?,
    };
    let imprint = match subject {
        TokenSubject::File(path) => {
            crate::subject::plan_file(path)?;
            crate::digest::hash_file(path, &[algorithm], None, &|_| {})
                .map_err(|e| InputError::from_io(path, e))?
                .digests
                .get(algorithm)
                .map(|d| d.as_bytes().to_vec())
                .unwrap_or_default()
        }
        TokenSubject::Digest(text) => crate::digest::DigestValue::from_hex(text)
            .map_err(|_| TspError::Malformed(format!("`{text}` is not a hex digest")))?
            .as_bytes()
            .to_vec(),
    };
    Ok(verify(&token, &Expectation { algorithm, imprint, nonce: None }, policy)?)
}

/// Hashes a file and obtains a verified time-stamp for it from the client's TSAs (failover).
pub async fn timestamp_file(
    client: &TsaClient,
    path: &std::path::Path,
    algorithm: crate::digest::DigestAlgorithm,
) -> Result<ObtainedTimestamp, crate::Error> {
    use crate::subject::InputError;
    crate::subject::plan_file(path)?;
    let hashed =
        crate::digest::hash_file(path, &[algorithm], None, &|_| {}).map_err(|e| InputError::from_io(path, e))?;
    let imprint = hashed.digests.get(algorithm).map(|d| d.as_bytes().to_vec()).unwrap_or_default();
    Ok(client.timestamp(algorithm, &imprint).await?)
}
