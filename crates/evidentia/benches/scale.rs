//! Scale: fills a vault with 1,000,000 records (`EVIDENTIA_SCALE_RECORDS` to change) and measures
//! lookup by digest, a listing page, a search by name and a full `vault verify`, on SQLite and,
//! when `EVIDENTIA_TEST_POSTGRES` names a server, on PostgreSQL in a fresh database.
//! `EVIDENTIA_SCALE_KEEP=DIR` keeps the SQLite vault in DIR and measures it again on the next run;
//! `EVIDENTIA_SCALE_PG_DB=NAME` does the same for the PostgreSQL vault (database NAME).
//! Run: `cargo bench -p evidentia --bench scale` (or `scripts/bench_scale.sh`, which starts a
//! throwaway PostgreSQL).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::time::{Duration, Instant};

use evidentia::digest::{DigestAlgorithm, Digests};
use evidentia::vault::{Access, EvidenceRecord, ListFilter, NewRecord, RecordQuery, SubjectKind, Vault};

const LOOKUPS: usize = 10_000;
const FILL_CHUNK: u64 = 2_000;

fn sha_of(i: u64) -> evidentia::digest::DigestValue {
    DigestAlgorithm::Sha256.digest(&i.to_be_bytes())
}

fn record(i: u64) -> NewRecord {
    let mut digests = Digests::default();
    digests.insert(DigestAlgorithm::Sha256, sha_of(i));
    NewRecord {
        record: EvidenceRecord {
            id: uuid::Uuid::now_v7().to_string(),
            kind: SubjectKind::File,
            name: format!("contract-{i:07}.pdf"),
            size: 10_000 + i,
            file_count: 1,
            media_type: "application/pdf".into(),
            digests,
            stored: false,
            source_path: format!("/srv/contracts/contract-{i:07}.pdf"),
            profile: "sandbox".into(),
            created_at: evidentia::clock::now(),
            // A third wait for a time-stamp (the "pending" filter), the rest asked for none.
            timestamp_requested: i.is_multiple_of(3),
        },
        signature: None,
        events: Vec::new(),
    }
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

async fn measure(label: &str, location: &std::path::Path, n: u64) {
    let vault = Vault::open(location, Access::Write { lock_wait: Duration::from_secs(5) }).await.unwrap();
    let start = Instant::now();
    // A kept vault (EVIDENTIA_SCALE_KEEP) is filled once and measured again as it is.
    let mut next = vault.head().await.unwrap().map_or(0, |(seq, _)| seq).min(n);
    let filled = n - next;
    // Every tenth record goes into a case below.
    let mut tenth: Vec<String> = Vec::new();
    while next < n {
        let end = (next + FILL_CHUNK).min(n);
        let batch: Vec<NewRecord> = (next..end).map(record).collect();
        tenth.extend(
            batch.iter().zip(next..end).filter(|(_, i)| i.is_multiple_of(10)).map(|(r, _)| r.record.id.clone()),
        );
        vault.append_records(&batch).await.unwrap();
        next = end;
        if next % 100_000 == 0 {
            eprintln!("{label}: {next} records in {:.0} s", start.elapsed().as_secs_f64());
        }
    }
    let fill = start.elapsed();
    if filled > 0 {
        println!(
            "{label}: filled {filled} records in {:.1} s ({:.0} records/s)",
            fill.as_secs_f64(),
            filled as f64 / fill.as_secs_f64()
        );
    } else {
        println!("{label}: the kept vault already holds {n} records");
    }

    // `EVIDENTIA_SCALE_ONLY=verify` measures only the whole check (of a kept vault).
    let only_verify = std::env::var("EVIDENTIA_SCALE_ONLY").is_ok_and(|v| v == "verify");
    if !only_verify {
        queries(label, &vault, n, tenth).await;
    }

    // The whole check.
    let t = Instant::now();
    let check = vault.verify(&|_| {}).await.unwrap();
    let took = t.elapsed();
    assert!(check.intact(), "{:?}", check.problems.first());
    println!(
        "{label}: vault verify of {} events: {:.2} s ({:.0} events/s)",
        check.events,
        took.as_secs_f64(),
        check.events as f64 / took.as_secs_f64()
    );
    vault.close().await;
}

/// Lookups, listing pages, a search and the Vault screen's filters.
async fn queries(label: &str, vault: &Vault, n: u64, tenth: Vec<String>) {
    // Lookup by digest: random records, one query each.
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut lookups = Vec::with_capacity(LOOKUPS);
    for _ in 0..LOOKUPS {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let sha = sha_of(state % n).to_hex();
        let t = Instant::now();
        let found = vault.records_with_digest(&sha).await.unwrap();
        lookups.push(t.elapsed());
        assert_eq!(found.len(), 1);
    }
    lookups.sort();
    println!(
        "{label}: lookup by digest ({LOOKUPS} random): p50 {}, p99 {}, max {}",
        ms(lookups[LOOKUPS / 2]),
        ms(lookups[LOOKUPS * 99 / 100]),
        ms(lookups[LOOKUPS - 1])
    );

    // A listing page: the newest 100, and 100 from the middle.
    for (what, offset, rounds) in [("first page", 0, 20), ("page at the middle", n / 2, 5)] {
        let query = RecordQuery { offset, limit: 100, newest_first: true, ..Default::default() };
        let mut times = Vec::new();
        for _ in 0..rounds {
            let t = Instant::now();
            let page = vault.record_page(&query, true).await.unwrap();
            times.push(t.elapsed());
            assert_eq!((page.rows.len(), page.total), (100, n));
        }
        println!("{label}: listing, {what} (100 rows + total count): median {}", ms(median(times)));
    }

    // A search by name (part of the name, any case), with its total.
    let wanted = format!("CONTRACT-{:07}", n / 3);
    let query = RecordQuery { search: wanted.clone(), limit: 100, newest_first: true, ..Default::default() };
    let mut times = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let page = vault.record_page(&query, true).await.unwrap();
        times.push(t.elapsed());
        assert_eq!(page.total, 1, "{wanted}");
    }
    println!("{label}: search by name `{wanted}`: median {}", ms(median(times)));

    // The Vault screen's filters: a status, a case, both; the first page and one deep in, with totals.
    let big_case = "case of every tenth record";
    if vault.open_case(big_case).await.is_ok() {
        let t = Instant::now();
        for chunk in tenth.chunks(10_000) {
            vault.add_to_case(big_case, chunk).await.unwrap();
        }
        println!("{label}: {} records added to a case in {:.1} s", tenth.len(), t.elapsed().as_secs_f64());
    }
    let pending = (0..n).filter(|i| i.is_multiple_of(3)).count() as u64;
    let in_case = n.div_ceil(10);
    let filters: [(&str, Option<ListFilter>, Option<&str>, u64); 4] = [
        ("status no time-stamp", Some(ListFilter::NoTimestamp), None, n - pending),
        ("status pending", Some(ListFilter::Pending), None, pending),
        ("case", None, Some(big_case), in_case),
        ("case and status pending", Some(ListFilter::Pending), Some(big_case), n.div_ceil(30)),
    ];
    for (what, status, case, expected) in filters {
        for (where_, offset) in [("first page", 0), ("page at the middle", expected / 2)] {
            let query = RecordQuery {
                offset,
                limit: 100,
                newest_first: true,
                status,
                case: case.map(str::to_owned),
                ..Default::default()
            };
            let mut times = Vec::new();
            let mut total = 0;
            for _ in 0..10 {
                let t = Instant::now();
                let page = vault.record_page(&query, true).await.unwrap();
                times.push(t.elapsed());
                total = page.total;
            }
            assert_eq!(total, expected, "{what}");
            println!("{label}: filter {what}, {where_} (100 rows + total {total}): median {}", ms(median(times)));
        }
    }
}

fn main() {
    let n: u64 = std::env::var("EVIDENTIA_SCALE_RECORDS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let dir = tempfile::tempdir_in(std::env::var("EVIDENTIA_SCALE_DIR").unwrap_or_else(|_| "/var/tmp".into())).unwrap();
    let sqlite = match std::env::var("EVIDENTIA_SCALE_KEEP") {
        Ok(kept) => std::path::PathBuf::from(kept),
        Err(_) => dir.path().join("vault"),
    };
    rt.block_on(measure("sqlite", &sqlite, n));
    if let Ok(server) = std::env::var("EVIDENTIA_TEST_POSTGRES") {
        // `EVIDENTIA_SCALE_PG_DB=NAME` keeps the PostgreSQL vault in that database and measures it
        // again on the next run against the same server.
        let kept = std::env::var("EVIDENTIA_SCALE_PG_DB").ok();
        let name = kept.clone().unwrap_or_else(|| format!("scale_{}", std::process::id()));
        let out = std::process::Command::new("psql")
            .args(["-X", "-q", &format!("{server}/postgres"), "-c", &format!("CREATE DATABASE {name}")])
            .output()
            .expect("psql");
        let exists = kept.is_some() && String::from_utf8_lossy(&out.stderr).contains("already exists");
        assert!(out.status.success() || exists, "{}", String::from_utf8_lossy(&out.stderr));
        let url = format!("{server}/{name}?folder={}", dir.path().join("team").display());
        rt.block_on(measure("postgres", std::path::Path::new(&url), n));
    } else {
        println!("postgres: skipped (EVIDENTIA_TEST_POSTGRES not set; scripts/bench_scale.sh starts a server)");
    }
}
