//! Anchoring: Merkle batches of records (and the vault's custody-log head) whose root is fixed
//! in a public ledger, with an inclusion proof per record.

pub mod evm;
pub mod merkle;

pub use merkle::{MerkleError, MerkleProof, MerkleTree};
