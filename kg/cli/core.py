"""Core commands: build, extract, eval, validate, stats."""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path

import typer

from ..errors import EXIT_NONCONFORMANT
from . import app

FormatOpt = typer.Option("table", "--format", "-f", help="table or json")


def _console():
    from rich.console import Console

    return Console(stderr=False, highlight=False)


@app.command()
def build(
    source: list[Path] = typer.Argument(..., help="Folders or files of documents (.txt .md .html .csv .docx .xlsx .pdf)."),
    out: Path = typer.Option(Path("out"), "--out", "-o", help="Output folder."),
    store: str = typer.Option(None, "--store",
                              help="Also load a store: oxigraph:PATH or sparql+http://HOST:PORT/PATH"),
    strict: bool = typer.Option(False, "--strict", help="Stop at the first bad document."),
    no_validate: bool = typer.Option(False, "--no-validate", help="Skip SHACL validation."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar or summary."),
    workers: int = typer.Option(1, "--workers", "-j", min=0,
                                help="Processes for extraction (0: one per CPU core)."),
    update: bool = typer.Option(False, "--update", "-u",
                                help="Reuse unchanged documents of the previous build in OUT."),
    engine: str = typer.Option("local", "--engine", help="local (process pool) or dask"),
    scheduler: str = typer.Option(None, "--scheduler", help="Dask scheduler address tcp://HOST:PORT"),
    max_bytes: str = typer.Option(None, "--max-bytes",
                                  help="Size limit per document, e.g. 50M (default 20M or $CHAINKG_MAX_BYTES)."),
) -> None:
    """Build the knowledge graph of a folder of documents into OUT (graph.trig, graph.ttl,
    shacl-report.ttl) and print a summary.

    Bad documents are reported and skipped (exit 0 if anything was built, 2 if nothing was);
    --strict makes the first one fatal.
    """
    import os

    from ..pipeline import build_graph

    console = _console()
    workers = workers or os.cpu_count() or 1
    opts = dict(store=store, strict=strict, validate=not no_validate, workers=workers, update=update,
                max_bytes=max_bytes, engine=engine, scheduler=scheduler)
    with _terminate_as_interrupt():
        if quiet:
            report = build_graph(source, out, **opts)
        else:
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            with Progress(TextColumn("{task.description}"), BarColumn(),
                          TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                          console=Console_err(), transient=True) as prog:
                task = prog.add_task("extracting", total=None)

                def progress(i: int, n: int, path: str) -> None:
                    prog.update(task, completed=i, total=n)

                report = build_graph(source, out, progress=progress, **opts)
    for msg in report.notes:
        typer.echo(f"kg: note: {msg}", err=True)
    for _path, msg in report.problems:
        typer.echo(f"kg: warning: {msg}", err=True)
    for path, msg in report.skipped:
        typer.echo(f"kg: skipped {path}: {msg}", err=True)
    if not quiet:
        print_summary(report, console)
    if not report.documents:
        typer.echo("kg: error: no document could be built", err=True)
        raise typer.Exit(2)


@contextlib.contextmanager
def _terminate_as_interrupt():
    """Within: SIGTERM (``kill``, a service manager, a job's time limit) ends a build as
    Ctrl-C does — its working files are removed and the last build's outputs stay as they
    were; exit code 143. Forked workers end at once, as by default. The handler before is
    put back on leaving (``kg.cli.main`` may run in a longer-lived process)."""
    import os
    import signal
    import threading

    from . import Terminated

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pid = os.getpid()

    def handler(signum, frame):
        if os.getpid() != pid:
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        raise Terminated

    before = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before)


def Console_err():
    from rich.console import Console

    return Console(stderr=True)


def print_summary(report, console) -> None:
    from rich.table import Table

    c = report.counts
    t = Table(title="chainkg build summary / 构建摘要", show_header=True)
    t.add_column("what")
    t.add_column("count", justify="right")
    t.add_row("documents 文档", str(len(report.documents)))
    for k, v in c.get("entities", {}).items():
        t.add_row(f"entities · {k}", str(v))
    for k, v in c.get("relations", {}).items():
        t.add_row(f"relations · {k}", str(v))
    t.add_row("quantities 数量", str(c.get("quantities", 0)))
    t.add_row("conflicts 数值冲突", str(c.get("conflicts", 0)))
    t.add_row("triples 三元组", str(c.get("triples", 0)))
    t.add_row("problems 问题文档", str(len(report.problems)))
    shacl = {True: "conforms 符合", False: "does NOT conform 不符合", None: "not run"}[report.conforms]
    t.add_row("SHACL", shacl)
    console.print(t)
    for role, path in report.outputs.items():
        console.print(f"  {role:10s} {path}")


@app.command()
def extract(
    file: Path = typer.Argument(..., help="One document."),
    format: str = typer.Option("json", "--format", "-f", help="json (the output contract) or table"),
    explain: bool = typer.Option(False, "--explain", help="Show per fact the rule and the sentence."),
) -> None:
    """Extract one document and print entities, relations and quantities (JSON contract)."""
    from ..pipeline import explain_resolved, extract_file, resolved_to_json

    resolved = extract_file(file)
    if explain:
        from rich.table import Table

        t = Table(title=f"{file} — facts, rules and sentences", show_lines=False)
        for col in ("fact", "rule", "sentence"):
            t.add_column(col, overflow="fold")
        for row in explain_resolved(resolved):
            t.add_row(row["fact"], row["rule"], row["sentence"])
        _console().print(t)
        return
    data = resolved_to_json(resolved)
    if format == "json":
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    else:
        from rich.table import Table

        t = Table(title=str(file))
        for col in ("type", "label", "aliases", "id"):
            t.add_column(col, overflow="fold")
        for e in data["entities"]:
            t.add_row(e["type"], e["label"], "、".join(e["aliases"]), e["id"])
        _console().print(t)


@app.command("eval")
def eval_cmd(
    gold: Path = typer.Argument(..., help="A gold JSON file, or a folder of NN.json"),
    text: Path = typer.Argument(..., help="The text file, or a folder of NN.txt"),
    json_out: Path = typer.Option(None, "--json", help="Also write the scores as JSON here."),
    errors: bool = typer.Option(False, "--errors", help="List false negatives and positives."),
    per_doc: bool = typer.Option(False, "--per-doc", help="Print a table per document too."),
) -> None:
    """Score `kg extract` against annotated gold (P/R/F1 per type, relation, quantities)."""
    from .. import evaluate as ev
    from ..pipeline import extract_file, resolved_to_json

    pairs = ev.pair_gold_and_texts(gold, text)
    preds: dict[str, dict] = {}

    def extract_fn(path):
        d = resolved_to_json(extract_file(path))
        preds[str(path)] = d
        return d

    per, total = ev.evaluate(pairs, extract_fn)
    if per_doc or len(pairs) == 1:
        for name, rep in per.items():
            typer.echo(ev.format_table(rep, name))
    if len(pairs) > 1:
        typer.echo(ev.format_table(total, f"all {len(pairs)} documents (micro)"))
    if errors:
        for name, gpath, tpath in pairs:
            ea = ev.error_analysis(preds[str(tpath)], ev.load_gold(gpath))
            typer.echo(f"== errors: {name}")
            typer.echo(json.dumps(ea, ensure_ascii=False, indent=1))
    if json_out:
        from ..store import atomic_write

        payload = {"total": total.to_dict(), "documents": {k: v.to_dict() for k, v in per.items()}}
        atomic_write(json_out, json.dumps(payload, ensure_ascii=False, indent=2).encode("utf-8"))


@app.command()
def validate(
    graph: Path = typer.Argument(..., help="A graph file (.trig .ttl .nq .nt .jsonld)."),
    shapes: Path = typer.Option(None, "--shapes", help="SHACL shapes (default: ontology/shapes.ttl)."),
) -> None:
    """Validate a graph with the SHACL shapes. Exit 0 conforms, 1 does not, 2 could not run."""
    from ..store import load_graph
    from ..validate import load_shapes, validate_graph

    ds = load_graph(graph)
    report = validate_graph(ds, load_shapes(shapes) if shapes else None)
    typer.echo(report.summary())
    extra = _extra_checks(ds)
    for line in extra:
        typer.echo(line)
    if not report.conforms:
        raise typer.Exit(EXIT_NONCONFORMANT)


def _extra_checks(ds) -> list[str]:
    """Consistency of stated rates and sums, and cross-document conflicts."""
    import importlib.util

    lines: list[str] = []
    from ..consistency import consistency_lines

    lines.extend(consistency_lines(ds))
    if importlib.util.find_spec("kg.checks") is not None:
        from ..checks import run_checks

        lines.extend(run_checks(ds))
    return lines


@app.command()
def stats(
    graph: Path = typer.Argument(..., help="A graph file."),
    format: str = FormatOpt,
) -> None:
    """Print counts by class and by predicate."""
    from ..stats import graph_stats
    from ..store import load_graph

    s = graph_stats(load_graph(graph))
    if format == "json":
        typer.echo(json.dumps(s, ensure_ascii=False, indent=2))
        return
    from rich.table import Table

    t = Table(title=f"{graph}: {s['triples']} triples in {s['graphs']} graphs, {s['documents']} documents")
    t.add_column("class / predicate", overflow="fold")
    t.add_column("count", justify="right")
    for k, v in s["classes"].items():
        t.add_row(k, str(v))
    t.add_section()
    for k, v in s["predicates"].items():
        t.add_row(k, str(v))
    _console().print(t)
