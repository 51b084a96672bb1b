//! The verification engine: checks that end PASSED, FAILED (with a reason) or INDETERMINATE
//! (with a reason), each with the evidence for its verdict, aggregated per record and per
//! package into TOTAL-PASSED / TOTAL-FAILED / INDETERMINATE under an explicit policy.

pub mod anchor;
pub mod package;

use serde::Serialize;

use crate::tsp::TrustAnchors;

pub use evidentia_formats::check::{Check, CheckName, Indication, Verdict, aggregate};

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
