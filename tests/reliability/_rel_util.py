"""Shared helpers of the reliability battery: CLI runner, socket guard, texts, graph readers.

Imported by the ``test_rel_*`` modules of this package.
"""

from __future__ import annotations

import http.server
import socket
import threading
from pathlib import Path

import pytest

#: A paragraph in the genre whose entities the current extractor finds (checked by tests
#: that depend on it: they assert that the clean text yields at least one entity).
CLEAN = (
    "山西特瓦时能源科技股份有限公司在长治高新区落地磷酸锰铁锂正极材料项目，"
    "总投资20亿元，年产10万吨磷酸锰铁锂。\n"
    "眼下，项目已完成70%的建设进度。\n"
)
#: Another document in the genre (other entities, other numbers).
OTHER = (
    "潞城经济技术开发区的山西潞宝集团焦化有限公司年产30万吨焦炉煤气制甲醇项目已建成投产，"
    "总投资15亿元。\n"
)
#: The clean paragraph in traditional characters (for Big5).
TRADITIONAL = (
    "山西特瓦時能源科技股份有限公司在長治高新區落地磷酸錳鐵鋰正極材料項目，"
    "總投資20億元，年產10萬噸磷酸錳鐵鋰。\n"
)


def cli(capsys, *args: str) -> tuple[int, str, str]:
    """Run ``kg ARGS`` in process; return ``(exit code, stdout, stderr)``."""
    from kg.cli import main

    capsys.readouterr()
    rc = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return rc, out, err


def cli_has(command: str) -> bool:
    """Whether ``kg COMMAND`` is registered (commands land as colleagues finish them)."""
    from kg.cli import _register, app

    _register()
    names = {c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands}
    return command in names


def extract_summary(path_or_text, *, is_text: bool = False) -> dict:
    """Entities (type, label), quantities (kind, value, unit) and relation count of a text."""
    from kg.extract import extract_document
    from kg.ingest import ingest_file, ingest_text
    from kg.resolve import resolve_entities

    doc = ingest_text(path_or_text) if is_text else ingest_file(path_or_text)
    r = resolve_entities(extract_document(doc))
    return {
        "entities": {(e.type, e.label) for e in r.entities},
        "quantities": {(q.kind, q.value, q.unit) for _s, _p, q in r.quantities},
        "relations": {(rel.predicate, rel.subject, rel.object) for rel in r.relations},
    }


def quads(path: Path, fmt: str = "trig") -> list:
    """Parse an output file with pyoxigraph's strict parser (raises on any syntax error)."""
    import pyoxigraph as ox

    f = {"trig": ox.RdfFormat.TRIG, "turtle": ox.RdfFormat.TURTLE,
         "nquads": ox.RdfFormat.N_QUADS}[fmt]
    return list(ox.parse(Path(path).read_bytes(), format=f))


def document_graphs(trig: Path) -> set[str]:
    """The document named graphs of a TriG file."""
    from kg.ns import DOC

    return {q.graph_name.value for q in quads(trig) if hasattr(q.graph_name, "value")
            and q.graph_name.value.startswith(str(DOC))}


def quads_of_graph(trig: Path, graph: str) -> set[tuple[str, str, str]]:
    return {(str(q.subject), str(q.predicate), str(q.object)) for q in quads(trig)
            if getattr(q.graph_name, "value", None) == graph}


class NetworkAttempt(AssertionError):
    """Raised by the socket guard: something tried to open a network connection."""


@pytest.fixture
def no_network(monkeypatch):
    """Fail on any outgoing connection or name lookup from Python code.

    Code in native extensions (pyoxigraph) bypasses this; the tests that need it also run
    a recording server on 127.0.0.1 (:func:`recording_server`) and assert it was never hit.
    """
    attempts: list[str] = []

    def refuse(*args, **kwargs):
        attempts.append(repr(args[:2]))
        raise NetworkAttempt(f"network access attempted: {args[:2]!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "gethostbyname", refuse)
    yield attempts
    assert not attempts, f"network access attempted: {attempts}"


@pytest.fixture
def recording_server():
    """An HTTP server on 127.0.0.1 that records every request; yields ``(base_url, hits)``.

    It only binds, listens and accepts (no outgoing connect), so it works under the guard.
    """
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server API
            hits.append(self.path)
            body = b'{"@context": {"name": "http://example.org/name"}}'
            self.send_response(200)
            self.send_header("Content-Type", "application/ld+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hits
    finally:
        server.shutdown()
        server.server_close()
