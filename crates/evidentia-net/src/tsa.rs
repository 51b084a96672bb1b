//! The TSA client: sends requests over HTTP(S), retries transport failures with backoff, tries
//! TSAs in order (failover) or asks several (quorum), and accepts only tokens that pass
//! [`evidentia_pki::tsp::verify()`].

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use serde::Serialize;

use evidentia_formats::digest::DigestAlgorithm;
use evidentia_pki::tsp::{
    Expectation, TimestampPolicy, TimestampRequest, TimestampToken, TsaAttempt, TspError, VerifiedTimestamp, verify,
};

/// Largest answer accepted from a TSA.
const MAX_RESPONSE: usize = 1 << 20;

/// Credentials some commercial TSAs require.
#[derive(Clone, PartialEq, Eq)]
pub enum TsaAuth {
    /// HTTP basic authentication.
    Basic {
        /// User name.
        user: String,
        /// Password.
        password: String,
    },
    /// A header, e.g. an API key.
    Header {
        /// Header name.
        name: String,
        /// Header value.
        value: String,
    },
}

impl std::fmt::Debug for TsaAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TsaAuth::Basic { user, .. } => write!(f, "Basic({user}, ***)"),
            TsaAuth::Header { name, .. } => write!(f, "Header({name}: ***)"),
        }
    }
}

/// One TSA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TsaEndpoint {
    /// Its URL.
    pub url: String,
    /// Credentials, if it needs them.
    pub auth: Option<TsaAuth>,
}

/// How time-stamps are obtained.
#[derive(Debug, Clone)]
pub struct TsaSettings {
    /// TSAs, in the order they are tried.
    pub endpoints: Vec<TsaEndpoint>,
    /// Time allowed for one HTTP exchange.
    pub timeout: Duration,
    /// Further tries after a transport failure (connection refused, timeout, HTTP 5xx).
    pub retries: u32,
    /// First backoff; doubled at each retry.
    pub backoff: Duration,
    /// How tokens are judged.
    pub policy: TimestampPolicy,
    /// Policy OID to request, if any.
    pub request_policy: Option<der::asn1::ObjectIdentifier>,
    /// How many TSAs must each give a token (1: failover only).
    pub quorum: usize,
    /// Largest accepted difference between the genTimes of a quorum.
    pub tolerance: Duration,
    /// Largest accepted difference between a genTime and the local clock.
    pub max_clock_skew: Duration,
    /// How many requests a batch (records sealed together, PDFs signed together) has in flight
    /// at once.
    pub concurrency: usize,
}

impl Default for TsaSettings {
    fn default() -> Self {
        Self {
            endpoints: Vec::new(),
            timeout: Duration::from_secs(10),
            retries: 2,
            backoff: Duration::from_millis(250),
            policy: TimestampPolicy::default(),
            request_policy: None,
            quorum: 1,
            concurrency: 4,
            tolerance: Duration::from_secs(60),
            max_clock_skew: Duration::from_secs(300),
        }
    }
}

/// Something a quorum of TSAs, or a TSA and the local clock, disagree on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "flag", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum QuorumFlag {
    /// Two TSAs' genTimes differ by more than the tolerance.
    GenTimeDisagreement {
        /// One TSA.
        first: String,
        /// The other.
        second: String,
        /// The difference in milliseconds.
        difference_ms: i64,
    },
    /// A genTime is far from the local clock.
    ClockSkew {
        /// The TSA.
        url: String,
        /// genTime minus the local time, in milliseconds.
        skew_ms: i64,
    },
}

/// A verified token, with where it came from.
#[derive(Debug, Clone)]
pub struct ObtainedTimestamp {
    /// The TSA that gave it.
    pub url: String,
    /// The TSA's whole answer (a TimeStampResp, as `openssl ts -verify -in` reads it).
    pub response_der: Vec<u8>,
    /// The token.
    pub token: TimestampToken,
    /// What verification established.
    pub verified: VerifiedTimestamp,
    /// TSAs tried before it that failed.
    pub failed_before: Vec<TsaAttempt>,
}

/// Talks to TSAs. Remembers, for its lifetime, which TSAs could not be reached so that a batch
/// does not wait for a dead TSA once per record.
pub struct TsaClient {
    http: reqwest::Client,
    settings: TsaSettings,
    down: Mutex<HashMap<String, String>>,
}

impl TsaClient {
    /// A client with these settings.
    pub fn new(settings: TsaSettings) -> Result<Self, TspError> {
        // Only the first call installs it; later ones find it installed.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout)
            .user_agent(concat!("Evidentia/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| TspError::Unreachable { url: "(client)".into(), detail: e.to_string() })?;
        Ok(Self { http, settings, down: Mutex::new(HashMap::new()) })
    }

    /// The settings.
    pub fn settings(&self) -> &TsaSettings {
        &self.settings
    }

    /// Sends one request to one TSA and returns its raw answer; transport failures are retried
    /// with exponential backoff.
    pub async fn fetch(&self, endpoint: &TsaEndpoint, request: &TimestampRequest) -> Result<Vec<u8>, TspError> {
        if let Some(reason) = self.down.lock().ok().and_then(|d| d.get(&endpoint.url).cloned()) {
            return Err(TspError::SkippedDown { url: endpoint.url.clone(), reason });
        }
        let body = request.to_der()?;
        let mut delay = self.settings.backoff;
        let mut attempt = 0;
        loop {
            match self.send_once(endpoint, body.clone()).await {
                Ok(bytes) => return Ok(bytes),
                Err(e) if e.is_transport() && attempt < self.settings.retries => {
                    attempt += 1;
                    tokio::time::sleep(delay).await;
                    delay *= 2;
                }
                Err(e) => {
                    if e.is_transport()
                        && let Ok(mut d) = self.down.lock()
                    {
                        d.insert(endpoint.url.clone(), e.to_string());
                    }
                    return Err(e);
                }
            }
        }
    }

    async fn send_once(&self, endpoint: &TsaEndpoint, body: Vec<u8>) -> Result<Vec<u8>, TspError> {
        let url = endpoint.url.clone();
        let transport = |e: reqwest::Error| {
            if e.is_timeout() {
                TspError::Timeout { url: url.clone(), secs: self.settings.timeout.as_secs().max(1) }
            } else {
                let detail = evidentia_formats::causes::with_causes(&e);
                TspError::Unreachable { url: url.clone(), detail }
            }
        };
        let mut req = self
            .http
            .post(&endpoint.url)
            .header(reqwest::header::CONTENT_TYPE, "application/timestamp-query")
            .body(body);
        match &endpoint.auth {
            Some(TsaAuth::Basic { user, password }) => req = req.basic_auth(user, Some(password)),
            Some(TsaAuth::Header { name, value }) => req = req.header(name.as_str(), value.as_str()),
            None => {}
        }
        let mut resp = req.send().await.map_err(transport)?;
        let status = resp.status();
        if !status.is_success() {
            return Err(TspError::HttpStatus { url, status: status.as_u16() });
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(transport)? {
            if bytes.len() + chunk.len() > MAX_RESPONSE {
                return Err(TspError::Malformed(format!("the answer of {url} is larger than {MAX_RESPONSE} bytes")));
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(bytes)
    }

    /// Asks one TSA to time-stamp `imprint` and verifies the answer fully.
    pub async fn obtain_from(
        &self,
        endpoint: &TsaEndpoint,
        algorithm: DigestAlgorithm,
        imprint: &[u8],
    ) -> Result<ObtainedTimestamp, TspError> {
        let mut request = TimestampRequest::new(algorithm, imprint.to_vec());
        request.policy = self.settings.request_policy;
        let response_der = self.fetch(endpoint, &request).await?;
        let token = TimestampToken::from_response_der(&response_der)?;
        let expected = Expectation { algorithm, imprint: imprint.to_vec(), nonce: Some(request.nonce.clone()) };
        let verified = verify(&token, &expected, &self.settings.policy)?;
        Ok(ObtainedTimestamp { url: endpoint.url.clone(), response_der, token, verified, failed_before: Vec::new() })
    }

    /// Tries the TSAs in order until one gives a valid token.
    pub async fn timestamp(&self, algorithm: DigestAlgorithm, imprint: &[u8]) -> Result<ObtainedTimestamp, TspError> {
        if self.settings.endpoints.is_empty() {
            return Err(TspError::NoTsaConfigured);
        }
        let mut failed = Vec::new();
        for endpoint in &self.settings.endpoints {
            match self.obtain_from(endpoint, algorithm, imprint).await {
                Ok(mut obtained) => {
                    obtained.failed_before = failed;
                    return Ok(obtained);
                }
                Err(error) => failed.push(TsaAttempt { url: endpoint.url.clone(), error }),
            }
        }
        Err(TspError::AllFailed(failed))
    }

    /// Asks TSAs in order until `quorum` of them gave valid tokens, then flags genTimes that
    /// disagree beyond the tolerance or stray from the local clock.
    pub async fn timestamp_quorum(
        &self,
        algorithm: DigestAlgorithm,
        imprint: &[u8],
    ) -> Result<(Vec<ObtainedTimestamp>, Vec<QuorumFlag>), TspError> {
        if self.settings.endpoints.is_empty() {
            return Err(TspError::NoTsaConfigured);
        }
        let want = self.settings.quorum.max(1);
        let mut tokens: Vec<ObtainedTimestamp> = Vec::new();
        let mut failed = Vec::new();
        for endpoint in &self.settings.endpoints {
            if tokens.len() == want {
                break;
            }
            match self.obtain_from(endpoint, algorithm, imprint).await {
                Ok(mut t) => {
                    t.failed_before = std::mem::take(&mut failed);
                    tokens.push(t);
                }
                Err(error) => failed.push(TsaAttempt { url: endpoint.url.clone(), error }),
            }
        }
        if tokens.len() < want {
            if tokens.is_empty() {
                return Err(TspError::AllFailed(failed));
            }
            // Fewer than the quorum: keep what was obtained, the failures are reported with it.
            if let Some(last) = tokens.last_mut() {
                last.failed_before.extend(failed);
            }
        }
        Ok((tokens.clone(), self.flags(&tokens)))
    }

    fn flags(&self, tokens: &[ObtainedTimestamp]) -> Vec<QuorumFlag> {
        let mut flags = Vec::new();
        let now = chrono::Utc::now();
        let skew_limit = self.settings.max_clock_skew.as_millis() as i64;
        let tolerance = self.settings.tolerance.as_millis() as i64;
        for t in tokens {
            let skew = (t.verified.gen_time - now).num_milliseconds();
            if skew.abs() > skew_limit {
                flags.push(QuorumFlag::ClockSkew { url: t.url.clone(), skew_ms: skew });
            }
        }
        for (i, a) in tokens.iter().enumerate() {
            for b in &tokens[i + 1..] {
                let diff = (a.verified.gen_time - b.verified.gen_time).num_milliseconds();
                if diff.abs() > tolerance {
                    flags.push(QuorumFlag::GenTimeDisagreement {
                        first: a.url.clone(),
                        second: b.url.clone(),
                        difference_ms: diff,
                    });
                }
            }
        }
        flags
    }
}
