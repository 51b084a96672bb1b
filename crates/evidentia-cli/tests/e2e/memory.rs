//! Memory stays bounded whatever the file size: a 1 GiB file hashes with a peak RSS under 64 MiB.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use crate::support::{Env, text};

#[test]
fn one_gibibyte_hashes_in_bounded_memory() {
    let env = Env::new();
    let path = env.path("big.bin");
    // Written for real (not sparse), so the page cache and the read path are exercised.
    {
        use std::io::Write;
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        let block: Vec<u8> = (0..(1u32 << 20)).map(|i| (i.wrapping_mul(2654435761) >> 24) as u8).collect();
        for _ in 0..1024 {
            f.write_all(&block).unwrap();
        }
    }
    for algos in ["sha256", "sha256,sha512,sm3"] {
        // Python reports the child's peak resident set (ru_maxrss, KiB).
        let script = "import resource,subprocess,sys; r=subprocess.run(sys.argv[1:], capture_output=True); \
                      print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r.stdout.decode().split()[0] if r.stdout else '')";
        let out = Command::new("python3")
            .args(["-c", script])
            .arg(crate::support::bin())
            .args(["hash", "--algo", algos])
            .arg(&path)
            .output()
            .unwrap();
        let line = text(&out.stdout);
        let fields: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(fields.first(), Some(&"0"), "{line} {}", text(&out.stderr));
        let rss_kib: u64 = fields[1].parse().unwrap();
        println!("{algos}: peak RSS {} MiB", rss_kib / 1024);
        assert!(rss_kib < 64 * 1024, "peak RSS {rss_kib} KiB with {algos}");
        if algos == "sha256" {
            assert_eq!(fields[2], crate::support::sha256sum(&path));
        }
    }
}
