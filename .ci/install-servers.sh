#!/usr/bin/env bash
# Install the servers that the scale-out tests (tests/scale/) start on loopback:
#   - OpenLink Virtuoso 7 from Debian's packages: only the binaries package
#     (virtuoso-opensource-7-bin, /usr/bin/virtuoso-t). The full `virtuoso-opensource`
#     package would also register and start a system service listening on all interfaces;
#     the tests start their own server with a generated virtuoso.ini bound to 127.0.0.1.
#   - The Oxigraph server and Dask come from PyPI through the project's `scale` extra
#     (pip install -e '.[scale]'); this script only reports whether they are there.
# Idempotent: does nothing when everything is present. Prints what it did.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != "0" ]; then
    SUDO="sudo"
fi

if command -v virtuoso-t >/dev/null 2>&1; then
    echo "install-servers: virtuoso-t already present ($( { virtuoso-t -? 2>&1 || true; } | grep -m1 -i version)); nothing to do"
else
    echo "install-servers: virtuoso-t missing; running apt-get update"
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
    echo "install-servers: apt-get install -y virtuoso-opensource-7-bin"
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        virtuoso-opensource-7-bin
    if command -v virtuoso-t >/dev/null 2>&1; then
        echo "install-servers: installed $(command -v virtuoso-t)"
    else
        echo "install-servers: apt-get finished but virtuoso-t is still missing" >&2
        exit 1
    fi
fi

PY=.venv/bin/python
if [ -x "$PY" ]; then
    if [ -x .venv/bin/oxigraph ]; then
        echo "install-servers: oxigraph server present ($(.venv/bin/oxigraph --version))"
    else
        echo "install-servers: .venv/bin/oxigraph missing: install the project with its scale extra (pip install -e '.[scale]')" >&2
    fi
    if "$PY" -c "import distributed" 2>/dev/null; then
        echo "install-servers: dask distributed present ($("$PY" -c 'import distributed; print(distributed.__version__)'))"
    else
        echo "install-servers: dask distributed missing: install the project with its scale extra (pip install -e '.[scale]')" >&2
    fi
fi
