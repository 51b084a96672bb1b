//! End-to-end: `evidentia hash` and `seal` against independent tools (coreutils, OpenSSL,
//! Python's hashlib and sqlite3), and the documented JSON shapes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use crate::support::{Env, sha256sum, text};

fn repo_file(rel: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(rel)
}

#[test]
fn hash_matches_coreutils_and_openssl_for_every_algorithm() {
    let env = Env::new();
    let small = env.write("small.txt", "Evidentia\n");
    let big: Vec<u8> = (0..9_000_017u32).map(|i| (i % 253) as u8).collect();
    let large = env.write("large.bin", &big);
    let empty = env.write("empty", "");
    for (algo, tool, args) in [
        ("sha256", "sha256sum", vec![]),
        ("sha512", "sha512sum", vec![]),
        ("sm3", "openssl", vec!["dgst", "-sm3", "-r"]),
    ] {
        let ours = env.ok(&["hash", "--algo", algo, "small.txt", "large.bin", "empty"]);
        for (line, path) in ours.lines().zip([&small, &large, &empty]) {
            let out = Command::new(tool).args(&args).arg(path).output().expect(tool);
            let theirs = text(&out.stdout).split_whitespace().next().unwrap_or_default().to_owned();
            let mine = line.split_whitespace().next().unwrap_or_default();
            assert_eq!(mine, theirs, "{algo} of {}", path.display());
        }
    }
}

#[test]
fn hash_output_is_accepted_by_sha256sum_check() {
    let env = Env::new();
    env.write("a.txt", "alpha");
    env.write("b c.txt", "beta with a space");
    let lines = env.ok(&["hash", "a.txt", "b c.txt"]);
    env.write("SUMS", &lines);
    let check = Command::new("sha256sum").args(["-c", "SUMS"]).current_dir(env.dir.path()).output().unwrap();
    assert!(check.status.success(), "sha256sum -c: {}", text(&check.stdout));
    let tagged = env.ok(&["hash", "--algo", "sha256,sha512", "a.txt"]);
    env.write("TAGGED", &tagged);
    for tool in ["sha256sum", "sha512sum"] {
        let check =
            Command::new(tool).args(["-c", "--ignore-missing", "TAGGED"]).current_dir(env.dir.path()).output().unwrap();
        assert!(check.status.success(), "{tool} -c on tagged lines: {}", text(&check.stderr));
    }
}

#[test]
fn work_digest_is_recomputed_by_the_documented_python_script() {
    let env = Env::new();
    env.write("album/track 1.flac", vec![1u8; 70_000]);
    env.write("album/Zeta.txt", "upper case sorts first");
    env.write("album/notes/é-café.md", "NFC names");
    env.write("album/notes/sub/deep.bin", vec![7u8; 1 << 21]);
    for algos in ["sha256", "sha256,sm3", "sha512,sha256"] {
        let ours = env.ok(&["hash", "--work", "--algo", algos, "album"]);
        let py = Command::new("python3")
            .arg(repo_file("docs/tools/work_digest.py"))
            .args(["album", algos])
            .current_dir(env.dir.path())
            .output()
            .unwrap();
        assert!(py.status.success(), "{}", text(&py.stderr));
        let pick = |s: &str| -> Vec<String> {
            s.lines().map(|l| l.split_whitespace().last().unwrap_or_default().to_owned()).collect()
        };
        let theirs = text(&py.stdout);
        let ours_digests: Vec<String> = ours
            .lines()
            .map(|l| {
                if l.contains(" = ") {
                    l.rsplit(" = ").next().unwrap().to_owned()
                } else {
                    l.split_whitespace().next().unwrap().to_owned()
                }
            })
            .collect();
        let theirs_digests: Vec<String> =
            theirs.lines().map(|l| l.split_whitespace().next().unwrap().to_owned()).collect();
        assert_eq!(ours_digests, theirs_digests, "work digest with {algos}");
        assert!(pick(&theirs).iter().all(|p| p == "album"));
    }
}

#[test]
fn seal_records_files_and_works_that_independent_tools_confirm() {
    let env = Env::new();
    let contract = env.write("contract.pdf", "%PDF-1.7 a contract");
    env.write("work/draft1.txt", "first draft");
    env.write("work/img/cover.png", b"\x89PNG\r\n\x1a\n....");
    let (code, out) = env.json(&["seal", "--algo", "sm3", "contract.pdf", "work"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(out["profile"], "sandbox");
    assert_eq!(out["notice"], "SANDBOX — NOT LEGAL EVIDENCE");
    let records = out["records"].as_array().unwrap();
    assert_eq!(records.len(), 2);
    let file = &records[0];
    assert_eq!(file["kind"], "file");
    assert_eq!(file["name"], "contract.pdf");
    assert_eq!(file["media_type"], "application/pdf");
    assert_eq!(file["digests"]["sha256"], sha256sum(&contract));
    assert!(file["digests"]["sm3"].is_string());
    assert_eq!(file["status"], "sealed");
    assert_eq!(file["already_sealed"], false);
    let work = &records[1];
    assert_eq!(work["kind"], "work");
    assert_eq!(work["file_count"], 2);
    // The work digest is what the independent script computes with the same algorithms.
    let py = Command::new("python3")
        .arg(repo_file("docs/tools/work_digest.py"))
        .args(["work", "sha256,sm3"])
        .current_dir(env.dir.path())
        .output()
        .unwrap();
    let py_sha =
        text(&py.stdout).lines().next().unwrap_or_default().split_whitespace().next().unwrap_or_default().to_owned();
    assert_eq!(work["digests"]["sha256"], py_sha);

    // The vault keeps copies whose names are their SHA-256, as coreutils computes it.
    let blob = env.vault_folder().join("blobs/sha256").join(&sha256sum(&contract)[..2]).join(sha256sum(&contract));
    assert_eq!(std::fs::read(&blob).unwrap(), std::fs::read(&contract).unwrap());

    // list and show agree with what seal printed.
    let listed = env.records();
    assert_eq!(listed.len(), 2);
    // (The file and the work are sealed in parallel: either may be the older.)
    assert!(listed.iter().any(|r| r["id"] == file["id"] && r["digests"] == file["digests"]), "{listed:?}");
    let (code, shown) = env.json(&["vault", "show", file["id"].as_str().unwrap()]);
    assert_eq!(code, 0);
    assert_eq!(shown["digests"], file["digests"]);
    assert_eq!(shown["events"][0]["kind"], "created");
    assert_eq!(shown["events"][0]["seq"], 1);

    // The custody log is recomputed by the independent Python checker.
    let py = env.check_custody_log();
    assert!(py.status.success(), "{}", text(&py.stderr));
    assert!(text(&py.stdout).starts_with("2 events"), "{}", text(&py.stdout));

    let verify = env.ok(&["vault", "verify"]);
    assert!(verify.contains("INTACT"), "{verify}");
}

#[test]
fn sealing_again_finds_the_earlier_record_instead_of_duplicating() {
    let env = Env::new();
    env.write("a.txt", "same content");
    let first = env.json(&["seal", "a.txt"]).1;
    let second = env.json(&["seal", "a.txt"]).1;
    assert_eq!(second["records"][0]["already_sealed"], true);
    assert_eq!(second["records"][0]["id"], first["records"][0]["id"]);
    env.write("a.txt", "changed content");
    let third = env.json(&["seal", "a.txt"]).1;
    assert_eq!(third["records"][0]["already_sealed"], false);
    assert_eq!(env.records().len(), 2);
}

#[test]
fn no_copy_keeps_digests_only_and_each_seals_files_one_by_one() {
    let env = Env::new();
    let big = env.write("photos/raw.cr2", vec![9u8; 3 << 20]);
    env.write("photos/b.jpg", b"\xff\xd8\xff\xe0 jpeg");
    let (code, out) = env.json(&["seal", "--no-copy", "--each", "photos"]);
    assert_eq!(code, 0, "{out}");
    let names: Vec<&str> = out["records"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["photos/b.jpg", "photos/raw.cr2"]);
    assert!(out["records"].as_array().unwrap().iter().all(|r| r["stored"] == false));
    assert!(!env.vault_folder().join("blobs/sha256").join(&sha256sum(&big)[..2]).join(sha256sum(&big)).exists());
    assert!(env.ok(&["vault", "verify"]).contains("INTACT"));
}

#[test]
fn progress_never_reaches_a_pipe() {
    let env = Env::new();
    env.write("f.bin", vec![0u8; 5 << 20]);
    let out = env.run(&["seal", "f.bin"]);
    assert!(out.status.success());
    assert!(out.stderr.is_empty(), "stderr: {}", text(&out.stderr));
}

#[test]
fn the_vault_lock_makes_a_second_writer_wait_or_fail_clearly() {
    // The folder's lock; a team vault's writers take turns in the database (tests/team_vault.rs).
    let env = Env::folder();
    env.write("a.txt", "a");
    env.write("b.txt", "b");
    env.ok(&["seal", "a.txt"]);
    let lock = std::fs::File::options().read(true).write(true).open(env.vault_folder().join("lock")).unwrap();
    lock.lock().unwrap();
    let out = env.cmd().env("EVIDENTIA_LOCK_WAIT", "1").args(["seal", "b.txt"]).output().unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("in use by another Evidentia process"), "{}", text(&out.stderr));
    assert_eq!(env.records().len(), 1, "nothing written while locked");
    // Readers are not blocked by a writer.
    assert!(env.ok(&["vault", "verify"]).contains("INTACT"));
    // A writer that waits long enough gets through once the holder lets go.
    let release = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(700));
        drop(lock);
    });
    let out = env.cmd().env("EVIDENTIA_LOCK_WAIT", "20").args(["seal", "b.txt"]).output().unwrap();
    release.join().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(env.records().len(), 2);
}

#[test]
fn the_record_list_is_read_a_page_at_a_time_and_searched_by_name_id_or_digest() {
    let env = Env::new();
    let mut names: Vec<String> = (0..10).map(|i| format!("photo-{i:02}.jpg")).collect();
    names.extend(["Invoice-2026-03.PDF".to_owned(), "合同-甲方.pdf".to_owned()]);
    for (i, n) in names.iter().enumerate() {
        env.write(n, format!("content {i}"));
    }
    let args: Vec<&str> = ["seal"].into_iter().chain(names.iter().map(String::as_str)).collect();
    env.ok(&args);
    let all = env.records();
    assert_eq!(all.len(), 12);
    let page = |extra: &[&str]| {
        let mut args = vec!["vault", "list"];
        args.extend_from_slice(extra);
        let (code, v) = env.json(&args);
        assert_eq!(code, 0, "{v}");
        let ids: Vec<String> =
            v["records"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().into()).collect();
        (v["total"].as_u64().unwrap(), ids)
    };
    let ids =
        |rs: &[serde_json::Value]| -> Vec<String> { rs.iter().map(|r| r["id"].as_str().unwrap().into()).collect() };
    assert_eq!(page(&["--limit", "5"]), (12, ids(&all[..5])));
    assert_eq!(page(&["--limit", "5", "--offset", "10"]), (12, ids(&all[10..])));
    let named = |name: &str| all.iter().find(|r| r["name"] == name).unwrap().clone();
    let invoice = named("Invoice-2026-03.PDF");
    assert_eq!(page(&["--search", "invoice-2026"]), (1, ids(std::slice::from_ref(&invoice))), "any case");
    assert_eq!(page(&["--search", "合同"]), (1, ids(&[named("合同-甲方.pdf")])), "part of a Chinese name");
    assert_eq!(page(&["--search", "PHOTO-0", "--limit", "3"]).0, 10);
    let id = invoice["id"].as_str().unwrap();
    assert_eq!(page(&["--search", &id[..34]]).1, vec![id.to_owned()], "the start of an id");
    assert!(page(&["--search", &id[..8]]).0 >= 1);
    let sha = invoice["digests"]["sha256"].as_str().unwrap();
    assert_eq!(page(&["--search", &sha[..10].to_uppercase()]), (1, vec![id.to_owned()]), "the start of a SHA-256");
    assert_eq!(page(&["--search", "no-such-name"]), (0, vec![]));
    let text = env.ok(&["vault", "list", "--limit", "2", "--offset", "3"]);
    assert!(text.contains("records 4–5 of 12"), "{text}");
}
