//! The verification report as a PDF a judge can read: the verdict in plain words, then for each
//! record its file, digests (with a QR code of the SHA-256), signer, time-stamps, anchors,
//! custody timeline and every check — in Chinese, English, or both; sandbox evidence marked on
//! every page; the CJK font embedded as a subset.

pub(crate) mod layout;
mod words;

use layout::{Colour, Flow, MARGIN, PAGE_H, PAGE_W};
pub use words::Lang;
use words::{t, verdict_word};

use crate::package::evidence::PackagedRecord;
use crate::verify::package::{PackageReport, RecordReport};
use crate::verify::{Check, CheckName, Indication, Verdict};

/// Why a report cannot be made.
#[derive(Debug, thiserror::Error)]
#[error("the report PDF cannot be made: {0}")]
pub struct ReportError(String);

const INK: Colour = (25, 25, 25);
const GREY: Colour = (100, 100, 100);
const BLUE: Colour = (31, 78, 140);
const RED: Colour = (176, 30, 30);
const GREEN: Colour = (22, 120, 60);
const AMBER: Colour = (170, 105, 0);

fn verdict_colour(v: Verdict) -> Colour {
    match v {
        Verdict::Passed => GREEN,
        Verdict::Failed => RED,
        Verdict::Indeterminate => AMBER,
    }
}

/// The report of a package verification as PDF bytes.
pub fn render(report: &PackageReport, lang: Lang, verified_at: &str) -> Result<Vec<u8>, ReportError> {
    let mut f = Flow::default();
    let width = PAGE_W - 2.0 * MARGIN;
    let title = t(lang, "Evidence verification report", "证据验证报告");
    f.text(MARGIN, width, 20.0, INK, &title);
    f.gap(6.0);

    // The verdict, in plain words, in a box of its colour.
    let verdict = report.result.verdict();
    let sentence = match verdict {
        Verdict::Passed => t(lang, "VERIFIED — every check passed", "验证通过 — 所有检查均通过"),
        Verdict::Failed => t(lang, "NOT VERIFIED — at least one check failed", "验证未通过 — 至少一项检查失败"),
        Verdict::Indeterminate => {
            t(lang, "NOT FULLY VERIFIABLE — some checks could not be decided", "无法完全验证 — 部分检查无法判定")
        }
    };
    let lines = layout::wrap(&sentence, 13.0, width - 24.0);
    let box_h = 20.0 + lines.len() as f32 * 17.0 + 14.0;
    f.ensure(box_h + 10.0);
    let top = f.y;
    f.rect(MARGIN, top, width, box_h, verdict_colour(verdict));
    let mut y = top + 6.0;
    for line in &lines {
        y += 17.0;
        f.text_at(MARGIN + 12.0, y, 13.0, (255, 255, 255), line);
    }
    f.text_at(MARGIN + 12.0, y + 18.0, 9.0, (255, 255, 255), report.result.as_str());
    f.y = top + box_h + 10.0;

    f.field(&t(lang, "Package", "证据包"), &report.package);
    if report.made_elsewhere == Some(crate::verify::package::ForeignEvidence::EvidenceRecord) {
        let what = t(lang, "an evidence record made by another tool", "其他工具生成的证据记录");
        f.field(&t(lang, "Exported", "导出时间"), &what);
    } else if report.exported_at.is_empty() {
        // Another tool's ASiC container: no Evidentia evidence document, judged as ASiC alone.
        let what = t(lang, "an ASiC container made by another tool", "其他工具生成的 ASiC 容器");
        f.field(&t(lang, "Exported", "导出时间"), &what);
    } else {
        f.field(&t(lang, "Exported", "导出时间"), &format!("{} ({})", report.exported_at, report.producer));
    }
    if let Some(case) = &report.case {
        f.field(&t(lang, "Case", "案件"), case);
    }
    f.field(&t(lang, "Verified", "验证时间"), verified_at);
    if !report.profile.is_empty() {
        f.field(&t(lang, "Profile", "配置"), &report.profile);
    }
    f.field(&t(lang, "Trusted roots", "信任根"), &report.policy.trust.join("; "));
    let self_signed = if report.policy.accept_self_signed {
        t(lang, "accepted", "接受")
    } else {
        t(lang, "not accepted", "不接受")
    };
    f.field(&t(lang, "Self-signed signers", "自签名签署人"), &self_signed);
    f.field(&t(lang, "Revocation data", "吊销数据"), &report.policy.revocation);
    f.field(&t(lang, "Chain confirmation", "链上确认"), &report.policy.chain);
    f.gap(4.0);
    if !report.checks.is_empty() {
        heading(&mut f, &t(lang, "Checks of the package", "证据包检查"));
        for c in &report.checks {
            check_line(&mut f, lang, c);
        }
    }
    if !report.notes.is_empty() {
        heading(&mut f, &t(lang, "Notes: files no signature covers", "备注：未被任何签名覆盖的文件"));
        for c in &report.notes {
            check_line(&mut f, lang, c);
        }
    }

    let evidence = report.evidence.as_ref();
    for (i, r) in report.records.iter().enumerate() {
        let packaged = evidence.and_then(|d| d.records.iter().find(|p| p.record.id == r.id));
        record_section(&mut f, lang, i + 1, r, packaged);
    }

    let sandbox = report.profile == "sandbox";
    let footer = format!("Evidentia {} — {}", env!("CARGO_PKG_VERSION"), title);
    let notice = t(lang, "SANDBOX — NOT LEGAL EVIDENCE", "沙盒环境 — 不构成法律证据");
    let page_word = t(lang, "page", "页");
    f.finish(&title, lang.tag(), |items, page, pages| {
        items.push((MARGIN, PAGE_H - 30.0, 7.5, GREY, format!("{footer} — {page_word} {page}/{pages}")));
        if sandbox {
            items.push((MARGIN, 40.0, 10.0, RED, notice.clone()));
        }
    })
    .map_err(ReportError)
}

fn heading(f: &mut Flow, text: &str) {
    f.ensure(40.0);
    f.gap(6.0);
    f.text(MARGIN, PAGE_W - 2.0 * MARGIN, 12.0, BLUE, text);
    f.rect(MARGIN, f.y + 1.0, PAGE_W - 2.0 * MARGIN, 0.6, BLUE);
    f.gap(5.0);
}

fn check_line(f: &mut Flow, lang: Lang, c: &Check) {
    let word = verdict_word(lang, c.verdict);
    let reason = c.reason.as_deref().map(|r| format!(" [{r}]")).unwrap_or_default();
    let subject = if c.subject.is_empty() { String::new() } else { format!(" — {}", c.subject) };
    f.ensure(24.0);
    let top = f.y;
    f.text(MARGIN, 70.0, 8.5, verdict_colour(c.verdict), &word);
    let after = f.y;
    f.y = top;
    f.text(MARGIN + 74.0, PAGE_W - 2.0 * MARGIN - 74.0, 8.5, INK, &format!("{}{reason}{subject}", c.check));
    f.text(MARGIN + 74.0, PAGE_W - 2.0 * MARGIN - 74.0, 7.5, GREY, &c.detail);
    f.y = f.y.max(after);
    f.gap(2.0);
}

fn record_section(f: &mut Flow, lang: Lang, n: usize, r: &RecordReport, p: Option<&PackagedRecord>) {
    f.ensure(150.0);
    heading(f, &format!("{} {n}: {}", t(lang, "Record", "记录"), r.name));
    let qr_side = 86.0;
    f.qr(&r.sha256, PAGE_W - MARGIN - qr_side, f.y + 2.0, qr_side);
    let block_end = f.y + qr_side + 6.0;
    f.field_beside(
        &t(lang, "Verdict", "结论"),
        &format!("{} ({})", verdict_word_total(lang, r.result), r.result),
        qr_side,
    );
    f.field_beside(&t(lang, "File name", "文件名"), &r.name, qr_side);
    f.field_beside(&t(lang, "Size", "大小"), &format!("{} bytes", r.size), qr_side);
    f.field_beside(&t(lang, "Record id", "记录编号"), &r.id, qr_side);
    if let Some(p) = p {
        f.field_beside(&t(lang, "Sealed", "封存时间"), &p.record.created_at, qr_side);
    }
    f.y = f.y.max(block_end);
    if let Some(p) = p {
        for (algo, value) in p.record.digests.iter() {
            f.field(&algo.to_string().to_uppercase(), &value.to_hex());
        }
        for s in &p.signatures {
            let sig = &s.signature;
            let mut who = sig.signer_subject.clone();
            if sig.self_signed {
                who +=
                    &t(lang, " (self-signed: no CA vouches for this identity)", "（自签名：无证书机构为此身份担保）");
            }
            f.field(&t(lang, "Signer", "签署人"), &who);
            f.field(&t(lang, "Issuer", "签发者"), &sig.signer_issuer);
            f.field(&t(lang, "Serial", "序列号"), &sig.signer_serial);
            if let Some(cert) = r.signers.iter().find(|c| c.sha256 == sig.signer_sha256) {
                f.field(&t(lang, "Valid", "有效期"), &format!("{} — {}", cert.not_before, cert.not_after));
            }
            f.field(&t(lang, "Signed at (claimed)", "签署时间（声明）"), &sig.signed_at);
        }
        for ts in &p.timestamps {
            let x = &ts.timestamp;
            f.field(&t(lang, "Time-stamp", "时间戳"), &format!("{} — {}", x.gen_time, x.tsa_url));
            f.field(&t(lang, "TSA policy", "时间戳策略"), &format!("{} (serial {})", x.policy, x.serial));
        }
        if let Some(a) = &p.anchor {
            f.field(&t(lang, "Anchor batch", "锚定批次"), &format!("{} — root {}", a.batch.id, a.batch.root));
            if let Some(c) = &a.chain {
                let x = &c.anchor;
                f.field(&t(lang, "Chain", "区块链"), &format!("chain id {}", x.chain_id));
                f.field(&t(lang, "Transaction", "交易"), &x.tx_hash);
                f.field(&t(lang, "Block", "区块"), &format!("{} — {}", x.block_number, x.block_hash));
                let when = chrono::DateTime::from_timestamp(x.block_time as i64, 0)
                    .map(|d| d.to_rfc3339())
                    .unwrap_or_default();
                f.field(&t(lang, "Block time", "区块时间"), &when);
            }
            if a.ots.is_some() {
                let state = r
                    .checks
                    .iter()
                    .chain(&r.notes)
                    .find(|c| c.check == CheckName::OtsProof)
                    .map(|c| c.detail.clone())
                    .unwrap_or_default();
                f.field(&t(lang, "Bitcoin (OpenTimestamps)", "比特币（OpenTimestamps）"), &state);
            }
        }
        if !p.custody.is_empty() {
            f.gap(2.0);
            f.text(MARGIN, 300.0, 9.0, BLUE, &t(lang, "Custody timeline", "保管时间线"));
            for e in &p.custody {
                f.field(&format!("#{} {}", e.seq, words::event_word(lang, &e.kind)), &e.recorded_at);
            }
        }
    }
    f.gap(2.0);
    f.text(MARGIN, 300.0, 9.0, BLUE, &t(lang, "Checks", "检查项"));
    for c in &r.checks {
        check_line(f, lang, c);
    }
    if !r.notes.is_empty() {
        f.text(MARGIN, 400.0, 9.0, BLUE, &t(lang, "To confirm elsewhere, and notes", "需另行确认的事项与备注"));
        for c in &r.notes {
            check_line(f, lang, c);
        }
    }
}

fn verdict_word_total(lang: Lang, result: Indication) -> String {
    verdict_word(lang, result.verdict())
}
