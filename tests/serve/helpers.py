"""Shared helpers of the kg serve tests: a real ``kg serve`` process on a free local port."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

DATA = Path(__file__).resolve().parents[1] / "data" / "serve"
GRAPH = DATA / "graph.trig"
KG = str(Path(sys.executable).parent / "kg")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A running ``kg serve``: its process, base URL and endpoint URL."""

    def __init__(self, proc: subprocess.Popen, port: int):
        self.proc = proc
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.endpoint = self.base + "/sparql"

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30.0) -> int:
        """Send ``sig`` and return the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"kg serve did not exit within {timeout} s after {sig!r}") from None


def start_server(*args: str, graph: str | os.PathLike = GRAPH, wait: float = 90.0) -> Server:
    """Start ``kg serve GRAPH --port FREE ARGS`` and wait until /health answers."""
    port = free_port()
    proc = subprocess.Popen([KG, "serve", str(graph), "--port", str(port), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    server = Server(proc, port)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out, err = proc.communicate()
            raise AssertionError(f"kg serve exited with {proc.returncode}: {err.decode()}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(server.base + "/health", timeout=2).status_code == 200:
                return server
        time.sleep(0.2)
    server.stop(signal.SIGKILL)
    raise AssertionError("kg serve did not become healthy in time")


@contextlib.contextmanager
def running_server(*args: str, graph: str | os.PathLike = GRAPH):
    server = start_server(*args, graph=graph)
    try:
        yield server
    finally:
        server.stop()


def assert_error_shape(resp: httpx.Response, status: int | tuple[int, ...] | None = None) -> dict:
    """The one JSON error shape of the HTTP layer; returns the error object."""
    if status is not None:
        allowed = status if isinstance(status, tuple) else (status,)
        assert resp.status_code in allowed, (resp.status_code, resp.text)
    assert resp.headers["content-type"].startswith("application/json"), resp.headers
    body = resp.json()
    assert set(body) == {"error"}
    err = body["error"]
    assert set(err) == {"status", "code", "message", "hint"}
    assert err["status"] == resp.status_code
    assert isinstance(err["code"], str) and err["code"]
    assert isinstance(err["message"], str) and err["message"]
    return err
