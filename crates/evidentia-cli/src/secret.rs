//! Passwords and PINs: from `--password-file`, else `EVIDENTIA_PASSWORD`, else a hidden prompt on
//! the terminal; never from a plain argument. Held in zeroizing memory.

use std::io::IsTerminal;
use std::path::Path;

use zeroize::Zeroizing;

/// Reads a secret as described above; `confirm` asks twice at the prompt.
pub fn read(password_file: Option<&Path>, prompt: &str, confirm: bool) -> anyhow::Result<Zeroizing<String>> {
    if let Some(path) = password_file {
        let text = Zeroizing::new(
            std::fs::read_to_string(path)
                .map_err(|e| anyhow::anyhow!("{}: cannot read the password file ({e})", path.display()))?,
        );
        return Ok(Zeroizing::new(text.trim_end_matches(['\n', '\r']).to_owned()));
    }
    if let Ok(value) = std::env::var("EVIDENTIA_PASSWORD") {
        return Ok(Zeroizing::new(value));
    }
    if !std::io::stdin().is_terminal() {
        anyhow::bail!("a password is needed: give --password-file FILE or set EVIDENTIA_PASSWORD");
    }
    let first = Zeroizing::new(rpassword::prompt_password(prompt)?);
    if confirm {
        let again = Zeroizing::new(rpassword::prompt_password("Again: ")?);
        if *again != *first {
            anyhow::bail!("the two passwords differ; nothing was changed");
        }
    }
    Ok(first)
}
