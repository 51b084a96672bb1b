//! Completes what records still wait for: their time-stamps, then their batch and its anchors.

use serde::Serialize;

use crate::Error;
use crate::anchor::{LedgerOutcomes, Ledgers};
use crate::stamp::StampOutcome;
use crate::tsp::TsaClient;
use crate::vault::{AnchorBatch, Vault};

/// What one round of completion did.
#[derive(Debug, Default, Serialize)]
pub struct Completed {
    /// The time-stamps asked for (none without a TSA).
    pub timestamps: Option<Vec<StampOutcome>>,
    /// The batch made of the records waiting for one, when asked to make one.
    pub batch: Option<AnchorBatch>,
    /// What the ledgers said (none without a ledger).
    pub anchors: Option<LedgerOutcomes>,
}

impl Completed {
    /// Nothing is left waiting.
    pub fn complete(&self) -> bool {
        !self.timestamps.iter().flatten().any(|o| o.pending_reason.is_some())
            && self.anchors.as_ref().is_none_or(|a| a.complete())
    }

    /// Something was done (a time-stamp, a batch or an anchor).
    pub fn changed(&self) -> bool {
        self.timestamps.iter().flatten().any(|o| !o.timestamps.is_empty())
            || self.batch.is_some()
            || self.anchors.as_ref().is_some_and(|a| !a.chain.is_empty() || !a.ots.is_empty())
    }
}

/// Asks the TSA for every pending time-stamp, then (with `make_batch`) puts the records in no
/// batch into a new one, and anchors every unanchored batch in the ledgers.
pub async fn complete_pending(
    vault: &Vault,
    tsa: Option<&TsaClient>,
    ledgers: &Ledgers,
    make_batch: bool,
) -> Result<Completed, Error> {
    let mut done = Completed::default();
    if let Some(client) = tsa {
        done.timestamps = Some(crate::stamp::sync(vault, client).await?);
    }
    if ledgers.any() {
        if make_batch {
            done.batch = vault.make_batch().await?;
        }
        done.anchors = Some(crate::anchor::sync_ledgers(vault, ledgers).await?);
    }
    Ok(done)
}
