"""chainkg: knowledge graphs of Chinese regional industrial development.

Documents about key projects (重点项目), companies, development zones and industry chains
(产业链) become an RDF knowledge graph that can be queried with SPARQL, analysed with networkx
and explored as offline HTML. Nothing heavy is imported here: the public functions are
loaded on first use, so ``import kg`` and ``kg --help`` stay fast.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "ingest_file": "kg.ingest",
    "ingest_text": "kg.ingest",
    "extract_document": "kg.extract",
    "resolve_entities": "kg.resolve",
    "map_document": "kg.mapping",
    "validate_graph": "kg.validate",
    "build_graph": "kg.pipeline",
    "extract_file": "kg.pipeline",
    "extraction_to_json": "kg.pipeline",
    "load_graph": "kg.store",
    "KGError": "kg.errors",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'kg' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
