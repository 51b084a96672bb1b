//! Proofs that outlive their TSA certificates (RFC 4998 evidence records): records time-stamped
//! by a TSA whose certificate is valid two years, renewed a year later by another TSA (and their
//! hash trees again with SHA-512), verified five years on with the clock moved (libfaketime) —
//! beside the same records never renewed; the archive time-stamps checked by `openssl ts -verify`
//! through an independent script; a renewal killed midway completes on the next run.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use crate::support::{Env, Tsa, repo, text};

const YEAR_ONE: &str = "+365d";
const YEAR_FIVE: &str = "+1826d";

fn json_of(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}{}", text(&out.stdout), text(&out.stderr)))
}

/// Seals `contract.txt` in `env`, time-stamped by the TSA whose certificate is valid two years.
fn seal(env: &Env, tsa: &Tsa) -> String {
    env.write("contract.txt", "the agreed terms, signed in 2026\n");
    let out = env
        .cmd()
        .env("EVIDENTIA_TSA", tsa.url("/two-years"))
        .env("EVIDENTIA_TSA_TRUST", tsa.root())
        .args(["--json", "seal", "contract.txt"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let (_, list) = env.json(&["vault", "list"]);
    list["records"][0]["id"].as_str().unwrap().to_owned()
}

#[test]
fn a_renewed_proof_outlives_its_tsa_certificate_and_a_neglected_one_does_not() {
    let tsa = Tsa::start();
    let root = tsa.root();
    let (renewed, neglected) = (Env::new(), Env::new());
    let id = seal(&renewed, &tsa);
    seal(&neglected, &tsa);

    // A year later: the two-year certificate expires within the window, so the record gets an
    // evidence record from a TSA whose certificate is valid ten years; then its hash tree again
    // with SHA-512.
    let later = Tsa::start_at(Some(YEAR_ONE));
    let renew = |args: &[&str]| {
        let out = renewed
            .cmd_at(YEAR_ONE)
            .env("EVIDENTIA_TSA", later.url("/ten-years"))
            .env("EVIDENTIA_TSA_TRUST", &root)
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {}{}", text(&out.stdout), text(&out.stderr));
        json_of(&out)
    };
    // The same two-year TSA would renew nothing: its certificate does not outlive the proof.
    let out = renewed
        .cmd_at(YEAR_ONE)
        .env("EVIDENTIA_TSA", later.url("/two-years"))
        .env("EVIDENTIA_TSA_TRUST", &root)
        .args(["--json", "renew", "--before", "2y"])
        .output()
        .unwrap();
    let same = json_of(&out);
    assert_eq!(same["started"], 0, "{same:#}");
    assert!(same["skipped"][0][1].as_str().unwrap().contains("no later than the proof it would renew"), "{same:#}");
    let first = renew(&["--json", "renew", "--before", "2y"]);
    assert_eq!(first["started"], 1, "{first:#}");
    assert_eq!(first["stamps"][0]["kind"], "initial");
    let again = renew(&["--json", "renew", "--before", "2y"]);
    assert_eq!(again["started"], 0, "nothing left to renew: {again:#}");
    assert!(again["stamps"].as_array().unwrap().is_empty(), "{again:#}");
    let sha512 = renew(&["--json", "renew", "--hash", "sha512"]);
    assert_eq!(sha512["hash_tree_renewed"], 1, "{sha512:#}");
    assert_eq!(sha512["stamps"][0]["algorithm"], "sha512");

    // The vault's own check covers the archive stamps.
    let out = renewed.cmd_at(YEAR_ONE).args(["vault", "verify"]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stdout));

    // Five years on.
    let verify_at_year_five = |env: &Env| {
        let out = env
            .cmd_at(YEAR_FIVE)
            .env("EVIDENTIA_TSA_TRUST", &root)
            .args(["--json", "verify", "contract.txt"])
            .output()
            .unwrap();
        (out.status.code(), json_of(&out))
    };
    let (code, report) = verify_at_year_five(&renewed);
    assert_eq!(code, Some(0), "{report:#}");
    let checks = report["records"][0]["checks"].as_array().unwrap();
    let record_stamp =
        checks.iter().find(|c| c["check"] == "timestamp" && c["subject"].as_str().unwrap().ends_with(".tsr")).unwrap();
    assert_eq!(record_stamp["verdict"], "PASSED", "{record_stamp:#}");
    assert!(
        record_stamp["detail"].as_str().unwrap().contains("after the evidence record proved it"),
        "{record_stamp:#}"
    );
    let er = checks.iter().find(|c| c["check"] == "evidence_record").unwrap();
    assert_eq!(er["verdict"], "PASSED", "{er:#}");
    assert!(er["detail"].as_str().unwrap().contains("2 chain(s)"), "{er:#}");

    let (code, report) = verify_at_year_five(&neglected);
    assert_eq!(code, Some(7), "{report:#}");
    let checks = report["records"][0]["checks"].as_array().unwrap();
    let record_stamp = checks.iter().find(|c| c["check"] == "timestamp").unwrap();
    assert_eq!(record_stamp["reason"], "OUT_OF_BOUNDS_NO_POE", "{record_stamp:#}");
    let detail = record_stamp["detail"].as_str().unwrap();
    assert!(detail.contains("expired on 2028-"), "{detail}");

    // The record's evidence record alone, checked by another program: each archive time-stamp
    // by `openssl ts -verify` over the root its tree gives, each renewal over what it renews.
    let ers = renewed.path("contract.ers");
    let out = renewed
        .cmd_at(YEAR_FIVE)
        .args(["vault", "evidence-record", &id, "-o", ers.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = Command::new("python3")
        .arg(repo().join("docs/tools/check_evidence_record.py"))
        .arg(&ers)
        .arg(renewed.path("contract.txt"))
        .arg("--ca")
        .arg(&root)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(text(&out.stdout).matches("Verification: OK").count(), 2, "{}", text(&out.stdout));
    // And ours, on the .ers alone, five years on.
    let out = renewed
        .cmd_at(YEAR_FIVE)
        .env("EVIDENTIA_TSA_TRUST", &root)
        .args(["--json", "verify", ers.to_str().unwrap(), "--file", "contract.txt"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    // A package of the record, five years on: its VERIFY.md runs the same checker it carries.
    let package = renewed.path("case.asice");
    let out = renewed.cmd_at(YEAR_FIVE).args(["export", &id, "-o", package.to_str().unwrap()]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let dir = renewed.path("case");
    renewed.ok(&["extract", package.to_str().unwrap(), dir.to_str().unwrap()]);
    let md = std::fs::read_to_string(dir.join("META-INF/evidentia/VERIFY.md")).unwrap();
    let block = md
        .split("```sh\n")
        .map(|b| b.split("```").next().unwrap())
        .find(|b| b.contains("check_evidence_record.py"))
        .unwrap_or_else(|| panic!("no evidence-record block in VERIFY.md:\n{md}"));
    let out = Command::new("bash")
        .args(["-euo", "pipefail", "-c", block])
        .current_dir(&dir)
        .env("TSA_ROOT", &root)
        .output()
        .unwrap();
    assert!(out.status.success(), "{block}\n{}{}", text(&out.stdout), text(&out.stderr));

    // Any byte of it flipped: refused, or not passed, with the place named.
    let bytes = std::fs::read(&ers).unwrap();
    for at in [0, 20, bytes.len() / 3, bytes.len() / 2, bytes.len() - 40] {
        let mut bad = bytes.clone();
        bad[at] ^= 0x01;
        std::fs::write(renewed.path("flipped.ers"), &bad).unwrap();
        let out = renewed
            .cmd_at(YEAR_FIVE)
            .env("EVIDENTIA_TSA_TRUST", &root)
            .args(["--json", "verify", "flipped.ers", "--file", "contract.txt"])
            .output()
            .unwrap();
        assert_ne!(out.status.code(), Some(0), "byte {at}: {}", text(&out.stdout));
        let said = format!("{}{}", text(&out.stdout), text(&out.stderr));
        assert!(
            said.contains("chain ") || said.contains("byte ") || said.contains("not a readable"),
            "byte {at}: {said}"
        );
    }
}

#[test]
fn a_renewal_killed_midway_leaves_the_vault_whole_and_completes_on_the_next_run() {
    let tsa = Tsa::start();
    let env = Env::new();
    for i in 0..3 {
        env.write(&format!("work-{i}.txt"), format!("work {i}\n"));
    }
    let out = env
        .cmd()
        .env("EVIDENTIA_TSA", tsa.url("/tsa"))
        .env("EVIDENTIA_TSA_TRUST", tsa.root())
        .args(["seal", "work-0.txt", "work-1.txt", "work-2.txt"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    // A TSA that never answers: the renewal is killed while it waits, and at random moments of
    // a run against a TSA that does.
    let mut child = env
        .cmd()
        .env("EVIDENTIA_TSA", tsa.url("/hang"))
        .env("EVIDENTIA_TSA_TRUST", tsa.root())
        .args(["renew", "--before", "10y"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    child.kill().unwrap();
    child.wait().unwrap();
    for delay in [5u64, 30, 80, 150] {
        let mut child = env
            .cmd()
            .env("EVIDENTIA_TSA", tsa.url("/tsa"))
            .env("EVIDENTIA_TSA_TRUST", tsa.root())
            .args(["renew", "--before", "10y", "--hash", "sha384"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay));
        let _ = child.kill();
        child.wait().unwrap();
        let out = env.run(&["vault", "verify"]);
        assert!(out.status.success(), "after a kill at {delay} ms: {}", text(&out.stdout));
    }
    // The next run completes what is left; every record then has its evidence record.
    let out = env
        .cmd()
        .env("EVIDENTIA_TSA", tsa.url("/tsa"))
        .env("EVIDENTIA_TSA_TRUST", tsa.root())
        .args(["--json", "renew", "--before", "10y", "--hash", "sha384"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}{}", text(&out.stdout), text(&out.stderr));
    let (_, status) = env.json(&["vault", "status"]);
    let records = status["records"].as_array().unwrap();
    assert_eq!(records.len(), 3);
    assert!(records.iter().all(|r| r["archived"] == true), "{status:#}");
    let out = env.run(&["vault", "verify"]);
    assert!(out.status.success(), "{}", text(&out.stdout));
}

/// A package's seal renewed (`renew --package`): an `ASiCArchiveManifest` over every entry, its
/// archive time-stamp checked by `openssl ts -verify`, the package still TOTAL-PASSED; not due
/// again while the new seal holds, and nothing written by a TSA that would not outlive it; an
/// entry slipped in after the last seal is caught.
#[test]
fn a_package_seal_is_renewed_by_an_archive_manifest_that_openssl_verifies() {
    let tsa = Tsa::start();
    let root = tsa.root();
    let env = Env::new();
    let id = seal(&env, &tsa);
    let package = env.path("case.asice");
    let out = env
        .cmd()
        .env("EVIDENTIA_TSA", tsa.url("/two-years"))
        .env("EVIDENTIA_TSA_TRUST", &root)
        .args(["export", &id, "-o", package.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let renew = |path: &str, window: &str| {
        let out = env
            .cmd()
            .env("EVIDENTIA_TSA", tsa.url(path))
            .env("EVIDENTIA_TSA_TRUST", &root)
            .args(["--json", "renew", "--before", window, "--package", package.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}{}", text(&out.stdout), text(&out.stderr));
        json_of(&out)["packages"][0].clone()
    };
    let first = renew("/ten-years", "2y");
    assert_eq!(first["archive_manifest"], "META-INF/ASiCArchiveManifest001.xml", "{first:#}");
    let again = renew("/ten-years", "2y");
    assert!(again["skipped"].as_str().unwrap().starts_with("not due"), "{again:#}");
    let same = renew("/ten-years", "20y");
    assert!(same["skipped"].as_str().unwrap().contains("no later than the package's seal"), "{same:#}");

    let verify = || {
        let out = env
            .cmd()
            .env("EVIDENTIA_TSA_TRUST", &root)
            .args(["--json", "verify", package.to_str().unwrap()])
            .output()
            .unwrap();
        (out.status.code(), json_of(&out))
    };
    let (code, report) = verify();
    assert_eq!(code, Some(0), "{report:#}");
    let archive = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "manifest_seal" && c["subject"] == "META-INF/ASiCArchiveManifest001.xml")
        .unwrap_or_else(|| panic!("{report:#}"));
    assert_eq!(archive["verdict"], "PASSED", "{archive:#}");

    // OpenSSL checks the archive time-stamp over the archive manifest.
    let dir = env.path("case");
    env.ok(&["extract", package.to_str().unwrap(), dir.to_str().unwrap()]);
    let out = Command::new("openssl")
        .args(["ts", "-verify", "-data", "META-INF/ASiCArchiveManifest001.xml"])
        .args(["-in", "META-INF/timestamp-archive001.tst", "-token_in", "-CAfile"])
        .arg(&root)
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(text(&out.stdout).contains("Verification: OK"), "{}{}", text(&out.stdout), text(&out.stderr));

    // An entry added after the last seal is not covered by anything.
    let out = Command::new("python3")
        .args([
            "-c",
            "import sys,zipfile; z=zipfile.ZipFile(sys.argv[1],'a'); z.writestr('added-later.txt','x'); z.close()",
        ])
        .arg(&package)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let (code, report) = verify();
    assert_eq!(code, Some(1), "{report:#}");
    assert!(
        report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["subject"] == "added-later.txt" && c["reason"] == "ENTRY_UNLISTED")
    );
}
