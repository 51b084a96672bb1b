//! Verifying an evidence record over its data objects: each reduced hash tree up to its archive
//! time-stamp, each renewal over what it renews, and the verdict in the order EU DSS decides it
//! (data not found, data altered, then the first archive time-stamp that does not pass).

use std::cell::RefCell;
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use evidentia_formats::check::{Check, CheckName, Verdict};
use evidentia_formats::digest::DigestAlgorithm;
use evidentia_formats::xml_c14n::{Canonicalization, canonicalize_document};

use super::{EvidenceRecord, Syntax};
use crate::tsp::{Expectation, TimestampPolicy, TimestampToken, TspError, VerifiedTimestamp};

/// What a digest function answers: the digest, or why the object cannot be read.
pub type ObjectDigest = Result<Vec<u8>, String>;

/// A data object the record is checked against.
pub struct DataObject<'a> {
    /// Its name in reports (a container entry, a file).
    pub name: String,
    /// Its digest by an algorithm; XML records pass their canonicalization, which applies when
    /// the object is XML (see [`xml_aware_digest`]). An error means the object is absent.
    pub digest: Box<dyn Fn(DigestAlgorithm, Option<Canonicalization>) -> ObjectDigest + 'a>,
    /// What it means when the record does not cover it.
    pub coverage: Coverage,
}

/// Whether a data object must be covered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coverage {
    /// It may be (a file of a container that the record need not cover).
    Optional,
    /// The user gave it to be checked: not covered, the record proves nothing about it
    /// (INDETERMINATE, or FAILED when the record holds one digest and this is the only object).
    Expected,
    /// A manifest lists it for the record: absent, INDETERMINATE; present and not covered, FAILED.
    Listed,
}

/// What became of one data object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ObjectOutcome {
    /// Its digest is in the first archive time-stamp's hash tree, and in every hash-tree renewal.
    Covered,
    /// It is there, and its digest is not in the hash tree.
    NotCovered,
    /// It cannot be read (absent), with why.
    Absent(String),
}

/// Which kind of archive time-stamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StampKind {
    /// The first: over the data objects.
    Initial,
    /// A later one in the same chain: over the time-stamp before it.
    TimestampRenewal,
    /// The first of a later chain: over the data objects and all chains before it.
    HashTreeRenewal,
}

/// One archive time-stamp's outcome.
#[derive(Debug, Clone)]
pub struct ArchiveStampOutcome {
    /// Chain, from 1.
    pub chain: usize,
    /// Position in its chain, from 1.
    pub index: usize,
    /// What it renews.
    pub kind: StampKind,
    /// Whether its hash tree holds what it must renew (`Err` names what is missing; for a
    /// hash-tree renewal, `true` when objects are missing and unexplained values are present).
    pub renews: Result<(), (String, bool)>,
    /// The token against the root of its hash tree.
    pub token: Result<VerifiedTimestamp, TspError>,
    /// Its time, when the token could be read.
    pub gen_time: Option<DateTime<Utc>>,
    /// When its TSA's certificate expires, when the token carries it.
    pub not_after: Option<DateTime<Utc>>,
    /// Whether it stays trustworthy: renewed by the next archive time-stamp before its TSA
    /// certificate expired, or (the last) not expired at validation time; `Err` says which not.
    pub lifetime: Result<(), String>,
}

/// An evidence record's verification.
#[derive(Debug, Clone)]
pub struct EvidenceRecordReport {
    /// How it was written.
    pub syntax: Syntax,
    /// Its number of chains.
    pub chains: usize,
    /// Each data object by name, whether the record had to cover it, and what became of it.
    pub objects: Vec<(String, Coverage, ObjectOutcome)>,
    /// Values of the first hash tree level that no data object given has (the record covers
    /// more than was given: allowed).
    pub orphans: usize,
    /// Values in that level.
    pub leaves: usize,
    /// Every archive time-stamp, oldest first.
    pub stamps: Vec<ArchiveStampOutcome>,
}

/// Values of one hash tree level and the value computed below it, reduced to one: a single
/// value as it is, several sorted (unsigned bytes, a prefix first) and hashed concatenated.
fn level_hash(algorithm: DigestAlgorithm, values: &[Vec<u8>], below: Option<&[u8]>) -> Vec<u8> {
    let mut all: Vec<&[u8]> = values.iter().map(Vec::as_slice).collect();
    if let Some(b) = below {
        all.push(b);
    }
    if let [one] = all.as_slice() {
        return one.to_vec();
    }
    all.sort();
    algorithm.digest(&all.concat()).as_bytes().to_vec()
}

/// The root of a reduced hash tree: each level's value joins the next.
pub fn root_hash(algorithm: DigestAlgorithm, tree: &[Vec<Vec<u8>>]) -> Vec<u8> {
    let mut below: Option<Vec<u8>> = None;
    for level in tree {
        below = Some(level_hash(algorithm, level, below.as_deref()));
    }
    below.unwrap_or_default()
}

/// The digest of content as XML evidence records hash it: a document that begins with `<` (after
/// a byte-order mark) and parses is canonicalized whole; anything else is hashed as it is.
pub fn xml_aware_digest(bytes: &[u8], algorithm: DigestAlgorithm, c14n: Option<Canonicalization>) -> Vec<u8> {
    if let Some(method) = c14n {
        let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        if body.first() == Some(&b'<')
            && let Ok(text) = std::str::from_utf8(body)
            && let Ok(doc) = roxmltree::Document::parse_with_options(
                text,
                roxmltree::ParsingOptions { allow_dtd: false, ..roxmltree::ParsingOptions::default() },
            )
        {
            return algorithm.digest(&canonicalize_document(&doc, method)).as_bytes().to_vec();
        }
    }
    algorithm.digest(bytes).as_bytes().to_vec()
}

/// Verifies `record` over `objects` under `policy` (the time-stamps' trust and revocation).
pub fn verify(record: &EvidenceRecord, objects: &[DataObject<'_>], policy: &TimestampPolicy) -> EvidenceRecordReport {
    let cache: RefCell<HashMap<(usize, DigestAlgorithm, bool), ObjectDigest>> = RefCell::new(HashMap::new());
    let digest = |i: usize, a: DigestAlgorithm, c: Option<Canonicalization>| -> ObjectDigest {
        let key = (i, a, c.is_some());
        if let Some(v) = cache.borrow().get(&key) {
            return v.clone();
        }
        let v = (objects[i].digest)(a, c);
        cache.borrow_mut().insert(key, v.clone());
        v
    };
    let mut outcomes: Vec<ObjectOutcome> = vec![ObjectOutcome::NotCovered; objects.len()];
    let (mut orphans, mut leaves) = (0, 0);
    let mut stamps = Vec::new();
    let mut previous_stamp: Option<Vec<u8>> = None;

    for (ci, chain) in record.chains.iter().enumerate() {
        let algorithm = match &chain.digest_algorithm {
            Ok(a) => *a,
            Err(name) => {
                for (si, _) in chain.stamps.iter().enumerate() {
                    stamps.push(ArchiveStampOutcome {
                        chain: ci + 1,
                        index: si + 1,
                        kind: if si > 0 {
                            StampKind::TimestampRenewal
                        } else if ci > 0 {
                            StampKind::HashTreeRenewal
                        } else {
                            StampKind::Initial
                        },
                        renews: Ok(()),
                        token: Err(TspError::UnsupportedAlgorithm(format!("hash {name}"))),
                        gen_time: None,
                        not_after: None,
                        lifetime: Ok(()),
                    });
                }
                break;
            }
        };
        let c14n = chain.canonicalization;
        let preceding = (ci > 0).then(|| algorithm.digest(&chain.preceding_chains).as_bytes().to_vec());
        for (si, ats) in chain.stamps.iter().enumerate() {
            let kind = if si > 0 {
                StampKind::TimestampRenewal
            } else if ci > 0 {
                StampKind::HashTreeRenewal
            } else {
                StampKind::Initial
            };
            // What each data object is in this tree: its digest, or (hash-tree renewal, RFC 4998)
            // the digest of its digest followed by that of the chains before.
            let leaf_of = |i: usize| -> ObjectDigest {
                let d = digest(i, algorithm, c14n)?;
                Ok(match (&preceding, record.syntax) {
                    (Some(ha), Syntax::Asn1) => algorithm.digest(&[d, ha.clone()].concat()).as_bytes().to_vec(),
                    _ => d,
                })
            };
            let mut tree = ats.hash_tree.clone();
            if tree.is_empty() {
                // No hash tree: the token is over the one value itself.
                let only: Vec<Vec<u8>> = match kind {
                    StampKind::TimestampRenewal => previous_stamp.iter().cloned().collect(),
                    StampKind::Initial => {
                        // The one object listed for it (an ASiC manifest's entry), else the one given.
                        let listed: Vec<usize> =
                            (0..objects.len()).filter(|i| objects[*i].coverage == Coverage::Listed).collect();
                        let pool: Vec<usize> = if listed.is_empty() { (0..objects.len()).collect() } else { listed };
                        let present: Vec<Vec<u8>> = pool.into_iter().filter_map(|i| leaf_of(i).ok()).collect();
                        if present.len() == 1 { present } else { vec![Vec::new()] }
                    }
                    StampKind::HashTreeRenewal if record.syntax == Syntax::Asn1 => {
                        let present: Vec<Vec<u8>> = (0..objects.len()).filter_map(|i| leaf_of(i).ok()).collect();
                        if present.is_empty() { preceding.iter().cloned().collect() } else { present }
                    }
                    StampKind::HashTreeRenewal => preceding.iter().cloned().collect(),
                };
                tree.push(only);
            }
            if kind == StampKind::HashTreeRenewal && record.syntax == Syntax::Xml && tree[0].len() == 1 {
                // An XML renewal's single first value is hashed, not taken as it is (as DSS reads it).
                tree[0].push(Vec::new());
            }
            let first = &tree[0];
            let renews = match kind {
                StampKind::Initial => {
                    leaves = first.len();
                    let mut matched = vec![false; first.len()];
                    for (i, outcome) in outcomes.iter_mut().enumerate() {
                        *outcome = match leaf_of(i) {
                            Err(why) => ObjectOutcome::Absent(why),
                            Ok(v) => match first.iter().position(|x| *x == v) {
                                Some(k) => {
                                    matched[k] = true;
                                    ObjectOutcome::Covered
                                }
                                None => ObjectOutcome::NotCovered,
                            },
                        };
                    }
                    orphans = matched.iter().filter(|m| !**m).count();
                    Ok(())
                }
                StampKind::TimestampRenewal => match &previous_stamp {
                    Some(p) if first.contains(p) => Ok(()),
                    _ => Err((format!("its hash tree does not hold the archive time-stamp {si} it renews"), false)),
                },
                StampKind::HashTreeRenewal => {
                    let mut missing = Vec::new();
                    let mut found = Vec::new();
                    for (i, outcome) in outcomes.iter().enumerate() {
                        if *outcome == ObjectOutcome::Covered {
                            match leaf_of(i) {
                                Ok(v) if first.contains(&v) => found.push(v),
                                _ => missing.push(objects[i].name.clone()),
                            }
                        }
                    }
                    if record.syntax == Syntax::Xml
                        && let Some(ha) = &preceding
                        && !first.contains(ha)
                    {
                        missing.push(format!("the chains before chain {}", ci + 1));
                    }
                    if missing.is_empty() {
                        Ok(())
                    } else {
                        let unexplained = first
                            .iter()
                            .filter(|v| !v.is_empty() && !found.contains(v) && Some(*v) != preceding.as_ref())
                            .count()
                            > 0;
                        Err((format!("the hash-tree renewal does not cover {}", missing.join(", ")), unexplained))
                    }
                }
            };
            let root = root_hash(algorithm, &tree);
            let (token, gen_time, not_after) = match TimestampToken::from_any_der(&ats.token) {
                Ok(t) => {
                    let expected = Expectation { algorithm, imprint: root, nonce: None };
                    let not_after = t.signer_not_after(&policy.extra_certificates);
                    (crate::tsp::verify(&t, &expected, policy), Some(t.gen_time()), not_after)
                }
                Err(e) => (Err(e), None, None),
            };
            stamps.push(ArchiveStampOutcome {
                chain: ci + 1,
                index: si + 1,
                kind,
                renews,
                token,
                gen_time,
                not_after,
                lifetime: Ok(()),
            });
            previous_stamp = Some(algorithm.digest(&ats.renewal_input).as_bytes().to_vec());
        }
        previous_stamp = None;
    }
    // Each archive time-stamp must be renewed by the next before its TSA certificate expires;
    // the last must not have expired (RFC 4998 §5.2; a proof of existence as EN 319 102-1 asks).
    let now = Utc::now();
    for i in 0..stamps.len() {
        let Some(expires) = stamps[i].not_after else { continue };
        let next = stamps.get(i + 1).and_then(|n| n.gen_time.map(|t| (t, n.place())));
        stamps[i].lifetime = match next {
            Some((renewed, place)) if renewed > expires => Err(format!(
                "its TSA certificate expired on {}, before {place} renewed it on {}",
                expires.to_rfc3339(),
                renewed.to_rfc3339()
            )),
            Some(_) => Ok(()),
            None if expires < now => Err(format!(
                "its TSA certificate expired on {} and no later archive time-stamp renews it: renew before a proof expires",
                expires.to_rfc3339()
            )),
            None => Ok(()),
        };
    }
    EvidenceRecordReport {
        syntax: record.syntax,
        chains: record.chains.len(),
        objects: objects.iter().zip(outcomes).map(|(o, r)| (o.name.clone(), o.coverage, r)).collect(),
        orphans,
        leaves,
        stamps,
    }
}

impl ArchiveStampOutcome {
    /// `chain 1 time-stamp 2`.
    pub fn place(&self) -> String {
        format!("chain {} time-stamp {}", self.chain, self.index)
    }

    /// This time-stamp's check, named after the record it belongs to.
    pub fn check(&self, record: &str) -> Check {
        let subject = format!("{record} ({})", self.place());
        let what = match self.kind {
            StampKind::Initial => "archive time-stamp over the data",
            StampKind::TimestampRenewal => "time-stamp renewal",
            StampKind::HashTreeRenewal => "hash-tree renewal",
        };
        if let Err(e @ (TspError::ImprintMismatch { .. } | TspError::AlgorithmMismatch { .. })) = &self.token {
            return Check::failed(
                CheckName::Timestamp,
                subject,
                "HASH_FAILURE",
                format!("{what}: the root of its hash tree is not what the token time-stamps ({e})"),
            );
        }
        if let Err((why, unexplained)) = &self.renews {
            return if *unexplained || self.kind == StampKind::TimestampRenewal {
                Check::failed(CheckName::Timestamp, subject, "HASH_FAILURE", format!("{what}: {why}"))
            } else {
                Check::indeterminate(CheckName::Timestamp, subject, "SIGNED_DATA_NOT_FOUND", format!("{what}: {why}"))
            };
        }
        match &self.token {
            Ok(_) if self.lifetime.is_err() => Check::indeterminate(
                CheckName::Timestamp,
                subject,
                "OUT_OF_BOUNDS_NO_POE",
                format!("{what}: {}", self.lifetime.clone().err().unwrap_or_default()),
            ),
            Ok(v) => Check::passed(
                CheckName::Timestamp,
                subject,
                format!(
                    "{what}: time-stamped by {} at {} (serial {})",
                    v.tsa_subject,
                    v.gen_time.to_rfc3339(),
                    v.serial
                ),
            ),
            Err(e) => {
                let mut c = crate::policy::timestamp_verdict(CheckName::Timestamp, &subject, e);
                c.detail = format!("{what}: {}", c.detail);
                c
            }
        }
    }
}

impl EvidenceRecordReport {
    /// The record's own check: the data it covers (a required object not found is
    /// INDETERMINATE, one whose digest it lacks FAILED, none covered INDETERMINATE), then the
    /// verdict of its first archive time-stamp that does not pass.
    pub fn check(&self, record: &str) -> Check {
        let name = self.syntax.name();
        // A first time-stamp that could not be computed at all (an unknown hash algorithm)
        // decides before any data.
        if self.leaves == 0
            && let Some(first) = self.stamps.first()
            && first.token.is_err()
        {
            return Check { check: CheckName::EvidenceRecord, ..first.check(record) };
        }
        let covered: Vec<&str> =
            self.objects.iter().filter(|o| o.2 == ObjectOutcome::Covered).map(|o| o.0.as_str()).collect();
        for (object, coverage, outcome) in &self.objects {
            match (coverage, outcome) {
                (Coverage::Listed | Coverage::Expected, ObjectOutcome::Absent(why)) => {
                    return Check::indeterminate(
                        CheckName::EvidenceRecord,
                        record,
                        "SIGNED_DATA_NOT_FOUND",
                        format!("it must cover `{object}` (chain 1 time-stamp 1), which cannot be read: {why}"),
                    );
                }
                (Coverage::Listed, ObjectOutcome::NotCovered) => {
                    return Check::failed(
                        CheckName::EvidenceRecord,
                        record,
                        "HASH_FAILURE",
                        format!(
                            "the digest of `{object}` is not in the hash tree of chain 1 time-stamp 1: the data changed or is another"
                        ),
                    );
                }
                (Coverage::Expected, ObjectOutcome::NotCovered) if !covered.is_empty() => {
                    return Check::indeterminate(
                        CheckName::EvidenceRecord,
                        record,
                        "SIGNED_DATA_NOT_FOUND",
                        format!(
                            "its hash tree (chain 1 time-stamp 1) covers {}, but not `{object}`: it proves nothing about that file",
                            covered.join(", ")
                        ),
                    );
                }
                _ => {}
            }
        }
        if covered.is_empty() {
            let present = self.objects.iter().filter(|o| o.2 == ObjectOutcome::NotCovered).count();
            return if present == 1 && self.leaves == 1 {
                Check::failed(
                    CheckName::EvidenceRecord,
                    record,
                    "HASH_FAILURE",
                    "the digest in the hash tree of chain 1 time-stamp 1 is not that of the data given: the data changed or is another",
                )
            } else {
                Check::indeterminate(
                    CheckName::EvidenceRecord,
                    record,
                    "SIGNED_DATA_NOT_FOUND",
                    format!(
                        "none of the {} digest(s) in the hash tree of chain 1 time-stamp 1 is that of the data given{}",
                        self.leaves,
                        if self.objects.is_empty() { " (no data given)" } else { "" }
                    ),
                )
            };
        }
        if let Some(bad) = self.stamps.iter().map(|s| s.check(record)).find(|c| c.verdict != Verdict::Passed) {
            return Check { check: CheckName::EvidenceRecord, ..bad };
        }
        let renewals = self.stamps.len().saturating_sub(1);
        let extra = if self.orphans > 0 {
            format!("; it also holds {} digest(s) of data not given here", self.orphans)
        } else {
            String::new()
        };
        Check::passed(
            CheckName::EvidenceRecord,
            record,
            format!(
                "{name} evidence record covers {}: {} archive time-stamp(s) in {} chain(s), {renewals} renewal(s), each over what it renews{extra}",
                covered.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", "),
                self.stamps.len(),
                self.chains,
            ),
        )
    }

    /// The record's check and each archive time-stamp's.
    pub fn checks(&self, record: &str) -> Vec<Check> {
        let mut all = vec![self.check(record)];
        all.extend(self.stamps.iter().map(|s| s.check(record)));
        all
    }
}
