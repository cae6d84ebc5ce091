"""Single-document extraction throughput (issue 10): characters per second on one core.

Runs :func:`kg.extract.extract_document` (entities → quantities → status → relations →
leaders → events) on the seed document, the dev texts and a generated corpus
(``benchmarks/make_corpus.py``), in one process, after a warm-up pass over every text (the
warm-up loads the gazetteers, vocabularies and lazily imported helpers once; the issue
excludes that one-off cost). It reports

* throughput as characters per second of CPU time (``time.process_time``; the machine is
  shared and wall time is noisy) and of wall time, best of ``--repeat`` passes;
* where the time goes: CPU seconds per extraction stage. The events stage is split into
  indicators (:mod:`kg.indicators`), time expressions (:mod:`kg.dates`) and the rest of
  :mod:`kg.lifecycle` by timing wrappers installed for the breakdown pass only;
* a regex-only baseline measured in the same run: a handful of compiled regular
  expressions of the kind the extractors use (time expressions, numbers with units,
  company/zone suffixes, stage verbs) run over the same texts — the ceiling a pure-regex
  extractor reaches on this machine, to compare against.

With ``--baseline DIR`` (a copy of an older tree, e.g. ``git archive HEAD | tar -x -C DIR``)
the timed passes alternate between this tree and the baseline, each pass in a fresh child
process with ``PYTHONPATH`` set to its tree, ``--rounds`` times, and the report gives both
throughputs and their ratio per round (the machine's load changes over a run; alternating
keeps the comparison fair).

Usage::

    python benchmarks/bench_extract.py [--docs 200] [--seed 7] [--dev DIR] [--repeat 3]
                                       [--baseline DIR [--rounds 3]]
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "corpus" / "000_e439af9d8f037c90.txt"
DEV = Path("/work/shared/eval/dev/texts")


def _texts(args) -> list[Path]:
    paths = [SEED] if SEED.is_file() else []
    dev = Path(args.dev)
    if dev.is_dir():
        paths += sorted(dev.glob("*.txt"))
    gen = Path(args.corpus) if args.corpus else Path(tempfile.mkdtemp(prefix="kg-bench-extract-"))
    if not any(gen.glob("*.txt")):
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "make_corpus.py"), str(gen),
                        "--docs", str(args.docs), "--seed", str(args.seed)], check=True,
                       stdout=subprocess.DEVNULL)
    paths += sorted(gen.glob("*.txt"))[: args.docs]
    return paths


def _regex_baseline(texts: list[str]) -> float:
    """CPU seconds for a handful of compiled regexes over ``texts`` (all matches consumed)."""
    import re

    from kg.dates import _TIME_RE

    pats = [
        _TIME_RE,
        re.compile(r"(?:约|近|超过?)?\d+(?:\.\d+)?(?:万亿|亿|万)?(?:元|吨|千瓦|兆瓦|平方米|亩|%|个|家)"),
        re.compile(r"[\u4e00-\u9fff]{2,12}?(?:股份有限公司|有限公司|集团)"),
        re.compile(r"[\u4e00-\u9fff]{2,10}?(?:经济技术开发区|高新技术产业开发区|开发区|高新区|工业园区)"),
        re.compile(r"(?:正式)?(?:开工|投产|竣工|试生产|签约|达产)"),
    ]
    t = time.process_time()
    for text in texts:
        for p in pats:
            for _m in p.finditer(text):
                pass
    return time.process_time() - t


def _one_pass(docs) -> tuple[float, float]:
    from kg.extract import extract_document

    w, c = time.perf_counter(), time.process_time()
    for d in docs:
        extract_document(d)
    return time.perf_counter() - w, time.process_time() - c


def _breakdown(docs) -> dict[str, float]:
    """CPU seconds per stage over one pass (with timing wrappers; slightly slower overall)."""
    import kg.dates
    import kg.indicators
    from kg.extract.entities import extract_mentions
    from kg.extract.leaders import extract_leaders
    from kg.extract.quantities import extract_quantities
    from kg.extract.relations import extract_relations
    from kg.extract.status import extract_status
    from kg.lifecycle import extract_events

    out = dict.fromkeys(["entities", "quantities", "status", "relations", "leaders",
                         "events: lifecycle", "events: indicators", "events: time expressions"], 0.0)
    pt = time.process_time
    inner = {"indicators": 0.0, "time": 0.0, "time_in_ind": 0.0}
    orig_ind, orig_time = kg.indicators.extract_indicators, kg.dates.find_time_expressions
    in_ind = [False]

    def ind(*a, **k):
        t = pt()
        in_ind[0] = True
        try:
            return orig_ind(*a, **k)
        finally:
            in_ind[0] = False
            inner["indicators"] += pt() - t

    def tim(*a, **k):
        t = pt()
        try:
            return orig_time(*a, **k)
        finally:
            dt = pt() - t
            inner["time"] += dt
            if in_ind[0]:
                inner["time_in_ind"] += dt

    kg.indicators.extract_indicators, kg.dates.find_time_expressions = ind, tim
    try:
        for d in docs:
            t = pt()
            ms, _canon = extract_mentions(d)
            out["entities"] += pt() - t
            t = pt()
            qs = extract_quantities(d, ms)
            out["quantities"] += pt() - t
            t = pt()
            r1 = list(extract_status(d, ms))
            out["status"] += pt() - t
            t = pt()
            r2 = list(extract_relations(d, ms))
            out["relations"] += pt() - t
            t = pt()
            r3 = list(extract_leaders(d, ms))
            out["leaders"] += pt() - t
            t = pt()
            extract_events(d, ms, qs, r1 + r2 + r3)
            out["events: lifecycle"] += pt() - t
    finally:
        kg.indicators.extract_indicators, kg.dates.find_time_expressions = orig_ind, orig_time
    out["events: lifecycle"] -= inner["indicators"] + inner["time"] - inner["time_in_ind"]
    out["events: indicators"] = inner["indicators"] - inner["time_in_ind"]
    out["events: time expressions"] = inner["time"]
    return out


def _child_pass(tree: Path, args, corpus: str) -> float:
    """Best-of-``--repeat`` CPU chars/s of the code in ``tree``, measured in a child process."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--corpus", corpus, "--docs", str(args.docs),
           "--dev", args.dev, "--repeat", str(args.repeat), "--throughput-only"]
    env = dict(os.environ, PYTHONPATH=str(tree))
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env, cwd=str(tree)).stdout
    return float(out.strip().splitlines()[-1])


def _compare(args) -> int:
    """Alternate child passes of this tree and ``--baseline``; print throughputs and ratios."""
    corpus = args.corpus or tempfile.mkdtemp(prefix="kg-bench-extract-")
    _texts(argparse.Namespace(**{**vars(args), "corpus": corpus}))  # generate once, shared
    base = Path(args.baseline).resolve()
    print(f"baseline {base} vs {ROOT}; {args.rounds} rounds, best of {args.repeat} passes each;"
          f" {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; load {os.getloadavg()[0]:.2f}")
    for r in range(args.rounds):
        b = _child_pass(base, args, corpus)
        n = _child_pass(ROOT, args, corpus)
        print(f"round {r + 1}: baseline {b:,.0f} chars/s CPU, now {n:,.0f} chars/s CPU,"
              f" ratio {n / b:.2f}x (load {os.getloadavg()[0]:.2f})")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=200, help="generated documents (default 200)")
    ap.add_argument("--seed", type=int, default=7, help="generator seed (default 7)")
    ap.add_argument("--corpus", default="", help="folder of generated documents (made if empty)")
    ap.add_argument("--dev", default=str(DEV), help="folder of dev texts (skipped if absent)")
    ap.add_argument("--repeat", type=int, default=3, help="timed passes; the best is reported")
    ap.add_argument("--baseline", default="", help="older tree to compare with, alternately")
    ap.add_argument("--rounds", type=int, default=3, help="alternations with --baseline")
    ap.add_argument("--throughput-only", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.baseline:
        return _compare(args)

    import kg
    from kg.extract import extract_document
    from kg.ingest import ingest_file

    paths = _texts(args)
    docs = [ingest_file(p) for p in paths]
    n = sum(len(d.text) for d in docs)
    for d in docs:  # warm-up: dictionaries, vocabularies, lazy imports
        extract_document(d)

    passes = [_one_pass(docs) for _ in range(args.repeat)]
    wall = min(w for w, _ in passes)
    cpu = min(c for _, c in passes)
    if args.throughput_only:
        print(f"{n / cpu:.1f}")
        return 0
    base = min(_regex_baseline([d.text for d in docs]) for _ in range(args.repeat))
    stages = _breakdown(docs)

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}; python"
          f" {platform.python_version()}, chainkg {getattr(kg, '__version__', '?')};"
          f" {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print(f"texts: {len(docs)} ({n:,} characters; seed + {len(paths) - 1 - args.docs if SEED.is_file() else 0}"
          f" dev + {min(args.docs, len(paths))} generated)")
    print(f"extract_document, best of {args.repeat}: {n / cpu:,.0f} chars/s CPU ({cpu:.2f} s),"
          f" {n / wall:,.0f} chars/s wall ({wall:.2f} s)")
    print(f"regex-only baseline (5 compiled regexes): {n / base:,.0f} chars/s CPU ({base:.3f} s);"
          f" extraction takes {cpu / base:.0f}x its time")
    total = sum(stages.values())
    print(f"where the time goes (CPU, one pass with stage timers, {total:.2f} s):")
    for k, v in sorted(stages.items(), key=lambda kv: -kv[1]):
        print(f"  {k:26s} {v:6.3f} s  {100 * v / total:4.1f} %")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
