//! Evidentia's use cases, on `evidentia-formats`, `evidentia-pki` and `evidentia-vault` (all
//! re-exported here under their old paths: [`digest`], [`subject`], [`work`], [`media`], [`check`],
//! [`clock`], [`hash_hex`], [`vault`], [`cades_verify`], and inside [`tsp`], [`cades`], [`pades`]).
//!
//! - [`identity`] unlocks signing identities; [`cades`] and [`pades`] sign with them and a TSA;
//! - [`tsp`] asks TSAs for time-stamps ([`tsp::client`]); [`stamp`] keeps them with records;
//! - [`anchor`] batches records and anchors them on a chain and with OpenTimestamps;
//! - [`package`] exports evidence packages, [`verify`] judges them, [`report`] renders the verdict;
//! - [`seal`] drives the stages for a set of subjects and reports progress;
//! - [`config`] reads the configuration file and its environment overrides.
//!
//! `docs/architecture.md` names the layer each module belongs to and what it must never import.
#![forbid(unsafe_code)]

pub mod anchor;
pub mod cades;
pub mod config;
mod error;
pub mod facade;
pub mod package;
pub mod pades;
pub mod pending;
pub mod profile;
pub mod report;
pub mod seal;
pub mod stamp;
pub mod tsp;
pub mod verify;

pub use error::{Error, ErrorKind, verdict_exit_code};
pub use evidentia_formats::{check, clock, digest, hash_hex, media, subject, work};
pub use evidentia_identity as identity;
pub use evidentia_pki::cades_verify;
pub use evidentia_vault as vault;
pub use facade::Evidentia;
