//! An error as one line with every cause it wraps (transport errors hide the useful part).

/// The error's text and each of its sources', joined by `: `.
pub fn with_causes(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text = format!("{text}: {s}");
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    #[derive(Debug, thiserror::Error)]
    #[error("calendar unreachable")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn every_cause_is_named() {
        let e = Outer(std::io::Error::other("connection refused"));
        assert_eq!(super::with_causes(&e), "calendar unreachable: connection refused");
    }
}
