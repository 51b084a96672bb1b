//! GeneralizedTime as RFC 3161 uses it: `YYYYMMDDHHMMSS[.fraction]Z`, fractional seconds allowed.

use chrono::{DateTime, NaiveDate, Utc};

/// Parses the content octets of a GeneralizedTime (UTC, `Z`, optional fraction without
/// trailing zeros as RFC 3161 §2.4.2 requires, though trailing zeros are tolerated here).
pub fn parse_generalized_time(text: &[u8]) -> Option<DateTime<Utc>> {
    let text = std::str::from_utf8(text).ok()?;
    let body = text.strip_suffix('Z')?;
    let (whole, fraction) = match body.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (body, None),
    };
    if whole.len() != 14 || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let num = |r: std::ops::Range<usize>| whole[r].parse::<u32>().ok();
    let date = NaiveDate::from_ymd_opt(num(0..4)? as i32, num(4..6)?, num(6..8)?)?;
    let mut nanos = 0u32;
    if let Some(f) = fraction {
        if f.is_empty() || f.len() > 9 || !f.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        nanos = f.parse::<u32>().ok()? * 10u32.pow(9 - f.len() as u32);
    }
    let time = date.and_hms_nano_opt(num(8..10)?, num(10..12)?, num(12..14)?, nanos)?;
    Some(DateTime::from_naive_utc_and_offset(time, Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_and_fractional_seconds() {
        let t = parse_generalized_time(b"20261122231005Z").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-11-22T23:10:05+00:00");
        let t = parse_generalized_time(b"20261122231005.123Z").unwrap();
        assert_eq!(t.timestamp_subsec_millis(), 123);
        let t = parse_generalized_time(b"20261122231005.5Z").unwrap();
        assert_eq!(t.timestamp_subsec_millis(), 500);
        for bad in
            [&b"20261122231005"[..], b"2026112223100Z", b"20261322231005Z", b"20261122231005.Z", b"2026112223100aZ"]
        {
            assert!(parse_generalized_time(bad).is_none(), "{}", String::from_utf8_lossy(bad));
        }
    }
}
