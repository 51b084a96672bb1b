//! `TimeStampReq` (RFC 3161 §2.4.1): a message imprint, a fresh random nonce, certReq.

use der::asn1::{Int, ObjectIdentifier, OctetString};
use der::{Any, Encode};
use spki::AlgorithmIdentifier;
use x509_tsp::{MessageImprint, TimeStampReq, TspVersion};

use super::{TspError, digest_oid};
use crate::digest::DigestAlgorithm;

/// A time-stamp request about to be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimestampRequest {
    /// Hash algorithm of the imprint.
    pub algorithm: DigestAlgorithm,
    /// The digest to be time-stamped.
    pub imprint: Vec<u8>,
    /// Random nonce (big-endian, positive, 64 bits of randomness or more).
    pub nonce: Vec<u8>,
    /// Ask the TSA to embed its certificate.
    pub cert_req: bool,
    /// Policy the TSA must use, if any.
    pub policy: Option<ObjectIdentifier>,
}

impl TimestampRequest {
    /// A request for `imprint` (already hashed with `algorithm`) with a fresh 64-bit random nonce.
    pub fn new(algorithm: DigestAlgorithm, imprint: Vec<u8>) -> Self {
        let mut nonce = [0u8; 8];
        // The system random source does not fail on supported platforms; should it, the time
        // stays below as a unique if predictable value.
        if ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut nonce).is_err() {
            nonce = (std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos()
                as u64)
                .to_be_bytes();
        }
        // Keep it positive and 8 bytes long once encoded: clear the top bit, set the next.
        nonce[0] = (nonce[0] & 0x7f) | 0x40;
        Self { algorithm, imprint, nonce: nonce.to_vec(), cert_req: true, policy: None }
    }

    /// DER encoding (`application/timestamp-query`).
    pub fn to_der(&self) -> Result<Vec<u8>, TspError> {
        let bad = |e: der::Error| TspError::Malformed(format!("cannot encode the request: {e}"));
        let req = TimeStampReq {
            version: TspVersion::V1,
            message_imprint: MessageImprint {
                hash_algorithm: AlgorithmIdentifier { oid: digest_oid(self.algorithm), parameters: Some(Any::null()) },
                hashed_message: OctetString::new(self.imprint.clone()).map_err(bad)?,
            },
            req_policy: self.policy,
            nonce: Some(Int::new(&self.nonce).map_err(bad)?),
            cert_req: self.cert_req,
            extensions: None,
        };
        req.to_der().map_err(bad)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::Decode;

    #[test]
    fn nonces_are_fresh_positive_and_long_enough() {
        let a = TimestampRequest::new(DigestAlgorithm::Sha256, vec![1; 32]);
        let b = TimestampRequest::new(DigestAlgorithm::Sha256, vec![1; 32]);
        assert_ne!(a.nonce, b.nonce);
        assert_eq!(a.nonce.len(), 8);
        assert!(a.nonce[0] & 0x80 == 0);
        let der = a.to_der().unwrap();
        let parsed = TimeStampReq::from_der(&der).unwrap();
        assert_eq!(parsed.nonce.unwrap().as_bytes(), &a.nonce[..]);
        assert!(parsed.cert_req);
        assert_eq!(parsed.message_imprint.hashed_message.as_bytes(), &[1u8; 32]);
    }
}
