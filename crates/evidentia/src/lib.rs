//! Evidentia's core: everything the `evidentia` command and the desktop app do is done here.
//!
//! Data flows one way, one module per stage:
//!
//! - [`digest`] hashes bytes with SHA-256, SHA-512 and SM3 in one streamed pass;
//! - [`subject`] turns the paths a user names into checked subjects (files, or folders sealed as works);
//! - [`work`] builds a work's canonical manifest, whose digest is the work's digest;
//! - [`vault`] keeps evidence records, file copies and the hash-chained custody log, and checks them;
//! - [`tsp`] obtains and verifies RFC 3161 time-stamps; [`stamp`] keeps them with records;
//! - [`seal`] drives the stages for a set of subjects and reports progress;
//! - [`config`] reads the configuration file and its environment overrides.
#![forbid(unsafe_code)]

pub mod anchor;
pub mod cades;
pub mod cades_verify;
pub mod config;
pub mod digest;
mod error;
pub mod identity;
pub mod media;
pub mod package;
pub mod pades;
pub mod pending;
pub mod report;
pub mod seal;
pub mod stamp;
pub mod subject;
pub mod tsp;
pub mod vault;
pub mod verify;
pub mod work;

pub use error::{Error, ErrorKind};
