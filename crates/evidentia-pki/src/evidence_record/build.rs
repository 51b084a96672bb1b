//! Making RFC 4998 evidence records (DER): a hash tree over groups of data-object digests with
//! each group's reduced tree, the values a time-stamp renewal and a hash-tree renewal cover, and
//! the encoding of a record's chains — read back by [`super::EvidenceRecord::parse`] and verified
//! by [`super::verify()`] with the same rules as anyone's.

use evidentia_formats::digest::DigestAlgorithm;

use crate::ber;
use crate::tsp::digest_oid;

/// One archive time-stamp as it stands in one record: its hash algorithm, the record's reduced
/// hash tree (leaf level first) and the time-stamp token (a DER ContentInfo).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacedStamp {
    /// The chain's hash algorithm.
    pub algorithm: DigestAlgorithm,
    /// The record's reduced hash tree: its group's values, then one sibling per level.
    pub reduced: Vec<Vec<Vec<u8>>>,
    /// The RFC 3161 token over the tree's root.
    pub token: Vec<u8>,
}

/// A hash tree over groups of digests (each group: one record's data objects).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveTree {
    /// The value the archive time-stamp must be over.
    pub root: Vec<u8>,
    /// Each group's reduced hash tree, in the order the groups were given.
    pub reduced: Vec<Vec<Vec<Vec<u8>>>>,
}

/// A group's values reduced to one node: a single value as it is, several sorted and hashed
/// concatenated (RFC 4998 §4.2, as verifiers read it).
fn node(algorithm: DigestAlgorithm, values: &[Vec<u8>]) -> Vec<u8> {
    if let [one] = values {
        return one.clone();
    }
    let mut sorted: Vec<&[u8]> = values.iter().map(Vec::as_slice).collect();
    sorted.sort();
    algorithm.digest(&sorted.concat()).as_bytes().to_vec()
}

/// Builds a binary hash tree over `groups` (none empty): a lone node at the end of a level moves
/// up as it is. Each group's reduced tree is its values, then its node's sibling on each level
/// that has one.
pub fn archive_tree(algorithm: DigestAlgorithm, groups: &[Vec<Vec<u8>>]) -> ArchiveTree {
    let mut reduced: Vec<Vec<Vec<Vec<u8>>>> = groups.iter().map(|g| vec![g.clone()]).collect();
    // Each level: the nodes, and which groups sit under each.
    let mut level: Vec<(Vec<u8>, Vec<usize>)> =
        groups.iter().enumerate().map(|(i, g)| (node(algorithm, g), vec![i])).collect();
    while level.len() > 1 {
        let mut next = Vec::with_capacity(level.len().div_ceil(2));
        let mut pairs = level.into_iter();
        while let Some((a, under_a)) = pairs.next() {
            match pairs.next() {
                Some((b, under_b)) => {
                    for &g in &under_a {
                        reduced[g].push(vec![b.clone()]);
                    }
                    for &g in &under_b {
                        reduced[g].push(vec![a.clone()]);
                    }
                    let parent = node(algorithm, &[a, b]);
                    next.push((parent, [under_a, under_b].concat()));
                }
                None => next.push((a, under_a)),
            }
        }
        level = next;
    }
    let root = level.pop().map(|(r, _)| r).unwrap_or_default();
    ArchiveTree { root, reduced }
}

/// The value a time-stamp renewal covers for an archive time-stamp whose token is `token`: the
/// digest of the token's DER.
pub fn timestamp_renewal_value(algorithm: DigestAlgorithm, token: &[u8]) -> Vec<u8> {
    let der = ber::parse(token).map(|e| e.der()).unwrap_or_else(|_| token.to_vec());
    algorithm.digest(&der).as_bytes().to_vec()
}

/// The values a hash-tree renewal under `algorithm` covers for a record whose chains so far are
/// `chains`, given its data objects' digests by that algorithm: `H(H(d) || H(chains))` each, in
/// that order (RFC 4998 §5.2).
pub fn hash_tree_renewal_values(
    algorithm: DigestAlgorithm,
    chains: &[Vec<PlacedStamp>],
    object_digests: &[Vec<u8>],
) -> Vec<Vec<u8>> {
    let sequence: Vec<u8> = chains.iter().flat_map(|c| chain_der(c)).collect();
    let ha = algorithm.digest(&ber::der_sequence(&sequence)).as_bytes().to_vec();
    object_digests.iter().map(|d| algorithm.digest(&[d.as_slice(), &ha].concat()).as_bytes().to_vec()).collect()
}

fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len.to_be_bytes().into_iter().skip_while(|b| *b == 0).collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend_from_slice(&bytes);
    }
    out.extend_from_slice(content);
    out
}

fn oid_der(algorithm: DigestAlgorithm) -> Vec<u8> {
    tlv(0x06, digest_oid(algorithm).as_bytes())
}

/// `ArchiveTimeStamp ::= SEQUENCE { digestAlgorithm [0], reducedHashtree [2], timeStamp }`.
fn stamp_der(s: &PlacedStamp) -> Vec<u8> {
    let mut body = tlv(0xA0, &oid_der(s.algorithm));
    let levels: Vec<u8> = s
        .reduced
        .iter()
        .flat_map(|level| {
            let mut values: Vec<&Vec<u8>> = level.iter().collect();
            values.sort();
            tlv(0x30, &values.iter().flat_map(|v| tlv(0x04, v)).collect::<Vec<u8>>())
        })
        .collect();
    if !s.reduced.is_empty() {
        body.extend(tlv(0xA2, &levels));
    }
    let token = ber::parse(&s.token).map(|e| e.der()).unwrap_or_else(|_| s.token.clone());
    body.extend(token);
    tlv(0x30, &body)
}

/// `ArchiveTimeStampChain ::= SEQUENCE OF ArchiveTimeStamp`.
fn chain_der(chain: &[PlacedStamp]) -> Vec<u8> {
    tlv(0x30, &chain.iter().flat_map(stamp_der).collect::<Vec<u8>>())
}

/// The DER `EvidenceRecord` of `chains` (oldest first; none empty).
pub fn encode(chains: &[Vec<PlacedStamp>]) -> Vec<u8> {
    let mut algorithms: Vec<DigestAlgorithm> = Vec::new();
    for s in chains.iter().flatten() {
        if !algorithms.contains(&s.algorithm) {
            algorithms.push(s.algorithm);
        }
    }
    let mut body = tlv(0x02, &[1]);
    body.extend(tlv(0x30, &algorithms.iter().flat_map(|a| tlv(0x30, &oid_der(*a))).collect::<Vec<u8>>()));
    body.extend(tlv(0x30, &chains.iter().flat_map(|c| chain_der(c)).collect::<Vec<u8>>()));
    tlv(0x30, &body)
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};
    use std::process::Command;

    use evidentia_formats::check::Verdict;

    use super::*;
    use crate::evidence_record::{Coverage, DataObject, EvidenceRecord, verify};
    use crate::tsp::{TimestampPolicy, TrustAnchors, load_certificates};

    /// The repository's test TSA PKI (`scripts/tsa/make_pki.sh`), made once per test build.
    fn pki() -> PathBuf {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/test-tsa-pki-ers");
        let lock = dir.with_extension("lock");
        std::fs::create_dir_all(&dir).unwrap();
        let file = std::fs::File::create(lock).unwrap();
        file.lock().unwrap();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/tsa/make_pki.sh");
        let out = Command::new("bash").arg(script).arg(&dir).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        dir
    }

    /// A token from `openssl ts -reply` over `digest`, and whether `openssl ts -verify` accepts it.
    fn stamp(pki: &Path, algorithm: DigestAlgorithm, digest: &[u8]) -> Vec<u8> {
        let tmp = tempfile::tempdir().unwrap();
        let flag = format!("-{}", algorithm.name().to_ascii_lowercase().replace('-', ""));
        let run = |args: &[&str]| {
            let out = Command::new("openssl").args(args).current_dir(pki).output().unwrap();
            assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        };
        let q = tmp.path().join("q.tsq");
        let t = tmp.path().join("t.der");
        let hex = hex::encode(digest);
        run(&["ts", "-query", "-digest", &hex, &flag, "-cert", "-out", q.to_str().unwrap()]);
        run(&["ts", "-reply", "-config", "ts.cnf", "-section", "honest", "-queryfile", q.to_str().unwrap()]
            .into_iter()
            .chain(["-signer", "tsa.pem", "-inkey", "tsa.key", "-token_out", "-out", t.to_str().unwrap()])
            .collect::<Vec<_>>());
        // The independent check: OpenSSL verifies the archive time-stamp over the root.
        run(&["ts", "-verify", "-digest", &hex, "-token_in", "-in", t.to_str().unwrap(), "-CAfile", "root-ca.pem"]);
        std::fs::read(t).unwrap()
    }

    fn objects(values: &[Vec<u8>], algorithm: DigestAlgorithm) -> Vec<DataObject<'static>> {
        values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let v = v.clone();
                DataObject {
                    name: format!("object {i}"),
                    digest: Box::new(move |a, _| if a == algorithm { Ok(v.clone()) } else { Err(format!("no {a}")) }),
                    coverage: Coverage::Expected,
                }
            })
            .collect()
    }

    fn policy(pki: &Path) -> TimestampPolicy {
        TimestampPolicy {
            trust: TrustAnchors::new(load_certificates(&pki.join("root-ca.pem")).unwrap()),
            skip_revocation: true,
            ..TimestampPolicy::default()
        }
    }

    fn all_passed(record: &[u8], objects: &[DataObject<'_>], policy: &TimestampPolicy) -> Vec<String> {
        let parsed = EvidenceRecord::parse(record).unwrap();
        verify(&parsed, objects, policy)
            .checks("record.ers")
            .into_iter()
            .filter(|c| c.verdict != Verdict::Passed)
            .map(|c| format!("{:?} {:?}: {}", c.verdict, c.reason, c.detail))
            .collect()
    }

    /// Records made here, over one tree of several records (one a data group of three objects),
    /// renewed by a time-stamp renewal and then a hash-tree renewal from SHA-256 to SHA-512:
    /// each archive time-stamp passes `openssl ts -verify` over its root, and each record passes
    /// our verifier over its own data and no other's.
    #[test]
    fn records_made_and_renewed_here_verify_over_their_data() {
        let pki = pki();
        let policy = policy(&pki);
        let sha256 = DigestAlgorithm::Sha256;
        let data: Vec<Vec<&[u8]>> = vec![
            vec![b"contract", b"its signature", b"its time-stamp"],
            vec![b"work one"],
            vec![b"work two"],
            vec![b"custody head"],
            vec![b"work three"],
        ];
        let groups: Vec<Vec<Vec<u8>>> =
            data.iter().map(|g| g.iter().map(|d| sha256.digest(d).as_bytes().to_vec()).collect()).collect();
        let tree = archive_tree(sha256, &groups);
        let first = stamp(&pki, sha256, &tree.root);
        for (i, group) in groups.iter().enumerate() {
            let chains =
                vec![vec![PlacedStamp { algorithm: sha256, reduced: tree.reduced[i].clone(), token: first.clone() }]];
            let record = encode(&chains);
            assert_eq!(all_passed(&record, &objects(group, sha256), &policy), Vec::<String>::new(), "group {i}");
            // Another record's data is not covered by this one.
            let other = &groups[(i + 1) % groups.len()];
            assert!(!all_passed(&record, &objects(other, sha256), &policy).is_empty(), "group {i}");
        }

        // Time-stamp renewal: one tree over the one token every record shares.
        let renewal = archive_tree(sha256, &[vec![timestamp_renewal_value(sha256, &first)]]);
        let second = stamp(&pki, sha256, &renewal.root);
        // Hash-tree renewal to SHA-512, per record (each record's chains so far differ).
        let sha512 = DigestAlgorithm::Sha512;
        let mut renewed_groups = Vec::new();
        let mut chains_of = Vec::new();
        for (i, g) in data.iter().enumerate() {
            let chains = vec![vec![
                PlacedStamp { algorithm: sha256, reduced: tree.reduced[i].clone(), token: first.clone() },
                PlacedStamp { algorithm: sha256, reduced: renewal.reduced[0].clone(), token: second.clone() },
            ]];
            let digests: Vec<Vec<u8>> = g.iter().map(|d| sha512.digest(d).as_bytes().to_vec()).collect();
            renewed_groups.push(hash_tree_renewal_values(sha512, &chains, &digests));
            chains_of.push(chains);
        }
        let third_tree = archive_tree(sha512, &renewed_groups);
        let third = stamp(&pki, sha512, &third_tree.root);
        for (i, mut chains) in chains_of.into_iter().enumerate() {
            assert_eq!(
                all_passed(&encode(&chains), &objects(&groups[i], sha256), &policy),
                Vec::<String>::new(),
                "group {i} after the time-stamp renewal"
            );
            chains.push(vec![PlacedStamp {
                algorithm: sha512,
                reduced: third_tree.reduced[i].clone(),
                token: third.clone(),
            }]);
            let record = encode(&chains);
            // The data objects by both algorithms: the first chain hashes with SHA-256, the renewal with SHA-512.
            let both: Vec<DataObject<'_>> = data[i]
                .iter()
                .enumerate()
                .map(|(k, d)| {
                    let d = d.to_vec();
                    DataObject {
                        name: format!("object {k}"),
                        digest: Box::new(move |a, _| Ok(a.digest(&d).as_bytes().to_vec())),
                        coverage: Coverage::Expected,
                    }
                })
                .collect();
            assert_eq!(
                all_passed(&record, &both, &policy),
                Vec::<String>::new(),
                "group {i} after the hash-tree renewal"
            );
            let parsed = EvidenceRecord::parse(&record).unwrap();
            assert_eq!(parsed.chains.len(), 2);
            assert_eq!(parsed.chains[1].digest_algorithm, Ok(sha512));
            if i == 0 {
                flipped_bytes_never_pass(&record, &both, &policy);
            }
        }
    }

    /// Every byte of a record flipped in turn: the record is refused (naming where), or a check
    /// naming the chain and time-stamp does not pass — never all passed.
    fn flipped_bytes_never_pass(record: &[u8], objects: &[DataObject<'_>], policy: &TimestampPolicy) {
        let mut survived = Vec::new();
        for at in 0..record.len() {
            let mut bad = record.to_vec();
            bad[at] ^= 0x01;
            match EvidenceRecord::parse(&bad) {
                Err(e) => assert!(!e.0.is_empty()),
                Ok(parsed) => {
                    let checks = verify(&parsed, objects, policy).checks("record.ers");
                    match checks.iter().find(|c| c.verdict != Verdict::Passed) {
                        Some(c) => assert!(c.subject.contains("chain") || c.detail.contains("chain "), "{c:?}"),
                        None => survived.push(at),
                    }
                }
            }
        }
        assert!(
            survived.is_empty(),
            "{} of {} flipped bytes still pass, at {survived:?}",
            survived.len(),
            record.len()
        );
    }
}
