#!/usr/bin/env bash
# Times signing 100 PDF contracts inside the file (PAdES) in one batch with one password
# (`evidentia pdf sign ... --out-dir`), at B-B and at B-T (a time-stamp from the local TSA per
# document), beside pyHanko signing the same 100 files in one Python process, in one run; prints
# documents per minute and the ratios; every B-T time-stamp is checked with `openssl ts -verify`.
# Evidentia's B-T batch runs at the default 4 time-stamp requests in flight and at 8.
# Needs the local TSA (scripts/tsa), qpdf and PyPI pyHanko.
# Usage: scripts/bench_pdf.sh [WORK_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
cargo build --quiet --release -p evidentia-cli
evidentia="$repo/target/release/evidentia"
work="${1:-$(mktemp -d)}"
mkdir -p "$work"
cd "$work"

source "$repo/scripts/tsa/start_local.sh"
export EVIDENTIA_CONFIG="$work/none.toml" EVIDENTIA_IDENTITIES="$work/identities"
printf 'benchmark passphrase' > pw

# One signer for both tools: a P-256 key with a certificate, as PKCS #12 and as PEM.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout signer.key -out signer.pem \
  -days 30 -subj "/CN=Bench Signer" -addext "keyUsage=critical,digitalSignature,nonRepudiation" 2> /dev/null
openssl pkcs12 -export -inkey signer.key -in signer.pem -out signer.p12 -passout file:pw
rm -rf identities
"$evidentia" identity import signer.p12 --name bench --password-file pw > /dev/null

# 100 contracts of 3 pages each, about 2–40 KB, classic and object-stream PDFs.
rm -rf in out-* ref-*
mkdir -p in out-bb out-bt ref-bb ref-bt
python3 - <<'PY'
import random
random.seed(7)
def pdf(pages):
    objs = ["<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [%s] /Count %d >>" % (" ".join("%d 0 R" % (3 + 2 * i) for i in range(len(pages))), len(pages))]
    font = 3 + 2 * len(pages)
    for i, text in enumerate(pages):
        objs.append("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>" % (font, 4 + 2 * i))
        body = "\n".join("BT /F1 10 Tf 60 %d Td (%s) Tj ET" % (800 - 14 * n, line) for n, line in enumerate(text))
        objs.append("<< /Length %d >>\nstream\n%s\nendstream" % (len(body), body))
    objs.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, o in enumerate(objs):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (i + 1, o.encode())
    x = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for o in offsets:
        out += b"%010d 00000 n \n" % o
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, x)
    return bytes(out)
for n in range(100):
    lines = random.randint(3, 55)
    pages = [["Clause %d.%d: the parties agree to term %d" % (p, l, random.randint(1, 10**6)) for l in range(lines)] for p in range(3)]
    open("in/contract-%03d.pdf" % n, "wb").write(pdf(pages))
PY
for f in in/contract-0[0-4]*.pdf; do qpdf --object-streams=generate "$f" "$f.tmp" && mv "$f.tmp" "$f"; done
total_kb=$(du -k in | cut -f1)

seconds() { date +%s.%N; }
run() { # run DIR LEVEL [TSA_CONCURRENCY]: the median of three batches
  local t0 t1 times=()
  for _ in 1 2 3; do
    rm -rf "$1" && mkdir -p "$1"
    t0=$(seconds)
    EVIDENTIA_TSA_CONCURRENCY="${3:-4}" "$evidentia" -q pdf sign in/*.pdf --out-dir "$1" --identity bench --password-file pw --level "$2" > /dev/null
    t1=$(seconds)
    times+=("$(python3 -c "print(f'{$t1 - $t0:.3f}')")")
  done
  python3 -c "import statistics, sys; print(statistics.median(map(float, sys.argv[1:])))" "${times[@]}"
}
ev_bb=$(run out-bb B-B)
ev_bt=$(run out-bt B-T)
ev_bt8=$(run out-bt8 B-T 8)

# pyHanko, one Python process for all 100 files (no start-up per file).
py_run() { # py_run DIR TSA_URL_OR_EMPTY
  python3 - "$1" "$2" <<'PY'
import glob, os, sys, time
from pyhanko.sign import signers, timestamps
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
out_dir, tsa = sys.argv[1], sys.argv[2]
signer = signers.SimpleSigner.load("signer.key", "signer.pem")
stamper = timestamps.HTTPTimeStamper(tsa) if tsa else None
meta = signers.PdfSignatureMetadata(field_name="Signature1", subfilter=SigSeedSubFilter.PADES)
t0 = time.time()
for path in sorted(glob.glob("in/*.pdf")):
    with open(path, "rb") as f:
        w = IncrementalPdfFileWriter(f)
        with open(os.path.join(out_dir, os.path.basename(path)), "wb") as out:
            signers.sign_pdf(w, meta, signer=signer, timestamper=stamper, output=out)
print(f"{time.time() - t0:.2f}")
PY
}
py_bb=$(py_run ref-bb "")
py_bt=$(py_run ref-bt "$EVIDENTIA_TSA")

# Spot checks: what we wrote passes qpdf and pyHanko.
for f in out-bb/contract-000-signed.pdf out-bt/contract-099-signed.pdf; do qpdf --check "$f" > /dev/null; done
pyhanko sign validate --trust signer.pem --trust "$work/pki/root-ca.pem" out-bt/contract-050-signed.pdf 2>/dev/null | grep -q INTACT
# Every time-stamp the concurrent B-T batches obtained passes OpenSSL.
python3 "$repo/scripts/pdf_tokens_verify.py" "$work/pki/root-ca.pem" out-bt/*.pdf
python3 "$repo/scripts/pdf_tokens_verify.py" "$work/pki/root-ca.pem" out-bt8/*.pdf

python3 - "$ev_bb" "$ev_bt" "$ev_bt8" "$py_bb" "$py_bt" "$total_kb" <<'PY'
import sys
ev_bb, ev_bt, ev_bt8, py_bb, py_bt, kb = map(float, sys.argv[1:])
per_min = lambda s: 100 * 60 / s
print(f"100 PDFs ({kb:.0f} KB in all), one batch, one password (Evidentia: median of 3 batches):")
print(f"  evidentia pdf sign --level B-B   {ev_bb:6.2f} s  {per_min(ev_bb):8.0f} docs/min")
print(f"  evidentia pdf sign --level B-T   {ev_bt:6.2f} s  {per_min(ev_bt):8.0f} docs/min (a time-stamp per document, 4 in flight: the default)")
print(f"  the same, 8 time-stamps in flight {ev_bt8:5.2f} s  {per_min(ev_bt8):8.0f} docs/min")
print(f"  pyHanko sign_pdf, B-B            {py_bb:6.2f} s  {per_min(py_bb):8.0f} docs/min (one Python process)")
print(f"  pyHanko sign_pdf, B-T            {py_bt:6.2f} s  {per_min(py_bt):8.0f} docs/min")
print(f"  ratio B-B: {py_bb / ev_bb:.1f}x   ratio B-T: {py_bt / ev_bt:.1f}x")
PY
