"""The ``kg`` command line: thin wrappers over importable functions.

One boundary turns :class:`~kg.errors.KGError` into a message on stderr and a documented
exit code: 0 ok, 1 non-conformant (or empty where a result was required), 2 bad usage or
input, 3 internal error. ``--debug`` shows tracebacks. Commands live in submodules, each
registering itself on :data:`app`; the heavy stacks are imported inside the commands, so
``kg --help`` stays fast.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys

import typer

from ..errors import EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_TERMINATED, KGError

__all__ = ["app", "main", "state"]

app = typer.Typer(
    name="kg",
    help="chainkg — 产业链知识图谱: build, query, analyse and draw knowledge graphs of "
    "regional industrial development from Chinese documents.\n\n"
    "Exit codes: 0 ok; 1 graph does not conform / empty result where required; "
    "2 bad usage or input; 3 internal error.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

state = {"debug": False}

# Each module registers its commands on ``app`` when imported (in this order).
_COMMAND_MODULES = ("core", "query", "chains", "viz", "serve", "indicators")


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks on errors."),
) -> None:
    state["debug"] = debug


def _register() -> None:
    for name in _COMMAND_MODULES:
        full = f"{__name__}.{name}"
        if importlib.util.find_spec(full) is not None:
            importlib.import_module(full)


def _usage_errors() -> tuple[type[BaseException], ...]:
    """The usage-error classes of the click that typer runs on (vendored or not)."""
    classes: list[type[BaseException]] = [typer.TyperException] if hasattr(typer, "TyperException") else []
    for mod in ("typer._click.exceptions", "click.exceptions"):
        try:
            m = importlib.import_module(mod)
        except ImportError:
            continue
        classes.append(m.ClickException)
    return tuple(classes)


class Terminated(BaseException):
    """SIGTERM, raised where the command was (see ``kg build``) so that it cleans up. Not a
    KeyboardInterrupt (typer turns those into a silent exit 130), nor an Exception (which
    handlers of bad documents would catch)."""


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit code (console-script entry point)."""
    _register()
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        rc = app(args=argv, standalone_mode=False)
    except KGError as exc:
        if debug:
            raise
        typer.echo(f"kg: error: {exc}", err=True)
        return exc.exit_code
    except typer.Exit as exc:
        return exc.exit_code
    except SystemExit as exc:
        return int(exc.code or 0)
    except Terminated:
        typer.echo("kg: terminated", err=True)
        return EXIT_TERMINATED
    except KeyboardInterrupt:
        typer.echo("kg: interrupted", err=True)
        return EXIT_INTERRUPTED
    except Exception as exc:  # usage errors (typer's click) and genuine bugs
        if isinstance(exc, typer.Abort):
            typer.echo("kg: aborted", err=True)
            return EXIT_INTERRUPTED
        if isinstance(exc, _usage_errors()):
            exc.show()
            return EXIT_BAD_INPUT
        if debug:
            raise
        typer.echo(f"kg: internal error: {type(exc).__name__}: {exc} "
                   "(run with --debug for the traceback and please report it)", err=True)
        return EXIT_INTERNAL
    return rc if isinstance(rc, int) else 0


def _entry() -> None:  # pragma: no cover
    code = main()
    # The process ends here: what is left is freed as it exits, without the interpreter's
    # last full collection walking it first (~0.1 s after an update of 10,000 documents).
    import gc

    gc.freeze()
    sys.exit(code)
