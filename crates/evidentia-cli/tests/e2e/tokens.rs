//! PKCS #11 tokens end to end, against SoftHSM2: listing, adding token keys as identities,
//! signatures that `openssl cms -verify` accepts for RSA, P-256 and P-384, sealing a batch of
//! 1,000 records with one PIN prompt, clear errors for a missing module, an absent token, a wrong
//! PIN and an absent key, and a token removed in the middle of a seal.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::{Command, Output};

use crate::support::{Env, Tsa, at_terminal, repo, text};

const PIN: &str = "Pin-7391-token";
const LABEL: &str = "Evidentia Test";

fn module() -> PathBuf {
    std::env::var_os("EVIDENTIA_TEST_PKCS11_MODULE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/lib/softhsm/libsofthsm2.so"))
}

/// A fresh SoftHSM token in this test's folder, with RSA, P-256 and P-384 keys and certificates.
fn make_token(env: &Env) {
    let out = Command::new("bash")
        .arg(repo().join("scripts/softhsm/make_token.sh"))
        .arg(env.path("hsm"))
        .arg(PIN)
        .output()
        .unwrap();
    assert!(out.status.success(), "make_token.sh: {}{}", text(&out.stdout), text(&out.stderr));
    env.write("pin", PIN);
}

fn cmd(env: &Env) -> Command {
    let mut c = env.cmd();
    c.env("SOFTHSM2_CONF", env.path("hsm/softhsm2.conf"));
    c.env("EVIDENTIA_IDENTITIES", env.path("identities"));
    c.env("EVIDENTIA_PKCS11_MODULE", module());
    c
}

fn add_key(env: &Env, key: &str) {
    let out = cmd(env)
        .args(["identity", "token", "add", "--token", LABEL, "--key-label", key, "--password-file", "pin"])
        .output()
        .unwrap();
    assert!(out.status.success(), "token add {key}: {}", text(&out.stderr));
}

fn openssl_verifies(env: &Env, p7s: &str, content: &str) -> Output {
    Command::new("openssl")
        .args(["cms", "-verify", "-binary", "-inform", "DER", "-in", p7s, "-content", content, "-CAfile"])
        .arg(env.path("hsm/ca.pem"))
        .args(["-out", "/dev/null"])
        .current_dir(env.dir.path())
        .output()
        .unwrap()
}

#[test]
fn token_list_shows_the_token_its_certificates_and_public_keys() {
    let env = Env::new();
    make_token(&env);
    let out = cmd(&env).args(["--json", "identity", "token", "list"]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let token = v["slots"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|s| s["token"].as_object().filter(|t| t["label"] == LABEL))
        .unwrap_or_else(|| panic!("no token `{LABEL}` in {v}"));
    assert_eq!(token["manufacturer"], "SoftHSM project");
    assert_eq!(token["login_required"], true);
    let objects = token["objects"].as_array().unwrap();
    let certs: Vec<&str> =
        objects.iter().filter(|o| o["class"] == "certificate").map(|o| o["subject"].as_str().unwrap()).collect();
    for key in ["rsa", "p256", "p384"] {
        assert!(certs.contains(&format!("CN=Token signer {key}").as_str()), "{certs:?}");
    }
    let keys: Vec<&str> =
        objects.iter().filter(|o| o["class"] == "public key").map(|o| o["key_type"].as_str().unwrap()).collect();
    for kind in ["RSA", "ECDSA P-256", "ECDSA P-384"] {
        assert!(keys.contains(&kind), "{keys:?}");
    }
    // The plain listing names the token and the certificates too.
    let plain = cmd(&env).args(["identity", "token", "list"]).output().unwrap();
    assert!(text(&plain.stdout).contains("token `Evidentia Test`"), "{}", text(&plain.stdout));
}

#[test]
fn openssl_accepts_signatures_made_on_the_token_for_rsa_p256_p384() {
    let env = Env::new();
    make_token(&env);
    env.write("contract.txt", "The parties agree.\n");
    for key in ["rsa", "p256", "p384"] {
        add_key(&env, key);
        let p7s = format!("{key}.p7s");
        let out = cmd(&env)
            .args(["--json", "sign", "contract.txt", "--identity", key, "-o", &p7s, "--password-file", "pin"])
            .output()
            .unwrap();
        assert!(out.status.success(), "sign with {key}: {}", text(&out.stderr));
        let verified = openssl_verifies(&env, &p7s, "contract.txt");
        assert!(verified.status.success(), "openssl rejects the {key} signature: {}", text(&verified.stderr));
        // A changed file no longer verifies.
        env.write("changed.txt", "The parties disagree.\n");
        assert!(!openssl_verifies(&env, &p7s, "changed.txt").status.success());
    }
    let list = cmd(&env).args(["--json", "identity", "list"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    let kinds: Vec<&str> = v["identities"].as_array().unwrap().iter().map(|i| i["key"].as_str().unwrap()).collect();
    assert!(kinds.iter().all(|k| k.contains("on token `Evidentia Test`")), "{kinds:?}");
}

#[test]
fn sealing_1000_records_with_a_token_asks_the_pin_once_and_signs_and_time_stamps_each() {
    let env = Env::new();
    make_token(&env);
    let tsa = Tsa::start();
    add_key(&env, "p256");
    for i in 0..1000 {
        env.write(&format!("batch/doc{i:04}.txt"), format!("document {i}\n"));
    }
    // A person at a terminal: the PIN prompt is answered each time it appears.
    let mut c = cmd(&env);
    c.env("EVIDENTIA_TSA", tsa.url("/tsa")).env("EVIDENTIA_TSA_TRUST", tsa.root());
    c.args(["seal", "batch", "--each", "--identity", "p256"]);
    let (stdout, prompts, exit) = at_terminal(&c, "PIN of token", PIN);
    assert_eq!(exit, 0, "{stdout}");
    assert_eq!(prompts, 1, "the PIN was asked {prompts} times");
    assert!(!stdout.contains(PIN), "the PIN was echoed");

    let records = env.records();
    assert_eq!(records.len(), 1000);
    assert!(records.iter().all(|r| r["status"] == "timestamped"), "not every record is time-stamped");
    let verify = cmd(&env).args(["vault", "verify"]).output().unwrap();
    assert!(verify.status.success(), "{}", text(&verify.stdout));
    assert_eq!(
        env.sql_value("SELECT COUNT(*) FROM custody_events WHERE kind = 'signed'"),
        "1000",
        "one signed event per record"
    );

    // The vault's signature of a record, with its signature time-stamp: openssl and our verifier accept it.
    for r in records.iter().step_by(333) {
        let id = r["id"].as_str().unwrap();
        let name = r["name"].as_str().unwrap();
        let out = cmd(&env).args(["--json", "vault", "signature", id, "-o", "r.p7s"]).output().unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["level"], "CAdES-B-T");
        let verified = openssl_verifies(&env, "r.p7s", name);
        assert!(verified.status.success(), "{}", text(&verified.stderr));
        let ours = cmd(&env)
            .env("EVIDENTIA_TSA_TRUST", tsa.root())
            .args(["--json", "signature", "verify", "r.p7s", "--file", name, "--trust"])
            .arg(env.path("hsm/ca.pem"))
            .arg("--revocation")
            .arg(env.path("hsm/ca.crl"))
            .output()
            .unwrap();
        assert!(ours.status.success(), "{}{}", text(&ours.stdout), text(&ours.stderr));
        let v: serde_json::Value = serde_json::from_slice(&ours.stdout).unwrap();
        assert_eq!(v["verified"]["level"], "CAdES-B-T", "{v}");
    }

    // Nothing in the vault holds the PIN.
    let mut stored = Vec::new();
    for entry in walk(&env.vault()) {
        stored.extend(std::fs::read(entry).unwrap());
    }
    for entry in walk(&env.path("identities")) {
        stored.extend(std::fs::read(entry).unwrap());
    }
    assert!(!stored.windows(PIN.len()).any(|w| w == PIN.as_bytes()), "the PIN is stored");
}

fn walk(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let p = entry.path();
        if p.is_dir() { out.extend(walk(&p)) } else { out.push(p) }
    }
    out
}

#[test]
fn token_faults_get_clear_errors_and_change_nothing() {
    let env = Env::new();
    make_token(&env);
    env.write("wrong", "000000");
    env.write("doc.txt", "doc");
    let cases: [(&[&str], &str, &str); 4] = [
        (
            &["identity", "token", "add", "--token", LABEL, "--key-label", "rsa", "--module", "/nonexistent/pkcs11.so"],
            "TOKEN_MODULE_MISSING",
            "/nonexistent/pkcs11.so",
        ),
        (&["identity", "token", "add", "--token", "Office key", "--key-label", "rsa"], "TOKEN_ABSENT", "Office key"),
        (&["identity", "token", "add", "--token", LABEL, "--key-label", "nope"], "TOKEN_KEY_ABSENT", "nope"),
        (
            &["identity", "token", "add", "--token", LABEL, "--key-label", "rsa", "--password-file", "wrong"],
            "TOKEN_PIN_INCORRECT",
            "wrong PIN",
        ),
    ];
    for (args, code, named) in cases {
        let mut c = cmd(&env);
        c.args(["--json"]).args(args);
        if !args.contains(&"--password-file") {
            c.args(["--password-file", "pin"]);
        }
        let out = c.output().unwrap();
        assert_eq!(out.status.code(), Some(3), "{args:?}: {}", text(&out.stderr));
        let err: serde_json::Value = serde_json::from_slice(&out.stderr)
            .or_else(|_| serde_json::from_slice(&out.stdout))
            .unwrap_or_else(|_| panic!("{args:?}: {}{}", text(&out.stdout), text(&out.stderr)));
        let all = format!("{err}");
        assert!(all.contains(code), "{args:?}: {all}");
        assert!(all.contains(named), "{args:?}: the message does not name `{named}`: {all}");
        assert!(!all.contains(PIN) && !all.contains("000000"), "a PIN appears in {all}");
    }
    assert!(!env.path("identities").exists() || std::fs::read_dir(env.path("identities")).unwrap().next().is_none());
    // Listing a missing module says which file is missing, without a PIN.
    let out = cmd(&env).args(["identity", "token", "list", "--module", "/nonexistent/pkcs11.so"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(text(&out.stderr).contains("/nonexistent/pkcs11.so"), "{}", text(&out.stderr));
}

#[test]
fn a_token_removed_during_a_seal_stops_it_cleanly_and_a_later_seal_completes() {
    let env = Env::new();
    make_token(&env);
    add_key(&env, "rsa");
    for i in 0..3000 {
        env.write(&format!("many/m{i:04}.txt"), format!("m {i}\n"));
    }
    let tokens = env.path("hsm/tokens");
    let kept = env.path("tokens-kept");
    copy_dir(&tokens, &kept);
    let mut child = cmd(&env)
        .args(["--json", "seal", "many", "--each", "--identity", "rsa", "--password-file", "pin"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Pull the token once the first batch of 1,000 is written, while later batches are signed.
    let db = env.vault().join("vault.db");
    let started = std::time::Instant::now();
    while started.elapsed() < std::time::Duration::from_secs(120) {
        if db.exists() && count_records(&db) >= 1000 {
            break;
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    std::fs::remove_dir_all(&tokens).unwrap();
    let out = child.wait_with_output().unwrap();
    let written = count_records(&db);
    if !out.status.success() {
        assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
        let err = format!("{}{}", text(&out.stdout), text(&out.stderr));
        assert!(err.contains("TOKEN_REMOVED"), "{err}");
        assert!(err.contains("insert it"), "{err}");
        assert_eq!(written % 1000, 0, "a batch was half-written: {written} records");
    } else {
        eprintln!("the seal finished before the token was pulled; checking consistency only");
    }
    let verify = cmd(&env).args(["vault", "verify"]).output().unwrap();
    assert!(verify.status.success(), "{}", text(&verify.stdout));

    // The token is back: sealing again completes the rest and keeps what was done.
    copy_dir(&kept, &tokens);
    let again = cmd(&env)
        .args(["--json", "seal", "many", "--each", "--identity", "rsa", "--password-file", "pin"])
        .output()
        .unwrap();
    assert!(again.status.success(), "{}", text(&again.stderr));
    assert_eq!(count_records(&db), 3000);
    assert_eq!(env.sql_value("SELECT COUNT(*) FROM signatures"), "3000");
    let verify = cmd(&env).args(["vault", "verify"]).output().unwrap();
    assert!(verify.status.success(), "{}", text(&verify.stdout));
}

fn count_records(db: &std::path::Path) -> u64 {
    let out = Command::new("python3")
        .args([
            "-c",
            "import sqlite3,sys\ntry:\n print(sqlite3.connect(f'file:{sys.argv[1]}?mode=ro', uri=True).execute('SELECT COUNT(*) FROM records').fetchone()[0])\nexcept Exception:\n print(0)",
        ])
        .arg(db)
        .output()
        .unwrap();
    text(&out.stdout).trim().parse().unwrap_or(0)
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    let status = Command::new("cp").arg("-a").arg(from).arg(to).status().unwrap();
    assert!(status.success());
}
