//! Merkle batching: building the tree over 100,000 record leaves and every inclusion proof.
#![allow(missing_docs, clippy::unwrap_used)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use evidentia::anchor::merkle::{MerkleTree, leaf_hash, record_leaf_data};

fn tree_and_proofs(c: &mut Criterion) {
    let n = 100_000u32;
    let leaves: Vec<[u8; 32]> = (0..n)
        .map(|i| {
            let mut sha = [0u8; 32];
            sha[..4].copy_from_slice(&i.to_be_bytes());
            leaf_hash(&record_leaf_data(&[9u8; 32], &sha))
        })
        .collect();
    let mut group = c.benchmark_group("merkle");
    group.sample_size(10);
    group.throughput(Throughput::Elements(u64::from(n)));
    group.bench_function("tree and all proofs, 100k leaves", |b| {
        b.iter(|| {
            let tree = MerkleTree::new(leaves.clone());
            let proofs: Vec<_> = (0..u64::from(n)).map(|i| tree.proof(i).unwrap()).collect();
            assert!(proofs.iter().all(|p| p.path.len() <= 17));
            proofs.len()
        })
    });
    group.finish();
}

criterion_group!(benches, tree_and_proofs);
criterion_main!(benches);
