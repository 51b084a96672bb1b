"""OpenSSL's time-stamp responder called in-process: the library functions `openssl ts -reply` runs.

The same ts.cnf section, signer certificate and key, each step in the order `openssl ts -reply`
takes them (apps/ts.c, create_response), without starting a process per token: one `openssl`
process costs about 10 ms of CPU, which a batch of time-stamps takes from the signer it serves.
Serial numbers come from the caller, as the `openssl` command's serial file would give them.
"""
import ctypes
import threading

_lib = None
_lib_lock = threading.Lock()
_SERIAL_CB = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p)
_serials = threading.local()


class Unavailable(Exception):
    """libcrypto could not be loaded: the caller runs the `openssl` command instead."""


def _load():
    global _lib
    with _lib_lock:
        if _lib is not None:
            return _lib
        try:
            lib = ctypes.CDLL("libcrypto.so.3")
        except OSError as exc:
            raise Unavailable(str(exc)) from exc
        p, s, i = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int
        sigs = {
            "NCONF_new": (p, [p]),
            "NCONF_load": (i, [p, s, ctypes.POINTER(ctypes.c_long)]),
            "NCONF_free": (None, [p]),
            "TS_CONF_get_tsa_section": (s, [p, s]),
            "TS_RESP_CTX_new": (p, []),
            "TS_RESP_CTX_free": (None, [p]),
            "TS_RESP_CTX_set_serial_cb": (None, [p, _SERIAL_CB, p]),
            "TS_CONF_set_signer_cert": (i, [p, s, s, p]),
            "TS_CONF_set_certs": (i, [p, s, s, p]),
            "TS_CONF_set_signer_key": (i, [p, s, s, s, p]),
            "TS_CONF_set_signer_digest": (i, [p, s, s, p]),
            "TS_CONF_set_ess_cert_id_digest": (i, [p, s, p]),
            "TS_CONF_set_def_policy": (i, [p, s, s, p]),
            "TS_CONF_set_policies": (i, [p, s, p]),
            "TS_CONF_set_digests": (i, [p, s, p]),
            "TS_CONF_set_accuracy": (i, [p, s, p]),
            "TS_CONF_set_clock_precision_digits": (i, [p, s, p]),
            "TS_CONF_set_ordering": (i, [p, s, p]),
            "TS_CONF_set_tsa_name": (i, [p, s, p]),
            "TS_CONF_set_ess_cert_id_chain": (i, [p, s, p]),
            "TS_RESP_create_response": (p, [p, p]),
            "TS_RESP_free": (None, [p]),
            "i2d_TS_RESP": (i, [p, ctypes.POINTER(ctypes.c_void_p)]),
            "BIO_new_mem_buf": (p, [ctypes.c_char_p, i]),
            "BIO_free": (i, [p]),
            "ASN1_INTEGER_new": (p, []),
            "ASN1_INTEGER_set_uint64": (i, [p, ctypes.c_uint64]),
            "ERR_clear_error": (None, []),
            "ERR_get_error": (ctypes.c_ulong, []),
            "ERR_error_string_n": (None, [ctypes.c_ulong, ctypes.c_char_p, ctypes.c_size_t]),
        }
        for name, (restype, argtypes) in sigs.items():
            try:
                fn = getattr(lib, name)
            except AttributeError as exc:
                raise Unavailable(f"libcrypto has no {name}") from exc
            fn.restype, fn.argtypes = restype, argtypes
        _lib = lib
        return lib


@_SERIAL_CB
def _serial_cb(_ctx, _data):
    """TS_serial_cb: the serial number this thread's request was given, as a new ASN1_INTEGER."""
    lib = _lib
    number = lib.ASN1_INTEGER_new()
    if number and not lib.ASN1_INTEGER_set_uint64(number, _serials.value):
        return None  # OpenSSL answers with a rejection naming the serial number
    return number


def _errors(lib):
    out, buf = [], ctypes.create_string_buffer(256)
    while True:
        code = lib.ERR_get_error()
        if not code:
            return "; ".join(out) or "no detail from OpenSSL"
        lib.ERR_error_string_n(code, buf, len(buf))
        out.append(buf.value.decode(errors="replace"))


def reply(config, section, signer_cert, signer_key, query, serial):
    """A DER TimeStampResp for `query` (DER TimeStampReq), as `openssl ts -reply -config CONFIG
    -section SECTION -signer CERT -inkey KEY` gives it when its serial file makes it `serial`."""
    lib = _load()
    b = lambda text: text.encode() if text is not None else None  # noqa: E731
    lib.ERR_clear_error()
    conf = ctx = bio = resp = None
    try:
        conf = lib.NCONF_new(None)
        line = ctypes.c_long(0)
        if not conf or lib.NCONF_load(conf, b(config), ctypes.byref(line)) <= 0:
            raise RuntimeError(f"cannot load {config} (line {line.value}): {_errors(lib)}")
        name = lib.TS_CONF_get_tsa_section(conf, b(section))
        ctx = lib.TS_RESP_CTX_new()
        if not name or not ctx:
            raise RuntimeError(f"no TSA section {section!r} in {config}: {_errors(lib)}")
        _serials.value = serial
        lib.TS_RESP_CTX_set_serial_cb(ctx, _serial_cb, None)
        steps = [
            lambda: lib.TS_CONF_set_signer_cert(conf, name, b(signer_cert), ctx),
            lambda: lib.TS_CONF_set_certs(conf, name, None, ctx),
            lambda: lib.TS_CONF_set_signer_key(conf, name, b(signer_key), None, ctx),
            lambda: lib.TS_CONF_set_signer_digest(conf, name, None, ctx),
            lambda: lib.TS_CONF_set_ess_cert_id_digest(conf, name, ctx),
            lambda: lib.TS_CONF_set_def_policy(conf, name, None, ctx),
            lambda: lib.TS_CONF_set_policies(conf, name, ctx),
            lambda: lib.TS_CONF_set_digests(conf, name, ctx),
            lambda: lib.TS_CONF_set_accuracy(conf, name, ctx),
            lambda: lib.TS_CONF_set_clock_precision_digits(conf, name, ctx),
            lambda: lib.TS_CONF_set_ordering(conf, name, ctx),
            lambda: lib.TS_CONF_set_tsa_name(conf, name, ctx),
            lambda: lib.TS_CONF_set_ess_cert_id_chain(conf, name, ctx),
        ]
        for step in steps:
            if not step():
                raise RuntimeError(f"ts.cnf section {section!r}: {_errors(lib)}")
        bio = lib.BIO_new_mem_buf(query, len(query))
        resp = lib.TS_RESP_create_response(ctx, bio) if bio else None
        if not resp:
            raise RuntimeError(f"no time-stamp response: {_errors(lib)}")
        size = lib.i2d_TS_RESP(resp, None)
        if size <= 0:
            raise RuntimeError(f"cannot encode the time-stamp response: {_errors(lib)}")
        out = ctypes.create_string_buffer(size)
        cursor = ctypes.c_void_p(ctypes.addressof(out))
        if lib.i2d_TS_RESP(resp, ctypes.byref(cursor)) != size:
            raise RuntimeError(f"cannot encode the time-stamp response: {_errors(lib)}")
        return out.raw
    finally:
        if resp:
            lib.TS_RESP_free(resp)
        if bio:
            lib.BIO_free(bio)
        if ctx:
            lib.TS_RESP_CTX_free(ctx)
        if conf:
            lib.NCONF_free(conf)
