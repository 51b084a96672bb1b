//! A record's OpenTimestamps path: from its SHA-256 through its salted leaf and Merkle path up to
//! the batch root, then the calendars' trees from there to a Bitcoin attestation.

use crate::merkle::{Hash, LEAF_PREFIX, MerkleError, MerkleProof, NODE_PREFIX, RECORD_LEAF_TAG};
use crate::ots::{Attestation, DetachedTimestamp, Op, OtsFormatError, Timestamp};

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

/// The lowest Bitcoin block attesting a tree, if any.
pub fn bitcoin_height(tree: &Timestamp, msg: &[u8]) -> Result<Option<u64>, OtsFormatError> {
    Ok(tree
        .attestations(msg)?
        .into_iter()
        .filter_map(|(_, a)| match a {
            Attestation::Bitcoin(h) => Some(h),
            _ => None,
        })
        .min())
}

/// A stamp's tree as stored (hex of the serialized tree from the batch root).
pub fn tree_from_hex(hex_text: &str) -> Result<Timestamp, OtsFormatError> {
    let bytes = hex::decode(hex_text).map_err(|_| OtsFormatError::Malformed("the stored tree is not hex".into()))?;
    Timestamp::from_bytes(&bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::{MerkleTree, leaf_hash, record_leaf_data};

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
