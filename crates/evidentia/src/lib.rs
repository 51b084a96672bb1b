//! Evidentia's core: everything the `evidentia` command and the desktop app do is done here, on
//! top of `evidentia-formats` (the pure formats, re-exported here: [`digest`], [`subject`],
//! [`work`], [`media`], [`check`], [`clock`], [`hash_hex`]).
//!
//! - [`vault`] keeps evidence records, file copies and the hash-chained custody log, and checks them;
//! - [`tsp`] obtains and verifies RFC 3161 time-stamps; [`stamp`] keeps them with records;
//! - [`cades`], [`cades_verify`] and [`pades`] make and check signatures;
//! - [`anchor`] batches records and anchors them on a chain and with OpenTimestamps;
//! - [`package`] exports evidence packages, [`verify`] judges them, [`report`] renders the verdict;
//! - [`seal`] drives the stages for a set of subjects and reports progress;
//! - [`config`] reads the configuration file and its environment overrides.
//!
//! `docs/architecture.md` names the layer each module belongs to and what it must never import.
#![forbid(unsafe_code)]

pub mod anchor;
pub mod cades;
pub use evidentia_pki::cades_verify;
pub mod config;
mod error;
pub mod identity;
pub mod package;
pub mod pades;
pub mod pending;
pub mod report;
pub mod seal;
pub mod stamp;
pub mod tsp;
pub use evidentia_vault as vault;
pub mod verify;

pub use error::{Error, ErrorKind, verdict_exit_code};
pub use evidentia_formats::{check, clock, digest, hash_hex, media, subject, work};
