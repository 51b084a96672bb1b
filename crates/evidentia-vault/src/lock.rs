//! The writer's lock: one process at a time may write a vault; others wait a bounded time.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::VaultError;

/// An exclusive lock on a vault, released when dropped or when the process dies.
#[derive(Debug)]
pub struct VaultLock {
    _file: File,
}

impl VaultLock {
    /// Takes the lock at `path`, waiting up to `wait` for another holder to let go.
    pub fn acquire(path: &Path, vault: &Path, wait: Duration) -> Result<VaultLock, VaultError> {
        let io = |e| VaultError::Io { path: path.to_owned(), source: e };
        let mut file = File::options().read(true).write(true).create(true).truncate(false).open(path).map_err(io)?;
        let start = Instant::now();
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(std::fs::TryLockError::WouldBlock) => {
                    if start.elapsed() >= wait {
                        return Err(VaultError::Locked {
                            path: PathBuf::from(vault),
                            holder: holder(&mut file),
                            waited_secs: start.elapsed().as_secs(),
                        });
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
            }
        }
        file.set_len(0).map_err(io)?;
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        write!(file, "{}", std::process::id()).map_err(io)?;
        Ok(VaultLock { _file: file })
    }
}

fn holder(file: &mut File) -> String {
    let mut text = String::new();
    let _ = file.seek(SeekFrom::Start(0)).and_then(|_| file.read_to_string(&mut text));
    match text.trim().parse::<u32>() {
        Ok(pid) => format!(" (pid {pid})"),
        Err(_) => String::new(),
    }
}
