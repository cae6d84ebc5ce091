"""Stage serve: the SPARQL 1.1 Protocol endpoint and query page of ``kg serve``.

:func:`serve_graph` runs the app of :func:`kg.serve.app.create_app` under uvicorn, bound to
127.0.0.1 by default, read-only, with a time budget and a row cap per query (see
:class:`kg.serve.settings.Settings`). Starlette and uvicorn are imported only here and in
the app factory: install them with ``pip install 'chainkg[serve]'``.
"""

from __future__ import annotations

import sys
from typing import Any

from .settings import Settings

__all__ = ["Settings", "create_app", "serve_graph"]


def create_app(source: Any, settings: Settings | None = None):
    """See :func:`kg.serve.app.create_app`."""
    from .app import create_app as _create

    return _create(source, settings)


def serve_graph(source: Any, settings: Settings | None = None) -> None:
    """Serve ``source`` over HTTP until SIGINT or SIGTERM; returns after a clean shutdown."""
    from ..errors import KGError

    try:
        import uvicorn
    except ImportError:  # pragma: no cover
        raise KGError("kg serve needs uvicorn", hint="pip install 'chainkg[serve]'") from None
    settings = settings or Settings()
    app = create_app(source, settings)
    if settings.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"kg serve: warning: listening on {settings.host}: the endpoint is reachable "
              "from other machines", file=sys.stderr)
    print(f"kg serve: http://{settings.host}:{settings.port}/  (SPARQL endpoint: /sparql, "
          f"{'read-write' if settings.allow_update else 'read-only'}, timeout "
          f"{settings.timeout:g} s, max rows {settings.max_rows})", file=sys.stderr, flush=True)
    config = uvicorn.Config(app, host=settings.host, port=settings.port, log_level="warning",
                            timeout_graceful_shutdown=5, server_header=False,
                            http=_protocol_class(settings.timeout))
    _server_class()(config).run()


def _error_bytes(status: int, reason: str, code: str, message: str, hint: str) -> bytes:
    """A complete HTTP/1.1 error response in the JSON error shape, closing the connection."""
    import json

    body = json.dumps({"error": {"status": status, "code": code, "message": message,
                                 "hint": hint}}, ensure_ascii=False).encode()
    head = (f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\n"
            f"content-length: {len(body)}\r\nconnection: close\r\n"
            "x-content-type-options: nosniff\r\n\r\n")
    return head.encode("ascii") + body


def _protocol_class(header_timeout: float):
    """uvicorn's h11 protocol with a deadline on reading a request's line and headers.

    uvicorn arms no timer while a request's headers are arriving (each byte even cancels the
    keep-alive timer), so a client sending headers byte by byte, or nothing at all, would
    hold its connection for ever. Here a connection must deliver the complete head of each
    request within ``header_timeout`` seconds of its opening (or of the previous response);
    otherwise it gets a 408 in the JSON error shape and is closed. The body has its own
    deadline in the app (:func:`kg.serve.app.create_app`).
    """
    import h11
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class Protocol(H11Protocol):
        _kg_head_timer = None

        def _kg_arm(self) -> None:
            self._kg_disarm()
            self._kg_head_timer = self.loop.call_later(header_timeout, self._kg_head_timeout)

        def _kg_disarm(self) -> None:
            if self._kg_head_timer is not None:
                self._kg_head_timer.cancel()
                self._kg_head_timer = None

        def _kg_head_timeout(self) -> None:
            self._kg_head_timer = None
            if self.transport.is_closing() or self.conn.their_state is not h11.IDLE:
                return
            if self.cycle is not None and not self.cycle.response_complete:
                return  # a response is under way (pipelining): not a head being read
            self.transport.write(_error_bytes(
                408, "Request Timeout", "request_timeout",
                f"the request line and headers did not arrive within {header_timeout:g} s",
                "send the whole request head at once"))
            self.transport.close()

        def send_400_response(self, msg: str) -> None:
            # malformed HTTP framing (bad Content-Length, broken chunks, header garbage, a
            # head over h11's size limit): the JSON error shape, not uvicorn's plain text
            self._kg_disarm()
            if self.transport.is_closing():
                return
            cycle = self.cycle
            if cycle is not None and cycle.response_started and not cycle.response_complete:
                self.transport.close()  # a response is half sent: no second head
                return
            self.transport.write(_error_bytes(
                400, "Bad Request", "bad_http",
                "the request is not valid HTTP/1.1 (framing, header syntax or head size)",
                "send a well-formed HTTP/1.1 request"))
            self.transport.close()

        def connection_made(self, transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._kg_arm()

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if self.conn.their_state is not h11.IDLE:
                self._kg_disarm()  # the head is complete

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
                self._kg_arm()  # the next request of a kept-alive connection

        def connection_lost(self, exc) -> None:
            self._kg_disarm()
            super().connection_lost(exc)

    return Protocol


def _server_class():
    import uvicorn

    class Server(uvicorn.Server):
        """uvicorn's server, but a stop request (SIGINT, SIGTERM) ends ``kg serve`` with 0.

        uvicorn re-raises the captured signal after its graceful shutdown, so the process would
        die of it (-15) or raise KeyboardInterrupt; for ``kg serve`` a stop request is the
        normal end of its life.
        """

        def handle_exit(self, sig, frame) -> None:
            super().handle_exit(sig, frame)
            captured = getattr(self, "_captured_signals", None)
            if isinstance(captured, list):
                captured.clear()

    return Server
