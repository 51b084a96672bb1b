#!/usr/bin/env bash
# Compares `evidentia hash` with `openssl dgst -sha256` and `sha256sum` on one 1 GiB file in the
# page cache (best of three, interleaved), then seals 10,000 small files into a fresh vault.
# Prints throughputs and ratios. Usage: scripts/bench.sh [WORK_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --release -p evidentia-cli
evidentia="$PWD/target/release/evidentia"
work="${1:-$(mktemp -d)}"
mkdir -p "$work"
big="$work/big.bin"
size=$((1 << 30))

if [ "$(stat -c %s "$big" 2>/dev/null || echo 0)" != "$size" ]; then
  echo "writing a 1 GiB file of random bytes to $big"
  head -c "$size" /dev/urandom > "$big"
fi
cat "$big" > /dev/null # into the page cache

now() { date +%s.%N; }
declare -A best
for round in 1 2 3; do
  for tool in evidentia openssl sha256sum; do
    start=$(now)
    case $tool in
      evidentia) "$evidentia" hash "$big" > /dev/null ;;
      openssl) openssl dgst -sha256 "$big" > /dev/null ;;
      sha256sum) sha256sum "$big" > /dev/null ;;
    esac
    took=$(python3 -c "print($(now) - $start)")
    prev=${best[$tool]:-1e9}
    best[$tool]=$(python3 -c "print(min($prev, $took))")
  done
done
python3 - "${best[evidentia]}" "${best[openssl]}" "${best[sha256sum]}" <<'PY'
import sys
ev, ossl, coreutils = map(float, sys.argv[1:])
gb = (1 << 30) / 1e9
print(f"SHA-256 of 1 GiB (best of 3, page cache):")
print(f"  evidentia hash       {gb/ev:6.2f} GB/s  ({ev:.3f} s)")
print(f"  openssl dgst -sha256 {gb/ossl:6.2f} GB/s  ({ossl:.3f} s)")
print(f"  sha256sum            {gb/coreutils:6.2f} GB/s  ({coreutils:.3f} s)")
print(f"  ratio evidentia/openssl   {ossl/ev:.2f}x")
print(f"  ratio evidentia/sha256sum {coreutils/ev:.2f}x")
PY

small="$work/small-files"
if [ ! -d "$small" ]; then
  python3 - "$small" <<'PY'
import os, sys
root = sys.argv[1]
for i in range(10000):
    d = os.path.join(root, f"{i % 100:02d}")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"file{i:05d}.bin"), "wb") as f:
        f.write(os.urandom(500 + (i * 7919) % 4000))
PY
fi
vault="$work/vault-$(date +%s%N)"
start=$(now)
"$evidentia" --vault "$vault" --quiet seal --each "$small" > /dev/null
took=$(python3 -c "print($(now) - $start)")
python3 -c "print(f'sealing 10,000 small files (copies kept, synced): {10000/$took:,.0f} files/s ({$took:.2f} s)')"
start=$(now)
"$evidentia" --vault "$vault" vault verify > /dev/null
took=$(python3 -c "print($(now) - $start)")
python3 -c "print(f'vault verify of those 10,000 records and copies: {$took:.2f} s')"
