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

/// An evidence record another archive made (EU DSS's RFC 4998 test record: two chains, three
/// archive time-stamps) through the one `verify`: over a file it covers every hash tree and
/// renewal holds and only the test TSA's root is undecided; over another file it fails; without
/// a file it asks for one; a damaged record is refused as input.
#[test]
fn a_detached_evidence_record_is_verified_over_the_file_it_covers() {
    let env = Env::new();
    let dir = repo().join("tests/fixtures/third-party/dss-evidence-record");
    let ers = dir.join("ER-2Chains3ATS.ers");
    let covered = dir.join("ER-2Chains3ATS2.bin");
    let out = env.run(&["--json", "verify", ers.to_str().unwrap(), "--file", covered.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(7), "{}{}", text(&out.stdout), text(&out.stderr));
    let report = json_of(&out);
    assert_eq!(report["made_elsewhere"], "evidence-record");
    let checks = report["checks"].as_array().unwrap();
    assert_eq!(checks.iter().filter(|c| c["check"] == "timestamp").count(), 3, "{report:#}");
    for c in checks {
        assert_eq!(c["reason"], "NO_TRUSTED_ROOT", "{c:#}");
    }
    // Renewals are named as what they are.
    let details: Vec<&str> = checks.iter().filter_map(|c| c["detail"].as_str()).collect();
    assert!(details.iter().any(|d| d.starts_with("time-stamp renewal")), "{details:?}");
    assert!(details.iter().any(|d| d.starts_with("hash-tree renewal")), "{details:?}");

    // A file it does not cover: among its two leaves neither is that file's (DSS: not found).
    env.write("other.bin", "content of data object DO-03");
    let out = env.run(&["--json", "verify", ers.to_str().unwrap(), "--file", env.path("other.bin").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(7), "{}", text(&out.stdout));
    let report = json_of(&out);
    assert_eq!(report["checks"][0]["check"], "evidence_record");
    assert_eq!(report["checks"][0]["reason"], "SIGNED_DATA_NOT_FOUND", "{report:#}");
    // A record over one file alone, given another: the data changed (DSS: HASH_FAILURE).
    env.write("changed.txt", "123457");
    let single = dir.join("1_0_Initial.er");
    let out =
        env.run(&["--json", "verify", single.to_str().unwrap(), "--file", env.path("changed.txt").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let report = json_of(&out);
    assert_eq!(report["result"], "TOTAL-FAILED");
    assert_eq!(report["checks"][0]["reason"], "HASH_FAILURE", "{report:#}");
    env.write("original.txt", "123456");
    let out =
        env.run(&["--json", "verify", single.to_str().unwrap(), "--file", env.path("original.txt").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(7), "{}", text(&out.stdout));

    let out = env.run(&["verify", ers.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("--file"), "{}", text(&out.stderr));

    let damaged = dir.join("BIN-1_ER_malformed.ers");
    let out = env.run(&["verify", damaged.to_str().unwrap(), "--file", covered.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("not a readable evidence record"), "{}", text(&out.stderr));
}

/// SM2/SM3 CMS signatures made by another implementation (GmSSL's `gmssl` through
/// docs/tools/sm2_cms.py, with an SM2 certificate made by OpenSSL), as PKCS #7 and with GM/T 0010's
/// content types: ours verifies both; untrusted, INDETERMINATE; another file or a flipped byte of
/// the signature, FAILED — and the other implementation agrees on each.
#[test]
fn sm2_cms_signatures_made_by_gmssl_are_verified() {
    let env = Env::new();
    let made = Command::new("bash")
        .arg("-c")
        .arg(
            "openssl genpkey -algorithm SM2 -out k.pem && openssl req -x509 -new -key k.pem -sm3 \
             -sigopt distid:1234567812345678 -subj '/O=Shenzhen Trading Co./CN=Zhang San' -days 30 -out sm2.pem",
        )
        .current_dir(env.dir.path())
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", text(&made.stderr));
    env.write("contract.txt", "采购合同 purchase contract\n");
    env.write("other.txt", "another contract\n");
    let tool = repo().join("docs/tools/sm2_cms.py");
    let python =
        |args: &[&str]| Command::new("python3").arg(&tool).args(args).current_dir(env.dir.path()).output().unwrap();
    let variants: [(&str, &[&str]); 3] = [
        ("pkcs7.p7s", &[]),
        ("gmt.p7s", &["--gmt-oids"]),
        ("sm2sign.p7s", &["--gmt-oids", "--signature-oid", "1.2.156.10197.1.301.1"]),
    ];
    for (name, extra) in variants {
        let mut args = vec!["sign", "k.pem", "sm2.pem", "contract.txt", name];
        args.extend(extra);
        let out = python(&args);
        assert!(out.status.success(), "sm2_cms.py sign: {}", text(&out.stderr));
        assert!(python(&["verify", name, "contract.txt"]).status.success());
        let verify = |file: &str, p7s: &str, trust: bool| {
            let mut args = vec!["--json", "verify", p7s, "--file", file];
            if trust {
                args.extend(["--trust", "sm2.pem"]);
            }
            let out = env.run(&args);
            (out.status.code(), json_of(&out))
        };
        let (code, report) = verify("contract.txt", name, true);
        assert_eq!(code, Some(0), "{name}: {report:#}");
        assert!(report.to_string().contains("SM2 with SM3, distinguishing ID 1234567812345678"), "{name}: {report:#}");
        let (code, _) = verify("contract.txt", name, false);
        assert_eq!(code, Some(7), "{name}: untrusted");
        let (code, _) = verify("other.txt", name, true);
        assert_eq!(code, Some(1), "{name}: another file");
        assert!(!python(&["verify", name, "other.txt"]).status.success());
        // The signature value is the last element: flip its last byte.
        let mut bytes = std::fs::read(env.path(name)).unwrap();
        *bytes.last_mut().unwrap() ^= 0x01;
        std::fs::write(env.path("flipped.p7s"), &bytes).unwrap();
        let (code, report) = verify("contract.txt", "flipped.p7s", true);
        assert_eq!(code, Some(1), "{name} flipped: {report:#}");
        assert!(!python(&["verify", "flipped.p7s", "contract.txt"]).status.success());
    }
}

#[test]
/// A PDF sealed with SM2 by a Chinese open-source signing project (iText 5 + BouncyCastle, with an
/// SM2-signed time-stamp): intact for GmSSL and for us, INDETERMINATE only because its SM2 roots
/// are not trusted here, naming the algorithm and the distinguishing ID; a byte changed in the
/// signed range, or in the time-stamp's SM2 signature, fails.
fn a_real_sm2_sealed_pdf_is_intact_and_indeterminate_only_for_its_untrusted_root() {
    let env = Env::new();
    let original = std::fs::read(repo().join("tests/fixtures/third-party/itext5-sm2/sm2sign.pdf")).unwrap();
    std::fs::write(env.path("sm2sign.pdf"), &original).unwrap();
    let tool = repo().join("docs/tools/sm2_cms.py");
    let gmssl = |file: &str| {
        Command::new("python3").arg(&tool).args(["verify-pdf", file]).current_dir(env.dir.path()).output().unwrap()
    };
    let out = gmssl("sm2sign.pdf");
    assert!(out.status.success(), "gmssl: {}{}", text(&out.stdout), text(&out.stderr));
    let checks_of = |report: &serde_json::Value| -> Vec<(String, String, String, String)> {
        report["signatures"][0]["checks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                let field = |k: &str| c[k].as_str().unwrap_or("").to_owned();
                (field("check"), field("verdict"), field("reason"), field("detail"))
            })
            .collect()
    };
    for command in [&["--json", "verify", "sm2sign.pdf"][..], &["--json", "pdf", "verify", "sm2sign.pdf"][..]] {
        let out = env.run(command);
        let report = json_of(&out);
        assert_eq!(report["result"], "INDETERMINATE", "{command:?}: {report:#}");
        assert_eq!(out.status.code(), Some(7), "{command:?}");
        let checks = checks_of(&report);
        for (check, verdict, reason, detail) in &checks {
            match check.as_str() {
                "byte_range" | "modifications" => assert_eq!(verdict, "PASSED", "{check}: {detail}"),
                "signature" => {
                    assert_eq!((verdict.as_str(), reason.as_str()), ("INDETERMINATE", "NO_TRUSTED_ROOT"), "{detail}");
                    assert!(detail.contains("SM2 with SM3, distinguishing ID 1234567812345678"), "{detail}");
                }
                other => panic!("unexpected check {other}: {detail}"),
            }
        }
        assert_eq!(checks.len(), 3, "{checks:?}");
        let stamp = &report["signatures"][0]["timestamp"];
        assert_eq!(stamp["gen_time"], "2021-10-19T08:30:49Z", "{report:#}");
        assert!(stamp["tsa_subject"].as_str().unwrap().contains("SM2"), "{stamp}");
    }

    // A byte inside the signed range: both fail.
    let mut changed = original.clone();
    let at = changed.windows(9).position(|w| w == b"/MediaBox").expect("a page") + 11;
    changed[at] ^= 0x01;
    std::fs::write(env.path("changed.pdf"), &changed).unwrap();
    assert!(!gmssl("changed.pdf").status.success(), "gmssl accepted a changed byte");
    let out = env.run(&["--json", "verify", "changed.pdf"]);
    assert_eq!(json_of(&out)["result"], "TOTAL-FAILED", "{}", text(&out.stdout));

    // The time-stamp token closes the CMS (the last unsigned attribute), and its SM2 signature value
    // closes the token: one hex digit of it changed inside /Contents.
    let contents = original.windows(11).position(|w| w == b"/Contents <").expect("/Contents") + 11;
    let end = contents + original[contents..].iter().position(|b| *b == b'>').unwrap();
    let hex = std::str::from_utf8(&original[contents..end]).unwrap();
    let cms = hex::decode(hex).unwrap();
    assert_eq!(cms[..2], [0x30, 0x82], "a CMS with a two-byte length");
    let cms_len = 4 + usize::from(u16::from_be_bytes([cms[2], cms[3]]));
    let digit = contents + 2 * (cms_len - 6);
    let mut forged = original.clone();
    forged[digit] = if forged[digit] == b'0' { b'1' } else { b'0' };
    std::fs::write(env.path("forged-stamp.pdf"), &forged).unwrap();
    assert!(gmssl("forged-stamp.pdf").status.success(), "the signer's own signature is untouched");
    let out = env.run(&["--json", "verify", "forged-stamp.pdf"]);
    let report = json_of(&out);
    assert_eq!(report["result"], "TOTAL-FAILED", "{report:#}");
    let signature = checks_of(&report).into_iter().find(|c| c.0 == "signature").unwrap();
    assert_eq!(signature.1, "FAILED", "{signature:?}");
    assert!(signature.3.contains("time-stamp"), "{signature:?}");
}
