//! Anchor batches: every record not yet in a batch goes, with the custody log's head, into a
//! Merkle batch; each record's inclusion proof is checked by an independent Python recomputation,
//! and `vault verify` finds altered salts, leaves, roots and heads.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Stdio};

use crate::support::{Anvil, DEV_KEY, Env, closed_port, repo, text};

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
    // Batched but not anchored: the Merkle proof passes, the anchor is pending.
    let id = env.records()[0]["id"].as_str().unwrap().to_owned();
    let out = env.run(&["--json", "anchor", "verify", &id]);
    assert_eq!(out.status.code(), Some(7));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["checks"][0]["verdict"], "PASSED", "{v}");
    assert_eq!(v["checks"][1]["reason"], "ANCHOR_PENDING", "{v}");
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

fn chain_cmd(env: &Env, url: &str, args: &[&str]) -> (i32, serde_json::Value) {
    env.write("anchor.key", DEV_KEY);
    let out = env
        .cmd()
        .env("EVIDENTIA_EVM_RPC", url)
        .env("EVIDENTIA_EVM_KEY_FILE", env.path("anchor.key"))
        .arg("--json")
        .args(args)
        .output()
        .unwrap();
    let v = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: {e}: {}{}", text(&out.stdout), text(&out.stderr)));
    (out.status.code().unwrap_or(-1), v)
}

#[test]
fn a_batch_is_anchored_with_one_transaction_carrying_its_root() {
    let env = Env::new();
    let anvil = Anvil::start_on(closed_port());
    let snapshot = anvil.rpc("evm_snapshot", "[]").unwrap();
    for i in 0..20 {
        env.write(&format!("docs/d{i:02}.txt"), format!("document {i}\n"));
    }
    env.ok(&["seal", "docs", "--each"]);
    let (code, v) = chain_cmd(&env, &anvil.url(), &["anchor", "flush"]);
    assert_eq!(code, 0, "{v}");
    let outcome = &v["anchors"][0];
    assert_eq!(outcome["state"], "anchored", "{v}");
    let tx_hash = outcome["anchor"]["anchor"]["tx_hash"].as_str().unwrap();
    // The chain, read without Evidentia: one transaction, carrying exactly the batch root.
    let tx = anvil.rpc("eth_getTransactionByHash", &format!("[\"{tx_hash}\"]")).unwrap();
    assert_eq!(tx["input"], format!("0x{}", outcome["root"].as_str().unwrap()));
    assert_eq!(anvil.rpc("eth_blockNumber", "[]").unwrap(), "0x1", "exactly one block, one transaction");
    // Every record shows the anchor, and its Merkle proof checks independently.
    for r in env.records() {
        let id = r["id"].as_str().unwrap();
        let (_, show) = env.json(&["vault", "show", id]);
        assert_eq!(show["inclusion"]["anchor"]["anchor"]["tx_hash"], tx_hash);
        let (ok, said) = independent_check(&env, id);
        assert!(ok, "{said}");
    }
    let check = env.run(&["vault", "verify"]);
    assert!(check.status.success(), "{}", text(&check.stdout));
    // anchor verify: online all passes; offline the block hash is left to confirm elsewhere.
    let id = env.records()[7]["id"].as_str().unwrap().to_owned();
    let (code, v) = chain_cmd(&env, &anvil.url(), &["anchor", "verify", &id]);
    assert_eq!((code, v["result"].as_str()), (0, Some("TOTAL-PASSED")), "{v}");
    let (code, v) = chain_cmd(&env, &anvil.url(), &["anchor", "verify", &id, "--offline"]);
    assert_eq!((code, v["result"].as_str()), (7, Some("INDETERMINATE")), "{v}");
    assert_eq!(v["checks"][2]["reason"], "BLOCK_NOT_CHECKED");
    assert!(v["checks"][2]["detail"].as_str().unwrap().contains(tx["blockHash"].as_str().unwrap()), "{v}");
    // The chain forgets the block (a reorg): the anchor is no longer on it.
    assert_eq!(anvil.rpc("evm_revert", &format!("[{snapshot}]")), Some(serde_json::Value::Bool(true)));
    anvil.rpc("anvil_mine", "[\"0x3\"]").unwrap();
    let (code, v) = chain_cmd(&env, &anvil.url(), &["anchor", "verify", &id]);
    assert_eq!((code, v["result"].as_str()), (1, Some("TOTAL-FAILED")), "{v}");
    assert_eq!(v["checks"][2]["reason"], "ANCHOR_NOT_ON_CHAIN");
    // Offline, nothing about the chain has changed: the proofs still hold.
    let (code, _) = chain_cmd(&env, &anvil.url(), &["anchor", "verify", &id, "--offline"]);
    assert_eq!(code, 7);
    // A stored offline proof that no longer holds is found.
    env.tamper_sql("UPDATE chain_anchors SET proof = replace(proof, '\"block_time\":', '\"block_time\":1')");
    let check = env.run(&["--json", "vault", "verify"]);
    assert_eq!(check.status.code(), Some(1));
    assert!(text(&check.stdout).contains("ANCHOR_"), "{}", text(&check.stdout));
}

#[test]
fn a_node_that_is_down_leaves_the_batch_pending_until_sync_and_a_reorg_is_re_anchored() {
    let env = Env::new();
    env.write("a.txt", "a");
    env.ok(&["seal", "a.txt"]);
    let port = closed_port();
    let url = format!("http://127.0.0.1:{port}");
    // Node down: the batch is made and stays pending, with the reason.
    let (code, v) = chain_cmd(&env, &url, &["anchor", "flush"]);
    assert_eq!(code, 6, "{v}");
    assert_eq!(v["anchors"][0]["state"], "CHAIN_UNREACHABLE", "{v}");
    // The list's anchored filter follows the anchors: none yet, one after each anchoring.
    let anchored = || env.json(&["vault", "list", "--status", "anchored"]).1["total"].as_u64().unwrap();
    assert_eq!(anchored(), 0);
    // The node is back: sync completes it.
    let anvil = Anvil::start_on(port);
    let snapshot = anvil.rpc("evm_snapshot", "[]").unwrap();
    let (code, v) = chain_cmd(&env, &url, &["sync"]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["anchors"][0]["state"], "anchored");
    let first_tx = v["anchors"][0]["anchor"]["anchor"]["tx_hash"].as_str().unwrap().to_owned();
    assert_eq!(anchored(), 1);
    // A reorg drops the anchoring transaction: sync sees it and anchors the batch again.
    anvil.rpc("evm_revert", &format!("[{snapshot}]")).unwrap();
    anvil.rpc("anvil_mine", "[\"0x2\"]").unwrap();
    let (code, v) = chain_cmd(&env, &url, &["sync"]);
    assert_eq!(code, 0, "{v}");
    let again = &v["anchors"][0];
    assert_eq!(again["state"], "anchored", "{v}");
    assert_eq!(again["reorg_detected"], true, "{v}");
    assert_ne!(again["anchor"]["anchor"]["tx_hash"], first_tx.as_str());
    assert_eq!(env.sql_value("SELECT COUNT(*) FROM anchor_drops"), "1");
    assert_eq!(anchored(), 1, "the dropped anchor's record is anchored again, counted once");
    let check = env.run(&["vault", "verify"]);
    assert!(check.status.success(), "{}", text(&check.stdout));
    // The anchor kept now is on the chain as it is.
    let (_, status) = env.json(&["anchor", "status"]);
    assert!(status["batches"][0]["anchors"].as_array().unwrap().len() == 2, "{status}");
}

#[test]
fn the_batch_policy_anchors_once_enough_records_wait() {
    let env = Env::new();
    let anvil = Anvil::start_on(closed_port());
    env.write("anchor.key", DEV_KEY);
    let seal = |name: &str| {
        env.write(name, name);
        let out = env
            .cmd()
            .env("EVIDENTIA_EVM_RPC", anvil.url())
            .env("EVIDENTIA_EVM_KEY_FILE", env.path("anchor.key"))
            .env("EVIDENTIA_ANCHOR_AFTER", "3")
            .args(["seal", name])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        text(&out.stdout)
    };
    seal("one.txt");
    seal("two.txt");
    assert_eq!(env.sql_value("SELECT COUNT(*) FROM anchor_batches"), "0", "two records wait: no batch yet");
    let said = seal("three.txt");
    assert!(said.contains("anchored"), "{said}");
    assert_eq!(env.sql_value("SELECT COUNT(*) FROM anchor_batches"), "1");
    assert_eq!(env.sql_value("SELECT COUNT(*) FROM chain_anchors"), "1");
    assert_eq!(anvil.rpc("eth_blockNumber", "[]").unwrap(), "0x1");
}
