//! Merkle trees with RFC 6962 hashing (leaf = SHA-256(0x00 ‖ data), node = SHA-256(0x01 ‖ l ‖ r)),
//! inclusion proofs, and the salted record and custody-head leaves that anchor batches commit to.

use ring::digest::{Context, SHA256};
use serde::{Deserialize, Serialize};

/// A SHA-256 value.
pub type Hash = [u8; 32];

/// First byte hashed for a leaf.
pub const LEAF_PREFIX: u8 = 0x00;
/// First byte hashed for an inner node.
pub const NODE_PREFIX: u8 = 0x01;
/// Domain of a record's leaf data.
pub const RECORD_LEAF_TAG: &[u8] = b"evidentia-record-leaf-v1\0";
/// Domain of a custody-head leaf data.
const HEAD_LEAF_TAG: &[u8] = b"evidentia-custody-head-v1\0";

/// Why an inclusion proof does not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MerkleError {
    /// The leaf index is not inside the tree.
    #[error("leaf {index} is outside a tree of {size} leaves")]
    IndexOutOfRange {
        /// The index.
        index: u64,
        /// The tree size.
        size: u64,
    },
    /// The path has the wrong number of hashes for this index and size.
    #[error("the proof has {actual} hashes; a leaf at {index} of {size} needs {expected}")]
    PathLength {
        /// The index.
        index: u64,
        /// The tree size.
        size: u64,
        /// Hashes needed.
        expected: usize,
        /// Hashes given.
        actual: usize,
    },
    /// The path leads to another root.
    #[error("the proof leads to root {computed}, not the anchored root {expected}")]
    RootMismatch {
        /// Root computed from the leaf and path, hex.
        computed: String,
        /// The root that was anchored, hex.
        expected: String,
    },
}

impl MerkleError {
    /// A short stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::IndexOutOfRange { .. } => "MERKLE_INDEX_OUT_OF_RANGE",
            Self::PathLength { .. } => "MERKLE_PATH_LENGTH",
            Self::RootMismatch { .. } => "MERKLE_ROOT_MISMATCH",
        }
    }
}

/// SHA-256(0x00 ‖ data): the hash of a leaf.
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut ctx = Context::new(&SHA256);
    ctx.update(&[LEAF_PREFIX]);
    ctx.update(data);
    finish(ctx)
}

/// SHA-256(0x01 ‖ left ‖ right): the hash of an inner node.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut ctx = Context::new(&SHA256);
    ctx.update(&[NODE_PREFIX]);
    ctx.update(left);
    ctx.update(right);
    finish(ctx)
}

fn finish(ctx: Context) -> Hash {
    let mut out = [0u8; 32];
    out.copy_from_slice(ctx.finish().as_ref());
    out
}

/// The leaf data of a record: `"evidentia-record-leaf-v1" 0x00 ‖ salt (32 bytes) ‖ SHA-256 of the
/// subject (32 bytes)`. The random salt, kept with the record, stops anyone from confirming a
/// guess of a short work by hashing candidates against a public chain.
pub fn record_leaf_data(salt: &Hash, sha256: &Hash) -> Vec<u8> {
    let mut data = Vec::with_capacity(RECORD_LEAF_TAG.len() + 64);
    data.extend_from_slice(RECORD_LEAF_TAG);
    data.extend_from_slice(salt);
    data.extend_from_slice(sha256);
    data
}

/// The leaf data of the vault's custody-log head: `"evidentia-custody-head-v1" 0x00 ‖ sequence
/// number (8 bytes, big-endian) ‖ event hash (32 bytes)`.
pub fn head_leaf_data(seq: u64, event_hash: &Hash) -> Vec<u8> {
    let mut data = Vec::with_capacity(HEAD_LEAF_TAG.len() + 40);
    data.extend_from_slice(HEAD_LEAF_TAG);
    data.extend_from_slice(&seq.to_be_bytes());
    data.extend_from_slice(event_hash);
    data
}

/// A Merkle tree over leaf hashes, every level kept so that any proof is a walk up.
///
/// Built bottom-up, carrying an unpaired last node up unchanged; this gives exactly the tree of
/// RFC 6962 §2.1 (the left subtree always the largest power of two below the size).
#[derive(Debug, Clone)]
pub struct MerkleTree {
    levels: Vec<Vec<Hash>>,
}

impl MerkleTree {
    /// Builds the tree over `leaves` (leaf hashes, in order).
    pub fn new(leaves: Vec<Hash>) -> Self {
        let mut levels = vec![leaves];
        while levels.last().is_some_and(|l| l.len() > 1) {
            let below = levels.last().map(Vec::as_slice).unwrap_or_default();
            let above: Vec<Hash> = below
                .chunks(2)
                .map(|pair| match pair {
                    [left, right] => node_hash(left, right),
                    [single] => *single,
                    _ => unreachable!("chunks(2) yields one or two"),
                })
                .collect();
            levels.push(above);
        }
        Self { levels }
    }

    /// Number of leaves.
    pub fn size(&self) -> u64 {
        self.levels[0].len() as u64
    }

    /// The root (SHA-256 of nothing for an empty tree, as RFC 6962 defines it).
    pub fn root(&self) -> Hash {
        match self.levels.last().and_then(|l| l.first()) {
            Some(root) => *root,
            None => finish(Context::new(&SHA256)),
        }
    }

    /// The inclusion proof of leaf `index` (RFC 6962 §2.1.1 audit path), or `None` outside the tree.
    pub fn proof(&self, index: u64) -> Option<MerkleProof> {
        if index >= self.size() {
            return None;
        }
        let mut path = Vec::new();
        let mut i = index as usize;
        for level in &self.levels[..self.levels.len() - 1] {
            let sibling = i ^ 1;
            if sibling < level.len() {
                path.push(level[sibling]);
            }
            i /= 2;
        }
        Some(MerkleProof { leaf_index: index, tree_size: self.size(), path })
    }
}

/// An inclusion proof: the leaf's position, the tree's size and the audit path, leaf upwards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MerkleProof {
    /// Zero-based index of the leaf.
    pub leaf_index: u64,
    /// Number of leaves in the tree.
    pub tree_size: u64,
    /// Sibling hashes from the leaf up (hex in JSON).
    #[serde(with = "hex_hashes")]
    pub path: Vec<Hash>,
}

impl MerkleProof {
    /// The root this proof leads to from `leaf` (RFC 9162 §2.1.3.2).
    pub fn root_from(&self, leaf: &Hash) -> Result<Hash, MerkleError> {
        Ok(self.steps()?.iter().fold(
            *leaf,
            |r, (sibling_on_left, p)| {
                if *sibling_on_left { node_hash(p, &r) } else { node_hash(&r, p) }
            },
        ))
    }

    /// The path as steps from the leaf up: whether the sibling is on the left, and the sibling.
    pub fn steps(&self) -> Result<Vec<(bool, Hash)>, MerkleError> {
        let (index, size) = (self.leaf_index, self.tree_size);
        if index >= size {
            return Err(MerkleError::IndexOutOfRange { index, size });
        }
        let expected = expected_path_len(index, size);
        if self.path.len() != expected {
            return Err(MerkleError::PathLength { index, size, expected, actual: self.path.len() });
        }
        let (mut f, mut s) = (index, size - 1);
        let mut steps = Vec::with_capacity(self.path.len());
        for p in &self.path {
            if f & 1 == 1 || f == s {
                steps.push((true, *p));
                while f & 1 == 0 && f != 0 {
                    f >>= 1;
                    s >>= 1;
                }
            } else {
                steps.push((false, *p));
            }
            f >>= 1;
            s >>= 1;
        }
        Ok(steps)
    }

    /// Checks that `leaf` is in the tree whose root is `root`.
    pub fn verify(&self, leaf: &Hash, root: &Hash) -> Result<(), MerkleError> {
        let computed = self.root_from(leaf)?;
        if &computed != root {
            return Err(MerkleError::RootMismatch { computed: hex::encode(computed), expected: hex::encode(root) });
        }
        Ok(())
    }
}

/// Hashes an audit path has for leaf `index` in a tree of `size` leaves.
fn expected_path_len(index: u64, size: u64) -> usize {
    let (mut i, mut n, mut len) = (index, size, 0);
    while n > 1 {
        if i ^ 1 < n {
            len += 1;
        }
        i /= 2;
        n = n.div_ceil(2);
    }
    len
}

mod hex_hashes {
    use super::Hash;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(path: &[Hash], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(path.iter().map(hex::encode))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Hash>, D::Error> {
        let texts: Vec<String> = Vec::deserialize(d)?;
        texts
            .iter()
            .map(|t| {
                let bytes = hex::decode(t).map_err(serde::de::Error::custom)?;
                bytes.try_into().map_err(|_| serde::de::Error::custom("a path hash is not 32 bytes"))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6962 §2.1 MTH, written as the RFC states it, to check the bottom-up tree against.
    fn reference_root(leaves: &[Hash]) -> Hash {
        match leaves.len() {
            0 => finish(Context::new(&SHA256)),
            1 => leaves[0],
            n => {
                // The largest power of two smaller than n.
                let mut k = 1;
                while k * 2 < n {
                    k *= 2;
                }
                node_hash(&reference_root(&leaves[..k]), &reference_root(&leaves[k..]))
            }
        }
    }

    fn leaves(n: usize) -> Vec<Hash> {
        (0..n as u32).map(|i| leaf_hash(&i.to_be_bytes())).collect()
    }

    #[test]
    fn roots_and_every_proof_agree_with_rfc_6962_for_sizes_up_to_70() {
        for n in 1..=70 {
            let l = leaves(n);
            let tree = MerkleTree::new(l.clone());
            assert_eq!(tree.root(), reference_root(&l), "root of {n} leaves");
            for (i, leaf) in l.iter().enumerate() {
                let proof = tree.proof(i as u64).unwrap();
                assert!(proof.path.len() <= 7);
                proof.verify(leaf, &tree.root()).unwrap_or_else(|e| panic!("leaf {i} of {n}: {e}"));
                // Another leaf does not verify with this proof.
                if n > 1 {
                    let other = &l[(i + 1) % n];
                    assert!(proof.verify(other, &tree.root()).is_err());
                }
            }
            assert!(tree.proof(n as u64).is_none());
        }
    }

    #[test]
    fn rfc_6962_test_vector() {
        // The eight-leaf tree of the certificate-transparency test data: leaves "", 0x00, 0x10,
        // 0x2021, 0x3031, 0x40414243, 0x5051525354555657, 0x606162636465666768696a6b6c6d6e6f.
        let data: [&[u8]; 8] = [
            b"",
            &[0x00],
            &[0x10],
            &[0x20, 0x21],
            &[0x30, 0x31],
            &[0x40, 0x41, 0x42, 0x43],
            &[0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57],
            &[0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f],
        ];
        let tree = MerkleTree::new(data.iter().map(|d| leaf_hash(d)).collect());
        assert_eq!(hex::encode(tree.root()), "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");
        let empty = MerkleTree::new(Vec::new());
        assert_eq!(hex::encode(empty.root()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    #[test]
    fn altered_proofs_fail_with_a_named_reason() {
        let l = leaves(13);
        let tree = MerkleTree::new(l.clone());
        let proof = tree.proof(6).unwrap();
        let mut bad = proof.clone();
        bad.path[1][5] ^= 1;
        assert_eq!(bad.verify(&l[6], &tree.root()).unwrap_err().code(), "MERKLE_ROOT_MISMATCH");
        let mut bad = proof.clone();
        bad.path.pop();
        assert_eq!(bad.verify(&l[6], &tree.root()).unwrap_err().code(), "MERKLE_PATH_LENGTH");
        let mut bad = proof.clone();
        bad.leaf_index = 13;
        assert_eq!(bad.verify(&l[6], &tree.root()).unwrap_err().code(), "MERKLE_INDEX_OUT_OF_RANGE");
        let mut bad = proof;
        bad.leaf_index = 7;
        assert!(bad.verify(&l[6], &tree.root()).is_err());
    }

    #[test]
    fn proofs_round_trip_through_json_as_hex() {
        let tree = MerkleTree::new(leaves(5));
        let proof = tree.proof(4).unwrap();
        let json = serde_json::to_string(&proof).unwrap();
        assert!(json.contains(&hex::encode(proof.path[0])));
        let back: MerkleProof = serde_json::from_str(&json).unwrap();
        assert_eq!(back, proof);
    }

    #[test]
    fn salted_leaves_differ_by_salt_and_heads_by_position() {
        let sha = [7u8; 32];
        let a = leaf_hash(&record_leaf_data(&[1u8; 32], &sha));
        let b = leaf_hash(&record_leaf_data(&[2u8; 32], &sha));
        assert_ne!(a, b);
        assert_ne!(leaf_hash(&head_leaf_data(1, &sha)), leaf_hash(&head_leaf_data(2, &sha)));
        assert_eq!(record_leaf_data(&[1u8; 32], &sha).len(), 25 + 64);
    }
}
