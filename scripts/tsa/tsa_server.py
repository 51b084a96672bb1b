#!/usr/bin/env python3
"""A local RFC 3161 time-stamping authority with lying variants, for tests and the sandbox.

It is OpenSSL's `ts -reply` behind a small HTTP handler on 127.0.0.1: the same libcrypto calls made
in this process (openssl_ts.py), or the `openssl ts -reply` command itself for answers from a moved
clock and when TSA_SPAWN_OPENSSL=1.

Usage: tsa_server.py --dir PKI_DIR [--port PORT] [--port-file FILE]

The URL path picks the behaviour (see README.md beside this file). Lies are produced from the real
TSA: the request is changed before OpenSSL signs it, or OpenSSL's signed answer is changed (or, for
/noeku, signed again) after.
"""
import argparse
import fcntl
import hashlib
import os
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import openssl_ts

HERE = os.path.dirname(os.path.abspath(__file__))
SHA256 = bytes.fromhex("0609608648016503040201")  # OID 2.16.840.1.101.3.4.2.1, DER
SHA384 = bytes.fromhex("0609608648016503040202")
SHA512 = bytes.fromhex("0609608648016503040203")
UNKNOWN_POLICY = bytes.fromhex("060a2b06010401868d1f0109")  # 1.3.6.1.4.1.99999.1.9, not offered

SIGNERS = {"tsa": "tsa", "ec": "tsa-ec", "expired": "tsa-expired", "untrusted": "tsa-untrusted",
           "leaf-issued": "tsa-leaf-issued", "two-years": "tsa-two-years", "ten-years": "tsa-ten-years"}
serial_lock = threading.Lock()


# --- a minimal DER reader/writer: enough for TimeStampReq and for finding a signature ---------------

def read_tlv(data, pos):
    """Returns (tag, header_length, content_start, content_end) of the TLV at pos."""
    tag = data[pos]
    length = data[pos + 1]
    start = pos + 2
    if length & 0x80:
        n = length & 0x7F
        length = int.from_bytes(data[start:start + n], "big")
        start += n
    return tag, start - pos, start, start + length


def children(data, start, end):
    out, pos = [], start
    while pos < end:
        tag, _, cstart, cend = read_tlv(data, pos)
        out.append((tag, pos, cstart, cend))
        pos = cend
    return out


def encode(tag, content):
    n = len(content)
    if n < 0x80:
        length = bytes([n])
    else:
        raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(raw)]) + raw
    return bytes([tag]) + length + content


def request_fields(req):
    """TimeStampReq as a list of its top-level elements (DER bytes each)."""
    _, _, start, end = read_tlv(req, 0)
    return [req[p:e] for _, p, _, e in children(req, start, end)]


def rebuild(fields):
    return encode(0x30, b"".join(fields))


def change_request(req, how):
    fields = request_fields(req)
    if how == "wrong-nonce":
        for i, f in enumerate(fields):
            if f[0] == 0x02 and i > 0:  # the nonce (the first INTEGER is the version)
                _, _, s, e = read_tlv(f, 0)
                value = int.from_bytes(f[s:e], "big") + 1
                fields[i] = encode(0x02, value.to_bytes((value.bit_length() + 8) // 8, "big"))
                break
        else:  # the request has no nonce: the answer carries one all the same
            at = 3 if len(fields) > 2 and fields[2][0] == 0x06 else 2  # after reqPolicy, if any
            fields.insert(at, encode(0x02, b"\x01"))
    elif how == "wrong-imprint":
        _, _, s, e = read_tlv(fields[1], 0)
        alg, digest = [fields[1][p:q] for _, p, _, q in children(fields[1], s, e)]
        _, _, ds, de = read_tlv(digest, 0)
        body = bytearray(digest[ds:de])
        body[0] ^= 0xFF
        fields[1] = encode(0x30, alg + encode(0x04, bytes(body)))
    elif how == "wrong-algorithm":
        _, _, s, e = read_tlv(fields[1], 0)
        alg, digest = [fields[1][p:q] for _, p, _, q in children(fields[1], s, e)]
        _, _, ds, de = read_tlv(digest, 0)
        # A SHA-512 imprint (SHA-384 when SHA-512 was asked for), computed over the requested digest.
        oid, hash_name = (SHA384, "sha384") if SHA512 in alg else (SHA512, "sha512")
        other = hashlib.new(hash_name, digest[ds:de]).digest()
        fields[1] = encode(0x30, encode(0x30, oid + b"\x05\x00") + encode(0x04, other))
    elif how == "rejection":
        fields = [f for f in fields if f[0] != 0x06]
        fields.insert(2, UNKNOWN_POLICY)
    elif how == "nocerts":
        fields = [f for f in fields if f[0] != 0x01]
    return rebuild(fields)


def flip_signature(resp):
    """Flips one bit inside the SignerInfo's signature value of a TimeStampResp."""
    data = bytearray(resp)
    _, _, s, e = read_tlv(data, 0)                      # TimeStampResp
    token = children(data, s, e)[1]                     # [status, timeStampToken]
    ci = children(data, token[2], token[3])             # ContentInfo: [contentType, [0] content]
    explicit = ci[1]
    sd = children(data, explicit[2], explicit[3])[0]    # SignedData SEQUENCE
    signer_infos = children(data, sd[2], sd[3])[-1]     # last field: signerInfos SET
    signer = children(data, signer_infos[2], signer_infos[3])[0]
    octets = [c for c in children(data, signer[2], signer[3]) if c[0] == 0x04]
    sig = octets[-1]                                    # signature OCTET STRING
    data[sig[2] + (sig[3] - sig[2]) // 2] ^= 0x01
    return bytes(data)


def tst_info_of(resp):
    """The DER TSTInfo inside a TimeStampResp."""
    _, _, s, e = read_tlv(resp, 0)
    token = children(resp, s, e)[1]
    explicit = children(resp, token[2], token[3])[1]
    sd = children(resp, explicit[2], explicit[3])[0]
    encap = children(resp, sd[2], sd[3])[2]             # [version, digestAlgorithms, encapContentInfo]
    wrapper = children(resp, encap[2], encap[3])[1]     # [0] EXPLICIT
    octets = children(resp, wrapper[2], wrapper[3])[0]  # OCTET STRING holding the TSTInfo
    return resp[octets[2]:octets[3]]


def resign(pki, resp, signer):
    """Signs the TSTInfo of a real answer again, as CMS with `openssl cms -sign -cades`, with a
    certificate `openssl ts -reply` refuses to use; wraps it in a granted TimeStampResp."""
    with tempfile.TemporaryDirectory() as tmp:
        tst, out = os.path.join(tmp, "tst.der"), os.path.join(tmp, "token.der")
        with open(tst, "wb") as f:
            f.write(tst_info_of(resp))
        subprocess.run(["openssl", "cms", "-sign", "-binary", "-nodetach", "-cades", "-nosmimecap",
                        "-md", "sha256", "-econtent_type", "1.2.840.113549.1.9.16.1.4",
                        "-in", tst, "-signer", os.path.join(pki, signer + ".pem"),
                        "-inkey", os.path.join(pki, signer + ".key"), "-outform", "DER", "-out", out],
                       check=True, capture_output=True)
        with open(out, "rb") as f:
            token = f.read()
    return encode(0x30, encode(0x30, encode(0x02, b"\x00")) + token)


# --- OpenSSL ---------------------------------------------------------------------------------------

def hex_serial(n):
    """A serial number as OpenSSL's serial file holds it: an even count of hex digits."""
    digits = "%X" % n
    return ("0" * (len(digits) % 2)) + digits + "\n"


def next_serial(pki):
    """Reserves a serial number in the PKI's serial file, which holds the last one used (hex, as
    OpenSSL keeps it): returns that one, which OpenSSL increments before use, and records its
    successor. The file is shared by every server using this PKI: locked across processes too."""
    with serial_lock, open(os.path.join(pki, "serial.lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        path = os.path.join(pki, "serial")
        with open(path) as f:
            serial = int(f.read().strip() or "1", 16)
        with open(path + ".tmp", "w") as f:
            f.write(hex_serial(serial + 1))
        os.replace(path + ".tmp", path)
        return serial


def openssl_reply(pki, query, signer="tsa", section="honest", clock=None):
    """OpenSSL's answer to `query`: from libcrypto in this process (the calls `openssl ts -reply`
    makes), or from the `openssl` command when the clock is moved with faketime, when libcrypto
    cannot be loaded, or when TSA_SPAWN_OPENSSL=1."""
    if clock is None and os.environ.get("TSA_SPAWN_OPENSSL") != "1":
        try:
            # The command increments the serial it reads from its file before use; so does this.
            return openssl_ts.reply(os.path.join(pki, "ts.cnf"), section, os.path.join(pki, signer + ".pem"),
                                    os.path.join(pki, signer + ".key"), query, next_serial(pki) + 1)
        except openssl_ts.Unavailable as exc:
            sys.stderr.write(f"tsa: libcrypto not usable ({exc}); running `openssl ts -reply` per token\n")
            os.environ["TSA_SPAWN_OPENSSL"] = "1"
    with tempfile.TemporaryDirectory() as tmp:
        cmd = ["openssl", "ts", "-reply", "-config", os.path.join(pki, "ts.cnf"), "-section", section,
               "-queryfile", "/dev/stdin", "-signer", os.path.join(pki, signer + ".pem"),
               "-inkey", os.path.join(pki, signer + ".key"), "-out", "/dev/stdout"]
        if clock is not None:
            cmd = ["faketime", "-f", clock] + cmd
        # ts.cnf names `./serial`: OpenSSL runs in the request's own directory, with a serial file
        # holding the number taken here from the PKI's, so requests are answered in parallel.
        with open(os.path.join(tmp, "serial"), "w") as f:
            f.write(hex_serial(next_serial(pki)))
        done = subprocess.run(cmd, cwd=tmp, input=query, capture_output=True)
        if done.returncode != 0 or not done.stdout:
            raise RuntimeError("openssl ts -reply failed: " + done.stderr.decode(errors="replace"))
        return done.stdout


BASIC_CREDENTIALS = "Basic " + __import__("base64").b64encode(b"test-user:test-secret").decode()
API_KEY = "test-api-key"


def answer(pki, path, query, headers):
    """Returns (HTTP status, body) for a request to `path`."""
    path = path.rstrip("/") or "/tsa"
    name = path.strip("/").split("/")
    kind = name[0]
    if kind == "auth":
        if headers.get("Authorization") == BASIC_CREDENTIALS or headers.get("X-Api-Key") == API_KEY:
            return 200, openssl_reply(pki, query)
        return 401, b"credentials required\n"
    if kind in ("", "tsa"):
        return 200, openssl_reply(pki, query)
    if kind in SIGNERS:
        return 200, openssl_reply(pki, query, signer=SIGNERS[kind])
    if kind == "noeku":
        return 200, resign(pki, openssl_reply(pki, query), "tsa-noeku")
    if kind == "fractional":
        return 200, openssl_reply(pki, query, section="fractional")
    if kind in ("wrong-nonce", "wrong-imprint", "wrong-algorithm", "rejection", "nocerts"):
        return 200, openssl_reply(pki, change_request(query, kind))
    if kind == "bad-signature":
        return 200, flip_signature(openssl_reply(pki, query))
    if kind == "truncated":
        honest = openssl_reply(pki, query)
        return 200, honest[: len(honest) // 2]
    if kind == "garbage":
        return 200, b"<html>this is not a time-stamp</html>\n" * 4
    if kind == "http-500":
        return 500, b"internal error (on purpose)\n"
    if kind == "hang":
        time.sleep(600)
        return 504, b""
    if kind == "skew" and len(name) == 2:
        seconds = int(name[1])
        return 200, openssl_reply(pki, query, clock=f"{seconds:+d}s")
    return 404, b"unknown behaviour; see scripts/tsa/README.md\n"


class Handler(BaseHTTPRequestHandler):
    pki = None

    def do_POST(self):
        try:
            length = int(self.headers.get("Content-Length", "0"))
            query = self.rfile.read(length)
            status, body = answer(self.pki, self.path, query, self.headers)
        except Exception as exc:  # any failure becomes an HTTP 500, never a dead server
            status, body = 500, f"error: {exc}\n".encode()
        try:
            self.send_response(status)
            ctype = "application/timestamp-reply" if status == 200 else "text/plain"
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, fmt, *args):
        sys.stderr.write("tsa: " + fmt % args + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", required=True, help="PKI folder (made by make_pki.sh if missing)")
    ap.add_argument("--port", type=int, default=0, help="0 picks a free port")
    ap.add_argument("--port-file", help="write the chosen port here")
    args = ap.parse_args()
    pki = os.path.abspath(args.dir)
    if not os.path.exists(os.path.join(pki, "ready")):
        subprocess.run(["bash", os.path.join(HERE, "make_pki.sh"), pki], check=True)
    Handler.pki = pki
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    port = server.server_address[1]
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(str(port))
        os.replace(tmp, args.port_file)
    print(f"listening on http://127.0.0.1:{port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
