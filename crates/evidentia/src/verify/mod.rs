//! The verification engine: checks that end PASSED, FAILED (with a reason) or INDETERMINATE
//! (with a reason), each with the evidence for its verdict, aggregated per record and per
//! package into TOTAL-PASSED / TOTAL-FAILED / INDETERMINATE under an explicit policy.

pub mod anchor;
pub mod package;

use serde::Serialize;

use crate::tsp::TrustAnchors;

/// How one check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Verdict {
    /// It holds.
    Passed,
    /// It does not hold.
    Failed,
    /// It cannot be decided now (the reason says why).
    Indeterminate,
}

/// One check.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// What was checked: `content`, `signature`, `timestamp`, `merkle_proof`, ...
    pub check: &'static str,
    /// What it was checked on: a package entry, an event, a block.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub subject: String,
    /// How it ended.
    pub verdict: Verdict,
    /// The reason code, unless it passed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The evidence, in words: which certificate, which time, which block.
    pub detail: String,
}

impl Check {
    /// A passed check.
    pub fn passed(check: &'static str, subject: impl Into<String>, detail: impl Into<String>) -> Check {
        Check { check, subject: subject.into(), verdict: Verdict::Passed, reason: None, detail: detail.into() }
    }

    /// A failed check.
    pub fn failed(check: &'static str, subject: impl Into<String>, reason: &str, detail: impl Into<String>) -> Check {
        Check {
            check,
            subject: subject.into(),
            verdict: Verdict::Failed,
            reason: Some(reason.to_owned()),
            detail: detail.into(),
        }
    }

    /// A check that cannot be decided.
    pub fn indeterminate(
        check: &'static str,
        subject: impl Into<String>,
        reason: &str,
        detail: impl Into<String>,
    ) -> Check {
        Check {
            check,
            subject: subject.into(),
            verdict: Verdict::Indeterminate,
            reason: Some(reason.to_owned()),
            detail: detail.into(),
        }
    }
}

/// `TOTAL-FAILED` if any check failed, else `TOTAL-PASSED` if all passed, else `INDETERMINATE`.
pub fn aggregate<'a>(checks: impl IntoIterator<Item = &'a Check>) -> &'static str {
    let mut all_passed = true;
    for c in checks {
        match c.verdict {
            Verdict::Failed => return "TOTAL-FAILED",
            Verdict::Indeterminate => all_passed = false,
            Verdict::Passed => {}
        }
    }
    if all_passed { "TOTAL-PASSED" } else { "INDETERMINATE" }
}

/// The rules evidence is judged by. The report states the policy it used.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// Roots TSA and signer certificates must chain to.
    pub trust: TrustAnchors,
    /// Where those roots came from, in words.
    pub trust_sources: Vec<String>,
    /// Whether a self-signed signer passes (its certificate trusted as its own root).
    pub accept_self_signed: bool,
    /// A chain node to confirm anchor blocks with; offline when `None`.
    pub node: Option<crate::anchor::evm::EvmSettings>,
}

/// The policy as the report states it.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyUsed {
    /// Where the trusted roots came from.
    pub trust: Vec<String>,
    /// Whether self-signed signers pass.
    pub accept_self_signed: bool,
    /// `offline`, or the node anchor blocks were confirmed with.
    pub chain: String,
    /// Confirmations required when online.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirmations: Option<u64>,
}

impl Policy {
    /// What the report says about this policy.
    pub fn used(&self) -> PolicyUsed {
        PolicyUsed {
            trust: self.trust_sources.clone(),
            accept_self_signed: self.accept_self_signed,
            chain: self.node.as_ref().map(|n| n.rpc_url.clone()).unwrap_or_else(|| "offline".into()),
            confirmations: self.node.as_ref().map(|n| n.confirmations),
        }
    }
}
