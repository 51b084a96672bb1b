//! Anyone's evidence through one `evidentia verify`, told by its content: the OpenTimestamps
//! client's example proofs against a bitcoind-compatible node, beside `ots verify`; a PDF, a CMS
//! signature and an RFC 3161 time-stamp each verified by the same command as by its own.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::Command;

use crate::support::{BitcoinNode, Calendar, Env, Tsa, repo, text};

fn examples() -> PathBuf {
    repo().join("tests/fixtures/third-party/ots-examples")
}

fn json_of(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}{}", text(&out.stdout), text(&out.stderr)))
}

#[test]
fn the_opentimestamps_examples_are_judged_as_ots_verify_judges_them() {
    let env = Env::new();
    let node = BitcoinNode::start();
    let expected: serde_json::Value =
        serde_json::from_slice(&std::fs::read(examples().join("expected.json")).unwrap()).unwrap();
    let mut judged = 0;
    for (name, e) in expected.as_object().unwrap() {
        let proof = examples().join(name);
        let proof = proof.to_str().unwrap();
        let expect = e["expect"].as_str().unwrap();
        let official = |extra: &[&str]| {
            Command::new("ots")
                .args(["--no-cache", "--bitcoin-node", &node.url(), "verify", proof])
                .args(extra)
                .output()
                .expect("ots (pip install opentimestamps-client)")
        };
        if expect == "refused" {
            let out = env.run(&["--json", "verify", proof]);
            assert_eq!(out.status.code(), Some(3), "{name}: {}{}", text(&out.stdout), text(&out.stderr));
            assert!(text(&out.stdout).contains("OTS_MALFORMED"), "{name}: {}", text(&out.stdout));
            assert!(!official(&[]).status.success(), "{name}: ots refuses it too");
            judged += 1;
            continue;
        }
        // Two proofs come without the file they stamp (the Bitcoin white paper, a PDF report).
        let Some(data) = e["data"].as_str() else { continue };
        let data = examples().join(data);
        let data = data.to_str().unwrap();
        let out = env.run(&["--json", "verify", proof, "--file", data, "--bitcoin-node", &node.url()]);
        let ours = json_of(&out);
        let theirs = official(&["-f", data]);
        let result = ours["result"].as_str().unwrap();
        assert_eq!(
            result == "TOTAL-PASSED",
            theirs.status.success(),
            "{name}: ours {ours:#}, ots: {}",
            text(&theirs.stderr)
        );
        let has_bitcoin = e["attestations"].as_array().unwrap().iter().any(|a| a["kind"] == "bitcoin");
        let want = match expect {
            "passed" => "TOTAL-PASSED",
            "failed" if has_bitcoin => "TOTAL-FAILED",
            _ => "INDETERMINATE",
        };
        assert_eq!(result, want, "{name}: {ours:#}");
        let code = out.status.code().unwrap();
        assert_eq!(
            code,
            [0, 1, 7][["TOTAL-PASSED", "TOTAL-FAILED", "INDETERMINATE"].iter().position(|r| *r == want).unwrap()]
        );
        if expect == "pending" {
            let pending = ours["checks"].as_array().unwrap().iter().any(|c| c["reason"] == "OTS_PENDING");
            assert!(pending, "{name}: {ours:#}");
        }
        judged += 1;
    }
    assert!(judged >= 14, "{judged} proofs judged");

    // hello-world: PASSED at block 358391 with the block's time; offline, the height and the root
    // to compare on an explorer; the node refusing the password is no PASSED.
    let proof = examples().join("hello-world.txt.ots");
    let proof = proof.to_str().unwrap();
    let v = json_of(&env.run(&["--json", "verify", proof, "--bitcoin-node", &node.url()]));
    let block = v["checks"].as_array().unwrap().iter().find(|c| c["check"] == "bitcoin_block").cloned().unwrap();
    assert!(block["detail"].as_str().unwrap().contains("as of 2015-05-28"), "{v}");
    let offline = env.run(&["--json", "verify", proof]);
    assert_eq!(offline.status.code(), Some(7));
    let text_out = text(&offline.stdout);
    assert!(text_out.contains("358391"), "{text_out}");
    assert!(text_out.contains("8a1b66ecb7cbd07d8139a7e7d7f2c41aab1f5009b8364aaf61d03ad245e47e00"), "{text_out}");
    let wrong = format!("http://evidentia:wrong@127.0.0.1:{}/", node.port);
    let out = env.run(&["--json", "verify", proof, "--bitcoin-node", &wrong]);
    assert_eq!(out.status.code(), Some(7), "{}", text(&out.stdout));
    assert!(!text(&out.stdout).contains("wrong"), "the password is not shown: {}", text(&out.stdout));
    // The stamped file changed: FAILED, naming both digests.
    env.write("hello-world.txt", "Hello World!\nand more\n");
    let out = env.run(&["--json", "verify", proof, "--file", env.path("hello-world.txt").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains("OTS_DIGEST_MISMATCH"), "{}", text(&out.stdout));
    // No stamped file beside the proof, none given: a usage error naming where it looked.
    std::fs::copy(proof, env.path("alone.txt.ots")).unwrap();
    let out = env.run(&["verify", env.path("alone.txt.ots").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("alone.txt"), "{}", text(&out.stderr));
}

#[test]
fn a_pdf_a_signature_and_a_time_stamp_are_verified_by_the_one_command_as_by_their_own() {
    let env = Env::new();
    let tsa = Tsa::start();
    env.write("contract.txt", "the agreed terms\n");
    // A time-stamp by the local TSA, written as openssl reads it.
    let root = tsa.root();
    let out = env
        .cmd()
        .env("EVIDENTIA_TSA", tsa.url("/tsa"))
        .env("EVIDENTIA_TSA_TRUST", &root)
        .args(["timestamp", "request", "contract.txt", "-o", "contract.tsr"])
        .current_dir(env.dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let tsr = env.path("contract.tsr");
    let own = env.run(&[
        "--json",
        "timestamp",
        "verify",
        "--token",
        tsr.to_str().unwrap(),
        "--file",
        env.path("contract.txt").to_str().unwrap(),
        "--trust",
        root.to_str().unwrap(),
    ]);
    let any = env.run(&[
        "--json",
        "verify",
        tsr.to_str().unwrap(),
        "--file",
        env.path("contract.txt").to_str().unwrap(),
        "--trust",
        root.to_str().unwrap(),
    ]);
    assert_eq!(own.status.code(), Some(0), "{}", text(&own.stderr));
    assert_eq!(any.status.code(), own.status.code(), "{}{}", text(&any.stdout), text(&any.stderr));
    assert_eq!(json_of(&any), json_of(&own));
    // Without the file it is over: a usage error, not a vault look-up.
    let out = env.run(&["verify", tsr.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("--file"), "{}", text(&out.stderr));
    // Another file under the same time-stamp: FAILED by both.
    env.write("other.txt", "other terms\n");
    let other = env.path("other.txt");
    let trust = ["--trust", root.to_str().unwrap()];
    let own = env.run(
        &[
            &["--json", "timestamp", "verify", "--token", tsr.to_str().unwrap(), "--file", other.to_str().unwrap()][..],
            &trust,
        ]
        .concat(),
    );
    let any = env
        .run(&[&["--json", "verify", tsr.to_str().unwrap(), "--file", other.to_str().unwrap()][..], &trust].concat());
    assert_eq!(any.status.code(), own.status.code());
    assert_eq!(any.status.code(), Some(1));

    // A CMS signature from OpenSSL, detached: the same verdict as `signature verify`.
    let sign = Command::new("bash")
        .arg("-c")
        .arg(
            "openssl req -x509 -newkey rsa:2048 -nodes -keyout k.pem -out c.pem -subj '/CN=Other Party' -days 2 2>/dev/null \
             && openssl cms -sign -binary -in contract.txt -signer c.pem -inkey k.pem -outform DER -out contract.p7s",
        )
        .current_dir(env.dir.path())
        .output()
        .unwrap();
    assert!(sign.status.success(), "{}", text(&sign.stderr));
    let p7s = env.path("contract.p7s");
    let data = env.path("contract.txt");
    for extra in [&[][..], &["--trust", env.path("c.pem").to_str().unwrap()][..]] {
        let own = env.run(
            &[&["--json", "signature", "verify", p7s.to_str().unwrap(), "--file", data.to_str().unwrap()][..], extra]
                .concat(),
        );
        let any = env
            .run(&[&["--json", "verify", p7s.to_str().unwrap(), "--file", data.to_str().unwrap()][..], extra].concat());
        assert_eq!(any.status.code(), own.status.code(), "{}", text(&any.stdout));
        assert_eq!(json_of(&any)["result"], json_of(&own)["result"]);
    }

    // A PDF: the same report as `pdf verify`.
    let pdf = repo().join("tests/fixtures/third-party/dss/DSS-2025.pdf");
    let own = env.run(&["--json", "pdf", "verify", pdf.to_str().unwrap()]);
    let any = env.run(&["--json", "verify", pdf.to_str().unwrap()]);
    assert_eq!(any.status.code(), own.status.code());
    let (mut a, mut o) = (json_of(&any), json_of(&own));
    for v in [&mut a, &mut o] {
        v["policy"]["validation_time"] = serde_json::Value::Null;
    }
    assert_eq!(a, o);
}

#[test]
fn a_pending_proof_made_by_ots_stamp_is_upgraded_by_sync_and_then_proven_against_the_node() {
    let env = Env::new();
    let cal = Calendar::start(None);
    env.write("poem.txt", "a short poem, stamped with the official client\n");
    let stamp = Command::new("ots")
        .args(["stamp", "-m", "1", "-c", &cal.url])
        .arg(env.path("poem.txt"))
        .output()
        .expect("ots (pip install opentimestamps-client)");
    assert!(stamp.status.success(), "ots stamp: {}", text(&stamp.stderr));
    let proof = env.path("poem.txt.ots");
    let proof_arg = proof.to_str().unwrap();
    // Pending: named with its calendar, never passed.
    let out = env.run(&["--json", "verify", proof_arg]);
    assert_eq!(out.status.code(), Some(7), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("OTS_PENDING"), "{}", text(&out.stdout));
    // A calendar that is not on the list is not asked: the proof stays as it was.
    let before = std::fs::read(&proof).unwrap();
    let out = env.run(&["--json", "sync", "--ots", proof_arg]);
    assert_eq!(out.status.code(), Some(6), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("not on the calendar list"), "{}", text(&out.stdout));
    assert_eq!(std::fs::read(&proof).unwrap(), before);

    // Bitcoin "mines" the calendar's commitments; sync, with the calendar listed, upgrades the proof.
    let block = cal.mine();
    let height = block["height"].as_u64().unwrap();
    let out = env
        .cmd()
        .env("EVIDENTIA_OTS_CALENDARS", &cal.url)
        .args(["--json", "sync", "--ots", proof_arg])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["bitcoin"][0], height, "{v}");
    assert!(env.path("poem.txt.ots.bak").exists(), "the proof as it was is kept");
    let info = Command::new("ots").arg("info").arg(&proof).output().unwrap();
    assert!(text(&info.stdout).contains(&format!("BitcoinBlockHeaderAttestation({height})")), "{}", text(&info.stdout));

    // A node with that block: PASSED by us, and by `ots verify`.
    let root: String = {
        let internal = hex::decode(block["merkle_root"].as_str().unwrap()).unwrap();
        hex::encode(internal.iter().rev().copied().collect::<Vec<u8>>())
    };
    env.write("blocks.json", format!("{{\"{height}\": {{\"merkleroot\": \"{root}\", \"time\": 1764930000}}}}"));
    let node = BitcoinNode::serving(&env.path("blocks.json"));
    let out = env.run(&["--json", "verify", proof_arg, "--bitcoin-node", &node.url()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let official =
        Command::new("ots").args(["--no-cache", "--bitcoin-node", &node.url(), "verify", proof_arg]).output().unwrap();
    assert!(official.status.success(), "ots verify: {}", text(&official.stderr));
}
