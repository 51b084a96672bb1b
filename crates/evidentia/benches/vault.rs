//! Vault hot paths: appending a batch of records with their custody events, computing event
//! hashes, and checking a vault.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use evidentia::clock::now;
use evidentia::digest::{DigestAlgorithm, Digests};
use evidentia::vault::{Access, CustodyEvent, CustodyEventKind, EvidenceRecord, NewRecord, SubjectKind, Vault};

fn record(i: u64) -> NewRecord {
    let mut digests = Digests::default();
    digests.insert(DigestAlgorithm::Sha256, DigestAlgorithm::Sha256.digest(&i.to_be_bytes()));
    NewRecord {
        record: EvidenceRecord {
            id: uuid::Uuid::now_v7().to_string(),
            kind: SubjectKind::File,
            name: format!("photo-{i}.jpg"),
            size: 1000 + i,
            file_count: 1,
            media_type: "image/jpeg".into(),
            digests,
            stored: false,
            source_path: format!("/photos/photo-{i}.jpg"),
            profile: "sandbox".into(),
            created_at: now(),
            timestamp_requested: false,
        },
        signature: None,
        events: Vec::new(),
    }
}

fn append(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let vault = rt
        .block_on(Vault::open(&dir.path().join("vault"), Access::Write { lock_wait: Duration::from_secs(1) }))
        .unwrap();
    let mut group = c.benchmark_group("vault");
    group.throughput(Throughput::Elements(1000));
    group.sample_size(10);
    let mut n = 0u64;
    group.bench_function("append-1000-records", |b| {
        b.iter(|| {
            let batch: Vec<NewRecord> = (0..1000).map(|i| record(n + i)).collect();
            n += 1000;
            rt.block_on(vault.append_records(&batch)).unwrap()
        })
    });
    group.throughput(Throughput::Elements(1));
    group.bench_function("custody-event-hash", |b| {
        let payload = record(1).record.canonical_json();
        b.iter(|| {
            CustodyEvent::next(
                Some((41, "ab".repeat(32).as_str())),
                CustodyEventKind::Created,
                now(),
                None,
                payload.clone(),
            )
        })
    });
    group.finish();

    // Checking a vault of exactly 10,000 records (digests only, no copies).
    let dir = tempfile::tempdir().unwrap();
    let vault = rt
        .block_on(Vault::open(&dir.path().join("vault"), Access::Write { lock_wait: Duration::from_secs(1) }))
        .unwrap();
    for chunk in 0..10u64 {
        let batch: Vec<NewRecord> = (0..1000).map(|i| record(chunk * 1000 + i)).collect();
        rt.block_on(vault.append_records(&batch)).unwrap();
    }
    let mut group = c.benchmark_group("vault");
    group.throughput(Throughput::Elements(10_000));
    group.sample_size(10);
    group.bench_function("verify-10000-records", |b| b.iter(|| rt.block_on(vault.verify(&|_| {})).unwrap()));
    group.finish();
}

criterion_group!(benches, append);
criterion_main!(benches);
