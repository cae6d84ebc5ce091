"""Score extraction on the seed and the development gold sets; write benchmarks/extraction.md.

Usage::

    python benchmarks/eval_extraction.py [--shared ../shared] [--out benchmarks/extraction.md]

Scores are computed by :mod:`kg.evaluate` exactly as ``kg eval`` prints them (micro-averaged
P/R/F1); the table gives F1 per document and per set for the buckets the accuracy goals name.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import subprocess
from pathlib import Path

from kg import evaluate as ev
from kg.pipeline import extract_file, resolved_to_json

COLUMNS = [
    ("entities", "entities"),
    ("entities.Company", "Company"),
    ("entities.DevelopmentZone", "Zone"),
    ("entities.Project", "Project"),
    ("relations", "relations"),
    ("relations.hasStatus", "hasStatus"),
    ("quantities.value", "qty value"),
    ("quantities.with_subject", "qty+subject"),
    ("overall", "overall"),
]


def _f1(report, bucket: str) -> str:
    c = report[bucket]
    return "–" if c.f1 is None else f"{c.f1:.3f}"


def main() -> None:
    root = Path(__file__).resolve().parents[1]
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", type=Path, default=root.parent / "shared")
    ap.add_argument("--out", type=Path, default=root / "benchmarks" / "extraction.md")
    a = ap.parse_args()
    eval_dir = a.shared / "eval"
    sets = {
        "seed": ev.pair_gold_and_texts(eval_dir / "seed" / "gold.json",
                                       a.shared / "seeds" / "000_e439af9d8f037c90.txt"),
        "dev": ev.pair_gold_and_texts(eval_dir / "dev" / "gold", eval_dir / "dev" / "texts"),
    }
    extract = lambda p: resolved_to_json(extract_file(p))  # noqa: E731
    rows, totals, all_reports = [], {}, []
    for name, pairs in sets.items():
        per, total = ev.evaluate(pairs, extract)
        totals[name] = total
        for doc, rep in per.items():
            rows.append((f"{name}/{doc}", rep))
            all_reports.append(rep)
    totals["seed + dev"] = ev.combine(all_reports)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=root).stdout.strip()
    head = "| document | " + " | ".join(c[1] for c in COLUMNS) + " |"
    sep = "|---|" + "---|" * len(COLUMNS)
    lines = [
        "# Extraction scores",
        "",
        f"Measured {dt.date.today().isoformat()} on {platform.node()} (commit {commit}) with "
        "`python benchmarks/eval_extraction.py`; F1 as `kg eval` prints it (micro-averaged; "
        "scoring rules in `../shared/eval/README.md`).",
        "",
        "Goals (seed + dev, micro): Company, Zone, Project ≥ 0.90 each; all entities ≥ 0.80; "
        "quantities ≥ 0.90 (value) and ≥ 0.75 (with subject); relations ≥ 0.70; hasStatus ≥ 0.75.",
        "",
        "## Per set",
        "",
        head.replace("document", "set"),
        sep,
    ]
    for name, rep in totals.items():
        lines.append(f"| **{name}** | " + " | ".join(_f1(rep, b) for b, _ in COLUMNS) + " |")
    lines += ["", "## Per document", "", head, sep]
    for name, rep in rows:
        lines.append(f"| {name} | " + " | ".join(_f1(rep, b) for b, _ in COLUMNS) + " |")
    lines += ["", "## All buckets, seed + dev", "", "```",
              ev.format_table(totals["seed + dev"], "seed + dev (micro)"), "```", ""]
    a.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines[8:8 + 2 + len(totals)]))


if __name__ == "__main__":
    main()
