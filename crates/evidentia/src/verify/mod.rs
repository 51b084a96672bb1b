//! The verification engine: checks that end PASSED, FAILED (with a reason) or INDETERMINATE
//! (with a reason), each with the evidence for its verdict, aggregated per record and per
//! package into TOTAL-PASSED / TOTAL-FAILED / INDETERMINATE under an explicit policy.

pub mod asic;
pub mod evidence_record;
pub mod kind;
pub mod ots;
pub mod package;

pub use evidentia_formats::check::{Check, CheckName, Indication, Verdict, aggregate};
pub use evidentia_pki::policy::{PolicyUsed, SignaturePolicy};

/// The rules evidence is judged by: the signature policy, and the chain node anchors are
/// confirmed with. The report states the policy it used.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// Trusted roots and what a self-signed signer gets.
    pub signatures: SignaturePolicy,
    /// A chain node to confirm anchor blocks with; offline when `None`.
    pub node: Option<crate::anchor::evm::EvmSettings>,
}

impl Policy {
    /// What the report says about this policy.
    pub fn used(&self) -> PolicyUsed {
        PolicyUsed {
            chain: self.node.as_ref().map(|n| n.rpc_url.clone()).unwrap_or_else(|| "offline".into()),
            confirmations: self.node.as_ref().map(|n| n.confirmations),
            ..self.signatures.used()
        }
    }
}
