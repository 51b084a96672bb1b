//! Streams a file through the hashers: a reader thread fills a few fixed buffers while the
//! caller's thread hashes, so reading and hashing overlap and memory stays bounded.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::Path;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvError, TryRecvError};
use std::time::{Duration, Instant};

use super::{DigestAlgorithm, Digests, MultiHasher};

/// Size of one read; four of these are in flight at most per file. Small enough that the buffers
/// stay in the caches between the reader's copy and the hash (4 MiB buffers hashed 15 % slower).
pub const CHUNK_SIZE: usize = 128 << 10;
const BUFFERS_IN_FLIGHT: usize = 4;
/// How long a side of the hand-off waits by spinning before it sleeps: sleeping and being woken at
/// every chunk made a 1 GiB hash 10–15 % slower on a 2-vCPU virtual machine.
const SPIN_LIMIT: Duration = Duration::from_micros(250);
/// Files being streamed now; each keeps two threads busy (reader and hasher).
static STREAMING: AtomicUsize = AtomicUsize::new(0);
/// Files up to this size are read and hashed on the calling thread alone.
const SMALL_FILE: u64 = 1 << 20;

/// Hashes everything a reader yields, in bounded chunks, reporting bytes as they are hashed.
pub fn hash_reader<R: Read>(
    mut reader: R,
    algos: &[DigestAlgorithm],
    progress: &dyn Fn(u64),
) -> io::Result<(Digests, u64)> {
    let mut hasher = MultiHasher::new(algos);
    let mut buf = vec![0u8; SMALL_FILE as usize];
    let mut total = 0u64;
    loop {
        let n = fill(&mut reader, &mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        total += n as u64;
        progress(n as u64);
    }
    Ok((hasher.finish(), total))
}

/// How many leading bytes of a file [`hash_file`] hands back (enough to recognise its type).
pub const HEAD_LEN: usize = 8192;

/// What hashing a file gave.
#[derive(Debug, Clone)]
pub struct HashedFile {
    /// Digest per algorithm.
    pub digests: Digests,
    /// Bytes read.
    pub size: u64,
    /// The first bytes (at most [`HEAD_LEN`]).
    pub head: Vec<u8>,
}

/// Hashes a file with every algorithm in one pass, optionally copying its bytes to `copy` as
/// they are read.
pub fn hash_file(
    path: &Path,
    algos: &[DigestAlgorithm],
    copy: Option<&mut (dyn Write + Send)>,
    progress: &dyn Fn(u64),
) -> io::Result<HashedFile> {
    if let Some(bytes) = read_small(path)? {
        if let Some(out) = copy {
            out.write_all(&bytes)?;
        }
        return Ok(hash_bytes(&bytes, algos, progress));
    }
    hash_large(File::open(path)?, algos, copy, progress)
}

/// Reads a whole file if it is small (up to 1 MiB); `None` if it is larger.
pub fn read_small(path: &Path) -> io::Result<Option<Vec<u8>>> {
    let mut file = File::open(path)?;
    let len = file.metadata()?.len();
    if len > SMALL_FILE {
        return Ok(None);
    }
    let mut bytes = Vec::with_capacity(len as usize + 1);
    (&mut file).take(SMALL_FILE + 1).read_to_end(&mut bytes)?;
    // A file that grew past the limit while we looked goes the streaming way.
    Ok((bytes.len() as u64 <= SMALL_FILE).then_some(bytes))
}

/// Hashes bytes held in memory.
pub fn hash_bytes(bytes: &[u8], algos: &[DigestAlgorithm], progress: &dyn Fn(u64)) -> HashedFile {
    let mut hasher = MultiHasher::new(algos);
    hasher.update(bytes);
    progress(bytes.len() as u64);
    let head = bytes[..bytes.len().min(HEAD_LEN)].to_vec();
    HashedFile { digests: hasher.finish(), size: bytes.len() as u64, head }
}

fn hash_large(
    mut file: File,
    algos: &[DigestAlgorithm],
    mut copy: Option<&mut (dyn Write + Send)>,
    progress: &dyn Fn(u64),
) -> io::Result<HashedFile> {
    let _streaming = Streaming::start();
    // Spinning is for one engine on cores to spare: several engines share out each chunk on
    // the thread pool, and several files at once already keep every core busy.
    let may_spin = move || algos.len() == 1 && Streaming::have_spare_cores();
    let (full_tx, full_rx) = mpsc::sync_channel::<io::Result<(Vec<u8>, usize)>>(BUFFERS_IN_FLIGHT);
    let (empty_tx, empty_rx) = mpsc::sync_channel::<Vec<u8>>(BUFFERS_IN_FLIGHT);
    for _ in 0..BUFFERS_IN_FLIGHT {
        // Cannot fail: the channel has room for exactly these buffers and its receiver is alive.
        let _ = empty_tx.send(vec![0u8; CHUNK_SIZE]);
    }
    std::thread::scope(|scope| {
        scope.spawn(move || {
            while let Ok(mut buf) = recv_soon(&empty_rx, may_spin()) {
                let step = fill(&mut file, &mut buf).and_then(|n| {
                    if let Some(out) = copy.as_mut() {
                        out.write_all(&buf[..n])?;
                    }
                    Ok(n)
                });
                let done = !matches!(step, Ok(n) if n > 0);
                if full_tx.send(step.map(|n| (buf, n))).is_err() || done {
                    break;
                }
            }
        });
        let mut hasher = MultiHasher::new(algos);
        let mut total = 0u64;
        let mut head = Vec::new();
        loop {
            let (buf, n) = match recv_soon(&full_rx, may_spin()) {
                Ok(Ok(chunk)) => chunk,
                Ok(Err(e)) => return Err(e),
                Err(_) => break,
            };
            if n == 0 {
                break;
            }
            if head.is_empty() {
                head = buf[..n.min(HEAD_LEN)].to_vec();
            }
            hasher.update(&buf[..n]);
            total += n as u64;
            progress(n as u64);
            // The reader may have finished and gone; the buffer is then simply dropped.
            let _ = empty_tx.send(buf);
        }
        drop(empty_tx);
        Ok(HashedFile { digests: hasher.finish(), size: total, head })
    })
}

/// Counts a file as streaming while it lives.
struct Streaming;

impl Streaming {
    fn start() -> Self {
        STREAMING.fetch_add(1, Ordering::Relaxed);
        Streaming
    }

    /// Whether every file streaming now has two cores.
    fn have_spare_cores() -> bool {
        static CORES: OnceLock<usize> = OnceLock::new();
        let cores = *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
        STREAMING.load(Ordering::Relaxed) * 2 <= cores
    }
}

impl Drop for Streaming {
    fn drop(&mut self) {
        STREAMING.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Receives the next buffer, spinning up to [`SPIN_LIMIT`] first when `spin` allows.
fn recv_soon<T>(rx: &Receiver<T>, spin: bool) -> Result<T, RecvError> {
    if spin {
        let start = Instant::now();
        loop {
            match rx.try_recv() {
                Ok(item) => return Ok(item),
                Err(TryRecvError::Disconnected) => return Err(RecvError),
                Err(TryRecvError::Empty) if start.elapsed() < SPIN_LIMIT => {
                    for _ in 0..64 {
                        std::hint::spin_loop();
                    }
                }
                Err(TryRecvError::Empty) => break,
            }
        }
    }
    rx.recv()
}

/// Reads until the buffer is full or the stream ends; returns the number of bytes read.
fn fill(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    fn pattern(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i.wrapping_mul(31) % 256) as u8).collect()
    }

    #[test]
    fn streamed_file_matches_in_memory_digest_and_copies_exactly() {
        let dir = tempfile::tempdir().unwrap();
        for len in [0usize, 1, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, SMALL_FILE as usize + CHUNK_SIZE * 2 + 12345] {
            let data = pattern(len);
            let path = dir.path().join(format!("f{len}"));
            std::fs::write(&path, &data).unwrap();
            let seen = AtomicU64::new(0);
            let mut copy: Vec<u8> = Vec::new();
            let HashedFile { digests, size, head } =
                hash_file(&path, &[DigestAlgorithm::Sha256, DigestAlgorithm::Sm3], Some(&mut copy), &|n| {
                    seen.fetch_add(n, Ordering::Relaxed);
                })
                .unwrap();
            assert_eq!(size, len as u64);
            assert_eq!(head, data[..len.min(HEAD_LEN)]);
            assert_eq!(seen.load(Ordering::Relaxed), len as u64);
            assert_eq!(copy, data, "copy of {len} bytes");
            assert_eq!(digests.get(DigestAlgorithm::Sha256), Some(&DigestAlgorithm::Sha256.digest(&data)));
            assert_eq!(digests.get(DigestAlgorithm::Sm3), Some(&DigestAlgorithm::Sm3.digest(&data)));
            // One engine alone: the hand-off may spin instead of sleeping.
            let mut copy: Vec<u8> = Vec::new();
            let alone = hash_file(&path, &[DigestAlgorithm::Sha256], Some(&mut copy), &|_| {}).unwrap();
            assert_eq!(copy, data, "copy of {len} bytes, one engine");
            assert_eq!(alone.digests.get(DigestAlgorithm::Sha256), Some(&DigestAlgorithm::Sha256.digest(&data)));
        }
    }

    #[test]
    fn files_streamed_at_once_each_get_their_own_digest() {
        let dir = tempfile::tempdir().unwrap();
        let files: Vec<(std::path::PathBuf, Vec<u8>)> = (0..5usize)
            .map(|i| {
                let data: Vec<u8> = pattern(SMALL_FILE as usize + i * CHUNK_SIZE + 7 * i + 1)
                    .into_iter()
                    .map(|b| b ^ i as u8)
                    .collect();
                let path = dir.path().join(format!("f{i}"));
                std::fs::write(&path, &data).unwrap();
                (path, data)
            })
            .collect();
        std::thread::scope(|scope| {
            for (path, data) in &files {
                scope.spawn(move || {
                    let hashed = hash_file(path, &[DigestAlgorithm::Sha256], None, &|_| {}).unwrap();
                    assert_eq!(hashed.size, data.len() as u64);
                    assert_eq!(
                        hashed.digests.get(DigestAlgorithm::Sha256),
                        Some(&DigestAlgorithm::Sha256.digest(data))
                    );
                });
            }
        });
    }

    #[test]
    fn reader_and_file_paths_agree() {
        let data = pattern(SMALL_FILE as usize + 3 * CHUNK_SIZE / 2);
        let (from_reader, n) = hash_reader(&data[..], &[DigestAlgorithm::Sha512], &|_| {}).unwrap();
        assert_eq!(n, data.len() as u64);
        assert_eq!(from_reader.get(DigestAlgorithm::Sha512), Some(&DigestAlgorithm::Sha512.digest(&data)));
    }

    #[test]
    fn missing_file_is_an_error_not_a_panic() {
        let err = hash_file(Path::new("/nonexistent/evidence"), &[DigestAlgorithm::Sha256], None, &|_| {}).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
    }
}
