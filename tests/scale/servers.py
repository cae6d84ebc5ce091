"""Start and stop real servers on loopback for the scale tests: the Oxigraph server, OpenLink
Virtuoso 7 and a Dask cluster (scheduler + workers). Each helper yields once the server
answers and stops it afterwards (SIGTERM, then SIGKILL after a grace period).

A missing binary skips the test with the reason, unless ``CHAINKG_REQUIRE_SERVERS=1``, when
it fails instead (CI sets it after ``.ci/install-servers.sh``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent


class ServerSpec(str):
    """A store spec (a plain ``str``) that also carries the server's process and ports, for
    benchmarks that measure the server (its memory) or talk to it otherwise (Virtuoso SQL)."""

    pid: int
    folder: Path
    sql_port: int | None = None

    @classmethod
    def of(cls, spec: str, proc: subprocess.Popen, folder: Path,
           sql_port: int | None = None) -> ServerSpec:
        out = cls(spec)
        out.pid, out.folder, out.sql_port = proc.pid, folder, sql_port
        return out


def require(binary: str | None, what: str) -> str:
    """The binary path, or skip (fail under CHAINKG_REQUIRE_SERVERS=1) with the reason."""
    if binary:
        return binary
    msg = f"{what} is not installed (run .ci/install-servers.sh)"
    if os.environ.get("CHAINKG_REQUIRE_SERVERS") == "1":
        pytest.fail(msg + " and CHAINKG_REQUIRE_SERVERS=1")
    pytest.skip(msg)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(proc: subprocess.Popen, grace: float = 30.0) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def _wait_http(url: str, proc: subprocess.Popen, log: Path, deadline: float = 90.0) -> None:
    import httpx

    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}: {log.read_text()[-2000:]}")
        try:
            if httpx.get(url, timeout=2, trust_env=False).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"server did not answer at {url} within {deadline}s: "
                       f"{log.read_text()[-2000:]}")


def oxigraph_binary() -> str | None:
    cand = BIN / "oxigraph"
    return str(cand) if cand.exists() else shutil.which("oxigraph")


@contextlib.contextmanager
def oxigraph_server(folder: Path) -> Iterator[str]:
    """``oxigraph serve`` on a free loopback port; yields the store spec."""
    exe = require(oxigraph_binary(), "the Oxigraph server (pip package oxigraph)")
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = folder / "oxigraph.log"
    with log.open("wb") as fh:
        proc = subprocess.Popen([exe, "serve", "--location", str(folder / "db"),
                                 "--bind", f"127.0.0.1:{port}"], stdout=fh, stderr=fh)
    try:
        _wait_http(f"http://127.0.0.1:{port}/query?query=ASK%7B%7D", proc, log)
        yield ServerSpec.of(f"sparql+http://127.0.0.1:{port}?server=oxigraph", proc, folder)
    finally:
        _stop(proc)


def virtuoso_binary() -> str | None:
    return shutil.which("virtuoso-t") or (
        "/usr/bin/virtuoso-t" if os.path.exists("/usr/bin/virtuoso-t") else None)


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
LiteMode = 0
DisableUnixSocket = 1
DisableTcpSocket = 0
ServerThreads = 10
CheckpointInterval = 60
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
MaxQueryMem = 1G
DirsAllowed = ., {d}{extra_dirs}
VADInstallDir = {d}/vad

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {d}
MaxClientConnections = 10
ServerThreads = 10
KeepAliveTimeout = 10
MaxKeepAlives = 10
EnabledDavVSP = 0

[SPARQL]
ResultSetMaxRows = 10000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = 600
MaxSortedTopRows = 10000000
"""

#: Virtuoso's built-in administrator of a new database (loopback-only throwaway servers).
VIRTUOSO_ENV = {"CHAINKG_SPARQL_USER": "dba", "CHAINKG_SPARQL_PASSWORD": "dba",
                "CHAINKG_SPARQL_AUTH": "digest"}


@contextlib.contextmanager
def virtuoso_server(folder: Path, *, buffers: int = 170000,
                    dirs_allowed: tuple[Path, ...] = ()) -> Iterator[str]:
    """Virtuoso 7 (``virtuoso-t -f``) with a generated ``virtuoso.ini`` in ``folder``, SQL and
    HTTP ports on 127.0.0.1; yields the store spec (writes need :data:`VIRTUOSO_ENV`).
    ``dirs_allowed``: more folders the server may read files from (its bulk loader)."""
    exe = require(virtuoso_binary(), "OpenLink Virtuoso 7 (Debian package virtuoso-opensource-7-bin)")
    folder.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(d=folder, sql_port=sql_port, http_port=http_port,
                                       buffers=buffers, dirty=buffers * 3 // 4,
                                       extra_dirs="".join(f", {x}" for x in dirs_allowed)))
    log = folder / "stdout.log"
    with log.open("wb") as fh:
        proc = subprocess.Popen([exe, "-f", "-c", str(ini)], cwd=folder, stdout=fh, stderr=fh)
    try:
        _wait_http(f"http://127.0.0.1:{http_port}/sparql?query=ASK%7B%7D", proc, log,
                   deadline=180)
        yield ServerSpec.of(f"sparql+http://127.0.0.1:{http_port}?server=virtuoso", proc,
                            folder, sql_port)
    finally:
        _stop(proc, grace=60)


def dask_binary() -> str | None:
    cand = BIN / "dask"
    if cand.exists():
        return str(cand)
    try:
        import distributed  # noqa: F401
    except ImportError:
        return None
    return shutil.which("dask")


@contextlib.contextmanager
def dask_cluster(folder: Path, workers: int = 2) -> Iterator[str]:
    """``dask scheduler`` and ``workers`` × ``dask worker`` (one process, one thread each) on
    127.0.0.1; yields the scheduler address ``tcp://127.0.0.1:PORT``."""
    exe = require(dask_binary(), "Dask distributed (pip package distributed)")
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    procs: list[subprocess.Popen] = []
    logs = []
    env = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    try:
        log = folder / "scheduler.log"
        logs.append(log)
        with log.open("wb") as fh:
            procs.append(subprocess.Popen(
                [exe, "scheduler", "--host", "127.0.0.1", "--port", str(port),
                 "--no-dashboard"], stdout=fh, stderr=fh, env=env, cwd=folder))
        for i in range(workers):
            log = folder / f"worker{i}.log"
            logs.append(log)
            with log.open("wb") as fh:
                procs.append(subprocess.Popen(
                    [exe, "worker", address, "--host", "127.0.0.1", "--nworkers", "1",
                     "--nthreads", "1", "--no-dashboard", "--name", f"w{i}",
                     "--local-directory", str(folder / f"w{i}")],
                    stdout=fh, stderr=fh, env=env, cwd=folder))
        from distributed import Client

        end = time.monotonic() + 90
        with Client(address, timeout=60, set_as_default=False) as client:
            while len(client.scheduler_info()["workers"]) < workers:
                if time.monotonic() > end or any(p.poll() is not None for p in procs):
                    raise RuntimeError("the Dask cluster did not start: " + " | ".join(
                        lg.read_text()[-800:] for lg in logs))
                time.sleep(0.3)
        yield address
    finally:
        for p in reversed(procs):
            _stop(p, grace=20)
