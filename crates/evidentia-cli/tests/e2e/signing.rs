//! Signing identities and CAdES signatures, checked by OpenSSL: PKCS #12 files made by
//! `openssl pkcs12 -export` (modern and `-legacy`) with RSA, P-256 and P-384 keys; self-made
//! identities; signature time-stamps that `openssl ts -verify` and `rfc3161-client` accept; and
//! no secret in the clear anywhere.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use crate::support::{Env, Tsa, text};

const PASSWORD: &str = "correct horse 42";

fn openssl(env: &Env, args: &[&str]) -> std::process::Output {
    Command::new("openssl").args(args).current_dir(env.dir.path()).output().unwrap()
}

/// A CA and one signer per key type, each exported as PKCS #12 twice (modern, legacy).
fn make_pki(env: &Env) {
    env.write("pw", PASSWORD);
    assert!(
        openssl(
            env,
            &[
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                "ca.key",
                "-out",
                "ca.pem",
                "-subj",
                "/CN=Signing Test CA",
                "-days",
                "30",
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign"
            ]
        )
        .status
        .success()
    );
    // The CA's CRL, revoking nothing: the revocation data a verifier is handed with a signature.
    env.write(
        "ca.cnf",
        "[ca]\ndefault_ca=c\n[c]\ndatabase=index.txt\ncrlnumber=crlnumber\ndefault_md=sha256\n\
         default_crl_days=30\ncertificate=ca.pem\nprivate_key=ca.key\n",
    );
    env.write("index.txt", "");
    env.write("crlnumber", "01\n");
    let crl = openssl(env, &["ca", "-gencrl", "-config", "ca.cnf", "-out", "ca.crl"]);
    assert!(crl.status.success(), "openssl ca -gencrl: {}", text(&crl.stderr));
    for (name, alg) in
        [("rsa", "rsa_keygen_bits:2048"), ("p256", "ec_paramgen_curve:P-256"), ("p384", "ec_paramgen_curve:P-384")]
    {
        let algorithm = if name == "rsa" { "RSA" } else { "EC" };
        assert!(
            openssl(env, &["genpkey", "-algorithm", algorithm, "-pkeyopt", alg, "-out", &format!("{name}.key")])
                .status
                .success()
        );
        assert!(
            openssl(
                env,
                &[
                    "req",
                    "-new",
                    "-key",
                    &format!("{name}.key"),
                    "-subj",
                    &format!("/CN=Signer {name}"),
                    "-out",
                    &format!("{name}.csr")
                ]
            )
            .status
            .success()
        );
        assert!(
            openssl(
                env,
                &[
                    "x509",
                    "-req",
                    "-in",
                    &format!("{name}.csr"),
                    "-CA",
                    "ca.pem",
                    "-CAkey",
                    "ca.key",
                    "-CAcreateserial",
                    "-days",
                    "20",
                    "-out",
                    &format!("{name}.pem")
                ]
            )
            .status
            .success()
        );
        for legacy in [false, true] {
            let out = format!("{name}{}.p12", if legacy { "-legacy" } else { "" });
            let mut args: Vec<String> =
                ["pkcs12", "-export", "-inkey"].iter().map(|s| s.to_string()).chain([format!("{name}.key")]).collect();
            args.extend([
                "-in".into(),
                format!("{name}.pem"),
                "-certfile".into(),
                "ca.pem".into(),
                "-passout".into(),
                format!("pass:{PASSWORD}"),
                "-out".into(),
                out,
            ]);
            if legacy {
                args.push("-legacy".into());
            }
            let refs: Vec<&str> = args.iter().map(String::as_str).collect();
            let done = openssl(env, &refs);
            assert!(done.status.success(), "pkcs12 export: {}", text(&done.stderr));
        }
    }
}

/// Imports `key`.p12 and signs contract.pdf into c.p7s with a signature time-stamp from `tsa`.
fn sign_time_stamped(env: &Env, tsa: &Tsa, key: &str) -> std::process::Output {
    let import =
        cmd(env).args(["identity", "import", &format!("{key}.p12"), "--password-file", "pw"]).output().unwrap();
    assert!(import.status.success(), "{}", text(&import.stderr));
    cmd(env)
        .env("EVIDENTIA_TSA", tsa.url("/tsa"))
        .env("EVIDENTIA_TSA_TRUST", tsa.root())
        .args(["--json", "sign", "contract.pdf", "--identity", key, "-o", "c.p7s", "--password-file", "pw"])
        .output()
        .unwrap()
}

fn cmd(env: &Env) -> Command {
    let mut c = env.cmd();
    c.env("EVIDENTIA_IDENTITIES", env.path("identities"));
    c
}

#[test]
fn openssl_accepts_our_signatures_for_rsa_p256_p384_from_modern_and_legacy_pkcs12() {
    let env = Env::new();
    make_pki(&env);
    let doc = env.write("contract.pdf", "%PDF-1.7 a contract to sign");
    for name in ["rsa", "p256", "p384", "rsa-legacy", "p256-legacy", "p384-legacy"] {
        let out =
            cmd(&env).args(["identity", "import", &format!("{name}.p12"), "--password-file", "pw"]).output().unwrap();
        assert!(out.status.success(), "import {name}: {}", text(&out.stderr));
        let out = cmd(&env)
            .args(["sign", "contract.pdf", "--identity", name, "-o", &format!("{name}.p7s"), "--password-file", "pw"])
            .output()
            .unwrap();
        assert!(out.status.success(), "sign {name}: {}", text(&out.stderr));
        let verified = openssl(
            &env,
            &[
                "cms",
                "-verify",
                "-binary",
                "-inform",
                "DER",
                "-in",
                &format!("{name}.p7s"),
                "-content",
                "contract.pdf",
                "-CAfile",
                "ca.pem",
                "-out",
                "/dev/null",
            ],
        );
        assert!(text(&verified.stderr).contains("Verification successful"), "{name}: {}", text(&verified.stderr));
    }
    // OpenSSL notices a changed file: the signature really covers the content.
    std::fs::write(&doc, "%PDF-1.7 a contract to sign, changed").unwrap();
    let verified = openssl(
        &env,
        &[
            "cms",
            "-verify",
            "-binary",
            "-inform",
            "DER",
            "-in",
            "rsa.p7s",
            "-content",
            "contract.pdf",
            "-CAfile",
            "ca.pem",
            "-out",
            "/dev/null",
        ],
    );
    assert!(!verified.status.success());
}

#[test]
fn a_wrong_password_or_a_non_pkcs12_file_gets_a_clear_error_without_the_secret() {
    let env = Env::new();
    make_pki(&env);
    env.write("wrong", "not the password");
    let out = cmd(&env).args(["--json", "identity", "import", "rsa.p12", "--password-file", "wrong"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["code"], "IDENTITY_WRONG_PASSWORD");
    assert!(!text(&out.stderr).contains("not the password"));
    let out = cmd(&env).args(["--json", "identity", "import", "ca.pem", "--password-file", "pw"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["code"], "IDENTITY_CORRUPT");
    assert!(!env.path("identities/ca.p12").exists(), "nothing kept from a failed import");
}

#[test]
fn self_made_identities_sign_and_say_so() {
    let env = Env::new();
    env.write("work.txt", "my novel");
    let out = cmd(&env)
        .env("EVIDENTIA_PASSWORD", PASSWORD)
        .args(["--json", "identity", "new", "--name", "Ana Li", "--email", "ana@example.com"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["identities"][0]["self_made"], true);
    assert_eq!(v["identities"][0]["key"], "ECDSA P-256");
    let out = cmd(&env)
        .env("EVIDENTIA_PASSWORD", PASSWORD)
        .args(["--json", "sign", "work.txt", "--identity", "ana-li", "-o", "work.p7s"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["self_made"], true);
    // The certificate is its own issuer; OpenSSL checks the signature with it as the trust anchor.
    let cert = openssl(&env, &["pkcs7", "-inform", "DER", "-in", "work.p7s", "-print_certs", "-out", "ana.pem"]);
    assert!(cert.status.success(), "{}", text(&cert.stderr));
    let verified = openssl(
        &env,
        &[
            "cms",
            "-verify",
            "-binary",
            "-inform",
            "DER",
            "-in",
            "work.p7s",
            "-content",
            "work.txt",
            "-CAfile",
            "ana.pem",
            "-purpose",
            "any",
            "-out",
            "/dev/null",
        ],
    );
    assert!(text(&verified.stderr).contains("Verification successful"), "{}", text(&verified.stderr));
    // A short password is refused before anything is made.
    let out = cmd(&env).env("EVIDENTIA_PASSWORD", "short").args(["identity", "new", "--name", "Bo"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(!env.path("identities/bo.p12").exists());
}

#[test]
fn signature_time_stamps_verify_with_openssl_and_rfc3161_client() {
    let tsa = Tsa::start();
    let env = Env::new();
    make_pki(&env);
    env.write("contract.pdf", "%PDF-1.7 signed and time-stamped");
    let out = sign_time_stamped(&env, &tsa, "p256");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["level"], "CAdES-B-T");
    let verified = openssl(
        &env,
        &[
            "cms",
            "-verify",
            "-binary",
            "-inform",
            "DER",
            "-in",
            "c.p7s",
            "-content",
            "contract.pdf",
            "-CAfile",
            "ca.pem",
            "-out",
            "/dev/null",
        ],
    );
    assert!(text(&verified.stderr).contains("Verification successful"), "{}", text(&verified.stderr));

    // The token covers the signature value: check it with OpenSSL and rfc3161-client.
    let p7s = std::fs::read(env.path("c.p7s")).unwrap();
    let token = evidentia::cades::signature_timestamp_token(&p7s).unwrap().expect("a signature time-stamp");
    std::fs::write(env.path("sig.bin"), evidentia::cades::signature_value(&p7s).unwrap()).unwrap();
    std::fs::write(env.path("token.der"), &token).unwrap();
    let ts = Command::new("openssl")
        .args(["ts", "-verify", "-token_in", "-in", "token.der", "-data", "sig.bin", "-CAfile"])
        .arg(tsa.root())
        .current_dir(env.dir.path())
        .output()
        .unwrap();
    assert!(text(&ts.stdout).contains("Verification: OK"), "{}{}", text(&ts.stdout), text(&ts.stderr));
    // rfc3161-client reads TimeStampResp: wrap the token with a granted status.
    let mut resp = vec![0x30, 0x03, 0x02, 0x01, 0x00];
    resp.extend_from_slice(&token);
    let mut framed = vec![0x30];
    let len = resp.len();
    if len < 0x80 {
        framed.push(len as u8);
    } else if len < 0x100 {
        framed.extend([0x81, len as u8]);
    } else {
        framed.extend([0x82, (len >> 8) as u8, len as u8]);
    }
    framed.extend(resp);
    std::fs::write(env.path("token.tsr"), framed).unwrap();
    let py = Command::new("python3")
        .arg(crate::support::repo().join("scripts/tsa/verify_with_rfc3161_client.py"))
        .args(["--token", "token.tsr", "--data", "sig.bin", "--ca"])
        .arg(tsa.root())
        .current_dir(env.dir.path())
        .output()
        .unwrap();
    assert!(py.status.success(), "{}{}", text(&py.stdout), text(&py.stderr));
}

#[test]
fn no_key_or_password_is_stored_or_printed_in_the_clear() {
    let env = Env::new();
    make_pki(&env);
    env.write("doc.txt", "doc");
    let mut seen = Vec::new();
    for args in [
        &["identity", "import", "rsa.p12", "--password-file", "pw"][..],
        &["identity", "list"][..],
        &["sign", "doc.txt", "--identity", "rsa", "-o", "doc.p7s", "--password-file", "pw"][..],
        &["sign", "doc.txt", "--identity", "rsa", "-o", "doc2.p7s", "--password-file", "ca.pem"][..],
    ] {
        let out = cmd(&env).args(args).output().unwrap();
        seen.extend(out.stdout);
        seen.extend(out.stderr);
    }
    // The private key as OpenSSL holds it, unencrypted PKCS #8 DER.
    let key = openssl(&env, &["pkcs8", "-topk8", "-nocrypt", "-in", "rsa.key", "-outform", "DER"]).stdout;
    assert!(key.len() > 100);
    let mut stored = Vec::new();
    for entry in std::fs::read_dir(env.path("identities")).unwrap().flatten() {
        stored.extend(std::fs::read(entry.path()).unwrap());
    }
    stored.extend(std::fs::read(env.path("doc.p7s")).unwrap());
    for (what, haystack) in [("output", &seen), ("identity store and signature", &stored)] {
        assert!(!contains(haystack, PASSWORD.as_bytes()), "the password appears in the {what}");
        assert!(!contains(haystack, &key[key.len() - 64..]), "private key bytes appear in the {what}");
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// `signature verify` over contract.pdf, with the CA's CRL (`ca.crl`) as revocation data.
fn verify(env: &Env, p7s: &str, extra: &[&str]) -> (i32, serde_json::Value) {
    verify_with(env, p7s, &[&["--revocation", "ca.crl"], extra].concat())
}

fn verify_with(env: &Env, p7s: &str, extra: &[&str]) -> (i32, serde_json::Value) {
    let out =
        cmd(env).args(["--json", "signature", "verify", p7s, "--file", "contract.pdf"]).args(extra).output().unwrap();
    let v = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", text(&out.stdout), text(&out.stderr)));
    (out.status.code().unwrap_or(-1), v)
}

#[test]
fn our_verifier_accepts_openssl_signatures_and_names_each_failure() {
    let env = Env::new();
    make_pki(&env);
    env.write("contract.pdf", "%PDF-1.7 the signed contract");
    // An independent producer: openssl cms -sign, detached, binary.
    for (name, extra) in [("plain", &[][..]), ("cades", &["-cades"][..]), ("nocerts", &["-nocerts"][..])] {
        let mut args = vec![
            "cms",
            "-sign",
            "-binary",
            "-in",
            "contract.pdf",
            "-signer",
            "rsa.pem",
            "-inkey",
            "rsa.key",
            "-outform",
            "DER",
        ];
        args.extend_from_slice(extra);
        let out = format!("{name}.p7s");
        args.extend(["-out", &out]);
        let made = openssl(&env, &args);
        assert!(made.status.success(), "{}", text(&made.stderr));
    }
    let (code, v) = verify(&env, "plain.p7s", &["--trust", "ca.pem"]);
    assert_eq!((code, v["result"].as_str()), (0, Some("PASSED")), "{v}");
    assert_eq!(v["verified"]["level"], "CMS");
    assert!(v["verified"]["revocation"][0].as_str().unwrap().contains("not revoked (CRL of"), "{v}");
    // Without the CRL nothing says the signer was not revoked: undecided, naming what is missing.
    let (code, v) = verify_with(&env, "plain.p7s", &["--trust", "ca.pem"]);
    assert_eq!(
        (code, v["reason"].as_str(), v["result"].as_str()),
        (7, Some("REVOCATION_MISSING"), Some("INDETERMINATE")),
        "{v}"
    );
    assert!(v["message"].as_str().unwrap().contains("CN=Signer rsa"), "{v}");
    // A file that is no CRL is refused naming it.
    let out = cmd(&env)
        .args(["signature", "verify", "plain.p7s", "--file", "contract.pdf", "--revocation", "contract.pdf"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("--revocation contract.pdf"), "{}", text(&out.stderr));
    let (code, v) = verify(&env, "cades.p7s", &["--trust", "ca.pem"]);
    assert_eq!((code, v["verified"]["level"].as_str()), (0, Some("CAdES-B-B")), "{v}");

    // Untrusted chain: the test CA is not among the system roots.
    // Untrusted, not altered: INDETERMINATE (exit 7), as `pdf verify` judges an untrusted signer.
    let (code, v) = verify(&env, "plain.p7s", &[]);
    assert_eq!(
        (code, v["reason"].as_str(), v["result"].as_str()),
        (7, Some("NO_TRUSTED_ROOT"), Some("INDETERMINATE")),
        "{v}"
    );
    // Wrong certificate: the signature names the rsa signer, only the p256 signer's certificate is given.
    let (code, v) = verify(&env, "nocerts.p7s", &["--trust", "ca.pem", "--cert", "p256.pem"]);
    // Unchecked, not broken: INDETERMINATE, as EU DSS's NO_SIGNING_CERTIFICATE_FOUND.
    assert_eq!((code, v["reason"].as_str()), (7, Some("SIGNER_CERT_NOT_FOUND")), "{v}");
    let (code, _) = verify(&env, "nocerts.p7s", &["--trust", "ca.pem", "--cert", "rsa.pem"]);
    assert_eq!(code, 0);
    // Modified signature: one bit of the signature value flipped.
    let mut p7s = std::fs::read(env.path("plain.p7s")).unwrap();
    let sig = evidentia::cades::signature_value(&p7s).unwrap();
    let at = p7s.windows(sig.len()).position(|w| w == sig.as_slice()).unwrap() + sig.len() / 2;
    p7s[at] ^= 0x01;
    std::fs::write(env.path("tampered.p7s"), &p7s).unwrap();
    let (code, v) = verify(&env, "tampered.p7s", &["--trust", "ca.pem"]);
    assert_eq!((code, v["reason"].as_str()), (1, Some("SIG_CRYPTO_FAILURE")), "{v}");
    // Modified file.
    env.write("contract.pdf", "%PDF-1.7 the signed contract, amended");
    let (code, v) = verify(&env, "plain.p7s", &["--trust", "ca.pem"]);
    assert_eq!((code, v["reason"].as_str()), (1, Some("HASH_MISMATCH")), "{v}");
    // Garbage instead of a signature.
    env.write("garbage.p7s", "not a signature at all");
    let (code, v) = verify(&env, "garbage.p7s", &["--trust", "ca.pem"]);
    assert_eq!((code, v["reason"].as_str()), (1, Some("FORMAT_FAILURE")), "{v}");
}

#[test]
fn enveloping_signatures_are_verified_over_the_content_inside_them() {
    let env = Env::new();
    make_pki(&env);
    env.write("contract.pdf", "%PDF-1.7 the signed contract");
    // openssl cms -sign -nodetach: the content travels inside the signature (.p7m).
    let made = openssl(
        &env,
        &[
            "cms",
            "-sign",
            "-binary",
            "-nodetach",
            "-cades",
            "-in",
            "contract.pdf",
            "-signer",
            "p256.pem",
            "-inkey",
            "p256.key",
            "-outform",
            "DER",
            "-out",
            "contract.p7m",
        ],
    );
    assert!(made.status.success(), "{}", text(&made.stderr));
    let run = |p7m: &str, extra: &[&str]| {
        let out = cmd(&env)
            .args(["--json", "signature", "verify", p7m, "--trust", "ca.pem", "--revocation", "ca.crl"])
            .args(extra)
            .output()
            .unwrap();
        (out.status.code().unwrap_or(-1), text(&out.stdout), text(&out.stderr))
    };
    let (code, out, err) = run("contract.p7m", &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("\"PASSED\"") && out.contains("CAdES-B-B"), "{out}");
    // Given the same content as a file, it must match it; another file does not.
    assert_eq!(run("contract.p7m", &["--file", "contract.pdf"]).0, 0);
    env.write("other.pdf", "%PDF-1.7 another contract");
    let (code, out, _) = run("contract.p7m", &["--file", "other.pdf"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("HASH_MISMATCH"), "{out}");
    // The content inside changed: the signature no longer covers it.
    let mut bytes = std::fs::read(env.path("contract.p7m")).unwrap();
    let at = bytes.windows(6).position(|w| w == b"signed").unwrap();
    bytes[at] = b'S';
    std::fs::write(env.path("tampered.p7m"), &bytes).unwrap();
    let (code, out, _) = run("tampered.p7m", &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("HASH_MISMATCH"), "{out}");
    // Two signers in one SignedData (parallel signatures): each judged; one broken fails the whole.
    let made = openssl(
        &env,
        &[
            "cms",
            "-sign",
            "-binary",
            "-nodetach",
            "-in",
            "contract.pdf",
            "-signer",
            "rsa.pem",
            "-inkey",
            "rsa.key",
            "-signer",
            "p256.pem",
            "-inkey",
            "p256.key",
            "-outform",
            "DER",
            "-out",
            "two.p7m",
        ],
    );
    assert!(made.status.success(), "{}", text(&made.stderr));
    let (code, out, _) = run("two.p7m", &[]);
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let signers = v["signers"].as_array().unwrap();
    assert_eq!(signers.len(), 2, "{v}");
    assert!(signers.iter().all(|s| s["result"] == "PASSED"), "{v}");
    let subjects: Vec<&str> = signers.iter().map(|s| s["verified"]["signer"]["subject"].as_str().unwrap()).collect();
    assert!(subjects.iter().any(|s| s.contains("rsa")) && subjects.iter().any(|s| s.contains("p256")), "{subjects:?}");
    let mut bytes = std::fs::read(env.path("two.p7m")).unwrap();
    let value = evidentia::cades::signature_value(&bytes).unwrap();
    let at = bytes.windows(value.len()).position(|w| w == value.as_slice()).unwrap() + value.len() / 2;
    bytes[at] ^= 0x01;
    std::fs::write(env.path("two-broken.p7m"), &bytes).unwrap();
    let (code, out, _) = run("two-broken.p7m", &[]);
    assert_eq!(code, 1, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let results: Vec<&str> = v["signers"].as_array().unwrap().iter().map(|s| s["result"].as_str().unwrap()).collect();
    assert_eq!(v["result"], "FAILED", "{v}");
    assert!(results.contains(&"PASSED") && results.contains(&"FAILED"), "{results:?}");

    // A detached signature without --file: a usage error naming what to give.
    let made = openssl(
        &env,
        &[
            "cms",
            "-sign",
            "-binary",
            "-in",
            "contract.pdf",
            "-signer",
            "p256.pem",
            "-inkey",
            "p256.key",
            "-outform",
            "DER",
            "-out",
            "detached.p7s",
        ],
    );
    assert!(made.status.success(), "{}", text(&made.stderr));
    let (code, _, err) = run("detached.p7s", &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--file"), "{err}");
}

#[test]
fn our_own_b_t_signatures_verify_with_their_time_stamp() {
    let tsa = Tsa::start();
    let env = Env::new();
    make_pki(&env);
    env.write("contract.pdf", "%PDF-1.7 B-T");
    let out = sign_time_stamped(&env, &tsa, "p384");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let root = tsa.root().display().to_string();
    let (code, v) = verify(&env, "c.p7s", &["--trust", "ca.pem", "--trust", &root]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["verified"]["level"], "CAdES-B-T");
    assert!(v["verified"]["timestamp"]["gen_time"].is_string());
    // Without the TSA's root the time-stamp cannot be trusted, and that is said: undecided, not broken.
    let (code, v) = verify(&env, "c.p7s", &["--trust", "ca.pem"]);
    assert_eq!(
        (code, v["reason"].as_str(), v["result"].as_str()),
        (7, Some("NO_TRUSTED_ROOT"), Some("INDETERMINATE")),
        "{v}"
    );
    assert!(v["message"].as_str().unwrap().contains("time-stamp"), "the message names the time-stamp: {v}");
}

#[test]
fn sealing_1000_records_with_a_pkcs12_identity_asks_the_password_once() {
    let env = Env::new();
    make_pki(&env);
    let import = cmd(&env).args(["identity", "import", "rsa.p12", "--password-file", "pw"]).output().unwrap();
    assert!(import.status.success(), "{}", text(&import.stderr));
    for i in 0..1000 {
        env.write(&format!("batch/doc{i:04}.txt"), format!("document {i}\n"));
    }
    // A person at a terminal: the password prompt is answered each time it appears.
    let mut c = cmd(&env);
    c.args(["seal", "batch", "--each", "--identity", "rsa"]);
    let (stdout, prompts, exit) = crate::support::at_terminal(&c, "Password of identity", PASSWORD);
    assert_eq!(exit, 0, "{stdout}");
    assert_eq!(prompts, 1, "the password was asked {prompts} times");
    assert_eq!(env.records().len(), 1000);
    assert_eq!(env.sql_value("SELECT COUNT(DISTINCT record_id) FROM signatures"), "1000");
    // Neither the password nor the key is anywhere in the vault (the end of an RSA PKCS #8 is
    // its private CRT coefficient).
    let key = openssl(&env, &["pkcs8", "-topk8", "-nocrypt", "-in", "rsa.key", "-outform", "DER"]).stdout;
    assert!(key.len() > 100);
    let mut stored = Vec::new();
    let mut dirs = vec![env.vault()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            if entry.path().is_dir() {
                dirs.push(entry.path())
            } else {
                stored.extend(std::fs::read(entry.path()).unwrap())
            }
        }
    }
    assert!(!contains(&stored, PASSWORD.as_bytes()), "the password is in the vault");
    assert!(!contains(&stored, &key[key.len() - 48..]), "private key bytes are in the vault");
    assert!(!contains(&stored, hex::encode(&key[key.len() - 48..]).as_bytes()), "private key hex is in the vault");
    // Each stored signature is over its record: openssl accepts one taken from the vault.
    let record = &env.records()[500];
    let written =
        cmd(&env).args(["vault", "signature", record["id"].as_str().unwrap(), "-o", "r.p7s"]).output().unwrap();
    assert!(written.status.success(), "{}", text(&written.stderr));
    let verified = openssl(
        &env,
        &[
            "cms",
            "-verify",
            "-binary",
            "-inform",
            "DER",
            "-in",
            "r.p7s",
            "-content",
            record["name"].as_str().unwrap(),
            "-CAfile",
            "ca.pem",
            "-out",
            "/dev/null",
        ],
    );
    assert!(verified.status.success(), "{}", text(&verified.stderr));
    // Tampering with a stored signature is found.
    env.tamper_sql("UPDATE signatures SET p7s = substr(p7s, 1, 200) || 'ff' || substr(p7s, 203) WHERE rowid = 7");
    let check = cmd(&env).args(["--json", "vault", "verify"]).output().unwrap();
    assert_eq!(check.status.code(), Some(1));
    assert!(text(&check.stdout).contains("SIGNATURE_ALTERED"), "{}", text(&check.stdout));
}

#[test]
/// An SM2 identity from a PKCS #12 OpenSSL wrote signs CMS (SM3, SM2-with-SM3, GM/T 0009's
/// default distinguishing ID) that another implementation — GmSSL's `gmssl` through
/// docs/tools/sm2_cms.py — verifies, as ours does; changed content fails both; sealing with it
/// records the content's SM3.
fn an_sm2_identity_from_openssl_pkcs12_signs_cms_that_gmssl_verifies() {
    let env = Env::new();
    env.write("pw", PASSWORD);
    env.write("doc.txt", "doc");
    for args in [
        &["genpkey", "-algorithm", "SM2", "-out", "sm2.key"][..],
        &[
            "req",
            "-x509",
            "-new",
            "-key",
            "sm2.key",
            "-sm3",
            "-sigopt",
            "distid:1234567812345678",
            "-subj",
            "/CN=SM2 signer",
            "-days",
            "10",
            "-out",
            "sm2.pem",
        ][..],
        &[
            "pkcs12",
            "-export",
            "-inkey",
            "sm2.key",
            "-in",
            "sm2.pem",
            "-passout",
            &format!("pass:{PASSWORD}"),
            "-out",
            "sm2.p12",
        ][..],
    ] {
        let out = openssl(&env, args);
        assert!(out.status.success(), "openssl {args:?}: {}", text(&out.stderr));
    }
    let import = cmd(&env).args(["--json", "identity", "import", "sm2.p12", "--password-file", "pw"]).output().unwrap();
    assert!(import.status.success(), "{}", text(&import.stderr));
    let v: serde_json::Value = serde_json::from_slice(&import.stdout).unwrap();
    assert_eq!(v["identities"][0]["key"], "SM2");
    let sign = cmd(&env)
        .args(["--json", "sign", "doc.txt", "--identity", "sm2", "-o", "doc.p7s", "--password-file", "pw"])
        .output()
        .unwrap();
    assert!(sign.status.success(), "{}{}", text(&sign.stdout), text(&sign.stderr));
    let tool = crate::support::repo().join("docs/tools/sm2_cms.py");
    let gmssl = |file: &str| {
        Command::new("python3")
            .arg(&tool)
            .args(["verify", "doc.p7s", file])
            .current_dir(env.dir.path())
            .output()
            .unwrap()
    };
    let out = gmssl("doc.txt");
    assert!(out.status.success(), "gmssl: {}{}", text(&out.stdout), text(&out.stderr));
    let ours =
        cmd(&env).args(["--json", "verify", "doc.p7s", "--file", "doc.txt", "--trust", "sm2.pem"]).output().unwrap();
    assert_eq!(ours.status.code(), Some(0), "{}", text(&ours.stdout));
    env.write("changed.txt", "doc!");
    assert!(!gmssl("changed.txt").status.success());
    let ours = cmd(&env)
        .args(["--json", "verify", "doc.p7s", "--file", "changed.txt", "--trust", "sm2.pem"])
        .output()
        .unwrap();
    assert_eq!(ours.status.code(), Some(1), "{}", text(&ours.stdout));
    // A PDF signed inside (PAdES) with the SM2 identity: GmSSL checks the CMS over its byte range.
    env.write(
        "plain.pdf",
        "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n\
         3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\nxref\n0 4\n0000000000 65535 f \n\
         0000000009 00000 n \n0000000052 00000 n \n0000000101 00000 n \ntrailer<</Size 4/Root 1 0 R>>\nstartxref\n164\n%%EOF\n",
    );
    let pdf = cmd(&env)
        .args(["--json", "pdf", "sign", "plain.pdf", "-o", "sm2.pdf", "--identity", "sm2", "--level", "B-B"])
        .args(["--password-file", "pw"])
        .output()
        .unwrap();
    assert!(pdf.status.success(), "{}{}", text(&pdf.stdout), text(&pdf.stderr));
    let gmssl_pdf = |file: &str| {
        Command::new("python3").arg(&tool).args(["verify-pdf", file]).current_dir(env.dir.path()).output().unwrap()
    };
    let out = gmssl_pdf("sm2.pdf");
    assert!(out.status.success(), "gmssl over the PDF: {}{}", text(&out.stdout), text(&out.stderr));
    let ours = cmd(&env).args(["--json", "pdf", "verify", "sm2.pdf", "--trust", "sm2.pem"]).output().unwrap();
    assert_eq!(ours.status.code(), Some(0), "{}", text(&ours.stdout));
    let mut bytes = std::fs::read(env.path("sm2.pdf")).unwrap();
    let at = bytes.windows(9).position(|w| w == b"/MediaBox").unwrap() + 12;
    bytes[at] ^= 0x01;
    std::fs::write(env.path("sm2-changed.pdf"), &bytes).unwrap();
    assert!(!gmssl_pdf("sm2-changed.pdf").status.success());
    let ours = cmd(&env).args(["--json", "pdf", "verify", "sm2-changed.pdf", "--trust", "sm2.pem"]).output().unwrap();
    assert_eq!(ours.status.code(), Some(1), "{}", text(&ours.stdout));

    // A batch of PDFs signed with the SM2 identity, its password given once: each passes GmSSL.
    for name in ["a.pdf", "b.pdf", "c.pdf"] {
        std::fs::copy(env.path("plain.pdf"), env.path(name)).unwrap();
    }
    let batch = cmd(&env)
        .args(["--json", "pdf", "sign", "a.pdf", "b.pdf", "c.pdf", "--out-dir", "signed", "--identity", "sm2"])
        .args(["--level", "B-B", "--password-file", "pw"])
        .output()
        .unwrap();
    assert!(batch.status.success(), "{}{}", text(&batch.stdout), text(&batch.stderr));
    for name in ["a.pdf", "b.pdf", "c.pdf"] {
        let signed = format!("signed/{}", name.replace(".pdf", "-signed.pdf"));
        let out = gmssl_pdf(&signed);
        assert!(out.status.success(), "gmssl over {signed}: {}{}", text(&out.stdout), text(&out.stderr));
    }

    // Sealed with the SM2 identity: the record keeps the content's SM3, which the signature covers.
    let seal =
        cmd(&env).args(["--json", "seal", "doc.txt", "--identity", "sm2", "--password-file", "pw"]).output().unwrap();
    assert!(seal.status.success(), "{}{}", text(&seal.stdout), text(&seal.stderr));
    let sealed: serde_json::Value = serde_json::from_slice(&seal.stdout).unwrap();
    assert!(sealed.to_string().contains("\"sm3\""), "{sealed:#}");
}

#[test]
/// `identity new --algorithm sm2` makes an SM2 key and an SM2-signed certificate that OpenSSL reads
/// (the PKCS #12 with its password) and verifies (the certificate's SM2 signature, default
/// distinguishing ID); what the identity signs passes GmSSL and ours, named as SM2 with SM3.
fn a_self_made_sm2_identity_is_read_by_openssl_and_signs_what_gmssl_verifies() {
    let env = Env::new();
    env.write("pw", PASSWORD);
    env.write("doc.txt", "合同 contract");
    let made = cmd(&env)
        .args(["--json", "identity", "new", "--name", "Li Si", "--algorithm", "sm2", "--password-file", "pw"])
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", text(&made.stderr));
    let v: serde_json::Value = serde_json::from_slice(&made.stdout).unwrap();
    assert_eq!(v["identities"][0]["key"], "SM2", "{v}");
    let p12 = env.path("identities/li-si.p12");
    let out = openssl(
        &env,
        &["pkcs12", "-in", p12.to_str().unwrap(), "-passin", "file:pw", "-nokeys", "-clcerts", "-out", "li.pem"],
    );
    assert!(out.status.success(), "openssl pkcs12: {}", text(&out.stderr));
    let out = openssl(&env, &["x509", "-in", "li.pem", "-noout", "-text"]);
    let shown = text(&out.stdout);
    assert!(shown.contains("SM2-with-SM3") && shown.contains("ASN1 OID: SM2"), "{shown}");
    let out = openssl(&env, &["verify", "-CAfile", "li.pem", "li.pem"]);
    assert!(text(&out.stdout).contains("li.pem: OK"), "{}{}", text(&out.stdout), text(&out.stderr));
    let wrong = openssl(&env, &["pkcs12", "-in", p12.to_str().unwrap(), "-passin", "pass:wrong password", "-nokeys"]);
    assert!(!wrong.status.success(), "the key store opens only with its password");

    let tool = crate::support::repo().join("docs/tools/sm2_cms.py");
    let gmssl =
        |args: &[&str]| Command::new("python3").arg(&tool).args(args).current_dir(env.dir.path()).output().unwrap();
    let sign = cmd(&env)
        .args(["--json", "sign", "doc.txt", "--identity", "li-si", "-o", "doc.p7s", "--password-file", "pw"])
        .output()
        .unwrap();
    assert!(sign.status.success(), "{}{}", text(&sign.stdout), text(&sign.stderr));
    let out = gmssl(&["verify", "doc.p7s", "doc.txt"]);
    assert!(out.status.success(), "gmssl: {}{}", text(&out.stdout), text(&out.stderr));
    let ours =
        cmd(&env).args(["--json", "verify", "doc.p7s", "--file", "doc.txt", "--trust", "li.pem"]).output().unwrap();
    assert_eq!(ours.status.code(), Some(0), "{}", text(&ours.stdout));
    assert!(text(&ours.stdout).contains("SM2 with SM3, distinguishing ID 1234567812345678"), "{}", text(&ours.stdout));
    env.write(
        "plain.pdf",
        "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n\
         3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\nxref\n0 4\n0000000000 65535 f \n\
         0000000009 00000 n \n0000000052 00000 n \n0000000101 00000 n \ntrailer<</Size 4/Root 1 0 R>>\nstartxref\n164\n%%EOF\n",
    );
    let pdf = cmd(&env)
        .args(["--json", "pdf", "sign", "plain.pdf", "-o", "li.pdf", "--identity", "li-si", "--level", "B-B"])
        .args(["--password-file", "pw"])
        .output()
        .unwrap();
    assert!(pdf.status.success(), "{}{}", text(&pdf.stdout), text(&pdf.stderr));
    let out = gmssl(&["verify-pdf", "li.pdf"]);
    assert!(out.status.success(), "gmssl over the PDF: {}{}", text(&out.stdout), text(&out.stderr));
    let ours = cmd(&env).args(["--json", "pdf", "verify", "li.pdf", "--trust", "li.pem"]).output().unwrap();
    assert_eq!(ours.status.code(), Some(0), "{}", text(&ours.stdout));

    // Sealed and exported: the package carries the SM2 checker, and VERIFY.md's command runs as written.
    let seal =
        cmd(&env).args(["--json", "seal", "doc.txt", "--identity", "li-si", "--password-file", "pw"]).output().unwrap();
    assert!(seal.status.success(), "{}{}", text(&seal.stdout), text(&seal.stderr));
    let id = env.records()[0]["id"].as_str().unwrap().to_owned();
    let export = cmd(&env).args(["export", &id, "-o", "case.asice"]).output().unwrap();
    assert!(export.status.success(), "{}{}", text(&export.stdout), text(&export.stderr));
    sh(&env, "mkdir case && cd case && unzip -q ../case.asice");
    let guide = std::fs::read_to_string(env.path("case/META-INF/evidentia/VERIFY.md")).unwrap();
    let line = guide.lines().find(|l| l.starts_with("python3 META-INF/evidentia/sm2_cms.py verify ")).expect(&guide);
    let out = Command::new("bash").arg("-c").arg(line).current_dir(env.path("case")).output().unwrap();
    assert!(out.status.success(), "{line}: {}{}", text(&out.stdout), text(&out.stderr));
    assert!(text(&out.stdout).starts_with("OK: SM2 signature"), "{}", text(&out.stdout));
    let content = line.rsplit(' ').next().unwrap();
    std::fs::write(env.path("case").join(content), "changed").unwrap();
    let out = Command::new("bash").arg("-c").arg(line).current_dir(env.path("case")).output().unwrap();
    assert!(!out.status.success(), "a changed content passed: {}", text(&out.stdout));
}

/// Runs `script` with bash in the test folder; asserts it succeeded.
fn sh(env: &Env, script: &str) {
    let out = Command::new("bash").arg("-c").arg(script).current_dir(env.dir.path()).output().unwrap();
    assert!(out.status.success(), "{script}: {}", text(&out.stderr));
}

#[test]
fn with_online_an_intermediate_the_signature_lacks_is_fetched_from_its_ca_issuers_address() {
    let env = Env::new();
    env.write("contract.pdf", "%PDF-1.7 the signed contract");
    std::fs::create_dir_all(env.path("www")).unwrap();
    let server = crate::support::FileServer::start(&env.path("www"));
    let url = &server.base;
    // root → intermediate → signer; the signer's certificate names where its issuer's certificate
    // and CRL are published (AIA caIssuers, CRL distribution point); a second signer names an
    // address that has nothing.
    env.write(
        "ext.cnf",
        format!(
            "[inter]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n\
             crlDistributionPoints=URI:{url}/root.crl\n\
             [signer]\nkeyUsage=critical,digitalSignature,nonRepudiation\n\
             authorityInfoAccess=caIssuers;URI:{url}/inter.cer\ncrlDistributionPoints=URI:{url}/inter.crl\n\
             [lost]\nkeyUsage=critical,digitalSignature\n\
             authorityInfoAccess=caIssuers;URI:{url}/nothing.cer\ncrlDistributionPoints=URI:{url}/inter.crl\n"
        ),
    );
    for ca in ["root", "inter"] {
        env.write(
            &format!("{ca}.cnf"),
            format!(
                "[ca]\ndefault_ca=c\n[c]\ndatabase={ca}.index\ncrlnumber={ca}.crlnumber\ndefault_md=sha256\n\
                 default_crl_days=30\ncertificate={ca}.pem\nprivate_key={ca}.key\n"
            ),
        );
        env.write(&format!("{ca}.index"), "");
        env.write(&format!("{ca}.crlnumber"), "01\n");
    }
    sh(
        &env,
        "set -e
        openssl req -x509 -newkey rsa:2048 -nodes -keyout root.key -out root.pem -subj '/CN=AIA Test Root' -days 30 \
          -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
        openssl req -new -newkey rsa:2048 -nodes -keyout inter.key -out inter.csr -subj '/CN=AIA Test Issuing CA' 2>/dev/null
        openssl x509 -req -in inter.csr -CA root.pem -CAkey root.key -CAcreateserial -days 25 \
          -extfile ext.cnf -extensions inter -out inter.pem 2>/dev/null
        for who in signer lost; do
          openssl req -new -newkey rsa:2048 -nodes -keyout $who.key -out $who.csr -subj \"/CN=AIA $who\" 2>/dev/null
          openssl x509 -req -in $who.csr -CA inter.pem -CAkey inter.key -CAcreateserial -days 20 \
            -extfile ext.cnf -extensions $who -out $who.pem 2>/dev/null
          openssl cms -sign -binary -in contract.pdf -signer $who.pem -inkey $who.key -outform DER -out $who.p7s
        done
        openssl x509 -in inter.pem -outform DER -out www/inter.cer
        openssl ca -gencrl -config root.cnf -out www/root.crl 2>/dev/null
        openssl ca -gencrl -config inter.cnf -out www/inter.crl 2>/dev/null",
    );
    let p7s = std::fs::read(env.path("signer.p7s")).unwrap();
    let intermediate = std::fs::read(env.path("www/inter.cer")).unwrap();
    assert!(!contains(&p7s, &intermediate), "openssl cms -sign embeds the signer's certificate only");

    // Offline: the signature carries only its signer, so no path reaches the trusted root.
    let (code, v) = verify_with(&env, "signer.p7s", &["--trust", "root.pem"]);
    assert_eq!((code, v["result"].as_str()), (7, Some("INDETERMINATE")), "{v}");
    // Online: the issuing CA's certificate is fetched from the signer's caIssuers address, and
    // both CRLs from their distribution points.
    let (code, v) = verify_with(&env, "signer.p7s", &["--trust", "root.pem", "--online"]);
    assert_eq!((code, v["result"].as_str()), (0, Some("PASSED")), "{v}");
    let revocation = v["verified"]["revocation"].to_string();
    assert!(revocation.contains("not revoked (CRL of"), "{v}");
    // An address with nothing behind it: still undecided, never a crash or a PASSED.
    let (code, v) = verify_with(&env, "lost.p7s", &["--trust", "root.pem", "--online"]);
    assert_eq!((code, v["result"].as_str()), (7, Some("INDETERMINATE")), "{v}");
}
