"""The one small tree of errors the library raises.

Every error carries a message that says what happened, the offending value and what to do
next. The library never prints or exits; the CLI and the HTTP layer each have one boundary
that turns these into a message and an exit code or a JSON error.
"""

from __future__ import annotations

__all__ = [
    "KGError",
    "IngestError",
    "ExtractError",
    "ResolveError",
    "MappingError",
    "ValidationRunError",
    "StoreError",
    "QueryError",
    "UnsafeInputError",
    "EXIT_OK",
    "EXIT_NONCONFORMANT",
    "EXIT_BAD_INPUT",
    "EXIT_INTERNAL",
    "EXIT_INTERRUPTED",
    "EXIT_TERMINATED",
]

#: Documented exit codes of the ``kg`` command line.
EXIT_OK = 0  #: success
EXIT_NONCONFORMANT = 1  #: graph does not conform, or a result is empty where one was required
EXIT_BAD_INPUT = 2  #: bad usage or bad input (unreadable file, malformed query or RDF)
EXIT_INTERNAL = 3  #: internal error (a bug: please report it with --debug output)
EXIT_INTERRUPTED = 130  #: Ctrl-C (128 + SIGINT)
EXIT_TERMINATED = 143  #: ``kg build`` ended by SIGTERM (128 + 15), its working files removed


class KGError(Exception):
    """Base class of every error chainkg raises on purpose."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, message: str, *, path: str | None = None, hint: str | None = None):
        self.path = path
        self.hint = hint
        text = f"{path}: {message}" if path else message
        if hint:
            text = f"{text} ({hint})"
        super().__init__(text)


class IngestError(KGError):
    """A document could not be read or decoded (empty, binary, too large, unreadable)."""


class ExtractError(KGError):
    """Extraction failed on a document."""

    exit_code = EXIT_INTERNAL


class ResolveError(KGError):
    """Entity resolution failed."""

    exit_code = EXIT_INTERNAL


class MappingError(KGError):
    """Model objects could not be mapped to RDF."""

    exit_code = EXIT_INTERNAL


class ValidationRunError(KGError):
    """SHACL validation could not run (as opposed to: the graph does not conform)."""


class StoreError(KGError):
    """A store could not be opened, read or written."""


class QueryError(KGError):
    """A SPARQL query is malformed, unknown, refused or failed."""


class UnsafeInputError(KGError):
    """Input was refused for safety: remote fetches, entity expansion, SERVICE/LOAD."""
