"""Reliability battery, item 16: the HTTP endpoint under hostile or clumsy clients.

A real ``kg serve`` runs on a free port of 127.0.0.1 (the only address these tests talk to)
with a small body limit and a short time budget. Oversized bodies (true, lying or absent
Content-Length, chunked) get a 413 in the JSON error shape; slow clients (a head sent byte by
byte, a silent connection, a body that never completes, many of them at once) are cut off
with a JSON 408 within the budget while other requests are answered; 100 parallel requests
are all answered with 200 or a documented 503 (busy, timeout); malformed content types get
a JSON 415 or 400. After every test /health answers 200 and the server process is alive.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.serve.helpers import assert_error_shape, running_server

MAX_BODY = 2048
BUDGET = 3.0  # the server's --timeout: reading a head, a body, or waiting for a worker
#: Slack on top of the budget before a test calls a deadline missed (loaded CI machines).
SLACK = 6.0
CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"


@pytest.fixture(scope="module")
def server():
    with running_server("--timeout", str(BUDGET), "--max-body", str(MAX_BODY),
                        "--workers", "2", "--cache-mb", "0") as srv:
        assert srv.base.startswith("http://127.0.0.1:")
        yield srv


@pytest.fixture(autouse=True)
def stays_up(server):
    """After each test: the process is alive and /health answers 200 with live workers."""
    yield
    assert server.proc.poll() is None, "kg serve died"
    r = httpx.get(server.base + "/health", timeout=10)
    assert r.status_code == 200, r.text
    assert r.json()["workers"] >= 1


# --------------------------------------------------------------------------- raw HTTP helpers

def _connect(server, timeout: float = BUDGET + SLACK) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", server.port), timeout=timeout)
    return s


def _head(method: str, headers: dict[str, str], target: str = "/sparql") -> bytes:
    lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes, bool]:
    """Read one response: ``(status, headers, body, closed_after)``; the socket's timeout
    bounds every read."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise AssertionError(f"connection closed before a response head: {buf!r}")
        buf += chunk
    head, _, rest = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    assert "content-length" in headers, headers  # every answer of this server is sized
    n = int(headers["content-length"])
    while len(rest) < n:
        chunk = sock.recv(65536)
        if not chunk:
            break
        rest += chunk
    body = rest[:n]
    closed = _closed(sock)
    return status, headers, body, closed


def _closed(sock: socket.socket, wait: float = BUDGET + SLACK) -> bool:
    """Whether the server closes the connection within ``wait`` seconds."""
    sock.settimeout(wait)
    try:
        while True:
            data = sock.recv(65536)
            if not data:
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except TimeoutError:
        return False


def _json_error(status: int, headers: dict[str, str], body: bytes) -> dict:
    assert headers.get("content-type", "").startswith("application/json"), headers
    err = json.loads(body)["error"]
    assert set(err) == {"status", "code", "message", "hint"}
    assert err["status"] == status
    return err


def _ask_ok(server) -> float:
    """An ASK answered 200 with a boolean; returns its latency in seconds."""
    t0 = time.monotonic()
    r = httpx.get(server.endpoint, params={"query": "ASK { ?s ?p ?o }"},
                  headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert r.status_code == 200, r.text
    assert isinstance(r.json()["boolean"], bool)
    return time.monotonic() - t0


# --------------------------------------------------------------------------- oversized bodies

def test_body_over_the_limit_gets_413(server):
    body = "query=" + "A" * MAX_BODY
    r = httpx.post(server.endpoint, content=body.encode(), timeout=30,
                   headers={"Content-Type": "application/x-www-form-urlencoded"})
    err = assert_error_shape(r, 413)
    assert err["code"] == "body_too_large"
    assert str(MAX_BODY) in err["message"]


def test_body_at_the_limit_is_read(server):
    """The control: a body just under the limit is parsed (so the 413 above is the limit)."""
    q = "ASK { ?s ?p ?o }"
    text = q + " " * (MAX_BODY - len(q.encode()))  # exactly MAX_BODY bytes of SPARQL
    r = httpx.post(server.endpoint, content=text.encode(), timeout=30,
                   headers={"Content-Type": "application/sparql-query",
                            "Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    assert r.json()["boolean"] is True


def test_declared_huge_length_is_refused_before_the_body_arrives(server):
    """A Content-Length of 10 GB with no body: 413 at once, connection closed; nothing
    waits for (or buffers) the announced bytes."""
    with _connect(server) as s:
        t0 = time.monotonic()
        s.sendall(_head("POST", {"Content-Type": "application/sparql-query",
                                 "Content-Length": str(10 * 2**30)}))
        status, headers, body, closed = _read_response(s)
        assert time.monotonic() - t0 < BUDGET, "the 413 waited for the body"
    err = _json_error(status, headers, body)
    assert status == 413 and err["code"] == "body_too_large"
    assert closed


def test_understated_length_reads_only_the_declared_bytes(server):
    """Content-Length says 16 bytes, 5,000 follow: the first 16 are the request (answered),
    the surplus is parsed as a next request, is not HTTP, and gets a JSON 400 + close."""
    query = b"ASK { ?s ?p ?o }"
    assert len(query) == 16
    with _connect(server) as s:
        s.sendall(_head("POST", {"Content-Type": "application/sparql-query",
                                 "Accept": "application/sparql-results+json",
                                 "Content-Length": "16"}) + query + b"\x00garbage" * 625)
        s.settimeout(BUDGET + SLACK)
        everything = b""
        while True:  # both answers, then the close
            chunk = s.recv(65536)
            if not chunk:
                break
            everything += chunk
    head, _, rest = everything.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), everything[:300]
    n = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
    assert json.loads(rest[:n])["boolean"] is True
    head2, _, body2 = rest[n:].partition(b"\r\n\r\n")
    assert head2.startswith(b"HTTP/1.1 400"), rest[n:n + 200]
    assert json.loads(body2)["error"]["code"] == "bad_http"


@pytest.mark.parametrize("length", ["abc", "-1", "12, 13", "99999999999999999999999999"])
def test_malformed_content_length_gets_json_400(server, length):
    with _connect(server) as s:
        s.sendall(_head("POST", {"Content-Type": "application/sparql-query",
                                 "Content-Length": length}) + b"ASK {}")
        status, headers, body, closed = _read_response(s)
    if status == 413:  # a number too large is refused as too large; that is clean too
        assert length.isdigit()
    else:
        assert status == 400
        assert _json_error(status, headers, body)["code"] == "bad_http"
    assert closed


def _chunked(payload: bytes, size: int = 500) -> bytes:
    out = b""
    for i in range(0, len(payload), size):
        part = payload[i:i + size]
        out += f"{len(part):x}\r\n".encode() + part + b"\r\n"
    return out + b"0\r\n\r\n"


def test_chunked_body_over_the_limit_gets_413(server):
    """No Content-Length at all: the bytes are counted as they arrive."""
    payload = b"ASK { ?s ?p ?o }" + b" " * (3 * MAX_BODY)
    with _connect(server) as s:
        s.sendall(_head("POST", {"Content-Type": "application/sparql-query",
                                 "Transfer-Encoding": "chunked"}))
        try:
            s.sendall(_chunked(payload))
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may answer and close before the last chunk
        status, headers, body, closed = _read_response(s)
    err = _json_error(status, headers, body)
    assert status == 413 and err["code"] == "body_too_large"
    assert closed


def test_chunked_body_under_the_limit_is_read(server):
    with _connect(server) as s:
        s.sendall(_head("POST", {"Content-Type": "application/sparql-query",
                                 "Accept": "application/sparql-results+json",
                                 "Transfer-Encoding": "chunked"})
                  + _chunked(b"ASK { ?s ?p ?o }", size=5))
        status, _, body, _ = _read_response(s)
    assert status == 200 and json.loads(body)["boolean"] is True


def test_broken_chunked_framing_gets_json_400(server):
    with _connect(server) as s:
        s.sendall(_head("POST", {"Content-Type": "application/sparql-query",
                                 "Transfer-Encoding": "chunked"}) + b"zz\r\nASK {}\r\n0\r\n\r\n")
        status, headers, body, closed = _read_response(s)
    assert status == 400 and _json_error(status, headers, body)["code"] == "bad_http"
    assert closed


def test_head_over_the_size_limit_gets_json_400(server):
    """An unfinished head over 16 kB (h11's limit of an incomplete event) is refused at
    once, without waiting for the rest or for the head deadline."""
    with _connect(server) as s:
        t0 = time.monotonic()
        try:
            s.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: " + b"a" * 20_000)
            time.sleep(0.2)
            s.sendall(b"a" * 20_000)
        except (BrokenPipeError, ConnectionResetError):
            pass
        status, headers, body, closed = _read_response(s)
        assert time.monotonic() - t0 < BUDGET
    assert status == 400 and _json_error(status, headers, body)["code"] == "bad_http"
    assert closed


# --------------------------------------------------------------------------- slow clients

def _trickle(sock: socket.socket, data: bytes, every: float, stop: threading.Event) -> None:
    for i in range(len(data)):
        if stop.is_set():
            return
        try:
            sock.sendall(data[i:i + 1])
        except OSError:
            return
        stop.wait(every)


def test_head_sent_byte_by_byte_is_cut_off_while_others_are_served(server):
    """A slowloris head (one byte every 0.2 s, 300 bytes: a minute if let through) gets a
    JSON 408 within the budget; meanwhile ASK queries are answered promptly."""
    head = _head("GET", {"Accept": "application/sparql-results+json", "X-Pad": "p" * 200},
                 target="/sparql?query=ASK%7B%7D")
    stop = threading.Event()
    with _connect(server) as s:
        t = threading.Thread(target=_trickle, args=(s, head, 0.2, stop), daemon=True)
        t0 = time.monotonic()
        t.start()
        try:
            lat = [_ask_ok(server) for _ in range(5)]
            status, headers, body, closed = _read_response(s)
            took = time.monotonic() - t0
        finally:
            stop.set()
            t.join(5)
    assert status == 408 and _json_error(status, headers, body)["code"] == "request_timeout"
    assert closed
    assert took < BUDGET + SLACK, f"the slow head held its connection {took:.1f} s"
    assert max(lat) < BUDGET, f"other requests waited for the slow client: {lat}"


def test_silent_connection_is_closed(server):
    with _connect(server) as s:
        t0 = time.monotonic()
        status, headers, body, closed = _read_response(s)
        took = time.monotonic() - t0
    assert status == 408 and _json_error(status, headers, body)["code"] == "request_timeout"
    assert closed and took < BUDGET + SLACK


def test_slow_head_on_a_kept_alive_connection_is_cut_off_too(server):
    """The deadline is re-armed after each response, not only when the connection opens."""
    with _connect(server) as s:
        s.sendall(_head("GET", {}, target="/health"))
        status, _, _, _ = _read_response_keep(s)
        assert status == 200
        s.sendall(b"GET /health HTTP/1.1\r\nHo")  # an unfinished second head, then silence
        status, headers, body, closed = _read_response(s)
    assert status == 408 and _json_error(status, headers, body)["code"] == "request_timeout"
    assert closed


def _read_response_keep(sock: socket.socket) -> tuple[int, dict[str, str], bytes, bool]:
    """Like :func:`_read_response` but without waiting for a close."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        assert chunk, buf
        buf += chunk
    head, _, rest = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:])}
    n = int(headers["content-length"])
    while len(rest) < n:
        rest += sock.recv(65536)
    return int(lines[0].split()[1]), headers, rest[:n], False


def test_body_that_never_completes_gets_408_while_others_are_served(server):
    with _connect(server) as s:
        t0 = time.monotonic()
        s.sendall(_head("POST", {"Content-Type": "application/sparql-query",
                                 "Content-Length": "500"}) + b"ASK { ?s")
        lat = [_ask_ok(server) for _ in range(5)]
        status, headers, body, closed = _read_response(s)
        took = time.monotonic() - t0
    err = _json_error(status, headers, body)
    assert status == 408 and err["code"] == "body_timeout"
    assert "8 bytes received" in err["message"]
    assert closed and took < BUDGET + SLACK
    assert max(lat) < BUDGET, f"other requests waited for the slow body: {lat}"


def test_many_slow_clients_at_once_are_all_cut_off(server):
    """50 connections that say nothing or half a head: all closed within the budget, and
    the endpoint answers throughout."""
    socks = []
    try:
        for i in range(50):
            s = _connect(server)
            if i % 2:
                s.sendall(b"POST /sparql HTTP/1.1\r\nContent-Le")
            socks.append(s)
        lat = [_ask_ok(server) for _ in range(5)]
        assert max(lat) < BUDGET, lat
        deadline = time.monotonic() + BUDGET + SLACK
        for s in socks:
            assert _closed(s, max(0.1, deadline - time.monotonic())), "a slow client was kept"
    finally:
        for s in socks:
            s.close()


# --------------------------------------------------------------------------- parallel requests

def _parallel(server, requests: list[dict]) -> list[httpx.Response]:
    def one(req: dict) -> httpx.Response:
        with httpx.Client(timeout=BUDGET * 4 + 30) as http:
            if "data" in req or "content" in req:
                return http.post(server.endpoint, **req)
            return http.get(server.endpoint, **req)

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(one, requests))


def _check_parallel(responses: list[httpx.Response], allowed_503: set[str]) -> dict[str, int]:
    tally: dict[str, int] = {}
    for r in responses:
        if r.status_code == 200:
            key = "200"
            r.json() if "json" in r.headers["content-type"] else r.text  # complete document
        else:
            err = assert_error_shape(r, 503)
            assert err["code"] in allowed_503, err
            assert r.headers.get("Retry-After")
            key = f"503 {err['code']}"
        tally[key] = tally.get(key, 0) + 1
    return tally


def test_100_parallel_queries_are_all_answered(server):
    acc = {"Accept": "application/sparql-results+json"}
    kinds = [
        {"params": {"query": "ASK { ?s ?p ?o }"}, "headers": acc},
        {"data": {"query": "SELECT ?s WHERE { ?s a ?t } LIMIT 5"}, "headers": acc},
        {"content": b"SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
         "headers": {**acc, "Content-Type": "application/sparql-query"}},
        {"params": {"query": "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 20"},
         "headers": {"Accept": "text/turtle"}},
    ]
    responses = _parallel(server, [kinds[i % len(kinds)] for i in range(100)])
    tally = _check_parallel(responses, {"busy"})
    print(f"100 parallel queries: {tally}")
    assert tally.get("200", 0) >= 1
    _ask_ok(server)


def test_100_parallel_queries_with_runaways_get_only_documented_503s(server):
    """Four cross joins occupy both workers past the budget: the others wait in line; every
    answer is a 200, a 503 busy (waited a whole budget) or, for a runaway, a 503 timeout."""
    acc = {"Accept": "application/sparql-results+json"}
    reqs = [{"params": {"query": CROSS_JOIN}, "headers": acc} if i % 25 == 0
            else {"params": {"query": "ASK { ?s ?p ?o }"}, "headers": acc} for i in range(100)]
    responses = _parallel(server, reqs)
    tally = _check_parallel(responses, {"busy", "timeout"})
    print(f"100 parallel queries with 4 runaways: {tally}")
    for req, r in zip(reqs, responses, strict=True):
        if req["params"]["query"] == CROSS_JOIN:
            assert r.status_code == 503  # never a cut or wrong count
    time.sleep(1)  # replacement workers start
    _ask_ok(server)


# --------------------------------------------------------------------------- content types

@pytest.mark.parametrize("content_type, body, status, code", [
    ("@@@ garbage ;;; ===", b"ASK {}", 415, "unsupported_media_type"),
    ("text/plain", b"ASK {}", 415, "unsupported_media_type"),
    ("application/json", b'{"query": "ASK {}"}', 415, "unsupported_media_type"),
    ("multipart/form-data; boundary=XyZ",
     b'--XyZ\r\nContent-Disposition: form-data; name="query"\r\n\r\nASK {}\r\n--XyZ--\r\n',
     415, "unsupported_media_type"),
    ("application/sparql-query; charset=utf-16", "ASK {}".encode("utf-16"), 415,
     "unsupported_charset"),
    ("application/x-www-form-urlencoded; charset=latin-1", b"query=ASK+%7B%7D", 415,
     "unsupported_charset"),
    ("application/sparql-update; charset=gb2312", b"CLEAR ALL", 415, "unsupported_charset"),
    ("application/sparql-query; charset", b"ASK {}", 415, "unsupported_charset"),
    ("application/sparql-query", b"ASK { ?s ?p \xff\xfe }", 400, "not_utf8"),
    ("application/x-www-form-urlencoded", b"query=ASK+%7B%FF%7D", 400, "not_utf8"),
    ("application/x-www-form-urlencoded", b"nothing=here", 400, "missing_operation"),
    ("", b"ASK {}", 400, "missing_media_type"),
])
def test_malformed_content_type_gets_json_error(server, content_type, body, status, code):
    headers = {"Content-Type": content_type} if content_type else {}
    r = httpx.post(server.endpoint, content=body, headers=headers, timeout=30)
    if not content_type:  # httpx adds none for raw bytes; make sure the header was absent
        assert "content-type" not in r.request.headers
    err = assert_error_shape(r, status)
    assert err["code"] == code, err


def test_many_content_types_in_a_row_leave_the_connection_usable(server):
    """Errors of the protocol layer keep a kept-alive connection usable (no close needed)."""
    with httpx.Client(timeout=30) as http:
        for ct in ("text/plain", "multipart/form-data; boundary=a", "application/sparql-query; "
                   "charset=utf-16", "x/y"):
            assert http.post(server.endpoint, content=b"ASK {}",
                             headers={"Content-Type": ct}).status_code == 415
        r = http.post(server.endpoint, content=b"ASK {}",
                      headers={"Content-Type": "application/sparql-query",
                               "Accept": "application/sparql-results+json"})
        assert r.status_code == 200 and r.json()["boolean"] is True
