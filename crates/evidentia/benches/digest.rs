//! Digest hot paths: each algorithm over memory, several at once, a whole file through the
//! streaming reader, and ring against the `sha2` crate for SHA-256.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use evidentia::digest::{DigestAlgorithm, MultiHasher, hash_file};
use sha2::Digest as _;

fn in_memory(c: &mut Criterion) {
    let data: Vec<u8> = (0..(8u32 << 20)).map(|i| (i % 251) as u8).collect();
    let mut group = c.benchmark_group("digest/in-memory-8MiB");
    group.throughput(Throughput::Bytes(data.len() as u64));
    group.sample_size(20);
    for algo in DigestAlgorithm::ALL {
        group.bench_with_input(BenchmarkId::from_parameter(algo), &data, |b, d| b.iter(|| algo.digest(d)));
    }
    group.bench_with_input(BenchmarkId::from_parameter("sha2-crate-sha256"), &data, |b, d| {
        b.iter(|| sha2::Sha256::digest(d))
    });
    group.bench_with_input(BenchmarkId::from_parameter("sha256+sha512+sm3"), &data, |b, d| {
        b.iter(|| {
            let mut h = MultiHasher::new(&DigestAlgorithm::ALL);
            for chunk in d.chunks(4 << 20) {
                h.update(chunk);
            }
            h.finish()
        })
    });
    group.finish();
}

fn streamed_file(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("file.bin");
    let data: Vec<u8> = (0..(256u32 << 20)).map(|i| (i.wrapping_mul(2654435761) >> 24) as u8).collect();
    std::fs::write(&path, &data).unwrap();
    drop(data);
    let mut group = c.benchmark_group("digest/file-256MiB");
    group.throughput(Throughput::Bytes(256 << 20));
    group.sample_size(10);
    group.bench_function("sha256", |b| b.iter(|| hash_file(&path, &[DigestAlgorithm::Sha256], None, &|_| {}).unwrap()));
    group.finish();
}

criterion_group!(benches, in_memory, streamed_file);
criterion_main!(benches);
