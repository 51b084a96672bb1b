//! Completing time-stamps: asks the TSAs for the records that want one, keeps each verified token
//! with a `timestamped` custody event, and leaves a record pending (never lost) when no TSA gives a
//! valid token. `evidentia sync` runs this over every pending record.

use futures_util::stream::{self, StreamExt};
use serde::Serialize;

use crate::clock::now;
use crate::digest::DigestAlgorithm;
use crate::tsp::{ObtainedTimestamp, QuorumFlag, TsaAttempt, TsaClient, TspError};
use crate::vault::{EvidenceRecord, EvidenceTimestamp, NewTimestamp, Vault, VaultError};

/// Tokens obtained for one record, with what the quorum flagged.
type Stamped = (Vec<ObtainedTimestamp>, Vec<QuorumFlag>);

/// What happened to one record's time-stamp.
#[derive(Debug, Clone, Serialize)]
pub struct StampOutcome {
    /// The record.
    pub record_id: String,
    /// The time-stamps now kept for it (several under a quorum).
    pub timestamps: Vec<EvidenceTimestamp>,
    /// Disagreements between TSAs or with the local clock.
    pub flags: Vec<QuorumFlag>,
    /// TSAs that failed on the way, and why.
    pub failed: Vec<TsaAttempt>,
    /// Why the record is still pending, if it is.
    pub pending_reason: Option<PendingReason>,
}

/// Why a record is still waiting for its time-stamp.
#[derive(Debug, Clone, Serialize)]
pub struct PendingReason {
    /// Stable code (e.g. `NONCE_MISMATCH`, `TSA_UNREACHABLE`).
    pub code: &'static str,
    /// In words.
    pub message: String,
}

/// Asks for time-stamps and keeps the verified ones: over the SHA-256 of a signed record's
/// signature value (its CAdES signature time-stamp), else over the record's SHA-256.
pub async fn stamp(
    vault: &Vault,
    client: &TsaClient,
    records: &[EvidenceRecord],
) -> Result<Vec<StampOutcome>, VaultError> {
    let quorum = client.settings().quorum > 1;
    let ids: Vec<String> = records.iter().map(|r| r.id.clone()).collect();
    let signed = vault.signature_imprints(&ids).await?;
    let imprints: Vec<Option<String>> = records
        .iter()
        .map(|r| signed.get(&r.id).cloned().or_else(|| r.digests.get(DigestAlgorithm::Sha256).map(|d| d.to_hex())))
        .collect();
    let results: Vec<(usize, Result<Stamped, TspError>)> = stream::iter(0..records.len())
        .map(|i| {
            let imprint = imprints[i].as_deref().and_then(|h| hex::decode(h).ok());
            async move {
                let result = match imprint {
                    None => Err(TspError::Malformed("the record has no SHA-256".into())),
                    Some(imprint) if quorum => client.timestamp_quorum(DigestAlgorithm::Sha256, &imprint).await,
                    Some(imprint) => {
                        client.timestamp(DigestAlgorithm::Sha256, &imprint).await.map(|t| (vec![t], Vec::new()))
                    }
                };
                (i, result)
            }
        })
        .buffer_unordered(client.settings().concurrency.max(1))
        .collect()
        .await;

    let mut outcomes: Vec<Option<StampOutcome>> = vec![None; records.len()];
    let mut new = Vec::new();
    for (i, result) in results {
        let record = &records[i];
        let outcome = match result {
            Ok((obtained, flags)) => {
                let mut kept = Vec::new();
                let mut failed = Vec::new();
                for o in obtained {
                    failed.extend(o.failed_before.iter().cloned());
                    let t = EvidenceTimestamp {
                        id: uuid::Uuid::now_v7().to_string(),
                        record_id: record.id.clone(),
                        tsa_url: o.url.clone(),
                        algorithm: DigestAlgorithm::Sha256.name().to_owned(),
                        imprint: imprints[i].clone().unwrap_or_default(),
                        gen_time: o.verified.gen_time.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
                        serial: o.verified.serial.clone(),
                        policy: o.verified.policy.clone(),
                        token_sha256: DigestAlgorithm::Sha256.digest(&o.response_der).to_hex(),
                        verification: serde_json::to_string(&o.verified).unwrap_or_default(),
                        created_at: now(),
                    };
                    new.push(NewTimestamp { timestamp: t.clone(), token: o.response_der });
                    kept.push(t);
                }
                StampOutcome { record_id: record.id.clone(), timestamps: kept, flags, failed, pending_reason: None }
            }
            Err(error) => {
                let failed = match &error {
                    TspError::AllFailed(attempts) => attempts.clone(),
                    _ => Vec::new(),
                };
                // Report the most telling failure: a lie outranks an unreachable TSA.
                let telling = failed.iter().map(|a| &a.error).find(|e| !e.is_transport()).unwrap_or(&error);
                let telling = match telling {
                    TspError::AllFailed(a) if !a.is_empty() => &a[0].error,
                    other => other,
                };
                let reason = PendingReason { code: telling.code(), message: telling.to_string() };
                StampOutcome {
                    record_id: record.id.clone(),
                    timestamps: Vec::new(),
                    flags: Vec::new(),
                    failed,
                    pending_reason: Some(reason),
                }
            }
        };
        outcomes[i] = Some(outcome);
    }
    vault.append_timestamps(&new).await?;
    Ok(outcomes.into_iter().flatten().collect())
}

/// Completes every pending time-stamp in the vault.
pub async fn sync(vault: &Vault, client: &TsaClient) -> Result<Vec<StampOutcome>, VaultError> {
    let pending = vault.pending_timestamps().await?;
    stamp(vault, client, &pending).await
}
