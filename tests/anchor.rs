//! Anchor batches: every record not yet in a batch goes, with the custody log's head, into a
//! Merkle batch; each record's inclusion proof is checked by an independent Python recomputation,
//! and `vault verify` finds altered salts, leaves, roots and heads.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod harness;

use std::process::{Command, Stdio};

use harness::{Env, repo, text};

fn sealed_and_batched(env: &Env, files: usize) -> serde_json::Value {
    for i in 0..files {
        env.write(&format!("docs/d{i:02}.txt"), format!("document {i}\n"));
    }
    env.ok(&["seal", "docs", "--each"]);
    let (code, v) = env.json(&["anchor", "flush"]);
    assert_eq!(code, 0, "{v}");
    v["batch"].clone()
}

fn independent_check(env: &Env, id: &str) -> (bool, String) {
    let show = env.run(&["--json", "vault", "show", id]);
    assert!(show.status.success(), "{}", text(&show.stderr));
    let mut py = Command::new("python3")
        .arg(repo().join("docs/tools/check_merkle_proof.py"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    py.stdin.take().unwrap().write_all(&show.stdout).unwrap();
    let out = py.wait_with_output().unwrap();
    (out.status.success(), text(&out.stdout))
}

#[test]
fn every_record_and_the_log_head_go_into_one_batch_whose_proofs_check_independently() {
    let env = Env::new();
    let batch = sealed_and_batched(&env, 13);
    assert_eq!(batch["size"], 14, "13 records and the head: {batch}");
    let head_seq = batch["head_seq"].as_u64().unwrap();
    assert_eq!(head_seq, 13, "the head is the last event before the batch");
    assert_eq!(env.sql_value(&format!("SELECT hash FROM custody_events WHERE seq = {head_seq}")), batch["head_hash"]);
    for r in env.records() {
        let (ok, said) = independent_check(&env, r["id"].as_str().unwrap());
        assert!(ok, "{said}");
        assert!(said.contains(batch["root"].as_str().unwrap()), "{said}");
    }
    // Nothing waits now; a later record goes into the next batch, with a later head.
    let (_, again) = env.json(&["anchor", "flush"]);
    assert!(again["batch"].is_null(), "{again}");
    env.write("late.txt", "late");
    env.ok(&["seal", "late.txt"]);
    let (_, next) = env.json(&["anchor", "flush"]);
    assert_eq!(next["batch"]["size"], 2);
    assert!(next["batch"]["head_seq"].as_u64().unwrap() > head_seq);
    let (_, status) = env.json(&["anchor", "status"]);
    assert_eq!(status["batches"].as_array().unwrap().len(), 2);
    let check = env.run(&["vault", "verify"]);
    assert!(check.status.success(), "{}", text(&check.stdout));
}

#[test]
fn altered_salts_leaves_roots_and_batches_are_found() {
    for (sql, code) in [
        (
            "UPDATE anchor_leaves SET salt = '0000000000000000000000000000000000000000000000000000000000000000' WHERE leaf_index = 3",
            "ANCHOR_BATCH_MISMATCH",
        ),
        (
            "UPDATE anchor_leaves SET leaf_hash = '0000000000000000000000000000000000000000000000000000000000000000' WHERE record_id IS NULL",
            "ANCHOR_BATCH_MISMATCH",
        ),
        ("DELETE FROM anchor_leaves WHERE leaf_index = 0", "ANCHOR_BATCH_MISMATCH"),
        (
            "UPDATE anchor_batches SET root = '0000000000000000000000000000000000000000000000000000000000000000'",
            "ANCHOR_BATCH_ALTERED",
        ),
        ("DELETE FROM anchor_batches", "ANCHOR_BATCH_MISSING"),
        (
            "INSERT INTO anchor_batches VALUES ('forged', '00', 1, 1, '00', '2020-01-01T00:00:00Z')",
            "ANCHOR_BATCH_UNLOGGED",
        ),
    ] {
        let env = Env::new();
        sealed_and_batched(&env, 5);
        env.tamper_sql(sql);
        let out = env.run(&["--json", "vault", "verify"]);
        assert_eq!(out.status.code(), Some(1), "{sql}: {}", text(&out.stdout));
        assert!(text(&out.stdout).contains(code), "{sql}: expected {code} in {}", text(&out.stdout));
    }
}
