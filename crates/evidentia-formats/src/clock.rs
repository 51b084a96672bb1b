//! The clock: the current time as every record, event and report stores it.

/// The current time as stored: RFC 3339, UTC, microseconds.
pub fn now() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn now_is_rfc3339_utc_with_microseconds() {
        let t = super::now();
        assert_eq!(t.len(), "2026-12-02T20:43:14.123456Z".len(), "{t}");
        assert!(t.ends_with('Z'));
        assert!(chrono::DateTime::parse_from_rfc3339(&t).is_ok(), "{t}");
    }
}
