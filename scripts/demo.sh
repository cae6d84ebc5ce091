#!/usr/bin/env bash
# Set up (idempotent) and run the main job on the bundled corpus: graph, HTML and a summary.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .
# byte-compiled ahead, as a regular install is: every kg process starts faster, also
# where writing bytecode on import is turned off (PYTHONDONTWRITEBYTECODE)
.venv/bin/python -m compileall -q kg
OUT=${1:-out}
.venv/bin/kg build data/corpus -o "$OUT"
if .venv/bin/kg viz --help >/dev/null 2>&1; then
  .venv/bin/kg viz "$OUT/graph.trig" -o "$OUT/html"
  echo "HTML: $OUT/html/index.html"
fi
