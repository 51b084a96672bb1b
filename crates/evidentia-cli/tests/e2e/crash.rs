//! Crash safety: `evidentia seal` is SIGKILLed at random moments, many times. After every kill
//! the vault verifies, every record is whole and true to its file, and sealing again completes
//! the work with exactly one record per file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::{Env, text};
use rand::{Rng, SeedableRng};

const ROUNDS: usize = 12;
/// Files per round: several commit batches (of 1000 files) per run.
const SMALL_FILES: usize = 2500;

fn expected_digests(env: &Env) -> BTreeMap<String, String> {
    // coreutils computes the reference digests, independently of Evidentia.
    let out = Command::new("sh")
        .args(["-c", "find . -path ./vault -prune -o -path './set*' -type f -print0 | xargs -0 sha256sum"])
        .current_dir(env.dir.path())
        .output()
        .unwrap();
    text(&out.stdout)
        .lines()
        .map(|l| {
            let (digest, name) = l.split_once("  ").unwrap();
            (name.trim_start_matches("./").to_owned(), digest.to_owned())
        })
        .collect()
}

fn check_consistent(env: &Env, expected: &BTreeMap<String, String>, round: usize) -> usize {
    if !env.vault_exists() {
        return 0;
    }
    let out = env.run(&["vault", "verify"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "round {round}: vault verify after kill: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let records = env.records();
    let mut names = BTreeSet::new();
    for r in &records {
        let name = r["name"].as_str().unwrap().to_owned();
        assert_eq!(
            r["digests"]["sha256"].as_str(),
            expected.get(&name).map(String::as_str),
            "round {round}: record {name} is whole and true to its file"
        );
        assert!(names.insert(name.clone()), "round {round}: {name} sealed twice");
    }
    records.len()
}

fn make_set(env: &Env, rng: &mut impl Rng, name: &str) {
    for i in 0..SMALL_FILES {
        let len = rng.random_range(1..4000);
        let bytes: Vec<u8> = (0..len).map(|_| rng.random()).collect();
        env.write(&format!("{name}/{:02}/img{i:05}.jpg", i % 29), bytes);
    }
    let fill: u8 = rng.random();
    env.write(&format!("{name}/raw/big.raw"), vec![fill; 16 << 20]);
}

fn temporary_files(env: &Env) -> usize {
    let tmp = env.vault_folder().join("blobs/tmp");
    std::fs::read_dir(tmp)
        .map(|workers| workers.flatten().map(|w| std::fs::read_dir(w.path()).map(|d| d.count()).unwrap_or(0)).sum())
        .unwrap_or(0)
}

#[test]
fn seal_survives_sigkill_at_random_moments() {
    let seed: u64 = std::env::var("EVIDENTIA_TEST_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64
    });
    println!("seed {seed} (set EVIDENTIA_TEST_SEED to replay)");
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let env = Env::new();

    // How long one uninterrupted run takes, so kills land anywhere within a run.
    make_set(&env, &mut rng, "calibration");
    let start = Instant::now();
    let out = env.cmd_in(&env.path("scratch")).args(["seal", "--each", "calibration"]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut full_run = start.elapsed();
    println!("one uninterrupted run: {full_run:?}");

    let mut previous = 0;
    let mut killed_mid_run = 0;
    for round in 0..ROUNDS {
        let set = format!("set{round:02}");
        make_set(&env, &mut rng, &set);
        let mut child = env
            .cmd()
            .args(["--quiet", "seal", "--each", &set])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let delay = Duration::from_micros(rng.random_range(0..full_run.as_micros() as u64 * 11 / 10));
        std::thread::sleep(delay);
        let _ = child.kill(); // SIGKILL
        let status = child.wait().unwrap();
        if !status.success() {
            killed_mid_run += 1;
        } else {
            // The run ended before the kill: the calibration overestimated a run (a cold first
            // vault, a busier machine then), so later kills aim earlier.
            full_run = full_run.min(delay) / 2;
        }
        let expected = expected_digests(&env);
        let count = check_consistent(&env, &expected, round);
        assert!(count >= previous, "round {round}: records were lost ({previous} -> {count})");
        println!("round {round}: killed after {delay:?} ({status}); {count} records, all whole");
        previous = count;
    }
    assert!(killed_mid_run >= ROUNDS / 2, "most kills should land mid-run ({killed_mid_run} of {ROUNDS})");

    // Sealing again completes the work: one record per file, nothing twice.
    let sets: Vec<String> = (0..ROUNDS).map(|r| format!("set{r:02}")).collect();
    let mut args = vec!["seal", "--each"];
    args.extend(sets.iter().map(String::as_str));
    let out = env.run(&args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let expected = expected_digests(&env);
    assert_eq!(expected.len(), ROUNDS * (SMALL_FILES + 1));
    assert_eq!(check_consistent(&env, &expected, ROUNDS), expected.len());
    assert_eq!(temporary_files(&env), 0, "temporary copies from killed runs are cleared");
    let py = env.check_custody_log();
    assert!(py.status.success(), "{}", text(&py.stderr));
}
