#!/bin/sh
# Makes the PAdES test vectors of `verify.rs` with tools independent of Evidentia: a test CA and
# signer with OpenSSL, a one-page PDF written by hand, a PAdES-B-B signature by pyHanko, incremental
# updates after it made with pyHanko's IncrementalPdfFileWriter, and certification signatures
# (DocMDP P=1, 2, 3) by pyHanko with what follows them. Keys are made in a
# temporary directory and thrown away: running this again makes new keys and new vectors (the
# tests use names only, not serials or digests). See README.md for the reference verdicts.
#
#   sh make.sh            # writes the vectors next to this script
set -eu

here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

# --- PKI: a root, an unrelated root, and an EC P-256 signer with digitalSignature ------------
cat > ext.cnf <<'EOF'
[req]
distinguished_name = dn
[dn]
[root]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[signer]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout root.key \
  -subj "/O=Evidentia Test/CN=Evidentia PAdES Test Root" -days 7300 \
  -config ext.cnf -extensions root -out root.pem
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout other.key \
  -subj "/O=Somebody Else/CN=Unrelated Test Root" -days 7300 \
  -config ext.cnf -extensions root -out other-root.pem
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout signer.key \
  -subj "/O=Evidentia Test/CN=Bob PDF Signer" -config ext.cnf -out signer.csr
openssl x509 -req -in signer.csr -CA root.pem -CAkey root.key -CAcreateserial -days 7000 \
  -extfile ext.cnf -extensions signer -out signer.pem

# --- A one-page PDF, written by hand (classic xref table, offsets computed) ------------------
python3 - <<'EOF'
text = b"BT /F1 18 Tf 72 720 Td (Contract: the buyer pays 1,000 EUR.) Tj ET"
objects = [
    b"<< /Type /Catalog /Pages 2 0 R >>",
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
    b" /Resources << /Font << /F1 5 0 R >> >> >>",
    b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream",
    b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
]
out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
offsets = []
for i, body in enumerate(objects, 1):
    offsets.append(len(out))
    out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
xref = len(out)
out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
for o in offsets:
    out += b"%010d 00000 n \n" % o
out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
open("unsigned.pdf", "wb").write(out)
EOF

# --- PAdES-B-B by pyHanko (invisible field, signer's and root's certificates embedded) -------
pyhanko sign addsig --field Signature1 --use-pades --reason "Test vector" \
  pemder --key signer.key --cert signer.pem --chain root.pem --no-pass unsigned.pdf signed.pdf

# --- Incremental updates after the signature, by the e2e tests' own pyHanko helper ---------
fixtures="$here/../../../../../tests/fixtures"
python3 "$fixtures/pdf_tools.py" tamper signed.pdf signed-then-tampered.pdf
python3 "$fixtures/pdf_tools.py" annotate signed.pdf signed-then-annotated.pdf
# The shared-appearance attack: a new invisible signature field whose appearance is page 1's
# content stream, and that stream rewritten, in one update.
python3 "$fixtures/pdf_tools.py" share-appearance signed.pdf signed-then-shared-appearance.pdf
python3 "$fixtures/pdf_tools.py" orphan signed.pdf signed-then-orphan.pdf
python3 "$fixtures/pdf_tools.py" spoof-reason signed.pdf signed-then-spoofed-reason.pdf

# --- Certification signatures (DocMDP) by pyHanko, and what comes after them ----------------
for p in 1 2 3; do
  python3 "$fixtures/pdf_tools.py" certify signer.key signer.pem root.pem $p unsigned.pdf certified-p$p.pdf
done
python3 "$fixtures/pdf_tools.py" approve signer.key signer.pem root.pem Approval certified-p1.pdf certified-p1-then-signed.pdf
python3 "$fixtures/pdf_tools.py" approve signer.key signer.pem root.pem Approval certified-p2.pdf certified-p2-then-signed.pdf
python3 "$fixtures/pdf_tools.py" annotate certified-p3.pdf certified-p3-then-annotated.pdf

cp root.pem other-root.pem signed.pdf signed-then-tampered.pdf signed-then-annotated.pdf \
  signed-then-shared-appearance.pdf signed-then-orphan.pdf signed-then-spoofed-reason.pdf certified-p1-then-signed.pdf certified-p2-then-signed.pdf \
  certified-p3-then-annotated.pdf "$here/"
openssl x509 -in signer.pem -noout -subject -issuer -serial -dates
ls -l "$here"
