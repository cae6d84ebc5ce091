"""Stage serve, worker: run SPARQL in separate processes that can really be stopped.

A SPARQL engine cannot be interrupted from inside a query, so every query runs in a worker
process holding its own copy of the graph (an in-memory Oxigraph store loaded from N-Quads,
or an Oxigraph store on disk opened read-only). :class:`WorkerPool` hands a request to an
idle worker; when the time budget runs out the worker is killed and a fresh one started in
the background, so one runaway query never blocks the others. Results are capped, serialised
(with :mod:`kg.query`'s serialisers) and negotiated inside the worker; the parent only ever
receives a complete body or an error — never a truncated 200.

With updates allowed, each update is applied atomically (one Oxigraph transaction) in one
worker and logged; every other worker replays the log before its next request, so a reader
always sees every update acknowledged before it asked.
"""

from __future__ import annotations

import asyncio
import os
import signal
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import KGError, StoreError, UnsafeInputError
from .settings import Settings

__all__ = ["SourceSpec", "prepare_source", "execute", "WorkerPool", "ResultCache", "Reply"]

#: What a worker answers: ``("ok", status, media_type, body, headers)`` or
#: ``("error", status, code, message, hint)``.
Reply = tuple


@dataclass(frozen=True)
class SourceSpec:
    """How a worker opens the graph: ``nquads`` (a file loaded into memory) or ``oxigraph``."""

    kind: str
    path: str
    writable: bool = False
    temporary: bool = False


def prepare_source(source: Any, settings: Settings) -> SourceSpec:
    """Check the graph source once in the parent and say how the workers open it.

    A graph file is read with :func:`kg.store.load_graph` (its safety checks included) and
    written once as N-Quads to a temporary file that every worker bulk-loads; an Oxigraph
    store (``oxigraph:PATH`` or a folder) is opened read-only by each worker.

    Raises
    ------
    StoreError
        If the source cannot be read.
    """
    text = str(source)
    if text.startswith("oxigraph:") or Path(text).is_dir():
        from ..store_oxigraph import open_store

        loc = text.split(":", 1)[1] if text.startswith("oxigraph:") else text
        st = open_store(loc)  # fails early with a clear message
        from ..derive import has_derived

        if not has_derived(st):
            import warnings

            warnings.warn(f"{loc}: this Oxigraph store has no derived graph (kg.derive), so the "
                          "stored queries that read it answer no rows; rebuild it with "
                          "kg build --store oxigraph:PATH", stacklevel=2)
        del st
        return SourceSpec("oxigraph", str(Path(loc).resolve()), writable=settings.allow_update)
    from ..derive import ensure_derived
    from ..store import load_graph

    ds = load_graph(source)
    ensure_derived(ds)  # a graph made by hand or by an older build: the stored queries need it
    fd, tmp = tempfile.mkstemp(prefix="kg-serve-", suffix=".nq")
    with os.fdopen(fd, "wb") as f:
        f.write(ds.serialize(format="nquads", encoding="utf-8"))
    return SourceSpec("nquads", tmp, writable=settings.allow_update, temporary=True)


def open_source(spec: SourceSpec):
    """Open the store a worker queries (in the worker process)."""
    import pyoxigraph as ox

    if spec.kind == "oxigraph" and not spec.writable:
        return ox.Store.read_only(spec.path)
    store = ox.Store()
    if spec.kind == "oxigraph":
        from ..store_oxigraph import is_union_materialized

        src = ox.Store.read_only(spec.path)
        quads = src.quads_for_pattern(None, None, None, None)
        if is_union_materialized(src):
            # The materialised union (the default-graph copy a build writes) would not follow
            # updates to the named graphs: a writable copy leaves it out (and the mark with
            # it), so queries read the union view.
            quads = (q for q in quads if not isinstance(q.graph_name, ox.DefaultGraph))
        store.extend(quads)
        from ..derive import ensure_derived

        ensure_derived(store)
    else:
        store.bulk_load(path=spec.path, format=ox.RdfFormat.N_QUADS)
    return store


# --------------------------------------------------------------------------- one request


def _err(status: int, code: str, message: str, hint: str | None = None) -> Reply:
    return ("error", status, code, message, hint)


def _cap_note(max_rows: int, unit: str) -> str:
    return (f"result capped at {max_rows} {unit}; more exist — refine the query or add LIMIT / "
            f"结果已截断：仅返回前 {max_rows} 行")


def _with_note(body: str, fmt: str, note: str) -> str:
    if fmt == "json" and body.startswith("{"):
        import json

        return '{"note":' + json.dumps(note, ensure_ascii=False) + "," + body[1:]
    if fmt == "xml":
        head, _, rest = body.partition("\n")
        return f"{head}\n<!-- {note.replace('--', '—')} -->\n{rest}"
    if fmt in ("turtle", "nt"):
        return f"# {note}\n{body}"
    return body  # CSV, TSV and JSON-LD have no place for a note: the header carries it


def _compact_json(result) -> str:
    """SPARQL Results JSON without indentation.

    An adapter over :mod:`kg.query`'s term writer: its ``serialize("json")`` indents, which
    makes Python's pure-Python encoder run (about 2 s and 6 MB for 10,000 rows of 5 terms);
    the compact form goes through the C encoder and is a third of the size.
    """
    import json

    from ..query import _json_term

    if result.form == "ASK":
        return json.dumps({"head": {}, "boolean": bool(result.boolean)}) + "\n"
    memo: dict = {}

    def jt(t):  # one dict per distinct term; json.dumps writes shared dicts as often as used
        d = memo.get(t)
        if d is None:
            d = memo[t] = _json_term(t)
        return d

    bindings = [{v: jt(t) for v, t in zip(result.variables, row, strict=True) if t is not None}
                for row in result.rows]
    return json.dumps({"head": {"vars": result.variables}, "results": {"bindings": bindings}},
                      ensure_ascii=False, separators=(",", ":")) + "\n"


def execute(store, job: dict) -> Reply:
    """Run one job (``query`` or ``update``) on ``store`` and return the reply.

    Query jobs hold ``text``, ``default_graphs``, ``named_graphs``, ``accept``,
    ``max_rows`` and ``allow_remote``. The query's safety is checked again here with
    :func:`kg.query.check_query_safety`, so a worker never runs a refused query.
    """
    import pyoxigraph as ox

    from ..query import QueryResult, _syntax_error, check_query_safety
    from ..store_oxigraph import to_rdflib
    from .protocol import GRAPH_MEDIA, RESULT_MEDIA, negotiate

    try:
        if job["kind"] == "update":
            store.update(job["text"])
            return ("ok", 204, "", b"", {})
        check_query_safety(job["text"], job.get("allow_remote", False))
        kwargs: dict[str, Any] = {}
        dg, ng = job.get("default_graphs") or (), job.get("named_graphs") or ()
        if dg or ng:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in dg]
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in ng]
        else:
            from ..store_oxigraph import union_query_kwargs

            kwargs.update(union_query_kwargs(store))
        res = store.query(job["text"], **kwargs)
        cap = job["max_rows"]
        memo: dict = {}

        def term(t):  # results repeat their terms: convert each one once
            if t is None:
                return None
            r = memo.get(t)
            if r is None:
                r = memo[t] = to_rdflib(t)
            return r

        truncated = False
        if isinstance(res, ox.QueryBoolean):
            result = QueryResult("ASK", boolean=bool(res), total=1)
        elif isinstance(res, ox.QuerySolutions):
            names = [v.value for v in res.variables]
            rows = []
            for sol in res:
                if len(rows) == cap:
                    truncated = True
                    break
                rows.append(tuple(term(sol[i]) for i in range(len(names))))
            result = QueryResult("SELECT", variables=names, rows=rows, total=len(rows),
                                 truncated=truncated, limit=cap)
        else:
            from rdflib import Graph

            from ..ns import bind_prefixes

            g = Graph()
            bind_prefixes(g)
            n = 0
            for t in res:
                if n == cap:
                    truncated = True
                    break
                g.add((term(t.subject), term(t.predicate), term(t.object)))
                n += 1
            result = QueryResult("GRAPH", graph=g, total=n, truncated=truncated, limit=cap)
        fmt = negotiate(job.get("accept"), result.form)
        if fmt is None:
            media = GRAPH_MEDIA if result.form == "GRAPH" else RESULT_MEDIA
            return _err(406, "not_acceptable",
                        f"no format of a {result.form} result fits the Accept header",
                        "accept one of " + ", ".join(media.values()))
        body = _compact_json(result) if fmt == "json" else result.serialize(fmt)
        headers = {"X-KG-Row-Limit": str(cap)}
        if truncated:
            note = _cap_note(cap, "triples" if result.form == "GRAPH" else "rows")
            body = _with_note(body, fmt, note)
            headers["X-KG-Result-Capped"] = "true"
            headers["X-KG-Note"] = f"result capped at {cap} rows"
        media = (GRAPH_MEDIA if result.form == "GRAPH" else RESULT_MEDIA)[fmt]
        return ("ok", 200, media + "; charset=utf-8", body.encode("utf-8"), headers)
    except SyntaxError as exc:
        return _err(400, "bad_syntax", str(_syntax_error(str(exc))),
                    "check the SPARQL 1.1 syntax at the position given")
    except UnsafeInputError as exc:
        return _err(403, "refused", str(exc))
    except KGError as exc:
        return _err(400, "bad_query", str(exc))
    except OSError as exc:
        return _err(500, "query_failed", f"the query failed: {exc}")


def _worker_main(conn, spec: SourceSpec) -> None:
    # The parent decides when a worker ends: Ctrl-C in the terminal reaches the whole
    # process group, and a worker must not die mid-reply because of it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        store = open_source(spec)
    except Exception as exc:  # report the failure to the parent instead of dying silently
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready",))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            reply = execute(store, job)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # a bug, or a Rust panic of the engine (pyo3's
            # PanicException is a BaseException): answer 500 rather than leave the parent waiting
            reply = _err(500, "internal_error", f"{type(exc).__name__}: {exc}")
        conn.send(reply)


# --------------------------------------------------------------------------- the cache

_VOLATILE = None


def _is_volatile(text: str) -> bool:
    """Whether a query may answer differently on the same data (NOW, RAND, UUID, BNODE)."""
    import re

    global _VOLATILE
    if _VOLATILE is None:
        _VOLATILE = re.compile(r"\b(NOW|RAND|UUID|STRUUID|BNODE)\s*\(", re.I)
    return bool(_VOLATILE.search(text))


class ResultCache:
    """Replies of repeated queries, least recently used first out, bounded in bytes.

    The data only changes by an update through this server, which empties the cache, so a
    cached reply is what the workers would answer. Queries that call NOW(), RAND(), UUID(),
    STRUUID() or BNODE() are never cached.
    """

    def __init__(self, max_bytes: int):
        from collections import OrderedDict

        self.max_bytes = max_bytes
        self._items: OrderedDict[tuple, Reply] = OrderedDict()
        self._bytes = 0
        self.hits = 0

    @staticmethod
    def key(job: dict) -> tuple:
        return (job["text"], tuple(job.get("default_graphs") or ()),
                tuple(job.get("named_graphs") or ()), job.get("accept") or "")

    def get(self, job: dict) -> Reply | None:
        if not self.max_bytes:
            return None
        k = self.key(job)
        reply = self._items.get(k)
        if reply is not None:
            self._items.move_to_end(k)
            self.hits += 1
        return reply

    def put(self, job: dict, reply: Reply) -> None:
        size = len(reply[3]) + len(job["text"]) if reply[0] == "ok" else 0
        if (not self.max_bytes or reply[0] != "ok" or reply[1] != 200
                or size > self.max_bytes // 4 or _is_volatile(job["text"])):
            return
        k = self.key(job)
        if k in self._items:
            return
        self._items[k] = reply
        self._bytes += size
        while self._bytes > self.max_bytes:
            _, old = self._items.popitem(last=False)
            self._bytes -= len(old[3])

    def clear(self) -> None:
        self._items.clear()
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._items)


# --------------------------------------------------------------------------- the pool


class WorkerTimeout(Exception):
    """The worker did not answer within the time budget (it has been killed)."""


class WorkerBusy(Exception):
    """No worker became free within the time budget."""


class WorkerDied(Exception):
    """The worker process ended while running a job (``exitcode`` says how)."""

    def __init__(self, exitcode: int | None = None):
        super().__init__(f"worker ended with exit code {exitcode}")
        self.exitcode = exitcode


class _Worker:
    def __init__(self, spec: SourceSpec, ctx, start_timeout: float = 120.0):
        parent, child = ctx.Pipe()
        self.conn = parent
        self.proc = ctx.Process(target=_worker_main, args=(child, spec), daemon=True,
                                name="kg-serve-worker")
        self.proc.start()
        child.close()
        self.applied = 0  # how many logged updates this worker has applied
        if not parent.poll(start_timeout):
            self.kill()
            raise StoreError("a query worker did not start in time")
        try:
            msg = parent.recv()
        except (EOFError, OSError):
            msg = ("failed", f"the process ended with code {self.proc.exitcode}")
        if msg[0] != "ready":
            self.kill()
            raise StoreError(f"a query worker could not open the graph: {msg[1]}")

    def call(self, job: dict, timeout: float) -> Reply:
        try:
            self.conn.send(job)
            if not self.conn.poll(max(timeout, 0.001)):
                raise WorkerTimeout()
            return self.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            self.proc.join(1)
            raise WorkerDied(self.proc.exitcode) from None

    def kill(self) -> None:
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(5)
        self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except OSError:
            pass
        self.proc.join(2)
        self.kill()


class WorkerPool:
    """A pool of query worker processes with a time budget per request.

    Parameters
    ----------
    spec
        How workers open the graph (see :func:`prepare_source`).
    settings
        ``worker_count``, ``timeout``, ``max_rows`` and ``allow_remote`` are used.
    """

    def __init__(self, spec: SourceSpec, settings: Settings):
        import multiprocessing

        self.spec = spec
        self.settings = settings
        self._ctx = multiprocessing.get_context("spawn")  # never fork a threaded server
        self._idle: asyncio.Queue[_Worker] | None = None
        self._all: set[_Worker] = set()
        self._log: list[str] = []
        self._update_lock: asyncio.Lock | None = None
        self._threads = ThreadPoolExecutor(max_workers=settings.worker_count + 2,
                                           thread_name_prefix="kg-serve")
        self._closed = False
        self.cache = ResultCache(settings.cache_mb * 1024 * 1024)
        self.stats = {"queries": 0, "updates": 0, "timeouts": 0, "busy": 0, "restarts": 0,
                      "errors": 0}

    async def start(self) -> None:
        """Start the workers (in parallel) and wait until they hold the graph."""
        loop = asyncio.get_running_loop()
        self._idle = asyncio.Queue()
        self._update_lock = asyncio.Lock()
        workers = await asyncio.gather(*[loop.run_in_executor(self._threads, self._spawn)
                                         for _ in range(self.settings.worker_count)])
        for w in workers:
            self._all.add(w)
            self._idle.put_nowait(w)

    def _spawn(self) -> _Worker:
        return _Worker(self.spec, self._ctx)

    def _replace(self, dead: _Worker) -> None:
        """Kill ``dead`` and start its successor in the background."""
        self._all.discard(dead)
        loop = asyncio.get_running_loop()
        self.stats["restarts"] += 1

        def work() -> None:
            dead.kill()
            if self._closed:
                return
            try:
                w = self._spawn()
            except KGError:
                return
            if self._closed:
                w.stop()
                return
            loop.call_soon_threadsafe(self._adopt, w)

        threading.Thread(target=work, name="kg-serve-respawn", daemon=True).start()

    def _adopt(self, w: _Worker) -> None:
        if self._closed:
            w.stop()
            return
        self._all.add(w)
        self._idle.put_nowait(w)

    @property
    def idle(self) -> int:
        return self._idle.qsize() if self._idle is not None else 0

    @property
    def alive(self) -> int:
        return len(self._all)

    async def _run(self, job: dict, budget: float) -> Reply:
        """Run ``job`` on the next idle worker.

        Waiting for a worker and running on it each get ``budget`` seconds: a worker is
        killed only when *its own* job ran out of time, never because the request had
        waited in line (that answers :class:`WorkerBusy` and kills nothing).
        """
        loop = asyncio.get_running_loop()
        try:
            w = await asyncio.wait_for(self._idle.get(), budget)
        except TimeoutError:
            self.stats["busy"] += 1
            raise WorkerBusy() from None
        deadline = time.monotonic() + budget
        try:
            while w.applied < len(self._log):  # catch up with updates made on other workers
                upd = {"kind": "update", "text": self._log[w.applied]}
                await loop.run_in_executor(self._threads, w.call, upd,
                                           deadline - time.monotonic())
                w.applied += 1
            reply = await loop.run_in_executor(self._threads, w.call, job,
                                               deadline - time.monotonic())
        except (WorkerTimeout, WorkerDied) as exc:
            if isinstance(exc, WorkerTimeout):
                self.stats["timeouts"] += 1
            self._replace(w)
            raise
        except BaseException:
            # cancelled (client gone, shutdown): the worker may be mid-job — never reuse it
            self._replace(w)
            raise
        if job["kind"] == "update" and reply[0] == "ok":
            self._log.append(job["text"])
            w.applied = len(self._log)
        self._idle.put_nowait(w)
        return reply

    async def query(self, job: dict, timeout: float | None = None) -> Reply:
        """Run a query job within ``timeout`` seconds (default: the settings' budget).

        Raises
        ------
        WorkerBusy
            No worker became free within the budget (nothing was killed).
        WorkerTimeout
            The query ran out of its budget; its worker was killed and replaced.
        WorkerDied
            The worker process ended unexpectedly; it was replaced.
        """
        self.stats["queries"] += 1
        job = {"kind": "query", "max_rows": self.settings.max_rows,
               "allow_remote": self.settings.allow_remote, **job}
        cached = self.cache.get(job)
        if cached is not None:
            return cached
        generation = len(self._log)
        reply = await self._run(job, timeout or self.settings.timeout)
        if generation == len(self._log):  # no update landed meanwhile
            self.cache.put(job, reply)
        return reply

    async def update(self, text: str, timeout: float | None = None) -> Reply:
        """Apply an update atomically in one worker and log it for the others."""
        self.stats["updates"] += 1
        async with self._update_lock:  # one writer at a time keeps the log in one order
            reply = await self._run({"kind": "update", "text": text},
                                    timeout or self.settings.timeout)
            if reply[0] == "ok":
                self.cache.clear()
            return reply

    def close(self) -> None:
        """Stop every worker and remove the temporary graph file."""
        self._closed = True
        for w in list(self._all):
            w.stop()
        self._all.clear()
        self._threads.shutdown(wait=False, cancel_futures=True)
        if self.spec.temporary:
            try:
                os.unlink(self.spec.path)
            except OSError:
                pass
