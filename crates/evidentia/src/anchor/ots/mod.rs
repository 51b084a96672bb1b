//! OpenTimestamps anchoring: batch roots submitted to calendars, their pending proofs upgraded
//! to Bitcoin attestations by [`sync`], and per record a `.ots` proof whose first operations are
//! the record's salted leaf and Merkle path up to the batch root.

pub mod calendar;
pub mod format;

use std::time::Duration;

use serde::Serialize;

use crate::anchor::merkle::{Hash, LEAF_PREFIX, MerkleError, MerkleProof, NODE_PREFIX, RECORD_LEAF_TAG};
use crate::vault::{OtsStamp, OtsStampKind, Vault, VaultError};
use calendar::CalendarClient;
use format::{Attestation, DetachedTimestamp, Op, Timestamp};

/// The public calendars the `production` profile submits to.
pub const PUBLIC_CALENDARS: [&str; 4] = [
    "https://a.pool.opentimestamps.org",
    "https://b.pool.opentimestamps.org",
    "https://a.pool.eternitywall.com",
    "https://ots.btc.catallaxy.com",
];

/// What went wrong with a proof or a calendar.
#[derive(Debug, thiserror::Error)]
pub enum OtsError {
    /// Bytes that are not a valid OpenTimestamps proof.
    #[error("malformed OpenTimestamps proof: {0}")]
    Malformed(String),
    /// An operation this build does not evaluate.
    #[error("the proof uses {0}, which Evidentia does not evaluate")]
    UnsupportedOp(&'static str),
    /// The calendar could not be reached.
    #[error("calendar {url} is unreachable: {detail}; the batch stays pending and `evidentia sync` retries")]
    Unreachable {
        /// Where.
        url: String,
        /// Why.
        detail: String,
    },
    /// The calendar answered, but not with what the protocol promises.
    #[error("calendar {url} refused or answered wrongly: {detail}")]
    Calendar {
        /// Where.
        url: String,
        /// What it did.
        detail: String,
    },
}

impl OtsError {
    /// Stable reason code.
    pub fn code(&self) -> &'static str {
        match self {
            OtsError::Malformed(_) => "OTS_MALFORMED",
            OtsError::UnsupportedOp(_) => "OTS_UNSUPPORTED_OP",
            OtsError::Unreachable { .. } => "CALENDAR_UNREACHABLE",
            OtsError::Calendar { .. } => "CALENDAR_REFUSED",
        }
    }
}

/// Which calendars to submit to, and how long to wait for each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtsSettings {
    /// Calendar URLs.
    pub calendars: Vec<String>,
    /// One exchange's limit.
    pub timeout: Duration,
}

/// The operations from a record's SHA-256 to its batch root: the salted leaf
/// (`SHA-256(0x00 ‖ tag ‖ salt ‖ digest)`), then one RFC 6962 node per step of the path.
pub fn record_ops(salt: &Hash, proof: &MerkleProof) -> Result<Vec<Op>, MerkleError> {
    let mut ops = vec![Op::Prepend([&[LEAF_PREFIX][..], RECORD_LEAF_TAG, salt].concat()), Op::Sha256];
    for (sibling_on_left, sibling) in proof.steps()? {
        if sibling_on_left {
            ops.push(Op::Prepend([&[NODE_PREFIX][..], &sibling].concat()));
        } else {
            ops.push(Op::Prepend(vec![NODE_PREFIX]));
            ops.push(Op::Append(sibling.to_vec()));
        }
        ops.push(Op::Sha256);
    }
    Ok(ops)
}

/// A record's `.ots` proof: its path to the batch root, then every calendar's tree from there.
pub fn record_proof(
    sha256: &Hash,
    salt: &Hash,
    proof: &MerkleProof,
    root_trees: Vec<Timestamp>,
) -> Result<DetachedTimestamp, MerkleError> {
    let mut at_root = Timestamp::default();
    for t in root_trees {
        at_root.merge(t);
    }
    Ok(DetachedTimestamp {
        file_hash: Op::Sha256,
        digest: sha256.to_vec(),
        timestamp: Timestamp::chain(record_ops(salt, proof)?, at_root),
    })
}

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
        (crate::vault::unhex32(&inclusion.salt), crate::vault::unhex32(&detail.record.sha256_hex()))
    else {
        return Err(VaultError::BadRow(format!("salt or digest of record {id}")));
    };
    record_proof(&sha, &salt, &inclusion.proof, trees)
        .map_err(|e| VaultError::BadRow(format!("proof of record {id}: {e}")))
}

/// The lowest Bitcoin block attesting a tree, if any.
pub fn bitcoin_height(tree: &Timestamp, msg: &[u8]) -> Result<Option<u64>, OtsError> {
    Ok(tree
        .attestations(msg)?
        .into_iter()
        .filter_map(|(_, a)| match a {
            Attestation::Bitcoin(h) => Some(h),
            _ => None,
        })
        .min())
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
        let Some(root) = crate::vault::unhex32(&batch.root) else {
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
        Err(e) => return Ok(failed(&stamp.batch_id, &stamp.calendar, &e)),
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
                Err(e) => return Ok(failed(&stamp.batch_id, &stamp.calendar, &e)),
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

/// A stamp's tree as stored (hex of the serialized tree from the batch root).
pub(crate) fn tree_from_hex(hex_text: &str) -> Result<Timestamp, OtsError> {
    let bytes = hex::decode(hex_text).map_err(|_| OtsError::Malformed("the stored tree is not hex".into()))?;
    Timestamp::from_bytes(&bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::anchor::merkle::{MerkleTree, leaf_hash, record_leaf_data};

    #[test]
    fn record_ops_lead_to_the_root_for_every_leaf() {
        for size in [1u64, 2, 3, 5, 8, 13] {
            let items: Vec<(Hash, Hash)> = (0..size).map(|i| ([i as u8; 32], [0x80 | i as u8; 32])).collect();
            let leaves = items.iter().map(|(salt, sha)| leaf_hash(&record_leaf_data(salt, sha))).collect();
            let tree = MerkleTree::new(leaves);
            for (i, (salt, sha)) in items.iter().enumerate() {
                let proof = tree.proof(i as u64).unwrap();
                let mut msg = sha.to_vec();
                for op in record_ops(salt, &proof).unwrap() {
                    msg = op.apply(&msg).unwrap();
                }
                assert_eq!(msg, tree.root(), "leaf {i} of {size}");
            }
        }
    }
}
