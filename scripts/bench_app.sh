#!/usr/bin/env bash
# Measures the desktop app (release) beside a bare Tauri 2 app: binary size, start to first paint, idle memory; then sealing a 1 GiB file beside sha256sum and the CLI. Prints the ratios.
# Usage: scripts/bench_app.sh (runs itself under xvfb-run when there is no DISPLAY; RUNS=N starts
# of each, default 7; SEAL_ROUNDS=N rounds of the 1 GiB comparison, default 3, 0 skips it)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${DISPLAY:-}" ]; then
  exec xvfb-run -a -s "-screen 0 1280x900x24" bash "$0" "$@"
fi
runs="${RUNS:-7}"
rounds="${SEAL_ROUNDS:-3}"
for v in $(compgen -e | grep '^EVIDENTIA_' || true); do unset "$v"; done

echo "building the front end and the release binaries" >&2
# ui/dist is rebuilt only when stale: a fresh one makes cargo re-embed it and relink the app.
if [ ! -f ui/dist/index.html ] || [ -n "$(find ui/src ui/index.html ui/package.json ui/vite.config.* -newer ui/dist/index.html -print -quit 2> /dev/null)" ]; then
  (cd ui && npm run build --silent > /dev/null)
fi
cargo build --quiet --release -p evidentia-app -p evidentia-cli
app="$PWD/target/release/evidentia-app"
cli="$PWD/target/release/evidentia"

# The reference: a bare Tauri 2 app (scripts/bare-tauri) built with the same Tauri version (our
# Cargo.lock) and the same release profile, in its own target folder.
echo "building the bare Tauri app" >&2
bare_src="$PWD/target/bare-tauri/app"
mkdir -p "$bare_src/src" "$bare_src/dist" "$bare_src/icons"
cp -p scripts/bare-tauri/build.rs scripts/bare-tauri/tauri.conf.json "$bare_src/"
cp -p scripts/bare-tauri/src/main.rs "$bare_src/src/"
cp -p scripts/bare-tauri/dist/index.html "$bare_src/dist/"
cp -p icons/icon.png "$bare_src/icons/"
{ cat scripts/bare-tauri/Cargo.toml; echo; sed -n '/^\[profile\.release/,/^\[profile\.bench\]/p' Cargo.toml | grep -v '^\[profile\.bench\]'; } > "$bare_src/Cargo.toml.new"
cmp -s "$bare_src/Cargo.toml.new" "$bare_src/Cargo.toml" || mv "$bare_src/Cargo.toml.new" "$bare_src/Cargo.toml"
rm -f "$bare_src/Cargo.toml.new"
cp Cargo.lock "$bare_src/"
CARGO_TARGET_DIR="$PWD/target/bare-tauri/target" cargo build --quiet --release --manifest-path "$bare_src/Cargo.toml" 2> "$PWD/target/bare-tauri/build.log" \
  || { cat "$PWD/target/bare-tauri/build.log" >&2; exit 1; }
bare="$PWD/target/bare-tauri/target/release/bare-tauri"
bare_version=$(grep -A1 '^name = "tauri"$' "$bare_src/Cargo.lock" | sed -n 's/^version = "\(.*\)"/\1/p')
app_version=$(grep -A1 '^name = "tauri"$' Cargo.lock | sed -n 's/^version = "\(.*\)"/\1/p')
[ "$bare_version" = "$app_version" ] || { echo "the bare app has Tauri $bare_version, the app $app_version" >&2; exit 1; }

work="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2> /dev/null || true; done
  wait 2> /dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

size=$(stat -c %s "$app")
strip -o "$work/stripped" "$app"
stripped=$(stat -c %s "$work/stripped")
rm "$work/stripped"
bare_size=$(stat -c %s "$bare")
ui_bytes=$(du -sb ui/dist | cut -f1)

# Start to first paint, and memory after 5 s idle, of the app and of the bare app, launched in
# turn (no WebDriver) with an empty configuration and vault; the X root window is read (XGetImage)
# every ~10 ms. "Window" is the first frame that differs from the empty screen (the blank window),
# "paint" the first with at least 8 distinct colours (the page drawn). One unmeasured launch of
# each warms the caches.
echo "timing $runs starts of each (after one warm-up start)" >&2
python3 - "$app" "$bare" "$runs" "$work" > "$work/start.json" <<'PY'
import ctypes, ctypes.util, json, os, signal, statistics, subprocess, sys, time
binaries, runs, work = {"app": sys.argv[1], "bare": sys.argv[2]}, int(sys.argv[3]), sys.argv[4]
x = ctypes.CDLL(ctypes.util.find_library("X11"))
class XImage(ctypes.Structure):
    _fields_ = [(n, ctypes.c_int) for n in ("width", "height", "xoffset", "format")] + [("data", ctypes.c_void_p)] + [
        (n, ctypes.c_int) for n in ("byte_order", "bitmap_unit", "bitmap_bit_order", "bitmap_pad", "depth", "bytes_per_line")]
x.XOpenDisplay.restype = ctypes.c_void_p
x.XOpenDisplay.argtypes = [ctypes.c_char_p]
x.XDefaultRootWindow.restype = ctypes.c_ulong
x.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
x.XDisplayWidth.argtypes = x.XDisplayHeight.argtypes = [ctypes.c_void_p, ctypes.c_int]
x.XGetImage.restype = ctypes.POINTER(XImage)
x.XGetImage.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_int, ctypes.c_uint, ctypes.c_uint, ctypes.c_ulong, ctypes.c_int]
x.XDestroyImage.argtypes = [ctypes.POINTER(XImage)]
dpy = x.XOpenDisplay(None)
root, W, H = x.XDefaultRootWindow(dpy), x.XDisplayWidth(dpy, 0), x.XDisplayHeight(dpy, 0)

def colours():
    ptr = x.XGetImage(dpy, root, 0, 0, W, H, 0xFFFFFFFF, 2)  # ZPixmap
    raw = ctypes.string_at(ptr.contents.data, ptr.contents.bytes_per_line * ptr.contents.height)
    x.XDestroyImage(ptr)
    return len(set(memoryview(raw).cast("I")[::7]))

def tree(pid):
    kids = {}
    for d in filter(str.isdigit, os.listdir("/proc")):
        try:
            ppid = int(open(f"/proc/{d}/stat").read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        kids.setdefault(ppid, []).append(int(d))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += kids.get(p, [])
    return out

def memory(pid):
    """(comm, RSS kB, PSS kB) of the process and each descendant."""
    rows = []
    for p in tree(pid):
        try:
            comm = os.path.basename(open(f"/proc/{p}/cmdline").read().split("\0")[0])
            f = dict(l.split(":", 1) for l in open(f"/proc/{p}/smaps_rollup").read().splitlines()[1:])
            rows.append((comm, int(f["Rss"].split()[0]), int(f["Pss"].split()[0])))
        except (OSError, KeyError):
            pass
    return rows

def launch(binary, d):
    env = dict(os.environ, EVIDENTIA_CONFIG=f"{d}/config.toml", EVIDENTIA_VAULT=f"{d}/vault",
               EVIDENTIA_IDENTITIES=f"{d}/identities", EVIDENTIA_EXPORTS=f"{d}/exports",
               XDG_DATA_HOME=f"{d}/data", XDG_CACHE_HOME=f"{d}/cache", XDG_CONFIG_HOME=f"{d}/xdg-config")
    empty = colours()
    t0 = time.monotonic()
    p = subprocess.Popen([binary], env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    window = paint = None
    while time.monotonic() - t0 < 60 and p.poll() is None:
        c = colours()
        t = time.monotonic() - t0
        if window is None and c != empty:
            window = t
        if c >= 8:
            paint = t
            break
        time.sleep(0.008)
    time.sleep(5)
    rows = memory(p.pid)
    family = tree(p.pid)
    os.killpg(p.pid, signal.SIGTERM)
    try:
        p.wait(10)
    except subprocess.TimeoutExpired:
        pass
    for q in family:
        try:
            os.kill(q, signal.SIGKILL)
        except ProcessLookupError:
            pass
    p.wait()
    if paint is None:
        sys.exit(f"{binary} painted nothing within 60 s")
    time.sleep(1)
    return {"window": window, "paint": paint, "procs": rows}

results = {name: [] for name in binaries}
for run in range(runs + 1):
    order = list(binaries) if run % 2 == 0 else list(reversed(binaries))
    for name in order:
        r = launch(binaries[name], os.path.join(work, f"start-{name}-{run}"))
        if run > 0:
            results[name].append(r)

def summary(vals):
    return {"median": statistics.median(vals), "min": min(vals), "max": max(vals)}
def total(r, i, who=None):
    return sum(row[i] for row in r["procs"] if who is None or row[0] == who) / 1024
out = {}
for name, rs in results.items():
    out[name] = {
        "window": summary([r["window"] for r in rs]),
        "paint": summary([r["paint"] for r in rs]),
        "rss_all": summary([total(r, 1) for r in rs]),
        "pss_all": summary([total(r, 2) for r in rs]),
        "rss_app": summary([r["procs"][0][1] / 1024 for r in rs]),
        "pss_app": summary([r["procs"][0][2] / 1024 for r in rs]),
        "procs": {},
    }
    for comm in sorted({row[0] for r in rs for row in r["procs"]}):
        out[name]["procs"][comm] = {"rss": statistics.median(total(r, 1, comm) for r in rs),
                                    "pss": statistics.median(total(r, 2, comm) for r in rs),
                                    "count": max(sum(row[0] == comm for row in r["procs"]) for r in rs)}
print(json.dumps(out))
PY

# Sealing 1 GiB of random bytes with the local TSA (no anchoring: EVIDENTIA_EVM_RPC unset), each
# into its own empty vault with its copy kept, the file in the page cache: sha256sum, the CLI,
# and the app through WebDriver (click on Seal to the record's row, by the page's clock), in
# interleaved rounds. Sealing ends with syncfs, so the disk is synced before each step: no one
# pays for writing back what came before.
sha_s=() cli_s=()
touch "$work/seal.json"
if [ "$rounds" -gt 0 ]; then
  echo "sealing a 1 GiB file: sha256sum, CLI, app" >&2
  python3 scripts/tsa/tsa_server.py --dir "$work/pki" --port 0 --port-file "$work/tsa.port" > /dev/null 2>&1 &
  pids+=($!)
  for _ in $(seq 300); do [ -s "$work/tsa.port" ] && break; sleep 0.1; done
  [ -s "$work/tsa.port" ] || { echo "the local TSA did not start" >&2; exit 1; }
  export EVIDENTIA_TSA="http://127.0.0.1:$(cat "$work/tsa.port")/tsa"
  export EVIDENTIA_TSA_TRUST="$work/pki/root-ca.pem"
  big="$work/Evidence 1GiB.bin"
  head -c 1G /dev/urandom > "$big"
  sync
  cat "$big" > /dev/null
  now() { date +%s.%N; }
  # The vaults live in memory (SEAL_DIR, default /dev/shm): on this disk, writing a 1 GiB copy
  # just after deleting another swings the CLI's own seal from 1.3 to 6.7 s (BENCHMARKS.md).
  seal_dir="$(mktemp -d "${SEAL_DIR:-/dev/shm}/evidentia-seal.XXXXXX")"
  use_vault() {
    rm -rf "$seal_dir/vault-dir"
    mkdir -p "$seal_dir/vault-dir"
    export EVIDENTIA_CONFIG="$seal_dir/vault-dir/config.toml" EVIDENTIA_VAULT="$seal_dir/vault-dir/vault"
    export EVIDENTIA_IDENTITIES="$seal_dir/vault-dir/identities" EVIDENTIA_EXPORTS="$seal_dir/vault-dir/exports"
  }
  for _ in $(seq "$rounds"); do
    sync
    t0=$(now)
    sha256sum "$big" > /dev/null
    sha_s+=("$(python3 -c "print($(now) - $t0)")")
    use_vault
    sync
    t0=$(now)
    "$cli" --quiet seal "$big" > /dev/null
    cli_s+=("$(python3 -c "print($(now) - $t0)")")
    use_vault
    sync
    node ui/e2e/bench.mjs "$app" "$big" >> "$work/seal.json"
  done
  rm -rf "$seal_dir" "$big"
fi

python3 - "$work/start.json" "$work/seal.json" "$size" "$stripped" "$ui_bytes" "$bare_size" "${sha_s[*]}" "${cli_s[*]}" <<'PY'
import json, statistics, sys
both = json.load(open(sys.argv[1]))
start, bare = both["app"], both["bare"]
seals = [json.loads(l) for l in open(sys.argv[2])]
size, stripped, ui, bare_size = (int(v) for v in sys.argv[3:7])
shas, clis = ([float(v) for v in a.split()] for a in sys.argv[7:9])
apps = [s["seal_ms"] / 1000 for s in seals]
sec = lambda v: f"{v:.2f} s"
def spread(vals):
    return f"{sec(statistics.median(vals))} (range {sec(min(vals))}–{sec(max(vals))}, {len(vals)} rounds)"
mb = lambda b: f"{b / 1e6:.1f} MB"
def rng(s, fmt):
    return f"{fmt(s['median'])} (range {fmt(s['min'])}–{fmt(s['max'])})"
ms = lambda v: f"{v * 1000:.0f} ms"
mib = lambda v: f"{v:.0f} MiB"
print(f"{'release binary evidentia-app':44} {mb(size)} ({size:,} bytes; stripped {mb(stripped)}; embedded ui/dist {ui / 1e3:.0f} kB)")
print(f"{'release binary of the bare Tauri app':44} {mb(bare_size)} ({bare_size:,} bytes)")
for who, m in (("app", start), ("bare Tauri app", bare)):
    print(f"{who}:")
    print(f"{'  launch to blank window':44} {rng(m['window'], ms)}")
    print(f"{'  launch to first paint of the page':44} {rng(m['paint'], ms)}")
    print(f"{'  idle RSS, app + WebKit processes':44} {rng(m['rss_all'], mib)}")
    print(f"{'  idle PSS, app + WebKit processes':44} {rng(m['pss_all'], mib)}")
    print(f"{'  idle RSS, app process alone':44} {rng(m['rss_app'], mib)}")
    print(f"{'  idle PSS, app process alone':44} {rng(m['pss_app'], mib)}")
    for comm, p in m["procs"].items():
        print(f"{'    ' + comm + ' (x' + str(p['count']) + ')':44} RSS {p['rss']:.0f} MiB, PSS {p['pss']:.0f} MiB (median)")
ratio = lambda key: start[key]["median"] / bare[key]["median"]
print(f"{'ratio app / bare: binary size':44} {size / bare_size:.2f}x")
print(f"{'ratio app / bare: launch to first paint':44} {ratio('paint'):.2f}x (medians)")
print(f"{'ratio app / bare: idle PSS of the tree':44} {ratio('pss_all'):.2f}x (medians)")
if seals:
    sha, cli, app = (statistics.median(v) for v in (shas, clis, apps))
    print(f"{'1 GiB: sha256sum':44} {spread(shas)}")
    print(f"{'1 GiB: evidentia seal (CLI, TSA)':44} {spread(clis)}")
    print(f"{'1 GiB: app, Seal click to record row (TSA)':44} {spread(apps)}")
    print(f"{'  the same, WebDriver wall time':44} {spread([s['wall_ms'] / 1000 for s in seals])}")
    print(f"{'  every record time-stamped':44} {'yes' if all(s['timestamped'] for s in seals) else 'NO'}")
    print(f"{'ratio app / CLI (medians)':44} {app / cli:.2f}x")
    print(f"{'ratio app / sha256sum (medians)':44} {app / sha:.2f}x")
    print(f"{'ratio CLI / sha256sum (medians)':44} {cli / sha:.2f}x")
PY
