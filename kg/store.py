"""Stage 6, store: write and read graphs — files, and Oxigraph on disk.

Files are written atomically (to a temporary file in the same folder, then renamed), so an
interrupted build never leaves a half-written graph. Parsing user-supplied RDF never
fetches anything remote and refuses XML entity declarations.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from rdflib import Dataset, Graph

from .errors import StoreError, UnsafeInputError
from .ns import bind_prefixes

__all__ = [
    "atomic_write",
    "write_outputs",
    "load_graph",
    "parse_store_spec",
    "FORMAT_BY_SUFFIX",
    "OUTPUT_NAMES",
    "remove_stale_temporaries",
]

FORMAT_BY_SUFFIX = {
    ".trig": "trig",
    ".ttl": "turtle",
    ".nq": "nquads",
    ".nt": "nt",
    ".n3": "n3",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
}
_QUAD_FORMATS = {"trig", "nquads", "json-ld"}
_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.I)
_XML_START = re.compile(rb"\A\s*(<\?xml|<!|<[A-Za-z_][\w.-]*:RDF\b|<RDF\b)", re.I)
_TMP_SUFFIX = ".tmp"
#: The files :func:`write_outputs` writes into its output folder.
OUTPUT_NAMES = ("graph.trig", "graph.ttl", "shacl-report.ttl")


def atomic_write(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half."""
    _commit_staged([_stage(Path(path), data)])


def _stage(p: Path, data: bytes) -> tuple[str, Path]:
    """Write ``data`` to a fsynced temporary file beside ``p``; return ``(tmp, p)``."""
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=_TMP_SUFFIX, dir=p.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp makes the file private (0600); give it the mode a plain open() would
        # (or keep the mode of the file it replaces), so outputs stay readable as before.
        os.chmod(tmp, _target_mode(p))
    except BaseException:
        _unlink_quietly(tmp)
        raise
    return tmp, p


def _target_mode(p: Path) -> int:
    try:
        return p.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _commit_staged(staged: list[tuple[str, Path]]) -> None:
    """Rename every staged file into place (all files were fully written before the first
    rename, so an interruption can only fall between two renames, never inside a file)."""
    done = 0
    try:
        for tmp, p in staged:
            os.replace(tmp, p)
            done += 1
    except BaseException:
        for tmp, _p in staged[done:]:
            _unlink_quietly(tmp)
        raise
    _fsync_dir(staged[0][1].parent if staged else None)


def _fsync_dir(folder: Path | None) -> None:
    if folder is None or not hasattr(os, "O_DIRECTORY"):
        return
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _unlink_quietly(path: str | os.PathLike) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def remove_stale_temporaries(folder: str | os.PathLike, names: tuple[str, ...] = (),
                             keep=()) -> list[str]:
    """Delete temporary files that an interrupted (killed) write left in ``folder``.

    Only files named like :func:`atomic_write`'s temporaries (``.NAME.XXXX.tmp``) are
    touched, and with ``names`` only those of the given output names; the paths in ``keep``
    (this build's own) are not. Returns the paths removed.
    """
    removed: list[str] = []
    root = Path(folder)
    if not root.is_dir():
        return removed
    kept = {os.path.abspath(k) for k in keep}
    for entry in root.iterdir():
        n = entry.name
        if not (n.startswith(".") and n.endswith(_TMP_SUFFIX)) or not entry.is_file():
            continue
        if kept and os.path.abspath(entry) in kept:
            continue
        if names and not any(n.startswith(f".{name}.") for name in names):
            continue
        _unlink_quietly(entry)
        removed.append(str(entry))
    return removed


def parse_store_spec(spec: str) -> tuple[str, str]:
    """Split ``oxigraph:PATH``, ``sparql+http(s)://…`` (or ``memory:``) into ``(kind, location)``."""
    if spec.startswith(("sparql+http://", "sparql+https://")):
        from .store_remote import parse_remote_spec

        parse_remote_spec(spec)  # raises StoreError on a bad spec
        return "sparql", spec
    kind, _, loc = spec.partition(":")
    if kind not in {"oxigraph", "memory"} or (kind == "oxigraph" and not loc):
        raise StoreError(f"unknown store {spec!r}",
                         hint="use oxigraph:PATH or sparql+http://HOST:PORT/PATH")
    return kind, loc


def write_outputs(dataset: Dataset, out: str | os.PathLike, *, shacl=None,
                  store: str | None = None) -> dict[str, str]:
    """Write ``graph.trig``, ``graph.ttl`` and ``shacl-report.ttl`` into ``out``.

    With ``store="oxigraph:PATH"`` the dataset is also loaded into an Oxigraph store on
    disk (replacing its content). Returns the paths written, by role.
    """
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(out_dir, OUTPUT_NAMES)
    bind_prefixes(dataset)
    trig = dataset.serialize(format="trig").encode("utf-8")
    union = Graph()
    bind_prefixes(union)
    for s, p, o, _g in dataset.quads((None, None, None, None)):
        union.add((s, p, o))
    payload = {"trig": trig, "turtle": union.serialize(format="turtle").encode("utf-8")}
    if shacl is not None:
        payload["shacl"] = shacl.report_turtle.encode("utf-8")
    names = {"trig": "graph.trig", "turtle": "graph.ttl", "shacl": "shacl-report.ttl"}
    # Stage every file completely before renaming any: a build killed while serialising or
    # writing leaves the previous outputs untouched, and the renames are near-instant.
    staged: list[tuple[str, Path]] = []
    try:
        for role, data in payload.items():
            staged.append(_stage(out_dir / names[role], data))
    except BaseException:
        for tmp, _p in staged:
            _unlink_quietly(tmp)
        raise
    _commit_staged(staged)
    outputs = {role: str(out_dir / names[role]) for role in payload}
    if store:
        kind, loc = parse_store_spec(store)
        if kind == "oxigraph":
            load_oxigraph(loc, trig)
            outputs["oxigraph"] = loc
        elif kind == "sparql":
            from .store_remote import load_remote

            load_remote(loc, dataset)
            outputs["sparql"] = loc
    return outputs


def load_oxigraph(location: str, trig: bytes) -> None:
    """Replace the content of the Oxigraph store at ``location`` with a TriG document.

    The new store is loaded in a staging folder beside ``location`` and then swapped in
    with two renames, so a build killed while loading leaves the previous store whole
    (and a server reading it undisturbed). Staging folders that a killed run left behind
    are removed on the next load.
    """
    import shutil
    import uuid

    import pyoxigraph as ox

    target = Path(location)
    if target.exists() and not target.is_dir():
        raise StoreError("exists and is not an Oxigraph store folder", path=location)
    target.parent.mkdir(parents=True, exist_ok=True)
    for stale in target.parent.glob(f".{target.name}.*.loading"):
        shutil.rmtree(stale, ignore_errors=True)
    if not target.exists():  # a kill between the two renames below: restore the old store
        olds = sorted(target.parent.glob(f".{target.name}.*.old"))
        if olds:
            os.replace(olds[-1], target)
    for stale in target.parent.glob(f".{target.name}.*.old"):
        shutil.rmtree(stale, ignore_errors=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".loading",
                                    dir=target.parent))
    try:
        st = ox.Store(str(staging))
        st.bulk_load(trig, format=ox.RdfFormat.TRIG)
        st.flush()
        del st  # release the database before its folder moves
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(exc, (OSError, ValueError, SyntaxError)):
            raise StoreError(f"cannot load the Oxigraph store: {exc}", path=location) from None
        raise
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.old")
        os.replace(target, old)
    os.replace(staging, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _guess_format(path: Path) -> str:
    fmt = FORMAT_BY_SUFFIX.get(path.suffix.lower())
    if fmt is None:
        raise StoreError(f"unknown RDF file type {path.suffix!r}", path=str(path),
                         hint=f"use one of {', '.join(sorted(FORMAT_BY_SUFFIX))}")
    return fmt


def load_graph(path: str | os.PathLike, *, format: str | None = None) -> Dataset:
    """Parse an RDF file (TriG, Turtle, N-Quads, N-Triples, JSON-LD, RDF/XML) safely.

    The file is checked with pyoxigraph's strict parser first, which never fetches
    anything (so a remote JSON-LD ``@context`` or ``@base`` trick cannot reach the network);
    XML entity declarations are refused before parsing. Errors name the line and column.
    """
    p = Path(path)
    if not p.is_file():
        raise StoreError("no such graph file", path=str(p))
    fmt = format or _guess_format(p)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise StoreError(f"cannot read the graph file: {exc.strerror or exc}", path=str(p)) from None
    _refuse_entity_declarations(data, fmt, p)
    if fmt == "json-ld":
        _check_jsonld(data, p)
    if fmt == "xml":
        _check_xml_wellformed(data, p)
    _check_with_oxigraph(data, fmt, p)
    ds = Dataset()
    try:
        if fmt in _QUAD_FORMATS:
            ds.parse(data=data, format=fmt, publicID="urn:chainkg:base:")
        else:
            ds.default_context.parse(data=data, format=fmt, publicID="urn:chainkg:base:")
    except Exception as exc:  # rdflib raises many types
        raise StoreError(f"cannot parse as {fmt}: {exc}", path=str(p)) from None
    bind_prefixes(ds)
    return ds


def _as_utf8(data: bytes) -> bytes:
    """The bytes re-encoded as UTF-8 when they carry a UTF-16/32 byte-order mark, so that
    a declaration cannot hide behind another encoding."""
    for bom, enc in ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
                     (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            return data.decode(enc, errors="replace").encode("utf-8")
    if data[:2] in (b"<\x00", b"\x00<"):  # UTF-16 without a byte-order mark
        return data.decode("utf-16-le" if data[0] == 0x3C else "utf-16-be",
                           errors="replace").encode("utf-8")
    return data


def _refuse_entity_declarations(data: bytes, fmt: str, p: Path) -> None:
    """Refuse XML DOCTYPE/ENTITY declarations (entity-expansion bombs, external entities)
    before any parser sees the file.

    In RDF/XML a declaration anywhere is refused. In the text formats (Turtle, TriG,
    N-Quads, JSON-LD) ``<!DOCTYPE`` means nothing and may well occur inside a literal (a
    sentence quoting a web page), so it is refused only when the file is XML in disguise.
    """
    text = _as_utf8(data).lstrip(b"\xef\xbb\xbf")
    suspicious = fmt == "xml" or _XML_START.match(text) is not None
    if suspicious and _DOCTYPE.search(text):
        raise UnsafeInputError("refused: the file declares a DOCTYPE or ENTITY "
                               "(entity expansion is not allowed)", path=str(p),
                               hint="remove the DOCTYPE declaration")


def _check_xml_wellformed(data: bytes, p: Path) -> None:
    """Check RDF/XML well-formedness with expat to report the line and column of an error
    (declarations were refused before, so no entity is ever expanded)."""
    from xml.parsers import expat

    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise StoreError(f"malformed xml at line {exc.lineno} column {exc.offset + 1}: "
                         f"{expat.ErrorString(exc.code)}", path=str(p)) from None


_OX_FORMATS = {"trig": "TRIG", "turtle": "TURTLE", "nquads": "N_QUADS", "nt": "N_TRIPLES",
               "xml": "RDF_XML", "n3": "N3", "json-ld": "JSON_LD"}


def _check_with_oxigraph(data: bytes, fmt: str, p: Path) -> None:
    import pyoxigraph as ox

    name = _OX_FORMATS.get(fmt)
    rdf_format = getattr(ox.RdfFormat, name, None) if name else None
    if rdf_format is None:
        return
    try:
        for _ in ox.parse(data, format=rdf_format, base_iri="urn:chainkg:base:"):
            pass
    except SyntaxError as exc:
        msg = str(exc.msg if getattr(exc, "msg", None) else exc)
        if exc.lineno and "line" not in msg:
            msg = f"at line {exc.lineno} column {exc.offset or 0}: {msg}"
        elif not exc.lineno and "line" not in msg:
            msg = f"{msg} (position unknown)"
        raise StoreError(f"malformed {fmt}: {msg}", path=str(p)) from None
    except ValueError as exc:
        raise StoreError(f"malformed {fmt}: {exc}", path=str(p)) from None


def _check_jsonld(data: bytes, p: Path) -> None:
    import json

    try:
        doc = json.loads(data)
    except ValueError as exc:
        raise StoreError(f"malformed JSON-LD: {exc}", path=str(p)) from None

    def walk(x) -> None:
        if isinstance(x, dict):
            ctx = x.get("@context")
            for c in ctx if isinstance(ctx, list) else [ctx]:
                if isinstance(c, str):
                    raise UnsafeInputError(f"refused: remote JSON-LD @context {c!r}", path=str(p))
            if isinstance(x.get("@import"), str):
                raise UnsafeInputError("refused: JSON-LD @import", path=str(p))
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    walk(doc)
