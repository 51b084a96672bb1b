//! What the app keeps while it runs: the configuration, the paths the user handed over, running
//! jobs and the last verification report; and the background retry of pending proofs.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use evidentia::Evidentia;
use evidentia::config::Config;
use evidentia::verify::package::PackageReport;
use tauri::{AppHandle, Emitter, Manager};

use crate::failure::Failure;

/// The app's state, shared by every command.
pub struct AppState {
    config: RwLock<Config>,
    config_error: RwLock<Option<String>>,
    granted: Mutex<HashSet<PathBuf>>,
    jobs: Mutex<HashMap<String, Arc<AtomicBool>>>,
    last_report: Mutex<Option<PackageReport>>,
    initial: Vec<PathBuf>,
}

impl AppState {
    /// Loads the configuration (a broken file is reported to the page, and the defaults are used).
    pub fn load(initial: Vec<PathBuf>) -> Self {
        let (config, error) = match Config::load() {
            Ok(c) => (c, None),
            Err(e) => (Config::default(), Some(e.to_string())),
        };
        let state = Self {
            config: RwLock::new(config),
            config_error: RwLock::new(error),
            granted: Mutex::new(HashSet::new()),
            jobs: Mutex::new(HashMap::new()),
            last_report: Mutex::new(None),
            initial,
        };
        state.grant(&state.initial);
        state
    }

    /// The configuration in force.
    pub fn config(&self) -> Config {
        self.config.read().map(|c| c.clone()).unwrap_or_default()
    }

    /// Evidentia under the configuration in force.
    pub fn evidentia(&self) -> Evidentia {
        Evidentia::open(self.config())
    }

    /// Why the configuration file could not be used, if it could not.
    pub fn config_error(&self) -> Option<String> {
        self.config_error.read().ok().and_then(|e| e.clone())
    }

    /// Reloads the configuration (after the settings were saved).
    pub fn reload(&self) -> Result<(), Failure> {
        let config = Config::load()?;
        if let Ok(mut c) = self.config.write() {
            *c = config;
        }
        if let Ok(mut e) = self.config_error.write() {
            *e = None;
        }
        Ok(())
    }

    /// Files given on the command line.
    pub fn initial(&self) -> &[PathBuf] {
        &self.initial
    }

    /// Remembers paths the user handed over (dialog, drop, command line) or the app wrote.
    pub fn grant(&self, paths: &[PathBuf]) {
        if let Ok(mut g) = self.granted.lock() {
            g.extend(paths.iter().cloned());
        }
    }

    /// Refuses any path the user did not hand over.
    pub fn require_granted(&self, paths: &[PathBuf]) -> Result<(), Failure> {
        let granted =
            self.granted.lock().map_err(|_| Failure::new("APP_STATE", "the app's state is broken; restart it"))?;
        match paths.iter().find(|p| !granted.contains(*p)) {
            Some(p) => Err(Failure::not_granted(p)),
            None => Ok(()),
        }
    }

    /// Starts a job the page may cancel; a job id already running is refused.
    pub fn start_job(&self, job: &str) -> Result<Arc<AtomicBool>, Failure> {
        let mut jobs =
            self.jobs.lock().map_err(|_| Failure::new("APP_STATE", "the app's state is broken; restart it"))?;
        if jobs.contains_key(job) {
            return Err(Failure::new("JOB_RUNNING", format!("job {job} is already running")));
        }
        let flag = Arc::new(AtomicBool::new(false));
        jobs.insert(job.to_owned(), flag.clone());
        Ok(flag)
    }

    /// Forgets a finished job.
    pub fn end_job(&self, job: &str) {
        if let Ok(mut jobs) = self.jobs.lock() {
            jobs.remove(job);
        }
    }

    /// Asks a running job to stop; false when no such job runs.
    pub fn cancel_job(&self, job: &str) -> bool {
        match self.jobs.lock().ok().and_then(|j| j.get(job).cloned()) {
            Some(flag) => {
                flag.store(true, std::sync::atomic::Ordering::Relaxed);
                true
            }
            None => false,
        }
    }

    /// Keeps the report last shown, for "Save report PDF".
    pub fn keep_report(&self, report: PackageReport) {
        if let Ok(mut r) = self.last_report.lock() {
            *r = Some(report);
        }
    }

    /// Runs `f` on the report last shown.
    pub fn with_report<T>(&self, f: impl FnOnce(&PackageReport) -> T) -> Option<T> {
        self.last_report.lock().ok().and_then(|r| r.as_ref().map(f))
    }
}

/// Every `[app] retry_minutes` while the app runs: completes pending time-stamps, batches the
/// waiting records and anchors them, renews proofs that weaken within two years; tells the page
/// when something changed.
pub fn start_retries(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        loop {
            let minutes = app.state::<AppState>().config().app.retry_minutes;
            if minutes == 0 {
                tokio::time::sleep(Duration::from_secs(60)).await;
                continue;
            }
            tokio::time::sleep(Duration::from_secs(minutes * 60)).await;
            match app.state::<AppState>().evidentia().sync(true).await {
                Ok(Some(done)) if done.changed() => {
                    let _ = app.emit("records-changed", ());
                }
                Ok(_) => {}
                Err(e) => eprintln!("evidentia-app: retry of pending proofs: {} ({})", e, e.code()),
            }
            // Proofs that weaken within two years are renewed (nothing without a TSA).
            let renewal = app.state::<AppState>().evidentia().renew(&evidentia::renew::RenewOptions::default()).await;
            match renewal {
                Ok(done) if !done.stamps.is_empty() => {
                    let _ = app.emit("records-changed", ());
                }
                Ok(_) => {}
                Err(e) if e.code() == "NO_TSA_CONFIGURED" => {}
                Err(e) => eprintln!("evidentia-app: renewal of proofs: {} ({})", e, e.code()),
            }
        }
    });
}
