//! Evidence packages: a signed contract and a work, time-stamped by the local TSA and anchored on
//! anvil, exported and verified TOTAL-PASSED by a stranger with an empty vault; every command of
//! the package's VERIFY.md succeeds; every entry flipped or deleted is caught by that entry's
//! check; hostile containers are refused before anything is written.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::{Anvil, DEV_KEY, Env, Tsa, closed_port, repo, text};

const PASSWORD: &str = "a long and secret passphrase";

struct Case {
    env: Env,
    tsa: Tsa,
    anvil: Anvil,
    package: PathBuf,
}

impl Case {
    fn cmd(&self) -> Command {
        let mut c = self.env.cmd();
        c.env("EVIDENTIA_TSA", self.tsa.url("/tsa"))
            .env("EVIDENTIA_TSA_TRUST", self.tsa.root())
            .env("EVIDENTIA_EVM_RPC", self.anvil.url())
            .env("EVIDENTIA_EVM_KEY_FILE", self.env.path("anchor.key"))
            .env("EVIDENTIA_IDENTITIES", self.env.path("identities"))
            .env("EVIDENTIA_PASSWORD", PASSWORD);
        c
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.cmd().args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}{}", text(&out.stdout), text(&out.stderr));
        text(&out.stdout)
    }

    /// A signed contract and a work with nested and Chinese-named files, sealed, anchored, exported.
    fn new() -> Case {
        let env = Env::new();
        env.write("anchor.key", DEV_KEY);
        let tsa = Tsa::start();
        let anvil = Anvil::start_on(closed_port());
        let mut case = Case { env, tsa, anvil, package: PathBuf::new() };
        case.ok(&["identity", "new", "--name", "Ana Li", "--email", "ana@example.com"]);
        case.env.write("contract.pdf", b"%PDF-1.7\nA contract between two parties.\n%%EOF\n".repeat(50));
        case.env.write("novel/chapter-1.txt", "It was a bright cold day.\n");
        case.env.write("novel/images/封面.png", [0x89u8, b'P', b'N', b'G', 1, 2, 3]);
        case.ok(&["seal", "contract.pdf", "--identity", "ana-li"]);
        case.ok(&["seal", "novel"]);
        case.ok(&["anchor", "flush"]);
        let ids: Vec<String> = case.env.records().iter().map(|r| r["id"].as_str().unwrap().to_owned()).collect();
        assert_eq!(ids.len(), 2);
        case.package = case.env.path("case.asice");
        let mut args = vec!["export"];
        args.extend(ids.iter().map(String::as_str));
        args.extend(["-o", case.package.to_str().unwrap(), "--identity", "ana-li"]);
        case.ok(&args);
        case
    }
}

/// `evidentia verify` by someone with an empty vault and no configuration, trusting the TSA root.
fn stranger_verifies(package: &Path, root: &Path, extra: &[&str]) -> (Option<i32>, serde_json::Value) {
    let stranger = Env::new();
    let out =
        stranger.cmd().args(["--json", "verify"]).arg(package).arg("--trust").arg(root).args(extra).output().unwrap();
    let v =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}{}", text(&out.stdout), text(&out.stderr)));
    (out.status.code(), v)
}

fn all_checks(v: &serde_json::Value) -> Vec<serde_json::Value> {
    let mut out: Vec<serde_json::Value> = v["checks"].as_array().cloned().unwrap_or_default();
    for r in v["records"].as_array().into_iter().flatten() {
        out.extend(r["checks"].as_array().cloned().unwrap_or_default());
    }
    out
}

fn zip_tool(args: &[&str]) -> Output {
    let out = Command::new("python3").arg(repo().join("tests/fixtures/zip_tool.py")).args(args).output().unwrap();
    assert!(out.status.success(), "zip_tool {args:?}: {}", text(&out.stderr));
    out
}

#[test]
fn a_package_verifies_total_passed_on_a_machine_with_an_empty_vault_and_its_verify_md_really_works() {
    let case = Case::new();
    let (code, v) = stranger_verifies(&case.package, &case.tsa.root(), &["--accept-self-signed"]);
    assert_eq!((code, v["result"].as_str()), (Some(0), Some("TOTAL-PASSED")), "{v:#}");
    assert_eq!(v["records"].as_array().unwrap().len(), 2);
    assert_eq!(v["profile"], "sandbox");
    let kinds: Vec<String> = all_checks(&v).iter().map(|c| c["check"].as_str().unwrap().to_owned()).collect();
    for expected in [
        "container",
        "manifest",
        "manifest_seal",
        "content",
        "work_files",
        "signature",
        "timestamp",
        "merkle_proof",
        "custody_head",
        "chain_proof",
        "custody",
    ] {
        assert!(kinds.iter().any(|k| k == expected), "no {expected} check in {kinds:?}");
    }
    // Offline, the block hash is left to confirm elsewhere, as a note that names it.
    let notes = v["records"][0]["notes"].to_string();
    assert!(notes.contains("BLOCK_NOT_CHECKED"), "{notes}");
    // The policy decides: without accepting self-signed signers, or without the TSA's root, it is undecided.
    let (code, v) = stranger_verifies(&case.package, &case.tsa.root(), &[]);
    assert_eq!((code, v["result"].as_str()), (Some(7), Some("INDETERMINATE")), "{v:#}");
    assert!(all_checks(&v).iter().any(|c| c["check"] == "signature" && c["reason"] == "NO_TRUSTED_ROOT"));
    let (code, _) = stranger_verifies(
        &case.package,
        &repo().join("assets/tsa-trust/production-roots.pem"),
        &["--accept-self-signed"],
    );
    assert_eq!(code, Some(7), "a TSA outside the trust list leaves the time-stamps undecided");
    // Online, the block is confirmed by the node.
    let out = case
        .cmd()
        .args(["--json", "verify", case.package.to_str().unwrap(), "--accept-self-signed", "--online"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["result"], "TOTAL-PASSED", "{v:#}");
    assert!(all_checks(&v).iter().any(|c| c["check"] == "block" && c["verdict"] == "PASSED"), "{v:#}");
    // A file is verified through the vault by the same checks; a changed file has no record.
    let out = case.cmd().args(["--json", "verify", "contract.pdf", "--accept-self-signed"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((out.status.code(), v["result"].as_str()), (Some(0), Some("TOTAL-PASSED")), "{v:#}");
    assert_eq!(v["records"].as_array().unwrap().len(), 1);
    assert!(all_checks(&v).iter().any(|c| c["check"] == "signature" && c["verdict"] == "PASSED"), "{v:#}");
    case.env.write("changed.pdf", b"%PDF-1.7\nA different contract.\n");
    let out = case.cmd().args(["verify", "changed.pdf"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("no record in this vault"), "{}", text(&out.stderr));
    // The export is in the custody log, and the vault still verifies.
    let events = case.env.sql_value("SELECT COUNT(*) FROM custody_events WHERE kind = 'exported'");
    assert_eq!(events, "1");
    case.ok(&["vault", "verify"]);

    // VERIFY.md: every shell block runs as written, from the extracted folder, with open tools only.
    let dir = case.env.path("extracted");
    case.ok(&["extract", case.package.to_str().unwrap(), dir.to_str().unwrap()]);
    let md = std::fs::read_to_string(dir.join("META-INF/evidentia/VERIFY.md")).unwrap();
    let blocks: Vec<&str> = md.split("```sh\n").skip(1).map(|b| b.split("```").next().unwrap()).collect();
    assert!(blocks.len() >= 8, "{md}");
    for block in &blocks {
        let out = Command::new("bash")
            .args(["-euo", "pipefail", "-c", block])
            .current_dir(&dir)
            .env("TSA_ROOT", case.tsa.root())
            .output()
            .unwrap();
        assert!(out.status.success(), "VERIFY.md block failed:\n{block}\n{}{}", text(&out.stdout), text(&out.stderr));
    }
    for needed in ["openssl ts -verify", "openssl cms -verify", "sha256sum -c", "python3 -"] {
        assert!(md.contains(needed), "VERIFY.md has no `{needed}`");
    }
}

fn pdf_text(pdf: &Path) -> String {
    let out =
        Command::new("pdftotext").args(["-layout"]).arg(pdf).arg("-").output().expect("pdftotext (poppler-utils)");
    assert!(out.status.success(), "pdftotext: {}", text(&out.stderr));
    text(&out.stdout)
}

fn renders(pdf: &Path) {
    let prefix = pdf.with_extension("");
    let out = Command::new("pdftoppm").args(["-png", "-r", "60"]).arg(pdf).arg(&prefix).output().expect("pdftoppm");
    assert!(out.status.success(), "pdftoppm: {}", text(&out.stderr));
    let first = PathBuf::from(format!("{}-1.png", prefix.display()));
    assert!(std::fs::metadata(&first).map(|m| m.len() > 10_000).unwrap_or(false), "no page rendered");
    let fonts = Command::new("pdffonts").arg(pdf).output().expect("pdffonts");
    let fonts = text(&fonts.stdout);
    assert!(
        fonts.contains("NotoSansSC") && fonts.contains("yes yes"),
        "the CJK font is not embedded as a subset: {fonts}"
    );
}

#[test]
fn the_report_pdf_states_the_verdict_and_digests_in_chinese_and_english() {
    let case = Case::new();
    let digests: Vec<String> =
        case.env.records().iter().map(|r| r["digests"]["sha256"].as_str().unwrap().to_owned()).collect();
    // The export-time report inside the package (Chinese by default).
    let dir = case.env.path("x");
    case.ok(&["extract", case.package.to_str().unwrap(), dir.to_str().unwrap()]);
    let inside = dir.join("META-INF/evidentia/report.pdf");
    renders(&inside);
    let said = pdf_text(&inside);
    assert!(said.contains("证据验证报告") && said.contains("沙盒环境"), "{said}");
    for d in &digests {
        assert!(said.contains(d.as_str()), "digest {d} missing: {said}");
    }
    // A stranger's verification, as a PDF in English and in both languages.
    for (lang, words) in [
        ("en", ["Evidence verification report", "VERIFIED — every check passed"]),
        ("both", ["证据验证报告", "验证通过"]),
    ] {
        let pdf = case.env.path(&format!("report-{lang}.pdf"));
        let stranger = Env::new();
        let out = stranger
            .cmd()
            .args(["verify", case.package.to_str().unwrap(), "--accept-self-signed", "--lang", lang, "--report"])
            .arg(&pdf)
            .arg("--trust")
            .arg(case.tsa.root())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        renders(&pdf);
        let said = pdf_text(&pdf);
        for w in words {
            assert!(said.contains(w), "{lang}: `{w}` missing: {said}");
        }
        assert!(said.contains("TOTAL-PASSED"), "{said}");
        assert!(
            said.contains("Ana Li") && (said.contains("Valid") || said.contains("有效期")),
            "the signer and validity: {said}"
        );
        for d in &digests {
            assert!(said.contains(d.as_str()), "{lang}: digest {d} missing");
        }
    }
}

#[test]
fn every_entry_flipped_or_deleted_is_caught_by_its_own_check() {
    let case = Case::new();
    let root = case.tsa.root();
    let names: Vec<String> =
        text(&zip_tool(&["list", case.package.to_str().unwrap()]).stdout).lines().map(str::to_owned).collect();
    assert!(names.len() >= 12, "{names:?}");
    for name in &names {
        for op in ["flip", "delete"] {
            let altered = case.env.path(&format!("{op}.asice"));
            zip_tool(&[op, case.package.to_str().unwrap(), altered.to_str().unwrap(), name]);
            let (code, v) = stranger_verifies(&altered, &root, &["--accept-self-signed"]);
            let result = v["result"].as_str().unwrap();
            assert_ne!(result, "TOTAL-PASSED", "{op} {name}");
            assert_eq!(code, Some(if result == "TOTAL-FAILED" { 1 } else { 7 }));
            let named = all_checks(&v).iter().any(|c| {
                c["verdict"] != "PASSED"
                    && (c["subject"].as_str() == Some(name.as_str())
                        || c["detail"].as_str().unwrap_or("").contains(name.as_str()))
            });
            assert!(named, "{op} {name}: no failing check names the entry: {v:#}");
        }
    }
}

#[test]
fn hostile_containers_are_refused_and_nothing_is_written_outside_the_target() {
    let env = Env::new();
    for (kind, says) in [
        ("slip", "path traversal"),
        ("absolute", "absolute path"),
        ("bomb", "decompression bomb"),
        ("duplicate", "more than once"),
        ("symlink", "symbolic link"),
    ] {
        let pkg = env.path(&format!("{kind}.asice"));
        zip_tool(&["hostile", kind, pkg.to_str().unwrap()]);
        let out = env.run(&["verify", pkg.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(3), "{kind}: {}", text(&out.stderr));
        let err = text(&out.stderr);
        assert!(err.contains("refused") && err.contains(says), "{kind}: {err}");
        let target = env.path(&format!("out-{kind}"));
        let out = env.run(&["extract", pkg.to_str().unwrap(), target.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(3), "{kind}: {}", text(&out.stderr));
        assert!(!target.exists(), "{kind}: the target was created");
    }
    assert!(!env.path("evil.txt").exists() && !env.dir.path().parent().unwrap().join("evil.txt").exists());
    assert!(!Path::new("/tmp/evidentia-evil-absolute.txt").exists());
    // Not a ZIP at all, and an empty file: clear errors, not panics.
    env.write("junk.asice", b"this is not a zip");
    env.write("empty.asice", b"");
    for junk in ["junk.asice", "empty.asice"] {
        let out = env.run(&["verify", junk]);
        assert_eq!(out.status.code(), Some(3));
        assert!(text(&out.stderr).contains("not a readable ZIP"), "{}", text(&out.stderr));
    }
}

#[test]
fn a_p384_signer_from_an_openssl_pkcs12_signs_a_package_that_verifies() {
    let env = Env::new();
    let tsa = Tsa::start();
    let run = |args: &[&str]| {
        env.cmd()
            .env("EVIDENTIA_TSA", tsa.url("/tsa"))
            .env("EVIDENTIA_TSA_TRUST", tsa.root())
            .env("EVIDENTIA_IDENTITIES", env.path("identities"))
            .env("EVIDENTIA_PASSWORD", PASSWORD)
            .args(args)
            .output()
            .unwrap()
    };
    let ok = |out: Output| assert!(out.status.success(), "{}{}", text(&out.stdout), text(&out.stderr));
    let openssl = |args: &[&str]| {
        let out = Command::new("openssl").args(args).current_dir(env.dir.path()).output().unwrap();
        assert!(out.status.success(), "openssl {args:?}: {}", text(&out.stderr));
    };
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-384",
        "-nodes",
        "-keyout",
        "k.pem",
        "-out",
        "c.pem",
        "-days",
        "30",
        "-subj",
        "/CN=P-384 Signer",
    ]);
    openssl(&[
        "pkcs12",
        "-export",
        "-inkey",
        "k.pem",
        "-in",
        "c.pem",
        "-out",
        "p384.p12",
        "-passout",
        &format!("pass:{PASSWORD}"),
    ]);
    ok(run(&["identity", "import", "p384.p12", "--name", "p384"]));
    env.write("deal.txt", "a contract signed with SHA-384\n");
    ok(run(&["seal", "deal.txt", "--identity", "p384"]));
    let id = env.records()[0]["id"].as_str().unwrap().to_owned();
    ok(run(&["export", &id, "-o", "deal.asice", "--identity", "p384"]));
    let (code, v) = stranger_verifies(&env.path("deal.asice"), &tsa.root(), &["--accept-self-signed"]);
    assert_eq!((code, v["result"].as_str()), (Some(0), Some("TOTAL-PASSED")), "{v:#}");
    assert!(all_checks(&v).iter().any(|c| c["check"] == "signature" && c["verdict"] == "PASSED"), "{v:#}");
    // A sealed ZIP archive that is no evidence package is looked up in the vault like any file.
    let zipped = Command::new("python3")
        .args(["-c", "import zipfile; zipfile.ZipFile('archive.zip', 'w').writestr('a.txt', 'drafts')"])
        .current_dir(env.dir.path())
        .status()
        .unwrap();
    assert!(zipped.success());
    ok(run(&["seal", "archive.zip"]));
    let out = run(&["--json", "verify", "archive.zip"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((out.status.code(), v["result"].as_str()), (Some(0), Some("TOTAL-PASSED")), "{v:#}");
    assert_eq!(v["records"][0]["name"], "archive.zip");
}

#[test]
fn a_case_groups_records_filters_the_list_and_is_exported_whole_under_its_name() {
    let case = Case::new();
    let named = |name: &str| -> String {
        let all = case.env.records();
        all.iter().find(|r| r["name"] == name).unwrap()["id"].as_str().unwrap().to_owned()
    };
    let (contract, novel) = (named("contract.pdf"), named("novel"));
    // A record sealed with no TSA configured, and one whose TSA is down (pending).
    case.env.write("note.txt", "a note with no time-stamp");
    let out = case.env.cmd().args(["seal", "note.txt"]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    case.env.write("late.txt", "its TSA is down");
    let out = case
        .env
        .cmd()
        .env("EVIDENTIA_TSA", format!("http://127.0.0.1:{}/tsa", closed_port()))
        .env("EVIDENTIA_TSA_TRUST", case.tsa.root())
        .env("EVIDENTIA_TSA_TIMEOUT", "1")
        .env("EVIDENTIA_TSA_RETRIES", "0")
        .args(["seal", "late.txt"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let (note, late) = (named("note.txt"), named("late.txt"));

    let list = |extra: &[&str]| -> (u64, Vec<String>) {
        let mut args = vec!["--json", "vault", "list"];
        args.extend_from_slice(extra);
        let v: serde_json::Value = serde_json::from_str(&case.ok(&args)).unwrap();
        let ids = v["records"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_owned()).collect();
        (v["total"].as_u64().unwrap(), ids)
    };
    let ids = |v: &[&String]| -> Vec<String> { v.iter().map(|s| (*s).clone()).collect() };
    assert_eq!(list(&["--status", "signed"]), (1, ids(&[&contract])));
    assert_eq!(list(&["--status", "timestamped"]), (2, ids(&[&contract, &novel])));
    assert_eq!(list(&["--status", "anchored"]), (2, ids(&[&contract, &novel])));
    assert_eq!(list(&["--status", "pending"]), (1, ids(&[&late])));
    assert_eq!(list(&["--status", "no-timestamp"]), (1, ids(&[&note])));
    let out = case.cmd().args(["vault", "list", "--status", "sealed-ish"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "an unknown status is a usage error");
    assert!(text(&out.stderr).contains("no_timestamp"), "{}", text(&out.stderr));

    // A case: opened once, records added (by id prefix too) and removed, each a custody event.
    let name = "供应商合同纠纷 2026 / Supplier dispute";
    case.ok(&["case", "new", name]);
    let out = case.cmd().args(["--json", "case", "new", name]).output().unwrap();
    assert_eq!(out.status.code(), Some(4));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["code"], "CASE_EXISTS", "{v}");
    let out = case.cmd().args(["--json", "case", "add", "no such case", &contract]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((out.status.code(), v["error"]["code"].as_str()), (Some(4), Some("CASE_NOT_FOUND")), "{v}");
    let v: serde_json::Value =
        serde_json::from_str(&case.ok(&["--json", "case", "add", name, &contract[..13], &late])).unwrap();
    assert_eq!(v["changed"], serde_json::json!([contract, late]));
    let v: serde_json::Value = serde_json::from_str(&case.ok(&["--json", "case", "add", name, &contract])).unwrap();
    assert_eq!((v["changed"].as_array().unwrap().len(), v["unchanged"][0].as_str()), (0, Some(contract.as_str())));
    assert_eq!(list(&["--case", name]), (2, ids(&[&contract, &late])));
    assert_eq!(list(&["--case", name, "--status", "signed"]), (1, ids(&[&contract])));
    assert_eq!(list(&["--case", name, "--status", "pending"]), (1, ids(&[&late])));
    // The time-stamp arrives: the record moves from pending to time-stamped, in the case too.
    case.ok(&["sync"]);
    assert_eq!(list(&["--status", "pending"]), (0, vec![]));
    assert_eq!(list(&["--status", "timestamped"]), (3, ids(&[&contract, &novel, &late])));
    assert_eq!(list(&["--case", name, "--status", "pending"]), (0, vec![]));
    assert_eq!(list(&["--case", name, "--status", "timestamped"]), (2, ids(&[&contract, &late])));
    assert_eq!(list(&["--case", name, "--search", "late"]), (1, ids(&[&late])));
    let v: serde_json::Value = serde_json::from_str(&case.ok(&["--json", "case", "list"])).unwrap();
    assert_eq!((v["cases"][0]["name"].as_str(), v["cases"][0]["records"].as_u64()), (Some(name), Some(2)), "{v}");
    let v: serde_json::Value = serde_json::from_str(&case.ok(&["--json", "vault", "show", &late])).unwrap();
    assert_eq!(v["cases"], serde_json::json!([name]));
    assert!(v["events"].as_array().unwrap().iter().any(|e| e["kind"] == "case_added"), "{v}");
    case.ok(&["case", "remove", name, &late]);
    assert_eq!(list(&["--case", name]), (1, ids(&[&contract])));
    assert_eq!(list(&["--case", name, "--status", "timestamped"]), (1, ids(&[&contract])));
    assert!(case.ok(&["vault", "verify"]).contains("INTACT"));

    // Exported whole: the package is named after the case, holds its records, and says which case.
    let v: serde_json::Value =
        serde_json::from_str(&case.ok(&["--json", "export", "--case", name, "--identity", "ana-li"])).unwrap();
    let package = PathBuf::from(v["path"].as_str().unwrap());
    let safe_name = name.replace('/', "_");
    assert_eq!(package.file_name().unwrap().to_str().unwrap(), format!("{safe_name}.asice"));
    assert_eq!(v["records"], serde_json::json!([contract]));
    let (code, v) = stranger_verifies(&package, &case.tsa.root(), &["--accept-self-signed"]);
    assert_eq!((code, v["result"].as_str(), v["case"].as_str()), (Some(0), Some("TOTAL-PASSED"), Some(name)), "{v:#}");
    let report = case.env.path("case-report.pdf");
    let script = "import sys, zipfile; open(sys.argv[3], 'wb').write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))";
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(&package)
        .arg("META-INF/evidentia/report.pdf")
        .arg(&report)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let words = Command::new("pdftotext").arg(&report).arg("-").output().unwrap();
    let words = text(&words.stdout);
    assert!(words.contains("案件") && words.contains("供应商合同纠纷 2026"), "{words}");
    let out = case.cmd().args(["export", "--case", name, "-o", "again.asice"]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));

    // Who is in a case is rebuilt from the log by `vault verify`: an index edited behind its back is named.
    case.env.tamper_sql("DELETE FROM case_members");
    let out = case.cmd().args(["--json", "vault", "verify"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<&str> = v["problems"].as_array().unwrap().iter().map(|p| p["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["CASE_MEMBERS_MISMATCH"], "{v:#}");
}

#[test]
fn a_missing_report_font_is_named_where_it_was_looked_for_and_nothing_is_written() {
    let env = Env::new();
    env.write("deal.txt", "a deal");
    env.ok(&["seal", "deal.txt"]);
    let id = env.records()[0]["id"].as_str().unwrap().to_owned();
    let missing = env.path("nowhere/NotoSansSC-Regular.otf");
    let out =
        env.cmd().env("EVIDENTIA_FONT", &missing).args(["--json", "export", &id, "-o", "deal.asice"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stdout));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let message = v["error"]["message"].as_str().unwrap();
    assert!(message.contains(missing.to_str().unwrap()) && message.contains("EVIDENTIA_FONT"), "{message}");
    assert!(!env.path("deal.asice").exists(), "no package without its report");
    // With the font where the installer puts it, the same export works.
    let out = env.cmd().args(["export", &id, "-o", "deal.asice"]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
}
