//! The profile evidence is made under: sandbox (local services, not legal evidence) or production.

use serde::{Deserialize, Serialize};

/// The words every output made under the sandbox profile carries.
pub const SANDBOX_NOTICE: &str = "SANDBOX — NOT LEGAL EVIDENCE";

/// Which set of services and rules applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ProfileName {
    /// Local services for trying and testing; outputs are marked as not legal evidence.
    #[default]
    Sandbox,
    /// Public services and strict rules.
    Production,
}

impl ProfileName {
    /// The configured name.
    pub fn as_str(self) -> &'static str {
        match self {
            ProfileName::Sandbox => "sandbox",
            ProfileName::Production => "production",
        }
    }

    /// The notice every output must carry under this profile, if any.
    pub fn notice(self) -> Option<&'static str> {
        match self {
            ProfileName::Sandbox => Some(SANDBOX_NOTICE),
            ProfileName::Production => None,
        }
    }
}
