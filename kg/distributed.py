"""Distributed extraction: ingest and extract documents on a Dask cluster's workers.

``kg build DOCS --engine dask --scheduler tcp://HOST:PORT`` sends each document to the
workers of an existing Dask distributed cluster (``dask scheduler`` plus ``dask worker``
processes) and streams the extractions back as they complete
(:func:`iter_extract_with_dask`: a bounded window of documents is in flight, each result is
released on the cluster once received, so neither side holds the whole corpus);
resolution, mapping and validation then run once, globally, in the calling process, so the
graph is the same as a single-process build. Workers call the same pure function as the
local process pool (:func:`kg.pipeline._extract_one`) and must see the documents at the same
paths (a shared or identical file system) and have chainkg installed in the same version.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence

from .errors import IngestError, StoreError

__all__ = ["extract_with_dask", "iter_extract_with_dask", "check_scheduler_address"]

#: Documents submitted to the cluster ahead of the results received (the backpressure that
#: keeps a slow consumer from piling up results on the workers).
WINDOW = 512


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


def iter_extract_with_dask(
    paths: Sequence[str | os.PathLike],
    scheduler: str,
    *,
    strict: bool = False,
    progress: Callable[[int, int, str], None] | None = None,
    max_bytes: int | None = None,
    connect_timeout: float = 30.0,
    window: int = WINDOW,
) -> Iterator[tuple[str, object, str | None]]:
    """Ingest and extract ``paths`` on the Dask cluster at ``scheduler``, yielding each
    ``(path, Extraction or None, error message or None)`` as it completes.

    At most ``window`` documents are submitted ahead of the results taken from this
    iterator, and each result is released on the cluster as soon as it is received: the
    caller decides what to keep (a build writes each extraction to its cache and keeps a
    summary). The order is that of completion; see :func:`extract_with_dask` for the sorted
    list. Closing the iterator early cancels the rest and disconnects.

    Parameters are those of :func:`extract_with_dask`.
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
    if not todo:
        return
    window = max(1, window)
    try:
        client = Client(scheduler, timeout=connect_timeout, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise StoreError(f"cannot reach the Dask scheduler at {scheduler}: {exc}",
                         hint="start one with: dask scheduler --host 127.0.0.1") from None

    def submit(chunk):
        # pure=True: the key is a hash of the function and the path, so re-submitting the
        # same document reuses its result instead of extracting it twice.
        return client.map(_extract_one, chunk, max_bytes=max_bytes, pure=True)

    try:
        sent = min(window, total)
        running = as_completed(submit(todo[:sent]), with_results=True, loop=client.loop)
        in_flight = sent
        done = 0
        for future, res in running:
            future.release()  # the worker may free the result once we hold it
            in_flight -= 1
            done += 1
            if strict and res[2]:
                raise IngestError(res[2], path=res[0])
            if sent < total and in_flight <= window // 2:  # refill in chunks
                chunk = todo[sent:sent + window - in_flight]
                running.update(submit(chunk))
                sent += len(chunk)
                in_flight += len(chunk)
            if progress:
                progress(done, total, res[0])
            yield res
    finally:
        client.close()


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
        which they finish. It holds every extraction: a caller that keeps less should
        iterate :func:`iter_extract_with_dask` instead.
    """
    results = list(iter_extract_with_dask(paths, scheduler, strict=strict, progress=progress,
                                          max_bytes=max_bytes, connect_timeout=connect_timeout))
    results.sort(key=lambda r: r[0])
    return results
