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


def atomic_write(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, p)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def parse_store_spec(spec: str) -> tuple[str, str]:
    """Split ``oxigraph:PATH`` (or ``memory:``) into ``(kind, location)``."""
    kind, _, loc = spec.partition(":")
    if kind not in {"oxigraph", "memory"} or (kind == "oxigraph" and not loc):
        raise StoreError(f"unknown store {spec!r}", hint="use oxigraph:PATH")
    return kind, loc


def write_outputs(dataset: Dataset, out: str | os.PathLike, *, shacl=None,
                  store: str | None = None) -> dict[str, str]:
    """Write ``graph.trig``, ``graph.ttl`` and ``shacl-report.ttl`` into ``out``.

    With ``store="oxigraph:PATH"`` the dataset is also loaded into an Oxigraph store on
    disk (replacing its content). Returns the paths written, by role.
    """
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    bind_prefixes(dataset)
    trig = dataset.serialize(format="trig").encode("utf-8")
    atomic_write(out_dir / "graph.trig", trig)
    union = Graph()
    bind_prefixes(union)
    for s, p, o, _g in dataset.quads((None, None, None, None)):
        union.add((s, p, o))
    atomic_write(out_dir / "graph.ttl", union.serialize(format="turtle").encode("utf-8"))
    outputs = {"trig": str(out_dir / "graph.trig"), "turtle": str(out_dir / "graph.ttl")}
    if shacl is not None:
        atomic_write(out_dir / "shacl-report.ttl", shacl.report_turtle.encode("utf-8"))
        outputs["shacl"] = str(out_dir / "shacl-report.ttl")
    if store:
        kind, loc = parse_store_spec(store)
        if kind == "oxigraph":
            load_oxigraph(loc, trig)
            outputs["oxigraph"] = loc
    return outputs


def load_oxigraph(location: str, trig: bytes) -> None:
    """Replace the content of the Oxigraph store at ``location`` with a TriG document."""
    import pyoxigraph as ox

    try:
        st = ox.Store(location)
        st.clear()
        st.bulk_load(trig, format=ox.RdfFormat.TRIG)
        st.flush()
    except (OSError, ValueError, SyntaxError) as exc:
        raise StoreError(f"cannot load the Oxigraph store: {exc}", path=location) from None


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
    data = p.read_bytes()
    if _DOCTYPE.search(data[:65536]) or (fmt == "xml" and _DOCTYPE.search(data)):
        raise UnsafeInputError("refused: the file declares a DOCTYPE or ENTITY "
                               "(entity expansion is not allowed)", path=str(p))
    if fmt == "json-ld":
        _check_jsonld(data, p)
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
        raise StoreError(f"malformed {fmt}: {exc}", path=str(p)) from None
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
