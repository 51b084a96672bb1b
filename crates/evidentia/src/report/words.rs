//! The report's words in Chinese and English.

use crate::verify::Verdict;

/// The report's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// English.
    En,
    /// Simplified Chinese.
    ZhCn,
    /// Both: Chinese first, then English.
    Both,
}

impl Lang {
    /// From `en`, `zh-CN` (or `zh`), `both`.
    pub fn parse(text: &str) -> Option<Lang> {
        match text.to_ascii_lowercase().as_str() {
            "en" | "en-us" | "en-gb" => Some(Lang::En),
            "zh" | "zh-cn" | "zh-hans" => Some(Lang::ZhCn),
            "both" | "zh-cn+en" => Some(Lang::Both),
            _ => None,
        }
    }

    /// The PDF's language tag.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhCn | Lang::Both => "zh-CN",
        }
    }
}

/// `en` or `zh` (or both, Chinese first).
pub fn t(lang: Lang, en: &str, zh: &str) -> String {
    match lang {
        Lang::En => en.to_owned(),
        Lang::ZhCn => zh.to_owned(),
        Lang::Both => format!("{zh} {en}"),
    }
}

/// A check's verdict in words.
pub fn verdict_word(lang: Lang, v: Verdict) -> String {
    match v {
        Verdict::Passed => t(lang, "PASSED", "通过"),
        Verdict::Failed => t(lang, "FAILED", "失败"),
        Verdict::Indeterminate => t(lang, "UNDECIDED", "无法判定"),
    }
}

/// A custody event's kind in words.
pub fn event_word(lang: Lang, kind: &str) -> String {
    match kind {
        "created" => t(lang, "sealed", "封存"),
        "timestamped" => t(lang, "time-stamped", "加盖时间戳"),
        "signed" => t(lang, "signed", "签署"),
        "batched" => t(lang, "batched for anchoring", "纳入锚定批次"),
        "anchored" => t(lang, "anchored", "上链锚定"),
        "exported" => t(lang, "exported", "导出"),
        other => other.to_owned(),
    }
}
