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
                            timeout_graceful_shutdown=5, server_header=False)
    _server_class()(config).run()


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
