//! Renders results as text for people or as the JSON documented in docs/cli.md.

use std::path::{Path, PathBuf};

use evidentia::config::ProfileName;
use evidentia::digest::FileDigests;
use std::collections::HashSet;

use evidentia::seal::SealReport;
use evidentia::stamp::StampOutcome;
use evidentia::subject::InputError;
use evidentia::tsp::{ObtainedTimestamp, VerifiedTimestamp};
use evidentia::vault::{EvidenceRecord, RecordDetail, RecordStatus, VaultCheck};
use evidentia::work::WorkManifest;
use serde_json::json;

fn print_json(value: &serde_json::Value) {
    println!("{}", serde_json::to_string_pretty(value).unwrap_or_default());
}

/// An error: always a line on stderr; with --json also an object on stdout.
pub fn error(json: bool, code: &str, message: &str) {
    eprintln!("evidentia: {message}");
    if json {
        print_json(&json!({ "error": { "code": code, "message": message } }));
    }
}

/// A checksum line as sha256sum writes it: names with a backslash or newline are escaped and
/// the line starts with a backslash.
fn checksum_line(digest: &str, path: &Path, algo_tag: Option<&str>) -> String {
    let name = path.to_string_lossy();
    let escaped = name.contains(['\\', '\n', '\r']);
    let name =
        if escaped { name.replace('\\', "\\\\").replace('\n', "\\n").replace('\r', "\\r") } else { name.into_owned() };
    let lead = if escaped { "\\" } else { "" };
    match algo_tag {
        Some(tag) => format!("{lead}{tag} ({name}) = {digest}"),
        None => format!("{lead}{digest}  {name}"),
    }
}

/// `hash`: returns whether any file failed.
pub fn file_digests(json: bool, tagged: bool, results: &[Result<FileDigests, InputError>]) -> bool {
    let mut failed = false;
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for r in results {
        match r {
            Ok(f) => {
                if !json {
                    for (algo, value) in f.digests.iter() {
                        let tag = tagged.then(|| algo.tag());
                        println!("{}", checksum_line(&value.to_hex(), &f.path, tag));
                    }
                }
                files.push(f);
            }
            Err(e) => {
                failed = true;
                eprintln!("evidentia: {e}");
                errors.push(json!({ "code": e.code(), "message": e.to_string() }));
            }
        }
    }
    if json {
        print_json(&json!({ "files": files, "errors": errors }));
    }
    failed
}

/// `hash --work`.
pub fn work_digests(json: bool, tagged: bool, works: &[(PathBuf, WorkManifest)]) {
    if json {
        let out: Vec<_> = works
            .iter()
            .map(|(root, m)| {
                json!({
                    "path": root,
                    "files": m.files.len(),
                    "size": m.total_size(),
                    "digests": m.digests(),
                    "manifest": m,
                })
            })
            .collect();
        print_json(&json!({ "works": out }));
        return;
    }
    for (root, m) in works {
        for (algo, value) in m.digests().iter() {
            let tag = (tagged || m.algorithms.len() > 1).then(|| algo.tag());
            println!("{}", checksum_line(&value.to_hex(), root, tag));
        }
    }
}

fn status_word(status: RecordStatus) -> &'static str {
    match status {
        RecordStatus::Sealed => "sealed",
        RecordStatus::TimestampPending => "timestamp pending",
        RecordStatus::Timestamped => "timestamped",
    }
}

/// Lines about one record's time-stamp attempt.
fn stamp_lines(s: &StampOutcome) {
    for t in &s.timestamps {
        println!("    time-stamp {} from {} (serial {})", t.gen_time, t.tsa_url, t.serial);
    }
    for f in &s.flags {
        println!("    warning: {}", serde_json::to_string(f).unwrap_or_default());
    }
    for a in &s.failed {
        println!("    {} failed: {} [{}]", a.url, a.error, a.error.code());
    }
    if let Some(p) = &s.pending_reason {
        println!("    time-stamp pending: {} [{}]; `evidentia sync` retries", p.message, p.code);
    }
}

/// `seal`.
pub fn sealed(json: bool, vault: &Path, profile: ProfileName, report: &SealReport) {
    if json {
        print_json(&json!({
            "vault": vault,
            "profile": profile.as_str(),
            "notice": profile.notice(),
            "records": report.records,
            "earlier_pending": report.earlier_pending,
            "signed_pdfs": report.signed_pdfs,
        }));
        return;
    }
    if let Some(notice) = profile.notice() {
        println!("{notice}");
    }
    for p in &report.signed_pdfs {
        println!("signed inside the PDF (PAdES-{}): {}", p.level.name(), p.output.display());
    }
    let mut fresh = 0;
    for o in &report.records {
        let r = &o.record;
        let status = status_word(o.status);
        if !o.already_sealed {
            fresh += 1;
        }
        let what = if o.already_sealed { format!("already sealed, {status}") } else { status.to_owned() };
        println!("{}  {}  {}  ({what})", r.id, r.sha256_hex(), r.name);
        for s in &o.skipped {
            println!("    skipped {}: {}", s.path.display(), s.reason);
        }
        if let Some(g) = &o.signature {
            signature_line(g);
        }
        if let Some(s) = &o.timestamp {
            stamp_lines(s);
        }
    }
    for s in &report.earlier_pending {
        println!("earlier record {}:", s.record_id);
        stamp_lines(s);
    }
    println!("{fresh} new record(s), {} already sealed, in vault {}", report.records.len() - fresh, vault.display());
}

/// `sync`.
pub fn synced(
    json: bool,
    profile: ProfileName,
    stamped: Option<&[StampOutcome]>,
    anchored: Option<&evidentia::anchor::LedgerOutcomes>,
) {
    if json {
        let mut v = json!({ "profile": profile.as_str(), "notice": profile.notice() });
        if let Some(outcomes) = stamped {
            v["records"] = json!(outcomes);
        }
        if let Some(outcomes) = anchored {
            v["anchors"] = json!(outcomes.chain);
            v["ots"] = json!(outcomes.ots);
        }
        print_json(&v);
        return;
    }
    if let Some(outcomes) = stamped {
        synced_stamps(profile, outcomes);
    }
    if let Some(outcomes) = anchored {
        self::anchored(false, outcomes);
    }
}

fn synced_stamps(profile: ProfileName, outcomes: &[StampOutcome]) {
    if let Some(notice) = profile.notice() {
        println!("{notice}");
    }
    if outcomes.is_empty() {
        println!("no record is waiting for a time-stamp");
    }
    for s in outcomes {
        println!("record {}:", s.record_id);
        stamp_lines(s);
    }
    let done = outcomes.iter().filter(|s| s.pending_reason.is_none()).count();
    println!("{done} time-stamped, {} still pending", outcomes.len() - done);
}

/// `timestamp request`.
pub fn timestamp_obtained(json: bool, profile: ProfileName, out: &Path, t: &ObtainedTimestamp) {
    if json {
        print_json(&json!({
            "token": out,
            "tsa": t.url,
            "verified": t.verified,
            "failed_before": t.failed_before,
            "profile": profile.as_str(),
            "notice": profile.notice(),
        }));
        return;
    }
    if let Some(notice) = profile.notice() {
        println!("{notice}");
    }
    for a in &t.failed_before {
        println!("{} failed: {} [{}]", a.url, a.error, a.error.code());
    }
    println!(
        "time-stamp from {}: {} (serial {}), written to {}",
        t.url,
        t.verified.gen_time,
        t.verified.serial,
        out.display()
    );
}

/// `timestamp verify`, valid token.
pub fn timestamp_verified(json: bool, token: &Path, v: &VerifiedTimestamp) {
    if json {
        print_json(&json!({ "token": token, "result": "PASSED", "verified": v }));
        return;
    }
    println!("{}: PASSED", token.display());
    println!("  time:     {} ({})", v.gen_time, v.gen_time_raw);
    if let Some(acc) = v.accuracy_micros {
        println!("  accuracy: ±{acc} µs");
    }
    println!("  TSA:      {}", v.tsa_subject);
    println!("  chain:    {}", v.chain.join(" → "));
    println!("  policy:   {}", v.policy);
    println!("  serial:   {}", v.serial);
}

/// `signature verify`, valid signature.
pub fn signature_verified(json: bool, path: &Path, v: &evidentia::cades_verify::VerifiedSignature) {
    if json {
        print_json(&json!({ "signature": path, "result": "PASSED", "verified": v }));
        return;
    }
    println!("{}: PASSED ({})", path.display(), v.level);
    println!("  signer:   {}", v.signer.subject);
    if v.self_signed {
        println!("            self-signed: no CA vouches for this name");
    }
    println!("  chain:    {}", v.chain.join(" → "));
    if let Some(t) = &v.signing_time {
        println!("  claimed signing time: {t}");
    }
    if let Some(t) = &v.timestamp {
        println!("  time-stamped: {} by {}", t.gen_time, t.tsa_subject);
    }
    for w in &v.warnings {
        println!("  warning:  {w}");
    }
}

/// `signature verify`: one signer as [`signature_verified`] or [`timestamp_rejected`] show it;
/// several, each with its outcome under the verdict over all.
pub fn signature_report(json: bool, path: &Path, report: &evidentia::SignatureFileReport) {
    if let [one] = report.signers.as_slice() {
        match one {
            Ok(v) => signature_verified(json, path, v),
            Err(e) => timestamp_rejected(json, path, e),
        }
        return;
    }
    let verdict = report.result.verdict();
    if json {
        let signers: Vec<_> = report
            .signers
            .iter()
            .map(|s| match s {
                Ok(v) => json!({ "result": "PASSED", "verified": v }),
                Err(e) => json!({ "result": e.indication().verdict(), "reason": e.code(), "message": e.to_string() }),
            })
            .collect();
        print_json(&json!({ "signature": path, "result": verdict, "signers": signers }));
        return;
    }
    println!("{}: {} ({} signers)", path.display(), verdict.as_str(), report.signers.len());
    for (i, s) in report.signers.iter().enumerate() {
        match s {
            Ok(v) => println!("  signer {}: PASSED ({}) {}", i + 1, v.level, v.signer.subject),
            Err(e) => println!("  signer {}: {} [{}] {e}", i + 1, e.indication().verdict().as_str(), e.code()),
        }
    }
}

/// A rejected token or signature (`timestamp verify`, `signature verify`): FAILED, or
/// INDETERMINATE when it cannot be decided here.
pub fn timestamp_rejected(json: bool, token: &Path, e: &evidentia::Error) {
    let (verdict, code, message) = (e.indication().verdict(), e.code(), e.to_string());
    if json {
        print_json(&json!({ "token": token, "result": verdict, "reason": code, "message": message }));
        return;
    }
    println!("{}: {} [{code}]", token.display(), verdict.as_str());
    println!("  {message}");
}

/// `vault list`; with `page` (the number of matches and the page's offset), one page of it.
pub fn record_list(
    json: bool,
    vault: &Path,
    records: &[EvidenceRecord],
    stamped: &HashSet<String>,
    page: Option<(u64, u64)>,
) {
    let status = |r: &EvidenceRecord| RecordStatus::of(r, stamped.contains(&r.id));
    if json {
        let rows: Vec<_> = records
            .iter()
            .map(|r| {
                let mut v = serde_json::to_value(r).unwrap_or_default();
                v["status"] = json!(status(r));
                v
            })
            .collect();
        let mut out = json!({ "vault": vault, "records": rows });
        if let Some((total, offset)) = page {
            out["total"] = json!(total);
            out["offset"] = json!(offset);
        }
        print_json(&out);
        return;
    }
    if records.is_empty() {
        println!("no records in vault {}", vault.display());
        return;
    }
    if let Some((total, offset)) = page {
        println!("records {}–{} of {total}", offset + 1, offset + records.len() as u64);
    }
    println!("{:<36}  {:<27}  {:<4}  {:>12}  {:<17}  NAME", "ID", "SEALED", "KIND", "SIZE", "STATUS");
    for r in records {
        let sandbox = if r.profile == "sandbox" { "  [sandbox]" } else { "" };
        println!(
            "{:<36}  {:<27}  {:<4}  {:>12}  {:<17}  {}{sandbox}",
            r.id,
            r.created_at,
            r.kind.as_str(),
            r.size,
            status_word(status(r)),
            r.name
        );
    }
}

/// `vault show`.
pub fn record_detail(json: bool, d: &RecordDetail) {
    if json {
        print_json(&serde_json::to_value(d).unwrap_or_default());
        return;
    }
    let r = &d.record;
    if r.profile == "sandbox" {
        println!("{}", evidentia::config::SANDBOX_NOTICE);
    }
    println!("id:          {}", r.id);
    println!("name:        {}", r.name);
    println!("kind:        {}", r.kind.as_str());
    println!("size:        {} bytes in {} file(s)", r.size, r.file_count);
    println!("media type:  {}", r.media_type);
    for (algo, value) in r.digests.iter() {
        println!("{:<12} {}", format!("{algo}:"), value);
    }
    println!("copy kept:   {}", if r.stored { "yes" } else { "no" });
    println!("source:      {}", r.source_path);
    println!("sealed at:   {}", r.created_at);
    println!("profile:     {}", r.profile);
    println!("status:      {}", status_word(d.status));
    if !d.cases.is_empty() {
        println!("cases:       {}", d.cases.join("; "));
    }
    for g in &d.signatures {
        signature_line(g);
    }
    if let Some(i) = &d.inclusion {
        let anchored = match &i.anchor {
            Some(a) => format!(
                "anchored on chain {} in block {} ({}), tx {}",
                a.anchor.chain_id, a.anchor.block_number, a.anchor.block_hash, a.anchor.tx_hash
            ),
            None => "not yet anchored".to_owned(),
        };
        println!(
            "batch:       {} (leaf {} of {}, root {}); {anchored}",
            i.batch.id, i.proof.leaf_index, i.proof.tree_size, i.batch.root
        );
    }
    for t in &d.timestamps {
        println!("time-stamp:  {} from {} (serial {}, policy {})", t.gen_time, t.tsa_url, t.serial, t.policy);
    }
    println!("custody events:");
    for e in &d.events {
        println!("  #{:<6} {:<10} {}  {}", e.seq, e.kind, e.recorded_at, e.hash);
    }
}

fn signature_line(g: &evidentia::vault::EvidenceSignature) {
    let vouched = if g.self_signed { "self-signed: no CA vouches for this identity" } else { "issued by a CA" };
    println!("    signed:  by {} (identity `{}`; {vouched}) at {}", g.signer_subject, g.identity, g.signed_at);
}

/// `vault signature`.
pub fn record_signature(json: bool, out: &Path, d: &RecordDetail) {
    let stamped = d.signatures.iter().any(|g| d.timestamps.iter().any(|t| t.imprint == g.signature_value_sha256));
    let level = if stamped { "CAdES-B-T" } else { "CAdES-B-B" };
    if json {
        print_json(&json!({ "record": d.record.id, "level": level, "out": out, "signatures": d.signatures }));
        return;
    }
    println!("{level} signature of record {} written to {}", d.record.id, out.display());
}

/// `vault verify`.
pub fn vault_check(json: bool, vault: &Path, profile: ProfileName, check: &VaultCheck) {
    if json {
        print_json(&json!({
            "vault": vault,
            "intact": check.intact(),
            "events": check.events,
            "records": check.records,
            "blobs": check.blobs,
            "head": check.head.as_ref().map(|(seq, hash)| json!({ "seq": seq, "hash": hash })),
            "problems": check.problems,
        }));
        return;
    }
    if let Some(notice) = profile.notice() {
        println!("{notice}");
    }
    let head = match &check.head {
        Some((seq, hash)) => format!("head #{seq} {hash}"),
        None => "empty log".to_owned(),
    };
    if check.intact() {
        println!(
            "vault {}: INTACT — {} events, {} records, {} blobs checked; {head}",
            vault.display(),
            check.events,
            check.records,
            check.blobs
        );
        return;
    }
    println!("vault {}: BROKEN — {} problem(s); {head}", vault.display(), check.problems.len());
    if let Some(first) = check.problems.first() {
        println!("first broken: {} — {} [{}]", first.item, first.detail, first.code);
    }
    for p in &check.problems {
        println!("  {}: {} [{}]", p.item, p.detail, p.code);
    }
}

/// `identity import | new | list`.
pub fn identities(json: bool, dir: &Path, infos: &[evidentia::identity::IdentityInfo]) {
    if json {
        print_json(&json!({ "store": dir, "identities": infos }));
        return;
    }
    if infos.is_empty() {
        println!("no identity in {}", dir.display());
    }
    for i in infos {
        let vouched = if i.self_made { "self-made: no CA vouches for it" } else { "issued by a CA" };
        println!(
            "{}  {}  {}  (valid until {}; {vouched})",
            i.name, i.key, i.certificate.subject, i.certificate.not_after
        );
    }
}

/// `identity seal`.
pub fn identity_seal(
    json: bool,
    identity: &str,
    seal: Option<&evidentia::identity::IdentitySeal>,
    preview: Option<&Path>,
) {
    let described = seal.map(evidentia::identity::IdentitySeal::describe);
    if json {
        print_json(&json!({ "identity": identity, "seal": described, "preview": preview }));
        return;
    }
    match described {
        Some(d) => println!("identity `{identity}` stamps: {d}"),
        None => println!("identity `{identity}` has no seal"),
    }
    if let Some(p) = preview {
        println!("preview written to {}", p.display());
    }
}

/// `identity token list`.
pub fn token_slots(json: bool, module: &Path, slots: &[evidentia::identity::TokenSlot]) {
    if json {
        print_json(&json!({ "module": module, "slots": slots }));
        return;
    }
    println!("module {}", module.display());
    for slot in slots {
        let Some(t) = &slot.token else {
            println!("slot {}  {}  (no token)", slot.slot, slot.description);
            continue;
        };
        if !t.initialized {
            println!("slot {}  {}  (token not initialised)", slot.slot, slot.description);
            continue;
        }
        let mut pin = Vec::new();
        if t.pin_locked {
            pin.push("PIN LOCKED");
        } else if t.pin_final_try {
            pin.push("one PIN try left");
        } else if t.pin_count_low {
            pin.push("a wrong PIN was entered");
        }
        if t.pin_pad {
            pin.push("PIN on the reader's keypad");
        }
        let pin = if pin.is_empty() { String::new() } else { format!("  [{}]", pin.join(", ")) };
        println!("slot {}  token `{}`  {} {}  serial {}{pin}", slot.slot, t.label, t.manufacturer, t.model, t.serial);
        for o in &t.objects {
            let what = o.subject.as_deref().or(o.key_type.as_deref()).unwrap_or("");
            println!(
                "    {:<12} label `{}`  id {}  {what}",
                o.class,
                o.label,
                if o.id.is_empty() { "-" } else { &o.id }
            );
        }
    }
}

/// `sign`.
pub fn signed(
    json: bool,
    profile: ProfileName,
    out: &Path,
    identity: &evidentia::identity::Identity,
    s: &evidentia::cades::SignedFile,
) {
    let level = if s.timestamp.is_some() { "CAdES-B-T" } else { "CAdES-B-B" };
    if json {
        print_json(&json!({
            "signature": out,
            "level": level,
            "identity": identity.name,
            "signer": evidentia::identity::CertificateSummary::of(identity.certificate()),
            "self_made": identity.self_made,
            "digests": s.content_digest,
            "timestamp": s.timestamp,
            "timestamp_error": s.timestamp_error.as_ref().map(|e| json!({"code": e.code(), "message": e.to_string()})),
            "profile": profile.as_str(),
            "notice": profile.notice(),
        }));
        return;
    }
    if let Some(notice) = profile.notice() {
        println!("{notice}");
    }
    println!("{level} signature by {} written to {}", identity.certificate().tbs_certificate.subject, out.display());
    if identity.self_made {
        println!("  self-made identity: no CA vouches for the signer's name");
    }
    if let Some(t) = &s.timestamp {
        println!("  signature time-stamp {} (serial {})", t.gen_time, t.serial);
    }
    if let Some(e) = &s.timestamp_error {
        println!("  no time-stamp: {e} [{}]", e.code());
    }
}

/// `anchor flush`.
pub fn batch_made(json: bool, batch: Option<&evidentia::vault::AnchorBatch>, chain_configured: bool) {
    if json {
        print_json(&json!({ "batch": batch }));
        return;
    }
    match batch {
        None => println!("no record waits for a batch"),
        Some(b) => {
            println!("batch {}: {} leaves ({} record(s) and the log's head #{})", b.id, b.size, b.size - 1, b.head_seq);
            println!("root {}", b.root);
            if !chain_configured {
                println!(
                    "not anchored: no chain is configured (EVIDENTIA_EVM_RPC); `anchor flush` or `sync` anchors it then"
                );
            }
        }
    }
}

/// `anchor status`.
pub fn anchoring(json: bool, all: &[evidentia::vault::BatchAnchoring], ots: &[evidentia::vault::OtsStamp]) {
    if json {
        print_json(&json!({ "batches": all, "ots": ots }));
        return;
    }
    if all.is_empty() {
        println!("no batch yet; `evidentia anchor flush` makes one");
    }
    for a in all {
        let b = &a.batch;
        let state = match (a.live_anchor(), a.sends.last()) {
            (Some(live), _) => format!(
                "anchored: chain {} block {} ({}) tx {}",
                live.anchor.chain_id, live.anchor.block_number, live.anchor.block_hash, live.anchor.tx_hash
            ),
            (None, Some(send)) => format!("sent, not yet confirmed: tx {}", send.tx_hash),
            (None, None) => "not on a chain".to_owned(),
        };
        println!("{}  root {}  {} leaves  head #{}  {state}", b.id, b.root, b.size, b.head_seq);
        let mut calendars: Vec<&evidentia::vault::OtsStamp> = Vec::new();
        for s in ots.iter().filter(|s| s.batch_id == b.id) {
            match calendars.iter_mut().find(|c| c.calendar == s.calendar) {
                Some(c) => *c = s,
                None => calendars.push(s),
            }
        }
        for s in calendars {
            match s.bitcoin_height {
                Some(h) => println!("    OpenTimestamps {}: attested in Bitcoin block {h}", s.calendar),
                None => println!("    OpenTimestamps {}: pending Bitcoin attestation", s.calendar),
            }
        }
    }
}

/// Anchoring results of `anchor flush` and `sync`.
pub fn anchored(json: bool, outcomes: &evidentia::anchor::LedgerOutcomes) {
    if json {
        print_json(&json!({ "anchors": outcomes.chain, "ots": outcomes.ots }));
        return;
    }
    for o in &outcomes.chain {
        let reorg = if o.reorg_detected { " (a reorg dropped the earlier anchor; re-anchored)" } else { "" };
        println!("batch {}: {} — {}{reorg}", o.batch_id, o.state, o.detail);
    }
    for o in &outcomes.ots {
        println!("batch {} at {}: {} — {}", o.batch_id, o.calendar, o.state, o.detail);
    }
}

/// `anchor ots`.
pub fn ots_written(json: bool, out: &Path, proof: &evidentia::anchor::ots::format::DetachedTimestamp) {
    let attestations = proof.timestamp.attestations(&proof.digest).unwrap_or_default();
    if json {
        let list: Vec<String> = attestations.iter().map(|(_, a)| a.to_string()).collect();
        print_json(&json!({ "ots": out, "digest": hex::encode(&proof.digest), "attestations": list }));
        return;
    }
    println!("OpenTimestamps proof of {} written to {}", hex::encode(&proof.digest), out.display());
    for (commitment, a) in attestations {
        println!("  {a} (commitment {})", hex::encode(commitment));
    }
}

/// `anchor verify`.
pub fn anchor_report(json: bool, r: &evidentia::anchor::check::AnchorReport) {
    if json {
        print_json(&serde_json::to_value(r).unwrap_or_default());
        return;
    }
    println!("record {}: {}", r.record_id, r.result);
    for c in r.checks.iter().chain(&r.notes) {
        check_line(c);
    }
}

/// `export`.
pub fn exported(json: bool, r: &evidentia::package::export::ExportReport) {
    if json {
        print_json(&serde_json::to_value(r).unwrap_or_default());
        return;
    }
    if let Some(notice) = r.profile.notice() {
        println!("{notice}");
    }
    println!("package written: {} ({} records, {} entries)", r.path.display(), r.records.len(), r.entries);
    println!("SHA-256 {}", r.sha256);
    println!("manifest sealed by: {}", r.sealed_by);
}

/// `extract`.
pub fn extracted(json: bool, dir: &Path, entries: usize) {
    if json {
        print_json(&json!({ "extracted": dir, "entries": entries }));
        return;
    }
    println!("{entries} entries extracted into {}", dir.display());
}

/// `verify PACKAGE`.
pub fn package_report(json: bool, r: &evidentia::verify::package::PackageReport) {
    if json {
        print_json(&serde_json::to_value(r).unwrap_or_default());
        return;
    }
    if r.profile == "sandbox" {
        println!("SANDBOX — NOT LEGAL EVIDENCE: this package was made with test services.");
    }
    println!("package {}: {}", r.package, r.result);
    use evidentia::verify::package::ForeignEvidence;
    if r.made_elsewhere == Some(ForeignEvidence::EvidenceRecord) {
        println!(
            "  an evidence record made by another tool: its hash trees and archive time-stamps checked over the file given"
        );
    } else if r.exported_at.is_empty() {
        println!("  an ASiC container without an Evidentia evidence document: checked as ASiC");
    } else {
        println!("  exported {} by {}", r.exported_at, r.producer);
    }
    if let Some(case) = &r.case {
        println!("  case: {case}");
    }
    println!(
        "  policy: trust {}; self-signed signers {}; chain {}",
        r.policy.trust.join(", "),
        if r.policy.accept_self_signed { "accepted" } else { "not accepted" },
        r.policy.chain
    );
    for c in &r.checks {
        check_line(c);
    }
    for c in &r.notes {
        check_line_as("note ", c);
    }
    for rec in &r.records {
        println!("record {} ({}): {}", rec.id, rec.name, rec.result);
        for c in &rec.checks {
            check_line(c);
        }
        for c in &rec.notes {
            check_line_as("note ", c);
        }
    }
}

/// `sync --ots`.
pub fn ots_upgraded(json: bool, upgrades: &[evidentia::anchor::ots::upgrade::ProofUpgrade]) {
    if json {
        print_json(&serde_json::to_value(upgrades).unwrap_or_default());
        return;
    }
    for u in upgrades {
        let state = if u.complete() {
            let heights: Vec<String> = u.bitcoin.iter().map(u64::to_string).collect();
            format!("attested in Bitcoin block {}", heights.join(", "))
        } else {
            "still pending".to_owned()
        };
        println!("{}: {state}", u.proof);
        for c in &u.upgraded {
            println!("  upgraded from {c}");
        }
        for c in u.pending.iter().chain(&u.not_asked) {
            println!("  waiting: {c}");
        }
        if let Some(b) = &u.backup {
            println!("  the proof as it was: {b}");
        }
    }
}

/// `verify FILE.ots`.
pub fn ots_report(json: bool, r: &evidentia::verify::ots::OtsReport) {
    if json {
        print_json(&serde_json::to_value(r).unwrap_or_default());
        return;
    }
    println!("OpenTimestamps proof {}: {}", r.proof, r.result);
    println!("  over {} ({} {}); Bitcoin node: {}", r.file, r.file_hash, r.digest, r.bitcoin_node);
    for c in &r.checks {
        check_line(c);
    }
    for c in &r.notes {
        check_line_as("note ", c);
    }
}

fn check_line(c: &evidentia::verify::Check) {
    check_line_as("", c);
}

fn check_line_as(prefix: &str, c: &evidentia::verify::Check) {
    let verdict = match c.verdict {
        evidentia::verify::Verdict::Passed => "PASSED".to_owned(),
        evidentia::verify::Verdict::Failed => format!("FAILED [{}]", c.reason.as_deref().unwrap_or("")),
        evidentia::verify::Verdict::Indeterminate => format!("INDETERMINATE [{}]", c.reason.as_deref().unwrap_or("")),
    };
    let name = format!("{prefix}{}", c.check);
    if c.subject.is_empty() {
        println!("  {name:<13} {verdict} — {}", c.detail);
    } else {
        println!("  {name:<13} {verdict} — {}: {}", c.subject, c.detail);
    }
}

/// `pdf sign`.
pub fn pdf_signed(
    json: bool,
    profile: ProfileName,
    signed: &[&evidentia::pades::SignedPdf],
    failed: &[(&PathBuf, &evidentia::Error)],
    took: std::time::Duration,
) {
    if json {
        print_json(&json!({
            "signed": signed,
            "failed": failed.iter().map(|(f, e)| json!({"file": f, "code": e.code(), "message": e.to_string()})).collect::<Vec<_>>(),
            "seconds": took.as_secs_f64(),
            "profile": profile.as_str(),
            "notice": profile.notice(),
        }));
        return;
    }
    if let Some(notice) = profile.notice() {
        println!("{notice}");
    }
    for s in signed {
        println!(
            "PAdES-{} signature `{}` by {} written to {}",
            s.level.name(),
            s.field,
            s.signer.subject,
            s.output.display()
        );
        if let Some(t) = &s.timestamp {
            println!("  signature time-stamp {} by {}", t.gen_time.to_rfc3339(), t.tsa_subject);
        }
        if let Some(v) = &s.validation {
            println!(
                "  validation data: {} certificate(s), {} OCSP response(s), {} CRL(s)",
                v.certificates, v.ocsps, v.crls
            );
            for m in &v.missing {
                println!("  no revocation data: {m}");
            }
        }
        if let Some(t) = &s.document_timestamp {
            println!("  document time-stamp {} by {}", t.gen_time.to_rfc3339(), t.tsa_subject);
        }
    }
    for (file, e) in failed {
        println!("NOT signed: {}: {e} [{}]", file.display(), e.code());
    }
    if signed.len() + failed.len() > 1 {
        let secs = took.as_secs_f64().max(1e-6);
        println!(
            "{} of {} PDFs signed in {:.1} s ({:.0} per minute)",
            signed.len(),
            signed.len() + failed.len(),
            secs,
            signed.len() as f64 * 60.0 / secs
        );
    }
}

/// `pdf verify`.
pub fn pdf_report(json: bool, r: &evidentia::pades::PdfReport) {
    if json {
        print_json(&serde_json::to_value(r).unwrap_or_default());
        return;
    }
    println!("{}: {}", r.file.display(), r.result);
    println!("  {} revision(s), {} bytes, SHA-256 {}", r.revisions, r.size, r.sha256);
    println!(
        "  policy: trust {}; self-signed signers {}",
        r.policy.trust.join(", "),
        if r.policy.accept_self_signed { "accepted" } else { "not accepted" }
    );
    if r.signatures.is_empty() {
        println!("  no signature found");
    }
    for s in &r.signatures {
        let level = s.level.map(|l| format!(" PAdES-{l}")).unwrap_or_default();
        let who = s.signer.as_ref().map(|c| format!(" by {}", c.subject)).unwrap_or_default();
        println!("{} `{}`{level}{who} (revision {}): {}", s.kind, s.field, s.revision, s.result);
        for c in &s.checks {
            check_line(c);
        }
        for c in s.changes.iter().filter(|c| !c.allowed) {
            println!("    changed: {}", c.what);
        }
    }
}

/// `renew`.
pub fn renewed(json: bool, r: &evidentia::renew::RenewalSummary) {
    if json {
        print_json(&serde_json::to_value(r).unwrap_or_default());
        return;
    }
    for s in &r.stamps {
        let what = match s.kind {
            evidentia::vault::ArchiveKind::Initial => "archive time-stamp (first evidence records)",
            evidentia::vault::ArchiveKind::TimestampRenewal => "time-stamp renewal",
            evidentia::vault::ArchiveKind::HashTreeRenewal => "hash-tree renewal",
        };
        println!(
            "{what}: {} over root {}, by {} at {} (its certificate expires {})",
            s.algorithm, s.root, s.tsa_url, s.gen_time, s.tsa_not_after
        );
    }
    println!(
        "{} record(s) given an evidence record, {} renewed by time-stamp, {} by hash tree",
        r.started, r.timestamp_renewed, r.hash_tree_renewed
    );
    for (id, why) in &r.pending {
        println!("pending  {id}: {why} (run `evidentia renew` again)");
    }
    for (id, why) in &r.skipped {
        println!("skipped  {id}: {why}");
    }
    if r.stamps.is_empty() && r.pending.is_empty() && r.skipped.is_empty() {
        println!("nothing weakens within the window: no renewal needed");
    }
}

/// `vault status`: when proofs weaken, in buckets, with what to do.
pub fn proof_status(json: bool, status: &evidentia::renew::ProofStatus, expiries: &[evidentia::renew::ProofExpiry]) {
    if json {
        print_json(&json!({ "status": status, "records": expiries }));
        return;
    }
    println!(
        "{} record(s); {} with an evidence record; {} without a time-stamp",
        status.records, status.archived, status.without_timestamp
    );
    for (n, label, renew) in [
        (status.expired, "has expired: too late to renew it; its time proof needs another evidence", false),
        (status.within_90_days, "expires within 90 days", true),
        (status.within_2_years, "expires within 2 years", true),
        (status.later, "expires later", false),
    ] {
        if n > 0 {
            let advice = if renew { " — renew (`evidentia renew`)" } else { "" };
            println!("time-stamp of {n} record(s) {label}{advice}");
        }
    }
    if let Some(next) = &status.next_expiry {
        println!("next expiry: {next}");
    }
}

/// `vault evidence-record`.
pub fn evidence_record_written(json: bool, id: &str, out: &Path, bytes: usize) {
    if json {
        print_json(&json!({ "record": id, "evidence_record": out, "bytes": bytes }));
        return;
    }
    println!("evidence record of {id} ({bytes} bytes, RFC 4998) written to {}", out.display());
}

/// `pdf extend`.
pub fn pdf_extended(json: bool, e: &evidentia::pades::ExtendedPdf) {
    if json {
        print_json(&serde_json::to_value(e).unwrap_or_default());
        return;
    }
    let v = &e.validation;
    println!(
        "{}: {} signature(s) and document time-stamp(s) kept; DSS: {} certificate(s), {} OCSP response(s), {} CRL(s)",
        e.output.display(),
        e.signatures,
        v.certificates,
        v.ocsps,
        v.crls
    );
    for m in &v.missing {
        println!("  no revocation data: {m}");
    }
    let t = &e.document_timestamp;
    println!("  document time-stamp by {} at {} (serial {})", t.tsa_subject, t.gen_time.to_rfc3339(), t.serial);
    println!("  SHA-256 {}", e.sha256);
}

/// `renew --package`.
pub fn packages_renewed(json: bool, done: &[evidentia::package::archive::PackageRenewal]) {
    if json {
        print_json(&json!({ "packages": done }));
        return;
    }
    for r in done {
        match (&r.archive_manifest, &r.skipped) {
            (Some(m), _) => println!(
                "{}: sealed again by {m} at {} (holds until {})",
                r.package.display(),
                r.timestamped_at.as_deref().unwrap_or("?"),
                r.expires.as_deref().unwrap_or("?")
            ),
            (None, Some(why)) => println!("{}: {why}", r.package.display()),
            (None, None) => println!("{}: unchanged", r.package.display()),
        }
    }
}

/// `case new`.
pub fn case_opened(json: bool, c: &evidentia::vault::CaseSummary) {
    if json {
        print_json(&serde_json::to_value(c).unwrap_or_default());
        return;
    }
    println!("case `{}` opened at {}", c.name, c.opened_at);
}

/// `case list`.
pub fn case_list(json: bool, cases: &[evidentia::vault::CaseSummary]) {
    if json {
        print_json(&json!({ "cases": cases }));
        return;
    }
    if cases.is_empty() {
        println!("no cases; `evidentia case new NAME` opens one");
        return;
    }
    for c in cases {
        println!("{}  {} record(s)  opened {}", c.name, c.records, c.opened_at);
    }
}

/// `case add` and `case remove`.
pub fn case_changed(json: bool, c: &evidentia::vault::CaseChange, added: bool) {
    if json {
        print_json(&serde_json::to_value(c).unwrap_or_default());
        return;
    }
    let (done, already) = if added { ("added to", "already in") } else { ("removed from", "not in") };
    for id in &c.changed {
        println!("{id}  {done} case `{}`", c.case);
    }
    for id in &c.unchanged {
        println!("{id}  {already} case `{}`: unchanged", c.case);
    }
}
