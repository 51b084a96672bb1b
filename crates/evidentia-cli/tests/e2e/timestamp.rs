//! RFC 3161 end to end against a real local TSA (OpenSSL's `ts -reply` behind HTTP): tokens
//! Evidentia obtains are accepted by `openssl ts -verify` and by Python's `rfc3161-client`;
//! tokens OpenSSL makes are accepted by Evidentia; lying TSAs (built by mutating the real one's
//! requests and answers) are each rejected with their own reason, and the record stays pending
//! until `evidentia sync` completes it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use crate::support::{Env, Tsa, closed_port, text};

/// `evidentia` with the test TSA's root trusted and quick timeouts.
fn with_tsa(env: &Env, tsa: &Tsa, urls: &str) -> Command {
    let mut c = env.cmd();
    c.env("EVIDENTIA_TSA", urls)
        .env("EVIDENTIA_TSA_TRUST", tsa.root())
        .env("EVIDENTIA_TSA_TIMEOUT", "2")
        .env("EVIDENTIA_TSA_RETRIES", "1");
    c
}

fn json_of(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}{}", text(&out.stdout), text(&out.stderr)))
}

#[test]
fn tokens_we_obtain_pass_openssl_and_rfc3161_client() {
    let tsa = Tsa::start();
    let env = Env::new();
    let doc = env.write("contract.pdf", "%PDF-1.7 the contract");
    // An RSA and an ECDSA (P-256) TSA.
    for path in ["/tsa", "/ec"] {
        let out = with_tsa(&env, &tsa, &tsa.url(path))
            .args(["--json", "timestamp", "request", "contract.pdf", "-o", "contract.tsr"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{path}: {}", text(&out.stderr));
        let v = json_of(&out);
        assert_eq!(v["verified"]["algorithm"], "sha256");
        assert_eq!(v["notice"], "SANDBOX — NOT LEGAL EVIDENCE");

        let openssl = Command::new("openssl")
            .args(["ts", "-verify", "-data"])
            .arg(&doc)
            .args(["-in"])
            .arg(env.path("contract.tsr"))
            .arg("-CAfile")
            .arg(tsa.root())
            .output()
            .unwrap();
        assert!(
            text(&openssl.stdout).contains("Verification: OK"),
            "{path}: openssl: {}{}",
            text(&openssl.stdout),
            text(&openssl.stderr)
        );

        let python = Command::new("python3")
            .arg(crate::support::repo().join("scripts/tsa/verify_with_rfc3161_client.py"))
            .arg("--token")
            .arg(env.path("contract.tsr"))
            .arg("--data")
            .arg(&doc)
            .arg("--ca")
            .arg(tsa.root())
            .output()
            .unwrap();
        assert!(python.status.success(), "{path}: rfc3161-client: {}{}", text(&python.stdout), text(&python.stderr));
    }
}

#[test]
fn tokens_openssl_makes_are_verified_with_and_without_embedded_certificates() {
    let tsa = Tsa::start();
    let env = Env::new();
    let doc = env.write("work.txt", "a creative work");
    for algo in ["sha256", "sha384", "sha512", "sm3"] {
        for embed in [true, false] {
            let query = env.path(&format!("{algo}-{embed}.tsq"));
            let mut q = Command::new("openssl");
            q.args(["ts", "-query", "-data"]).arg(&doc).arg(format!("-{algo}")).arg("-out").arg(&query);
            if embed {
                q.arg("-cert");
            }
            assert!(q.output().unwrap().status.success());
            let reply = env.path(&format!("{algo}-{embed}.tsr"));
            let r = Command::new("curl")
                .args(["-s", "-f", "-H", "Content-Type: application/timestamp-query", "--data-binary"])
                .arg(format!("@{}", query.display()))
                .arg(tsa.url("/tsa"))
                .arg("-o")
                .arg(&reply)
                .output()
                .unwrap();
            assert!(r.status.success(), "curl: {}", text(&r.stderr));
            let mut verify = env.cmd();
            verify.args(["--json", "timestamp", "verify", "--token"]).arg(&reply).arg("--file").arg(&doc);
            verify.args(["--algo", algo, "--trust"]).arg(tsa.root());
            let out = verify.output().unwrap();
            if embed {
                assert!(out.status.success(), "{algo}: {}", text(&out.stdout));
                assert_eq!(json_of(&out)["result"], "PASSED");
                // Without --algo, the file is hashed with the algorithm the token names.
                let mut own = env.cmd();
                own.args(["--json", "timestamp", "verify", "--token"]).arg(&reply).arg("--file").arg(&doc);
                let out = own.arg("--trust").arg(tsa.root()).output().unwrap();
                assert!(out.status.success(), "{algo} without --algo: {}", text(&out.stdout));
                let other = if algo == "sha512" { "sha256" } else { "sha512" };
                let mut wrong = env.cmd();
                wrong.args(["--json", "timestamp", "verify", "--token"]).arg(&reply).arg("--file").arg(&doc);
                let out = wrong.args(["--algo", other, "--trust"]).arg(tsa.root()).output().unwrap();
                assert_eq!(out.status.code(), Some(1), "{algo} token checked as {other}: {}", text(&out.stdout));
            } else {
                // Not checkable without the TSA's certificate: undecided, as EU DSS says.
                assert_eq!(out.status.code(), Some(7), "{algo} without certificates must need them");
                assert_eq!(json_of(&out)["reason"], "SIGNER_CERT_NOT_FOUND");
                let mut again = env.cmd();
                again.args(["--json", "timestamp", "verify", "--token"]).arg(&reply).arg("--file").arg(&doc);
                again.args(["--algo", algo, "--trust"]).arg(tsa.root()).arg("--cert").arg(tsa.pki.join("tsa.pem"));
                let out = again.output().unwrap();
                assert!(out.status.success(), "{algo} with --cert: {}", text(&out.stdout));
            }
        }
    }
}

#[test]
fn fractional_seconds_in_gen_time_are_read() {
    let tsa = Tsa::start();
    let env = Env::new();
    env.write("a.txt", "a");
    let out = with_tsa(&env, &tsa, &tsa.url("/fractional"))
        .args(["--json", "timestamp", "request", "a.txt", "-o", "a.tsr"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let raw = json_of(&out)["verified"]["gen_time_raw"].as_str().unwrap().to_owned();
    assert!(raw.contains('.'), "genTime {raw} has a fraction");
}

#[test]
fn lying_or_broken_tsas_are_rejected_each_with_its_reason_and_records_stay_pending() {
    let tsa = Tsa::start();
    let env = Env::new();
    let refused = format!("http://127.0.0.1:{}/", closed_port());
    let cases = [
        (tsa.url("/wrong-nonce"), "NONCE_MISMATCH"),
        (tsa.url("/wrong-imprint"), "IMPRINT_MISMATCH"),
        (tsa.url("/wrong-algorithm"), "HASH_ALGORITHM_MISMATCH"),
        (tsa.url("/bad-signature"), "SIG_CRYPTO_FAILURE"),
        (tsa.url("/noeku"), "TSA_CERT_NOT_TIMESTAMPING"),
        (tsa.url("/untrusted"), "NO_TRUSTED_ROOT"),
        (tsa.url("/leaf-issued"), "NO_TRUSTED_ROOT"),
        (tsa.url("/expired"), "CERT_EXPIRED_AT_GENTIME"),
        (tsa.url("/rejection"), "TSA_REJECTED"),
        (tsa.url("/garbage"), "TSP_MALFORMED"),
        (tsa.url("/truncated"), "TSP_MALFORMED"),
        (tsa.url("/http-500"), "TSA_HTTP_ERROR"),
        (refused, "TSA_UNREACHABLE"),
        (tsa.url("/hang"), "TSA_TIMEOUT"),
    ];
    for (i, (url, code)) in cases.iter().enumerate() {
        let name = format!("doc{i}.txt");
        env.write(&name, format!("document {i}"));
        let started = std::time::Instant::now();
        let out = with_tsa(&env, &tsa, url).args(["--json", "seal", &name]).output().unwrap();
        assert!(out.status.success(), "{url}: sealing must not fail: {}", text(&out.stderr));
        assert!(started.elapsed() < std::time::Duration::from_secs(20), "{url}: bounded by the timeout");
        let v = json_of(&out);
        let record = &v["records"][0];
        assert_eq!(record["status"], "timestamp_pending", "{url}");
        assert_eq!(record["timestamp"]["pending_reason"]["code"], *code, "{url}: {}", record["timestamp"]);
    }
    assert!(env.ok(&["vault", "verify"]).contains("INTACT"));
    let listed = env.records();
    assert_eq!(listed.len(), cases.len());
    assert!(listed.iter().all(|r| r["status"] == "timestamp_pending"));

    // An honest TSA later: sync completes every pending record.
    let out = with_tsa(&env, &tsa, &tsa.url("/tsa")).args(["--json", "sync"]).output().unwrap();
    assert!(out.status.success(), "{}{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(json_of(&out)["records"].as_array().unwrap().len(), cases.len());
    assert!(env.records().iter().all(|r| r["status"] == "timestamped"));
    assert!(env.ok(&["vault", "verify"]).contains("INTACT"));
}

#[test]
fn failover_reaches_the_second_tsa() {
    let tsa = Tsa::start();
    let env = Env::new();
    env.write("a.txt", "a");
    let urls = format!("http://127.0.0.1:{}/,{}", closed_port(), tsa.url("/tsa"));
    let out =
        with_tsa(&env, &tsa, &urls).args(["--json", "timestamp", "request", "a.txt", "-o", "a.tsr"]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v = json_of(&out);
    assert_eq!(v["tsa"], tsa.url("/tsa"));
    assert_eq!(v["failed_before"][0]["code"], "TSA_UNREACHABLE");
}

#[test]
fn quorum_flags_a_skewed_tsa_and_keeps_both_tokens() {
    let tsa = Tsa::start();
    let env = Env::new();
    env.write("a.txt", "a");
    let urls = format!("{},{}", tsa.url("/tsa"), tsa.url("/skew/600"));
    let out = with_tsa(&env, &tsa, &urls)
        .env("EVIDENTIA_TSA_QUORUM", "2")
        .args(["--json", "seal", "a.txt"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v = json_of(&out);
    let stamp = &v["records"][0]["timestamp"];
    assert_eq!(stamp["timestamps"].as_array().unwrap().len(), 2, "{stamp}");
    let flags: Vec<&str> = stamp["flags"].as_array().unwrap().iter().map(|f| f["flag"].as_str().unwrap()).collect();
    assert!(flags.contains(&"GEN_TIME_DISAGREEMENT"), "{flags:?}");
    assert!(flags.contains(&"CLOCK_SKEW"), "{flags:?}");
    assert_eq!(v["records"][0]["status"], "timestamped");
}

#[test]
fn the_parser_survives_random_mutations_of_a_real_answer() {
    use evidentia::tsp::{Expectation, TimestampPolicy, TimestampToken, verify};
    use rand::{Rng, SeedableRng};
    let tsa = Tsa::start();
    let env = Env::new();
    env.write("a.txt", "a");
    let out =
        with_tsa(&env, &tsa, &tsa.url("/tsa")).args(["timestamp", "request", "a.txt", "-o", "a.tsr"]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let real = std::fs::read(env.path("a.tsr")).unwrap();
    let mut rng = rand::rngs::StdRng::seed_from_u64(0x5eed);
    let expectation = Expectation {
        algorithm: evidentia::digest::DigestAlgorithm::Sha256,
        imprint: evidentia::digest::DigestAlgorithm::Sha256.digest(b"a").as_bytes().to_vec(),
        nonce: None,
    };
    let policy = TimestampPolicy::default();
    let mut parsed = 0;
    for _ in 0..20_000 {
        let mut bytes = real.clone();
        for _ in 0..rng.random_range(1..4) {
            match rng.random_range(0..4) {
                0 => {
                    let i = rng.random_range(0..bytes.len());
                    bytes[i] ^= 1 << rng.random_range(0..8);
                }
                1 => bytes.truncate(rng.random_range(0..bytes.len())),
                2 => {
                    let i = rng.random_range(0..bytes.len());
                    bytes[i] = rng.random();
                }
                _ => {
                    let i = rng.random_range(0..=bytes.len());
                    bytes.insert(i, rng.random());
                }
            }
            if bytes.is_empty() {
                break;
            }
        }
        if let Ok(token) = TimestampToken::from_any_der(&bytes) {
            parsed += 1;
            let _ = verify(&token, &expectation, &policy);
        }
    }
    println!("{parsed} of 20000 mutants still parsed; none panicked");
}

#[test]
fn tsa_credentials_come_from_the_configuration_and_the_environment() {
    let tsa = Tsa::start();
    let env = Env::new();
    env.write("a.txt", "a");
    let url = tsa.url("/auth");
    // Without credentials the TSA says 401.
    let out = with_tsa(&env, &tsa, &url).args(["--json", "seal", "a.txt"]).output().unwrap();
    assert_eq!(json_of(&out)["records"][0]["timestamp"]["pending_reason"]["code"], "TSA_HTTP_ERROR");
    for (creds, secret_var, secret) in [
        (
            format!("url = \"{url}\"\nuser = \"test-user\"\npassword_env = \"TSA_PASSWORD\""),
            "TSA_PASSWORD",
            "test-secret",
        ),
        (format!("url = \"{url}\"\nheader = \"X-Api-Key\"\nheader_value_env = \"TSA_KEY\""), "TSA_KEY", "test-api-key"),
    ] {
        let config = env.write("config.toml", format!("[[tsa.credentials]]\n{creds}\n"));
        let out = with_tsa(&env, &tsa, &url)
            .env("EVIDENTIA_CONFIG", &config)
            .env(secret_var, secret)
            .args(["--json", "sync"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}{}", text(&out.stdout), text(&out.stderr));
        env.write("b.txt", format!("b {secret_var}"));
    }
    assert_eq!(env.records()[0]["status"], "timestamped");
}

#[test]
fn tampering_with_a_kept_time_stamp_is_named() {
    let tsa = Tsa::start();
    let env = Env::new();
    env.write("a.txt", "a");
    env.write("b.txt", "b");
    let out = with_tsa(&env, &tsa, &tsa.url("/tsa")).args(["seal", "a.txt", "b.txt"]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(env.ok(&["vault", "verify"]).contains("INTACT"));
    let first_id = env.sql_value("SELECT id FROM timestamps ORDER BY created_at LIMIT 1");
    // Swap the first token for the second's: each is a valid token, but not the one recorded.
    env.tamper_sql(&format!(
        "UPDATE timestamps SET token = (SELECT token FROM timestamps WHERE id <> '{first_id}') WHERE id = '{first_id}'"
    ));
    let (code, v) = env.json(&["vault", "verify"]);
    assert_eq!(code, 1);
    assert_eq!(v["problems"][0]["code"], "TIMESTAMP_ALTERED", "{v}");
    assert_eq!(v["problems"][0]["item"], format!("time-stamp {first_id}"));
}
