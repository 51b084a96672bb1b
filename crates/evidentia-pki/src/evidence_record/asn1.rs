//! Reading an RFC 4998 EvidenceRecord (DER, or BER as some archives write it) into the model.

use der::Decode;
use der::asn1::ObjectIdentifier;

use super::{ArchiveTimeStamp, ArchiveTimeStampChain, EvidenceRecord, EvidenceRecordError, Syntax};
use crate::ber::{self, Element};
use crate::tsp::digest_from_oid;

/// Deepest a hash tree may be (2^64 leaves would need 64 levels).
const MAX_LEVELS: usize = 64;

fn err(why: impl Into<String>) -> EvidenceRecordError {
    EvidenceRecordError(why.into())
}

fn oid_of(e: &Element<'_>) -> Option<ObjectIdentifier> {
    e.is(6).then(|| ObjectIdentifier::from_der(&e.der()).ok()).flatten()
}

/// Reads `EvidenceRecord ::= SEQUENCE { version, digestAlgorithms, [0] cryptoInfos OPTIONAL,
/// [1] encryptionInfo OPTIONAL, archiveTimeStampSequence }`.
pub fn parse(bytes: &[u8]) -> Result<EvidenceRecord, EvidenceRecordError> {
    let top = ber::parse(bytes).map_err(|e| err(e.to_string()))?;
    if top.raw.len() != bytes.len() {
        return Err(err(format!("{} bytes follow the EvidenceRecord", bytes.len() - top.raw.len())));
    }
    // RFC 4998 records are DER (renewals hash their parts as DER): any other encoding of a
    // value is a change to the record.
    if top.der() != bytes {
        let at = top.der().iter().zip(bytes).position(|(a, b)| a != b).unwrap_or(0);
        return Err(err(format!("it is not DER (first difference at byte {at})")));
    }
    let parts = top.children().filter(|_| top.is(0x10)).ok_or_else(|| err("the EvidenceRecord is not a SEQUENCE"))?;
    match parts.first() {
        Some(v) if v.is(2) && matches!(v.body, ber::Body::Primitive([1])) => {}
        _ => return Err(err("the EvidenceRecord's version is not 1")),
    }
    let sequence = parts
        .last()
        .filter(|e| parts.len() >= 3 && e.is(0x10))
        .ok_or_else(|| err("the EvidenceRecord has no ArchiveTimeStampSequence"))?;
    // digestAlgorithms: known hash algorithms, among them every one the chains use.
    let mut listed = Vec::new();
    for a in
        parts[1].children().filter(|_| parts[1].is(0x10)).ok_or_else(|| err("digestAlgorithms is not a SEQUENCE"))?
    {
        let oid = a
            .children()
            .filter(|_| a.is(0x10))
            .and_then(|c| c.first())
            .and_then(oid_of)
            .ok_or_else(|| err("an entry of digestAlgorithms is not an AlgorithmIdentifier"))?;
        listed.push(digest_from_oid(&oid).ok_or_else(|| {
            err(format!("digestAlgorithms lists {oid}, a hash algorithm this version does not know"))
        })?);
    }
    let chain_elements = sequence.children().unwrap_or_default();
    if chain_elements.is_empty() {
        return Err(err("the ArchiveTimeStampSequence is empty"));
    }
    let mut chains = Vec::with_capacity(chain_elements.len());
    let mut preceding = Vec::new();
    for (i, chain) in chain_elements.iter().enumerate() {
        let stamps_el = chain
            .children()
            .filter(|c| chain.is(0x10) && !c.is_empty())
            .ok_or_else(|| err(format!("ArchiveTimeStampChain {} is not a non-empty SEQUENCE", i + 1)))?;
        let mut stamps = Vec::with_capacity(stamps_el.len());
        let mut algorithm: Option<Result<_, String>> = None;
        for (j, ats) in stamps_el.iter().enumerate() {
            let place = format!("chain {} archive time-stamp {}", i + 1, j + 1);
            let (stamp, algo) = archive_time_stamp(ats).map_err(|why| err(format!("{place}: {why}")))?;
            if j == 0 {
                algorithm = Some(algo);
            }
            stamps.push(stamp);
        }
        chains.push(ArchiveTimeStampChain {
            digest_algorithm: algorithm.unwrap_or_else(|| Err("none".into())),
            canonicalization: None,
            stamps,
            preceding_chains: if i == 0 { Vec::new() } else { ber::der_sequence(&preceding) },
        });
        preceding.extend_from_slice(&chain.der());
    }
    for (i, chain) in chains.iter().enumerate() {
        if let Ok(a) = &chain.digest_algorithm
            && !listed.contains(a)
        {
            return Err(err(format!("chain {} hashes with {a}, which digestAlgorithms does not list", i + 1)));
        }
    }
    Ok(EvidenceRecord { syntax: Syntax::Asn1, chains })
}

/// `ArchiveTimeStamp ::= SEQUENCE { digestAlgorithm [0] OPTIONAL, attributes [1] OPTIONAL,
/// reducedHashtree [2] SEQUENCE OF PartialHashtree OPTIONAL, timeStamp ContentInfo }` and its
/// hash algorithm (given, or the token's imprint algorithm).
fn archive_time_stamp(
    ats: &Element<'_>,
) -> Result<(ArchiveTimeStamp, Result<evidentia_formats::digest::DigestAlgorithm, String>), String> {
    let parts = ats.children().filter(|_| ats.is(0x10)).ok_or("not a SEQUENCE")?;
    let token = parts.last().filter(|t| t.is(0x10)).ok_or("no time-stamp token (ContentInfo)")?;
    let mut given = None;
    let mut hash_tree = Vec::new();
    for part in &parts[..parts.len() - 1] {
        match part.tag {
            // [0] IMPLICIT AlgorithmIdentifier (some write it EXPLICIT: a SEQUENCE inside).
            [0xA0] => {
                let inner = part.children().unwrap_or_default();
                let oid = match inner.first() {
                    Some(s) if s.is(0x10) => s.children().and_then(|c| c.first()).and_then(oid_of),
                    Some(o) => oid_of(o),
                    None => None,
                };
                given = Some(oid.ok_or("its digestAlgorithm is not an AlgorithmIdentifier")?);
            }
            // [1] IMPLICIT Attributes: SET OF SEQUENCE { OBJECT IDENTIFIER, SET }.
            [0xA1] => {
                let well_formed =
                    part.children().unwrap_or_default().iter().all(|a| {
                        a.is(0x10) && a.children().is_some_and(|c| c.len() == 2 && c[0].is(6) && c[1].is(0x11))
                    });
                if !well_formed {
                    return Err("its attributes are not a SET OF Attribute".into());
                }
            }
            [0xA2] => {
                for (k, level) in part.children().unwrap_or_default().iter().enumerate() {
                    let values = level
                        .children()
                        .filter(|_| level.is(0x10))
                        .ok_or(format!("hash tree level {} is not a SEQUENCE OF OCTET STRING", k + 1))?;
                    let mut hashes = Vec::with_capacity(values.len());
                    for v in values {
                        let ber::Body::Primitive(bytes) = v.body else {
                            return Err(format!("hash tree level {} holds a constructed value", k + 1));
                        };
                        if !v.is(4) {
                            return Err(format!("hash tree level {} holds something else than an OCTET STRING", k + 1));
                        }
                        hashes.push(bytes.to_vec());
                    }
                    hash_tree.push(hashes);
                }
                if hash_tree.len() > MAX_LEVELS {
                    return Err(format!("its hash tree has {} levels", hash_tree.len()));
                }
            }
            _ => return Err(format!("unexpected element (tag {:02X?})", part.tag)),
        }
    }
    let token_der = token.der();
    let algorithm = match given {
        Some(oid) => digest_from_oid(&oid).ok_or_else(|| oid.to_string()),
        None => crate::tsp::TimestampToken::from_token_der(&token_der)
            .map_err(|e| e.to_string())
            .and_then(|t| digest_from_oid(&t.imprint_algorithm()).ok_or_else(|| t.imprint_algorithm().to_string())),
    };
    let stamp = ArchiveTimeStamp { hash_tree, renewal_input: token_der.clone(), token: token_der };
    Ok((stamp, algorithm))
}
