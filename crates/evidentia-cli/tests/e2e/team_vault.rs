//! The team vault on PostgreSQL: several processes sealing at once keep one unbroken custody
//! log; the application's role can append but nobody can update or delete evidence; a server
//! that is down or a URL without its shared folder is named clearly. Needs the test server of
//! `scripts/postgres/start_local.sh` (`EVIDENTIA_TEST_POSTGRES`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::PathBuf;

use crate::support::{Env, Tsa, closed_port, psql, text};

const WRITERS: usize = 4;
const SEALS_PER_WRITER: usize = 6;
const FILES_PER_SEAL: usize = 5;

#[test]
fn four_processes_sealing_at_once_leave_one_chain_with_every_record() {
    let env = Env::team();
    let tsa = Tsa::start();
    let mut expected = BTreeSet::new();
    for w in 0..WRITERS {
        for s in 0..SEALS_PER_WRITER {
            for f in 0..FILES_PER_SEAL {
                let name = format!("w{w}s{s}f{f}.txt");
                env.write(&format!("w{w}/{name}"), format!("writer {w}, seal {s}, file {f}"));
                expected.insert(name);
            }
        }
    }
    // Each writer is its own process per seal, all four at once.
    std::thread::scope(|scope| {
        for w in 0..WRITERS {
            let (env, tsa) = (&env, &tsa);
            scope.spawn(move || {
                for s in 0..SEALS_PER_WRITER {
                    let mut cmd = env.cmd();
                    cmd.env("EVIDENTIA_TSA", tsa.url("/tsa")).env("EVIDENTIA_TSA_TRUST", tsa.root()).arg("seal");
                    for f in 0..FILES_PER_SEAL {
                        cmd.arg(format!("w{w}/w{w}s{s}f{f}.txt"));
                    }
                    let out = cmd.output().unwrap();
                    assert!(out.status.success(), "writer {w}, seal {s}: {}", text(&out.stderr));
                }
            });
        }
    });

    let records = env.records();
    let names: BTreeSet<String> = records.iter().map(|r| r["name"].as_str().unwrap().to_owned()).collect();
    assert_eq!(names, expected, "every record is present, once");
    assert_eq!(records.len(), expected.len());
    assert!(records.iter().all(|r| r["status"] == "timestamped"), "every record has its time-stamp");
    // One record and one time-stamp event per file, in one chain: a writer that completes
    // another's pending time-stamp first does not make the other write a second one.
    let (code, check) = env.json(&["vault", "verify"]);
    assert_eq!(code, 0, "{check}");
    assert_eq!(check["events"], (2 * expected.len()) as u64);
    assert_eq!(env.sql_value("SELECT COUNT(*) FROM timestamps"), expected.len().to_string());
    let py = env.check_custody_log();
    assert!(py.status.success(), "{}", text(&py.stderr));
    assert!(text(&py.stdout).starts_with(&format!("{} events", 2 * expected.len())), "{}", text(&py.stdout));
}

/// The team's roles as docs/team-vault.md sets them up: `clerk` seals, `auditor` reads.
fn grant_roles(db: &str) {
    let name = db.rsplit('/').next().unwrap();
    let sql = format!(
        "DO $$ BEGIN
           IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'clerk') THEN CREATE ROLE clerk LOGIN; END IF;
           IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'auditor') THEN CREATE ROLE auditor LOGIN; END IF;
         END $$;
         GRANT CONNECT ON DATABASE {name} TO clerk, auditor;
         GRANT USAGE ON SCHEMA public TO clerk, auditor;
         GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA public TO clerk;
         GRANT SELECT ON ALL TABLES IN SCHEMA public TO auditor;"
    );
    let out = psql(db, &sql);
    assert!(out.status.success(), "grants: {}", text(&out.stderr));
}

fn as_role(db: &str, role: &str) -> String {
    db.replacen("://admin@", &format!("://{role}:pw-of-{role}@"), 1)
}

#[test]
fn the_application_role_appends_but_nobody_updates_or_deletes_evidence() {
    let env = Env::team();
    let db = env.database.clone().unwrap();
    env.write("first.txt", "sealed by the vault's owner");
    env.write("second.txt", "sealed by a clerk");
    env.write("third.txt", "an auditor may not seal");
    env.ok(&["seal", "first.txt"]);
    grant_roles(&db);
    let folder = env.vault_folder();
    let vault_as = |role: &str| PathBuf::from(format!("{}?folder={}", as_role(&db, role), folder.display()));

    // The clerk seals.
    let out = env.cmd_in(&vault_as("clerk")).args(["seal", "second.txt"]).output().unwrap();
    assert!(out.status.success(), "clerk seals: {}", text(&out.stderr));

    // Neither the clerk nor the owner can change or remove an evidence row.
    let clerk = as_role(&db, "clerk");
    for sql in [
        "UPDATE records SET name = 'forged.txt'",
        "UPDATE custody_events SET payload = '{}' WHERE seq = 1",
        "DELETE FROM custody_events WHERE seq = 2",
        "DELETE FROM timestamps",
        "TRUNCATE custody_events CASCADE",
    ] {
        let out = psql(&clerk, sql);
        assert!(!out.status.success(), "clerk: {sql} must fail");
        assert!(text(&out.stderr).contains("permission denied"), "clerk: {sql}: {}", text(&out.stderr));
    }
    for (sql, says) in [
        ("UPDATE records SET name = 'forged.txt'", "evidence records are immutable"),
        ("DELETE FROM record_digests", "evidence records cannot be deleted"),
        ("UPDATE custody_events SET payload = '{}' WHERE seq = 1", "the custody log is append-only"),
        ("DELETE FROM custody_events WHERE seq = 2", "the custody log is append-only"),
        ("TRUNCATE custody_events CASCADE", "append-only"),
        ("UPDATE record_digests SET value = ''", "evidence records are immutable"),
    ] {
        let out = psql(&db, sql);
        assert!(!out.status.success(), "owner: {sql} must fail");
        assert!(text(&out.stderr).contains(says), "owner: {sql}: {}", text(&out.stderr));
    }

    // The auditor reads but cannot append; the refusal says why and writes nothing.
    let out = env.cmd_in(&vault_as("auditor")).args(["--json", "vault", "list"]).output().unwrap();
    assert!(out.status.success(), "auditor reads: {}", text(&out.stderr));
    let out = env.cmd_in(&vault_as("auditor")).args(["seal", "third.txt"]).output().unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("permission denied") && err.contains("SELECT and INSERT"), "{err}");
    assert!(!err.contains("pw-of-auditor"), "no password in errors: {err}");

    let names: Vec<String> = env.records().iter().map(|r| r["name"].as_str().unwrap().to_owned()).collect();
    assert_eq!(names, ["first.txt", "second.txt"]);
    assert!(env.ok(&["vault", "verify"]).contains("INTACT"));
}

#[test]
fn a_server_that_is_down_or_a_url_without_its_folder_is_named_clearly() {
    let env = Env::folder();
    env.write("a.txt", "a");
    let down = PathBuf::from(format!("postgres://clerk:s3cret@127.0.0.1:{}/evidence?folder=/tmp/x", closed_port()));
    let out = env.cmd_in(&down).args(["seal", "a.txt"]).output().unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("team vault postgres://clerk@127.0.0.1:") && err.contains("cannot be opened"), "{err}");
    assert!(err.contains("check that the server runs"), "{err}");
    assert!(!err.contains("s3cret"), "{err}");

    let no_folder = PathBuf::from("postgres://clerk:s3cret@127.0.0.1:5432/evidence");
    let out = env.cmd_in(&no_folder).args(["--json", "vault", "list"]).output().unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    let err = text(&out.stderr) + &text(&out.stdout);
    assert!(err.contains("?folder=") && !err.contains("s3cret"), "{err}");
    assert!(!env.vault_folder().exists());
}

#[test]
fn a_vault_in_a_database_that_is_not_utf8_is_checked_as_any_other() {
    // The check reads the tables as binary copies: their text must still arrive as UTF-8.
    let server = crate::support::postgres_server();
    let name = format!("latin1_{}_{}", std::process::id(), closed_port());
    let out = psql(
        &format!("{server}/postgres"),
        &format!("CREATE DATABASE {name} ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0"),
    );
    assert!(out.status.success(), "CREATE DATABASE: {}", text(&out.stderr));
    let env = Env { dir: tempfile::tempdir().unwrap(), database: Some(format!("{server}/{name}")) };
    env.write("café.txt", "crème");
    env.write("Überweisung.txt", "paid");
    env.ok(&["seal", "café.txt", "Überweisung.txt"]);
    let records = env.records();
    let names: BTreeSet<&str> = records.iter().filter_map(|r| r["name"].as_str()).collect();
    assert_eq!(names, BTreeSet::from(["café.txt", "Überweisung.txt"]));
    assert!(env.ok(&["vault", "verify"]).contains("INTACT"));

    // An edit to a letter beyond ASCII is found, as anywhere else.
    env.tamper_sql("UPDATE records SET name = 'cafe.txt' WHERE name LIKE 'caf%'");
    let (code, json) = env.json(&["vault", "verify"]);
    assert_eq!(code, 1, "{json}");
    let problems = json["problems"].as_array().unwrap();
    let altered: Vec<&str> =
        problems.iter().filter(|p| p["code"] == "RECORD_ALTERED").filter_map(|p| p["detail"].as_str()).collect();
    assert_eq!(altered.len(), 1, "{problems:?}");
    assert!(altered[0].contains("name"), "{problems:?}");
}

/// A team vault of several seals: its events' sequence numbers as the server lays the rows out.
fn laid_out_seqs(env: &Env) -> Vec<u64> {
    let out = psql(env.database.as_deref().unwrap(), "SELECT seq FROM custody_events");
    text(&out.stdout).lines().filter_map(|l| l.trim().parse().ok()).collect()
}

#[test]
fn events_the_server_moved_are_checked_in_their_order_and_one_read_twice_is_named() {
    // The check reads the log as the server lays it out; an update (even to the same values)
    // writes the row anew elsewhere.
    let env = Env::team();
    for i in 0..6 {
        env.write(&format!("f{i}.txt"), format!("file {i}"));
        env.ok(&["seal", &format!("f{i}.txt")]);
    }
    env.tamper_sql("UPDATE custody_events SET seq = seq WHERE seq IN (2, 4)");
    let laid_out = laid_out_seqs(&env);
    let mut sorted = laid_out.clone();
    sorted.sort_unstable();
    assert_ne!(laid_out, sorted, "the rows should lie out of order");
    assert_eq!(sorted, (1..=6).collect::<Vec<u64>>());
    assert!(env.ok(&["vault", "verify"]).contains("INTACT"));

    // A copy of event #3 (the keys removed to allow it): read as laid out it comes after #3 itself.
    env.tamper_sql(
        "ALTER TABLE custody_events DROP CONSTRAINT custody_events_pkey, DROP CONSTRAINT custody_events_hash_key; \
         INSERT INTO custody_events SELECT * FROM custody_events WHERE seq = 3;",
    );
    let (code, json) = env.json(&["vault", "verify"]);
    assert_eq!(code, 1, "{json}");
    let problems = json["problems"].as_array().unwrap();
    assert!(problems.iter().any(|p| p["item"] == "event #3"), "{problems:?}");
}

#[test]
fn records_and_digests_the_server_moved_are_paired_and_an_edit_among_them_is_named() {
    // Both tables are read as laid out and paired by record id; an update (even to the same
    // values) writes the row anew elsewhere, parting it from its partner.
    let env = Env::team();
    for i in 0..6 {
        env.write(&format!("f{i}.txt"), format!("file {i}"));
        env.ok(&["seal", &format!("f{i}.txt")]);
    }
    let records = env.records();
    let id = |i: usize| records[i]["id"].as_str().unwrap().to_owned();
    let db = env.database.as_deref().unwrap();
    let laid_out = |sql: &str| -> Vec<String> {
        text(&psql(db, sql).stdout).lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
    };
    env.tamper_sql(&format!(
        "UPDATE records SET name = name WHERE id IN ('{}', '{}'); \
         UPDATE record_digests SET value = value WHERE record_id = '{}';",
        id(1),
        id(3),
        id(4)
    ));
    let record_order = laid_out("SELECT id FROM records");
    let mut digest_order = laid_out("SELECT record_id FROM record_digests");
    digest_order.dedup();
    assert_eq!(record_order.len(), 6);
    assert_ne!(record_order, digest_order, "the tables should lie in different orders");
    assert!(env.ok(&["vault", "verify"]).contains("INTACT"));

    // One digest row of a record moved away from its others: still paired (by key).
    env.tamper_sql(&format!(
        "UPDATE record_digests SET value = value WHERE record_id = '{0}' AND algorithm = \
         (SELECT min(algorithm) FROM record_digests WHERE record_id = '{0}');",
        id(2)
    ));
    assert!(env.ok(&["vault", "verify"]).contains("INTACT"));

    // An edit to a moved record is named.
    env.tamper_sql(&format!("UPDATE records SET name = 'other.txt' WHERE id = '{}'", id(3)));
    let (code, json) = env.json(&["vault", "verify"]);
    assert_eq!(code, 1, "{json}");
    let problems = json["problems"].as_array().unwrap();
    let altered: Vec<&serde_json::Value> = problems.iter().filter(|p| p["code"] == "RECORD_ALTERED").collect();
    assert_eq!(altered.len(), 1, "{problems:?}");
    assert_eq!(altered[0]["item"], format!("record {}", id(3)), "{problems:?}");
}

#[test]
fn case_rows_edited_on_the_server_are_named() {
    // The case tables are read whole, as binary copies: each kind of edit to them is still found.
    let env = Env::team();
    for name in ["a.txt", "b.txt"] {
        env.write(name, name);
    }
    env.ok(&["seal", "a.txt", "b.txt"]);
    let records = env.records();
    let (a, b) = (records[0]["id"].as_str().unwrap(), records[1]["id"].as_str().unwrap());
    env.ok(&["case", "new", "Müller ./. Schmidt"]);
    env.ok(&["case", "add", "Müller ./. Schmidt", a, b]);
    assert!(env.ok(&["vault", "verify"]).contains("INTACT"));

    env.tamper_sql(&format!(
        "UPDATE case_changes SET added = 0 WHERE record_id = '{a}'; \
         INSERT INTO cases (name, opened_seq, opened_at) VALUES ('ghost', 1, '2026-01-01T00:00:00Z'); \
         DELETE FROM case_members WHERE record_id = '{b}';"
    ));
    let (code, json) = env.json(&["vault", "verify"]);
    assert_eq!(code, 1, "{json}");
    let found: BTreeSet<(&str, &str)> = json["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["code"].as_str().unwrap(), p["item"].as_str().unwrap()))
        .collect();
    assert!(found.contains(&("CASE_UNLOGGED", "case ghost")), "{found:?}");
    assert!(found.contains(&("CASE_MEMBERS_MISMATCH", "case Müller ./. Schmidt")), "{found:?}");
    assert!(found.iter().any(|(code, item)| *code == "CASE_ALTERED" && item.starts_with("case change #")), "{found:?}");
}

/// The team vault's URL as `role` (one of the password roles of `scripts/postgres/start_local.sh`)
/// with `password`, folder included.
fn with_password(env: &Env, role: &str, password: &str) -> PathBuf {
    let db = env.database.as_deref().unwrap().replacen("://admin@", &format!("://{role}:{password}@"), 1);
    PathBuf::from(format!("{db}?folder={}", env.vault_folder().display()))
}

#[test]
fn a_vault_is_checked_by_roles_that_log_in_with_a_password() {
    // The check reads its big tables on connections of its own, which log in as the general
    // client does: by SCRAM-SHA-256 or a password in clear (by MD5 the general client reads them).
    let env = Env::team();
    for i in 0..3 {
        env.write(&format!("f{i}.txt"), format!("file {i}"));
    }
    env.ok(&["seal", "f0.txt", "f1.txt", "f2.txt"]);
    let password = "test%20p%C3%A4ssword";
    for role in ["evidentia_scram", "evidentia_clear", "evidentia_md5"] {
        let out = env.cmd_in(&with_password(&env, role, password)).args(["vault", "verify"]).output().unwrap();
        assert!(out.status.success(), "{role}: {}", text(&out.stderr));
        assert!(text(&out.stdout).contains("INTACT"), "{role}: {}", text(&out.stdout));
    }
    let out = env.cmd_in(&with_password(&env, "evidentia_scram", "wrong")).args(["vault", "verify"]).output().unwrap();
    assert!(!out.status.success());
    let said = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(said.contains("password authentication failed"), "{said}");
    assert!(!said.contains("wrong@"), "the password is not shown: {said}");

    let id = env.records()[1]["id"].as_str().unwrap().to_owned();
    env.tamper_sql(&format!("UPDATE records SET name = 'other.txt' WHERE id = '{id}'"));
    for role in ["evidentia_scram", "evidentia_md5"] {
        let out =
            env.cmd_in(&with_password(&env, role, password)).args(["--json", "vault", "verify"]).output().unwrap();
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let altered: Vec<&serde_json::Value> =
            json["problems"].as_array().unwrap().iter().filter(|p| p["code"] == "RECORD_ALTERED").collect();
        assert_eq!(altered.len(), 1, "{role}: {json}");
        assert_eq!(altered[0]["item"], format!("record {id}"), "{role}: {json}");
    }
}
