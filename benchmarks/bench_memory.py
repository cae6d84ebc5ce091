"""Peak memory of a whole build, by stage (issue 10: ≤ 2 GB at 10,000 documents).

Runs :func:`kg.pipeline.build_graph` on a folder of documents into an Oxigraph store, in this
process, while a thread samples the resident set size (``VmRSS``) every second and tags
each sample with the last stage the build has finished (``kg.pipeline._TIMINGS``). Prints
one JSON object: wall seconds, the build's stage timings, the peak RSS after each finished
stage, the process's ``ru_maxrss``, the largest ``ru_maxrss`` of its worker processes, and
the peak proportional set size of the whole process tree (parent, workers and the SHACL
fork together, shared pages counted once);
``--log`` also keeps every sample (JSON lines) for a timeline.

To compare with an older tree, run the same command with ``PYTHONPATH`` set to a checkout
of that tree (``git worktree add /tmp/base <commit>``); reuse the out folder to skip the
extraction (its cache is kept under ``OUT/.cache``), which the build measures separately.

Usage::

    python benchmarks/bench_memory.py DOCS OUT [--workers 2] [--log samples.jsonl]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import threading
import time


def _rss_mb() -> int:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) // 1024
    return 0


def _descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{p}/task")
        except OSError:
            continue
        for t in tasks:
            try:
                with open(f"/proc/{p}/task/{t}/children", encoding="ascii") as fh:
                    kids = [int(x) for x in fh.read().split()]
            except OSError:
                continue
            out.extend(kids)
            todo.extend(kids)
    return out


def _tree_pss_mb() -> int:
    """The proportional set size of this process and all its descendants (the mapping
    workers, the SHACL fork): pages shared after a fork are counted once in total."""
    total = 0
    for pid in [os.getpid(), *_descendants(os.getpid())]:
        try:
            with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as fh:
                for line in fh:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            continue
    return total // 1024


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("docs", help="folder of documents")
    ap.add_argument("out", help="output folder (the store goes to OUT/store)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--log", default="", help="write every RSS sample here (JSON lines)")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    import kg.pipeline as pipeline

    samples: list[tuple[float, str, int]] = []
    done = threading.Event()

    def watch() -> None:
        fh = open(args.log, "w", encoding="utf-8") if args.log else None  # noqa: SIM115
        try:
            while not done.wait(1.0):
                stages = tuple(pipeline._TIMINGS)
                s = (round(time.perf_counter() - t0, 1), stages[-1] if stages else "-", _rss_mb(),
                     _tree_pss_mb())
                samples.append(s)
                if fh:
                    fh.write(json.dumps(s) + "\n")
                    fh.flush()
        finally:
            if fh:
                fh.close()

    th = threading.Thread(target=watch, daemon=True)
    th.start()
    report = pipeline.build_graph([args.docs], args.out, store=f"oxigraph:{args.out}/store",
                                  workers=args.workers)
    done.set()
    th.join()
    peak: dict[str, int] = {}
    tree: dict[str, int] = {}
    for _t, stage, mb, pss in samples:
        peak[stage] = max(peak.get(stage, 0), mb)
        tree[stage] = max(tree.get(stage, 0), pss)
    print(json.dumps({
        "wall_s": round(time.perf_counter() - t0, 1),
        "documents": len(report.documents),
        "timings_s": {k: round(v, 1) for k, v in report.timings.items()},
        "peak_rss_mb_after_stage": peak,
        "peak_tree_pss_mb_after_stage": tree,
        "peak_tree_pss_mb": max(tree.values(), default=0),
        "ru_maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        "children_ru_maxrss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
