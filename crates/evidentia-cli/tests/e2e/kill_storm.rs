//! Kill storm: `seal`, `sync`, `anchor flush` and `export` are SIGKILLed at random moments, with a
//! real TSA and a real chain node (anvil). After every kill `vault verify` passes and a package
//! left under its name is a whole one; a last uninterrupted `sync` and `anchor flush` complete
//! what was pending. CI runs 8 rounds of each operation; `EVIDENTIA_KILL_ROUNDS=25` runs the full
//! storm of 100 kills (`docs/vault.md`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{Anvil, DEV_KEY, Env, Tsa, closed_port, text};
use rand::{Rng, SeedableRng};

/// The operations killed, in turn.
const OPERATIONS: [&str; 4] = ["seal", "sync", "anchor flush", "export"];

fn rounds() -> usize {
    std::env::var("EVIDENTIA_KILL_ROUNDS").ok().and_then(|r| r.parse().ok()).unwrap_or(8)
}

struct Storm {
    env: Env,
    tsa: Tsa,
    anvil: Anvil,
}

impl Storm {
    fn cmd(&self) -> Command {
        let mut c = self.env.cmd();
        c.env("EVIDENTIA_TSA", self.tsa.url("/tsa"))
            .env("EVIDENTIA_TSA_TRUST", self.tsa.root())
            .env("EVIDENTIA_EVM_RPC", self.anvil.url())
            .env("EVIDENTIA_EVM_KEY_FILE", self.env.path("anchor.key"));
        c
    }

    fn run(&self, args: &[&str]) -> std::process::Output {
        self.cmd().args(args).output().unwrap()
    }

    fn record_ids(&self) -> Vec<String> {
        let out = self.run(&["--json", "vault", "list"]);
        if !out.status.success() {
            return Vec::new();
        }
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["records"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_owned()).collect()
    }

    /// The vault verifies (when it exists), and a package under `package`'s name is whole.
    fn check(&self, round: usize, what: &str, package: Option<&str>) {
        if self.env.vault_exists() {
            let out = self.run(&["vault", "verify"]);
            assert_eq!(
                out.status.code(),
                Some(0),
                "round {round} ({what}): vault verify after the kill: {}{}",
                text(&out.stdout),
                text(&out.stderr)
            );
        }
        if let Some(p) = package
            && self.env.path(p).exists()
        {
            let out = self.run(&["--json", "verify", p]);
            let code = out.status.code();
            assert!(
                code == Some(0) || code == Some(7),
                "round {round}: a package left under its name must be whole ({code:?}): {}",
                text(&out.stdout)
            );
        }
    }
}

#[test]
fn sealing_syncing_anchoring_and_exporting_survive_sigkill() {
    let seed: u64 = std::env::var("EVIDENTIA_TEST_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64
    });
    println!("seed {seed} (set EVIDENTIA_TEST_SEED to replay)");
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let storm = Storm { env: Env::new(), tsa: Tsa::start(), anvil: Anvil::start_on(closed_port()) };
    storm.env.write("anchor.key", DEV_KEY);
    // A first seal, so that every operation has work from the first round on.
    for i in 0..40 {
        storm.env.write(&format!("first/f{i:03}.txt"), format!("first document {i}\n"));
    }
    let out = storm.run(&["seal", "--each", "first"]);
    assert!(out.status.success(), "{}", text(&out.stderr));

    let mut kills = 0;
    let mut mid_run = 0;
    // Kills land anywhere within a run: each operation's usual length, first guessed, then the
    // length of its last run that ended before its kill (machines and TSAs differ in speed).
    let mut longest: HashMap<&str, u64> =
        HashMap::from([("anchor flush", 150), ("export", 400), ("seal", 900), ("sync", 900)]);
    for round in 0..rounds() * OPERATIONS.len() {
        let what = OPERATIONS[round % OPERATIONS.len()];
        let package = format!("case{round:03}.asice");
        let args: Vec<String> = match what {
            "seal" => {
                let set = format!("set{round:03}");
                for i in 0..rng.random_range(20..200) {
                    let len = rng.random_range(1..20_000);
                    let bytes: Vec<u8> = (0..len).map(|_| rng.random()).collect();
                    storm.env.write(&format!("{set}/d{i:04}.bin"), bytes);
                }
                vec!["seal".into(), "--each".into(), set]
            }
            "sync" => vec!["sync".into()],
            "anchor flush" => vec!["anchor".into(), "flush".into()],
            _ => {
                let ids = storm.record_ids();
                let mut args = vec!["export".into(), "--lang".into(), "en".into(), "-o".into(), package.clone()];
                args.extend(ids.into_iter().take(rng.random_range(1..6)));
                args
            }
        };
        let mut child =
            storm.cmd().arg("--quiet").args(&args).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        let delay = Duration::from_millis(rng.random_range(0..longest[what]));
        let started = Instant::now();
        while started.elapsed() < delay {
            if child.try_wait().unwrap().is_some() {
                longest.insert(what, (started.elapsed().as_millis() as u64).max(10));
                break;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        let _ = child.kill(); // SIGKILL
        let status = child.wait().unwrap();
        kills += 1;
        if !status.success() {
            mid_run += 1;
        }
        storm.check(round, what, (what == "export").then_some(package.as_str()));
        println!("round {round}: {what} killed after {delay:?} ({status}); the vault verifies");
    }
    assert!(mid_run >= kills / 3, "enough kills should land mid-run ({mid_run} of {kills})");

    // Uninterrupted, the pending work completes: every record time-stamped and in an anchored batch.
    for args in [&["sync"][..], &["anchor", "flush"], &["sync"]] {
        let out = storm.run(args);
        assert!(out.status.success(), "{args:?} after the storm: {}{}", text(&out.stdout), text(&out.stderr));
    }
    let out = storm.run(&["--json", "vault", "list"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let records = v["records"].as_array().unwrap();
    let pending: Vec<&serde_json::Value> = records.iter().filter(|r| r["status"] != "timestamped").collect();
    assert!(pending.is_empty(), "{} record(s) still pending after sync: {:?}", pending.len(), pending.first());
    let out = storm.run(&["--json", "anchor", "status"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = storm.run(&["vault", "verify"]);
    assert!(out.status.success(), "{}", text(&out.stdout));
    let py = storm.env.check_custody_log();
    assert!(py.status.success(), "{}", text(&py.stderr));
    println!(
        "{kills} kills ({mid_run} mid-run); {} records, all time-stamped; the custody log re-checks",
        records.len()
    );
}
