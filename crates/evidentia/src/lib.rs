//! Evidentia's use cases and the facade [`Evidentia`] the CLI and the app call, on every lower
//! crate (formats, pki, identity, net, vault); never on an adapter. Re-exports the lower crates
//! under their old paths ([`digest`], [`subject`], [`work`], [`media`], [`check`], [`clock`],
//! [`hash_hex`], [`identity`], [`vault`], [`cades_verify`], and inside [`tsp`], [`cades`], [`pades`],
//! [`package`], [`anchor`]).
//!
//! - [`facade`] is the one entry point: seal, sync, export, verify, each to a typed result;
//! - [`cades`] and [`pades`] sign with an identity and a TSA; [`stamp`] keeps time-stamps with records;
//! - [`anchor`] batches records and anchors them on a chain and with OpenTimestamps;
//! - [`package::export`] writes evidence packages, [`verify`] judges them, [`report`] renders the verdict;
//! - [`seal`] drives the stages for a set of subjects; [`pending`] completes what waits;
//! - [`config`] reads the configuration file and its environment overrides; [`profile`] names the profile;
//! - [`Error`] is the one umbrella error: its code and exit code, for the CLI and the app alike.
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
pub mod renew;
pub mod report;
pub mod seal;
pub mod stamp;
pub mod tsp;
pub mod verify;

pub use error::{Error, ErrorKind, verdict_exit_code};
pub use evidentia_formats::{check, clock, digest, hash_hex, media, subject, work};
pub use evidentia_identity as identity;
pub use evidentia_pki::cades_verify;
pub use evidentia_pki::pades::font;
pub use evidentia_vault as vault;
pub use facade::{Evidentia, SignatureFileReport};
