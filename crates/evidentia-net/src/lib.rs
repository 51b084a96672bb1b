//! Evidentia's network clients, on `evidentia-formats` and `evidentia-pki` only; never on the
//! vault, identities or the use cases. Each checks what it receives before handing it on.
//!
//! - [`tsa`] asks Time-Stamping Authorities over HTTP(S), with retries, failover and quorum;
//! - [`ots`] submits digests to OpenTimestamps calendars and fetches their upgraded proofs;
//! - [`bitcoin`] reads Bitcoin block headers from a node, for OpenTimestamps' Bitcoin attestations;
//! - [`evm`] anchors batch roots on an EVM chain over JSON-RPC and collects offline proofs;
//! - [`issuers`] fetches the issuer certificates a chain lacks from the addresses its certificates name;
//! - [`revocation`] fetches the OCSP responses and CRLs a chain's certificates point to.
#![forbid(unsafe_code)]

pub mod bitcoin;
pub mod evm;
pub mod issuers;
pub mod ots;
pub mod revocation;
pub mod tsa;
