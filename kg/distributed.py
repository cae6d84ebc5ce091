"""Distributed extraction: ingest and extract documents on a Dask cluster's workers.

``kg build DOCS --engine dask --scheduler tcp://HOST:PORT`` sends each document to the
workers of an existing Dask distributed cluster (``dask scheduler`` plus ``dask worker``
processes), gathers the extractions as they complete, and hands them back sorted by path:
resolution, mapping and validation then run once, globally, in the calling process, so the
graph is the same as a single-process build. Workers call the same pure function as the
local process pool (:func:`kg.pipeline._extract_one`) and must see the documents at the same
paths (a shared or identical file system) and have chainkg installed in the same version.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

from .errors import IngestError, StoreError

__all__ = ["extract_with_dask", "check_scheduler_address"]


def check_scheduler_address(scheduler: str) -> str:
    """Validate a scheduler address (``tcp://HOST:PORT`` or ``tls://HOST:PORT``).

    Raises
    ------
    StoreError
        When the address is not of that form.
    """
    from urllib.parse import urlsplit

    parts = urlsplit(scheduler)
    try:
        port = parts.port
    except ValueError:
        port = None
    if parts.scheme not in ("tcp", "tls") or not parts.hostname or port is None:
        raise StoreError(f"not a Dask scheduler address: {scheduler!r}",
                         hint="write tcp://HOST:PORT (as printed by `dask scheduler`)")
    return scheduler


def extract_with_dask(
    paths: Sequence[str | os.PathLike],
    scheduler: str,
    *,
    strict: bool = False,
    progress: Callable[[int, int, str], None] | None = None,
    max_bytes: int | None = None,
    connect_timeout: float = 30.0,
) -> list[tuple[str, object, str | None]]:
    """Ingest and extract ``paths`` on the Dask cluster at ``scheduler``.

    Parameters
    ----------
    paths
        Document files, readable by the workers at the same paths.
    scheduler
        ``tcp://HOST:PORT`` of a running ``dask scheduler``.
    strict
        Stop at the first document that fails (raising :class:`~kg.errors.IngestError`);
        by default failures come back as messages, as in the local build.
    progress
        Called as ``progress(done, total, path)`` as each result arrives (from 1 on: the
        caller announces ``0``, as :func:`kg.pipeline.build_graph` does).
    max_bytes
        Size limit per document (bytes), passed to every worker's ingest.
    connect_timeout
        Seconds to wait for the scheduler.

    Returns
    -------
    list
        ``(path, Extraction or None, error message or None)`` per document, sorted by path —
        the same list, in the same order, whatever the number of workers or the order in
        which they finish.
    """
    check_scheduler_address(scheduler)
    try:
        from distributed import Client, as_completed
    except ImportError:  # pragma: no cover - depends on the installed extras
        raise StoreError("the Dask engine needs the distributed package",
                         hint="pip install 'chainkg[scale]'") from None
    from .pipeline import _extract_one

    todo = [str(p) for p in paths]
    total = len(todo)
    results: list[tuple[str, object, str | None]] = []
    if not todo:
        return results
    try:
        client = Client(scheduler, timeout=connect_timeout, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise StoreError(f"cannot reach the Dask scheduler at {scheduler}: {exc}",
                         hint="start one with: dask scheduler --host 127.0.0.1") from None
    try:
        # pure=True: the key is a hash of the function and the path, so re-submitting the
        # same document reuses its result instead of extracting it twice.
        futures = client.map(_extract_one, todo, max_bytes=max_bytes, pure=True)
        done = 0
        for future, res in as_completed(futures, with_results=True, loop=client.loop):
            future.release()  # the worker may free the result once we hold it
            results.append(res)
            done += 1
            if strict and res[2]:
                client.cancel(futures)
                raise IngestError(res[2], path=res[0])
            if progress:
                progress(done, total, res[0])
    finally:
        client.close()
    results.sort(key=lambda r: r[0])
    return results
