//! Progress of long work, sent to the page as `progress` events (the phases at once, the counts
//! once a second), and the cancellation flag the page can raise.

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use evidentia::seal::SealProgress;
use serde::Serialize;
use tauri::{AppHandle, Emitter};

/// Each event costs the web process 30-50 ms of CPU (handling it and repainting, measured with
/// `perf` during a 1 GiB seal), taken from the work in hand on a machine of two cores.
const EVERY: Duration = Duration::from_secs(1);

/// One `progress` event.
#[derive(Debug, Clone, Serialize)]
struct ProgressEvent<'a> {
    job: &'a str,
    phase: &'a str,
    files_total: u64,
    files_done: u64,
    bytes_total: u64,
    bytes_done: u64,
    current: Option<String>,
}

/// Counts a job's work and reports it to the page.
pub struct JobProgress {
    app: AppHandle,
    job: String,
    cancel: Arc<AtomicBool>,
    files_total: AtomicU64,
    files_done: AtomicU64,
    bytes_total: AtomicU64,
    bytes_done: AtomicU64,
    current: Mutex<Option<String>>,
    last: Mutex<Instant>,
}

impl JobProgress {
    /// A job's progress; `cancel` is raised by the `cancel` command.
    pub fn new(app: AppHandle, job: &str, cancel: Arc<AtomicBool>) -> Self {
        Self {
            app,
            job: job.to_owned(),
            cancel,
            files_total: AtomicU64::new(0),
            files_done: AtomicU64::new(0),
            bytes_total: AtomicU64::new(0),
            bytes_done: AtomicU64::new(0),
            current: Mutex::new(None),
            // The plan and the phases are sent at once; the counts first a period later.
            last: Mutex::new(Instant::now()),
        }
    }

    /// Reports a new phase at once (`hashing`, `anchoring`, `exporting`, `done`...).
    pub fn phase(&self, phase: &str) {
        self.send(phase);
    }

    fn send(&self, phase: &str) {
        let event = ProgressEvent {
            job: &self.job,
            phase,
            files_total: self.files_total.load(Ordering::Relaxed),
            files_done: self.files_done.load(Ordering::Relaxed),
            bytes_total: self.bytes_total.load(Ordering::Relaxed),
            bytes_done: self.bytes_done.load(Ordering::Relaxed),
            current: self.current.lock().ok().and_then(|c| c.clone()),
        };
        let _ = self.app.emit("progress", event);
    }

    fn maybe_send(&self) {
        let due = match self.last.lock() {
            Ok(mut last) => {
                let now = Instant::now();
                let due = now.duration_since(*last) >= EVERY;
                if due {
                    *last = now;
                }
                due
            }
            Err(_) => false,
        };
        if due {
            self.send("hashing");
        }
    }
}

impl SealProgress for JobProgress {
    fn phase(&self, phase: &str) {
        self.send(phase);
    }
    fn planned(&self, files: u64, bytes: u64) {
        self.files_total.store(files, Ordering::Relaxed);
        self.bytes_total.store(bytes, Ordering::Relaxed);
        self.send("hashing");
    }

    fn hashed(&self, bytes: u64) {
        self.bytes_done.fetch_add(bytes, Ordering::Relaxed);
        self.maybe_send();
    }

    fn subject_done(&self, name: &str) {
        self.files_done.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut c) = self.current.lock() {
            *c = Some(name.to_owned());
        }
        self.maybe_send();
    }

    fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}
