"""Dictionaries built once per machine and kept on disk.

Extraction starts by building a few large dictionaries from data files: the gazetteer's
places (jionlp's location file), jieba's word list, the chain vocabularies' forms and
``kg:feeds`` graph. Building them takes ~2 s, which every new process paid again (one
``kg build --update`` adding a document, a notebook's first extraction). A builder marked
with :func:`disk_cached` keeps its result as a pickle in the cache folder, under a key made
of its input files' contents and the syntax of the module that builds it: an edited data
file or a changed builder makes a new entry, never a stale answer.

The folder is ``$CHAINKG_CACHE_DIR``, else ``$XDG_CACHE_HOME/chainkg``, else
``~/.cache/chainkg``; ``CHAINKG_CACHE_DIR=off`` turns the cache off. A folder that cannot be
written only means the dictionaries are built each time.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path


def cache_dir() -> Path | None:
    """The cache folder, or ``None`` when the cache is turned off."""
    v = os.environ.get("CHAINKG_CACHE_DIR")
    if v is not None:
        return None if v.strip().lower() in ("", "off", "0", "no") else Path(v)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "chainkg"


@functools.cache
def _module_shape(module: str) -> bytes:
    import hashlib
    import inspect

    from .pipeline import _code_shape

    mod = sys.modules[module]

    def shape() -> str:
        return hashlib.sha1(_code_shape(inspect.getsource(mod)).encode("utf-8")).hexdigest()

    files = [Path(mod.__file__)] if getattr(mod, "__file__", None) else []
    return memo_by_files(f"shape:{module}", files, shape).encode("ascii")


#: Entries :func:`memo_by_files` keeps (the most recently written).
_MEMO_ENTRIES = 256


def memo_by_files(name: str, files: Iterable[Path], compute: Callable[[], str]) -> str:
    """``compute()`` (a short text derived from ``files``, such as a fingerprint of source
    code), kept in the cache folder while each of those files keeps its path, size and
    modification time: parsing the sources again cost every process ~0.1-0.2 s."""
    import json

    folder = cache_dir()
    if folder is None:
        return compute()
    try:
        sig = [[str(f), st.st_size, st.st_mtime_ns] for f in map(Path, files) for st in [os.stat(f)]]
    except OSError:
        return compute()
    sig.append(list(sys.version_info[:2]))
    path = folder / "memo.json"
    try:
        memo = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(memo, dict):
            memo = {}
    except (OSError, ValueError):
        memo = {}
    # one entry per name and set of files: two installs (a checkout and a virtual
    # environment) keep theirs side by side instead of replacing each other's
    entry = name + "\0" + "\0".join(s[0] for s in sig[:-1])
    hit = memo.get(entry)
    if isinstance(hit, list) and len(hit) == 2 and hit[0] == sig and isinstance(hit[1], str):
        return hit[1]
    value = compute()
    memo.pop(entry, None)
    memo[entry] = [sig, value]
    for old in list(memo)[:-_MEMO_ENTRIES]:  # the oldest beyond the last few hundred
        del memo[old]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".memo.", suffix=".part", dir=folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(memo, fh)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        pass  # a read-only or full disk: computed each time
    return value


def _key(fn, files: Iterable[Path]) -> str:
    h = hashlib.sha1(f"{fn.__module__}.{fn.__qualname__}\0{sys.version_info[:2]}".encode())
    h.update(_module_shape(fn.__module__))
    for f in files:
        f = Path(f)
        # the file's name, not its path: two installs (a checkout and a virtual environment)
        # with the same data share the entry instead of replacing each other's on every run
        h.update(f.name.encode("utf-8", "surrogateescape") + b"\0")
        if f.is_file():
            with open(f, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):  # noqa: B023 - same fh
                    h.update(block)
        else:
            h.update(b"\0missing\0")
    return h.hexdigest()


def disk_cached(inputs: Callable[[], Iterable[Path]]):
    """Keep the result of a function without arguments on disk, keyed by the files
    ``inputs()`` names (every file it reads) and its module's code."""

    def decorate(fn):
        @functools.wraps(fn)
        def wrapper():
            folder = cache_dir()
            if folder is None:
                return fn()
            try:
                key = _key(fn, inputs())
            except OSError:
                return fn()
            stem = f"{fn.__module__}.{fn.__qualname__}"
            path = folder / f"{stem}-{key}.pickle"
            try:
                with open(path, "rb") as fh:
                    return pickle.load(fh)
            except Exception:  # missing, torn or unreadable: built again
                pass
            value = fn()
            _write(folder, stem, path, value)
            return value

        wrapper.uncached = fn
        return wrapper

    return decorate


def _write(folder: Path, stem: str, path: Path, value) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        for old in folder.glob(f"{stem}-*.pickle"):  # entries of other inputs or code
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only or full disk: the dictionary is built each time
