"""Stage serve, settings: the one table of limits and switches of the HTTP endpoint.

Every limit the server enforces lives here with its safe default, so that the command line,
the app factory and the tests read them from one place (datasette's settings table).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace

__all__ = ["Settings", "SETTINGS_DOC"]

#: One line per setting: what it does (shown by ``kg serve --help`` and the service description).
SETTINGS_DOC: dict[str, str] = {
    "host": "address to bind; 127.0.0.1 keeps the endpoint on this machine",
    "port": "TCP port",
    "timeout": "time budget of one request in seconds (waiting for a worker included; "
               "reading its head, and its body, each get this budget too)",
    "max_rows": "row (or triple) cap of one result; a capped result says so",
    "max_body": "largest request body in bytes",
    "cors": "origins allowed by CORS; none by default",
    "allow_update": "accept SPARQL Update (held in memory by the workers, lost on restart)",
    "allow_remote": "allow SERVICE, LOAD and FROM / default-graph-uri of non-local IRIs",
    "workers": "query worker processes (0: one per CPU core, at least 2)",
    "pages": "folder of explorer HTML pages (kg viz) to serve under /explorer/",
    "cache_mb": "memory for cached results of repeated queries, MB (0: no cache); "
                "an update empties it",
}


@dataclass(frozen=True)
class Settings:
    """Limits and switches of ``kg serve``; the defaults are the safe ones."""

    host: str = "127.0.0.1"
    port: int = 8000
    timeout: float = 30.0
    max_rows: int = 10_000
    max_body: int = 1_000_000
    cors: tuple[str, ...] = ()
    allow_update: bool = False
    allow_remote: bool = False
    workers: int = 0
    pages: str | None = None
    cache_mb: int = 64

    def __post_init__(self) -> None:
        from ..errors import KGError

        if self.timeout <= 0:
            raise KGError(f"timeout must be > 0 seconds, got {self.timeout}")
        if self.max_rows < 1:
            raise KGError(f"max rows must be ≥ 1, got {self.max_rows}")
        if self.max_body < 1024:
            raise KGError(f"max body must be ≥ 1024 bytes, got {self.max_body}")
        if not 0 <= self.port <= 65535:
            raise KGError(f"port must be 0–65535, got {self.port}")
        if self.cache_mb < 0:
            raise KGError(f"cache size must be ≥ 0 MB, got {self.cache_mb}")
        if self.workers < 0:
            raise KGError(f"workers must be ≥ 0, got {self.workers}")

    @property
    def worker_count(self) -> int:
        """Number of query worker processes: at least 2, so one slow query never blocks all."""
        return self.workers or max(2, os.cpu_count() or 1)

    def with_(self, **changes) -> Settings:
        """A copy with ``changes`` applied (validated again)."""
        return replace(self, **changes)

    def as_dict(self) -> dict:
        """Settings as plain JSON-able values (for /health and the service description)."""
        return {f.name: (list(v) if isinstance(v := getattr(self, f.name), tuple) else v)
                for f in fields(self)}
