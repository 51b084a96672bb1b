//! Progress bars on stderr: shown only on a terminal, without --quiet, and once work has taken
//! about a second.

use std::time::{Duration, Instant};

use evidentia::seal::SealProgress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

const SHOW_AFTER: Duration = Duration::from_secs(1);

/// A byte-count bar that appears only for slow work.
pub struct CliProgress {
    bar: ProgressBar,
    enabled: bool,
    started: Instant,
    visible: std::sync::atomic::AtomicBool,
}

impl CliProgress {
    /// A bar labelled `what`; `enabled` is false when stderr is not a terminal or with --quiet.
    pub fn new(enabled: bool, what: &'static str) -> Self {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        let style = ProgressStyle::with_template(
            "{msg} {wide_bar} {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} eta {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar.set_message(what);
        Self { bar, enabled, started: Instant::now(), visible: false.into() }
    }

    /// More bytes done.
    pub fn add(&self, bytes: u64) {
        self.bar.inc(bytes);
        self.reveal();
    }

    fn reveal(&self) {
        use std::sync::atomic::Ordering;
        if self.enabled && self.started.elapsed() >= SHOW_AFTER && !self.visible.swap(true, Ordering::Relaxed) {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }

    /// The total, in the bar's units.
    pub fn set_length(&self, length: u64) {
        self.bar.set_length(length);
    }

    /// Where the work is, in the bar's units.
    pub fn set_position(&self, position: u64) {
        self.bar.set_position(position);
        self.reveal();
    }

    /// Removes the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl SealProgress for CliProgress {
    fn planned(&self, _files: u64, bytes: u64) {
        self.bar.set_length(bytes);
    }

    fn hashed(&self, bytes: u64) {
        self.add(bytes);
    }

    fn subject_done(&self, _name: &str) {
        self.reveal();
    }
}
