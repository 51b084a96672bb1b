//! OpenTimestamps anchoring: batch roots submitted to calendars, their pending proofs upgraded
//! to Bitcoin attestations by [`sync`], and per record a `.ots` proof whose first operations are
//! the record's salted leaf and Merkle path up to the batch root.

pub mod proof_file;
pub mod upgrade;

pub use evidentia_formats::ots as format;
pub use evidentia_net::ots::{self as calendar, OtsError, OtsSettings, PUBLIC_CALENDARS};

use serde::Serialize;

use crate::anchor::merkle::Hash;
use crate::vault::{OtsStamp, OtsStampKind, Vault, VaultError};
use calendar::CalendarClient;
pub use evidentia_formats::ots_record::{bitcoin_height, record_ops, record_proof, tree_from_hex};
use format::{Attestation, DetachedTimestamp};

/// A record's `.ots` proof from what the vault holds: its inclusion in its batch and the newest
/// tree of every calendar that holds the batch root.
pub async fn record_file(vault: &Vault, record_id: &str) -> Result<DetachedTimestamp, VaultError> {
    let detail = vault.record(record_id).await?;
    let id = &detail.record.id;
    let Some(inclusion) = detail.inclusion else {
        return Err(VaultError::ProofPending(format!(
            "record {id} is in no batch yet; `evidentia anchor flush` makes one"
        )));
    };
    let stamps = vault.latest_ots_stamps(&inclusion.batch.id).await?;
    if stamps.is_empty() {
        return Err(VaultError::ProofPending(format!(
            "batch {} of record {id} is not in any OpenTimestamps calendar yet; set EVIDENTIA_OTS_CALENDARS (or \
             [ots] calendars) and run `evidentia sync`",
            inclusion.batch.id
        )));
    }
    let trees = stamps
        .iter()
        .map(|s| s.tree().map_err(|e| VaultError::BadRow(format!("OTS stamp {}: {e}", s.id))))
        .collect::<Result<Vec<_>, _>>()?;
    let (Some(salt), Some(sha)) =
        (crate::hash_hex::unhex32(&inclusion.salt), crate::hash_hex::unhex32(&detail.record.sha256_hex()))
    else {
        return Err(VaultError::BadRow(format!("salt or digest of record {id}")));
    };
    record_proof(&sha, &salt, &inclusion.proof, trees)
        .map_err(|e| VaultError::BadRow(format!("proof of record {id}: {e}")))
}

/// Where one batch stands with one calendar after [`sync`].
#[derive(Debug, Clone, Serialize)]
pub struct OtsOutcome {
    /// The batch.
    pub batch_id: String,
    /// The calendar it was submitted to.
    pub calendar: String,
    /// `attested`, or why not yet: `OTS_PENDING`, `CALENDAR_UNREACHABLE`, `CALENDAR_REFUSED`.
    pub state: String,
    /// In words.
    pub detail: String,
    /// The Bitcoin block that attests it, once one does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bitcoin_height: Option<u64>,
}

/// Submits every batch root to every configured calendar it was not yet submitted to, and asks
/// the calendars for the upgrade of every stamp not yet attested in Bitcoin.
pub async fn sync(vault: &Vault, settings: &OtsSettings) -> Result<Vec<OtsOutcome>, VaultError> {
    let client = CalendarClient::new(settings.timeout).map_err(|e| VaultError::BadRow(e.to_string()))?;
    let mut out = Vec::new();
    for batch in vault.batches().await? {
        let Some(root) = crate::hash_hex::unhex32(&batch.root) else {
            return Err(VaultError::BadRow(format!("root of batch {}", batch.id)));
        };
        let stamps = vault.latest_ots_stamps(&batch.id).await?;
        for calendar in &settings.calendars {
            if stamps.iter().any(|s| &s.calendar == calendar) {
                continue;
            }
            let outcome = match client.submit(calendar, &root).await {
                Ok(tree) => {
                    let stamp = OtsStamp::new(&batch.id, calendar, &tree, None);
                    vault.record_ots_stamp(&stamp, OtsStampKind::Submitted).await?;
                    pending(
                        &batch.id,
                        calendar,
                        "submitted; Bitcoin attestation in a few hours, `evidentia sync` upgrades",
                    )
                }
                Err(e) => failed(&batch.id, calendar, &e),
            };
            out.push(outcome);
        }
        for stamp in stamps {
            out.push(upgrade(vault, &client, &stamp, &root).await?);
        }
    }
    Ok(out)
}

async fn upgrade(
    vault: &Vault,
    client: &CalendarClient,
    stamp: &OtsStamp,
    root: &Hash,
) -> Result<OtsOutcome, VaultError> {
    let attested = |h: u64| OtsOutcome {
        batch_id: stamp.batch_id.clone(),
        calendar: stamp.calendar.clone(),
        state: "attested".into(),
        detail: format!("in Bitcoin block {h}"),
        bitcoin_height: Some(h),
    };
    if let Some(h) = stamp.bitcoin_height {
        return Ok(attested(h));
    }
    let mut tree = stamp.tree().map_err(|e| VaultError::BadRow(format!("OTS stamp {}: {e}", stamp.id)))?;
    let pendings = match tree.attestations(root) {
        Ok(found) => found,
        Err(e) => return Ok(failed(&stamp.batch_id, &stamp.calendar, &e.into())),
    };
    let mut changed = false;
    for (commitment, a) in pendings {
        let Attestation::Pending(uri) = a else { continue };
        if !(uri.starts_with("https://") || uri.starts_with("http://")) {
            continue;
        }
        match client.upgrade(&uri, &commitment).await {
            Ok(Some(found)) => match tree.graft(root, &commitment, &found) {
                Ok(grafted) => changed |= grafted,
                Err(e) => return Ok(failed(&stamp.batch_id, &stamp.calendar, &e.into())),
            },
            Ok(None) => {}
            Err(e) => return Ok(failed(&stamp.batch_id, &stamp.calendar, &e)),
        }
    }
    let height = bitcoin_height(&tree, root).unwrap_or(None);
    if changed {
        let upgraded = OtsStamp::new(&stamp.batch_id, &stamp.calendar, &tree, height);
        vault.record_ots_stamp(&upgraded, OtsStampKind::Upgraded).await?;
    }
    Ok(match height {
        Some(h) => attested(h),
        None => pending(&stamp.batch_id, &stamp.calendar, "the calendar has not attested it in Bitcoin yet"),
    })
}

fn pending(batch_id: &str, calendar: &str, detail: &str) -> OtsOutcome {
    OtsOutcome {
        batch_id: batch_id.to_owned(),
        calendar: calendar.to_owned(),
        state: "OTS_PENDING".into(),
        detail: detail.to_owned(),
        bitcoin_height: None,
    }
}

fn failed(batch_id: &str, calendar: &str, e: &OtsError) -> OtsOutcome {
    OtsOutcome {
        batch_id: batch_id.to_owned(),
        calendar: calendar.to_owned(),
        state: e.code().into(),
        detail: e.to_string(),
        bitcoin_height: None,
    }
}
