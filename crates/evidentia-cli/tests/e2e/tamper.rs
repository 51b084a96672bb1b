//! `vault verify` against every way of tampering with a vault: rows edited, deleted, inserted
//! or reordered (changed with Python's sqlite3, as an intruder would), blobs changed or removed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::{Env, sha256_of, text};

/// A vault with three file records and one work record, on the run's backend.
fn sealed_vault() -> (Env, Vec<serde_json::Value>) {
    sealed_vault_in(Env::new())
}

/// The same in `env` (for the checks that edit a folder vault's database file directly).
fn sealed_vault_in(env: Env) -> (Env, Vec<serde_json::Value>) {
    env.write("one.txt", "first");
    env.write("two.txt", "second");
    env.write("three.txt", "third");
    env.write("work/a.txt", "work file a");
    env.write("work/b/c.txt", "work file c");
    env.ok(&["seal", "one.txt", "two.txt"]);
    env.ok(&["seal", "three.txt", "work"]);
    let records = env.records();
    assert_eq!(records.len(), 4);
    assert!(env.ok(&["vault", "verify"]).contains("INTACT"));
    (env, records)
}

/// Runs `vault verify`, expects exit 1, and returns (text output, JSON problems).
fn broken(env: &Env) -> (String, Vec<serde_json::Value>) {
    let out = env.run(&["vault", "verify"]);
    assert_eq!(out.status.code(), Some(1), "verify should fail: {}", text(&out.stdout));
    let (code, json) = env.json(&["vault", "verify"]);
    assert_eq!(code, 1);
    assert_eq!(json["intact"], false);
    (text(&out.stdout), json["problems"].as_array().cloned().unwrap_or_default())
}

fn first(problems: &[serde_json::Value]) -> (String, String) {
    let p = &problems[0];
    (p["code"].as_str().unwrap().to_owned(), p["item"].as_str().unwrap().to_owned())
}

#[test]
fn an_edited_event_is_named() {
    let (env, _) = sealed_vault();
    env.tamper_sql("UPDATE custody_events SET recorded_at = '2020-01-01T00:00:00.000000Z' WHERE seq = 2");
    let (out, problems) = broken(&env);
    assert_eq!(first(&problems), ("EVENT_ALTERED".into(), "event #2".into()));
    assert!(out.contains("first broken: event #2"), "{out}");
}

#[test]
fn an_edited_event_with_a_recomputed_hash_breaks_the_next_link() {
    let (env, _) = sealed_vault_in(Env::folder());
    // The intruder also fixes the edited event's own hash (the algorithm is public).
    let script = r#"
import sqlite3, sys, hashlib, struct
sys.path.insert(0, sys.argv[2])
from check_custody_log import event_hash
db = sqlite3.connect(sys.argv[1])
for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type='trigger'").fetchall():
    db.execute("DROP TRIGGER " + n)
seq, kind, at, rid, payload, prev = db.execute("SELECT seq, kind, recorded_at, record_id, payload, prev_hash FROM custody_events WHERE seq=2").fetchone()
payload = payload.replace('"two.txt"', '"forged.txt"')
db.execute("UPDATE custody_events SET payload=?, hash=? WHERE seq=2", (payload, event_hash(seq, kind, at, rid, payload, prev)))
db.commit()
"#;
    let tools = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/tools");
    let out = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(env.vault_folder().join("vault.db"))
        .arg(tools)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let (_, problems) = broken(&env);
    assert_eq!(first(&problems), ("CHAIN_BROKEN".into(), "event #3".into()));
    assert!(problems.iter().any(|p| p["code"] == "RECORD_ALTERED"), "{problems:?}");
}

#[test]
fn an_edited_record_row_is_named() {
    let (env, records) = sealed_vault();
    let id = records[1]["id"].as_str().unwrap();
    env.tamper_sql(&format!("UPDATE records SET name = 'other.txt' WHERE id = '{id}'"));
    let (_, problems) = broken(&env);
    assert_eq!(first(&problems), ("RECORD_ALTERED".into(), format!("record {id}")));
    assert!(problems[0]["detail"].as_str().unwrap().contains("name"));
}

#[test]
fn an_edited_digest_row_is_named() {
    let (env, records) = sealed_vault();
    let id = records[0]["id"].as_str().unwrap();
    let fake = sha256_of(b"something else");
    env.tamper_sql(&format!("UPDATE record_digests SET value = '{fake}' WHERE record_id = '{id}'"));
    let (_, problems) = broken(&env);
    assert_eq!(first(&problems), ("RECORD_ALTERED".into(), format!("record {id}")));
}

#[test]
fn a_deleted_event_in_the_middle_is_named() {
    let (env, _) = sealed_vault();
    env.tamper_sql("DELETE FROM custody_events WHERE seq = 2");
    let (_, problems) = broken(&env);
    assert_eq!(first(&problems), ("EVENT_MISSING".into(), "event #2".into()));
}

#[test]
fn deleted_newest_events_are_caught_by_the_head_witness() {
    let (env, records) = sealed_vault();
    let id = records[3]["id"].as_str().unwrap();
    env.tamper_sql(&format!(
        "DELETE FROM custody_events WHERE seq = 4; DELETE FROM record_digests WHERE record_id = '{id}'; \
         DELETE FROM records WHERE id = '{id}';"
    ));
    let (_, problems) = broken(&env);
    assert_eq!(first(&problems), ("EVENTS_TRUNCATED".into(), "event #4".into()));
}

#[test]
fn a_deleted_record_is_named() {
    let (env, records) = sealed_vault();
    let id = records[2]["id"].as_str().unwrap();
    env.tamper_sql(&format!(
        "DELETE FROM record_digests WHERE record_id = '{id}'; DELETE FROM records WHERE id = '{id}';"
    ));
    let (_, problems) = broken(&env);
    assert_eq!(first(&problems), ("RECORD_MISSING".into(), format!("record {id}")));
}

#[test]
fn an_inserted_record_is_named() {
    let (env, _) = sealed_vault();
    let sha = sha256_of(b"backdated");
    env.tamper_sql(&format!(
        "INSERT INTO records (id, kind, name, size, file_count, media_type, sha256, stored, source_path, profile, \
         created_at) VALUES ('00000000-0000-7000-8000-000000000001', 'file', 'backdated.pdf', 9, 1, \
         'application/pdf', '{sha}', 0, '/tmp/backdated.pdf', 'production', '2020-01-01T00:00:00.000000Z'); \
         INSERT INTO record_digests VALUES ('00000000-0000-7000-8000-000000000001', 'sha256', '{sha}');"
    ));
    let (_, problems) = broken(&env);
    assert_eq!(first(&problems), ("RECORD_UNLOGGED".into(), "record 00000000-0000-7000-8000-000000000001".into()));
}

#[test]
fn a_digest_row_for_no_record_is_named() {
    let (env, records) = sealed_vault();
    // Sorts between the sealed records' ids and after them: the streamed check meets it mid-stream.
    let id = records[1]["id"].as_str().unwrap();
    // (An id ending in 0 would give itself back: one of sixteen sealed vaults.)
    let between = if id.ends_with('0') { format!("{id}0") } else { format!("{}0", &id[..id.len() - 1]) };
    let after = "ffffffff-0000-7000-8000-000000000001";
    let sha = sha256_of(b"orphan");
    env.tamper_sql(&format!(
        "INSERT INTO record_digests VALUES ('{between}', 'sha384', '{sha}'); \
         INSERT INTO record_digests VALUES ('{after}', 'sha256', '{sha}');"
    ));
    let (_, problems) = broken(&env);
    for stray in [between.as_str(), after] {
        assert!(
            problems.iter().any(|p| p["code"] == "RECORD_UNLOGGED"
                && p["item"] == format!("record {stray}")
                && p["detail"].as_str().unwrap().contains("digest rows")),
            "{stray}: {problems:?}"
        );
    }
    assert_eq!(problems.len(), 2, "{problems:?}");
}

#[test]
fn an_inserted_event_is_named() {
    let (env, _) = sealed_vault();
    // Renumber the later events to make room, then insert a forged one at #2.
    env.tamper_sql(
        "UPDATE custody_events SET seq = seq + 100 WHERE seq >= 2; \
         UPDATE custody_events SET seq = seq - 99 WHERE seq >= 102; \
         INSERT INTO custody_events SELECT 2, kind, recorded_at, NULL, '{}', prev_hash, 'forged' FROM custody_events WHERE seq = 1;",
    );
    let (_, problems) = broken(&env);
    assert_eq!(first(&problems), ("EVENT_ALTERED".into(), "event #2".into()));
}

#[test]
fn reordered_events_are_named() {
    let (env, _) = sealed_vault();
    env.tamper_sql(
        "UPDATE custody_events SET seq = 100 WHERE seq = 2; UPDATE custody_events SET seq = 2 WHERE seq = 3; \
         UPDATE custody_events SET seq = 3 WHERE seq = 100;",
    );
    let (_, problems) = broken(&env);
    assert_eq!(first(&problems), ("EVENT_ALTERED".into(), "event #2".into()));
}

#[test]
fn a_changed_blob_is_named() {
    let (env, records) = sealed_vault();
    // Records sealed in one command may list in either order: pick one.txt by name.
    let one = records.iter().find(|r| r["name"] == "one.txt").expect("one.txt is a record");
    let sha = one["digests"]["sha256"].as_str().unwrap().to_owned();
    let blob = env.vault_folder().join("blobs/sha256").join(&sha[..2]).join(&sha);
    std::fs::write(&blob, "firsT").unwrap();
    let (out, problems) = broken(&env);
    assert_eq!(first(&problems), ("BLOB_ALTERED".into(), format!("blob {sha}")));
    assert!(out.contains("one.txt"), "the record is named too: {out}");
}

#[test]
fn a_missing_blob_is_named_including_files_inside_works() {
    let (env, _) = sealed_vault();
    let sha = sha256_of(b"work file c");
    std::fs::remove_file(env.vault_folder().join("blobs/sha256").join(&sha[..2]).join(&sha)).unwrap();
    let (out, problems) = broken(&env);
    assert_eq!(first(&problems), ("BLOB_MISSING".into(), format!("blob {sha}")));
    assert!(out.contains("b/c.txt in work record"), "{out}");
}

#[test]
fn the_database_refuses_in_place_edits_from_any_client() {
    let (env, _) = sealed_vault_in(Env::folder());
    let out = std::process::Command::new("python3")
        .args(["-c", "import sqlite3,sys; db=sqlite3.connect(sys.argv[1]); db.execute(\"UPDATE records SET name='x'\"); db.commit()"])
        .arg(env.vault_folder().join("vault.db"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("immutable"), "{}", text(&out.stderr));
    assert!(env.ok(&["vault", "verify"]).contains("INTACT"));
}
