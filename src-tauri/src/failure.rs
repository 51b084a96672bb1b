//! What a command answers when it fails: the core's stable code and its sentence, for the page.

use serde::Serialize;

/// A failed command, as the page receives it (`{ code, message }`).
#[derive(Debug, Serialize)]
pub struct Failure {
    /// The stable code (as in `docs/cli.md`).
    pub code: String,
    /// What happened and what to do, in English; the page translates the codes it knows.
    pub message: String,
    /// For a core error, the exit code the `evidentia` command gives for the same failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit: Option<u8>,
}

impl Failure {
    /// A failure that is no core error.
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Self { code: code.to_owned(), message: message.into(), exit: None }
    }

    /// A path the user did not hand to the app.
    pub fn not_granted(path: &std::path::Path) -> Self {
        Self::new(
            "NOT_GRANTED",
            format!(
                "{}: the app reads only files you choose in its dialogs or drop on its window; choose it again",
                path.display()
            ),
        )
    }
}

impl<E: Into<evidentia::Error>> From<E> for Failure {
    fn from(e: E) -> Self {
        let e = e.into();
        Self { code: e.code().to_owned(), message: e.to_string(), exit: Some(e.exit_code()) }
    }
}

/// A command's result.
pub type Answer<T> = Result<T, Failure>;
