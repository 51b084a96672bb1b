//! The OpenTimestamps calendar protocol over HTTP: submit a digest (`POST /digest`), and ask
//! for the upgraded timestamp of a pending commitment (`GET /timestamp/<hex>`), and the calendars
//! the `production` profile uses.

use std::time::Duration;

use evidentia_formats::ots::Timestamp;

/// The public calendars the `production` profile submits to.
pub const PUBLIC_CALENDARS: [&str; 4] = [
    "https://a.pool.opentimestamps.org",
    "https://b.pool.opentimestamps.org",
    "https://a.pool.eternitywall.com",
    "https://ots.btc.catallaxy.com",
];

/// What went wrong with a proof or a calendar.
#[derive(Debug, thiserror::Error)]
pub enum OtsError {
    /// Bytes that are not an OpenTimestamps proof this build can evaluate.
    #[error(transparent)]
    Format(#[from] evidentia_formats::ots::OtsFormatError),
    /// The calendar could not be reached.
    #[error("calendar {url} is unreachable: {detail}; the batch stays pending and `evidentia sync` retries")]
    Unreachable {
        /// Where.
        url: String,
        /// Why.
        detail: String,
    },
    /// The calendar answered, but not with what the protocol promises.
    #[error("calendar {url} refused or answered wrongly: {detail}")]
    Calendar {
        /// Where.
        url: String,
        /// What it did.
        detail: String,
    },
}

impl OtsError {
    /// Stable reason code.
    pub fn code(&self) -> &'static str {
        match self {
            OtsError::Format(e) => e.code(),
            OtsError::Unreachable { .. } => "CALENDAR_UNREACHABLE",
            OtsError::Calendar { .. } => "CALENDAR_REFUSED",
        }
    }
}

/// Which calendars to submit to, and how long to wait for each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtsSettings {
    /// Calendar URLs.
    pub calendars: Vec<String>,
    /// One exchange's limit.
    pub timeout: Duration,
}

/// Largest calendar answer read (the reference client reads at most 10,000 bytes).
const MAX_ANSWER: usize = 10_000;
const ACCEPT: &str = "application/vnd.opentimestamps.v1";

/// Talks to calendars.
pub struct CalendarClient {
    http: reqwest::Client,
    timeout: Duration,
}

impl CalendarClient {
    /// A client whose every exchange ends within `timeout`.
    pub fn new(timeout: Duration) -> Result<Self, OtsError> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .user_agent(concat!("Evidentia/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| OtsError::Unreachable { url: "(client)".into(), detail: e.to_string() })?;
        Ok(Self { http, timeout })
    }

    /// Submits `digest`; the calendar's answer is the tree from `digest` to its pending
    /// attestation.
    pub async fn submit(&self, calendar: &str, digest: &[u8]) -> Result<Timestamp, OtsError> {
        let url = format!("{}/digest", calendar.trim_end_matches('/'));
        let req = self.http.post(&url).header(reqwest::header::ACCEPT, ACCEPT).body(digest.to_vec());
        let bytes = self
            .exchange(&url, req)
            .await?
            .ok_or_else(|| OtsError::Calendar { url: url.clone(), detail: "it answered 404 to a submission".into() })?;
        let t = Timestamp::from_bytes(&bytes)
            .map_err(|e| OtsError::Calendar { url: url.clone(), detail: format!("its answer is no timestamp: {e}") })?;
        if t.attestations(digest)?.is_empty() {
            return Err(OtsError::Calendar { url, detail: "its answer attests nothing".into() });
        }
        Ok(t)
    }

    /// The calendar's tree from `commitment` onwards, or `None` while it has nothing more (404).
    pub async fn upgrade(&self, calendar: &str, commitment: &[u8]) -> Result<Option<Timestamp>, OtsError> {
        let url = format!("{}/timestamp/{}", calendar.trim_end_matches('/'), hex::encode(commitment));
        let req = self.http.get(&url).header(reqwest::header::ACCEPT, ACCEPT);
        let Some(bytes) = self.exchange(&url, req).await? else { return Ok(None) };
        let t = Timestamp::from_bytes(&bytes)
            .map_err(|e| OtsError::Calendar { url: url.clone(), detail: format!("its answer is no timestamp: {e}") })?;
        Ok(Some(t))
    }

    async fn exchange(&self, url: &str, req: reqwest::RequestBuilder) -> Result<Option<Vec<u8>>, OtsError> {
        let transport = |e: reqwest::Error| {
            if e.is_timeout() {
                OtsError::Unreachable { url: url.to_owned(), detail: format!("no answer within {:?}", self.timeout) }
            } else {
                let detail = evidentia_formats::causes::with_causes(&e);
                OtsError::Unreachable { url: url.to_owned(), detail }
            }
        };
        let mut resp = req.send().await.map_err(transport)?;
        let status = resp.status();
        if status == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        if !status.is_success() {
            return Err(OtsError::Calendar { url: url.to_owned(), detail: format!("HTTP status {}", status.as_u16()) });
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(transport)? {
            if bytes.len() + chunk.len() > MAX_ANSWER {
                return Err(OtsError::Calendar {
                    url: url.to_owned(),
                    detail: format!("its answer is larger than {MAX_ANSWER} bytes"),
                });
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(Some(bytes))
    }
}
