//! Renewing records' proofs before they weaken (RFC 4998 evidence records): a record whose
//! time-stamp's TSA certificate expires within the window gets its first archive time-stamp
//! (over its content and its time-stamps, beside the custody log's head); a record
//! whose last archive time-stamp expires gets a time-stamp renewal; a new hash algorithm gets a
//! hash-tree renewal. Offline first: when no TSA answers, nothing is written and the next run
//! does it; each tree is written with its leaves and custody event in one transaction.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use evidentia_pki::evidence_record::build::{
    PlacedStamp, archive_tree, hash_tree_renewal_values, timestamp_renewal_value,
};
use evidentia_vault::{ArchiveKind, ArchiveLeaf, ArchiveStamp, CUSTODY_HEAD, Vault, leaves_sha256, placed_chains};

use crate::digest::DigestAlgorithm;
use crate::error::Error;
use crate::tsp::TsaClient;
use evidentia_formats::record::EvidenceRecord;

/// What `renew` is asked to do.
#[derive(Debug, Clone, Copy)]
pub struct RenewOptions {
    /// Renew every proof that weakens before now + this.
    pub before: Duration,
    /// Renew the hash trees with this algorithm (records whose last chain uses another).
    pub hash: Option<DigestAlgorithm>,
}

impl Default for RenewOptions {
    /// Two years ahead, hash trees kept: what the app's background retry runs.
    fn default() -> Self {
        RenewOptions { before: Duration::days(730), hash: None }
    }
}

/// Where a record's proof stands.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ProofExpiry {
    /// The record.
    pub record_id: String,
    /// When its newest proof's TSA certificate expires (RFC 3339), if it has a time-stamp.
    pub expires: Option<String>,
    /// Whether that proof is an archive time-stamp (an evidence record) rather than the record's own.
    pub archived: bool,
    /// The hash algorithm of its newest proof.
    pub algorithm: Option<String>,
}

/// How the vault's proofs stand: counts by when their newest proof weakens.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ProofStatus {
    /// Records.
    pub records: usize,
    /// Records with an evidence record.
    pub archived: usize,
    /// Records without any time-stamp (none asked, none configured, or still pending).
    pub without_timestamp: usize,
    /// Records whose newest proof's TSA certificate has expired.
    pub expired: usize,
    /// … expires within 90 days.
    pub within_90_days: usize,
    /// … expires within 2 years.
    pub within_2_years: usize,
    /// … expires later.
    pub later: usize,
    /// The first expiry ahead (RFC 3339), if any.
    pub next_expiry: Option<String>,
    /// Whether `renew` has something to do within its default window (2 years), or too late.
    pub renewal_due: bool,
}

/// The counts of `expiries` as of `now`.
pub fn summarize(expiries: &[ProofExpiry], now: DateTime<Utc>) -> ProofStatus {
    let mut s = ProofStatus { records: expiries.len(), ..ProofStatus::default() };
    let mut next: Option<DateTime<Utc>> = None;
    for e in expiries {
        if e.archived {
            s.archived += 1;
        }
        let Some(at) = e.expires.as_deref().and_then(parse_time) else {
            s.without_timestamp += 1;
            continue;
        };
        if at <= now {
            s.expired += 1;
            continue;
        }
        next = Some(next.map_or(at, |n| n.min(at)));
        match (at - now).num_days() {
            d if d < 90 => s.within_90_days += 1,
            d if d < 730 => s.within_2_years += 1,
            _ => s.later += 1,
        }
    }
    s.next_expiry = next.map(|t| t.to_rfc3339());
    s.renewal_due = s.expired + s.within_90_days + s.within_2_years > 0;
    s
}

/// What a renewal did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct RenewalSummary {
    /// Archive time-stamps written.
    pub stamps: Vec<ArchiveStamp>,
    /// Records that got their first evidence record.
    pub started: usize,
    /// Records whose evidence record got a time-stamp renewal.
    pub timestamp_renewed: usize,
    /// Records whose evidence record got a hash-tree renewal.
    pub hash_tree_renewed: usize,
    /// Records left for the next run, with why (a TSA that did not answer).
    pub pending: Vec<(String, String)>,
    /// Records that cannot be renewed, with why.
    pub skipped: Vec<(String, String)>,
}

/// The data objects an evidence record of `record` covers, hashed by `algorithm`: its content
/// (or a work's manifest), then each of its time-stamp responses (which bind its signature
/// value, when it has one) — as a package holds them.
/// `None` when the content is not kept and the record has no digest by that algorithm.
pub async fn record_objects(
    vault: &Vault,
    record: &EvidenceRecord,
    algorithm: DigestAlgorithm,
) -> Result<Option<Vec<Vec<u8>>>, Error> {
    let content = match record.digests.get(algorithm) {
        Some(d) => d.as_bytes().to_vec(),
        None if record.stored => {
            let path = vault.blobs().path_for(&record.sha256_hex());
            match crate::digest::hash_file(&path, &[algorithm], None, &|_| {}) {
                Ok(h) => h.digests.get(algorithm).map(|d| d.as_bytes().to_vec()).unwrap_or_default(),
                Err(_) => return Ok(None),
            }
        }
        None => return Ok(None),
    };
    let mut values = vec![content];
    for (_, token) in vault.timestamps(Some(&record.id)).await? {
        values.push(algorithm.digest(&token).as_bytes().to_vec());
    }
    Ok(Some(values))
}

/// When each record's newest proof weakens.
pub async fn expiries(vault: &Vault) -> Result<Vec<ProofExpiry>, Error> {
    let mut out = Vec::new();
    for record in vault.records().await? {
        out.push(expiry_of(vault, &record.id).await?);
    }
    Ok(out)
}

async fn expiry_of(vault: &Vault, record_id: &str) -> Result<ProofExpiry, Error> {
    let chains = vault.evidence_record_chains(record_id).await?;
    if let Some((stamp, _)) = chains.last().and_then(|c| c.last()) {
        return Ok(ProofExpiry {
            record_id: record_id.to_owned(),
            expires: Some(stamp.tsa_not_after.clone()),
            archived: true,
            algorithm: Some(stamp.algorithm.clone()),
        });
    }
    let mut earliest: Option<(DateTime<Utc>, String)> = None;
    for (t, token) in vault.timestamps(Some(record_id)).await? {
        let Ok(parsed) = crate::tsp::TimestampToken::from_any_der(&token) else { continue };
        if let Some(not_after) = parsed.signer_not_after(&[])
            && earliest.as_ref().is_none_or(|(e, _)| not_after < *e)
        {
            earliest = Some((not_after, t.algorithm.clone()));
        }
    }
    Ok(ProofExpiry {
        record_id: record_id.to_owned(),
        expires: earliest.as_ref().map(|(e, _)| e.to_rfc3339()),
        archived: false,
        algorithm: earliest.map(|(_, a)| a),
    })
}

fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text).ok().map(|t| t.with_timezone(&Utc))
}

/// Renews every proof of the vault that weakens within the window (see the module).
pub async fn renew(vault: &Vault, tsa: &TsaClient, options: &RenewOptions) -> Result<RenewalSummary, Error> {
    let now = Utc::now();
    let horizon = now + options.before;
    let mut summary = RenewalSummary::default();
    let mut initial: Vec<EvidenceRecord> = Vec::new();
    // The earliest expiry among the proofs a first archive time-stamp would renew.
    let mut initial_expiry: Option<DateTime<Utc>> = None;
    // Time-stamp renewals, by the algorithm of the chain and the stamp renewed.
    let mut renew_stamps: BTreeMap<String, Vec<(String, u64, u64, ArchiveStamp)>> = BTreeMap::new();
    let mut renew_trees: Vec<(EvidenceRecord, Vec<Vec<PlacedStamp>>)> = Vec::new();
    for record in vault.records().await? {
        let chains = vault.evidence_record_chains(&record.id).await?;
        let Some((last, last_leaf)) = chains.last().and_then(|c| c.last()).cloned() else {
            let e = expiry_of(vault, &record.id).await?;
            if let Some(t) = e.expires.as_deref().and_then(parse_time).filter(|t| *t <= horizon) {
                initial_expiry = Some(initial_expiry.map_or(t, |m| m.min(t)));
                initial.push(record);
            }
            continue;
        };
        let algorithm = last.digest_algorithm();
        let weak_algorithm = algorithm
            .and_then(evidentia_pki::tsp::signature::digest_sunset)
            .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .is_some_and(|d| d.and_hms_opt(0, 0, 0).is_some_and(|t| t.and_utc() <= horizon));
        // A new hash algorithm asked for, or the chain's weakening: a hash-tree renewal.
        let wanted = options.hash.or(weak_algorithm.then_some(DigestAlgorithm::Sha512));
        if let Some(new) = wanted
            && Some(new) != algorithm
        {
            renew_trees.push((record, placed_chains(&chains)));
            continue;
        }
        if parse_time(&last.tsa_not_after).is_none_or(|t| t <= horizon) {
            renew_stamps.entry(last.algorithm.clone()).or_default().push((
                record.id.clone(),
                last_leaf.chain,
                last_leaf.position,
                last,
            ));
        }
    }

    // 1. First evidence records, with the custody log's head.
    let algorithm = options.hash.unwrap_or(DigestAlgorithm::Sha256);
    if !initial.is_empty() {
        let mut ids = Vec::new();
        let mut groups = Vec::new();
        for record in &initial {
            match record_objects(vault, record, algorithm).await? {
                Some(values) => {
                    ids.push(record.id.clone());
                    groups.push(values);
                }
                None => summary
                    .skipped
                    .push((record.id.clone(), format!("its content is not kept and it has no {algorithm} digest"))),
            }
        }
        if let Some((seq, hash)) = vault.head().await? {
            ids.push(format!("{CUSTODY_HEAD}:{seq}"));
            groups.push(vec![algorithm.digest(&hex::decode(&hash).unwrap_or_default()).as_bytes().to_vec()]);
        }
        let leaves = |tree: &evidentia_pki::evidence_record::build::ArchiveTree| {
            ids.iter()
                .zip(&tree.reduced)
                .map(|(id, r)| ArchiveLeaf { record_id: id.clone(), chain: 1, position: 1, reduced: hexed(r) })
                .collect::<Vec<_>>()
        };
        let started = ids.iter().filter(|i| !i.starts_with(CUSTODY_HEAD)).count();
        if started > 0 {
            let tree = archive_tree(algorithm, &groups);
            // With a hash algorithm asked for, the new algorithm is the gain.
            let outlive = if options.hash.is_some() { None } else { initial_expiry };
            match stamp_tree(vault, tsa, ArchiveKind::Initial, algorithm, &tree, leaves(&tree), outlive).await? {
                Stamped::Written(s) => {
                    summary.started += started;
                    summary.stamps.push(s);
                }
                Stamped::NoGain(why) => summary
                    .skipped
                    .extend(ids.iter().filter(|i| !i.starts_with(CUSTODY_HEAD)).map(|i| (i.clone(), why.clone()))),
                Stamped::Pending(why) => summary
                    .pending
                    .extend(ids.iter().filter(|i| !i.starts_with(CUSTODY_HEAD)).map(|i| (i.clone(), why.clone()))),
            }
        }
    }

    // 2. Time-stamp renewals: one tree per chain algorithm over the tokens being renewed.
    for (name, records) in renew_stamps {
        let Some(algorithm) = records.first().and_then(|r| r.3.digest_algorithm()) else {
            summary
                .skipped
                .extend(records.iter().map(|r| (r.0.clone(), format!("its chain's algorithm {name} is unknown"))));
            continue;
        };
        let mut renewed: Vec<String> = Vec::new(); // stamp ids, in group order
        let mut groups = Vec::new();
        for (_, _, _, stamp) in &records {
            if !renewed.contains(&stamp.id) {
                renewed.push(stamp.id.clone());
                groups.push(vec![timestamp_renewal_value(algorithm, &hex::decode(&stamp.token).unwrap_or_default())]);
            }
        }
        let tree = archive_tree(algorithm, &groups);
        let leaves: Vec<ArchiveLeaf> = records
            .iter()
            .map(|(id, chain, position, stamp)| {
                let g = renewed.iter().position(|s| *s == stamp.id).unwrap_or(0);
                ArchiveLeaf {
                    record_id: id.clone(),
                    chain: *chain,
                    position: position + 1,
                    reduced: hexed(&tree.reduced[g]),
                }
            })
            .collect();
        let expiring = records.iter().filter_map(|r| parse_time(&r.3.tsa_not_after)).min();
        match stamp_tree(vault, tsa, ArchiveKind::TimestampRenewal, algorithm, &tree, leaves, expiring).await? {
            Stamped::Written(s) => {
                summary.timestamp_renewed += records.len();
                summary.stamps.push(s);
            }
            Stamped::NoGain(why) => summary.skipped.extend(records.iter().map(|r| (r.0.clone(), why.clone()))),
            Stamped::Pending(why) => summary.pending.extend(records.iter().map(|r| (r.0.clone(), why.clone()))),
        }
    }

    // 3. Hash-tree renewals: each record's data and chains so far, by the new algorithm.
    if !renew_trees.is_empty() {
        let algorithm = options.hash.unwrap_or(DigestAlgorithm::Sha512);
        let mut ids = Vec::new();
        let mut groups = Vec::new();
        let mut chain_numbers = Vec::new();
        for (record, chains) in &renew_trees {
            match record_objects(vault, record, algorithm).await? {
                Some(values) => {
                    ids.push(record.id.clone());
                    groups.push(hash_tree_renewal_values(algorithm, chains, &values));
                    chain_numbers.push(chains.len() as u64 + 1);
                }
                None => summary.skipped.push((
                    record.id.clone(),
                    format!(
                        "its content is not kept and it has no {algorithm} digest: its hash tree cannot be renewed"
                    ),
                )),
            }
        }
        if !ids.is_empty() {
            let tree = archive_tree(algorithm, &groups);
            let leaves: Vec<ArchiveLeaf> = ids
                .iter()
                .zip(&tree.reduced)
                .zip(&chain_numbers)
                .map(|((id, r), chain)| ArchiveLeaf {
                    record_id: id.clone(),
                    chain: *chain,
                    position: 1,
                    reduced: hexed(r),
                })
                .collect();
            match stamp_tree(vault, tsa, ArchiveKind::HashTreeRenewal, algorithm, &tree, leaves, None).await? {
                Stamped::Written(s) => {
                    summary.hash_tree_renewed += ids.len();
                    summary.stamps.push(s);
                }
                Stamped::NoGain(why) => summary.skipped.extend(ids.iter().map(|i| (i.clone(), why.clone()))),
                Stamped::Pending(why) => summary.pending.extend(ids.iter().map(|i| (i.clone(), why.clone()))),
            }
        }
    }
    Ok(summary)
}

fn hexed(reduced: &[Vec<Vec<u8>>]) -> Vec<Vec<String>> {
    reduced.iter().map(|l| l.iter().map(hex::encode).collect()).collect()
}

/// What asking for one archive time-stamp came to.
enum Stamped {
    /// Written, with its leaves and custody event.
    Written(ArchiveStamp),
    /// The TSA did not answer: nothing written, the next run does it.
    Pending(String),
    /// The TSA's certificate expires no later than the proofs it would renew: nothing written.
    NoGain(String),
}

/// Asks the TSA for a token over the tree's root and writes the stamp with its leaves — unless
/// the TSA's certificate does not outlive `must_outlive`, the earliest expiry it would renew.
async fn stamp_tree(
    vault: &Vault,
    tsa: &TsaClient,
    kind: ArchiveKind,
    algorithm: DigestAlgorithm,
    tree: &evidentia_pki::evidence_record::build::ArchiveTree,
    leaves: Vec<ArchiveLeaf>,
    must_outlive: Option<DateTime<Utc>>,
) -> Result<Stamped, Error> {
    let obtained = match tsa.timestamp(algorithm, &tree.root).await {
        Ok(o) => o,
        Err(e) if e.is_transport() || matches!(e, crate::tsp::TspError::SkippedDown { .. }) => {
            return Ok(Stamped::Pending(e.to_string()));
        }
        Err(e) => return Err(e.into()),
    };
    let expires = obtained.token.signer_not_after(&[]).unwrap_or(obtained.verified.gen_time);
    if let Some(old) = must_outlive
        && expires <= old
    {
        return Ok(Stamped::NoGain(format!(
            "the TSA {}'s certificate expires on {}, no later than the proof it would renew ({}): use a TSA whose certificate is valid longer",
            obtained.url,
            expires.format("%Y-%m-%d"),
            old.format("%Y-%m-%d")
        )));
    }
    let not_after = expires.to_rfc3339();
    let stamp = ArchiveStamp {
        id: uuid::Uuid::now_v7().to_string(),
        kind,
        algorithm: algorithm.name().to_owned(),
        root: hex::encode(&tree.root),
        tsa_url: obtained.url.clone(),
        gen_time: obtained.verified.gen_time.to_rfc3339(),
        tsa_not_after: not_after,
        token: hex::encode(obtained.token.to_der()),
        leaves_sha256: leaves_sha256(&leaves),
        recorded_at: crate::clock::now(),
    };
    vault.record_archive_stamp(&stamp, &leaves).await?;
    Ok(Stamped::Written(stamp))
}
