//! OpenTimestamps anchoring against a local calendar served by the reference library: the
//! records' `.ots` proofs are read by the official client (`ots info`), upgraded by it from the
//! calendar, upgraded by `evidentia sync` to a Bitcoin attestation, and checked by `anchor
//! verify` and `vault verify`. A calendar that is down or answers wrongly leaves batches pending.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Output};

use crate::support::{Anvil, Calendar, DEV_KEY, Env, closed_port, text};

fn with_calendars(env: &Env, calendars: &str, args: &[&str]) -> Output {
    env.cmd().env("EVIDENTIA_OTS_CALENDARS", calendars).args(args).output().unwrap()
}

fn json_of(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}{}", text(&out.stdout), text(&out.stderr)))
}

fn ots(args: &[&str]) -> String {
    let out = Command::new("ots").args(args).output().expect("ots (pip install opentimestamps-client)");
    let said = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "ots {args:?}: {said}");
    said
}

fn sealed(env: &Env, files: usize) -> Vec<(String, String)> {
    for i in 0..files {
        env.write(&format!("works/w{i}.txt"), format!("a short poem, number {i}\n"));
    }
    env.ok(&["seal", "works", "--each"]);
    env.records()
        .iter()
        .map(|r| (r["id"].as_str().unwrap().to_owned(), r["digests"]["sha256"].as_str().unwrap().to_owned()))
        .collect()
}

#[test]
fn ots_proofs_are_read_and_upgraded_by_the_official_client_and_by_sync() {
    let env = Env::new();
    let cal = Calendar::start(None);
    let other = Calendar::start(None);
    let calendars = format!("{},{}", cal.url, other.url);
    let records = sealed(&env, 5);
    let out = with_calendars(&env, &calendars, &["--json", "anchor", "flush"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v = json_of(&out);
    assert_eq!(v["ots"][0]["state"], "OTS_PENDING", "{v}");
    assert_eq!(v["ots"].as_array().unwrap().len(), 2, "one batch, two calendars: {v}");

    // Every record's pending proof reads in the official client, from the record's own digest.
    for (id, sha) in &records {
        let file = env.path(&format!("{id}.ots"));
        env.ok(&["anchor", "ots", id, "-o", file.to_str().unwrap()]);
        let info = ots(&["info", file.to_str().unwrap()]);
        assert!(info.contains(&format!("File sha256 hash: {sha}")), "{info}");
        assert!(info.contains(&format!("PendingAttestation('{}')", cal.url)), "{info}");
        assert!(info.contains(&format!("PendingAttestation('{}')", other.url)), "{info}");
    }
    let (first, _) = &records[0];
    let proof = env.path(&format!("{first}.ots"));
    let offline = env.run(&["--json", "anchor", "verify", first, "--offline"]);
    assert_eq!(offline.status.code(), Some(7));
    let v = json_of(&offline);
    assert_eq!(v["checks"][1]["check"], "ots_proof", "{v}");
    assert_eq!(v["checks"][1]["reason"], "OTS_PENDING", "{v}");

    // Bitcoin "mines" the calendar's commitments. The official client, given only our .ots,
    // finds the calendar's commitment by evaluating our operations and completes the proof.
    let block = cal.mine();
    let height = block["height"].as_u64().unwrap();
    let copy = env.path("official-upgrade.ots");
    std::fs::copy(&proof, &copy).unwrap();
    let said = ots(&["--no-default-whitelist", "-l", &cal.url, "-l", &other.url, "upgrade", copy.to_str().unwrap()]);
    assert!(said.contains("Success! Timestamp complete"), "{said}");
    let info = ots(&["info", copy.to_str().unwrap()]);
    assert!(info.contains(&format!("BitcoinBlockHeaderAttestation({height})")), "{info}");

    // `sync` upgrades the vault's stamp from the calendar that has it; every record's proof now
    // ends in that block, and still waits at the other calendar.
    let out = with_calendars(&env, &calendars, &["--json", "sync"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v = json_of(&out);
    let of = |url: &str| v["ots"].as_array().unwrap().iter().find(|o| o["calendar"] == url).cloned().unwrap();
    assert_eq!(of(&cal.url)["state"], "attested", "{v}");
    assert_eq!(of(&cal.url)["bitcoin_height"], height, "{v}");
    assert_eq!(of(&other.url)["state"], "OTS_PENDING", "{v}");
    let root_shown: String = {
        let internal = hex::decode(block["merkle_root"].as_str().unwrap()).unwrap();
        hex::encode(internal.iter().rev().copied().collect::<Vec<u8>>())
    };
    for (id, sha) in &records {
        let file = env.path(&format!("{id}-upgraded.ots"));
        env.ok(&["anchor", "ots", id, "-o", file.to_str().unwrap()]);
        let info = ots(&["info", file.to_str().unwrap()]);
        assert!(info.contains(&format!("File sha256 hash: {sha}")), "{info}");
        assert!(info.contains(&format!("BitcoinBlockHeaderAttestation({height})")), "{info}");
        assert!(info.contains(&format!("# Bitcoin block merkle root {root_shown}")), "{info}");
        assert!(info.contains(&format!("PendingAttestation('{}')", other.url)), "{info}");
    }
    // The record's proof is verified by the one `verify`, as anyone's proof is: offline, its
    // Bitcoin attestation names the block and the root to compare.
    let (_, first_sha) = &records[0];
    let work = (0..5)
        .map(|i| env.path(&format!("works/w{i}.txt")))
        .find(|p| crate::support::sha256sum(p) == *first_sha)
        .unwrap();
    let upgraded = env.path(&format!("{first}-upgraded.ots"));
    let out = env.run(&["--json", "verify", upgraded.to_str().unwrap(), "--file", work.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(7), "{}", text(&out.stderr));
    let v = json_of(&out);
    let block_check = v["checks"].as_array().unwrap().iter().find(|c| c["check"] == "bitcoin_block").cloned().unwrap();
    assert_eq!(block_check["reason"], "BLOCK_NOT_CHECKED", "{v}");
    assert!(block_check["detail"].as_str().unwrap().contains(&root_shown), "{v}");
    let out = env.run(&["--json", "anchor", "verify", first, "--offline"]);
    let v = json_of(&out);
    assert_eq!(v["checks"][1]["check"], "ots_proof", "{v}");
    assert_eq!(v["checks"][1]["verdict"], "PASSED", "{v}");
    assert_eq!(v["checks"][2]["check"], "bitcoin_block", "{v}");
    assert!(v["checks"][2]["detail"].as_str().unwrap().contains(&root_shown), "{v}");
    let status = env.ok(&["anchor", "status"]);
    assert!(status.contains(&format!("attested in Bitcoin block {height}")), "{status}");
    let check = env.run(&["vault", "verify"]);
    assert!(check.status.success(), "{}", text(&check.stdout));

    // An edited stamp is found.
    env.tamper_sql("UPDATE ots_stamps SET bitcoin_height = 1 WHERE bitcoin_height IS NOT NULL");
    let check = env.run(&["--json", "vault", "verify"]);
    assert!(!check.status.success());
    assert!(text(&check.stdout).contains("OTS_ALTERED"), "{}", text(&check.stdout));
}

#[test]
fn a_calendar_that_is_down_or_answers_wrongly_leaves_the_batch_pending_until_sync() {
    let env = Env::new();
    let records = sealed(&env, 2);
    let port = closed_port();
    let down = format!("http://127.0.0.1:{port}");
    let out = with_calendars(&env, &down, &["--json", "anchor", "flush"]);
    assert_eq!(out.status.code(), Some(6), "pending work exits 6");
    let v = json_of(&out);
    assert_eq!(v["ots"][0]["state"], "CALENDAR_UNREACHABLE", "{v}");
    let (id, _) = &records[0];
    let out = env.run(&["anchor", "ots", id, "-o", "x.ots"]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("EVIDENTIA_OTS_CALENDARS"), "{}", text(&out.stderr));
    assert!(!env.path("x.ots").exists());

    // A server that is no calendar: refused, nothing recorded.
    let web = Command::new("python3")
        .args(["-u", "-m", "http.server", "--bind", "127.0.0.1", "0"])
        .current_dir(env.path("works"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    struct Kill(std::process::Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut web = Kill(web);
    let mut line = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(web.0.stdout.as_mut().unwrap()), &mut line).unwrap();
    let web_port: u16 = line.split("port ").nth(1).and_then(|p| p.split_whitespace().next()).unwrap().parse().unwrap();
    let out = with_calendars(&env, &format!("http://127.0.0.1:{web_port}"), &["--json", "sync"]);
    assert_eq!(out.status.code(), Some(6));
    assert_eq!(json_of(&out)["ots"][0]["state"], "CALENDAR_REFUSED", "{}", text(&out.stdout));
    assert_eq!(env.sql_value("SELECT COUNT(*) FROM ots_stamps"), "0");

    // The calendar comes up where it was configured: `sync` submits the waiting batch.
    let cal = Calendar::start(Some(port));
    assert_eq!(cal.url, down);
    let out = with_calendars(&env, &down, &["--json", "sync"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert_eq!(json_of(&out)["ots"][0]["state"], "OTS_PENDING");
    env.ok(&["anchor", "ots", id, "-o", "x.ots"]);
    ots(&["info", env.path("x.ots").to_str().unwrap()]);
    let check = env.run(&["vault", "verify"]);
    assert!(check.status.success(), "{}", text(&check.stdout));
}

#[test]
fn with_a_chain_and_a_calendar_one_flush_anchors_in_both_and_a_pending_bitcoin_proof_is_only_a_note() {
    let env = Env::new();
    let cal = Calendar::start(None);
    let anvil = Anvil::start_on(closed_port());
    env.write("anchor.key", DEV_KEY);
    let both = |args: &[&str]| {
        let out = env
            .cmd()
            .env("EVIDENTIA_OTS_CALENDARS", &cal.url)
            .env("EVIDENTIA_EVM_RPC", anvil.url())
            .env("EVIDENTIA_EVM_KEY_FILE", env.path("anchor.key"))
            .arg("--json")
            .args(args)
            .output()
            .unwrap();
        (out.status.code(), json_of(&out))
    };
    let records = sealed(&env, 3);
    let (code, v) = both(&["anchor", "flush"]);
    assert_eq!(code, Some(0), "{v}");
    assert_eq!(v["anchors"][0]["state"], "anchored", "{v}");
    assert_eq!(v["ots"][0]["state"], "OTS_PENDING", "{v}");
    assert_eq!(v["anchors"][0]["batch_id"], v["ots"][0]["batch_id"], "one batch in both ledgers: {v}");
    let (id, _) = &records[2];
    let (code, v) = both(&["anchor", "verify", id]);
    assert_eq!((code, v["result"].as_str()), (Some(0), Some("TOTAL-PASSED")), "{v}");
    assert_eq!(v["notes"][0]["reason"], "OTS_PENDING", "{v}");
    cal.mine();
    let (code, v) = both(&["sync"]);
    assert_eq!(code, Some(0), "{v}");
    assert_eq!(v["ots"][0]["state"], "attested", "{v}");
    let (_, v) = both(&["anchor", "verify", id]);
    let checks: Vec<&str> = v["checks"].as_array().unwrap().iter().map(|c| c["check"].as_str().unwrap()).collect();
    assert_eq!(checks, ["merkle_proof", "ots_proof", "chain_proof", "block"], "{v}");
    assert_eq!(v["notes"][0]["check"], "bitcoin_block", "{v}");
    assert_eq!(v["result"], "TOTAL-PASSED", "{v}");
    let check = env.run(&["vault", "verify"]);
    assert!(check.status.success(), "{}", text(&check.stdout));
}
