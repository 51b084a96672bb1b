//! Evidentia's pure PKI, on `evidentia-formats` only: no network, SQL or async. It parses and
//! judges what others sign as much as it builds what Evidentia signs.
//!
//! - [`ber`] reads BER as signers write it into the DER the other modules parse;
//! - [`certificate`] summarises certificates; [`signer`] is what signs (a key and its chain);
//! - [`tsp`] builds RFC 3161 requests, reads responses and tokens, and verifies them under a policy;
//! - [`cades`] builds detached CAdES signatures over a [`signer::Signer`]; [`cades_verify`] judges any;
//! - [`pades`] writes PDF incremental updates and appearances and verifies every signature of a PDF;
//! - [`evidence_record`] reads RFC 4998 and RFC 6283 evidence records and verifies them over their data;
//! - [`policy`] is the validation policy, and the checks that apply it;
//! - [`revocation`] judges CRLs and OCSP responses at the time a signature is proven to exist.
#![forbid(unsafe_code)]

pub mod ber;
pub mod cades;
pub mod cades_verify;
pub mod certificate;
pub mod evidence_record;
pub mod pades;
pub mod policy;
pub mod revocation;
pub mod revocation_data;
pub mod signer;
pub mod tsp;

use evidentia_formats::{check, digest, subject};
