//! Evidentia's pure formats: what evidence is made of, with no I/O beyond reading the files named.
//! Every other crate may use this one; it uses none of them, nor SQL, HTTP or async.
//!
//! - [`digest`] hashes bytes with SHA-256, SHA-384, SHA-512 and SM3 in one streamed pass;
//! - [`subject`] turns the paths a user names into checked subjects (files, or folders sealed as works);
//! - [`work`] builds a work's canonical manifest, whose digest is the work's digest;
//! - [`media`] names a file's media type;
//! - [`merkle`] builds RFC 6962 Merkle trees of salted record leaves and checks their proofs;
//! - [`ots`] reads, writes and evaluates OpenTimestamps proofs byte for byte; [`ots_record`] is a
//!   record's path in one;
//! - [`evm_proof`] checks an EVM anchor offline, from the block hash alone;
//! - [`record`], [`custody`] and [`batch`] are the evidence model: records, signatures, time-stamps,
//!   custody events, anchor batches and their anchors;
//! - [`package`] is the evidence package: its container, manifest, evidence document and instructions;
//! - [`xml_c14n`] is Canonical XML of an element subtree (inclusive and exclusive);
//! - [`check`] is the verification vocabulary: check names, verdicts and indications;
//! - [`clock`], [`hash_hex`] and [`causes`] are the small leaves (the stored time, hashes as hex,
//!   an error with its causes).
#![forbid(unsafe_code)]

pub mod batch;
pub mod causes;
pub mod check;
pub mod clock;
pub mod custody;
pub mod digest;
pub mod evm_proof;
pub mod hash_hex;
pub mod media;
pub mod merkle;
pub mod ots;
pub mod ots_record;
pub mod package;
pub mod record;
pub mod subject;
pub mod work;
pub mod xml_c14n;
