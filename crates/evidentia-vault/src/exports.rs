//! Exports in the custody log: each package written is an `exported` event naming the package,
//! its SHA-256 and its records.

use serde::Serialize;

use super::custody::CustodyEventKind;
use super::store::insert_events;
use super::{Vault, VaultError};
use crate::clock::now;

#[derive(Serialize)]
struct Export<'a> {
    package: &'a str,
    sha256: &'a str,
    records: &'a [String],
}

impl Vault {
    /// Records that the package at `path` (SHA-256 `sha256`) was written with `records`.
    pub async fn record_export(&self, path: &str, sha256: &str, records: &[String]) -> Result<(), VaultError> {
        let payload = serde_json::to_string(&Export { package: path, sha256, records }).unwrap_or_default();
        let mut tx = self.begin_append().await?;
        let events = insert_events(&mut tx, vec![(CustodyEventKind::Exported, now(), None, payload)]).await?;
        tx.commit().await?;
        self.advance_head(&events)
    }
}
