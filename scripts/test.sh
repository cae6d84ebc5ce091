#!/usr/bin/env bash
# Set up (idempotent) and run the whole test suite. Used by the README and by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[dev,serve,scale]'
# byte-compiled ahead, as a regular install is: every kg process starts faster, also
# where writing bytecode on import is turned off (PYTHONDONTWRITEBYTECODE)
.venv/bin/python -m compileall -q kg
# Headless Chromium from Debian's packages for the browser tests (no browser download).
if [ -f .ci/install-browser.sh ]; then
  bash .ci/install-browser.sh || echo "warning: could not install Chromium; browser tests will fail if required" >&2
fi
# Servers for the scale-out tests (Virtuoso from Debian; the Oxigraph server and Dask come
# from the scale extra above).
if [ -f .ci/install-servers.sh ]; then
  bash .ci/install-servers.sh || echo "warning: could not install the test servers" >&2
fi
if [ -n "${CI:-}" ]; then
  export CHAINKG_REQUIRE_BROWSER=1 CHAINKG_REQUIRE_SERVERS=1
fi
set +e
.venv/bin/python -m pytest -q "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
  echo "no tests were collected" >&2
  exit 1
fi
exit "$rc"
